/**
 * Encrypted payloads in the Temporal Web UI (issue 16; headless Chromium, playwright-core). A strategy
 * runs with the payload codec on its client and worker (keys from the codec/keys.ts variables); its
 * position opens and is closed by hand, so the position's history holds an input and a result, both
 * sealed (`binary/encrypted`, checked on the raw history). Then:
 *   1. the dev server's UI without a codec endpoint: the Input and Result cards show exactly the stored
 *      ciphertext (base64); the config (name, capital) and the result's fields are nowhere on the page;
 *   2. the same dev server restarted with `--ui-codec-endpoint` at the codec server (`codec/main.ts`,
 *      the `npm run codec-server` process): without the bearer token the server answers the UI's
 *      /decode with 401, the UI says the codec server failed and still shows only ciphertext; with the
 *      token the decoded JSON shows (config name, capital, exit reason).
 * Screenshots: test-artifacts/webui-codec-{encrypted,no-token,decoded}.png.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import type { Client } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { launchChromium } from '../helpers/chromium';
import { startDevServer, startDevServerOnFreePorts, stopChild } from '../../scripts/lib/dev-server';
import { connectClient, connectWorker, type TemporalTarget } from '../../config/temporal';
import { dataConverterFromEnv } from '../../codec/keys';
import { isEncrypted, payloadKeyId } from '../../codec/aes-gcm-codec';
import { freePort } from '../helpers/ports';
import { baseChildEnv } from '../helpers/child-env';
import { freshSqliteDb, type TestDb } from '../helpers/db';
import { HOUR, insertEvents, scriptedMarket, testConfig, tradingWorker, unlockEvent } from '../helpers/trading';
import { startStrategyWorkflow } from '../../client/strategy-client';
import { positionWorkflowId, type PositionView } from '../../workflows/position/api';
import { waitFor } from '../helpers/wait';

const ROOT = join(__dirname, '..', '..');
const ARTIFACTS = join(ROOT, 'test-artifacts');
/** the worker's and the client's codec settings, exactly as an operator sets them (codec/keys.ts) */
const KEYS_ENV = { UNLOCK_TRADER_CODEC_KEYS: `e2e-1:${randomBytes(32).toString('base64')}` };
const TOKEN = randomBytes(24).toString('hex');
const NAME = 'Confidential desk nine';
const CAPITAL = '987654';

let dev: Awaited<ReturnType<typeof startDevServerOnFreePorts>>;
let codecServer: { child: ChildProcess; url: string } | undefined;
let browser: Browser;
let tdb: TestDb;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'webui-codec-'));
  // the UI's codec endpoint comes only from what this test passes, not from the caller's environment
  delete process.env.UNLOCK_TRADER_CODEC_ENDPOINT;
  [dev, tdb, browser] = await Promise.all([
    startDevServerOnFreePorts(freePort, (n) => ({ dbFile: join(dir, `t${n}.db`), logFile: join(dir, `s${n}.log`) })),
    freshSqliteDb(),
    launchChromium(),
  ]);
  mkdirSync(ARTIFACTS, { recursive: true });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await tdb?.close();
  if (codecServer) await stopChild(codecServer.child);
  await dev?.server.stop();
});

