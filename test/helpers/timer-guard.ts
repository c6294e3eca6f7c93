/**
 * Leaves the time-skipping server with no workflow timer about to fire, so that what a test sends after
 * `advance` cannot race a timer.
 *
 * Why: the time-skipping test server refuses the completion of a workflow task that cancels a timer
 * which fired while the task was with the worker ("invalid history builder state for action",
 * temporalio/sdk-java#3088), and never times the task out or sends it again: the run hangs. Between
 * skips the server's clock runs at real pace, and a workflow re-arms its timers a few milliseconds after
 * the instant a skip lands on, so with hour-aligned skips and hour-long scan intervals the next timer is
 * due just after the skip ends. A signal sent then wakes the strategy's loop, which cancels that timer;
 * on a loaded machine the task took longer than the few milliseconds left and the timer fired meanwhile
 * (CI hung on test/workflows/resume-trigger.test.ts this way, twice).
 *
 * So after a skip this waits for the workflows on the given task queues to have no workflow task
 * outstanding, reads their histories for timers started and neither fired nor cancelled, and skips past
 * any due within `GUARD_MS`; it repeats until none is.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { readWithDeadline } from './temporal';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** longer than a workflow task takes on a loaded machine, far shorter than any wait the workflows make */
export const GUARD_MS = 10_000;
const MAX_GUARD_SKIPS = 10;
const SETTLE_TIMEOUT_MS = 30_000;

interface OpenRunState {
  taskOutstanding: boolean;
  timersDueAt: number[];
}

/** A protobuf timestamp or duration in ms. */
function protoMs(v: { seconds?: { toString(): string } | number | null; nanos?: number | null } | null | undefined): number {
  return Number(v?.seconds?.toString() ?? 0) * 1000 + Math.floor((v?.nanos ?? 0) / 1e6);
}

/** What one run's history says: a workflow task not completed yet, and when its pending timers are due. */
export function openRunState(events: readonly HistoryEvent[]): OpenRunState {
  const E = temporal.api.enums.v1.EventType;
  let taskOutstanding = false;
  const timers = new Map<string, number>();
  for (const e of events) {
    if (e.eventType === E.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED) taskOutstanding = true;
    else if (e.eventType === E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED || e.eventType === E.EVENT_TYPE_WORKFLOW_TASK_FAILED || e.eventType === E.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT) taskOutstanding = false;
    const started = e.timerStartedEventAttributes;
    if (started?.timerId) timers.set(started.timerId, protoMs(e.eventTime) + protoMs(started.startToFireTimeout));
    const ended = e.timerFiredEventAttributes ?? e.timerCanceledEventAttributes;
    if (ended?.timerId) timers.delete(ended.timerId);
  }
  return { taskOutstanding, timersDueAt: [...timers.values()] };
}

async function openRuns(env: TestWorkflowEnvironment, taskQueues: ReadonlySet<string>): Promise<OpenRunState[]> {
  const namespace = env.namespace ?? 'default';
  const runs: OpenRunState[] = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await env.client.workflowService.listOpenWorkflowExecutions({ namespace, maximumPageSize: 1000, nextPageToken });
    for (const info of page.executions ?? []) {
      if (!info.execution?.workflowId) continue;
      const events = (await env.client.workflow.getHandle(info.execution.workflowId, info.execution.runId ?? undefined).fetchHistory()).events ?? [];
      // the test server's listing leaves out the task queue: the start event has it
      const taskQueue = events[0]?.workflowExecutionStartedEventAttributes?.taskQueue?.name;
      if (taskQueue && taskQueues.has(taskQueue)) runs.push(openRunState(events));
    }
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return runs;
}

/**
 * After a skip: settles the open runs on `taskQueues` and skips (with `skip`) past every timer due within
 * GUARD_MS of the server's clock. A skip may so overshoot its target by up to GUARD_MS per timer skipped.
 */
export async function skipPastImminentTimers(env: TestWorkflowEnvironment, taskQueues: ReadonlySet<string>, skip: (ms: number) => Promise<void>, activating: () => boolean): Promise<void> {
  if (taskQueues.size === 0) return;
  const settleBy = Date.now() + SETTLE_TIMEOUT_MS;
  for (let skips = 0; skips <= MAX_GUARD_SKIPS; ) {
    // while a worker still runs an activation, the histories cannot be settled: wait without reading them
    // (a book of 100 positions is 100 history reads per look)
    if (activating() && Date.now() < settleBy) {
      await new Promise((r) => setTimeout(r, 50));
      continue;
    }
    const runs = await readWithDeadline(env, 'the open runs', () => openRuns(env, taskQueues));
    if (runs.some((r) => r.taskOutstanding) && Date.now() < settleBy) {
      await new Promise((r) => setTimeout(r, 50));
      continue;
    }
    const now = await env.currentTimeMs();
    const dueIn = Math.min(...runs.flatMap((r) => r.timersDueAt).map((at) => at - now));
    if (!(dueIn <= GUARD_MS)) return;
    await skip(Math.max(dueIn, 0) + 1);
    skips++;
  }
}
