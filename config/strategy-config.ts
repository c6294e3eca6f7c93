import * as ccxt from 'ccxt';
import { z } from 'zod';
import { durationMs, durationWithin } from './duration';
import type { ModeLimits, StrategyConfig } from '../domain/config-types';
import { LADDER_MODES, type LadderMode, type LiveMode } from '../domain/modes';
import { unreachableApprovals } from '../domain/approvals';
import { boundProblem, type BoundedPath } from '../domain/limit-bounds';

/**
 * The strategy config: the one document a trader writes. Validated here (clients, CLI, activities),
 * never inside workflow code: workflows receive the parsed, plain-JSON result, the domain's
 * `StrategyConfig` (domain/config-types.ts: its fields, units and conventions). The schema below is
 * checked against that type at compile time, so the two cannot drift apart.
 */
const decimalString = (what: string) =>
  z
    .union([z.string(), z.number()])
    .transform((v) => (typeof v === 'number' ? String(v) : v.trim()))
    .refine((v) => /^-?\d+(\.\d+)?$/.test(v), { message: `${what} must be a decimal number` });

const nonNegDecimal = (what: string) =>
  decimalString(what).refine((v) => !v.startsWith('-'), { message: `${what} must not be negative` });

const positiveDecimal = (what: string) =>
  decimalString(what).refine((v) => !v.startsWith('-') && /[1-9]/.test(v), { message: `${what} must be greater than 0` });

