import {
  getPlaybook as getStrategy,
  listPlaybooks as listStrategies,
  registerPlaybook as registerStrategy,
  unregisterPlaybook as unregisterStrategy,
  type Playbook as TradingStrategy,
} from '../../domain/playbook';
import { isHalted, limitsFor, nextMode, previousMode } from '../../domain/ladder';
import { isLiveMode as isLive } from '../../domain/modes';
import { sizePosition, type SizingInput } from '../../domain/sizing';
import type { UnlockEvent, MarketSnapshot } from '../../domain/types';
import { d } from '../../domain/money';
import { defaultConfig, HOUR } from './helpers';

const cfg = defaultConfig();
const T = Date.UTC(2026, 2, 16, 12);
const ev: UnlockEvent = { id: 'X', symbol: 'X/USDT', unlockAt: T, unlockAmount: '1', circulatingSupply: '1000' };
const snap: MarketSnapshot = { symbol: 'X/USDT', bid: '1', ask: '1', last: '1', volume24hQuote: '5', change7dPct: '-90', timestamp: 0 };

describe('strategy registry', () => {
  test('token-unlock is registered by default and is what the default config names', () => {
    expect(cfg.strategy).toBe('token-unlock');
    const s = getStrategy(cfg.strategy);
    expect(s.name).toBe('token-unlock');
    expect(s.exitLevels('100', cfg, ev)).toEqual({ stopPrice: '97', targetPrice: '105', timeExitAt: T + 48 * HOUR });
    // 0.1% unlock, $5 volume, −90%: token-unlock rejects
    expect(s.evaluateEntry({ event: ev, snapshot: snap, now: T - 24 * HOUR, cfg }).ok).toBe(false);
  });
  test('unknown name throws listing the known ones', () => {
    expect(() => getStrategy('nope')).toThrow(/unknown strategy "nope".*token-unlock/);
  });
  test('a trivial second strategy plugs in through the same calls', () => {
    const alwaysBuy: TradingStrategy = {
      name: 'always-buy',
      qualifies: () => ({ ok: true }),
      evaluateEntry: () => ({ ok: true, strength: '1' }),
      exitLevels: (entry) => ({ stopPrice: d(entry).times('0.9').toString(), targetPrice: d(entry).times('1.1').toString() }),
      checkExit: ({ entryPrice, price }) => (d(price).lte(d(entryPrice).times('0.9')) ? { reason: 'STOP_LOSS', level: price } : null),
    };
    registerStrategy(alwaysBuy);
    try {
      const c = defaultConfig({ strategy: 'always-buy' });
      const s = getStrategy(c.strategy); // exactly how a workflow resolves it
      expect(listStrategies()).toEqual(['always-buy', 'token-unlock']);
      expect(s.qualifies(ev, c, 0).ok).toBe(true);
      expect(s.evaluateEntry({ event: ev, snapshot: snap, now: 0, cfg: c })).toEqual({ ok: true, strength: '1' });
      expect(s.exitLevels('100', c)).toEqual({ stopPrice: '90', targetPrice: '110' });
      expect(s.checkExit({ entryPrice: '100', price: '89', now: 0, unlockAt: T, cfg: c })?.reason).toBe('STOP_LOSS');
    } finally {
      unregisterStrategy('always-buy');
    }
  });
});

describe('mode ladder', () => {
  test('PAPER → LIVE_MINIMAL → LIVE_SCALED_1 → 2 → 3 → null', () => {
    const seen: (string | null)[] = [];
    let m: Parameters<typeof nextMode>[0] | null = 'PAPER';
    while (m) {
      seen.push(m);
      m = nextMode(m);
    }
    expect(seen).toEqual(['PAPER', 'LIVE_MINIMAL', 'LIVE_SCALED_1', 'LIVE_SCALED_2', 'LIVE_SCALED_3']);
    expect(nextMode('EMERGENCY_STOP')).toBeNull();
    expect(previousMode('LIVE_MINIMAL')).toBe('PAPER');
    expect(previousMode('PAPER')).toBeNull();
  });
  test('limits from the report', () => {
    expect(limitsFor('PAPER', cfg)).toEqual({ riskPerTradePct: '0.5', maxExposurePct: '20', dailyLossPct: '5' });
    expect(limitsFor('LIVE_MINIMAL', cfg)).toEqual({ riskPerTradePct: '0.1', maxExposurePct: '2', dailyLossPct: '1' });
    expect(limitsFor('LIVE_SCALED_1', cfg)).toEqual({ riskPerTradePct: '0.25', maxExposurePct: '5', dailyLossPct: '2' });
    expect(limitsFor('LIVE_SCALED_2', cfg)).toEqual({ riskPerTradePct: '0.5', maxExposurePct: '10', dailyLossPct: '2' });
    expect(limitsFor('LIVE_SCALED_3', cfg)).toEqual({ riskPerTradePct: '1', maxExposurePct: '10', dailyLossPct: '2' });
    expect(limitsFor('EMERGENCY_STOP', cfg)).toEqual({ riskPerTradePct: '0', maxExposurePct: '0', dailyLossPct: '0' });
  });
  test('isLive / isHalted', () => {
    expect(isLive('PAPER')).toBe(false);
    expect(isLive('LIVE_MINIMAL')).toBe(true);
    expect(isLive('LIVE_SCALED_3')).toBe(true);
    expect(isLive('EMERGENCY_STOP')).toBe(false);
    expect(isHalted('EMERGENCY_STOP')).toBe(true);
  });
});

