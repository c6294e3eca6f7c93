/**
 * `npm run bench -- --floor-only [--n 1000] [--servers default,tuned] [--max-cached-workflows 200]
 * [--worker-node-flags "..."] [--worker-env K=V]`: only the bare-SDK floor (bench/lib/floor.ts), for
 * each N and dev server, on a fresh stack each; a quick way to see what a worker option or V8 flag
 * does to the SDK alone before spending a full trading run on it.
 */
import { arg } from '../config/argv';
import { BenchStack } from './lib/stack';
import { measureFloor, type FloorResult } from './lib/floor';
import { log, mib, ms, table } from './lib/util';

export async function runFloorOnly(workerEnvExtra: Record<string, string>, maxCachedWorkflows: number, splitWorker: boolean): Promise<void> {
  if (splitWorker) throw new Error('--floor-only has no split worker');
  const sizes = (arg('n') ?? '1000').split(',').map(Number);
  const servers = (arg('servers') ?? 'tuned').split(',') as Array<'default' | 'tuned'>;
  const flags = arg('worker-node-flags')?.split(' ').filter(Boolean);
  const out: FloorResult[] = [];
  for (const n of sizes)
    for (const server of servers) {
      const stack = new BenchStack({ name: `floor-${n}-${server}`, tunedServer: server === 'tuned', workerNodeFlags: flags, maxCachedWorkflows, workerEnvExtra, apiKey: 'bench-api-key', secret: 'bench-api-secret-0123456789' });
      try {
        await stack.start();
        out.push(await measureFloor(stack, n, 2_000 + n * 3, 120_000 + n * 600));
      } finally {
        await stack.stop();
      }
    }
  log(`floor: cache ${maxCachedWorkflows || "the worker default"}, node flags ${flags?.join(' ') || 'none'}, env ${JSON.stringify(workerEnvExtra)}`);
  process.stdout.write(`\n${table([['N', 'server', 'RSS idle', 'RSS open', 'peak', 'per position', 'start burst WFT/s', 'fan-out'], ...out.map((f) => [String(f.n), f.server, mib(f.idleRssKb), mib(f.openRssKb), mib(f.hwmKb), `${f.perPositionKb} KiB`, String(f.startBurstWftPerSec), ms(f.fanOutMs)])])}\n`);
}
