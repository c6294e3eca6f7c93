/**
 * Playbooks: the pluggable entry/exit rule sets a strategy trades by ("strategy" is the running
 * strategy workflow; its playbook is what decides entries and exits). Workflows only ever call
 * `getPlaybook(cfg.strategy)` and the four methods below, so a new playbook is one object + one
 * `registerPlaybook` call, no workflow change. The config field keeps its name `strategy`
 * (recorded workflow histories carry it).
 *
 * Registration happens at module load (deterministic, so safe inside Temporal workflows): import the
 * playbook's module before the workflow asks for it. `token-unlock` is registered here by default.
 */
import type { StrategyConfig } from './config-types';
import type { EntryWindow, ExitLevels, ExitSignal, MarketSnapshot, Rejection, UnlockEvent } from './types';
import { checkExit, evaluateUnlockEntry, exitLevels, qualifiesForCalendar } from './unlock-playbook';

/** The calendar event a playbook reacts to (today: token unlocks). */
export type PlaybookEvent = UnlockEvent;

/** Calendar pre-filter verdict; `window` (when the playbook has one) tells the caller when to wake up. */
export type Qualification =
  | { ok: true; window?: EntryWindow; unlockPct?: string }
  | { ok: false; reasons: Rejection[]; window?: EntryWindow; unlockPct?: string };

export type PlaybookEntryVerdict =
  | { ok: true; strength: string; unlockPct?: string; timingDeviationHours?: string; window?: EntryWindow }
  | { ok: false; reasons: Rejection[] };

export interface PlaybookEntryInput {
  event: PlaybookEvent;
  snapshot: MarketSnapshot;
  now: number;
  cfg: StrategyConfig;
}

export interface PlaybookExitInput {
  entryPrice: string;
  price: string;
  now: number;
  /** the event time (unlock time for token-unlock) */
  unlockAt: number;
  cfg: StrategyConfig;
}

export interface Playbook {
  /** registry key, matches `StrategyConfig.strategy` */
  readonly name: string;
  /** cheap calendar pre-filter without market data */
  qualifies(event: PlaybookEvent, cfg: StrategyConfig, now: number): Qualification;
  /** full entry decision from a fresh market snapshot */
  evaluateEntry(input: PlaybookEntryInput): PlaybookEntryVerdict;
  /** stop / target / time-exit levels for a filled entry */
  exitLevels(entryPrice: string, cfg: StrategyConfig, event?: PlaybookEvent): ExitLevels;
  /** automatic exit check on a price tick; null = hold */
  checkExit(input: PlaybookExitInput): ExitSignal | null;
}

const tokenUnlockPlaybook: Playbook = {
  name: 'token-unlock',
  qualifies: (event, cfg, now) => qualifiesForCalendar(event, cfg, now),
  evaluateEntry: (input) => evaluateUnlockEntry(input),
  exitLevels: (entryPrice, cfg, event) => exitLevels(entryPrice, cfg, event?.unlockAt),
  checkExit: (input) => checkExit(input),
};

const registry = new Map<string, Playbook>();

/** Add (or replace, same name) a playbook. Returns the one it replaced, if any. */
export function registerPlaybook(p: Playbook): Playbook | undefined {
  if (!p || typeof p.name !== 'string' || !p.name) throw new Error('registerPlaybook: playbook needs a name');
  const prev = registry.get(p.name);
  registry.set(p.name, p);
  return prev;
}

export function unregisterPlaybook(name: string): boolean {
  return registry.delete(name);
}

export function listPlaybooks(): string[] {
  return [...registry.keys()].sort();
}

/** The playbook named by a config's `strategy` field; throws naming the known ones when it is unknown. */
export function getPlaybook(name: string): Playbook {
  const p = registry.get(name);
  if (!p) throw new Error(`unknown strategy "${name}": no such playbook; known playbooks: ${listPlaybooks().join(', ') || '(none)'}`);
  return p;
}

registerPlaybook(tokenUnlockPlaybook);
