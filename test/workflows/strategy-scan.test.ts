/**
 * A calendar scan that finds many qualifying events starts their position children together, up to
 * 100 per workflow task (patch `concurrent-child-starts-v1`), instead of one workflow task per child:
 * that one-at-a-time start put 1000 entries 60 s behind their schedule in the benchmark. Every event
 * gets exactly one child (a rescan starting none twice is covered by the continue-as-new test).
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { timeSkippingEnv } from '../helpers/temporal';
import { freshSqliteDb, type TestDb } from '../helpers/db';
import { HOUR, insertEvents, scriptedMarket, testConfig, tradingWorker, unlockEvent } from '../helpers/trading';
import { strategyWorkflowId, type StrategyStatus } from '../../workflows/strategy-api';
import { waitFor } from '../helpers/wait';

let env: TestWorkflowEnvironment;
let tdb: TestDb;
beforeAll(async () => {
  env = await timeSkippingEnv();
  tdb = await freshSqliteDb();
});
afterAll(async () => {
  await tdb?.close();
  await env?.teardown();
});

test('120 qualifying events in one scan: 120 children started from 2 workflow tasks', async () => {
  const t0 = await env.currentTimeMs();
  const m = scriptedMarket();
  // entry windows open at t0 + 4 h: the children are started by the first scan and sleep until then
  const events = Array.from({ length: 120 }, (_, i) => {
    const symbol = `S${String(i).padStart(3, '0')}/USDT`;
    m.flat(symbol, 2);
    return unlockEvent(`scan-${i}`, symbol, t0 + 30 * HOUR);
  });
  await insertEvents(tdb.db, events);
  const config = testConfig({ strategyId: 'scan', timing: { scanInterval: '6h' } });
  const { worker } = await tradingWorker(env, tdb.db, { taskQueue: 'scan', paperMarket: m.market });
  const wid = strategyWorkflowId('scan');
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start('strategyWorkflow', { taskQueue: 'scan', workflowId: wid, args: [{ config }] });
    const history = () => handle.fetchHistory().then((h) => h.events ?? []);
    const events = await waitFor('120 children started', history, (evs) => evs.filter((e) => e.childWorkflowExecutionStartedEventAttributes).length >= 120, 60_000);
    // the workflow task that issued each start command
    const startTasks = events.flatMap((e) => {
      const a = e.startChildWorkflowExecutionInitiatedEventAttributes;
      return a ? [Number(a.workflowTaskCompletedEventId)] : [];
    });
    const childIds = events.flatMap((e) => {
      const a = e.childWorkflowExecutionStartedEventAttributes;
      return a ? [a.workflowExecution!.workflowId!] : [];
    });
    const tracked = await handle.query<StrategyStatus>('status');
    console.log(`scan: ${startTasks.length} child starts from ${new Set(startTasks).size} workflow task(s); ${new Set(childIds).size} distinct children`);
    expect(startTasks).toHaveLength(120);
    expect(new Set(startTasks).size).toBe(2);
    expect(new Set(childIds).size).toBe(120);
    expect(childIds.every((id) => id.startsWith('position-scan-scan-'))).toBe(true);
    expect(tracked.state).toBe('RUNNING');
    await handle.terminate('test done');
  });
}, 120_000);
