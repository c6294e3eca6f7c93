/**
 * Issue 17, defect 5: after an emergency stop's cooldown, a resume while the daily-loss trigger that
 * stopped the strategy still holds used to be accepted, and the strategy stopped again on the loop's
 * next turn. Now it is refused, naming the trigger and when it clears (the next trading day), and the
 * refusal is kept like the other refusals (last refusal, COMMAND_REFUSED alert, audit chain). Once the
 * day has rolled over the same approval resumes, and the strategy stays resumed.
 *
 * Two runs, one per strategy with the same history. Both hung now and then on the time-skipping test
 * server ("invalid history builder state for action"): it strands a workflow task that cancels a timer
 * which fired while the task was with the worker. Two causes, both mended: a signal sent right after a
 * skip raced a timer due milliseconds later (`advance` now skips past those: test/helpers/timer-guard.ts),
 * and positions ending on the strategy's hourly scan grid raced its scan timer (the events now sit off it).
 * Approvals go as signals; the update runs the same handler (four-eyes.ts), and update refusals are
 * tested in four-eyes.test.ts.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { withTimeSkippingAndDb } from '../helpers/temporal';
import type { TestDb } from '../helpers/db';
import { waitFor } from '../helpers/wait';
import { advance, DAY, HOUR, insertEvents, maybeRecordHistory, scriptedMarket, testConfig, tradingWorker, unlockEvent } from '../helpers/trading';
import { approveSignal, statusQuery, strategyWorkflowId, type StrategyStatus } from '../../workflows/strategy/api';
import { verifyAuditChain } from '../../read-models/audit-chain';
import type { WorkflowHandle } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';

const MINUTE = 60_000;

let env: TestWorkflowEnvironment;
let tdb: TestDb;
withTimeSkippingAndDb((e, d) => ((env = e), (tdb = d)));

/**
 * Runs `use` with a strategy stopped by its daily loss, its cooldown over and its day not: two
 * stop-losses within the first trading day take it past its 0.5 % budget (as in strategy-risk.test.ts).
 */
async function withStoppedByDailyLoss(id: string, use: (handle: WorkflowHandle, status: StrategyStatus, worker: Worker) => Promise<void>): Promise<void> {
  // Entries and stop-outs sit off the strategy's hourly scan grid: its timers run from its start and,
  // after a position ends, from that end. On the grid, a position's entry request or end arrived within
  // milliseconds of the strategy's scan timer, and the time-skipping server strands a workflow task that
  // cancels a timer fired meanwhile (see test/helpers/timer-guard.ts). So A is 17 min off the start's
  // grid and B 30 min off A's end.
  const t0 = (await env.currentTimeMs()) + 17 * MINUTE;
  const m = scriptedMarket();
  const symbols = [`${id}A/USDT`, `${id}B/USDT`];
  const unlocks = [t0 + 26 * HOUR, t0 + 28 * HOUR + 30 * MINUTE];
  // each drops 4 % (through its 3 % stop) an hour after its entry (unlock − 24 h)
  for (const [i, s] of symbols.entries()) m.script(s, 5, unlocks[i]! - 24 * HOUR + HOUR, -4);
  await insertEvents(tdb.db, [unlockEvent(`${id}-0`, symbols[0]!, unlocks[0]!), unlockEvent(`${id}-1`, symbols[1]!, unlocks[1]!)]);
  const config = testConfig({
    strategyId: id,
    timing: { scanInterval: '1h', emergencyCooldown: '1h' },
    ladder: { PAPER: { riskPerTradePct: '1', maxExposurePct: '50', dailyLossPct: '0.5' } },
  });
  const { worker } = await tradingWorker(env, tdb.db, { taskQueue: id, paperMarket: m.market });
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start('strategyWorkflow', { taskQueue: id, workflowId: strategyWorkflowId(id), args: [{ config }] });
    await advance(env, 6 * HOUR);
    let status = await handle.query(statusQuery);
    expect(status.mode).toBe('EMERGENCY_STOP');
    expect(status.emergency?.triggers.map((t) => t.code)).toEqual(['DAILY_LOSS']);
    // the cooldown has run, the day has not
    await advance(env, 2 * HOUR);
    status = await handle.query(statusQuery);
    expect(status.emergency!.cooldownUntil).toBeLessThanOrEqual(await env.currentTimeMs());
    expect(status.risk.dailyStart + DAY).toBeGreaterThan(await env.currentTimeMs());
    await use(handle, status, worker);
  });
}

