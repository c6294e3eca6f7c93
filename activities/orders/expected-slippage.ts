/**
 * The expected-slippage estimate stored on an order: the paper model (domain/execution.ts) applied to
 * the quote the decision saw, or, when the workflow sent none, to a snapshot fetched after placing.
 * Snapshots are shared per (mode, symbol, asOf): an emergency stop's hundred exits fetch each symbol
 * once. An estimate is best-effort; it never fails an order.
 */
import { expectedSlippagePct } from '../../domain/execution';
import { marketDataFor, type BrokerRegistry } from '../../exchange/broker-registry';
import type { PlaceOrderInput, Quote } from './types';

/** In-flight or settled snapshot fetches by "mode|symbol|asOf" (undefined = the fetch failed). */
export type QuoteCache = Map<string, Promise<Quote | undefined>>;

export function createExpectedSlippage(brokers: BrokerRegistry) {
  // single orders share fetches for a second; a batch passes its own cache for its whole run
  const recent: QuoteCache = new Map();

  function quoteFor(input: PlaceOrderInput, cache?: QuoteCache): Promise<Quote | undefined> {
    const key = `${input.mode}|${input.strategyId}|${input.symbol}|${input.asOf}`;
    const c = cache ?? recent;
    let p = c.get(key);
    if (!p) {
      p = marketDataFor(brokers, input.mode, input.strategyId)
        .then((md) => md.snapshot(input.symbol, input.asOf))
        .then((s) => ({ bid: s.bid, ask: s.ask, volume24hQuote: s.volume24hQuote }))
        .catch(() => undefined);
      c.set(key, p);
      if (!cache) setTimeout(() => recent.delete(key), 1000).unref?.();
    }
    return p;
  }

  return async function expectedSlippage(input: PlaceOrderInput, cache?: QuoteCache): Promise<string | undefined> {
    try {
      const quote = input.market ?? (await quoteFor(input, cache));
      if (!quote) return undefined;
      return expectedSlippagePct(input.amount, input.signalPrice, quote);
    } catch {
      return undefined;
    }
  };
}

export type ExpectedSlippage = ReturnType<typeof createExpectedSlippage>;
