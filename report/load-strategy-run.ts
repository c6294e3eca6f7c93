/**
 * A paper / live strategy as a RunRecord, from the app DATABASE only (works for a stopped strategy and
 * with no Temporal server): the Strategy row, its positions (closed → trades, open → marked lots,
 * skipped / failed → events not entered), its orders (slippage), its trading signals (events and their
 * reason codes), its mode changes (mode history), the gate recomputed with the domain gate.
 *
 * Daily equity (domain/daily-equity.ts): closed trades by UTC day plus open positions valued at the
 * day's close when `closeOf` knows it. The app DB stores no candles, so without `closeOf` (the CLI today)
 * an open position is valued at its entry price (unrealized P&L 0) and buy-and-hold has no data;
 * the record says which in `config.markSource` (the report shows it).
 */
import { closedTradeOf } from '../read-models/closed-trades';
import type { Db } from '../db/client';
import { countExitReasons, type RunEvent, type RunRecord, type RunTrade, type ModeSpan } from '../domain/run-record';
import type { TradingMode } from '../domain/types';
import { dailyEquity, type OpenLot } from '../domain/daily-equity';
import { evaluateLiveStepGate, evaluatePaperGate } from '../domain/gate';
import { d, toStr, ZERO } from '../domain/money';
import { parseStrategyConfig } from '../config/strategy-config';
import type { StrategyConfig } from '../domain/config-types';

export class RunNotFoundError extends Error {
  override name = 'RunNotFoundError';
}

export interface StrategyRunOptions {
  /** the end of the run for a strategy still running (default: now) */
  now?: number;
  /** a symbol's close on a UTC day, when candle data is at hand */
  closeOf?: (symbol: string, date: string) => string | undefined;
}

interface OrderRow {
  positionId: string | null;
  side: string;
  filledAmount: { toString(): string };
  avgPrice: { toString(): string } | null;
  signalPrice: { toString(): string } | null;
}

/** Quote currency paid to slippage by a position's fills: (fill − signal) × qty for buys, mirrored for sells. */
export function slippagePaid(orders: readonly OrderRow[]): string {
  let paid = ZERO;
  for (const o of orders) {
    if (!o.avgPrice || !o.signalPrice) continue;
    const diff = d(o.avgPrice.toString()).minus(d(o.signalPrice.toString())).times(d(o.filledAmount.toString()));
    paid = paid.plus(o.side === 'buy' ? diff : diff.neg());
  }
  return toStr(paid);
}

function codesOf(reasonsJson: string | null): string[] {
  if (!reasonsJson) return [];
  try {
    const parsed = JSON.parse(reasonsJson) as unknown;
    return Array.isArray(parsed) ? parsed.map((r) => (typeof r === 'object' && r && 'code' in r ? String((r as { code: unknown }).code) : String(r))) : [];
  } catch {
    return ['UNREADABLE_REASONS'];
  }
}

function configOf(json: string): StrategyConfig | null {
  try {
    return parseStrategyConfig(JSON.parse(json));
  } catch {
    return null;
  }
}

