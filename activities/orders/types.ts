/** The order activities' wire shapes (what workflows send and get back) and their dependencies. */
import type { Db } from '../../db/client';
import type { DecimalString, OrderPurpose, OrderStatus, OrderType, Side } from '../../domain/types';
import type { BrokerRegistry } from '../../exchange/broker-registry';

export interface PlaceOrderInput {
  /** deterministic: `clientOrderIdFor(positionWorkflowId, purpose)` */
  clientOrderId: string;
  strategyId: string;
  positionId?: string;
  purpose: OrderPurpose;
  /** trading mode the order belongs to (selects paper vs live) */
  mode: string;
  symbol: string;
  side: Side;
  type: OrderType;
  amount: DecimalString;
  price?: DecimalString;
  /** price the decision was based on (execution quality: realized slippage is measured against it) */
  signalPrice: DecimalString;
  /** size the signal asked for */
  signalSize?: DecimalString;
  /** workflow time of the decision */
  asOf: number;
  /** the quote the decision saw; used for the expected-slippage estimate (else fetched after placing) */
  market?: Quote;
}

/** The part of a market snapshot the expected-slippage estimate needs. */
export interface Quote {
  bid: DecimalString;
  ask: DecimalString;
  volume24hQuote: DecimalString;
}

export interface PlacedOrder {
  clientOrderId: string;
  venue: string;
  status: OrderStatus;
  filledAmount: DecimalString;
  /** "0" when nothing filled */
  avgPrice: DecimalString;
  fee: DecimalString;
  exchangeOrderId: string | null;
  expectedSlippagePct?: DecimalString;
  realizedSlippagePct?: DecimalString;
  /** how many times this order id was submitted to placeOrder (1 = first try) */
  attempts?: number;
  /** batchPlaceOrders only: why this order is not placed */
  error?: { message: string; kind: string; retryable: boolean };
}

export interface OrderActivityDeps {
  db: Db;
  brokers: BrokerRegistry;
  /** batchPlaceOrders: attempts per order inside the activity (default 5) */
  batchMaxAttempts?: number;
  /** batchPlaceOrders: first backoff, doubled per attempt, capped at 2 s (default 100 ms) */
  batchRetryBaseMs?: number;
  /** how long another submitter's call may still be in flight (default 20 s: the venue call's 10 s timeout plus the limiter's queue) */
  inFlightGraceMs?: number;
}