/** A decimal within its range of domain/limit-bounds.ts (the workflow's limits-update check reads the same table). */
const bounded = <T extends z.ZodType<string>>(path: BoundedPath, schema: T, label: string = path) =>
  schema.superRefine((v, ctx) => {
    const problem = boundProblem(path, v, label);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const modeLimitsSchema = z
  .object({
    riskPerTradePct: bounded('ladder.*.riskPerTradePct', positiveDecimal('riskPerTradePct'), 'riskPerTradePct'),
    maxExposurePct: bounded('ladder.*.maxExposurePct', positiveDecimal('maxExposurePct'), 'maxExposurePct'),
    dailyLossPct: bounded('ladder.*.dailyLossPct', positiveDecimal('dailyLossPct'), 'dailyLossPct'),
  })
  .strict();

/** The ladder from the live-trading controller report; each step is configurable. */
const DEFAULT_LADDER: Record<LadderMode, ModeLimits> = {
  PAPER: { riskPerTradePct: '0.5', maxExposurePct: '20', dailyLossPct: '5' },
  LIVE_MINIMAL: { riskPerTradePct: '0.1', maxExposurePct: '2', dailyLossPct: '1' },
  LIVE_SCALED_1: { riskPerTradePct: '0.25', maxExposurePct: '5', dailyLossPct: '2' },
  LIVE_SCALED_2: { riskPerTradePct: '0.5', maxExposurePct: '10', dailyLossPct: '2' },
  LIVE_SCALED_3: { riskPerTradePct: '1', maxExposurePct: '10', dailyLossPct: '2' },
};

/** One limits object per ladder mode, each defaulting to the report's numbers. */
function ladderSchema() {
  const rungs = {} as Record<LadderMode, z.ZodDefault<typeof modeLimitsSchema>>;
  for (const mode of LADDER_MODES) rungs[mode] = modeLimitsSchema.default(DEFAULT_LADDER[mode]);
  return z.object(rungs).strict().prefault({});
}

/** The shortest paper period the daily gate basis can judge (two daily returns). */
export const MIN_DAILY_BASIS_PERIOD_MS = 2 * 86_400_000;

/** Distinct approvals per live rung, each 1 (one approver) unless the config says more. */
function approvalsRequiredSchema() {
  const rungs = {} as Record<LiveMode, z.ZodDefault<z.ZodNumber>>;
  for (const mode of LADDER_MODES) if (mode !== 'PAPER') rungs[mode] = z.number().int().min(1).max(10).default(1);
  return z.object(rungs).strict().prefault({});
}

/** true when `id` is an exchange class ccxt ships (strategy configs' exchange.id, the EXCHANGE_* variables) */
export function isCcxtExchangeId(id: string): boolean {
  const known = ccxt.exchanges as unknown;
  return Array.isArray(known) ? known.includes(id) : typeof (ccxt as unknown as Record<string, unknown>)[id] === 'function';
}

export const strategyConfigSchema = z
  .object({
    strategyId: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'strategyId must be 1-40 chars of lowercase letters, digits and "-"'),
    name: z.string().max(200).optional(),
    strategy: z.string().default('token-unlock'),
    mode: z.literal('PAPER').default('PAPER'),
    exchange: z
      .object({
        // the venue the strategy trades on live (its keys: EXCHANGE_<ID>_API_KEY …, exchange/venue-env.ts)
        id: z
          .string()
          .default('binance')
          .superRefine((id, ctx) => {
            if (!isCcxtExchangeId(id)) ctx.addIssue({ code: 'custom', message: `exchange.id "${id}" is not a ccxt exchange id (e.g. binance, kraken, coinbase)` });
          }),
        sandbox: z.boolean().default(true),
        quoteCurrency: z.string().default('USDT'),
        feeRate: nonNegDecimal('exchange.feeRate').default('0.001'),
        session: z
          .object({
            timezone: z.string(),
            open: z.string().regex(/^\d{2}:\d{2}$/, 'open must be HH:MM'),
            close: z.string().regex(/^\d{2}:\d{2}$/, 'close must be HH:MM'),
            days: z.array(z.number().int().min(0).max(6)).min(1).default([1, 2, 3, 4, 5]),
            holidays: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/)).default([]),
          })
          .strict()
          .nullable()
          .default(null),
      })
      .strict()
      .prefault({}),
    capital: z
      .object({
        initial: bounded('capital.initial', positiveDecimal('capital.initial')).default('10000'),
        currency: z.string().default('USDT'),
      })
      .strict()
      .prefault({}),
    tokenUnlock: z
      .object({
        minUnlockPct: nonNegDecimal('tokenUnlock.minUnlockPct').default('5'),
        minVolume24hUsd: nonNegDecimal('tokenUnlock.minVolume24hUsd').default('1000000'),
        minChange7dPct: decimalString('tokenUnlock.minChange7dPct').default('-20'),
        entryLead: durationMs.default(24 * 3_600_000),
        entryTolerance: durationMs.default(2 * 3_600_000),
        exitAfterUnlock: durationMs.default(48 * 3_600_000),
        stopLossPct: bounded('tokenUnlock.stopLossPct', positiveDecimal('tokenUnlock.stopLossPct')).default('3'),
        takeProfitPct: bounded('tokenUnlock.takeProfitPct', positiveDecimal('tokenUnlock.takeProfitPct')).default('5'),
      })
      .strict()
      .prefault({}),
    sizing: z
      .object({
        positionPct: bounded('sizing.positionPct', positiveDecimal('sizing.positionPct')).default('10'),
      })
      .strict()
      .prefault({}),
    risk: z
      .object({
        maxPositionPct: bounded('risk.maxPositionPct', positiveDecimal('risk.maxPositionPct')).default('20'),
        maxOpenPositions: z.number().int().positive().default(5),
        weeklyLossPct: bounded('risk.weeklyLossPct', positiveDecimal('risk.weeklyLossPct')).default('10'),
        monthlyLossPct: bounded('risk.monthlyLossPct', positiveDecimal('risk.monthlyLossPct')).default('20'),
        maxDrawdownPct: bounded('risk.maxDrawdownPct', positiveDecimal('risk.maxDrawdownPct')).default('20'),
        maxConsecutiveLosses: z.number().int().positive().default(5),
        maxSpreadPct: bounded('risk.maxSpreadPct', positiveDecimal('risk.maxSpreadPct')).default('0.5'),
        maxOrderPctOfVolume: bounded('risk.maxOrderPctOfVolume', positiveDecimal('risk.maxOrderPctOfVolume')).default('1'),
        maxSlippagePct: bounded('risk.maxSlippagePct', positiveDecimal('risk.maxSlippagePct')).default('0.5'),
        maxLatencyMs: z.number().int().positive().default(2000),
        maxCorrelation: bounded('risk.maxCorrelation', decimalString('risk.maxCorrelation')).default('0.7'),
        correlationLookbackDays: z
          .number({ message: 'risk.correlationLookbackDays must be a whole number of days' })
          .int('risk.correlationLookbackDays must be a whole number of days')
          .superRefine((v, ctx) => {
            const problem = boundProblem('risk.correlationLookbackDays', v);
            if (problem) ctx.addIssue({ code: 'custom', message: problem });
          })
          .default(30),
        correlationAction: z.enum(['EMERGENCY_STOP', 'ALERT'], { message: "risk.correlationAction must be 'EMERGENCY_STOP' or 'ALERT'" }).default('EMERGENCY_STOP'),
      })
      .strict()
      .prefault({}),
    ladder: ladderSchema(),
    approvers: z.array(z.string().trim().min(1, 'approvers: a name must not be empty')).min(1, 'approvers: list at least one name, or leave the field out').optional(),
    approvalsRequired: approvalsRequiredSchema(),
    gate: z
      .object({
        paperPeriod: durationMs.default(7 * 86_400_000),
        minWinRatePct: bounded('gate.minWinRatePct', nonNegDecimal('gate.minWinRatePct')).default('45'),
        minSharpe: decimalString('gate.minSharpe').default('0.5'),
        maxDrawdownPct: bounded('gate.maxDrawdownPct', positiveDecimal('gate.maxDrawdownPct')).default('15'),
        minTrades: z.number().int().nonnegative().default(10),
        liveStepPeriod: durationMs.default(7 * 86_400_000),
        /** what the paper gate's Sharpe and drawdown are computed from: daily equity (×√365) or per trade (domain/gate.ts) */
        basis: z.enum(['daily', 'per-trade'], { message: "gate.basis must be 'daily' or 'per-trade'" }).optional(),
      })
      .strict()
      .prefault({})
      // a daily Sharpe needs at least two daily returns: a paper period shorter than two days (compressed
      // demos and tests) is judged per trade unless the config says otherwise, and cannot ask for daily
      .refine((g) => g.basis !== 'daily' || g.paperPeriod >= MIN_DAILY_BASIS_PERIOD_MS, {
        message: 'gate.basis daily needs gate.paperPeriod of at least 2 days (a daily Sharpe needs two daily returns); use per-trade',
        path: ['basis'],
      })
      .transform((g) => ({ ...g, basis: g.basis ?? (g.paperPeriod >= MIN_DAILY_BASIS_PERIOD_MS ? ('daily' as const) : ('per-trade' as const)) })),
    timing: z
      .object({
        scanInterval: durationMs.default(3_600_000),
        // the price watcher heartbeats on its own 10-s cadence whatever this is (exchange/market-data/price-feed.ts);
        // the bounds are about the venue's rate limit and about a stop that is checked at all
        priceCheckInterval: durationWithin(100, 3_600_000, 'faster floods the venue, slower is no stop').default(5_000),
        emergencyCooldown: durationMs.default(24 * 3_600_000),
        tradingDay: durationMs.default(86_400_000),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((c, ctx) => {
    const problem = unreachableApprovals(c.approvers, c.approvalsRequired);
    if (problem) ctx.addIssue({ code: 'custom', path: ['approvalsRequired'], message: problem });
  });

export type StrategyConfigInput = z.input<typeof strategyConfigSchema>;

/** True only when A and B are the same type (not merely assignable: an extra optional field fails too). */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compile-time check: the schema parses to exactly the domain's StrategyConfig. */
const schemaMatchesDomain: Same<z.output<typeof strategyConfigSchema>, StrategyConfig> = true;
void schemaMatchesDomain;

/** One actionable line per problem, naming the field: `capital.initial: must be greater than 0`. */
export function formatZodError(err: z.ZodError): string {
  return err.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`).join('; ');
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function parseStrategyConfig(input: unknown): StrategyConfig {
  const r = strategyConfigSchema.safeParse(input);
  if (!r.success) throw new ConfigError(`invalid strategy config: ${formatZodError(r.error)}`);
  return r.data;
}
