/**
 * The "proof under fire" stack: a real Temporal dev server (file-backed, free ports), the Binance
 * simulator (in-process), a fresh SQLite app DB, and the trading worker as a CHILD PROCESS that the
 * tests kill -9 and restart. Every wait is bounded (poll with a deadline).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Client, Connection } from '@temporalio/client';
import { connectClient } from '../../config/temporal';
import { startDevServer, startDevServerOnFreePorts, stopChild } from '../../scripts/lib/dev-server';
import { getWorkflowBundle } from '../../workers/bundle';
import { WORKER_TS_LOADER } from '../../workers/process-env';
import { startSimulator, type Simulator } from '../../simulator/server';
import type { AccountConfig } from '../../simulator/types';
import { freshSqliteDb, type TestDb } from '../helpers/db';
import { freePort } from '../helpers/ports';
import { insertEvents, unlockEvent } from '../helpers/trading';
import { cli, type CliResult } from '../cli/helpers';
import { clientOrderIdFor } from '../../domain/ids';
import { strategyWorkflowId, type StrategyStatus } from '../../workflows/strategy/api';
import type { StrategyConfigInput } from '../../config/strategy-config';
import { d } from '../../domain/money';

export const ROOT = join(__dirname, '..', '..');

export { sleep, waitFor } from '../helpers/wait';
import { sleep, waitFor } from '../helpers/wait';
import { baseChildEnv } from '../helpers/child-env';

export interface WorkerProc {
  child: ChildProcess;
  startedAt: number;
  readyAt: number;
  /** everything it printed (stdout + stderr) */
  output(): string;
}

export interface StackOptions {
  /** simulator account */
  apiKey?: string;
  secret?: string;
  /** extra env for the worker */
  workerEnv?: Record<string, string>;
  /** more simulator accounts (e.g. a Kraken key beside the stack's Binance one) */
  extraAccounts?: AccountConfig[];
  seed?: number;
  /**
   * Payload encryption (issue 16): a fresh key, set the way an operator sets it (codec/keys.ts), for the
   * worker processes, the in-process CLI and `client`; the Temporal Service then stores ciphertext only.
   */
  encrypted?: boolean;
}

/** The codec variables of codec/keys.ts: none may leak in from the caller's environment. */
const CODEC_ENV_VARS = ['UNLOCK_TRADER_CODEC_KEYS', 'UNLOCK_TRADER_CODEC_KEY_ID', 'UNLOCK_TRADER_CODEC_KEY_FILE'];

export class ProofStack {
  sim!: Simulator;
  tdb!: TestDb;
  client!: Client;
  connection!: Connection;
  worker?: WorkerProc;
  /** all output of every worker process this stack started, in order */
  workerLogs: string[] = [];
  readonly taskQueue: string;
  readonly apiKey: string;
  readonly secret: string;
  /** the codec settings of every process of the stack ({} when encryption is off) */
  readonly codecEnv: Record<string, string>;
  /** the id of the key that seals every payload (when encrypted) */
  readonly codecKeyId: string;
  server!: { port: number; uiPort: number; httpPort: number; dbFile: string; logFile: string; child?: ChildProcess };
  /** every API request the simulator received (method, path, client order id, time), via a spy on its fault injector */
  requests: Array<{ method: string; path: string; clientOrderId?: string; at: number }> = [];
  workerStarts = 0;
  workerKills = 0;
  private savedEnv = { ...process.env };

  constructor(
    readonly name: string,
    private readonly o: StackOptions = {},
  ) {
    this.taskQueue = `proof-${name}-${process.pid}`;
    this.apiKey = o.apiKey ?? `proof-key-${name}`;
    this.secret = o.secret ?? `proof-secret-${name}`;
    this.codecKeyId = `proof-${name}`;
    this.codecEnv = o.encrypted ? { UNLOCK_TRADER_CODEC_KEYS: `${this.codecKeyId}:${randomBytes(32).toString('base64')}` } : {};
  }

