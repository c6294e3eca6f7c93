import { closedTrade, positionPnl, strategyPnl, sumDecimals, unrealizedPnl } from '../../domain/pnl';
import { computeMetrics, equityCurve, exposureTimePct, maxDrawdownPct, pearsonCorrelation, sharpeRatio, sortinoRatio } from '../../domain/metrics';
import { d } from '../../domain/money';
import { trade } from './helpers';

describe('P&L, exact decimals', () => {
  test('0.1 + 0.2 = "0.3" through the P&L path (floats give 0.30000000000000004)', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    // (1.1 − 1.0)·1 = 0.1 and (2.2 − 2.0)·1 = 0.2; as floats 1.1 − 1 = 0.10000000000000009
    const a = closedTrade({ positionId: 'a', symbol: 'X', entryPrice: '1.0', exitPrice: '1.1', quantity: '1', openedAt: 0, closedAt: 1, exitReason: 'TAKE_PROFIT' });
    const b = closedTrade({ positionId: 'b', symbol: 'X', entryPrice: '2.0', exitPrice: '2.2', quantity: '1', openedAt: 0, closedAt: 2, exitReason: 'TAKE_PROFIT' });
    expect([a.pnl, b.pnl]).toEqual(['0.1', '0.2']);
    expect(sumDecimals([a.pnl, b.pnl])).toBe('0.3');
    expect(strategyPnl([a, b]).realized).toBe('0.3');
    expect(computeMetrics([a, b], '100').totalPnl).toBe('0.3');
    expect(sumDecimals(['0.1', '0.2'])).toBe('0.3');
  });
  test('positionPnl: (110 − 100)·2 = 20 gross, fees 0.2 + 0.22 = 0.42, net 19.58, 19.58/200 = 9.79%', () => {
    expect(positionPnl({ entryPrice: '100', exitPrice: '110', quantity: '2', entryFee: '0.2', exitFee: '0.22' })).toEqual({
      pnl: '19.58',
      grossPnl: '20',
      fees: '0.42',
      notional: '200',
      returnPct: '9.79',
    });
  });
  test('unrealizedPnl: (95 − 100)·2 − 0.2 − 95·2·0.001 = −10 − 0.2 − 0.19 = −10.39', () => {
    expect(unrealizedPnl({ entryPrice: '100', price: '95', quantity: '2', entryFee: '0.2', feeRate: '0.001' })).toBe('-10.39');
    expect(unrealizedPnl({ entryPrice: '100', price: '95', quantity: '2' })).toBe('-10');
  });
  test('strategyPnl adds realized and unrealized', () => {
    expect(strategyPnl([{ pnl: '5.5' }, { pnl: '-1.25' }], ['0.75'])).toEqual({ realized: '4.25', unrealized: '0.75', total: '5' });
  });
});

describe('metrics on a fixed series: notional 1000 each, pnl +20, −10, +30, −20 → returns .02, −.01, .03, −.02', () => {
  const trades = ['20', '-10', '30', '-20'].map((p, i) => trade(i, p));
  const m = computeMetrics(trades, '10000');
  test('counts and averages', () => {
    expect(m).toMatchObject({ tradeCount: 4, wins: 2, losses: 2, winRatePct: '50', avgWin: '25', avgLoss: '-15', totalPnl: '20', finalEquity: '10020', returnPct: '0.2' });
    expect(m.returns).toEqual(['0.02', '-0.01', '0.03', '-0.02']);
  });
  test('profit factor = 50 / 30 = 1.666…', () => expect(d(m.profitFactor!).toDecimalPlaces(10).toString()).toBe('1.6666666667'));
  // mean = 0.02/4 = 0.005; deviations ±0.015, ±0.025 → Σ² = 2·0.000225 + 2·0.000625 = 0.0017;
  // sample var = 0.0017/3; Sharpe = 0.005 / √(0.0017/3) → Sharpe² = 0.000025·3/0.0017 = 3/68 → Sharpe = 0.2100420126…
  test('Sharpe (per trade, sample stdev, not annualised) = √(3/68)', () => {
    expect(d(m.sharpe!).toDecimalPlaces(10).toString()).toBe(d(3).div(68).sqrt().toDecimalPlaces(10).toString());
    expect(d(m.sharpe!).toDecimalPlaces(6).toString()).toBe('0.210042');
  });
  // downside: (0.01² + 0.02²)/4 = 0.0005/4 = 0.000125; Sortino = 0.005/√0.000125 → Sortino² = 0.000025/0.000125 = 0.2 → 0.4472135955
  test('Sortino (target 0, divide by all n) = √0.2', () => expect(d(m.sortino!).toDecimalPlaces(10).toString()).toBe('0.4472135955'));
  // equity 10000, 10020, 10010, 10040, 10020 → worst fall 10040 → 10020 = 20/10040 = 0.19920318…%
  test('max drawdown on the equity curve from initial capital', () => {
    expect(equityCurve(trades, '10000').map((p) => p.equity)).toEqual(['10000', '10020', '10010', '10040', '10020']);
    expect(d(m.maxDrawdownPct).toDecimalPlaces(8).toString()).toBe('0.19920319');
  });
  test('undefined ratios are null', () => {
    expect(sharpeRatio(['0.01'])).toBeNull();
    expect(sharpeRatio(['0.01', '0.01'])).toBeNull(); // zero stdev
    expect(sortinoRatio(['0.01', '0.02'])).toBeNull(); // no downside
    expect(computeMetrics([trade(0, '5')], '100').profitFactor).toBeNull();
  });
});

describe('drawdown on a known curve', () => {
  // peaks 120 → 90 = 25 %, 130 → 104 = 20 % → max 25
  test('[100, 120, 90, 130, 104] → 25', () => expect(maxDrawdownPct(['100', '120', '90', '130', '104'])).toBe('25'));
  test('monotonic → 0', () => expect(maxDrawdownPct(['1', '2', '3'])).toBe('0'));
});

describe('exposure and correlation', () => {
  // [0,10] ∪ [5,15] ∪ [20,30] covers 15 + 10 = 25 of 30 → 83.33…%
  test('time in market', () => expect(d(exposureTimePct([{ openedAt: 0, closedAt: 10 }, { openedAt: 5, closedAt: 15 }, { openedAt: 20, closedAt: 30 }])).toDecimalPlaces(4).toString()).toBe('83.3333'));
  // a = 1,2,3, b = 1,3,2: deviations (−1,0,1) and (−1,1,0): Σab = 1, Σa² = 2, Σb² = 2 → 1/2
  test('pearson', () => {
    expect(pearsonCorrelation(['1', '2', '3'], ['1', '3', '2'])).toBe('0.5');
    expect(pearsonCorrelation(['1', '2', '3', '4'], ['2', '4', '6', '8'])).toBe('1');
    expect(pearsonCorrelation(['1', '2'], ['1', '2'])).toBeNull();
  });
});
