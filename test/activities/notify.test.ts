/**
 * Notifications, activity level (no Temporal): the outbox written with each alert, bursts batched into
 * one message per channel, each receiver's body, how answers are classified (2xx, 429 + Retry-After,
 * 5xx, a 4xx refusal), `alerts` showing the delivery state, and the channel settings' validation.
 * The notifier workflow and kill -9 are in test/proof/notify.test.ts.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { createPersistenceActivities, type AlertInput } from '../../activities/persistence';
import { createNotifyActivities } from '../../activities/notify';
import { loadNotifySettings, type NotifySettings } from '../../config/notify';
import { redactSecrets } from '../../activities/failures';
import { freshPostgresDb, freshSqliteDb, type TestDb } from '../helpers/db';
import { startNotifyReceiver, type NotifyReceiver } from '../helpers/notify-receiver';
import { cli } from '../cli/helpers';
import { freePort } from '../helpers/ports';

const TOKEN = `123456789:AAtest${'x'.repeat(24)}`;
let tdb: TestDb;
let rx: NotifyReceiver;
let settings: NotifySettings;
const env = () => ({
  UNLOCK_TRADER_NOTIFY_WEBHOOK_URL: `${rx.url}/webhook`,
  UNLOCK_TRADER_NOTIFY_SLACK_URL: `${rx.url}/slack`,
  UNLOCK_TRADER_NOTIFY_SLACK_MIN_SEVERITY: 'error',
  UNLOCK_TRADER_NOTIFY_DISCORD_URL: `${rx.url}/discord`,
  UNLOCK_TRADER_NOTIFY_TELEGRAM_BOT_TOKEN: TOKEN,
  UNLOCK_TRADER_NOTIFY_TELEGRAM_CHAT_ID: '-1001234',
  UNLOCK_TRADER_NOTIFY_TELEGRAM_MIN_SEVERITY: 'critical',
  UNLOCK_TRADER_NOTIFY_TELEGRAM_API_URL: rx.url,
  UNLOCK_TRADER_NOTIFY_BATCH_WINDOW_MS: '300',
  UNLOCK_TRADER_NOTIFY_MIN_INTERVAL_MS: '0',
});

beforeAll(async () => {
  tdb = await freshSqliteDb();
  rx = await startNotifyReceiver({ telegramToken: TOKEN });
  settings = loadNotifySettings(env());
  process.env.DATABASE_URL = tdb.url;
});
afterAll(async () => {
  await rx.close();
  await tdb.close();
});

const alert = (id: string, severity: AlertInput['severity'], kind = 'TEST'): AlertInput => ({ id, strategyId: 'nt', severity, kind, message: `${kind} message of ${id}` });

/** Claim and send until the channel is idle; returns the batches sent. */
async function drain(channel: string, acts = createNotifyActivities({ db: tdb.db, notify: settings, log: () => undefined, idleReturnMs: 1500 })): Promise<string[]> {
  const sent: string[] = [];
  for (;;) {
    const c = await acts.claimNotificationBatch({ channel });
    if (c.kind !== 'batch') return sent;
    await acts.sendNotificationBatch({ channel, batchId: c.batchId });
    sent.push(c.batchId);
  }
}

test('each alert gets one outbox row per channel its severity reaches, written with it; a retry adds nothing', async () => {
  const p = createPersistenceActivities({ db: tdb.db, notify: settings, log: () => undefined });
  await p.raiseAlert(alert('o-info', 'info'));
  await p.raiseAlert(alert('o-err', 'error'));
  await p.raiseAlert(alert('o-crit', 'critical'));
  await p.raiseAlert(alert('o-crit', 'critical')); // the activity retried
  const rows = await tdb.db.alertDelivery.findMany({ where: { alertId: { startsWith: 'o-' } }, orderBy: { id: 'asc' } });
  expect(rows.map((r) => `${r.id} ${r.status}`)).toEqual([
    // info is below the default minimum (warning): stored, not sent
    'o-crit|discord PENDING',
    'o-crit|slack PENDING',
    'o-crit|telegram PENDING',
    'o-crit|webhook PENDING',
    'o-err|discord PENDING',
    'o-err|slack PENDING',
    'o-err|webhook PENDING',
  ]);
  for (const ch of ['webhook', 'slack', 'discord', 'telegram']) await drain(ch);
  expect((await tdb.db.alertDelivery.findMany({ where: { alertId: { startsWith: 'o-' } } })).every((r) => r.status === 'SENT' && r.sentAt)).toBe(true);
});