  async start(): Promise<void> {
    const dir = mkdtempSync(join(tmpdir(), `proof-${this.name}-`));
    const [{ opts, server: srv }, tdb, sim] = await Promise.all([
      startDevServerOnFreePorts(freePort, (n) => ({ dbFile: join(dir, `temporal-${n}.db`), logFile: join(dir, `temporal-${n}.log`) })),
      freshSqliteDb(),
      startSimulator({
        port: 0,
        seed: this.o.seed ?? 7,
        matchIntervalMs: 100,
        accounts: [{ apiKey: this.apiKey, secret: this.secret, balances: { USDT: '1000000', BTC: '10', ETH: '100', ARB: '100000', OP: '50000', APT: '10000', SUI: '100000' } }, ...(this.o.extraAccounts ?? [])],
      }),
      getWorkflowBundle(), // bundle once here so worker starts are fast and comparable
    ]);
    this.server = { ...opts, child: srv.child };
    this.tdb = tdb;
    this.sim = sim;
    const decide = sim.faults.decide.bind(sim.faults);
    sim.faults.decide = (req) => {
      this.requests.push({ ...req, at: Date.now() });
      return decide(req);
    };
    // flat prices: stop-loss and take-profit never fire, exits are time exits (deterministic)
    for (const [s, p] of Object.entries(PRICES)) sim.setPrice(s, p);
    // the in-process CLI reads these, and so does the test's client
    for (const k of ['EXCHANGE_API_KEY', 'EXCHANGE_SECRET', 'EXCHANGE_URL_OVERRIDE', 'TEMPORAL_API_KEY', 'TEMPORAL_PROFILE', ...CODEC_ENV_VARS]) delete process.env[k];
    Object.assign(process.env, { TEMPORAL_ADDRESS: `127.0.0.1:${opts.port}`, TEMPORAL_NAMESPACE: 'default', DATABASE_URL: tdb.url, TRADER_TASK_QUEUE: this.taskQueue, UNLOCK_TRADER_OPERATOR: 'proof-tester', ...this.codecEnv });
    // the one connection helper: address, namespace and payload codec from the environment just set
    this.client = await connectClient();
    this.connection = this.client.connection as Connection;
  }

  workerEnvironment(): NodeJS.ProcessEnv {
    return {
      ...baseChildEnv(),
      TEMPORAL_ADDRESS: `127.0.0.1:${this.server.port}`,
      TEMPORAL_NAMESPACE: 'default',
      DATABASE_URL: this.tdb.url,
      TRADER_TASK_QUEUE: this.taskQueue,
      EXCHANGE_URL_OVERRIDE: this.sim.url,
      EXCHANGE_API_KEY: this.apiKey,
      EXCHANGE_SECRET: this.secret,
      EXCHANGE_SANDBOX: 'false',
      EXCHANGE_RATE_LIMIT_MS: '5',
      EXCHANGE_TIMEOUT_MS: '3000',
      MARKET_DATA: 'ccxt',
      WORKER_SHUTDOWN_GRACE_MS: '1000',
      ...this.codecEnv,
      ...this.o.workerEnv,
    };
  }

  /** Spawns the worker process and waits until it polls. */
  async startWorker(): Promise<WorkerProc> {
    if (this.worker && this.worker.child.exitCode === null && this.worker.child.signalCode === null) throw new Error('a worker is already running');
    const startedAt = Date.now();
    const child = spawn(process.execPath, [...WORKER_TS_LOADER, 'workers/main.ts'], { cwd: ROOT, env: this.workerEnvironment(), stdio: ['ignore', 'pipe', 'pipe'] });
    const idx = this.workerLogs.push('') - 1;
    const append = (b: Buffer) => (this.workerLogs[idx] += b.toString('utf8'));
    child.stdout!.on('data', append);
    child.stderr!.on('data', append);
    this.workerStarts++;
    const proc: WorkerProc = { child, startedAt, readyAt: 0, output: () => this.workerLogs[idx]! };
    this.worker = proc;
    await waitFor(
      'the worker to poll',
      () => {
        if (child.exitCode !== null) throw new Error(`worker exited ${child.exitCode}: ${proc.output()}`);
        return proc.output();
      },
      (out) => /worker polling task queue/.test(out),
      60_000,
      50,
    ).catch((e) => {
      child.kill('SIGKILL');
      throw e;
    });
    proc.readyAt = Date.now();
    return proc;
  }

