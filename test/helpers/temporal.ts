import { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { resolveBinary } from '../../scripts/lib/temporal-binaries';
import { startTimeSkippingServer } from '../../backtest/time-skipping-server';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import * as keys from '../../workflows/search-attributes';
import { freshSqliteDb, type TestDb } from './db';

/**
 * Temporal servers for tests, from local binaries (scripts/lib/temporal-binaries.ts: env path, PATH,
 * .tools/py); only when none resolves does the SDK download one (needs internet, impossible here):
 * the time-skipping test server, or the CLI's dev server (in memory, random port).
 */
export function timeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  // last resort, for machines with internet: without a path the SDK downloads the binary itself
  return startTimeSkippingServer(resolveBinary('test-server') ?? undefined);
}

export function localDevEnv(): Promise<TestWorkflowEnvironment> {
  const path = resolveBinary('cli');
  return TestWorkflowEnvironment.createLocal({
    server: {
      ...(path ? { executable: { type: 'existing-path' as const, path } } : {}),
      ip: '127.0.0.1',
      searchAttributes: [keys.StrategyIdKey, keys.TradingModeKey, keys.SymbolKey, keys.PositionStatusKey, keys.StrategyStateKey],
      extraArgs: ['--log-level', 'error'],
    },
  });
}

export { SEARCH_ATTRIBUTES };

/**
 * A read (query, history) on the time-skipping server with a deadline, asked again when it passes: a client
 * call has no deadline of its own, and once (CI, entry-handover, right after a skip) the server never
 * answered one while it answered the same read from another client at once, so the test hung until its
 * own timeout.
 */
export async function readWithDeadline<T>(env: TestWorkflowEnvironment, what: string, read: () => Promise<T>, deadlineMs = 20_000, tries = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await env.client.withDeadline(Date.now() + deadlineMs, read);
    } catch (e) {
      if (attempt >= tries) throw e;
      process.stderr.write(`${what}: no answer within ${deadlineMs / 1000} s (${(e as Error).message.slice(0, 120)}); asking again\n`);
    }
  }
}

/** The reason a refused workflow update failed with (validator or handler); fails the test if it succeeded. */
export async function updateRefusal(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  return String((err as WorkflowUpdateFailedError).cause?.message);
}

/**
 * A time-skipping server and a fresh SQLite app DB for one test file: started before all its tests,
 * torn down after. `use` receives both once they are up.
 */
export function withTimeSkippingAndDb(use: (env: TestWorkflowEnvironment, tdb: TestDb) => void): void {
  let env: TestWorkflowEnvironment | undefined;
  let tdb: TestDb | undefined;
  beforeAll(async () => {
    env = await timeSkippingEnv();
    tdb = await freshSqliteDb();
    use(env, tdb);
  });
  afterAll(async () => {
    await tdb?.close();
    await env?.teardown();
  });
}

/**
 * A time-skipping server per test (time skipping is global to a server, so a failed test's leftover
 * workflows must not stall the next one), handed to `use` before each test; returns a maker of fresh
 * SQLite app DBs, each closed after its test.
 */
export function withTimeSkippingPerTest(use: (env: TestWorkflowEnvironment) => void): () => Promise<TestDb> {
  let env: TestWorkflowEnvironment | undefined;
  const dbs: TestDb[] = [];
  beforeEach(async () => {
    env = await timeSkippingEnv();
    use(env);
  });
  afterEach(async () => {
    for (const t of dbs.splice(0)) await t.close();
    await env?.teardown();
  });
  return async () => {
    const t = await freshSqliteDb();
    dbs.push(t);
    return t;
  };
}
