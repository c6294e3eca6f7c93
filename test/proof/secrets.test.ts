/**
 * Secrets (issue 7, acceptance 3): a live-mode run against the simulator with a distinctive API key and
 * secret, known only to the worker process (its environment) and the simulator. The run includes error
 * paths (5xx on placing and on fetching, accept-then-drop on the order endpoint) so error messages
 * are written to the DB and to the histories. Then the secret and the key must appear in NONE of:
 *   - every workflow history of the namespace (every run), as stored (payloads encrypted: issue 16) and
 *     with every payload decoded through the codec (payload data read as text),
 *   - the worker processes' stdout/stderr, the Temporal dev server's log,
 *   - any DB row (alerts, orders.lastError, audit payloads, strategy config, ...).
 * The same for the notification secrets (issue 15): a Telegram bot token and a Slack webhook URL token,
 * used by the worker's notifiers against a local receiver that fails 30 % of calls with an error page
 * echoing the request path (where the bot token is).
 * And the audit chain of that run verifies; an edited, a deleted and a reordered entry each make
 * `audit verify` exit non-zero naming the entry.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { positionWorkflowId } from '../../workflows/position/api';
import { clientOrderIdFor } from '../../domain/ids';
import { codecFromEnv } from '../../codec/keys';
import { decodeHistoryPayloads } from '../helpers/history-payloads';
import { ProofStack, proofConfig, startAndPromote, waitFor } from './lib';
import { startNotifyReceiver, type NotifyReceiver } from '../helpers/notify-receiver';

const SECRET = `S3CR3T-${randomBytes(12).toString('hex')}`;
const KEY = `K3Y-${randomBytes(12).toString('hex')}`;
// notifications (issue 15): a Telegram bot token and a Slack webhook URL whose query holds a token
const BOT_TOKEN = `8675309:T0K3N${randomBytes(12).toString('hex')}`;
const SLACK_TOKEN = `SL4CK${randomBytes(10).toString('hex')}`;
const workerEnv: Record<string, string> = {};
const stack = new ProofStack('secrets', { apiKey: KEY, secret: SECRET, encrypted: true, workerEnv });
const ID = 'secrets';
let rx: NotifyReceiver | undefined;
afterAll(async () => {
  await stack.close();
  await rx?.close();
});

/** JSON of anything, with every byte array / base64 string (payload data) decoded as UTF-8 text and also kept as base64. */
function dump(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => {
    if (x instanceof Uint8Array) return { utf8: Buffer.from(x).toString('utf8'), base64: Buffer.from(x).toString('base64') };
    // a Buffer has already been through its toJSON() when the replacer sees it
    const b = x as { type?: unknown; data?: unknown };
    if (b && b.type === 'Buffer' && Array.isArray(b.data)) {
      const buf = Buffer.from(b.data as number[]);
      return { utf8: buf.toString('utf8'), base64: buf.toString('base64') };
    }
    if (typeof x === 'bigint') return x.toString();
    // fetchHistory() gives proto3 JSON: payload data (and metadata) are base64 strings → decode them too
    if (typeof x === 'string' && x.length >= 8 && x.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(x)) return `${x} => ${Buffer.from(x, 'base64').toString('utf8')}`;
    return x;
  });
}

function leaks(text: string): string[] {
  const out: string[] = [];
  for (const [name, s] of [
    ['secret', SECRET],
    ['api key', KEY],
    ['notify bot token', BOT_TOKEN],
    ['notify bot token secret part', BOT_TOKEN.split(':')[1]!],
    ['notify slack url token', SLACK_TOKEN],
  ] as const) {
    if (text.includes(s)) out.push(name);
    if (text.includes(Buffer.from(s).toString('base64').slice(0, 20))) out.push(`${name} (base64)`);
  }
  return out;
}