  /** kill -9 the worker (no graceful shutdown: in-flight activities and workflow tasks are lost). */
  async killWorker(): Promise<void> {
    const w = this.worker;
    if (!w || w.child.exitCode !== null || w.child.signalCode !== null) return;
    const exited = new Promise<void>((r) => w.child.once('exit', () => r()));
    w.child.kill('SIGKILL');
    await exited;
    this.workerKills++;
  }

  async stopWorker(): Promise<void> {
    if (this.worker) await stopChild(this.worker.child);
  }

  /** Stops the dev server and starts it again on the same DB file and ports; returns the downtime. */
  async restartServer(downMs = 0): Promise<number> {
    const t0 = Date.now();
    if (this.server.child) await stopChild(this.server.child);
    if (downMs) await sleep(downMs);
    const srv = await startDevServer(this.server);
    if (!srv.started) throw new Error('dev server port taken during the restart');
    this.server.child = srv.child;
    return Date.now() - t0;
  }

  async close(): Promise<void> {
    await this.stopWorker().catch(() => undefined);
    await this.connection?.close().catch(() => undefined);
    if (this.server?.child) await stopChild(this.server.child).catch(() => undefined);
    await this.sim?.close().catch(() => undefined);
    await this.tdb?.close().catch(() => undefined);
    process.env = this.savedEnv;
  }

  cli(...argv: string[]): Promise<CliResult> {
    return cli(...argv);
  }

  async status(strategyId: string): Promise<StrategyStatus> {
    return this.client.workflow.getHandle(strategyWorkflowId(strategyId)).query<StrategyStatus>('status');
  }

  /** When the simulator received the first POST of this client order id (undefined: not yet). */
  orderPostedAt(clientOrderId: string): number | undefined {
    return this.requests.find((r) => r.method === 'POST' && r.path === '/api/v3/order' && r.clientOrderId === clientOrderId)?.at;
  }

  /** Adds unlock events `inMs` from now (one per symbol given) and returns their ids. */
  async addEvents(prefix: string, items: Array<{ symbol: string; unlockInMs: number }>): Promise<string[]> {
    const now = Date.now();
    const events = items.map((it, i) => unlockEvent(`${prefix}-${i}`, it.symbol, now + it.unlockInMs));
    await insertEvents(this.tdb.db, events);
    return events.map((e) => e.id);
  }
}

/** Simulator prices held flat during the tests. */
export const PRICES: Record<string, string> = { 'BTC/USDT': '60000', 'ETH/USDT': '3000', 'ARB/USDT': '0.8', 'OP/USDT': '1.5', 'APT/USDT': '8', 'SUI/USDT': '1.2' };
export const SYMBOLS = Object.keys(PRICES);

/**
 * A strategy config with compressed durations: entry `entryLead` before the unlock, time exit
 * `exitAfterUnlock` after it, a paper gate that passes after 2 closed trades and `paperPeriod`,
 * wide stop / target (prices are flat: exits are time exits), and risk limits that let many small
 * positions run at once.
 */
