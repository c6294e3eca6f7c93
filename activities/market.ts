/**
 * Market activities: quotes for the entry filters, the stop-loss / take-profit watcher, and the daily
 * closes of the correlation guard.
 *
 * Why `watchPriceLevels` looks like this (design notes §1): a position lives ~72 h. A workflow loop of
 * "fetch price, sleep 5 s" would cost ~570,000 history events per position and one exchange poll per
 * position. Instead the workflow runs ONE activity per position that returns only when a level is
 * crossed (or `until` passes):
 *   - time-indexed sources (synthetic / scripted paths, OHLCV replay: paper demos, backtests, the
 *     time-skipping test server) know the whole path, so the activity scans it and returns the FIRST
 *     crossing at once, with its time `at`; the workflow then sleeps on a durable timer until `at`
 *     (racing its time-exit timer) — no polling at all, and a backtest runs at CPU speed;
 *   - real-time sources (ccxt) make the activity wait on a per-process, per-symbol shared price cache:
 *     ONE exchange poll per symbol per interval no matter how many positions watch it; it heartbeats
 *     on those polls, at most once per quarter of its heartbeat timeout (`watcherHeartbeat`). The workflow runs it with a heartbeatTimeout (a dead worker is noticed and the
 *     watch restarts elsewhere) and cancels it when the position exits for another reason.
 * Either way a position's history stays a handful of events (schedule / start / complete + a timer),
 * and the workflow has no polling loop. The worker needs one activity slot per watching position
 * (WORKER_MAX_CONCURRENT_ACTIVITIES).
 *
 * Levels are those of a LONG position: stop = price at or below `stopPrice`, target = at or above
 * `targetPrice`.
 */
import type { DecimalString, MarketPrecision, MarketSnapshot } from '../domain/types';
import { brokerFor, marketDataFor, marketDataOfWorkflow, type BrokerRegistry } from '../exchange/broker-registry';
import { dailyClosesOf, type DailyClosesResult } from '../exchange/market-data/daily-closes';
import { correlationTriggers, entryCorrelation, entryCorrelationPairs, type CorrelationCfg, type EntryPairBreach, type UnknownPair } from '../domain/correlation';
import type { RiskViolation, Trigger } from '../domain/risk';
import type { Context } from '@temporalio/activity';
import { activityContext } from './activity-context';
import { toActivityFailure } from './failures';

export interface FetchMarketSnapshotInput {
  symbol: string;
  mode: string;
  /** workflow time (time-indexed sources answer for it; real-time venues ignore it) */
  asOf?: number;
  strategyId?: string;
}

export type MarketSnapshotWithLatency = MarketSnapshot & {
  /** measured round trip of the venue call, ms (the latency risk rule compares it with risk.maxLatencyMs) */
  latencyMs: number;
  venue: string;
  /** the market's tick, lot step and minimums (sizing rounds to them); absent when the source could not tell */
  precision?: MarketPrecision;
};

export interface WatchPriceLevelsInput {
  symbol: string;
  mode: string;
  stopPrice?: DecimalString;
  targetPrice?: DecimalString;
  /** epoch ms: time-indexed sources scan from here (the position's entry time / workflow now) */
  from: number;
  /** epoch ms: give up (return null) at this time, e.g. the position's time exit */
  until: number;
  /** how often a real-time watcher reads the shared price cache (strategy timing.priceCheckInterval) */
  pollMs?: number;
}

export interface FetchDailyClosesInput {
  symbols: string[];
  mode: string;
  /** workflow time: only days completed by then */
  asOf: number;
  lookbackDays: number;
}

export interface AssessCorrelationInput {
  mode: string;
  /** workflow time: only days completed by then */
  asOf: number;
  risk: Pick<CorrelationCfg['risk'], 'maxCorrelation' | 'correlationLookbackDays'>;
  /** pre-trade: the symbol entering, judged against `symbols` (the book); absent: every pair of `symbols` */
  entering?: string;
  /** pre-trade for a batch of entries (the strategy's batched decisions): every entering symbol against
   *  the book and the batch, answered as `pairs` */
  enteringBatch?: string[];
  symbols: string[];
}

/** how many unknown pairs a verdict carries (for the log); the count is always whole */
const UNKNOWN_SAMPLE = 5;

export interface CorrelationVerdict {
  /** the CORRELATION violations (pre-trade) or triggers (book), one per breaching pair */
  breaches: Array<{ code: 'CORRELATION'; message: string; value: string; limit: string }>;
  unknown: UnknownPair[];
  unknownCount: number;
  /** with `enteringBatch`: each breaching pair of an entering symbol (the decision keeps those with its book) */
  pairs?: EntryPairBreach[];
}

export interface LevelCrossing {
  kind: 'STOP_LOSS' | 'TAKE_PROFIT';
  /** epoch ms of the crossing (time-indexed: in the future of the workflow; sleep until it) */
  at: number;
  price: DecimalString;
}

/**
 * The watcher's heartbeat, at most once per quarter of its heartbeat timeout (15 s for the position's
 * 60 s). The feed calls it on every poll (every 2 s with a 2 s priceCheckInterval), but the SDK sends a
 * heartbeat to the server at most every 0.8 × the timeout; each call still encodes (and encrypts) a
 * payload on the worker's main thread, so 1000 watchers on a 2 s poll made ~500 payloads/s of garbage
 * that grew the heap (issue 14). A quarter keeps three beats inside every timeout.
 */
