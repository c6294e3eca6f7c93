/**
 * The backtest's clock: how the time-skipping server's time maps onto the recorded data's time.
 *
 * Two facts of the time-skipping test server make this necessary (neither is visible to workflows):
 *
 * 1. It starts at the machine's current time and can only move forward, while recorded data lies in
 *    the past. So the run is SHIFTED: simulated time = data time + `shift`, a whole number of weeks
 *    (UTC day and weekday boundaries stay where they are). Events are loaded shifted, and the market
 *    data the paper broker reads un-shifts every `asOf`.
 * 2. Skipping lands exactly on a timer's fire time, but the workflow task that wakes up reads
 *    `Date.now()` a few real milliseconds later (the server and worker take real time to hand it
 *    over), and an order placed after a signal round trip is later still. Those milliseconds are an
 *    artefact of the machine's load, not of the strategy: left in, they would move interpolated
 *    prices and make two runs of the same backtest differ. So a data time read by the market is
 *    SNAPPED back to the latest SCHEDULED instant at or before it when it lies within `toleranceMs`:
 *    the run start, every event's entry target, every time exit, and every stop / target crossing
 *    the market itself reported. Reads farther than the tolerance from any instant are left as they
 *    are and counted (`unsnapped`), so a run says when its clock was not exact.
 */
export const WEEK_MS = 7 * 86_400_000;

export class BacktestClock {
  private instants: number[] = [];
  /** reads that were not within the tolerance of any scheduled instant */
  unsnapped = 0;
  /** largest lag snapped away (ms): evidence of how late workflow time runs behind its timers */
  maxLagMs = 0;

  constructor(
    readonly shift: number,
    readonly toleranceMs = 60_000,
  ) {}

  /** A shift that puts data time `from` at or after the server's current time `serverNow`. */
  static shiftFor(from: number, serverNow: number): number {
    return Math.max(0, Math.ceil((serverNow - from) / WEEK_MS)) * WEEK_MS;
  }

  /** Register a data-time instant at which the workflows are scheduled to act. */
  schedule(t: number): void {
    const a = this.instants;
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (a[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    if (a[lo] !== t) a.splice(lo, 0, t);
  }

  /** The latest scheduled instant at or before data time t that is within the tolerance, else t. */
  snap(t: number): number {
    const a = this.instants;
    let lo = -1;
    let hi = a.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (a[mid]! <= t) lo = mid;
      else hi = mid - 1;
    }
    if (lo >= 0 && t - a[lo]! <= this.toleranceMs) {
      this.maxLagMs = Math.max(this.maxLagMs, t - a[lo]!);
      return a[lo]!;
    }
    this.unsnapped++;
    return t;
  }

  /** simulated (server) time → data time, snapped */
  toData(simTime: number): number {
    return this.snap(simTime - this.shift);
  }

  toSim(dataTime: number): number {
    return dataTime + this.shift;
  }
}
