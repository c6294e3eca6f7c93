/**
 * Skipping server time on Temporal's time-skipping test server, with a watchdog. The server was seen,
 * now and then, to stop skipping with a time-skipping lock left held; releasing one lock frees it. But
 * a lock is also held, rightly, by every activity in flight: releasing that one jumps the clock past
 * whatever waits on the activity (100 entry decisions in a row, each reading market data, ran past their
 * decision window that way). So a step counts as stalled only after `stallMs` of real time in which the
 * worker ran no workflow activation and no short activity (sampled every 250 ms). Used by the backtest and the tests' `advance`.
 * Never once the clock has reached the step's end: that lock is the server's own, taken when it ended the
 * skip, and releasing it let the clock run free afterwards (seen when the skip's answer was lost with a
 * dropped connection; ./time-skipping-server.ts keeps the connection).
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';

/**
 * true while any of `workers` runs a workflow activation or a short activity. Activities that heartbeat
 * (the price watchers, the notifier's claim poll) run for as long as they watch: they are not progress,
 * and counting them would switch the watchdog off whenever a position is open.
 */
export function workersBusy(workers: Iterable<Worker>): boolean {
  return someRunning(workers, (s) => s.numInFlightWorkflowActivations > 0 || s.numInFlightActivities - s.numHeartbeatingActivities > 0);
}

/** true while any of `workers` runs a workflow activation (an activity in flight keeps no workflow task open) */
export function workersActivating(workers: Iterable<Worker>): boolean {
  return someRunning(workers, (s) => s.numInFlightWorkflowActivations > 0);
}

function someRunning(workers: Iterable<Worker>, test: (s: ReturnType<Worker['getStatus']>) => boolean): boolean {
  for (const w of workers) if (w.getState() === 'RUNNING' && test(w.getStatus())) return true;
  return false;
}

/** Skips `ms` of server time; returns how many stalled locks had to be released. */
export async function skipTime(env: TestWorkflowEnvironment, ms: number, o: { busy: () => boolean; stallMs: number; onStall?: () => void }): Promise<number> {
  let done = false;
  const target = (await env.currentTimeMs()) + ms;
  const step = env.sleep(ms).then(() => {
    done = true;
  });
  let stalls = 0;
  let idleSince = Date.now();
  while (!done) {
    await Promise.race([step, new Promise((r) => setTimeout(r, 250).unref())]);
    if (done) break;
    if (o.busy()) idleSince = Date.now();
    else if (Date.now() - idleSince > o.stallMs) {
      idleSince = Date.now();
      // the clock at the target: the server has ended the skip and re-locked, rightly; its answer is late or
      // lost, and the skip is over: stop waiting for it (a later failure of the call changes nothing)
      if ((await env.currentTimeMs()) >= target) {
        step.catch(() => undefined);
        break;
      }
      stalls++;
      o.onStall?.();
      await env.connection.testService!.unlockTimeSkipping({}).catch(() => undefined);
    }
  }
  return stalls;
}
