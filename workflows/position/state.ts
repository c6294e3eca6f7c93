/**
 * The position workflow's state: PositionRun holds the view the state query answers with, the
 * strategy's entry verdict and the exit request as the handlers receive them, and the three ways a
 * position ends (status change, report to the strategy, skip).
 */
import { getExternalWorkflowHandle, setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { PositionStatus } from '../../domain/types';
import { positionEndedSignal, type PositionEnded } from '../strategy/api';
import { PositionStatusKey } from '../search-attributes';
import { initialPositionView, type EntryVerdict, type ExitRequest, type PositionInput, type PositionView } from './api';
import { positionDetails } from './details';
import { db } from './proxies';

export class PositionRun {
  readonly positionId: string;
  readonly view: PositionView;
  /** the strategy's answer to the entry request; the first one counts */
  verdict: EntryVerdict | undefined;
  /** manual or emergency exit; the first one counts until an exit round asks again */
  exitRequest: ExitRequest | undefined;
  /** the strategy workflow (by workflow id, so reports reach whichever run is current) */
  readonly parent: ReturnType<typeof getExternalWorkflowHandle>;

  constructor(readonly input: PositionInput) {
    const { event, strategyId } = input;
    this.positionId = workflowInfo().workflowId;
    this.parent = getExternalWorkflowHandle(input.strategyWorkflowId);
    this.view = initialPositionView(this.positionId, strategyId, event);
    this.showDetails();
  }

  /** the Web UI's current details (user metadata, no history event): called wherever the view changes */
  showDetails(): void {
    setCurrentDetails(positionDetails(this.view));
  }

  get strategyId(): string {
    return this.input.strategyId;
  }

  setStatus(status: PositionStatus): void {
    this.view.status = status;
    upsertSearchAttributes([{ key: PositionStatusKey, value: status }]);
    this.showDetails();
  }

  /** the last report to the strategy: the position is done */
  async end(report: PositionEnded): Promise<PositionView> {
    await this.parent.signal(positionEndedSignal, report);
    return this.view;
  }

  /** ends without a trade: recorded, then reported */
  async skip(reason: string, status: 'SKIPPED' | 'FAILED' = 'SKIPPED'): Promise<PositionView> {
    const { event, mode } = this.input;
    this.setStatus(status);
    await db.recordPositionEnded({ positionId: this.positionId, strategyId: this.strategyId, eventId: event.id, symbol: event.symbol, mode: this.view.mode ?? mode, status, reason, at: Date.now() });
    return this.end({ positionId: this.positionId, status, reason });
  }
}
