/**
 * `unlocks import` over a streamed file (issue 17, defect 10: a 50,000-row calendar took 2.4 GB when
 * the file, every row and one Prisma upsert per row were held at once). Two passes over the file:
 *
 *  1. `scanUnlockFile`: every row checked (zod), duplicates and long-past dates found; only the ids
 *     and the problems are kept. A bad row anywhere, the 99,999th included, is known before anything
 *     is written, and no write lock is taken for an import that will not happen.
 *  2. `writeUnlockRows`: the file streamed again, each row checked again (a file changed in between
 *     fails the import), written in batches of BATCH_ROWS inside ONE interactive transaction: all rows
 *     or none, whatever fails (a database error at the last batch rolls back the first).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CliError } from '../context';
import { byLocation, checkUnlockRow, IdTally, streamUnlockFile, type RowProblem, type UnlockRow } from './unlock-file';
import type { Db, Prisma } from '../../db/client';

/** How far in the past an imported unlock may lie (see the policy in cli/commands/unlocks.ts). */
export const MAX_PAST_DAYS = 30;
const DAY_MS = 86_400_000;
/** rows per createMany / id lookup (measured: 100 rows peak lower and ran faster than 500 or 2000; bench/unlock-import.ts) */
export const BATCH_ROWS = 100;
/** the one transaction may run this long (Prisma's default for an interactive transaction is 5 s) */
const TRANSACTION_TIMEOUT_MS = 30 * 60_000;

function longPast(row: UnlockRow, now: number): string | null {
  if (row.unlockAt.getTime() >= now - MAX_PAST_DAYS * DAY_MS) return null;
  return `unlockAt ${row.unlockAt.toISOString()} is ${Math.floor((now - row.unlockAt.getTime()) / DAY_MS)} days in the past (at most ${MAX_PAST_DAYS}): the calendar is for coming unlocks`;
}

export interface UnlockScan {
  /** rows that will be imported */
  valid: number;
  /** every bad row, by location */
  invalid: RowProblem[];
}

/** Pass 1: the whole file checked, streamed; memory holds the ids and the problems only. */
export async function scanUnlockFile(file: string, now: number): Promise<UnlockScan> {
  const invalid: RowProblem[] = [];
  const ids = new IdTally();
  const tooOld: Array<RowProblem & { id: string }> = [];
  let passed = 0;
  let n = 0;
  for await (const loc of streamUnlockFile(file)) {
    collectEvery(++n);
    const c = checkUnlockRow(loc);
    if ('problem' in c) {
      invalid.push(c.problem);
      continue;
    }
    passed++;
    ids.add(c.row.id, c.row.where);
    const old = longPast(c.row, now);
    if (old) tooOld.push({ id: c.row.id, where: c.row.where, problems: [old] });
  }
  const dups = ids.problems();
  // a repeated id is reported as such, long past or not
  const oldOnly = tooOld.filter((p) => !ids.isDuplicate(p.id)).map(({ where, problems }) => ({ where, problems }));
  invalid.push(...dups, ...oldOnly);
  invalid.sort(byLocation);
  return { valid: passed - dups.length - oldOnly.length, invalid };
}

/** Pass 2's rows: the valid ones of the scan, checked again as they stream by. */
async function* validRows(file: string, scan: UnlockScan, now: number): AsyncGenerator<UnlockRow> {
  const skip = new Set(scan.invalid.map((p) => p.where));
  let n = 0;
  for await (const loc of streamUnlockFile(file)) {
    if (skip.has(loc.where)) continue;
    const c = checkUnlockRow(loc);
    const problem = 'problem' in c ? c.problem.problems.join('; ') : longPast(c.row, now);
    if (problem !== null || 'problem' in c) throw new CliError(`${file} changed while it was imported (${loc.where}: ${problem}): nothing imported`);
    n++;
    yield c.row;
  }
  if (n !== scan.valid) throw new CliError(`${file} changed while it was imported (${n} valid rows now, ${scan.valid} before): nothing imported`);
}

const rowData = (r: UnlockRow) => ({ symbol: r.symbol, unlockAt: r.unlockAt, unlockAmount: r.unlockAmount, circulatingSupply: r.circulatingSupply, source: r.source ?? null });

/**
 * One batch: an id that already exists is replaced by the file's row with its first import time kept
 * (re-importing a file is idempotent, and an update in place of one statement per row), the others
 * are created; two statements per batch either way.
 */
async function writeBatch(tx: Prisma.TransactionClient, rows: UnlockRow[]): Promise<{ created: number; updated: number }> {
  const ids = rows.map((r) => r.id);
  const existing = new Map((await tx.unlockEvent.findMany({ where: { id: { in: ids } }, select: { id: true, importedAt: true } })).map((r) => [r.id, r.importedAt]));
  if (existing.size) await tx.unlockEvent.deleteMany({ where: { id: { in: [...existing.keys()] } } });
  await tx.unlockEvent.createMany({ data: rows.map((r) => ({ id: r.id, ...rowData(r), ...(existing.has(r.id) ? { importedAt: existing.get(r.id)! } : {}) })) });
  return { created: rows.length - existing.size, updated: existing.size };
}

/**
 * A full garbage collection every GC_EVERY_ROWS rows. Measured (bench/unlock-import.ts, 100,000 rows):
 * V8 lets the old generation fill with the rows' short-lived objects (a chunk's records outlive a few
 * scavenges) and with the database driver's statement wrappers, whose native memory it cannot see, for
 * hundreds of MB before it collects on its own: peak RSS 492 MiB without, ~250 MiB with. The CLI has
 * no --expose-gc, so the collector is reached through a new context once the flag is set.
 */
export const GC_EVERY_ROWS = 2_000;
let gc: (() => void) | undefined;
function collectEvery(n: number): void {
  if (n % GC_EVERY_ROWS !== 0) return;
  if (!gc) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
}

/** Pass 2: the valid rows written in batches inside one transaction (all or none). */
export async function writeUnlockRows(db: Db, file: string, scan: UnlockScan, now: number, batchRows = BATCH_ROWS): Promise<{ created: number; updated: number }> {
  return db.$transaction(
    async (tx) => {
      const total = { created: 0, updated: 0 };
      let batch: UnlockRow[] = [];
      const flush = async () => {
        if (!batch.length) return;
        const r = await writeBatch(tx, batch);
        total.created += r.created;
        total.updated += r.updated;
        batch = [];
      };
      let n = 0;
      for await (const row of validRows(file, scan, now)) {
        collectEvery(++n);
        batch.push(row);
        if (batch.length >= batchRows) await flush();
      }
      await flush();
      return total;
    },
    { timeout: TRANSACTION_TIMEOUT_MS, maxWait: 10_000 },
  );
}
