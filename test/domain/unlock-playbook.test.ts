import { checkExit, entryWindow, evaluateUnlockEntry, exitLevels, qualifiesForCalendar, signalStrength, unlockPct } from '../../domain/unlock-playbook';
import type { MarketSnapshot, UnlockEvent } from '../../domain/types';
import { d } from '../../domain/money';
import { defaultConfig, HOUR } from './helpers';

const T = Date.UTC(2026, 2, 16, 12, 0); // unlock time
const cfg = defaultConfig();
const event = (amount = '60', supply = '1000'): UnlockEvent => ({ id: 'ARB-1', symbol: 'ARB/USDT', unlockAt: T, unlockAmount: amount, circulatingSupply: supply });
const snap = (o: Partial<MarketSnapshot> = {}): MarketSnapshot => ({
  symbol: 'ARB/USDT',
  bid: '0.99',
  ask: '1.01',
  last: '1',
  volume24hQuote: '2000000',
  change7dPct: '-5',
  timestamp: T - 24 * HOUR,
  ...o,
});
const target = T - 24 * HOUR;
const codes = (r: ReturnType<typeof evaluateUnlockEntry>) => (r.ok ? [] : r.reasons.map((x) => x.code));

describe('unlockPct / entryWindow', () => {
  test('60 / 1000 * 100 = 6', () => expect(unlockPct(event())).toBe('6'));
  test('1 / 3 * 100 = 33.33… (exact decimal, no float)', () => expect(unlockPct(event('1', '3')).startsWith('33.3333333333')).toBe(true));
  test('window = unlock − 24h ± 2h', () => {
    expect(entryWindow(event(), cfg.tokenUnlock)).toEqual({ opensAt: T - 26 * HOUR, targetAt: T - 24 * HOUR, closesAt: T - 22 * HOUR });
    expect(entryWindow(event(), cfg)).toEqual(entryWindow(event(), cfg.tokenUnlock)); // whole config accepted too
  });
  test('invalid supply throws', () => expect(() => unlockPct(event('1', '0'))).toThrow(/circulatingSupply/));
});

describe('signalStrength', () => {
  // 0.5 + min(6/20,1)·0.3 + (1 − 0/12)·0.2 = 0.5 + 0.09 + 0.2 = 0.79
  test('6% unlock, on target', () => expect(signalStrength('6', '0')).toBe('0.79'));
  // 0.5 + 0.15 + (1 − 1/12)·0.2 = 0.65 + 0.18333… = 0.83333…
  test('10% unlock, 1h off', () => expect(d(signalStrength('10', '1')).toDecimalPlaces(10).toString()).toBe('0.8333333333'));
  // 0.5 + 0.3 + 0.2 = 1 (top edge)
  test('20% unlock on target = 1', () => expect(signalStrength('20', '0')).toBe('1'));
  // min(40/20, 1) = 1 → still 1: the size factor is capped
  test('40% unlock on target is still 1', () => expect(signalStrength('40', '0')).toBe('1'));
  // 0.5 + 0 + (1 − 12/12)·0.2 = 0.5 (bottom edge)
  test('0% unlock, 12h off = 0.5', () => expect(signalStrength('0', '12')).toBe('0.5'));
  // 0.5 + 0 + (1 − 24/12)·0.2 = 0.3 → clamped to 0.5
  test('0% unlock, 24h off clamps to 0.5', () => expect(signalStrength('0', '24')).toBe('0.5'));
  // sign of the deviation is ignored: −1h = 1h
  test('negative deviation = positive deviation', () => expect(signalStrength('10', '-1')).toBe(signalStrength('10', '1')));
});

