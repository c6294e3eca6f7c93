import { TestWorkflowEnvironment } from '@temporalio/testing';
import { requireBinary } from '../../scripts/lib/temporal-binaries';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import * as keys from '../../workflows/search-attributes';

/**
 * Temporal servers for tests, always from local binaries (the SDK's download cannot work here):
 * the time-skipping test server, or the CLI's dev server (in memory, random port).
 */
export async function timeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: requireBinary('test-server') } },
  });
  // the test server has no CLI flag for custom search attributes; its operator service registers them
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(SEARCH_ATTRIBUTES.map((sa) => [sa.name, 2 /* KEYWORD */])),
  });
  return env;
}

export function localDevEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: requireBinary('cli') },
      ip: '127.0.0.1',
      searchAttributes: [keys.StrategyIdKey, keys.TradingModeKey, keys.SymbolKey, keys.PositionStatusKey, keys.StrategyStateKey],
      extraArgs: ['--log-level', 'error'],
    },
  });
}

export { SEARCH_ATTRIBUTES };
