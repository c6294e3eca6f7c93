/**
 * The sensible range of each bounded number of the strategy config: ONE table, read by the config's
 * zod schema (config/strategy-config.ts, at start and by `limits --set`) and by the strategy workflow's
 * own check of a limits update (workflows/strategy/limits-update.ts: a signal from the plain Temporal CLI
 * skips the CLI). Without them a stop loss of 100 % (stop price 0), a capital of 1e-24 (every entry then
 * refused) or a risk per trade of 1000 % were accepted (issue 17, defect 2).
 *
 * Why these numbers:
 *  - a stop loss is below 100 % (at 100 % the stop price is 0 and never triggers); a take profit up to
 *    1000 % (a tenfold move: beyond it the target is unreachable in practice);
 *  - risk per trade at most 10 % of capital: above that, three losses in a row lose a third of the account;
 *  - exposure, position size and loss limits are shares of the capital: at most 100 %;
 *  - spread, slippage and share of volume at most 100 % (they are shares of a price or of a volume);
 *  - a correlation limit is between 0 and 1 (r ranges over -1..1, but a negative limit would refuse
 *    uncorrelated and hedging pairs: domain/correlation.ts compares the signed r); a win rate between 0 and 100 %;
 *  - a correlation lookback of 5 to 365 days (fewer daily returns make r noise; more reach back a year);
 *  - the capital at least 10 quote units: venues' minimum order values are 5–10 USDT, so less cannot trade.
 */
export interface Bound {
  /** exclusive lower bound */
  gt?: number;
  /** inclusive lower bound */
  gte?: number;
  /** exclusive upper bound */
  lt?: number;
  /** inclusive upper bound */
  lte?: number;
  unit: '%' | 'quote units' | 'days' | '';
}

const pct = (over: Partial<Bound>): Bound => ({ gt: 0, lte: 100, unit: '%', ...over });

/** Config paths (ladder rungs as `ladder.*.<field>`) → their range. */
export const LIMIT_BOUNDS = {
  'capital.initial': { gte: 10, unit: 'quote units' },
  'tokenUnlock.stopLossPct': pct({ lte: undefined, lt: 100 }),
  'tokenUnlock.takeProfitPct': pct({ lte: 1000 }),
  'sizing.positionPct': pct({}),
  'risk.maxPositionPct': pct({}),
  'risk.weeklyLossPct': pct({}),
  'risk.monthlyLossPct': pct({}),
  'risk.maxDrawdownPct': pct({}),
  'risk.maxSpreadPct': pct({}),
  'risk.maxOrderPctOfVolume': pct({}),
  'risk.maxSlippagePct': pct({}),
  'risk.maxCorrelation': { gte: 0, lte: 1, unit: '' },
  'risk.correlationLookbackDays': { gte: 5, lte: 365, unit: 'days' },
  'ladder.*.riskPerTradePct': pct({ lte: 10 }),
  'ladder.*.maxExposurePct': pct({}),
  'ladder.*.dailyLossPct': pct({}),
  'gate.minWinRatePct': pct({ gt: undefined, gte: 0 }),
  'gate.maxDrawdownPct': pct({}),
} satisfies Record<string, Bound>;

export type BoundedPath = keyof typeof LIMIT_BOUNDS;

/** `ladder.LIVE_MINIMAL.riskPerTradePct` → `ladder.*.riskPerTradePct`; other paths as they are. */
export function boundedPathOf(path: string): BoundedPath | undefined {
  const key = path.replace(/^ladder\.[^.]+\./, 'ladder.*.');
  return key in LIMIT_BOUNDS ? (key as BoundedPath) : undefined;
}

/** The range in words: "> 0 and ≤ 10 %". */
export function describeBound(b: Bound): string {
  const parts = [b.gt !== undefined ? `> ${b.gt}` : b.gte !== undefined ? `≥ ${b.gte}` : '', b.lt !== undefined ? `< ${b.lt}` : b.lte !== undefined ? `≤ ${b.lte}` : ''].filter(Boolean);
  return `${parts.join(' and ')}${b.unit ? ` ${b.unit}` : ''}`;
}

/** Why `value` (a decimal string or number) is out of the range of `path`, or null (also for an unbounded path or a non-number: other checks own those). */
export function boundProblem(path: string, value: unknown, label = path): string | null {
  const key = boundedPathOf(path);
  if (!key) return null;
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(n)) return null;
  const b: Bound = LIMIT_BOUNDS[key];
  const ok = (b.gt === undefined || n > b.gt) && (b.gte === undefined || n >= b.gte) && (b.lt === undefined || n < b.lt) && (b.lte === undefined || n <= b.lte);
  return ok ? null : `${label} must be ${describeBound(b)}, got ${typeof value === 'string' ? value.trim() : value}`;
}
