/**
 * Gate evaluation: once the rung's validation period has run, the promotion gate (domain/gate.ts) is
 * evaluated; a pass waits for an operator's approval (APPROVAL_NEEDED alert), a first failure is told.
 */
import { patched } from '@temporalio/workflow';
import { evaluateLiveStepGate, evaluatePaperGate, paperGateBasis, type GateResult } from '../../domain/gate';
import { nextMode } from '../../domain/ladder';
import { act } from './proxies';
import type { StrategyRun } from './state';
import { gatePeriod } from './status';

/** The gate's failed checks in one line: each as "<name> <value> (needs <op> <threshold>)", "; "-separated. */
export function describeFailedChecks(failed: GateResult['failed']): string {
  return failed.map((c) => `${c.name} ${c.value} (needs ${c.op} ${c.threshold})`).join('; ');
}

export async function evaluateGateIfDue(run: StrategyRun): Promise<void> {
  const s = run.state;
  const config = run.config;
  const strategyId = run.strategyId;
  const next = nextMode(s.mode);
  if (s.mode === 'EMERGENCY_STOP' || !next || s.awaitingApproval) return;
  const now = Date.now();
  if (now < s.phaseStartedAt + gatePeriod(run)) return;
  const result =
    s.mode === 'PAPER'
      ? evaluatePaperGate({ trades: s.trades, startedAt: s.phaseStartedAt, now, initialCapital: config.capital.initial, gate: config.gate, basis: paperGateBasis(config.gate.basis, patched('gate-daily-basis-v1')) })
      : evaluateLiveStepGate({ trades: s.trades, stepStartedAt: s.phaseStartedAt, now, gate: config.gate });
  const first = s.gate.evaluatedAt === null;
  s.gate = { result, evaluatedAt: now };
  if (result.passed) {
    s.awaitingApproval = true;
    await act.raiseAlert({
      id: `${strategyId}:gate:${s.phaseStartedAt}:passed`,
      strategyId,
      severity: 'warning',
      kind: 'APPROVAL_NEEDED',
      message: `gate for ${next} passed; approval needed: approve ${strategyId} --by <name>`,
      details: result,
    });
  } else if (first) {
    await act.raiseAlert({
      id: `${strategyId}:gate:${s.phaseStartedAt}:failed`,
      strategyId,
      severity: 'info',
      kind: 'GATE_FAILED',
      message: `gate for ${next} not passed yet: ${describeFailedChecks(result.failed)}`,
      details: result,
    });
  }
}
