/**
 * The correlation guard's conventions (domain/correlation.ts): simple returns of completed daily
 * closes, aligned by day, over the lookback window; r on returns, not prices; the minimum overlap;
 * "greater than the limit" breaches; unknown is allowed; pairs named.
 */
import {
  CORRELATION_DAY_MS as DAY,
  correlationCheckNeeded,
  correlationTriggers,
  correlationWindow,
  entryCorrelation,
  entryCorrelationPairs,
  minCorrelationReturns,
  pairCorrelation,
  simpleReturns,
  windowCloses,
  type DailyClose,
} from '../../domain/correlation';
import { pearsonCorrelation } from '../../domain/metrics';
import { parseStrategyConfig } from '../../config/strategy-config';

const D0 = Date.UTC(2025, 0, 10);
const day = (i: number) => D0 + i * DAY;
const series = (closes: string[], first = 0): DailyClose[] => closes.map((close, i) => ({ t: day(first + i), close }));
const cfg = (risk: Record<string, unknown> = {}) => parseStrategyConfig({ strategyId: 'corr', risk: { correlationLookbackDays: 5, ...risk } });

// Hand-checked: returns A = (0.1, 0, -0.1), B = (0.1, -0.1, 0); means 0; Σab = 0.01, Σa² = Σb² = 0.02 → r = 0.01 / 0.02 = 0.5
const A = series(['100', '110', '110', '99']);
const B = series(['200', '220', '198', '198']);
// the day after the last close has begun: day 3 is complete
const AS_OF = day(4) + 3_600_000;

describe('returns and window conventions', () => {
  test('simple returns c[i] / c[i-1] - 1, exact decimals; a non-positive close makes them unusable', () => {
    expect(simpleReturns(['100', '110', '99'])).toEqual(['0.1', '-0.1']);
    expect(simpleReturns(['100', '0', '99'])).toBeNull();
  });

  test('the window: lookback + 1 completed days before the day of asOf; today (incomplete) and older days are dropped', () => {
    const w = correlationWindow(AS_OF, 5);
    expect(w).toEqual({ from: day(-2), until: day(4) });
    const closes = series(['1', '2', '3', '4', '5', '6', '7', '8'], -3); // days -3 .. 4
    expect(windowCloses(closes, AS_OF, 5).map((c) => c.t)).toEqual([day(-2), day(-1), day(0), day(1), day(2), day(3)]);
    // exactly at midnight the day that just ended counts; a millisecond before it does not
    expect(windowCloses(closes, day(4), 5).at(-1)!.t).toBe(day(3));
    expect(windowCloses(closes, day(4) - 1, 5).at(-1)!.t).toBe(day(2));
  });

  test('r is on returns, not on prices: the hand-checked 0.5', () => {
    expect(pairCorrelation(A, B, AS_OF, 5)).toEqual({ known: true, r: '0.5', returns: 3 });
    // the same prices correlate at 106 / √(110.75 · 344) ≈ 0.5431: a price correlation would be another number
    expect(Number(pearsonCorrelation(A.map((c) => c.close), B.map((c) => c.close)))).toBeCloseTo(0.5431, 4);
  });

  test('simple, not log, returns: log returns of the same closes give another r', () => {
    const logR = (cs: DailyClose[]) => cs.slice(1).map((c, i) => String(Math.log(Number(c.close) / Number(cs[i]!.close))));
    expect(Number(pearsonCorrelation(logR(A), logR(B)))).not.toBeCloseTo(0.5, 3);
  });

  test('aligned by day: a day missing in one series makes that return span the gap for both', () => {
    // B lacks day 2: common days 0, 1, 3 → A returns (0.1, -0.1), B (0.1, -0.1)
    const bGap = B.filter((c) => c.t !== day(2));
    const p = pairCorrelation(A, bGap, AS_OF, 4); // lookback 4 → needs 3 returns: only 2 common
    expect(p).toEqual({ known: false, reason: '2 common daily returns, needs 3', returns: 2 });
    // unaligned input order and duplicates of a day do not matter
    expect(pairCorrelation([...A].reverse(), [...B, B[1]!], AS_OF, 5)).toMatchObject({ r: '0.5' });
  });

  test('minimum overlap: max(3, half the lookback); flat prices are unknown', () => {
    expect(minCorrelationReturns(5)).toBe(3);
    expect(minCorrelationReturns(30)).toBe(15);
    expect(pairCorrelation(A, B, AS_OF, 30)).toMatchObject({ known: false, reason: '3 common daily returns, needs 15' });
    expect(pairCorrelation(A, series(['5', '5', '5', '5']), AS_OF, 5)).toMatchObject({ known: false, reason: 'flat prices (no variance)' });
  });
});

