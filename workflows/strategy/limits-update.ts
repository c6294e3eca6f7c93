/**
 * The limits-update check: light checks of a limits update inside the workflow (zod stays out of the
 * bundle; the CLI validates fully before sending). Signals from the plain Temporal CLI reach this
 * without the CLI's checks. Pure.
 */
import { isLadderMode } from '../../domain/modes';
import { boundProblem } from '../../domain/limit-bounds';
import type { LimitsUpdate } from './api';

/** The config's risk fields that are integers; test/proof/bad-input.test.ts checks both lists against the schema. */
export const INTEGER_RISK_FIELDS = new Set(['maxOpenPositions', 'maxConsecutiveLosses', 'maxLatencyMs', 'correlationLookbackDays']);
export const DECIMAL_RISK_FIELDS = new Set(['maxPositionPct', 'weeklyLossPct', 'monthlyLossPct', 'maxDrawdownPct', 'maxSpreadPct', 'maxOrderPctOfVolume', 'maxSlippagePct', 'maxCorrelation']);
/** The config's risk fields that take one of a few words. */
export const CHOICE_RISK_FIELDS: Record<string, readonly string[]> = { correlationAction: ['EMERGENCY_STOP', 'ALERT'] };
const LADDER_LIMIT_FIELDS = ['riskPerTradePct', 'maxExposurePct', 'dailyLossPct'];

/**
 * Why this limits update is refused, or null when it may be applied. `withBounds`: also the ranges of
 * domain/limit-bounds.ts (the config's own); false only to replay runs recorded before patch
 * `limit-bounds-v1`, which applied e.g. a risk per trade of 1000 %.
 */
export function limitsUpdateProblem(u: LimitsUpdate | undefined, withBounds: boolean): string | null {
  if (!u || typeof u !== 'object') return 'a limits update must be an object: { "risk": {...}, "ladder": {...} }';
  const decimal = /^\d+(\.\d+)?$/;
  for (const [k, v] of Object.entries(u.risk ?? {})) {
    // only the fields of the config's risk section, each with its own shape (integers stay integers)
    if (INTEGER_RISK_FIELDS.has(k)) {
      if (!(typeof v === 'number' && Number.isInteger(v) && v > 0)) return `risk.${k} must be a positive integer, got ${JSON.stringify(v)}`;
      const outOfRange = withBounds && boundProblem(`risk.${k}`, v);
      if (outOfRange) return outOfRange;
      continue;
    }
    const choices = CHOICE_RISK_FIELDS[k];
    if (choices) {
      if (!choices.includes(v as string)) return `risk.${k} must be one of ${choices.join(', ')}, got ${JSON.stringify(v)}`;
      continue;
    }
    if (!DECIMAL_RISK_FIELDS.has(k)) return `risk.${k} is not a risk limit (fields: ${[...INTEGER_RISK_FIELDS, ...DECIMAL_RISK_FIELDS, ...Object.keys(CHOICE_RISK_FIELDS)].join(', ')})`;
    if (typeof v === 'number' ? !(v > 0) : !(typeof v === 'string' && decimal.test(v) && Number(v) > 0)) return `risk.${k} must be a positive number, got ${JSON.stringify(v)}`;
    const outOfRange = withBounds && boundProblem(`risk.${k}`, v);
    if (outOfRange) return outOfRange;
  }
  for (const [rung, lim] of Object.entries(u.ladder ?? {})) {
    if (!isLadderMode(rung)) return `ladder.${rung} is not a mode of the ladder`;
    for (const [k, v] of Object.entries(lim ?? {})) {
      if (!LADDER_LIMIT_FIELDS.includes(k)) return `ladder.${rung}.${k} is not a limit`;
      if (!(typeof v === 'string' && decimal.test(v) && Number(v) > 0)) return `ladder.${rung}.${k} must be a positive decimal string, got ${JSON.stringify(v)}`;
      const outOfRange = withBounds && boundProblem(`ladder.${rung}.${k}`, v);
      if (outOfRange) return outOfRange;
    }
  }
  return null;
}
