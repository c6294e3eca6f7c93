/**
 * `npm run bench -- --unlock-import` — memory and time of `unlocks import` (issue 17, defect 10: a
 * 50,000-row calendar took 2.4 GB; target ≤ 300 MB for 100,000 rows). Not a timed test.
 *
 * Generates an N-row CSV calendar (test/helpers/unlock-calendar.ts) and runs the real CLI as a child
 * process (`node --import tsx cli/main.ts unlocks import <file>`) on a fresh database, twice: a
 * 10-row file first (the floor: what the CLI costs with nothing to import), then the N-row file. The
 * child's peak resident set comes from its own getrusage at exit (bench/lib/report-max-rss.cjs), the
 * time from this process's clock. Prints both and the ratio to the floor; writes
 * bench/results-unlock-import-<date>.json.
 *
 *   npm run bench -- --unlock-import [--rows 100000] [--db sqlite|postgres] [--format csv|json]
 *                                    [--root <checkout>]   (another checkout's CLI, e.g. the code before)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { arg } from '../config/argv';
import { writeCalendar } from '../test/helpers/unlock-calendar';
import { freshPostgresDb, freshSqliteDb, type TestDb } from '../test/helpers/db';

const ROOT = join(__dirname, '..');
const MiB = 1024 * 1024;

interface ImportRun {
  rows: number;
  code: number | null;
  wallS: number;
  peakRssMiB: number;
  lastLine: string;
}

async function importOnce(root: string, file: string, rows: number, databaseUrl: string, dir: string): Promise<ImportRun> {
  const report = join(dir, `rss-${rows}.txt`);
  writeFileSync(report, '');
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--require', join(ROOT, 'bench', 'lib', 'report-max-rss.cjs'), '--import', 'tsx', join(root, 'cli', 'main.ts'), 'unlocks', 'import', file], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl, MAX_RSS_REPORT: report },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out = (out + b.toString()).slice(-2000)));
  child.stderr.on('data', (b: Buffer) => (out = (out + b.toString()).slice(-2000)));
  const code = await new Promise<number | null>((r) => child.on('close', r));
  const wallS = (performance.now() - t0) / 1000;
  const peak = Number(readFileSync(report, 'utf8').trim().split('\n').pop() || 0);
  return { rows, code, wallS: Number(wallS.toFixed(2)), peakRssMiB: Math.round(peak / MiB), lastLine: out.trim().split('\n').pop() ?? '' };
}

export async function runUnlockImportBench(): Promise<void> {
  const rows = Number(arg('rows') ?? 100_000);
  if (!Number.isInteger(rows) || rows < 10) throw new Error('--rows must be an integer ≥ 10');
  const kind = arg('db') ?? 'sqlite';
  if (kind !== 'sqlite' && kind !== 'postgres') throw new Error('--db must be sqlite or postgres');
  const format = arg('format') ?? 'csv';
  if (format !== 'csv' && format !== 'json') throw new Error('--format must be csv or json');
  const root = resolve(arg('root') ?? ROOT);
  const dir = mkdtempSync(join(tmpdir(), 'bench-unlock-import-'));
  let db: TestDb | undefined;
  try {
    const small = join(dir, `floor.${format}`);
    const large = join(dir, `calendar-${rows}.${format}`);
    await writeCalendar(small, { rows: 10, format });
    await writeCalendar(large, { rows, format });
    db = kind === 'sqlite' ? await freshSqliteDb() : await freshPostgresDb('bench');
    console.log(`unlock import bench: ${rows} rows (${format}), ${kind}, CLI of ${root}; load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
    const floor = await importOnce(root, small, 10, db.url, dir);
    console.log(`floor (10 rows): ${floor.peakRssMiB} MiB peak RSS, ${floor.wallS} s — ${floor.lastLine}`);
    const big = await importOnce(root, large, rows, db.url, dir);
    console.log(`${rows} rows: ${big.peakRssMiB} MiB peak RSS, ${big.wallS} s (${Math.round(rows / big.wallS)} rows/s) — ${big.lastLine}`);
    const imported = await db.db.unlockEvent.count();
    const result = {
      at: new Date().toISOString(),
      rows,
      format,
      db: kind,
      root,
      loadavgEnd: loadavg().map((x) => Number(x.toFixed(2))),
      floor,
      import: big,
      rowsInDb: imported,
      peakRatioToFloor: Number((big.peakRssMiB / floor.peakRssMiB).toFixed(2)),
      peakOverFloorMiB: big.peakRssMiB - floor.peakRssMiB,
      targetMet: big.code === 0 && big.peakRssMiB * MiB <= 300e6,
    };
    console.log(
      `peak RSS ${big.peakRssMiB} MiB = ${result.peakRatioToFloor}× the floor (+${result.peakOverFloorMiB} MiB); target ≤ 300 MB: ${result.targetMet ? 'met' : 'MISSED'}; rows in the DB ${imported}`,
    );
    const out = join(ROOT, 'bench', `results-unlock-import-${result.at.replace(/[:.]/g, '-').slice(0, 19)}.json`);
    writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
    console.log(`wrote ${out}`);
  } finally {
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  runUnlockImportBench().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
