/**
 * The `price feed` row of `health`: how the worker's price watchers get prices (PRICE_FEED, validated by
 * the worker's own exchange/market-data/ccxt-stream.ts) and, for `stream`, whether the venue's trade
 * stream answers: a ccxt.pro subscription built exactly as the worker builds it (EXCHANGE_ID,
 * EXCHANGE_SANDBOX, EXCHANGE_URL_OVERRIDE), timed to its first trade of BTC/USDT within the check's
 * timeout. A stream that does not answer is DOWN (the watchers then poll, later than the stream would).
 */
import ccxt from 'ccxt';
import { oneLine } from '../context';
import { withTimeout } from './temporal';

export interface PriceFeedRow {
  ok: boolean;
  latencyMs: number | null;
  detail: string;
}

const PROBE_SYMBOL = 'BTC/USDT';

/** the spot trade-stream URL the worker would connect to (re-hosted like ccxt-stream.ts does), for the row */
export function streamEndpoint(exchangeId: string, sandbox: boolean, urlOverride: string | undefined, rehost: <T>(v: T, base: string) => T): string {
  const C = (ccxt.pro as unknown as Record<string, new () => { urls: Record<string, unknown> }>)[exchangeId];
  if (!C) return exchangeId;
  const urls = new C().urls;
  let ws = ((sandbox ? (urls.test as Record<string, unknown> | undefined)?.ws : undefined) ?? (urls.api as Record<string, unknown> | undefined)?.ws) as unknown;
  if (urlOverride) ws = rehost(ws, urlOverride);
  if (typeof ws === 'string') return ws;
  const o = (ws ?? {}) as Record<string, unknown>;
  const first = typeof o.spot === 'string' ? o.spot : Object.values(o).find((v) => typeof v === 'string');
  return typeof first === 'string' ? first : exchangeId;
}

export async function checkPriceFeed(timeoutMs: number): Promise<PriceFeedRow> {
  const { loadExchangeEnv } = await import('../../exchange/broker-registry');
  const { ccxtTradeStream, loadPriceFeed, rehostWs } = await import('../../exchange/market-data/ccxt-stream');
  let stream: { watchTrades(s: string): Promise<unknown[]>; close?(): Promise<unknown> } | undefined;
  let env: ReturnType<typeof loadExchangeEnv>;
  let feed: 'poll' | 'stream';
  try {
    env = loadExchangeEnv();
    feed = loadPriceFeed(process.env, env.EXCHANGE_ID);
  } catch (e) {
    return { ok: false, latencyMs: null, detail: oneLine(e) };
  }
  let where = 'stream';
  try {
    if (feed === 'poll') return { ok: true, latencyMs: null, detail: `poll: one ticker read per symbol every priceCheckInterval (${env.EXCHANGE_ID}; PRICE_FEED=stream to subscribe)` };
    where = `stream: ${env.EXCHANGE_ID} ${streamEndpoint(env.EXCHANGE_ID, env.EXCHANGE_SANDBOX, env.EXCHANGE_URL_OVERRIDE, rehostWs)}`;
    stream = ccxtTradeStream({ exchangeId: env.EXCHANGE_ID, sandbox: env.EXCHANGE_SANDBOX, urlOverride: env.EXCHANGE_URL_OVERRIDE, timeoutMs });
    const s = stream;
    const t0 = performance.now();
    await withTimeout(s.watchTrades(PROBE_SYMBOL), timeoutMs, `first streamed trade of ${PROBE_SYMBOL}`);
    return { ok: true, latencyMs: Math.round(performance.now() - t0), detail: `${where} reachable (first trade of ${PROBE_SYMBOL})` };
  } catch (e) {
    return { ok: false, latencyMs: null, detail: `${where}: ${oneLine(e)} (watchers fall back to polling)` };
  } finally {
    await stream?.close?.().catch(() => undefined);
  }
}
