/**
 * The strategy workflow's state: what continue-as-new carries (StrategyCarried), the workflow input,
 * and StrategyRun, the one object the rule modules beside the workflow read and change: the carried
 * state, the live config, the wake-up and risk-to-save flags, and the figures derived from the book.
 * Deterministic: no clock or I/O beyond what Temporal replays (search attributes).
 */
import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import { initialRiskState, type RiskState } from '../../domain/risk';
import type { GateResult } from '../../domain/gate';
import type { PendingApprovals } from '../../domain/approvals';
import { d, toStr } from '../../domain/money';
import type { ClosedTrade, StrategyConfig, TradingMode } from '../../domain/types';
import type { EntryRequest, OpenPositionInfo, StrategyRunState, StrategyStatus } from './api';
import { StrategyStateKey, TradingModeKey } from '../search-attributes';
import { strategyDetails } from './details';
import { strategyStatus } from './status';

/** An entry request waiting for its turn in a batch of decisions; `settle` hands over its decision. */
export interface PendingEntry {
  req: EntryRequest;
  settle: (decided: Promise<void>) => void;
}

/** A tracked child: waiting for its entry, entering, or open. Ended children are dropped. */
export interface TrackedPosition extends Omit<OpenPositionInfo, 'status'> {
  status: 'WAITING' | OpenPositionInfo['status'];
  eventId: string;
}

/** Everything carried across continue-as-new. */
export interface StrategyCarried {
  mode: TradingMode;
  paused: boolean;
  phaseStartedAt: number;
  /** when `mode` was entered; absent in states carried by runs from before it was tracked */
  modeSince?: number;
  awaitingApproval: boolean;
  gate: { result: GateResult | null; evaluatedAt: number | null };
  risk: RiskState;
  positions: Record<string, TrackedPosition>;
  /** eventId → unlockAt of events already handled (started or rejected); trimmed after they pass */
  seenEvents: Record<string, number>;
  trades: ClosedTrade[];
  emergency: StrategyStatus['emergency'];
  /** exits of the emergency stop still to dispatch */
  emergencyExitPending: boolean;
  lastRefusal: StrategyStatus['lastRefusal'];
  stopRequested: boolean;
  continuedAsNew: number;
  startedAt: number;
  /** entry requests handed over undecided by the previous run at continue-as-new (patch entry-batch-v1) */
  pendingEntries?: EntryRequest[];
  /** approvals collected for the step waiting now (four eyes); absent in states carried before approvers-v1 */
  approvals?: PendingApprovals | null;
}

export interface StrategyInput {
  config: StrategyConfig;
  carried?: StrategyCarried;
  /** continue-as-new after this many loop iterations even before the server suggests it (tests, tuning) */
  continueAsNewAfterLoops?: number;
}

export function freshState(config: StrategyConfig, now: number): StrategyCarried {
  return {
    mode: 'PAPER',
    paused: false,
    phaseStartedAt: now,
    modeSince: now,
    awaitingApproval: false,
    gate: { result: null, evaluatedAt: null },
    risk: initialRiskState(config.capital.initial, now),
    positions: {},
    seenEvents: {},
    trades: [],
    emergency: null,
    emergencyExitPending: false,
    lastRefusal: null,
    stopRequested: false,
    continuedAsNew: 0,
    startedAt: now,
    approvals: null,
  };
}

/** One run of the strategy workflow (until it completes or continues as new). */
export class StrategyRun {
  /** set by anything that should end the loop's wait early */
  wake = false;
  /** the risk state changed since it was last saved */
  riskDirty = true;
  /** entry decisions run one after another while the correlation guard is on (correlation.ts) */
  entryQueue: Promise<void> = Promise.resolve();
  /** entry requests waiting for the next batch of decisions (patch entry-batch-v1, entry-batch.ts) */
  entryBatch: PendingEntry[] = [];
  /** a turn of decisions is scheduled and has not started yet */
  entryTurnScheduled = false;
  /** continue-as-new is waiting: no new turn, waiting requests go to the next run (entry.ts drainEntries) */
  entryDraining = false;
  /** what the correlation trigger last checked (day, open symbols, limits): unchanged → no new fetch */
  correlationChecked: string | null = null;
  /** the figures of the live book, computed once per change (exposure(), openCount()) */
  private book: { exposure: string; count: number } | null = null;
  readonly strategyId: string;

  constructor(
    readonly config: StrategyConfig,
    readonly state: StrategyCarried,
    readonly workflowId: string,
  ) {
    this.strategyId = config.strategyId;
  }

  runState(): StrategyRunState {
    const s = this.state;
    return s.stopRequested ? 'STOPPED' : s.mode === 'EMERGENCY_STOP' ? 'EMERGENCY_STOP' : s.paused ? 'PAUSED' : 'RUNNING';
  }

  /** mode and run state as search attributes, for the Web UI and `workflow list --query` */
  publish(): void {
    upsertSearchAttributes([
      { key: TradingModeKey, value: this.state.mode },
      { key: StrategyStateKey, value: this.runState() },
    ]);
    this.showDetails();
  }

  /** the Web UI's current details (user metadata, no history event): called wherever the state changes */
  showDetails(): void {
    setCurrentDetails(strategyDetails(strategyStatus(this), this.livePositions()));
  }

  /** children that are entering or open (not those still waiting for their entry window) */
  livePositions(): TrackedPosition[] {
    return Object.values(this.state.positions).filter((p) => p.status !== 'WAITING');
  }

  /** the live book's exposure and count, kept until the book changes (syncRisk): reading them is O(1) */
  exposure(): string {
    return this.bookFigures().exposure;
  }

  openCount(): number {
    return this.bookFigures().count;
  }

  private bookFigures(): { exposure: string; count: number } {
    if (!this.book) {
      const live = this.livePositions();
      this.book = { exposure: toStr(live.reduce((a, p) => a.plus(d(p.notional)), d(0))), count: live.length };
    }
    return this.book;
  }

  /** the risk state's view of the book after a position changed (every change of the live book calls it) */
  syncRisk(): void {
    this.book = null;
    this.state.risk = { ...this.state.risk, openExposure: this.exposure(), openPositions: this.openCount() };
    this.riskDirty = true;
    this.showDetails();
  }

  /** the rung whose limits apply: the stopped-from rung while in EMERGENCY_STOP */
  activeRung(): TradingMode {
    return this.state.mode === 'EMERGENCY_STOP' ? (this.state.emergency?.resumeMode ?? 'PAPER') : this.state.mode;
  }
}
