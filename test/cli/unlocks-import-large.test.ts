/**
 * Issue 17, defect 10: `unlocks import` of a large calendar, streamed and written in batches inside one
 * transaction, on SQLite and on Postgres (its memory is a benchmark figure: bench/unlock-import.ts).
 *  - 100,000 rows import through the real CLI process with its V8 heap capped at 256 MB (the code before
 *    the fix held every row and one Prisma upsert per row: 4.6 GB for these rows, so it dies there);
 *    an id already there is updated with its first import time kept;
 *  - a bad row near the end (row 99,999) imports nothing: the rows already there are unchanged;
 *  - a database failure in the last batches (a trigger refusing row 19,990 of 20,000: 199 batches
 *    written before it) rolls back every one of them: nothing changes;
 *  - the same for a JSON array, read item by item.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { baseChildEnv } from '../helpers/child-env';
import { DB_KINDS, freshDb, type TestDb } from '../helpers/db';
import { writeCalendar } from '../helpers/unlock-calendar';
import { cli, expectOneLineError } from './helpers';

const ROWS = 100_000;
const ROOT = join(__dirname, '..', '..');
/** V8's heap limit for the import process: far below what holding 100,000 rows and their upserts takes */
const HEAP_CAP_MB = 256;
let dir: string;
const files = { ok: '', bad: '', badJson: '', mid: '' };
const saved = { ...process.env };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'unlocks-large-'));
  files.ok = join(dir, 'ok.csv');
  files.bad = join(dir, 'bad.csv');
  files.badJson = join(dir, 'bad.json');
  files.mid = join(dir, 'mid.csv');
  await Promise.all([writeCalendar(files.mid, { rows: 20_000 }), writeCalendar(files.ok, { rows: ROWS }), writeCalendar(files.bad, { rows: ROWS, badAt: ROWS - 1 }), writeCalendar(files.badJson, { rows: ROWS, badAt: ROWS - 1, format: 'json' })]);
});
afterAll(() => {
  process.env = saved;
  rmSync(dir, { recursive: true, force: true });
});

