/**
 * What the benchmark reads from workflow histories: event counts, workflow tasks, and the server-side
 * timestamps of the steps of an entry and of an exit.
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { tsToMs } from '@temporalio/common/lib/time';

const ET = temporal.api.enums.v1.EventType;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

export interface WftTiming {
  scheduled: number;
  started?: number;
  completed?: number;
}

export interface HistoryFacts {
  workflowId: string;
  runId?: string;
  events: number;
  wftCompleted: number;
  /** WorkflowTaskFailed (e.g. UnhandledCommand) and WorkflowTaskTimedOut events */
  wftFailed: number;
  wftTimedOut: number;
  wfts: WftTiming[];
  startedAt: number;
  closedAt?: number;
  /** first TimerFired (the position's wait for its entry target) */
  entryTimerFired?: number;
  /** SignalExternalWorkflowExecutionInitiated 'entryRequest' (position → strategy) */
  entryRequestAt?: number;
  /** WorkflowExecutionSignaled 'entryDecision' (strategy → position) */
  entryDecisionAt?: number;
  /** placeOrder activity: first schedule / its started / completed (entry), then the exit's */
  placeOrders: Array<{ scheduled: number; started?: number; completed?: number }>;
  /** WorkflowExecutionSignaled 'exitPosition' */
  exitSignalAt?: number;
  /** strategy: 'emergencyStop' update accepted / signal received */
  emergencyAt?: number;
  /** strategy: batchPlaceOrders activity */
  batch?: { scheduled: number; started?: number; completed?: number };
  /** strategy: exitPosition signals sent */
  exitSignalsInitiated: number[];
  exitSignalsDelivered: number[];
  continuedAsNew: boolean;
}

const t = (e: HistoryEvent) => tsToMs(e.eventTime);

export function analyse(workflowId: string, events: HistoryEvent[], runId?: string): HistoryFacts {
  const f: HistoryFacts = {
    workflowId,
    runId,
    events: events.length,
    wftCompleted: 0,
    wftFailed: 0,
    wftTimedOut: 0,
    wfts: [],
    startedAt: events.length ? t(events[0]!) : 0,
    placeOrders: [],
    exitSignalsInitiated: [],
    exitSignalsDelivered: [],
    continuedAsNew: false,
  };
  const wftBySched = new Map<number, WftTiming>();
  const actBySched = new Map<number, { kind: 'placeOrder' | 'batch'; rec: { scheduled: number; started?: number; completed?: number } }>();
  const signalInit = new Map<number, string>();
  for (const e of events) {
    const id = Number(e.eventId);
    switch (e.eventType) {
      case ET.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED: {
        const w = { scheduled: t(e) };
        wftBySched.set(id, w);
        f.wfts.push(w);
        break;
      }
      case ET.EVENT_TYPE_WORKFLOW_TASK_STARTED: {
        const w = wftBySched.get(Number(e.workflowTaskStartedEventAttributes?.scheduledEventId));
        if (w) w.started = t(e);
        break;
      }
      case ET.EVENT_TYPE_WORKFLOW_TASK_COMPLETED: {
        f.wftCompleted++;
        const w = wftBySched.get(Number(e.workflowTaskCompletedEventAttributes?.scheduledEventId));
        if (w) w.completed = t(e);
        break;
      }
      case ET.EVENT_TYPE_WORKFLOW_TASK_FAILED:
        f.wftFailed++;
        break;
      case ET.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT:
        f.wftTimedOut++;
        break;
      case ET.EVENT_TYPE_TIMER_FIRED:
        f.entryTimerFired ??= t(e);
        break;
      case ET.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED: {
        const name = e.signalExternalWorkflowExecutionInitiatedEventAttributes?.signalName ?? '';
        signalInit.set(id, name);
        if (name === 'entryRequest') f.entryRequestAt ??= t(e);
        if (name === 'exitPosition') f.exitSignalsInitiated.push(t(e));
        break;
      }
      case ET.EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_SIGNALED: {
        const name = signalInit.get(Number(e.externalWorkflowExecutionSignaledEventAttributes?.initiatedEventId));
        if (name === 'exitPosition') f.exitSignalsDelivered.push(t(e));
        break;
      }
      case ET.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED: {
        const name = e.workflowExecutionSignaledEventAttributes?.signalName;
        if (name === 'entryDecision') f.entryDecisionAt ??= t(e);
        if (name === 'exitPosition') f.exitSignalAt ??= t(e);
        if (name === 'emergencyStop') f.emergencyAt ??= t(e);
        break;
      }
      case ET.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED: {
        const name = e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name;
        if (name === 'emergencyStop') f.emergencyAt ??= t(e);
        break;
      }
      case ET.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: {
        const name = e.activityTaskScheduledEventAttributes?.activityType?.name;
        if (name === 'placeOrder') {
          const rec = { scheduled: t(e) };
          f.placeOrders.push(rec);
          actBySched.set(id, { kind: 'placeOrder', rec });
        } else if (name === 'batchPlaceOrders' && !f.batch) {
          f.batch = { scheduled: t(e) };
          actBySched.set(id, { kind: 'batch', rec: f.batch });
        }
        break;
      }
      case ET.EVENT_TYPE_ACTIVITY_TASK_STARTED: {
        const a = actBySched.get(Number(e.activityTaskStartedEventAttributes?.scheduledEventId));
        if (a) a.rec.started = t(e);
        break;
      }
      case ET.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
      case ET.EVENT_TYPE_ACTIVITY_TASK_FAILED:
      case ET.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT: {
        const attrs = e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes;
        const a = actBySched.get(Number(attrs?.scheduledEventId));
        if (a) a.rec.completed = t(e);
        break;
      }
      case ET.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
      case ET.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
      case ET.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
      case ET.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED:
      case ET.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT:
        f.closedAt = t(e);
        break;
      case ET.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
        f.closedAt = t(e);
        f.continuedAsNew = true;
        break;
      default:
        break;
    }
  }
  return f;
}

