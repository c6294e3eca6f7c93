/**
 * Environment the worker PROCESS starts with: read by the C library and by node when the process
 * starts, so it cannot be set from inside workers/main.ts. `npm run worker` (package.json),
 * docker-compose.yml, the main job and the benchmark start the worker with it.
 *
 * MALLOC_ARENA_MAX=2: the worker's native side (the Temporal core's threads, libsql, the workflow
 * thread) allocates from many threads, and glibc gives each thread its own 64 MiB arena, which keeps
 * freed memory fragmented per thread. Two arenas: 300 open paper positions in 437 MiB RSS (peak 535)
 * against 506–606 MiB (peak 665) with glibc's default, on the same machine the same hour
 * (BENCHMARKS.md, issue 14). No effect under musl or another allocator.
 *
 * NODE_OPTIONS gains the V8 heap sizes of the main thread (WORKER_V8_FLAGS: workers/v8-flags.ts says
 * why; the workflow threads get them from there), each appended to the caller's NODE_OPTIONS unless
 * that already sets it.
 */
import { missingWorkerV8Flags, WORKER_V8_FLAGS } from './v8-flags';

export const WORKER_PROCESS_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };

/** WORKER_PROCESS_ENV under what the caller's environment already sets (an operator's own value wins). */
export function workerProcessEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(WORKER_PROCESS_ENV)) out[k] = env[k] ?? v;
  const nodeOptions = env.NODE_OPTIONS ?? '';
  out.NODE_OPTIONS = [nodeOptions, ...missingWorkerV8Flags(WORKER_V8_FLAGS, [], nodeOptions)].filter(Boolean).join(' ');
  return out;
}

/**
 * How node loads the worker's TypeScript: `node --require tsx/cjs workers/main.ts` (package.json,
 * Dockerfile, the benchmark, the proofs). tsx's CommonJS hook is all the worker needs (the project is
 * CommonJS); `--import tsx` also registers its ESM hooks, which node 20 runs on a loader thread of
 * its own, and the `tsx` command adds a parent process: ~20–35 MiB of RSS each (issue 14).
 */
export const WORKER_TS_LOADER: readonly string[] = ['--require', 'tsx/cjs'];
