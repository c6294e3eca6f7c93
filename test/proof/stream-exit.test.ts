/**
 * Streaming prices end to end (issue 15, acceptance 3): a worker process with PRICE_FEED=stream holds
 * paper positions priced by the simulator (MARKET_DATA=ccxt); its watchers share ONE trade
 * subscription per symbol, positions exit on a stop crossed in the stream, and a stop crossed and
 * recrossed while the simulator's stream was dropped for 10 s is still found (the gap check).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { positionWorkflowId } from '../../workflows/position/api';
import { ProofStack, proofConfig, sleep, waitFor } from './lib';

const ID = 'stream-exit';
const stack = new ProofStack('stream', { workerEnv: { PRICE_FEED: 'stream' } });

beforeAll(async () => {
  await stack.start();
  await stack.startWorker();
}, 90_000);
afterAll(() => stack.close());

const positionsOf = (ids: string[]) => stack.tdb.db.position.findMany({ where: { id: { in: ids } } });

test('positions exit on a stop crossed in the stream; one subscription per symbol; a crossing during a 10-s drop is found after it', async () => {
  const f = join(mkdtempSync(join(tmpdir(), 'proof-stream-')), 'cfg.json');
  // time exit far away and a slow poll: only the stream (or its gap check) can exit these positions in time
  const cfg = proofConfig(ID, { exitAfterUnlock: '30m', paperPeriod: '1h' });
  writeFileSync(f, JSON.stringify({ ...cfg, timing: { ...cfg.timing, priceCheckInterval: '10m' } }));
  expect((await stack.cli('strategy', 'start', f)).code).toBe(0);
  const events = await stack.addEvents('st', [
    { symbol: 'ARB/USDT', unlockInMs: 6_000 },
    { symbol: 'ARB/USDT', unlockInMs: 6_200 },
    { symbol: 'ARB/USDT', unlockInMs: 6_400 },
    { symbol: 'OP/USDT', unlockInMs: 6_600 },
  ]);
  const ids = events.map((e) => positionWorkflowId(ID, e));
  await waitFor('4 open positions', () => positionsOf(ids), (ps) => ps.length === 4 && ps.every((p) => p.status === 'OPEN'), 90_000, 250);
  // the watchers are running when both symbols are subscribed
  await waitFor('both symbols subscribed', () => stack.sim.stream.stats().subscribes, (s) => (s['arbusdt@trade'] ?? 0) >= 1 && (s['opusdt@trade'] ?? 0) >= 1, 30_000, 100);
  await sleep(1000);
  expect(stack.sim.stream.stats().subscribes).toEqual({ 'arbusdt@trade': 1, 'opusdt@trade': 1 });

  // ARB steps through the three stops (20 % below entry)
  stack.sim.stepPct('ARB/USDT', -25);
  await waitFor('the ARB positions to close', () => positionsOf(ids.slice(0, 3)), (ps) => ps.every((p) => p.status === 'CLOSED'), 60_000, 250);
  for (const p of await positionsOf(ids.slice(0, 3))) expect(p.exitReason).toBe('STOP_LOSS');

  // OP: the stream is dropped for 10 s; meanwhile OP dips through its stop and comes back
  stack.sim.stream.drop(10);
  await sleep(2000);
  const t = Date.now();
  const op = Number(stack.sim.priceOf('OP/USDT'));
  stack.sim.script('OP/USDT', [{ t: t - 60_000, price: String(op) }, { t, price: String(op) }, { t: t + 1, price: String(op * 0.7) }, { t: t + 2000, price: String(op * 0.7) }, { t: t + 2001, price: String(op) }]);
  await sleep(2500);
  expect((await positionsOf([ids[3]!]))[0]!.status).toBe('OPEN');
  await waitFor('the OP position to close after the reconnect', () => positionsOf([ids[3]!]), (ps) => ps[0]!.status === 'CLOSED', 60_000, 250);
  const closed = (await positionsOf([ids[3]!]))[0]!;
  expect(closed.exitReason).toBe('STOP_LOSS');
  expect(closed.closedAt!.getTime()).toBeGreaterThanOrEqual(t + 8000 - 2000);
  expect(stack.sim.stream.stats().connectionsOpened).toBeGreaterThanOrEqual(2);
}, 240_000);
