/**
 * Replay of recorded OHLCV candles from a CSV or JSON file (backtests, paper runs over history).
 *
 * Formats (validated with zod; an error names the file and the line (CSV) or item (JSON)):
 * - CSV with a header: `timestamp,open,high,low,close,volume[,symbol]` (case-insensitive; `time`,
 *   `date`, `open_time` accepted for timestamp). Blank lines and lines starting with `#` are skipped.
 * - JSON: an array of `{ timestamp, open, high, low, close, volume, symbol? }` objects or of ccxt-style
 *   `[timestamp, open, high, low, close, volume]` arrays, or an object `{ "ARB/USDT": [...rows] }`.
 * Timestamps are epoch ms, epoch seconds (values below 1e11) or ISO-8601 strings; volume is in base units.
 * Rows without a symbol form one series that answers for any symbol (or `options.symbol`).
 *
 * Time-indexed. Within a candle the price follows a piecewise-linear path through the OHLC points —
 * open → low → high → close for an up candle, open → high → low → close for a down candle (the
 * conservative order for a long position's stop) — so `snapshot(asOf)` and `firstCrossing` agree
 * exactly: a crossing is reported at the interpolated instant the level is reached, at the level's
 * price, or at the candle's open when the market gapped through it.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { d, toStr } from '../../domain/money';
import type { MarketPrecision, MarketSnapshot, OrderBookSnapshot } from '../../domain/types';
import type { Candle } from '../types';
import { syntheticBook, type SyntheticBookOptions } from './book';
import { abortError, timeframeMs, type Crossing, type CrossingQuery, type MarketDataSource, type WaitContext } from './common';

export interface ReplayCandle extends Candle {
  symbol?: string;
}

export interface ReplayOptions {
  /** the file's rows have no symbol column: they belong to this symbol (default: any symbol) */
  symbol?: string;
  /** candle length (default: the smallest gap between consecutive timestamps) */
  timeframe?: string;
  book?: SyntheticBookOptions;
  now?: () => number;
}

export class ReplayFileError extends Error {
  override name = 'ReplayFileError';
}

const decimal = (what: string) =>
  z
    .union([z.string(), z.number()])
    .transform((v) => (typeof v === 'number' ? toStr(v) : v.trim()))
    .refine((v) => /^\d+(\.\d+)?$/.test(v), { message: `${what} must be a non-negative decimal number` });

const timestamp = z.union([z.string(), z.number()]).transform((v, ctx) => {
  if (typeof v === 'number' || /^\d+(\.\d+)?$/.test(v.trim())) {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) {
      ctx.addIssue({ code: 'custom', message: 'timestamp must be epoch ms, epoch s or ISO-8601' });
      return z.NEVER;
    }
    return Math.round(n < 1e11 ? n * 1000 : n);
  }
  const t = Date.parse(v.trim());
  if (!Number.isFinite(t)) {
    ctx.addIssue({ code: 'custom', message: `timestamp "${v}" is not epoch ms, epoch s or ISO-8601` });
    return z.NEVER;
  }
  return t;
});

const rowSchema = z
  .object({
    timestamp,
    open: decimal('open'),
    high: decimal('high'),
    low: decimal('low'),
    close: decimal('close'),
    volume: decimal('volume'),
    symbol: z.string().trim().min(1).optional(),
  })
  .superRefine((r, ctx) => {
    const [o, h, l, c] = [r.open, r.high, r.low, r.close].map(Number) as [number, number, number, number];
    if (!(l > 0)) ctx.addIssue({ code: 'custom', path: ['low'], message: 'low must be greater than 0' });
    if (h < Math.max(o, c, l)) ctx.addIssue({ code: 'custom', path: ['high'], message: `high ${r.high} is below open/close/low` });
    if (l > Math.min(o, c)) ctx.addIssue({ code: 'custom', path: ['low'], message: `low ${r.low} is above open/close` });
  });

