/**
 * Issue 15: `health` reports every venue in use — the default venue (row `exchange`), every venue an
 * EXCHANGE_<ID>_* variable names and every venue a running strategy names — with its reachability,
 * latency and whether its keys are set (variable names only, never a value). A live strategy on a
 * venue without keys, or a venue that does not answer, is DOWN; a bad per-venue variable is one clear
 * line. Temporal is down here (a dead port): only the venue rows matter.
 */
import { freshSqliteDb, type TestDb } from '../helpers/db';
import { freePort } from '../helpers/ports';
import { startSimulator, type Simulator } from '../../simulator/server';
import { cli, healthRows } from './helpers';

let tdb: TestDb;
let sim: Simulator;
let deadUrl: string;
const saved = { ...process.env };
const VENUE_VARS = ['EXCHANGE_URL_OVERRIDE', 'EXCHANGE_API_KEY', 'EXCHANGE_SECRET', 'MARKET_DATA', 'EXCHANGE_ID', 'EXCHANGE_SANDBOX'];
const KRAKEN_SECRET = Buffer.from('health-kraken-secret').toString('base64');

beforeAll(async () => {
  [tdb, sim] = await Promise.all([freshSqliteDb(), startSimulator({ port: 0 })]);
  deadUrl = `http://127.0.0.1:${await freePort()}`;
  process.env.DATABASE_URL = tdb.url;
  process.env.TEMPORAL_ADDRESS = `127.0.0.1:${await freePort()}`;
  for (const k of Object.keys(process.env)) if (VENUE_VARS.includes(k) || /^EXCHANGE_[A-Z0-9]+_/.test(k)) delete process.env[k];
  const strategy = (id: string, venue: string, mode: string) =>
    tdb.db.strategy.create({
      data: { id, strategyType: 'token-unlock', configJson: JSON.stringify({ strategyId: id, exchange: { id: venue } }), mode, state: 'RUNNING', workflowId: `strategy-${id}`, initialCapital: '10000', riskPerTradePct: '1', maxExposurePct: '20', dailyLossPct: '5' },
    });
  await strategy('on-kraken', 'kraken', 'LIVE_MINIMAL');
  await strategy('on-coinbase', 'coinbase', 'PAPER');
});
afterAll(async () => {
  process.env = saved;
  await sim?.close();
  await tdb?.close();
});

const health = () => healthRows(2);

test('every venue in use: default binance and kraken through the simulator with keys, coinbase unreachable; keys named, never shown', async () => {
  Object.assign(process.env, {
    EXCHANGE_URL_OVERRIDE: sim.url,
    EXCHANGE_API_KEY: 'health-binance-key',
    EXCHANGE_SECRET: 'health-binance-secret',
    EXCHANGE_KRAKEN_URL_OVERRIDE: sim.url,
    EXCHANGE_KRAKEN_API_KEY: 'health-kraken-key',
    EXCHANGE_KRAKEN_SECRET: KRAKEN_SECRET,
    EXCHANGE_COINBASE_URL_OVERRIDE: deadUrl,
  });
  sim.resetStats();
  const { rows, names, raw } = await health();
  expect(names).toEqual(['temporal', 'database', 'exchange', 'exchange coinbase', 'exchange kraken', 'market data', 'workflow pollers', 'activity pollers', 'price feed', 'notify']);
  expect(rows.exchange).toMatchObject({ ok: true, latencyMs: expect.any(Number), detail: expect.stringContaining(`binance at ${sim.url}`) });
  expect(rows.exchange!.detail).toContain('keys set (EXCHANGE_API_KEY, EXCHANGE_SECRET)');
  expect(rows['exchange kraken']).toMatchObject({ ok: true, latencyMs: expect.any(Number) });
  expect(rows['exchange kraken']!.detail).toMatch(/^kraken at http:\/\/127\.0\.0\.1:\d+ · clock skew -?\d+ ms · keys set \(EXCHANGE_KRAKEN_API_KEY, EXCHANGE_KRAKEN_SECRET\) · strategies: on-kraken \(live\)$/);
  expect(rows['exchange coinbase']).toMatchObject({ ok: false, latencyMs: null, detail: expect.stringMatching(/^coinbase: /) });
  // both dialects were really asked (Binance's time, Kraken's Time)
  expect(sim.stats().requests['GET /api/v3/time']).toBeGreaterThan(0);
  expect(sim.stats().requests['GET /0/public/Time']).toBeGreaterThan(0);
  for (const secret of ['health-binance-key', 'health-binance-secret', 'health-kraken-key', KRAKEN_SECRET]) expect(raw).not.toContain(secret);
});

test('a live strategy on a venue without keys is DOWN, naming the variables to set', async () => {
  delete process.env.EXCHANGE_KRAKEN_API_KEY;
  delete process.env.EXCHANGE_KRAKEN_SECRET;
  const { rows } = await health();
  expect(rows['exchange kraken']).toMatchObject({ ok: false, latencyMs: expect.any(Number) });
  expect(rows['exchange kraken']!.detail).toContain('no keys (EXCHANGE_KRAKEN_API_KEY, EXCHANGE_KRAKEN_SECRET unset) · strategies: on-kraken (live)');
});

test('a per-venue variable naming no ccxt exchange: one clear line', async () => {
  process.env.EXCHANGE_KRAKENN_API_KEY = 'x';
  try {
    const { rows } = await health();
    expect(rows.exchange).toMatchObject({ ok: false, detail: 'invalid environment: EXCHANGE_KRAKENN_API_KEY: "krakenn" is not a ccxt exchange id' });
  } finally {
    delete process.env.EXCHANGE_KRAKENN_API_KEY;
  }
});