test('a burst of 100 alerts is one message per channel, every alert in it (webhook JSON) or counted in its text', async () => {
  const p = createPersistenceActivities({ db: tdb.db, notify: settings, log: () => undefined });
  const before = rx.calls.length;
  const ids = Array.from({ length: 100 }, (_, i) => `burst-${String(i).padStart(3, '0')}`);
  // the notifier is already waiting when the burst starts: it must not send the first alerts alone
  const acts = createNotifyActivities({ db: tdb.db, notify: settings, log: () => undefined, idleReturnMs: 5000 });
  const claims = ['webhook', 'slack', 'discord', 'telegram'].map((channel) => acts.claimNotificationBatch({ channel }));
  for (const id of ids) {
    await p.raiseAlert(alert(id, id.endsWith('000') ? 'critical' : 'error', id.endsWith('000') ? 'EMERGENCY_STOP' : 'EXCHANGE_ERROR'));
  }
  const claimed = await Promise.all(claims);
  expect(claimed.map((c) => c.kind === 'batch' && c.alertCount)).toEqual([100, 100, 100, 1]); // telegram: critical only
  for (const [i, channel] of ['webhook', 'slack', 'discord', 'telegram'].entries()) {
    const c = claimed[i]!;
    if (c.kind === 'batch') await acts.sendNotificationBatch({ channel, batchId: c.batchId });
  }
  const calls = rx.calls.slice(before);
  expect(calls.map((c) => `${c.route} ${c.status}`).sort()).toEqual(['discord 200', 'slack 200', 'telegram 200', 'webhook 200']);
  const webhook = calls.find((c) => c.route === 'webhook')!.body as { batchId: string; count: number; alerts: Array<{ id: string }> };
  expect(webhook.alerts.map((a) => a.id)).toEqual(ids);
  expect(calls.find((c) => c.route === 'webhook')!.key).toBe(webhook.batchId);
  const slack = (calls.find((c) => c.route === 'slack')!.body as { text: string }).text;
  const discord = (calls.find((c) => c.route === 'discord')!.body as { content: string }).content;
  const telegram = calls.find((c) => c.route === 'telegram')!.body as { chat_id: string; text: string };
  expect(slack.split('\n')[0]).toBe('unlock-trader: 100 alerts (1 critical, 99 error)');
  expect(slack.split('\n')[1]).toMatch(/^CRITICAL nt EMERGENCY_STOP: /); // most severe first
  expect(slack).toMatch(/\.\.\. and \d+ more/);
  expect(discord.length).toBeLessThanOrEqual(2000);
  expect(telegram).toMatchObject({ chat_id: '-1001234' });
  expect(telegram.text.split('\n')[0]).toBe('unlock-trader CRITICAL');
  console.log(`burst of 100: ${calls.length} calls (one per channel); slack text ${slack.length} chars, discord ${discord.length}, telegram ${telegram.text.length}`);
});

