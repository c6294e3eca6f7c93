/**
 * `health` rows for the price feed (PRICE_FEED poll / stream, the stream's reachability timed to its
 * first trade) and the notifier (one row per channel: configured here or seen in the outbox, the last
 * delivery's state and age, pending / sending / failed counts; never a URL or token). Temporal is down
 * here (a dead port): only these rows matter.
 */
import { freshSqliteDb, type TestDb } from '../helpers/db';
import { freePort } from '../helpers/ports';
import { startSimulator, type Simulator } from '../../simulator/server';
import { createPersistenceActivities } from '../../activities/persistence';
import { claimBatch, markFailed, markSent } from '../../activities/notify/outbox';
import { loadNotifySettings } from '../../config/notify';
import { cli, healthRows } from './helpers';

const TOKEN = `123456789:AAsecret${'z'.repeat(24)}`;
const SLACK = 'https://hooks.slack.com/services/T000/B000/slacksecretpath';
let tdb: TestDb;
let sim: Simulator;
const saved = { ...process.env };
const VARS = ['EXCHANGE_URL_OVERRIDE', 'EXCHANGE_API_KEY', 'MARKET_DATA', 'EXCHANGE_ID', 'EXCHANGE_SANDBOX', 'PRICE_FEED'];

beforeAll(async () => {
  [tdb, sim] = await Promise.all([freshSqliteDb(), startSimulator({ port: 0 })]);
  process.env.DATABASE_URL = tdb.url;
  process.env.TEMPORAL_ADDRESS = `127.0.0.1:${await freePort()}`;
  for (const k of [...VARS, ...Object.keys(process.env).filter((k) => k.startsWith('UNLOCK_TRADER_NOTIFY_'))]) delete process.env[k];
});
afterEach(() => {
  for (const k of [...VARS, ...Object.keys(process.env).filter((k) => k.startsWith('UNLOCK_TRADER_NOTIFY_'))]) delete process.env[k];
});
afterAll(async () => {
  process.env = saved;
  await sim?.close();
  await tdb?.close();
});

const health = () => healthRows(3);

test('price feed: poll by default; stream reachable with its endpoint and latency; a dropped stream or a bad value is DOWN, one line', async () => {
  let h = await health();
  expect(h.rows['price feed']).toEqual({ check: 'price feed', ok: true, latencyMs: null, detail: 'poll: one ticker read per symbol every priceCheckInterval (binance; PRICE_FEED=stream to subscribe)' });

  Object.assign(process.env, { PRICE_FEED: 'stream', EXCHANGE_URL_OVERRIDE: sim.url });
  const ws = sim.url.replace(/^http/, 'ws');
  h = await health();
  expect(h.rows['price feed']).toMatchObject({ ok: true, latencyMs: expect.any(Number), detail: `stream: binance ${ws}/ws reachable (first trade of BTC/USDT)` });
  expect(sim.stream.stats().subscribes['btcusdt@trade']).toBeGreaterThanOrEqual(1);

  sim.stream.drop(30);
  h = await health();
  expect(h.rows['price feed']).toMatchObject({ ok: false, latencyMs: null, detail: expect.stringMatching(new RegExp(`^stream: binance ${ws}/ws: .+ \\(watchers fall back to polling\\)$`)) });
  const r = await cli('health', '--timeout', '3');
  expect(r.code).toBe(1);
  expect(r.err).toMatch(/^error: unhealthy: .*price feed.*\n$/);
  expect(r.out).toMatch(/price feed\s+DOWN\s+-\s+stream: binance ws:\/\/127\.0\.0\.1:\d+\/ws: /);

  process.env.PRICE_FEED = 'websocket';
  h = await health();
  expect(h.rows['price feed']).toEqual({ check: 'price feed', ok: false, latencyMs: null, detail: 'invalid environment: PRICE_FEED: "websocket" is not poll or stream' });
}, 90_000);

