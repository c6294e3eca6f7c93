/**
 * One cache of a venue's daily (`1d`) candles per symbol, serving every reader of them: the 7-day change
 * of a snapshot and the correlation guard's closes (./daily-closes.ts). An entry holds the candles from
 * the earliest day asked for to now; a request whose window starts at or after that day is answered from
 * it while it is younger than `ttlMs` and was filled today (a completed day's candle does not change;
 * today's is at most `ttlMs` old), otherwise one fetch (single flight per symbol) refills the entry from the earlier start.
 * Bounded: at most `maxSymbols` entries (least recently used evicted), each at most `maxDays` candles.
 */
import type { Candle } from '../types';

export const DAY_MS = 86_400_000;

export interface DailyCandleCacheOptions {
  /** default 10 min */
  ttlMs?: number;
  /** default 500 */
  maxSymbols?: number;
  /** the longest window kept and fetched, days (default 400) */
  maxDays?: number;
  now?: () => number;
}

interface Entry {
  /** start of the first day covered */
  from: number;
  candles: Candle[];
  at: number;
}

const dayStart = (t: number) => Math.floor(t / DAY_MS) * DAY_MS;

export class DailyCandleCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<Entry>>();
  private readonly now: () => number;

  constructor(
    private readonly fetch: (symbol: string, since: number, limit: number) => Promise<Candle[]>,
    private readonly opts: DailyCandleCacheOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * The daily candles as ccxt's fetchOHLCV(symbol, '1d', since, limit) answers them: from `since`'s day
   * on, at most `limit`; without `since`, the last `limit` ones.
   */
  async get(symbol: string, since: number | undefined, limit: number | undefined): Promise<Candle[]> {
    const today = dayStart(this.now());
    const n = Math.min(limit ?? this.opts.maxDays ?? 400, this.opts.maxDays ?? 400);
    const from = since !== undefined ? dayStart(since) : today - (n - 1) * DAY_MS;
    const entry = await this.entry(symbol, Math.max(from, today - ((this.opts.maxDays ?? 400) - 1) * DAY_MS));
    const inWindow = entry.candles.filter((c) => c.timestamp >= from);
    return since !== undefined ? inWindow.slice(0, n) : inWindow.slice(-n);
  }

  private async entry(symbol: string, from: number): Promise<Entry> {
    const hit = this.entries.get(symbol);
    // an entry filled before today's UTC midnight lacks today's candle: refill it whatever its age
    const now = this.now();
    const fresh = hit && now - hit.at < (this.opts.ttlMs ?? 600_000) && dayStart(hit.at) === dayStart(now);
    if (hit && fresh && hit.from <= from) {
      // most recently used last: eviction takes the first
      this.entries.delete(symbol);
      this.entries.set(symbol, hit);
      return hit;
    }
    const start = fresh ? Math.min(from, hit.from) : from;
    const running = this.inflight.get(symbol);
    if (running) {
      const e = await running;
      if (e.from <= from) return e;
    }
    const p = (async () => {
      const limit = Math.floor((dayStart(this.now()) - start) / DAY_MS) + 1;
      const candles = await this.fetch(symbol, start, limit);
      const e: Entry = { from: start, candles: candles.filter((c) => c.timestamp >= start), at: this.now() };
      this.entries.delete(symbol);
      this.entries.set(symbol, e);
      while (this.entries.size > (this.opts.maxSymbols ?? 500)) this.entries.delete(this.entries.keys().next().value!);
      return e;
    })().finally(() => this.inflight.delete(symbol));
    this.inflight.set(symbol, p);
    return p;
  }
}
