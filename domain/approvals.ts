/**
 * Who may approve, and how many distinct people must: the pure decision behind the strategy
 * workflow's approve / resume / reject handlers (the workflow enforces it, so the plain Temporal CLI
 * path obeys the same rules as ours).
 *
 * A config may name its approvers; without a list anyone may approve (as before approvers existed).
 * Each rung needs `approvalsRequired[rung]` DISTINCT approvers (four eyes = 2): approvals collect on
 * one pending step (the promotion to a rung, or the resume into it after an emergency stop) until
 * enough distinct people agreed. Names compare trimmed and case-insensitively, so "Alice" and
 * "alice " are one person.
 */
import type { StrategyConfig } from './config-types';
import { isLiveMode, type TradingMode } from './modes';

/**
 * The step an approval is for: a promotion to `to`, or the resume into `to` after an emergency stop.
 * `since` tells one occurrence from the next (the gate period's start, the emergency stop's time), so
 * approvals given for an earlier promotion or stop never count towards a later one.
 */
export interface ApprovalStep {
  kind: 'PROMOTE' | 'RESUME';
  to: TradingMode;
  since: number;
}

/** Approvals collected so far for one step (carried across continue-as-new). */
export interface PendingApprovals extends ApprovalStep {
  by: string[];
}

/**
 * The part of the config the decision reads. `approvalsRequired` may be absent: configs recorded
 * before approvers existed (running workflows, histories) lack it, and they need one approval per step.
 */
export type ApprovalPolicy = Pick<StrategyConfig, 'approvers'> & { approvalsRequired?: Partial<StrategyConfig['approvalsRequired']> };

export type ApprovalDecision =
  | { outcome: 'REFUSED'; reason: string }
  /** accepted, but more distinct approvers are needed: `pending` is the new collection */
  | { outcome: 'PENDING'; pending: PendingApprovals; needed: number }
  /** enough distinct approvers: the step happens */
  | { outcome: 'APPROVED'; by: string[]; needed: number };

export function sameApprover(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** Null when `by` may approve under the policy, else the reason. */
export function approverRefusal(policy: ApprovalPolicy, by: string): string | null {
  const list = policy.approvers;
  if (!list || list.some((a) => sameApprover(a, by))) return null;
  return `${by.trim()} is not an approver of this strategy (approvers: ${list.join(', ')})`;
}

/** Distinct approvals a step into `to` needs: the rung's count for live rungs, 1 for PAPER. */
export function approvalsNeeded(policy: ApprovalPolicy, to: TradingMode): number {
  return isLiveMode(to) ? (policy.approvalsRequired?.[to] ?? 1) : 1;
}

function sameStep(a: ApprovalStep, b: ApprovalStep): boolean {
  return a.kind === b.kind && a.to === b.to && a.since === b.since;
}

/**
 * One approval of `step` by `by`, given what is already collected (approvals for another step do not
 * count: a rejection, a new gate period or an emergency stop clears them in the workflow as well).
 */
export function decideApproval(policy: ApprovalPolicy, pending: PendingApprovals | null, step: ApprovalStep, by: string): ApprovalDecision {
  const notListed = approverRefusal(policy, by);
  if (notListed) return { outcome: 'REFUSED', reason: notListed };
  const needed = approvalsNeeded(policy, step.to);
  const collected = pending && sameStep(pending, step) ? pending.by : [];
  if (collected.some((b) => sameApprover(b, by))) {
    return { outcome: 'REFUSED', reason: `${by.trim()} has already approved this ${describeStep(step)} (${collected.length} of ${needed}); it needs a different approver` };
  }
  const all = [...collected, by.trim()];
  if (all.length >= needed) return { outcome: 'APPROVED', by: all, needed };
  return { outcome: 'PENDING', pending: { ...step, by: all }, needed };
}

export function describeStep(step: ApprovalStep): string {
  return step.kind === 'PROMOTE' ? `promotion to ${step.to}` : `resume into ${step.to}`;
}

/**
 * Config check (the schema reports it): with a list of approvers, every rung must be approvable,
 * i.e. need no more distinct approvers than the list has. Null when fine.
 */
export function unreachableApprovals(approvers: readonly string[] | undefined, required: Readonly<Record<string, number>>): string | null {
  if (!approvers) return null;
  const distinct = new Set(approvers.map((a) => a.trim().toLowerCase())).size;
  const over = Object.entries(required).filter(([, n]) => n > distinct);
  if (!over.length) return null;
  return `${over.map(([rung, n]) => `${rung} needs ${n}`).join(', ')} distinct approvers but only ${distinct} are listed`;
}
