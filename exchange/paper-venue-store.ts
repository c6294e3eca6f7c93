/**
 * Storage of the paper venue: its "exchange side" is the `PaperVenueOrder` table, one row per
 * clientOrderId (the primary key makes placement exactly-once across processes), and a paper
 * account's settings come from its Strategy row (initial capital, `exchange.feeRate` of the config).
 */
import type { Db } from '../db/client';
import { toStr } from '../domain/money';
import type { BrokerOrder } from './types';

/** What the paper venue stores per order (PaperVenueOrder.orderJson). */
export interface PaperStoredOrder extends BrokerOrder {
  account: string;
  /** fee rate the order was filled with */
  feeRate: string;
  /** workflow time the order was placed at */
  asOf: number;
}

export interface PaperAccountSettings {
  /** currency → starting amount, e.g. { USDT: '10000' } */
  initialBalances: Record<string, string>;
  /** fee as a fraction of notional (0.001 = 0.1 %) */
  feeRate: string;
}

const DEFAULT_FEE_RATE = '0.001';
const DEFAULT_INITIAL: Record<string, string> = { USDT: '10000' };

function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code;
  return code === 'P2002' || /unique constraint|UNIQUE constraint failed|duplicate key/i.test(String((e as Error)?.message));
}

export class PaperVenueStore {
  constructor(private readonly db: Db) {}

  async load(clientOrderId: string): Promise<PaperStoredOrder | null> {
    const row = await this.db.paperVenueOrder.findUnique({ where: { clientOrderId } });
    return row ? (JSON.parse(row.orderJson) as PaperStoredOrder) : null;
  }

  /**
   * Stores a new order. Returns null when it was inserted, or the order another placement stored
   * first under the same clientOrderId (a concurrent insert lost on the primary key).
   */
  async insert(o: PaperStoredOrder): Promise<PaperStoredOrder | null> {
    try {
      await this.db.paperVenueOrder.create({ data: { clientOrderId: o.clientOrderId, symbol: o.symbol, orderJson: JSON.stringify(o) } });
      return null;
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      const winner = await this.load(o.clientOrderId);
      if (winner) return winner;
      throw e;
    }
  }

  async update(o: PaperStoredOrder): Promise<void> {
    await this.db.paperVenueOrder.update({ where: { clientOrderId: o.clientOrderId }, data: { orderJson: JSON.stringify(o) } });
  }

  /** the account's orders (optionally of one symbol), oldest first */
  async accountOrders(account: string, symbol?: string): Promise<PaperStoredOrder[]> {
    const rows = await this.db.paperVenueOrder.findMany({
      where: { ...(symbol ? { symbol } : {}), orderJson: { contains: `"account":${JSON.stringify(account)}` } },
      orderBy: { createdAt: 'asc' },
    });
    return rows.map((r) => JSON.parse(r.orderJson) as PaperStoredOrder).filter((o) => o.account === account);
  }

  /** settings from the Strategy row of `account`, else `defaults` (10000 USDT, 0.1 % unless given) */
  async accountSettings(account: string, defaults?: Partial<PaperAccountSettings>): Promise<PaperAccountSettings> {
    const fallback: PaperAccountSettings = {
      initialBalances: defaults?.initialBalances ?? DEFAULT_INITIAL,
      feeRate: defaults?.feeRate ?? DEFAULT_FEE_RATE,
    };
    const row = await this.db.strategy.findUnique({ where: { id: account } });
    if (!row) return fallback;
    let currency = 'USDT';
    let feeRate = fallback.feeRate;
    try {
      const cfg = JSON.parse(row.configJson) as { capital?: { currency?: string }; exchange?: { feeRate?: string | number } };
      currency = cfg.capital?.currency ?? currency;
      if (cfg.exchange?.feeRate !== undefined) feeRate = String(cfg.exchange.feeRate);
    } catch {
      /* a malformed config keeps the defaults; the config layer reports it */
    }
    return { initialBalances: { [currency]: toStr(row.initialCapital.toString()) }, feeRate };
  }
}
