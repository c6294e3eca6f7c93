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
import { strategyWorkflowId, type StrategyStatus } from '../../workflows/strategy-api';

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
async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60 * S): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('no signal, open position or risk state is lost across continue-as-new', async () => {
  const t0 = Date.now();
  const m = scriptedMarket();
  // 6 positions entering 3 s apart, each held ~5 s until its take-profit
  const events = Array.from({ length: 6 }, (_, i) => {
    const symbol = `C${i}/USDT`;
    const unlockAt = t0 + 10 * S + i * 3 * S;
    m.script(symbol, 3, unlockAt - 6 * S + 5 * S, +6);
    return unlockEvent(`C${i}`, symbol, unlockAt);
  });
  await insertEvents(tdb.db, events);
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

    await until('an open position', async () => (await status()).openPositions >= 1);
    // controls sent while the run keeps rolling over
    await handle.signal('updateLimits', { by: 'ops', ladder: { PAPER: { maxExposurePct: '60' } } });
    await handle.signal('pause', { by: 'ops', reason: 'lunch' });
    const paused = await until('two roll-overs while paused', async () => {
      const s = await status();
      return s.continuedAsNew >= 2 && s.state === 'PAUSED' && s;
    });
    expect(paused.limits.maxExposurePct).toBe('60');
    await new Promise((r) => setTimeout(r, 2 * S));
    await handle.signal('resume', { by: 'ops' });

    const done = await until('every position ended', async () => {
      const ended = await tdb.db.position.count({ where: { strategyId: 'can', closedAt: { not: null } } });
      const s = await status();
      return ended === 6 && s.openPositions === 0 && s;
    }, 90 * S);
    expect(done.state).toBe('RUNNING');
    expect(done.limits.maxExposurePct).toBe('60');
    expect(done.continuedAsNew).toBeGreaterThanOrEqual(4);
    expect((await handle.describe()).runId).not.toBe(firstRun);

    // positions opened before a roll-over were closed and counted after it; risk state carried
    const closed = await tdb.db.position.findMany({ where: { strategyId: 'can', status: 'CLOSED' } });
    expect(closed.length).toBeGreaterThanOrEqual(3);
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
}, 180_000);
