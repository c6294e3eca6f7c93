/**
 * The order ledger: the Order and Fill rows that record what was submitted and what the venue answered,
 * with their audit entries. Every write is keyed so a repeated call writes nothing twice: one Order row
 * per clientOrderId, one Fill row per (orderId, tradeId = "<exchangeOrderId>:<cumulative filled>"),
 * audit entries by state / fill key.
 */
import type { Db } from '../../db/client';
import { fillIncrement, realizedSlippagePct } from '../../domain/execution';
import { d, toStr } from '../../domain/money';
import type { DecimalString, OrderStatus, Side } from '../../domain/types';
import type { BrokerOrder } from '../../exchange/types';
import { BrokerError } from '../../exchange/types';
import { appendAudit } from '../audit';
import { isUniqueViolation, redactedMessage } from '../failures';
import type { PlacedOrder, PlaceOrderInput } from './types';

export type OrderRow = NonNullable<Awaited<ReturnType<Db['order']['findUnique']>>>;

const TERMINAL: ReadonlySet<string> = new Set(['FILLED', 'CANCELED', 'REJECTED', 'EXPIRED']);

/** The venue will not change this order any more. */
export function isTerminal(status: string): boolean {
  return TERMINAL.has(status);
}

const str = (v: { toString(): string } | null | undefined): string | undefined => (v === null || v === undefined ? undefined : toStr(v.toString()));

/** The activity result a row stands for. */
export function placedOrderOf(row: OrderRow): PlacedOrder {
  return {
    clientOrderId: row.clientOrderId,
    venue: row.venue,
    status: row.status as OrderStatus,
    filledAmount: str(row.filledAmount) ?? '0',
    avgPrice: str(row.avgPrice) ?? '0',
    fee: str(row.fee) ?? '0',
    exchangeOrderId: row.exchangeOrderId,
    ...(row.expectedSlippagePct !== null ? { expectedSlippagePct: str(row.expectedSlippagePct) } : {}),
    ...(row.realizedSlippagePct !== null ? { realizedSlippagePct: str(row.realizedSlippagePct) } : {}),
    attempts: row.attempts,
  };
}

/** What realized slippage is measured against. */
export interface OrderSignal {
  side: Side;
  signalPrice: DecimalString;
}

/** ids per `in (…)` query */
const IN_CHUNK = 500;

