/**
 * The worker process's memory settings (issue 14): the environment it starts with and the V8 flags it
 * applies to itself, each leaving an operator's own value alone. What they save is measured in
 * BENCHMARKS.md, not asserted here.
 */
import { execFileSync } from 'node:child_process';
import { workerProcessEnv } from '../../workers/process-env';
import { missingWorkerV8Flags, WORKER_V8_FLAGS } from '../../workers/v8-flags';

describe('worker process environment', () => {
  it('starts with two malloc arenas and 4 MiB semi-spaces, appended to the caller NODE_OPTIONS', () => {
    expect(workerProcessEnv({})).toEqual({ MALLOC_ARENA_MAX: '2', NODE_OPTIONS: '--max-semi-space-size=4' });
    expect(workerProcessEnv({ NODE_OPTIONS: '--enable-source-maps' }).NODE_OPTIONS).toBe('--enable-source-maps --max-semi-space-size=4');
  });

  it("keeps the operator's own values", () => {
    expect(workerProcessEnv({ MALLOC_ARENA_MAX: '8', NODE_OPTIONS: '--max-semi-space-size=16' })).toEqual({ MALLOC_ARENA_MAX: '8', NODE_OPTIONS: '--max-semi-space-size=16' });
  });
});

describe('worker V8 flags', () => {
  it('applies every flag the command line and NODE_OPTIONS leave unset', () => {
    const both = [...WORKER_V8_FLAGS, '--heap-growing-percent=25'];
    expect(missingWorkerV8Flags(both, [], '')).toEqual(both);
    expect(missingWorkerV8Flags(both, ['--heap-growing-percent=50'], '--max-semi-space-size=16')).toEqual([]);
    expect(missingWorkerV8Flags(both, [], '--max_semi_space_size=2')).toEqual(['--heap-growing-percent=25']);
  });

  it('reaches a worker thread started after them: its young generation is 2 × 4 MiB', () => {
    // a fresh node: the flags as workers/main.ts applies them, then a thread that allocates
    const script = `
      const v8 = require('node:v8');
      for (const f of ${JSON.stringify(WORKER_V8_FLAGS)}) v8.setFlagsFromString(f);
      const { Worker } = require('node:worker_threads');
      const w = new Worker("const v8=require('node:v8');const a=[];for(let i=0;i<3e6;i++)a.push({i});require('node:worker_threads').parentPort.postMessage(v8.getHeapSpaceStatistics().find((s)=>s.space_name==='new_space').space_size)", { eval: true });
      w.on('message', (m) => { console.log(m); process.exit(0); });`;
    const newSpace = Number(execFileSync(process.execPath, ['-e', script], { env: { PATH: process.env.PATH } }).toString().trim());
    expect(newSpace).toBeLessThanOrEqual(8 * 1024 * 1024);
  });
});
