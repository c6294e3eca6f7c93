import {
  applyClosedTrade,
  applyOpenedPosition,
  checkPreTradeRisk,
  drawdownPct,
  evaluateEmergencyTriggers,
  initialRiskState,
  manualTrigger,
  MANUAL_TRIGGER,
  rollRiskPeriods,
  type PreTradeRiskInput,
  type RiskState,
} from '../../domain/risk';
import { limitsFor } from '../../domain/ladder';
import { defaultConfig } from './helpers';

const cfg = defaultConfig();
const s0 = initialRiskState('10000', 0);
// A clean order: 1000 notional (10 % of 10000, ≤ 20 % max position and PAPER exposure),
// spread (100.05 − 99.95)/100 = 0.1 % ≤ 0.5, 1 % of 10M volume = 100 000 ≥ 1000, no latency known.
const base = (o: Partial<PreTradeRiskInput> = {}, st: Partial<RiskState> = {}): PreTradeRiskInput => ({
  state: { ...s0, ...st },
  mode: 'PAPER',
  limits: limitsFor('PAPER', cfg),
  cfg,
  orderNotional: '1000',
  bid: '99.95',
  ask: '100.05',
  volume24hQuote: '10000000',
  ...o,
});
const codes = (i: PreTradeRiskInput) => checkPreTradeRisk(i).violations.map((v) => v.code);

describe('pre-trade rules: each trips with its code', () => {
  test('clean order passes', () => expect(checkPreTradeRisk(base())).toEqual({ ok: true, violations: [] }));
  test('MODE_HALTED in EMERGENCY_STOP and when paused', () => {
    expect(codes(base({ mode: 'EMERGENCY_STOP' }))).toContain('MODE_HALTED');
    expect(codes(base({ paused: true }))).toEqual(['MODE_HALTED']);
  });
  test('MAX_POSITION_SIZE: 2000.01 > 20 % of 10000', () => {
    const r = checkPreTradeRisk(base({ orderNotional: '2000.01', limits: { ...limitsFor('PAPER', cfg), maxExposurePct: '100' } }));
    expect(r.violations).toEqual([expect.objectContaining({ code: 'MAX_POSITION_SIZE', value: '2000.01', limit: '2000' })]);
    expect(codes(base({ orderNotional: '2000' }))).toEqual([]);
  });
  test('MAX_OPEN_POSITIONS: 5 open, max 5', () => expect(codes(base({}, { openPositions: 5 }))).toEqual(['MAX_OPEN_POSITIONS']));
  test('EXPOSURE_CAP: 1500 + 1000 = 2500 > 20 % of 10000', () => {
    expect(checkPreTradeRisk(base({}, { openExposure: '1500' })).violations).toEqual([expect.objectContaining({ code: 'EXPOSURE_CAP', value: '2500', limit: '2000' })]);
  });
  test('EXPOSURE_CAP uses the mode limits: LIVE_MINIMAL 2 % = 200 < 1000', () => expect(codes(base({ mode: 'LIVE_MINIMAL', limits: limitsFor('LIVE_MINIMAL', cfg) }))).toEqual(['EXPOSURE_CAP', 'MAX_POSITION_SIZE'].slice(0, 1)));
  test('DAILY_LOSS: −500 of 10000 = 5 % reaches the PAPER 5 % budget; −499 does not', () => {
    expect(checkPreTradeRisk(base({}, { dailyPnl: '-500' })).violations).toEqual([expect.objectContaining({ code: 'DAILY_LOSS', value: '5', limit: '5' })]);
    expect(codes(base({}, { dailyPnl: '-499' }))).toEqual([]);
    expect(codes(base({ unrealizedPnl: '-1' }, { dailyPnl: '-499' }))).toEqual(['DAILY_LOSS']); // unrealized counts
  });
  test('WEEKLY_LOSS: −1000 = 10 %', () => expect(codes(base({}, { weeklyPnl: '-1000' }))).toEqual(['WEEKLY_LOSS']));
  test('MONTHLY_LOSS: −2000 = 20 %', () => expect(codes(base({}, { monthlyPnl: '-2000' }))).toEqual(['MONTHLY_LOSS']));
  test('MAX_DRAWDOWN: equity 8000 vs peak 10000 = 20 % (circuit breaker)', () => {
    const r = checkPreTradeRisk(base({ capital: '10000' }, { equity: '8000' }));
    expect(r.violations).toEqual([expect.objectContaining({ code: 'MAX_DRAWDOWN', value: '20', limit: '20' })]);
  });
  test('CONSECUTIVE_LOSSES: 5 in a row', () => expect(codes(base({}, { consecutiveLosses: 5 }))).toEqual(['CONSECUTIVE_LOSSES']));
  test('SPREAD: (100 − 99)/99.5 = 1.005 % > 0.5 %', () => expect(codes(base({ bid: '99', ask: '100' }))).toEqual(['SPREAD']));
  test('LIQUIDITY: 1 % of 99 999 = 999.99 < 1000', () => {
    expect(checkPreTradeRisk(base({ volume24hQuote: '99999' })).violations).toEqual([expect.objectContaining({ code: 'LIQUIDITY', value: '1000', limit: '999.99' })]);
  });
  test('SLIPPAGE: given estimate 0.6 % > 0.5 %, or a thin book (1@100 + 9@101 → 0.9 %)', () => {
    expect(codes(base({ estimatedSlippagePct: '0.6' }))).toEqual(['SLIPPAGE']);
    const book = { bids: [], asks: [{ price: '100', amount: '1' }, { price: '101', amount: '9' }] };
    expect(checkPreTradeRisk(base({ book, orderAmount: '10', side: 'buy' })).violations).toEqual([expect.objectContaining({ code: 'SLIPPAGE', value: '0.9' })]);
  });
  test('LATENCY: 2001 ms > 2000 ms; 2000 passes; state latency used by default', () => {
    expect(codes(base({ latencyMs: 2001 }))).toEqual(['LATENCY']);
    expect(codes(base({ latencyMs: 2000 }))).toEqual([]);
    expect(codes(base({}, { lastLatencyMs: 3000 }))).toEqual(['LATENCY']);
  });
  test('INVALID_ORDER', () => expect(codes(base({ orderNotional: '0' }))).toEqual(['INVALID_ORDER']));
});

