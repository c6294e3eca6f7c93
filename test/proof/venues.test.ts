/**
 * Two venues in one worker (issue 15, acceptance 2): real processes — a dev server, the simulator
 * serving Binance's and Kraken's dialects on one port, the worker as a CHILD PROCESS — and two
 * strategies trading the same calendar at once, one on binance (the default venue: the unprefixed
 * EXCHANGE_API_KEY / EXCHANGE_SECRET) and one on kraken (`exchange.id: "kraken"`, its own
 * EXCHANGE_KRAKEN_API_KEY / _SECRET / _URL_OVERRIDE). On the Kraken dialect every first AddOrder is
 * held 2.5 s and then accepted with its answer dropped (accept-then-drop), and the worker is killed -9
 * while a Kraken entry is held at the venue.
 *
 * Then: every position has exactly one entry and one exit at its own venue — orders of the binance
 * strategy on the Binance dialect signed with the Binance key under the canonical client order id;
 * orders of the kraken strategy on the Kraken dialect signed with the Kraken key under the venue's
 * cl_ord_id (venueClientOrderId) — no order at the other venue, the DB rows agree with the venue
 * (status, filled amount, exchange order id, venue), nothing is left PENDING_SUBMIT.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Decimal from 'decimal.js';
import { clientOrderIdFor, venueClientOrderId } from '../../domain/ids';
import { positionWorkflowId, type PositionView } from '../../workflows/position/api';
import { DEFAULT_KRAKEN_ACCOUNT } from '../../simulator';
import { ProofStack, proofConfig, startAndPromote, SYMBOLS, table, waitFor } from './lib';

const KRAKEN = { ...DEFAULT_KRAKEN_ACCOUNT, apiKey: 'proof-kraken-key', secret: Buffer.from('proof-kraken-secret').toString('base64') };
/** the Kraken venue's variables: the simulator's url is known once it runs */
const krakenEnv: Record<string, string> = { EXCHANGE_KRAKEN_API_KEY: KRAKEN.apiKey, EXCHANGE_KRAKEN_SECRET: KRAKEN.secret, EXCHANGE_KRAKEN_RATE_LIMIT_MS: '5' };
const stack = new ProofStack('venues', { encrypted: true, extraAccounts: [KRAKEN], workerEnv: krakenEnv });
const ON_BINANCE = 'vb';
const ON_KRAKEN = 'vk';
const ADD_ORDER = '/0/private/AddOrder';

afterAll(async () => {
  if (process.env.PROOF_DEBUG) console.log(stack.workerLogs.join('\n----\n').slice(-6000));
  await stack.close();
});

