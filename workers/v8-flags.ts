/**
 * V8 heap settings of the worker process (issue 14, BENCHMARKS.md "Issue 14, fifth session"). The
 * worker's JS heaps (the main thread: activities, ccxt, Prisma; the workflow thread: the cached
 * workflows) hold mostly short-lived garbage between collections, and V8's defaults give each isolate
 * a 2 × 16 MiB young generation and let the old generation grow to up to 4× its live size.
 *
 *   --max-semi-space-size=4        young generation 2 × 4 MiB per isolate (always);
 *   --max-old-space-size=1024      old generation at most 1 GiB per isolate (always). Not for the cap
 *                                  itself (1000 open positions live in ~150 MiB on the main thread and
 *                                  ~250 MiB on the workflow thread, a full cache of 2000 in ~500 MiB):
 *                                  V8 lets an old generation grow to 4× its live size between full
 *                                  collections only when the heap may reach 2 GiB or more (64-bit,
 *                                  no pointer compression; the default here is ~4 GiB), and scales
 *                                  that factor down towards 1.3 below. At 1 GiB it is ~1.6: the
 *                                  emergency stop of 1000 no longer grows the main thread's heap from
 *                                  ~220 to ~580 MiB of mostly garbage (peak RSS 898 MiB against 1308,
 *                                  all open 816 against 926; the stop as fast: BENCHMARKS.md, issue 14,
 *                                  eighth session);
 *   --heap-growing-percent=N       full-GC limit = live × (1 + N/100), only when
 *                                  WORKER_HEAP_GROWING_PERCENT is set: with 25, 1000 open positions
 *                                  held 493 MiB, but the emergency batch ran 5× slower (the main
 *                                  thread collecting instead of working), so it is not the default.
 *
 * applyWorkerV8Flags() runs at the start of the worker process, before the SDK starts its workflow
 * thread: both sizes are read when an isolate is created, so from here they reach the workflow
 * thread and the main thread only through NODE_OPTIONS (workers/process-env.ts); the
 * growing factor is read at every collection. A flag the operator already gave (NODE_OPTIONS or the
 * command line) wins.
 */
import { setFlagsFromString } from 'node:v8';

export const WORKER_V8_FLAGS: readonly string[] = ['--max-semi-space-size=4', '--max-old-space-size=1024'];

const nameOf = (flag: string) => flag.split('=')[0]!.replace(/_/g, '-');

/** The wanted flags that neither the command line nor NODE_OPTIONS sets. */
export function missingWorkerV8Flags(wanted: readonly string[] = WORKER_V8_FLAGS, execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): string[] {
  const given = [...execArgv, ...nodeOptions.split(/\s+/)].map(nameOf);
  return wanted.filter((f) => !given.includes(nameOf(f)));
}

/** Applies the missing flags to this process; `heapGrowingPercent` 0 leaves V8's own factor. */
export function applyWorkerV8Flags(heapGrowingPercent = 0): string[] {
  const flags = missingWorkerV8Flags([...WORKER_V8_FLAGS, ...(heapGrowingPercent > 0 ? [`--heap-growing-percent=${heapGrowingPercent}`] : [])]);
  for (const f of flags) setFlagsFromString(f);
  return flags;
}
