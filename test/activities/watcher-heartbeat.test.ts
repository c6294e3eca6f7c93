/**
 * The price watcher's heartbeat (activities/market.ts): the feed calls it on every poll, the activity
 * passes at most one call per quarter of its heartbeat timeout on to Temporal (issue 14: 1000 watchers
 * on a 2 s poll encoded ~500 heartbeat payloads a second on the worker's main thread).
 */
import { watcherHeartbeat } from '../../activities/market';

function fakeContext(heartbeatTimeoutMs: number | undefined) {
  const beats: number[] = [];
  let clock = 0;
  const ctx = { info: { heartbeatTimeoutMs }, heartbeat: () => void beats.push(clock) } as unknown as Parameters<typeof watcherHeartbeat>[0];
  return { ctx, beats, now: () => clock, advance: (ms: number) => (clock += ms) };
}

test('a 60 s heartbeat timeout: polls every 2 s, heartbeats at 0, 16, 32, 48 and 64 s', () => {
  const f = fakeContext(60_000);
  const beat = watcherHeartbeat(f.ctx, f.now);
  for (let t = 0; t <= 64_000; t += 2_000) {
    beat();
    f.advance(2_000);
  }
  expect(f.beats).toEqual([0, 16_000, 32_000, 48_000, 64_000]);
  // every gap leaves room for two more inside the timeout
  expect(Math.max(...f.beats.slice(1).map((b, i) => b - f.beats[i]!))).toBeLessThanOrEqual(60_000 / 3);
});

test('the first poll always heartbeats; a shorter timeout beats more often; no context, no call', () => {
  const f = fakeContext(8_000);
  const beat = watcherHeartbeat(f.ctx, f.now);
  for (let t = 0; t < 10_000; t += 1_000) {
    beat();
    f.advance(1_000);
  }
  expect(f.beats).toEqual([0, 2_000, 4_000, 6_000, 8_000]);
  expect(() => watcherHeartbeat(undefined)()).not.toThrow();
});
