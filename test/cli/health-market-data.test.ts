/**
 * Issue 17, defect 7: `health` said "exchange: paper (no exchange configured)" while the paper prices
 * came from the simulator through ccxt. Now a `market data` row names the MARKET_DATA source and
 * times one real read of it: the synthetic path, the local simulator (in-process, reached through
 * ccxt), a simulator slower than the check's timeout, and a replay file that is not there. Temporal
 * is down here (a dead port): only the exchange and market data rows matter.
 */
import { freshSqliteDb, type TestDb } from '../helpers/db';
import { freePort } from '../helpers/ports';
import { startSimulator, type Simulator } from '../../simulator/server';
import { cli, healthRows, type HealthRow } from './helpers';

let tdb: TestDb;
let sim: Simulator;
const saved = { ...process.env };

beforeAll(async () => {
  [tdb, sim] = await Promise.all([freshSqliteDb(), startSimulator({ port: 0 })]);
  process.env.DATABASE_URL = tdb.url;
  process.env.TEMPORAL_ADDRESS = `127.0.0.1:${await freePort()}`;
  for (const k of ['EXCHANGE_URL_OVERRIDE', 'EXCHANGE_API_KEY', 'MARKET_DATA', 'EXCHANGE_ID', 'EXCHANGE_SANDBOX']) delete process.env[k];
});
afterEach(() => {
  sim.faults.clear();
  for (const k of ['EXCHANGE_URL_OVERRIDE', 'MARKET_DATA']) delete process.env[k];
});
afterAll(async () => {
  process.env = saved;
  await sim?.close();
  await tdb?.close();
});

async function health(): Promise<Record<string, HealthRow>> {
  const { rows, names } = await healthRows(2);
  // in this order (other rows, e.g. price feed and notify ones, may come around them)
  const core = ['temporal', 'database', 'exchange', 'market data', 'workflow pollers', 'activity pollers'];
  expect(names.filter((c) => core.includes(c))).toEqual(core);
  return rows;
}

test('default: the synthetic path, read here', async () => {
  const c = await health();
  expect(c.exchange).toMatchObject({ ok: true, detail: 'paper (no exchange configured)' });
  expect(c['market data']).toMatchObject({ ok: true, latencyMs: expect.any(Number), detail: expect.stringMatching(/^synthetic:42 \(seeded price path, computed here\) · BTC\/USDT \d+(\.\d+)?$/) });
});

test('MARKET_DATA=ccxt through the local simulator: source, URL and the latency of a real read', async () => {
  Object.assign(process.env, { MARKET_DATA: 'ccxt', EXCHANGE_URL_OVERRIDE: sim.url });
  sim.setPrice('BTC/USDT', '61234.5');
  sim.resetStats();
  const c = await health();
  expect(c.exchange).toMatchObject({ ok: true, detail: expect.stringContaining(sim.url) });
  expect(c['market data']).toMatchObject({ ok: true, latencyMs: expect.any(Number), detail: expect.stringMatching(new RegExp(`^ccxt binance @ ${sim.url.replace(/[.]/g, '\\.')} \\(local\\) · BTC/USDT \\d+(\\.\\d+)?$`)) });
  // the price is the simulator's own, read over HTTP
  expect(c['market data']!.detail).toMatch(/ · BTC\/USDT 61234\.5$/);
  expect(Object.keys(sim.stats().requests).filter((k) => k.includes('/api/v3/ticker/24hr'))).not.toHaveLength(0);
  const table = await cli('health', '--timeout', '2');
  expect(table.out).toMatch(/market data\s+ok\s+\d+ ms\s+ccxt binance @ http:\/\/127\.0\.0\.1:\d+ \(local\) · BTC\/USDT/);
}, 60_000);

test('a market data read slower than the timeout, or a source that cannot be built: DOWN, one line, exit 1', async () => {
  Object.assign(process.env, { MARKET_DATA: 'ccxt', EXCHANGE_URL_OVERRIDE: sim.url });
  sim.faults.add({ kind: 'latency', endpoint: '/api/v3/ticker/24hr', latencyMs: 5_000 });
  let c = await health();
  expect(c['market data']).toEqual({ check: 'market data', ok: false, latencyMs: null, detail: expect.stringMatching(/^ccxt binance @ http:\/\/127\.0\.0\.1:\d+ \(local\): market data read of BTC\/USDT: no answer within 2 s$/) });
  const r = await cli('health', '--timeout', '2');
  expect(r.code).toBe(1);
  expect(r.err).toMatch(/^error: unhealthy: .*market data.*\n$/);

  sim.faults.clear();
  process.env.MARKET_DATA = 'replay:/nonexistent/candles.csv';
  c = await health();
  expect(c['market data']).toMatchObject({ ok: false, latencyMs: null, detail: expect.stringMatching(/^replay:\/nonexistent\/candles\.csv: invalid environment: MARKET_DATA: cannot read replay file \/nonexistent\/candles\.csv: ENOENT/) });
  expect(c['market data']!.detail).not.toContain('\n');

  process.env.MARKET_DATA = 'bogus';
  c = await health();
  expect(c['market data']).toMatchObject({ ok: false, detail: 'MARKET_DATA: invalid environment: MARKET_DATA: must be synthetic[:seed] | replay:<file> | ccxt' });
}, 60_000);
