/**
 * Emergency stop and the gate's failure path on the time-skipping server:
 *  - several open paper positions all exit at market on an emergency stop, no new entry is made
 *    afterwards, resume is refused during the cooldown and accepted after it with an approval;
 *  - a daily-loss breach triggers the emergency stop by itself;
 *  - a losing paper week fails the gate, every failed criterion visible in the status query.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { withTimeSkippingPerTest } from '../helpers/temporal';
import { advance, DAY, HOUR, insertEvents, maybeRecordHistory, scriptedMarket, testConfig, tradingWorker, unlockEvent } from '../helpers/trading';
import { strategyWorkflowId, type OpenPositionInfo, type StrategyStatus } from '../../workflows/strategy/api';
import { positionWorkflowId, type PositionView } from '../../workflows/position/api';

let env: TestWorkflowEnvironment;
const db = withTimeSkippingPerTest((e) => (env = e));

test('emergency stop: every open position exits, no new entries, resume only after the cooldown with an approval', async () => {
  const tdb = await db();
  const t0 = await env.currentTimeMs();
  const m = scriptedMarket();
  const symbols = ['EA/USDT', 'EB/USDT', 'EC/USDT', 'ED/USDT'];
  symbols.forEach((s, i) => m.flat(s, 2 + i));
  m.flat('LATE/USDT', 3);
  await insertEvents(tdb.db, [
    ...symbols.map((s, i) => unlockEvent(`EM${i}`, s, t0 + 26 * HOUR + i * HOUR)),
    // spawned before the stop (WAITING), its entry time (t0 + 7 h) comes after it
    unlockEvent('LATE', 'LATE/USDT', t0 + 31 * HOUR),
  ]);
  const config = testConfig({
    strategyId: 'emg',
    timing: { scanInterval: '1h', emergencyCooldown: '20h' },
    ladder: { PAPER: { riskPerTradePct: '1', maxExposurePct: '80', dailyLossPct: '5' } },
  });
  const { worker } = await tradingWorker(env, tdb.db, { taskQueue: 'emg', paperMarket: m.market });
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start('strategyWorkflow', { taskQueue: 'emg', workflowId: strategyWorkflowId('emg'), args: [{ config }] });
    await advance(env, 6 * HOUR);
    const open = await handle.query<OpenPositionInfo[]>('openPositions');
    expect(open.map((p) => p.status)).toEqual(['OPEN', 'OPEN', 'OPEN', 'OPEN']);

    await handle.signal('emergencyStop', { reason: 'kill switch drill', by: 'ops' });
    for (let i = 0; i < 4; i++) {
      const v = await env.client.workflow.getHandle(positionWorkflowId('emg', `EM${i}`)).result() as PositionView;
      expect(v).toMatchObject({ status: 'CLOSED', exitReason: 'EMERGENCY' });
    }
    let status = await handle.query<StrategyStatus>('status');
    expect(status).toMatchObject({ mode: 'EMERGENCY_STOP', state: 'EMERGENCY_STOP', openPositions: 0 });
    expect(status.emergency?.triggers.map((t) => t.code)).toEqual(['MANUAL']);
    // issue 17, defect 6: the mode's own start, not the strategy's
    const stoppedAt = status.emergency!.at;
    expect(status.modeSince).toBe(stoppedAt);
    expect(status.modeSince).toBeGreaterThan(status.phaseStartedAt);
    const err = await handle.executeUpdate('resume', { args: [{ by: 'ops' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(String((err as WorkflowUpdateFailedError).cause?.message)).toMatch(/cooldown runs until/);

    // the LATE position asks to enter during the stop: refused, never bought
    await advance(env, 12 * HOUR);
    const late = await env.client.workflow.getHandle(positionWorkflowId('emg', 'LATE')).result() as PositionView;
    expect(late.status).toBe('SKIPPED');
    expect(late.reasons.map((r) => r.code)).toContain('MODE_HALTED');

    await advance(env, 12 * HOUR);
    status = await handle.query<StrategyStatus>('status');
    expect(status.emergency!.cooldownUntil).toBeLessThanOrEqual(await env.currentTimeMs());
    status = await handle.executeUpdate<StrategyStatus, [{ by: string }]>('resume', { args: [{ by: 'ops' }] });
    expect(status).toMatchObject({ mode: 'PAPER', state: 'RUNNING', emergency: null });
    expect(status.modeSince).toBeGreaterThan(stoppedAt + 20 * HOUR); // the resume, after the 20 h cooldown
    await maybeRecordHistory(env, strategyWorkflowId('emg'), 'strategy-emergency');
    await handle.signal('stopStrategy', {});
    await handle.result();
  });
  const orders = await tdb.db.order.findMany({ where: { strategyId: 'emg' } });
  // exactly one entry and one exit per position, the exits placed by the batch as emergency exits
  expect(orders.filter((o) => o.purpose === 'entry')).toHaveLength(4);
  const exits = orders.filter((o) => o.side === 'sell');
  expect(exits).toHaveLength(4);
  expect(exits.every((o) => o.purpose === 'emergency-exit' && o.status === 'FILLED')).toBe(true);
  expect(orders.some((o) => o.symbol === 'LATE/USDT')).toBe(false);
}, 240_000);

test('a daily-loss breach alone triggers the emergency stop', async () => {
  const tdb = await db();
  const t0 = await env.currentTimeMs();
  const m = scriptedMarket();
  // two stop-losses within one trading day; the second takes the day past 0.5 %
  for (const [i, s] of ['DA/USDT', 'DB/USDT'].entries()) {
    const unlockAt = t0 + 26 * HOUR + i * 2 * HOUR;
    m.script(s, 5, unlockAt - 24 * HOUR + HOUR, -4);
  }
  await insertEvents(tdb.db, [unlockEvent('DL0', 'DA/USDT', t0 + 26 * HOUR), unlockEvent('DL1', 'DB/USDT', t0 + 28 * HOUR)]);
  const config = testConfig({
    strategyId: 'dloss',
    timing: { scanInterval: '1h' },
    ladder: { PAPER: { riskPerTradePct: '1', maxExposurePct: '50', dailyLossPct: '0.5' } },
  });
  const { worker } = await tradingWorker(env, tdb.db, { taskQueue: 'dloss', paperMarket: m.market });
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start('strategyWorkflow', { taskQueue: 'dloss', workflowId: strategyWorkflowId('dloss'), args: [{ config }] });
    await advance(env, 4 * HOUR);
    expect((await handle.query<StrategyStatus>('status')).mode).toBe('PAPER');
    await advance(env, 2 * HOUR);
    const status = await handle.query<StrategyStatus>('status');
    expect(status.mode).toBe('EMERGENCY_STOP');
    expect(status.emergency?.triggers.map((t) => t.code)).toEqual(['DAILY_LOSS']);
    expect(status.closedTrades).toBe(2);
    await handle.signal('stopStrategy', {});
    await handle.result();
  });
  const alerts = await tdb.db.alert.findMany({ where: { strategyId: 'dloss', kind: 'EMERGENCY_STOP' } });
  expect(alerts).toHaveLength(1);
  expect(alerts[0]!.severity).toBe('critical');
}, 240_000);

test('a losing paper week fails the gate, each failed criterion in the status query', async () => {
  const tdb = await db();
  const t0 = await env.currentTimeMs();
  const m = scriptedMarket();
  // 12 trades, 4 wins: L L W L L W ... (never 5 losses in a row, so no consecutive-loss stop)
  const events = Array.from({ length: 12 }, (_, i) => {
    const symbol = `F${String(i).padStart(2, '0')}/USDT`;
    const unlockAt = t0 + 26 * HOUR + i * 13 * HOUR;
    m.script(symbol, 2, unlockAt - 24 * HOUR + HOUR, i % 3 === 2 ? +6 : -4);
    return unlockEvent(`F${i}`, symbol, unlockAt);
  });
  await insertEvents(tdb.db, events);
  const config = testConfig({ strategyId: 'gfail', timing: { scanInterval: '2h' }, ladder: { PAPER: { riskPerTradePct: '1', maxExposurePct: '50', dailyLossPct: '5' } } });
  const { worker } = await tradingWorker(env, tdb.db, { taskQueue: 'gfail', paperMarket: m.market });
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start('strategyWorkflow', { taskQueue: 'gfail', workflowId: strategyWorkflowId('gfail'), args: [{ config }] });
    await advance(env, 7 * DAY + 3 * HOUR);
    const status = await handle.query<StrategyStatus>('status');
    expect(status.mode).toBe('PAPER');
    expect(status.closedTrades).toBe(12);
    expect(status.gate.result?.passed).toBe(false);
    expect(status.gate.awaitingApproval).toBe(false);
    const byName = Object.fromEntries(status.gate.result!.criteria.map((c) => [c.name, c]));
    expect(byName.WIN_RATE).toMatchObject({ passed: false, threshold: '45' });
    expect(Number(byName.WIN_RATE!.value)).toBeCloseTo(33.33, 1);
    expect(byName.SHARPE!.passed).toBe(false);
    expect(byName.MIN_TRADES).toMatchObject({ passed: true, value: '12' });
    expect(byName.PAPER_PERIOD!.passed).toBe(true);
    expect(status.gate.result!.failed.map((c) => c.name).sort()).toEqual(['SHARPE', 'WIN_RATE']);
    await handle.signal('approve', { by: 'eve' });
    await advance(env, HOUR);
    const after = await handle.query<StrategyStatus>('status');
    expect(after.mode).toBe('PAPER');
    expect(after.lastRefusal?.reason).toMatch(/WIN_RATE .* \(needs >= 45\)/);
    await handle.signal('stopStrategy', {});
    await handle.result();
  });
}, 240_000);
