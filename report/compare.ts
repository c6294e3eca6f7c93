/**
 * `report compare`: two runs side by side, one row per unlock event either run saw (entered?, entry and
 * exit time and price, slippage, P&L, exit reason), every event where they differ named with WHY, and
 * the difference of the summary statistics (B − A). Pure: RunRecords in, a comparison out.
 *
 * The "why" is read from the records, not guessed from outside: an event one run did not enter carries
 * that run's reason codes; a fill price that differs names where each run's fills come from (a backtest
 * fills at the candle close through the paper fill model, a paper run against the live order book, a live
 * run on the exchange); an entry at a different time explains a different price; a different exit reason
 * means the price path crossed a different level first.
 */
import type { RunKind, RunRecord, RunTrade } from '../domain/run-record';
import { computePerformance, type Performance } from '../domain/performance';
import { d } from '../domain/money';

export interface EventSide {
  seen: boolean;
  entered: boolean;
  reasons: string[];
  trade: Pick<RunTrade, 'openedAt' | 'closedAt' | 'entryPrice' | 'exitPrice' | 'quantity' | 'slippage' | 'fees' | 'pnl' | 'exitReason'> | null;
}

export type DiffField = 'seen' | 'entered' | 'entryTime' | 'entryPrice' | 'quantity' | 'exitTime' | 'exitPrice' | 'exitReason' | 'slippage' | 'pnl';

export interface EventDifference {
  field: DiffField;
  a: string;
  b: string;
  why: string;
}

export interface EventComparison {
  eventId: string;
  symbol: string;
  unlockAt: number;
  a: EventSide;
  b: EventSide;
  differences: EventDifference[];
}

export interface SummaryDifference {
  statistic: string;
  a: number | null;
  b: number | null;
  /** b − a; null when either is undefined */
  diff: number | null;
}

export interface RunComparison {
  a: { id: string; kind: RunKind };
  b: { id: string; kind: RunKind };
  tolerance: CompareTolerance;
  events: EventComparison[];
  /** the events with at least one difference, in unlock order */
  differing: EventComparison[];
  summary: SummaryDifference[];
}

export const FILL_SOURCE: Record<RunKind, string> = {
  backtest: 'candle close through the paper fill model',
  paper: 'live order book through the paper fill model',
  live: 'exchange fills',
};

/**
 * When two figures count as equal. A paper or live workflow acts when its workflow task runs, a few
 * hundred milliseconds after the timer fired; a backtest's clock is snapped to the timer's instant
 * (backtest/clock.ts). Those milliseconds move the entry and exit times, and the prices only in their
 * last digits: not a difference a trader acts on, so by default times within 1 s and prices within a
 * millionth count as equal. P&L and slippage are amounts of money that may be near zero, so they are
 * compared relative to the position's entry notional (quantity × entry price), not to themselves.
 */
export interface CompareTolerance {
  /** relative tolerance for prices and quantities, and for money amounts relative to the entry notional */
  rel: number;
  /** entry / exit times closer than this count as the same instant */
  timeMs: number;
}
export const DEFAULT_TOLERANCE: CompareTolerance = { rel: 1e-6, timeMs: 1000 };

const iso = (ms: number) => new Date(ms).toISOString();
const sameNumber = (x: string, y: string, rel: number) => {
  const a = d(x);
  const b = d(y);
  return a.minus(b).abs().lte(a.abs().plus(b.abs()).div(2).times(rel));
};
/** money amounts: equal when within `rel` of the larger entry notional */
const sameAmount = (x: string, y: string, notional: ReturnType<typeof d>, rel: number) => d(x).minus(d(y)).abs().lte(notional.times(rel));

function sideOf(record: RunRecord, eventId: string): EventSide {
  const ev = record.events.find((e) => e.eventId === eventId);
  const t = record.trades.find((x) => x.eventId === eventId) ?? null;
  const trade = t && { openedAt: t.openedAt, closedAt: t.closedAt, entryPrice: t.entryPrice, exitPrice: t.exitPrice, quantity: t.quantity, slippage: t.slippage, fees: t.fees, pnl: t.pnl, exitReason: t.exitReason };
  return { seen: Boolean(ev || t), entered: Boolean(t) || Boolean(ev?.entered), reasons: ev?.reasons ?? [], trade };
}

