/**
 * Analysis aid for BENCHMARKS.md (not part of `npm run bench`): on a fresh file-backed dev server with
 * one in-process worker, how long it takes
 *   1. one workflow to start N children one after the other (the strategy's calendar scan today),
 *   2. one workflow to start N children in one workflow task (Promise.all),
 *   3. one workflow to signal N workflows at once (the strategy's emergency fan-out today),
 *   4. a client (e.g. an activity) to signal N workflows at once,
 * each measured until the last child has started / the last leaf workflow has completed.
 *
 *   npx tsx bench/fanout.ts [--n 200]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { startDevServerOnFreePorts, stopChild } from '../scripts/lib/dev-server';
import { tsToMs } from '@temporalio/common/lib/time';
import { freePort, log, ms, sleep, waitFor } from './lib/util';
import { loadavg } from './lib/stack';
import { goSignal } from './fanout-workflows';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main() {
  const n = Number(arg('n') ?? 200);
  const dir = mkdtempSync(join(tmpdir(), 'bench-fanout-'));
  const { opts, server: srv } = await startDevServerOnFreePorts(freePort, (n) => ({ dbFile: join(dir, `t${n}.db`), logFile: join(dir, `t${n}.log`) }));
  const port = opts.port;
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('./fanout-workflows'), logger: { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} } as never });
  const nc = await NativeConnection.connect({ address: `127.0.0.1:${port}` });
  const worker = await Worker.create({ connection: nc, taskQueue: 'fanout', workflowBundle: { code }, maxCachedWorkflows: 4 * n + 100 });
  const client = new Client({ connection: await Connection.connect({ address: `127.0.0.1:${port}` }) });
  const results: Record<string, number> = {};
  const allDone = (ids: string[]) =>
    waitFor(
      `${ids.length} leaves completed`,
      async () => (await client.workflow.count(`WorkflowType = "leaf" AND ExecutionStatus = "Running" AND WorkflowId STARTS_WITH "${ids[0]!.replace(/-\d+$/, '')}"`)).count,
      (c) => c === 0,
      600_000,
      100,
    );
  /** last leaf's close time from its history, relative to t0 */
  const lastClose = async (ids: string[], t0: number) => {
    let last = 0;
    for (const id of ids) {
      const h = await client.workflow.getHandle(id).fetchHistory();
      const ev = h.events!;
      last = Math.max(last, tsToMs(ev[ev.length - 1]!.eventTime));
    }
    return last - t0;
  };
  await worker.runUntil(async () => {
    for (const [name, parallel] of [['sequential', false], ['parallel', true]] as const) {
      const prefix = `spawn-${name}`;
      const t0 = Date.now();
      const took = await client.workflow.execute('spawner', { taskQueue: 'fanout', workflowId: `spawner-${name}`, args: [n, parallel, prefix] });
      results[`start ${n} children, ${name}`] = Date.now() - t0;
      log(`${n} children started ${name}: ${ms(Date.now() - t0)} (inside the workflow ${ms(took)}); load ${loadavg()}`);
      // release them (client fan-out) and let them finish before the next step
      const ids = Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
      const t1 = Date.now();
      if (parallel) {
        await client.workflow.execute('signaller', { taskQueue: 'fanout', workflowId: `signaller-${name}`, args: [ids] });
        await allDone(ids);
        results[`signal ${n} workflows from one workflow → all completed`] = await lastClose(ids, t1);
        log(`signals from a workflow: last leaf completed after ${ms(results[`signal ${n} workflows from one workflow → all completed`])}`);
      } else {
        await Promise.all(ids.map((id) => client.workflow.getHandle(id).signal(goSignal)));
        await allDone(ids);
        results[`signal ${n} workflows from a client → all completed`] = await lastClose(ids, t1);
        log(`signals from a client: last leaf completed after ${ms(results[`signal ${n} workflows from a client → all completed`])}`);
      }
    }
  });
  await nc.close();
  if (srv.child) await stopChild(srv.child);
  console.log(JSON.stringify({ n, loadavg: loadavg(), results }, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
