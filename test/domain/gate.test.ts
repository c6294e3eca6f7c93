import { evaluateLiveStepGate, evaluatePaperGate } from '../../domain/gate';
import { d } from '../../domain/money';
import { DAY, defaultConfig, trade } from './helpers';

const gate = defaultConfig().gate;
// 10 trades on 1000 notional: 6 × +20 (+2 %), 4 × −10 (−1 %), interleaved W L W L W L W L W W
// win rate 60 %; mean r = (0.12 − 0.04)/10 = 0.008; deviations +0.012 (×6), −0.018 (×4)
// Σ² = 6·0.000144 + 4·0.000324 = 0.000864 + 0.001296 = 0.00216; sample var = 0.00216/9 = 0.00024
// Sharpe = 0.008/√0.00024 → Sharpe² = 0.000064/0.00024 = 0.2666… → 0.5164 ≥ 0.5
// equity 10000 → worst dip 20 then −10: peak 10020 → 10010 = 0.0998 % ≤ 15 %
const pnls = ['20', '-10', '20', '-10', '20', '-10', '20', '-10', '20', '20'];
const good = pnls.map((p, i) => trade(i + 1, p));

describe('paper gate', () => {
  test('passes with every criterion listed', () => {
    const r = evaluatePaperGate({ trades: good, startedAt: 0, now: 7 * DAY, initialCapital: '10000', gate });
    expect(r.passed).toBe(true);
    expect(r.criteria.map((c) => c.name)).toEqual(['PAPER_PERIOD', 'WIN_RATE', 'SHARPE', 'MAX_DRAWDOWN', 'MIN_TRADES']);
    const by = Object.fromEntries(r.criteria.map((c) => [c.name, c]));
    expect(by.WIN_RATE).toMatchObject({ value: '60', threshold: '45', passed: true });
    expect(d(by.SHARPE!.value).toDecimalPlaces(4).toString()).toBe('0.5164');
    expect(by.MIN_TRADES).toMatchObject({ value: '10', threshold: '10' });
  });
  test('6 days in paper fails only PAPER_PERIOD, with its value', () => {
    const r = evaluatePaperGate({ trades: good, startedAt: 0, now: 6 * DAY, initialCapital: '10000', gate });
    expect(r.passed).toBe(false);
    expect(r.failed).toEqual([expect.objectContaining({ name: 'PAPER_PERIOD', value: String(6 * DAY), threshold: String(7 * DAY) })]);
    expect(r.criteria).toHaveLength(5);
  });
  test('9 trades fails MIN_TRADES; low win rate fails WIN_RATE and SHARPE', () => {
    // drop one loss: 6 × +0.02, 3 × −0.01 → mean 0.09/9 = 0.01, Σ² = 6·0.0001 + 3·0.0004 = 0.0018,
    // var = 0.0018/8 = 0.000225, sd 0.015 → Sharpe 0.666… still ≥ 0.5; only the count fails
    expect(evaluatePaperGate({ trades: good.filter((_, i) => i !== 1), startedAt: 0, now: 7 * DAY, initialCapital: '10000', gate }).failed.map((c) => c.name)).toEqual(['MIN_TRADES']);
    // 4 wins of 10 = 40 % < 45 %
    const bad = ['20', '-10', '20', '-10', '20', '-10', '20', '-10', '-10', '-10'].map((p, i) => trade(i + 1, p));
    const r = evaluatePaperGate({ trades: bad, startedAt: 0, now: 7 * DAY, initialCapital: '10000', gate });
    expect(r.failed.map((c) => c.name)).toEqual(['WIN_RATE', 'SHARPE']);
    expect(r.failed[0]!.value).toBe('40');
  });
  test('MAX_DRAWDOWN: capital 100, two −10 trades → 100 → 80 = 20 % > 15 %', () => {
    const r = evaluatePaperGate({ trades: [trade(1, '-10'), trade(2, '-10')], startedAt: 0, now: 7 * DAY, initialCapital: '100', gate });
    expect(r.criteria.find((c) => c.name === 'MAX_DRAWDOWN')).toMatchObject({ passed: false, value: '20', threshold: '15' });
    expect(r.criteria.find((c) => c.name === 'SHARPE')).toMatchObject({ passed: false, value: 'n/a' }); // zero stdev
  });
});

describe('live step gate: period elapsed and net P&L over the step > 0', () => {
  const start = 100 * DAY;
  const t = (at: number, pnl: string) => ({ closedAt: at, pnl });
  test('+5 − 3 = 2 > 0 after 7 days passes; the trade before the step is ignored', () => {
    const r = evaluateLiveStepGate({ trades: [t(start - 1, '-100'), t(start + DAY, '5'), t(start + 2 * DAY, '-3')], stepStartedAt: start, now: start + 7 * DAY, gate });
    expect(r.passed).toBe(true);
    expect(r.criteria.find((c) => c.name === 'NET_PNL')!.value).toBe('2');
  });
  test('net −1 fails NET_PNL; 6 days fails STEP_PERIOD; no trades = 0 fails', () => {
    expect(evaluateLiveStepGate({ trades: [t(start + 1, '-1')], stepStartedAt: start, now: start + 7 * DAY, gate }).failed.map((c) => c.name)).toEqual(['NET_PNL']);
    expect(evaluateLiveStepGate({ trades: [t(start + 1, '1')], stepStartedAt: start, now: start + 6 * DAY, gate }).failed.map((c) => c.name)).toEqual(['STEP_PERIOD']);
    expect(evaluateLiveStepGate({ trades: [], stepStartedAt: start, now: start + 7 * DAY, gate }).passed).toBe(false);
  });
  test('daily P&Ls: 0.1 + 0.2 − 0.3 = 0 is not profitable', () => {
    expect(evaluateLiveStepGate({ dailyPnls: ['0.1', '0.2', '-0.3'], stepStartedAt: 0, now: 7 * DAY, gate }).failed).toEqual([expect.objectContaining({ name: 'NET_PNL', value: '0' })]);
  });
});
