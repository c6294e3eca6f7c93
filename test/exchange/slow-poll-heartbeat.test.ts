/**
 * The price watcher's heartbeat does not depend on the poll interval (PRICE_FEED=poll): with a 5-minute
 * priceCheckInterval a waiter still hears a beat at least every 10 s between polls (the watcher activity's
 * heartbeatTimeout is 60 s), the feed still polls only once per interval, and the crossing is found at
 * the first poll after it. Fake clock; the end-to-end run against a dev server is
 * test/proof/slow-poll-watch.test.ts. Also: the interval's configured range.
 */
import { CcxtMarketData, type PublicExchange } from '../../exchange/market-data';
import { BEAT_MAX_MS } from '../../exchange/market-data/price-feed';
import { strategyConfigSchema, formatZodError } from '../../config/strategy-config';
import { proofConfig } from '../proof/lib';

function slowExchange(price: { v: number }) {
  let polls = 0;
  const ex: PublicExchange = {
    id: 'fake',
    async fetchTicker() {
      polls++;
      return { last: price.v, timestamp: Date.now() };
    },
    async fetchOrderBook() {
      return { bids: [], asks: [] };
    },
    async fetchOHLCV() {
      return [];
    },
  };
  return { ex, polls: () => polls };
}

afterEach(() => jest.useRealTimers());

test('priceCheckInterval 5m: a beat every ≤ 10 s between polls, one poll per 5 min, the crossing at the next poll', async () => {
  jest.useFakeTimers({ now: Date.UTC(2026, 10, 30, 12) });
  const price = { v: 1 };
  const { ex, polls } = slowExchange(price);
  const md = new CcxtMarketData(ex);
  const t0 = Date.now();
  const beats: number[] = [];
  let result: unknown;
  const watch = md
    .firstCrossing({ symbol: 'ARB/USDT', below: '0.8', from: t0, until: t0 + 3_600_000 }, { heartbeat: () => void beats.push(Date.now()), signal: new AbortController().signal, pollMs: 300_000 })
    .then((c) => (result = c));
  // 12 minutes: several 60-s heartbeat timeouts; the price crosses at minute 7
  await jest.advanceTimersByTimeAsync(7 * 60_000);
  expect(result).toBeUndefined();
  price.v = 0.75;
  await jest.advanceTimersByTimeAsync(3 * 60_000 + 1000);
  await watch;
  expect(result).toMatchObject({ side: 'below', price: '0.75' });
  // found at the 10-minute poll, not before
  expect((result as { at: number }).at - t0).toBeGreaterThanOrEqual(600_000);
  expect(polls()).toBe(3); // t0, 5 min, 10 min
  const gaps = beats.map((b, i) => b - (i ? beats[i - 1]! : t0));
  expect(Math.max(...gaps)).toBeLessThanOrEqual(BEAT_MAX_MS);
  expect(beats.length).toBeGreaterThanOrEqual(600_000 / BEAT_MAX_MS);
  await md.close();
});

test('priceCheckInterval 2s: no extra beat timer, every poll is the heartbeat', async () => {
  jest.useFakeTimers({ now: Date.UTC(2026, 10, 30, 12) });
  const { ex, polls } = slowExchange({ v: 1 });
  const md = new CcxtMarketData(ex);
  const t0 = Date.now();
  let beats = 0;
  const ac = new AbortController();
  const watch = md.firstCrossing({ symbol: 'ARB/USDT', below: '0.8', from: t0, until: t0 + 3_600_000 }, { heartbeat: () => void beats++, signal: ac.signal, pollMs: 2000 });
  await jest.advanceTimersByTimeAsync(60_000);
  expect(beats).toBe(polls());
  ac.abort();
  await expect(watch).rejects.toThrow();
  await md.close();
});

test('timing.priceCheckInterval: 100ms to 1h, one line otherwise', () => {
  const parse = (v: unknown) => strategyConfigSchema.safeParse({ ...proofConfig('x'), timing: { priceCheckInterval: v } });
  expect(parse('5m').data?.timing.priceCheckInterval).toBe(300_000);
  expect(parse('1h').data?.timing.priceCheckInterval).toBe(3_600_000);
  for (const [v, shown] of [['2h', '2h'], ['50ms', '50ms'], [0, '0ms']] as const) {
    const r = parse(v);
    expect(r.success).toBe(false);
    expect(formatZodError(r.error!)).toBe(`timing.priceCheckInterval: must be from 100ms to 1h (faster floods the venue, slower is no stop), got ${shown}`);
  }
});
