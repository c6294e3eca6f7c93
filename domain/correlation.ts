/**
 * The correlation guard (seed S4: "correlation breach > 70 %" is an emergency trigger): how strongly
 * the daily returns of two symbols move together, the pre-trade rule that refuses an entry correlating
 * with an open position, and the trigger for open positions that correlate with each other.
 *
 * Conventions (pinned by test/domain/correlation.test.ts):
 *  - Input: DAILY CLOSES per symbol, `{ t, close }` with `t` the UTC day's start (a ccxt `1d` candle's
 *    open time); the close is that day's last price. Only COMPLETED days count: a candle whose day has
 *    not ended at `asOf` (t + 1 day > asOf) is dropped, so a decision never sees a future close.
 *  - Window: the `lookbackDays` most recent completed days, i.e. closes of days
 *    [day(asOf) − lookbackDays − 1 … day(asOf) − 1]: lookbackDays + 1 closes, lookbackDays returns.
 *  - Alignment: by timestamp. Only days on which BOTH symbols have a close are kept; a return runs from
 *    one common day to the next, so a gap in either series makes that return span the gap for both.
 *  - Returns: SIMPLE returns, close_t / close_{t−1} − 1 (the domain's other return series, e.g. the
 *    gate's daily equity returns, are simple too). r is Pearson's r of the two return series — never
 *    of the prices, whose shared trend alone makes almost any two symbols "correlate".
 *  - Minimum overlap: at least max(3, ⌈lookbackDays / 2⌉) common returns; fewer, or a flat series
 *    (no variance), and r is UNKNOWN for that pair.
 *  - Unknown is ALLOWED: a pair whose r cannot be computed (new listing, missing candles, flat prices)
 *    does not refuse an entry nor trip the trigger; the caller reports it (tokens around their unlocks are
 *    often young: refusing on missing history would refuse them all).
 *  - Limit: r strictly GREATER than `risk.maxCorrelation` breaches (a ceiling on a measurement, as in
 *    risk.ts): r = 0.7 with the default 0.7 passes. Signed: a strong NEGATIVE correlation is a hedge,
 *    not a concentration, and never breaches.
 *  - Pairs are of DISTINCT symbols: a second position in the same symbol is not a correlation question
 *    (r = 1 by definition); position size and exposure limits govern it.
 */
import type { StrategyConfig } from './config-types';
import type { DecimalString } from './types';
import type { RiskViolation, Trigger } from './risk';
import { d, toStr } from './money';
import { pearsonCorrelation } from './metrics';
import { formatFigure } from './format';

export const CORRELATION_DAY_MS = 86_400_000;

/** One completed UTC day of a symbol: its start `t` (epoch ms) and its close. */
export interface DailyClose {
  t: number;
  close: DecimalString;
}

export type ClosesBySymbol = Record<string, DailyClose[]>;

export type CorrelationCfg = Pick<StrategyConfig, 'risk'>;

/** The first day start of the window ending at `asOf` and the end (exclusive) of its last completed day. */
export function correlationWindow(asOf: number, lookbackDays: number): { from: number; until: number } {
  const until = Math.floor(asOf / CORRELATION_DAY_MS) * CORRELATION_DAY_MS;
  return { from: until - (lookbackDays + 1) * CORRELATION_DAY_MS, until };
}

/** The closes a decision at `asOf` may use: completed days inside the window, sorted by day, one per day. */
export function windowCloses(closes: readonly DailyClose[], asOf: number, lookbackDays: number): DailyClose[] {
  const w = correlationWindow(asOf, lookbackDays);
  const byDay = new Map<number, DailyClose>();
  for (const c of closes) if (c.t >= w.from && c.t + CORRELATION_DAY_MS <= w.until) byDay.set(c.t, c);
  return [...byDay.values()].sort((a, b) => a.t - b.t);
}

/** Simple returns of consecutive closes: c[i] / c[i−1] − 1. Null when a close is not positive. */
export function simpleReturns(closes: readonly DecimalString[]): DecimalString[] | null {
  const out: DecimalString[] = [];
  for (let i = 1; i < closes.length; i++) {
    const prev = d(closes[i - 1]!);
    if (prev.lte(0) || d(closes[i]!).lte(0)) return null;
    out.push(toStr(d(closes[i]!).div(prev).minus(1)));
  }
  return out;
}

/** Fewest common returns a pair needs for its r to count. */
export function minCorrelationReturns(lookbackDays: number): number {
  return Math.max(3, Math.ceil(lookbackDays / 2));
}

export type PairCorrelation =
  | { known: true; r: DecimalString; returns: number }
  | { known: false; reason: string; returns: number };

/** r of two symbols' daily returns over the window ending at `asOf` (the conventions above). */
export function pairCorrelation(a: readonly DailyClose[], b: readonly DailyClose[], asOf: number, lookbackDays: number): PairCorrelation {
  const bDays = new Map(windowCloses(b, asOf, lookbackDays).map((c) => [c.t, c.close]));
  const common = windowCloses(a, asOf, lookbackDays).filter((c) => bDays.has(c.t));
  const ra = simpleReturns(common.map((c) => c.close));
  const rb = simpleReturns(common.map((c) => bDays.get(c.t)!));
  const returns = Math.max(0, common.length - 1);
  if (!ra || !rb) return { known: false, reason: 'a close is not positive', returns };
  const need = minCorrelationReturns(lookbackDays);
  if (returns < need) return { known: false, reason: `${returns} common daily returns, needs ${need}`, returns };
  const r = pearsonCorrelation(ra, rb);
  if (r === null) return { known: false, reason: 'flat prices (no variance)', returns };
  return { known: true, r, returns };
}

