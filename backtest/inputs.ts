/**
 * Everything a backtest reads, validated before anything starts: the strategy config, the unlock
 * calendar, the candles and the period. Each problem is one line (BacktestInputError); nothing is
 * started or written until all of them pass.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { StrategyConfig } from '../domain/config-types';
import type { UnlockEvent } from '../domain/types';
import { entryWindow } from '../domain/unlock-playbook';
import { BacktestInputError, type CandleSet } from './candles';

export interface BacktestInputs {
  config: StrategyConfig;
  /** the calendar events inside the run (entry window opens at or after `from`, unlock before `to`) */
  events: UnlockEvent[];
  /** calendar events left out because they fall outside the period */
  outsidePeriod: number;
  candles: CandleSet;
  from: number;
  to: number;
  dataFingerprint: string;
}

/** `2025-01-01`, `2025-01-01T12:00:00Z` (a zone is required with a time) → epoch ms. */
export function parseDateOption(flag: string, value: string): number {
  const v = value.trim();
  const ok = /^\d{4}-\d{2}-\d{2}$/.test(v) || /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})$/.test(v);
  const t = ok ? Date.parse(/T/.test(v) ? v : `${v}T00:00:00Z`) : NaN;
  if (!Number.isFinite(t)) throw new BacktestInputError(`${flag} must be a date YYYY-MM-DD or an ISO 8601 time with a zone, got "${value}"`);
  return t;
}

const iso = (t: number) => new Date(t).toISOString().replace(':00.000Z', 'Z');

/** sha256 over the calendar file and every candle file (name and bytes), in a stable order. */
export function fingerprintFiles(calendarFile: string, candleFiles: readonly string[]): string {
  const h = createHash('sha256');
  for (const f of [calendarFile, ...candleFiles]) h.update(basename(f)).update('\0').update(readFileSync(f)).update('\0');
  return h.digest('hex');
}

export function prepareBacktest(o: {
  config: StrategyConfig;
  calendar: UnlockEvent[];
  candles: CandleSet;
  from?: number;
  to?: number;
  dataFingerprint: string;
}): BacktestInputs {
  const { config, candles } = o;
  if (config.exchange.session) throw new BacktestInputError('the config has exchange.session (trading hours): backtests replay 24/7 candles, remove it');
  let first = Infinity;
  let last = -Infinity;
  for (const cs of candles.bySymbol.values()) {
    first = Math.min(first, cs[0]!.timestamp);
    last = Math.max(last, cs[cs.length - 1]!.timestamp);
  }
  const from = o.from ?? first;
  const to = o.to ?? last;
  if (!(to > from)) throw new BacktestInputError(`--to (${iso(to)}) must be after --from (${iso(from)})`);
  const c = config.tokenUnlock;
  const inside = o.calendar.filter((e) => entryWindow(e, c).opensAt >= from && e.unlockAt < to);
  if (!inside.length) throw new BacktestInputError(`no unlock event of the calendar has its entry window inside ${iso(from)} .. ${iso(to)}`);
  for (const e of inside) {
    const cs = candles.bySymbol.get(e.symbol);
    const w = entryWindow(e, c);
    const need = [w.opensAt, Math.min(e.unlockAt + c.exitAfterUnlock, to)] as const;
    const what = `event ${e.id} (${e.symbol}, unlock ${iso(e.unlockAt)})`;
    if (!cs) throw new BacktestInputError(`${what}: no ${e.symbol} candles in --ohlcv (have ${[...candles.bySymbol.keys()].join(', ')})`);
    const interval = cs.length > 1 ? cs[1]!.timestamp - cs[0]!.timestamp : 0;
    if (cs[0]!.timestamp > need[0] || cs[cs.length - 1]!.timestamp + interval < need[1]) {
      throw new BacktestInputError(
        `${what}: no ${e.symbol} candles over its window ${iso(need[0])} .. ${iso(need[1])} (candles cover ${iso(cs[0]!.timestamp)} .. ${iso(cs[cs.length - 1]!.timestamp)})`,
      );
    }
  }
  return { config, events: inside, outsidePeriod: o.calendar.length - inside.length, candles, from, to, dataFingerprint: o.dataFingerprint };
}
