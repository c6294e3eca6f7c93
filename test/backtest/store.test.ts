/**
 * Stored backtest runs: a RunRecord saved to the app DB's BacktestRun table reads back identical
 * (by `backtest:<id>` or `<id>`), and an unknown id is a clear error.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshSqliteDb, type TestDb } from '../helpers/db';
import { generateSample } from '../../scripts/generate-backtest-sample';
import { loadBacktestInputs } from '../../cli/commands/backtest';
import { runReferenceLoop } from '../../backtest/reference-loop';
import { summarize } from '../../backtest/record';
import { listBacktestRuns, loadBacktestRun, saveBacktestRun } from '../../backtest/store';

let tdb: TestDb;
beforeAll(async () => {
  tdb = await freshSqliteDb();
});
afterAll(async () => tdb?.close());

test('save → load round trip', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bt-store-'));
  const s = generateSample({ out: dir, symbols: 3, events: 10, days: 60, from: Date.parse('2025-01-01T00:00:00Z'), seed: 5 });
  const inputs = loadBacktestInputs(join(__dirname, '..', '..', 'examples', 'backtest', 'strategy.json'), { unlocks: s.calendar, ohlcv: s.ohlcvDir });
  const { record } = await runReferenceLoop(inputs, 'backtest:store-1');
  expect(record.events).toHaveLength(10);
  expect(record.dailyEquity.length).toBeGreaterThanOrEqual(59);
  const id = await saveBacktestRun(tdb.db, record, summarize(record));
  expect(id).toBe('store-1');
  expect(await loadBacktestRun(tdb.db, 'backtest:store-1')).toEqual(record);
  expect(await loadBacktestRun(tdb.db, 'store-1')).toEqual(record);
  const listed = await listBacktestRuns(tdb.db);
  expect(listed.map((r) => [r.id, r.strategyId, r.from, r.to])).toEqual([['store-1', record.strategyId, record.from, record.to]]);
  await expect(loadBacktestRun(tdb.db, 'backtest:nope')).rejects.toThrow('no backtest run "nope" in the app database');
});
