/**
 * The main job — `npm run demo` — one command to a running paper strategy:
 *
 *  1. starts the Temporal dev server if none listens on 7233 (history in data/temporal.db, Web UI 8233)
 *  2. applies the migrations to the embedded SQLite default (data/app.db)
 *  3. starts the local exchange simulator as its own process on 127.0.0.1:8710 (or uses
 *     EXCHANGE_URL_OVERRIDE / a real ccxt exchange when configured) — paper prices come from it through
 *     ccxt's public API; its market is a pure function of (seed, symbol, time) and its orders and
 *     balances are kept in data/demo-simulator.json, so a restarted simulator continues the same market
 *  4. starts the worker as its own process (its log: data/demo-worker.log); a worker that dies is
 *     restarted, the exchange keeps running (scripts/lib/demo-child.ts)
 *  5. loads a sample unlock calendar, unlock times relative to now
 *  6. starts the demo paper strategy (examples/strategy-demo.json, time compressed in the config:
 *     minutes instead of days), or re-attaches to it when it is already running
 *  7. narrates that strategy only (scripts/lib/demo-narration.ts): positions opened / closed with P&L,
 *     mode changes, its warnings; and where to look
 *
 * Ctrl-C stops cleanly (worker drains, then the simulator and — if this job started it — the dev server
 * stop). Running it again resumes the same durable state: the strategy workflow is still there.
 *
 *   npm run demo [-- --config <file>] [-- --events N] [-- --verbose] [-- --data-dir <dir>]
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { execFileSync } from 'node:child_process';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { parseStrategyConfig, ConfigError } from '../config/strategy-config';
import { loadAppEnv } from '../config/env';
import { loadNotifySettings } from '../config/notify';
import { connectClient, temporalTarget } from '../config/temporal';
import { createDb } from '../db/client';
import { makeDirectories } from '../db/sqlite-file';
import { startDevServer, isListening, metricsPortOf, DEFAULT_DEV_SERVER } from './lib/dev-server';
import { requireFreePorts, type NeededPort } from './lib/ports';
import { PROJECT_ROOT } from './lib/temporal-binaries';
import { DemoChild } from './lib/demo-child';
import { DemoNarration } from './lib/demo-narration';
import { arg, flag } from '../config/argv';
import { openPositionsQuery, statusQuery, strategyWorkflowId } from '../workflows/strategy/api';
import { startStrategyWorkflow } from '../client/strategy-client';
import { workerProcessEnv } from '../workers/process-env';

const DEMO_SYMBOLS = ['ARB/USDT', 'OP/USDT', 'APT/USDT', 'SUI/USDT'];
/**
 * The demo market: lively (50 %/day) so 1 % stops and targets are hit within the compressed minutes,
 * its slow components capped at 2 h so prices stay near the listed ones (ARB about 0.8, not 9.35), and a
 * fixed seed: the same market after any restart (SIM_SEED picks another).
 */
const DEMO_MARKET = { volatility: '0.5', longestScaleMs: String(2 * 3_600_000), seed: '42' };
const FLAGS_WITH_VALUE = ['config', 'events', 'data-dir'];
const FLAGS = ['verbose'];

/** every flag known, every value present: one line otherwise, before anything starts */
function checkArgv(argv: string[]): void {
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i]!.replace(/^--/, '').split('=')[0]!;
    if (!argv[i]!.startsWith('--') || ![...FLAGS_WITH_VALUE, ...FLAGS].includes(name)) {
      throw new ConfigError(`unknown option "${argv[i]}" (options: --config <file>, --events N, --data-dir <dir>, --verbose)`);
    }
    if (FLAGS_WITH_VALUE.includes(name) && !argv[i]!.includes('=') && (argv[++i] === undefined || argv[i]!.startsWith('--'))) throw new ConfigError(`--${name} needs a value`);
  }
}

function intFromEnv(name: string, fallback: string, min: number, max: number): number {
  const raw = process.env[name] || fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  return n;
}

