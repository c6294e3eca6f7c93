/** What one measured run is given (RunOptions) and what it measured (RunResult): see BENCHMARKS.md. */
import type { Dist } from './util';
import type { Kind } from './setup';

export interface RunOptions {
  kind: Kind;
  n: number;
  runIndex: number;
  /** first entry target after the strategy starts (or after the approval, live) */
  firstEntryDelayMs: number;
  /** entry targets spread evenly over this window */
  spreadMs: number;
  /** after all N are open, before the stop */
  settleMs: number;
  /** after the settle pause, write a heap snapshot of the worker (the stack's heapSnapshotDir) */
  heapSnapshot?: boolean;
  /** bound of each long wait (entries, exits, completions) */
  timeoutMs: number;
}

export interface RunResult {
  kind: Kind;
  n: number;
  run: number;
  strategyId: string;
  ok: boolean;
  error?: string;
  loadavg: { start: string; open: string; end: string };
  spreadMs: number;
  /** entry: per position ms */
  entry: {
    signalToAck: number[];
    targetToAck: number[];
    requestToDecision: number[];
    decisionToSchedule: number[];
    scheduleToRowCreated: number[];
    rowCreatedToAck: number[];
    lagBehindTarget: number[];
    /** position workflow started (spawned by the strategy) after its entry target: how late */
    spawnedLate: number[];
  };
  /** firstTargetAt: the first entry's scheduled target (paper: the strategy's start + firstEntryDelayMs) */
  entryPhase: { startedAt: number; firstTargetAt: number | null; allOpenAt: number; wallMs: number; skipped: number; failed: number };
  stop: {
    sentAt: number;
    /** update round trip (returns once the batch ran and every position was signalled) */
    updateReturnedMs: number | null;
    /** server records the emergencyStop update (accepted) */
    serverAcceptedMs: number | null;
    batchScheduledMs: number | null;
    batchStartedMs: number | null;
    batchCompletedMs: number | null;
    firstExitAckMs: number | null;
    allExitsAckedMs: number | null;
    exitAck: number[];
    lastExitSignalDeliveredMs: number | null;
    allPositionsCompletedMs: number | null;
    exitOrders: number;
    /** last exit Order row update (FILLED recorded; later touches included) */
    allExitsRecordedMs: number | null;
    /** when the bench's DB poll (every 100 ms) first saw all N exit rows FILLED */
    allFilledSeenMs: number | null;
    venueOrders: { entries: number; exits: number; duplicates: number };
    stopPhaseWft: { count: number; perSec: number | null; scheduleToStart: Dist };
    cpuCores: { worker: number | null; server: number | null };
  };
  rss: { atOpenKb: number | null; hwmAtOpenKb: number | null; hwmAfterStopKb: number | null; heapSnapshots?: string[]; perProcessAtOpenKb?: number[] };
  history: {
    perPosition: Dist;
    perStrategy: number;
    strategyRuns: number;
    wftCompleted: number;
    wallMs: number;
    wftPerSec: number | null;
    entryPhaseWftPerSec: number | null;
    /** workflow task failures / timeouts: strategy (all runs), positions */
    wftFailures: { strategyFailed: number; strategyTimedOut: number; positionsFailed: number; positionsTimedOut: number };
  };
  cpuCoresEntryPhase: { worker: number | null; server: number | null };
  warmup?: { gateMs: number; approvedAt: number };
}
