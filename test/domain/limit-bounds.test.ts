/**
 * Issue 17, defect 2: the config's bounded numbers have ranges (domain/limit-bounds.ts), applied by the
 * zod schema (start, `limits --set`) and by the workflow's own check of a limits update, from one table.
 */
import { parseStrategyConfig, strategyConfigSchema } from '../../config/strategy-config';
import { LIMIT_BOUNDS, boundProblem } from '../../domain/limit-bounds';
import { limitsUpdateProblem } from '../../workflows/strategy/limits-update';

const start = (over: Record<string, unknown>) => () => parseStrategyConfig({ strategyId: 'b', ...over });

test.each([
  ['a stop loss of 100 % (stop price 0)', { tokenUnlock: { stopLossPct: '100' } }, /tokenUnlock\.stopLossPct: tokenUnlock\.stopLossPct must be > 0 and < 100 %, got 100/],
  ['a capital that cannot trade', { capital: { initial: '0.000000000000000000000001' } }, /capital\.initial must be ≥ 10 quote units, got 0\.000000000000000000000001/],
  ['a risk per trade of 1000 %', { ladder: { LIVE_MINIMAL: { riskPerTradePct: '1000', maxExposurePct: '2', dailyLossPct: '1' } } }, /ladder\.LIVE_MINIMAL\.riskPerTradePct: riskPerTradePct must be > 0 and ≤ 10 %, got 1000/],
  ['an exposure over 100 %', { ladder: { PAPER: { riskPerTradePct: '1', maxExposurePct: '150', dailyLossPct: '1' } } }, /maxExposurePct must be > 0 and ≤ 100 %/],
  ['a take profit over 1000 %', { tokenUnlock: { takeProfitPct: '1001' } }, /tokenUnlock\.takeProfitPct must be > 0 and ≤ 1000 %/],
  ['a correlation over 1', { risk: { maxCorrelation: '1.5' } }, /risk\.maxCorrelation must be ≥ 0 and ≤ 1, got 1\.5/],
  ['a negative correlation limit', { risk: { maxCorrelation: '-0.2' } }, /risk\.maxCorrelation must be ≥ 0 and ≤ 1, got -0\.2/],
  ['a correlation lookback of 2 days', { risk: { correlationLookbackDays: 2 } }, /risk\.correlationLookbackDays: risk\.correlationLookbackDays must be ≥ 5 and ≤ 365 days, got 2/],
  ['a fractional correlation lookback', { risk: { correlationLookbackDays: 7.5 } }, /risk\.correlationLookbackDays: risk\.correlationLookbackDays must be a whole number of days/],
  ['a correlation lookback as text', { risk: { correlationLookbackDays: '30d' } }, /risk\.correlationLookbackDays: risk\.correlationLookbackDays must be a whole number of days/],
  ['an unknown correlation action', { risk: { correlationAction: 'PANIC' } }, /risk\.correlationAction: risk\.correlationAction must be 'EMERGENCY_STOP' or 'ALERT'/],
])('the config refuses %s', (_what, over, pattern) => {
  expect(start(over)).toThrow(pattern);
});

test('values at the edges of the ranges are accepted; the defaults are inside them', () => {
  const c = parseStrategyConfig({ strategyId: 'b', capital: { initial: '10' }, tokenUnlock: { stopLossPct: '99.9', takeProfitPct: '1000' }, ladder: { PAPER: { riskPerTradePct: '10', maxExposurePct: '100', dailyLossPct: '100' } } });
  expect(c.capital.initial).toBe('10');
  expect(strategyConfigSchema.safeParse({ strategyId: 'b' }).success).toBe(true);
});

test("the workflow's check of a limits update applies the same ranges (and the pre-patch check did not)", () => {
  const tooRisky = { ladder: { LIVE_MINIMAL: { riskPerTradePct: '1000' } } };
  expect(limitsUpdateProblem(tooRisky, true)).toBe('ladder.LIVE_MINIMAL.riskPerTradePct must be > 0 and ≤ 10 %, got 1000');
  expect(limitsUpdateProblem(tooRisky, false)).toBeNull();
  expect(limitsUpdateProblem({ risk: { maxDrawdownPct: '101' } }, true)).toBe('risk.maxDrawdownPct must be > 0 and ≤ 100 %, got 101');
  expect(limitsUpdateProblem({ risk: { maxDrawdownPct: '30' }, ladder: { PAPER: { riskPerTradePct: '2' } } }, true)).toBeNull();
});

test('every bounded path is a field of the config schema', () => {
  type Section = { unwrap?: () => { shape: Record<string, unknown> }; in?: Section };
  const shape = strategyConfigSchema.shape as unknown as Record<string, Section>;
  // a section with a default unwraps to its object; one with a transform (gate) is a pipe around that
  const objectOf = (s: Section): { shape: Record<string, unknown> } => (s.unwrap ? s.unwrap() : objectOf(s.in!));
  for (const path of Object.keys(LIMIT_BOUNDS)) {
    const [section, field, leaf] = path.split('.') as [string, string, string?];
    const sectionShape = objectOf(shape[section]!).shape;
    if (section === 'ladder') expect(Object.keys((sectionShape.PAPER as { unwrap(): { shape: object } }).unwrap().shape)).toContain(leaf);
    else expect(Object.keys(sectionShape)).toContain(field);
  }
  expect(boundProblem('risk.maxOpenPositions', 1e9)).toBeNull();
});

test("the workflow's check of a limits update knows the correlation settings: their shapes and ranges", () => {
  expect(limitsUpdateProblem({ risk: { correlationAction: 'PANIC' as never } }, true)).toBe('risk.correlationAction must be one of EMERGENCY_STOP, ALERT, got "PANIC"');
  expect(limitsUpdateProblem({ risk: { correlationLookbackDays: 400 } }, true)).toBe('risk.correlationLookbackDays must be ≥ 5 and ≤ 365 days, got 400');
  expect(limitsUpdateProblem({ risk: { correlationLookbackDays: 2.5 } }, true)).toBe('risk.correlationLookbackDays must be a positive integer, got 2.5');
  expect(limitsUpdateProblem({ risk: { maxCorrelation: '0.5', correlationAction: 'ALERT', correlationLookbackDays: 60 } }, true)).toBeNull();
});
