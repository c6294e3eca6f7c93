/**
 * The correlation guard on the time-skipping server (issue 15, patch correlation-guard-v1): daily
 * closes from the paper market's candles (one activity per check), the pure domain decides.
 *  - two symbols moving together (r > 0.7): the second entry is refused with CORRELATION, the pair and r
 *    named; a third symbol with r ≤ 0.7 passes, and the trigger leaves that pair alone after the next day;
 *  - both already open (entered while the guard was off, maxCorrelation 1): lowering the limit makes the
 *    trigger fire: an alert only with correlationAction ALERT, the emergency stop with EMERGENCY_STOP,
 *    the pair named.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { withTimeSkippingPerTest } from '../helpers/temporal';
import { advance, DAY, HOUR, insertEvents, maybeRecordHistory, scriptedMarket, testConfig, tradingWorker, unlockEvent } from '../helpers/trading';
import { strategyWorkflowId, type OpenPositionInfo, type StrategyStatus } from '../../workflows/strategy/api';
import { positionWorkflowId, type PositionView } from '../../workflows/position/api';
import { dailyClosesOf } from '../../exchange/market-data/daily-closes';
import { pairCorrelation } from '../../domain/correlation';
import type { PricePathMarketData } from '../../exchange/market-data';

let env: TestWorkflowEnvironment;
const db = withTimeSkippingPerTest((e) => (env = e));

/**
 * The result of a workflow, waited for WITHOUT time skipping (describe, not result(), until it closes).
 * Why: result() lets the test server skip time while the workflow is still busy; after a strategy stop
 * that skip reaches the positions' time exits, a position starts its exit order just as the stop cancels
 * it, and the time-skipping server rejects that cancel ("ACTIVITY_UNKNOWN for scheduledEventId=…"),
 * leaving the position without a next task (seen with the guard on and off alike).
 */
async function finished<T>(workflowId: string): Promise<T> {
  const h = env.client.workflow.getHandle(workflowId);
  for (let i = 0; i < 600 && (await h.describe()).status.name === 'RUNNING'; i++) await new Promise((r) => setTimeout(r, 100));
  return (await h.result()) as T;
}

/** Deterministic daily returns in ±3 % (a small LCG: the test must not depend on Math.random). */
function returns(seed: number, n: number): number[] {
  let x = seed;
  return Array.from({ length: n }, () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return (x / 2 ** 31 - 0.5) * 0.06;
  });
}

/**
 * A symbol whose price follows `rets` day by day over the 45 days before `t0`'s day (a point at each
 * day's start), then stays flat: entries and their exits see a quiet market, the guard sees the history.
 */
function history(m: ReturnType<typeof scriptedMarket>, symbol: string, base: number, rets: number[], t0: number): void {
  m.flat(symbol, base); // volumes and 7-day change of the scripted market
  const today = Math.floor(t0 / DAY) * DAY;
  const start = today - rets.length * DAY;
  let p = base;
  const points = [{ t: start, price: p }];
  rets.forEach((r, i) => {
    p *= 1 + r;
    points.push({ t: start + (i + 1) * DAY, price: p });
  });
  m.path.set(symbol, points);
}

/**
 * Moves the test server's clock to 01:00 UTC of the next day (no workflow runs yet) and returns it. Each
 * test's hours then stay within one UTC day whatever the hour it runs at: the guard's window of daily
 * returns ends at the decision's day (an entry after midnight judged a window a day later: r 0.9823,
 * not the 0.9832 of t0's day), and the trigger alerts once per UTC day (an hour across midnight: 2 alerts).
 */
async function startAtOneUtc(): Promise<number> {
  await env.sleep(DAY - ((await env.currentTimeMs()) % DAY) + HOUR);
  return env.currentTimeMs();
}

async function r(market: PricePathMarketData, a: string, b: string, asOf: number): Promise<number> {
  const { closes } = await dailyClosesOf(market, [a, b], asOf, 30);
  const p = pairCorrelation(closes[a]!, closes[b]!, asOf, 30);
  if (!p.known) throw new Error(`r of ${a} / ${b} unknown: ${p.reason}`);
  return Number(p.r);
}

const config = (strategyId: string, risk: Record<string, unknown> = {}) =>
  testConfig({
    strategyId,
    timing: { scanInterval: '1h' },
    ladder: { PAPER: { riskPerTradePct: '1', maxExposurePct: '80', dailyLossPct: '5' } },
    risk: { correlationLookbackDays: 30, ...risk },
  });

