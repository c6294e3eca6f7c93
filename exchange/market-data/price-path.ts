/**
 * The price path: the price of a symbol at any epoch ms, for paper-mode market data
 * (exchange/market-data/path-source.ts serves it as a MarketDataSource), backtests and the local
 * exchange simulator (simulator/engine.ts).
 *
 * Pure module: no I/O, no clock, no randomness beyond a seeded hash (domain/seeded-random.ts). The same
 * (seed, symbol, t) always gives the same price, so paper runs, demos and tests are reproducible.
 *
 * - `syntheticPrice(symbol, t, opts)` / `SyntheticPricePath`: a sum of value-noise components at
 *   time scales from 1 s to 64 days (log-price), so evaluating any t costs O(#components), no state.
 *   Each component's amplitude follows a random-walk scaling (daily vol × sqrt(scale / 1 day)).
 * - `ScriptedPricePath`: piecewise-linear points per symbol, e.g. "price drops 4 % at time X".
 *
 * Both implement `PricePath` (priceAt, volume24hQuote, change7dPct). Symbols' ticks and start prices
 * come from exchange/market-data/markets.ts.
 */
import { hashString32, lattice } from '../../domain/seeded-random';
import { decimalsOf, marketSpec, roundToTick, roundToTickNumber } from './markets';

export interface PricePath {
  /** price of `symbol` at epoch ms `t`, as a decimal string rounded to the symbol's tick */
  priceAt(symbol: string, t: number): string;
  /** 24 h traded volume in quote currency at `t`, decimal string */
  volume24hQuote(symbol: string, t: number): string;
  /** 7-day price change in percent at `t`, decimal string (-12.5 = -12.5 %) */
  change7dPct(symbol: string, t: number): string;
}

const DAY_MS = 86_400_000;
// module-local bindings: hot loops stay fast inside vm contexts (jest), where global lookups are slow
const { imul, floor, exp, sqrt } = Math;

// ---------------------------------------------------------------------------------------------
// synthetic path

export interface SyntheticPathOptions {
  /** default 42 */
  seed?: number;
  /** per-symbol starting price (default from DEFAULT_MARKETS, else 10) */
  basePrices?: Record<string, number>;
  /** daily volatility as a fraction (default 0.04 = 4 %/day); per-symbol override in `volatilities` */
  dailyVolatility?: number;
  volatilities?: Record<string, number>;
  /** per-symbol 24 h quote volume (fixed number, default from DEFAULT_MARKETS with a ±30 % daily wobble) */
  volume24hQuote?: Record<string, number>;
  /** per-symbol fixed 7-day change in percent; default: computed from the path itself */
  change7dPct?: Record<string, number>;
  /** per-symbol tick size for rounding (default from marketSpec) */
  tickSizes?: Record<string, string>;
  /**
   * drop the components slower than this (default: none dropped, up to 64 days). A lively demo market
   * (50 %/day) keeps its minute-scale moves but, capped at a few hours, stays near its base prices
   * instead of wandering 10× away over the weeks the slow components span.
   */
  longestScaleMs?: number;
}

/** time scales of the components, ms */
const SCALES_MS = [1_000, 10_000, 60_000, 300_000, 1_800_000, 7_200_000, 28_800_000, DAY_MS, 4 * DAY_MS, 16 * DAY_MS, 64 * DAY_MS];

function smoothstep(f: number): number {
  return f * f * (3 - 2 * f);
}

interface SymbolParams {
  base: number;
  vol: number;
  tick: string;
  tickNum: number;
  decimals: number;
  streams: number[];
  amps: number[];
}

const SQRT3_HALF = sqrt(3) * 0.5;