export function createOrderLedger(db: Db) {
  /** The row in PENDING_SUBMIT (created) or, when it exists, the row with `attempts` incremented. */
  const pendingUpsert = (input: PlaceOrderInput, venue: string) => ({
    where: { clientOrderId: input.clientOrderId },
    create: {
      clientOrderId: input.clientOrderId,
      strategyId: input.strategyId,
      positionId: input.positionId ?? null,
      purpose: input.purpose,
      venue,
      mode: input.mode,
      symbol: input.symbol,
      side: input.side,
      type: input.type,
      amount: input.amount,
      price: input.price ?? null,
      status: 'PENDING_SUBMIT',
      signalPrice: input.signalPrice,
      signalSize: input.signalSize ?? null,
      attempts: 1,
    },
    update: { attempts: { increment: 1 } },
  });

  async function openPending(input: PlaceOrderInput, venue: string): Promise<OrderRow> {
    const args = pendingUpsert(input, venue);
    try {
      return await db.order.upsert(args);
    } catch (e) {
      // two attempts racing on the first insert: the loser updates the winner's row
      if (!isUniqueViolation(e)) throw e;
      return db.order.update({ where: args.where, data: args.update });
    }
  }

  function find(clientOrderId: string): Promise<OrderRow | null> {
    return db.order.findUnique({ where: { clientOrderId } });
  }

  /**
   * openPending for many orders in ONE transaction (the emergency batch): one commit instead of one per
   * order before any of them reaches the venue. Any failure (e.g. a racing first insert) rolls it all
   * back and the caller opens them one by one.
   */
  async function openPendingMany(orders: Array<{ input: PlaceOrderInput; venue: string }>): Promise<OrderRow[]> {
    return db.$transaction(orders.map(({ input, venue }) => db.order.upsert(pendingUpsert(input, venue))));
  }

  /** entryVenueOf for many positions, a query per 500 (SQLite's driver adapter refuses 1000 parameters) */
  async function entryVenuesOf(positionIds: string[]): Promise<Map<string, string>> {
    const venues = new Map<string, string>();
    for (let i = 0; i < positionIds.length; i += IN_CHUNK) {
      const rows = await db.order.findMany({ where: { positionId: { in: positionIds.slice(i, i + IN_CHUNK) }, purpose: 'entry', venue: { not: 'paper' } }, select: { positionId: true, venue: true } });
      for (const r of rows) venues.set(r.positionId!, r.venue);
    }
    return venues;
  }

  /** the live venue a position entered on (undefined: no live entry recorded): its exits go there too */
  async function entryVenueOf(positionId: string): Promise<string | undefined> {
    const entry = await db.order.findFirst({ where: { positionId, purpose: 'entry', venue: { not: 'paper' } }, select: { venue: true } });
    return entry?.venue;
  }

  /** Bring the row up to the venue's report (never backwards on a stale read) and record new fills. */
  async function settle(row: OrderRow, bo: BrokerOrder, signal: OrderSignal, expected?: string): Promise<PlacedOrder> {
    const prevFilled = d(row.filledAmount.toString());
    const filled = d(bo.filledAmount);
    if (filled.lt(prevFilled) || (isTerminal(row.status) && !isTerminal(bo.status) && row.exchangeOrderId)) return placedOrderOf(row);
    const realized = filled.gt(0) ? realizedSlippagePct(signal.side, signal.signalPrice, bo.avgPrice) : undefined;
    const updated = await db.order.update({
      where: { id: row.id },
      data: {
        status: bo.status,
        exchangeOrderId: bo.exchangeOrderId || null,
        filledAmount: bo.filledAmount,
        avgPrice: filled.gt(0) ? bo.avgPrice : null,
        fee: bo.fee,
        feeCurrency: bo.feeCurrency ?? null,
        ...(realized !== undefined ? { realizedSlippagePct: realized } : {}),
        ...(expected !== undefined ? { expectedSlippagePct: expected } : {}),
        lastError: null,
      },
    });
    // the tamper-evident log gets every order state and every fill (idempotent keys: a retry appends nothing)
    if (updated.status !== row.status || !filled.eq(prevFilled)) {
      await appendAudit(db, {
        entryKey: `order:${row.clientOrderId}:${updated.status}:${toStr(filled)}`,
        kind: 'ORDER',
        strategyId: row.strategyId,
        payload: { clientOrderId: row.clientOrderId, venue: row.venue, symbol: row.symbol, side: row.side, purpose: row.purpose, status: updated.status, amount: row.amount.toString(), filled: toStr(filled), avgPrice: filled.gt(0) ? bo.avgPrice : null, fee: bo.fee, exchangeOrderId: bo.exchangeOrderId },
      });
    }
    const fill = fillIncrement({ filled: toStr(prevFilled), avgPrice: row.avgPrice?.toString() ?? '0', fee: row.fee.toString() }, { filled: bo.filledAmount, avgPrice: bo.avgPrice, fee: bo.fee });
    if (fill) {
      const tradeId = `${bo.exchangeOrderId || row.clientOrderId}:${toStr(filled)}`;
      try {
        await db.fill.create({
          data: { orderId: row.id, tradeId, price: fill.price, amount: fill.amount, fee: fill.fee, feeCurrency: bo.feeCurrency ?? null, filledAt: new Date(bo.timestamp || Date.now()) },
        });
      } catch (e) {
        if (!isUniqueViolation(e)) throw e; // the same fill recorded by a concurrent / earlier attempt
      }
      await appendAudit(db, {
        entryKey: `fill:${tradeId}`,
        kind: 'FILL',
        strategyId: row.strategyId,
        payload: { clientOrderId: row.clientOrderId, tradeId, amount: fill.amount, price: fill.price, fee: fill.fee },
      });
    }
    return placedOrderOf(updated);
  }

  /** `placementRefused`: the error came from the placement call itself, not from a retry's lookup. */
  async function recordError(row: OrderRow, e: unknown, placementRefused: boolean): Promise<void> {
    const be = e instanceof BrokerError ? e : undefined;
    try {
      await db.order.update({
        where: { id: row.id },
        data: {
          lastError: `${be ? be.kind + ': ' : ''}${redactedMessage(e)}`.slice(0, 1000),
          // a definite rejection of an order the venue never accepted (a failed lookup proves nothing:
          // the order may exist at the venue, so the row stays PENDING_SUBMIT for a human to check)
          ...(be && !be.retryable && placementRefused && row.status === 'PENDING_SUBMIT' && !row.exchangeOrderId ? { status: 'REJECTED' } : {}),
        },
      });
    } catch {
      /* the original error matters more */
    }
  }

  return { openPending, openPendingMany, find, entryVenueOf, entryVenuesOf, settle, recordError };
}

export type OrderLedger = ReturnType<typeof createOrderLedger>;