test('429 honours Retry-After, 5xx retries, a 4xx refusal is FAILED with its reason; `alerts` shows each state', async () => {
  const p = createPersistenceActivities({ db: tdb.db, notify: settings, log: () => undefined });
  const acts = createNotifyActivities({ db: tdb.db, notify: settings, log: () => undefined, idleReturnMs: 2000 });
  await p.raiseAlert(alert('r-1', 'critical'));
  const c = await acts.claimNotificationBatch({ channel: 'telegram' });
  if (c.kind !== 'batch') throw new Error('expected a batch');
  rx.faults.failRate = 1;
  rx.faults.rateLimitShare = 1;
  rx.faults.retryAfterSec = 7;
  const e429 = await acts.sendNotificationBatch({ channel: 'telegram', batchId: c.batchId }).catch((e: unknown) => e);
  expect(e429).toBeInstanceOf(ApplicationFailure);
  expect((e429 as ApplicationFailure).nextRetryDelay).toBe(7000);
  expect((e429 as ApplicationFailure).nonRetryable).toBe(false);
  rx.faults.rateLimitShare = 0;
  const e5xx = await acts.sendNotificationBatch({ channel: 'telegram', batchId: c.batchId }).catch((e: unknown) => e);
  expect((e5xx as ApplicationFailure).message).toMatch(/^telegram: HTTP 50[03]: /);
  // the receiver's error page echoed the request path: the token is redacted from what is stored
  expect((e5xx as ApplicationFailure).message).not.toContain(TOKEN.split(':')[1]);
  const pending = await cli('alerts', '--json');
  const r1 = (JSON.parse(pending.out) as Array<{ id: string; notifications: Array<{ channel: string; status: string; attempts: number; lastError: string }> }>).find((a) => a.id === 'r-1')!;
  expect(r1.notifications.find((n) => n.channel === 'telegram')).toMatchObject({ status: 'SENDING', attempts: 1 });
  rx.faults.failRate = 0;
  await acts.sendNotificationBatch({ channel: 'telegram', batchId: c.batchId });
  // a second send of a settled batch (a retry that lost the race) sends nothing
  const n = rx.calls.length;
  expect(await acts.sendNotificationBatch({ channel: 'telegram', batchId: c.batchId })).toEqual({ status: 'SENT', alertCount: 1 });
  expect(rx.calls.length).toBe(n);

  // a refusal for good: a revoked token → Telegram's 404
  const revoked = loadNotifySettings({ ...env(), UNLOCK_TRADER_NOTIFY_TELEGRAM_BOT_TOKEN: `987654321:BBrevoked${'y'.repeat(24)}` });
  const acts2 = createNotifyActivities({ db: tdb.db, notify: revoked, log: () => undefined, idleReturnMs: 2000 });
  await createPersistenceActivities({ db: tdb.db, notify: revoked, log: () => undefined }).raiseAlert(alert('r-2', 'critical'));
  for (const ch of ['webhook', 'slack', 'discord']) await drain(ch, acts2);
  const c2 = await acts2.claimNotificationBatch({ channel: 'telegram' });
  if (c2.kind !== 'batch') throw new Error('expected a batch');
  expect(await acts2.sendNotificationBatch({ channel: 'telegram', batchId: c2.batchId })).toEqual({ status: 'FAILED', alertCount: 1 });
  const table = await cli('alerts', '--strategy', 'nt', '--limit', '3');
  const line = (id: string) => table.out.split('\n').find((l) => l.startsWith(id)) ?? '';
  expect(line('r-2')).toContain('telegram:FAILED(telegram: HTTP 404');
  expect(line('r-2')).toContain('webhook:SENT');
  expect(line('r-1')).toContain('telegram:SENT');
  expect(table.out).not.toContain('BBrevoked');
});

test('fetch errors are named without the URL; redaction covers URLs, their paths and any bot token', async () => {
  const dead = loadNotifySettings({ UNLOCK_TRADER_NOTIFY_WEBHOOK_URL: `http://127.0.0.1:${await freePort()}/hook/s3cr3t-path-token` });
  const acts = createNotifyActivities({ db: tdb.db, notify: dead, log: () => undefined });
  await createPersistenceActivities({ db: tdb.db, notify: dead, log: () => undefined }).raiseAlert(alert('d-1', 'error'));
  const c = await acts.claimNotificationBatch({ channel: 'webhook' });
  if (c.kind !== 'batch') throw new Error('expected a batch');
  const e = (await acts.sendNotificationBatch({ channel: 'webhook', batchId: c.batchId }).catch((x: unknown) => x)) as Error;
  expect(e.message).toMatch(/^webhook: request failed: TypeError ECONNREFUSED$/);
  const secretEnv = { UNLOCK_TRADER_NOTIFY_SLACK_URL: 'https://hooks.slack.test/services/T1/B2/abcdefgh' };
  expect(redactSecrets('POST https://hooks.slack.test/services/T1/B2/abcdefgh failed; 404 for /services/T1/B2/abcdefgh', secretEnv)).toBe('POST *** failed; 404 for ***');
  expect(redactSecrets('GET /bot111:AAAAbbbbCCCCddddEEEEffff/sendMessage', {})).toBe('GET /bot***/sendMessage');
});

