/**
 * The approvals of the step waiting now (four eyes), as `strategy status` and the approval commands
 * print them: who approved so far, how many distinct approvers are needed, who may.
 */
import type { StrategyStatus } from '../../workflows/strategy/api';

type Approvals = NonNullable<StrategyStatus['approvals']>;

export function approvalsLine(a: Approvals): string {
  const who = a.collected.length ? ` (${a.collected.join(', ')})` : '';
  const may = a.approvers ? ` · approvers: ${a.approvers.join(', ')}` : '';
  return `${a.step}: ${a.collected.length} of ${a.needed} distinct approval(s)${who}${may}`;
}

/** After an accepted approval that is not yet enough: the tail of the command's answer. Empty otherwise. */
export function approvalsPending(st: Pick<StrategyStatus, 'approvals'>): string {
  const a = st.approvals;
  return a && a.collected.length > 0 && a.collected.length < a.needed ? `; ${approvalsLine(a)}: waiting for another approver` : '';
}
