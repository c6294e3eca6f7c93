/**
 * The worker process's memory settings (issue 14): the environment it starts with and the V8 flags it
 * applies to itself, each leaving an operator's own value alone. What they save is measured in
 * BENCHMARKS.md, not asserted here.
 */
import { execFileSync } from 'node:child_process';
import { workerProcessEnv } from '../../workers/process-env';
import { missingWorkerV8Flags, WORKER_V8_FLAGS } from '../../workers/v8-flags';

describe('worker process environment', () => {
  it('starts with two malloc arenas, 4 MiB semi-spaces and a 1 GiB old space, appended to the caller NODE_OPTIONS', () => {
    expect(workerProcessEnv({})).toEqual({ MALLOC_ARENA_MAX: '2', NODE_OPTIONS: '--max-semi-space-size=4 --max-old-space-size=1024' });
    expect(workerProcessEnv({ NODE_OPTIONS: '--enable-source-maps' }).NODE_OPTIONS).toBe('--enable-source-maps --max-semi-space-size=4 --max-old-space-size=1024');
  });

  it("keeps the operator's own values, flag by flag", () => {
    expect(workerProcessEnv({ MALLOC_ARENA_MAX: '8', NODE_OPTIONS: '--max-semi-space-size=16' })).toEqual({ MALLOC_ARENA_MAX: '8', NODE_OPTIONS: '--max-semi-space-size=16 --max-old-space-size=1024' });
    expect(workerProcessEnv({ NODE_OPTIONS: '--max_old_space_size=4096 --max-semi-space-size=8' }).NODE_OPTIONS).toBe('--max_old_space_size=4096 --max-semi-space-size=8');
  });
});

describe('worker V8 flags', () => {
  it('applies every flag the command line and NODE_OPTIONS leave unset', () => {
    const both = [...WORKER_V8_FLAGS, '--heap-growing-percent=25'];
    expect(missingWorkerV8Flags(both, [], '')).toEqual(both);
    expect(missingWorkerV8Flags(both, ['--heap-growing-percent=50', '--max-old-space-size=2048'], '--max-semi-space-size=16')).toEqual([]);
    expect(missingWorkerV8Flags(both, [], '--max_semi_space_size=2')).toEqual(['--max-old-space-size=1024', '--heap-growing-percent=25']);
  });

  it('reaches a worker thread started after them: its young generation is 2 × 4 MiB, its heap limit ~1 GiB', () => {
    // a fresh node: the flags as workers/main.ts applies them, then a thread that allocates
    const script = `
      const v8 = require('node:v8');
      for (const f of ${JSON.stringify(WORKER_V8_FLAGS)}) v8.setFlagsFromString(f);
      const { Worker } = require('node:worker_threads');
      const w = new Worker("const v8=require('node:v8');const a=[];for(let i=0;i<3e6;i++)a.push({i});require('node:worker_threads').parentPort.postMessage([v8.getHeapSpaceStatistics().find((s)=>s.space_name==='new_space').space_size, v8.getHeapStatistics().heap_size_limit])", { eval: true });
      w.on('message', (m) => { console.log(JSON.stringify(m)); process.exit(0); });`;
    const [newSpace, heapLimit] = JSON.parse(execFileSync(process.execPath, ['-e', script], { env: { PATH: process.env.PATH } }).toString().trim()) as [number, number];
    expect(newSpace).toBeLessThanOrEqual(8 * 1024 * 1024);
    // old space 1 GiB plus the young generation (V8's default here would be ~4 GiB, and a growing factor of 4)
    expect(heapLimit / 1024 / 1024).toBeGreaterThanOrEqual(1024);
    expect(heapLimit / 1024 / 1024).toBeLessThan(1100);
  });
});