function symbolParams(symbol: string, opts: SyntheticPathOptions): SymbolParams {
  const spec = marketSpec(symbol);
  const base = opts.basePrices?.[symbol] ?? spec.basePrice;
  const vol = opts.volatilities?.[symbol] ?? opts.dailyVolatility ?? 0.04;
  const tick = opts.tickSizes?.[symbol] ?? spec.tickSize;
  const sym = hashString32(symbol);
  // uniform [-1,1) has std 1/sqrt(3); each component gets std ≈ vol × sqrt(scale/day) (random-walk scaling)
  return {
    base,
    vol,
    tick,
    tickNum: Number(tick),
    decimals: decimalsOf(tick),
    streams: SCALES_MS.map((_, k) => (sym ^ imul(k + 1, 0x27d4eb2d)) >>> 0),
    amps: SCALES_MS.map((scale) => (scale > (opts.longestScaleMs ?? Infinity) ? 0 : vol * sqrt(scale / DAY_MS) * SQRT3_HALF)),
  };
}

/** log(price / basePrice) of the synthetic path; pure in (seed, symbol, t). */
function syntheticLogOffset(seed: number, p: SymbolParams, t: number): number {
  let sum = 0;
  for (let k = 0; k < SCALES_MS.length; k++) {
    const scale = SCALES_MS[k]!;
    const x = t / scale;
    const i = floor(x);
    const f = smoothstep(x - i);
    const stream = p.streams[k]!;
    const a = lattice(seed, stream, i);
    const b = lattice(seed, stream, i + 1);
    sum += p.amps[k]! * (a + (b - a) * f);
  }
  return sum;
}

function priceFromParams(seed: number, p: SymbolParams, t: number): number {
  return p.base * exp(syntheticLogOffset(seed, p, t));
}

function roundWith(x: number, p: SymbolParams): string {
  return roundToTickNumber(x, p.tickNum, p.decimals);
}

/** The synthetic price of `symbol` at epoch ms `t`: a pure function of (seed, symbol, t). */
export function syntheticPrice(symbol: string, t: number, opts: SyntheticPathOptions = {}): string {
  const p = symbolParams(symbol, opts);
  return roundWith(priceFromParams((opts.seed ?? 42) >>> 0, p, t), p);
}

function defaultVolume(symbol: string, t: number, seed: number, fixed?: number): string {
  if (fixed !== undefined) return fixed.toFixed(2);
  const base = marketSpec(symbol).volume24hQuote;
  // one wobble value per hour, ±30 %
  const w = lattice(seed, hashString32(symbol + ':vol'), floor(t / 3_600_000));
  return (base * (1 + 0.3 * w)).toFixed(2);
}

function pctChange(now: number, before: number): string {
  if (!(before > 0)) return '0';
  return (((now - before) / before) * 100).toFixed(4);
}

export class SyntheticPricePath implements PricePath {
  private readonly params = new Map<string, SymbolParams>();
  private readonly seed: number;

  constructor(readonly opts: SyntheticPathOptions = {}) {
    this.seed = (opts.seed ?? 42) >>> 0;
  }

  private paramsOf(symbol: string): SymbolParams {
    let p = this.params.get(symbol);
    if (!p) {
      p = symbolParams(symbol, this.opts);
      this.params.set(symbol, p);
    }
    return p;
  }

  priceAt(symbol: string, t: number): string {
    const p = this.paramsOf(symbol);
    return roundWith(priceFromParams(this.seed, p, t), p);
  }

  volume24hQuote(symbol: string, t: number): string {
    return defaultVolume(symbol, t, (this.opts.seed ?? 42) >>> 0, this.opts.volume24hQuote?.[symbol]);
  }

  change7dPct(symbol: string, t: number): string {
    const fixed = this.opts.change7dPct?.[symbol];
    if (fixed !== undefined) return String(fixed);
    return pctChange(Number(this.priceAt(symbol, t)), Number(this.priceAt(symbol, t - 7 * DAY_MS)));
  }
}

// ---------------------------------------------------------------------------------------------
// scripted path

export interface PricePoint {
  t: number;
  price: number | string;
}

export interface ScriptedPathOptions {
  /** symbols without points fall back to this path (default: a SyntheticPricePath with seed 42) */
  fallback?: PricePath;
  volume24hQuote?: Record<string, number>;
  change7dPct?: Record<string, number>;
  tickSizes?: Record<string, string>;
}

/**
 * Piecewise-linear prices per symbol. Before the first point the first price holds, after the last
 * point the last price holds. A step (e.g. a 4 % drop at X) is two points 1 ms apart.
 */
