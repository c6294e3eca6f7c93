/**
      const [t, dbc, venues, md] = await Promise.all([temporalCheck(), dbCheck(), checkVenues(ms, () => ctx.database()), marketDataCheck()]);
      const checks = [t[0]!, dbc, ...venues, md, ...t.slice(1)];
      checks.push(...(await (await import('../lib/health-rows')).feedAndNotifierChecks(ctx, ms))); // price feed, notify <channel>
 */
import type { Command } from 'commander';
import { CliError, oneLine, type Ctx } from '../context';
import { table } from '../lib/table';
import { withTimeout } from '../lib/temporal';
import { checkMarketData } from '../lib/market-data-check';
import { checkVenues } from '../lib/venue-check';

export interface HealthCheck {
  check: string;
  ok: boolean;
  latencyMs: number | null;
  detail: string;
}

const TASK_QUEUE_TYPE_WORKFLOW = 1;
const TASK_QUEUE_TYPE_ACTIVITY = 2;
const TASK_QUEUE_KIND_NORMAL = 1;

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await fn();
  return { value, ms: Math.round(performance.now() - t0) };
}

export function registerHealthCommand(program: Command, ctx: Ctx): void {
  program
    .command('health')
    .description('check Temporal, the database, the exchange, the market data source and the worker pollers; exit 1 when something is down')
    .option('--json', 'print as JSON')
    .option('--timeout <seconds>', 'per check', '5')
    .action(async (o: { json?: boolean; timeout: string }) => {
      const ms = Number(o.timeout) * 1000;
      if (!(ms > 0)) throw new CliError(`--timeout must be a positive number of seconds, got "${o.timeout}"`);
      const { loadAppEnv } = await import('../../config/env');
      const appEnv = loadAppEnv();
      const { temporalTarget } = await import('../../config/temporal');
      const { connectionOptions, namespace } = temporalTarget();
      const taskQueue = appEnv.TRADER_TASK_QUEUE;

      const temporalCheck = async (): Promise<HealthCheck[]> => {
        const checks: HealthCheck[] = [];
        try {
          const { value: client, ms: connectMs } = await timed(() => ctx.temporal({ connectTimeoutMs: ms }));
          const { ms: nsMs } = await timed(() => withTimeout(client.workflowService.describeNamespace({ namespace }), ms, 'describe namespace'));
          checks.push({ check: 'temporal', ok: true, latencyMs: nsMs, detail: `${connectionOptions.address}, namespace ${namespace} (connect ${connectMs} ms)` });
          for (const [label, type] of [
            ['workflow pollers', TASK_QUEUE_TYPE_WORKFLOW],
            ['activity pollers', TASK_QUEUE_TYPE_ACTIVITY],
          ] as const) {
            try {
              const { value: r, ms: tqMs } = await timed(() =>
                withTimeout(client.workflowService.describeTaskQueue({ namespace, taskQueue: { name: taskQueue, kind: TASK_QUEUE_KIND_NORMAL }, taskQueueType: type }), ms, `describe task queue ${taskQueue}`),
              );
              const pollers = r.pollers ?? [];
              checks.push({
                check: label,
                ok: pollers.length > 0,
                latencyMs: tqMs,
                detail: pollers.length
                  ? `${pollers.length} on task queue ${taskQueue}: ${[...new Set(pollers.map((p) => p.identity ?? '?'))].join(', ')}`
                  : `none on task queue ${taskQueue}: start a worker (npm run worker)`,
              });
            } catch (e) {
              checks.push({ check: label, ok: false, latencyMs: null, detail: oneLine(e) });
            }
          }
        } catch (e) {
          checks.push({ check: 'temporal', ok: false, latencyMs: null, detail: e instanceof CliError ? e.message : oneLine(e) });
          checks.push({ check: 'workflow pollers', ok: false, latencyMs: null, detail: 'unknown: Temporal is down' });
          checks.push({ check: 'activity pollers', ok: false, latencyMs: null, detail: 'unknown: Temporal is down' });
        }
        return checks;
      };

      const dbCheck = async (): Promise<HealthCheck> => {
        try {
          const db = await ctx.database();
          const { ms: qms } = await timed(() => withTimeout(db.$queryRawUnsafe('SELECT 1'), ms, 'database query'));
          return { check: 'database', ok: true, latencyMs: qms, detail: `${appEnv.DATABASE_URL.provider}` };
        } catch (e) {
          return { check: 'database', ok: false, latencyMs: null, detail: `${appEnv.DATABASE_URL.provider}: ${oneLine(e)}` };
        }
      };

      const marketDataCheck = async (): Promise<HealthCheck> => ({ check: 'market data', ...(await checkMarketData(ms)) });

      const [t, dbc, venues, md] = await Promise.all([temporalCheck(), dbCheck(), checkVenues(ms, () => ctx.database()), marketDataCheck()]);
      const checks = [t[0]!, dbc, ...venues, md, ...t.slice(1)];
      checks.push(...(await (await import('../lib/health-rows')).feedAndNotifierChecks(ctx, ms))); // price feed, notify <channel>
      const down = checks.filter((c) => !c.ok);
      if (o.json) ctx.json({ ok: down.length === 0, checks });
      else ctx.out(table(['CHECK', 'STATUS', 'LATENCY', 'DETAIL'], checks.map((c) => [c.check, c.ok ? 'ok' : 'DOWN', c.latencyMs === null ? '-' : `${c.latencyMs} ms`, c.detail])));
      if (down.length) throw new CliError(`unhealthy: ${down.map((c) => c.check).join(', ')} down`);
    });
}