export async function loadStrategyRun(db: Db, strategyId: string, opts: StrategyRunOptions = {}): Promise<RunRecord> {
  const strategy = await db.strategy.findUnique({ where: { id: strategyId } });
  if (!strategy) throw new RunNotFoundError(`no strategy "${strategyId}" in the database`);
  const [positions, orders, signals, modeChanges] = await Promise.all([
    db.position.findMany({ where: { strategyId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }),
    db.order.findMany({ where: { strategyId }, orderBy: { createdAt: 'asc' } }),
    db.tradingSignal.findMany({ where: { strategyId }, orderBy: { createdAt: 'asc' } }),
    db.modeChange.findMany({ where: { strategyId }, orderBy: { at: 'asc' } }),
  ]);
  const eventIds = [...new Set([...positions.map((p) => p.eventId), ...signals.map((s) => s.eventId)])];
  const unlocks = await db.unlockEvent.findMany({ where: { id: { in: eventIds } } });
  const unlockAt = new Map(unlocks.map((u) => [u.id, u.unlockAt.getTime()]));
  const config = configOf(strategy.configJson);
  const recordedFrom = strategy.createdAt.getTime();
  const recordedTo = strategy.state === 'STOPPED' ? strategy.updatedAt.getTime() : (opts.now ?? Date.now());

  const ordersOf = new Map<string, typeof orders>();
  for (const o of orders) if (o.positionId) ordersOf.set(o.positionId, [...(ordersOf.get(o.positionId) ?? []), o]);
  const trades: RunTrade[] = positions
    .filter((p) => p.status === 'CLOSED' && p.entryPrice && p.exitPrice && p.realizedPnl)
    .map((p) => ({ ...closedTradeOf(p), eventId: p.eventId, slippage: slippagePaid(ordersOf.get(p.id) ?? []) }))
    .sort((a, b) => a.closedAt - b.closedAt || a.positionId.localeCompare(b.positionId));
  // The rows' timestamps are the database's clock, the positions' times the workflow's: they agree in
  // production, but a run on a time-skipping server (tests) trades in its own future, so the period
  // is widened to cover every recorded trade.
  const from = Math.min(recordedFrom, ...trades.map((t) => t.openedAt));
  const to = Math.max(recordedTo, ...trades.map((t) => t.closedAt));
  const open: OpenLot[] = positions
    .filter((p) => (p.status === 'OPEN' || p.status === 'EXITING') && p.entryPrice)
    .map((p) => ({ symbol: p.symbol, openedAt: (p.openedAt ?? p.createdAt).getTime(), entryPrice: p.entryPrice!.toString(), quantity: p.quantity.toString(), entryFee: p.entryFee.toString() }));

  const events: RunEvent[] = eventIds.map((eventId) => {
    const pos = positions.find((p) => p.eventId === eventId);
    const sigs = signals.filter((s) => s.eventId === eventId);
    const entered = Boolean(pos && pos.status !== 'SKIPPED' && pos.status !== 'FAILED' && pos.entryPrice);
    const reasons = entered ? [] : [...new Set([...sigs.flatMap((s) => codesOf(s.reasonsJson)), ...(pos?.status === 'FAILED' ? ['ENTRY_FAILED'] : []), ...(pos?.status === 'SKIPPED' ? ['SKIPPED'] : [])])];
    const symbol = pos?.symbol ?? sigs[0]!.symbol;
    return { eventId, symbol, unlockAt: unlockAt.get(eventId) ?? (pos?.createdAt ?? sigs[0]!.createdAt).getTime(), entered, reasons, ...(pos ? { positionId: pos.id } : {}) };
  });

  const closeOf = opts.closeOf;
  const points = dailyEquity({ initialCapital: strategy.initialCapital.toString(), closed: trades, open, from, to, closeOf });
  const symbols = [...new Set(trades.map((t) => t.symbol).concat(open.map((o) => o.symbol)))].sort();
  const benchmarkCloses: RunRecord['benchmarkCloses'] = {};
  if (closeOf) for (const s of symbols) benchmarkCloses[s] = Object.fromEntries(points.flatMap((p) => (closeOf(s, p.date) === undefined ? [] : [[p.date, closeOf(s, p.date)!]])));

  const modeHistory: ModeSpan[] = [{ mode: 'PAPER', since: from }, ...modeChanges.map((m) => ({ mode: m.toMode as TradingMode, since: m.at.getTime(), by: m.reason }))];
  const phaseStartedAt = modeHistory[modeHistory.length - 1]!.since;
  const mode = strategy.mode as TradingMode;
  const gate = !config
    ? undefined
    : mode === 'PAPER'
      ? { recomputedFromDatabase: true, basis: config.gate.basis, evaluatedAt: to, result: evaluatePaperGate({ trades, startedAt: phaseStartedAt, now: to, initialCapital: strategy.initialCapital.toString(), gate: config.gate, basis: config.gate.basis }) }
      : mode === 'EMERGENCY_STOP'
        ? undefined
        : { recomputedFromDatabase: true, basis: 'live step: net P&L', evaluatedAt: to, result: evaluateLiveStepGate({ trades, stepStartedAt: phaseStartedAt, now: to, gate: config.gate }) };

  return {
    id: strategyId,
    kind: mode === 'PAPER' ? 'paper' : 'live',
    strategyId,
    config: { ...(config ?? JSON.parse(strategy.configJson)), markSource: closeOf ? 'daily candle close' : 'entry price (no candle data in the app database)' },
    initialCapital: strategy.initialCapital.toString(),
    quoteCurrency: config?.exchange.quoteCurrency ?? 'USDT',
    from,
    to,
    trades,
    events: events.sort((a, b) => a.unlockAt - b.unlockAt || a.eventId.localeCompare(b.eventId)),
    dailyEquity: points,
    benchmarkCloses,
    modeHistory,
    gate,
    exitReasons: countExitReasons(trades),
  };
}
