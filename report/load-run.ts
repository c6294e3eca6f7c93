/**
 * One way to load any run for the report: `backtest:<runId>` from the backtest store (backtest/store.ts,
 * `loadBacktestRun`), anything else a strategy id from the app DB (load-strategy-run.ts).
 * The backtest store is imported lazily, by a computed path, so the report works in a build that has no
 * backtest room yet and says so clearly.
 */
import type { Db } from '../db/client';
import type { RunRecord } from '../domain/run-record';
import { loadStrategyRun, RunNotFoundError, type StrategyRunOptions } from './load-strategy-run';

export { RunNotFoundError };

export const BACKTEST_PREFIX = 'backtest:';
const STRATEGY_ID_RE = /^[a-z0-9][a-z0-9-]{0,39}$/;
const RUN_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$/;
const BACKTEST_STORE = '../backtest/store';

type BacktestStore = { loadBacktestRun?: (db: Db, runId: string) => Promise<RunRecord | null | undefined> };

/** Checks a run reference's shape (no I/O); returns what it names. */
export function parseRunRef(ref: string): { kind: 'backtest'; runId: string } | { kind: 'strategy'; strategyId: string } {
  if (ref.startsWith(BACKTEST_PREFIX)) {
    const runId = ref.slice(BACKTEST_PREFIX.length);
    if (!RUN_ID_RE.test(runId)) throw new RunNotFoundError(`"${ref}" is not a backtest run reference (backtest:<runId>, the id the backtest printed)`);
    return { kind: 'backtest', runId };
  }
  if (!STRATEGY_ID_RE.test(ref)) throw new RunNotFoundError(`"${ref}" is neither a strategy id (1-40 chars of lowercase letters, digits and "-") nor backtest:<runId>`);
  return { kind: 'strategy', strategyId: ref };
}

async function backtestStore(): Promise<BacktestStore> {
  try {
    return (await import(BACKTEST_STORE)) as BacktestStore;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'MODULE_NOT_FOUND' && err.message.includes('backtest/store')) throw new RunNotFoundError('backtest runs cannot be read: this build has no backtest store (backtest/store.ts)');
    throw e;
  }
}

export async function loadRun(db: Db, ref: string, opts: StrategyRunOptions = {}): Promise<RunRecord> {
  const what = parseRunRef(ref);
  if (what.kind === 'strategy') return loadStrategyRun(db, what.strategyId, opts);
  const store = await backtestStore();
  if (typeof store.loadBacktestRun !== 'function') throw new RunNotFoundError('backtest runs cannot be read: backtest/store.ts has no loadBacktestRun(db, runId)');
  const record = await store.loadBacktestRun(db, what.runId);
  if (!record) throw new RunNotFoundError(`no backtest run "${what.runId}" in the database`);
  return record;
}