async function main() {
  // validate everything a user feeds in before anything starts
  checkArgv(process.argv.slice(2));
  const configFile = arg('config') ?? join(PROJECT_ROOT, 'examples', 'strategy-demo.json');
  let config;
  try {
    config = parseStrategyConfig(JSON.parse(readFileSync(configFile, 'utf8')));
  } catch (e) {
    throw new ConfigError(`${configFile}: ${(e as Error).message}`);
  }
  const eventsWanted = Number(arg('events') ?? 6);
  if (!Number.isInteger(eventsWanted) || eventsWanted < 1 || eventsWanted > 50) throw new ConfigError('--events must be an integer from 1 to 50');
  const verbose = flag('verbose');
  const dataDir = resolve(arg('data-dir') ?? join(PROJECT_ROOT, 'data'));
  const badDataDir = (what: string, e: unknown): never => {
    throw new ConfigError(`--data-dir ${dataDir}: ${what}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  };
  makeDirectories(dataDir, badDataDir);
  try {
    accessSync(dataDir, constants.W_OK);
  } catch (e) {
    badDataDir('cannot write there', e);
  }
  const simPort = intFromEnv('SIM_PORT', '8710', 1, 65535);
  const simSeed = intFromEnv('SIM_SEED', DEMO_MARKET.seed, 0, 0xffffffff);
  const env = loadAppEnv();
  // the worker child reads the notification channels (README "Notifications"): a bad one stops here, before anything starts
  loadNotifySettings();
  const target = temporalTarget();
  const { namespace } = target;
  const uiBase = process.env.TEMPORAL_UI_URL ?? `http://127.0.0.1:${DEFAULT_DEV_SERVER.uiPort}`;
  const shown = (file: string) => (file.startsWith(process.cwd() + sep) ? relative(process.cwd(), file) : file);

  const say = (s: string) => console.log(`[demo ${new Date().toISOString().slice(11, 19)}] ${s}`);

  // 0. the ports this job would listen on, before touching anything (no migration, no half-started job);
  //    the worker listens on none, the simulator on SIM_PORT, a dev server started here on its four
  const address = target.connectionOptions.address;
  const local = /^(localhost|127\.0\.0\.1):7233$/.test(address);
  const startsDevServer = local && !(await isListening(DEFAULT_DEV_SERVER.port));
  const startsSimulator = !process.env.EXCHANGE_URL_OVERRIDE && !process.env.EXCHANGE_API_KEY;
  const needed: NeededPort[] = [];
  if (startsSimulator) needed.push({ port: simPort, what: 'the exchange simulator', instead: 'run this one with SIM_PORT=<free port>' });
  if (startsDevServer) {
    const instead = 'start Temporal elsewhere and point TEMPORAL_ADDRESS at it';
    needed.push(
      { port: DEFAULT_DEV_SERVER.uiPort, what: "the Temporal dev server's Web UI", instead },
      { port: DEFAULT_DEV_SERVER.httpPort, what: "the Temporal dev server's HTTP API", instead },
      { port: metricsPortOf(DEFAULT_DEV_SERVER.port), what: "the Temporal dev server's metrics", instead },
    );
  }
  await requireFreePorts(needed);

  let stopping = false;
  /** Ctrl-C while starting: stop what started; once narrating, replaced below */
  let stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await runCleanups();
    process.exit(code);
  };
  const giveUp = (e: Error) => {
    say(`error: ${e.message}; stopping`);
    void stopAll(1);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

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

  // 3. exchange: the local simulator, its own process, unless one is configured
  const workerEnv: NodeJS.ProcessEnv = { ...process.env, ...workerProcessEnv() };
  if (startsSimulator) {
    const stateFile = join(dataDir, 'demo-simulator.json');
    const sim = new DemoChild({
      name: 'exchange simulator',
      script: 'simulator/main.ts',
      args: ['--port', String(simPort), '--seed', String(simSeed), '--symbols', DEMO_SYMBOLS.join(','), '--volatility', DEMO_MARKET.volatility, '--longest-scale-ms', DEMO_MARKET.longestScaleMs, '--state', stateFile],
      logFile: join(dataDir, 'demo-simulator.log'),
      verbose,
      readyLine: (l) => l.startsWith('{"event":"listening"'),
      say,
      onGiveUp: giveUp,
    });
    cleanups.push(() => sim.stop());
    await sim.start();
    const url = (JSON.parse(sim.readyText) as { url: string }).url;
    Object.assign(workerEnv, { EXCHANGE_URL_OVERRIDE: url, EXCHANGE_SANDBOX: 'false', MARKET_DATA: process.env.MARKET_DATA ?? 'ccxt' });
    say(`exchange simulator on ${url} (pid ${sim.pid}, seed ${simSeed}, orders kept in ${shown(stateFile)}); paper prices come from it via ccxt`);
  }

  // 4. worker, its own process: a crash of it is restarted and leaves the exchange running
  const workerLog = join(dataDir, 'demo-worker.log');
  const worker = new DemoChild({
    name: 'worker',
    script: 'workers/main.ts',
    env: workerEnv,
    logFile: workerLog,
    verbose,
    readyLine: (l) => l.startsWith('worker polling'),
    say,
    onGiveUp: giveUp,
  });
  cleanups.push(() => worker.stop());
  await worker.start();
  say(`worker polling "${env.TRADER_TASK_QUEUE}" (pid ${worker.pid}); its log: ${shown(workerLog)}${verbose ? ', also shown here (--verbose)' : ' (--verbose shows it here)'}`);

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

  // 7. narrate this strategy, nothing else (the worker's records are in its log file)
  const handle = client.workflow.getHandle(wid);
  const narration = new DemoNarration(config.strategyId);
  const since = new Date();
  const narrate = async () => {
    try {
      const [status, open] = await Promise.all([handle.query(statusQuery), handle.query(openPositionsQuery)]);
      // only what closed since the last tick (the first tick: all, so a resumed demo retells its trades)
      const closedSince = narration.closedSince();
      const closed = await db.position.findMany({ where: { strategyId: config.strategyId, closedAt: closedSince ? { gte: closedSince } : { not: null } }, orderBy: { closedAt: 'asc' } });
      const alerts = await db.alert.findMany({ where: { strategyId: config.strategyId, createdAt: { gte: since } }, orderBy: { createdAt: 'asc' } });
      for (const line of narration.next({ status, open, closed, alerts })) say(line);
    } catch (e) {
      if (e instanceof WorkflowNotFoundError) say('strategy workflow not found');
    }
  };
  const timer = setInterval(() => void narrate(), 2000);

  stopAll = async (code) => {
    if (stopping) return;
    stopping = true;
    clearInterval(timer);
    say('stopping: worker drains, then the simulator and the dev server (if started here) stop');
    await runCleanups();
    say('stopped. Run `npm run demo` again to resume.');
    process.exit(code);
  };
}

const cleanups: Array<() => Promise<unknown>> = [];
/** what started, stopped in reverse: worker, simulator, database, dev server */
async function runCleanups(): Promise<void> {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
}

main().catch(async (e) => {
  console.error(`error: ${(e as Error).message}`);
  await runCleanups();
  process.exit(1);
});
