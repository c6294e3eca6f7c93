/**
 * The worker process: `npm run worker`. Polls the task queue (TRADER_TASK_QUEUE, default
 * "unlock-trader") with the trading workflows and activities. Temporal connection from envconfig
 * (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TLS, profiles). SIGINT/SIGTERM shut it
 * down gracefully: no new tasks, running activities get WORKER_SHUTDOWN_GRACE_MS to finish.
 * Several of these processes may poll the same queue: that is how it scales out. WORKER_ROLE=workflows
 * / activities splits one worker into two processes on the same queue (the activities' CPU and
 * memory apart from the workflows'); a workflow-only process opens no DB and loads no exchange code.
 */
import { Runtime } from '@temporalio/worker';
import { loadAppEnv } from '../config/env';
import { connectClient, connectWorker, temporalTarget } from '../config/temporal';
import { loadNotifySettings } from '../config/notify';
import { ensureNotifiers } from '../client/notifier-client';
import { createTradingWorker } from './create-worker';
import { applyWorkerV8Flags } from './v8-flags';

/**
 * DB, brokers and activities, loaded only here: a workflow-only process never loads them. `require`,
 * not `import()`: the process loads TypeScript through tsx's CommonJS hook only (process-env.ts
 * WORKER_TS_LOADER), which a dynamic import() does not go through.
 */
function activitiesSide(env: ReturnType<typeof loadAppEnv>, notify: ReturnType<typeof loadNotifySettings>) {
  const { createDb } = require('../db/client') as typeof import('../db/client');
  const { createActivities } = require('../activities') as typeof import('../activities');
  const { createBrokerRegistry } = require('../exchange/broker-registry') as typeof import('../exchange/broker-registry');
  const db = createDb(env.DATABASE_URL);
  // validates the exchange/market-data env up front; credentials stay in this process, never in payloads
  const brokers = createBrokerRegistry({ db, log: (m) => console.log(m) });
  return {
    activities: createActivities({ db, brokers, notify }),
    close: async () => {
      await brokers.close();
      await db.$disconnect();
    },
  };
}

async function main() {
  const env = loadAppEnv();
  // V8 heap settings (workers/v8-flags.ts), before the SDK starts its workflow thread
  applyWorkerV8Flags(env.WORKER_HEAP_GROWING_PERCENT);
  // notification channels (README "Notifications"): validated here, before anything connects
  const notify = loadNotifySettings();
  const target = temporalTarget();
  Runtime.install({ shutdownSignals: ['SIGINT', 'SIGTERM'] });
  const side = env.WORKER_ROLE !== 'workflows' ? activitiesSide(env, notify) : undefined;
  const connection = await connectWorker(target);
  const worker = await createTradingWorker({
    connection,
    namespace: target.namespace,
    taskQueue: env.TRADER_TASK_QUEUE,
    activities: side?.activities,
    workflows: env.WORKER_ROLE !== 'activities',
    maxCachedWorkflows: env.WORKER_MAX_CACHED_WORKFLOWS,
    maxConcurrentActivityTaskExecutions: env.WORKER_MAX_CONCURRENT_ACTIVITIES,
    shutdownGraceTimeMs: env.WORKER_SHUTDOWN_GRACE_MS,
  });
  // one notifier workflow per configured channel (already running ones are left alone)
  if (notify.channels.length) {
    const client = await connectClient({ target });
    try {
      await ensureNotifiers(client, env.TRADER_TASK_QUEUE, notify.channels.map((c) => c.name));
    } finally {
      await client.connection.close();
    }
    console.log(`notifications: ${notify.channels.map((c) => `${c.name} (>= ${c.minSeverity})`).join(', ')}`);
  }
  console.log(`worker polling task queue "${env.TRADER_TASK_QUEUE}" on ${target.connectionOptions.address} (namespace ${target.namespace}, db ${env.DATABASE_URL.provider}${env.WORKER_ROLE === 'all' ? '' : `, ${env.WORKER_ROLE} only`})`);
  try {
    await worker.run();
  } finally {
    await connection.close();
    await side?.close();
    console.log('worker stopped');
  }
}

main().catch((e) => {
  console.error(`error: ${(e as Error).message}`);
  process.exit(1);
});
