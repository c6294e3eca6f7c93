/**
 * Bad input to `backtest` and `data ohlcv`: one clear line on stderr, a non-zero exit, and nothing
 * started (the errors come before a server, worker or DB is touched) or written (no stored run, no
 * throwaway folder, no output folder).
 */
import { existsSync, mkdtempSync, readdirSync, writeFileSync, copyFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, expectOneLineError } from '../cli/helpers';
import { freshSqliteDb, type TestDb } from '../helpers/db';
import { generateSample } from '../../scripts/generate-backtest-sample';

const SAMPLE_CONFIG = join(__dirname, '..', '..', 'examples', 'backtest', 'strategy.json');
let dir: string;
let sample: ReturnType<typeof generateSample>;
let tdb: TestDb;
const savedUrl = process.env.DATABASE_URL;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bt-bad-'));
  sample = generateSample({ out: join(dir, 'sample'), symbols: 3, events: 8, days: 40, from: Date.parse('2025-01-01T00:00:00Z'), seed: 3 });
  tdb = await freshSqliteDb();
  process.env.DATABASE_URL = tdb.url;
});
afterAll(async () => {
  process.env.DATABASE_URL = savedUrl;
  await tdb?.close();
});

const throwaways = () => readdirSync(tmpdir()).filter((n) => n.startsWith('unlock-backtest-')).length;
const write = (name: string, text: string) => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};

async function expectRefused(args: string[], pattern: RegExp) {
  const before = throwaways();
  const t0 = Date.now();
  const r = await cli('backtest', ...args);
  expectOneLineError(r, pattern);
  expect(Date.now() - t0).toBeLessThan(10_000); // refused up front, nothing was started
  expect(throwaways()).toBe(before);
  expect(await tdb.db.backtestRun.count()).toBe(0);
}

const base = () => [SAMPLE_CONFIG, '--unlocks', sample.calendar, '--ohlcv', sample.ohlcvDir];

test('a config that fails the schema', async () => {
  const bad = write('bad-config.json', JSON.stringify({ strategyId: 'Not Valid!', tokenUnlock: { stopLossPct: '-3' } }));
  await expectRefused([bad, '--unlocks', sample.calendar, '--ohlcv', sample.ohlcvDir], /invalid strategy config .*bad-config\.json: .*strategyId/);
});

test('a calendar row that does not parse names its line', async () => {
  const cal = write('bad-cal.csv', 'id,symbol,unlockAt,unlockAmount,circulatingSupply\nE1,ARB/USDT,2025-01-20T00:00:00Z,8000000,100000000\nE2,ARB/USDT,next tuesday,8000000,100000000\n');
  await expectRefused([SAMPLE_CONFIG, '--unlocks', cal, '--ohlcv', sample.ohlcvDir], /bad-cal\.csv line 3: unlockAt must be an ISO 8601/);
});

test('a candle file that does not parse names its line', async () => {
  const ohlcv = join(dir, 'bad-ohlcv');
  mkdirSync(ohlcv);
  for (const s of sample.symbols) copyFileSync(join(sample.ohlcvDir, `${s.replace('/', '_')}.csv`), join(ohlcv, `${s.replace('/', '_')}.csv`));
  writeFileSync(join(ohlcv, 'ZZZ_USDT.csv'), 'timestamp,open,high,low,close,volume\n1735689600000,1.0,1.1,0.9,1.05,100\n1735693200000,1.05,abc,1.0,1.02,100\n');
  await expectRefused([SAMPLE_CONFIG, '--unlocks', sample.calendar, '--ohlcv', ohlcv], /ZZZ_USDT\.csv line 3: high: high must be a non-negative decimal/);
});

test('a symbol with no candles over an event window', async () => {
  const cal = write('no-candles.csv', `id,symbol,unlockAt,unlockAmount,circulatingSupply\nE1,${sample.symbols[0]},2025-01-20T00:00:00Z,8000000,100000000\nE2,WLD/USDT,2025-01-25T00:00:00Z,8000000,100000000\n`);
  await expectRefused([SAMPLE_CONFIG, '--unlocks', cal, '--ohlcv', sample.ohlcvDir], /event E2 \(WLD\/USDT, unlock 2025-01-25T00:00Z\): no WLD\/USDT candles in --ohlcv/);
  const late = write('late.csv', `id,symbol,unlockAt,unlockAmount,circulatingSupply\nE3,${sample.symbols[1]},2025-02-09T12:00:00Z,8000000,100000000\n`);
  await expectRefused([SAMPLE_CONFIG, '--unlocks', late, '--ohlcv', sample.ohlcvDir, '--to', '2025-03-01'], /event E3 .*: no .* candles over its window/);
});

test('a bad --from and a --to before it', async () => {
  await expectRefused([...base(), '--from', 'yesterday'], /--from must be a date YYYY-MM-DD or an ISO 8601 time with a zone, got "yesterday"/);
  await expectRefused([...base(), '--from', '2025-02-01', '--to', '2025-01-15'], /--to \(2025-01-15T00:00Z\) must be after --from/);
});

test('missing files', async () => {
  await expectRefused([SAMPLE_CONFIG, '--unlocks', join(dir, 'nope.csv'), '--ohlcv', sample.ohlcvDir], /file not found: .*nope\.csv/);
  await expectRefused([...base().slice(0, 3), '--ohlcv', join(dir, 'no-such-dir')], /--ohlcv: no such file or directory/);
  await expectRefused([join(dir, 'missing.json'), '--unlocks', sample.calendar, '--ohlcv', sample.ohlcvDir], /file not found: .*missing\.json/);
});

test('an --html file in a folder that does not exist', async () => {
  await expectRefused([...base(), '--html', join(dir, 'no', 'such', 'report.html')], /--html: folder .* does not exist/);
});

describe('data ohlcv', () => {
  const out = () => join(dir, 'dl-out');
  const ohlcv = (over: Record<string, string>) => {
    const o = { '--exchange': 'binance', '--symbols': 'ARB/USDT', '--timeframe': '1h', '--since': '2025-01-01', '--out': out(), ...over };
    return cli('data', 'ohlcv', ...Object.entries(o).flat());
  };
  test.each([
    ['a timeframe the exchange does not offer', { '--timeframe': '7m' }, /--timeframe: binance offers .*1h.*, not "7m"/],
    ['an unknown exchange id', { '--exchange': 'notanexchange' }, /--exchange: "notanexchange" is not a ccxt exchange id/],
    ['a bad --since', { '--since': '01/02/2025' }, /--since must be a date YYYY-MM-DD/],
    ['a bad symbol', { '--symbols': 'ARB-USDT' }, /--symbols: "ARB-USDT" is not BASE\/QUOTE/],
    ['--until before --since', { '--until': '2024-12-01' }, /--until must be after --since/],
  ])('%s', async (_name, over, pattern) => {
    expectOneLineError(await ohlcv(over), pattern);
    expect(existsSync(out())).toBe(false);
  });
});
