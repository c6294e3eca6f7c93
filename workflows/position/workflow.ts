/**
 * positionWorkflow: one trade of the token-unlock strategy, from waiting for the entry window to the
 * recorded exit.
 *
 *   WAITING_ENTRY ──(entry target: unlock − entryLead)──▶ filters + parent's pre-trade risk
 *        │                                                  │ approved            │ denied
 *        ▼                                                  ▼                     ▼
 *     SKIPPED ◀── manual exit / window missed         ENTERING ──▶ OPEN ──▶ EXITING ──▶ CLOSED
 *
 * Price watching (design notes §1): the workflow does NOT poll prices in a timer loop (≈11 history
 * events per tick). It runs ONE `watchPriceLevels` activity for the whole holding period: for a
 * time-indexed market (scripted/replayed/synthetic prices) it returns the first stop/target crossing at
 * once and the workflow sleeps on a durable timer until that instant; for a real-time venue it
 * heartbeats (reading a per-worker, per-symbol price cache, one exchange poll per symbol) and returns
 * when a level is crossed. Meanwhile the workflow waits on `condition()` for an exit signal or the
 * time exit. A position's history stays a few dozen events.
 *
 * Exactly-once orders: client order ids derive from this workflow's id and the purpose
 * (`clientOrderIdFor(positionId, 'entry' | 'exit', seq)`); the strategy's emergency batch exit uses the
 * same exit id, so whichever places it first wins and the other finds it.
 *
 * Cancellation (strategy stop) always ends in a market exit of whatever is open, inside a
 * non-cancellable scope, never in an abandoned position.
 *
 * This file is the setup (handlers) and the run (the steps below). Beside it: the run's state and how
 * a position ends (state.ts), which exit request is refused (exit-request.ts), the entry order and the open record (entry.ts), holding (hold.ts) and
 * the exit rounds (exit.ts).
 */