test.each([
  ['a webhook URL that is not a URL', { UNLOCK_TRADER_NOTIFY_WEBHOOK_URL: 'hooks.example.com/abc-LEAKME' }, /^invalid environment: UNLOCK_TRADER_NOTIFY_WEBHOOK_URL: must be an http\(s\) URL \(value not shown/],
  ['a Slack URL with another scheme', { UNLOCK_TRADER_NOTIFY_SLACK_URL: 'ftp://hooks.slack.com/abc-LEAKME' }, /^invalid environment: UNLOCK_TRADER_NOTIFY_SLACK_URL: must be an http\(s\) URL/],
  ['a malformed bot token', { UNLOCK_TRADER_NOTIFY_TELEGRAM_BOT_TOKEN: 'abc-LEAKME', UNLOCK_TRADER_NOTIFY_TELEGRAM_CHAT_ID: '1' }, /^invalid environment: UNLOCK_TRADER_NOTIFY_TELEGRAM_BOT_TOKEN: must look like <bot id>:<secret>/],
  ['a bot token without a chat id', { UNLOCK_TRADER_NOTIFY_TELEGRAM_BOT_TOKEN: TOKEN }, /^invalid environment: UNLOCK_TRADER_NOTIFY_TELEGRAM_CHAT_ID: is required when UNLOCK_TRADER_NOTIFY_TELEGRAM_BOT_TOKEN is set$/],
  ['a chat id without a token', { UNLOCK_TRADER_NOTIFY_TELEGRAM_CHAT_ID: '-100' }, /^invalid environment: UNLOCK_TRADER_NOTIFY_TELEGRAM_BOT_TOKEN: is required when/],
  ['a bad chat id', { UNLOCK_TRADER_NOTIFY_TELEGRAM_BOT_TOKEN: TOKEN, UNLOCK_TRADER_NOTIFY_TELEGRAM_CHAT_ID: 'my chat' }, /UNLOCK_TRADER_NOTIFY_TELEGRAM_CHAT_ID: must be a numeric chat id or @channelname/],
  ['an unknown severity', { UNLOCK_TRADER_NOTIFY_MIN_SEVERITY: 'urgent' }, /^invalid environment: UNLOCK_TRADER_NOTIFY_MIN_SEVERITY: must be one of info, warning, error, critical$/],
  ['a channel severity for no channel', { UNLOCK_TRADER_NOTIFY_SLACK_MIN_SEVERITY: 'error' }, /UNLOCK_TRADER_NOTIFY_SLACK_MIN_SEVERITY: is set but the slack channel is not configured/],
  ['a negative window', { UNLOCK_TRADER_NOTIFY_BATCH_WINDOW_MS: '-5' }, /UNLOCK_TRADER_NOTIFY_BATCH_WINDOW_MS: must be an integer from 0 to 3600000/],
])('channel settings: %s is one clear line, and no secret in it', (_what, e, pattern) => {
  let msg = '';
  try {
    loadNotifySettings(e);
  } catch (err) {
    msg = (err as Error).message;
  }
  expect(msg).toMatch(pattern);
  expect(msg.split('\n')).toHaveLength(1);
  expect(msg).not.toContain('LEAKME');
  expect(msg).not.toContain(TOKEN);
});

test('no channel configured: nothing to send, alerts are only stored', async () => {
  expect(loadNotifySettings({}).channels).toEqual([]);
  const acts = createNotifyActivities({ db: tdb.db, notify: loadNotifySettings({}) });
  expect(await acts.claimNotificationBatch({ channel: 'webhook' })).toEqual({ kind: 'unconfigured' });
});

test('the outbox on Postgres: alert and deliveries in one transaction, a burst claimed into one batch, settled', async () => {
  const pg = await freshPostgresDb('notify');
  try {
    const p = createPersistenceActivities({ db: pg.db, notify: settings, log: () => undefined });
    const acts = createNotifyActivities({ db: pg.db, notify: settings, log: () => undefined, idleReturnMs: 3000 });
    const before = rx.calls.length;
    for (let i = 0; i < 30; i++) await p.raiseAlert(alert(`pg-${i}`, 'error'));
    await p.raiseAlert(alert('pg-0', 'error')); // retried: nothing new
    expect(await pg.db.alertDelivery.count()).toBe(90); // webhook, slack, discord (telegram: critical only)
    for (const ch of ['webhook', 'slack', 'discord']) expect(await drain(ch, acts)).toHaveLength(1);
    expect(rx.calls.slice(before).map((c) => `${c.route} ${c.status}`).sort()).toEqual(['discord 200', 'slack 200', 'webhook 200']);
    expect(await pg.db.alertDelivery.count({ where: { status: 'SENT' } })).toBe(90);
    expect((await pg.db.notificationBatch.findMany()).map((b) => `${b.status} ${b.alertCount}`)).toEqual(['SENT 30', 'SENT 30', 'SENT 30']);
  } finally {
    await pg.close();
  }
});
