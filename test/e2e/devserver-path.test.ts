/**
 * The whole path on a real dev server with the worker as its own process: the project's CLI starts a
 * paper strategy, positions trade, the gate passes, and the plain Temporal CLI drives the rest —
 * `temporal workflow query` for status, `temporal workflow signal` for approval and emergency stop,
 * `temporal workflow update execute` for a refused resume. The live position places real ccxt orders
 * at the local exchange simulator. Durations are compressed in the config (seconds for days).
 * The Temporal HTTP API (the dev server's --http-port) is exercised too: start, signal, query, update.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startDevServer, startDevServerOnFreePorts, stopChild } from '../../scripts/lib/dev-server';
import { requireBinary } from '../../scripts/lib/temporal-binaries';
import { startSimulator, type Simulator } from '../../simulator/server';
import { clientOrderIdFor } from '../../domain/ids';
import { freshSqliteDb, type TestDb } from '../helpers/db';
import { freePort } from '../helpers/ports';
import { insertEvents, unlockEvent } from '../helpers/trading';
import { positionWorkflowId } from '../../workflows/position/api';
import { run as cliRun } from '../../cli/main';

const ROOT = join(__dirname, '..', '..');
const pexec = promisify(execFile);
const S = 1000;

let server: Awaited<ReturnType<typeof startDevServer>>;
let httpPort: number;
let sim: Simulator;
let tdb: TestDb;
let worker: ChildProcess;
let workerLog = '';
let env: NodeJS.ProcessEnv;

async function temporal(...args: string[]): Promise<{ out: string; err: string; code: number }> {
  try {
    const r = await pexec(requireBinary('cli'), [...args, '--address', server.address], { encoding: 'utf8' });
    return { out: r.stdout, err: r.stderr, code: 0 };
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string; code?: number };
    return { out: x.stdout ?? '', err: x.stderr ?? '', code: typeof x.code === 'number' ? x.code : 1 };
  }
}

async function queryStatus(wid: string): Promise<Record<string, any>> {
  const r = await temporal('workflow', 'query', '--workflow-id', wid, '--name', 'status', '--output', 'json');
  if (r.code !== 0) throw new Error(`query failed: ${r.err}`);
  const parsed = JSON.parse(r.out);
  return parsed.queryResult?.[0] ?? parsed;
}

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 90 * S): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; worker log:\n${workerLog.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'e2e-'));
  const started = await startDevServerOnFreePorts(freePort, (n) => ({ dbFile: join(dir, `temporal-${n}.db`), logFile: join(dir, `server-${n}.log`) }));
  server = started.server;
  httpPort = started.opts.httpPort;
  sim = await startSimulator({ port: 0, accounts: [{ apiKey: 'e2e-key', secret: 'e2e-secret', balances: { USDT: '100000' } }] });
  tdb = await freshSqliteDb();
  env = {
    ...process.env,
    TEMPORAL_ADDRESS: server.address,
    DATABASE_URL: tdb.url,
    TRADER_TASK_QUEUE: 'e2e',
    EXCHANGE_URL_OVERRIDE: sim.url,
    EXCHANGE_API_KEY: 'e2e-key',
    EXCHANGE_SECRET: 'e2e-secret',
    EXCHANGE_SANDBOX: 'false',
    MARKET_DATA: 'ccxt',
  };
  worker = spawn(process.execPath, ['--import', 'tsx', 'workers/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  worker.stdout!.on('data', (b) => (workerLog += b));
  worker.stderr!.on('data', (b) => (workerLog += b));
  await until('the worker to poll', async () => workerLog.includes('worker polling'), 60 * S);
}, 120_000);

afterAll(async () => {
  if (worker) await stopChild(worker, 'SIGINT');
  await sim?.close();
  await tdb?.close();
  await server?.stop();
});

test('project CLI starts it, Temporal CLI approves and stops it, live orders reach the simulator', async () => {
  const t0 = Date.now();
  await insertEvents(tdb.db, [unlockEvent('PA', 'ETH/USDT', t0 + 12 * S), unlockEvent('PB', 'BTC/USDT', t0 + 13 * S)]);
  const dir = mkdtempSync(join(tmpdir(), 'e2e-cfg-'));
  const cfgFile = join(dir, 'strategy.json');
  writeFileSync(
    cfgFile,
    JSON.stringify({
      strategyId: 'e2e',
      tokenUnlock: { entryLead: '5s', entryTolerance: '3s', exitAfterUnlock: '20s', stopLossPct: '20', takeProfitPct: '20' },
      // thresholds set low on purpose: this test is about the controls, the gate's maths is tested elsewhere
      gate: { paperPeriod: '30s', minTrades: 2, minWinRatePct: '0', minSharpe: '-1000', maxDrawdownPct: '100', liveStepPeriod: '1h' },
      ladder: { PAPER: { riskPerTradePct: '1', maxExposurePct: '50', dailyLossPct: '5' } },
      risk: { maxLatencyMs: 10000 },
      timing: { scanInterval: '1s', priceCheckInterval: '500ms', emergencyCooldown: '1h' },
    }),
  );
  // the project's CLI, with the same environment as the worker
  let out = '';
  let err = '';
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const code = await cliRun(['strategy', 'start', cfgFile], { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
    expect({ code, err }).toEqual({ code: 0, err: '' });
  } finally {
    process.env = saved;
  }
  const wid = 'strategy-e2e';

  // the gate passes after the compressed paper period with the two paper trades
  const gated = await until('the gate to pass', async () => {
    const s = await queryStatus(wid);
    return s.gate?.awaitingApproval && s;
  });
  expect(gated.closedTrades).toBeGreaterThanOrEqual(2);

  // approval through the plain Temporal CLI (a signal)
  const approve = await temporal('workflow', 'signal', '--workflow-id', wid, '--name', 'approve', '--input', JSON.stringify({ by: 'cli-user', note: 'via temporal CLI' }));
  expect(approve.code).toBe(0);
  await until('LIVE_MINIMAL', async () => (await queryStatus(wid)).mode === 'LIVE_MINIMAL');

  // a live trade: real ccxt orders at the simulator
  await insertEvents(tdb.db, [unlockEvent('LV', 'ARB/USDT', Date.now() + 7 * S)]);
  const livePosition = positionWorkflowId('e2e', 'LV');
  await until('the live entry at the simulator', async () => sim.orders().some((o) => o.clientOrderId === clientOrderIdFor(livePosition, 'entry') && o.status === 'FILLED'));
  await until('the live position to be open', async () => (await queryStatus(wid)).openPositions === 1);

  // emergency stop through the plain Temporal CLI
  const stop = await temporal('workflow', 'signal', '--workflow-id', wid, '--name', 'emergencyStop', '--input', JSON.stringify({ reason: 'drill from temporal CLI', by: 'cli-user' }));
  expect(stop.code).toBe(0);
  await until('the exit at the simulator', async () => sim.orders().some((o) => o.clientOrderId === clientOrderIdFor(livePosition, 'exit') && o.status === 'FILLED'));
  const stopped = await until('EMERGENCY_STOP with nothing open', async () => {
    const s = await queryStatus(wid);
    return s.mode === 'EMERGENCY_STOP' && s.openPositions === 0 && s;
  });
  expect(stopped.emergency.reason).toContain('drill from temporal CLI');
  const liveOrders = sim.orders().filter((o) => o.clientOrderId.startsWith(clientOrderIdFor(livePosition, 'entry').slice(0, 10)) || o.symbol === 'ARBUSDT');
  expect(liveOrders.map((o) => o.side).sort()).toEqual(['BUY', 'SELL']);

  // an update through the Temporal CLI is refused during the cooldown, with the reason
  const resume = await temporal('workflow', 'update', 'execute', '--workflow-id', wid, '--name', 'resume', '--input', JSON.stringify({ by: 'cli-user' }));
  expect(resume.code).not.toBe(0);
  expect(resume.out + resume.err).toMatch(/cooldown runs until/);

  // the DB tells the same story
  const modes = await tdb.db.modeChange.findMany({ where: { strategyId: 'e2e' }, orderBy: { at: 'asc' } });
  expect(modes.map((m) => m.toMode)).toEqual(['LIVE_MINIMAL', 'EMERGENCY_STOP']);
  const approvals = await tdb.db.approval.findMany({ where: { strategyId: 'e2e' } });
  expect(approvals.map((a) => a.approvedBy)).toEqual(['cli-user']);
  console.log(`e2e path: ${((Date.now() - t0) / S).toFixed(1)} s, simulator orders ${sim.orders().length}`);
}, 180_000);

test('the Temporal HTTP API starts, signals, queries and updates a strategy', async () => {
  const base = `http://127.0.0.1:${httpPort}/api/v1/namespaces/default/workflows`;
  const wid = 'strategy-http';
  const { parseStrategyConfig } = await import('../../config/strategy-config');
  const config = parseStrategyConfig({ strategyId: 'http', timing: { scanInterval: '1h' } });
  const json = (o: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(o) });
  const start = await fetch(`${base}/${wid}`, json({ workflowType: { name: 'strategyWorkflow' }, taskQueue: { name: 'e2e' }, input: [{ config }] }));
  expect(start.status).toBe(200);
  const sig = await fetch(`${base}/${wid}/signal/pause`, json({ input: [{ by: 'http-user', reason: 'via HTTP' }] }));
  expect(sig.status).toBe(200);
  const state = await until('PAUSED via HTTP query', async () => {
    const q = await fetch(`${base}/${wid}/query/status`, json({ query: { queryType: 'status' } }));
    const body = (await q.json()) as { queryResult?: unknown[] };
    const s = body.queryResult?.[0] as { state?: string } | undefined;
    return s?.state === 'PAUSED' && s;
  }, 30 * S);
  expect(state.state).toBe('PAUSED');
  const upd = await fetch(
    `${base}/${wid}/update/resume`,
    json({
      request: { meta: { updateId: 'http-resume-1' }, input: { name: 'resume', args: [{ by: 'http-user' }] } },
      waitPolicy: { lifecycleStage: 'UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED' },
    }),
  );
  const body = (await upd.json()) as { outcome?: { success?: unknown[] } };
  expect({ status: upd.status, body }).toMatchObject({ status: 200 });
  expect((body.outcome?.success?.[0] as { state?: string }).state).toBe('RUNNING');
  await fetch(`${base}/${wid}/signal/stopStrategy`, json({ input: [{}] }));
}, 90_000);
