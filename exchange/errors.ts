/**
 * ccxt error → BrokerError classification (retryable vs not).
 *
 * ccxt's hierarchy (ccxt/js/src/base/errorHierarchy.js, 4.5):
 *   BaseError
 *     ExchangeError
 *       AuthenticationError > PermissionDenied > AccountNotEnabled; AccountSuspended
 *       BadRequest > BadSymbol
 *       OperationRejected > NoChange, MarketClosed, ...
 *       InsufficientFunds
 *       InvalidOrder > OrderNotFound, OrderNotCached, OrderImmediatelyFillable, OrderNotFillable, DuplicateOrderId, ...
 *     OperationFailed
 *       NetworkError > DDoSProtection, RateLimitExceeded, ExchangeNotAvailable > OnMaintenance, InvalidNonce, RequestTimeout
 *       BadResponse > NullResponse
 *       CancelPending
 * Subclasses are tested before their parents (OrderNotFound / DuplicateOrderId before InvalidOrder,
 * BadSymbol before BadRequest, RequestTimeout / rate limits before NetworkError).
 *
 * Binance specifics (binance.js `exceptions`): -2010 NEW_ORDER_REJECTED maps to InvalidOrder for *every*
 * rejection; the text tells them apart — "Duplicate order sent." (a reused newClientOrderId: the order
 * already exists, callers must fetch it, see `isDuplicateOrderError`) vs "Account has insufficient balance
 * for requested action." (exact-message map → InsufficientFunds). -1022 (bad signature) is
 * AuthenticationError in the common map but BadRequest in the spot map, -2015 (bad key) is
 * AuthenticationError / OperationRejected, so both are also recognised by code in the message.
 * 429 and 418 arrive as DDoSProtection (binance handleErrors) or RateLimitExceeded (HTTP map);
 * 5xx as ExchangeNotAvailable, 504 as RequestTimeout.
 *
 * Kraken specifics (kraken.js `exceptions`; errors come as {"error": ["EOrder:…"], "result": …}, mostly
 * with HTTP 200): a cl_ord_id still used by an open order is refused with "EOrder:Duplicate order"
 * (the simulator's text; ccxt has no mapping, it arrives as a plain ExchangeError) and means the same as
 * Binance's "Duplicate order sent."; "EOrder:Unknown order" is InvalidOrder in ccxt's table but is the
 * venue's "no such order"; "EAPI:Invalid signature" arrives unmapped and is an authentication failure.
 */
import * as ccxt from 'ccxt';
import { BrokerError } from './types';

export type ResponseHeaders = Record<string, string | string[] | undefined> | undefined;

const DUPLICATE_RE = /duplicate order|"code"\s*:\s*-4116|clientorderid is duplicated|-20132|EOrder:Duplicate/i;

/** true when the venue says "this client order id was already used" (the order exists: fetch it). */
export function isDuplicateOrderError(e: unknown): boolean {
  if (e instanceof ccxt.DuplicateOrderId) return true;
  const msg = messageOf(e);
  return DUPLICATE_RE.test(msg);
}

/** true when the venue says the order does not exist */
export function isOrderNotFoundError(e: unknown): boolean {
  if (e instanceof BrokerError) return e.kind === 'ORDER_NOT_FOUND';
  if (e instanceof ccxt.OrderNotFound) return true;
  return /"code"\s*:\s*-2013|order does not exist|EOrder:Unknown order/i.test(messageOf(e));
}

function messageOf(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

/** Retry-After header (seconds or HTTP date) → ms */
export function parseRetryAfter(headers: ResponseHeaders, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  let v: string | string[] | undefined;
  for (const [k, val] of Object.entries(headers)) if (k.toLowerCase() === 'retry-after') v = val;
  if (Array.isArray(v)) v = v[0];
  if (v === undefined || v === '') return undefined;
  const secs = Number(v);
  if (Number.isFinite(secs)) return Math.max(0, Math.round(secs * 1000));
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

const NODE_NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CLOSED']);

/**
 * Classify any error thrown by ccxt (or the network below it) into a BrokerError.
 * `ctx.headers` are the last response's headers (ccxt `exchange.last_response_headers`), used for Retry-After.
 */
export function classifyError(e: unknown, ctx: { headers?: ResponseHeaders; context?: string } = {}): BrokerError {
  if (e instanceof BrokerError) return e;
  const raw = messageOf(e);
  const msg = ctx.context ? `${ctx.context}: ${raw}` : raw;
  const mk = (kind: BrokerError['kind'], retryable: boolean, retryAfterMs?: number) => {
    const be = new BrokerError(msg, kind, retryable, retryAfterMs);
    (be as { cause?: unknown }).cause = e;
    return be;
  };

  // --- explicit Binance codes/texts that ccxt maps to a generic class (or differently per market type)
  if (/"code"\s*:\s*-1022|signature for this request is not valid|EAPI:Invalid (key|signature)/i.test(raw)) return mk('AUTHENTICATION', false);
  if (isDuplicateOrderError(e)) return mk('INVALID_ORDER', false); // callers handle duplicates before classifying

  // --- retryable: network family (subclasses first)
  if (e instanceof ccxt.RequestTimeout) return mk('TIMEOUT', true);
  if (e instanceof ccxt.RateLimitExceeded || e instanceof ccxt.DDoSProtection) {
    return mk('RATE_LIMITED', true, parseRetryAfter(ctx.headers) ?? 1000);
  }
  if (e instanceof ccxt.ExchangeNotAvailable) return mk('EXCHANGE_UNAVAILABLE', true, parseRetryAfter(ctx.headers));
  if (e instanceof ccxt.NetworkError) return mk('NETWORK', true);
  if (e instanceof ccxt.BadResponse || e instanceof ccxt.CancelPending) return mk('EXCHANGE_UNAVAILABLE', true);
  if (e instanceof ccxt.OperationFailed) return mk('EXCHANGE_UNAVAILABLE', true);

  // --- non-retryable
  if (/"code"\s*:\s*-2015|invalid api-key/i.test(raw)) return mk('AUTHENTICATION', false);
  if (e instanceof ccxt.OrderNotFound) return mk('ORDER_NOT_FOUND', false);
  if (e instanceof ccxt.InsufficientFunds) return mk('INSUFFICIENT_FUNDS', false);
  if (/insufficient balance/i.test(raw)) return mk('INSUFFICIENT_FUNDS', false);
  if (e instanceof ccxt.BadSymbol) return mk('BAD_SYMBOL', false);
  if (e instanceof ccxt.AuthenticationError) return mk('AUTHENTICATION', false); // incl. PermissionDenied, AccountSuspended
  if (e instanceof ccxt.InvalidOrder) return mk('INVALID_ORDER', false);
  if (e instanceof ccxt.BadRequest || e instanceof ccxt.ArgumentsRequired || e instanceof ccxt.NotSupported) return mk('INVALID_ORDER', false);
  if (e instanceof ccxt.OperationRejected) return mk('INVALID_ORDER', false);
  if (e instanceof ccxt.ExchangeError) return mk('UNKNOWN', false);
  if (e instanceof ccxt.BaseError) return mk('UNKNOWN', false);

  // --- errors from below ccxt (sockets) or elsewhere
  const code = (e as { code?: unknown; cause?: { code?: unknown } } | null)?.code ?? (e as { cause?: { code?: unknown } } | null)?.cause?.code;
  if (typeof code === 'string' && NODE_NETWORK_CODES.has(code)) return mk('NETWORK', true);
  if (e instanceof Error && (e.name === 'AbortError' || e.name === 'TimeoutError')) return mk('TIMEOUT', true);
  return mk('UNKNOWN', false);
}
