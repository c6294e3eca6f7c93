/**
 * Issue 15: an emergency stop of 100 open positions reaches each channel as ONE message. The strategy
 * and its 100 paper positions run on the time-skipping server; once they are open, one notifier
 * workflow per channel (webhook, Slack, Telegram) starts on the same worker against a local receiver
 * and waits; then the emergency stop: the batch exit closes all 100, the alerts the stop raises are
 * written with their outbox rows, and each notifier sends them as one message.
 * What this shows and what it does not: the stop raises one EMERGENCY_STOP alert for all its positions
 * (by design, workflows/strategy/emergency.ts), so one message per channel here also rests on that;
 * a burst of 100 separate alerts becoming one message is shown in test/activities/notify.test.ts and,
 * across a failing receiver and kill -9, in test/proof/notify.test.ts.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { loadNotifySettings } from '../../config/notify';
import { notifierWorkflowId } from '../../workflows/notifier';
import { strategyWorkflowId, type OpenPositionInfo, type StrategyStatus } from '../../workflows/strategy/api';
import { positionWorkflowId, type PositionView } from '../../workflows/position/api';
import { timeSkippingEnv } from '../helpers/temporal';
import { freshSqliteDb, type TestDb } from '../helpers/db';
import { startNotifyReceiver, type NotifyReceiver } from '../helpers/notify-receiver';
import { advance, HOUR, insertEvents, scriptedMarket, testConfig, tradingWorker, unlockEvent } from '../helpers/trading';
import { waitFor } from '../helpers/wait';

const N = 100;
const TOKEN = `555:Emergency${'Z'.repeat(24)}`;
const CHANNELS = ['webhook', 'slack', 'telegram'];
let env: TestWorkflowEnvironment;
let tdb: TestDb;
let rx: NotifyReceiver;
beforeAll(async () => {
  [env, tdb, rx] = await Promise.all([timeSkippingEnv(), freshSqliteDb(), startNotifyReceiver({ telegramToken: TOKEN })]);
});
afterAll(async () => {
  await rx?.close();
  await tdb?.close();
  await env?.teardown();
});

test(`an emergency stop of ${N} open positions sends one message per channel`, async () => {
  const notify = loadNotifySettings({
    UNLOCK_TRADER_NOTIFY_WEBHOOK_URL: `${rx.url}/webhook`,
    UNLOCK_TRADER_NOTIFY_SLACK_URL: `${rx.url}/slack`,
    UNLOCK_TRADER_NOTIFY_TELEGRAM_BOT_TOKEN: TOKEN,
    UNLOCK_TRADER_NOTIFY_TELEGRAM_CHAT_ID: '-1009',
    UNLOCK_TRADER_NOTIFY_TELEGRAM_API_URL: rx.url,
    UNLOCK_TRADER_NOTIFY_MIN_SEVERITY: 'info', // everything the stop raises counts
    UNLOCK_TRADER_NOTIFY_BATCH_WINDOW_MS: '1000',
  });
  const t0 = await env.currentTimeMs();
  const m = scriptedMarket();
  const symbols = Array.from({ length: N }, (_, i) => `E${String(i).padStart(3, '0')}/USDT`);
  symbols.forEach((s, i) => m.flat(s, 1 + (i % 7)));
  // entries a minute apart (all open within 6 h): 100 simultaneous entries would all append to the
  // audit chain at once, which is not what this test is about
  await insertEvents(tdb.db, symbols.map((s, i) => unlockEvent(`EM${i}`, s, t0 + 26 * HOUR + i * 60_000)));
  const config = testConfig({
    strategyId: 'emg100',
    sizing: { positionPct: '0.5' },
    risk: { maxOpenPositions: N, maxPositionPct: '20' },
    timing: { scanInterval: '1h', emergencyCooldown: '20h' },
    ladder: { PAPER: { riskPerTradePct: '1', maxExposurePct: '90', dailyLossPct: '50' } },
  });
  const { worker } = await tradingWorker(env, tdb.db, { taskQueue: 'emg100', paperMarket: m.market, notify, notifyIdleReturnMs: 5_000, maxCachedWorkflows: 400 });
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start('strategyWorkflow', { taskQueue: 'emg100', workflowId: strategyWorkflowId('emg100'), args: [{ config }] });
    await advance(env, 6 * HOUR);
    // the clock has passed every entry; under load the last entries' workflow tasks may still be in
    // flight, so wait (real time) for them rather than skip more time
    const openCount = async () => (await handle.query<OpenPositionInfo[]>('openPositions')).filter((p) => p.status === 'OPEN').length;
    await waitFor(`all ${N} positions open`, openCount, (k) => k === N, 120_000, 500);
    expect(await openCount()).toBe(N);
    expect(await tdb.db.alertDelivery.count()).toBe(0); // nothing raised before the stop with these limits
    const callsBefore = rx.calls.length;
    // the notifiers run from here on, waiting when the stop comes (their claims poll in real time)
    for (const channel of CHANNELS) await env.client.workflow.start('notifierWorkflow', { taskQueue: 'emg100', workflowId: notifierWorkflowId(channel), args: [{ channel }] });
    const stoppedAt = Date.now();
    await handle.signal('emergencyStop', { reason: 'notify drill', by: 'ops' });
    // (polled: awaiting 100 results at once on the time-skipping server was seen to stall)
    await waitFor('every position to close', () => tdb.db.position.count({ where: { strategyId: 'emg100', status: 'CLOSED' } }), (k) => k === N, 120_000, 500);
    const views: PositionView[] = [];
    for (let i = 0; i < N; i++) views.push((await env.client.workflow.getHandle(positionWorkflowId('emg100', `EM${i}`)).result()) as PositionView);
    expect(views.filter((v) => v.status === 'CLOSED' && v.exitReason === 'EMERGENCY')).toHaveLength(N);
    const status = await handle.query<StrategyStatus>('status');
    expect(status).toMatchObject({ mode: 'EMERGENCY_STOP', openPositions: 0 });

    // every alert of the stop delivered, then a pause longer than the batch window: still one message each
    await waitFor('every channel to have sent', () => tdb.db.alertDelivery.count({ where: { status: { not: 'SENT' } } }), (k) => k === 0, 60_000, 200);
    await new Promise((r) => setTimeout(r, 3_000));
    const calls = rx.calls.slice(callsBefore);
    const alerts = await tdb.db.alert.findMany({ where: { createdAt: { gte: new Date(stoppedAt - 1000) } } });
    const webhook = calls.find((c) => c.route === 'webhook')?.body as { alerts: Array<{ kind: string; message: string }> } | undefined;
    console.log(
      `EMERGENCY ${N}: ${views.length} positions closed by the stop; ${alerts.length} alert(s) raised (${alerts.map((a) => a.kind).join(', ')}); ` +
        `${calls.length} calls: ${calls.map((c) => `${c.route} ${c.status}`).join(', ')}; message: ${JSON.stringify(webhook?.alerts[0]?.message)}`,
    );
    expect(calls.map((c) => c.route).sort()).toEqual([...CHANNELS].sort());
    expect(calls.every((c) => c.status === 200)).toBe(true);
    expect(webhook!.alerts.map((a) => a.kind)).toContain('EMERGENCY_STOP');
    expect(webhook!.alerts.find((a) => a.kind === 'EMERGENCY_STOP')!.message).toContain(`${N} open position(s) sent to market exit`);
    expect(webhook!.alerts).toHaveLength(alerts.length);
    for (const ch of CHANNELS) expect(await tdb.db.notificationBatch.count({ where: { channel: ch, createdAt: { gte: new Date(stoppedAt) } } })).toBe(1);
    for (const channel of CHANNELS) await env.client.workflow.getHandle(notifierWorkflowId(channel)).terminate('test over');
    await handle.terminate('test over');
  });
}, 300_000);
