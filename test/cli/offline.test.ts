/**
 * CLI commands that need only the database (unlocks, report, alerts, audit, config validate), input
 * validation that must happen before anything connects (Temporal points at a dead port here), health
 * with Temporal down, every command's --help, and the real launcher as a child process.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freshSqliteDb, type TestDb } from '../helpers/db';
import { freePort } from '../helpers/ports';
import { appendAudit } from '../../activities/audit';
import { cli, expectOneLineError } from './helpers';

const ROOT = join(__dirname, '..', '..');
let tdb: TestDb;
let dir: string;
const saved = { ...process.env };

beforeAll(async () => {
  tdb = await freshSqliteDb();
  dir = mkdtempSync(join(tmpdir(), 'cli-offline-'));
  process.env.DATABASE_URL = tdb.url;
  // nothing listens here: any command that connected to Temporal would fail with "cannot reach Temporal"
  process.env.TEMPORAL_ADDRESS = `127.0.0.1:${await freePort()}`;
  delete process.env.EXCHANGE_URL_OVERRIDE;
  delete process.env.EXCHANGE_API_KEY;
});
afterAll(async () => {
  process.env = saved;
  await tdb?.close();
});

const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

test('the launcher runs as a real process: --help exits 0; an error is one line without a stack', async () => {
  const exec = promisify(execFile);
  const help = await exec(process.execPath, ['bin/unlock-trader.js', '--help'], { cwd: ROOT });
  expect(help.stdout).toMatch(/Usage: unlock-trader/);
  for (const c of ['strategy', 'positions', 'approve', 'reject', 'pause', 'resume', 'emergency-stop', 'limits', 'stop', 'unlocks', 'report', 'alerts', 'audit', 'health', 'config']) {
    expect(help.stdout).toContain(c);
  }
  const bad = await exec(process.execPath, ['bin/unlock-trader.js', 'strategy', 'start', join(dir, 'missing.json')], { cwd: ROOT }).then(
    () => {
      throw new Error('should have failed');
    },
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
  expect(bad.code).toBe(1);
  expect(bad.stderr).toBe(`error: file not found: ${join(dir, 'missing.json')}\n`);
});

test('every command has --help', async () => {
  const commands = [
    ['strategy', 'start'],
    ['strategy', 'list'],
    ['strategy', 'status'],
    ['config', 'validate'],
    ['positions'],
    ['approve'],
    ['reject'],
    ['pause'],
    ['resume'],
    ['emergency-stop'],
    ['limits'],
    ['stop'],
    ['unlocks', 'import'],
    ['unlocks', 'list'],
    ['report'],
    ['alerts'],
    ['alerts', 'ack'],
    ['audit', 'verify'],
    ['audit', 'export'],
    ['health'],
  ];
  for (const c of commands) {
    const r = await cli(...c, '--help');
    expect({ c, code: r.code }).toEqual({ c, code: 0 });
    expect(r.out).toMatch(new RegExp(`Usage: unlock-trader ${c.join(' ')}`));
  }
  expect((await cli('unlocks', 'import', '--help')).out).toMatch(/By default NOTHING is imported/);
  expectOneLineError(await cli('no-such-command'), /unknown command 'no-such-command'/);
  process.env.UNLOCK_TRADER_OPERATOR = 'alice';
  try {
    expectOneLineError(await cli('approve', 'demo', '--by', 'mallory'), '--by "mallory" is not you: the operator is "alice" (from UNLOCK_TRADER_OPERATOR)');
  } finally {
    delete process.env.UNLOCK_TRADER_OPERATOR;
  }
});

test('config validate: normalized config, or one line naming each bad field', async () => {
  const ok = await cli('config', 'validate', join(ROOT, 'examples', 'strategy-paper.yaml'));
  expect(ok.code).toBe(0);
  expect(JSON.parse(ok.out)).toMatchObject({ strategyId: 'paper-unlocks', mode: 'PAPER', gate: { paperPeriod: 7 * 86_400_000 } });
  expect((await cli('config', 'validate', join(ROOT, 'examples', 'strategy-demo.json'))).code).toBe(0);

  const bad = file('bad.yaml', 'strategyId: Bad_Id\ncapital:\n  initial: "-5"\nrisk:\n  maxOpenPositions: 0\n');
  const r = await cli('config', 'validate', bad);
  expectOneLineError(r, /invalid strategy config .*bad\.yaml: strategyId: .*capital\.initial: .*risk\.maxOpenPositions/);
  expect(r.out).toBe('');
  expectOneLineError(await cli('config', 'validate', file('broken.json', '{"strategyId": ')), /broken\.json is not valid JSON/);
  expectOneLineError(await cli('config', 'validate', file('unknown.json', '{"strategyId":"x","bogus":1}')), /Unrecognized key.*bogus/);
});

test('bad input is refused before anything connects (Temporal is unreachable here)', async () => {
  const bad = file('start-bad.json', JSON.stringify({ strategyId: 'x', risk: { maxOpenPositions: 'many' } }));
  expectOneLineError(await cli('strategy', 'start', bad), /invalid strategy config .*risk\.maxOpenPositions/);
  expectOneLineError(await cli('limits', 'demo', '--set', 'risk.maxOpenPositions=0'), /--set risk\.maxOpenPositions=0: .*greater than 0|too small/i);
  expectOneLineError(await cli('limits', 'demo', '--set', 'risk.nope=3'), /risk has no field "nope"/);
  expectOneLineError(await cli('limits', 'demo', '--set', 'ladder.LIVE_X.riskPerTradePct=1'), /"LIVE_X" is not a mode of the ladder/);
  expectOneLineError(await cli('limits', 'demo', '--set', 'ladder.PAPER.riskPerTradePct=abc'), /must be a decimal number/);
  expectOneLineError(await cli('limits', 'demo', '--set', 'capital.initial=5'), /only risk\.<field> and ladder/);
  expectOneLineError(await cli('limits', 'demo'), /nothing to change/);
  expectOneLineError(await cli('strategy', 'status', 'Not_An_Id'), /"Not_An_Id" is not a strategy id/);
  expectOneLineError(await cli('emergency-stop', 'demo', '--reason', ' '), /--reason must not be empty/);
  // a valid command does try to connect, and says where
  expectOneLineError(await cli('strategy', 'list'), /cannot reach Temporal at 127\.0\.0\.1:\d+/);
});

test('issue 17: limits out of range and free text over 500 characters are refused in one short line, before anything connects', async () => {
  expectOneLineError(await cli('limits', 'demo', '--set', 'ladder.LIVE_MINIMAL.riskPerTradePct=1000'), /--set ladder\.LIVE_MINIMAL\.riskPerTradePct=1000: riskPerTradePct must be > 0 and ≤ 10 %, got 1000/);
  expectOneLineError(await cli('limits', 'demo', '--set', 'risk.maxDrawdownPct=250'), /risk\.maxDrawdownPct must be > 0 and ≤ 100 %/);
  const long = 'x'.repeat(100_000);
  for (const argv of [
    ['emergency-stop', 'demo', '--reason', long],
    ['approve', 'demo', '--by', 'ops', '--note', long],
    ['reject', 'demo', '--by', long],
    ['pause', 'demo', '--reason', long],
    ['limits', 'demo', '--set', 'risk.maxDrawdownPct=25', '--by', long],
    ['stop', 'demo', '--reason', long],
    ['alerts', 'ack', 'some-alert', '--by', long],
  ]) {
    const r = await cli(...argv);
    expectOneLineError(r, /error: --(reason|note|by): at most 500 characters, got 100000\n$/);
    expect(r.err.length).toBeLessThan(200);
  }
});

test('health with Temporal down: exit 1, temporal and pollers DOWN, database ok, exchange paper', async () => {
  const r = await cli('health', '--json', '--timeout', '2');
  expect(r.code).toBe(1);
  expect(r.err).toMatch(/^error: unhealthy: temporal, workflow pollers, activity pollers down\n$/);
  const j = JSON.parse(r.out) as { ok: boolean; checks: Array<{ check: string; ok: boolean; detail: string }> };
  expect(j.ok).toBe(false);
  expect(Object.fromEntries(j.checks.map((c) => [c.check, c.ok]))).toEqual({ temporal: false, database: true, exchange: true, 'market data': true, 'workflow pollers': false, 'activity pollers': false, 'price feed': true, notify: true });
  expect(j.checks.find((c) => c.check === 'exchange')!.detail).toBe('paper (no exchange configured)');
  const table = await cli('health', '--timeout', '2');
  expect(table.out).toMatch(/temporal\s+DOWN/);
});

describe('unlocks import', () => {
  const header = 'id,symbol,unlockAt,unlockAmount,circulatingSupply,source';
  const csv = [
    header,
    'u1,ARB/USDT,2027-03-16T13:00:00Z,92650000,1275000000,sample', // line 2 ok
    'u2,arb-usdt,2027-03-16T13:00:00Z,1,100,', // line 3 bad symbol
    'u3,OP/USDT,next tuesday,1,100,', // line 4 bad date
    '',
    'u4,APT/USDT,2027-04-12T00:00:00Z,-5,100,', // line 6 negative amount
    '"u5","SUI/USDT","2027-05-01T00:00:00+02:00","64190000","1330000000","quoted, with comma"', // line 7 ok
    'u6,TIA/USDT,2027-06-30T14:00:00Z,17500000', // line 8 too few fields
    'u7,STRK/USDT,2027-05-15T00:00:00Z,64000000,728000000,', // line 9 ok
  ].join('\n');

  test('default: a file with bad rows imports NOTHING and reports each bad row by line', async () => {
    const before = await tdb.db.unlockEvent.count();
    const r = await cli('unlocks', 'import', file('cal.csv', csv));
    expectOneLineError(r, /4 invalid row\(s\) in .*cal\.csv: nothing imported/);
    const lines = r.out.trim().split('\n');
    expect(lines.map((l) => /(line \d+):/.exec(l)?.[1])).toEqual(['line 3', 'line 4', 'line 6', 'line 8']);
    expect(r.out).toMatch(/line 3: symbol must be BASE\/QUOTE/);
    expect(r.out).toMatch(/line 4: unlockAt must be an ISO 8601/);
    expect(r.out).toMatch(/line 6: unlockAmount must be/);
    expect(r.out).toMatch(/line 8: expected 6 fields, found 4/);
    expect(await tdb.db.unlockEvent.count()).toBe(before);
  });

  test('--skip-invalid imports exactly the valid rows, in one transaction; re-import updates (idempotent)', async () => {
    const p = file('cal2.csv', csv);
    const r = await cli('unlocks', 'import', p, '--skip-invalid');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/imported 3 unlock event\(s\) .* \(3 new, 0 updated\); skipped 4 invalid row\(s\)/);
    const rows = await tdb.db.unlockEvent.findMany({ orderBy: { id: 'asc' } });
    expect(rows.map((x) => x.id)).toEqual(['u1', 'u5', 'u7']);
    const u5 = rows.find((x) => x.id === 'u5')!;
    expect(u5.unlockAt.toISOString()).toBe('2027-04-30T22:00:00.000Z');
    expect(u5.source).toBe('quoted, with comma');
    expect(u5.unlockAmount.toString()).toBe('64190000');

    const again = await cli('unlocks', 'import', file('cal3.csv', `${header}\nu1,ARB/USDT,2027-03-17T13:00:00Z,1000,2000,fixed\n`));
    expect(again.out).toMatch(/\(0 new, 1 updated\)/);
    expect((await tdb.db.unlockEvent.findUnique({ where: { id: 'u1' } }))!.unlockAmount.toString()).toBe('1000');
    expect(await tdb.db.unlockEvent.count()).toBe(3);

    const list = await cli('unlocks', 'list', '--json');
    expect((JSON.parse(list.out) as Array<{ id: string; unlockPct: string }>).map((x) => `${x.id}:${x.unlockPct}`)).toEqual(['u1:50', 'u5:4.8263', 'u7:8.7912']);
    expect((await cli('unlocks', 'list')).out).toMatch(/u1\s+ARB\/USDT/);
  });

  test('JSON: bad items by "item N", duplicate ids are an error, the DB is unchanged', async () => {
    const before = await tdb.db.unlockEvent.findMany({ orderBy: { id: 'asc' } });
    const items = [
      { id: 'j1', symbol: 'ARB/USDT', unlockAt: '2027-01-01T00:00:00Z', unlockAmount: 5, circulatingSupply: '100' },
      { id: 'j2', symbol: 'ARB/USDT', unlockAt: '2027-01-01T00:00:00Z', unlockAmount: '5', circulatingSupply: '0' },
      { id: 'j1', symbol: 'OP/USDT', unlockAt: '2027-01-02T00:00:00Z', unlockAmount: '5', circulatingSupply: '100' },
      { id: 'j4', symbol: 'OP/USDT', unlockAt: '2027-01-02', unlockAmount: '5', circulatingSupply: '100', extra: true },
      'not an object',
      { id: 'u7', symbol: 'STRK/USDT', unlockAt: '2027-05-15T00:00:00Z', unlockAmount: '1', circulatingSupply: '2' },
    ];
    const p = file('cal.json', JSON.stringify(items));
    const r = await cli('unlocks', 'import', p);
    expectOneLineError(r, /5 invalid row\(s\)/);
    expect(r.out).toMatch(/item 1: duplicate id "j1" \(also at item 3\)/);
    expect(r.out).toMatch(/item 2: circulatingSupply must be greater than 0/);
    expect(r.out).toMatch(/item 3: duplicate id "j1" \(also at item 1\)/);
    expect(r.out).toMatch(/item 4: .*unlockAt must be an ISO 8601.*unknown field\(s\) extra|item 4: .*unknown field\(s\) extra/);
    expect(r.out).toMatch(/item 5: expected an object/);
    expect(await tdb.db.unlockEvent.findMany({ orderBy: { id: 'asc' } })).toEqual(before);

    const json = await cli('unlocks', 'import', p, '--skip-invalid', '--json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toMatchObject({ imported: 1, created: 0, updated: 1 });

    expectOneLineError(await cli('unlocks', 'import', file('x.txt', 'a')), /unsupported file type/);
    expectOneLineError(await cli('unlocks', 'import', file('h.csv', 'id,symbol,when\n')), /line 1: unknown column\(s\) when/);
    expectOneLineError(await cli('unlocks', 'import', file('e.csv', `${header}\n`)), /no valid rows/);
    expectOneLineError(await cli('unlocks', 'import', join(dir, 'absent.csv')), /file not found/);
  });

  test('issue 17, defect 11: an unlock long past (1970) is a bad row; last week\'s is still imported', async () => {
    const before = await tdb.db.unlockEvent.count();
    const lastWeek = new Date(Date.now() - 7 * 86_400_000).toISOString();
    const p = file('old.csv', `${header}\nold-1,ARB/USDT,1970-01-01T00:00:00Z,1000,2000,broken export\nrecent-1,OP/USDT,${lastWeek},1000,2000,\n`);
    const r = await cli('unlocks', 'import', p);
    expectOneLineError(r, /1 invalid row\(s\) in .*old\.csv: nothing imported/);
    expect(r.out).toMatch(/line 2: unlockAt 1970-01-01T00:00:00\.000Z is \d+ days in the past \(at most 30\): the calendar is for coming unlocks/);
    expect(await tdb.db.unlockEvent.count()).toBe(before);
    const skip = await cli('unlocks', 'import', p, '--skip-invalid');
    expect(skip.out).toMatch(/imported 1 unlock event\(s\) .*skipped 1 invalid row/);
    expect(await tdb.db.unlockEvent.findUnique({ where: { id: 'old-1' } })).toBeNull();
    await tdb.db.unlockEvent.delete({ where: { id: 'recent-1' } });
  });

  test('the sample calendar imports cleanly', async () => {
    const r = await cli('unlocks', 'import', join(ROOT, 'examples', 'unlocks-sample.csv'), '--dry-run');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/dry run: 6 valid row\(s\)/);
  });
});

describe('report', () => {
  const t = (h: number) => new Date(Date.UTC(2026, 0, 1, h));
  beforeAll(async () => {
    const db = tdb.db;
    await db.strategy.create({
      data: { id: 'rep', name: 'Report test', strategyType: 'token-unlock', configJson: '{}', mode: 'PAPER', state: 'STOPPED', workflowId: 'strategy-rep', initialCapital: '10000', riskPerTradePct: '0.5', maxExposurePct: '20', dailyLossPct: '5' },
    });
    const trades = [
      { id: 'position-rep-A', sym: 'AAA/USDT', qty: '100', entry: '10', exit: '11', ef: '1', xf: '1.1', pnl: '97.9', reason: 'TAKE_PROFIT', o: 1, c: 5 },
      { id: 'position-rep-B', sym: 'BBB/USDT', qty: '50', entry: '20', exit: '19', ef: '1', xf: '0.95', pnl: '-51.95', reason: 'STOP_LOSS', o: 6, c: 9 },
    ];
    for (const x of trades) {
      await db.position.create({
        data: { id: x.id, strategyId: 'rep', eventId: x.id.slice(-1), symbol: x.sym, mode: 'PAPER', status: 'CLOSED', quantity: x.qty, entryPrice: x.entry, exitPrice: x.exit, entryFee: x.ef, exitFee: x.xf, realizedPnl: x.pnl, exitReason: x.reason, openedAt: t(x.o), closedAt: t(x.c) },
      });
      for (const purpose of ['entry', 'exit']) {
        await db.order.create({
          data: {
            clientOrderId: `${x.id}-${purpose}`,
            strategyId: 'rep',
            positionId: x.id,
            purpose,
            venue: 'paper',
            mode: 'PAPER',
            symbol: x.sym,
            side: purpose === 'entry' ? 'buy' : 'sell',
            type: 'market',
            amount: x.qty,
            status: 'FILLED',
            filledAmount: x.qty,
            avgPrice: purpose === 'entry' ? x.entry : x.exit,
            fee: purpose === 'entry' ? x.ef : x.xf,
            signalPrice: purpose === 'entry' ? x.entry : x.exit,
            expectedSlippagePct: '0.05',
            realizedSlippagePct: purpose === 'entry' ? '0.1' : '0.2',
          },
        });
      }
    }
    // an open position and a skipped one are not trades
    await db.position.create({ data: { id: 'position-rep-C', strategyId: 'rep', eventId: 'C', symbol: 'CCC/USDT', mode: 'PAPER', status: 'OPEN', quantity: '1', entryPrice: '1', openedAt: t(10) } });
    await db.position.create({ data: { id: 'position-rep-D', strategyId: 'rep', eventId: 'D', symbol: 'DDD/USDT', mode: 'PAPER', status: 'SKIPPED', exitReason: 'filters' } });
  });

  test('json: trades with their orders, metrics, execution quality', async () => {
    const r = await cli('report', 'rep', '--format', 'json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.trades.map((x: { positionId: string; pnl: string; fees: string }) => `${x.positionId}:${x.pnl}:${x.fees}`)).toEqual(['position-rep-A:97.9:2.1', 'position-rep-B:-51.95:1.95']);
    expect(j.trades[0].orders.map((o: { purpose: string }) => o.purpose)).toEqual(['entry', 'exit']);
    expect(j.metrics).toMatchObject({ tradeCount: 2, wins: 1, losses: 1, winRatePct: '50', totalPnl: '45.95', totalFees: '4.05', finalEquity: '10045.95', profitFactor: expect.stringMatching(/^1\.88/) });
    expect(j.executionQuality).toEqual([
      { venue: 'paper', symbol: 'AAA/USDT', count: 2, meanExpectedSlippagePct: '0.05', meanRealizedSlippagePct: '0.15', meanExcessSlippagePct: '0.1' },
      { venue: 'paper', symbol: 'BBB/USDT', count: 2, meanExpectedSlippagePct: '0.05', meanRealizedSlippagePct: '0.15', meanExcessSlippagePct: '0.1' },
    ]);
    const m = await cli('report', 'rep', '--format', 'json', '--metrics-only');
    expect(Object.keys(JSON.parse(m.out))).toEqual(['strategyId', 'initialCapital', 'metrics', 'executionQuality']);
  });

  test('csv: one row per trade, then the metrics section; --out writes a file', async () => {
    const out = join(dir, 'rep.csv');
    const r = await cli('report', 'rep', '--format', 'csv', '--out', out);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/wrote CSV report of strategy rep \(2 trade\(s\), total P&L 45\.95\)/);
    const [trades, metrics] = readFileSync(out, 'utf8').split('\n\n');
    const rows = trades!.trim().split('\n');
    expect(rows[0]).toMatch(/^positionId,eventId,symbol,mode,openedAt,closedAt,quantity,entryPrice,exitPrice,entryFee,exitFee,fees,pnl,exitReason/);
    expect(rows.slice(1).map((l) => l.split(',').slice(0, 1).concat(l.split(',')[12]!, l.split(',')[13]!))).toEqual([
      ['position-rep-A', '97.9', 'TAKE_PROFIT'],
      ['position-rep-B', '-51.95', 'STOP_LOSS'],
    ]);
    expect(metrics).toMatch(/^metric,value\n/);
    expect(metrics).toMatch(/\ntotalPnl,45\.95\n/);
    expect(metrics).toMatch(/\nexecutionQuality\.paper\.AAA\/USDT\.meanRealizedSlippagePct,0\.15\n/);
    const mo = await cli('report', 'rep', '--format', 'csv', '--metrics-only');
    expect(mo.out.split('\n')[0]).toBe('metric,value');
    expect(mo.out).not.toMatch(/position-rep-A/);
  });

  test('errors: unknown strategy, bad format', async () => {
    expectOneLineError(await cli('report', 'nobody', '--format', 'json'), 'no strategy "nobody"');
    expectOneLineError(await cli('report', 'rep', '--format', 'xml'), '--format must be json or csv, got "xml"');
  });
});

describe('alerts', () => {
  beforeAll(async () => {
    const mk = (id: string, strategyId: string | null, severity: string, kind: string, min: number) =>
      tdb.db.alert.create({ data: { id, strategyId, severity, kind, message: `${kind} happened`, createdAt: new Date(Date.UTC(2026, 0, 1, 0, min)) } });
    await mk('a1', 'alpha', 'info', 'GATE_RESULT', 1);
    await mk('a2', 'alpha', 'critical', 'EMERGENCY_STOP', 2);
    await mk('a3', 'beta', 'warning', 'COMMAND_REFUSED', 3);
  });

  test('list (filters, json) and ack (all or nothing)', async () => {
    const all = JSON.parse((await cli('alerts', '--json')).out) as Array<{ id: string }>;
    expect(all.map((a) => a.id)).toEqual(['a3', 'a2', 'a1']);
    const alpha = JSON.parse((await cli('alerts', '--strategy', 'alpha', '--json')).out) as Array<{ id: string }>;
    expect(alpha.map((a) => a.id)).toEqual(['a2', 'a1']);
    expect((await cli('alerts')).out).toMatch(/a2\s+\S+\s+CRITICAL\s+alpha\s+EMERGENCY_STOP\s+no\s+-\s+EMERGENCY_STOP happened/);

    expectOneLineError(await cli('alerts', 'ack', 'a1', 'zz', '--by', 'ops'), 'no alert "zz": nothing acknowledged');
    expect(await tdb.db.alert.count({ where: { acknowledged: true } })).toBe(0);
    expectOneLineError(await cli('alerts', 'ack', 'a1'), /required option '--by <name>'/);

    const ack = await cli('alerts', 'ack', 'a1', 'a2', '--by', 'ops');
    expect(ack.code).toBe(0);
    expect(ack.out).toMatch(/acknowledged 2 alert\(s\) by ops/);
    const a1 = await tdb.db.alert.findUnique({ where: { id: 'a1' } });
    expect(a1).toMatchObject({ acknowledged: true, acknowledgedBy: 'ops' });
    const unacked = JSON.parse((await cli('alerts', '--unacked', '--json')).out) as Array<{ id: string }>;
    expect(unacked.map((a) => a.id)).toEqual(['a3']);
    expect((await cli('alerts', 'ack', 'a1', '--by', 'ops')).out).toMatch(/acknowledged 0 alert\(s\) by ops \(1 already acknowledged\)/);
    expectOneLineError(await cli('alerts', '--severity', 'loud'), /--severity must be one of/);
  });
});

describe('audit', () => {
  test('verify: intact → exit 0; an edited payload → exit 1 naming the entry; export json/csv', async () => {
    await tdb.db.auditEntry.deleteMany();
    for (let i = 1; i <= 3; i++) await appendAudit(tdb.db, { entryKey: `k${i}`, kind: 'ORDER', strategyId: 's', payload: { n: i, amount: '1.5' } });
    const ok = await cli('audit', 'verify');
    expect(ok).toEqual({ code: 0, out: 'audit chain intact: 3 entries\n', err: '' });

    const csvOut = join(dir, 'audit.csv');
    expect((await cli('audit', 'export', '--format', 'csv', '--out', csvOut)).out).toMatch(/exported 3 audit entries as CSV/);
    const csv = readFileSync(csvOut, 'utf8').trim().split('\n');
    expect(csv[0]).toBe('seq,entryKey,kind,strategyId,createdAt,payloadJson,prevHash,hash');
    expect(csv[1]).toMatch(/^1,k1,ORDER,s,.*,"{""n"":1,""amount"":""1\.5""}",GENESIS,[0-9a-f]{64}$/);
    const json = JSON.parse((await cli('audit', 'export')).out) as Array<{ seq: number; payloadJson: string }>;
    expect(json.map((e) => e.seq)).toEqual([1, 2, 3]);

    const second = await tdb.db.auditEntry.findFirstOrThrow({ where: { entryKey: 'k2' } });
    await tdb.db.auditEntry.update({ where: { seq: second.seq }, data: { payloadJson: JSON.stringify({ n: 2, amount: '1500' }) } });
    const broken = await cli('audit', 'verify');
    expect(broken.code).toBe(1);
    expect(broken.out).toMatch(new RegExp(`^entry ${second.seq} EDITED: content does not match its hash`));
    expectOneLineError(broken, new RegExp(`audit chain broken: 1 problem\\(s\\) at entry ${second.seq} of 3`));
    const j = JSON.parse((await cli('audit', 'verify', '--json')).out);
    expect(j).toMatchObject({ entries: 3, intact: false, problems: [{ seq: second.seq, problem: 'EDITED' }] });
    expectOneLineError(await cli('audit', 'export', '--format', 'xml'), /--format must be json or csv/);
  });
});
