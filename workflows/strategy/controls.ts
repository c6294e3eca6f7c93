/**
 * The operator's controls once allowed (see refusals.ts): approve (promote, or resume after an
 * emergency stop), reject, pause, resume, limits update; each records what it did (mode change,
 * approval row, alert).
 */
import { nextMode } from '../../domain/ladder';
import type { StrategyConfig, TradingMode } from '../../domain/types';
import type { ApprovalInput, LimitsUpdate, PauseInput } from './api';
import { act } from './proxies';
import type { StrategyRun } from './state';

async function changeMode(run: StrategyRun, to: TradingMode, reason: string, approval?: { by: string; note?: string }): Promise<void> {
  const strategyId = run.strategyId;
  const from = run.state.mode;
  const at = Date.now();
  run.state.mode = to;
  run.state.modeSince = at;
  run.publish();
  await act.recordModeChange({
    id: `${strategyId}:mode:${at}:${from}->${to}`,
    strategyId,
    fromMode: from,
    toMode: to,
    reason,
    at,
    approval: approval ? { ...approval, decision: 'APPROVED' } : undefined,
  });
}

/** `approvers`: everyone whose approval counted (four eyes: domain/approvals.ts), for the mode change's reason. */
export async function approve(run: StrategyRun, i: ApprovalInput, approvers: string[] = [i.by]): Promise<void> {
  const s = run.state;
  const by = approvers.join(' + ');
  if (s.mode === 'EMERGENCY_STOP') {
    const to = s.emergency?.resumeMode ?? 'PAPER';
    s.emergency = null;
    s.paused = false;
    await changeMode(run, to, `resumed after emergency stop by ${by}`, i);
  } else {
    const to = nextMode(s.mode)!;
    s.awaitingApproval = false;
    s.phaseStartedAt = Date.now();
    s.gate = { result: null, evaluatedAt: null };
    await changeMode(run, to, `promoted by ${by}`, i);
  }
  run.wake = true;
}

export async function reject(run: StrategyRun, i: ApprovalInput): Promise<void> {
  const s = run.state;
  const strategyId = run.strategyId;
  const to = nextMode(s.mode);
  s.awaitingApproval = false;
  // a rejected promotion starts a new validation period on the current rung
  s.phaseStartedAt = Date.now();
  s.gate = { result: null, evaluatedAt: null };
  await act.recordApproval({
    id: `${strategyId}:reject:${Date.now()}`,
    strategyId,
    decision: 'REJECTED',
    approvedBy: i.by,
    fromMode: s.mode,
    toMode: to ?? s.mode,
    note: i.note,
    at: Date.now(),
  });
}

export async function pause(run: StrategyRun, i: PauseInput): Promise<void> {
  const strategyId = run.strategyId;
  run.state.paused = true;
  run.publish();
  await act.raiseAlert({
    id: `${strategyId}:paused:${Date.now()}`,
    strategyId,
    severity: 'warning',
    kind: 'PAUSED',
    message: `strategy paused${i?.by ? ` by ${i.by}` : ''}${i?.reason ? `: ${i.reason}` : ''}; open positions keep their exits`,
  });
}

export async function resume(run: StrategyRun, i: ApprovalInput): Promise<void> {
  const strategyId = run.strategyId;
  if (run.state.mode === 'EMERGENCY_STOP') return approve(run, i);
  run.state.paused = false;
  run.publish();
  await act.raiseAlert({ id: `${strategyId}:resumed:${Date.now()}`, strategyId, severity: 'info', kind: 'RESUMED', message: `strategy resumed by ${i?.by ?? 'operator'}` });
  run.wake = true;
}

/** Applies a checked limits update (limits-update.ts) to the live config; continue-as-new carries it on. */
export async function updateLimits(run: StrategyRun, u: LimitsUpdate): Promise<void> {
  const config = run.config;
  const strategyId = run.strategyId;
  if (u.risk) Object.assign(config.risk, u.risk);
  if (u.ladder) for (const [rung, lim] of Object.entries(u.ladder)) Object.assign(config.ladder[rung as keyof StrategyConfig['ladder']], lim);
  await act.raiseAlert({
    id: `${strategyId}:limits:${Date.now()}`,
    strategyId,
    severity: 'info',
    kind: 'LIMITS_UPDATED',
    message: `limits updated${u.by ? ` by ${u.by}` : ''}: ${JSON.stringify({ risk: u.risk, ladder: u.ladder })}`,
  });
  run.wake = true;
}
