/**
 * Which exit request the position refuses, and why. The plain Temporal CLI can send `exitPosition`
 * with any reason: a reason other than MANUAL / EMERGENCY used to be dropped without a trace and the
 * position stayed open (issue 17, defect 3). Now a refused signal is recorded (view.lastRefusal + a
 * COMMAND_REFUSED alert) and the update's validator answers with the same message.
 */
import { patched } from '@temporalio/workflow';
import { freeTextProblem } from '../../domain/free-text';
import type { ExitRequest } from './api';
import { db } from './proxies';
import type { PositionRun } from './state';

const EXIT_REASONS = ['MANUAL', 'EMERGENCY'];

export function exitRequestProblem(req: ExitRequest | undefined): string | null {
  if (!req || typeof req !== 'object') return 'an exit request must be an object: { "reason": "MANUAL" }';
  if (!EXIT_REASONS.includes(req.reason)) return `an exit request's reason must be ${EXIT_REASONS.join(' or ')}, got ${JSON.stringify(req.reason)?.slice(0, 60)}`;
  return freeTextProblem(req);
}

/**
 * The exitPosition signal: the first good request counts; a bad one is refused visibly behind patch
 * `position-exit-refusal-v1` (runs recorded before it ignored it; patched() is only asked for a bad one).
 */
export async function onExitSignal(run: PositionRun, req: ExitRequest | undefined): Promise<void> {
  const problem = exitRequestProblem(req);
  if (!problem) {
    run.exitRequest ??= req;
    return;
  }
  if (!patched('position-exit-refusal-v1')) return;
  const at = Date.now();
  run.view.lastRefusal = { at, command: 'exitPosition', reason: problem };
  await db.raiseAlert({
    id: `${run.positionId}:refused:exitPosition:${at}`,
    strategyId: run.strategyId,
    severity: 'warning',
    kind: 'COMMAND_REFUSED',
    message: `exitPosition refused for ${run.positionId}: ${problem}`,
  });
}
