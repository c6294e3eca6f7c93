/**
 * Order activities: placing, cancelling and reconciling orders exactly once, thin over the broker the
 * trading mode selects (paper or live: the same recipe covers both). The rooms behind them:
 *   exactly-once.ts      the placement recipe (row before venue, look up before re-placing)
 *   batch.ts             the emergency-stop fan-out over that recipe
 *   ledger.ts            the Order / Fill rows and their audit entries
 *   expected-slippage.ts the paper model's estimate stored on each order
 *   ../failures.ts       what Temporal sees: retryable or not, Retry-After, secrets redacted
 * Fill and slippage arithmetic is pure, in domain/execution.ts.
 */
import type { Side } from '../../domain/types';
import type { Balance } from '../../exchange/types';
import { brokerFor } from '../../exchange/broker-registry';
import { toActivityFailure } from '../failures';
import { placeBatch } from './batch';
import { createExactlyOncePlacement } from './exactly-once';
import { createExpectedSlippage } from './expected-slippage';
import { createOrderLedger } from './ledger';
import type { OrderActivityDeps, PlacedOrder, PlaceOrderInput } from './types';

export type { OrderActivityDeps, PlacedOrder, PlaceOrderInput } from './types';

export function createOrderActivities(deps: OrderActivityDeps) {
  const { db, brokers } = deps;
  const ledger = createOrderLedger(db);
  const placement = createExactlyOncePlacement({ brokers, ledger, expectedSlippage: createExpectedSlippage(brokers), inFlightGraceMs: deps.inFlightGraceMs });

  async function placeOrder(input: PlaceOrderInput): Promise<PlacedOrder> {
    try {
      return await placement.placeOnce(input);
    } catch (e) {
      throw toActivityFailure(e);
    }
  }

  function batchPlaceOrders(inputs: PlaceOrderInput[]): Promise<PlacedOrder[]> {
    return placeBatch(inputs, { placement, ledger, maxAttempts: deps.batchMaxAttempts, retryBaseMs: deps.batchRetryBaseMs });
  }

  async function cancelOrder(input: { clientOrderId: string; mode: string; symbol: string; strategyId?: string }): Promise<PlacedOrder> {
    const row = await ledger.find(input.clientOrderId);
    const venue = row && row.venue !== 'paper' ? row.venue : undefined; // the venue the order was placed on
    const broker = await brokerFor(brokers, input.mode, { strategyId: input.strategyId ?? row?.strategyId, venue });
    try {
      const bo = await broker.cancelOrder(input.symbol, input.clientOrderId);
      if (!row) {
        return { clientOrderId: bo.clientOrderId, venue: broker.venue, status: bo.status, filledAmount: bo.filledAmount, avgPrice: bo.avgPrice, fee: bo.fee, exchangeOrderId: bo.exchangeOrderId };
      }
      return await ledger.settle(row, bo, { side: row.side as Side, signalPrice: row.signalPrice?.toString() ?? '0' });
    } catch (e) {
      if (row) await ledger.recordError({ ...row, status: 'OPEN' }, e, false);
      throw toActivityFailure(e);
    }
  }

  async function fetchBalances(input: { mode: string; strategyId: string }): Promise<{ venue: string; balances: Balance[]; takenAt: number }> {
    try {
      const broker = await brokerFor(brokers, input.mode, { strategyId: input.strategyId });
      const balances = await broker.fetchBalances();
      const takenAt = new Date();
      if (balances.length > 0) {
        await db.balanceSnapshot.createMany({
          data: balances.map((b) => ({ strategyId: input.strategyId, venue: broker.venue, currency: b.currency, free: b.free, used: b.used, total: b.total, takenAt })),
        });
      }
      return { venue: broker.venue, balances, takenAt: takenAt.getTime() };
    } catch (e) {
      throw toActivityFailure(e);
    }
  }

  return { placeOrder, batchPlaceOrders, cancelOrder, fetchBalances };
}

export type OrderActivities = ReturnType<typeof createOrderActivities>;
