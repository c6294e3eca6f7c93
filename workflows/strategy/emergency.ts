/**
 * Emergency stop (design notes §3). Entering it is synchronous (entries are refused from that
 * instant); the dispatch then places every open position's exit in ONE batch activity, with the exit
 * client order id that position would use, tells the positions, records the mode change and raises
 * the critical alert. Resuming needs an approval after the cooldown (controls.ts), and none of the
 * risk triggers may still hold (patch `resume-trigger-check-v1`, four-eyes.ts applies it).
 * Since emergency-early-answer-v1 the mode change is recorded while the batch runs, the stop's
 * progress (exits dispatched / acknowledged / positions signalled) is kept in `emergency.exits`, and
 * the operator's update answers once the batch has answered or after EMERGENCY_ANSWER_WAIT_MS.
 * Since emergency-signal-waves-v1 the alert is raised before the positions are told, and they are told
 * in waves once the batch placed every exit (signalWaves).
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

/**
 * Patch: once the batch has placed every open position's exit, the positions are told in waves, each
 * after the previous one ended. Their exits are already at the venue; what each position still does
 * (find its order, record the closed trade, report it) replays its history first when the worker's
 * workflow cache (200 by default) has evicted it, and 1000 told at once evicted each other on every
 * task: the last one completed ~110 s after the stop, with a sticky-queue timeout per position
 * (BENCHMARKS.md, issue 14, eighth session).
 */
export const SIGNAL_WAVES_PATCH = 'emergency-signal-waves-v1';
/** positions told per wave: below the worker's default workflow cache, so a wave stays cached */
export const EMERGENCY_SIGNAL_WAVE = 150;
/** a wave that has not ended by then no longer holds back the next */
export const EMERGENCY_WAVE_WAIT_MS = 30_000;

/**
 * The order in which the live positions are told to exit. Only when the batch placed every exit are
 * they told in waves (entering positions, whose exits the batch did not place, in the first); a failed
 * or unknown batch means positions that must place their own exits now: all are told at once.
 */
export function signalWaves<P extends { status: string }>(live: P[], exits: Pick<EmergencyExits, 'dispatched' | 'acknowledged'>, size = EMERGENCY_SIGNAL_WAVE): P[][] {
  if (live.length === 0) return [];
  if (exits.acknowledged !== exits.dispatched) return [live];
  const ordered = [...live.filter((p) => p.status !== 'OPEN'), ...live.filter((p) => p.status === 'OPEN')];
  const waves: P[][] = [];
  for (let i = 0; i < ordered.length; i += size) waves.push(ordered.slice(i, i + size));
  return waves;
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
  const tell = (ps: TrackedPosition[]) => Promise.all(ps.map((p) => getExternalWorkflowHandle(p.positionId).signal(exitPositionSignal, { reason: 'EMERGENCY' }).then(() => void exits.signalled++)));
  // recorded runs told everyone before the stop's record and alert; the waves come after them
  const inWaves = patched(SIGNAL_WAVES_PATCH);
  if (!inWaves) await tell(live);
  await recorded;
  s.emergencyExitPending = false;
  await raiseStopAlert(run, open.length);
  const waves = inWaves ? signalWaves(live, exits) : [];
  for (const [i, wave] of waves.entries()) {
    // a position that ended meanwhile (its own exit) has nobody left to tell
    const still = wave.filter((p) => s.positions[p.positionId]);
    exits.signalled += wave.length - still.length;
    await tell(still).catch((err) => log.warn('emergency: a position could not be told to exit', { error: String(err) }));
    if (i < waves.length - 1) await condition(() => still.every((p) => !s.positions[p.positionId]), EMERGENCY_WAVE_WAIT_MS);
  }
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
