import { TestWorkflowEnvironment } from '@temporalio/testing';
import { requireBinary } from '../../scripts/lib/temporal-binaries';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import * as keys from '../../workflows/search-attributes';

/**
 * Temporal servers for tests, always from local binaries (the SDK's download cannot work here):
 * the time-skipping test server, or the CLI's dev server (in memory, random port).
 */
export function timeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: requireBinary('test-server') } },
  });
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