test('two symbols moving together: the second entry is refused with CORRELATION; r ≤ 0.7 passes and does not trip', async () => {
  const tdb = await db();
  const t0 = await startAtOneUtc();
  const m = scriptedMarket();
  const common = returns(7, 45);
  history(m, 'CA/USDT', 10, common, t0);
  history(m, 'CB/USDT', 4, common.map((x, i) => x + returns(99, 45)[i]! * 0.2), t0); // same moves, a little noise
  history(m, 'CC/USDT', 6, returns(12345, 45), t0);
  const rAB = await r(m.market, 'CA/USDT', 'CB/USDT', t0);
  const rAC = await r(m.market, 'CA/USDT', 'CC/USDT', t0);
  expect(rAB).toBeGreaterThan(0.7);
  expect(rAC).toBeLessThanOrEqual(0.7);

  // entries (unlock − 24 h) at t0 + 2 h (CA), + 4 h (CB), + 6 h (CC)
  await insertEvents(tdb.db, [unlockEvent('C-A', 'CA/USDT', t0 + 26 * HOUR), unlockEvent('C-B', 'CB/USDT', t0 + 28 * HOUR), unlockEvent('C-C', 'CC/USDT', t0 + 30 * HOUR)]);
  const { worker } = await tradingWorker(env, tdb.db, { taskQueue: 'corr', paperMarket: m.market });
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start('strategyWorkflow', { taskQueue: 'corr', workflowId: strategyWorkflowId('corr'), args: [{ config: config('corr') }] });
    await advance(env, 8 * HOUR);
    const b = await finished<PositionView>(positionWorkflowId('corr', 'C-B'));
    expect(b.status).toBe('SKIPPED');
    const refusal = b.reasons.find((x) => x.code === 'CORRELATION')!;
    expect(refusal.message).toMatch(new RegExp(`^CB/USDT and CA/USDT correlate at r = ${rAB.toFixed(4).replace(/0+$/, '')}\\d* over 30 daily returns \\(> 0\\.7\\)$`));
    expect(b.reasons.map((x) => x.code)).toEqual(['CORRELATION']);
    let open = await handle.query<OpenPositionInfo[]>('openPositions');
    expect(open.map((p) => [p.symbol, p.status]).sort()).toEqual([['CA/USDT', 'OPEN'], ['CC/USDT', 'OPEN']]);

    // past the next UTC midnight: the trigger checks the open pair (CA, CC) on its day's closes, r ≤ 0.7
    await advance(env, DAY);
    const status = await handle.query<StrategyStatus>('status');
    expect(status).toMatchObject({ mode: 'PAPER', state: 'RUNNING', emergency: null });
    open = await handle.query<OpenPositionInfo[]>('openPositions');
    expect(open).toHaveLength(2);
    await maybeRecordHistory(env, strategyWorkflowId('corr'), 'strategy-correlation');
    await handle.signal('stopStrategy', {});
    await finished(handle.workflowId);
  });
  const refused = await tdb.db.alert.findMany({ where: { strategyId: 'corr', kind: 'RISK_REJECTION' } });
  expect(refused.map((a) => a.message)).toEqual([expect.stringMatching(/^entry of CB\/USDT refused: CORRELATION \(CB\/USDT and CA\/USDT correlate at r = /)]);
  expect(await tdb.db.order.count({ where: { strategyId: 'corr', symbol: 'CB/USDT' } })).toBe(0);
}, 240_000);