describe('sizePosition', () => {
  const base = (o: Partial<SizingInput> = {}): SizingInput => ({
    capital: '10000',
    price: '50',
    positionPct: '10',
    limits: limitsFor('PAPER', cfg),
    stopLossPct: '3',
    currentExposure: '0',
    maxPositionPct: '20',
    ...o,
  });
  test('paper: 10% of 10000 = 1000 is the smallest (risk cap 10000·0.5/3 = 1666.67, exposure 2000, max 2000)', () => {
    const r = sizePosition(base());
    expect(r).toMatchObject({ quantity: '20', notional: '1000', cappedBy: 'POSITION_PCT', riskAmount: '30' }); // 1000·3% = 30
    expect(r.candidates.EXPOSURE).toBe('2000');
  });
  test('LIVE_MINIMAL: exposure 2% of 10000 = 200 beats risk 10000·0.1/3 = 333.33 → 4 units at 50', () => {
    expect(sizePosition(base({ limits: limitsFor('LIVE_MINIMAL', cfg) }))).toMatchObject({ quantity: '4', notional: '200', cappedBy: 'EXPOSURE' });
  });
  test('RISK_PER_TRADE: 10000·0.25/3 = 833.33… → 16.666… units, step 0.01 rounds DOWN to 16.66 → notional 833', () => {
    // exposure 20% (2000) and base 1000 are both larger than the risk cap
    const r = sizePosition(base({ limits: { riskPerTradePct: '0.25', maxExposurePct: '20', dailyLossPct: '2' }, amountStep: '0.01' }));
    expect(r).toMatchObject({ quantity: '16.66', notional: '833', cappedBy: 'RISK_PER_TRADE' });
  });
  test('LIVE_SCALED_1: exposure 5% = 500 beats risk 833.33 → 10 units', () => {
    expect(sizePosition(base({ limits: limitsFor('LIVE_SCALED_1', cfg) }))).toMatchObject({ quantity: '10', notional: '500', cappedBy: 'EXPOSURE' });
  });
  test('MAX_POSITION: 5% of 10000 = 500 → 10 units', () => {
    expect(sizePosition(base({ maxPositionPct: '5' }))).toMatchObject({ quantity: '10', notional: '500', cappedBy: 'MAX_POSITION' });
  });
  test('exposure used up → quantity "0"', () => {
    expect(sizePosition(base({ currentExposure: '2000' }))).toMatchObject({ quantity: '0', notional: '0', cappedBy: 'EXPOSURE', zeroReason: 'EXPOSURE_FULL' });
    // 2000 − 1500 = 500 left → 10 units
    expect(sizePosition(base({ currentExposure: '1500' }))).toMatchObject({ quantity: '10', cappedBy: 'EXPOSURE' });
  });
  test('amount step rounds down: 1000 / 30 = 33.33… → 33.3 (step 0.1) → notional 999', () => {
    expect(sizePosition(base({ price: '30', amountStep: '0.1' }))).toMatchObject({ quantity: '33.3', notional: '999' });
  });
  test('min notional and bad inputs', () => {
    expect(sizePosition(base({ minNotional: '1001' })).quantity).toBe('0');
    expect(sizePosition(base({ price: '0' }))).toMatchObject({ quantity: '0', cappedBy: null, zeroReason: 'BAD_PRICE' });
    expect(sizePosition(base({ limits: limitsFor('EMERGENCY_STOP', cfg) })).quantity).toBe('0');
  });
});