export function proofConfig(strategyId: string, over: { entryLead?: string; exitAfterUnlock?: string; paperPeriod?: string; entryTolerance?: string } = {}): StrategyConfigInput {
  return {
    strategyId,
    name: `proof ${strategyId}`,
    exchange: { sandbox: false },
    tokenUnlock: {
      minVolume24hUsd: '0',
      minChange7dPct: '-100',
      entryLead: over.entryLead ?? '5s',
      entryTolerance: over.entryTolerance ?? '90s',
      exitAfterUnlock: over.exitAfterUnlock ?? '5s',
      stopLossPct: '20',
      takeProfitPct: '20',
    },
    sizing: { positionPct: '5' },
    risk: { maxOpenPositions: 50, maxConsecutiveLosses: 1000, maxLatencyMs: 60_000, maxDrawdownPct: '90', weeklyLossPct: '90', monthlyLossPct: '90', maxPositionPct: '20' },
    ladder: {
      PAPER: { riskPerTradePct: '0.5', maxExposurePct: '90', dailyLossPct: '50' },
      LIVE_MINIMAL: { riskPerTradePct: '0.5', maxExposurePct: '90', dailyLossPct: '50' },
    },
    gate: { paperPeriod: over.paperPeriod ?? '3s', minWinRatePct: '0', minSharpe: '-1000000', maxDrawdownPct: '100', minTrades: 2, liveStepPeriod: '1d' },
    timing: { scanInterval: '1s', emergencyCooldown: '1h', tradingDay: '1d' },
  };
}

/**
 * Starts a strategy with the CLI, runs two quick PAPER trades (prices from the simulator through
 * MARKET_DATA=ccxt), waits for the paper gate and approves LIVE_MINIMAL with the CLI.
 */
export async function startAndPromote(stack: ProofStack, strategyId: string, configFile: string): Promise<{ paperEvents: string[]; promotedInMs: number }> {
  const t0 = Date.now();
  const r = await stack.cli('strategy', 'start', configFile);
  if (r.code !== 0) throw new Error(`strategy start failed: ${r.err}`);
  const paperEvents = await stack.addEvents(`${strategyId}-paper`, [
    { symbol: 'ARB/USDT', unlockInMs: 6_000 },
    { symbol: 'OP/USDT', unlockInMs: 6_500 },
  ]);
  await waitFor('the paper gate to pass', () => stack.status(strategyId), (s) => s.gate.awaitingApproval, 60_000, 250);
  const a = await stack.cli('approve', strategyId, '--by', 'proof-tester', '--note', 'paper gate passed');
  if (a.code !== 0) throw new Error(`approve failed: ${a.err}`);
  const st = await stack.status(strategyId);
  if (st.mode !== 'LIVE_MINIMAL') throw new Error(`expected LIVE_MINIMAL, got ${st.mode}`);
  return { paperEvents, promotedInMs: Date.now() - t0 };
}

export interface OrderCheck {
  positionId: string;
  entryAtVenue: number;
  exitAtVenue: number;
  otherAtVenue: number;
  dbRows: number;
  problems: string[];
}

/**
 * One entry and one exit per position at the simulator (by client order id), no other order of
 * the position, and the DB Order rows agree with the simulator's fills.
 */
