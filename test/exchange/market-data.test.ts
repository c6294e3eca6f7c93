/**
 * Market data sources: scripted / synthetic price paths (time-indexed, crossing found by scanning),
 * OHLCV replay (zod-validated, line-numbered errors, crossings from candle low/high), and the ccxt
 * source's shared per-symbol price cache (one poll per symbol for N waiters).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CcxtMarketData,
  noopWaitContext,
  PricePathMarketData,
  ReplayMarketData,
  parseOhlcvFile,
  type PublicExchange,
} from '../../exchange/market-data';
import { ScriptedPricePath, SyntheticPricePath } from '../../exchange/market-data/price-path';
import { CcxtGateway } from '../../exchange/ccxt-gateway';
import { ccxtPrecision } from '../../exchange/market-data/ccxt';
import { startSimulator } from '../../simulator';

const H = 3_600_000;
const T0 = Date.UTC(2026, 2, 1);

describe('PricePathMarketData', () => {
  test('scripted stop crossing is found at the scripted time, instantly', async () => {
    const path = new ScriptedPricePath({ 'ARB/USDT': [{ t: T0, price: 1 }] }).stepPct('ARB/USDT', T0 + 30 * H, -4);
    const md = new PricePathMarketData({ path });
    const t = Date.now();
    const c = await md.firstCrossing({ symbol: 'ARB/USDT', below: '0.97', above: '1.05', from: T0 + H, until: T0 + 72 * H }, noopWaitContext());
    expect(Date.now() - t).toBeLessThan(2000);
    expect(c).not.toBeNull();
    expect(c!.side).toBe('below');
    expect(c!.at).toBeGreaterThanOrEqual(T0 + 30 * H);
    expect(c!.at).toBeLessThanOrEqual(T0 + 30 * H + 1);
    expect(Number(c!.price)).toBeLessThanOrEqual(0.97);
    // the snapshot at the crossing time agrees with the crossing
    const snap = await md.snapshot('ARB/USDT', c!.at);
    expect(Number(snap.last)).toBeLessThanOrEqual(0.97);
    expect(Number((await md.snapshot('ARB/USDT', c!.at - 2)).last)).toBeGreaterThan(0.97);
  });

  test('scripted ramp: the target crossing lands where the line reaches the level; none → null', async () => {
    const path = new ScriptedPricePath({ 'OP/USDT': [{ t: T0, price: 1.6 }, { t: T0 + 10 * H, price: 1.6 }, { t: T0 + 20 * H, price: 1.76 }] });
    const md = new PricePathMarketData({ path });
    const c = await md.firstCrossing({ symbol: 'OP/USDT', below: '1.5', above: '1.68', from: T0, until: T0 + 48 * H }, noopWaitContext());
    expect(c?.side).toBe('above');
    // 1.68 is half way up the ramp: T0 + 15 h (± one price tick of 0.001 ≈ 0.0625 h)
    expect(Math.abs(c!.at - (T0 + 15 * H))).toBeLessThan(0.07 * H);
    expect(await md.firstCrossing({ symbol: 'OP/USDT', below: '1.5', above: '1.68', from: T0, until: T0 + 12 * H }, noopWaitContext())).toBeNull();
    // already crossed at `from`
    const now = await md.firstCrossing({ symbol: 'OP/USDT', above: '1.6', from: T0, until: T0 + H }, noopWaitContext());
    expect(now).toMatchObject({ side: 'above', at: T0 });
    expect(Number(now!.price)).toBe(1.6);
  });

  test('synthetic path: deterministic snapshots with volume and 7d change; crossing is the first one', async () => {
    const a = new PricePathMarketData({ path: new SyntheticPricePath({ seed: 7 }) });
    const b = new PricePathMarketData({ path: new SyntheticPricePath({ seed: 7 }) });
    const s1 = await a.snapshot('ARB/USDT', T0);
    expect(await b.snapshot('ARB/USDT', T0)).toEqual(s1);
    expect(Number(s1.bid)).toBeLessThan(Number(s1.ask));
    expect(Number(s1.volume24hQuote)).toBeGreaterThan(0);
    expect(s1.change7dPct).toMatch(/^-?\d+(\.\d+)?$/);
    const ob = await a.orderBook('ARB/USDT', T0, 5);
    expect(ob.bids).toHaveLength(5);
    expect(Number(ob.bids[0]!.price)).toBeGreaterThan(Number(ob.bids[1]!.price));
    expect(Number(ob.asks[0]!.price)).toBeLessThan(Number(ob.asks[1]!.price));

    const p0 = Number(s1.last);
    const below = (p0 * 0.98).toFixed(4);
    const above = (p0 * 1.02).toFixed(4);
    const c = await a.firstCrossing({ symbol: 'ARB/USDT', below, above, from: T0, until: T0 + 30 * 24 * H }, noopWaitContext());
    expect(c).not.toBeNull();
    const inside = (t: number) => Number(a.path.priceAt('ARB/USDT', t)) > Number(below) && Number(a.path.priceAt('ARB/USDT', t)) < Number(above);
    expect(inside(c!.at)).toBe(false);
    expect(inside(c!.at - 1)).toBe(true);
    // no earlier crossing on a fine grid before it
    let earlier: number | undefined;
    for (let t = T0; t < c!.at - 1000 && earlier === undefined; t += 10_000) if (!inside(t)) earlier = t;
    expect(earlier).toBeUndefined();

    const candles = await a.ohlcv('ARB/USDT', '1h', T0, 3);
    expect(candles.map((x) => x.timestamp)).toEqual([T0, T0 + H, T0 + 2 * H]);
    for (const k of candles) expect(Number(k.high)).toBeGreaterThanOrEqual(Number(k.low));
  });
});

describe('ReplayMarketData', () => {
  const dir = mkdtempSync(join(tmpdir(), 'replay-'));
  const csv = [
    'timestamp,open,high,low,close,volume',
    `${T0},1.00,1.02,0.99,1.01,100000`,
    `${T0 + H},1.01,1.03,1.00,1.02,100000`,
    `${T0 + 2 * H},1.02,1.02,0.95,0.96,300000`,
    `${T0 + 3 * H},0.96,1.10,0.96,1.08,300000`,
  ].join('\n');

  test('CSV: the stop is crossed inside the candle whose low reaches it, at the level', async () => {
    const f = join(dir, 'ok.csv');
    writeFileSync(f, csv);
    const md = ReplayMarketData.fromFile(f, { symbol: 'ARB/USDT' });
    expect(md.timeIndexed).toBe(true);
    const c = await md.firstCrossing({ symbol: 'ARB/USDT', below: '0.97', above: '1.05', from: T0, until: T0 + 4 * H }, noopWaitContext());
    expect(c?.side).toBe('below');
    expect(c!.price).toBe('0.97');
    expect(c!.at).toBeGreaterThan(T0 + 2 * H);
    expect(c!.at).toBeLessThan(T0 + 3 * H);
    expect(Number((await md.snapshot('ARB/USDT', c!.at)).last)).toBeLessThanOrEqual(0.97);
    // target later: from after the stop candle, the 4th candle's high reaches 1.05
    const t = await md.firstCrossing({ symbol: 'ARB/USDT', above: '1.05', from: T0 + 3 * H, until: T0 + 4 * H }, noopWaitContext());
    expect(t?.side).toBe('above');
    expect(t!.at).toBeGreaterThan(T0 + 3 * H);
    // no crossing within the first two candles
    expect(await md.firstCrossing({ symbol: 'ARB/USDT', below: '0.97', above: '1.05', from: T0, until: T0 + 2 * H - 1 }, noopWaitContext())).toBeNull();
    const snap = await md.snapshot('ARB/USDT', T0 + 2 * H);
    expect(snap.last).toBe('1.02');
    expect(Number(snap.volume24hQuote)).toBeGreaterThan(0);
    expect(await md.ohlcv('ARB/USDT', '1h')).toHaveLength(4);
  });

  test('a bad row is reported with its line number; JSON items with their index', () => {
    const bad = csv.split('\n');
    bad[3] = `${T0 + 2 * H},1.02,0.90,0.95,0.96,300000`; // high below low
    const f = join(dir, 'bad.csv');
    writeFileSync(f, '# recorded candles\n' + bad.join('\n'));
    expect(() => ReplayMarketData.fromFile(f)).toThrow(/bad\.csv line 5: high: high 0.90 is below/);
    expect(() => parseOhlcvFile('timestamp,open,high,low,close,volume\n1,1,1,1,abc,1\n', 'x.csv')).toThrow(/x\.csv line 2: close: close must be a non-negative decimal/);
    expect(() => parseOhlcvFile('timestamp,open,high,low,close\n', 'y.csv')).toThrow(/y\.csv line 1: header lacks column "volume"/);
    expect(() => parseOhlcvFile(`timestamp,open,high,low,close,volume\n${T0},1,1,1,1,1\n${T0},1,1,1,1,1\n`, 'z.csv')).toThrow(/z\.csv line 3: timestamp .* is not after the previous row \(line 2\)/);
    expect(() => parseOhlcvFile(JSON.stringify({ 'ARB/USDT': [[T0, 1, 1.1, 0.9, 1, 10], [T0 + H, 1, 1.1, 0.9, 'x', 10]] }), 'c.json')).toThrow(/c\.json "ARB\/USDT" item 1: close/);
    const ok = parseOhlcvFile(JSON.stringify([{ timestamp: new Date(T0).toISOString(), open: 1, high: 2, low: 0.5, close: 1.5, volume: 3, symbol: 'OP/USDT' }]), 'd.json');
    expect(ok[0]).toMatchObject({ timestamp: T0, open: '1', high: '2', symbol: 'OP/USDT' });
  });
});

/** a fake public exchange counting ticker calls per symbol */
function fakeExchange(prices: Record<string, number>) {
  const calls: Record<string, number> = {};
  const ex: PublicExchange = {
    id: 'fake',
    async fetchTicker(symbol: string) {
      calls[symbol] = (calls[symbol] ?? 0) + 1;
      await new Promise((r) => setTimeout(r, 2));
      const p = prices[symbol]!;
      return { bid: p * 0.999, ask: p * 1.001, last: p, quoteVolume: 1e6, timestamp: Date.now() };
    },
    async fetchOrderBook() {
      return { bids: [[1, 1]], asks: [[1.1, 1]] };
    },
    async fetchOHLCV() {
      return [
        [0, 1, 1, 1, 1, 1],
        [1, 1, 1, 1, 1.1, 1],
      ];
    },
  };
  return { ex, calls, prices };
}

