/**
 * Position lifecycle on the time-skipping server: entry inside unlock − 24 h ± 2 h, exits by
 * take-profit, stop-loss and time (unlock + 48 h); fees and P&L in the DB equal the domain's numbers.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { timeSkippingEnv } from '../helpers/temporal';
import { freshSqliteDb, type TestDb } from '../helpers/db';
import { advance, DAY, HOUR, insertEvents, maybeRecordHistory, scriptedMarket, testConfig, tradingWorker, unlockEvent } from '../helpers/trading';
import { strategyWorkflowId } from '../../workflows/strategy/api';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { exitPositionSignal, exitPositionUpdate, positionStateQuery, positionWorkflowId, type ExitRequest } from '../../workflows/position/api';
import { positionPnl } from '../../domain/pnl';
import { d } from '../../domain/money';
import { marketPrecision } from '../../exchange/market-data/markets';

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

test('entry in the window; take-profit, stop-loss and time exits; DB P&L = domain P&L', async () => {
  const t0 = await env.currentTimeMs();
  const m = scriptedMarket();
  const unlock = { tp: t0 + 30 * HOUR, sl: t0 + 31 * HOUR, time: t0 + 32 * HOUR };
  m.script('TPX/USDT', 2, unlock.tp - 24 * HOUR + 3 * HOUR, +6);
  m.script('SLX/USDT', 5, unlock.sl - 24 * HOUR + 3 * HOUR, -4);
  m.flat('TMX/USDT', 1);
  await insertEvents(tdb.db, [
    unlockEvent('TP-1', 'TPX/USDT', unlock.tp),
    unlockEvent('SL-1', 'SLX/USDT', unlock.sl),
    unlockEvent('TIME-1', 'TMX/USDT', unlock.time),
  ]);
  const config = testConfig({ strategyId: 'pos-test', timing: { scanInterval: '1h' }, ladder: { PAPER: { riskPerTradePct: '0.5', maxExposurePct: '50', dailyLossPct: '5' } } });
  const { worker } = await tradingWorker(env, tdb.db, { taskQueue: 'pos-test', paperMarket: m.market });

  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start('strategyWorkflow', { taskQueue: 'pos-test', workflowId: strategyWorkflowId('pos-test'), args: [{ config }] });
    await advance(env, 3 * DAY + 12 * HOUR);
    const ids = ['TP-1', 'SL-1', 'TIME-1'].map((e) => positionWorkflowId('pos-test', e));
    for (const id of ids) await env.client.workflow.getHandle(id).result();
    for (const [id, name] of ids.map((id, i) => [id, ['position-tp', 'position-sl', 'position-time'][i]!] as const)) await maybeRecordHistory(env, id, name);
    const status = await handle.query('status');
    expect(status).toMatchObject({ mode: 'PAPER', openPositions: 0, closedTrades: 3 });
    await handle.signal('stopStrategy', {});
    await handle.result();
  });

  const positions = await tdb.db.position.findMany({ orderBy: { eventId: 'asc' } });
  const byEvent = Object.fromEntries(positions.map((p) => [p.eventId, p]));
  expect(byEvent['TP-1']!.exitReason).toBe('TAKE_PROFIT');
  expect(byEvent['SL-1']!.exitReason).toBe('STOP_LOSS');
  expect(byEvent['TIME-1']!.exitReason).toBe('TIME_EXIT');
  for (const [eventId, unlockAt] of [['TP-1', unlock.tp], ['SL-1', unlock.sl], ['TIME-1', unlock.time]] as const) {
    const p = byEvent[eventId]!;
    const openedAt = p.openedAt!.getTime();
    // inside unlock − 24 h ± 2 h
    expect(openedAt).toBeGreaterThanOrEqual(unlockAt - 26 * HOUR);
    expect(openedAt).toBeLessThanOrEqual(unlockAt - 22 * HOUR);
    // the DB P&L is the domain's P&L over the recorded orders (fees included)
    const orders = await tdb.db.order.findMany({ where: { positionId: p.id }, orderBy: { createdAt: 'asc' } });
    expect(orders.map((o) => `${o.purpose}:${o.side}:${o.status}`)).toEqual(['entry:buy:FILLED', 'exit:sell:FILLED']);
    const [entry, exit] = orders;
    // issue 17: the paper fills are at the venue's precision (price on the tick, quantity on the lot step)
    const { tickSize, stepSize } = marketPrecision(p.symbol);
    for (const o of [entry!, exit!]) {
      expect(d(o.avgPrice!.toString()).mod(tickSize).isZero()).toBe(true);
      expect(d(o.filledAmount.toString()).mod(stepSize).isZero()).toBe(true);
    }
    expect(p.quantity.toString()).toBe(entry!.filledAmount.toString());
    const pnl = positionPnl({
      entryPrice: entry!.avgPrice!.toString(),
      exitPrice: exit!.avgPrice!.toString(),
      quantity: entry!.filledAmount.toString(),
      entryFee: entry!.fee.toString(),
      exitFee: exit!.fee.toString(),
    });
    expect(p.realizedPnl!.toString()).toBe(d(pnl.pnl).toString());
    // fee = 0.1 % of notional on both legs
    expect(d(entry!.fee.toString()).eq(d(entry!.filledAmount.toString()).times(d(entry!.avgPrice!.toString())).times('0.001'))).toBe(true);
  }
  // time exit at unlock + 48 h
  expect(byEvent['TIME-1']!.closedAt!.getTime()).toBeGreaterThanOrEqual(unlock.time + 48 * HOUR);
  expect(byEvent['TIME-1']!.closedAt!.getTime()).toBeLessThan(unlock.time + 48 * HOUR + 60_000);
  expect(d(byEvent['TP-1']!.realizedPnl!.toString()).gt(0)).toBe(true);
  expect(d(byEvent['SL-1']!.realizedPnl!.toString()).lt(0)).toBe(true);
});

test('issue 17, defect 3: an exitPosition with another reason is refused visibly (signal: lastRefusal + alert; update: its validator says why)', async () => {
  const t0 = await env.currentTimeMs();
  const m = scriptedMarket();
  m.flat('EXR/USDT', 1);
  const config = testConfig({ strategyId: 'pos-exit-refusal' });
  const { worker } = await tradingWorker(env, tdb.db, { taskQueue: 'pos-exit-refusal', paperMarket: m.market });
  await worker.runUntil(async () => {
    // the position waits for its entry window (unlock − 24 h): an exit request now would cancel the trade
    const handle = await env.client.workflow.start('positionWorkflow', {
      taskQueue: 'pos-exit-refusal',
      workflowId: positionWorkflowId('pos-exit-refusal', 'EXR-1'),
      args: [{ strategyId: 'pos-exit-refusal', strategyWorkflowId: strategyWorkflowId('pos-exit-refusal'), event: unlockEvent('EXR-1', 'EXR/USDT', t0 + 10 * DAY), config, mode: 'PAPER' }],
    });
    const alerts = () => tdb.db.alert.findMany({ where: { kind: 'COMMAND_REFUSED', strategyId: 'pos-exit-refusal' } });
    await handle.signal(exitPositionSignal, { reason: 'STOP_LOSS' } as unknown as ExitRequest);
    for (let i = 0; i < 50 && (await alerts()).length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    const view = await handle.query(positionStateQuery);
    expect(view.status).toBe('WAITING_ENTRY');
    expect(view.lastRefusal).toMatchObject({ command: 'exitPosition', reason: 'an exit request\'s reason must be MANUAL or EMERGENCY, got "STOP_LOSS"' });
    expect((await alerts()).map((a) => a.message)).toEqual([`exitPosition refused for ${positionWorkflowId('pos-exit-refusal', 'EXR-1')}: an exit request's reason must be MANUAL or EMERGENCY, got "STOP_LOSS"`]);

    const refused = await handle.executeUpdate(exitPositionUpdate, { args: [{ reason: 'TAKE_PROFIT' } as unknown as ExitRequest] }).then(
      () => 'accepted',
      (e: unknown) => (e instanceof WorkflowUpdateFailedError ? String(e.cause?.message) : `unexpected ${String(e)}`),
    );
    expect(refused).toBe('an exit request\'s reason must be MANUAL or EMERGENCY, got "TAKE_PROFIT"');
    expect((await handle.query(positionStateQuery)).status).toBe('WAITING_ENTRY');

    // a good request through the update is accepted and answered with the position's view
    expect(await handle.executeUpdate(exitPositionUpdate, { args: [{ reason: 'MANUAL', by: 'ops' }] })).toMatchObject({ positionId: positionWorkflowId('pos-exit-refusal', 'EXR-1') });
    await handle.terminate('test done'); // (no strategy workflow to report to)
  });
});

test('issue 17: an entry the venue would refuse (below its minimum notional) is refused by the strategy with the reason, no order placed', async () => {
  const t0 = await env.currentTimeMs();
  const m = scriptedMarket();
  m.flat('MNX/USDT', 2);
  const unlockAt = t0 + 26 * HOUR;
  await insertEvents(tdb.db, [unlockEvent('MN-1', 'MNX/USDT', unlockAt)]);
  // 10 % of 40 USDT = 4 USDT < the market's 5 USDT minimum notional (exchange/market-data/markets.ts)
  const config = testConfig({ strategyId: 'pos-min-notional', capital: { initial: '40' }, timing: { scanInterval: '1h' } });
  const { worker } = await tradingWorker(env, tdb.db, { taskQueue: 'pos-min-notional', paperMarket: m.market });
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start('strategyWorkflow', { taskQueue: 'pos-min-notional', workflowId: strategyWorkflowId('pos-min-notional'), args: [{ config }] });
    await advance(env, 6 * HOUR);
    const view = await env.client.workflow.getHandle(positionWorkflowId('pos-min-notional', 'MN-1')).result();
    expect(view.status).toBe('SKIPPED');
    expect(view.reasons.map((r: { code: string }) => r.code)).toEqual(['INVALID_ORDER']);
    await handle.signal('stopStrategy', {});
    await handle.result();
  });
  const alerts = await tdb.db.alert.findMany({ where: { strategyId: 'pos-min-notional', kind: 'RISK_REJECTION' } });
  expect(alerts.map((a) => a.message)).toEqual([
    expect.stringMatching(/^entry of MNX\/USDT refused: INVALID_ORDER \(order below the venue's minimum \(BELOW_MIN_NOTIONAL\): 4\.00 USDT at 2\.\d+; lot step 0\.001, minimum notional 5\)$/),
  ]);
  expect(await tdb.db.order.count({ where: { strategyId: 'pos-min-notional' } })).toBe(0);
});
