/**
 * unlocks import | list — the token unlock calendar.
 *
 * IMPORT POLICY (documented in --help and the README):
 *   - every row is validated (id, symbol BASE/QUOTE, unlockAt ISO 8601 with a time zone, unlockAmount
 *     and circulatingSupply positive decimals, optional source); ids must be unique within the file;
 *   - each bad row is reported by its location: CSV "line N" (the physical line, header = line 1),
 *     JSON "item N" (array index + 1);
 *   - by default NOTHING is imported when any row is bad (exit 1);
 *   - with --skip-invalid the valid rows are imported and the bad ones reported (exit 0);
 *   - the valid rows are written in ONE database transaction: all of them or none;
 *   - an id that already exists is updated (re-importing a file is idempotent);
 *   - an event more than MAX_PAST_DAYS in the past is a bad row (refused, not warned about): a live
 *     calendar holds coming unlocks, and a date like 1970 is a broken export (issue 17, defect 11); the
 *     last days' events stay importable, since a calendar file often still lists them. Backtests read
 *     past calendars from their own file (`backtest --unlocks`), without this rule.
 */
import { formatPct } from '../../domain/format';
import { extname } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { CliError, oneLine, type Ctx } from '../context';
import { parseCsv } from '../lib/csv';
import { readText } from '../lib/files';
import { isoTime, listing, table } from '../lib/table';
import { d, toStr } from '../../domain/money';

const COLUMNS = ['id', 'symbol', 'unlockAt', 'unlockAmount', 'circulatingSupply', 'source'] as const;
const REQUIRED = ['id', 'symbol', 'unlockAt', 'unlockAmount', 'circulatingSupply'] as const;

const positiveDecimal = (what: string) =>
  z
    .union([z.string(), z.number()])
    .transform((v) => (typeof v === 'number' ? String(v) : v.trim()))
    .refine((v) => /^\d+(\.\d+)?$/.test(v), { message: `${what} must be a non-negative decimal number` })
    .refine((v) => !/^\d+(\.\d+)?$/.test(v) || d(v).gt(0), { message: `${what} must be greater than 0` })
    .transform((v) => toStr(d(v)));

// ISO 8601 date-time with an explicit zone ("Z" or ±hh:mm), so a calendar never depends on the machine's zone
const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

export const unlockRowSchema = z
  .object({
    id: z
      .string({ error: 'id is required' })
      .trim()
      .min(1, 'id is required')
      .max(100, 'id must be at most 100 characters')
      .regex(/^[A-Za-z0-9._:-]+$/, 'id may contain letters, digits, ".", "_", ":" and "-" only'),
    symbol: z
      .string({ error: 'symbol is required' })
      .trim()
      .regex(/^[A-Z0-9]{1,20}\/[A-Z0-9]{1,20}$/, 'symbol must be BASE/QUOTE in capitals, e.g. ARB/USDT'),
    unlockAt: z
      .string({ error: 'unlockAt is required' })
      .trim()
      .refine((v) => ISO_RE.test(v) && Number.isFinite(Date.parse(v)), { message: 'unlockAt must be an ISO 8601 date-time with a time zone, e.g. 2025-03-16T12:00:00Z' })
      .transform((v) => new Date(v)),
    unlockAmount: positiveDecimal('unlockAmount'),
    circulatingSupply: positiveDecimal('circulatingSupply'),
    source: z
      .string()
      .trim()
      .max(500)
      .optional()
      .transform((v) => (v ? v : undefined)),
  })
  .strict();

export type UnlockRow = z.output<typeof unlockRowSchema>;

interface Located {
  where: string;
  raw: unknown;
}
export interface RowProblem {
  where: string;
  problems: string[];
}

