/**
 * Starting a strategy from your own code — the same thing `unlock-trader strategy start` does: the
 * connection from config/temporal.ts (Temporal's env config), the start from client/strategy-client.ts.
 *
 *   npx tsx scripts/start-strategy-example.ts [config-file]      (default examples/strategy-demo.json)
 *
 * Environment: TEMPORAL_ADDRESS (default localhost:7233), TEMPORAL_NAMESPACE (default "default"),
 * TEMPORAL_API_KEY + TLS for Temporal Cloud (Temporal's env config),
 * TRADER_TASK_QUEUE (default "unlock-trader": the queue the worker polls).
 *
 * The contract with the strategy workflow (workflows/strategy/api.ts):
 *   - workflow type "strategyWorkflow", workflow id "strategy-<strategyId>"
 *   - one argument: { config } — the config AFTER validation by parseStrategyConfig (defaults filled,
 *     durations in ms). Validate on the client: the workflow trusts its input.
 *   - search attributes StrategyId, TradingMode, StrategyState (Keyword) so the Web UI can filter
 *   - idempotent start: a running strategy with the same id is refused (conflict policy FAIL)
 * Afterwards, talk to it with updates (answers or refuses with a reason), signals or queries:
 *   await handle.executeUpdate(approveUpdate, { args: [{ by: 'alice', note: '...' }] })   // or pauseUpdate, resumeUpdate, emergencyStopUpdate, updateLimitsUpdate
 *   await handle.signal(stopStrategySignal, { by: 'alice' })
 *   const status = await handle.query(statusQuery)
 */
import { readFileSync } from 'node:fs';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { parse as parseYaml } from 'yaml';
import { parseStrategyConfig } from '../config/strategy-config';
import { connectClient } from '../config/temporal';
import { loadAppEnv } from '../config/env';
import { statusQuery, strategyWorkflowId, type StrategyStatus } from '../workflows/strategy/api';
import { startStrategyWorkflow } from '../client/strategy-client';

async function main() {
  const file = process.argv[2] ?? 'examples/strategy-demo.json';
  const text = readFileSync(file, 'utf8');
  // 1. validate BEFORE connecting: a bad config throws a ConfigError naming the field
  const config = parseStrategyConfig(/\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text));

  // 2. connect the way the worker and the CLI do (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, API key, TLS)
  const client = await connectClient();
  const workflowId = strategyWorkflowId(config.strategyId);

  try {
    // 3. start the durable strategy workflow on the worker's task queue, exactly as the CLI does
    //    (client/strategy-client.ts: id, search attributes, conflict policy, daily report schedule)
    const { runId } = await startStrategyWorkflow(client, config, loadAppEnv().TRADER_TASK_QUEUE);
    const handle = client.workflow.getHandle(workflowId, runId);
    console.log(`started ${workflowId} (run ${runId})`);

    // 4. read its state (a query is answered by a worker: start one with `npm run worker`)
    const status: StrategyStatus = await handle.query(statusQuery);
    console.log(`mode ${status.mode}, state ${status.state}, open positions ${status.openPositions}`);
  } catch (e) {
    if (e instanceof WorkflowExecutionAlreadyStartedError) {
      console.error(`strategy ${config.strategyId} is already running (workflow ${workflowId})`);
      process.exitCode = 1;
    } else throw e;
  } finally {
    await client.connection.close();
  }
}

main().catch((e) => {
  console.error(`error: ${(e as Error).message}`);
  process.exit(1);
});
