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
 */
import {
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { getStrategy } from '../domain/strategy';
import { entryWindow } from '../domain/unlock-strategy';
import { isSessionOpen, msUntilSessionOpen } from '../domain/sessions';
import { closedTrade } from '../domain/pnl';
import { d, toStr } from '../domain/money';
import { clientOrderIdFor } from '../domain/ids';
import type { ClosedTrade, ExitReason, PositionStatus, TradingMode } from '../domain/types';
import {
  entryDecisionSignal,
  exitPositionSignal,
  positionStateQuery,
  type EntryDecision,
  type ExitRequest,
  type PositionInput,
  type PositionView,
} from './position-api';
import { entryRequestSignal, positionEndedSignal, positionOpenedSignal, type PositionEnded } from './strategy-api';
import { PositionStatusKey, TradingModeKey } from './search-attributes';

const db = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});
const market = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '20 seconds', maximumAttempts: 10 },
});
const orders = proxyActivities<Activities>({
  // every retry re-enters placeOrder, which finds an order it already placed by its client order id
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 20 },
});

/** How long a position waits for its strategy's answer to an entry request. */
const ENTRY_DECISION_TIMEOUT_MS = 10 * 60_000;
/** Exit re-tries (remainder after partial fills, venue errors) before asking a human. */
const MAX_EXIT_ROUNDS = 5;