test('notifier: nothing configured is one quiet row; then one row per channel with last state, age and counts, no secret', async () => {
  let h = await health();
  expect(h.rows.notify).toMatchObject({ ok: true, detail: expect.stringMatching(/^no channel configured/) });

  const env = { UNLOCK_TRADER_NOTIFY_SLACK_URL: SLACK, UNLOCK_TRADER_NOTIFY_TELEGRAM_BOT_TOKEN: TOKEN, UNLOCK_TRADER_NOTIFY_TELEGRAM_CHAT_ID: '-100777', UNLOCK_TRADER_NOTIFY_TELEGRAM_MIN_SEVERITY: 'critical' };
  const settings = loadNotifySettings(env);
  const p = createPersistenceActivities({ db: tdb.db, notify: settings, log: () => undefined });
  const pacing = { batchWindowMs: 0, batchMaxWaitMs: 0, minIntervalMs: 0 };
  // slack: one sent, then one refused for good; telegram: one sent, one pending
  await p.raiseAlert({ id: 'h-1', strategyId: 'hn', severity: 'critical', kind: 'TEST', message: 'one' });
  for (const ch of ['slack', 'telegram']) {
    const c = await claimBatch(tdb.db, ch, pacing);
    if (c.kind !== 'batch') throw new Error('expected a batch');
    await markSent(tdb.db, c.batchId, 1);
  }
  await p.raiseAlert({ id: 'h-2', strategyId: 'hn', severity: 'error', kind: 'TEST', message: 'two' });
  const c2 = await claimBatch(tdb.db, 'slack', pacing);
  if (c2.kind !== 'batch') throw new Error('expected a batch');
  await markFailed(tdb.db, c2.batchId, 1, 'slack: HTTP 404: no_service');
  await p.raiseAlert({ id: 'h-3', strategyId: 'hn', severity: 'critical', kind: 'TEST', message: 'three' });
  await tdb.db.alertDelivery.update({ where: { id: 'h-3|slack' }, data: { status: 'SENT', sentAt: new Date() } });

  Object.assign(process.env, env);
  h = await health();
  expect(h.names.filter((n) => n.startsWith('notify'))).toEqual(['notify slack', 'notify telegram']);
  expect(h.rows['notify telegram']).toMatchObject({ ok: true, latencyMs: expect.any(Number), detail: expect.stringMatching(/^configured here \(>= critical\) · last PENDING \d+ s ago · 1 pending, 0 sending, 0 failed$/) });
  expect(h.rows['notify slack']).toMatchObject({ ok: false, detail: expect.stringMatching(/^configured here \(>= warning\) · last SENT \d+ s ago · 0 pending, 0 sending, 1 failed · last message refused for good: slack: HTTP 404: no_service$/) });

  // a delivery waiting 10 minutes: the channel is stuck; a channel only the worker configures still shows
  await tdb.db.alertDelivery.update({ where: { id: 'h-3|telegram' }, data: { createdAt: new Date(Date.now() - 10 * 60_000) } });
  delete process.env.UNLOCK_TRADER_NOTIFY_TELEGRAM_BOT_TOKEN;
  delete process.env.UNLOCK_TRADER_NOTIFY_TELEGRAM_CHAT_ID;
  delete process.env.UNLOCK_TRADER_NOTIFY_TELEGRAM_MIN_SEVERITY;
  h = await health();
  expect(h.rows['notify telegram']).toMatchObject({ ok: false, detail: expect.stringMatching(/^not configured in this environment \(the worker's decides\) · last SENT \d+ s ago · 1 pending.* · oldest unsent waits 10 min: is a worker with this channel running\?$/) });
  for (const secret of [TOKEN, TOKEN.split(':')[1]!, 'slacksecretpath', 'hooks.slack.com']) expect(h.raw).not.toContain(secret);

  // a bad setting: one DOWN row naming the variable, not its value
  process.env.UNLOCK_TRADER_NOTIFY_TELEGRAM_BOT_TOKEN = TOKEN;
  h = await health();
  expect(h.rows.notify).toEqual({ check: 'notify', ok: false, latencyMs: null, detail: 'invalid environment: UNLOCK_TRADER_NOTIFY_TELEGRAM_CHAT_ID: is required when UNLOCK_TRADER_NOTIFY_TELEGRAM_BOT_TOKEN is set' });
  expect(h.raw).not.toContain(TOKEN.split(':')[1]!);
}, 90_000);