describe('CcxtMarketData (real time, shared price cache)', () => {
  test('N waiters on a symbol share ONE poll per interval; each heartbeats and resolves on the crossing', async () => {
    const { ex, calls, prices } = fakeExchange({ 'ARB/USDT': 1, 'OP/USDT': 2 });
    const md = new CcxtMarketData(ex);
    let beats = 0;
    const ctx = () => ({ heartbeat: () => void beats++, signal: new AbortController().signal, pollMs: 20 });
    const until = Date.now() + 10_000;
    const started = Date.now();
    const arb = Array.from({ length: 25 }, () => md.firstCrossing({ symbol: 'ARB/USDT', below: '0.9', above: '1.2', from: Date.now(), until }, ctx()));
    const op = Array.from({ length: 15 }, () => md.firstCrossing({ symbol: 'OP/USDT', above: '2.5', from: Date.now(), until }, ctx()));
    await new Promise((r) => setTimeout(r, 250));
    prices['ARB/USDT'] = 0.85;
    prices['OP/USDT'] = 2.6;
    const results = await Promise.all([...arb, ...op]);
    const elapsed = Date.now() - started;
    expect(results.slice(0, 25).every((r) => r?.side === 'below' && r.price === '0.85')).toBe(true);
    expect(results.slice(25).every((r) => r?.side === 'above' && r.price === '2.6')).toBe(true);
    const maxPolls = Math.ceil(elapsed / 20) + 2;
    expect(calls['ARB/USDT']).toBeLessThanOrEqual(maxPolls);
    expect(calls['OP/USDT']).toBeLessThanOrEqual(maxPolls);
    expect(md.cache.pollCount('ARB/USDT')).toBe(calls['ARB/USDT']);
    // 40 waiters × ~12 polls would be ~480 calls if each waiter polled
    expect(calls['ARB/USDT']! + calls['OP/USDT']!).toBeLessThan(2 * maxPolls + 1);
    expect(beats).toBeGreaterThanOrEqual(40 * 5);
    // the loop stops when nobody listens
    const n = calls['ARB/USDT']!;
    await new Promise((r) => setTimeout(r, 100));
    expect(calls['ARB/USDT']).toBe(n);
    await md.close();
  });

  test('identical requests in flight share one call (single flight); nothing is cached after the answer', async () => {
    const { ex, calls } = fakeExchange({ 'ARB/USDT': 1, 'OP/USDT': 2 });
    let books = 0;
    const fetchOrderBook = ex.fetchOrderBook.bind(ex);
    ex.fetchOrderBook = async (symbol: string, limit?: number) => (books++, await new Promise((r) => setTimeout(r, 2)), fetchOrderBook(symbol, limit));
    const md = new CcxtMarketData(ex);
    // a burst: 30 snapshots and 30 books on two symbols, all at once (an emergency batch pricing its exits)
    const burst = await Promise.all([
      ...Array.from({ length: 30 }, (_, i) => md.snapshot(i % 2 ? 'ARB/USDT' : 'OP/USDT')),
      ...Array.from({ length: 30 }, (_, i) => md.orderBook(i % 2 ? 'ARB/USDT' : 'OP/USDT')),
    ]);
    expect(burst).toHaveLength(60);
    expect(calls).toEqual({ 'ARB/USDT': 1, 'OP/USDT': 1 });
    expect(books).toBe(2);
    expect(burst.slice(0, 30).every((x) => 'last' in x && x.last === (x.symbol === 'ARB/USDT' ? '1' : '2'))).toBe(true);
    // the next request after the answer goes to the venue again
    await md.snapshot('ARB/USDT');
    await md.orderBook('ARB/USDT');
    expect(calls['ARB/USDT']).toBe(2);
    expect(books).toBe(3);
    await md.close();
  });

  test('null when `until` passes; rejects when aborted', async () => {
    const { ex } = fakeExchange({ 'ARB/USDT': 1 });
    const md = new CcxtMarketData(ex);
    const r = await md.firstCrossing({ symbol: 'ARB/USDT', below: '0.5', from: Date.now(), until: Date.now() + 120 }, noopWaitContext(20));
    expect(r).toBeNull();
    const ac = new AbortController();
    const p = md.firstCrossing({ symbol: 'ARB/USDT', below: '0.5', from: Date.now(), until: Date.now() + 60_000 }, { heartbeat() {}, signal: ac.signal, pollMs: 20 });
    setTimeout(() => ac.abort(), 50);
    await expect(p).rejects.toThrow();
    expect(md.cache.listenerCount('ARB/USDT')).toBe(0);
    await md.close();
  });

  test('against the simulator through ccxt: snapshot with volume and 7d change, one ticker poll per interval for 10 waiters', async () => {
    const sim = await startSimulator({ port: 0, seed: 3, matchIntervalMs: 0 });
    const gw = new CcxtGateway({ urlOverride: sim.url, rateLimitMs: 1, timeoutMs: 3000 });
    const md = new CcxtMarketData(gw.exchange);
    try {
      sim.setPrice('ARB/USDT', 0.8);
      const s = await md.snapshot('ARB/USDT');
      expect(Number(s.last)).toBeCloseTo(0.8, 3);
      expect(Number(s.volume24hQuote)).toBeGreaterThan(0);
      expect(s.change7dPct).toMatch(/^-?\d+(\.\d+)?$/);
      const ob = await md.orderBook('ARB/USDT', undefined, 5);
      expect(Number(ob.bids[0]!.price)).toBeLessThan(Number(ob.asks[0]!.price));

      sim.resetStats();
      const ctx = () => ({ heartbeat() {}, signal: new AbortController().signal, pollMs: 50 });
      const started = Date.now();
      const waits = Array.from({ length: 10 }, () => md.firstCrossing({ symbol: 'ARB/USDT', below: '0.7', from: Date.now(), until: Date.now() + 20_000 }, ctx()));
      await new Promise((r) => setTimeout(r, 300));
      sim.setPrice('ARB/USDT', 0.65);
      const rs = await Promise.all(waits);
      expect(rs.every((r) => r?.side === 'below')).toBe(true);
      const tickerCalls = Object.entries(sim.stats().requests)
        .filter(([k]) => k.includes('/ticker'))
        .reduce((a, [, v]) => a + v, 0);
      expect(tickerCalls).toBeLessThanOrEqual(Math.ceil((Date.now() - started) / 50) + 2);
    } finally {
      await md.close();
      await sim.close();
    }
  });
});

