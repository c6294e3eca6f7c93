/**
 * The Kraken-spot REST wire format, in one place (the Binance one is ./binance-wire.ts; both face the
 * same engine): asset and pair names (XXBT / XBT, XBTUSDT, XXBTZUSD for two legacy-named assets), how
 * a private request is authenticated (API-Key + API-Sign = base64 HMAC-SHA512, keyed by the base64-decoded
 * secret, over URI path + SHA256(nonce + POST body)), the {error: [...], result} envelope and the error
 * strings the engine's refusals become, and the JSON shapes of orders, balances, tickers, candles and
 * books as ccxt's `kraken` class reads them (node_modules/ccxt/js/src/kraken.js).
 *
 * The client order id is Kraken's `cl_ord_id` (a UUID or free text of at most 18 characters, unique
 * among the account's open orders); a reused one is refused with "EOrder:Duplicate order".
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import Decimal from 'decimal.js';
import { isValidKrakenClientOrderId } from '../domain/ids';
import { decimalsOf as decimals } from '../exchange/market-data/markets';
import { fmt, SimError, type WireRequest, type WireResult } from './binance-wire';
import type { Market, SimAccount, SimOrder, SimType } from './types';

/** every Kraken REST path starts here (ccxt: urls.api.public|private + '/0/' + api + '/' + method) */
export const KRAKEN_PREFIX = '/0/';

export const isKrakenPath = (path: string): boolean => path.startsWith(KRAKEN_PREFIX);

// ------------------------------------------------------------------ names

/** assets Kraken lists under a legacy X/Z-prefixed id */
const LEGACY_ID: Record<string, string> = { BTC: 'XXBT', ETH: 'XETH', LTC: 'XLTC', XRP: 'XXRP', USD: 'ZUSD', EUR: 'ZEUR', GBP: 'ZGBP' };
/** assets whose Kraken altname differs from the common code */
const ALTNAME: Record<string, string> = { BTC: 'XBT', DOGE: 'XDG' };

export const krakenAssetId = (code: string): string => LEGACY_ID[code] ?? code;
export const krakenAltname = (code: string): string => ALTNAME[code] ?? code;

/** the pair's key in AssetPairs: XXBTZUSD when both assets are legacy-named, else the altname (XBTUSDT) */
export function krakenPairId(m: Market): string {
  const b = LEGACY_ID[m.base];
  const q = LEGACY_ID[m.quote];
  return b && q ? b + q : krakenPairAltname(m);
}

export const krakenPairAltname = (m: Market): string => krakenAltname(m.base) + krakenAltname(m.quote);

/** the engine's market a `pair` parameter names (key, altname or wsname) */
export function marketOfPair(markets: Iterable<Market>, pair: string | null): Market {
  if (!pair) throw krakenError('EGeneral:Invalid arguments:pair');
  for (const m of markets) {
    if (pair === krakenPairId(m) || pair === krakenPairAltname(m) || pair === `${krakenAltname(m.base)}/${krakenAltname(m.quote)}`) return m;
  }
  throw krakenError('EQuery:Unknown asset pair');
}

// ------------------------------------------------------------------ requests and errors

/** a Kraken refusal: one string of the `error` array */
export class KrakenError extends SimError {
  constructor(readonly text: string) {
    super(200, 0, text);
  }
}
const krakenError = (text: string) => new KrakenError(text);

/** the engine speaks Binance's codes; the Kraken client is answered in Kraken's words */
export function krakenTextOf(e: SimError): string {
  if (e instanceof KrakenError) return e.text;
  switch (e.code) {
    case -2010:
      if (/duplicate/i.test(e.message)) return 'EOrder:Duplicate order';
      if (/insufficient/i.test(e.message)) return 'EOrder:Insufficient funds';
      if (/would immediately match/i.test(e.message)) return 'EOrder:Post only order';
      return 'EGeneral:Invalid arguments:price';
    case -1121:
      return 'EQuery:Unknown asset pair';
    case -2011:
    case -2013:
      return 'EOrder:Unknown order';
    case -1013:
      if (/NOTIONAL/.test(e.message)) return 'EOrder:Order minimum not met';
      if (/PRICE_FILTER/.test(e.message)) return 'EOrder:Invalid price:Invalid price argument';
      return 'EGeneral:Invalid arguments:volume';
    case -1100:
      return 'EGeneral:Invalid arguments:cl_ord_id';
    case -1116:
      return 'EGeneral:Invalid arguments:ordertype';
    case -2014:
    case -2015:
      return 'EAPI:Invalid key';
    case -1022:
      return 'EAPI:Invalid signature';
    case -1102:
      return 'EGeneral:Invalid arguments';
    default:
      return 'EGeneral:Internal error';
  }
}

