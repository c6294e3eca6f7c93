/**
 * A slow poll interval does not starve the price watcher's heartbeat (PRICE_FEED=poll, the default):
 * a position of a strategy with `timing.priceCheckInterval` 90 s — longer than the watcher's 60-s
 * heartbeatTimeout — is watched by ONE attempt of `watchPriceLevels` past a heartbeat timeout (real time:
 * the dev server enforces them; 90 s keeps the proof short), and still exits on its stop at the next poll.
 * Before the fix the feed spoke to the watcher only on a poll, so the attempt timed out every minute.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { positionWorkflowId } from '../../workflows/position/api';
import { ProofStack, proofConfig, sleep, waitFor } from './lib';

const ID = 'slow-poll';
const stack = new ProofStack('slowpoll');

beforeAll(async () => {
  await stack.start();
  await stack.startWorker();
}, 90_000);
afterAll(() => stack.close());

test('priceCheckInterval 90s: one watcher attempt past a heartbeat timeout, exit on the stop at the next poll', async () => {
  const f = join(mkdtempSync(join(tmpdir(), 'proof-slowpoll-')), 'cfg.json');
  const cfg = proofConfig(ID, { exitAfterUnlock: '30m', paperPeriod: '1h' });
  writeFileSync(f, JSON.stringify({ ...cfg, timing: { ...cfg.timing, priceCheckInterval: '90s' } }));
  expect((await stack.cli('strategy', 'start', f)).code).toBe(0);
  const [event] = await stack.addEvents('sp', [{ symbol: 'ARB/USDT', unlockInMs: 6_000 }]);
  const id = positionWorkflowId(ID, event!);
  const position = () => stack.tdb.db.position.findUnique({ where: { id } });
  await waitFor('the position to open', position, (p) => p?.status === 'OPEN', 90_000, 250);
  const watchStarted = Date.now();
  // past one heartbeat timeout (60 s) with no poll yet, then the stop is crossed (20 % below entry)
  await sleep(75_000);
  expect((await position())!.status).toBe('OPEN');
  stack.sim.stepPct('ARB/USDT', -25);
  // the next poll is at most 90 s after the watch began (plus slack for a loaded machine)
  await waitFor('the stop-loss exit', position, (p) => p?.status === 'CLOSED', 90_000 - (Date.now() - watchStarted) + 60_000, 1000);
  expect((await position())!.exitReason).toBe('STOP_LOSS');

  const events = (await stack.client.workflow.getHandle(id).fetchHistory()).events ?? [];
  const watchScheduled = events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'watchPriceLevels');
  expect(watchScheduled).toHaveLength(1);
  const scheduledId = watchScheduled[0]!.eventId!.toString();
  const started = events.find((e) => e.activityTaskStartedEventAttributes?.scheduledEventId?.toString() === scheduledId);
  // attempt 1: no heartbeat timeout (nor any other failure) restarted the watch
  expect(started!.activityTaskStartedEventAttributes!.attempt).toBe(1);
  expect(events.some((e) => e.activityTaskTimedOutEventAttributes)).toBe(false);
}, 400_000);
