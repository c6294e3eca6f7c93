/**
 * The correlation guard's market data: daily closes from each source's `1d` candles, completed days
 * only; hourly replay files resampled to days (the backtest's candles); daily candles cached by the ccxt
 * source (one venue request per window, not one per check).
 */
import { CcxtMarketData, ReplayMarketData, type PublicExchange } from '../../exchange/market-data';
import { dailyCloses, dailyClosesOf } from '../../exchange/market-data/daily-closes';
import { BacktestMarketData } from '../../backtest/market';
import { BacktestClock, WEEK_MS } from '../../backtest/clock';

const H = 3_600_000;
const DAY = 24 * H;
const D0 = Date.UTC(2025, 0, 1);

/** 5 days of hourly candles; the close of hour h of day k is 100 + 10k + h/100 */
const hourly = Array.from({ length: 5 * 24 }, (_, i) => {
  const k = Math.floor(i / 24);
  const close = (100 + 10 * k + (i % 24) / 100).toFixed(2);
  return { timestamp: D0 + i * H, open: close, high: close, low: close, close, volume: '1', symbol: 'HR/USDT' };
});

test('replay: hourly candles served as daily ones (UTC days: first open, last close, volumes summed)', async () => {
  const md = new ReplayMarketData(hourly);
  const days = await md.ohlcv('HR/USDT', '1d', D0 + 5 * H, 10);
  expect(days.map((c) => [c.timestamp, c.open, c.close, c.volume])).toEqual(
    [0, 1, 2, 3, 4].map((k) => [D0 + k * DAY, (100 + 10 * k).toFixed(2), (100 + 10 * k + 0.23).toFixed(2), '24']),
  );
  await expect(md.ohlcv('HR/USDT', '90m')).rejects.toThrow(/only whole multiples/);
});

test('daily closes: only days completed at asOf, the lookback window, and missing symbols reported, not thrown', async () => {
  const md = new ReplayMarketData(hourly);
  // mid-day 3: days 0..2 are complete; day 3 has candles up to now and beyond in the file, never used
  const asOf = D0 + 3 * DAY + 7 * H;
  expect(await dailyCloses(md, 'HR/USDT', asOf, 30)).toEqual([0, 1, 2].map((k) => ({ t: D0 + k * DAY, close: (100 + 10 * k + 0.23).toFixed(2) })));
  expect((await dailyCloses(md, 'HR/USDT', asOf, 1)).map((c) => c.t)).toEqual([D0 + DAY, D0 + 2 * DAY]);
  const r = await dailyClosesOf(md, ['HR/USDT', 'NONE/USDT', 'HR/USDT'], asOf, 30);
  expect(Object.keys(r.closes)).toEqual(['HR/USDT']);
  expect(r.missing).toEqual({ 'NONE/USDT': expect.stringMatching(/no data for NONE\/USDT/) });
});

test('backtest market: the same daily closes through the shifted clock', async () => {
  const clock = new BacktestClock(3 * WEEK_MS);
  const bt = new BacktestMarketData(new ReplayMarketData(hourly), clock);
  const asOf = D0 + 3 * DAY + 7 * H;
  const sim = await dailyCloses(bt, 'HR/USDT', asOf + clock.shift, 30);
  expect(sim).toEqual((await dailyCloses(new ReplayMarketData(hourly), 'HR/USDT', asOf, 30)).map((c) => ({ ...c, t: c.t + clock.shift })));
});

test('ccxt: daily candles are cached per window for the TTL, other timeframes are not', async () => {
  let calls = 0;
  let now = D0 + 3 * DAY;
  const ex: PublicExchange = {
    id: 'fake',
    fetchTicker: async () => ({ last: 1 }),
    fetchOrderBook: async () => ({ bids: [], asks: [] }),
    fetchOHLCV: async (_s, _tf, since) => (calls++, [[since ?? 0, 1, 1, 1, 1.5, 10], [(since ?? 0) + DAY, 1, 1, 1, 1.6, 10]]),
  };
  const md = new CcxtMarketData(ex, { now: () => now, dailyCandlesTtlMs: 60_000 });
  const both = await Promise.all([dailyCloses(md, 'A/USDT', now, 1), dailyCloses(md, 'A/USDT', now, 1)]);
  expect(both[0]).toEqual([{ t: D0 + DAY, close: '1.5' }, { t: D0 + 2 * DAY, close: '1.6' }]);
  expect(calls).toBe(1);
  now += 30_000;
  await dailyCloses(md, 'A/USDT', now, 1);
  expect(calls).toBe(1);
  now += 60_000;
  await dailyCloses(md, 'A/USDT', now, 1);
  expect(calls).toBe(2);
  await md.ohlcv('A/USDT', '1h', now, 2);
  await md.ohlcv('A/USDT', '1h', now, 2);
  expect(calls).toBe(4);
});

test('ccxt: ONE daily-candle cache serves the 7-day change and the correlation closes; bounded per symbol and in symbols', async () => {
  const requests: Array<{ symbol: string; since?: number; limit?: number }> = [];
  const now = D0 + 40 * DAY + 5 * H;
  // the venue's daily candles from `since`: open = close = the day number
  const ex: PublicExchange = {
    id: 'fake',
    fetchTicker: async () => ({ last: 50 }),
    fetchOrderBook: async () => ({ bids: [], asks: [] }),
    fetchOHLCV: async (symbol, _tf, since, limit) => {
      requests.push({ symbol, since, limit });
      const first = Math.floor((since ?? now - 9 * DAY) / DAY) * DAY;
      return Array.from({ length: Math.min(limit ?? 500, Math.floor((now - first) / DAY) + 1) }, (_, i) => {
        const day = (first + i * DAY - D0) / DAY;
        return [first + i * DAY, day, day, day, day, 1];
      });
    },
  };
  const md = new CcxtMarketData(ex, { now: () => now, dailyCandlesMaxSymbols: 2 });
  // the correlation guard's 30-day window first: the snapshot's 8 days are inside it, no second request
  const closes = await dailyCloses(md, 'A/USDT', now, 30);
  expect(closes.length).toBeGreaterThanOrEqual(29);
  const snap = await md.snapshot('A/USDT');
  expect(requests.filter((r) => r.symbol === 'A/USDT')).toHaveLength(1);
  // 7-day change against the open 8 days back (day 32 → last 50)
  expect(snap.change7dPct).toBe(((50 / 33 - 1) * 100).toFixed(4));
  // the snapshot first on another symbol, then a longer window: one more request for the earlier days
  await md.snapshot('B/USDT');
  await dailyCloses(md, 'B/USDT', now, 30);
  expect(requests.filter((r) => r.symbol === 'B/USDT')).toHaveLength(2);
  await dailyCloses(md, 'B/USDT', now, 20);
  expect(requests.filter((r) => r.symbol === 'B/USDT')).toHaveLength(2);
  // at most 2 symbols kept: C evicts the least recently used (A)
  await dailyCloses(md, 'C/USDT', now, 5);
  expect(md.daily.size).toBe(2);
  await dailyCloses(md, 'A/USDT', now, 30);
  expect(requests.filter((r) => r.symbol === 'A/USDT')).toHaveLength(2);
});