test('both already open: lowering the limit trips the trigger, naming the pair (ALERT only, then EMERGENCY_STOP)', async () => {
  const tdb = await db();
  const t0 = await startAtOneUtc();
  const m = scriptedMarket();
  const common = returns(3, 45);
  history(m, 'TA/USDT', 10, common, t0);
  history(m, 'TB/USDT', 5, common, t0);
  expect(await r(m.market, 'TA/USDT', 'TB/USDT', t0)).toBeGreaterThan(0.99);
  await insertEvents(tdb.db, [unlockEvent('T-A', 'TA/USDT', t0 + 26 * HOUR), unlockEvent('T-B', 'TB/USDT', t0 + 27 * HOUR)]);
  const { worker } = await tradingWorker(env, tdb.db, { taskQueue: 'corrt', paperMarket: m.market });
  await worker.runUntil(async () => {
    // the guard off (r never exceeds 1): both enter
    const handle = await env.client.workflow.start('strategyWorkflow', {
      taskQueue: 'corrt',
      workflowId: strategyWorkflowId('corrt'),
      args: [{ config: config('corrt', { maxCorrelation: '1', correlationAction: 'ALERT' }) }],
    });
    await advance(env, 4 * HOUR);
    expect((await handle.query<OpenPositionInfo[]>('openPositions')).map((p) => p.status)).toEqual(['OPEN', 'OPEN']);

    // alert only: a warning names the pair, trading goes on
    // as signals (what `limits --no-wait` and the plain Temporal CLI send): the time-skipping test server
    // was seen rejecting workflow tasks around updates under load ("invalid history builder state")
    await handle.signal('updateLimits', { by: 'ops', risk: { maxCorrelation: '0.7' } });
    await advance(env, HOUR);
    const alerts = await tdb.db.alert.findMany({ where: { strategyId: 'corrt', kind: 'CORRELATION' } });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.severity).toBe('warning');
    expect(alerts[0]!.message).toMatch(/alert only.*open positions TA\/USDT and TB\/USDT correlate at r = (1|0\.99\d*) over 30 daily returns \(> 0\.7\)/);
    expect(await handle.query<StrategyStatus>('status')).toMatchObject({ mode: 'PAPER', openPositions: 2 });

    // the emergency stop: both positions exit, the trigger names the pair
    await handle.signal('updateLimits', { by: 'ops', risk: { correlationAction: 'EMERGENCY_STOP' } });
    for (const id of ['T-A', 'T-B']) {
      const v = await finished<PositionView>(positionWorkflowId('corrt', id));
      expect(v).toMatchObject({ status: 'CLOSED', exitReason: 'EMERGENCY' });
    }
    const status = await handle.query<StrategyStatus>('status');
    expect(status.mode).toBe('EMERGENCY_STOP');
    expect(status.emergency!.triggers).toEqual([
      { code: 'CORRELATION', message: expect.stringMatching(/^open positions TA\/USDT and TB\/USDT correlate at r = /), value: expect.any(String), limit: '0.7' },
    ]);
    await maybeRecordHistory(env, strategyWorkflowId('corrt'), 'strategy-correlation-trigger');
    await handle.signal('stopStrategy', {});
    await finished(handle.workflowId);
  });
  const stops = await tdb.db.alert.findMany({ where: { strategyId: 'corrt', kind: 'EMERGENCY_STOP' } });
  expect(stops).toHaveLength(1);
  expect(stops[0]!.message).toMatch(/TA\/USDT and TB\/USDT/);
}, 240_000);

test('two correlated entries deciding at the same time: decisions are serialized, the second sees the first and is refused', async () => {
  const tdb = await db();
  const t0 = await startAtOneUtc();
  const m = scriptedMarket();
  const common = returns(21, 45);
  history(m, 'SX/USDT', 8, returns(777, 45), t0);
  history(m, 'SA/USDT', 10, common, t0);
  history(m, 'SB/USDT', 3, common, t0);
  expect(await r(m.market, 'SA/USDT', 'SX/USDT', t0)).toBeLessThanOrEqual(0.7);
  expect(await r(m.market, 'SB/USDT', 'SX/USDT', t0)).toBeLessThanOrEqual(0.7);
  // SX open first (so each later entry reads market data); SA and SB ask at the same instant
  await insertEvents(tdb.db, [unlockEvent('S-X', 'SX/USDT', t0 + 26 * HOUR), unlockEvent('S-A', 'SA/USDT', t0 + 28 * HOUR), unlockEvent('S-B', 'SB/USDT', t0 + 28 * HOUR)]);
  const { worker } = await tradingWorker(env, tdb.db, { taskQueue: 'corrs', paperMarket: m.market });
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start('strategyWorkflow', { taskQueue: 'corrs', workflowId: strategyWorkflowId('corrs'), args: [{ config: config('corrs') }] });
    await advance(env, 6 * HOUR);
    const open = await handle.query<OpenPositionInfo[]>('openPositions');
    expect(open.map((p) => p.symbol).sort()).toHaveLength(2);
    expect(open.map((p) => p.symbol)).toContain('SX/USDT');
    const views = await Promise.all(['S-A', 'S-B'].map(async (id) => (await env.client.workflow.getHandle(positionWorkflowId('corrs', id)).describe()).status.name));
    expect(views.sort()).toEqual(['COMPLETED', 'RUNNING']);
    await handle.signal('stopStrategy', {});
    await finished(handle.workflowId);
  });
  const refused = await tdb.db.alert.findMany({ where: { strategyId: 'corrs', kind: 'RISK_REJECTION' } });
  expect(refused).toHaveLength(1);
  expect(refused[0]!.message).toMatch(/CORRELATION \((SA\/USDT and SB\/USDT|SB\/USDT and SA\/USDT) correlate at r = 1 /);
}, 240_000);