function differencesOf(a: EventSide, b: EventSide, ka: RunKind, kb: RunKind, tol: CompareTolerance): EventDifference[] {
  const rel = tol.rel;
  const out: EventDifference[] = [];
  if (a.seen !== b.seen) {
    const only = a.seen ? 'A' : 'B';
    return [{ field: 'seen', a: String(a.seen), b: String(b.seen), why: `seen by run ${only} only: the other run's calendar or period did not include this event` }];
  }
  if (a.entered !== b.entered) {
    const [inRun, outRun, outSide] = a.entered ? ['A', 'B', b] : ['B', 'A', a];
    const reasons = outSide.reasons.length ? `reason ${outSide.reasons.join(', ')}` : 'no reason code recorded';
    return [{ field: 'entered', a: String(a.entered), b: String(b.entered), why: `entered in run ${inRun} only; run ${outRun} did not enter: ${reasons}` }];
  }
  if (!a.trade || !b.trade) {
    if (a.trade || b.trade) out.push({ field: 'entered', a: a.trade ? 'closed' : 'open', b: b.trade ? 'closed' : 'open', why: `closed in run ${a.trade ? 'A' : 'B'} only: the other run's position was still open at the end of its run` });
    return out;
  }
  const ta = a.trade;
  const tb = b.trade;
  const [na, nb] = [ta, tb].map((t) => d(t.quantity).times(d(t.entryPrice)).abs()) as [ReturnType<typeof d>, ReturnType<typeof d>];
  const notional = na.gt(nb) ? na : nb;
  const shift = (x: number) => (Math.abs(x) < tol.timeMs ? 0 : x);
  const entryShift = shift(tb.openedAt - ta.openedAt);
  if (entryShift !== 0) out.push({ field: 'entryTime', a: iso(ta.openedAt), b: iso(tb.openedAt), why: `entered ${fmtShift(entryShift)} ${entryShift > 0 ? 'later' : 'earlier'} in B: the entry decision ran at a different point of the entry window (scan timing / clock)` });
  if (!sameNumber(ta.entryPrice, tb.entryPrice, rel)) out.push({ field: 'entryPrice', a: ta.entryPrice, b: tb.entryPrice, why: priceWhy('entry', ka, kb, entryShift !== 0) });
  if (!sameNumber(ta.quantity, tb.quantity, rel)) out.push({ field: 'quantity', a: ta.quantity, b: tb.quantity, why: 'size differs: the entry price or the equity at entry (earlier trades) differed, so sizing gave another quantity' });
  if (ta.exitReason !== tb.exitReason) out.push({ field: 'exitReason', a: ta.exitReason, b: tb.exitReason, why: `exit reason differs: the price path crossed a different level first (${ka === 'backtest' || kb === 'backtest' ? 'candle high/low in the backtest vs ticks in the other run' : 'different price paths'})` });
  const exitShift = shift(tb.closedAt - ta.closedAt);
  if (exitShift !== 0) out.push({ field: 'exitTime', a: iso(ta.closedAt), b: iso(tb.closedAt), why: ta.exitReason !== tb.exitReason ? 'follows from the different exit reason' : `exited ${fmtShift(exitShift)} ${exitShift > 0 ? 'later' : 'earlier'} in B for the same reason: the level was seen at a different check (price check interval / candle resolution)` });
  if (!sameNumber(ta.exitPrice, tb.exitPrice, rel)) out.push({ field: 'exitPrice', a: ta.exitPrice, b: tb.exitPrice, why: priceWhy('exit', ka, kb, exitShift !== 0 || ta.exitReason !== tb.exitReason) });
  if (!sameAmount(ta.slippage, tb.slippage, notional, rel)) out.push({ field: 'slippage', a: ta.slippage, b: tb.slippage, why: slippageWhy(ka, kb) });
  if (!sameAmount(ta.pnl, tb.pnl, notional, rel)) out.push({ field: 'pnl', a: ta.pnl, b: tb.pnl, why: `P&L differs by ${d(tb.pnl).minus(d(ta.pnl)).toFixed()} (B − A): follows from the ${out.map((x) => x.field).join(', ') || 'fees'} difference(s) above` });
  return out;
}

