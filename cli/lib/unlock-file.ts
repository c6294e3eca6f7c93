/**
 * An unlock calendar file (CSV with a header, or a JSON array): its rows, each with its location (CSV
 * "line N", the physical line with the header as line 1; JSON "item N", array index + 1) and the check
 * of one row (zod). Two ways to read it: whole (`readUnlockFile`, the backtest's calendar) or streamed
 * (`streamUnlockFile`, `unlocks import`: a 100,000-row file is never held whole, issue 17 defect 10).
 */
import { createReadStream } from 'node:fs';
import { extname, resolve } from 'node:path';
import { z } from 'zod';
import { CliError, oneLine } from '../context';
import { CsvStream, parseCsv, type CsvRecord } from './csv';
import { readText } from './files';
import { JsonArrayStream } from './json-array-stream';
import { d, toStr } from '../../domain/money';

export const UNLOCK_COLUMNS = ['id', 'symbol', 'unlockAt', 'unlockAmount', 'circulatingSupply', 'source'] as const;
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

export interface Located {
  where: string;
  raw: unknown;
}
export interface RowProblem {
  where: string;
  problems: string[];
}

/** One row checked: the row, or what is wrong with it. */
export function checkUnlockRow({ where, raw }: Located): { row: UnlockRow & { where: string } } | { problem: RowProblem } {
  const fc = raw as { __fieldCount?: number; __expected?: number };
  if (fc && typeof fc === 'object' && fc.__fieldCount !== undefined) return { problem: { where, problems: [`expected ${fc.__expected} fields, found ${fc.__fieldCount}`] } };
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { problem: { where, problems: ['expected an object {id, symbol, unlockAt, unlockAmount, circulatingSupply, source?}'] } };
  const r = unlockRowSchema.safeParse(raw);
  if (!r.success) return { problem: { where, problems: r.error.issues.map((i) => (i.code === 'unrecognized_keys' ? `unknown field(s) ${i.keys.join(', ')}` : i.message)) } };
  return { row: { ...r.data, where } };
}

type FileKind = 'csv' | 'json';
function kindOf(file: string): FileKind {
  const ext = extname(file).toLowerCase();
  if (ext === '.json') return 'json';
  if (ext === '.csv') return 'csv';
  throw new CliError(`${file}: unsupported file type "${ext || '(none)'}", use .csv or .json`);
}

/** The CSV header's columns, checked (unknown, missing, repeated columns are file-level errors). */
function checkHeader(file: string, first: CsvRecord | undefined): string[] {
  if (!first) throw new CliError(`${file} is empty: expected a header line (${UNLOCK_COLUMNS.join(',')}) and rows`);
  const header = first.fields.map((h) => h.trim());
  const unknown = header.filter((h) => !(UNLOCK_COLUMNS as readonly string[]).includes(h));
  if (unknown.length) throw new CliError(`${file} line 1: unknown column(s) ${unknown.join(', ')} (columns: ${UNLOCK_COLUMNS.join(', ')})`);
  const missing = REQUIRED.filter((c) => !header.includes(c));
  if (missing.length) throw new CliError(`${file} line 1: missing column(s) ${missing.join(', ')}`);
  const dup = header.find((h, i) => header.indexOf(h) !== i);
  if (dup) throw new CliError(`${file} line 1: column ${dup} appears twice`);
  return header;
}

function csvRow(header: string[], r: CsvRecord): Located {
  if (r.fields.length !== header.length) return { where: `line ${r.line}`, raw: { __fieldCount: r.fields.length, __expected: header.length } };
  const obj: Record<string, string> = {};
  header.forEach((h, i) => {
    const v = r.fields[i]!;
    if (!(h === 'source' && v.trim() === '')) obj[h] = v;
  });
  return { where: `line ${r.line}`, raw: obj };
}

