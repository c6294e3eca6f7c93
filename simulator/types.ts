/**
 * The simulator's records and options: accounts, orders and fills in Binance-spot terms (BUY/SELL,
 * NEW/FILLED…, exchange symbol ids such as BTCUSDT), and what a caller may configure.
 */
import type Decimal from 'decimal.js';
import type { MarketSpec } from '../exchange/market-data/markets';
import type { PricePath } from '../exchange/market-data/price-path';

export type SimSide = 'BUY' | 'SELL';
export type SimType = 'MARKET' | 'LIMIT' | 'STOP_LOSS' | 'STOP_LOSS_LIMIT' | 'LIMIT_MAKER';
export type SimStatus = 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'REJECTED' | 'EXPIRED';

/** A listed market: the spec plus its exchange id (base + quote, e.g. BTCUSDT). */
export interface Market extends MarketSpec {
  id: string;
}

export interface SimFill {
  price: string;
  qty: string;
  commission: string;
  commissionAsset: string;
  tradeId: number;
  time: number;
  isMaker: boolean;
}

export interface SimOrder {
  orderId: number;
  clientOrderId: string;
  apiKey: string;
  symbol: string; // exchange id, e.g. BTCUSDT
  side: SimSide;
  type: SimType;
  timeInForce: string;
  origQty: Decimal;
  price: Decimal; // 0 for market
  stopPrice: Decimal; // 0 if none
  executedQty: Decimal;
  cummulativeQuoteQty: Decimal;
  status: SimStatus;
  time: number;
  updateTime: number;
  /** stop orders: triggered yet? */
  triggered: boolean;
  fills: SimFill[];
  /** funds locked for the unfilled rest (quote for buys incl. fee, base for sells) */
  locked: Decimal;
  lockedAsset: string;
}

/** The engine's next order and trade ids: a restart continues them, so no id is handed out twice. */
export interface EngineCounters {
  nextOrderId: number;
  nextTradeId: number;
}

export interface SimAccount {
  apiKey: string;
  secret: string;
  balances: Map<string, { free: Decimal; locked: Decimal }>;
}

export interface AccountConfig {
  apiKey: string;
  secret: string;
  /** asset → amount, e.g. { USDT: '100000' } */
  balances?: Record<string, string | number>;
}

/** The order parameters of POST /api/v3/order, as strings off the wire. */
export interface PlaceOrderParams {
  symbol: string;
  side: string;
  type: string;
  quantity?: string;
  quoteOrderQty?: string;
  price?: string;
  stopPrice?: string;
  timeInForce?: string;
  newClientOrderId?: string;
}

/** Shape of the synthetic order book around the path price (see ./order-book.ts). */
export interface BookOptions {
  /** total spread in bps (default 4 → ±2 bps around the path price) */
  spreadBps?: number;
  depthLevels?: number;
  levelStepBps?: number;
  /** quote value per book level; default: 0.02 % of the symbol's 24 h volume */
  levelQuote?: Record<string, number>;
}

export interface EngineOptions extends BookOptions {
  symbols?: string[];
  /** per-symbol market spec overrides */
  markets?: Record<string, Partial<MarketSpec>>;
  pricePath?: PricePath;
  seed?: number;
  clock?: () => number;
  accounts?: AccountConfig[];
  /** taker/maker fee rate (default 0.001) */
  feeRate?: string;
  /**
   * Which earlier orders a client order id must not repeat: 'all' (default, the strict reading) or
   * 'open' — Binance's documented rule ("unique among open orders": once the first one is filled or
   * cancelled the same id is accepted again), under which a second submission is a second order.
   */
  clientOrderIdUniqueAmong?: 'all' | 'open';
}

export const DEFAULT_ACCOUNT: AccountConfig = {
  apiKey: 'sim-api-key',
  secret: 'sim-api-secret',
  balances: { USDT: '1000000', BTC: '10', ETH: '100', ARB: '100000', OP: '50000', APT: '10000', SUI: '100000' },
};

/** the default account of the Kraken dialect: its own key, a base64 secret as Kraken issues them */
export const DEFAULT_KRAKEN_ACCOUNT: AccountConfig = {
  apiKey: 'sim-kraken-key',
  secret: Buffer.from('sim-kraken-secret-0123456789abcdef').toString('base64'),
  balances: { ...DEFAULT_ACCOUNT.balances },
};
