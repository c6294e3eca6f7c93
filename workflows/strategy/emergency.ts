/**
 * Emergency stop (design notes §3). Entering it is synchronous (entries are refused from that
 * instant); the dispatch then places every open position's exit in ONE batch activity, with the exit
 * client order id that position would use, tells the positions, records the mode change and raises
 * the critical alert. Resuming needs an approval after the cooldown (controls.ts), and none of the
 * risk triggers may still hold (patch `resume-trigger-check-v1`, four-eyes.ts applies it).
 * Since emergency-early-answer-v1 the mode change is recorded while the batch runs, the stop's
 * progress (exits dispatched / acknowledged / positions signalled) is kept in `emergency.exits`, and
 * the operator's update answers once the batch has answered or after EMERGENCY_ANSWER_WAIT_MS.
 */
import { condition, getExternalWorkflowHandle, log, patched } from '@temporalio/workflow';
import { limitsFor } from '../../domain/ladder';
import { evaluateEmergencyTriggers, manualTrigger, type Trigger } from '../../domain/risk';
import { resumeBlockedBy } from '../../domain/emergency-resume';
import { clientOrderIdFor } from '../../domain/ids';
import { exitPositionSignal } from '../position/api';
import type { EmergencyExits, EmergencyStopInput } from './api';
import { act, batch } from './proxies';
import type { StrategyRun, TrackedPosition } from './state';

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

/** Patch: the stop is recorded while the batch runs, and the update answers before every position is signalled. */
export const EARLY_ANSWER_PATCH = 'emergency-early-answer-v1';
/**
 * How long the emergencyStop update waits, from the stop, for the batch's answer before it answers
 * with what is known (the exits dispatched; acknowledgements then show in `strategy status`). The
 * operator's command has to come back within a second (issue 14): 400 ms plus two workflow tasks (the
 * stop, the timer) and the batch of 100 exits takes ~0.5–1.5 s.
 */
export const EMERGENCY_ANSWER_WAIT_MS = 400;

/** The emergencyStop update's wait (after entering the stop): the batch's answer, bounded. */
export async function awaitEmergencyAnswer(run: StrategyRun): Promise<void> {
  const s = run.state;
  if (!patched(EARLY_ANSWER_PATCH)) {
    await condition(() => !s.emergencyExitPending);
    return;
  }
  await condition(() => !s.emergencyExitPending || (s.emergency?.exits?.acknowledged ?? null) !== null, EMERGENCY_ANSWER_WAIT_MS);
}

function exitOrders(run: StrategyRun, open: TrackedPosition[]) {
  return open.map((p) => ({
    clientOrderId: clientOrderIdFor(p.positionId, 'exit'),
    strategyId: run.strategyId,
    positionId: p.positionId,
    purpose: 'emergency-exit' as const,
    mode: p.mode,
    symbol: p.symbol,
    side: 'sell' as const,
    type: 'market' as const,
    amount: p.quantity,
    signalPrice: p.entryPrice ?? '0',
    asOf: Date.now(),
  }));
}

function recordStop(run: StrategyRun): Promise<unknown> {
  const e = run.state.emergency!;
  return act.recordModeChange({
    id: `${run.strategyId}:mode:${e.at}:${e.resumeMode}->EMERGENCY_STOP`,
    strategyId: run.strategyId,
    fromMode: e.resumeMode,
    toMode: 'EMERGENCY_STOP',
    reason: e.reason,
    at: e.at,
  });
}

function raiseStopAlert(run: StrategyRun, exiting: number): Promise<unknown> {
  const e = run.state.emergency!;
  return act.raiseAlert({
    id: `${run.strategyId}:emergency:${e.at}`,
    strategyId: run.strategyId,
    severity: 'critical',
    kind: 'EMERGENCY_STOP',
    message: `EMERGENCY STOP: ${e.reason}; ${exiting} open position(s) sent to market exit; resume needs an approval after ${new Date(e.cooldownUntil).toISOString()}`,
    details: { triggers: e.triggers },
  });
}

export async function dispatchEmergencyExits(run: StrategyRun): Promise<void> {
  if (!patched(EARLY_ANSWER_PATCH)) return dispatchEmergencyExitsV0(run);
  const s = run.state;
  const open = Object.values(s.positions).filter((p) => p.status === 'OPEN');
  const exits: EmergencyExits = { dispatched: open.length, acknowledged: open.length ? null : 0, failed: open.length ? null : 0, signalled: 0, toSignal: 0 };
  s.emergency!.exits = exits;
  // the mode change is written while the batch places the exits, not after every position is told
  const recorded = recordStop(run);
  if (open.length) {
    try {
      const placed = await batch.batchPlaceOrders(exitOrders(run, open));
      exits.failed = placed.filter((p) => p.error).length;
      exits.acknowledged = placed.length - exits.failed;
    } catch (err) {
      // the positions below still exit themselves, each with the same client order id
      exits.acknowledged = 0;
      exits.failed = open.length;
      log.error('emergency batch exit failed; positions will exit one by one', { error: String(err) });
    }
  }
  run.showDetails();
  const live = run.livePositions();
  exits.toSignal = live.length;
  await Promise.all(live.map((p) => getExternalWorkflowHandle(p.positionId).signal(exitPositionSignal, { reason: 'EMERGENCY' }).then(() => void exits.signalled++)));
  await recorded;
  s.emergencyExitPending = false;
  await raiseStopAlert(run, open.length);
}

/** Before emergency-early-answer-v1: batch, every signal, then the records (recorded histories replay it). */
async function dispatchEmergencyExitsV0(run: StrategyRun): Promise<void> {
  const s = run.state;
  const open = Object.values(s.positions).filter((p) => p.status === 'OPEN');
  if (open.length) {
    try {
      await batch.batchPlaceOrders(exitOrders(run, open));
    } catch (err) {
      // the positions below still exit themselves, each with the same client order id
      log.error('emergency batch exit failed; positions will exit one by one', { error: String(err) });
    }
  }
  await Promise.all(run.livePositions().map((p) => getExternalWorkflowHandle(p.positionId).signal(exitPositionSignal, { reason: 'EMERGENCY' })));
  s.emergencyExitPending = false;
  await recordStop(run);
  await raiseStopAlert(run, open.length);
}
