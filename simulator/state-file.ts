/**
 * The simulator's durable state, for a simulator that must survive its own restart (the main job's):
 * the book of orders with their fills, balances, the id counters and any scripted prices, in one JSON
 * file. Prices need no saving: the path is a pure function of (seed, symbol, t).
 *
 * Why: exactly-once orders look an order up by client order id after a crash; a simulator that forgot
 * its orders on restart would answer "unknown order" and take the same order twice, with balances back
 * at their start. So the server writes this file after every request that changed the state and BEFORE
 * it answers: an acknowledged order is on disk. Written to a temporary file then renamed, so a kill -9
 * mid-write leaves the previous state, never half a file.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import Decimal from 'decimal.js';
import type { PricePoint } from '../exchange/market-data/price-path';
import type { Engine } from './engine';
import type { EngineCounters, SimFill, SimOrder } from './types';

type Dec = string;
type StoredOrder = Omit<SimOrder, 'origQty' | 'price' | 'stopPrice' | 'executedQty' | 'cummulativeQuoteQty' | 'locked'> &
  Record<'origQty' | 'price' | 'stopPrice' | 'executedQty' | 'cummulativeQuoteQty' | 'locked', Dec>;

interface StoredState {
  version: 1;
  counters: EngineCounters;
  orders: StoredOrder[];
  /** apiKey → asset → balance */
  balances: Record<string, Record<string, { free: Dec; locked: Dec }>>;
  scripts: Record<string, PricePoint[]>;
}

const DECIMAL_FIELDS = ['origQty', 'price', 'stopPrice', 'executedQty', 'cummulativeQuoteQty', 'locked'] as const;

export function encodeState(engine: Engine): string {
  const balances: StoredState['balances'] = {};
  for (const [key, acc] of engine.accounts) {
    balances[key] = {};
    for (const [asset, b] of acc.balances) balances[key][asset] = { free: b.free.toFixed(), locked: b.locked.toFixed() };
  }
  const orders = engine.orders.map((o) => {
    const s = { ...o, fills: o.fills.map((f) => ({ ...f })) } as unknown as StoredOrder;
    for (const k of DECIMAL_FIELDS) s[k] = o[k].toFixed();
    return s;
  });
  const state: StoredState = { version: 1, counters: engine.counters(), orders, balances, scripts: engine.scripted.scripts() };
  return JSON.stringify(state);
}

export function restoreState(engine: Engine, text: string): void {
  const s = JSON.parse(text) as StoredState;
  if (s.version !== 1 || !Array.isArray(s.orders)) throw new Error('not a simulator state file (version 1)');
  const orders = s.orders.map((o) => {
    const order = { ...o, fills: o.fills.map((f: SimFill) => ({ ...f })) } as unknown as SimOrder;
    for (const k of DECIMAL_FIELDS) order[k] = new Decimal(o[k]);
    return order;
  });
  engine.restore(orders, s.counters);
  // balances of the accounts this simulator is configured with (a secret is never stored)
  for (const [key, assets] of Object.entries(s.balances)) {
    const acc = engine.accounts.get(key);
    if (!acc) continue;
    acc.balances.clear();
    for (const [asset, b] of Object.entries(assets)) acc.balances.set(asset, { free: new Decimal(b.free), locked: new Decimal(b.locked) });
  }
  for (const [symbol, points] of Object.entries(s.scripts ?? {})) engine.scripted.set(symbol, points);
}

/** The file one simulator keeps its state in; `save` writes only when the state changed. */
export class StateFile {
  private last = '';

  constructor(readonly path: string) {}

  /** takes back the saved state, if any; true when there was one */
  load(engine: Engine): boolean {
    if (!existsSync(this.path)) return false;
    const text = readFileSync(this.path, 'utf8');
    try {
      restoreState(engine, text);
    } catch (e) {
      throw new Error(`simulator state ${this.path}: ${(e as Error).message}`);
    }
    this.last = text;
    return true;
  }

  save(engine: Engine): void {
    const text = encodeState(engine);
    if (text === this.last) return;
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, this.path);
    this.last = text;
  }
}