export function watcherHeartbeat(ctx: Pick<Context, 'heartbeat' | 'info'> | undefined, now: () => number = Date.now): () => void {
  const everyMs = (ctx?.info.heartbeatTimeoutMs || 60_000) / 4;
  let lastAt = -Infinity;
  return () => {
    if (!ctx || now() - lastAt < everyMs) return;
    lastAt = now();
    ctx.heartbeat();
  };
}

export function createMarketActivities({ brokers }: { brokers: BrokerRegistry }) {
  async function fetchMarketSnapshot(input: FetchMarketSnapshotInput): Promise<MarketSnapshotWithLatency> {
    try {
      const broker = await brokerFor(brokers, input.mode, { strategyId: input.strategyId });
      const t0 = performance.now();
      const snap = await broker.fetchSnapshot(input.symbol, input.asOf);
      const latencyMs = Math.round(performance.now() - t0);
      // best effort: without it sizing keeps 12 decimals and the venue (or the paper broker) rounds
      const precision = await (await marketDataFor(brokers, input.mode, input.strategyId))
        .precision(input.symbol)
        .catch(() => undefined);
      return { ...snap, latencyMs, venue: broker.venue, ...(precision ? { precision } : {}) };
    } catch (e) {
      throw toActivityFailure(e);
    }
  }

  async function watchPriceLevels(input: WatchPriceLevelsInput): Promise<LevelCrossing | null> {
    if (input.stopPrice === undefined && input.targetPrice === undefined) return null;
    const ctx = activityContext();
    const signal = ctx?.cancellationSignal ?? new AbortController().signal;
    try {
      const source = await marketDataOfWorkflow(brokers, input.mode, ctx?.info.workflowExecution?.workflowId);
      const c = await source.firstCrossing(
        { symbol: input.symbol, below: input.stopPrice, above: input.targetPrice, from: input.from, until: input.until },
        { heartbeat: watcherHeartbeat(ctx), signal, pollMs: input.pollMs ?? 5000 },
      );
      if (!c) return null;
      return { kind: c.side === 'below' ? 'STOP_LOSS' : 'TAKE_PROFIT', at: c.at, price: c.price };
    } catch (e) {
      throw toActivityFailure(e);
    }
  }

  /**
   * The correlation guard's inputs (domain/correlation.ts): completed daily closes of every symbol of
   * one check, in one call (not one per position). A symbol without data comes back in `missing`.
   */
  async function fetchDailyCloses(input: FetchDailyClosesInput): Promise<DailyClosesResult> {
    try {
      const source = await marketDataOfWorkflow(brokers, input.mode, activityContext()?.info.workflowExecution?.workflowId);
      const r = await dailyClosesOf(source, input.symbols, input.asOf, input.lookbackDays);
      for (const [symbol, why] of Object.entries(r.missing)) activityContext()?.log.warn(`correlation: no daily closes for ${symbol}: ${why}`);
      return r;
    } catch (e) {
      throw toActivityFailure(e);
    }
  }

  /**
   * The correlation guard's verdict computed here, next to the data (patch `correlation-verdict-v1`):
   * the workflow gets the breaches and a sample of the unknown pairs, not every symbol's closes, so a
   * book of many positions neither grows the strategy's history by N × lookback closes per entry nor
   * spends its workflow task on N² correlations. The rules are the pure domain's.
   */
  async function assessCorrelation(input: AssessCorrelationInput): Promise<CorrelationVerdict> {
    const symbols = input.entering ? [input.entering, ...input.symbols] : input.enteringBatch ? [...new Set([...input.enteringBatch, ...input.symbols])] : input.symbols;
    const data = await fetchDailyCloses({ symbols, mode: input.mode, asOf: input.asOf, lookbackDays: input.risk.correlationLookbackDays });
    const cfg = { risk: input.risk } as CorrelationCfg;
    if (input.enteringBatch) {
      const v = entryCorrelationPairs(input.enteringBatch, input.symbols, data.closes, input.asOf, cfg);
      return { breaches: [], pairs: v.breaches, unknown: v.unknown.slice(0, UNKNOWN_SAMPLE), unknownCount: v.unknown.length };
    }
    let found: Array<Trigger | RiskViolation>;
    let unknown: UnknownPair[];
    if (input.entering) ({ violations: found, unknown } = entryCorrelation(input.entering, input.symbols, data.closes, input.asOf, cfg));
    else ({ triggers: found, unknown } = correlationTriggers(input.symbols, data.closes, input.asOf, cfg));
    const breaches = found.map((b) => ({ code: 'CORRELATION' as const, message: b.message, value: b.value ?? '', limit: b.limit ?? input.risk.maxCorrelation }));
    return { breaches, unknown: unknown.slice(0, UNKNOWN_SAMPLE), unknownCount: unknown.length };
  }

  return { fetchMarketSnapshot, watchPriceLevels, fetchDailyCloses, assessCorrelation };
}

export type MarketActivities = ReturnType<typeof createMarketActivities>;
