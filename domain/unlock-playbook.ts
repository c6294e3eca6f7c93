/**
 * Token-unlock front-running (Phase 2 report): buy ~24 h before a large token unlock, exit on a
 * -3 % stop, a +5 % target or 48 h after the unlock. Long only. Every threshold comes from
 * `StrategyConfig.tokenUnlock`; the defaults there are the report's numbers.
 *
 * Entry filters (all strict, as in the report):
 *   unlockPct > minUnlockPct (5), volume24h > minVolume24hUsd (1 000 000), change7d > minChange7dPct (-20),
 *   unlock not yet passed, and now inside [unlock - entryLead - entryTolerance, unlock - entryLead + entryTolerance].
 */
import type { StrategyConfig } from './config-types';
import type { EntryWindow, ExitLevels, ExitSignal, MarketSnapshot, Rejection, UnlockEvent } from './types';
import { clampDec, d, D, isDecimal, minDec, toStr } from './money';

export type TokenUnlockConfig = StrategyConfig['tokenUnlock'];
/** Functions that only need the tokenUnlock block accept either it or the whole strategy config. */
export type TokenUnlockConfigLike = TokenUnlockConfig | Pick<StrategyConfig, 'tokenUnlock'>;

export function tokenUnlockCfg(cfg: TokenUnlockConfigLike): TokenUnlockConfig {
  return 'tokenUnlock' in cfg ? cfg.tokenUnlock : cfg;
}

const HOUR_MS = 3_600_000;

/** Problems with the event itself (bad numbers), or [] when it is usable. */
export function validateEvent(event: UnlockEvent): Rejection[] {
  const out: Rejection[] = [];
  if (!isDecimal(event.unlockAmount) || d(event.unlockAmount).lt(0))
    out.push({ code: 'INVALID_EVENT', message: `unlockAmount must be a non-negative decimal, got ${event.unlockAmount}` });
  if (!isDecimal(event.circulatingSupply) || d(event.circulatingSupply).lte(0))
    out.push({ code: 'INVALID_EVENT', message: `circulatingSupply must be > 0, got ${event.circulatingSupply}` });
  if (!Number.isFinite(event.unlockAt)) out.push({ code: 'INVALID_EVENT', message: `unlockAt must be epoch ms, got ${event.unlockAt}` });
  return out;
}

/** unlockAmount / circulatingSupply * 100. Throws on an invalid event (see validateEvent). */
export function unlockPct(event: UnlockEvent): string {
  const bad = validateEvent(event);
  if (bad.length) throw new Error(bad.map((r) => r.message).join('; '));
  return toStr(d(event.unlockAmount).div(d(event.circulatingSupply)).times(100));
}

/** targetAt = unlockAt - entryLead; the window is targetAt ± entryTolerance (inclusive). */
export function entryWindow(event: UnlockEvent, cfg: TokenUnlockConfigLike): EntryWindow {
  const c = tokenUnlockCfg(cfg);
  const targetAt = event.unlockAt - c.entryLead;
  return { opensAt: targetAt - c.entryTolerance, targetAt, closesAt: targetAt + c.entryTolerance };
}

/**
 * strength = 0.5 + min(unlockPct/20, 1)·0.3 + (1 − |timingDeviationHours|/12)·0.2, clamped to [0.5, 1].
 * timingDeviationHours = |now − targetAt| in hours (its sign is ignored).
 */
export function signalStrength(unlockPctValue: string, timingDeviationHours: string): string {
  const size = minDec(d(unlockPctValue).div(20), d(1)).times('0.3');
  const timing = d(1).minus(d(timingDeviationHours).abs().div(12)).times('0.2');
  return toStr(clampDec(d('0.5').plus(size).plus(timing), d('0.5'), d(1)));
}

/** Hours between now and the window target, as a decimal string (always >= 0). */
export function timingDeviationHours(event: UnlockEvent, cfg: TokenUnlockConfigLike, now: number): string {
  return toStr(new D(Math.abs(now - entryWindow(event, cfg).targetAt)).div(HOUR_MS));
}

export type UnlockCalendarVerdict =
  | { ok: true; unlockPct: string; window: EntryWindow }
  | { ok: false; reasons: Rejection[]; unlockPct?: string; window?: EntryWindow };

/**
 * The cheap pre-filter a calendar scan applies without market data: the unlock is big enough and
 * its entry window has not closed yet (an event whose window is still in the future qualifies: the
 * caller sleeps until `window.opensAt`).
 */
export function qualifiesForCalendar(event: UnlockEvent, cfg: TokenUnlockConfigLike, now: number): UnlockCalendarVerdict {
  const bad = validateEvent(event);
  if (bad.length) return { ok: false, reasons: bad };
  const c = tokenUnlockCfg(cfg);
  const pct = unlockPct(event);
  const window = entryWindow(event, c);
  const reasons: Rejection[] = [];
  if (!d(pct).gt(d(c.minUnlockPct)))
    reasons.push({
      code: 'UNLOCK_TOO_SMALL',
      message: `unlock is ${pct}% of circulating supply, needs > ${c.minUnlockPct}%`,
      value: pct,
      limit: c.minUnlockPct,
    });
  if (now >= event.unlockAt)
    reasons.push({ code: 'UNLOCK_PASSED', message: `unlock at ${event.unlockAt} has passed (now ${now})`, value: String(now), limit: String(event.unlockAt) });
  else if (now > window.closesAt)
    reasons.push({
      code: 'ENTRY_WINDOW_PASSED',
      message: `entry window closed at ${window.closesAt} (now ${now})`,
      value: String(now),
      limit: String(window.closesAt),
    });
  return reasons.length ? { ok: false, reasons, unlockPct: pct, window } : { ok: true, unlockPct: pct, window };
}