/** Parse and validate an OHLCV file's text. `where` names the file in errors. */
export function parseOhlcvFile(text: string, where: string): ReplayCandle[] {
  const trimmed = text.trimStart();
  const rows: Array<{ raw: unknown; loc: string }> = [];
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new ReplayFileError(`${where}: invalid JSON (${(e as Error).message})`);
    }
    const push = (arr: unknown, symbol?: string) => {
      if (!Array.isArray(arr)) throw new ReplayFileError(`${where}${symbol ? ` "${symbol}"` : ''}: expected an array of candles`);
      arr.forEach((item, i) => {
        const obj = Array.isArray(item)
          ? { timestamp: item[0], open: item[1], high: item[2], low: item[3], close: item[4], volume: item[5] }
          : item;
        rows.push({ raw: symbol && obj && typeof obj === 'object' ? { symbol, ...obj } : obj, loc: `${symbol ? `"${symbol}" ` : ''}item ${i}` });
      });
    };
    if (Array.isArray(json)) push(json);
    else for (const [sym, arr] of Object.entries(json as Record<string, unknown>)) push(arr, sym);
  } else {
    const lines = text.split(/\r?\n/);
    let header: string[] | undefined;
    lines.forEach((line, i) => {
      const s = line.trim();
      if (!s || s.startsWith('#')) return;
      const cells = s.split(',').map((c) => c.trim());
      if (!header) {
        header = cells.map((h) => {
          const k = h.toLowerCase().replace(/^"|"$/g, '');
          return ['time', 'date', 'open_time', 'opentime', 'ts', 'datetime'].includes(k) ? 'timestamp' : k;
        });
        for (const need of ['timestamp', 'open', 'high', 'low', 'close', 'volume']) {
          if (!header.includes(need)) throw new ReplayFileError(`${where} line ${i + 1}: header lacks column "${need}" (need timestamp,open,high,low,close,volume[,symbol])`);
        }
        return;
      }
      if (cells.length !== header.length) {
        throw new ReplayFileError(`${where} line ${i + 1}: expected ${header.length} columns, got ${cells.length}`);
      }
      const obj: Record<string, string> = {};
      header.forEach((h, k) => (obj[h] = cells[k]!));
      rows.push({ raw: obj, loc: `line ${i + 1}` });
    });
  }
  if (rows.length === 0) throw new ReplayFileError(`${where}: no candles`);
  const out: ReplayCandle[] = [];
  const lastTs = new Map<string, { t: number; loc: string }>();
  for (const { raw, loc } of rows) {
    const r = rowSchema.safeParse(raw);
    if (!r.success) {
      const msg = r.error.issues.map((i) => `${i.path.length ? i.path.join('.') + ': ' : ''}${i.message}`).join('; ');
      throw new ReplayFileError(`${where} ${loc}: ${msg}`);
    }
    const key = r.data.symbol ?? '*';
    const prev = lastTs.get(key);
    if (prev && r.data.timestamp <= prev.t) {
      throw new ReplayFileError(`${where} ${loc}: timestamp ${new Date(r.data.timestamp).toISOString()} is not after the previous row (${prev.loc})`);
    }
    lastTs.set(key, { t: r.data.timestamp, loc });
    out.push(r.data);
  }
  return out;
}

interface Series {
  candles: ReplayCandle[];
  interval: number;
  /** piecewise-linear path: times and prices */
  ts: number[];
  ps: number[];
  /** price strings of the path points (exact values from the file) */
  pstr: string[];
  tickSize: string;
  stepSize: string;
}

function buildSeries(candles: ReplayCandle[], timeframe?: string): Series {
  let interval = timeframe ? timeframeMs(timeframe) : Infinity;
  if (!timeframe) for (let i = 1; i < candles.length; i++) interval = Math.min(interval, candles[i]!.timestamp - candles[i - 1]!.timestamp);
  if (!Number.isFinite(interval)) interval = 60_000;
  const ts: number[] = [];
  const ps: number[] = [];
  const pstr: string[] = [];
  const add = (t: number, p: string) => {
    ts.push(t);
    ps.push(Number(p));
    pstr.push(p);
  };
  let decimals = 0;
  for (const c of candles) {
    for (const p of [c.open, c.high, c.low, c.close]) decimals = Math.max(decimals, p.includes('.') ? p.length - p.indexOf('.') - 1 : 0);
    const up = Number(c.close) >= Number(c.open);
    const third = Math.max(1, Math.floor(interval / 3));
    add(c.timestamp, c.open);
    add(c.timestamp + third, up ? c.low : c.high);
    add(c.timestamp + 2 * third, up ? c.high : c.low);
    add(c.timestamp + interval - 1, c.close);
  }
  const tickSize = decimals === 0 ? '1' : `0.${'0'.repeat(decimals - 1)}1`;
  return { candles, interval, ts, ps, pstr, tickSize, stepSize: '0.00000001' };
}

