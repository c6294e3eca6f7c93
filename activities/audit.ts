import { createHash } from 'node:crypto';
import type { Db } from '../db/client';

/**
 * Tamper-evident audit log: every entry stores the hash of the previous one, and its own hash covers
 * (seq, entryKey, kind, strategyId, payload, createdAt, prevHash). Editing, deleting or reordering any
 * entry breaks the chain at that entry, and `verifyAuditChain` names it.
 *
 * Appends are idempotent by `entryKey` (a retried activity appends once). `prevHash` is unique, so two
 * writers racing for the same tail cannot both win; the loser re-reads the tail and retries.
 */
export const GENESIS = 'GENESIS';

export interface AuditInput {
  entryKey: string;
  kind: string;
  strategyId?: string | null;
  payload: unknown;
  at?: Date;
}

export function entryHash(e: { seq: number; entryKey: string; kind: string; strategyId: string | null; payloadJson: string; createdAt: Date; prevHash: string }): string {
  return createHash('sha256')
    .update(JSON.stringify([e.seq, e.entryKey, e.kind, e.strategyId, e.payloadJson, e.createdAt.toISOString(), e.prevHash]))
    .digest('hex');
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
      if (attempt >= 50 || !/Unique constraint|P2002/i.test(String((err as Error).message) + String((err as { code?: string }).code))) throw err;
    }
  }
}

export interface AuditProblem {
  seq: number;
  problem: 'EDITED' | 'BROKEN_LINK' | 'GAP' | 'BAD_GENESIS';
  detail: string;
}

/** Walks the chain in seq order; returns every problem (empty = intact). */
export async function verifyAuditChain(db: Db): Promise<{ entries: number; problems: AuditProblem[] }> {
  const rows = await db.auditEntry.findMany({ orderBy: { seq: 'asc' } });
  const problems: AuditProblem[] = [];
  let prev: (typeof rows)[number] | undefined;
  for (const r of rows) {
    if (!prev && r.prevHash !== GENESIS) problems.push({ seq: r.seq, problem: 'BAD_GENESIS', detail: `first entry should link to ${GENESIS}` });
    if (prev && r.seq !== prev.seq + 1) problems.push({ seq: r.seq, problem: 'GAP', detail: `entries ${prev.seq + 1}..${r.seq - 1} are missing (deleted?)` });
    if (prev && r.prevHash !== prev.hash) problems.push({ seq: r.seq, problem: 'BROKEN_LINK', detail: `prevHash does not match the hash of entry ${prev.seq} (deleted or reordered?)` });
    if (entryHash(r) !== r.hash) problems.push({ seq: r.seq, problem: 'EDITED', detail: `content does not match its hash (entry ${r.seq}, key ${r.entryKey}, kind ${r.kind})` });
    prev = r;
  }
  return { entries: rows.length, problems };
}