export async function positionWorkflow(input: PositionInput): Promise<PositionView> {
  const { event, config, strategyId } = input;
  const positionId = workflowInfo().workflowId;
  const strategy = getStrategy(config.strategy);
  const parent = getExternalWorkflowHandle(input.strategyWorkflowId);

  const view: PositionView = {
    positionId,
    strategyId,
    eventId: event.id,
    symbol: event.symbol,
    status: 'WAITING_ENTRY',
    mode: null,
    unlockAt: event.unlockAt,
    entryAt: null,
    quantity: '0',
    entryPrice: null,
    entryFee: '0',
    stopPrice: null,
    targetPrice: null,
    timeExitAt: null,
    exitReason: null,
    trade: null,
    reasons: [],
  };
  let decision: EntryDecision | undefined;
  let exitRequest: ExitRequest | undefined;

  setHandler(positionStateQuery, () => view);
  setHandler(entryDecisionSignal, (dec) => {
    decision ??= dec;
  });
  setHandler(exitPositionSignal, (req) => {
    if (req && (req.reason === 'MANUAL' || req.reason === 'EMERGENCY')) exitRequest ??= req;
  });

  const setStatus = (status: PositionStatus) => {
    view.status = status;
    upsertSearchAttributes([{ key: PositionStatusKey, value: status }]);
  };
  const end = async (report: PositionEnded): Promise<PositionView> => {
    await parent.signal(positionEndedSignal, report);
    return view;
  };
  const skip = async (reason: string, status: 'SKIPPED' | 'FAILED' = 'SKIPPED'): Promise<PositionView> => {
    setStatus(status);
    await db.recordPositionEnded({ positionId, strategyId, eventId: event.id, symbol: event.symbol, mode: view.mode ?? input.mode, status, reason, at: Date.now() });
    return end({ positionId, status, reason });
  };

  try {
    // 1. Wait durably for the entry target (unlock − entryLead); a manual exit before it cancels the trade.
    const window = entryWindow(event, config);
    if (Date.now() < window.targetAt) await condition(() => exitRequest !== undefined, window.targetAt - Date.now());
    // venues with trading hours: wait for the session instead of failing
    const wait = msUntilSessionOpen(config.exchange.session, Date.now());
    if (wait && wait > 0 && !isSessionOpen(config.exchange.session, Date.now())) await condition(() => exitRequest !== undefined, wait);
    if (exitRequest) return await skip(`exit requested before entry (${exitRequest.reason})`);
    if (Date.now() > window.closesAt) return await skip('OUTSIDE_ENTRY_WINDOW: entry window closed before the position could enter');

    // 2. Re-check the entry filters on fresh market data.
    const { latencyMs, venue: _venue, ...snapshot } = await market.fetchMarketSnapshot({ symbol: event.symbol, mode: input.mode, asOf: Date.now(), strategyId });
    const verdict = strategy.evaluateEntry({ event, snapshot, now: Date.now(), cfg: config });
    await db.recordSignal({
      id: `${positionId}:entry`,
      strategyId,
      eventId: event.id,
      symbol: event.symbol,
      strength: verdict.ok ? verdict.strength : null,
      accepted: verdict.ok,
      reasons: verdict.ok ? [] : verdict.reasons,
    });
    if (!verdict.ok) {
      view.reasons = verdict.reasons;
      return await skip(verdict.reasons.map((r) => r.code).join(','));
    }

    // 3. Pre-trade risk and size come from the strategy, the one place that knows mode, exposure and
    //    risk state, and that refuses every entry once it is paused or in EMERGENCY_STOP.
    setStatus('ENTERING');
    await parent.signal(entryRequestSignal, {
      positionId,
      eventId: event.id,
      symbol: event.symbol,
      snapshot,
      latencyMs,
      strength: verdict.strength,
    });
    const answered = await condition(() => decision !== undefined, ENTRY_DECISION_TIMEOUT_MS);
    if (!answered || !decision?.approved || !decision.quantity || !decision.mode) {
      view.reasons = decision?.reasons ?? [];
      return await skip(answered ? `entry refused: ${(decision?.reasons ?? []).map((r) => r.code).join(',')}` : 'no entry decision from the strategy');
    }
    const mode: TradingMode = decision.mode;
    view.mode = mode;
    upsertSearchAttributes([{ key: TradingModeKey, value: mode }]);

    // 4. Entry order (idempotent by client order id). Not cancellable halfway: a strategy stop
    //    arriving now waits for the fill, then exits it below.
    const entryId = clientOrderIdFor(positionId, 'entry');
    let entry;
    try {
      entry = await CancellationScope.nonCancellable(() =>
        orders.placeOrder({
          clientOrderId: entryId,
          strategyId,
          positionId,
          purpose: 'entry',
          mode,
          symbol: event.symbol,
          side: 'buy',
          type: 'market',
          amount: decision!.quantity!,
          signalPrice: snapshot.ask,
          signalSize: decision!.notional,
          asOf: Date.now(),
        }),
      );
    } catch (err) {
      if (isCancellation(err)) throw err;
      // Retries exhausted or a non-retryable refusal. The order may still exist at the venue (a failed
      // lookup proves nothing), so a human is asked to check it; the strategy's book is released.
      await db.raiseAlert({
        id: `${positionId}:entry-failed`,
        strategyId,
        severity: 'critical',
        kind: 'ENTRY_FAILED',
        message: `entry order ${entryId} of ${positionId} (${event.symbol}, ${mode}) failed: ${(err as Error).message}; check the venue for an order with this client order id`,
      });
      return await skip(`ENTRY_FAILED: ${(err as Error).message}`, 'FAILED');
    }
    if (d(entry.filledAmount).lte(0)) return await skip(`entry order ${entry.status} with nothing filled`, 'FAILED');

    view.entryAt = Date.now();
    view.quantity = entry.filledAmount;
    view.entryPrice = entry.avgPrice;
    view.entryFee = entry.fee;
    const levels = strategy.exitLevels(entry.avgPrice, config, event);
    view.stopPrice = levels.stopPrice;
    view.targetPrice = levels.targetPrice;
    view.timeExitAt = levels.timeExitAt ?? null;
    setStatus('OPEN');
    const notional = toStr(d(entry.filledAmount).times(d(entry.avgPrice)));
    await db.recordPositionOpened({
      positionId,
      strategyId,
      eventId: event.id,
      symbol: event.symbol,
      mode,
      quantity: entry.filledAmount,
      entryPrice: entry.avgPrice,
      entryFee: entry.fee,
      signalStrength: verdict.strength,
      stopPrice: levels.stopPrice,
      targetPrice: levels.targetPrice,
      timeExitAt: levels.timeExitAt ?? null,
      openedAt: view.entryAt,
    });
    await parent.signal(positionOpenedSignal, {
      positionId,
      symbol: event.symbol,
      mode,
      quantity: entry.filledAmount,
      entryPrice: entry.avgPrice,
      entryFee: entry.fee,
      notional,
      openedAt: view.entryAt,
    });

    // 5. Hold through the unlock: first of stop-loss / take-profit / time exit / manual / emergency.
    const reason = await holdUntilExit(view, mode, config.timing.priceCheckInterval, () => exitRequest);
    return await exitAndReport(reason);
  } catch (err) {
    if (!isCancellation(err)) throw err;
    // Strategy stop (cancellation): never leave an open position behind.
    return await CancellationScope.nonCancellable(async () => {
      if (view.status === 'OPEN' || view.status === 'EXITING') return exitAndReport('MANUAL');
      if (view.status === 'WAITING_ENTRY' || view.status === 'ENTERING') return skip('strategy stopped before entry');
      return view;
    });
  }

  async function exitAndReport(reason: ExitReason): Promise<PositionView> {
    setStatus('EXITING');
    view.exitReason = reason;
    const mode = view.mode!;
    let remaining = d(view.quantity);
    let proceeds = d(0);
    let exitFee = d(0);
    let filled = d(0);
    for (let round = 0; remaining.gt(0); round++) {
      if (round >= MAX_EXIT_ROUNDS) {
        // A human must look: keep the position EXITING and wait for a manual exit signal to try again.
        await db.raiseAlert({
          id: `${positionId}:exit-stuck:${round}`,
          strategyId,
          severity: 'critical',
          kind: 'EXIT_STUCK',
          message: `position ${positionId} could not be fully exited after ${round} rounds; ${toStr(remaining)} ${event.symbol} remain`,
        });
        exitRequest = undefined;
        await condition(() => exitRequest !== undefined);
      }
      let placed;
      try {
        placed = await orders.placeOrder({
          // same id as the strategy's emergency batch exit for round 0: whoever is first places it
          clientOrderId: clientOrderIdFor(positionId, 'exit', round === 0 ? undefined : round),
          strategyId,
          positionId,
          purpose: reason === 'EMERGENCY' ? 'emergency-exit' : 'exit',
          mode,
          symbol: event.symbol,
          side: 'sell',
          type: 'market',
          amount: toStr(remaining),
          signalPrice: view.entryPrice!,
          asOf: Date.now(),
        });
      } catch (err) {
        log.error('exit order failed', { positionId, round, error: String(err) });
        await db.raiseAlert({
          id: `${positionId}:exit-error:${round}`,
          strategyId,
          severity: 'error',
          kind: 'EXCHANGE_ERROR',
          message: `exit order of ${positionId} failed: ${(err as Error).message}`,
        });
        await sleep(5_000);
        continue;
      }
      const got = d(placed.filledAmount);
      filled = filled.plus(got);
      proceeds = proceeds.plus(got.times(d(placed.avgPrice)));
      exitFee = exitFee.plus(d(placed.fee));
      remaining = remaining.minus(got);
    }
    const exitPrice = filled.gt(0) ? toStr(proceeds.div(filled)) : '0';
    const trade: ClosedTrade = closedTrade({
      positionId,
      symbol: event.symbol,
      entryPrice: view.entryPrice!,
      exitPrice,
      quantity: view.quantity,
      entryFee: view.entryFee,
      exitFee: toStr(exitFee),
      openedAt: view.entryAt!,
      closedAt: Date.now(),
      exitReason: reason,
    });
    view.trade = trade;
    setStatus('CLOSED');
    await db.recordPositionClosed({ positionId, strategyId, trade, exitFee: toStr(exitFee) });
    return end({ positionId, status: 'CLOSED', trade, notional: toStr(d(view.quantity).times(d(view.entryPrice!))) });
  }
}