export interface UnlockEntryInput {
  event: UnlockEvent;
  snapshot: MarketSnapshot;
  now: number;
  cfg: StrategyConfig;
}

export type UnlockEntryVerdict =
  | { ok: true; strength: string; unlockPct: string; timingDeviationHours: string; window: EntryWindow }
  | { ok: false; reasons: Rejection[] };

/**
 * All entry filters, every failing one reported (not just the first), each with its code and numbers.
 * Strength is only computed when every filter passes.
 */
export function evaluateUnlockEntry({ event, snapshot, now, cfg }: UnlockEntryInput): UnlockEntryVerdict {
  const bad = validateEvent(event);
  if (bad.length) return { ok: false, reasons: bad };
  const c = cfg.tokenUnlock;
  const reasons: Rejection[] = [];

  if (snapshot.symbol !== event.symbol)
    reasons.push({ code: 'SYMBOL_MISMATCH', message: `snapshot is for ${snapshot.symbol}, event is for ${event.symbol}` });
  if (!isDecimal(snapshot.volume24hQuote) || !isDecimal(snapshot.change7dPct))
    return { ok: false, reasons: [...reasons, { code: 'INVALID_SNAPSHOT', message: 'snapshot volume24hQuote / change7dPct must be decimals' }] };

  const pct = unlockPct(event);
  if (!d(pct).gt(d(c.minUnlockPct)))
    reasons.push({ code: 'UNLOCK_TOO_SMALL', message: `unlock is ${pct}% of circulating supply, needs > ${c.minUnlockPct}%`, value: pct, limit: c.minUnlockPct });

  if (!d(snapshot.volume24hQuote).gt(d(c.minVolume24hUsd)))
    reasons.push({
      code: 'VOLUME_TOO_LOW',
      message: `24h volume ${snapshot.volume24hQuote} must be > ${c.minVolume24hUsd}`,
      value: toStr(snapshot.volume24hQuote),
      limit: c.minVolume24hUsd,
    });

  if (!d(snapshot.change7dPct).gt(d(c.minChange7dPct)))
    reasons.push({
      code: 'PRICE_DOWNTREND',
      message: `7d change ${snapshot.change7dPct}% must be > ${c.minChange7dPct}%`,
      value: toStr(snapshot.change7dPct),
      limit: c.minChange7dPct,
    });

  const window = entryWindow(event, c);
  if (now >= event.unlockAt)
    reasons.push({ code: 'UNLOCK_PASSED', message: `unlock at ${event.unlockAt} has passed (now ${now})`, value: String(now), limit: String(event.unlockAt) });
  else if (now < window.opensAt || now > window.closesAt)
    reasons.push({
      code: 'OUTSIDE_ENTRY_WINDOW',
      message: `now ${now} is outside the entry window [${window.opensAt}, ${window.closesAt}]`,
      value: String(now),
      limit: `${window.opensAt}..${window.closesAt}`,
    });

  if (reasons.length) return { ok: false, reasons };
  const dev = timingDeviationHours(event, c, now);
  return { ok: true, strength: signalStrength(pct, dev), unlockPct: pct, timingDeviationHours: dev, window };
}

/**
 * stop = entry·(1 − stopLossPct/100), target = entry·(1 + takeProfitPct/100),
 * time exit = unlockAt + exitAfterUnlock (only when unlockAt is given).
 */
export function exitLevels(entryPrice: string, cfg: TokenUnlockConfigLike, unlockAt?: number): ExitLevels {
  const c = tokenUnlockCfg(cfg);
  const e = d(entryPrice);
  const out: ExitLevels = {
    stopPrice: toStr(e.times(d(1).minus(d(c.stopLossPct).div(100)))),
    targetPrice: toStr(e.times(d(1).plus(d(c.takeProfitPct).div(100)))),
  };
  if (unlockAt !== undefined) out.timeExitAt = unlockAt + c.exitAfterUnlock;
  return out;
}

export interface ExitCheckInput {
  entryPrice: string;
  /** current price (last or bid) */
  price: string;
  now: number;
  unlockAt: number;
  cfg: TokenUnlockConfigLike;
}

/**
 * Long-only automatic exits, checked in this order: STOP_LOSS (price <= stop), TAKE_PROFIT (price >= target),
 * TIME_EXIT (now >= unlockAt + exitAfterUnlock). The stop wins when several hold at once.
 */
export function checkExit({ entryPrice, price, now, unlockAt, cfg }: ExitCheckInput): ExitSignal | null {
  const lv = exitLevels(entryPrice, cfg, unlockAt);
  const p = d(price);
  if (p.lte(d(lv.stopPrice))) return { reason: 'STOP_LOSS', level: lv.stopPrice };
  if (p.gte(d(lv.targetPrice))) return { reason: 'TAKE_PROFIT', level: lv.targetPrice };
  if (lv.timeExitAt !== undefined && now >= lv.timeExitAt) return { reason: 'TIME_EXIT', level: String(lv.timeExitAt) };
  return null;
}
