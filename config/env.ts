import { z } from 'zod';
import { parseDatabaseUrl, DEFAULT_DATABASE_URL } from '../db/url';
import { formatZodError, ConfigError } from './strategy-config';

/**
 * Process settings of the app (worker, CLI, main job). Temporal connection settings are NOT here:
 * they come from Temporal's own environment configuration (@temporalio/envconfig: TEMPORAL_ADDRESS,
 * TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TLS, TEMPORAL_PROFILE, temporal.toml) — see config/temporal.ts.
 */
/** the worker's workflow cache when WORKER_MAX_CACHED_WORKFLOWS is unset (see appEnvSchema) */
export const DEFAULT_MAX_CACHED_WORKFLOWS = 200;

const intFromEnv = (name: string, def: number, min = 1) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return def;
      if (!/^\d+$/.test(v) || Number(v) < min) {
        ctx.addIssue({ code: 'custom', message: `must be an integer >= ${min}, got "${v}"` });
        return z.NEVER;
      }
      return Number(v);
    })
    .describe(name);

export const appEnvSchema = z.object({
  DATABASE_URL: z
    .string()
    .optional()
    .transform((v, ctx) => {
      try {
        return parseDatabaseUrl(v || DEFAULT_DATABASE_URL);
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: (e as Error).message.replace(/^DATABASE_URL: /, '') });
        return z.NEVER;
      }
    }),
  TRADER_TASK_QUEUE: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,100}$/, 'must be 1-100 chars of letters, digits, ".", "_" or "-"')
    .default('unlock-trader'),
  /**
   * cached workflows per worker: the ones with work in flight (strategies, positions entering or
   * exiting), not every open position. A holding position gets no workflow task for hours; evicted,
   * it costs nothing until its exit, which replays its ~80 events first. 1000 open positions held
   * 504 MiB RSS with 200 (peak 595 with the stop of all 1000), 575–578 / 651–680 MiB with 300 and
   * 816 / 898 MiB with all 1000 cached; the stop's exits were acknowledged as fast (2.0 s), its
   * positions completed in 57 s instead of 39 s (the stop tells them in waves that stay cached:
   * workflows/strategy/emergency.ts; BENCHMARKS.md, issue 14, eighth session).
   */
  WORKER_MAX_CACHED_WORKFLOWS: intFromEnv('WORKER_MAX_CACHED_WORKFLOWS', DEFAULT_MAX_CACHED_WORKFLOWS),
  /** price watchers are long-running async activities: one slot per open position */
  WORKER_MAX_CONCURRENT_ACTIVITIES: intFromEnv('WORKER_MAX_CONCURRENT_ACTIVITIES', 2000),
  WORKER_SHUTDOWN_GRACE_MS: intFromEnv('WORKER_SHUTDOWN_GRACE_MS', 10_000, 0),
  /**
   * V8's full-GC limit = live heap × (1 + N / 100) in the worker (workers/v8-flags.ts); 0 = V8's own
   * adaptive factor (up to 4×). Off by default: 25 held 1000 open positions in 493 MiB but starved
   * the emergency batch of CPU (BENCHMARKS.md, issue 14, fifth session).
   */
  WORKER_HEAP_GROWING_PERCENT: intFromEnv('WORKER_HEAP_GROWING_PERCENT', 0, 0),
  /**
   * what this worker process polls: `all` (workflows and activities), or one of them, so that the
   * activities (the emergency batch, the price watchers, ccxt, Prisma) run in their own process
   */
  WORKER_ROLE: z.enum(['all', 'workflows', 'activities']).default('all'),
  LOG_LEVEL: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
});

export type AppEnv = z.output<typeof appEnvSchema>;

export function loadAppEnv(env: NodeJS.ProcessEnv = process.env): AppEnv {
  const r = appEnvSchema.safeParse(env);
  if (!r.success) throw new ConfigError(`invalid environment: ${formatZodError(r.error)}`);
  return r.data;
}
