/**
 * From ccxt's answers to the `Broker` vocabulary: decimal strings without exponent notation, a ccxt
 * order (with Binance's raw `info` preferred over ccxt's floats; other venues' raw fields mean other
 * things — Kraken's `price` is the average — so only ccxt's unified fields are read) to a `BrokerOrder`, Binance / ccxt
 * order statuses to ours, and the order's fee in the quote currency.
 *
 * Binance's GET /order carries no fills: the fee then comes from the order's trades, which the
 * gateway fetches on request (`OrderTradesLookup`); this module itself does no I/O.
 */
import type * as ccxt from 'ccxt';
import Decimal from 'decimal.js';
import type { OrderStatus, OrderType } from '../domain/types';
import type { BrokerOrder, OrderRequest } from './types';

type Dict = Record<string, unknown>;

export const str = (v: unknown): string | undefined => (v === undefined || v === null || v === '' ? undefined : String(v));

/** "0.01000000" → "0.01"; numbers without exponent notation */
export function normDecimal(v: unknown, fallback = '0'): string {
  const s = str(v);
  if (s === undefined) return fallback;
  try {
    const d = new Decimal(s);
    return d.isFinite() ? d.toFixed() : fallback;
  } catch {
    return fallback;
  }
}

/** a ccxt number or string as a decimal string (numbers printed by the exchange's own precision-safe formatter) */
export function numberText(exchange: ccxt.Exchange, v: unknown): string {
  if (v === undefined || v === null) return '0';
  if (typeof v === 'number') return normDecimal(exchange.numberToString(v));
  return normDecimal(v);
}

/** The trades of a filled order (for its fee), or undefined when they are not to be / could not be fetched. */
export type OrderTradesLookup = (o: ccxt.Order) => Promise<ccxt.Trade[] | undefined>;

export async function toBrokerOrder(
  exchange: ccxt.Exchange,
  o: ccxt.Order,
  clientOrderId: string | undefined,
  req: OrderRequest | undefined,
  orderTrades: OrderTradesLookup,
): Promise<BrokerOrder> {
  const num = (v: unknown) => numberText(exchange, v);
  const info = (exchange.id === 'binance' ? (o.info ?? {}) : {}) as Dict;
  const trigger = o.triggerPrice ?? (o as { stopLossPrice?: number }).stopLossPrice;
  const cid = clientOrderId ?? str(info.origClientOrderId) ?? str(info.clientOrderId) ?? o.clientOrderId ?? '';
  const rawType = str(info.type)?.toUpperCase();
  let type: OrderType;
  if (rawType) type = rawType.startsWith('STOP') || rawType.startsWith('TAKE_PROFIT') ? 'stop' : rawType === 'MARKET' ? 'market' : 'limit';
  else type = trigger ? 'stop' : o.type === 'market' ? 'market' : (req?.type ?? 'limit');
  const amount = str(info.origQty) !== undefined ? normDecimal(info.origQty) : o.amount !== undefined ? num(o.amount) : (req?.amount ?? '0');
  const filled = str(info.executedQty) !== undefined ? normDecimal(info.executedQty) : num(o.filled ?? 0);
  const quote = str(info.cummulativeQuoteQty) !== undefined ? normDecimal(info.cummulativeQuoteQty) : o.cost !== undefined ? num(o.cost) : undefined;
  let avgPrice = '0';
  if (new Decimal(filled).gt(0)) {
    if (quote !== undefined && new Decimal(quote).gt(0)) avgPrice = new Decimal(quote).div(filled).toDecimalPlaces(12).toFixed();
    else if (o.average) avgPrice = num(o.average);
  }
  let price: string | undefined;
  if (type === 'stop') price = normDecimal(info.stopPrice ?? trigger, '') || undefined;
  else if (type === 'limit') price = normDecimal(info.price ?? o.price, '') || undefined;
  const status = mapOrderStatus(str(info.status), o.status, filled);
  const market = exchange.markets?.[o.symbol ?? req?.symbol ?? ''];
  const fills = new Decimal(filled).lte(0) ? undefined : (responseFills(info) ?? tradeFills(await orderTrades(o)));
  const { fee, feeCurrency } = feeOf(exchange, o, fills, filled, avgPrice, market?.quote, market?.base);
  const ts = Number(info.time ?? info.transactTime ?? info.updateTime ?? o.timestamp ?? Date.now());
  return {
    clientOrderId: cid,
    exchangeOrderId: String(info.orderId ?? o.id ?? ''),
    symbol: o.symbol ?? req?.symbol ?? '',
    side: (str(info.side)?.toLowerCase() as 'buy' | 'sell' | undefined) ?? (o.side as 'buy' | 'sell') ?? req?.side ?? 'buy',
    type,
    amount,
    ...(price ? { price } : {}),
    status,
    filledAmount: filled,
    avgPrice,
    fee,
    ...(feeCurrency ? { feeCurrency } : {}),
    timestamp: ts,
  };
}

