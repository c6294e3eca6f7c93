/**
 * The tamper-evident audit log as readers see it: the chain's format (each entry's hash covers
 * (seq, entryKey, kind, strategyId, payload, createdAt, prevHash); the first links to GENESIS), the
 * walk that names every edited, deleted or reordered entry, and the export in chain order. The
 * writer, `appendAudit`, is activities/audit.ts; it hashes with `entryHash` from here.
 */
import { createHash } from 'node:crypto';
import type { Db } from '../db/client';

export const GENESIS = 'GENESIS';

export function entryHash(e: { seq: number; entryKey: string; kind: string; strategyId: string | null; payloadJson: string; createdAt: Date; prevHash: string }): string {
  return createHash('sha256')
    .update(JSON.stringify([e.seq, e.entryKey, e.kind, e.strategyId, e.payloadJson, e.createdAt.toISOString(), e.prevHash]))
    .digest('hex');
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

/** One exported entry: payloads verbatim, so an export of the whole chain can be re-verified. */
export interface ExportedAuditEntry {
  seq: number;
  entryKey: string;
  kind: string;
  strategyId: string | null;
  createdAt: string;
  payloadJson: string;
  prevHash: string;
  hash: string;
}

/** The log in chain order; with `strategyId`, only that strategy's entries (then not a full chain). */
export async function exportAuditEntries(db: Db, filter: { strategyId?: string } = {}): Promise<ExportedAuditEntry[]> {
  const rows = await db.auditEntry.findMany({ where: filter.strategyId ? { strategyId: filter.strategyId } : {}, orderBy: { seq: 'asc' } });
  return rows.map((r) => ({ seq: r.seq, entryKey: r.entryKey, kind: r.kind, strategyId: r.strategyId, createdAt: r.createdAt.toISOString(), payloadJson: r.payloadJson, prevHash: r.prevHash, hash: r.hash }));
}
