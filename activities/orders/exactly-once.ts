/**
 * The exactly-once placement recipe (design notes §2), the same for paper and live brokers:
 *   1. Upsert the Order row (unique clientOrderId) in PENDING_SUBMIT BEFORE calling the venue; an
 *      existing row is kept and its `attempts` incremented (a retry, a restarted worker, a batch exit
 *      racing the position's own exit).
 *   2. Existing row: terminal with an exchange order id → return it without calling the venue; still
 *      being submitted by someone else (PENDING_SUBMIT, no error, created < 20 s ago) → wait for that
 *      submission to settle (`awaitOtherSubmitter`); then fetch by clientOrderId — found → reconcile
 *      and return.
 *   3. Otherwise place, telling the broker the lookup is done (a new row proves no earlier submission;
 *      a retry looked the id up in step 2), so a live order costs one request; the broker still turns
 *      a duplicate-order reply, or an ambiguous failure it can find, into "already placed".
 *   4. Reconcile the row (status, filled, avg price, fee, realized slippage vs the signal price,
 *      expected slippage from the paper model) and insert Fill rows idempotently (ledger.ts).
 * Errors are recorded on the row (`lastError`; REJECTED when the venue refused the placement itself)
 * and rethrown raw: the caller decides what Temporal sees (failures.ts).
 */
import { brokerFor, type BrokerRegistry } from '../../exchange/broker-registry';
import type { BrokerOrder } from '../../exchange/types';
import { activityContext, heartbeat } from '../activity-context';
import type { ExpectedSlippage, QuoteCache } from './expected-slippage';
import { isTerminal, placedOrderOf, type OrderLedger, type OrderRow } from './ledger';
import type { PlacedOrder, PlaceOrderInput } from './types';

export interface ExactlyOnceDeps {
  brokers: BrokerRegistry;
  ledger: OrderLedger;
  expectedSlippage: ExpectedSlippage;
  /** how long another submitter's call may still be in flight (default 20 s) */
  inFlightGraceMs?: number;
}

export function createExactlyOncePlacement({ brokers, ledger, expectedSlippage, inFlightGraceMs }: ExactlyOnceDeps) {
  /**
   * Two submitters of one client order id at once — the emergency batch and the position's own exit,
   * or two workers — must not both place it: on Binance an id only has to be unique among OPEN orders,
   * so once the first market order has filled, a second submission is a second order. A row that is
   * still PENDING_SUBMIT, without an error, and younger than the grace period means its creator's call
   * may be in flight: wait for that call to settle the row (FILLED etc. → its result) or to record an
   * error, or for the grace period to pass (the creator crashed: Temporal retries a crashed attempt
   * only after its 30 s start-to-close timeout, so a real retry does not wait here). Then the caller
   * looks the id up at the venue as any retry does.
   */
  async function awaitOtherSubmitter(row: OrderRow): Promise<OrderRow | null> {
    const grace = inFlightGraceMs ?? 20_000;
    const inFlight = (r: OrderRow) => r.status === 'PENDING_SUBMIT' && !r.exchangeOrderId && r.lastError === null && Date.now() - r.createdAt.getTime() < grace;
    let current: OrderRow | null = row;
    while (current && inFlight(current)) {
      heartbeat({ waitingFor: current.clientOrderId });
      await new Promise((r) => setTimeout(r, 100));
      current = await ledger.find(row.clientOrderId);
    }
    return current && isTerminal(current.status) && current.exchangeOrderId ? current : null;
  }

  // an exit goes where its position entered, even if the strategy's venue changed since
  const needsEntryVenue = (input: PlaceOrderInput) => input.purpose !== 'entry' && !!input.positionId;
  const brokerOf = (input: PlaceOrderInput, venue: string | undefined) => brokerFor(brokers, input.mode, { strategyId: input.strategyId, venue });

  /** The recipe, throwing raw errors (BrokerError or other); `opened`: step 1 already done (openBatch). */
  async function placeOnce(input: PlaceOrderInput, quotes?: QuoteCache, opened?: OpenedOrder): Promise<PlacedOrder> {
    const broker = opened?.broker ?? (await brokerOf(input, needsEntryVenue(input) ? await ledger.entryVenueOf(input.positionId!) : undefined));
    const row = opened?.row ?? (await ledger.openPending(input, broker.venue));
    const retry = row.attempts > 1;
    let placing = false;
    try {
      if (retry && isTerminal(row.status) && row.exchangeOrderId) return placedOrderOf(row);
      if (retry) {
        const settled = await awaitOtherSubmitter(row);
        if (settled) return placedOrderOf(settled);
      }
      let bo: BrokerOrder | null = null;
      if (retry) bo = await broker.fetchOrderByClientId(input.symbol, input.clientOrderId);
      placing = !bo;
      bo ??= await broker.placeOrder({
        clientOrderId: input.clientOrderId,
        symbol: input.symbol,
        side: input.side,
        type: input.type,
        amount: input.amount,
        ...(input.price !== undefined ? { price: input.price } : {}),
        asOf: input.asOf,
        // a first attempt created the row just now, so nothing can be at the venue yet; a retry has
        // just looked the id up above: either way the broker's own lookup would be a second request
        lookedUp: true,
      });
      const expected = row.expectedSlippagePct !== null ? undefined : await expectedSlippage(input, quotes);
      return await ledger.settle(row, bo, input, expected);
    } catch (e) {
      await ledger.recordError(row, e, placing);
      throw e;
    }
  }

  /**
   * Step 1 for a whole batch (the emergency stop's exits): the entry venues in one query and every row
   * in one transaction, so no order waits behind the others' commits before its venue call. null: the
   * transaction failed; the caller then places each order from step 1.
   */
  async function openBatch(inputs: PlaceOrderInput[]): Promise<OpenedOrder[] | null> {
    try {
      const venues = await ledger.entryVenuesOf(inputs.filter(needsEntryVenue).map((i) => i.positionId!));
      // one broker lookup per (mode, strategy, venue), not one per order
      const memo = new Map<string, ReturnType<typeof brokerOf>>();
      const brokersOf = await Promise.all(
        inputs.map((i) => {
          const venue = needsEntryVenue(i) ? venues.get(i.positionId!) : undefined;
          const key = `${i.mode}\u0000${i.strategyId}\u0000${venue ?? ''}`;
          if (!memo.has(key)) memo.set(key, brokerOf(i, venue));
          return memo.get(key)!;
        }),
      );
      const rows = await ledger.openPendingMany(inputs.map((input, i) => ({ input, venue: brokersOf[i]!.venue })));
      return rows.map((row, i) => ({ row, broker: brokersOf[i]! }));
    } catch (e) {
      // e.g. a racing first insert, or one order's venue unknown: each order's own step 1 says which;
      // said in the worker's log, since the batch is then slower (one commit per order)
      activityContext()?.log.warn('emergency batch: rows opened one by one', { error: (e as Error).message });
      return null;
    }
  }

  return { placeOnce, openBatch };
}

/** An order past step 1: its row (PENDING_SUBMIT or an earlier attempt's) and the broker it goes to. */
export interface OpenedOrder {
  row: OrderRow;
  broker: Awaited<ReturnType<typeof brokerFor>>;
}

export type ExactlyOncePlacement = ReturnType<typeof createExactlyOncePlacement>;
