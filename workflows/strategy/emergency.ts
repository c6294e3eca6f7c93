/**
 * Emergency stop (design notes §3). Entering it is synchronous (entries are refused from that
 * instant); the dispatch then places every open position's exit in ONE batch activity, with the exit
 * client order id that position would use, tells the positions, records the mode change and raises
 * the critical alert. Resuming needs an approval after the cooldown (controls.ts), and none of the
 * risk triggers may still hold (patch `resume-trigger-check-v1`, four-eyes.ts applies it).
 */
import { getExternalWorkflowHandle, log } from '@temporalio/workflow';
import { limitsFor } from '../../domain/ladder';
import { evaluateEmergencyTriggers, manualTrigger, type Trigger } from '../../domain/risk';
import { resumeBlockedBy } from '../../domain/emergency-resume';
import { clientOrderIdFor } from '../../domain/ids';
import { exitPositionSignal } from '../position/api';
import type { EmergencyStopInput } from './api';
import { act, batch } from './proxies';
import type { StrategyRun } from './state';

/** Synchronous part of an emergency stop: from this instant every entry request is refused. */
export function enterEmergency(run: StrategyRun, reason: string, triggers: Trigger[]): boolean {
  const s = run.state;
  if (s.mode === 'EMERGENCY_STOP') return false;
  const at = Date.now();
  s.emergency = { at, reason, triggers, cooldownUntil: at + run.config.timing.emergencyCooldown, resumeMode: s.mode };
  s.awaitingApproval = false;
  s.mode = 'EMERGENCY_STOP';
  s.modeSince = at;
  s.emergencyExitPending = true;
  run.publish();
  run.wake = true;
  return true;
}

/** The operator's emergency stop (signal or update). */
export function enterManualEmergency(run: StrategyRun, i: EmergencyStopInput): void {
  enterEmergency(run, i.reason, [manualTrigger(`${i.reason}${i.by ? ` (by ${i.by})` : ''}`)]);
}

/** The risk state's own triggers (loss budgets, drawdown, ...): true when they stopped the strategy. */
export function tripEmergencyTriggers(run: StrategyRun): boolean {
  const s = run.state;
  if (s.mode === 'EMERGENCY_STOP') return false;
  const triggers = evaluateEmergencyTriggers({ state: s.risk, limits: limitsFor(s.mode, run.config), cfg: run.config });
  if (!triggers.length) return false;
  enterEmergency(run, triggers.map((t) => t.message).join('; '), triggers);
  return true;
}

export const RESUME_TRIGGER_PATCH = 'resume-trigger-check-v1';

/**
 * In EMERGENCY_STOP: the refusal of a resume while a risk trigger still holds for the rung it would
 * resume into (the loop would stop the strategy again on its next turn), naming the trigger and when
 * it clears; null when nothing holds, or outside EMERGENCY_STOP.
 */
export function resumeTriggerRefusal(run: StrategyRun): string | null {
  if (run.state.mode !== 'EMERGENCY_STOP') return null;
  return resumeBlockedBy(run.state.risk, limitsFor(run.activeRung(), run.config), run.config, Date.now());
}

export async function dispatchEmergencyExits(run: StrategyRun): Promise<void> {
  const s = run.state;
  const strategyId = run.strategyId;
  const e = s.emergency!;
  const open = Object.values(s.positions).filter((p) => p.status === 'OPEN');
  if (open.length) {
    try {
      await batch.batchPlaceOrders(
        open.map((p) => ({
          clientOrderId: clientOrderIdFor(p.positionId, 'exit'),
          strategyId,
          positionId: p.positionId,
          purpose: 'emergency-exit' as const,
          mode: p.mode,
          symbol: p.symbol,
          side: 'sell' as const,
          type: 'market' as const,
          amount: p.quantity,
          signalPrice: p.entryPrice ?? '0',
          asOf: Date.now(),
        })),
      );
    } catch (err) {
      // the positions below still exit themselves, each with the same client order id
      log.error('emergency batch exit failed; positions will exit one by one', { error: String(err) });
    }
  }
  await Promise.all(run.livePositions().map((p) => getExternalWorkflowHandle(p.positionId).signal(exitPositionSignal, { reason: 'EMERGENCY' })));
  s.emergencyExitPending = false;
  await act.recordModeChange({
    id: `${strategyId}:mode:${e.at}:${e.resumeMode}->EMERGENCY_STOP`,
    strategyId,
    fromMode: e.resumeMode,
    toMode: 'EMERGENCY_STOP',
    reason: e.reason,
    at: e.at,
  });
  await act.raiseAlert({
    id: `${strategyId}:emergency:${e.at}`,
    strategyId,
    severity: 'critical',
    kind: 'EMERGENCY_STOP',
    message: `EMERGENCY STOP: ${e.reason}; ${open.length} open position(s) sent to market exit; resume needs an approval after ${new Date(e.cooldownUntil).toISOString()}`,
    details: { triggers: e.triggers },
  });
}