describe('evaluateUnlockEntry', () => {
  test('qualifying event at the target time', () => {
    const r = evaluateUnlockEntry({ event: event(), snapshot: snap(), now: target, cfg });
    expect(r).toMatchObject({ ok: true, strength: '0.79', unlockPct: '6', timingDeviationHours: '0' });
  });
  test('strength uses the deviation from target: 1h late → 0.5+0.09+(11/12)·0.2', () => {
    const r = evaluateUnlockEntry({ event: event(), snapshot: snap(), now: target + HOUR, cfg });
    expect(r.ok && d(r.strength).toDecimalPlaces(10).toString()).toBe('0.7733333333');
  });
  test('UNLOCK_TOO_SMALL: exactly 5% fails (strict >)', () => {
    const r = evaluateUnlockEntry({ event: event('50'), snapshot: snap(), now: target, cfg });
    expect(codes(r)).toEqual(['UNLOCK_TOO_SMALL']);
    expect(!r.ok && r.reasons[0]).toMatchObject({ value: '5', limit: '5' });
  });
  test('VOLUME_TOO_LOW: exactly $1M fails (strict >)', () => {
    expect(codes(evaluateUnlockEntry({ event: event(), snapshot: snap({ volume24hQuote: '1000000' }), now: target, cfg }))).toEqual(['VOLUME_TOO_LOW']);
    expect(evaluateUnlockEntry({ event: event(), snapshot: snap({ volume24hQuote: '1000000.01' }), now: target, cfg }).ok).toBe(true);
  });
  test('PRICE_DOWNTREND: −20% fails, −19.99% passes', () => {
    expect(codes(evaluateUnlockEntry({ event: event(), snapshot: snap({ change7dPct: '-20' }), now: target, cfg }))).toEqual(['PRICE_DOWNTREND']);
    expect(evaluateUnlockEntry({ event: event(), snapshot: snap({ change7dPct: '-19.99' }), now: target, cfg }).ok).toBe(true);
  });
  test('OUTSIDE_ENTRY_WINDOW: 1 ms before it opens / after it closes; edges are inside', () => {
    expect(codes(evaluateUnlockEntry({ event: event(), snapshot: snap(), now: T - 26 * HOUR - 1, cfg }))).toEqual(['OUTSIDE_ENTRY_WINDOW']);
    expect(codes(evaluateUnlockEntry({ event: event(), snapshot: snap(), now: T - 22 * HOUR + 1, cfg }))).toEqual(['OUTSIDE_ENTRY_WINDOW']);
    expect(evaluateUnlockEntry({ event: event(), snapshot: snap(), now: T - 26 * HOUR, cfg }).ok).toBe(true);
    expect(evaluateUnlockEntry({ event: event(), snapshot: snap(), now: T - 22 * HOUR, cfg }).ok).toBe(true);
  });
  test('UNLOCK_PASSED', () => expect(codes(evaluateUnlockEntry({ event: event(), snapshot: snap(), now: T, cfg }))).toEqual(['UNLOCK_PASSED']));
  test('SYMBOL_MISMATCH', () => expect(codes(evaluateUnlockEntry({ event: event(), snapshot: snap({ symbol: 'OP/USDT' }), now: target, cfg }))).toEqual(['SYMBOL_MISMATCH']));
  test('INVALID_EVENT', () => expect(codes(evaluateUnlockEntry({ event: event('1', '0'), snapshot: snap(), now: target, cfg }))).toEqual(['INVALID_EVENT']));
  test('every failing filter is reported', () => {
    const r = evaluateUnlockEntry({ event: event('10'), snapshot: snap({ volume24hQuote: '10', change7dPct: '-50' }), now: T - 100 * HOUR, cfg });
    expect(codes(r).sort()).toEqual(['OUTSIDE_ENTRY_WINDOW', 'PRICE_DOWNTREND', 'UNLOCK_TOO_SMALL', 'VOLUME_TOO_LOW']);
  });
  test('thresholds come from the config', () => {
    const c = defaultConfig({ tokenUnlock: { minUnlockPct: '1' } });
    expect(evaluateUnlockEntry({ event: event('20'), snapshot: snap(), now: target, cfg: c }).ok).toBe(true); // 2% > 1%
  });
});

describe('qualifiesForCalendar', () => {
  test('future window qualifies and returns the window', () => {
    const r = qualifiesForCalendar(event(), cfg, T - 10 * 24 * HOUR);
    expect(r).toMatchObject({ ok: true, unlockPct: '6', window: { opensAt: T - 26 * HOUR } });
  });
  test('UNLOCK_TOO_SMALL', () => expect(qualifiesForCalendar(event('50'), cfg.tokenUnlock, 0)).toMatchObject({ ok: false, reasons: [{ code: 'UNLOCK_TOO_SMALL' }] }));
  test('ENTRY_WINDOW_PASSED', () => expect(qualifiesForCalendar(event(), cfg, T - 21 * HOUR)).toMatchObject({ ok: false, reasons: [{ code: 'ENTRY_WINDOW_PASSED' }] }));
  test('UNLOCK_PASSED', () => expect(qualifiesForCalendar(event(), cfg, T + 1)).toMatchObject({ ok: false, reasons: [{ code: 'UNLOCK_PASSED' }] }));
});

describe('exits', () => {
  // stop = 100·(1 − 0.03) = 97, target = 100·(1 + 0.05) = 105, time = T + 48h
  test('exitLevels', () => {
    expect(exitLevels('100', cfg.tokenUnlock, T)).toEqual({ stopPrice: '97', targetPrice: '105', timeExitAt: T + 48 * HOUR });
    expect(exitLevels('0.1', cfg)).toEqual({ stopPrice: '0.097', targetPrice: '0.105' });
  });
  const x = (price: string, now = T) => checkExit({ entryPrice: '100', price, now, unlockAt: T, cfg });
  test('STOP_LOSS at 97 and below', () => {
    expect(x('97')).toEqual({ reason: 'STOP_LOSS', level: '97' });
    expect(x('50')?.reason).toBe('STOP_LOSS');
    expect(x('97.01')).toBeNull();
  });
  test('TAKE_PROFIT at 105 and above', () => {
    expect(x('105')).toEqual({ reason: 'TAKE_PROFIT', level: '105' });
    expect(x('104.99')).toBeNull();
  });
  test('TIME_EXIT at unlock + 48h', () => {
    expect(x('100', T + 48 * HOUR)).toEqual({ reason: 'TIME_EXIT', level: String(T + 48 * HOUR) });
    expect(x('100', T + 48 * HOUR - 1)).toBeNull();
  });
  test('stop wins over time exit', () => expect(x('96', T + 100 * HOUR)?.reason).toBe('STOP_LOSS'));
});