describe.each(DB_KINDS)('%s', (kind) => {
  let tdb: TestDb;
  const snapshot = () => tdb.db.unlockEvent.findMany({ orderBy: { id: 'asc' } });
  beforeAll(async () => {
    tdb = await freshDb(kind);
    process.env.DATABASE_URL = tdb.url;
    // rows already in the calendar: one the file updates, one it does not name
    await tdb.db.unlockEvent.createMany({
      data: [
        { id: 'gen-50000', symbol: 'OLD/USDT', unlockAt: new Date('2031-01-01T00:00:00Z'), unlockAmount: '1', circulatingSupply: '2', source: 'before', importedAt: new Date('2026-01-02T03:04:05Z') },
        { id: 'keep-1', symbol: 'ARB/USDT', unlockAt: new Date('2031-02-01T00:00:00Z'), unlockAmount: '5', circulatingSupply: '6', source: null },
      ],
    });
  }, 60_000);
  afterAll(() => tdb?.close());

  test('a bad row near the end (line 100,000) imports nothing', async () => {
    const before = await snapshot();
    const r = await cli('unlocks', 'import', files.bad);
    expectOneLineError(r, /^error: 1 invalid row\(s\) in .*bad\.csv: nothing imported \(fix them, or use --skip-invalid to import the 99999 valid row\(s\)\)\n$/);
    expect(r.out).toBe(`${files.bad} line 100000: symbol must be BASE/QUOTE in capitals, e.g. ARB/USDT\n`);
    expect(await snapshot()).toEqual(before);
  }, 120_000);

  test('a database failure in the last batches rolls back every batch before it', async () => {
    const before = await snapshot();
    if (kind === 'sqlite') {
      await tdb.db.$executeRawUnsafe(`CREATE TRIGGER refuse_late_row BEFORE INSERT ON "UnlockEvent" WHEN NEW."id" = 'gen-19990' BEGIN SELECT RAISE(ABORT, 'refused by the test trigger'); END`);
    } else {
      await tdb.db.$executeRawUnsafe(`CREATE FUNCTION refuse_late_row() RETURNS trigger AS $$ BEGIN IF NEW."id" = 'gen-19990' THEN RAISE EXCEPTION 'refused by the test trigger'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`);
      await tdb.db.$executeRawUnsafe(`CREATE TRIGGER refuse_late_row BEFORE INSERT ON "UnlockEvent" FOR EACH ROW EXECUTE FUNCTION refuse_late_row()`);
    }
    try {
      const r = await cli('unlocks', 'import', files.mid);
      // Postgres passes the trigger's message on; the SQLite driver names the aborted constraint
      expectOneLineError(r, kind === 'sqlite' ? /^error: import failed, nothing imported: .*constraint/i : /^error: import failed, nothing imported: .*refused by the test trigger/);
      expect(await snapshot()).toEqual(before);
    } finally {
      await tdb.db.$executeRawUnsafe(kind === 'sqlite' ? 'DROP TRIGGER refuse_late_row' : 'DROP TRIGGER refuse_late_row ON "UnlockEvent"');
    }
  }, 180_000);

  test('JSON: a bad item near the end (item 99,999) imports nothing', async () => {
    const before = await snapshot();
    const r = await cli('unlocks', 'import', files.badJson);
    expectOneLineError(r, /^error: 1 invalid row\(s\) in .*bad\.json: nothing imported/);
    expect(r.out).toBe(`${files.badJson} item 99999: symbol must be BASE/QUOTE in capitals, e.g. ARB/USDT\n`);
    expect(await snapshot()).toEqual(before);
  }, 120_000);

  test(`100,000 rows import in a CLI process whose heap is capped at ${HEAP_CAP_MB} MB; the row already there is updated, its first import time kept`, async () => {
    const r = await promisify(execFile)(process.execPath, [`--max-old-space-size=${HEAP_CAP_MB}`, '--import', 'tsx', join(ROOT, 'cli', 'main.ts'), 'unlocks', 'import', files.ok], {
      cwd: ROOT,
      env: { ...baseChildEnv(), DATABASE_URL: tdb.url },
    }).catch((e: { code?: number; stdout?: string; stderr?: string }) => ({ stdout: e.stdout ?? '', stderr: `exit ${e.code}: ${(e.stderr ?? '').slice(-600)}` }));
    expect({ out: r.stdout, err: r.stderr }).toEqual({ out: `imported 100000 unlock event(s) from ${files.ok} (99999 new, 1 updated)\n`, err: '' });
    expect(await tdb.db.unlockEvent.count()).toBe(ROWS + 1);
    const updated = await tdb.db.unlockEvent.findUnique({ where: { id: 'gen-50000' } });
    expect(updated).toMatchObject({ symbol: 'APT/USDT', unlockAmount: expect.anything(), source: 'generated', importedAt: new Date('2026-01-02T03:04:05Z') });
    expect(updated!.unlockAmount.toString()).toBe('1050000');
    expect(updated!.unlockAt.toISOString()).toBe(new Date(Date.UTC(2030, 0, 1) + 50_000 * 60_000).toISOString());
    const last = await tdb.db.unlockEvent.findUnique({ where: { id: 'gen-100000' } });
    expect(last).toMatchObject({ symbol: 'STRK/USDT', source: 'generated' });
    expect(await tdb.db.unlockEvent.findUnique({ where: { id: 'keep-1' } })).toMatchObject({ symbol: 'ARB/USDT', source: null });
    // the range query the strategy's calendar scan makes sees the imported rows
    expect(await tdb.db.unlockEvent.count({ where: { unlockAt: { gte: new Date(Date.UTC(2030, 0, 1) + 99_000 * 60_000) } } })).toBe(1_000 + 2);
  }, 300_000);
});