export interface CorrelatedPair {
  a: string;
  b: string;
  r: DecimalString;
  returns: number;
}

export interface UnknownPair {
  a: string;
  b: string;
  reason: string;
}

export interface PairsVerdict {
  /** pairs with r > risk.maxCorrelation */
  breaches: CorrelatedPair[];
  /** pairs whose r could not be computed (allowed; reported) */
  unknown: UnknownPair[];
}

/** Each distinct pair once, in the given order ([a, b] with a before b; same symbols skipped). */
function pairsOf(symbols: readonly string[], against?: string): Array<[string, string]> {
  const uniq = [...new Set(symbols)];
  if (against !== undefined) return uniq.filter((s) => s !== against).map((s) => [against, s]);
  const out: Array<[string, string]> = [];
  for (let i = 0; i < uniq.length; i++) for (let j = i + 1; j < uniq.length; j++) out.push([uniq[i]!, uniq[j]!]);
  return out;
}

function judge(pairs: Array<[string, string]>, closes: ClosesBySymbol, asOf: number, cfg: CorrelationCfg): PairsVerdict {
  const out: PairsVerdict = { breaches: [], unknown: [] };
  for (const [a, b] of pairs) {
    const p = pairCorrelation(closes[a] ?? [], closes[b] ?? [], asOf, cfg.risk.correlationLookbackDays);
    if (!p.known) out.unknown.push({ a, b, reason: closes[a]?.length && closes[b]?.length ? p.reason : `no daily closes for ${closes[a]?.length ? b : a}` });
    else if (d(p.r).gt(d(cfg.risk.maxCorrelation))) out.breaches.push({ a, b, r: p.r, returns: p.returns });
  }
  return out;
}

/** r shown to a person: 4 significant digits (domain/format.ts owns how figures print). */
export const showR = (r: DecimalString): string => formatFigure(r, 4);

const describePair = (p: CorrelatedPair, cfg: CorrelationCfg) => `${p.a} and ${p.b} correlate at r = ${showR(p.r)} over ${p.returns} daily returns (> ${cfg.risk.maxCorrelation})`;

/** Pre-trade: the entry of `symbol` against every open position's symbol. One CORRELATION violation per breaching pair. */
export function entryCorrelation(symbol: string, openSymbols: readonly string[], closes: ClosesBySymbol, asOf: number, cfg: CorrelationCfg): { violations: RiskViolation[]; unknown: UnknownPair[] } {
  const v = judge(pairsOf(openSymbols, symbol), closes, asOf, cfg);
  return {
    violations: v.breaches.map((p) => ({ code: 'CORRELATION' as const, message: describePair(p, cfg), value: p.r, limit: cfg.risk.maxCorrelation })),
    unknown: v.unknown,
  };
}

/** Trigger: every pair of open positions' symbols whose r crossed the limit, the pair named. */
export function correlationTriggers(openSymbols: readonly string[], closes: ClosesBySymbol, asOf: number, cfg: CorrelationCfg): { triggers: Trigger[]; unknown: UnknownPair[] } {
  const v = judge(pairsOf(openSymbols), closes, asOf, cfg);
  return {
    triggers: v.breaches.map((p) => ({ code: 'CORRELATION' as const, message: `open positions ${describePair(p, cfg)}`, value: p.r, limit: cfg.risk.maxCorrelation })),
    unknown: v.unknown,
  };
}

/** True when a check can matter: at least one pair of distinct symbols, and a limit below 1 (r never exceeds 1). */
export function correlationCheckNeeded(symbols: readonly string[], cfg: CorrelationCfg): boolean {
  return new Set(symbols).size >= 2 && d(cfg.risk.maxCorrelation).lt(1);
}

/** One breaching pair of a batch of entries: `entering` against `other` (a book symbol or another entry of the batch). */
export interface EntryPairBreach {
  entering: string;
  other: string;
  violation: RiskViolation;
}

/**
 * Pre-trade for a batch of entries decided one after another (the strategy's batched decisions): every
 * pair of an entering symbol with each symbol of the book or of the batch, judged once. The decision of
 * each entry then keeps only the pairs with the symbols in the book at its turn (which holds the
 * entries approved before it), so it refuses exactly what entryCorrelation would have refused then.
 */
export function entryCorrelationPairs(
  entering: readonly string[],
  bookSymbols: readonly string[],
  closes: ClosesBySymbol,
  asOf: number,
  cfg: CorrelationCfg,
): { breaches: EntryPairBreach[]; unknown: UnknownPair[] } {
  const all = [...new Set([...bookSymbols, ...entering])];
  const out: { breaches: EntryPairBreach[]; unknown: UnknownPair[] } = { breaches: [], unknown: [] };
  for (const e of new Set(entering)) {
    const v = judge(pairsOf(all, e), closes, asOf, cfg);
    out.unknown.push(...v.unknown);
    for (const p of v.breaches) out.breaches.push({ entering: e, other: p.b, violation: { code: 'CORRELATION', message: describePair(p, cfg), value: p.r, limit: cfg.risk.maxCorrelation } });
  }
  return out;
}
