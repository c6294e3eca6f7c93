/**
 * Calendar scan: loads the unlock events whose entry windows approach, records why an event does not
 * qualify, and starts one positionWorkflow child per qualifying event (id `position-<strategyId>-
 * <eventId>`, so a rescan or a later run never doubles a position). Children use ParentClosePolicy
 * ABANDON because continue-as-new closes the run: positions must outlive it.
 */
import { ParentClosePolicy, WorkflowIdReusePolicy, log, patched, startChild, workflowInfo } from '@temporalio/workflow';
import type { Playbook } from '../../domain/playbook';
import { positionWorkflowId } from '../position/api';
import { positionSummary } from '../position/details';
import type { positionWorkflow } from '../position/workflow';
import { PositionStatusKey, StrategyIdKey, SymbolKey, TradingModeKey } from '../search-attributes';
import { POSITION_PRIORITY } from '../priorities';
import { act } from './proxies';
import type { StrategyRun } from './state';

/** How far back an event is remembered after its unlock, so a rescan never restarts it. */
const SEEN_EVENT_RETENTION_MS = 14 * 86_400_000;

export async function scanCalendar(run: StrategyRun, playbook: Playbook): Promise<void> {
  const s = run.state;
  const config = run.config;
  const strategyId = run.strategyId;
  const now = Date.now();
  const c = config.tokenUnlock;
  // positions start as their entry windows approach, not all at once (design notes §6)
  const events = await act.loadUnlockCalendar({ from: now - c.entryTolerance, until: now + c.entryLead + c.entryTolerance + config.timing.scanInterval });
  for (const [id, unlockAt] of Object.entries(s.seenEvents)) if (unlockAt < now - SEEN_EVENT_RETENTION_MS) delete s.seenEvents[id];
  for (const event of events) {
    if (s.seenEvents[event.id] !== undefined) continue;
    if (s.paused || s.mode === 'EMERGENCY_STOP' || s.stopRequested) return;
    // a scan that starts many children must not grow the history past the replay budget: stop here,
    // continue-as-new in the main loop, and the next run's scan starts the rest (they are not "seen")
    if (workflowInfo().continueAsNewSuggested) return;
    const q = playbook.qualifies(event, config, Date.now());
    if (!q.ok) {
      s.seenEvents[event.id] = event.unlockAt;
      await act.recordSignal({
        id: `${strategyId}:${event.id}:calendar`,
        strategyId,
        eventId: event.id,
        symbol: event.symbol,
        strength: null,
        accepted: false,
        reasons: q.reasons,
      });
      continue;
    }
    const positionId = positionWorkflowId(strategyId, event.id);
    s.seenEvents[event.id] = event.unlockAt;
    s.positions[positionId] = { eventId: event.id, positionId, symbol: event.symbol, status: 'WAITING', mode: s.mode, quantity: '0', notional: '0' };
    try {
      await startChild<typeof positionWorkflow>('positionWorkflow', {
        workflowId: positionId,
        args: [{ strategyId, strategyWorkflowId: run.workflowId, event, config, mode: s.mode }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        typedSearchAttributes: [
          { key: StrategyIdKey, value: strategyId },
          { key: SymbolKey, value: event.symbol },
          { key: PositionStatusKey, value: 'WAITING_ENTRY' },
          { key: TradingModeKey, value: s.mode },
        ],
        memo: { strategyId, eventId: event.id, symbol: event.symbol, unlockAt: new Date(event.unlockAt).toISOString() },
        staticSummary: positionSummary(event.symbol, event.unlockAt, s.mode),
        // below the strategy's own tasks (priorities.ts); recorded runs started theirs without one
        ...(patched('position-priority-v1') ? { priority: POSITION_PRIORITY } : {}),
      });
    } catch (err) {
      // already started by an earlier run (e.g. before continue-as-new): never a second position
      if ((err as Error).name === 'WorkflowExecutionAlreadyStartedError') {
        log.info('position already exists', { positionId });
        if (s.positions[positionId]?.status === 'WAITING') delete s.positions[positionId];
        continue;
      }
      throw err;
    }
  }
}
