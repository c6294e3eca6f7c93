/**
 * One notifier per channel (`notifier-<channel>`, started by the worker for each configured channel):
 * claim a batch from the outbox, send it, again. Temporal owns what it is good at: the send's retries
 * with backoff (Retry-After on a 429 via the activity's nextRetryDelay), and resuming after a crash;
 * the DB owns what must survive it (the outbox, the batch id). Only the channel name is in this
 * workflow's input and history: URLs and tokens stay in the worker's environment.
 *
 * The loop continues as new well before the history gets long (an idle claim returns every ~30 s, so
 * an idle channel writes a few events a minute).
 */
import { continueAsNew, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';

export interface NotifierInput {
  channel: string;
}

export const notifierWorkflowId = (channel: string) => `notifier-${channel}`;

const { claimNotificationBatch } = proxyActivities<Activities>({
  // a long poll that heartbeats: a killed worker's claim is retried after 10 s, not the full 2 minutes
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

const { sendNotificationBatch } = proxyActivities<Activities>({
  // the HTTP call times out after 10 s; heartbeats every second make a killed worker's send retry soon
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '5 seconds',
  // no attempt limit: a receiver that is down gets the message when it is back (a 4xx refusal is settled
  // as FAILED by the activity and does not come back here as an error)
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

const ROUNDS_PER_RUN = 200;

export async function notifierWorkflow(input: NotifierInput): Promise<string> {
  for (let round = 0; round < ROUNDS_PER_RUN && !workflowInfo().continueAsNewSuggested; round++) {
    const claim = await claimNotificationBatch({ channel: input.channel });
    // this worker has no such channel: stop (the worker that has it starts the notifier again)
    if (claim.kind === 'unconfigured') return `channel ${input.channel} is not configured`;
    if (claim.kind === 'batch') await sendNotificationBatch({ channel: input.channel, batchId: claim.batchId });
  }
  return continueAsNew<typeof notifierWorkflow>(input);
}
