/**
 * Approvers and four eyes (patch `approvers-v1`): the config's approver list and the distinct
 * approvals each rung needs (domain/approvals.ts decides), applied by the workflow's handlers so the
 * plain Temporal CLI signal/update path obeys the same rules as our CLI. The same handler refuses a
 * resume while a risk trigger still holds (emergency.ts, patch `resume-trigger-check-v1`).
 *
 * Runs in the HANDLER, after the state checks of refusals.ts: an update validator leaves no trace in
 * the history, and every refusal and acceptance here must reach the audit chain (an activity). A
 * refused update therefore fails from its handler, with the reason, after the refusal is recorded.
 */
import { ApplicationFailure, patched } from '@temporalio/workflow';
import { approverRefusal, decideApproval, describeStep } from '../../domain/approvals';
import type { ApprovalInput } from './api';
import { approve, reject, resume } from './controls';
import { act } from './proxies';
import { refuse } from './refusals';
import type { StrategyRun } from './state';
import { currentApprovalStep } from './status';
import { RESUME_TRIGGER_PATCH, resumeTriggerRefusal } from './emergency';

export const APPROVERS_PATCH = 'approvers-v1';

type Command = 'approve' | 'resume' | 'reject';

/** A refusal by the approver rules: kept as the last refusal, alerted and appended to the audit chain. */
async function recordRefusal(run: StrategyRun, command: Command, i: ApprovalInput | undefined, reason: string): Promise<void> {
  const s = run.state;
  const at = Date.now();
  await act.recordApprovalRefused({
    id: `${run.strategyId}:approval-refused:${command}:${at}:${i?.by ?? ''}`,
    strategyId: run.strategyId,
    command,
    by: i?.by ?? null,
    mode: s.mode,
    reason,
    at,
  });
  await refuse(run, command, reason);
}

/**
 * Approve (or resume after an emergency stop) under the approver rules. Returns the refusal reason
 * (already recorded) or null when the approval counted: the step happened, or it waits for more
 * distinct approvers. Workflows that ran before the patch keep their one-approval behaviour.
 */
export async function approveAsApprover(run: StrategyRun, command: 'approve' | 'resume', i: ApprovalInput): Promise<string | null> {
  // a resume while a risk trigger still holds would be stopped again a moment later (issue 17, defect 5):
  // refused and recorded like the approver refusals. patched() is asked only when a trigger holds, so
  // ordinary approvals record no marker; runs recorded before the patch resumed (and stopped again).
  const held = resumeTriggerRefusal(run);
  if (held && patched(RESUME_TRIGGER_PATCH)) return (await recordRefusal(run, command, i, held), held);
  if (!patched(APPROVERS_PATCH)) return (await (command === 'approve' ? approve(run, i) : resume(run, i)), null);
  // a resume outside EMERGENCY_STOP undoes a pause (even while a promotion waits): not an approval step
  const step = command === 'resume' && run.state.mode !== 'EMERGENCY_STOP' ? null : currentApprovalStep(run);
  if (!step) {
    // resuming a pause: one listed approver, nothing to collect
    const reason = i?.by ? approverRefusal(run.config, i.by) : run.config.approvers ? 'a resume needs the approver: { "by": "<name>" }' : null;
    if (reason) return (await recordRefusal(run, command, i, reason), reason);
    return (await resume(run, i), null);
  }
  const decision = decideApproval(run.config, run.state.approvals ?? null, step, i.by);
  if (decision.outcome === 'REFUSED') return (await recordRefusal(run, command, i, decision.reason), decision.reason);
  if (decision.outcome === 'PENDING') {
    const s = run.state;
    s.approvals = decision.pending;
    const count = `${decision.pending.by.length} of ${decision.needed}`;
    await act.recordApproval({
      id: `${run.strategyId}:approval:${step.kind}:${step.to}:${step.since}:${i.by.trim()}`,
      strategyId: run.strategyId,
      decision: 'APPROVED',
      approvedBy: i.by.trim(),
      fromMode: s.mode,
      toMode: step.to,
      note: `${count} approvals for the ${describeStep(step)}${i.note ? `: ${i.note}` : ''}`,
      at: Date.now(),
    });
    await act.raiseAlert({
      id: `${run.strategyId}:approval-pending:${step.since}:${decision.pending.by.length}`,
      strategyId: run.strategyId,
      severity: 'warning',
      kind: 'APPROVAL_NEEDED',
      message: `${describeStep(step)}: approved by ${decision.pending.by.join(', ')} (${count}); another approver is needed`,
    });
    return null;
  }
  run.state.approvals = null;
  await approve(run, i, decision.by);
  return null;
}

/** Reject under the approver rules: only a listed approver may turn a promotion down. */
export async function rejectAsApprover(run: StrategyRun, i: ApprovalInput): Promise<string | null> {
  if (patched(APPROVERS_PATCH)) {
    const reason = approverRefusal(run.config, i.by);
    if (reason) return (await recordRefusal(run, 'reject', i, reason), reason);
    run.state.approvals = null;
  }
  await reject(run, i);
  return null;
}

/** An update handler's refusal: the caller gets the reason as the update's failure. */
export function throwApprovalRefusal(reason: string | null): void {
  if (reason) throw ApplicationFailure.create({ type: 'ApprovalRefused', message: reason, nonRetryable: true });
}