export async function checkLiveOrders(stack: ProofStack, positionIds: string[]): Promise<OrderCheck[]> {
  const simOrders = stack.sim.orders();
  const out: OrderCheck[] = [];
  for (const pid of positionIds) {
    const entryId = clientOrderIdFor(pid, 'entry');
    const exitId = clientOrderIdFor(pid, 'exit');
    const problems: string[] = [];
    const entries = simOrders.filter((o) => o.clientOrderId === entryId);
    const exits = simOrders.filter((o) => o.clientOrderId === exitId);
    const rows = await stack.tdb.db.order.findMany({ where: { positionId: pid } });
    const others = simOrders.filter((o) => o.clientOrderId.startsWith(pid) && o.clientOrderId !== entryId && o.clientOrderId !== exitId);
    if (entries.length !== 1) problems.push(`${entries.length} entry orders at the venue`);
    if (exits.length !== 1) problems.push(`${exits.length} exit orders at the venue`);
    if (others.length) problems.push(`${others.length} other orders at the venue: ${others.map((o) => o.clientOrderId).join(',')}`);
    if (rows.length !== 2) problems.push(`${rows.length} DB order rows (${rows.map((r) => r.clientOrderId).join(',')})`);
    for (const so of [...entries, ...exits]) {
      const row = rows.find((r) => r.clientOrderId === so.clientOrderId);
      if (!row) {
        problems.push(`no DB row for ${so.clientOrderId}`);
        continue;
      }
      const exec = d(so.executedQty);
      const avg = exec.gt(0) ? d(so.cummulativeQuoteQty).div(exec) : d(0);
      if (row.status !== so.status.replace('NEW', 'OPEN')) problems.push(`${so.clientOrderId}: DB status ${row.status} vs venue ${so.status}`);
      if (!d(row.filledAmount.toString()).eq(exec)) problems.push(`${so.clientOrderId}: DB filled ${row.filledAmount} vs venue ${so.executedQty}`);
      if (exec.gt(0) && (!row.avgPrice || d(row.avgPrice.toString()).minus(avg).abs().gt(avg.times('1e-8')))) problems.push(`${so.clientOrderId}: DB avg ${row.avgPrice} vs venue ${avg.toString()}`);
      if (row.exchangeOrderId !== String(so.orderId)) problems.push(`${so.clientOrderId}: DB exchange id ${row.exchangeOrderId} vs venue ${so.orderId}`);
    }
    out.push({ positionId: pid, entryAtVenue: entries.length, exitAtVenue: exits.length, otherAtVenue: others.length, dbRows: rows.length, problems });
  }
  return out;
}

/** The same for PAPER positions: the paper venue's own order table (PaperVenueOrder). */
export async function checkPaperOrders(stack: ProofStack, positionIds: string[]): Promise<OrderCheck[]> {
  const venue = await stack.tdb.db.paperVenueOrder.findMany();
  const out: OrderCheck[] = [];
  for (const pid of positionIds) {
    const entryId = clientOrderIdFor(pid, 'entry');
    const exitId = clientOrderIdFor(pid, 'exit');
    const problems: string[] = [];
    const mine = venue.filter((v) => v.clientOrderId.startsWith(pid));
    const rows = await stack.tdb.db.order.findMany({ where: { positionId: pid } });
    const entries = mine.filter((v) => v.clientOrderId === entryId);
    const exits = mine.filter((v) => v.clientOrderId === exitId);
    if (entries.length !== 1) problems.push(`${entries.length} paper entry orders`);
    if (exits.length !== 1) problems.push(`${exits.length} paper exit orders`);
    if (mine.length !== entries.length + exits.length) problems.push(`other paper orders: ${mine.map((m) => m.clientOrderId).join(',')}`);
    if (rows.length !== 2) problems.push(`${rows.length} DB order rows`);
    for (const v of [...entries, ...exits]) {
      const o = JSON.parse(v.orderJson) as { status: string; filledAmount: string; avgPrice: string };
      const row = rows.find((r) => r.clientOrderId === v.clientOrderId);
      if (!row) {
        problems.push(`no DB row for ${v.clientOrderId}`);
        continue;
      }
      if (row.status !== o.status) problems.push(`${v.clientOrderId}: DB status ${row.status} vs paper venue ${o.status}`);
      if (!d(row.filledAmount.toString()).eq(d(o.filledAmount))) problems.push(`${v.clientOrderId}: DB filled ${row.filledAmount} vs paper venue ${o.filledAmount}`);
      if (d(o.filledAmount).gt(0) && !d(row.avgPrice?.toString() ?? "0").eq(d(o.avgPrice))) problems.push(`${v.clientOrderId}: DB avg ${row.avgPrice} vs paper venue ${o.avgPrice}`);
    }
    out.push({ positionId: pid, entryAtVenue: entries.length, exitAtVenue: exits.length, otherAtVenue: mine.length - entries.length - exits.length, dbRows: rows.length, problems });
  }
  return out;
}

/** Position workflows' statuses (via describe: works whether running or closed). */
export async function positionStatuses(stack: ProofStack, positionIds: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const id of positionIds) {
    const desc = await stack.client.workflow.getHandle(id).describe();
    out[id] = desc.status.name;
  }
  return out;
}

