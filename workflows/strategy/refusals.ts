/**
 * Which command is refused now, and why: one message per rule, shared by the signal handlers (a
 * refused signal is recorded: status.lastRefusal + a COMMAND_REFUSED alert) and the update validators
 * (the caller gets the message as the update's failure, with nothing changed).
 */
import { log, patched } from '@temporalio/workflow';
import { freeTextProblem } from '../../domain/free-text';
import { nextMode } from '../../domain/ladder';
import type { ApprovalInput, EmergencyStopInput } from './api';
import { describeFailedChecks } from './gate';
import { act } from './proxies';
import type { StrategyRun } from './state';
import { strategyStatus } from './status';

const fmtTime = (ms: number) => new Date(ms).toISOString();

export function approveRefusal(run: StrategyRun, i: ApprovalInput | undefined): string | null {
  const s = run.state;
  if (!i || typeof i.by !== 'string' || !i.by.trim()) return 'an approval needs the approver: { "by": "<name>" }';
  if (s.stopRequested) return 'the strategy is stopping';
  if (s.mode === 'EMERGENCY_STOP') {
    const until = s.emergency?.cooldownUntil ?? 0;
    if (Date.now() < until) return `in EMERGENCY_STOP: cooldown runs until ${fmtTime(until)} (${Math.ceil((until - Date.now()) / 60_000)} min left); approve after it to resume`;
    return null;
  }
  if (!nextMode(s.mode)) return `${s.mode} is the top of the ladder: nothing to promote to`;
  if (!s.awaitingApproval) {
    const failed = s.gate.result?.failed ?? [];
    if (failed.length) return `the gate for ${nextMode(s.mode)} has not passed: ${describeFailedChecks(failed)}`;
    return `the gate for ${nextMode(s.mode)} has not been evaluated yet: it runs at ${fmtTime(strategyStatus(run).gate.nextEvaluationAt ?? Date.now())}`;
  }
  return null;
}

export function rejectRefusal(run: StrategyRun, i: ApprovalInput | undefined): string | null {
  if (!i || typeof i.by !== 'string' || !i.by.trim()) return 'a rejection needs the approver: { "by": "<name>" }';
  return run.state.awaitingApproval ? null : 'no promotion is waiting for approval';
}

export function pauseRefusal(run: StrategyRun): string | null {
  const s = run.state;
  if (s.stopRequested) return 'the strategy is stopping';
  if (s.mode === 'EMERGENCY_STOP') return 'in EMERGENCY_STOP: already halted';
  return s.paused ? 'already paused' : null;
}

/** Resuming from EMERGENCY_STOP is an approval (after the cooldown); otherwise it undoes a pause. */
export function resumeRefusal(run: StrategyRun, i: ApprovalInput | undefined): string | null {
  if (run.state.mode === 'EMERGENCY_STOP') return approveRefusal(run, i);
  return run.state.paused ? null : 'not paused';
}

export function emergencyRefusal(run: StrategyRun, i: EmergencyStopInput | undefined): string | null {
  if (!i || typeof i.reason !== 'string' || !i.reason.trim()) return 'an emergency stop needs a reason: { "reason": "..." }';
  return run.state.mode === 'EMERGENCY_STOP' ? 'already in EMERGENCY_STOP' : null;
}

/** A refused signal: kept as the status's last refusal and raised as an alert. */
export async function refuse(run: StrategyRun, command: string, reason: string): Promise<void> {
  const strategyId = run.strategyId;
  run.state.lastRefusal = { at: Date.now(), command, reason };
  run.showDetails();
  log.warn('command refused', { strategyId, command, reason });
  await act.raiseAlert({
    id: `${strategyId}:refused:${command}:${Date.now()}`,
    strategyId,
    severity: 'warning',
    kind: 'COMMAND_REFUSED',
    message: `${command} refused: ${reason}`,
  });
}

/**
 * A signal's free text over the limit (domain/free-text.ts): refused behind patch `free-text-limit-v1`,
 * because runs recorded before it applied such a command (patched() is only asked when the text is too
 * long, so ordinary commands record no marker). Update validators use freeTextProblem directly: they do
 * not run on replay, and patched() must not be called in a validator (read-only).
 */
export function signalTextRefusal(i: unknown): string | null {
  const problem = freeTextProblem(i);
  return problem && patched('free-text-limit-v1') ? problem : null;
}

/** An update validator: throwing refuses the update before anything changes. */
export function throwIfRefused(reason: string | null): void {
  if (reason) throw new Error(reason);
}