/** How each kind of run measures slippage (report/load-strategy-run.ts, backtest/valuation.ts). */
export const SLIPPAGE_BASIS: Record<RunKind, string> = {
  backtest: "fill vs the touch (ask / bid) at the fill instant",
  paper: "fill vs the order's signal price",
  live: "fill vs the order's signal price",
};

function slippageWhy(ka: RunKind, kb: RunKind): string {
  if (SLIPPAGE_BASIS[ka] !== SLIPPAGE_BASIS[kb]) return `slippage is measured differently: A ${SLIPPAGE_BASIS[ka]}, B ${SLIPPAGE_BASIS[kb]}`;
  return 'slippage differs: the fill model saw a different spread / volume / book at the fills';
}

function priceWhy(leg: 'entry' | 'exit', ka: RunKind, kb: RunKind, timeDiffers: boolean): string {
  const source = ka === kb ? `both runs fill from ${FILL_SOURCE[ka]}` : `fill source: A ${FILL_SOURCE[ka]} vs B ${FILL_SOURCE[kb]}`;
  return `${leg} fill price differs: ${source}${timeDiffers ? `; and the ${leg} happened at a different time` : ''}`;
}

function fmtShift(ms: number): string {
  const m = Math.round(Math.abs(ms) / 60_000);
  return m >= 120 ? `${(m / 60).toFixed(1)} h` : m >= 1 ? `${m} min` : `${Math.abs(ms)} ms`;
}

const SUMMARY: [string, (p: Performance) => number | null][] = [
  ['total return', (p) => p.totalReturn],
  ['CAGR', (p) => p.cagr],
  ['Sharpe (daily, ×√365)', (p) => p.sharpe],
  ['Sortino (daily, ×√365)', (p) => p.sortino],
  ['max drawdown', (p) => p.drawdown.maxDrawdown],
  ['Calmar', (p) => p.calmar],
  ['trades', (p) => p.perTrade.tradeCount],
  ['win rate (per trade)', (p) => p.perTrade.winRate],
  ['profit factor (per trade)', (p) => p.perTrade.profitFactor],
  ['net P&L', (p) => Number(p.perTrade.totalPnl)],
  ['fees paid', (p) => Number(p.perTrade.fees)],
  ['slippage paid', (p) => Number(p.perTrade.slippage)],
  ['exposure time', (p) => p.exposureTime],
];

/** Compare run A with run B; `tolerance` decides when two times / prices / amounts count as equal. */
export function compareRuns(a: RunRecord, b: RunRecord, tolerance: CompareTolerance = DEFAULT_TOLERANCE): RunComparison {
  const meta = new Map<string, { symbol: string; unlockAt: number }>();
  for (const r of [a, b]) {
    for (const e of r.events) if (!meta.has(e.eventId)) meta.set(e.eventId, { symbol: e.symbol, unlockAt: e.unlockAt });
    for (const t of r.trades) if (!meta.has(t.eventId)) meta.set(t.eventId, { symbol: t.symbol, unlockAt: t.openedAt });
  }
  const events = [...meta.entries()]
    .sort(([ia, ma], [ib, mb]) => ma.unlockAt - mb.unlockAt || ia.localeCompare(ib))
    .map(([eventId, m]) => {
      const sa = sideOf(a, eventId);
      const sb = sideOf(b, eventId);
      return { eventId, symbol: m.symbol, unlockAt: m.unlockAt, a: sa, b: sb, differences: differencesOf(sa, sb, a.kind, b.kind, tolerance) };
    });
  const pa = computePerformance(a);
  const pb = computePerformance(b);
  const summary = SUMMARY.map(([statistic, f]) => {
    const va = f(pa);
    const vb = f(pb);
    return { statistic, a: va, b: vb, diff: va === null || vb === null ? null : vb - va };
  });
  return { a: { id: a.id, kind: a.kind }, b: { id: b.id, kind: b.kind }, tolerance, events, differing: events.filter((e) => e.differences.length > 0), summary };
}
