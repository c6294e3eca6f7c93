/**
 * Minimal workflows for bench/fanout.ts: how fast the file-backed dev server starts N children and
 * delivers N signals when ONE workflow does it (sequentially or all at once) versus a client.
 */
import { condition, defineSignal, getExternalWorkflowHandle, setHandler, startChild, workflowInfo } from '@temporalio/workflow';

export const goSignal = defineSignal('go');

/** waits for `go`, then completes */
export async function leaf(): Promise<void> {
  let go = false;
  setHandler(goSignal, () => void (go = true));
  await condition(() => go);
}

/** starts `n` leaves one after the other (as the strategy's calendar scan does) or all at once */
export async function spawner(n: number, parallel: boolean, prefix: string): Promise<number> {
  const t0 = Date.now();
  const start = (i: number) => startChild(leaf, { workflowId: `${prefix}-${i}`, parentClosePolicy: 'ABANDON' });
  if (parallel) await Promise.all(Array.from({ length: n }, (_, i) => start(i)));
  else for (let i = 0; i < n; i++) await start(i);
  return Date.now() - t0;
}

/** signals `go` to every id at once (as the strategy's emergency fan-out does) */
export async function signaller(ids: string[]): Promise<number> {
  const t0 = Date.now();
  await Promise.all(ids.map((id) => getExternalWorkflowHandle(id).signal(goSignal)));
  return Date.now() - t0 + 0 * workflowInfo().attempt;
}