/** Compact one-line-per-event form of a history (for --dump-dir): ms offset, type, name. */
export function describeEvents(events: HistoryEvent[]): string[] {
  const t0 = events.length ? t(events[0]!) : 0;
  return events.map((e) => {
    const type = (ET[e.eventType ?? 0] ?? String(e.eventType)).replace(/^EVENT_TYPE_/, '');
    const name =
      e.activityTaskScheduledEventAttributes?.activityType?.name ??
      e.signalExternalWorkflowExecutionInitiatedEventAttributes?.signalName ??
      e.workflowExecutionSignaledEventAttributes?.signalName ??
      e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId ??
      '';
    return `${String(t(e) - t0).padStart(7)} ${String(e.eventId).padStart(5)} ${type} ${name}`;
  });
}

let dumpDir: string | undefined;
/** write every fetched history's event list under `dir` (analysis aid) */
export function setDumpDir(dir: string | undefined): void {
  dumpDir = dir;
}

export async function fetchFacts(client: Client, workflowId: string, runId?: string): Promise<HistoryFacts> {
  const h = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  if (dumpDir) {
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(dumpDir, { recursive: true });
    const first = h.events?.[0];
    const start = first ? new Date(t(first)).toISOString() : '';
    writeFileSync(`${dumpDir}/${workflowId}${runId ? `.${runId.slice(0, 8)}` : ''}.txt`, `${workflowId} started ${start}\n${describeEvents(h.events ?? []).join('\n')}\n`);
  }
  return analyse(workflowId, h.events ?? [], runId);
}

/** Every run of a workflow id (continue-as-new chains), oldest first. */
export async function fetchAllRuns(client: Client, workflowId: string): Promise<HistoryFacts[]> {
  const runs: Array<{ runId: string; start: number }> = [];
  for await (const w of client.workflow.list({ query: `WorkflowId = "${workflowId}"` })) runs.push({ runId: w.runId, start: w.startTime.getTime() });
  runs.sort((a, b) => a.start - b.start);
  if (!runs.length) return [await fetchFacts(client, workflowId)];
  const out: HistoryFacts[] = [];
  for (const r of runs) out.push(await fetchFacts(client, workflowId, r.runId));
  return out;
}

/** Runs `f` over `items` with at most `limit` in flight. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, f: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      for (;;) {
        const i = next++;
        if (i >= items.length) return;
        out[i] = await f(items[i]!);
      }
    }),
  );
  return out;
}
