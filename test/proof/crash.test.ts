/**
 * Crash tests (issue 7, acceptance 1): real processes — a file-backed Temporal dev server, the Binance
 * simulator, a fresh SQLite DB and the trading worker as a CHILD PROCESS — and kill -9 of the worker
 * at each step of a position's life, each followed by a restart:
 *
 *   (paper) during the paper phase, while both paper positions hold through their unlock
 *   (a) before the entry order: every live position is still waiting for its entry time
 *   (b) after the exchange received the entry order but before the activity completed: the order
 *       request is held 2.5 s by a latency rule and the worker dies while it is held, so the
 *       simulator accepts the order from a dead client
 *   (c) during the unlock wait: a live position is OPEN, watching its levels
 *   (d) during the exit: the exit order request is at the simulator, the worker dies
 *
 * A second strategy that stays in PAPER (MARKET_DATA=ccxt: paper prices from the simulator) trades the
 * same calendar, so every kill also hits paper positions.
 *
 * Then: every position has exactly ONE entry and ONE exit order at its venue (simulator or paper venue,
 * by client order id), the DB Order rows agree with the venue's fills (status, filled amount, average
 * price, exchange order id), every position workflow completed CLOSED, nothing is left PENDING_SUBMIT.
 *
 * Encryption is on (issue 16): the worker processes, the CLI and the test's client seal every payload, so
 * the recoveries above all decode what they replay; every history the run left holds ciphertext only
 * (no plaintext payload, no config name or field in the raw bytes).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clientOrderIdFor } from '../../domain/ids';
import { positionWorkflowId, type PositionView } from '../../workflows/position/api';
import { auditSealedHistories } from '../helpers/history-payloads';
import { checkLiveOrders, checkPaperOrders, ProofStack, proofConfig, stageOf, SYMBOLS, table, waitFor, type OrderCheck } from './lib';

const stack = new ProofStack('crash', { encrypted: true });
const LIVE = 'crash';
const PAPER = 'crash-paper';
const ENTRY_LEAD = 15_000;
const EXIT_AFTER = 5_000;

afterAll(async () => {
  if (process.env.PROOF_DEBUG) {
    // what is still running, and what each strategy is retrying
    for await (const w of stack.client.workflow.list()) console.log(`${w.workflowId} ${w.status.name}`);
    for (const wid of [`strategy-${LIVE}`, `strategy-${PAPER}`]) {
      const dsc = await stack.client.workflow.getHandle(wid).describe().catch(() => undefined);
      for (const pa of dsc?.raw.pendingActivities ?? []) console.log(`${wid} pending ${pa.activityType?.name} attempt ${pa.attempt}: ${pa.lastFailure?.message}`);
    }
    console.log(stack.workerLogs.join('\n----\n').slice(-4000));
  }
  await stack.close();
});

interface Kill {
  step: string;
  at: number;
  restartedInMs: number;
  evidence: string;
}

test('kill -9 the worker at every step of a position: one entry and one exit per position, DB = venue', async () => {
  const t0 = Date.now();
  await stack.start();
  await stack.startWorker();
  const dir = mkdtempSync(join(tmpdir(), 'proof-crash-cfg-'));
  const file = (id: string) => {
    const p = join(dir, `${id}.json`);
    writeFileSync(p, JSON.stringify(proofConfig(id, { entryLead: `${ENTRY_LEAD}ms`, exitAfterUnlock: `${EXIT_AFTER}ms` })));
    return p;
  };
  const kills: Kill[] = [];
  const stages: Array<Record<string, string>> = [];
  /** kill -9 + restart, recording the stage of each position at the instant of the kill */
  const kill = async (step: string, ids: string[]) => {
    const snap = await stageOf(stack, ids);
    const at = Date.now();
    await stack.killWorker();
    const w = await stack.startWorker();
    stages.push(snap);
    const counts = (prefix: string) => {
      const c: Record<string, number> = {};
      for (const [id, v] of Object.entries(snap)) if (id.startsWith(prefix)) c[v] = (c[v] ?? 0) + 1;
      return Object.entries(c).map(([k, n]) => `${n} ${k}`).join(', ');
    };
    const lv = counts(`position-${LIVE}-ev`);
    const pp = counts(`position-${PAPER}-`) || counts(`position-${LIVE}-pp`);
    kills.push({ step, at, restartedInMs: w.readyAt - at, evidence: [lv && `live: ${lv}`, pp && `paper: ${pp}`].filter(Boolean).join(' | ') });
    return snap;
  };
  const pid = (strategyId: string, eventId: string) => positionWorkflowId(strategyId, eventId);
  const row = (clientOrderId: string) => stack.tdb.db.order.findUnique({ where: { clientOrderId } });
  
  // ---------------------------------------------------------------- PAPER phase (+ the paper crash)
  const cliStart = await stack.cli('strategy', 'start', file(LIVE));
  expect(cliStart.code).toBe(0);
  // unlock 10 s ahead: the entry target (unlock − 15 s) has passed, so they enter at once
  const paperEvents = await stack.addEvents('pp', [
    { symbol: 'ARB/USDT', unlockInMs: 10_000 },
    { symbol: 'OP/USDT', unlockInMs: 10_500 },
  ]);
  const paperPhase = paperEvents.map((e) => pid(LIVE, e));
  // (paper) both paper positions OPEN, holding through the unlock
  await waitFor(
    'both paper positions to be OPEN',
    () => stack.tdb.db.position.findMany({ where: { id: { in: paperPhase } } }),
    (ps) => ps.length === 2 && ps.every((p) => p.status === 'OPEN'),
    30_000,
    100,
  );
  const paperKill = await kill('paper: unlock wait', paperPhase);
  expect(Object.values(paperKill)).toEqual(['open', 'open']);
  await waitFor('the paper gate to pass', () => stack.status(LIVE), (s) => s.gate.awaitingApproval, 60_000, 250);
  const approve = await stack.cli('approve', LIVE, '--by', 'proof-tester', '--note', 'paper gate passed');
  expect(approve.code).toBe(0);
  expect((await stack.status(LIVE)).mode).toBe('LIVE_MINIMAL');
  const promotedAt = Date.now();

  // a second strategy stays in PAPER and trades the same calendar
  expect((await stack.cli('strategy', 'start', file(PAPER))).code).toBe(0);
  await waitFor('the paper strategy to run', () => stack.status(PAPER), (s) => s.state === 'RUNNING', 15_000);

  // every order's first submission is held 2.5 s before the simulator handles it: the kill window of (b) and (d)
  stack.sim.faults.add({ id: 'hold', kind: 'latency', endpoint: '/api/v3/order', method: 'POST', latencyMs: 2_500, firstCallPerClientOrderId: true });

  // ---------------------------------------------------------------- LIVE phase
  // A kill -9 delays the next workflow task of every cached workflow by up to 10 s (the server waits for
  // the dead worker's sticky queue before it hands the task to the normal queue), and an activity that
  // was running in the dead worker is retried only after its 30 s start-to-close timeout. So the kills
  // are triggered by what the positions are doing, not by a clock: six live positions with staggered
  // entries (15 s lead) give every step a candidate.
  const T = Date.now();
  const events = await stack.addEvents(
    'ev',
    // the first unlock 30 s out: kill (a) and its restart (up to 10 s of sticky-queue wait) must not push
    // the first entry check past its unlock on a loaded machine (it would rightly be skipped, UNLOCK_PASSED)
    [30, 34, 38, 42, 46, 50].map((sec, i) => ({ symbol: SYMBOLS[i % SYMBOLS.length]!, unlockInMs: sec * 1000 })),
  );
  const live = events.map((e) => pid(LIVE, e));
  const paper = events.map((e) => pid(PAPER, e));
  const heldAtVenue = (clientOrderId: string) =>
    stack.orderPostedAt(clientOrderId) !== undefined && !stack.sim.orders().some((o) => o.clientOrderId === clientOrderId);

  // (a) before the entry order: all positions started, none has checked its entry or placed an order
  await waitFor(
    'every position to be started',
    () => Promise.all([...live, ...paper].map((id) => stack.client.workflow.getHandle(id).describe().then((x) => x.status.name))),
    (ss) => ss.every((x) => x === 'RUNNING'),
    15_000,
    100,
  );
  const a = await kill('(a) before entry', [...live, ...paper]);
  expect(live.map((id) => a[id])).toEqual(live.map(() => 'waiting'));

  // (b) an entry request is held at the simulator: kill now; it accepts the order after the worker died
  const heldEntry = await waitFor('a live entry request held at the simulator', () => live.filter((id) => heldAtVenue(clientOrderIdFor(id, 'entry'))), (ids) => ids.length > 0, 45_000, 20);
  const b = await kill('(b) entry accepted, activity not completed', [...live, ...paper]);
  expect(b[heldEntry[0]!]).toBe('entry held at venue');
  const killB = kills[kills.length - 1]!.at;
  const bEntry = clientOrderIdFor(heldEntry[0]!, 'entry');
  const bAtVenue = await waitFor('the venue to accept the held entry', () => stack.sim.orders().filter((o) => o.clientOrderId === bEntry), (os) => os.length === 1, 10_000, 50);
  expect(bAtVenue[0]!.time).toBeGreaterThan(killB); // accepted after the worker died
  expect((await row(bEntry))?.status).toBe('PENDING_SUBMIT'); // nobody recorded it yet: only the retry will

  // (c) a live position is OPEN, holding through its unlock (time exit > 2 s away, no exit order yet)
  await waitFor(
    'a live position OPEN in its unlock wait',
    async () => {
      const open = await stack.tdb.db.position.findMany({ where: { id: { in: live }, status: 'OPEN' } });
      const exits = await stack.tdb.db.order.count({ where: { positionId: { in: open.map((p) => p.id) }, purpose: { not: 'entry' } } });
      return open.filter((p) => (p.timeExitAt?.getTime() ?? 0) - Date.now() > 2_000).length > 0 && exits === 0;
    },
    (ok) => ok,
    60_000,
    50,
  );
  const c = await kill('(c) unlock wait', [...live, ...paper]);
  expect(live.some((id) => c[id] === 'open')).toBe(true);

  // (d) an exit request is held at the simulator
  const heldExit = await waitFor('a live exit request held at the simulator', () => live.filter((id) => heldAtVenue(clientOrderIdFor(id, 'exit'))), (ids) => ids.length > 0, 60_000, 20);
  const dd = await kill('(d) during exit', [...live, ...paper]);
  expect(dd[heldExit[0]!]).toBe('exit held at venue');
  const dExit = clientOrderIdFor(heldExit[0]!, 'exit');
  const killD = kills[kills.length - 1]!.at;

  // ---------------------------------------------------------------- recovery
  const all = [...paperPhase, ...live, ...paper];
  const results = await waitFor(
    'every position to complete',
    () => Promise.all(all.map((id) => stack.client.workflow.getHandle(id).describe().then((d) => d.status.name))),
    (ss) => ss.every((s) => s === 'COMPLETED'),
    120_000,
    500,
  );
  expect(results.every((s) => s === 'COMPLETED')).toBe(true);
  const doneAt = Date.now();
  const views = await Promise.all(all.map((id) => stack.client.workflow.getHandle(id).result() as Promise<PositionView>));
  // a position that did not close says why (e.g. a skipped entry's reason codes)
  expect(views.map((v) => `${v.positionId}:${v.status}${v.status === 'CLOSED' ? '' : ` ${v.reasons.map((r) => r.code).join(',')}`}`)).toEqual(all.map((id) => `${id}:CLOSED`));

  const liveChecks = await checkLiveOrders(stack, live);
  const paperChecks = await checkPaperOrders(stack, [...paperPhase, ...paper]);
  const checks: OrderCheck[] = [...paperChecks.slice(0, 2), ...liveChecks, ...paperChecks.slice(2)];
  expect(await stack.tdb.db.order.count({ where: { status: 'PENDING_SUBMIT' } })).toBe(0);
  // no order at the venue that belongs to no position we know
  expect(stack.sim.orders().filter((o) => !live.some((id) => o.clientOrderId.startsWith(id)))).toEqual([]);

  // ---------------------------------------------------------------- figures
  const rows = [];
  for (const c of checks) {
    const v = views.find((x) => x.positionId === c.positionId)!;
    const orders = await stack.tdb.db.order.findMany({ where: { positionId: c.positionId } });
    const entry = orders.find((o) => o.purpose === 'entry');
    const exit = orders.find((o) => o.purpose !== 'entry');
    rows.push({
      position: c.positionId.replace('position-', ''),
      mode: v.mode ?? '-',
      'entry@venue': c.entryAtVenue,
      'exit@venue': c.exitAtVenue,
      'other@venue': c.otherAtVenue,
      'entry attempts': entry?.attempts ?? 0,
      'exit attempts': exit?.attempts ?? 0,
      'entry late s': v.entryAt ? ((v.entryAt - (v.unlockAt - ENTRY_LEAD)) / 1000).toFixed(1) : '-',
      'exit late s': v.trade ? ((v.trade.closedAt - (v.unlockAt + EXIT_AFTER)) / 1000).toFixed(1) : '-',
      problems: c.problems.join('; ') || 'none',
    });
  }
  const killRows = kills.map((k) => ({ step: k.step, 'at s': ((k.at - t0) / 1000).toFixed(1), 'worker back in ms': k.restartedInMs, 'positions at the kill': k.evidence }));
  const matrix = [...live, ...paper].map((id) => ({ position: id.replace('position-', ''), ...Object.fromEntries(kills.slice(1).map((k, i) => [k.step.slice(0, 3), stages[i + 1]![id] ?? '-'])) }));
  // every history of the run, as the server stores it: sealed with the stack's key, no config in sight
  const sealed = await auditSealedHistories(stack.client, [`proof ${LIVE}`, 'riskPerTradePct', 'maxExposurePct']);
  const bRow = (await row(bEntry))!;
  const dRow = (await row(dExit))!;
  console.log(
    [
      `CRASH TEST: ${kills.length} kill -9 + restarts of the worker (${stack.workerStarts} worker processes), ${all.length} positions (${live.length} live, ${all.length - live.length} paper)`,
      table(killRows),
      '',
      'stage of each position at each kill:',
      table(matrix),
      '',
      table(rows),
      '',
      `time to recover: (b) held entry ${bEntry} recorded ${((bRow.updatedAt.getTime() - killB) / 1000).toFixed(1)} s after the kill (the activity's 30 s start-to-close timeout, then the retry found the order by client order id); ` +
        `(d) held exit ${dExit} recorded ${((dRow.updatedAt.getTime() - killD) / 1000).toFixed(1)} s after the kill`,
      `promotion to LIVE_MINIMAL after ${((promotedAt - t0) / 1000).toFixed(1)} s; all positions closed ${((doneAt - T) / 1000).toFixed(1)} s after the live events were added; total ${((Date.now() - t0) / 1000).toFixed(1)} s`,
      `encryption: ${sealed.payloads} payloads in ${sealed.histories} histories, sealed with ${sealed.keyIds.join(', ')}; ${sealed.unsealed.length} in plaintext, ${sealed.leaks.length} config strings found in the raw histories`,
      `venue: ${stack.sim.orders().length} simulator orders for ${live.length} live positions; ${(await stack.tdb.db.paperVenueOrder.count())} paper venue orders for ${all.length - live.length} paper positions`,
    ].join('\n'),
  );
  for (const c of checks) expect({ position: c.positionId, problems: c.problems }).toEqual({ position: c.positionId, problems: [] });
  expect(stack.sim.orders()).toHaveLength(2 * live.length);
  expect(kills).toHaveLength(5);
  expect(sealed.histories).toBeGreaterThanOrEqual(all.length + 2);
  expect(sealed.unsealed).toEqual([]);
  expect(sealed.keyIds).toEqual([stack.codecKeyId]);
  expect(sealed.leaks).toEqual([]);
}, 240_000);