test('the API secret and key appear in no history, no log and no DB row; the audit chain names tampered entries', async () => {
  const t0 = Date.now();
  // the receiver fails 30 % of calls with an error page that echoes the request path (the bot token)
  rx = await startNotifyReceiver({ telegramToken: BOT_TOKEN, seed: 3, faults: { failRate: 0.3, maxDelayMs: 100 } });
  Object.assign(workerEnv, {
    UNLOCK_TRADER_NOTIFY_TELEGRAM_BOT_TOKEN: BOT_TOKEN,
    UNLOCK_TRADER_NOTIFY_TELEGRAM_CHAT_ID: '-100123',
    UNLOCK_TRADER_NOTIFY_TELEGRAM_API_URL: rx.url,
    UNLOCK_TRADER_NOTIFY_SLACK_URL: `${rx.url}/slack?token=${SLACK_TOKEN}`,
    UNLOCK_TRADER_NOTIFY_MIN_SEVERITY: 'info',
    UNLOCK_TRADER_NOTIFY_BATCH_WINDOW_MS: '300',
  });
  await stack.start();
  await stack.startWorker();
  const dir = mkdtempSync(join(tmpdir(), 'proof-secrets-'));
  const cfgFile = join(dir, 'secrets.json');
  writeFileSync(cfgFile, JSON.stringify(proofConfig(ID)));
  await startAndPromote(stack, ID, cfgFile);

  // error paths: a 5xx, a lost answer and a 5xx on the fetch-by-client-id of the retry (all retried)
  stack.sim.faults.add({ id: 'first-5xx', kind: 'status', endpoint: '/api/v3/order', method: 'POST', status: 502, probability: 1, times: 1 });
  stack.sim.faults.add({ id: 'drop', kind: 'accept-then-drop', endpoint: '/api/v3/order', method: 'POST', probability: 1, times: 1 });
  stack.sim.faults.add({ id: 'get-5xx', kind: 'status', endpoint: '/api/v3/order', method: 'GET', status: 503, probability: 1, times: 1 });
  const events = await stack.addEvents('sx', [
    { symbol: 'BTC/USDT', unlockInMs: 8_000 },
    { symbol: 'ETH/USDT', unlockInMs: 9_000 },
  ]);
  const positions = events.map((e) => positionWorkflowId(ID, e));
  await waitFor(
    'the live positions to close',
    () => Promise.all(positions.map((id) => stack.client.workflow.getHandle(id).describe().then((x) => x.status.name))),
    (ss) => ss.every((s) => s === 'COMPLETED'),
    90_000,
    500,
  );
  // they traded live at the simulator
  const simIds = stack.sim.orders().map((o) => o.clientOrderId);
  for (const p of positions) expect(simIds).toEqual(expect.arrayContaining([clientOrderIdFor(p, 'entry'), clientOrderIdFor(p, 'exit')]));
  expect(stack.sim.stats().totalFaults).toBeGreaterThanOrEqual(2);

  // the alerts of the run went out through both channels (the token was used), failures included
  await waitFor('every alert notification to be sent', () => stack.tdb.db.alertDelivery.findMany(), (ds) => ds.length > 0 && ds.every((x) => x.status === 'SENT'), 60_000, 250);
  expect(rx.delivered('telegram').length).toBeGreaterThan(0);
  expect(rx.delivered('slack').length).toBeGreaterThan(0);
  const notifyFailures = rx.calls.filter((c) => c.status >= 500).length;

  // ---- every history of the namespace
  let histories = 0;
  let historyBytes = 0;
  const historyLeaks: string[] = [];
  let sawOrderId = false;
  const codec = codecFromEnv(stack.codecEnv)!;
  for await (const w of stack.client.workflow.list()) {
    const h = await stack.client.workflow.getHandle(w.workflowId, w.runId).fetchHistory();
    const stored = dump(h);
    await decodeHistoryPayloads(h, codec);
    const decoded = dump(h);
    const text = `${stored}\n${decoded}`;
    histories++;
    historyBytes += text.length;
    if (decoded.includes(clientOrderIdFor(positions[0]!, "entry"))) sawOrderId = true;
    for (const l of leaks(text)) historyLeaks.push(`${w.workflowId}/${w.runId}: ${l}`);
  }
  expect(sawOrderId).toBe(true); // the decoding works: payload contents are searchable

  // ---- logs
  const workerLog = stack.workerLogs.join('\n');
  const serverLog = readFileSync(stack.server.logFile, 'utf8');
  expect(workerLog).toMatch(/live broker: binance at http:\/\/127\.0\.0\.1/); // the worker did run live

  // ---- every DB row
  const db = stack.tdb.db;
  const tables = {
    strategy: await db.strategy.findMany(),
    unlockEvent: await db.unlockEvent.findMany(),
    tradingSignal: await db.tradingSignal.findMany(),
    position: await db.position.findMany(),
    order: await db.order.findMany(),
    fill: await db.fill.findMany(),
    balanceSnapshot: await db.balanceSnapshot.findMany(),
    riskState: await db.riskState.findMany(),
    modeChange: await db.modeChange.findMany(),
    approval: await db.approval.findMany(),
    alert: await db.alert.findMany(),
    auditEntry: await db.auditEntry.findMany(),
    dailyReport: await db.dailyReport.findMany(),
    paperVenueOrder: await db.paperVenueOrder.findMany(),
    alertDelivery: await db.alertDelivery.findMany(),
    notificationBatch: await db.notificationBatch.findMany(),
  };
  const dbLeaks = Object.entries(tables).flatMap(([t, rows]) => leaks(dump(rows)).map((l) => `${t}: ${l}`));
  const errorsRecorded = tables.order.filter((o) => o.lastError).length + tables.alert.filter((a) => /error|fail/i.test(a.message)).length;
  const retried = tables.order.filter((o) => o.attempts > 1).length;

  console.log(
    [
      `SECRETS: secret ${SECRET.slice(0, 9)}… and key ${KEY.slice(0, 6)}… searched (plain and base64) in`,
      `  ${histories} workflow histories (${(historyBytes / 1024).toFixed(0)} KiB as stored + decoded): ${historyLeaks.length} hits`,
      `  ${stack.workerLogs.length} worker processes' output (${(workerLog.length / 1024).toFixed(1)} KiB) and the dev server log (${(serverLog.length / 1024).toFixed(1)} KiB): ${leaks(workerLog).length + leaks(serverLog).length} hits`,
      `  ${Object.values(tables).reduce((a, r) => a + r.length, 0)} DB rows in ${Object.keys(tables).length} tables (${tables.auditEntry.length} audit entries, ${tables.alert.length} alerts, ${tables.order.length} orders, ${retried} retried, ${errorsRecorded} with an error recorded): ${dbLeaks.length} hits`,
      `  exchange faults injected on the way: ${JSON.stringify(stack.sim.stats().faultsInjected)}`,
      `  notifications: ${rx.calls.length} calls to the receiver (${notifyFailures} failed with the token-bearing path echoed back), ${tables.notificationBatch.length} batches, ${tables.notificationBatch.filter((b) => b.lastError).length} with an error recorded`,
    ].join('\n'),
  );
  expect(historyLeaks).toEqual([]);
  expect(leaks(workerLog)).toEqual([]);
  expect(leaks(serverLog)).toEqual([]);
  expect(dbLeaks).toEqual([]);

  // ---- the audit chain of this run: intact, then tampered three ways
  await stack.stopWorker(); // nothing appends while we tamper
  const ok = await stack.cli('audit', 'verify');
  expect(ok).toMatchObject({ code: 0, out: `audit chain intact: ${tables.auditEntry.length} entries\n` });
  const kinds = [...new Set(tables.auditEntry.map((e) => e.kind))].sort();
  expect(kinds).toEqual(expect.arrayContaining(['APPROVAL', 'POSITION_CLOSED', 'POSITION_OPENED', 'STRATEGY_STARTED']));
  const entries = [...tables.auditEntry].sort((a, b) => a.seq - b.seq);
  const opened = entries.find((e) => e.kind === 'POSITION_OPENED')!;

  // edited: a fill price changed
  await db.auditEntry.update({ where: { seq: opened.seq }, data: { payloadJson: opened.payloadJson.replace(/"entryPrice":"[^"]+"/, '"entryPrice":"1"') } });
  let r = await stack.cli('audit', 'verify');
  expect(r.code).toBe(1);
  expect(r.out).toContain(`entry ${opened.seq} EDITED`);
  expect(r.err).toMatch(new RegExp(`audit chain broken: .* at entry ${opened.seq} of ${entries.length}`));
  await db.auditEntry.update({ where: { seq: opened.seq }, data: { payloadJson: opened.payloadJson } });
  expect((await stack.cli('audit', 'verify')).code).toBe(0);

  // deleted: an entry in the middle disappears
  const victim = entries[Math.floor(entries.length / 2)]!;
  await db.auditEntry.delete({ where: { seq: victim.seq } });
  r = await stack.cli('audit', 'verify');
  expect(r.code).toBe(1);
  expect(r.out).toMatch(new RegExp(`entry ${victim.seq + 1} (GAP|BROKEN_LINK)`));
  const { seq: _s, ...victimData } = victim;
  await db.auditEntry.create({ data: { seq: victim.seq, ...victimData } });
  expect((await stack.cli('audit', 'verify')).code).toBe(0);

  // reordered: two neighbours swap places (their contents and hashes move, the seq numbers stay)
  const [x, y] = [entries[1]!, entries[2]!];
  const content = (e: typeof x) => ({ entryKey: e.entryKey, kind: e.kind, strategyId: e.strategyId, payloadJson: e.payloadJson, createdAt: e.createdAt, prevHash: e.prevHash, hash: e.hash });
  await db.auditEntry.update({ where: { seq: x.seq }, data: { entryKey: `${x.entryKey}#tmp`, prevHash: `${x.prevHash}#tmp`, hash: `${x.hash}#tmp` } });
  await db.auditEntry.update({ where: { seq: y.seq }, data: content(x) });
  await db.auditEntry.update({ where: { seq: x.seq }, data: content(y) });
  r = await stack.cli('audit', 'verify');
  expect(r.code).toBe(1);
  expect(r.out).toMatch(new RegExp(`entry ${x.seq} (BROKEN_LINK|EDITED)`));
  expect(r.err).toMatch(/audit chain broken/);
  console.log(`audit: ${entries.length} entries (${kinds.join(', ')}); edit → entry ${opened.seq} named, delete of ${victim.seq} → entry ${victim.seq + 1} named, swap ${x.seq}↔${y.seq} → named; total ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}, 240_000);

/**
 * GAP (issue 7 asks: "every order, fill, mode change, approval, emergency stop appended with a hash
 * chain"): orders and fills are not appended to the audit chain — only POSITION_OPENED / _CLOSED, which
 * carry a position's prices but not each order (client order id, venue id, status) or fill.
 * (activities/orders/ledger.ts appends them in settle(), with idempotent keys.)
 */
test('every order and every fill of the run is in the audit chain', async () => {
  const db = stack.tdb.db;
  const orders = await db.order.findMany({ include: { fills: true } });
  const audit = (await db.auditEntry.findMany()).map((e) => `${e.kind} ${e.entryKey} ${e.payloadJson}`).join('\n');
  expect(orders.length).toBeGreaterThan(0);
  const missing = [
    ...orders.filter((o) => !audit.includes(o.clientOrderId)).map((o) => `order ${o.clientOrderId}`),
    ...orders.flatMap((o) => o.fills).filter((f) => !audit.includes(f.tradeId)).map((f) => `fill ${f.tradeId}`),
  ];
  expect(missing).toEqual([]);
});
