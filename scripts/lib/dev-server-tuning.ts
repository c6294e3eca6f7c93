/**
 * The dev server's tuned settings: the one owner of them. `npm run server`, the main job, the tests'
 * and the benchmark's dev servers pass them (scripts/lib/dev-server.ts); the cluster path reads the
 * same dynamic-config values from deploy/dynamicconfig.yaml (test/foundation/compose.test.ts checks
 * that the file says what this list says).
 *
 * Why (shared/notes/dev-server-tuning.md, bare-SDK worker, default vs tuned, same machine): a 100-way
 * signal fan-out 1.47 s → 0.57 s, client workflow starts 104/s → 243/s, 1,000 queued first tasks
 * drained 67 → 84 tasks/s with 38 % less server CPU. `TEMPORAL_DEV_SERVER_TUNING=off` starts the
 * default server instead, for side-by-side measurements (npm run bench).
 */

/** SQLite pragmas of the dev server's own database (history, visibility). */
export const DEV_SERVER_SQLITE_PRAGMAS: ReadonlyArray<{ pragma: string; value: string; why: string }> = [
  {
    pragma: 'journal_mode',
    value: 'wal',
    why: 'write-ahead log: readers (pollers, visibility) no longer wait behind each history write',
  },
  {
    pragma: 'synchronous',
    value: 'normal',
    why: 'with WAL, fsync at checkpoints instead of every commit; a process crash loses nothing, a power loss can lose the last transactions but never corrupts the file',
  },
];

/** Dynamic-config values (the same keys a cluster reads from its dynamic config file). */
export const DEV_SERVER_DYNAMIC_CONFIG: ReadonlyArray<{ key: string; value: string | number | boolean; why: string }> = [
  {
    key: 'history.shardIOConcurrency',
    value: 16,
    why: 'the dev server has one history shard; by default it makes one persistence call at a time, which serialises every workflow task of every workflow',
  },
  {
    key: 'system.enableActivityEagerExecution',
    value: true,
    why: 'a workflow task that schedules an activity can hand it to the same worker in its completion reply, saving a matching round trip per activity',
  },
  {
    key: 'history.transferProcessorMaxPollRPS',
    value: 2000,
    why: 'transfer tasks (child starts, signals to other workflows, activity dispatch) drain faster in a burst such as an emergency fan-out',
  },
  {
    key: 'history.timerProcessorMaxPollRPS',
    value: 2000,
    why: 'timers that fire together (many positions entering at one unlock) are processed without the default rate cap',
  },
];

export function devServerTuningEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return (env.TEMPORAL_DEV_SERVER_TUNING ?? 'on').toLowerCase() !== 'off';
}

/** The `temporal server start-dev` flags for the settings above. */
export function devServerTuningArgs(): string[] {
  const args: string[] = [];
  for (const p of DEV_SERVER_SQLITE_PRAGMAS) args.push('--sqlite-pragma', `${p.pragma}=${p.value}`);
  for (const c of DEV_SERVER_DYNAMIC_CONFIG) args.push('--dynamic-config-value', `${c.key}=${JSON.stringify(c.value)}`);
  return args;
}
