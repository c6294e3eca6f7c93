/**
 * The main job — `npm run demo` — one command to a running paper strategy:
 *
 *  1. starts the Temporal dev server if none listens on 7233 (history in data/temporal.db, Web UI 8233)
 *  2. applies the migrations to the embedded SQLite default (data/app.db)
 *  3. starts the local exchange simulator on 127.0.0.1:8710 (or uses EXCHANGE_URL_OVERRIDE / a real
 *     ccxt exchange when configured) — paper prices come from it through ccxt's public API
 *  4. starts the worker (in this process)
 *  5. loads a sample unlock calendar, unlock times relative to now
 *  6. starts the demo paper strategy (examples/strategy-demo.json, time compressed in the config:
 *     minutes instead of days), or re-attaches to it when it is already running
 *  7. prints what happens: positions opened / closed with P&L, mode changes; and where to look
 *
 * Ctrl-C stops cleanly (worker drains, simulator and — if this job started it — the dev server stop).
 * Running it again resumes the same durable state: the strategy workflow is still there.
 *
 *   npm run demo [-- --config <file>] [-- --events N]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { parseStrategyConfig, ConfigError } from '../config/strategy-config';
import { loadAppEnv } from '../config/env';
import { connectClient, connectWorker, temporalTarget } from '../config/temporal';
import { createDb } from '../db/client';
import { createActivities } from '../activities';
import { createBrokerRegistry } from '../exchange/broker-registry';
import { startSimulator, type Simulator } from '../simulator/server';
import { SyntheticPricePath } from '../exchange/market-data/price-path';
import { knownStep, knownTick } from '../exchange/market-data/markets';
import { formatPrice, formatQty, formatSignedMoney } from '../domain/format';
import { createTradingWorker } from '../workers/create-worker';
import { startDevServer, isListening, DEFAULT_DEV_SERVER } from './lib/dev-server';
import { requireFreePorts, type NeededPort } from './lib/ports';
import { PROJECT_ROOT } from './lib/temporal-binaries';
import { arg } from '../config/argv';
import { openPositionsQuery, statusQuery, strategyWorkflowId } from '../workflows/strategy/api';
import { startStrategyWorkflow } from '../client/strategy-client';

const SIM_PORT = Number(process.env.SIM_PORT ?? 8710);
const DEMO_SYMBOLS = ['ARB/USDT', 'OP/USDT', 'APT/USDT', 'SUI/USDT'];


async function main() {
  // validate everything a user feeds in before anything starts
  const configFile = arg('config') ?? join(PROJECT_ROOT, 'examples', 'strategy-demo.json');
  let config;
  try {
    config = parseStrategyConfig(JSON.parse(readFileSync(configFile, 'utf8')));
  } catch (e) {
    throw new ConfigError(`${configFile}: ${(e as Error).message}`);
  }
  const eventsWanted = Number(arg('events') ?? 6);
  if (!Number.isInteger(eventsWanted) || eventsWanted < 1 || eventsWanted > 50) throw new ConfigError('--events must be an integer from 1 to 50');
  const env = loadAppEnv();
  const target = temporalTarget();
  const { namespace } = target;
  const uiBase = process.env.TEMPORAL_UI_URL ?? `http://127.0.0.1:${DEFAULT_DEV_SERVER.uiPort}`;

  const cleanups: Array<() => Promise<unknown>> = [];
  const say = (s: string) => console.log(`[demo ${new Date().toISOString().slice(11, 19)}] ${s}`);

  // 0. the ports this job would listen on, before touching anything (no migration, no half-started job)
  const address = target.connectionOptions.address;
  const local = /^(localhost|127\.0\.0\.1):7233$/.test(address);
  const startsDevServer = local && !(await isListening(DEFAULT_DEV_SERVER.port));
  const startsSimulator = !process.env.EXCHANGE_URL_OVERRIDE && !process.env.EXCHANGE_API_KEY;
  const needed: NeededPort[] = [];
  if (startsSimulator) needed.push({ port: SIM_PORT, what: 'the exchange simulator', instead: 'run this one with SIM_PORT=<free port>' });
  if (startsDevServer) {
    const instead = 'start Temporal elsewhere and point TEMPORAL_ADDRESS at it';
    needed.push({ port: DEFAULT_DEV_SERVER.uiPort, what: "the Temporal dev server's Web UI", instead }, { port: DEFAULT_DEV_SERVER.httpPort, what: "the Temporal dev server's HTTP API", instead });
  }
  await requireFreePorts(needed);

  // 1. Temporal
  if (startsDevServer) {
    const server = await startDevServer();
    cleanups.push(() => server.stop());
    say(`started the Temporal dev server (history in data/temporal.db)`);
  } else say(`using the Temporal server at ${address}`);

  // 2. migrations on the default DB
  execFileSync('bash', [join(PROJECT_ROOT, 'scripts', 'prisma.sh'), 'migrate', 'deploy'], { stdio: 'pipe', env: process.env });
  const db = createDb(env.DATABASE_URL);
  cleanups.push(() => db.$disconnect());
  say(`database ready (${env.DATABASE_URL.provider})`);

  // 3. exchange: the local simulator unless one is configured
  let sim: Simulator | undefined;
  if (startsSimulator) {
    // lively prices so stops and targets are hit within the compressed demo minutes
    sim = await startSimulator({ port: SIM_PORT, symbols: DEMO_SYMBOLS, pricePath: new SyntheticPricePath({ seed: Date.now() % 100_000, dailyVolatility: 0.5 }) });
    cleanups.push(() => sim!.close());
    process.env.EXCHANGE_URL_OVERRIDE = sim.url;
    process.env.EXCHANGE_SANDBOX = 'false';
    process.env.MARKET_DATA ??= 'ccxt';
    say(`exchange simulator on ${sim.url} (Binance spot API subset); paper prices come from it via ccxt`);
  }

  // 4. worker
  const brokers = createBrokerRegistry({ db, log: (m) => say(m) });
  cleanups.push(() => brokers.close());
  const connection = await connectWorker(target);
  const worker = await createTradingWorker({
    connection,
    namespace,
    taskQueue: env.TRADER_TASK_QUEUE,
    activities: createActivities({ db, brokers, log: (l) => say(l) }),
    maxCachedWorkflows: env.WORKER_MAX_CACHED_WORKFLOWS,
  });
  const running = worker.run();
  say(`worker polling "${env.TRADER_TASK_QUEUE}"`);

  // 5. sample calendar relative to now (one unlock every 40 s after the first entry window)
  const now = Date.now();
  const upcoming = await db.unlockEvent.count({ where: { unlockAt: { gt: new Date(now + config.tokenUnlock.entryLead) } } });
  if (upcoming < eventsWanted) {
    for (let i = 0; i < eventsWanted; i++) {
      const symbol = DEMO_SYMBOLS[i % DEMO_SYMBOLS.length]!;
      const unlockAt = now + config.tokenUnlock.entryLead + 20_000 + i * 40_000;
      const id = `demo-${symbol.split('/')[0]!.toLowerCase()}-${new Date(unlockAt).toISOString().slice(0, 19).replace(/[-:]/g, '')}`;
      await db.unlockEvent.upsert({
        where: { id },
        create: { id, symbol, unlockAt: new Date(unlockAt), unlockAmount: String(6 + i), circulatingSupply: '100', source: 'demo' },
        update: {},
      });
    }
    say(`loaded ${eventsWanted} sample unlocks (6-11 % of supply), the first entry in ~20 s`);
  }

  // 6. the strategy: start, or re-attach to the durable one
  const client = await connectClient({ target });
  const wid = strategyWorkflowId(config.strategyId);
  try {
    await startStrategyWorkflow(client, config, env.TRADER_TASK_QUEUE);
    say(`started strategy "${config.strategyId}" in PAPER`);
  } catch (e) {
    if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
    say(`strategy "${config.strategyId}" is already running: resuming its durable state`);
  }
  const cli = 'npx unlock-trader';
  console.log(`
  Web UI:   ${uiBase}/namespaces/${namespace}/workflows/${wid}
  Filter:   ${uiBase}/namespaces/${namespace}/workflows?query=${encodeURIComponent(`StrategyId="${config.strategyId}"`)}
  Status:   ${cli} strategy status ${config.strategyId}
  Trades:   ${cli} positions ${config.strategyId}     Report: ${cli} report ${config.strategyId} --format csv
  Approve:  ${cli} approve ${config.strategyId} --by <you> --note "..."   (after the paper gate passes)
  Stop:     ${cli} emergency-stop ${config.strategyId} --reason "..."
  Ctrl-C stops this job; run it again to resume.
`);

  // 7. narrate
  const handle = client.workflow.getHandle(wid);
  const seenOpen = new Set<string>();
  const seenClosed = new Set<string>();
  let lastMode = '';
  const narrate = async () => {
    try {
      const status = await handle.query(statusQuery);
      if (status.mode !== lastMode) say(`mode ${status.mode} (${status.state})${status.gate.awaitingApproval ? ' — gate passed, awaiting approval' : ''}`);
      lastMode = status.mode;
      for (const p of await handle.query(openPositionsQuery)) {
        if (p.status === 'OPEN' && !seenOpen.has(p.positionId)) {
          seenOpen.add(p.positionId);
          say(`opened ${p.symbol}: ${formatQty(p.quantity, knownStep(p.symbol))} @ ${formatPrice(p.entryPrice, knownTick(p.symbol))} (${p.positionId})`);
        }
      }
      const closed = await db.position.findMany({ where: { strategyId: config.strategyId, closedAt: { not: null } }, orderBy: { closedAt: 'asc' } });
      for (const p of closed) {
        if (seenClosed.has(p.id)) continue;
        seenClosed.add(p.id);
        if (p.status === 'CLOSED') {
          const tick = knownTick(p.symbol);
          say(`closed ${p.symbol} ${p.exitReason}: P&L ${formatSignedMoney(p.realizedPnl?.toString() ?? '0')} USDT (entry ${formatPrice(p.entryPrice?.toString(), tick)}, exit ${formatPrice(p.exitPrice?.toString(), tick)})`);
        }
        else say(`${p.status.toLowerCase()} ${p.symbol}: ${p.exitReason}`);
      }
    } catch (e) {
      if (e instanceof WorkflowNotFoundError) say('strategy workflow not found');
    }
  };
  const timer = setInterval(() => void narrate(), 2000);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    clearInterval(timer);
    say('stopping: worker drains, then the simulator and the dev server (if started here) stop');
    worker.shutdown();
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  await running;
  await connection.close();
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  say('stopped. Run `npm run demo` again to resume.');
  process.exit(0);
}

main().catch((e) => {
  console.error(`error: ${(e as Error).message}`);
  process.exit(1);
});
