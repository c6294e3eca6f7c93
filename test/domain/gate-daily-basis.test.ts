/**
 * The paper gate on the daily basis (patch gate-daily-basis-v1): Sharpe ×√365 and drawdown from daily
 * equity built from the trade book (domain/daily-equity.ts); the per-trade basis unchanged; the basis
 * chosen by config (validated) and per-trade for histories recorded before the patch.
 */
import { evaluatePaperGate, paperGateBasis } from '../../domain/gate';
import { dailyEquity } from '../../domain/daily-equity';
import { parseStrategyConfig } from '../../config/strategy-config';
import { DAY, HOUR, defaultConfig, trade } from './helpers';

const gate = defaultConfig().gate;
// one trade closing at noon on each of 10 days: +20, −10 alternating, then two +20
const pnls = ['20', '-10', '20', '-10', '20', '-10', '20', '-10', '20', '20'];
const trades = pnls.map((p, i) => trade(i + 1, p, { openedAt: i * DAY + 10 * HOUR, closedAt: i * DAY + 12 * HOUR }));

test('daily equity: closed trades by UTC day; open positions at entry value unless a close is known', () => {
  const pts = dailyEquity({ initialCapital: '1000', closed: trades.slice(0, 2), from: 0, to: 2 * DAY + 1, open: [{ symbol: 'ARB/USDT', openedAt: 2 * DAY + HOUR, entryPrice: '100', quantity: '2', entryFee: '0.5' }] });
  expect(pts).toEqual([
    { date: '1970-01-01', equity: '1020' },
    { date: '1970-01-02', equity: '1010' },
    { date: '1970-01-03', equity: '1009.5' },
  ]);
  const marked = dailyEquity({ initialCapital: '1000', closed: [], from: 0, to: 0, open: [{ symbol: 'ARB/USDT', openedAt: 0, entryPrice: '100', quantity: '2' }], closeOf: () => '103' });
  expect(marked).toEqual([{ date: '1970-01-01', equity: '1006' }]);
});

test('daily basis: Sharpe = mean / sample std of daily returns × √365; drawdown on daily equity', () => {
  const r = evaluatePaperGate({ trades, startedAt: 0, now: 10 * DAY - 1, initialCapital: '10000', gate, basis: 'daily' });
  expect(r.basis).toBe('daily');
  const eq = [10000];
  for (const p of pnls) eq.push(eq[eq.length - 1]! + Number(p));
  const rets = eq.slice(1).map((e, i) => e / eq[i]! - 1);
  const mean = rets.reduce((a, b) => a + b, 0) / rets.length;
  const sd = Math.sqrt(rets.reduce((a, b) => a + (b - mean) ** 2, 0) / (rets.length - 1));
  const by = Object.fromEntries(r.criteria.map((c) => [c.name, c]));
  expect(Number(by.SHARPE!.value)).toBeCloseTo((mean / sd) * Math.sqrt(365), 9);
  expect(Number(by.MAX_DRAWDOWN!.value)).toBeCloseTo((10 / 10020) * 100, 9);
  expect(r.passed).toBe(true);
});

test('per-trade basis is the original gate, without a basis field', () => {
  const perTrade = evaluatePaperGate({ trades, startedAt: 0, now: 10 * DAY, initialCapital: '10000', gate, basis: 'per-trade' });
  const original = evaluatePaperGate({ trades, startedAt: 0, now: 10 * DAY, initialCapital: '10000', gate });
  expect(perTrade).toEqual(original);
  expect(original.basis).toBeUndefined();
  expect(Number(original.criteria.find((c) => c.name === 'SHARPE')!.value)).toBeCloseTo(0.5164, 4);
});

test('basis: per-trade before the patch, the configured one (default daily) after', () => {
  expect(paperGateBasis('daily', false)).toBe('per-trade');
  expect(paperGateBasis(undefined, true)).toBe('daily');
  expect(paperGateBasis('per-trade', true)).toBe('per-trade');
  expect(defaultConfig().gate.basis).toBe('daily');
  expect(defaultConfig({ gate: { basis: 'per-trade' } }).gate.basis).toBe('per-trade');
  expect(() => parseStrategyConfig({ strategyId: 'x', gate: { basis: 'weekly' } })).toThrow("invalid strategy config: gate.basis: gate.basis must be 'daily' or 'per-trade'");
});
