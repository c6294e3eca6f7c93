import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { PersistenceActivities } from '../activities/persistence';

const { recordWiringProbe } = proxyActivities<PersistenceActivities>({
  startToCloseTimeout: '30 seconds',
});

/** The first vertical path: workflow → activity → a row through Prisma. `health` runs it too. */
export async function wiringCheckWorkflow(note: string): Promise<{ id: string; rows: number }> {
  return recordWiringProbe({ id: workflowInfo().workflowId, note });
}