import { CancellationScope, condition, isCancellation, patched, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { getPlaybook } from '../../domain/playbook';
import { entryWindow } from '../../domain/unlock-playbook';
import { isSessionOpen, msUntilSessionOpen } from '../../domain/sessions';
import type { TradingMode } from '../../domain/types';
import { entryDecisionSignal, exitPositionSignal, exitPositionUpdate, positionStateQuery, type PositionInput, type PositionView } from './api';
import { entryRequestSignal } from '../strategy/api';
import { TradingModeKey } from '../search-attributes';
import { db, market } from './proxies';
import { PositionRun } from './state';
import { placeEntryOrder, recordOpened } from './entry';
import { holdUntilExit } from './hold';
import { exitAndReport } from './exit';
import { exitRequestProblem, onExitSignal } from './exit-request';

const throwIfBad = (problem: string | null) => {
  if (problem) throw new Error(problem);
};

/** Independent steps overlapped in one workflow task: the signal record with the entry request, the
 *  open records with the price watch (fewer workflow tasks per position, issue 14). */
const OVERLAPPED_STEPS_PATCH = 'position-overlapped-steps-v1';

/** How long a position waits for its strategy's answer to an entry request. */
const ENTRY_DECISION_TIMEOUT_MS = 10 * 60_000;

export async function positionWorkflow(input: PositionInput): Promise<PositionView> {
  const { event, config, strategyId } = input;
  const run = new PositionRun(input);
  const { view, positionId } = run;
  const playbook = getPlaybook(config.strategy);

  // ---------------------------------------------------------------- setup: handlers
  setHandler(positionStateQuery, () => view);
  setHandler(entryDecisionSignal, (verdict) => {
    run.verdict ??= verdict;
  });
  setHandler(exitPositionSignal, (req) => onExitSignal(run, req));
  setHandler(
    exitPositionUpdate,
    (req) => {
      run.exitRequest ??= req;
      return view;
    },
    { validator: (req) => throwIfBad(exitRequestProblem(req)) },
  );
  const exitRequested = () => run.exitRequest !== undefined;
  /** the open records (entry.ts recordOpened), once the entry filled */
  let opened: Promise<void> | undefined;

  // ---------------------------------------------------------------- run: the steps
  try {
    // 1. Wait durably for the entry target (unlock − entryLead); a manual exit before it cancels the trade.
    const window = entryWindow(event, config);
    if (Date.now() < window.targetAt) await condition(exitRequested, window.targetAt - Date.now(), { summary: 'until the entry window (unlock − entry lead)' });
    // venues with trading hours: wait for the session instead of failing
    const wait = msUntilSessionOpen(config.exchange.session, Date.now());
    if (wait && wait > 0 && !isSessionOpen(config.exchange.session, Date.now())) await condition(exitRequested, wait);
    if (run.exitRequest) return await run.skip(`exit requested before entry (${run.exitRequest.reason})`);
    if (Date.now() > window.closesAt) return await run.skip('OUTSIDE_ENTRY_WINDOW: entry window closed before the position could enter');

    // 2. Re-check the entry filters on fresh market data.
    const { latencyMs, venue: _venue, precision, ...snapshot } = await market.fetchMarketSnapshot({ symbol: event.symbol, mode: input.mode, asOf: Date.now(), strategyId });
    const entryCheck = playbook.evaluateEntry({ event, snapshot, now: Date.now(), cfg: config });
    const signalRecord = {
      id: `${positionId}:entry`,
      strategyId,
      eventId: event.id,
      symbol: event.symbol,
      strength: entryCheck.ok ? entryCheck.strength : null,
      accepted: entryCheck.ok,
      reasons: entryCheck.ok ? [] : entryCheck.reasons,
    };
    // overlapped: the entry request does not wait for the signal's record (one workflow task fewer
    // before the strategy hears of it); recorded runs made them one after another
    const overlapped = entryCheck.ok && patched(OVERLAPPED_STEPS_PATCH);
    if (!overlapped) await db.recordSignal(signalRecord);
    if (!entryCheck.ok) {
      view.reasons = entryCheck.reasons;
      return await run.skip(entryCheck.reasons.map((r) => r.code).join(','));
    }

    // 3. Pre-trade risk and size come from the strategy, the one place that knows mode, exposure and
    //    risk state, and that refuses every entry once it is paused or in EMERGENCY_STOP.
    run.setStatus('ENTERING');
    const request = run.parent.signal(entryRequestSignal, {
      positionId,
      eventId: event.id,
      symbol: event.symbol,
      snapshot,
      latencyMs,
      strength: entryCheck.strength,
      ...(precision ? { precision } : {}),
    });
    await (overlapped ? Promise.all([request, db.recordSignal(signalRecord)]) : request);
    const answered = await condition(() => run.verdict !== undefined, ENTRY_DECISION_TIMEOUT_MS);
    const verdict = run.verdict;
    if (!answered || !verdict?.approved || !verdict.quantity || !verdict.mode) {
      view.reasons = verdict?.reasons ?? [];
      return await run.skip(answered ? `entry refused: ${(verdict?.reasons ?? []).map((r) => r.code).join(',')}` : 'no entry decision from the strategy');
    }
    const mode: TradingMode = verdict.mode;
    view.mode = mode;
    upsertSearchAttributes([{ key: TradingModeKey, value: mode }]);

    // 4. Entry order (idempotent by client order id). Not cancellable halfway: a strategy stop
    //    arriving now waits for the fill, then exits it below.
    const entry = await placeEntryOrder(run, { mode, quantity: verdict.quantity, notional: verdict.notional, signalPrice: snapshot.ask });
    if (!entry) return view;
    // overlapped: the price watch starts in the same workflow task as the open records; the exit
    // waits for them, so the strategy always hears "opened" before "ended"
    opened = recordOpened(run, entry, playbook, entryCheck.strength, overlapped);
    if (!overlapped) await opened;
    // a failure is thrown where it is awaited below, not as an unhandled rejection meanwhile
    else opened.catch(() => undefined);

    // 5. Hold through the unlock: first of stop-loss / take-profit / time exit / manual / emergency.
    const reason = await holdUntilExit(view, mode, config.timing.priceCheckInterval, () => run.exitRequest);
    await opened;
    return await exitAndReport(run, reason);
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // Strategy stop (cancellation): never leave an open position behind.
    return await CancellationScope.nonCancellable(async () => {
      if (view.status === 'OPEN' || view.status === 'EXITING') {
        // the records of the fill first (a cancelled one, in recorded runs, is not waited for)
        await opened?.catch(() => undefined);
        return exitAndReport(run, 'MANUAL');
      }
      if (view.status === 'WAITING_ENTRY' || view.status === 'ENTERING') return run.skip('strategy stopped before entry');
      return view;
    });
  }
}
