/**
 * The one interface every venue implements: the ccxt gateway (live/testnet, the local simulator in tests)
 * and the paper broker. Activities pick the implementation by trading mode; workflows never see it.
 * All amounts and prices are decimal strings.
 */
import type { DecimalString, MarketSnapshot, OrderBookSnapshot, OrderStatus, OrderType, Side } from '../domain/types';

export interface OrderRequest {
  /** deterministic: derived from the owning workflow id and purpose, <= 36 chars of [.A-Za-z0-9:/_-] */
  clientOrderId: string;
  symbol: string;
  side: Side;
  type: OrderType;
  amount: DecimalString;
  /** limit price, or trigger price of a stop order */
  price?: DecimalString;
  /** workflow time of the decision (paper fills and scripted prices use it; live venues ignore it) */
  asOf?: number;
  /**
   * The caller has already established that this client order id is not at the venue: its order ledger
   * row was created by this very call (no earlier submission can exist), or it looked the id up itself
   * a moment ago. A live broker then skips its own lookup-before-create request (Binance weight and
   * ~one round trip per order); a duplicate-order reply is still turned into "already placed".
   */
  lookedUp?: boolean;
}

export interface BrokerOrder {
  clientOrderId: string;
  /** the venue's id ("paper-…" for the paper broker) */
  exchangeOrderId: string;
  symbol: string;
  side: Side;
  type: OrderType;
  amount: DecimalString;
  price?: DecimalString;
  status: Exclude<OrderStatus, 'PENDING_SUBMIT'>;
  filledAmount: DecimalString;
  /** volume-weighted average fill price, "0" if nothing filled */
  avgPrice: DecimalString;
  /** fees in quote currency */
  fee: DecimalString;
  feeCurrency?: string;
  timestamp: number;
}

export interface Balance {
  currency: string;
  free: DecimalString;
  used: DecimalString;
  total: DecimalString;
}

export interface Candle {
  timestamp: number;
  open: DecimalString;
  high: DecimalString;
  low: DecimalString;
  close: DecimalString;
  volume: DecimalString;
}

export interface Broker {
  /** 'paper' or the ccxt exchange id */
  readonly venue: string;
  /**
   * Idempotent: if an order with this clientOrderId already exists at the venue it is returned, never
   * placed again (fetch-by-client-id first on retries; a duplicate-order reply means "already placed").
   */
  placeOrder(req: OrderRequest): Promise<BrokerOrder>;
  fetchOrderByClientId(symbol: string, clientOrderId: string): Promise<BrokerOrder | null>;
  cancelOrder(symbol: string, clientOrderId: string): Promise<BrokerOrder>;
  fetchOpenOrders(symbol?: string): Promise<BrokerOrder[]>;
  fetchBalances(): Promise<Balance[]>;
  fetchSnapshot(symbol: string, asOf?: number): Promise<MarketSnapshot>;
  fetchOrderBook(symbol: string, limit?: number, asOf?: number): Promise<OrderBookSnapshot>;
  fetchOHLCV(symbol: string, timeframe: string, since?: number, limit?: number): Promise<Candle[]>;
}

/** Errors crossing the broker boundary carry whether a retry can help. */
export class BrokerError extends Error {
  constructor(
    message: string,
    readonly kind:
      | 'NETWORK'
      | 'TIMEOUT'
      | 'RATE_LIMITED'
      | 'EXCHANGE_UNAVAILABLE'
      | 'INSUFFICIENT_FUNDS'
      | 'INVALID_ORDER'
      | 'BAD_SYMBOL'
      | 'AUTHENTICATION'
      | 'ORDER_NOT_FOUND'
      | 'UNKNOWN',
    readonly retryable: boolean,
    /** server-suggested wait (429 Retry-After), ms */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'BrokerError';
  }
}