export function mapOrderStatus(raw: string | undefined, unified: string | undefined, filled: string): Exclude<OrderStatus, 'PENDING_SUBMIT'> {
  const partial = new Decimal(filled).gt(0);
  switch (raw?.toUpperCase()) {
    case 'NEW':
    case 'PENDING_NEW':
      return partial ? 'PARTIALLY_FILLED' : 'OPEN';
    case 'PARTIALLY_FILLED':
      return 'PARTIALLY_FILLED';
    case 'FILLED':
      return 'FILLED';
    case 'CANCELED':
    case 'CANCELLED':
    case 'PENDING_CANCEL':
      return 'CANCELED';
    case 'REJECTED':
      return 'REJECTED';
    case 'EXPIRED':
    case 'EXPIRED_IN_MATCH':
      return 'EXPIRED';
  }
  switch (unified) {
    case 'open':
      return partial ? 'PARTIALLY_FILLED' : 'OPEN';
    case 'closed':
      return 'FILLED';
    case 'canceled':
      return 'CANCELED';
    case 'rejected':
      return 'REJECTED';
    case 'expired':
      return 'EXPIRED';
    default:
      return partial ? 'PARTIALLY_FILLED' : 'OPEN';
  }
}

interface Fill {
  commission: string;
  asset: string;
  price: string;
}

/** the fills of a Binance order response (POST /order with newOrderRespType FULL) */
function responseFills(info: Dict): Fill[] | undefined {
  if (!Array.isArray(info.fills)) return undefined;
  return (info.fills as Dict[]).map((f) => ({ commission: normDecimal(f.commission), asset: String(f.commissionAsset ?? ''), price: normDecimal(f.price) }));
}

function tradeFills(trades: ccxt.Trade[] | undefined): Fill[] | undefined {
  return trades?.map((tr) => {
    const ti = (tr.info ?? {}) as Dict;
    return { commission: normDecimal(ti.commission ?? tr.fee?.cost), asset: String(ti.commissionAsset ?? tr.fee?.currency ?? ''), price: normDecimal(ti.price ?? tr.price) };
  });
}

/** fee in quote currency: from the fills (response or trades), else from ccxt's own fee field */
function feeOf(
  exchange: ccxt.Exchange,
  o: ccxt.Order,
  fills: Fill[] | undefined,
  filled: string,
  avgPrice: string,
  quoteCcy: string | undefined,
  baseCcy: string | undefined,
): { fee: string; feeCurrency?: string } {
  if (new Decimal(filled).lte(0)) return { fee: '0', feeCurrency: quoteCcy };
  if (!fills) {
    const f = o.fee ?? (o as { fees?: ccxt.Order['fee'][] }).fees?.[0];
    if (f?.cost !== undefined) return { fee: numberText(exchange, f.cost), feeCurrency: f.currency ?? quoteCcy };
    return { fee: '0', feeCurrency: quoteCcy };
  }
  let total = new Decimal(0);
  for (const f of fills) {
    if (!quoteCcy || f.asset === quoteCcy || f.asset === '') total = total.add(f.commission);
    else if (f.asset === baseCcy) total = total.add(new Decimal(f.commission).mul(f.price || avgPrice));
    // other assets (e.g. BNB) cannot be converted without a price: reported as-is below
    else return { fee: f.commission, feeCurrency: f.asset };
  }
  return { fee: total.toFixed(), feeCurrency: quoteCcy };
}