/** Rows of a CSV (header required) or a JSON array, read whole, each with its location. File-level problems throw. */
export function readUnlockFile(file: string): Located[] {
  const kind = kindOf(file);
  const text = readText(file);
  if (kind === 'json') {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      throw new CliError(`${file} is not valid JSON: ${oneLine(e)}`);
    }
    if (!Array.isArray(data)) throw new CliError(`${file}: expected a JSON array of unlock events`);
    return data.map((raw, i) => ({ where: `item ${i + 1}`, raw }));
  }
  let records;
  try {
    records = parseCsv(text);
  } catch (e) {
    throw new CliError(`${file}: ${oneLine(e)}`);
  }
  const header = checkHeader(file, records[0]);
  return records.slice(1).map((r) => csvRow(header, r));
}

/**
 * The same rows streamed: the file is read in 64 kB chunks, CSV records and JSON array items are
 * yielded as they complete, so memory stays flat however long the file is.
 */
export async function* streamUnlockFile(file: string): AsyncGenerator<Located> {
  const kind = kindOf(file);
  const stream = createReadStream(resolve(file), { encoding: 'utf8', highWaterMark: 64 * 1024 });
  const opened = new Promise<void>((ok, fail) => {
    stream.once('open', () => ok());
    stream.once('error', fail);
  });
  try {
    await opened;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(code === 'ENOENT' ? `file not found: ${file}` : `cannot read ${file}: ${oneLine(e)}`);
  }
  try {
    if (kind === 'json') {
      const items = new JsonArrayStream();
      const located = (texts: string[]) => {
        const base = items.count - texts.length;
        return texts.map((t, i) => {
          const n = base + i + 1;
          try {
            return { where: `item ${n}`, raw: JSON.parse(t) as unknown };
          } catch (e) {
            throw new CliError(`${file} is not valid JSON: item ${n}: ${oneLine(e)}`);
          }
        });
      };
      for await (const chunk of stream) yield* located(items.push(chunk as string, file));
      yield* located(items.end(file));
      return;
    }
    const csv = new CsvStream();
    let header: string[] | undefined;
    const rows = function* (records: CsvRecord[]): Generator<Located> {
      for (const r of records) {
        if (!header) header = checkHeader(file, r);
        else yield csvRow(header, r);
      }
    };
    try {
      for await (const chunk of stream) yield* rows(csv.push(chunk as string));
      yield* rows(csv.end());
    } catch (e) {
      if (e instanceof CliError) throw e;
      throw new CliError(`${file}: ${oneLine(e)}`);
    }
    if (!header) checkHeader(file, undefined);
  } finally {
    stream.destroy();
  }
}

/** "line 3" before "line 12" */
export const byLocation = (a: RowProblem, b: RowProblem) => Number(/\d+/.exec(a.where)?.[0] ?? 0) - Number(/\d+/.exec(b.where)?.[0] ?? 0);

/**
 * Where each id occurs among the rows that passed their check: the same id twice in one file makes
 * every occurrence bad (which one is right cannot be known). Holds one location per id, so a streamed
 * file costs its ids, not its rows.
 */
export class IdTally {
  private readonly first = new Map<string, string>();
  private readonly repeated = new Map<string, string[]>();

  add(id: string, where: string): void {
    const seen = this.first.get(id);
    if (seen === undefined) this.first.set(id, where);
    else this.repeated.set(id, [...(this.repeated.get(id) ?? [seen]), where]);
  }

  isDuplicate(id: string): boolean {
    return this.repeated.has(id);
  }

  /** one problem per occurrence of a repeated id */
  problems(): RowProblem[] {
    return [...this.repeated].flatMap(([id, all]) => all.map((where) => ({ where, problems: [`duplicate id "${id}" (also at ${all.filter((w) => w !== where).join(', ')})`] })));
  }
}

/** Rows read whole, checked: the valid ones and every problem, by location (the backtest's calendar). */
export function validateUnlockRows(rows: Located[]): { valid: Array<UnlockRow & { where: string }>; invalid: RowProblem[] } {
  const valid: Array<UnlockRow & { where: string }> = [];
  const invalid: RowProblem[] = [];
  const ids = new IdTally();
  for (const loc of rows) {
    const c = checkUnlockRow(loc);
    if ('problem' in c) invalid.push(c.problem);
    else {
      valid.push(c.row);
      ids.add(c.row.id, c.row.where);
    }
  }
  invalid.push(...ids.problems());
  invalid.sort(byLocation);
  return { valid: valid.filter((v) => !ids.isDuplicate(v.id)), invalid };
}
