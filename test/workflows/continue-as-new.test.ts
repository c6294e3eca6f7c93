/**
 * Continue-as-new in a long run: the strategy rolls over many times (forced every few loops here; in
 * production on `continueAsNewSuggested`) while positions are open and while controls arrive, and loses
 * no signal, open position or risk state.
 *
 * Runs on a real dev server with durations compressed to seconds (config only, no code change): the
 * time-skipping test server was seen to stop skipping time when signals arrived around a
 * continue-as-new, so this test does not depend on it.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { localDevEnv } from '../helpers/temporal';
import { freshSqliteDb, type TestDb } from '../helpers/db';
import { insertEvents, maybeRecordHistory, scriptedMarket, testConfig, tradingWorker, unlockEvent } from '../helpers/trading';
import { waitFor } from '../helpers/wait';
import { strategyWorkflowId, type StrategyStatus } from '../../workflows/strategy/api';

let env: TestWorkflowEnvironment;
let tdb: TestDb;
beforeAll(async () => {
  env = await localDevEnv();
  tdb = await freshSqliteDb();
});
afterAll(async () => {
  await tdb?.close();
  await env?.teardown();
});

const S = 1000;

test('no signal, open position or risk state is lost across continue-as-new', async () => {
  const t0 = Date.now();
  const m = scriptedMarket();
  // each event is held ~5 s after its entry (unlock − 6 s), until its take-profit
  const scriptedEvent = (i: number, unlockAt: number) => {
    const symbol = `C${i}/USDT`;
    m.script(symbol, 3, unlockAt - 6 * S + 5 * S, +6);
    return unlockEvent(`C${i}`, symbol, unlockAt);
  };
  // C0..C2 before the pause (C1/C2 enter while paused, or are never started if the pause outlasts their
  // window); C3..C5 are added to the calendar after the resume, so how long the pause took on a loaded
  // machine decides nothing about them
  await insertEvents(tdb.db, [0, 1, 2].map((i) => scriptedEvent(i, t0 + 10 * S + i * 3 * S)));
  const config = testConfig({
    strategyId: 'can',
    tokenUnlock: { entryLead: '6s', entryTolerance: '3s', exitAfterUnlock: '30s' },
    timing: { scanInterval: '500ms' },
    ladder: { PAPER: { riskPerTradePct: '1', maxExposurePct: '50', dailyLossPct: '5' } },
  });
  const { worker } = await tradingWorker(env, tdb.db, { taskQueue: 'can', paperMarket: m.market });
  const wid = strategyWorkflowId('can');
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start('strategyWorkflow', { taskQueue: 'can', workflowId: wid, args: [{ config, continueAsNewAfterLoops: 5 }] });
    const firstRun = (await handle.describe()).runId;
    const status = () => handle.query<StrategyStatus>('status');
    const positions = () => tdb.db.position.findMany({ where: { strategyId: 'can' }, orderBy: { eventId: 'asc' } });
    // what a wait returns, and prints if it times out: enough to read a failure on a loaded CI machine
    const snapshot = async () => {
      const st = await status();
      const rows = await positions();
      return { state: st.state, rollOvers: st.continuedAsNew, open: st.openPositions, rows: rows.map((p) => `${p.eventId}:${p.status}:${p.closedAt ? 'ended' : 'live'}`), st };
    };

    await waitFor('an open position', snapshot, (x) => x.open >= 1, 60 * S);
    // controls sent while the run keeps rolling over
    await handle.signal('updateLimits', { by: 'ops', ladder: { PAPER: { maxExposurePct: '60' } } });
    await handle.signal('pause', { by: 'ops', reason: 'lunch' });
    const paused = (await waitFor('two roll-overs while paused', snapshot, (x) => x.rollOvers >= 2 && x.state === 'PAUSED', 60 * S)).st;
    expect(paused.limits.maxExposurePct).toBe('60');
    await new Promise((r) => setTimeout(r, 2 * S));
    await handle.signal('resume', { by: 'ops' });
    const resumedAt = Date.now();
    await insertEvents(tdb.db, [3, 4, 5].map((i) => scriptedEvent(i, resumedAt + 10 * S + (i - 3) * 3 * S)));

    const lateClosed = (rows: string[]) => ['C3', 'C4', 'C5'].every((id) => rows.includes(`${id}:CLOSED:ended`));
    const done = (await waitFor('every position ended', snapshot, (x) => lateClosed(x.rows) && x.rows.every((r) => r.endsWith(':ended')) && x.open === 0, 90 * S)).st;
    expect(done.state).toBe('RUNNING');
    expect(done.limits.maxExposurePct).toBe('60');
    expect(done.continuedAsNew).toBeGreaterThanOrEqual(4);
    expect((await handle.describe()).runId).not.toBe(firstRun);

    // the position opened before the pause was closed and counted after roll-overs; risk state carried
    const closed = await tdb.db.position.findMany({ where: { strategyId: 'can', status: 'CLOSED' } });
    expect(closed.map((p) => p.eventId)).toEqual(expect.arrayContaining(['C0', 'C3', 'C4', 'C5']));
    expect(done.closedTrades).toBe(closed.length);
    expect(done.risk.tradesClosed).toBe(closed.length);
    const pnl = closed.reduce((a, p) => a + Number(p.realizedPnl!.toString()), 0);
    expect(Number(done.risk.realizedPnl)).toBeCloseTo(pnl, 8);
    // the ones whose entry came during the pause were refused, never bought
    const refused = await tdb.db.position.findMany({ where: { strategyId: 'can', status: 'SKIPPED' } });
    for (const p of refused) expect(p.exitReason).toMatch(/MODE_HALTED/);
    expect(await tdb.db.order.count({ where: { strategyId: 'can', purpose: 'entry' } })).toBe(closed.length);
    console.log(`continue-as-new: ${done.continuedAsNew} roll-overs, ${closed.length} trades closed, ${refused.length} entries refused while paused`);
    await maybeRecordHistory(env, wid, 'strategy-continue-as-new-last-run');
    await handle.signal('stopStrategy', {});
    await handle.result();
  });
}, 240_000);
