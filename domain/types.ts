/**
 * Plain data types shared by the domain core, activities and workflows.
 * Everything here is JSON-safe: money and quantities travel as decimal strings, times as epoch ms.
 */
export type { StrategyConfig, ModeLimits } from './config-types';
export type { TradingMode } from './modes';

/** A decimal number written as a string ("123.45"); parse with Decimal, never Number. */
export type DecimalString = string;

export type Side = 'buy' | 'sell';
export type OrderType = 'market' | 'limit' | 'stop';
/** Why an order exists; part of its deterministic client order id. */
export type OrderPurpose = 'entry' | 'exit' | 'emergency-exit';
export type OrderStatus = 'PENDING_SUBMIT' | 'OPEN' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'REJECTED' | 'EXPIRED';
export type ExitReason = 'STOP_LOSS' | 'TAKE_PROFIT' | 'TIME_EXIT' | 'MANUAL' | 'EMERGENCY';
export type PositionStatus = 'WAITING_ENTRY' | 'ENTERING' | 'OPEN' | 'EXITING' | 'CLOSED' | 'SKIPPED' | 'FAILED';

/** A token unlock from the calendar (CSV/JSON import or a data source). */
export interface UnlockEvent {
  /** stable id, e.g. "ARB-2026-03-16" */
  id: string;
  /** market symbol in ccxt form, e.g. "ARB/USDT" */
  symbol: string;
  /** epoch ms of the unlock */
  unlockAt: number;
  /** tokens unlocked */
  unlockAmount: DecimalString;
  /** circulating supply before the unlock */
  circulatingSupply: DecimalString;
}

/** What the entry filters look at, fetched by an activity just before deciding. */
export interface MarketSnapshot {
  symbol: string;
  bid: DecimalString;
  ask: DecimalString;
  last: DecimalString;
  /** 24 h traded volume in quote currency (USD(T)) */
  volume24hQuote: DecimalString;
  /** 7-day price change in percent (-12.5 = -12.5 %) */
  change7dPct: DecimalString;
  timestamp: number;
}

export interface BookLevel {
  price: DecimalString;
  amount: DecimalString;
}

export interface OrderBookSnapshot {
  symbol: string;
  bids: BookLevel[];
  asks: BookLevel[];
  timestamp: number;
}

/** A market's tick, lot step and minimums, as decimal strings. */
export interface MarketPrecision {
  /** price tick, e.g. "0.01" */
  tickSize: DecimalString;
  /** quantity lot step, e.g. "0.00001" */
  stepSize: DecimalString;
  /** smallest order quantity (LOT_SIZE minQty), when the venue has one */
  minAmount?: DecimalString;
  /** smallest order notional in quote currency (NOTIONAL minNotional), when the venue has one */
  minNotional?: DecimalString;
}

/** Input to the paper fill model (domain/fills.ts). */
export interface FillModelInput {
  side: Side;
  type: OrderType;
  /** base-currency quantity */
  amount: DecimalString;
  /** limit price (limit orders) or trigger price (stop orders) */
  price?: DecimalString;
  bid: DecimalString;
  ask: DecimalString;
  /** visible book; partial fills when the order exceeds its depth. Absent = unlimited depth. */
  book?: OrderBookSnapshot;
  volume24hQuote: DecimalString;
  /** fee as a fraction of notional (0.001 = 0.1 %) */
  feeRate: DecimalString;
  /** optional seed for any randomness; same inputs + seed => same result */
  seed?: number;
  /** the market's tick and lot step: the fill is quantized to them (domain/precision.ts); absent = exact */
  precision?: Pick<MarketPrecision, 'tickSize' | 'stepSize'>;
}

export interface FillModelResult {
  status: 'FILLED' | 'PARTIALLY_FILLED' | 'OPEN';
  filledAmount: DecimalString;
  /** volume-weighted average fill price ("0" when nothing filled) */
  avgPrice: DecimalString;
  /** fee in quote currency */
  fee: DecimalString;
  /** slippage vs the touch price, in percent */
  slippagePct: DecimalString;
}

/** A closed trade as the metrics see it. */
export interface ClosedTrade {
  positionId: string;
  symbol: string;
  entryPrice: DecimalString;
  exitPrice: DecimalString;
  quantity: DecimalString;
  fees: DecimalString;
  /** realized P&L in quote currency, fees included */
  pnl: DecimalString;
  openedAt: number;
  closedAt: number;
  exitReason: ExitReason;
}

/* ---- added by the domain core (domain/*.ts) ---- */

/** Why an entry (or a calendar event) was rejected: a stable code plus the numbers involved. */
export interface Rejection {
  code: string;
  message: string;
  /** the observed value that failed the rule */
  value?: DecimalString;
  /** the configured threshold it was compared with */
  limit?: DecimalString;
}

/** Entry window of an event, epoch ms (opensAt <= targetAt <= closesAt). */
export interface EntryWindow {
  opensAt: number;
  targetAt: number;
  closesAt: number;
}

/** Stop / target / time-exit levels of an open long position. */
export interface ExitLevels {
  stopPrice: DecimalString;
  targetPrice: DecimalString;
  /** epoch ms of the time exit, when the strategy has one */
  timeExitAt?: number;
}

export type AutoExitReason = Extract<ExitReason, 'STOP_LOSS' | 'TAKE_PROFIT' | 'TIME_EXIT'>;

export interface ExitSignal {
  reason: AutoExitReason;
  /** the level that was crossed (price for STOP_LOSS / TAKE_PROFIT, epoch ms as a string for TIME_EXIT) */
  level: DecimalString;
}
