/**
 * The `market data` row of `health`: where paper prices come from (MARKET_DATA, built by the same
 * function the worker uses, exchange/broker-registry.ts) and one real read of it, timed: a snapshot of
 * the source's first symbol (a replay file's own, else BTC/USDT), bounded by the check's timeout. The
 * exchange row says whether a venue answers; this one says what the paper broker prices from (issue 17,
 * defect 7: "paper (no exchange configured)" while prices came from the simulator through ccxt).
 */
import { oneLine } from '../context';
import { withTimeout } from './temporal';
import type { ExchangeEnv } from '../../exchange/broker-registry';
import type { MarketDataSource } from '../../exchange/market-data';

export interface MarketDataRow {
  ok: boolean;
  latencyMs: number | null;
  detail: string;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** "ccxt binance @ http://127.0.0.1:8710 (local)", "synthetic:42 (seeded price path, computed here)", "replay:<file>" */
export function describeMarketData(env: ExchangeEnv): string {
  const spec = env.MARKET_DATA;
  if (spec.kind === 'synthetic') return `synthetic:${spec.seed} (seeded price path, computed here)`;
  if (spec.kind === 'replay') return `replay:${spec.file}`;
  const url = env.EXCHANGE_URL_OVERRIDE;
  if (url) return `ccxt ${env.EXCHANGE_ID} @ ${url}${LOOPBACK.has(new URL(url).hostname) ? ' (local)' : ''}`;
  return `ccxt ${env.EXCHANGE_ID}${env.EXCHANGE_SANDBOX ? ' (sandbox)' : ''}`;
}

function probeSymbol(src: MarketDataSource): string {
  const own = (src as { symbols?: () => string[] }).symbols?.().find((s) => s !== '*');
  return own ?? 'BTC/USDT';
}

export async function checkMarketData(timeoutMs: number): Promise<MarketDataRow> {
  const { loadExchangeEnv, paperMarketDataFor, exchangePublicData } = await import('../../exchange/broker-registry');
  let where = 'MARKET_DATA';
  let src: MarketDataSource | undefined;
  try {
    const env = loadExchangeEnv();
    where = describeMarketData(env);
    src = paperMarketDataFor(env, () => exchangePublicData(env, { timeoutMs }));
    const symbol = probeSymbol(src);
    const s = src;
    const t0 = performance.now();
    const snap = await withTimeout(s.snapshot(symbol, Date.now()), timeoutMs, `market data read of ${symbol}`);
    const latencyMs = Math.round(performance.now() - t0);
    return { ok: true, latencyMs, detail: `${where} · ${symbol} ${snap.last}` };
  } catch (e) {
    return { ok: false, latencyMs: null, detail: `${where}: ${oneLine(e)}` };
  } finally {
    await src?.close?.().catch(() => undefined);
  }
}
