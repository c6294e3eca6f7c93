/**
 * Ctrl-C during `unlock-trader backtest`: the CLI process gets SIGINT after its first progress line;
 * it stops the run, exits 130 with one error line, stores no run and removes its throwaway folder
 * (the child's TMPDIR is a private folder, so "removed" is checked without racing other tests).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshSqliteDb, type TestDb } from '../helpers/db';

const ROOT = join(__dirname, '..', '..');
const SAMPLE = join(ROOT, 'examples', 'backtest');

let tdb: TestDb;
let tmp: string;
afterAll(async () => {
  await tdb?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('SIGINT after progress: exit 130, one line, nothing stored, temp folder removed', async () => {
  tdb = await freshSqliteDb();
  tmp = mkdtempSync(join(tmpdir(), 'ctrl-c-'));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'cli', 'main.ts'), 'backtest', join(SAMPLE, 'strategy.json'), '--unlocks', join(SAMPLE, 'unlocks.csv'), '--ohlcv', join(SAMPLE, 'ohlcv'), '--from', '2025-02-01', '--to', '2025-06-01'],
    { cwd: ROOT, env: { ...process.env, DATABASE_URL: tdb.url, TMPDIR: tmp }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  let signalled = false;
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => {
    err += b.toString();
    if (!signalled && /^backtest \d{4}-\d{2}-\d{2} · events \d+\/\d+/m.test(err)) {
      signalled = true;
      // the run's folder exists while it runs
      expect(readdirSync(tmp).some((f) => f.startsWith('unlock-backtest-'))).toBe(true);
      child.kill('SIGINT');
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  expect(signalled).toBe(true);
  expect(code).toBe(130);
  const errorLines = err.split('\n').filter((l) => l.startsWith('error: '));
  expect(errorLines).toEqual(['error: interrupted: backtest stopped, nothing stored']);
  expect(err).not.toMatch(/\n\s+at /);
  expect(out).not.toContain('stored (report it');
  expect(await tdb.db.backtestRun.count()).toBe(0);
  expect(readdirSync(tmp).filter((f) => f.startsWith('unlock-backtest-'))).toEqual([]);
}, 180_000);
