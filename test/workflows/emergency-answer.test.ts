/**
 * The emergency stop as the operator sees it (issue 14), on the time-skipping server:
 *  - entry requests that arrive WHILE the stop is dispatching its exits (sent from inside the batch
 *    activity, so they land before it returns) are every one refused with MODE_HALTED, and none of
 *    those positions ever places an order;
 *  - the emergencyStop update answers with the stop's exits (dispatched, acknowledged or pending),
 *    and `status` reports the rest once every position has been told (emergency-early-answer-v1).
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { timeSkippingEnv } from '../helpers/temporal';
import { freshSqliteDb, type TestDb } from '../helpers/db';
import { advance, HOUR, insertEvents, maybeRecordHistory, scriptedMarket, testConfig, unlockEvent } from '../helpers/trading';
import { PaperBroker } from '../../exchange/paper-broker';
import { staticBrokerRegistry } from '../../exchange/broker-registry';
import { createActivities } from '../../activities';
import { createTradingWorker } from '../../workers/create-worker';
import { entryRequestSignal, strategyWorkflowId, type EntryRequest, type OpenPositionInfo, type StrategyStatus } from '../../workflows/strategy/api';
import { positionWorkflowId, type PositionView } from '../../workflows/position/api';

let env: TestWorkflowEnvironment;
let tdb: TestDb;
beforeEach(async () => {
  env = await timeSkippingEnv();
  tdb = await freshSqliteDb();
});
afterEach(async () => {
  await tdb?.close();
  await env?.teardown();
});

test('entries sent during the emergency stop are all refused; the update answers with the exits dispatched', async () => {
  const t0 = await env.currentTimeMs();
  const m = scriptedMarket();
  const open = ['XA/USDT', 'XB/USDT', 'XC/USDT'];
  const during = ['DA/USDT', 'DB/USDT', 'DC/USDT', 'DD/USDT', 'DE/USDT'];
  [...open, ...during].forEach((s, i) => m.flat(s, 2 + i));
  await insertEvents(tdb.db, [
    ...open.map((s, i) => unlockEvent(`OP${i}`, s, t0 + 26 * HOUR + i * HOUR)),
    // spawned before the stop and still waiting for their entry window when it comes
    ...during.map((s, i) => unlockEvent(`DU${i}`, s, t0 + 30 * HOUR + (i + 1) * 10 * 60_000)),
  ]);
  const config = testConfig({
    strategyId: 'emga',
    timing: { scanInterval: '1h', emergencyCooldown: '20h' },
    ladder: { PAPER: { riskPerTradePct: '1', maxExposurePct: '80', dailyLossPct: '5' } },
  });
  const duringIds = during.map((_, i) => positionWorkflowId('emga', `DU${i}`));
  const handle = env.client.workflow.getHandle(strategyWorkflowId('emga'));

  // the batch of the stop first sends an entry request for every waiting position and waits until the
  // server holds them: the strategy decides them while its stop is still dispatching
  let sentDuringBatch = 0;
  const paper = new PaperBroker({ db: tdb.db, marketData: m.market });
  const activities = createActivities({ db: tdb.db, brokers: staticBrokerRegistry({ paper, paperMarketData: m.market }) });
  const batchPlaceOrders: typeof activities.batchPlaceOrders = async (inputs) => {
    for (const [i, positionId] of duringIds.entries()) {
      const req: EntryRequest = {
        positionId,
        eventId: `DU${i}`,
        symbol: during[i]!,
        snapshot: { symbol: during[i]!, bid: '2', ask: '2.01', last: '2', volume24hQuote: '100000000', change7dPct: '0', timestamp: Date.now() },
        latencyMs: 5,
        strength: '1',
      };
      await handle.signal(entryRequestSignal, req);
      sentDuringBatch++;
    }
    return activities.batchPlaceOrders(inputs);
  };
  const worker = await createTradingWorker({ connection: env.nativeConnection, namespace: env.namespace ?? 'default', taskQueue: 'emga', activities: { ...activities, batchPlaceOrders }, maxCachedWorkflows: 200 });

  await worker.runUntil(async () => {
    await env.client.workflow.start('strategyWorkflow', { taskQueue: 'emga', workflowId: strategyWorkflowId('emga'), args: [{ config }] });
    await advance(env, 6 * HOUR);
    const before = await handle.query<OpenPositionInfo[]>('openPositions');
    expect(before.filter((p) => p.status === 'OPEN')).toHaveLength(3);
    // the positions the entries are sent for exist (spawned, waiting for their window)
    for (const id of duringIds) expect((await env.client.workflow.getHandle(id).describe()).status.name).toBe('RUNNING');

    const answer = await handle.executeUpdate<StrategyStatus, [{ reason: string; by: string }]>('emergencyStop', { args: [{ reason: 'drill', by: 'ops' }] });
    expect(answer.mode).toBe('EMERGENCY_STOP');
    // answered with the exits dispatched; acknowledged when the batch answered in time, else pending
    expect(answer.emergency?.exits).toMatchObject({ dispatched: 3 });
    expect([null, 3]).toContain(answer.emergency!.exits!.acknowledged);
    expect(sentDuringBatch).toBe(during.length);

    for (let i = 0; i < open.length; i++) {
      const v = (await env.client.workflow.getHandle(positionWorkflowId('emga', `OP${i}`)).result()) as PositionView;
      expect(v).toMatchObject({ status: 'CLOSED', exitReason: 'EMERGENCY' });
    }
    // every position told: status carries the whole stop
    const st = await handle.query<StrategyStatus>('status');
    expect(st.emergency?.exits).toEqual({ dispatched: 3, acknowledged: 3, failed: 0, signalled: st.emergency!.exits!.toSignal, toSignal: st.emergency!.exits!.toSignal });
    expect(st.emergency!.exits!.toSignal).toBeGreaterThanOrEqual(3);

    // the entries sent during the stop: each refused with MODE_HALTED, and so each position skips
    await advance(env, 30 * HOUR);
    for (const id of duringIds) {
      const v = (await env.client.workflow.getHandle(id).result()) as PositionView;
      expect(v.status).toBe('SKIPPED');
      expect(v.reasons.map((r) => r.code)).toContain('MODE_HALTED');
    }
    await maybeRecordHistory(env, strategyWorkflowId('emga'), 'strategy-emergency-answer');
    await handle.signal('stopStrategy', {});
    await handle.result();
  });
  const refusals = await tdb.db.alert.findMany({ where: { strategyId: 'emga', kind: 'RISK_REJECTION' } });
  expect(refusals.filter((a) => /EMERGENCY_STOP/.test(a.message)).map((a) => a.id).sort()).toEqual(duringIds.map((id) => `${id}:entry-refused`).sort());
  const orders = await tdb.db.order.findMany({ where: { strategyId: 'emga' } });
  expect(orders.filter((o) => o.purpose === 'entry')).toHaveLength(3);
  expect(orders.filter((o) => during.includes(o.symbol))).toHaveLength(0);
  expect(orders.filter((o) => o.side === 'sell').every((o) => o.purpose === 'emergency-exit' && o.status === 'FILLED')).toBe(true);
}, 240_000);