/**
 * Waits for the first exit condition. One watcher activity covers the whole holding period; it is
 * cancelled when something else (time exit, manual, emergency) comes first.
 */
async function holdUntilExit(view: PositionView, mode: TradingMode, pollMs: number, exitRequested: () => ExitRequest | undefined): Promise<ExitReason> {
  const until = view.timeExitAt ?? Number.MAX_SAFE_INTEGER;
  const watchMs = Math.max(1_000, until - Date.now());
  const watcher = proxyActivities<Activities>({
    startToCloseTimeout: watchMs + 60_000,
    heartbeatTimeout: '60 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
  });
  let crossing: { kind: 'STOP_LOSS' | 'TAKE_PROFIT'; at: number; price: string } | null | undefined;
  let watchFailed = false;
  const scope = new CancellationScope();
  scope
    .run(() =>
      watcher.watchPriceLevels({
        symbol: view.symbol,
        mode,
        stopPrice: view.stopPrice!,
        targetPrice: view.targetPrice!,
        from: Date.now(),
        until,
        pollMs,
      }),
    )
    .then((c) => (crossing = c))
    .catch((err) => {
      if (!isCancellation(err)) {
        watchFailed = true;
        log.error('price watcher failed; falling back to the time exit', { error: String(err) });
      }
    });
  try {
    await condition(() => exitRequested() !== undefined || crossing !== undefined || watchFailed, Math.max(0, until - Date.now()));
    // a time-indexed market reports a future crossing: sleep durably until it happens
    if (!exitRequested() && crossing && crossing.at > Date.now()) {
      await condition(() => exitRequested() !== undefined, Math.min(crossing.at, until) - Date.now());
      if (!exitRequested() && crossing.at > until) crossing = null;
    }
    if (!exitRequested() && !crossing && Date.now() < until) await condition(() => exitRequested() !== undefined, until - Date.now());
  } finally {
    scope.cancel();
  }
  const req = exitRequested();
  if (req) return req.reason;
  if (crossing && crossing.at <= until) return crossing.kind;
  return 'TIME_EXIT';
}
