/**
 * V8 heap settings of the worker process (issue 14, BENCHMARKS.md "Issue 14, fifth session"): the
 * worker's JS heaps (the main thread: activities, ccxt, Prisma; the workflow thread: every cached
 * workflow) are mostly short-lived garbage between collections, and V8's defaults let a heap grow
 * to several times its live size before a full collection (a growing factor of up to 4 when
 * allocation is fast) and give each isolate a 2 × 16 MiB young generation.
 *
 *   --heap-growing-percent=25  the next full-GC limit is the live size + 25 %: the peak of an
 *                              emergency stop (1000 exits) was garbage, 431 MiB used → 182 MiB after
 *                              one full collection (mem-probe, same run);
 *   --max-semi-space-size=4    young generation 2 × 4 MiB per isolate instead of 2 × 16 MiB.
 *
 * Both cost CPU (more collections); neither caps the heap (no out-of-memory risk from a big book).
 * Applied by applyWorkerV8Flags() at the start of the worker process: the growing factor is read at
 * every collection; the semi-space size only when an isolate is created, so it reaches the workflow
 * threads (created later) from here and the main thread only through NODE_OPTIONS
 * (workers/process-env.ts). A flag the operator already gave (NODE_OPTIONS or the command line) wins.
 */
import { setFlagsFromString } from 'node:v8';

export const WORKER_V8_FLAGS: readonly string[] = ['--heap-growing-percent=25', '--max-semi-space-size=4'];

const nameOf = (flag: string) => flag.split('=')[0]!;

/** The flags of WORKER_V8_FLAGS that neither the command line nor NODE_OPTIONS sets. */
export function missingWorkerV8Flags(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): string[] {
  const given = [...execArgv, ...nodeOptions.split(/\s+/)].map(nameOf).map((n) => n.replace(/_/g, '-'));
  return WORKER_V8_FLAGS.filter((f) => !given.includes(nameOf(f)));
}

/** Applies the missing flags to this process (before the SDK starts its workflow threads). */
export function applyWorkerV8Flags(): string[] {
  const flags = missingWorkerV8Flags();
  for (const f of flags) setFlagsFromString(f);
  return flags;
}
