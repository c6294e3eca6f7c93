/**
 * Bench-only preload of the worker process (`node --require bench/lib/mem-probe.cjs`, always set by
 * BenchStack): every MEM_PROBE_MS (default 5000) one line `mem-probe {...}` on stdout (the worker log)
 * with the main thread's V8 heap (used / total, new space), external and array buffers, and the RSS,
 * so a run's RSS can be split into JS heaps and the rest (native). A --require preload also runs in
 * every worker thread, so each thread (workflow thread, tsx's loader thread) prints its own line
 * (`thread` = its threadId, 0 = the main thread; heap figures are that thread's isolate).
 * MEM_PROBE_THREAD_LIMITS="old=256,young=16" (MiB) sets the resource limits of the worker threads the
 * SDK starts (the workflow threads), an experiment production has no switch for.
 */
'use strict';
const wt = require('node:worker_threads');
const v8 = require('node:v8');

const limits = {};
for (const kv of (process.env.MEM_PROBE_THREAD_LIMITS || '').split(',').filter(Boolean)) {
  const [k, v] = kv.split('=');
  if (k === 'old') limits.maxOldGenerationSizeMb = Number(v);
  else if (k === 'young') limits.maxYoungGenerationSizeMb = Number(v);
  else throw new Error(`MEM_PROBE_THREAD_LIMITS: unknown key ${k}`);
}
if (Object.keys(limits).length) {
  const Original = wt.Worker;
  wt.Worker = class LimitedWorker extends Original {
    constructor(file, opts = {}) {
      super(file, { ...opts, resourceLimits: { ...limits, ...(opts.resourceLimits || {}) } });
    }
  };
}

const every = Number(process.env.MEM_PROBE_MS || 5000);
const mib = (b) => Math.round(b / 1048576);
setInterval(() => {
  const u = process.memoryUsage();
  const ns = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  console.log(`mem-probe ${JSON.stringify({ t: Date.now(), thread: wt.threadId, rss: mib(u.rss), heapUsed: mib(u.heapUsed), heapTotal: mib(u.heapTotal), newSpace: ns ? mib(ns.space_size) : null, external: mib(u.external), arrayBuffers: mib(u.arrayBuffers) })}`);
}, every).unref();