/** Kraken answers refusals with HTTP 200 and the envelope's error array */
export const krakenErrorResult = (e: SimError): WireResult => ({ status: 200, body: { error: [krakenTextOf(e)] } });
export const krakenOk = (result: unknown): WireResult => ({ status: 200, body: { error: [], result } });
export const krakenUnknownMethod = (): WireResult => ({ status: 404, body: { error: ['EGeneral:Unknown method'] } });
export const krakenRateLimited = (): WireResult => ({ status: 200, body: { error: ['EAPI:Rate limit exceeded'] } });
export const krakenInternalError = (): WireResult => ({ status: 500, body: { error: ['EGeneral:Internal error'] } });

/** the cl_ord_id a request carries (fault rules keyed by order) */
export const krakenClientOrderId = (req: WireRequest): string | undefined => req.params.get('cl_ord_id') ?? undefined;

export function checkKrakenClientOrderId(id: string): void {
  if (!isValidKrakenClientOrderId(id)) throw krakenError('EGeneral:Invalid arguments:cl_ord_id');
}

/**
 * The account key of a private request. With `checkSignature` off any key is accepted (an unknown one
 * trades as the first account). The nonce must be a positive integer (Kraken's per-key increasing-nonce
 * rule is not enforced: its "nonce window" setting makes it optional there too).
 */
export function authenticateKraken(req: WireRequest, headers: Record<string, string | string[] | undefined>, accounts: Map<string, SimAccount>, checkSignature: boolean): string {
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const apiKey = one(headers['api-key']);
  if (!apiKey) throw krakenError('EAPI:Invalid key');
  const acc = accounts.get(apiKey);
  if (!checkSignature) return acc ? apiKey : [...accounts.keys()][0]!;
  if (!acc) throw krakenError('EAPI:Invalid key');
  const nonce = req.params.get('nonce');
  if (!nonce || !/^\d{1,20}$/.test(nonce)) throw krakenError('EAPI:Invalid nonce');
  const sign = one(headers['api-sign']);
  if (!sign) throw krakenError('EAPI:Invalid signature');
  const hash = createHash('sha256').update(nonce + req.body).digest();
  const expected = createHmac('sha512', Buffer.from(acc.secret, 'base64')).update(Buffer.concat([Buffer.from(req.path), hash])).digest('base64');
  const a = Buffer.from(expected);
  const b = Buffer.from(sign);
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw krakenError('EAPI:Invalid signature');
  return apiKey;
}

// ------------------------------------------------------------------ ids

const TXID_RE = /^O([0-9A-Z]{5,})-SIMKR-[0-9A-Z]{6}$/;

/** an engine order id in Kraken's txid shape (OXXXXX-XXXXX-XXXXXX), reversible */
export function txidOf(orderId: number): string {
  const tail = ((orderId * 7919) % 2_176_782_336).toString(36).toUpperCase().padStart(6, '0');
  return `O${orderId.toString(36).toUpperCase().padStart(5, '0')}-SIMKR-${tail}`;
}

export function orderIdOfTxid(txid: string): number | undefined {
  const m = TXID_RE.exec(txid.trim());
  return m ? parseInt(m[1]!, 36) : undefined;
}

const tradeIdOf = (tradeId: number) => `T${tradeId.toString(36).toUpperCase().padStart(5, '0')}-SIMKR-TRADE0`;

// ------------------------------------------------------------------ shapes

const KRAKEN_TYPE: Record<SimType, string> = { MARKET: 'market', LIMIT: 'limit', LIMIT_MAKER: 'limit', STOP_LOSS: 'stop-loss', STOP_LOSS_LIMIT: 'stop-loss-limit' };
const ENGINE_TYPE: Record<string, SimType> = { market: 'MARKET', limit: 'LIMIT', 'stop-loss': 'STOP_LOSS', 'stop-loss-limit': 'STOP_LOSS_LIMIT' };

/** AddOrder's ordertype → the engine's type (undefined: not one the simulator matches) */
export const engineTypeOf = (ordertype: string | null): SimType | undefined => (ordertype ? ENGINE_TYPE[ordertype] : undefined);

const isOpen = (o: SimOrder) => o.status === 'NEW' || o.status === 'PARTIALLY_FILLED';

