/**
 * Bench-only preload of the worker process (`node --require bench/lib/heap-probe.cjs`, set by
 * BenchStack when heapSnapshotDir is given). The SDK runs workflows in worker threads, whose heaps a
 * `--heapsnapshot-signal` snapshot of the main thread does not contain; this keeps a reference to every
 * worker thread created and, on SIGUSR2, writes a heap snapshot of the main thread and of each thread
 * into HEAP_PROBE_DIR, then a `done-<tag>` file listing them. Production never loads it.
 */
'use strict';
const wt = require('node:worker_threads');
const v8 = require('node:v8');
const fs = require('node:fs');
const path = require('node:path');
const { pipeline } = require('node:stream/promises');

const threads = [];
const Original = wt.Worker;
class TrackedWorker extends Original {
  constructor(...args) {
    super(...args);
    threads.push(this);
  }
}
wt.Worker = TrackedWorker;

let busy = false;
process.on('SIGUSR2', async () => {
  if (busy) return;
  busy = true;
  const dir = process.env.HEAP_PROBE_DIR || process.cwd();
  const tag = String(Date.now());
  const files = [];
  try {
    const usage = process.memoryUsage();
    const main = path.join(dir, `main-${tag}.heapsnapshot`);
    v8.writeHeapSnapshot(main);
    files.push({ file: main, thread: 'main', heapUsed: usage.heapUsed, heapTotal: usage.heapTotal, external: usage.external, arrayBuffers: usage.arrayBuffers, rss: usage.rss });
    for (const [i, t] of threads.entries()) {
      if (t.threadId < 0) continue; // exited
      const f = path.join(dir, `thread${i}-${tag}.heapsnapshot`);
      await pipeline(await t.getHeapSnapshot(), fs.createWriteStream(f));
      files.push({ file: f, thread: `worker thread ${t.threadId}` });
    }
  } catch (e) {
    files.push({ error: String(e) });
  } finally {
    fs.writeFileSync(path.join(dir, `done-${tag}.json`), JSON.stringify(files, null, 1));
    busy = false;
  }
});