export function table(rows: Array<Record<string, string | number>>): string {
  if (!rows.length) return '(none)';
  const cols = Object.keys(rows[0]!);
  const w = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c] ?? '').length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(w[i]!)).join('  ');
  return [line(cols), line(w.map((n) => '-'.repeat(n))), ...rows.map((r) => line(cols.map((c) => String(r[c] ?? ''))))].join('\n');
}

/**
 * Where each position is in its life, from the DB and the venue (no workflow query: queries would wait
 * for the worker). waiting → entering (entry checked) → entry in flight (row PENDING_SUBMIT; "held at
 * venue" when the simulator has the request but has not answered) → open → exit in flight → closed.
 */
export async function stageOf(stack: ProofStack, positionIds: string[]): Promise<Record<string, string>> {
  const db = stack.tdb.db;
  const [positions, orders, signals] = await Promise.all([
    db.position.findMany({ where: { id: { in: positionIds } } }),
    db.order.findMany({ where: { positionId: { in: positionIds } } }),
    db.tradingSignal.findMany({ where: { id: { in: positionIds.map((id) => `${id}:entry`) } } }),
  ]);
  const simIds = new Set(stack.sim.orders().map((o) => o.clientOrderId));
  const held = (cid: string) => stack.orderPostedAt(cid) !== undefined && !simIds.has(cid);
  const out: Record<string, string> = {};
  for (const id of positionIds) {
    const p = positions.find((x) => x.id === id);
    const entry = orders.find((o) => o.positionId === id && o.purpose === 'entry');
    const exit = orders.find((o) => o.positionId === id && o.purpose !== 'entry');
    if (p && p.status !== 'OPEN') out[id] = p.status.toLowerCase();
    else if (exit && exit.status === 'PENDING_SUBMIT') out[id] = held(exit.clientOrderId) ? 'exit held at venue' : 'exit in flight';
    else if (exit) out[id] = 'exit done';
    else if (p) out[id] = 'open';
    else if (entry && entry.status === 'PENDING_SUBMIT') out[id] = held(entry.clientOrderId) ? 'entry held at venue' : 'entry in flight';
    else if (entry) out[id] = 'entry done';
    else if (signals.some((s) => s.id === `${id}:entry`)) out[id] = 'entering';
    else out[id] = 'waiting';
  }
  return out;
}

/** Holds an EXCLUSIVE lock on a SQLite file from another process (another connection) for `ms`. */
export async function holdSqliteLock(file: string, ms: number): Promise<{ lockedAt: number; released: Promise<number> }> {
  const py = `import sqlite3,time\nc=sqlite3.connect(${JSON.stringify(file)},isolation_level=None,timeout=30)\nc.execute('begin exclusive')\nprint('locked',flush=True)\ntime.sleep(${ms / 1000})\nc.execute('rollback')\n`;
  const child = spawn('python3', ['-c', py], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((r) => child.stdout!.once('data', r));
  return { lockedAt: Date.now(), released: new Promise((r) => child.once('exit', () => r(Date.now()))) };
}

/** Activity retries in a workflow's history: Σ (attempt − 1) over started activities, by activity type. */
export async function activityRetries(stack: ProofStack, workflowId: string): Promise<Record<string, number>> {
  const h = await stack.client.workflow.getHandle(workflowId).fetchHistory();
  const types = new Map<string, string>();
  const out: Record<string, number> = {};
  for (const e of h.events ?? []) {
    const sched = e.activityTaskScheduledEventAttributes;
    if (sched) types.set(String(e.eventId), sched.activityType?.name ?? '?');
    const started = e.activityTaskStartedEventAttributes;
    if (started && (started.attempt ?? 1) > 1) {
      const t = types.get(String(started.scheduledEventId)) ?? '?';
      out[t] = (out[t] ?? 0) + (started.attempt! - 1);
    }
  }
  return out;
}
