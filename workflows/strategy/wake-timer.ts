/**
 * The strategy loop's wake-up timer, kept across wake-ups instead of cancelled by each one (patch
 * `wake-timer-v1`).
 *
 * Before, the loop waited with `condition(woken, nextWakeMs)`: every signal that woke it (a position
 * ended, an operator command) cancelled the pending timer and started a new one a full scan interval
 * later. That cost two history events per wake-up (a 1,000-position book ending: 2,000), moved the scan
 * grid with every wake-up, and, on Temporal's time-skipping test server, a task cancelling a timer that
 * had fired meanwhile was stranded for good (sdk-java#3088; CI hung on it). A timer that is never
 * cancelled has none of these: it stays armed through wake-ups; when the next wake-up must come sooner
 * (a cooldown end or gate evaluation before it), a sooner timer is started and the later one is left to
 * fire unheeded.
 */
import { sleep } from '@temporalio/workflow';

export class WakeTimer {
  private dueAt: number | undefined;
  private generation = 0;
  private firedFlag = false;

  /** Makes sure a timer fires at or before `at` (ms since epoch, workflow time). */
  armBy(at: number, summary: string): void {
    if (this.dueAt !== undefined && !this.firedFlag && this.dueAt <= at) return;
    const generation = ++this.generation;
    this.dueAt = at;
    this.firedFlag = false;
    sleep(Math.max(1, at - Date.now()), { summary }).then(
      () => {
        if (generation === this.generation) this.firedFlag = true;
      },
      // cancellation of the workflow reaches the loop through its condition(); nothing to do here
      () => undefined,
    );
  }

  /** true once the latest armed timer has fired; `consume` re-arms on the next `armBy`. */
  get fired(): boolean {
    return this.firedFlag;
  }

  consume(): void {
    if (!this.firedFlag) return;
    this.firedFlag = false;
    this.dueAt = undefined;
  }
}
