/**
 * Messages of the strategy workflow: controls as signals (so the plain Temporal CLI can send them)
 * and, where the caller needs an answer, as updates with validators that refuse what is not allowed
 * now, saying why. Queries for status, open positions and metrics. Child → parent reports.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ClosedTrade, MarketPrecision, MarketSnapshot, ModeLimits, StrategyConfig, TradingMode } from '../../domain/types';
import type { GateResult } from '../../domain/gate';
import type { RiskState, Trigger } from '../../domain/risk';
import type { Metrics } from '../../domain/metrics';

export interface ApprovalInput {
  by: string;
  note?: string;
}
export interface PauseInput {
  by?: string;
  reason?: string;
}
export interface EmergencyStopInput {
  reason: string;
  by?: string;
}
/** Partial overrides of the risk section and of the current ladder rung; validated by the client too. */
export interface LimitsUpdate {
  by?: string;
  risk?: Partial<StrategyConfig['risk']>;
  ladder?: Partial<Record<Exclude<TradingMode, 'EMERGENCY_STOP'>, Partial<ModeLimits>>>;
}

/** child → parent */
export interface EntryRequest {
  positionId: string;
  eventId: string;
  symbol: string;
  snapshot: MarketSnapshot;
  latencyMs: number | null;
  strength: string;
  /** the market's lot step and minimum notional: sizing rounds to them (patch venue-precision-v1) */
  precision?: MarketPrecision;
}
export interface PositionOpened {
  positionId: string;
  symbol: string;
  mode: TradingMode;
  quantity: string;
  entryPrice: string;
  entryFee: string;
  notional: string;
  openedAt: number;
}
export interface PositionEnded {
  positionId: string;
  /** CLOSED with a trade, or SKIPPED / FAILED without one */
  status: 'CLOSED' | 'SKIPPED' | 'FAILED';
  trade?: ClosedTrade;
  /** entry notional released from exposure */
  notional?: string;
  reason?: string;
}

export type StrategyRunState = 'RUNNING' | 'PAUSED' | 'EMERGENCY_STOP' | 'STOPPED';

export interface OpenPositionInfo {
  positionId: string;
  symbol: string;
  status: 'ENTERING' | 'OPEN';
  mode: TradingMode;
  quantity: string;
  notional: string;
  entryPrice?: string;
  openedAt?: number;
}

export interface StrategyStatus {
  strategyId: string;
  name?: string;
  mode: TradingMode;
  state: StrategyRunState;
  /** when the current rung's validation period (or the paper period) began: the gate's clock */
  phaseStartedAt: number;
  /** when the strategy entered its current mode (a promotion, an emergency stop, a resume) */
  modeSince: number;
  gate: {
    kind: 'PAPER' | 'LIVE_STEP' | 'NONE';
    evaluatedAt: number | null;
    nextEvaluationAt: number | null;
    result: GateResult | null;
    awaitingApproval: boolean;
    nextMode: TradingMode | null;
  };
  limits: ModeLimits;
  risk: RiskState;
  emergency: { at: number; reason: string; triggers: Trigger[]; cooldownUntil: number; resumeMode: TradingMode } | null;
  openPositions: number;
  closedTrades: number;
  lastRefusal: { at: number; command: string; reason: string } | null;
  continuedAsNew: number;
  /** the approval step waiting now: who approved so far, how many distinct approvers it needs, who may */
  approvals: { step: string; collected: string[]; needed: number; approvers: string[] | null } | null;
}

export const approveSignal = defineSignal<[ApprovalInput]>('approve');
export const rejectSignal = defineSignal<[ApprovalInput]>('reject');
export const pauseSignal = defineSignal<[PauseInput]>('pause');
export const resumeSignal = defineSignal<[ApprovalInput]>('resume');
export const emergencyStopSignal = defineSignal<[EmergencyStopInput]>('emergencyStop');
export const updateLimitsSignal = defineSignal<[LimitsUpdate]>('updateLimits');
/** Stop the strategy: every open position exits at market, then the workflow completes. */
export const stopStrategySignal = defineSignal<[PauseInput]>('stopStrategy');

export const approveUpdate = defineUpdate<StrategyStatus, [ApprovalInput]>('approve');
export const rejectUpdate = defineUpdate<StrategyStatus, [ApprovalInput]>('reject');
export const pauseUpdate = defineUpdate<StrategyStatus, [PauseInput]>('pause');
export const resumeUpdate = defineUpdate<StrategyStatus, [ApprovalInput]>('resume');
export const emergencyStopUpdate = defineUpdate<StrategyStatus, [EmergencyStopInput]>('emergencyStop');
export const updateLimitsUpdate = defineUpdate<StrategyStatus, [LimitsUpdate]>('updateLimits');

export const entryRequestSignal = defineSignal<[EntryRequest]>('entryRequest');
export const positionOpenedSignal = defineSignal<[PositionOpened]>('positionOpened');
export const positionEndedSignal = defineSignal<[PositionEnded]>('positionEnded');

export const statusQuery = defineQuery<StrategyStatus>('status');
export const openPositionsQuery = defineQuery<OpenPositionInfo[]>('openPositions');
export const metricsQuery = defineQuery<{ metrics: Metrics; trades: ClosedTrade[] }>('metrics');

export function strategyWorkflowId(strategyId: string): string {
  return `strategy-${strategyId}`;
}
