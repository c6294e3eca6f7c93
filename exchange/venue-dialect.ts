/**
 * What differs between venues behind ccxt's unified calls, in one place per venue, for `CcxtGateway`:
 * how an order is looked up and cancelled by its client order id, whether the create / cancel answer
 * carries the order's state, how a stop order is asked for, the order-book depths the venue takes and
 * the ccxt options it needs. The client order id a venue is sent is the domain's
 * (`venueClientOrderId` in domain/ids.ts).
 *
 *   binance  GET /api/v3/order?origClientOrderId=… (fetchOrder); the create answer is the full order
 *   kraken   cl_ord_id: OpenOrders, then ClosedOrders, filtered by cl_ord_id (QueryOrders takes only a
 *            txid or the numeric userref); AddOrder answers only {txid, descr} and CancelOrder only
 *            {count}, so the order is read back after both
 *   others   ccxt's unified `clientOrderId` param on fetchOrder / cancelOrder
 */
import type * as ccxt from 'ccxt';
import { isOrderNotFoundError } from './errors';

type Dict = Record<string, unknown>;

/** the gateway's timed, classified call (`CcxtGateway.call`) */
export type VenueCall = <T>(method: string, fn: () => Promise<T>) => Promise<T>;

export interface VenueDialect {
  /** the order with venue client id `venueId` on `symbol`, or null when the venue has none */
  lookup(ex: ccxt.Exchange, call: VenueCall, symbol: string, venueId: string): Promise<ccxt.Order | null>;
  /** cancel by venue client id (the answer may be partial: see `cancelAnswersFully`) */
  cancel(ex: ccxt.Exchange, call: VenueCall, symbol: string, venueId: string): Promise<ccxt.Order>;
  /** ccxt createOrder params carrying the client id */
  createParams(venueId: string): Dict;
  /** ccxt createOrder type + params of a stop-market order at `trigger` */
  stop(trigger: number): { type: string; params: Dict };
  /** does createOrder's answer carry status and fills? (else the gateway reads the order back) */
  createAnswersFully: boolean;
  cancelAnswersFully: boolean;
  /** the order-book depth to request for `limit` levels */
  bookLimit(limit: number): number;
  /** the order's trades are fetched for its fee (Binance's GET /order carries no fills) */
  feeFromTrades: boolean;
  /** balances from the raw answer (Binance: free/locked per asset), else ccxt's unified totals */
  rawBinanceBalances: boolean;
  /** ccxt options this venue needs */
  options: Dict;
}

const notFoundIsNull = async (p: Promise<ccxt.Order>): Promise<ccxt.Order | null> => {
  try {
    return await p;
  } catch (e) {
    if (isOrderNotFoundError(e) || isOrderNotFoundError((e as { cause?: unknown }).cause)) return null;
    throw e;
  }
};

const BINANCE_BOOK_LIMITS = [5, 10, 20, 50, 100, 500, 1000, 5000];

const binance: VenueDialect = {
  lookup: (ex, call, symbol, venueId) => notFoundIsNull(call('fetchOrder', () => ex.fetchOrder(undefined as unknown as string, symbol, { origClientOrderId: venueId }))),
  cancel: (ex, call, symbol, venueId) => call('cancelOrder', () => ex.cancelOrder(undefined as unknown as string, symbol, { origClientOrderId: venueId })),
  createParams: (venueId) => ({ clientOrderId: venueId }),
  // spot STOP_LOSS with stopPrice (ccxt: type market + triggerPrice)
  stop: (trigger) => ({ type: 'market', params: { triggerPrice: trigger } }),
  createAnswersFully: true,
  cancelAnswersFully: true,
  bookLimit: (limit) => BINANCE_BOOK_LIMITS.find((l) => l >= limit) ?? 5000,
  feeFromTrades: true,
  rawBinanceBalances: true,
  options: {
    // loadMarkets → only GET /api/v3/exchangeInfo (no sapi currencies / margin pairs / futures markets)
    fetchMarkets: { types: ['spot'] },
    fetchCurrencies: false,
    fetchMargins: false,
    // fetchOpenOrders() without a symbol is a legitimate (heavier) call for us
    warnOnFetchOpenOrdersWithoutSymbol: false,
  },
};

const generic: VenueDialect = {
  lookup: (ex, call, symbol, venueId) => notFoundIsNull(call('fetchOrder', () => ex.fetchOrder(undefined as unknown as string, symbol, { clientOrderId: venueId }))),
  cancel: (ex, call, symbol, venueId) => call('cancelOrder', () => ex.cancelOrder(undefined as unknown as string, symbol, { clientOrderId: venueId })),
  createParams: (venueId) => ({ clientOrderId: venueId }),
  stop: (trigger) => ({ type: 'market', params: { triggerPrice: trigger } }),
  createAnswersFully: true,
  cancelAnswersFully: true,
  bookLimit: (limit) => limit,
  feeFromTrades: false,
  rawBinanceBalances: false,
  options: {},
};

const kraken: VenueDialect = {
  ...generic,
  async lookup(ex, call, symbol, venueId) {
    // open first, then closed: an order that closes between the two reads is still found by the second
    const byId = (list: ccxt.Order[]) => list.find((o) => o.clientOrderId === venueId) ?? null;
    const open = byId(await call('fetchOpenOrders', () => ex.fetchOpenOrders(symbol, undefined, undefined, { clientOrderId: venueId })));
    if (open) return open;
    return byId(await call('fetchClosedOrders', () => ex.fetchClosedOrders(symbol, undefined, undefined, { clientOrderId: venueId })));
  },
  // AddOrder ordertype=stop-loss, price=trigger
  stop: (trigger) => ({ type: 'market', params: { stopLossPrice: trigger } }),
  // AddOrder and CancelOrder answer with txids only: the gateway reads the order back
  createAnswersFully: false,
  cancelAnswersFully: false,
};

export function dialectOf(venue: string): VenueDialect {
  if (venue === 'binance') return binance;
  if (venue === 'kraken') return kraken;
  return generic;
}

