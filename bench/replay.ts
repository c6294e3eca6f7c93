/**
 * Analysis aid: how long the worker needs to REPLAY a workflow history (what happens after a cache
 * eviction, a worker restart, or an UnhandledCommand failure). A replay slower than the workflow
 * task timeout (10 s by default) can never complete: the workflow is stuck.
 *
 *   npx tsx bench/replay.ts --address 127.0.0.1:7233 --workflow-id <id> [--run-id <run>] [--save h.pb] [--prefix 2000,5000]
 *   npx tsx bench/replay.ts h.pb [--prefix 2000,5000]
 *
 * --prefix N replays only the first N events (how replay time grows with history length).
 */
import { readFileSync } from 'node:fs';
import { Worker } from '@temporalio/worker';
import { writeFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { getWorkflowBundle } from '../workers/bundle';

async function main() {
  const opt = (k: string) => (process.argv.indexOf(k) >= 0 ? process.argv[process.argv.indexOf(k) + 1] : undefined);
  const i = process.argv.indexOf('--prefix');
  let full: temporal.api.history.v1.IHistory;
  if (opt('--address')) {
    const connection = await Connection.connect({ address: opt('--address')! });
    full = await new Client({ connection }).workflow.getHandle(opt('--workflow-id')!, opt('--run-id')).fetchHistory();
    await connection.close();
    if (opt('--save')) writeFileSync(opt('--save')!, temporal.api.history.v1.History.encode(temporal.api.history.v1.History.create(full)).finish());
  } else {
    full = temporal.api.history.v1.History.decode(readFileSync(process.argv[2]!));
  }
  const WFT_COMPLETED = temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED;
  const bundle = await getWorkflowBundle();
  const sizes = i >= 0 ? process.argv[i + 1]!.split(',').map(Number) : [full.events!.length];
  for (const n of sizes) {
    // cut at a workflow task boundary so the prefix is a valid history
    let cut = Math.min(n, full.events!.length);
    while (cut > 1 && full.events![cut - 1]!.eventType !== WFT_COMPLETED) cut--;
    const history = { events: full.events!.slice(0, cut) };
    const t0 = performance.now();
    const r = await Worker.runReplayHistory({ workflowBundle: bundle, replayName: 'bench-replay' }, history as never).then(
      () => 'ok',
      (e: unknown) => `error: ${String(e).slice(0, 300)}`,
    );
    console.log(`replay of ${cut} events: ${Math.round(performance.now() - t0)} ms (${r})`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
