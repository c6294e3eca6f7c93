/**
 * The exit: market sells of whatever is open, in rounds (remainder after partial fills, venue
 * errors); after MAX_EXIT_ROUNDS a human is asked (EXIT_STUCK) and a new exit request tries again.
 * Then the closed trade is recorded and reported to the strategy. Round 0 uses the same client order
 * id as the strategy's emergency batch exit: whoever places it first wins, the other finds it.
 */
import { condition, log, patched, sleep } from '@temporalio/workflow';
import { d, toStr } from '../../domain/money';
import { closedTrade } from '../../domain/pnl';
import type { ClosedTrade, ExitReason } from '../../domain/types';
import { clientOrderIdFor } from '../../domain/ids';
import type { PositionView } from './api';
import { db, exitOrders } from './proxies';
import type { PositionRun } from './state';

/** Exit re-tries (remainder after partial fills, venue errors) before asking a human. */
const MAX_EXIT_ROUNDS = 5;

export async function exitAndReport(run: PositionRun, reason: ExitReason): Promise<PositionView> {
  const { view, positionId, strategyId } = run;
  const { event } = run.input;
  run.setStatus('EXITING');
  view.exitReason = reason;
  run.showDetails();
  const mode = view.mode!;
  // what the exit's slippage is measured against: the level that triggered it (stop / target); before
  // this patch every exit used the entry price, so an exit's "slippage" was really the trade's P&L
  const level = reason === 'STOP_LOSS' ? view.stopPrice : reason === 'TAKE_PROFIT' ? view.targetPrice : null;
  const signalPrice = level && patched('exit-signal-at-level-v1') ? level : view.entryPrice!;
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
      run.exitRequest = undefined;
      await condition(() => run.exitRequest !== undefined);
    }
    let placed;
    try {
      placed = await exitOrders.placeOrder({
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
        signalPrice,
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
  run.setStatus('CLOSED');
  await db.recordPositionClosed({ positionId, strategyId, trade, exitFee: toStr(exitFee) });
  return run.end({ positionId, status: 'CLOSED', trade, notional: toStr(d(view.quantity).times(d(view.entryPrice!))) });
}