test('a binance and a kraken strategy in one worker: orders at the right venue with the right keys; accept-then-drop and kill -9 on kraken: 0 duplicate, 0 lost', async () => {
  const t0 = Date.now();
  await stack.start();
  krakenEnv.EXCHANGE_KRAKEN_URL_OVERRIDE = stack.sim.url;
  await stack.startWorker();
  const dir = mkdtempSync(join(tmpdir(), 'proof-venues-cfg-'));
  const file = (id: string, venue: string) => {
    const p = join(dir, `${id}.json`);
    const cfg = proofConfig(id, { entryLead: '15000ms', exitAfterUnlock: '5000ms' });
    writeFileSync(p, JSON.stringify({ ...cfg, exchange: { ...(cfg.exchange as object), id: venue } }));
    return p;
  };
  // both strategies pass their paper gate and go live; with MARKET_DATA=ccxt each paper strategy prices at its
  // own venue: the kraken one's paper fills read Kraken's public book (nothing else asks it before going live)
  await Promise.all([startAndPromote(stack, ON_BINANCE, file(ON_BINANCE, 'binance')), startAndPromote(stack, ON_KRAKEN, file(ON_KRAKEN, 'kraken'))]);
  const paperOnKraken = stack.requests.filter((r) => r.method === 'GET' && r.path === '/0/public/Depth').length;
  expect(paperOnKraken).toBeGreaterThan(0);

  // Kraken dialect: every first AddOrder is held 2.5 s (the kill window), then accepted and its answer dropped
  stack.sim.faults.add({ id: 'hold', kind: 'latency', endpoint: ADD_ORDER, method: 'POST', latencyMs: 2_500, firstCallPerClientOrderId: true });
  stack.sim.faults.add({ id: 'drop', kind: 'accept-then-drop', endpoint: ADD_ORDER, method: 'POST', firstCallPerClientOrderId: true });

  // the kill lands at the first entries (unlock 30 s out, entry 15 s before it); a killed activity is retried
  // only after its 30 s start-to-close timeout and entry decisions are serialized per strategy, so the later
  // unlocks come after that (closer ones are rightly skipped, UNLOCK_PASSED)
  const events = await stack.addEvents('ev', [30, 72, 76, 80].map((sec, i) => ({ symbol: SYMBOLS[i % SYMBOLS.length]!, unlockInMs: sec * 1000 })));
  const bin = events.map((e) => positionWorkflowId(ON_BINANCE, e));
  const kr = events.map((e) => positionWorkflowId(ON_KRAKEN, e));
  const krakenId = (pid: string, purpose: 'entry' | 'exit') => venueClientOrderId('kraken', clientOrderIdFor(pid, purpose));
  const postedTo = (path: string, cid: string) => stack.requests.some((r) => r.method === 'POST' && r.path === path && r.clientOrderId === cid);
  const atVenue = (cid: string) => stack.sim.orders().some((o) => o.clientOrderId === cid);

  // kill -9 while a Kraken entry request is held at the simulator: it accepts the order from a dead worker
  const held = await waitFor('a kraken entry held at the venue', () => kr.filter((id) => postedTo(ADD_ORDER, krakenId(id, 'entry')) && !atVenue(krakenId(id, 'entry'))), (ids) => ids.length > 0, 60_000, 20);
  const killAt = Date.now();
  await stack.killWorker();
  await stack.startWorker();
  const heldId = krakenId(held[0]!, 'entry');
  await waitFor('the venue to accept the held entry', () => stack.sim.orders().filter((o) => o.clientOrderId === heldId), (os) => os.length === 1, 10_000, 50);

  const all = [...bin, ...kr];
  const statuses = await waitFor(
    'every position to complete',
    () => Promise.all(all.map((id) => stack.client.workflow.getHandle(id).describe().then((d) => d.status.name))),
    (ss) => ss.every((s) => s === 'COMPLETED'),
    150_000,
    500,
  );
  expect(statuses.every((s) => s === 'COMPLETED')).toBe(true);
  const views = await Promise.all(all.map((id) => stack.client.workflow.getHandle(id).result() as Promise<PositionView>));
  expect(views.map((v) => `${v.positionId}:${v.status}${v.status === 'CLOSED' ? '' : ` ${v.reasons.map((r) => r.code).join(',')}`}`)).toEqual(all.map((id) => `${id}:CLOSED`));

  // ---------------------------------------------------------------- every order at its own venue, once
  const sim = stack.sim.orders();
  const problems: string[] = [];
  const rows: Array<Record<string, string | number>> = [];
  for (const pid of all) {
    const onKraken = pid.startsWith(`position-${ON_KRAKEN}-`);
    for (const purpose of ['entry', 'exit'] as const) {
      const canonical = clientOrderIdFor(pid, purpose);
      const sent = onKraken ? krakenId(pid, purpose) : canonical;
      const atSim = sim.filter((o) => o.clientOrderId === sent);
      const wrongVenue = sim.filter((o) => o.clientOrderId === (onKraken ? canonical : venueClientOrderId('kraken', canonical)) && o.clientOrderId !== sent);
      const row = await stack.tdb.db.order.findUnique({ where: { clientOrderId: canonical } });
      const o = atSim[0];
      if (atSim.length !== 1) problems.push(`${canonical}: ${atSim.length} orders at the venue`);
      if (wrongVenue.length) problems.push(`${canonical}: also at the other venue`);
      if (o && o.apiKey !== (onKraken ? KRAKEN.apiKey : stack.apiKey)) problems.push(`${canonical}: signed by ${o.apiKey}`);
      if (!row) problems.push(`${canonical}: no DB row`);
      else if (o) {
        if (row.venue !== (onKraken ? 'kraken' : 'binance')) problems.push(`${canonical}: DB venue ${row.venue}`);
        if (row.status !== o.status) problems.push(`${canonical}: DB ${row.status} vs venue ${o.status}`);
        if (!new Decimal(row.filledAmount.toString()).eq(o.executedQty)) problems.push(`${canonical}: DB filled ${row.filledAmount} vs venue ${o.executedQty}`);
        const venueOrderId = onKraken ? /^O([0-9A-Z]+)-SIMKR-/.exec(row.exchangeOrderId ?? '')?.[1] : row.exchangeOrderId;
        if ((onKraken ? parseInt(venueOrderId ?? 'x', 36) : Number(venueOrderId)) !== o.orderId) problems.push(`${canonical}: DB exchange id ${row.exchangeOrderId} vs venue ${o.orderId}`);
      }
      rows.push({ order: canonical, venue: row?.venue ?? '-', 'sent as': sent === canonical ? '(same)' : sent, key: o?.apiKey ?? '-', 'at venue': atSim.length, status: row?.status ?? '-', attempts: row?.attempts ?? 0 });
    }
  }
  const krakenPosts = stack.requests.filter((r) => r.method === 'POST' && r.path === ADD_ORDER).length;
  const binancePosts = stack.requests.filter((r) => r.method === 'POST' && r.path === '/api/v3/order').length;
  const heldRow = await stack.tdb.db.order.findUnique({ where: { clientOrderId: clientOrderIdFor(held[0]!, 'entry') } });
  console.log(
    [
      `TWO VENUES: ${bin.length} binance + ${kr.length} kraken live positions in one worker (${stack.workerStarts} worker processes, 1 kill -9)`,
      table(rows),
      `kraken: ${krakenPosts} AddOrder POSTs for ${2 * kr.length} orders, ${stack.sim.stats().faultsInjected['accept-then-drop'] ?? 0} answers dropped; binance: ${binancePosts} order POSTs for ${2 * bin.length} orders`,
      `held kraken entry ${heldId} accepted from a dead worker, recorded ${heldRow ? ((heldRow.updatedAt.getTime() - killAt) / 1000).toFixed(1) : '?'} s after the kill; total ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    ].join('\n'),
  );
  expect(problems).toEqual([]);
  expect(sim).toHaveLength(2 * all.length);
  expect(await stack.tdb.db.order.count({ where: { status: 'PENDING_SUBMIT' } })).toBe(0);
  // accept-then-drop fired on every Kraken order and none was sent twice
  expect(stack.sim.stats().faultsInjected['accept-then-drop']).toBe(2 * kr.length);
  expect(krakenPosts).toBe(2 * kr.length);
}, 360_000);
