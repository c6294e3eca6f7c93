/**
 * Temporal's time-skipping test server for the backtest and the tests: started from a local binary,
 * with the client connection's keepalive set so the server does not drop it, and the project's search
 * attributes registered.
 *
 * Why the keepalive: the SDK's client pings every 30 s, even with no call open; the test server (grpc-java)
 * permits one ping per 5 min and answers the third early one with GOAWAY "too_many_pings", dropping the
 * connection with the calls on it. The call most likely to be open then is a long time skip
 * (`env.sleep`): its answer was lost, the server had already re-locked time skipping at the skip's end,
 * and the stall watchdog (./time-skip.ts) released that lock after 15 s, so the clock ran free while
 * workflows waited on activities (CI: 100 positions gave up waiting for their entry decisions).
 * `createTimeSkipping` takes no connection options, so this goes through the SDK's general factory.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes';

/** above grpc-java's default permitted keepalive time (5 min) */
const KEEPALIVE_MS = 6 * 60_000;

interface EnvFactory {
  create(opts: {
    server: { type: 'time-skipping'; executable?: { type: 'existing-path'; path: string } };
    supportsTimeSkipping: true;
    connectionOptions: { channelArgs: Record<string, number> };
  }): Promise<TestWorkflowEnvironment>;
}

/** `path`: the test server binary; without it the SDK downloads one (needs internet). */
export async function startTimeSkippingServer(path?: string): Promise<TestWorkflowEnvironment> {
  const factory = TestWorkflowEnvironment as unknown as EnvFactory;
  const env = await factory.create({
    server: { type: 'time-skipping', ...(path ? { executable: { type: 'existing-path', path } } : {}) },
    supportsTimeSkipping: true,
    connectionOptions: { channelArgs: { 'grpc.keepalive_time_ms': KEEPALIVE_MS, 'grpc.keepalive_permit_without_calls': 0 } },
  });
  try {
    // the test server has no CLI flag for custom search attributes; its operator service registers them
    await env.connection.operatorService.addSearchAttributes({
      namespace: env.namespace ?? 'default',
      searchAttributes: Object.fromEntries(SEARCH_ATTRIBUTES.map((sa) => [sa.name, 2 /* KEYWORD */])),
    });
  } catch (err) {
    await env.teardown();
    throw err;
  }
  return env;
}
