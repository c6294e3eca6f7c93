/**
 * Issue 17, defect 5: after an emergency stop's cooldown, a resume while the daily-loss trigger that
 * stopped the strategy still holds used to be accepted, and the strategy stopped again on the loop's
 * next turn. Now it is refused, naming the trigger and when it clears (the next trading day), and the
 * refusal is kept like the other refusals (last refusal, COMMAND_REFUSED alert, audit chain). Once the
 * day has rolled over the same approval resumes, and the strategy stays resumed.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { updateRefusal, withTimeSkippingAndDb } from '../helpers/temporal';
import type { TestDb } from '../helpers/db';
import { waitFor } from '../helpers/wait';
import { advance, DAY, HOUR, insertEvents, maybeRecordHistory, scriptedMarket, testConfig, tradingWorker, unlockEvent } from '../helpers/trading';
import { approveSignal, approveUpdate, statusQuery, strategyWorkflowId } from '../../workflows/strategy/api';
import { verifyAuditChain } from '../../read-models/audit-chain';

let env: TestWorkflowEnvironment;
let tdb: TestDb;
withTimeSkippingAndDb((e, d) => ((env = e), (tdb = d)));

test('a resume while the daily loss still holds is refused until the new trading day', async () => {
  const t0 = await env.currentTimeMs();
  const m = scriptedMarket();
  // two stop-losses within the first trading day take it past its 0.5 % budget (as in strategy-risk.test.ts)
  for (const [i, s] of ['RA/USDT', 'RB/USDT'].entries()) m.script(s, 5, t0 + 26 * HOUR + i * 2 * HOUR - 24 * HOUR + HOUR, -4);
  await insertEvents(tdb.db, [unlockEvent('RT0', 'RA/USDT', t0 + 26 * HOUR), unlockEvent('RT1', 'RB/USDT', t0 + 28 * HOUR)]);
  const config = testConfig({
    strategyId: 'rtrig',
    timing: { scanInterval: '1h', emergencyCooldown: '1h' },
    ladder: { PAPER: { riskPerTradePct: '1', maxExposurePct: '50', dailyLossPct: '0.5' } },
  });
  const { worker } = await tradingWorker(env, tdb.db, { taskQueue: 'rtrig', paperMarket: m.market });
  const wid = strategyWorkflowId('rtrig');
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start('strategyWorkflow', { taskQueue: 'rtrig', workflowId: wid, args: [{ config }] });
    await advance(env, 6 * HOUR);
    let status = await handle.query(statusQuery);
    expect(status.mode).toBe('EMERGENCY_STOP');
    expect(status.emergency?.triggers.map((t) => t.code)).toEqual(['DAILY_LOSS']);

    // the cooldown has run, the day has not
    await advance(env, 2 * HOUR);
    status = await handle.query(statusQuery);
    expect(status.emergency!.cooldownUntil).toBeLessThanOrEqual(await env.currentTimeMs());
    const clearsAt = new Date(status.risk.dailyStart + DAY).toISOString();
    expect(status.risk.dailyStart + DAY).toBeGreaterThan(await env.currentTimeMs());
    const reason = await updateRefusal(handle.executeUpdate(approveUpdate, { args: [{ by: 'ops' }] }));
    expect(reason).toMatch(/^resuming would stop the strategy again: daily loss \d+\.\d{2}% ≥ 0\.50% limit still holds; it clears at /);
    expect(reason).toContain(`it clears at ${clearsAt} (new trading day)`);
    expect(reason).not.toContain('\n');
    // the plain signal path is refused the same way (a minute later: refusals are kept once per instant)
    await advance(env, 60_000);
    const refusedAt = (await handle.query(statusQuery)).lastRefusal!.at;
    await handle.signal(approveSignal, { by: 'ops' });
    const alerts = await waitFor('the signal\'s refusal alert', () => tdb.db.alert.findMany({ where: { strategyId: 'rtrig', kind: 'COMMAND_REFUSED' } }), (a) => a.length === 2);
    status = await handle.query(statusQuery);
    expect(status).toMatchObject({ mode: 'EMERGENCY_STOP', state: 'EMERGENCY_STOP' });
    expect(status.lastRefusal).toMatchObject({ command: 'approve', reason });
    expect(status.lastRefusal!.at).toBeGreaterThan(refusedAt);
    expect(alerts.map((a) => a.message)).toEqual([`approve refused: ${reason}`, `approve refused: ${reason}`]);
    const audit = await tdb.db.auditEntry.findMany({ where: { strategyId: 'rtrig', kind: 'APPROVAL_REFUSED' } });
    expect(audit).toHaveLength(2);
    expect(await tdb.db.modeChange.count({ where: { strategyId: 'rtrig', toMode: 'PAPER' } })).toBe(0);

    // a new trading day: the loss budget is fresh, the resume holds
    await advance(env, status.risk.dailyStart + DAY - (await env.currentTimeMs()) + HOUR);
    status = await handle.executeUpdate(approveUpdate, { args: [{ by: 'ops' }] });
    expect(status).toMatchObject({ mode: 'PAPER', state: 'RUNNING', emergency: null });
    await advance(env, 2 * HOUR);
    status = await handle.query(statusQuery);
    expect(status).toMatchObject({ mode: 'PAPER', state: 'RUNNING' });
    expect(await tdb.db.alert.count({ where: { strategyId: 'rtrig', kind: 'EMERGENCY_STOP' } })).toBe(1);
    await maybeRecordHistory(env, wid, 'strategy-resume-trigger');
    await handle.signal('stopStrategy', {});
    await handle.result();
  });
  expect((await verifyAuditChain(tdb.db)).problems).toEqual([]);
}, 240_000);
