/**
 * Notifications under fire (issue 15): a real dev server, the worker as a CHILD PROCESS running one
 * notifier workflow per channel (generic webhook, Slack, Telegram), and a local receiver that fails
 * 30 % of calls (seeded: 500/503, and 429 with Retry-After), delays answers, and holds a call it has
 * accepted while the worker is killed -9 (the receiver has the message, the sender never hears 2xx).
 *
 * Alerts are raised through the production raiseAlert (the outbox rows are written with them) from
 * this process, in bursts and trickles, including while the worker is dead. Then, per channel:
 *   lost       = alerts that reached no delivered message (receiver side) or whose delivery row is not
 *                SENT (DB side): must be 0;
 *   duplicate  = alerts delivered under two different idempotency keys (two different messages): must
 *                be 0. A resend under the SAME key (the kill window) is counted and reported apart: a
 *                receiver that honours Idempotency-Key drops it; Telegram has no such key, so there
 *                it is a message a person sees twice (with the same "ref").
 */
import { REPEAT_MARK } from '../../activities/notify/format';
import { createPersistenceActivities, type AlertInput } from '../../activities/persistence';
import { loadNotifySettings } from '../../config/notify';
import { startNotifyReceiver, type NotifyReceiver, type ReceivedCall } from '../helpers/notify-receiver';
import { ProofStack, table, waitFor } from './lib';

const TOKEN = `424242:NotifyProof${'Q'.repeat(24)}`;
const workerEnv: Record<string, string> = {};
const stack = new ProofStack('notify', { workerEnv });
let rx: NotifyReceiver;
const CHANNELS = ['webhook', 'slack', 'telegram'] as const;

afterAll(async () => {
  await stack.close();
  await rx?.close();
});