/** The codec server as `npm run codec-server` runs it, allowing the UI's origin. */
async function startCodecServerProcess(uiOrigin: string): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'codec/main.ts'], {
    cwd: ROOT,
    env: { ...baseChildEnv(), ...KEYS_ENV, UNLOCK_TRADER_CODEC_TOKEN: TOKEN, UNLOCK_TRADER_CODEC_CORS_ORIGINS: uiOrigin, UNLOCK_TRADER_CODEC_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  await waitFor('the codec server to listen', () => {
    if (child.exitCode !== null) throw new Error(`codec server exited ${child.exitCode}: ${out}`);
    return out;
  }, (o) => o.includes('codec server on'), 30_000, 50);
  return { child, url: `http://127.0.0.1:${port}` };
}

const newContext = () => browser.newContext({ viewport: { width: 1440, height: 1000 }, timezoneId: 'UTC', locale: 'en-US' });

test('the UI shows ciphertext without the codec server, 401 without its token, the decoded input with it', async () => {
  const target: TemporalTarget = { connectionOptions: { address: dev.server.address }, namespace: 'default' };
  const client: Client = await connectClient({ target, dataConverter: dataConverterFromEnv(KEYS_ENV) });
  const nativeConnection: NativeConnection = await connectWorker(target);
  const env = { nativeConnection, namespace: 'default' } as unknown as TestWorkflowEnvironment;
  const m = scriptedMarket();
  m.flat('ARB/USDT', 1.2345678);
  // the entry target (unlock − 24 h) is now: the position enters at once
  await insertEvents(tdb.db, [unlockEvent('ARB-CODEC', 'ARB/USDT', Date.now() + 24 * HOUR)]);
  const config = testConfig({ strategyId: 'webui-codec', name: NAME, capital: { initial: CAPITAL }, timing: { scanInterval: '1h' } });
  const { worker } = await tradingWorker(env, tdb.db, { taskQueue: 'webui-codec', paperMarket: m.market, dataConverter: dataConverterFromEnv(KEYS_ENV) });
  const positionId = positionWorkflowId('webui-codec', 'ARB-CODEC');
  await worker.runUntil(async () => {
    const { workflowId } = await startStrategyWorkflow(client, config, 'webui-codec');
    const position = client.workflow.getHandle(positionId);
    await waitFor('the position to open', () => position.query<PositionView>('positionState'), (v) => v.status === 'OPEN', 60_000);
    // closed by hand: its page then has an input and a result, both sealed
    await position.executeUpdate('exitPosition', { args: [{ reason: 'MANUAL', by: 'webui-codec test' }] });
    expect(((await position.result()) as PositionView).exitReason).toBe('MANUAL');
    await client.workflow.getHandle(workflowId).signal('stopStrategy', {});
    await client.workflow.getHandle(workflowId).result();
  });
  // from here on the UI reads only what the server stored

  // what the server stores as the position's input and result: one payload each, sealed (read raw, without the codec)
  const raw = await client.workflowService.getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId: positionId } });
  const events = raw.history!.events!;
  const sealed = [events[0]!.workflowExecutionStartedEventAttributes!.input!.payloads!, events[events.length - 1]!.workflowExecutionCompletedEventAttributes!.result!.payloads!];
  for (const payloads of sealed) {
    expect(payloads).toHaveLength(1);
    expect(isEncrypted(payloads[0]!)).toBe(true);
    expect(payloadKeyId(payloads[0]!)).toBe('e2e-1');
  }
  const [inputCipher, resultCipher] = sealed.map((p) => Buffer.from(p[0]!.data!).toString('base64')) as [string, string];
  const plaintexts = [NAME, CAPITAL, '"strategyId"', '"exitReason"'];
  /** The position's page (no runId: the UI redirects to the latest run's timeline, with the Input and Result cards), and the UI's first /decode call when a codec endpoint is set. */
  const openPosition = async (ctx: BrowserContext, codecUrl?: string): Promise<{ page: Page; decode?: Response }> => {
    const page = await ctx.newPage();
    const decode = codecUrl ? page.waitForResponse((r) => r.url().startsWith(`${codecUrl}/decode`) && r.request().method() === 'POST', { timeout: 30_000 }) : undefined;
    await page.goto(`${dev.server.uiUrl}/namespaces/default/workflows/${positionId}`, { waitUntil: 'domcontentloaded' });
    return { page, decode: await decode };
  };
  const bodyText = (page: Page) => page.locator('body').innerText();

  // ---- 1. the UI without a codec endpoint: the input is the stored ciphertext, base64, nothing else
  let ctx = await newContext();
  let { page } = await openPosition(ctx);
  await page.getByText(inputCipher.slice(0, 64)).first().waitFor({ timeout: 30_000 });
  let text = await bodyText(page);
  expect(text).toContain(`"${inputCipher}"`);
  expect(text).toContain(`"${resultCipher}"`);
  for (const plain of plaintexts) expect({ plain, shown: text.includes(plain) }).toEqual({ plain, shown: false });
  await page.screenshot({ path: join(ARTIFACTS, 'webui-codec-encrypted.png'), fullPage: true });
  await ctx.close();

  // ---- 2. the codec server (`npm run codec-server`) and the same dev server restarted with --ui-codec-endpoint
  codecServer = await startCodecServerProcess(dev.server.uiUrl);
  await dev.server.stop();
  dev.server = await startDevServer({ ...dev.opts, codecEndpoint: codecServer.url });

  // without the token (the UI sends none: no SSO here) the codec server refuses, the UI says so and still shows ciphertext
  ctx = await newContext();
  let decode: Response | undefined;
  ({ page, decode } = await openPosition(ctx, codecServer.url));
  expect(decode!.status()).toBe(401);
  expect(decode!.request().headers().authorization).toBeUndefined();
  text = await waitFor('the codec error and the ciphertext', () => bodyText(page), (t) => t.includes('Codec Server could not connect') && t.includes(inputCipher), 30_000);
  for (const plain of plaintexts) expect({ plain, shown: text.includes(plain) }).toEqual({ plain, shown: false });
  await page.screenshot({ path: join(ARTIFACTS, 'webui-codec-no-token.png'), fullPage: true });
  await ctx.close();

  // with the token: the Web UI sends a bearer only as an SSO user's access token, so here the test adds
  // the header itself, and only on requests to the codec server's origin (what an authenticating proxy
  // in front of the codec server does for operators); the UI's own requests are left as they are
  ctx = await newContext();
  await ctx.route(`${codecServer.url}/**`, (route) => route.continue({ headers: { ...route.request().headers(), authorization: `Bearer ${TOKEN}` } }));
  ({ page, decode } = await openPosition(ctx, codecServer.url));
  expect(decode!.status()).toBe(200);
  await page.getByText(`"name": "${NAME}"`).first().waitFor({ timeout: 30_000 });
  text = await bodyText(page);
  expect(text).toContain(`"initial": "${CAPITAL}"`);
  expect(text).toContain('"symbol": "ARB/USDT"');
  expect(text).toContain('"exitReason": "MANUAL"');
  for (const cipher of [inputCipher, resultCipher]) expect(text).not.toContain(cipher.slice(0, 64));
  expect(text).not.toContain('Codec Server could not connect');
  const file = join(ARTIFACTS, 'webui-codec-decoded.png');
  await page.screenshot({ path: file, fullPage: true });
  expect(statSync(file).size).toBeGreaterThan(10_000);
  await ctx.close();
  await client.connection.close();
  await nativeConnection.close();
}, 120_000);
