/**
 * Where the emergency batch spends its time, outside Temporal: `batchPlaceOrders` of N exits called
 * directly (same activity code, same broker registry built from env as the worker builds it, a fresh
 * migrated SQLite DB, the simulator in this process), with every Prisma query and every market-data
 * call timed. Not part of `npm run bench`; an analysis aid for BENCHMARKS.md.
 *
 *   npx tsx bench/batch.ts [--n 100] [--mode paper|live] [--rate-limit-ms 0|default] [--wal] [--profile f.cpuprofile]
 *
 * --wal sets PRAGMA journal_mode=WAL on the app DB first; --sync-normal adds synchronous=NORMAL on one connection (what-if).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { createDb, type Db } from '../db/client';
import { parseDatabaseUrl } from '../db/url';
import { createBrokerRegistry } from '../exchange/broker-registry';
import { createOrderActivities, type PlaceOrderInput } from '../activities/orders';
import { stopChild } from '../scripts/lib/dev-server';
import { clientOrderIdFor } from '../domain/ids';
import { PRICES, ROOT, SYMBOLS, cpuMs } from './lib/stack';
import { dist, freePort, ms } from './lib/util';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main() {
  const n = Number(arg('n') ?? 100);
  const mode = arg('mode') === 'live' ? 'LIVE_MINIMAL' : 'PAPER';
  const rl = arg('rate-limit-ms') ?? '0';
  const dir = mkdtempSync(join(tmpdir(), 'bench-batch-'));
  const url = `file:${join(dir, 'app.db')}`;
  execFileSync('bash', [join(ROOT, 'scripts', 'prisma.sh'), 'migrate', 'deploy'], { cwd: ROOT, env: { ...process.env, DATABASE_URL: url }, stdio: 'pipe' });
  if (process.argv.includes('--wal')) {
    const c = createClient({ url });
    await c.execute('PRAGMA journal_mode=WAL');
    c.close();
  }
  // the simulator in its own process, so its CPU is not counted here
  const port = await freePort();
  const simProc = spawn(process.execPath, ['--import', 'tsx', 'simulator/main.ts', '--port', String(port), '--symbols', SYMBOLS.join(','), '--api-key', 'k-batch', '--api-secret', 's-batch-0123456789'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    simProc.stdout!.on('data', (b: Buffer) => b.toString().includes('listening') && resolve());
    simProc.once('exit', (c) => reject(new Error(`simulator exited ${c}`)));
  });
  const sim = { url: `http://127.0.0.1:${port}`, close: () => stopChild(simProc) };
  for (const [symbol, price] of Object.entries(PRICES)) await fetch(`${sim.url}/__admin/price`, { method: 'POST', body: JSON.stringify({ symbol, price }) });
  const base = createDb(parseDatabaseUrl(url));
  if (process.argv.includes('--sync-normal')) await base.$executeRawUnsafe('PRAGMA synchronous=NORMAL').catch(() => undefined);

  // every query timed
  const q: Array<{ op: string; ms: number; at: number }> = [];
  const db = base.$extends({
    query: {
      async $allOperations({ model, operation, args, query }) {
        const t0 = performance.now();
        try {
          return await query(args);
        } finally {
          q.push({ op: `${model ?? 'raw'}.${operation}`, ms: performance.now() - t0, at: t0 });
        }
      },
    },
  }) as unknown as Db;

  const env = {
    EXCHANGE_URL_OVERRIDE: sim.url,
    EXCHANGE_SANDBOX: 'false',
    EXCHANGE_API_KEY: 'k-batch',
    EXCHANGE_SECRET: 's-batch-0123456789',
    MARKET_DATA: 'ccxt',
    ...(rl === 'default' ? {} : { EXCHANGE_RATE_LIMIT_MS: rl }),
  };
  const brokers = createBrokerRegistry({ db, env, paperDefaults: { initialBalances: { USDT: '100000000' } } });
  // market-data calls timed
  const md: Array<{ call: string; ms: number }> = [];
  for (const m of ['PAPER', 'LIVE_MINIMAL']) {
    const src = brokers.marketData(m) as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    for (const fn of ['snapshot', 'orderBook']) {
      const orig = src[fn]!.bind(src);
      if ((orig as { __timed?: boolean }).__timed) continue;
      const timed = async (...a: unknown[]) => {
        const t0 = performance.now();
        try {
          return await orig(...a);
        } finally {
          md.push({ call: fn, ms: performance.now() - t0 });
        }
      };
      (timed as { __timed?: boolean }).__timed = true;
      src[fn] = timed;
    }
  }
  const acts = createOrderActivities({ db, brokers });
  const strategyId = 'batchbench';
  const positions = Array.from({ length: n }, (_, i) => ({ id: `position-${strategyId}-e${String(i).padStart(4, '0')}`, symbol: SYMBOLS[i % SYMBOLS.length]! }));
  const order = (p: (typeof positions)[number], side: 'buy' | 'sell', amount: string): PlaceOrderInput => ({
    clientOrderId: clientOrderIdFor(p.id, side === 'buy' ? 'entry' : 'exit'),
    strategyId,
    positionId: p.id,
    purpose: side === 'buy' ? 'entry' : 'emergency-exit',
    mode,
    symbol: p.symbol,
    side,
    type: 'market',
    amount,
    signalPrice: PRICES[p.symbol]!,
    asOf: Date.now(),
  });
  const qty = (s: string) => String(Math.max(1, Math.floor(500 / Number(PRICES[s]!) * 100) / 100));
  // entries, as the positions place them: one placeOrder each
  for (const p of positions) await acts.placeOrder(order(p, 'buy', p.symbol === 'BTC/USDT' ? '0.008' : p.symbol === 'ETH/USDT' ? '0.16' : qty(p.symbol)));
  const filled = await db.order.findMany({ where: { strategyId, side: 'buy' } });
  const amountOf = new Map(filled.map((o) => [o.positionId!, o.filledAmount.toString()]));
  q.length = 0;
  md.length = 0;
  const profFile = arg('profile');
  const inspector = profFile ? new (await import('node:inspector/promises')).Session() : undefined;
  if (inspector) {
    inspector.connect();
    await inspector.post('Profiler.enable');
    await inspector.post('Profiler.start');
  }
  const cpu0 = process.cpuUsage();
  const simCpu0 = cpuMs(simProc.pid);
  const t0 = performance.now();
  const res = await acts.batchPlaceOrders(positions.map((p) => order(p, 'sell', amountOf.get(p.id)!)));
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  if (inspector) {
    const { profile } = (await inspector.post('Profiler.stop')) as { profile: unknown };
    (await import('node:fs')).writeFileSync(profFile!, JSON.stringify(profile));
    inspector.disconnect();
  }
  const simCpu = (cpuMs(simProc.pid) ?? 0) - (simCpu0 ?? 0);
  const rows = await base.order.findMany({ where: { strategyId, side: 'sell' }, select: { createdAt: true, updatedAt: true } });
  const start = Date.now() - wall;
  const byOp = new Map<string, number[]>();
  for (const x of q) byOp.set(x.op, [...(byOp.get(x.op) ?? []), x.ms]);
  console.log(`batchPlaceOrders of ${n} ${mode} exits (rate limit ${rl}${process.argv.includes('--wal') ? ', WAL' : ''}): ${ms(wall)}; ${res.filter((r) => r.status === 'FILLED').length} FILLED`);
  console.log(`  CPU during the batch: this process ${ms((cpu.user + cpu.system) / 1000)}, simulator process ${ms(simCpu)} (wall ${ms(wall)})`);
  console.log(`  ack times from batch start p50 ${ms(dist(rows.map((r) => r.updatedAt.getTime() - start)).p50)}, last ${ms(Math.max(...rows.map((r) => r.updatedAt.getTime() - start)))}`);
  console.log(`  DB queries: ${q.length} (${(q.length / n).toFixed(1)} per order), sum of query latencies ${ms(q.reduce((a, x) => a + x.ms, 0))}`);
  for (const [op, v] of [...byOp.entries()].sort((a, b) => b[1].length - a[1].length)) {
    const d = dist(v);
    console.log(`    ${op.padEnd(32)} ×${String(v.length).padStart(5)}  p50 ${ms(d.p50)}  p99 ${ms(d.p99)}  max ${ms(d.max)}`);
  }
  const mdBy = new Map<string, number[]>();
  for (const x of md) mdBy.set(x.call, [...(mdBy.get(x.call) ?? []), x.ms]);
  for (const [c, v] of mdBy) console.log(`  market data ${c.padEnd(10)} ×${v.length}  p50 ${ms(dist(v).p50)}  p99 ${ms(dist(v).p99)}`);
  const st = (await (await fetch(`${sim.url}/__admin/stats`)).json()) as { requests: unknown };
  console.log(`  simulator requests: ${JSON.stringify(st.requests)}`);
  await brokers.close();
  await base.$disconnect();
  await sim.close();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