/** how many alerts a chat message says it carries (its headline, after a resend's repeat mark) */
function countInText(text: string): number {
  const m = /^(?:\(repeat[^\n]*\n)?unlock-trader: (\d+) alerts/.exec(text);
  return m ? Number(m[1]) : 1;
}

test('0 lost, 0 duplicate deliveries across a receiver failing 30 % of calls and a worker killed mid-delivery', async () => {
  const t0 = Date.now();
  rx = await startNotifyReceiver({ telegramToken: TOKEN, seed: 15, faults: { failRate: 0.3, rateLimitShare: 0.3, retryAfterSec: 1, maxDelayMs: 200 } });
  Object.assign(workerEnv, {
    UNLOCK_TRADER_NOTIFY_WEBHOOK_URL: `${rx.url}/webhook`,
    UNLOCK_TRADER_NOTIFY_SLACK_URL: `${rx.url}/slack`,
    UNLOCK_TRADER_NOTIFY_TELEGRAM_BOT_TOKEN: TOKEN,
    UNLOCK_TRADER_NOTIFY_TELEGRAM_CHAT_ID: '-100777',
    UNLOCK_TRADER_NOTIFY_TELEGRAM_API_URL: rx.url,
    UNLOCK_TRADER_NOTIFY_MIN_SEVERITY: 'info',
    UNLOCK_TRADER_NOTIFY_BATCH_WINDOW_MS: '500',
    UNLOCK_TRADER_NOTIFY_MIN_INTERVAL_MS: '200',
  });
  await stack.start();
  const w1 = await stack.startWorker();
  expect(w1.output()).toMatch(/notifications: webhook \(>= info\), slack \(>= info\), telegram \(>= info\)/);
  // the same settings the worker has: raiseAlert writes the outbox rows with each alert
  const raise = createPersistenceActivities({ db: stack.tdb.db, notify: loadNotifySettings(workerEnv), log: () => undefined }).raiseAlert;
  const sev: AlertInput['severity'][] = ['info', 'warning', 'error', 'critical'];
  let n = 0;
  const raiseMany = async (count: number, gapMs = 0) => {
    for (let i = 0; i < count; i++, n++) {
      await raise({ id: `np-${String(n).padStart(4, '0')}`, strategyId: 'notify-proof', severity: sev[n % 4]!, kind: 'PROOF', message: `alert number ${n}` });
      if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
    }
  };
  const allSent = (what: string, ms = 120_000) =>
    waitFor(what, () => stack.tdb.db.alertDelivery.count({ where: { status: { not: 'SENT' } } }), (left) => left === 0, ms, 250);

  // 1. a burst of 100 (one message), then a trickle of 30 (one every 600 ms, longer than the 500 ms
  //    window: mostly a message each, so the 30 % failures hit many calls)
  await raiseMany(100);
  await raiseMany(30, 600);
  await allSent('the burst and the trickle to be delivered');
  const beforeKill = rx.calls.length;

  // 2. the receiver accepts the next webhook and telegram messages but answers only after 8 s; the
  //    worker is killed -9 while it holds them, 25 more alerts come while no worker runs, then a restart
  rx.holdNext('webhook', 8_000);
  rx.holdNext('telegram', 8_000);
  const held = rx.calls.length;
  await raiseMany(20);
  await waitFor(
    'the receiver to hold an accepted webhook and telegram message',
    () => rx.calls.slice(held).filter((c) => c.status === 200 && (c.route === 'webhook' || c.route === 'telegram')).map((c) => c.route),
    (routes) => routes.includes('webhook') && routes.includes('telegram'),
    60_000,
    20,
  );
  const killAt = Date.now();
  await stack.killWorker();
  const heldKeys = rx.calls.slice(held).filter((c) => c.status === 200 && c.route !== 'slack').map((c) => `${c.route}:${c.key}`);
  await raiseMany(25);
  const w2 = await stack.startWorker();
  await allSent('everything to be delivered after the restart');
  const doneAt = Date.now();

  // ---------------------------------------------------------------- receiver-side and DB-side accounting
  const alerts = await stack.tdb.db.alert.findMany({ orderBy: { id: 'asc' } });
  expect(alerts).toHaveLength(n);
  const rows = [];
  for (const ch of CHANNELS) {
    const delivered = rx.delivered(ch);
    const byKey = new Map<string, ReceivedCall[]>();
    for (const c of delivered) byKey.set(c.key ?? '(no key)', [...(byKey.get(c.key ?? '(no key)') ?? []), c]);
    const sentBatches = await stack.tdb.db.notificationBatch.findMany({ where: { channel: ch } });
    const keyOf = (batchId: string) => (ch === 'telegram' ? batchId.slice(0, 12) : batchId);
    const lost: string[] = [];
    const dup: string[] = [];
    if (ch === 'webhook') {
      // the JSON body names every alert: receiver-side proof per alert id
      const keysPerAlert = new Map<string, Set<string>>();
      for (const [key, calls] of byKey) for (const a of (calls[0]!.body as { alerts: Array<{ id: string }> }).alerts) keysPerAlert.set(a.id, (keysPerAlert.get(a.id) ?? new Set()).add(key));
      for (const a of alerts) {
        const k = keysPerAlert.get(a.id);
        if (!k) lost.push(a.id);
        else if (k.size > 1) dup.push(a.id);
      }
    } else {
      // chat text is cut to the channel's limit: the headline's count per distinct message must add up
      const carried = [...byKey.values()].reduce((s, calls) => s + countInText(calls[0]!.text), 0);
      if (carried < n) lost.push(`${n - carried} alerts`);
      if (carried > n) dup.push(`${carried - n} alerts`);
    }
    // DB side: every delivery row of this channel SENT, in a batch the receiver has under that key
    const deliveries = await stack.tdb.db.alertDelivery.findMany({ where: { channel: ch } });
    const keys = new Set(byKey.keys());
    for (const d of deliveries) if (d.status !== 'SENT' || !d.batchId || !keys.has(keyOf(d.batchId))) lost.push(`${d.id} (${d.status})`);
    expect(deliveries).toHaveLength(n);
    // a chat channel has no idempotency key: every resend of a delivered message says it may be a repeat
    if (ch !== 'webhook') for (const calls of byKey.values()) for (const c of calls.slice(1)) expect(c.text.split('\n')[0]).toBe(REPEAT_MARK);
    else for (const calls of byKey.values()) for (const c of calls.slice(1)) expect((c.body as { repeat?: boolean }).repeat).toBe(true);
    const calls = rx.calls.filter((c) => c.route === ch);
    rows.push({
      channel: ch,
      alerts: n,
      'calls received': calls.length,
      'failed 5xx': calls.filter((c) => c.status >= 500).length,
      '429s': calls.filter((c) => c.status === 429).length,
      'delivered calls': delivered.length,
      'distinct messages (keys)': byKey.size,
      'resends, same key': delivered.length - byKey.size,
      'batches SENT': sentBatches.filter((b) => b.status === 'SENT').length,
      'max attempts': Math.max(...sentBatches.map((b) => b.attempts)),
      lost: lost.length,
      duplicate: dup.length,
    });
    expect({ ch, lost, dup }).toEqual({ ch, lost: [], dup: [] });
  }
  const failed = rx.calls.filter((c) => c.status >= 400).length;
  console.log(
    [
      `NOTIFY PROOF: ${n} alerts × ${CHANNELS.length} channels; receiver failed ${failed} of ${rx.calls.length} calls (${((100 * failed) / rx.calls.length).toFixed(0)} %), ${rx.calls.slice(0, beforeKill).length} calls before the kill`,
      table(rows),
      `kill -9 while the receiver held ${heldKeys.join(', ')}; worker back in ${w2.readyAt - killAt} ms; all delivered ${((doneAt - killAt) / 1000).toFixed(1)} s after the kill; total ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    ].join('\n'),
  );
  // the kill did land mid-delivery: each held message was sent again under its same key after the restart
  for (const hk of heldKeys) {
    const [route, key] = hk.split(':') as [string, string];
    expect(rx.delivered(route).filter((c) => c.key === key).length).toBeGreaterThanOrEqual(2);
  }
  // a 30 % failing receiver: the retries were real
  expect(failed).toBeGreaterThan(0.15 * rx.calls.length);
  // one loop per channel across the restart (USE_EXISTING): no second notifier
  const notifiers: string[] = [];
  for await (const wf of stack.client.workflow.list({ query: `WorkflowType = "notifierWorkflow" AND ExecutionStatus = "Running"` })) notifiers.push(wf.workflowId);
  expect(notifiers.sort()).toEqual(['notifier-slack', 'notifier-telegram', 'notifier-webhook']);
}, 300_000);
