/**
 * `data ohlcv` against the local Binance simulator's klines endpoint (ccxt re-hosted through
 * EXCHANGE_URL_OVERRIDE, not mocked): paginated (more candles than one page), the CSV reads back
 * through replay.ts's parser, re-running fetches nothing, and an interrupted file is completed to
 * exactly what a full download gives.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type Simulator } from '../../simulator/server';
import { parseOhlcvFile } from '../../exchange/market-data/replay';
import { cli } from '../cli/helpers';

let sim: Simulator;
const saved = { url: process.env.EXCHANGE_URL_OVERRIDE, rate: process.env.EXCHANGE_RATE_LIMIT_MS };
beforeAll(async () => {
  sim = await startSimulator({ port: 0, seed: 5 });
  process.env.EXCHANGE_URL_OVERRIDE = sim.url;
  process.env.EXCHANGE_RATE_LIMIT_MS = '1';
});
afterAll(async () => {
  process.env.EXCHANGE_URL_OVERRIDE = saved.url;
  process.env.EXCHANGE_RATE_LIMIT_MS = saved.rate;
  if (saved.url === undefined) delete process.env.EXCHANGE_URL_OVERRIDE;
  if (saved.rate === undefined) delete process.env.EXCHANGE_RATE_LIMIT_MS;
  await sim?.close();
});

test('downloads paginated, reads back, resumes without duplicates', async () => {
  const out = mkdtempSync(join(tmpdir(), 'ohlcv-'));
  const until = Math.floor(Date.now() / 60_000) * 60_000 - 60 * 60_000;
  const since = until - 2500 * 60_000; // 2500 one-minute candles: three pages of at most 1000
  const args = ['data', 'ohlcv', '--exchange', 'binance', '--symbols', 'ARB/USDT,OP/USDT', '--timeframe', '1m', '--since', new Date(since).toISOString(), '--until', new Date(until).toISOString(), '--out', out, '--json'];

  const first = await cli(...args);
  expect(first.code).toBe(0);
  const report = JSON.parse(first.out) as Array<{ symbol: string; added: number; requests: number }>;
  expect(report.map((r) => [r.symbol, r.added])).toEqual([
    ['ARB/USDT', 2500],
    ['OP/USDT', 2500],
  ]);
  expect(report.every((r) => r.requests >= 3)).toBe(true);
  const file = join(out, 'ARB_USDT.csv');
  const full = readFileSync(file, 'utf8');
  const candles = parseOhlcvFile(full, file);
  expect(candles).toHaveLength(2500);
  expect(candles[0]!.timestamp).toBe(since);
  candles.forEach((c, i) => expect(c.timestamp).toBe(since + i * 60_000));

  // re-run: nothing missing, nothing fetched into the file
  const again = JSON.parse((await cli(...args)).out) as Array<{ added: number; kept: number }>;
  expect(again.map((r) => [r.kept, r.added])).toEqual([
    [2500, 0],
    [2500, 0],
  ]);
  expect(readFileSync(file, 'utf8')).toBe(full);

  // an interrupted download (the last 700 rows missing) is completed to the same file
  const lines = full.trimEnd().split('\n');
  writeFileSync(file, lines.slice(0, lines.length - 700).join('\n') + '\n');
  const resumed = JSON.parse((await cli(...args)).out) as Array<{ symbol: string; added: number }>;
  expect(resumed.find((r) => r.symbol === 'ARB/USDT')!.added).toBe(700);
  expect(readFileSync(file, 'utf8')).toBe(full);
}, 60_000);
