import { z } from 'zod';

/**
 * Durations in configs are written for humans ("24h", "90m", "7d", "500ms") or as milliseconds.
 * Every duration in the product comes from config so demos and tests compress days into minutes.
 */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(input: string | number): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) throw new Error(`duration must be a non-negative number of ms, got ${input}`);
    return input;
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(input);
  if (!m) throw new Error(`"${input}" is not a duration: use e.g. "500ms", "30s", "15m", "24h", "7d"`);
  return Math.round(Number(m[1]) * UNIT_MS[m[2]!]!);
}

/** zod field: accepts "24h"-style strings or ms numbers, yields ms. */
export const durationMs = z.union([z.string(), z.number()]).transform((v, ctx) => {
  try {
    return parseDuration(v);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
    return z.NEVER;
  }
});

/** "500ms", "5m", "1h": the shortest way to write `ms` in the units durations are written in. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1_000]] as const) if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

/** zod field: a duration within [minMs, maxMs]; outside it, one line naming the range and the value. */
export function durationWithin(minMs: number, maxMs: number, why: string) {
  return durationMs.refine((v) => v >= minMs && v <= maxMs, {
    error: (iss) => `must be from ${formatDuration(minMs)} to ${formatDuration(maxMs)} (${why}), got ${formatDuration(Number(iss.input))}`,
  });
}