/** an order as QueryOrders / OpenOrders / ClosedOrders list it; `pd` = the market's price decimals */
export function krakenOrderJson(o: SimOrder, m: Market, pd: number, withTrades: boolean) {
  const type = KRAKEN_TYPE[o.type];
  const isStop = o.type === 'STOP_LOSS' || o.type === 'STOP_LOSS_LIMIT';
  const descrPrice = isStop ? o.stopPrice : o.price;
  const fee = o.fills.reduce((a, f) => a.add(f.commission), new Decimal(0));
  const avg = o.executedQty.gt(0) ? o.cummulativeQuoteQty.div(o.executedQty).toDecimalPlaces(pd + 4) : new Decimal(0);
  const pair = krakenPairAltname(m);
  const side = o.side.toLowerCase();
  const status = isOpen(o) ? 'open' : o.status === 'FILLED' ? 'closed' : o.status === 'EXPIRED' ? 'expired' : 'canceled';
  return {
    refid: null,
    userref: 0,
    cl_ord_id: o.clientOrderId,
    status,
    opentm: o.time / 1000,
    ...(isOpen(o) ? {} : { closetm: o.updateTime / 1000, reason: status === 'canceled' ? 'User requested' : null }),
    starttm: 0,
    expiretm: 0,
    descr: {
      pair,
      type: side,
      ordertype: type,
      price: fmt(descrPrice, pd),
      price2: fmt(o.type === 'STOP_LOSS_LIMIT' ? o.price : new Decimal(0), pd),
      leverage: 'none',
      order: `${side} ${fmt(o.origQty)} ${pair} @ ${type === 'market' ? 'market' : `${type} ${fmt(descrPrice, pd)}`}`,
      close: '',
    },
    vol: fmt(o.origQty),
    vol_exec: fmt(o.executedQty),
    cost: fmt(o.cummulativeQuoteQty),
    fee: fmt(fee),
    price: fmt(avg, pd + 4),
    stopprice: fmt(o.stopPrice, pd),
    limitprice: fmt(o.type === 'STOP_LOSS_LIMIT' ? o.price : new Decimal(0), pd),
    misc: '',
    oflags: 'fciq',
    ...(withTrades ? { trades: o.fills.map((f) => tradeIdOf(f.tradeId)) } : {}),
  };
}

/** AddOrder's answer: the txid and a description, not the order's state */
export function addOrderJson(o: SimOrder, m: Market, pd: number) {
  const j = krakenOrderJson(o, m, pd, false);
  return { descr: { order: j.descr.order }, txid: [txidOf(o.orderId)] };
}

/** AssetPairs: one entry per listed market */
export function assetPairJson(m: Market) {
  const pd = decimals(m.tickSize);
  return {
    altname: krakenPairAltname(m),
    wsname: `${krakenAltname(m.base)}/${krakenAltname(m.quote)}`,
    aclass_base: 'currency',
    base: krakenAssetId(m.base),
    aclass_quote: 'currency',
    quote: krakenAssetId(m.quote),
    lot: 'unit',
    cost_decimals: pd,
    pair_decimals: pd,
    lot_decimals: decimals(m.stepSize),
    lot_multiplier: 1,
    leverage_buy: [],
    leverage_sell: [],
    fees: [[0, 0.1]],
    fees_maker: [[0, 0.1]],
    fee_volume_currency: 'ZUSD',
    margin_call: 80,
    margin_stop: 40,
    ordermin: m.stepSize,
    costmin: m.minNotional,
    tick_size: m.tickSize,
    status: 'online',
  };
}

/** Assets: every asset of the listed markets, with the decimals of its finest lot step */
export function assetsJson(markets: Iterable<Market>) {
  const out: Record<string, unknown> = {};
  const dec = new Map<string, number>();
  for (const m of markets) {
    dec.set(m.base, Math.max(dec.get(m.base) ?? 0, decimals(m.stepSize)));
    dec.set(m.quote, Math.max(dec.get(m.quote) ?? 0, 8));
  }
  for (const [code, d] of dec) out[krakenAssetId(code)] = { aclass: 'currency', altname: krakenAltname(code), decimals: d, display_decimals: Math.min(d, 5), status: 'enabled' };
  return out;
}

/** BalanceEx: balance (total) and hold_trade (locked) per asset id */
export function balanceExJson(acc: SimAccount) {
  const out: Record<string, { balance: string; hold_trade: string }> = {};
  for (const [asset, b] of acc.balances) out[krakenAssetId(asset)] = { balance: fmt(b.free.add(b.locked), 10), hold_trade: fmt(b.locked, 10) };
  return out;
}
