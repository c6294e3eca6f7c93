/**
 * strategyWorkflow: one per strategy (workflow id `strategy-<strategyId>`, so a second start is refused).
 *
 * Owns the mode ladder (PAPER → LIVE_MINIMAL → LIVE_SCALED_1..3, EMERGENCY_STOP), limits, risk state and
 * the book of open positions. It scans the unlock calendar on a durable timer and starts one
 * positionWorkflow child per qualifying event. Every entry is decided here, which makes the kill switch
 * a single check: once paused or in EMERGENCY_STOP, every entry request is refused.
 *
 * This file is the setup (handlers) and the run (the loop). The rules live beside it: which command is
 * refused and why (refusals.ts), the controls (controls.ts), the limits-update check (limits-update.ts),
 * status assembly (status.ts), calendar scan (scan.ts), gate evaluation (gate.ts), emergency stop
 * (emergency.ts), entry decisions (entry.ts), the correlation guard (correlation.ts) and child
 * bookkeeping (children.ts), all on one
 * StrategyRun (state.ts).
 */
import { allHandlersFinished, condition, continueAsNew, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import { getPlaybook } from '../../domain/playbook';
import { rollRiskPeriods } from '../../domain/risk';
import { computeMetrics } from '../../domain/metrics';
import { freeTextProblem } from '../../domain/free-text';
import * as api from './api';
import { freshState, StrategyRun, type StrategyInput } from './state';
import { approveRefusal, emergencyRefusal, pauseRefusal, refuse, rejectRefusal, resumeRefusal, signalTextRefusal, throwIfRefused } from './refusals';
import { limitsUpdateProblem } from './limits-update';
import { pause, updateLimits } from './controls';
import { approveAsApprover, rejectAsApprover, throwApprovalRefusal } from './four-eyes';
import { awaitEmergencyAnswer, dispatchEmergencyExits, enterManualEmergency, tripEmergencyTriggers } from './emergency';
import { nextWakeMs, strategyStatus } from './status';
import { scanCalendar } from './scan';
import { evaluateGateIfDue } from './gate';
import { carriedEntries, decideEntry, drainEntries, restoreEntries, resumeEntries } from './entry';
import { tripCorrelation } from './correlation';
import { openPositions, positionEnded, positionOpened, stopAll } from './children';
import { act } from './proxies';
import { WakeTimer } from './wake-timer';

export async function strategyWorkflow(input: StrategyInput): Promise<api.StrategyStatus> {
  const config = input.config;
  const playbook = getPlaybook(config.strategy);
  const run = new StrategyRun(config, input.carried ?? freshState(config, Date.now()), workflowInfo().workflowId);
  const s = run.state;
  const status = () => strategyStatus(run);

  // ---------------------------------------------------------------- setup: handlers
  // Signals: the plain Temporal CLI can send them; a refused one is recorded (status.lastRefusal + alert).
  // a signal's command runs only when its refusal rule (refusals.ts) has nothing against it
  const guarded =
    <A>(name: string, refusal: (i: A) => string | null, apply: (i: A) => unknown) =>
    async (i: A) => {
      const r = refusal(i);
      if (r) return refuse(run, name, r);
      await apply(i);
    };
  setHandler(api.approveSignal, guarded('approve', (i) => signalTextRefusal(i) ?? approveRefusal(run, i), (i) => approveAsApprover(run, 'approve', i)));
  setHandler(api.rejectSignal, guarded('reject', (i) => signalTextRefusal(i) ?? rejectRefusal(run, i), (i) => rejectAsApprover(run, i)));
  setHandler(api.pauseSignal, guarded('pause', (i) => signalTextRefusal(i) ?? pauseRefusal(run), (i) => pause(run, i)));
  setHandler(api.resumeSignal, guarded('resume', (i) => signalTextRefusal(i) ?? resumeRefusal(run, i), (i) => approveAsApprover(run, 'resume', i)));
  setHandler(api.emergencyStopSignal, guarded('emergencyStop', (i) => signalTextRefusal(i) ?? emergencyRefusal(run, i), (i) => enterManualEmergency(run, i)));
  // the ranges of domain/limit-bounds.ts refuse what older runs applied: recorded runs replay without them
  setHandler(api.updateLimitsSignal, guarded('updateLimits', (u) => signalTextRefusal(u) ?? limitsUpdateProblem(u, patched('limit-bounds-v1')), (u) => updateLimits(run, u)));
  setHandler(api.stopStrategySignal, () => {
    s.stopRequested = true;
    run.publish();
    run.wake = true;
  });

  // Updates: same rules, but the caller gets the refusal as the update's failure, with nothing changed
  // (the approver rules refuse from the handler, after recording the refusal: four-eyes.ts).
  setHandler(api.approveUpdate, async (i) => (throwApprovalRefusal(await approveAsApprover(run, 'approve', i)), status()), { validator: (i) => throwIfRefused(freeTextProblem(i) ?? approveRefusal(run, i)) });
  setHandler(api.rejectUpdate, async (i) => (throwApprovalRefusal(await rejectAsApprover(run, i)), status()), { validator: (i) => throwIfRefused(freeTextProblem(i) ?? rejectRefusal(run, i)) });
  setHandler(api.pauseUpdate, async (i) => (await pause(run, i), status()), { validator: (i) => throwIfRefused(freeTextProblem(i) ?? pauseRefusal(run)) });
  setHandler(api.resumeUpdate, async (i) => (throwApprovalRefusal(await approveAsApprover(run, 'resume', i)), status()), { validator: (i) => throwIfRefused(freeTextProblem(i) ?? resumeRefusal(run, i)) });
  setHandler(
    api.emergencyStopUpdate,
    async (i) => {
      enterManualEmergency(run, i);
      // answer once the exits are dispatched (emergency.ts: bounded since emergency-early-answer-v1)
      await awaitEmergencyAnswer(run);
      return status();
    },
    { validator: (i) => throwIfRefused(freeTextProblem(i) ?? emergencyRefusal(run, i)) },
  );
  // validators do not run on replay: the ranges apply to every new update without a patch
  setHandler(api.updateLimitsUpdate, async (u) => (await updateLimits(run, u), status()), { validator: (u) => throwIfRefused(freeTextProblem(u) ?? limitsUpdateProblem(u, true)) });

  setHandler(api.statusQuery, status);
  setHandler(api.openPositionsQuery, () => openPositions(run));
  setHandler(api.metricsQuery, () => ({ metrics: computeMetrics(s.trades, config.capital.initial), trades: s.trades }));

  // child → parent
  setHandler(api.entryRequestSignal, async (req) => decideEntry(run, req));
  setHandler(api.positionOpenedSignal, (p) => positionOpened(run, p));
  setHandler(api.positionEndedSignal, (e) => positionEnded(run, e));

  // ---------------------------------------------------------------- run: the loop
  // requests the previous run handed over undecided (entry.ts drainEntries), decided first
  if (s.pendingEntries) {
    const reqs = s.pendingEntries;
    delete s.pendingEntries;
    restoreEntries(run, reqs);
  }
  run.publish();
  if (!input.carried) {
    await act.recordStrategyStarted({ strategyId: run.strategyId, workflowId: run.workflowId, config, mode: s.mode, at: s.startedAt });
  }
  let loops = 0;
  const wakeTimer = new WakeTimer();
  for (;;) {
    if (s.emergencyExitPending) await dispatchEmergencyExits(run);
    if (s.stopRequested) return await stopAll(run);

    s.risk = rollRiskPeriods(s.risk, Date.now(), config.timing.tradingDay);
    if (tripEmergencyTriggers(run)) continue;
    if (patched('correlation-guard-v1') && (await tripCorrelation(run))) continue;
    if (!s.paused && s.mode !== 'EMERGENCY_STOP') await scanCalendar(run, playbook);
    await evaluateGateIfDue(run);
    if (run.riskDirty) {
      run.riskDirty = false;
      await act.saveRiskState({ strategyId: run.strategyId, risk: s.risk, mode: s.mode, state: run.runState() });
    }

    loops++;
    if (workflowInfo().continueAsNewSuggested || (input.continueAsNewAfterLoops && loops >= input.continueAsNewAfterLoops)) {
      drainEntries(run);
      await condition(allHandlersFinished);
      if (!s.emergencyExitPending && !s.stopRequested) {
        s.continuedAsNew++;
        return continueAsNew<typeof strategyWorkflow>({ ...input, config, carried: { ...s, pendingEntries: carriedEntries(run) } });
      }
      resumeEntries(run);
      continue;
    }
    run.wake = false;
    run.showDetails();
    const woken = () => run.wake || s.emergencyExitPending || s.stopRequested;
    if (patched('wake-timer-v1')) {
      wakeTimer.armBy(Date.now() + nextWakeMs(run), 'until the next scan, gate or cooldown end');
      await condition(() => woken() || wakeTimer.fired);
      wakeTimer.consume();
    } else await condition(woken, nextWakeMs(run), { summary: 'until the next scan, gate or cooldown end' });
  }
}
