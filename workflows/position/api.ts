/**
 * Messages of the position workflow (one per trade): its input, the strategy's verdict on its entry
 * request, the exit request (signal, or update that says why it is refused), the state query, and the position workflow id scheme. Importable by
 * workflows and clients alike: only `@temporalio/workflow` definitions and types.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ClosedTrade, ExitReason, PositionStatus, Rejection, StrategyConfig, TradingMode, UnlockEvent } from '../../domain/types';
import type { RiskViolation } from '../../domain/risk';

export interface PositionInput {
  strategyId: string;
  /** the parent's workflow id: children report to it by signal (it survives continue-as-new) */
  strategyWorkflowId: string;
  event: UnlockEvent;
  config: StrategyConfig;
  /** the strategy's mode when the position was started: picks the market data source for the entry check */
  mode: TradingMode;
}

/**
 * The strategy's verdict on a position's entry request (pre-trade risk and size). Not the playbook's
 * entry check (`domain/`), which decides whether an event qualifies at all. Wire name: `entryDecision`.
 */
export interface EntryVerdict {
  approved: boolean;
  quantity?: string;
  notional?: string;
  /** the broker follows the strategy's mode at entry time (paper broker in PAPER, ccxt in live modes) */
  mode?: TradingMode;
  reasons?: Array<Rejection | RiskViolation>;
}

export interface ExitRequest {
  reason: Extract<ExitReason, 'MANUAL' | 'EMERGENCY'>;
  by?: string;
  note?: string;
}

export interface PositionView {
  positionId: string;
  strategyId: string;
  eventId: string;
  symbol: string;
  status: PositionStatus;
  mode: TradingMode | null;
  unlockAt: number;
  entryAt: number | null;
  quantity: string;
  entryPrice: string | null;
  entryFee: string;
  stopPrice: string | null;
  targetPrice: string | null;
  timeExitAt: number | null;
  exitReason: ExitReason | null;
  trade: ClosedTrade | null;
  reasons: Array<Rejection | RiskViolation>;
  /** the last command this position refused, and why (a refused exitPosition signal; also raised as an alert) */
  lastRefusal: { at: number; command: string; reason: string } | null;
}

/** A position before anything happened: waiting for its entry window. */
export function initialPositionView(positionId: string, strategyId: string, event: UnlockEvent): PositionView {
  return {
    positionId,
    strategyId,
    eventId: event.id,
    symbol: event.symbol,
    status: 'WAITING_ENTRY',
    mode: null,
    unlockAt: event.unlockAt,
    entryAt: null,
    quantity: '0',
    entryPrice: null,
    entryFee: '0',
    stopPrice: null,
    targetPrice: null,
    timeExitAt: null,
    exitReason: null,
    trade: null,
    reasons: [],
    lastRefusal: null,
  };
}

export const entryDecisionSignal = defineSignal<[EntryVerdict]>('entryDecision');
/** Manual exit (operator) or emergency exit (strategy): market exit of whatever is open. */
export const exitPositionSignal = defineSignal<[ExitRequest]>('exitPosition');
/** The same exit as an update: its validator refuses a bad request saying why; answers the view once the exit is requested. */
export const exitPositionUpdate = defineUpdate<PositionView, [ExitRequest]>('exitPosition');
export const positionStateQuery = defineQuery<PositionView>('positionState');

export function positionWorkflowId(strategyId: string, eventId: string): string {
  return `position-${strategyId}-${eventId}`;
}