/**
 * The file's candles as candles of `tf` (a whole multiple of their interval), buckets aligned to epoch
 * multiples of `tf` (UTC days for `1d`): open of the first, high / low over all, close of the last, volumes
 * summed. The daily closes of the correlation guard come from hourly backtest files this way.
 */
function resample(candles: readonly ReplayCandle[], tf: number): Candle[] {
  const out: Candle[] = [];
  for (const { symbol: _s, ...c } of candles) {
    const t = Math.floor(c.timestamp / tf) * tf;
    const last = out[out.length - 1];
    if (!last || last.timestamp !== t) {
      out.push({ ...c, timestamp: t });
      continue;
    }
    if (Number(c.high) > Number(last.high)) last.high = c.high;
    if (Number(c.low) < Number(last.low)) last.low = c.low;
    last.close = c.close;
    last.volume = toStr(d(last.volume).plus(d(c.volume)));
  }
  return out;
}

export class ReplayMarketData implements MarketDataSource {
  readonly timeIndexed = true;
  readonly name: string;
  private readonly series = new Map<string, Series>();
  private readonly now: () => number;

  constructor(candles: ReplayCandle[], private readonly opts: ReplayOptions & { name?: string } = {}) {
    this.name = opts.name ?? 'replay';
    this.now = opts.now ?? Date.now;
    const bySymbol = new Map<string, ReplayCandle[]>();
    for (const c of candles) {
      const key = c.symbol ?? opts.symbol ?? '*';
      if (!bySymbol.has(key)) bySymbol.set(key, []);
      bySymbol.get(key)!.push(c);
    }
    for (const [k, cs] of bySymbol) this.series.set(k, buildSeries(cs, opts.timeframe));
  }

