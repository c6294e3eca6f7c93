/**
 * domain/performance.ts against quantstats 0.0.86 and empyrical-reloaded 0.7.1 on a fixed 400-day series
 * (test/fixtures/performance/generate.py wrote expected.json; periods 365, rf 0, compounded): agreement to
 * 1e-9 relative. Plus the per-trade figures on a hand-checked book.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { computePerformance, maxDrawdown, perTradeStats, exposureTime } from '../../domain/performance';
import type { RunTrade } from '../../domain/run-record';

const fx = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'performance', 'expected.json'), 'utf8')) as {
  initialCapital: number;
  equity: { date: string; equity: string }[];
  quantstats: Record<string, number> & { drawdown: { start: string; valley: string; recovery: string | null }; monthly: { month: string; return: number }[] };
  empyrical: Record<string, number>;
};

function expectClose(actual: number | null, expected: number, rel = 1e-9) {
  expect(actual).not.toBeNull();
  const err = Math.abs(actual! - expected) / Math.max(Math.abs(expected), 1e-300);
  if (err > rel) throw new Error(`expected ${expected}, got ${actual} (relative error ${err})`);
}

const perf = computePerformance({ initialCapital: String(fx.initialCapital), dailyEquity: fx.equity, trades: [], from: Date.parse('2025-01-01'), to: Date.parse('2026-02-05') });
const q = fx.quantstats;
const ep = fx.empyrical;

describe('daily statistics agree with quantstats and empyrical (1e-9 relative)', () => {
  test('the fixture is the 400-day series', () => expect(perf.days).toBe(400));
  test('Sharpe ×√365', () => {
    expectClose(perf.sharpe, q.sharpe);
    expectClose(perf.sharpe, ep.sharpe!);
  });
  test('Sortino, downside over all days, target 0', () => {
    expectClose(perf.sortino, q.sortino);
    expectClose(perf.sortino, ep.sortino!);
  });
  test('annualised volatility', () => {
    expectClose(perf.volatility, q.volatility);
    expectClose(perf.volatility, ep.volatility!);
  });
  test('max drawdown (libraries report it negative)', () => {
    expectClose(perf.drawdown.maxDrawdown, -q.maxDrawdown);
    expectClose(perf.drawdown.maxDrawdown, -ep.maxDrawdown!);
  });
  test('drawdown dates: start, trough, recovery as quantstats drawdown_details', () => {
    expect(perf.drawdown.startDate).toBe(q.drawdown.start);
    expect(perf.drawdown.troughDate).toBe(q.drawdown.valley);
    expect(perf.drawdown.recoveryDate).toBe(q.drawdown.recovery);
  });
  test('CAGR and Calmar', () => {
    expectClose(perf.cagr, q.cagr);
    expectClose(perf.cagr, ep.cagr!);
    expectClose(perf.calmar, q.calmar);
    expectClose(perf.calmar, ep.calmar!);
  });
  test('total compounded return', () => expectClose(perf.totalReturn, q.compTotal));
  test('daily win rate, profit factor, average win / loss day, best / worst', () => {
    expectClose(perf.daily.winDaysRate, q.winRate);
    expectClose(perf.daily.profitFactor, q.profitFactor);
    expectClose(perf.daily.avgWinDay, q.avgWin);
    expectClose(perf.daily.avgLossDay, q.avgLoss);
    expectClose(perf.daily.bestDay, q.best);
    expectClose(perf.daily.worstDay, q.worst);
  });
  test('monthly compounded returns', () => {
    expect(perf.monthly.map((m) => m.date)).toEqual(q.monthly.map((m) => m.month));
    perf.monthly.forEach((m, i) => expectClose(m.value, q.monthly[i]!.return));
  });
});

describe('drawdown edge cases', () => {
  test('a fall from the start counts against the initial capital and is not recovered', () => {
    const dd = maxDrawdown([
      { date: '2025-01-01', value: 100 },
      { date: '2025-01-02', value: 90 },
      { date: '2025-01-03', value: 95 },
    ]);
    expectClose(dd.maxDrawdown, 0.1);
    expect({ ...dd, maxDrawdown: 0 }).toEqual({ maxDrawdown: 0, peakDate: '2025-01-01', startDate: '2025-01-02', troughDate: '2025-01-02', recoveryDate: null });
  });
  test('flat equity has no drawdown and no Sharpe', () => {
    const p = computePerformance({ initialCapital: '100', dailyEquity: [{ date: '2025-01-01', equity: '100' }, { date: '2025-01-02', equity: '100' }], trades: [], from: 0, to: 1 });
    expect(p.drawdown.maxDrawdown).toBe(0);
    expect(p.sharpe).toBeNull();
    expect(p.sortino).toBeNull();
    expect(p.calmar).toBeNull();
  });
});

describe('per-trade figures (labelled per-trade)', () => {
  const H = 3_600_000;
  const trade = (id: string, pnl: string, fees: string, slippage: string, openedAt: number, closedAt: number): RunTrade => ({
    positionId: id, eventId: `ev-${id}`, symbol: 'A/USDT', entryPrice: '10', exitPrice: '10', quantity: '10', fees, pnl, slippage, openedAt, closedAt, exitReason: 'TIME_EXIT',
  });
  const trades = [trade('1', '5', '0.2', '0.1', 0, 10 * H), trade('2', '-2', '0.2', '0.05', 5 * H, 20 * H), trade('3', '3', '0.2', '0', 40 * H, 50 * H)];
  test('win rate, profit factor, expectancy, average win / loss, fees and slippage', () => {
    const s = perTradeStats(trades);
    expect(s).toMatchObject({ tradeCount: 3, wins: 2, losses: 1, expectancy: '2', avgWin: '4', avgLoss: '-2', totalPnl: '6', fees: '0.6', slippage: '0.15' });
    expect(s.winRate).toBeCloseTo(2 / 3, 12);
    expect(s.profitFactor).toBe(4);
    expectClose(s.expectancyReturn, (0.05 - 0.02 + 0.03) / 3);
    expect(s.perTradeSharpe).not.toBeNull();
  });
  test('exposure time: union of open intervals over the whole run', () => {
    expect(exposureTime(trades, 0, 100 * H)).toBeCloseTo(0.3, 12);
    expect(exposureTime(trades, 0, 0)).toBe(0);
  });
});