describe('risk state', () => {
  const day = 1000;
  const c = defaultConfig({ timing: { tradingDay: day } });
  test('periods roll: day = tradingDay, week = 7 days, month = 30 days', () => {
    let s = applyClosedTrade(s0, '-100', 500, c);
    expect(s).toMatchObject({ dailyPnl: '-100', weeklyPnl: '-100', monthlyPnl: '-100', equity: '9900', consecutiveLosses: 1 });
    s = rollRiskPeriods(s, 1500, day);
    expect(s).toMatchObject({ dailyPnl: '0', dailyStart: 1000, dailyStartEquity: '9900', weeklyPnl: '-100' });
    s = rollRiskPeriods(s, 7000, day);
    expect(s).toMatchObject({ weeklyPnl: '0', weeklyStart: 7000, monthlyPnl: '-100' });
    s = rollRiskPeriods(s, 30_000, day);
    expect(s).toMatchObject({ monthlyPnl: '0', monthlyStart: 30_000 });
  });
  test('consecutive losses reset on a win; drawdown from peak: +1000 then −2200 → 2200/11000 = 20 %', () => {
    let s = applyClosedTrade(s0, '-1', 1, c);
    s = applyClosedTrade(s, '-1', 2, c);
    expect(s.consecutiveLosses).toBe(2);
    s = applyClosedTrade(s, '1', 3, c);
    expect(s.consecutiveLosses).toBe(0);
    let t = applyClosedTrade(s0, '1000', 1, c);
    t = applyClosedTrade(t, '-2200', 2, c);
    expect(t).toMatchObject({ equity: '8800', peakEquity: '11000' });
    expect(drawdownPct(t)).toBe('20');
  });
  test('exposure opened and released', () => {
    let s = applyOpenedPosition(s0, '1000', 1);
    expect(s).toMatchObject({ openExposure: '1000', openPositions: 1 });
    s = applyClosedTrade(s, '10', 2, c, { releasedExposure: '1000' });
    expect(s).toMatchObject({ openExposure: '0', openPositions: 0, equity: '10010' });
  });
  test('state is JSON-safe', () => expect(JSON.parse(JSON.stringify(applyClosedTrade(s0, '-1.5', 1, c)))).toEqual(applyClosedTrade(s0, '-1.5', 1, c)));
});

describe('emergency triggers', () => {
  const lm = limitsFor('LIVE_MINIMAL', cfg);
  const ev = (st: Partial<RiskState>, o: Partial<Parameters<typeof evaluateEmergencyTriggers>[0]> = {}) =>
    evaluateEmergencyTriggers({ state: { ...s0, ...st }, limits: lm, cfg, ...o }).map((t) => t.code);
  test('none on a clean state', () => expect(ev({})).toEqual([]));
  test('DAILY_LOSS: −100 of 10000 = 1 % reaches LIVE_MINIMAL 1 %', () => expect(ev({ dailyPnl: '-100' })).toEqual(['DAILY_LOSS']));
  test('DRAWDOWN: 20 % by default; 3 % (report) when configured', () => {
    expect(ev({ equity: '8000' })).toEqual(['DRAWDOWN']);
    expect(ev({ equity: '9700' })).toEqual([]);
    expect(ev({ equity: '9700' }, { emergencyDrawdownPct: '3' })).toEqual(['DRAWDOWN']);
  });
  test('LATENCY > 2 s', () => expect(ev({}, { latencyMs: 2500 })).toEqual(['LATENCY']));
  test('CONSECUTIVE_LOSSES', () => expect(ev({ consecutiveLosses: 5 })).toEqual(['CONSECUTIVE_LOSSES']));
  // CORRELATION needs market data: test/domain/correlation.test.ts
  test('MANUAL', () => expect(manualTrigger('operator')).toEqual({ code: MANUAL_TRIGGER, message: 'operator' }));
});
