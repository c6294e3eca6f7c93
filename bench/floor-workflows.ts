/**
 * The bare-SDK floor of `npm run bench` (bench/lib/floor.ts): a workflow with the shape of an open
 * position and none of its code. It runs ONE long heartbeating activity (as a position runs one
 * `watchPriceLevels` for its holding period) and waits for a signal; the signal cancels the activity
 * and completes the workflow (as an exit does). Imports only the SDK.
 */
import { ActivityCancellationType, CancellationScope, condition, defineSignal, isCancellation, proxyActivities, setHandler } from '@temporalio/workflow';

export interface FloorActivities {
  /** heartbeats every `everyMs` until cancelled */
  floorWatch(everyMs: number): Promise<void>;
}

export const releaseSignal = defineSignal('release');

const { floorWatch } = proxyActivities<FloorActivities>({
  startToCloseTimeout: '1 day',
  heartbeatTimeout: '60s',
  cancellationType: ActivityCancellationType.TRY_CANCEL,
  retry: { maximumAttempts: 1 },
});

export async function floorPosition(heartbeatMs: number): Promise<void> {
  let released = false;
  setHandler(releaseSignal, () => void (released = true));
  const scope = new CancellationScope();
  const watching = scope.run(() => floorWatch(heartbeatMs)).catch((e) => {
    if (!isCancellation(e)) throw e;
  });
  await condition(() => released);
  scope.cancel();
  await watching;
}