/** Rows of a CSV (header required) or a JSON array, each with its location. File-level problems throw. */
export function readUnlockFile(file: string): Located[] {
  const text = readText(file);
  const ext = extname(file).toLowerCase();
  if (ext === '.json') {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      throw new CliError(`${file} is not valid JSON: ${oneLine(e)}`);
    }
    if (!Array.isArray(data)) throw new CliError(`${file}: expected a JSON array of unlock events`);
    return data.map((raw, i) => ({ where: `item ${i + 1}`, raw }));
  }
  if (ext !== '.csv') throw new CliError(`${file}: unsupported file type "${ext || '(none)'}", use .csv or .json`);
  let records;
  try {
    records = parseCsv(text);
  } catch (e) {
    throw new CliError(`${file}: ${oneLine(e)}`);
  }
  if (!records.length) throw new CliError(`${file} is empty: expected a header line (${COLUMNS.join(',')}) and rows`);
  const header = records[0]!.fields.map((h) => h.trim());
  const unknown = header.filter((h) => !(COLUMNS as readonly string[]).includes(h));
  if (unknown.length) throw new CliError(`${file} line 1: unknown column(s) ${unknown.join(', ')} (columns: ${COLUMNS.join(', ')})`);
  const missing = REQUIRED.filter((c) => !header.includes(c));
  if (missing.length) throw new CliError(`${file} line 1: missing column(s) ${missing.join(', ')}`);
  const dup = header.find((h, i) => header.indexOf(h) !== i);
  if (dup) throw new CliError(`${file} line 1: column ${dup} appears twice`);
  return records.slice(1).map((r) => {
    if (r.fields.length !== header.length) return { where: `line ${r.line}`, raw: { __fieldCount: r.fields.length, __expected: header.length } };
    const obj: Record<string, string> = {};
    header.forEach((h, i) => {
      const v = r.fields[i]!;
      if (!(h === 'source' && v.trim() === '')) obj[h] = v;
    });
    return { where: `line ${r.line}`, raw: obj };
  });
}

/** "line 3" before "line 12" */
const byLocation = (a: RowProblem, b: RowProblem) => Number(/\d+/.exec(a.where)?.[0] ?? 0) - Number(/\d+/.exec(b.where)?.[0] ?? 0);

export function validateUnlockRows(rows: Located[]): { valid: Array<UnlockRow & { where: string }>; invalid: RowProblem[] } {
  const valid: Array<UnlockRow & { where: string }> = [];
  const invalid: RowProblem[] = [];
  for (const { where, raw } of rows) {
    const fc = raw as { __fieldCount?: number; __expected?: number };
    if (fc && typeof fc === 'object' && fc.__fieldCount !== undefined) {
      invalid.push({ where, problems: [`expected ${fc.__expected} fields, found ${fc.__fieldCount}`] });
      continue;
    }
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
      invalid.push({ where, problems: ['expected an object {id, symbol, unlockAt, unlockAmount, circulatingSupply, source?}'] });
      continue;
    }
    const r = unlockRowSchema.safeParse(raw);
    if (!r.success) invalid.push({ where, problems: r.error.issues.map((i) => (i.code === 'unrecognized_keys' ? `unknown field(s) ${i.keys.join(', ')}` : i.message)) });
    else valid.push({ ...r.data, where });
  }
  // duplicate ids inside one file: every occurrence is bad (which one is right cannot be known)
  const byId = new Map<string, string[]>();
  for (const v of valid) byId.set(v.id, [...(byId.get(v.id) ?? []), v.where]);
  const dups = new Set([...byId].filter(([, w]) => w.length > 1).map(([id]) => id));
  const keep = valid.filter((v) => !dups.has(v.id));
  for (const v of valid.filter((x) => dups.has(x.id))) {
    invalid.push({ where: v.where, problems: [`duplicate id "${v.id}" (also at ${byId.get(v.id)!.filter((w) => w !== v.where).join(', ')})`] });
  }
  invalid.sort(byLocation);
  return { valid: keep, invalid };
}

/** How far in the past an imported unlock may lie (see the policy above). */
export const MAX_PAST_DAYS = 30;
const DAY_MS = 86_400_000;

/** `unlocks import` only: rows dated more than MAX_PAST_DAYS before `now` move to the bad rows. */
export function refuseLongPast(rows: ReturnType<typeof validateUnlockRows>, now: number): ReturnType<typeof validateUnlockRows> {
  const oldest = now - MAX_PAST_DAYS * DAY_MS;
  const tooOld = rows.valid.filter((v) => v.unlockAt.getTime() < oldest);
  if (!tooOld.length) return rows;
  const invalid = [
    ...rows.invalid,
    ...tooOld.map((v) => ({ where: v.where, problems: [`unlockAt ${v.unlockAt.toISOString()} is ${Math.floor((now - v.unlockAt.getTime()) / DAY_MS)} days in the past (at most ${MAX_PAST_DAYS}): the calendar is for coming unlocks`] })),
  ];
  invalid.sort(byLocation);
  return { valid: rows.valid.filter((v) => !tooOld.includes(v)), invalid };
}

