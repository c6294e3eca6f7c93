/**
 * The duplicate window of chat channels (Telegram has no idempotency key): a send stamps the batch
 * (postStartedAt) before its POST and clears the stamp with the recorded outcome. A later attempt that
 * finds the stamp
 *   - within POST_IN_FLIGHT_MS: waits (retryable NotifyInFlight) instead of POSTing in parallel with an
 *     attempt that lost its heartbeat but is still running;
 *   - older: the earlier POST's outcome is unknown (a crash between the 2xx and the commit, or a POST
 *     that timed out): it sends again, the text headed by REPEAT_MARK, under the same ref.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { createPersistenceActivities } from '../../activities/persistence';
import { createNotifyActivities, POST_IN_FLIGHT_MS } from '../../activities/notify';
import { REPEAT_MARK } from '../../activities/notify/format';
import { loadNotifySettings, type NotifySettings } from '../../config/notify';
import type { Db } from '../../db/client';
import { freshSqliteDb, type TestDb } from '../helpers/db';
import { startNotifyReceiver, type NotifyReceiver } from '../helpers/notify-receiver';
import { freePort } from '../helpers/ports';
import { TIMEOUT_MS } from '../../activities/notify/send';

const TOKEN = `123456789:AAtest${'x'.repeat(24)}`;
let tdb: TestDb;
let rx: NotifyReceiver;
let settings: NotifySettings;

beforeAll(async () => {
  tdb = await freshSqliteDb();
  rx = await startNotifyReceiver({ telegramToken: TOKEN });
  settings = loadNotifySettings({
    UNLOCK_TRADER_NOTIFY_TELEGRAM_BOT_TOKEN: TOKEN,
    UNLOCK_TRADER_NOTIFY_TELEGRAM_CHAT_ID: '-1001234',
    UNLOCK_TRADER_NOTIFY_TELEGRAM_API_URL: rx.url,
    UNLOCK_TRADER_NOTIFY_BATCH_WINDOW_MS: '0',
    UNLOCK_TRADER_NOTIFY_MIN_INTERVAL_MS: '0',
  });
});
afterAll(async () => {
  await rx.close();
  await tdb.close();
});

async function claimOne(id: string, db: Db = tdb.db): Promise<string> {
  await createPersistenceActivities({ db: tdb.db, notify: settings, log: () => undefined }).raiseAlert({ id, strategyId: 'rp', severity: 'critical', kind: 'TEST', message: `message of ${id}` });
  const c = await createNotifyActivities({ db, notify: settings, log: () => undefined, idleReturnMs: 1000 }).claimNotificationBatch({ channel: 'telegram' });
  if (c.kind !== 'batch') throw new Error('expected a batch');
  return c.batchId;
}

const callsOf = (batchId: string) => rx.delivered('telegram').filter((c) => c.key === batchId.slice(0, 12));

test('a first send is plain; the stamp is cleared with the outcome', async () => {
  const batchId = await claimOne('plain-1');
  const acts = createNotifyActivities({ db: tdb.db, notify: settings, log: () => undefined });
  expect(await acts.sendNotificationBatch({ channel: 'telegram', batchId })).toEqual({ status: 'SENT', alertCount: 1 });
  expect(callsOf(batchId)).toHaveLength(1);
  expect(callsOf(batchId)[0]!.text.startsWith('unlock-trader CRITICAL')).toBe(true);
  expect((await tdb.db.notificationBatch.findUniqueOrThrow({ where: { id: batchId } })).postStartedAt).toBeNull();
});

test('crash between the 2xx and the commit: no parallel resend while it may be in flight, then one resend marked as a repeat', async () => {
  const batchId = await claimOne('crash-1');
  // the process "dies" right after the receiver's 2xx: the commit of SENT never happens
  const dying = new Proxy(tdb.db, {
    get: (t, k) => (k === '$transaction' ? () => Promise.reject(new Error('killed before the commit')) : Reflect.get(t, k)),
  }) as Db;
  const crashed = createNotifyActivities({ db: dying, notify: settings, log: () => undefined });
  await expect(crashed.sendNotificationBatch({ channel: 'telegram', batchId })).rejects.toThrow('killed before the commit');
  expect(callsOf(batchId)).toHaveLength(1);
  const row = await tdb.db.notificationBatch.findUniqueOrThrow({ where: { id: batchId } });
  expect(row.status).toBe('SENDING');
  expect(row.postStartedAt).not.toBeNull();

  // the retry right away (the heartbeat timeout is 5 s; the dead attempt's POST could still be out): waits
  const next = createNotifyActivities({ db: tdb.db, notify: settings, log: () => undefined });
  const e = await next.sendNotificationBatch({ channel: 'telegram', batchId }).catch((x: unknown) => x);
  expect(e).toBeInstanceOf(ApplicationFailure);
  expect((e as ApplicationFailure).type).toBe('NotifyInFlight');
  expect((e as ApplicationFailure).nonRetryable).toBe(false);
  expect(Number((e as ApplicationFailure).nextRetryDelay)).toBeGreaterThan(POST_IN_FLIGHT_MS - 5000);
  expect(callsOf(batchId)).toHaveLength(1);

  // later (the stamp older than any POST can be in flight): sent again, headed as a possible repeat, same ref
  await tdb.db.notificationBatch.update({ where: { id: batchId }, data: { postStartedAt: new Date(Date.now() - POST_IN_FLIGHT_MS - 1) } });
  expect(await next.sendNotificationBatch({ channel: 'telegram', batchId })).toEqual({ status: 'SENT', alertCount: 1 });
  const calls = callsOf(batchId);
  expect(calls).toHaveLength(2);
  expect(calls[1]!.text.split('\n')[0]).toBe(REPEAT_MARK);
  expect(calls[1]!.text.split('\n').slice(1)).toEqual(calls[0]!.text.split('\n'));
  expect((await tdb.db.notificationBatch.findUniqueOrThrow({ where: { id: batchId } })).postStartedAt).toBeNull();
});

test('an attempt that lost its heartbeat while its POST is held: the next attempt does not POST in parallel', async () => {
  const batchId = await claimOne('zombie-1');
  rx.holdNext('telegram', 2000);
  const a = createNotifyActivities({ db: tdb.db, notify: settings, log: () => undefined });
  const slow = a.sendNotificationBatch({ channel: 'telegram', batchId });
  await new Promise((r) => setTimeout(r, 300));
  const b = createNotifyActivities({ db: tdb.db, notify: settings, log: () => undefined });
  await expect(b.sendNotificationBatch({ channel: 'telegram', batchId })).rejects.toMatchObject({ type: 'NotifyInFlight' });
  expect(await slow).toEqual({ status: 'SENT', alertCount: 1 });
  // the next retry finds it settled and sends nothing
  expect(await b.sendNotificationBatch({ channel: 'telegram', batchId })).toEqual({ status: 'SENT', alertCount: 1 });
  expect(callsOf(batchId)).toHaveLength(1);
});

test('a POST that timed out may have been delivered: the resend is marked as a repeat; a refused connection is not', async () => {
  const batchId = await claimOne('timeout-1');
  rx.holdNext('telegram', TIMEOUT_MS + 2000);
  const acts = createNotifyActivities({ db: tdb.db, notify: settings, log: () => undefined });
  await expect(acts.sendNotificationBatch({ channel: 'telegram', batchId })).rejects.toMatchObject({ type: 'NotifyRetry', message: expect.stringMatching(/no answer within/) });
  expect((await tdb.db.notificationBatch.findUniqueOrThrow({ where: { id: batchId } })).postStartedAt).not.toBeNull();
  await tdb.db.notificationBatch.update({ where: { id: batchId }, data: { postStartedAt: new Date(Date.now() - POST_IN_FLIGHT_MS - 1) } });
  expect(await acts.sendNotificationBatch({ channel: 'telegram', batchId })).toEqual({ status: 'SENT', alertCount: 1 });
  expect(callsOf(batchId).map((c) => c.text.split('\n')[0])).toEqual(['unlock-trader CRITICAL', REPEAT_MARK]);

  // nobody listening: the request never left, so the next try is a plain first send
  const refusedId = await claimOne('refused-1');
  const dead = loadNotifySettings({ UNLOCK_TRADER_NOTIFY_TELEGRAM_BOT_TOKEN: TOKEN, UNLOCK_TRADER_NOTIFY_TELEGRAM_CHAT_ID: '-1001234', UNLOCK_TRADER_NOTIFY_TELEGRAM_API_URL: `http://127.0.0.1:${await freePort()}` });
  await expect(createNotifyActivities({ db: tdb.db, notify: dead, log: () => undefined }).sendNotificationBatch({ channel: 'telegram', batchId: refusedId })).rejects.toMatchObject({ message: expect.stringMatching(/ECONNREFUSED/) });
  expect((await tdb.db.notificationBatch.findUniqueOrThrow({ where: { id: refusedId } })).postStartedAt).toBeNull();
  expect(await acts.sendNotificationBatch({ channel: 'telegram', batchId: refusedId })).toEqual({ status: 'SENT', alertCount: 1 });
  expect(callsOf(refusedId).map((c) => c.text.split('\n')[0])).toEqual(['unlock-trader CRITICAL']);
}, 60_000);
