/**
 * The strategy plug-in point. Workflows only ever call `getStrategy(cfg.strategy)` and the four
 * methods below, so a new strategy is one object + one `registerStrategy` call, no workflow change.
 *
 * Registration happens at module load (deterministic, so safe inside Temporal workflows): import the
 * strategy's module before the workflow asks for it. `token-unlock` is registered here by default.
 */
import type { StrategyConfig } from './config-types';
import type { EntryWindow, ExitLevels, ExitSignal, MarketSnapshot, Rejection, UnlockEvent } from './types';
import { checkExit, evaluateUnlockEntry, exitLevels, qualifiesForCalendar } from './unlock-strategy';

/** The calendar event a strategy reacts to (today: token unlocks). */
export type StrategyEvent = UnlockEvent;

/** Calendar pre-filter verdict; `window` (when the strategy has one) tells the caller when to wake up. */
export type Qualification =
  | { ok: true; window?: EntryWindow; unlockPct?: string }
  | { ok: false; reasons: Rejection[]; window?: EntryWindow; unlockPct?: string };

export type StrategyEntryDecision =
  | { ok: true; strength: string; unlockPct?: string; timingDeviationHours?: string; window?: EntryWindow }
  | { ok: false; reasons: Rejection[] };

export interface StrategyEntryInput {
  event: StrategyEvent;
  snapshot: MarketSnapshot;
  now: number;
  cfg: StrategyConfig;
}

export interface StrategyExitInput {
  entryPrice: string;
  price: string;
  now: number;
  /** the event time (unlock time for token-unlock) */
  unlockAt: number;
  cfg: StrategyConfig;
}

export interface TradingStrategy {
  /** registry key, matches `StrategyConfig.strategy` */
  readonly name: string;
  /** cheap calendar pre-filter without market data */
  qualifies(event: StrategyEvent, cfg: StrategyConfig, now: number): Qualification;
  /** full entry decision from a fresh market snapshot */
  evaluateEntry(input: StrategyEntryInput): StrategyEntryDecision;
  /** stop / target / time-exit levels for a filled entry */
  exitLevels(entryPrice: string, cfg: StrategyConfig, event?: StrategyEvent): ExitLevels;
  /** automatic exit check on a price tick; null = hold */
  checkExit(input: StrategyExitInput): ExitSignal | null;
}

export const tokenUnlockStrategy: TradingStrategy = {
  name: 'token-unlock',
  qualifies: (event, cfg, now) => qualifiesForCalendar(event, cfg, now),
  evaluateEntry: (input) => evaluateUnlockEntry(input),
  exitLevels: (entryPrice, cfg, event) => exitLevels(entryPrice, cfg, event?.unlockAt),
  checkExit: (input) => checkExit(input),
};

const registry = new Map<string, TradingStrategy>();

/** Add (or replace, same name) a strategy. Returns the one it replaced, if any. */
export function registerStrategy(s: TradingStrategy): TradingStrategy | undefined {
  if (!s || typeof s.name !== 'string' || !s.name) throw new Error('registerStrategy: strategy needs a name');
  const prev = registry.get(s.name);
  registry.set(s.name, s);
  return prev;
}

export function unregisterStrategy(name: string): boolean {
  return registry.delete(name);
}

export function listStrategies(): string[] {
  return [...registry.keys()].sort();
}

export function hasStrategy(name: string): boolean {
  return registry.has(name);
}

/** The strategy for `name`; throws naming the known strategies when it is unknown. */
export function getStrategy(name: string): TradingStrategy {
  const s = registry.get(name);
  if (!s) throw new Error(`unknown strategy "${name}"; known strategies: ${listStrategies().join(', ') || '(none)'}`);
  return s;
}

registerStrategy(tokenUnlockStrategy);
