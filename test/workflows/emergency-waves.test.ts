/**
 * Which positions an emergency stop tells in which wave (workflows/strategy/emergency.ts, patch
 * emergency-signal-waves-v1): waves of EMERGENCY_SIGNAL_WAVE only when the batch placed every open
 * position's exit, entering positions (no exit in the batch) first; otherwise everyone at once, since
 * each position then has to place its own exit.
 */
import { EMERGENCY_SIGNAL_WAVE, signalWaves } from '../../workflows/strategy/emergency';

const pos = (i: number, status = 'OPEN') => ({ positionId: `p${i}`, status });

test('1000 open, every exit acknowledged: waves of the wave size, each position once, in order', () => {
  const live = Array.from({ length: 1000 }, (_, i) => pos(i));
  const waves = signalWaves(live, { dispatched: 1000, acknowledged: 1000 });
  expect(waves.map((w) => w.length)).toEqual([150, 150, 150, 150, 150, 150, 100]);
  expect(EMERGENCY_SIGNAL_WAVE).toBe(150);
  expect(waves.flat().map((p) => p.positionId)).toEqual(live.map((p) => p.positionId));
});

test('entering positions, whose exits the batch did not place, are told in the first wave', () => {
  const live = [pos(0), pos(1), pos(2, 'ENTERING'), pos(3), pos(4, 'ENTERING')];
  const waves = signalWaves(live, { dispatched: 3, acknowledged: 3 }, 2);
  expect(waves.map((w) => w.map((p) => p.positionId))).toEqual([['p2', 'p4'], ['p0', 'p1'], ['p3']]);
});

test('a batch with a failed or unknown exit: everyone at once; nobody live: no wave', () => {
  const live = Array.from({ length: 400 }, (_, i) => pos(i));
  expect(signalWaves(live, { dispatched: 400, acknowledged: 399 })).toEqual([live]);
  expect(signalWaves(live, { dispatched: 400, acknowledged: null })).toEqual([live]);
  expect(signalWaves([], { dispatched: 0, acknowledged: 0 })).toEqual([]);
});
