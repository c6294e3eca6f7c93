import type { Client } from '@temporalio/client';
import { notifierWorkflowId, type NotifierInput } from '../workflows/notifier';

/**
 * Makes sure one notifier workflow runs per configured channel (workflows/notifier.ts). Called by
 * every worker process at start: a notifier already running is left alone (USE_EXISTING), so N
 * workers or N restarts still give one loop per channel. The input is the channel name only.
 */
export async function ensureNotifiers(client: Client, taskQueue: string, channels: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const channel of channels) {
    const workflowId = notifierWorkflowId(channel);
    const input: NotifierInput = { channel };
    await client.workflow.start('notifierWorkflow', {
      taskQueue,
      workflowId,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      staticSummary: `notifications · ${channel}`,
    });
    ids.push(workflowId);
  }
  return ids;
}