  static fromFile(file: string, opts: ReplayOptions = {}): ReplayMarketData {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new ReplayFileError(`cannot read replay file ${file}: ${(e as Error).message}`);
    }
    return new ReplayMarketData(parseOhlcvFile(text, file), { ...opts, name: `replay:${file}` });
  }

  symbols(): string[] {
    return [...this.series.keys()];
  }

  private get(symbol: string): Series {
    const s = this.series.get(symbol) ?? this.series.get('*');
    if (!s) throw new ReplayFileError(`${this.name}: no data for ${symbol} (have ${this.symbols().join(', ')})`);
    return s;
  }

  /** index of the last path point at or before t (-1 before the first) */
  private idx(s: Series, t: number): number {
    let lo = -1;
    let hi = s.ts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s.ts[mid]! <= t) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private priceNumber(s: Series, t: number): number {
    const i = this.idx(s, t);
    if (i < 0) return s.ps[0]!;
    if (i >= s.ts.length - 1 || s.ts[i] === t) return s.ps[i]!;
    const [t0, t1, p0, p1] = [s.ts[i]!, s.ts[i + 1]!, s.ps[i]!, s.ps[i + 1]!];
    return p0 + ((p1 - p0) * (t - t0)) / (t1 - t0);
  }

  private priceString(s: Series, t: number): string {
    const i = this.idx(s, t);
    if (i < 0) return s.pstr[0]!;
    if (i >= s.ts.length - 1 || s.ts[i] === t) return s.pstr[i]!;
    const dec = s.tickSize.includes('.') ? s.tickSize.length - 2 : 0;
    return toStr(this.priceNumber(s, t).toFixed(dec));
  }

  priceAt(symbol: string, t: number): string {
    return this.priceString(this.get(symbol), t);
  }

  private volume24h(s: Series, t: number): string {
    let q = 0;
    let n = 0;
    for (const c of s.candles) {
      if (c.timestamp >= t) break;
      if (c.timestamp >= t - 86_400_000) {
        q += Number(c.volume) * Number(c.close);
        n++;
      }
    }
    if (n === 0) {
      const c = s.candles[0]!;
      q = Number(c.volume) * Number(c.close) * (86_400_000 / s.interval);
    }
    return q.toFixed(2);
  }

  async snapshot(symbol: string, asOf?: number): Promise<MarketSnapshot> {
    const t = asOf ?? this.now();
    const s = this.get(symbol);
    const last = this.priceString(s, t);
    const vol = this.volume24h(s, t);
    const book = syntheticBook(symbol, last, vol, t, this.bookOpts(symbol, s), 1);
    const before = this.priceNumber(s, t - 7 * 86_400_000);
    return {
      symbol,
      bid: book.bids[0]!.price,
      ask: book.asks[0]!.price,
      last,
      volume24hQuote: vol,
      change7dPct: before > 0 ? (((Number(last) - before) / before) * 100).toFixed(4) : '0',
      timestamp: t,
    };
  }

  private bookOpts(symbol: string, s: Series): SyntheticBookOptions {
    return { ...this.opts.book, precision: { [symbol]: { tickSize: s.tickSize, stepSize: s.stepSize }, ...this.opts.book?.precision } };
  }

  /** the tick the file's prices are written at (its most decimals), the lot step of the synthetic book */
  async precision(symbol: string): Promise<MarketPrecision> {
    const p = this.bookOpts(symbol, this.get(symbol)).precision![symbol]!;
    return { tickSize: p.tickSize, stepSize: p.stepSize, minAmount: p.stepSize };
  }

  async orderBook(symbol: string, asOf?: number, limit?: number): Promise<OrderBookSnapshot> {
    const t = asOf ?? this.now();
    const s = this.get(symbol);
    return syntheticBook(symbol, this.priceString(s, t), this.volume24h(s, t), t, this.bookOpts(symbol, s), limit);
  }

  async ohlcv(symbol: string, timeframe: string, since?: number, limit = 500): Promise<Candle[]> {
    const s = this.get(symbol);
    const tf = timeframeMs(timeframe);
    if (tf < s.interval || tf % s.interval !== 0) throw new ReplayFileError(`${this.name}: has ${s.interval} ms candles, ${timeframe} requested (only whole multiples of the file's candles can be served)`);
    const from = since === undefined ? undefined : tf === s.interval ? since : Math.floor(since / tf) * tf;
    const rows = tf === s.interval ? s.candles.map(({ symbol: _s, ...c }) => c) : resample(s.candles, tf);
    return rows
      .filter((c) => from === undefined || c.timestamp >= from)
      .slice(0, limit);
  }

  async firstCrossing(q: CrossingQuery, ctx: WaitContext): Promise<Crossing | null> {
    if (q.below === undefined && q.above === undefined) throw new Error('firstCrossing needs a below and/or an above level');
    if (q.until < q.from) return null;
    const s = this.get(q.symbol);
    const below = q.below !== undefined ? Number(q.below) : undefined;
    const above = q.above !== undefined ? Number(q.above) : undefined;
    const at = (t: number, side: 'below' | 'above', price: string): Crossing => ({ side, at: t, price });
    // at `from` itself
    const p0 = this.priceNumber(s, q.from);
    if (below !== undefined && p0 <= below) return at(q.from, 'below', this.priceString(s, q.from));
    if (above !== undefined && p0 >= above) return at(q.from, 'above', this.priceString(s, q.from));
    // walk the segments after `from`
    let i = Math.max(0, this.idx(s, q.from));
    let tPrev = q.from;
    let pPrev = p0;
    for (; i < s.ts.length; i++) {
      const tNext = s.ts[i]!;
      if (tNext <= q.from) continue;
      const pNext = s.ps[i]!;
      const segEnd = Math.min(tNext, q.until);
      // a new candle's open after the previous close is a gap: cross at the open's price
      const gap = i % 4 === 0;
      for (const [side, level] of [
        ['below', below],
        ['above', above],
      ] as const) {
        if (level === undefined) continue;
        const hit = side === 'below' ? pNext <= level : pNext >= level;
        if (!hit) continue;
        if (gap || pNext === pPrev) {
          if (tNext <= q.until) return at(tNext, side, s.pstr[i]!);
          continue;
        }
        const t = Math.ceil(tPrev + ((tNext - tPrev) * (pPrev - level)) / (pPrev - pNext));
        if (t <= segEnd) return at(Math.max(t, tPrev), side, side === 'below' ? q.below! : q.above!);
      }
      if (tNext >= q.until) return null;
      tPrev = tNext;
      pPrev = pNext;
      if (i % 40_000 === 0) {
        if (ctx.signal.aborted) throw abortError(ctx.signal);
        ctx.heartbeat();
      }
    }
    return null;
  }
}
