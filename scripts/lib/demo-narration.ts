/**
 * What the main job tells the trader: the demo strategy's own story, one line per event — mode changes,
 * positions opened and closed with their P&L, and its warnings and worse. Nothing else: the worker's log
 * records go to a file (scripts/lib/demo-child.ts), and other strategies sharing the database and the
 * worker (a strategy started with the CLI) are not the demo's (issue 17, defect 12: their alerts and the
 * worker's multi-line INFO records used to be mixed into the trader's lines).
 *
 * Pure: it gets what the job read (the workflow's queries, the database rows) and returns the new
 * lines; it remembers what it already said, so a poll every 2 s repeats nothing.
 */
import { knownStep, knownTick } from '../../exchange/market-data/markets';
import { formatPrice, formatQty, formatSignedMoney } from '../../domain/format';
import type { OpenPositionInfo, StrategyStatus } from '../../workflows/strategy/api';

export interface ClosedPositionRow {
  id: string;
  strategyId: string;
  symbol: string;
  status: string;
  exitReason: string | null;
  realizedPnl: { toString(): string } | null;
  entryPrice: { toString(): string } | null;
  exitPrice: { toString(): string } | null;
  /** when it closed: the next read starts from the latest one seen (closedSince) */
  closedAt?: Date | null;
}

export interface AlertRow {
  id: string;
  strategyId: string | null;
  severity: string;
  kind: string;
  message: string;
}

export interface NarrationInput {
  /** the strategy workflow's status query (undefined: it did not answer this time) */
  status?: Pick<StrategyStatus, 'strategyId' | 'mode' | 'state' | 'gate'>;
  /** its openPositions query */
  open?: OpenPositionInfo[];
  closed?: ClosedPositionRow[];
  alerts?: AlertRow[];
}

/** alerts below this are the worker's business (its log file), not the trader's */
const NARRATED_SEVERITIES = new Set(['warning', 'error', 'critical']);

/** a price to read at the symbol's tick, not a 40-digit average fill (domain/format.ts owns how) */
const price = (x: { toString(): string } | null | undefined, symbol: string) => formatPrice(x?.toString(), knownTick(symbol));

/**
 * The next read of closed positions starts this long before the latest closedAt seen: a row stamped a
 * little earlier but committed after the last read (another worker, a slow transaction) is still read;
 * rows read twice are said once (seenClosed).
 */
export const CLOSED_READ_OVERLAP_MS = 60_000;

/** one line, whatever the source put in it */
const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

export class DemoNarration {
  private lastMode = '';
  private readonly seenOpen = new Set<string>();
  private readonly seenClosed = new Set<string>();
  private readonly seenAlerts = new Set<string>();
  private latestClosedAt?: number;

  constructor(readonly strategyId: string) {}

  /** the positions to read on the next tick: closed since this (undefined: all of them, the first time) */
  closedSince(): Date | undefined {
    return this.latestClosedAt === undefined ? undefined : new Date(this.latestClosedAt - CLOSED_READ_OVERLAP_MS);
  }

  /** the new lines about this strategy since the last call */
  next(input: NarrationInput): string[] {
    const lines: string[] = [];
    const s = input.status;
    if (s && s.strategyId === this.strategyId) {
      // the gate passing in PAPER is news too, before any mode change
      const mode = `${s.mode} (${s.state})${s.gate.awaitingApproval ? ' — gate passed, awaiting approval' : ''}`;
      if (mode !== this.lastMode) lines.push(`mode ${mode}`);
      this.lastMode = mode;
    }
    for (const p of input.open ?? []) {
      if (p.status !== 'OPEN' || this.seenOpen.has(p.positionId)) continue;
      this.seenOpen.add(p.positionId);
      lines.push(`opened ${p.symbol}: ${formatQty(p.quantity, knownStep(p.symbol))} @ ${price(p.entryPrice, p.symbol)} (${p.positionId})`);
    }
    for (const p of input.closed ?? []) {
      if (p.closedAt && p.strategyId === this.strategyId) this.latestClosedAt = Math.max(this.latestClosedAt ?? -Infinity, p.closedAt.getTime());
      if (p.strategyId !== this.strategyId || this.seenClosed.has(p.id)) continue;
      this.seenClosed.add(p.id);
      if (p.status === 'CLOSED') lines.push(`closed ${p.symbol} ${p.exitReason}: P&L ${formatSignedMoney(p.realizedPnl?.toString() ?? '0')} USDT (entry ${price(p.entryPrice, p.symbol)}, exit ${price(p.exitPrice, p.symbol)})`);
      else lines.push(`${p.status.toLowerCase()} ${p.symbol}: ${p.exitReason}`);
    }
    for (const a of input.alerts ?? []) {
      if (a.strategyId !== this.strategyId || !NARRATED_SEVERITIES.has(a.severity) || this.seenAlerts.has(a.id)) continue;
      this.seenAlerts.add(a.id);
      lines.push(`${a.severity}: ${a.kind}: ${oneLine(a.message)}`);
    }
    return lines;
  }
}
