/**
 * `report <id> --html`, `report compare` and their bad input, on a seeded SQLite app DB with Temporal
 * unreachable (the report reads the database only): a paper strategy with closed, open, skipped and
 * failed positions, signals with reason codes and a mode change. Every bad input is one error line,
 * a non-zero exit, and nothing written.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshSqliteDb, type TestDb } from '../helpers/db';
import { freePort } from '../helpers/ports';
import { cli, expectOneLineError } from './helpers';
import { loadStrategyRun } from '../../report/load-strategy-run';

let tdb: TestDb;
let dir: string;
const saved = { ...process.env };
const t = (day: number, h = 0) => new Date(Date.UTC(2026, 0, 1 + day, h));

beforeAll(async () => {
  tdb = await freshSqliteDb();
  dir = mkdtempSync(join(tmpdir(), 'cli-report-run-'));
  process.env.DATABASE_URL = tdb.url;
  process.env.TEMPORAL_ADDRESS = `127.0.0.1:${await freePort()}`;
  const db = tdb.db;
  const config = JSON.stringify({ strategyId: 'paper-a', gate: { basis: 'daily' } });
  await db.strategy.create({ data: { id: 'paper-a', strategyType: 'token-unlock', configJson: config, mode: 'LIVE_MINIMAL', state: 'RUNNING', workflowId: 'strategy-paper-a', initialCapital: '10000', riskPerTradePct: '0.5', maxExposurePct: '20', dailyLossPct: '5', createdAt: t(0) } });
  await db.modeChange.create({ data: { id: 'mc1', strategyId: 'paper-a', fromMode: 'PAPER', toMode: 'LIVE_MINIMAL', reason: 'approved by alice', at: t(8) } });
  const closed = [
    { ev: 'AAA-1', sym: 'AAA/USDT', entry: '10', exit: '11', signal: '9.99', pnl: '97.9', reason: 'TAKE_PROFIT', o: 1, c: 3 },
    { ev: 'BBB-1', sym: 'BBB/USDT', entry: '20', exit: '19', signal: '19.98', pnl: '-51.95', reason: 'STOP_LOSS', o: 4, c: 5 },
  ];
  for (const x of closed) {
    await db.position.create({ data: { id: `position-paper-a-${x.ev}`, strategyId: 'paper-a', eventId: x.ev, symbol: x.sym, mode: 'PAPER', status: 'CLOSED', quantity: '100', entryPrice: x.entry, exitPrice: x.exit, entryFee: '1', exitFee: '1', realizedPnl: x.pnl, exitReason: x.reason, openedAt: t(x.o), closedAt: t(x.c, 12) } });
    await db.order.create({ data: { clientOrderId: `${x.ev}-entry`, strategyId: 'paper-a', positionId: `position-paper-a-${x.ev}`, purpose: 'entry', venue: 'paper', mode: 'PAPER', symbol: x.sym, side: 'buy', type: 'market', amount: '100', status: 'FILLED', filledAmount: '100', avgPrice: x.entry, signalPrice: x.signal, fee: '1' } });
    await db.unlockEvent.create({ data: { id: x.ev, symbol: x.sym, unlockAt: t(x.o + 1), unlockAmount: '1', circulatingSupply: '10' } });
  }
  await db.position.create({ data: { id: 'position-paper-a-CCC-1', strategyId: 'paper-a', eventId: 'CCC-1', symbol: 'CCC/USDT', mode: 'LIVE_MINIMAL', status: 'OPEN', quantity: '5', entryPrice: '2', entryFee: '0.01', openedAt: t(9) } });
  await db.position.create({ data: { id: 'position-paper-a-DDD-1', strategyId: 'paper-a', eventId: 'DDD-1', symbol: 'DDD/USDT', mode: 'PAPER', status: 'FAILED' } });
  await db.tradingSignal.create({ data: { id: 'paper-a:EEE-1:1', strategyId: 'paper-a', eventId: 'EEE-1', symbol: 'EEE/USDT', accepted: false, reasonsJson: JSON.stringify([{ code: 'LOW_VOLUME', message: 'volume below minimum' }]) } });
});
afterAll(async () => {
  process.env = saved;
  await tdb?.close();
});

test('the strategy as a RunRecord: trades with slippage, events with reasons, daily equity, modes, gate', async () => {
  const r = await loadStrategyRun(tdb.db, 'paper-a', { now: t(10, 6).getTime() });
  expect(r.kind).toBe('live');
  expect(r.trades.map((x) => [x.eventId, x.slippage, x.pnl])).toEqual([['AAA-1', '1', '97.9'], ['BBB-1', '2', '-51.95']]);
  expect(Object.fromEntries(r.events.map((e) => [e.eventId, [e.entered, e.reasons]]))).toEqual({ 'AAA-1': [true, []], 'BBB-1': [true, []], 'CCC-1': [true, []], 'DDD-1': [false, ['ENTRY_FAILED']], 'EEE-1': [false, ['LOW_VOLUME']] });
  expect(r.dailyEquity.map((p) => p.date)).toEqual(Array.from({ length: 11 }, (_, i) => `2026-01-${String(i + 1).padStart(2, '0')}`));
  expect(r.dailyEquity[2]!.equity).toBe('10000'); // AAA closes at noon on day 3 (index 3)
  expect(r.dailyEquity[3]!.equity).toBe('10097.9');
  expect(r.dailyEquity[10]!.equity).toBe('10045.94'); // open CCC at entry value minus its entry fee
  expect(r.modeHistory).toEqual([{ mode: 'PAPER', since: t(0).getTime() }, { mode: 'LIVE_MINIMAL', since: t(8).getTime(), by: 'approved by alice' }]);
  expect(r.gate).toMatchObject({ basis: 'live step: net P&L', recomputedFromDatabase: true });
  expect((r.config as { markSource: string }).markSource).toMatch(/entry price/);
});

test('report <id> --html writes one self-contained page', async () => {
  const file = join(dir, 'paper-a.html');
  const r = await cli('report', 'paper-a', '--html', file);
  expect(r).toMatchObject({ code: 0, err: '' });
  expect(r.out).toMatch(/wrote the HTML report of paper-a \(live: 2 trade\(s\), 5 event\(s\), \d+ daily close\(s\)\)/);
  const html = readFileSync(file, 'utf8');
  for (const id of ['chart-equity', 'chart-underwater', 'chart-monthly', 'chart-trade-returns', 'chart-exit-reasons']) expect(html).toContain(`id="${id}"`);
  expect(html).toContain('Mode history');
  expect(html).toContain('LOW_VOLUME');
});

test('report compare: text names the differing events; --json and --html', async () => {
  const same = await cli('report', 'compare', 'paper-a', 'paper-a');
  expect(same.code).toBe(0);
  expect(same.out).toContain('5 event(s), 0 differ');
  const file = join(dir, 'cmp.html');
  const j = await cli('report', 'compare', 'paper-a', 'paper-a', '--json', '--html', file);
  expect(j.code).toBe(0);
  expect(JSON.parse(j.out).differing).toEqual([]);
  expect(readFileSync(file, 'utf8')).toContain('Events side by side');
});

describe('bad input: one line, non-zero exit, nothing written', () => {
  const before = () => readdirSync(dir).sort();
  test.each([
    ['unknown strategy', ['report', 'nobody', '--html', 'X'], 'no strategy "nobody" in the database'],
    ['not a run reference', ['report', 'Bad_Id', '--html', 'X'], 'neither a strategy id'],
    ['empty backtest id', ['report', 'backtest:', '--html', 'X'], 'is not a backtest run reference'],
    ['--html into a missing directory', ['report', 'paper-a', '--html', '/nonexistent-dir/r.html'], 'directory /nonexistent-dir does not exist'],
    ['--html is a directory', ['report', 'paper-a', '--html', 'DIR'], 'is a directory, not a file'],
    ['bad format for a backtest', ['report', 'backtest:run-1', '--format', 'xml'], '--format must be json or csv, got "xml"'],
    ['compare with a missing run', ['report', 'compare', 'paper-a', 'ghost', '--html', 'X'], 'no strategy "ghost" in the database'],
    ['compare with a bad reference', ['report', 'compare', 'paper-a', 'backtest:../x'], 'is not a backtest run reference'],
    ['compare --html into a missing directory', ['report', 'compare', 'paper-a', 'paper-a', '--html', '/nonexistent-dir/c.html'], 'does not exist'],
  ])('%s', async (_name, argv, message) => {
    const files = before();
    const args = argv.map((a) => (a === 'X' ? join(dir, 'never.html') : a === 'DIR' ? dir : a));
    const r = await cli(...args);
    expectOneLineError(r, message);
    expect(r.out).toBe('');
    expect(before()).toEqual(files);
    expect(existsSync(join(dir, 'never.html'))).toBe(false);
  });
  test('a backtest run when this build has no backtest store (or no such run)', async () => {
    const r = await cli('report', 'backtest:run-1', '--html', join(dir, 'never.html'));
    expectOneLineError(r, /this build has no backtest store|no backtest run "run-1"|run-1/);
    expect(existsSync(join(dir, 'never.html'))).toBe(false);
  });
});