export function registerUnlockCommands(program: Command, ctx: Ctx): void {
  const unlocks = program.command('unlocks').description('the token unlock calendar');

  unlocks
    .command('import')
    .description('import unlock events from a CSV or JSON file (validated; one transaction; re-import updates by id)')
    .argument('<file>', '.csv with header id,symbol,unlockAt,unlockAmount,circulatingSupply[,source] — or a .json array of such objects')
    .option('--skip-invalid', 'import the valid rows and report the bad ones (default: import nothing when any row is bad)')
    .option('--dry-run', 'validate and report only; write nothing')
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      `
Policy: every bad row is reported by location (CSV: "line N", the physical line with the header as
line 1; JSON: "item N", array index + 1). By default NOTHING is imported when any row is bad (exit 1).
With --skip-invalid only the valid rows are imported (exit 0). The rows are written in one database
transaction (never a partial import); an id that already exists is updated, so re-importing is
idempotent; the same id twice in one file makes both rows bad. An unlock more than ${MAX_PAST_DAYS} days in
the past is a bad row (a live calendar holds coming unlocks; backtests take theirs with --unlocks).`,
    )
    .action(async (file: string, o: { skipInvalid?: boolean; dryRun?: boolean; json?: boolean }) => {
      const { valid, invalid } = refuseLongPast(validateUnlockRows(readUnlockFile(file)), Date.now());
      const report = (imported: number, created: number, updated: number) =>
        o.json
          ? ctx.json({ file, imported, created, updated, valid: valid.length, invalid: invalid.map((p) => ({ where: p.where, problems: p.problems })) })
          : undefined;
      if (!o.json) for (const p of invalid) ctx.out(`${file} ${p.where}: ${p.problems.join('; ')}`);
      if (invalid.length && !o.skipInvalid) {
        report(0, 0, 0);
        throw new CliError(`${invalid.length} invalid row(s) in ${file}: nothing imported (fix them, or use --skip-invalid to import the ${valid.length} valid row(s))`);
      }
      if (!valid.length) {
        report(0, 0, 0);
        throw new CliError(`${file}: no valid rows to import`);
      }
      if (o.dryRun) {
        if (!o.json) ctx.out(`dry run: ${valid.length} valid row(s) would be imported, ${invalid.length} skipped`);
        return void report(0, 0, 0);
      }
      const db = await ctx.database();
      const existing = new Set((await db.unlockEvent.findMany({ where: { id: { in: valid.map((v) => v.id) } }, select: { id: true } })).map((r) => r.id));
      try {
        await db.$transaction(
          valid.map((v) => {
            const data = { symbol: v.symbol, unlockAt: v.unlockAt, unlockAmount: v.unlockAmount, circulatingSupply: v.circulatingSupply, source: v.source ?? null };
            return db.unlockEvent.upsert({ where: { id: v.id }, create: { id: v.id, ...data }, update: data });
          }),
        );
      } catch (e) {
        throw new CliError(`import failed, nothing imported: ${oneLine(e)}`);
      }
      const updated = valid.filter((v) => existing.has(v.id)).length;
      if (o.json) return void report(valid.length, valid.length - updated, updated);
      ctx.out(`imported ${valid.length} unlock event(s) from ${file} (${valid.length - updated} new, ${updated} updated)${invalid.length ? `; skipped ${invalid.length} invalid row(s)` : ''}`);
    });

  listing(unlocks, 'list', 'list unlock events in the database')
    .option('--upcoming', 'only events whose unlock is in the future')
    .action(async (o: { upcoming?: boolean; json?: boolean }) => {
      const db = await ctx.database();
      const rows = await db.unlockEvent.findMany({ where: o.upcoming ? { unlockAt: { gte: new Date() } } : {}, orderBy: [{ unlockAt: 'asc' }, { id: 'asc' }] });
      const out = rows.map((r) => {
        const amount = r.unlockAmount.toString();
        const supply = r.circulatingSupply.toString();
        return {
          id: r.id,
          symbol: r.symbol,
          unlockAt: r.unlockAt.toISOString(),
          unlockAmount: amount,
          circulatingSupply: supply,
          unlockPct: d(supply).gt(0) ? toStr(d(amount).div(d(supply)).times(100).toDecimalPlaces(4)) : null,
          source: r.source,
          importedAt: r.importedAt.toISOString(),
        };
      });
      if (o.json) return ctx.json(out);
      if (!out.length) return ctx.out('no unlock events; import some with: unlock-trader unlocks import examples/unlocks-sample.csv');
      ctx.out(table(['ID', 'SYMBOL', 'UNLOCK AT', 'AMOUNT', 'SUPPLY', 'UNLOCK %', 'SOURCE'], out.map((r) => [r.id, r.symbol, isoTime(Date.parse(r.unlockAt)), r.unlockAmount, r.circulatingSupply, r.unlockPct === null ? null : formatPct(r.unlockPct), r.source])));
    });
}
