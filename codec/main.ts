/**
 * `npm run codec-server`: the codec server for the Temporal Web UI and CLI. Keys as for every client
 * (codec/keys.ts); its own settings:
 *   UNLOCK_TRADER_CODEC_TOKEN         bearer token callers must present (required)
 *   UNLOCK_TRADER_CODEC_CORS_ORIGINS  comma-separated UI origins (default http://127.0.0.1:8233)
 *   UNLOCK_TRADER_CODEC_HOST / _PORT  where to listen (default 127.0.0.1:8089)
 * Point the UI at it: UNLOCK_TRADER_CODEC_ENDPOINT=http://127.0.0.1:8089 npm run server.
 */
import { z } from 'zod';
import { codecFromEnv } from './keys';
import { startCodecServer } from './server';

export const DEFAULT_CODEC_PORT = 8089;
export const DEFAULT_UI_ORIGIN = 'http://127.0.0.1:8233';

const settingsSchema = z.object({
  UNLOCK_TRADER_CODEC_TOKEN: z
    .string({ message: 'is required: the bearer token the Web UI / CLI must present' })
    .min(16, 'must be at least 16 characters (e.g. openssl rand -hex 24)'),
  UNLOCK_TRADER_CODEC_CORS_ORIGINS: z
    .string()
    .default(DEFAULT_UI_ORIGIN)
    .transform((s) => s.split(',').map((o) => o.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^https?:\/\/[^/\s]+$/, 'each origin is scheme://host[:port], no path')).min(1)),
  UNLOCK_TRADER_CODEC_HOST: z.string().min(1).default('127.0.0.1'),
  UNLOCK_TRADER_CODEC_PORT: z.coerce.number().int().min(1).max(65535).default(DEFAULT_CODEC_PORT),
});

export type CodecServerSettings = z.output<typeof settingsSchema>;

export function codecServerSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): CodecServerSettings {
  const r = settingsSchema.safeParse(env);
  if (!r.success) throw new Error(`invalid codec server settings: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}

async function main(): Promise<void> {
  const settings = codecServerSettingsFromEnv();
  const codec = codecFromEnv();
  if (!codec) throw new Error('no codec keys configured: set UNLOCK_TRADER_CODEC_KEYS (+ UNLOCK_TRADER_CODEC_KEY_ID) or UNLOCK_TRADER_CODEC_KEY_FILE');
  const running = await startCodecServer({
    codec,
    token: settings.UNLOCK_TRADER_CODEC_TOKEN,
    corsOrigins: settings.UNLOCK_TRADER_CODEC_CORS_ORIGINS,
    host: settings.UNLOCK_TRADER_CODEC_HOST,
    port: settings.UNLOCK_TRADER_CODEC_PORT,
  });
  console.log(`codec server on ${running.url} (CORS: ${settings.UNLOCK_TRADER_CODEC_CORS_ORIGINS.join(', ')})`);
  const stop = () => void running.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(`error: ${(e as Error).message}`);
    process.exit(1);
  });
}
