/**
 * docker-compose.yml cannot run here (no docker engine), so it is checked for consistency with the
 * app's defaults: services present, ports, the worker's connection settings, the search attributes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { appEnvSchema } from '../../config/env';
import { parseDatabaseUrl } from '../../db/url';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { DEFAULT_DEV_SERVER, devServerArgs } from '../../scripts/lib/dev-server';
import { DEV_SERVER_DYNAMIC_CONFIG } from '../../scripts/lib/dev-server-tuning';
import { codecServerSettingsFromEnv } from '../../codec/main';

const compose = parse(readFileSync(join(__dirname, '..', '..', 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, { ports?: string[]; volumes?: string[]; environment?: Record<string, string>; build?: string; command?: string[]; deploy?: { replicas?: number } }>;
};
const s = compose.services;

test('the scale-path services exist', () => {
  expect(Object.keys(s).sort()).toEqual(['codec-server', 'postgres', 'temporal', 'temporal-setup', 'temporal-ui', 'worker']);
  expect(s.worker!.build).toBe('.');
  expect(s.worker!.deploy?.replicas).toBeGreaterThanOrEqual(2);
});

test('ports match the app defaults', () => {
  expect(s.temporal!.ports).toContain(`${DEFAULT_DEV_SERVER.port}:7233`);
  expect(s['temporal-ui']!.ports).toContain(`${DEFAULT_DEV_SERVER.uiPort}:8080`);
  expect(s.postgres!.ports).toContain('5432:5432');
});

test('the worker reaches the cluster and the app database with valid settings', () => {
  const env = s.worker!.environment!;
  expect(env.TEMPORAL_ADDRESS).toBe('temporal:7233');
  const db = parseDatabaseUrl(env.DATABASE_URL!);
  expect(db.provider).toBe('postgres');
  expect(new URL(db.url).hostname).toBe('postgres');
  expect(new URL(db.url).pathname).toBe(`/${s.postgres!.environment!.POSTGRES_DB}`);
  const app = appEnvSchema.parse({ TRADER_TASK_QUEUE: env.TRADER_TASK_QUEUE, WORKER_MAX_CACHED_WORKFLOWS: env.WORKER_MAX_CACHED_WORKFLOWS });
  expect(app.TRADER_TASK_QUEUE).toBe(appEnvSchema.parse({}).TRADER_TASK_QUEUE);
  expect(JSON.stringify(env)).not.toMatch(/secret[^$]*[A-Za-z0-9]{16,}/i);
});

test('the cluster gets every search attribute the workflows use', () => {
  const cmd = s['temporal-setup']!.command!.join(' ');
  for (const sa of SEARCH_ATTRIBUTES) expect(cmd).toContain(sa.name);
  expect(cmd).toContain('--type Keyword');
});

test('the cluster runs the dynamic config the dev servers are tuned with', () => {
  const t = s.temporal!;
  const mount = t.volumes!.find((v) => v.startsWith('./deploy/dynamicconfig.yaml:'))!;
  expect(mount).toBeDefined();
  expect(mount.split(':')[1]).toBe(`/etc/temporal/${t.environment!.DYNAMIC_CONFIG_FILE_PATH}`);
  const file = parse(readFileSync(join(__dirname, '..', '..', 'deploy', 'dynamicconfig.yaml'), 'utf8')) as Record<string, Array<{ value: unknown }>>;
  expect(Object.keys(file).sort()).toEqual(DEV_SERVER_DYNAMIC_CONFIG.map((c) => c.key).sort());
  for (const c of DEV_SERVER_DYNAMIC_CONFIG) expect(file[c.key]![0]!.value).toEqual(c.value);
});

test('dev servers start tuned unless TEMPORAL_DEV_SERVER_TUNING=off', () => {
  const tuned = devServerArgs({ ephemeral: true, tuned: true }).join(' ');
  for (const c of DEV_SERVER_DYNAMIC_CONFIG) expect(tuned).toContain(`--dynamic-config-value ${c.key}=`);
  expect(tuned).toContain('--sqlite-pragma journal_mode=wal');
  expect(devServerArgs({ ephemeral: true, tuned: false }).join(' ')).not.toContain('--dynamic-config-value');
});

test('payload encryption: the UI calls the codec server, which shares the workers\' keys and allows the UI origin', () => {
  const codec = s['codec-server']!.environment!;
  const settings = codecServerSettingsFromEnv({ ...codec, UNLOCK_TRADER_CODEC_TOKEN: 'x'.repeat(16) });
  const endpoint = new URL(s['temporal-ui']!.environment!.TEMPORAL_CODEC_ENDPOINT!);
  expect(s['codec-server']!.ports).toContain(`${endpoint.port}:${settings.UNLOCK_TRADER_CODEC_PORT}`);
  expect(settings.UNLOCK_TRADER_CODEC_CORS_ORIGINS).toEqual([s['temporal-ui']!.environment!.TEMPORAL_CORS_ORIGINS]);
  expect(codec.UNLOCK_TRADER_CODEC_TOKEN).toMatch(/^\$\{UNLOCK_TRADER_CODEC_TOKEN:\?/);
  for (const v of ['UNLOCK_TRADER_CODEC_KEYS', 'UNLOCK_TRADER_CODEC_KEY_ID']) expect(s.worker!.environment![v]).toBe(codec[v]);
});
