/**
 * Streaming prices (issue 15): the price watcher over the simulator's Binance trade stream through
 * ccxt.pro — one subscription per symbol shared by every watcher, polling only while the stream is down,
 * and a level crossed and recrossed while the socket was dropped still reported (the gap check's candles).
 */
import { startSimulator, type Simulator } from '../../simulator/server';
import { CcxtGateway } from '../../exchange/ccxt-gateway';
import { CcxtMarketData } from '../../exchange/market-data/ccxt';
import { ccxtTradeStream, loadPriceFeed } from '../../exchange/market-data/ccxt-stream';
import type { WaitContext } from '../../exchange/market-data/common';
import { waitFor } from '../helpers/wait';

jest.setTimeout(90_000);

let sim: Simulator;
let gw: CcxtGateway;
const sources: CcxtMarketData[] = [];
beforeAll(async () => {
  sim = await startSimulator({ port: 0, seed: 5, matchIntervalMs: 0 });
  gw = new CcxtGateway({ urlOverride: sim.url, rateLimitMs: 1, timeoutMs: 5000 });
});
afterAll(async () => {
  for (const s of sources) await s.close();
  await gw?.close();
  await sim?.close();
});

function streamingSource(): CcxtMarketData {
  const md = new CcxtMarketData(gw.exchange, { stream: ccxtTradeStream({ exchangeId: 'binance', urlOverride: sim.url, timeoutMs: 5000 }), reconnectBaseMs: 100, reconnectMaxMs: 1000 });
  sources.push(md);
  return md;
}

const ctx = (pollMs: number, beats?: { n: number }): WaitContext => ({ heartbeat: () => void (beats && beats.n++), signal: new AbortController().signal, pollMs });

test('many watchers on one symbol: ONE stream subscription; the crossing comes from the stream, not a poll', async () => {
  sim.setPrice('ARB/USDT', '0.8');
  const md = streamingSource();
  const beats = { n: 0 };
  const until = Date.now() + 60_000;
  // a poll interval far longer than the test: only the stream can report the move in time
  const watchers = Array.from({ length: 20 }, () => md.firstCrossing({ symbol: 'ARB/USDT', below: '0.75', above: '0.9', from: Date.now(), until }, ctx(120_000, beats)));
  await waitFor('stream up', () => md.cache.streamStats('ARB/USDT')?.up === true, (v) => v, 20_000);
  expect(sim.stream.stats().subscribes['arbusdt@trade']).toBe(1);
  expect(sim.stream.stats().connections).toBe(1);
  const pollsBefore = md.cache.pollCount('ARB/USDT');
  const movedAt = Date.now();
  sim.setPrice('ARB/USDT', '0.74');
  const results = await Promise.all(watchers);
  expect(results.every((r) => r?.side === 'below' && r.price === '0.74')).toBe(true);
  expect(results[0]!.at).toBeGreaterThanOrEqual(movedAt);
  expect(md.cache.pollCount('ARB/USDT')).toBe(pollsBefore);
  expect(beats.n).toBeGreaterThan(0);
  expect(sim.stream.stats().subscribes['arbusdt@trade']).toBe(1);
});

test('socket dropped for 10 s while the price crosses the stop and comes back: the gap check reports the crossing, at the level and its time', async () => {
  sim.setPrice('OP/USDT', '1.5');
  const md = streamingSource();
  const until = Date.now() + 80_000;
  const watch = md.firstCrossing({ symbol: 'OP/USDT', below: '1.4', above: '1.8', from: Date.now(), until }, ctx(120_000));
  await waitFor('stream up', () => md.cache.streamStats('OP/USDT')?.up === true, (v) => v, 20_000);
  sim.stream.drop(10);
  await waitFor('stream down', () => md.cache.streamStats('OP/USDT')?.up === false, (v) => v, 10_000);
  await new Promise((r) => setTimeout(r, 1500));
  // a step down at crossedAt (the simulator's path runs straight between its points)
  const crossedAt = Date.now();
  sim.script('OP/USDT', [{ t: crossedAt - 60_000, price: '1.5' }, { t: crossedAt, price: '1.5' }, { t: crossedAt + 1, price: '1.35' }]);
  await new Promise((r) => setTimeout(r, 2000));
  sim.setPrice('OP/USDT', '1.55');
  const c = await watch;
  expect(c).toMatchObject({ side: 'below', price: '1.4' });
  // the 1-second candle of the crossing
  expect(c!.at).toBeGreaterThanOrEqual(Math.floor(crossedAt / 1000) * 1000);
  expect(c!.at).toBeLessThanOrEqual(crossedAt + 1000);
  const stats = md.cache.streamStats('OP/USDT')!;
  expect(stats.drops).toBe(1);
  expect(stats.gapChecks).toBe(1);
  expect(stats.gapCandles).toBeGreaterThan(0);
  // the polling fallback (one poll at the drop, next one in 120 s) never saw 1.35
  expect(md.cache.pollCount('OP/USDT')).toBeLessThanOrEqual(3);
});

test('while the stream is down the feed polls at priceCheckInterval, and stops polling when it is back', async () => {
  sim.setPrice('APT/USDT', '8');
  const md = streamingSource();
  const until = Date.now() + 60_000;
  const ac = new AbortController();
  const watch = md.firstCrossing({ symbol: 'APT/USDT', below: '7', from: Date.now(), until }, { heartbeat() {}, signal: ac.signal, pollMs: 200 });
  // a second position on the symbol, with a stop far away: it keeps the feed after the first one exits
  const other = md.firstCrossing({ symbol: 'APT/USDT', below: '1', from: Date.now(), until }, { heartbeat() {}, signal: ac.signal, pollMs: 200 });
  await waitFor('stream up', () => md.cache.streamStats('APT/USDT')?.up === true, (v) => v, 20_000);
  const p0 = md.cache.pollCount('APT/USDT');
  sim.stream.drop(4);
  await waitFor('stream down', () => md.cache.streamStats('APT/USDT')?.up === false, (v) => v, 10_000);
  await new Promise((r) => setTimeout(r, 1500));
  expect(md.cache.pollCount('APT/USDT') - p0).toBeGreaterThanOrEqual(4);
  // a crossing during the outage is seen by the fallback poll
  sim.setPrice('APT/USDT', '6.9');
  expect(await watch).toMatchObject({ side: 'below', price: '6.9' });
  expect(md.cache.streamStats('APT/USDT')?.up).toBe(false);
  sim.setPrice('APT/USDT', '8');
  await waitFor('stream back', () => md.cache.streamStats('APT/USDT'), (v) => v?.up === true, 20_000);
  const p1 = md.cache.pollCount('APT/USDT');
  await new Promise((r) => setTimeout(r, 1000));
  expect(md.cache.pollCount('APT/USDT')).toBe(p1);
  ac.abort();
  await expect(other).rejects.toThrow();
});

test('PRICE_FEED: poll by default; a bad value and a venue without a trade stream are one-line errors', () => {
  expect(loadPriceFeed({}, 'binance')).toBe('poll');
  expect(loadPriceFeed({ PRICE_FEED: 'stream' }, 'binance')).toBe('stream');
  expect(() => loadPriceFeed({ PRICE_FEED: 'websocket' }, 'binance')).toThrow('invalid environment: PRICE_FEED: "websocket" is not poll or stream');
  expect(() => loadPriceFeed({ PRICE_FEED: 'stream' }, 'bit2c')).toThrow(/^invalid environment: PRICE_FEED=stream: ccxt.pro has no trade stream \(watchTrades\) for bit2c; use PRICE_FEED=poll$/);
});
