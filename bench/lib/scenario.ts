/**
 * One measured run: a fresh strategy whose N unlock events put N positions in the market (entries
 * spread over a window), then an emergency stop of all N. Paper runs fill on the paper venue with
 * prices from the simulator (MARKET_DATA=ccxt); live runs first close two paper trades so the gate
 * passes, get approved to LIVE_MINIMAL, and then send every order to the simulator through ccxt.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { approveUpdate, emergencyStopUpdate, openPositionsQuery, statusQuery, stopStrategySignal, strategyWorkflowId } from '../../workflows/strategy/api';
import { exitPositionSignal, positionWorkflowId } from '../../workflows/position/api';
import { clientOrderIdFor } from '../../domain/ids';
import { strategyStartOptions } from '../../client/strategy-client';
import { BenchStack, loadavg } from './stack';
import { benchConfig, chunked, insertEvents, makeEvents, venueAckTimes, type Kind } from './setup';
import { fetchAllRuns, fetchFacts, mapLimit, type HistoryFacts } from './history';
import { dist, log, round, sleep, waitFor, withTimeout, type Dist } from './util';

export type { Kind } from './setup';
export type { RunOptions, RunResult } from './run-result';
import type { RunOptions, RunResult } from './run-result';

const coresOver = (a: number | null, b: number | null, wallMs: number) => (a !== null && b !== null && wallMs > 0 ? round((b - a) / wallMs, 2) : null);

export async function runOnce(stack: BenchStack, o: RunOptions): Promise<RunResult> {
  const tag = `${o.kind === 'live' ? 'l' : 'p'}${o.n}r${o.runIndex}${Date.now().toString(36).slice(-4)}`;
  const strategyId = `bench-${tag}`;
  const wid = strategyWorkflowId(strategyId);
  const source = `bench:${strategyId}`;
  const config = benchConfig(strategyId, o.n, o.kind);
  const prefix = `${tag}-e`;
  const mainIds = new Set<string>();
  const r: RunResult = {
    kind: o.kind,
    n: o.n,
    run: o.runIndex,
    strategyId,
    ok: false,
    loadavg: { start: loadavg(), open: '', end: '' },
    spreadMs: o.spreadMs,
    entry: { signalToAck: [], targetToAck: [], requestToDecision: [], decisionToSchedule: [], scheduleToRowCreated: [], rowCreatedToAck: [], lagBehindTarget: [], spawnedLate: [] },
    entryPhase: { startedAt: 0, firstTargetAt: null, allOpenAt: 0, wallMs: 0, skipped: 0, failed: 0 },
    stop: {
      sentAt: 0,
      updateReturnedMs: null,
      serverAcceptedMs: null,
      batchScheduledMs: null,
      batchStartedMs: null,
      batchCompletedMs: null,
      firstExitAckMs: null,
      allExitsAckedMs: null,
      exitAck: [],
      lastExitSignalDeliveredMs: null,
      allPositionsCompletedMs: null,
      exitOrders: 0,
      allExitsRecordedMs: null,
      allFilledSeenMs: null,
      venueOrders: { entries: 0, exits: 0, duplicates: 0 },
      stopPhaseWft: { count: 0, perSec: null, scheduleToStart: dist([]) },
      cpuCores: { worker: null, server: null },
    },
    rss: { atOpenKb: null, hwmAtOpenKb: null, hwmAfterStopKb: null },
    history: { perPosition: dist([]), perStrategy: 0, strategyRuns: 0, wftCompleted: 0, wallMs: 0, wftPerSec: null, entryPhaseWftPerSec: null, wftFailures: { strategyFailed: 0, strategyTimedOut: 0, positionsFailed: 0, positionsTimedOut: 0 } },
    cpuCoresEntryPhase: { worker: null, server: null },
  };
  const { client, db } = stack;
  const handle = client.workflow.getHandle(wid);
  const label = `${o.kind} N=${o.n} run ${o.runIndex}`;
  let stopCpu: ReturnType<BenchStack['cpu']> | undefined;
  try {
    // ------------------------------------------------------------------ start
    const t0 = Date.now();
    r.entryPhase.startedAt = t0;
    if (o.kind === 'paper') {
      r.entryPhase.firstTargetAt = t0 + o.firstEntryDelayMs;
      const events = makeEvents(prefix, o.n, t0 + o.firstEntryDelayMs, o.spreadMs, config.tokenUnlock.entryLead);
      events.forEach((e) => mainIds.add(positionWorkflowId(strategyId, e.id)));
      await insertEvents(stack, events, source);
    }
    const cpuStart = stack.cpu();
    await client.workflow.start('strategyWorkflow', strategyStartOptions(config, stack.taskQueue));
    log(`${label}: strategy ${strategyId} started; ${o.n} entries over ${Math.round(o.spreadMs / 1000)} s from +${Math.round(o.firstEntryDelayMs / 1000)} s`);

    if (o.kind === 'live') {
      // two paper trades (different returns, so the per-trade Sharpe is defined), then the gate passes
      const warm = makeEvents(`${tag}-w`, 2, Date.now() + 5_000, 500, config.tokenUnlock.entryLead).map((e, i) => ({ ...e, symbol: i === 0 ? 'ARB/USDT' : 'OP/USDT' }));
      await insertEvents(stack, warm, source);
      const warmIds = warm.map((e) => positionWorkflowId(strategyId, e.id));
      await waitFor('the two warm-up positions to open', () => db.position.count({ where: { id: { in: warmIds }, status: 'OPEN' } }), (c) => c === 2, 120_000, 250);
      stack.sim.stepPct('ARB/USDT', 1);
      for (const id of warmIds) await client.workflow.getHandle(id).signal(exitPositionSignal, { reason: 'MANUAL', by: 'bench' });
      await waitFor('the warm-up trades to close', () => db.position.count({ where: { id: { in: warmIds }, status: 'CLOSED' } }), (c) => c === 2, 120_000, 250);
      const st = await waitFor(
        'the paper gate to pass (awaiting approval)',
        () => handle.query(statusQuery),
        (s) => s.gate.awaitingApproval,
        60_000,
        500,
      );
      const approved = await handle.executeUpdate(approveUpdate, { args: [{ by: 'bench', note: 'benchmark live run' }] });
      if (approved.mode !== 'LIVE_MINIMAL') throw new Error(`approval did not promote: mode ${approved.mode}`);
      r.warmup = { gateMs: Date.now() - t0, approvedAt: Date.now() };
      log(`${label}: gate passed (${st.gate.result?.criteria.map((c) => `${c.name}=${c.value}`).join(' ')}), approved → LIVE_MINIMAL after ${Math.round((Date.now() - t0) / 1000)} s`);
      const events = makeEvents(prefix, o.n, Date.now() + o.firstEntryDelayMs, o.spreadMs, config.tokenUnlock.entryLead);
      events.forEach((e) => mainIds.add(positionWorkflowId(strategyId, e.id)));
      await insertEvents(stack, events, source);
    }
    const ids = [...mainIds];
    // SQLite through Prisma takes at most 999 bound parameters: filter by prefix, not by id lists
    const mainPrefix = positionWorkflowId(strategyId, prefix);
    const mainWhere = { strategyId, id: { startsWith: mainPrefix } };
    const mainOrders = { strategyId, positionId: { startsWith: mainPrefix } };

    // ------------------------------------------------------------------ wait for N open
    let lastLog = 0;
    const counts = await waitFor(
      `${o.n} positions open`,
      async () => {
        const rows = await db.position.groupBy({ by: ['status'], where: mainWhere, _count: { _all: true } });
        const c: Record<string, number> = {};
        for (const row of rows) c[row.status] = row._count._all;
        if (Date.now() - lastLog > 15_000) {
          lastLog = Date.now();
          log(`${label}: positions ${JSON.stringify(c)} (worker RSS ${stack.memText()}, load ${loadavg()})`);
        }
        if (!stack.workerAlive()) throw new Error('the worker process died');
        return c;
      },
      (c) => (c.OPEN ?? 0) + (c.SKIPPED ?? 0) + (c.FAILED ?? 0) >= o.n,
      o.timeoutMs,
      250,
    );
    r.entryPhase.skipped = counts.SKIPPED ?? 0;
    r.entryPhase.failed = counts.FAILED ?? 0;
    const open = counts.OPEN ?? 0;
    // the strategy must know every position as OPEN (the emergency batch covers OPEN positions)
    await waitFor(
      `the strategy to see ${open} open positions`,
      async () => (await handle.query(openPositionsQuery)).filter((p) => p.status === 'OPEN' && mainIds.has(p.positionId)).length,
      (c) => c >= open,
      120_000,
      500,
    );
    r.entryPhase.allOpenAt = Date.now();
    r.entryPhase.wallMs = r.entryPhase.allOpenAt - t0;
    const cpuOpen = stack.cpu();
    r.cpuCoresEntryPhase = { worker: coresOver(cpuStart.worker, cpuOpen.worker, cpuOpen.at - cpuStart.at), server: coresOver(cpuStart.server, cpuOpen.server, cpuOpen.at - cpuStart.at) };
    const m = stack.workerMem?.sample();
    r.rss.atOpenKb = m?.rss ?? null;
    r.rss.hwmAtOpenKb = m?.hwm ?? null;
    if ((stack.workerMem?.each.length ?? 0) > 1) r.rss.perProcessAtOpenKb = stack.workerMem!.each.map((e) => e.rss);
    r.loadavg.open = loadavg();
    log(`${label}: ${open} open (${r.entryPhase.skipped} skipped, ${r.entryPhase.failed} failed) after ${Math.round(r.entryPhase.wallMs / 1000)} s; worker RSS ${stack.memText()}, HWM ${Math.round((m?.hwm ?? 0) / 1024)} MiB; load ${r.loadavg.open}`);
    if (open === 0) throw new Error('no position opened');
    await sleep(o.settleMs);
    if (o.heapSnapshot) r.rss.heapSnapshots = await stack.heapSnapshot(`${o.kind}-${o.n}-open-r${o.runIndex}-rss${Math.round((stack.workerMem?.sample()?.rss ?? 0) / 1024)}MiB`);

    // ------------------------------------------------------------------ emergency stop
    const cpuStop = stack.cpu();
    const sentAt = Date.now();
    r.stop.sentAt = sentAt;
    const update = handle
      .executeUpdate(emergencyStopUpdate, { args: [{ reason: 'benchmark', by: 'bench' }] })
      .then((st) => {
        r.stop.updateReturnedMs = Date.now() - sentAt;
        return st;
      });
    update.catch(() => undefined);
    const openIds = (await db.position.findMany({ where: { ...mainWhere, status: { in: ['OPEN', 'EXITING', 'CLOSED'] } }, select: { id: true } })).map((p) => p.id);
    const openSet = new Set(openIds);
    await waitFor(
      `${openIds.length} exit orders FILLED`,
      () => db.order.count({ where: { ...mainOrders, side: 'sell', status: 'FILLED' } }),
      (c) => c >= openIds.length,
      o.timeoutMs,
      100,
    );
    // the first poll (every 100 ms) that saw every exit row FILLED: an upper bound of "recorded"
    r.stop.allFilledSeenMs = Date.now() - sentAt;
    // the ack is the VENUE's: the paper venue's row insert, or the simulator's order time (an Order
    // row's updatedAt moves again when the position's own exit finds the batch's order)
    const exitAcks = await venueAckTimes(stack, o.kind, openIds.map((id) => clientOrderIdFor(id, 'exit')));
    const exits = await db.order.findMany({ where: { ...mainOrders, side: 'sell' }, select: { updatedAt: true } });
    r.stop.exitOrders = exits.length;
    r.stop.exitAck = [...exitAcks.values()].map((t) => t - sentAt);
    if (r.stop.exitAck.length !== openIds.length) throw new Error(`${r.stop.exitAck.length} of ${openIds.length} exit orders found at the venue`);
    r.stop.allExitsAckedMs = Math.max(...r.stop.exitAck);
    r.stop.firstExitAckMs = Math.min(...r.stop.exitAck);
    r.stop.allExitsRecordedMs = Math.max(...exits.map((e) => e.updatedAt.getTime())) - sentAt;
    log(`${label}: emergency stop → all ${exits.length} exit orders acknowledged by the venue in ${r.stop.allExitsAckedMs} ms`);
    await withTimeout('the emergencyStop update to return', update, o.timeoutMs).catch((e: unknown) => {
      if (e instanceof WorkflowUpdateFailedError) throw new Error(`emergencyStop refused: ${e.cause?.message}`);
      throw e;
    });
    await waitFor(
      'every position workflow to complete',
      () => client.workflow.count(`StrategyId = "${strategyId}" AND ExecutionStatus = "Running" AND WorkflowType = "positionWorkflow"`).then((c) => c.count),
      (c) => c === 0,
      o.timeoutMs,
      250,
    );
    stopCpu = stack.cpu();
    const mAfter = stack.workerMem?.sample();
    r.rss.hwmAfterStopKb = mAfter?.hwm ?? null;
    r.loadavg.end = loadavg();

    // ------------------------------------------------------------------ histories and rows
    const posFacts = await mapLimit(ids, 8, (id) => fetchFacts(client, id));
    const positionsCompletedAt = Math.max(...posFacts.filter((f) => openSet.has(f.workflowId)).map((f) => f.closedAt ?? NaN));
    r.stop.allPositionsCompletedMs = Number.isFinite(positionsCompletedAt) ? positionsCompletedAt - sentAt : null;
    r.stop.cpuCores = { worker: coresOver(cpuStop.worker, stopCpu.worker, stopCpu.at - cpuStop.at), server: coresOver(cpuStop.server, stopCpu.server, stopCpu.at - cpuStop.at) };

    // stop the strategy (it stays in EMERGENCY_STOP otherwise) before reading its history
    await handle.signal(stopStrategySignal, { by: 'bench', reason: 'benchmark run over' });
    await withTimeout('the strategy to stop', handle.result(), 60_000).catch(async (e: unknown) => {
      log(`${label}: ${String(e)}; terminating it`);
      await handle.terminate('benchmark cleanup').catch(() => undefined);
    });
    const stratRuns = await fetchAllRuns(client, wid);
    const strat = stratRuns[stratRuns.length - 1]!;
    const emergencyRun = stratRuns.find((f) => f.emergencyAt !== undefined) ?? strat;
    r.stop.serverAcceptedMs = emergencyRun.emergencyAt !== undefined ? emergencyRun.emergencyAt - sentAt : null;
    if (emergencyRun.batch) {
      r.stop.batchScheduledMs = emergencyRun.batch.scheduled - sentAt;
      r.stop.batchStartedMs = emergencyRun.batch.started !== undefined ? emergencyRun.batch.started - sentAt : null;
      r.stop.batchCompletedMs = emergencyRun.batch.completed !== undefined ? emergencyRun.batch.completed - sentAt : null;
    }
    r.stop.lastExitSignalDeliveredMs = emergencyRun.exitSignalsDelivered.length ? Math.max(...emergencyRun.exitSignalsDelivered) - sentAt : null;

    // entry latencies
    const entryOrders = await db.order.findMany({ where: { ...mainOrders, purpose: 'entry' }, select: { positionId: true, status: true, createdAt: true, updatedAt: true } });
    const entryBy = new Map(entryOrders.map((e) => [e.positionId!, e]));
    const entryAcks = await venueAckTimes(stack, o.kind, ids.map((id) => clientOrderIdFor(id, 'entry')));
    const entryAckOf = (positionId: string) => entryAcks.get(clientOrderIdFor(positionId, 'entry'));
    for (const f of posFacts) {
      const eo = entryBy.get(f.workflowId);
      const ack = entryAckOf(f.workflowId);
      if (!eo || eo.status !== 'FILLED' || ack === undefined || f.entryRequestAt === undefined) continue;
      r.entry.signalToAck.push(ack - f.entryRequestAt);
      const target = f.entryTimerFired ?? f.startedAt;
      r.entry.targetToAck.push(ack - target);
      if (f.entryDecisionAt !== undefined) r.entry.requestToDecision.push(f.entryDecisionAt - f.entryRequestAt);
      const po = f.placeOrders[0];
      if (po && f.entryDecisionAt !== undefined) r.entry.decisionToSchedule.push(po.scheduled - f.entryDecisionAt);
      if (po) r.entry.scheduleToRowCreated.push(eo.createdAt.getTime() - po.scheduled);
      r.entry.rowCreatedToAck.push(ack - eo.createdAt.getTime());
    }
    // lateness of each entry vs its scheduled target (the event's unlock − entryLead)
    const evs = await db.unlockEvent.findMany({ where: { source }, select: { id: true, unlockAt: true } });
    const targetOf = new Map(evs.map((e) => [positionWorkflowId(strategyId, e.id), e.unlockAt.getTime() - config.tokenUnlock.entryLead]));
    for (const f of posFacts) {
      const tg = targetOf.get(f.workflowId);
      const eo = entryBy.get(f.workflowId);
      const ack = entryAckOf(f.workflowId);
      if (tg !== undefined && eo?.status === 'FILLED' && ack !== undefined) r.entry.lagBehindTarget.push(ack - tg);
      if (tg !== undefined && f.startedAt > tg) r.entry.spawnedLate.push(f.startedAt - tg);
    }

    // exactly once at the venue: orders per expected client order id
    const expected = new Map<string, 'entry' | 'exit'>();
    for (const id of ids) {
      expected.set(clientOrderIdFor(id, 'entry'), 'entry');
      expected.set(clientOrderIdFor(id, 'exit'), 'exit');
    }
    const venueIds =
      o.kind === 'live'
        ? stack.sim.orders().map((so) => so.clientOrderId).filter((c) => expected.has(c))
        : await chunked([...expected.keys()], 500, async (part) => (await db.paperVenueOrder.findMany({ where: { clientOrderId: { in: part } }, select: { clientOrderId: true } })).map((x) => x.clientOrderId));
    const perId = new Map<string, number>();
    for (const c of venueIds) perId.set(c, (perId.get(c) ?? 0) + 1);
    r.stop.venueOrders = {
      entries: [...perId.keys()].filter((c) => expected.get(c) === 'entry').length,
      exits: [...perId.keys()].filter((c) => expected.get(c) === 'exit').length,
      duplicates: [...perId.values()].filter((c) => c > 1).length,
    };

    // history figures
    const mainFacts = posFacts.filter((f) => mainIds.has(f.workflowId));
    r.history.perPosition = dist(mainFacts.map((f) => f.events));
    r.history.perStrategy = stratRuns.reduce((a, f) => a + f.events, 0);
    r.history.strategyRuns = stratRuns.length;
    r.history.wftFailures = {
      strategyFailed: stratRuns.reduce((a, f) => a + f.wftFailed, 0),
      strategyTimedOut: stratRuns.reduce((a, f) => a + f.wftTimedOut, 0),
      positionsFailed: posFacts.reduce((a, f) => a + f.wftFailed, 0),
      positionsTimedOut: posFacts.reduce((a, f) => a + f.wftTimedOut, 0),
    };
    const allFacts: HistoryFacts[] = [...posFacts, ...stratRuns];
    r.history.wftCompleted = allFacts.reduce((a, f) => a + f.wftCompleted, 0);
    const end = Math.max(...posFacts.map((f) => f.closedAt ?? 0));
    r.history.wallMs = end - t0;
    r.history.wftPerSec = round(r.history.wftCompleted / (r.history.wallMs / 1000), 1);
    const wfts = allFacts.flatMap((f) => f.wfts);
    const inEntry = wfts.filter((w) => w.completed !== undefined && w.completed >= t0 && w.completed <= r.entryPhase.allOpenAt).length;
    r.history.entryPhaseWftPerSec = round(inEntry / (r.entryPhase.wallMs / 1000), 1);
    const inStop = wfts.filter((w) => w.scheduled >= sentAt && w.scheduled <= end);
    r.stop.stopPhaseWft = {
      count: inStop.filter((w) => w.completed !== undefined).length,
      perSec: end > sentAt ? round(inStop.filter((w) => w.completed !== undefined).length / ((end - sentAt) / 1000), 1) : null,
      scheduleToStart: dist(inStop.filter((w) => w.started !== undefined).map((w) => w.started! - w.scheduled)),
    };
    r.ok = r.entryPhase.skipped === 0 && r.entryPhase.failed === 0;
    if (!r.ok) r.error = `${r.entryPhase.skipped} skipped / ${r.entryPhase.failed} failed entries`;
    log(
      `${label}: entry signal→ack p50 ${dist(r.entry.signalToAck).p50} ms p99 ${dist(r.entry.signalToAck).p99} ms; stop → exits acked ${r.stop.allExitsAckedMs} ms, → positions completed ${r.stop.allPositionsCompletedMs} ms; events/position avg ${r.history.perPosition.mean} max ${r.history.perPosition.max}; strategy ${r.history.perStrategy} events in ${r.history.strategyRuns} run(s); ${r.history.wftPerSec} WFT/s`,
    );
  } catch (e) {
    r.ok = false;
    r.error = (e as Error).message;
    log(`${label}: FAILED: ${r.error}`);
    // nothing of a failed run may keep loading the next one
    await handle.terminate('benchmark run failed').catch(() => undefined);
    try {
      for await (const w of client.workflow.list({ query: `StrategyId = "${strategyId}" AND ExecutionStatus = "Running"` })) {
        await client.workflow.getHandle(w.workflowId, w.runId).terminate('benchmark run failed').catch(() => undefined);
      }
    } catch {
      /* best effort */
    }
  } finally {
    // the calendar is global: this run's events must not be picked up by the next strategy
    await db.unlockEvent.deleteMany({ where: { source } }).catch(() => undefined);
  }
  return r;
}
