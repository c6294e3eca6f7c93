/**
 * The first vertical path: a workflow calls an activity that writes a row through Prisma, on the
 * time-skipping test server and on a real dev server, against SQLite and against Postgres.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTradingWorker } from '../../workers/create-worker';
import { createActivities } from '../../activities';
import { staticBrokerRegistry } from '../../exchange/broker-registry';
import { freshDb, DB_KINDS, type TestDb } from '../helpers/db';
import { localDevEnv, timeSkippingEnv } from '../helpers/temporal';

const SERVERS = { 'time-skipping': timeSkippingEnv, 'dev server': localDevEnv } as const;

describe.each(Object.keys(SERVERS) as (keyof typeof SERVERS)[])('wiring on the %s', (server) => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await SERVERS[server]();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  test.each(DB_KINDS)('workflow → activity → row in %s', async (kind) => {
    let tdb: TestDb | undefined;
    try {
      tdb = await freshDb(kind);
      const taskQueue = `wiring-${server.replace(' ', '-')}-${kind}`;
      const worker = await createTradingWorker({
        connection: env.nativeConnection,
        namespace: env.namespace ?? 'default',
        taskQueue,
        activities: createActivities({ db: tdb.db, brokers: staticBrokerRegistry({}) }),
        maxCachedWorkflows: 10,
      });
      const result = await worker.runUntil(
        env.client.workflow.execute('wiringCheckWorkflow', { taskQueue, workflowId: `wiring-${kind}`, args: ['hello'] }),
      );
      expect(result).toEqual({ id: `wiring-${kind}`, rows: 1 });
      const row = await tdb.db.wiringProbe.findUniqueOrThrow({ where: { id: `wiring-${kind}` } });
      expect(row.note).toBe('hello');
    } finally {
      await tdb?.close();
    }
  });
});
