/**
 * Strategy lifecycle on the time-skipping server: > 7 simulated days in PAPER with ≥ 10 closed trades,
 * the gate passes, an approval before that is refused with the reason, approval promotes to
 * LIVE_MINIMAL, the next step needs its own approval, and the live position places real ccxt orders
 * at the local exchange simulator. Then an emergency stop exits it; resume is refused during the
 * cooldown and accepted after it with an approval.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { timeSkippingEnv, updateRefusal as refusal } from '../helpers/temporal';
import { freshSqliteDb, type TestDb } from '../helpers/db';
import { advance, DAY, HOUR, insertEvents, maybeRecordHistory, scriptedMarket, testConfig, tradingWorker, unlockEvent } from '../helpers/trading';
import { strategyWorkflowId, type StrategyStatus } from '../../workflows/strategy/api';
import { positionWorkflowId } from '../../workflows/position/api';
import { startSimulator, type Simulator } from '../../simulator/server';
import { CcxtGateway } from '../../exchange/ccxt-gateway';
import { clientOrderIdFor } from '../../domain/ids';

let env: TestWorkflowEnvironment;
let tdb: TestDb;
let sim: Simulator;
let gateway: CcxtGateway;
beforeAll(async () => {
  env = await timeSkippingEnv();
  tdb = await freshSqliteDb();
  sim = await startSimulator({ port: 0, accounts: [{ apiKey: 'life-key', secret: 'life-secret', balances: { USDT: '100000' } }] });
  gateway = new CcxtGateway({ apiKey: 'life-key', secret: 'life-secret', urlOverride: sim.url, sandbox: false, timeoutMs: 3000 });
});
afterAll(async () => {
  await gateway?.close();
  await sim?.close();
  await tdb?.close();
  await env?.teardown();
});


test('paper → gate → approval → LIVE_MINIMAL with ccxt orders → emergency stop → cooldown → resume', async () => {
  const t0 = await env.currentTimeMs();
  const m = scriptedMarket();
  // 12 trades over ~6 days: 9 take-profits, 3 stop-losses (i = 3, 7, 11)
  const events = Array.from({ length: 12 }, (_, i) => {
    const symbol = `P${String(i).padStart(2, '0')}/USDT`;
    const unlockAt = t0 + 26 * HOUR + i * 13 * HOUR;
    m.script(symbol, 1 + i / 10, unlockAt - 24 * HOUR + HOUR, i % 4 === 3 ? -4 : +6);
    return unlockEvent(`E${i}`, symbol, unlockAt);
  });
  await insertEvents(tdb.db, events);
  m.flat('ARB/USDT', 0.8);
  sim.setPrice('ARB/USDT', '0.8');
  const config = testConfig({ strategyId: 'life', timing: { scanInterval: '2h', emergencyCooldown: '6h' } });
  const { worker } = await tradingWorker(env, tdb.db, { taskQueue: 'life', paperMarket: m.market, live: gateway, liveMarketData: m.market });
  const wid = strategyWorkflowId('life');

  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start('strategyWorkflow', { taskQueue: 'life', workflowId: wid, args: [{ config }] });
    await advance(env, DAY);
    expect(await refusal(handle.executeUpdate('approve', { args: [{ by: 'alice' }] }))).toMatch(/gate for LIVE_MINIMAL has not been evaluated yet/);

    await advance(env, 6 * DAY + 3 * HOUR);
    let status = await handle.query<StrategyStatus>('status');
    expect(status.mode).toBe('PAPER');
    expect(status.closedTrades).toBe(12);
    expect(status.gate.result?.passed).toBe(true);
    expect(status.gate.awaitingApproval).toBe(true);
    expect(status.gate.result?.criteria.map((c) => c.name)).toEqual(['PAPER_PERIOD', 'WIN_RATE', 'SHARPE', 'MAX_DRAWDOWN', 'MIN_TRADES']);
    expect(status.gate.result?.basis).toBe('daily'); // new runs: Sharpe ×√365 and drawdown on daily equity (patch gate-daily-basis-v1)

    status = await handle.executeUpdate<StrategyStatus, [{ by: string; note: string }]>('approve', { args: [{ by: 'alice', note: 'paper looks good' }] });
    expect(status.mode).toBe('LIVE_MINIMAL');
    expect(status.limits).toEqual({ riskPerTradePct: '0.1', maxExposurePct: '2', dailyLossPct: '1' });
    expect(await refusal(handle.executeUpdate('approve', { args: [{ by: 'alice' }] }))).toMatch(/gate for LIVE_SCALED_1 has not been evaluated yet/);

    // a live trade: real ccxt orders at the simulator
    const now = await env.currentTimeMs();
    await insertEvents(tdb.db, [unlockEvent('ARB-LIVE', 'ARB/USDT', now + 26 * HOUR)]);
    await advance(env, 5 * HOUR);
    const livePosition = positionWorkflowId('life', 'ARB-LIVE');
    const pos = await env.client.workflow.getHandle(livePosition).query<{ status: string; mode: string }>('positionState');
    expect(pos).toMatchObject({ status: 'OPEN', mode: 'LIVE_MINIMAL' });
    expect(sim.orders().map((o) => o.clientOrderId)).toEqual([clientOrderIdFor(livePosition, 'entry')]);

    // emergency stop: the open live position exits at market at the simulator
    status = await handle.executeUpdate<StrategyStatus, [{ reason: string; by: string }]>('emergencyStop', { args: [{ reason: 'operator drill', by: 'bob' }] });
    expect(status.mode).toBe('EMERGENCY_STOP');
    await env.client.workflow.getHandle(livePosition).result();
    const simOrders = sim.orders();
    expect(simOrders.map((o) => `${o.clientOrderId}:${o.side}:${o.status}`).sort()).toEqual(
      [`${clientOrderIdFor(livePosition, 'entry')}:BUY:FILLED`, `${clientOrderIdFor(livePosition, 'exit')}:SELL:FILLED`].sort(),
    );
    expect(await refusal(handle.executeUpdate('resume', { args: [{ by: 'bob' }] }))).toMatch(/cooldown runs until/);
    await advance(env, 7 * HOUR);
    status = await handle.executeUpdate<StrategyStatus, [{ by: string }]>('resume', { args: [{ by: 'bob' }] });
    expect(status.mode).toBe('LIVE_MINIMAL');
    expect(status.state).toBe('RUNNING');
    await maybeRecordHistory(env, wid, 'strategy-lifecycle');
    await maybeRecordHistory(env, livePosition, 'position-live');
    await handle.signal('stopStrategy', {});
    await handle.result();
  });

  // the DB tells the same story
  const changes = await tdb.db.modeChange.findMany({ where: { strategyId: 'life' }, orderBy: { at: 'asc' } });
  expect(changes.map((c) => `${c.fromMode}->${c.toMode}`)).toEqual(['PAPER->LIVE_MINIMAL', 'LIVE_MINIMAL->EMERGENCY_STOP', 'EMERGENCY_STOP->LIVE_MINIMAL']);
  const approvals = await tdb.db.approval.findMany({ where: { strategyId: 'life' }, orderBy: { at: 'asc' } });
  expect(approvals.map((a) => `${a.approvedBy}:${a.decision}:${a.toMode}`)).toEqual(['alice:APPROVED:LIVE_MINIMAL', 'bob:APPROVED:LIVE_MINIMAL']);
  const liveOrders = await tdb.db.order.findMany({ where: { venue: 'binance' } });
  expect(liveOrders).toHaveLength(2);
  expect(liveOrders.every((o) => o.status === 'FILLED')).toBe(true);
  const alerts = await tdb.db.alert.findMany({ where: { strategyId: 'life' } });
  expect(alerts.map((a) => a.kind)).toEqual(expect.arrayContaining(['APPROVAL_NEEDED', 'EMERGENCY_STOP']));
}, 240_000);