export class ScriptedPricePath implements PricePath {
  private readonly points = new Map<string, { t: number; price: number }[]>();
  private readonly fallback: PricePath;

  constructor(points: Record<string, PricePoint[]> = {}, readonly opts: ScriptedPathOptions = {}) {
    this.fallback = opts.fallback ?? new SyntheticPricePath();
    for (const [s, pts] of Object.entries(points)) this.set(s, pts);
  }

  /** replace the script of one symbol */
  set(symbol: string, pts: PricePoint[]): this {
    const sorted = pts.map((p) => ({ t: p.t, price: Number(p.price) })).sort((a, b) => a.t - b.t);
    if (sorted.some((p) => !(p.price > 0) || !Number.isFinite(p.t))) throw new Error(`bad price points for ${symbol}`);
    this.points.set(symbol, sorted);
    return this;
  }

  /** append/insert a point */
  add(symbol: string, t: number, price: number | string): this {
    const pts = [...(this.points.get(symbol) ?? []), { t, price: Number(price) }];
    return this.set(symbol, pts);
  }

  /** price is `price` from now on (a flat line from `t`; earlier points are kept) */
  hold(symbol: string, t: number, price: number | string): this {
    const before = (this.points.get(symbol) ?? []).filter((p) => p.t < t);
    return this.set(symbol, [...before, { t, price: Number(price) }]);
  }

  /** step from the current price at `t` by `pct` percent (e.g. -4), over 1 ms */
  stepPct(symbol: string, t: number, pct: number): this {
    const p = this.priceNumber(symbol, t);
    const after = (this.points.get(symbol) ?? []).filter((x) => x.t < t);
    return this.set(symbol, [...after, { t, price: p }, { t: t + 1, price: p * (1 + pct / 100) }]);
  }

  /** every symbol's points (what a restarted simulator must take back: simulator/state-file.ts) */
  scripts(): Record<string, PricePoint[]> {
    return Object.fromEntries([...this.points].map(([s, pts]) => [s, pts.map((p) => ({ ...p }))]));
  }

  /** times of the script's points in [from, to]: a piecewise-linear path has its extremes there (exact candle high / low) */
  breakpoints(symbol: string, from: number, to: number): number[] {
    return (this.points.get(symbol) ?? []).filter((p) => p.t >= from && p.t <= to).map((p) => p.t);
  }

  hasScript(symbol: string): boolean {
    return (this.points.get(symbol)?.length ?? 0) > 0;
  }

  private priceNumber(symbol: string, t: number): number {
    const pts = this.points.get(symbol);
    if (!pts || pts.length === 0) return Number(this.fallback.priceAt(symbol, t));
    if (t <= pts[0]!.t) return pts[0]!.price;
    const last = pts[pts.length - 1]!;
    if (t >= last.t) return last.price;
    // binary search for the segment
    let lo = 0;
    let hi = pts.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (pts[mid]!.t <= t) lo = mid;
      else hi = mid;
    }
    const a = pts[lo]!;
    const b = pts[hi]!;
    if (b.t === a.t) return b.price;
    return a.price + ((b.price - a.price) * (t - a.t)) / (b.t - a.t);
  }

  priceAt(symbol: string, t: number): string {
    if (!this.hasScript(symbol)) return this.fallback.priceAt(symbol, t);
    const tick = this.opts.tickSizes?.[symbol] ?? marketSpec(symbol).tickSize;
    return roundToTick(this.priceNumber(symbol, t), tick);
  }

  volume24hQuote(symbol: string, t: number): string {
    const fixed = this.opts.volume24hQuote?.[symbol];
    if (fixed !== undefined) return fixed.toFixed(2);
    if (!this.hasScript(symbol)) return this.fallback.volume24hQuote(symbol, t);
    return marketSpec(symbol).volume24hQuote.toFixed(2);
  }

  change7dPct(symbol: string, t: number): string {
    const fixed = this.opts.change7dPct?.[symbol];
    if (fixed !== undefined) return String(fixed);
    if (!this.hasScript(symbol)) return this.fallback.change7dPct(symbol, t);
    return pctChange(this.priceNumber(symbol, t), this.priceNumber(symbol, t - 7 * DAY_MS));
  }
}
