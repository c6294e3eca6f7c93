/**
 * Found by the crash tests: the SQLite app DB must ride out a lock held by another connection (the
 * worker's own pool, the CLI, a second worker) instead of failing at once. libsql's default busy
 * timeout is 0, so every collision between two writers, or a reader and a committing writer, failed
 * immediately with SQLITE_BUSY ("Operation has timed out", P1008) — and Prisma's "pretty" error
 * format made that a ~33 KB message of minified client code, which Temporal stored as "Failure
 * exceeds size limit.", hiding the cause while activities backed off for 10-15 s.
 */
import { createClient } from '@libsql/client';
import { freshSqliteDb, type TestDb } from '../helpers/db';
import { holdSqliteLock as holdLock } from './lib';

let tdb: TestDb;
beforeAll(async () => {
  tdb = await freshSqliteDb();
});
afterAll(() => tdb?.close());

let n = 0;
const writeAlert = () => tdb.db.alert.create({ data: { id: `busy-${n++}`, severity: 'info', kind: 'TEST', message: 'write under a lock' } });

test('the app DB runs in write-ahead-log mode: a reader does not wait for a writer', async () => {
  await tdb.db.alert.count(); // connected
  const other = createClient({ url: tdb.url }); // a second process's view (the CLI's)
  try {
    expect((await other.execute('PRAGMA journal_mode')).rows[0]).toMatchObject({ journal_mode: 'wal' });
  } finally {
    other.close();
  }
  const lock = await holdLock(tdb.url.slice('file:'.length), 1_500);
  const t0 = Date.now();
  await tdb.db.alert.count();
  const waited = Date.now() - t0;
  await lock.released;
  expect(waited).toBeLessThan(1_000);
});

test('a write waits for a lock held 1.5 s by another connection instead of failing at once', async () => {
  const lock = await holdLock(tdb.url.slice('file:'.length), 1_500);
  const t0 = Date.now();
  const res = await writeAlert().then(
    () => ({ ok: true, message: '' }),
    (e: unknown) => ({ ok: false, message: String((e as Error).message) }),
  );
  const waited = Date.now() - t0;
  await lock.released;
  console.log(`write under a 1.5 s lock: ${res.ok ? 'succeeded' : 'FAILED'} after ${waited} ms${res.ok ? '' : `, error message of ${res.message.length} chars`}`);
  expect({ ok: res.ok, messageLength: res.message.length }).toEqual({ ok: true, messageLength: 0 });
  expect(waited).toBeGreaterThan(500);
});

test('a DB error stays short (it becomes an activity failure stored in the workflow history)', async () => {
  const lock = await holdLock(tdb.url.slice("file:".length), 6_500);
  const err = await writeAlert().then(
    () => null,
    (e: unknown) => e as Error,
  );
  await lock.released;
  expect(err).not.toBeNull();
  expect(err!.message.length).toBeLessThan(2_000);
}, 30_000);

/**
 * Found by the fault matrix (a 5 s lock against the 5 s busy timeout): a statement that failed with
 * SQLITE_BUSY stayed "in progress" on its pooled connection, so every later transaction on that
 * connection failed to commit ("cannot commit transaction - SQL statements in progress", surfacing as
 * Prisma's P2028 "A rollback cannot be executed on a committed transaction") for seconds after the lock
 * was gone. Autocommit writes there were reported done but stayed uncommitted, invisible to every other
 * connection. Now the client starts over with fresh connections (db/sqlite-client.ts).
 */
test('after a write times out under a lock, the next writes and transactions succeed once the lock is gone', async () => {
  const riskRow = (strategyId: string) => ({ strategyId, equity: '1', peakEquity: '1', dailyPnl: '0', weeklyPnl: '0', monthlyPnl: '0', drawdownPct: '0', consecutiveLosses: 0, openExposure: '0' });
  const upsert = (id: string) => tdb.db.riskState.upsert({ where: { strategyId: id }, create: riskRow(id), update: { equity: '2' } });
  const lock = await holdLock(tdb.url.slice('file:'.length), 6_500);
  const failed = await upsert('under-lock').then(
    () => null,
    (e: unknown) => (e as { code?: string }).code,
  );
  await lock.released;
  expect(failed).toBe('P1008'); // the busy timeout (5 s) ran out before the lock (6.5 s) was released
  const after: string[] = [];
  for (let i = 0; i < 5; i++) {
    // upsert: one statement; updateMany and $transaction: a transaction each (BEGIN … COMMIT)
    const r = await upsert(`after-${i}`)
      .then(() => tdb.db.strategy.updateMany({ where: { id: `after-${i}` }, data: { state: 'RUNNING' } }))
      .then(() => tdb.db.$transaction([tdb.db.alert.create({ data: { id: `after-busy-${i}`, severity: 'info', kind: 'TEST', message: 'after the lock' } }), tdb.db.alert.count()]))
      .then(
        () => 'ok',
        (e: unknown) => `${(e as { code?: string }).code}: ${String((e as Error).message).split('\n').filter(Boolean).pop()}`,
      );
    after.push(r);
  }
  expect(after).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
  // what this connection wrote is committed: another connection (the CLI's, the test's) sees it
  const other = createClient({ url: tdb.url });
  try {
    const rows = (await other.execute(`SELECT COUNT(*) AS n FROM RiskState WHERE strategyId LIKE 'after-%'`)).rows[0] as unknown as { n: number | bigint };
    expect(Number(rows.n)).toBe(5);
  } finally {
    other.close();
  }
}, 30_000);