test('a resume while the daily loss still holds is refused, naming the trigger and when it clears', async () => {
  await withStoppedByDailyLoss('rtrig', async (handle, stopped) => {
    const clearsAt = new Date(stopped.risk.dailyStart + DAY).toISOString();
    await handle.signal(approveSignal, { by: 'ops' });
    const first = await waitFor('the refusal', () => handle.query(statusQuery), (s) => s.lastRefusal?.command === 'approve');
    const reason = first.lastRefusal!.reason;
    expect(reason).toMatch(/^resuming would stop the strategy again: daily loss \d+\.\d{2}% ≥ 0\.50% limit still holds; it clears at /);
    expect(reason).toContain(`it clears at ${clearsAt} (new trading day)`);
    expect(reason).not.toContain('\n');
    // a second approval is refused the same way (a minute later: refusals are kept once per instant)
    await advance(env, 60_000);
    await handle.signal(approveSignal, { by: 'ops' });
    const alerts = await waitFor('the second refusal alert', () => tdb.db.alert.findMany({ where: { strategyId: 'rtrig', kind: 'COMMAND_REFUSED' } }), (a) => a.length === 2);
    const status = await handle.query(statusQuery);
    expect(status).toMatchObject({ mode: 'EMERGENCY_STOP', state: 'EMERGENCY_STOP' });
    expect(status.lastRefusal).toMatchObject({ command: 'approve', reason });
    expect(status.lastRefusal!.at).toBeGreaterThan(first.lastRefusal!.at);
    expect(alerts.map((a) => a.message)).toEqual([`approve refused: ${reason}`, `approve refused: ${reason}`]);
    expect(await tdb.db.auditEntry.count({ where: { strategyId: 'rtrig', kind: 'APPROVAL_REFUSED' } })).toBe(2);
    expect(await tdb.db.modeChange.count({ where: { strategyId: 'rtrig', toMode: 'PAPER' } })).toBe(0);
    await handle.terminate('test done');
  });
  expect((await verifyAuditChain(tdb.db)).problems).toEqual([]);
}, 240_000);

test('on the new trading day the same approval resumes, and the strategy stays resumed', async () => {
  await withStoppedByDailyLoss('rnew', async (handle, stopped) => {
    await advance(env, stopped.risk.dailyStart + DAY - (await env.currentTimeMs()) + HOUR);
    await handle.signal(approveSignal, { by: 'ops' });
    let status = await waitFor('the resume', () => handle.query(statusQuery), (s) => s.mode === 'PAPER');
    expect(status).toMatchObject({ mode: 'PAPER', state: 'RUNNING', emergency: null, lastRefusal: null });
    await advance(env, 2 * HOUR);
    status = await handle.query(statusQuery);
    expect(status).toMatchObject({ mode: 'PAPER', state: 'RUNNING' });
    expect(await tdb.db.alert.count({ where: { strategyId: 'rnew', kind: 'EMERGENCY_STOP' } })).toBe(1);
    expect(await tdb.db.alert.count({ where: { strategyId: 'rnew', kind: 'COMMAND_REFUSED' } })).toBe(0);
    await maybeRecordHistory(env, handle.workflowId, 'strategy-resume-trigger-new-day');
    await handle.signal('stopStrategy', {});
    await handle.result();
  });
  expect((await verifyAuditChain(tdb.db)).problems).toEqual([]);
}, 240_000);