describe('pre-trade rule and trigger', () => {
  test('r > limit refuses, naming the pair and r; r = limit passes', () => {
    const closes = { 'AAA/USDT': A, 'BBB/USDT': B };
    const refused = entryCorrelation('BBB/USDT', ['AAA/USDT'], closes, AS_OF, cfg({ maxCorrelation: '0.49' }));
    expect(refused.violations).toEqual([
      { code: 'CORRELATION', message: 'BBB/USDT and AAA/USDT correlate at r = 0.5 over 3 daily returns (> 0.49)', value: '0.5', limit: '0.49' },
    ]);
    expect(entryCorrelation('BBB/USDT', ['AAA/USDT'], closes, AS_OF, cfg({ maxCorrelation: '0.5' })).violations).toEqual([]);
  });

  test('a strong negative correlation is a hedge: never refused', () => {
    const mirror = series(['100', '90', '90', '99']); // returns (-0.1, 0, 0.1): r = -1 with A
    expect(pairCorrelation(A, mirror, AS_OF, 5)).toMatchObject({ r: '-1' });
    expect(entryCorrelation('M/USDT', ['AAA/USDT'], { 'AAA/USDT': A, 'M/USDT': mirror }, AS_OF, cfg({ maxCorrelation: '0' })).violations).toEqual([]);
  });

  test('unknown is allowed and reported: no closes for a symbol', () => {
    const v = entryCorrelation('NEW/USDT', ['AAA/USDT'], { 'AAA/USDT': A }, AS_OF, cfg({ maxCorrelation: '0.1' }));
    expect(v).toEqual({ violations: [], unknown: [{ a: 'NEW/USDT', b: 'AAA/USDT', reason: 'no daily closes for NEW/USDT' }] });
  });

  test('trigger: every breaching pair of distinct open symbols, named; the same symbol twice is no pair', () => {
    const twin = series(['400', '440', '440', '396']); // returns as A: r = 1
    const closes = { 'AAA/USDT': A, 'BBB/USDT': B, 'TWN/USDT': twin };
    const t = correlationTriggers(['AAA/USDT', 'AAA/USDT', 'BBB/USDT', 'TWN/USDT'], closes, AS_OF, cfg());
    expect(t.triggers).toEqual([{ code: 'CORRELATION', message: 'open positions AAA/USDT and TWN/USDT correlate at r = 1 over 3 daily returns (> 0.7)', value: '1', limit: '0.7' }]);
    expect(correlationTriggers(['AAA/USDT', 'AAA/USDT'], closes, AS_OF, cfg()).triggers).toEqual([]);
  });

  test('a check is needed only for two distinct symbols and a limit below 1', () => {
    expect(correlationCheckNeeded(['A', 'B'], cfg())).toBe(true);
    expect(correlationCheckNeeded(['A', 'A'], cfg())).toBe(false);
    expect(correlationCheckNeeded(['A', 'B'], cfg({ maxCorrelation: '1' }))).toBe(false);
  });
});

describe('a batch of entries (the strategy decides them together, one after another)', () => {
  const C = series(['50', '55', '55', '49.5']); // the same moves as A
  const closes = { 'AAA/USDT': A, 'BBB/USDT': B, 'CCC/USDT': C };
  const c = cfg({ maxCorrelation: '0.49' });

  test('every pair of an entering symbol with the book and the batch, each violation as entryCorrelation words it', () => {
    const v = entryCorrelationPairs(['BBB/USDT', 'CCC/USDT'], ['AAA/USDT'], closes, AS_OF, c);
    // BBB against AAA and CCC; CCC against AAA and BBB: exactly entryCorrelation's violations, pair by pair
    for (const [e, other] of [['BBB/USDT', 'AAA/USDT'], ['BBB/USDT', 'CCC/USDT'], ['CCC/USDT', 'AAA/USDT'], ['CCC/USDT', 'BBB/USDT']] as const) {
      const alone = entryCorrelation(e, [other], closes, AS_OF, c).violations;
      expect(v.breaches.filter((b) => b.entering === e && b.other === other).map((b) => b.violation)).toEqual(alone);
    }
    expect(v.breaches.length).toBeGreaterThan(0);
  });

  test('an entry judged against the book as it is at its turn refuses what entryCorrelation refuses then', () => {
    const v = entryCorrelationPairs(['CCC/USDT', 'BBB/USDT'], ['AAA/USDT'], closes, AS_OF, c);
    const atTurn = (e: string, book: string[]) => book.flatMap((o) => v.breaches.filter((b) => b.entering === e && b.other === o).map((b) => b.violation));
    // CCC first against {AAA}; BBB then against {AAA, CCC} (had CCC been approved)
    expect(atTurn('CCC/USDT', ['AAA/USDT'])).toEqual(entryCorrelation('CCC/USDT', ['AAA/USDT'], closes, AS_OF, c).violations);
    expect(atTurn('BBB/USDT', ['AAA/USDT', 'CCC/USDT'])).toEqual(entryCorrelation('BBB/USDT', ['AAA/USDT', 'CCC/USDT'], closes, AS_OF, c).violations);
  });
});
