/**
 * Status assembly: the StrategyStatus the status query and every update answer with, and when the
 * promotion gate is next due (also the loop's wake-up time for the gate), and the approval step waiting
 * now with its approvals collected / needed (four-eyes.ts applies the rules).
 */
import { limitsFor, nextMode } from '../../domain/ladder';
import type { StrategyStatus } from './api';
import type { StrategyRun } from './state';
import { approvalsNeeded, describeStep, type ApprovalStep } from '../../domain/approvals';

/** Validation period of the current rung: the paper period on PAPER, a live step above it. */
export function gatePeriod(run: StrategyRun): number {
  return run.state.mode === 'PAPER' ? run.config.gate.paperPeriod : run.config.gate.liveStepPeriod;
}

export function strategyStatus(run: StrategyRun): StrategyStatus {
  const s = run.state;
  const config = run.config;
  const next = s.mode === 'EMERGENCY_STOP' ? null : nextMode(s.mode);
  const period = gatePeriod(run);
  return {
    strategyId: run.strategyId,
    name: config.name,
    mode: s.mode,
    state: run.runState(),
    phaseStartedAt: s.phaseStartedAt,
    // runs from before modeSince was tracked: the emergency's time, else the rung's start
    modeSince: s.modeSince ?? (s.mode === 'EMERGENCY_STOP' && s.emergency ? s.emergency.at : s.phaseStartedAt),
    gate: {
      kind: s.mode === 'EMERGENCY_STOP' || !next ? 'NONE' : s.mode === 'PAPER' ? 'PAPER' : 'LIVE_STEP',
      evaluatedAt: s.gate.evaluatedAt,
      nextEvaluationAt: next && !s.awaitingApproval ? Math.max(s.phaseStartedAt + period, s.gate.evaluatedAt ?? 0) : null,
      result: s.gate.result,
      awaitingApproval: s.awaitingApproval,
      nextMode: next,
    },
    limits: limitsFor(run.activeRung(), config),
    risk: s.risk,
    emergency: s.emergency,
    openPositions: run.openCount(),
    closedTrades: s.trades.length,
    lastRefusal: s.lastRefusal,
    continuedAsNew: s.continuedAsNew,
    approvals: approvalsStatus(run),
  };
}

/** The step an approval would decide now: the resume after an emergency stop, or the promotion the gate waits for. */
export function currentApprovalStep(run: StrategyRun): ApprovalStep | null {
  const s = run.state;
  if (s.mode === 'EMERGENCY_STOP') return { kind: 'RESUME', to: s.emergency?.resumeMode ?? 'PAPER', since: s.emergency?.at ?? 0 };
  const to = nextMode(s.mode);
  return s.awaitingApproval && to ? { kind: 'PROMOTE', to, since: s.phaseStartedAt } : null;
}

/** Approvals collected / needed for the step waiting now (status). */
export function approvalsStatus(run: StrategyRun): StrategyStatus['approvals'] {
  const step = currentApprovalStep(run);
  if (!step) return null;
  const p = run.state.approvals;
  const collected = p && p.kind === step.kind && p.to === step.to && p.since === step.since ? p.by : [];
  return { step: describeStep(step), collected, needed: approvalsNeeded(run.config, step.to), approvers: run.config.approvers ?? null };
}

/** How long the loop may sleep: the next scan, the gate's due time or the end of the emergency cooldown. */
export function nextWakeMs(run: StrategyRun): number {
  const s = run.state;
  const now = Date.now();
  let next = now + run.config.timing.scanInterval;
  const due = strategyStatus(run).gate.nextEvaluationAt;
  if (due && due > now) next = Math.min(next, due);
  if (s.emergency && s.emergency.cooldownUntil > now) next = Math.min(next, s.emergency.cooldownUntil);
  return Math.max(1, next - now);
}
