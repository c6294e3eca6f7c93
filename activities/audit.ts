/**
 * The audit log's writer. Every entry stores the hash of the previous one (format and verification:
 * read-models/audit-chain.ts), so editing, deleting or reordering any entry breaks the chain there.
 *
 * Appends are idempotent by `entryKey` (a retried activity appends once). `prevHash` is unique, so two
 * writers racing for the same tail cannot both win; the loser re-reads the tail and retries.
 */
import type { Db } from '../db/client';
import { entryHash, GENESIS } from '../read-models/audit-chain';
import { isUniqueViolation } from './failures';

export interface AuditInput {
  entryKey: string;
  kind: string;
  strategyId?: string | null;
  payload: unknown;
  at?: Date;
}

/** Appends from one process go one at a time (an emergency stop fills 100 exits at once); the unique
 * prevHash still arbitrates between processes. */
let tail: Promise<unknown> = Promise.resolve();

export function appendAudit(db: Db, input: AuditInput): Promise<{ seq: number; hash: string }> {
  const run = tail.then(() => appendAuditNow(db, input));
  tail = run.catch(() => undefined);
  return run;
}

async function appendAuditNow(db: Db, input: AuditInput): Promise<{ seq: number; hash: string }> {
  for (let attempt = 0; ; attempt++) {
    const existing = await db.auditEntry.findUnique({ where: { entryKey: input.entryKey } });
    if (existing) return { seq: existing.seq, hash: existing.hash };
    const tail = await db.auditEntry.findFirst({ orderBy: { seq: 'desc' } });
    const seq = (tail?.seq ?? 0) + 1;
    const entry = {
      seq,
      entryKey: input.entryKey,
      kind: input.kind,
      strategyId: input.strategyId ?? null,
      payloadJson: JSON.stringify(input.payload ?? null),
      // millisecond precision survives both SQLite and Postgres unchanged
      createdAt: new Date(Math.floor((input.at ?? new Date()).getTime())),
      prevHash: tail?.hash ?? GENESIS,
    };
    try {
      const hash = entryHash(entry);
      await db.auditEntry.create({ data: { ...entry, hash } });
      return { seq, hash };
    } catch (err) {
      // lost the race for this tail (unique seq / prevHash) or a concurrent identical append: retry
      if (attempt >= 50 || !isUniqueViolation(err)) throw err;
    }
  }
}
