/**
 * The entry: the market buy the strategy approved (idempotent by client order id, not cancellable
 * halfway), and, once filled, the open position: exit levels from the playbook, the DB row and the
 * report to the strategy.
 */
import { CancellationScope, isCancellation } from '@temporalio/workflow';
import { d, toStr } from '../../domain/money';
import type { Playbook } from '../../domain/playbook';
import type { TradingMode } from '../../domain/types';
import { clientOrderIdFor } from '../../domain/ids';
import { positionOpenedSignal } from '../strategy/api';
import { db, entryOrders, type PlacedOrder } from './proxies';
import type { PositionRun } from './state';

/**
 * Places the approved entry. A strategy stop arriving meanwhile waits for the fill (the caller then
 * exits it). Returns the fill, or null when the position ended (recorded and reported) without one.
 */
export async function placeEntryOrder(run: PositionRun, order: { mode: TradingMode; quantity: string; notional?: string; signalPrice: string }): Promise<PlacedOrder | null> {
  const { positionId, strategyId } = run;
  const { event } = run.input;
  const { mode } = order;
  const entryId = clientOrderIdFor(positionId, 'entry');
  let entry;
  try {
    entry = await CancellationScope.nonCancellable(() =>
      entryOrders.placeOrder({
        clientOrderId: entryId,
        strategyId,
        positionId,
        purpose: 'entry',
        mode,
        symbol: event.symbol,
        side: 'buy',
        type: 'market',
        amount: order.quantity,
        signalPrice: order.signalPrice,
        signalSize: order.notional,
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
    await run.skip(`ENTRY_FAILED: ${(err as Error).message}`, 'FAILED');
    return null;
  }
  if (d(entry.filledAmount).lte(0)) {
    await run.skip(`entry order ${entry.status} with nothing filled`, 'FAILED');
    return null;
  }
  return entry;
}

/**
 * The filled entry becomes an open position with its exit levels: recorded, then reported to the
 * strategy; `overlapped` (position-overlapped-steps-v1): both at once. The view is OPEN with its
 * levels before this returns its promise, so the caller may start holding meanwhile.
 */
export async function recordOpened(run: PositionRun, entry: PlacedOrder, playbook: Playbook, signalStrength: string, overlapped: boolean): Promise<void> {
  const { view, positionId, strategyId } = run;
  const { event, config } = run.input;
  const mode = view.mode!;
  const openedAt = Date.now();
  view.entryAt = openedAt;
  view.quantity = entry.filledAmount;
  view.entryPrice = entry.avgPrice;
  view.entryFee = entry.fee;
  const levels = playbook.exitLevels(entry.avgPrice, config, event);
  view.stopPrice = levels.stopPrice;
  view.targetPrice = levels.targetPrice;
  view.timeExitAt = levels.timeExitAt ?? null;
  run.setStatus('OPEN');
  const notional = toStr(d(entry.filledAmount).times(d(entry.avgPrice)));
  const record = () =>
    db.recordPositionOpened({
      positionId,
      strategyId,
      eventId: event.id,
      symbol: event.symbol,
      mode,
      quantity: entry.filledAmount,
      entryPrice: entry.avgPrice,
      entryFee: entry.fee,
      signalStrength,
      stopPrice: levels.stopPrice,
      targetPrice: levels.targetPrice,
      timeExitAt: levels.timeExitAt ?? null,
      openedAt,
    });
  const report = () =>
    run.parent.signal(positionOpenedSignal, {
      positionId,
      symbol: event.symbol,
      mode,
      quantity: entry.filledAmount,
      entryPrice: entry.avgPrice,
      entryFee: entry.fee,
      notional,
      openedAt,
    });
  if (!overlapped) {
    await record();
    await report();
    return;
  }
  // both in one workflow task (their completions often share the next); a filled entry is recorded
  // and reported even when a strategy stop cancels the position meanwhile
  await CancellationScope.nonCancellable(() => Promise.all([record(), report()]));
}