describe('market precision (issue 17)', () => {
  const fallback = { tickSize: '0.001', stepSize: '0.01', minAmount: '0.01', minNotional: '5' };
  test('ccxt TICK_SIZE mode: the precision values are the steps; limits give the minimums', () => {
    expect(ccxtPrecision({ precision: { price: 0.01, amount: 1e-8 }, limits: { amount: { min: 1e-8 }, cost: { min: 10 } } }, 4, fallback)).toEqual({
      tickSize: '0.01',
      stepSize: '0.00000001',
      minAmount: '0.00000001',
      minNotional: '10',
    });
  });
  test('ccxt DECIMAL_PLACES mode: digit counts become steps; missing values and significant-digit mode fall back', () => {
    expect(ccxtPrecision({ precision: { price: 2, amount: 5 } }, 2, fallback)).toEqual({ tickSize: '0.01', stepSize: '0.00001' });
    expect(ccxtPrecision({ precision: { price: 4 } }, 3, fallback)).toEqual({ tickSize: '0.001', stepSize: '0.01' });
  });
  test('time-indexed sources: the defaults table, the synthetic book overrides, the replay file\'s decimals', async () => {
    expect(await new PricePathMarketData().precision('ARB/USDT')).toEqual({ tickSize: '0.0001', stepSize: '0.1', minAmount: '0.1', minNotional: '5' });
    expect(await new PricePathMarketData({ book: { precision: { 'ARB/USDT': { tickSize: '0.001', stepSize: '1' } } } }).precision('ARB/USDT')).toMatchObject({ tickSize: '0.001', stepSize: '1' });
    const replay = new ReplayMarketData(parseOhlcvFile('timestamp,open,high,low,close,volume\n2026-03-01T00:00:00Z,1.23,1.245,1.2,1.24,1000\n', 'x.csv'), { symbol: 'X/USDT' });
    expect(await replay.precision('X/USDT')).toEqual({ tickSize: '0.001', stepSize: '0.00000001', minAmount: '0.00000001' });
  });
});
