/**
 * Encryption end to end on the time-skipping server: a strategy and its position run with the codec
 * on client and worker; the RAW histories (read through the gRPC service, no codec) hold no payload
 * in plaintext — no config, size or price — while decoding gives the originals. Key rotation: a
 * strategy started under key A finishes its position after the worker restarts encrypting with B and
 * still accepting A. A worker without the key fails the workflow task with an error naming the key.
 */
import { randomBytes } from 'node:crypto';
import { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { AesGcmCodec, isEncrypted, payloadKeyId } from '../../codec/aes-gcm-codec';
import { withTimeSkippingAndDb } from '../helpers/temporal';
import { payloadsIn, rawHistoryText } from '../helpers/history-payloads';
import type { TestDb } from '../helpers/db';
import { advance, DAY, HOUR, insertEvents, scriptedMarket, testConfig, tradingWorker, unlockEvent } from '../helpers/trading';
import { strategyWorkflowId } from '../../workflows/strategy/api';
import { positionWorkflowId } from '../../workflows/position/api';

const keyA = new Uint8Array(randomBytes(32));
const keyB = new Uint8Array(randomBytes(32));
const codecOf = (encryptWith: string, keys: Record<string, Uint8Array>) => new AesGcmCodec({ encryptWith, keys: new Map(Object.entries(keys)) });
const onlyA = codecOf('A', { A: keyA });
const rotated = codecOf('B', { A: keyA, B: keyB });

let env: TestWorkflowEnvironment;
let tdb: TestDb;
withTimeSkippingAndDb((e, d) => ((env = e), (tdb = d)));

const clientWith = (codec: AesGcmCodec) => new Client({ connection: env.connection, namespace: env.namespace ?? 'default', dataConverter: { payloadCodecs: [codec] } });

/** The history as the server stores it: raw gRPC, every page. */
async function rawHistory(workflowId: string): Promise<temporal.api.history.v1.IHistory> {
  const events: temporal.api.history.v1.IHistoryEvent[] = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await env.client.workflowService.getWorkflowExecutionHistory({ namespace: env.namespace ?? 'default', execution: { workflowId }, nextPageToken });
    events.push(...(page.history?.events ?? []));
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return { events };
}

test('raw histories hold no plaintext config, size or price; decoding gives the originals', async () => {
  const t0 = await env.currentTimeMs();
  const m = scriptedMarket();
  const unlockAt = t0 + 30 * HOUR;
  m.script('CDX/USDT', 2.7182, unlockAt - 24 * HOUR + 3 * HOUR, +6);
  await insertEvents(tdb.db, [unlockEvent('CDX-1', 'CDX/USDT', unlockAt)]);
  const config = testConfig({ strategyId: 'codec-it', name: 'Confidential desk seven', capital: { initial: '987654' }, timing: { scanInterval: '1h' } });
  const client = clientWith(onlyA);
  const { worker } = await tradingWorker(env, tdb.db, { taskQueue: 'codec-it', paperMarket: m.market, dataConverter: { payloadCodecs: [onlyA] } });
  await worker.runUntil(async () => {
    const handle = await client.workflow.start('strategyWorkflow', { taskQueue: 'codec-it', workflowId: strategyWorkflowId('codec-it'), args: [{ config }] });
    await advance(env, 3 * DAY + 12 * HOUR);
    await client.workflow.getHandle(positionWorkflowId('codec-it', 'CDX-1')).result();
    await handle.signal('stopStrategy', {});
    await handle.result();
  });
  const position = await tdb.db.position.findFirstOrThrow({ where: { eventId: 'CDX-1' } });
  const order = await tdb.db.order.findFirstOrThrow({ where: { positionId: position.id, purpose: 'entry' } });
  const secrets = ['Confidential desk seven', '987654', 'riskPerTradePct', '2.7182', order.filledAmount.toString(), order.avgPrice!.toString()];

  for (const wid of [strategyWorkflowId('codec-it'), positionWorkflowId('codec-it', 'CDX-1')]) {
    const history = await rawHistory(wid);
    const found = payloadsIn(history);
    expect(found.length).toBeGreaterThan(3);
    const plain = found.filter((f) => !isEncrypted(f.payload));
    expect(plain.map((f) => f.path)).toEqual([]);
    expect(new Set(found.map((f) => payloadKeyId(f.payload)))).toEqual(new Set(['A']));
    const raw = rawHistoryText(history);
    for (const s of secrets) expect({ wid, leaked: raw.includes(s) ? s : null }).toEqual({ wid, leaked: null });
    // the same payloads decoded: the strings were there to find
    const decoded = (await onlyA.decode(found.map((f) => f.payload))).map((p) => JSON.stringify(defaultPayloadConverter.fromPayload(p))).join('\n');
    expect(decoded).toContain(wid.startsWith('strategy') ? 'Confidential desk seven' : '987654');
    expect(decoded).toContain(order.filledAmount.toString());
  }
  // a reader holding only other keys gets a clear error naming the key, not garbage and not a hang
  const [first] = payloadsIn(await rawHistory(strategyWorkflowId('codec-it')));
  await expect(codecOf('B', { B: keyB }).decode([first!.payload])).rejects.toThrow(/key "A", which is not configured \(known: B\)/);
});

test('key rotation: started under A, the position completes after the worker restarts encrypting with B', async () => {
  const t0 = await env.currentTimeMs();
  const m = scriptedMarket();
  // inside the first scan's horizon (entry lead 24 h + tolerance 2 h + scan 1 h): the position starts at once
  const unlockAt = t0 + 26 * HOUR + 30 * 60_000;
  m.script('ROT/USDT', 3, unlockAt - 24 * HOUR + 3 * HOUR, +6);
  await insertEvents(tdb.db, [unlockEvent('ROT-1', 'ROT/USDT', unlockAt)]);
  const config = testConfig({ strategyId: 'codec-rot', timing: { scanInterval: '1h' } });
  const sid = strategyWorkflowId('codec-rot');
  const pid = positionWorkflowId('codec-rot', 'ROT-1');

  // worker A keeps no workflow cache, so no sticky queue: the time-skipping server never hands a stopped
  // worker's sticky tasks back to the normal queue (a real server does, after a timeout)
  const underA = await tradingWorker(env, tdb.db, { taskQueue: 'codec-rot', paperMarket: m.market, dataConverter: { payloadCodecs: [onlyA] }, maxCachedWorkflows: 0 });
  await underA.worker.runUntil(async () => {
    await clientWith(onlyA).workflow.start('strategyWorkflow', { taskQueue: 'codec-rot', workflowId: sid, args: [{ config }] });
    // the strategy scans and starts the position, which waits for its entry time (unlock − 24 h ± 2 h):
    // a restart while no activity runs (the time-skipping server cannot skip past an abandoned one)
    await advance(env, HOUR);
  });
  const beforeRestart = payloadsIn(await rawHistory(pid));
  expect(beforeRestart.length).toBeGreaterThan(0);
  expect(new Set(beforeRestart.map((f) => payloadKeyId(f.payload)))).toEqual(new Set(['A']));
  expect(await tdb.db.order.count({ where: { symbol: 'ROT/USDT' } })).toBe(0);

  const client = clientWith(rotated);
  const underB = await tradingWorker(env, tdb.db, { taskQueue: 'codec-rot', paperMarket: m.market, dataConverter: { payloadCodecs: [rotated] } });
  await underB.worker.runUntil(async () => {
    await advance(env, 3 * DAY);
    await client.workflow.getHandle(pid).result();
    await client.workflow.getHandle(sid).signal('stopStrategy', {});
    await client.workflow.getHandle(sid).result();
  });
  const closed = await tdb.db.position.findFirstOrThrow({ where: { eventId: 'ROT-1' } });
  expect(closed.status).toBe('CLOSED');
  expect(closed.exitReason).toBe('TAKE_PROFIT');
  for (const wid of [sid, pid]) {
    const ids = new Set(payloadsIn(await rawHistory(wid)).map((f) => payloadKeyId(f.payload)));
    expect(ids).toEqual(new Set(['A', 'B']));
  }
}, 240_000);

test('a worker without the key fails the workflow task with an error naming the key id', async () => {
  const taskQueue = 'codec-missing-key';
  const { worker } = await tradingWorker(env, tdb.db, { taskQueue, paperMarket: scriptedMarket().market, dataConverter: { payloadCodecs: [codecOf('B', { B: keyB })] } });
  const handle = await clientWith(onlyA).workflow.start('wiringCheckWorkflow', { taskQueue, workflowId: 'codec-missing-key', args: ['hello'] });
  const failure = await worker.runUntil(async () => {
    for (let i = 0; i < 100; i++) {
      const events = (await rawHistory(handle.workflowId)).events ?? [];
      const failed = events.find((e) => e.workflowTaskFailedEventAttributes);
      if (failed) return failed.workflowTaskFailedEventAttributes!.failure?.message ?? '';
      await new Promise((r) => setTimeout(r, 200));
    }
    return 'no workflow task failure within 20 s';
  });
  expect(failure).toMatch(/key "A", which is not configured \(known: B\)/);
  await handle.terminate('test done');
});
