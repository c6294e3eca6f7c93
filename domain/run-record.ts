/**
 * One record of a finished (or running) run of the strategy, whatever its clock and broker: a
 * backtest on the time-skipping server, a paper strategy, a live strategy. The report (HTML, JSON,
 * CSV) and `report compare` read only this shape, so one report serves every kind of run.
 * JSON-safe: money as decimal strings, times as epoch ms.
 */
import type { ClosedTrade, DecimalString, ExitReason, TradingMode } from './types';

export type RunKind = 'backtest' | 'paper' | 'live';

/** A trade as the report shows it: the closed trade plus what execution cost. */
export interface RunTrade extends ClosedTrade {
  eventId: string;
  /** entry + exit slippage in quote currency (positive = paid) */
  slippage: DecimalString;
}

/** What happened to one unlock event the strategy saw. */
export interface RunEvent {
  eventId: string;
  symbol: string;
  unlockAt: number;
  entered: boolean;
  /** rejection / skip reason codes when not entered (e.g. LOW_VOLUME, EXPOSURE_CAP) */
  reasons: string[];
  /** the position's id when one was started */
  positionId?: string;
}

/** Mark-to-market equity at the close of one UTC day (open positions valued at that day's close). */
export interface EquityPoint {
  /** YYYY-MM-DD (UTC) */
  date: string;
  equity: DecimalString;
}

export interface ModeSpan {
  mode: TradingMode;
  since: number;
  by?: string;
}

export interface RunRecord {
  /** `backtest:<runId>` or the strategy id */
  id: string;
  kind: RunKind;
  strategyId: string;
  /** the normalized strategy config the run used */
  config: unknown;
  initialCapital: DecimalString;
  quoteCurrency: string;
  from: number;
  to: number;
  /** sha256 of the data the run read (backtest: calendar + candles); absent for paper/live */
  dataFingerprint?: string;
  trades: RunTrade[];
  events: RunEvent[];
  dailyEquity: EquityPoint[];
  /** daily close of each traded symbol (for buy-and-hold), YYYY-MM-DD → price */
  benchmarkCloses: Record<string, Record<string, DecimalString>>;
  /** paper / live only */
  modeHistory?: ModeSpan[];
  gate?: unknown;
  exitReasons?: Partial<Record<ExitReason, number>>;
}

/** How many trades ended for each exit reason (in the order the reasons first occur). */
export function countExitReasons(trades: readonly Pick<RunTrade, 'exitReason'>[]): Partial<Record<ExitReason, number>> {
  const out: Partial<Record<ExitReason, number>> = {};
  for (const t of trades) out[t.exitReason] = (out[t.exitReason] ?? 0) + 1;
  return out;
}
