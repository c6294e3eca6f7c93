/**
 * One benchmark stack: a fresh file-backed Temporal dev server (free ports, temp dir), a fresh migrated
 * SQLite app DB, the Binance-spot simulator (in this process, flat prices) and ONE trading worker
 * spawned as a child process exactly as production runs it (`node --require tsx/cjs workers/main.ts`), so
 * its memory can be read from /proc/<pid>/status (VmRSS, VmHWM) every 200 ms.
 *
 * Only processes started here are stopped here, by their own handles.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, statSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startDevServerOnFreePorts, stopChild } from '../../scripts/lib/dev-server';
import { devServerTuningEnabled } from '../../scripts/lib/dev-server-tuning';
import { getWorkflowBundle } from '../../workers/bundle';
import { startSimulator, type Simulator } from '../../simulator/server';
import { createDb, type Db } from '../../db/client';
import { parseDatabaseUrl } from '../../db/url';
import { freePort, log, sleep, waitFor } from './util';
import { baseChildEnv } from '../../test/helpers/child-env';
import { WORKER_TS_LOADER, workerProcessEnv } from '../../workers/process-env';

export const ROOT = join(__dirname, '..', '..');
export const SYMBOLS = ['BTC/USDT', 'ETH/USDT', 'ARB/USDT', 'OP/USDT', 'APT/USDT', 'SUI/USDT'];
/** flat prices: stop-loss / take-profit never fire, fills are deterministic */
export const PRICES: Record<string, string> = { 'BTC/USDT': '60000', 'ETH/USDT': '3000', 'ARB/USDT': '0.8', 'OP/USDT': '1.6', 'APT/USDT': '6.5', 'SUI/USDT': '1.2' };

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of a process in ms (from /proc/<pid>/stat), or null when it is gone. */
export function cpuMs(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
  } catch {
    return null;
  }
}

/** VmRSS and VmHWM in kB. */
export function memKb(pid: number | undefined): { rss: number; hwm: number } | null {
  if (!pid) return null;
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const get = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? NaN);
    return { rss: get('VmRSS'), hwm: get('VmHWM') };
  } catch {
    return null;
  }
}

export function loadavg(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'n/a';
  }
}

/**
 * Samples the VmRSS / VmHWM of one or more processes every `everyMs`, summed (a split worker: its
 * workflow and its activity process). The summed VmHWM is the sum of each process's own peak: an
 * upper bound of the peak of the sum.
 */
export class MemSampler {
  peakRss = 0;
  hwm = 0;
  samples = 0;
  last: { rss: number; hwm: number } | null = null;
  /** the last sample of each process */
  each: Array<{ pid: number; rss: number; hwm: number }> = [];
  private timer?: NodeJS.Timeout;
  constructor(
    private readonly pids: number[],
    everyMs = 200,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
    this.timer.unref();
  }
  sample(): { rss: number; hwm: number } | null {
    const each = this.pids.map((pid) => ({ pid, m: memKb(pid) }));
    if (each.some((e) => !e.m)) return null;
    this.each = each.map((e) => ({ pid: e.pid, ...e.m! }));
    const m = { rss: this.each.reduce((a, e) => a + e.rss, 0), hwm: this.each.reduce((a, e) => a + e.hwm, 0) };
    this.samples++;
    this.last = m;
    if (m.rss > this.peakRss) this.peakRss = m.rss;
    if (m.hwm > this.hwm) this.hwm = m.hwm;
    return m;
  }
  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}

export interface StackOptions {
  name: string;
  /** ccxt limiter override for the worker (EXCHANGE_RATE_LIMIT_MS); undefined = ccxt's defaults for binance */
  rateLimitMs?: number;
  apiKey: string;
  secret: string;
  /** start the worker with `--heapsnapshot-signal=SIGUSR2` writing into this folder (heapSnapshot()) */
  heapSnapshotDir?: string;
  /** the worker's WORKER_MAX_CACHED_WORKFLOWS (undefined / 0: the worker's default, config/env.ts) */
  maxCachedWorkflows?: number;
  /** extra environment of the worker process (e.g. MALLOC_ARENA_MAX), for memory experiments */
  workerEnvExtra?: Record<string, string>;
  /** two worker processes on the task queue: WORKER_ROLE=workflows and WORKER_ROLE=activities */
  splitWorker?: boolean;
  /** extra node flags of the worker process (e.g. V8 heap sizing), for memory experiments */
  workerNodeFlags?: string[];
  /** the dev server's tuned settings (scripts/lib/dev-server-tuning.ts); default: as the environment says */
  tunedServer?: boolean;
}

export class BenchStack {
  dir!: string;
  server!: { port: number; uiPort: number; httpPort: number; dbFile: string; logFile: string; child?: ChildProcess };
  sim!: Simulator;
  db!: Db;
  dbUrl!: string;
  connection!: Connection;
  client!: Client;
  /** the worker process (the workflow process when split) */
  worker?: ChildProcess;
  /** every worker process: one, or the workflow and the activity process */
  workers: ChildProcess[] = [];
  workerMem?: MemSampler;
  workerLogFile!: string;
  private workerLog?: WriteStream;
  private workerOut = '';
  readonly taskQueue: string;
  /** whether the dev server runs the tuned settings */
  get tuned(): boolean {
    return this.o.tunedServer ?? devServerTuningEnabled();
  }
  /** worker VmRSS right after it polls (idle, nothing cached) */
  idleRssKb: number | null = null;

  constructor(readonly o: StackOptions) {
    this.taskQueue = `bench-${o.name}-${process.pid}`;
  }

  async start(): Promise<void> {
    this.dir = mkdtempSync(join(tmpdir(), `bench-${this.o.name}-`));
    this.dbUrl = `file:${join(this.dir, 'app.db')}`;
    execFileSync('bash', [join(ROOT, 'scripts', 'prisma.sh'), 'migrate', 'deploy'], { cwd: ROOT, env: { ...process.env, DATABASE_URL: this.dbUrl }, stdio: 'pipe' });
    this.db = createDb(parseDatabaseUrl(this.dbUrl));
    const [sim] = await Promise.all([
      startSimulator({
        port: 0,
        seed: 11,
        symbols: SYMBOLS,
        matchIntervalMs: 200,
        accounts: [{ apiKey: this.o.apiKey, secret: this.o.secret, balances: { USDT: '100000000', BTC: '100', ETH: '1000', ARB: '10000000', OP: '10000000', APT: '1000000', SUI: '10000000' } }],
      }),
      getWorkflowBundle(),
    ]);
    this.sim = sim;
    for (const [s, p] of Object.entries(PRICES)) sim.setPrice(s, p);
    const { opts, server: srv } = await startDevServerOnFreePorts(freePort, (n) => ({ dbFile: join(this.dir, `temporal-${n}.db`), logFile: join(this.dir, `temporal-${n}.log`), tuned: this.tuned }));
    this.server = { ...opts, child: srv.child };
    this.connection = await Connection.connect({ address: `127.0.0.1:${opts.port}`, connectTimeout: '10s' });
    await this.connection.workflowService.getSystemInfo({});
    this.client = new Client({ connection: this.connection, namespace: 'default' });
    log(`${this.o.name}: dev server (${this.tuned ? 'tuned' : 'default'} settings) 127.0.0.1:${this.server.port} (db ${this.server.dbFile}), simulator ${sim.url}, app db ${this.dbUrl}`);
  }

  workerEnv(): NodeJS.ProcessEnv {
    return {
      ...baseChildEnv(),
      // as production starts it (workers/process-env.ts); --worker-env overrides
      ...workerProcessEnv(),
      TEMPORAL_ADDRESS: `127.0.0.1:${this.server.port}`,
      TEMPORAL_NAMESPACE: 'default',
      DATABASE_URL: this.dbUrl,
      TRADER_TASK_QUEUE: this.taskQueue,
      EXCHANGE_URL_OVERRIDE: this.sim.url,
      EXCHANGE_SANDBOX: 'false',
      EXCHANGE_API_KEY: this.o.apiKey,
      EXCHANGE_SECRET: this.o.secret,
      MARKET_DATA: 'ccxt',
      // unset: the worker's own default (config/env.ts)
      ...(this.o.maxCachedWorkflows ? { WORKER_MAX_CACHED_WORKFLOWS: String(this.o.maxCachedWorkflows) } : {}),
      WORKER_MAX_CONCURRENT_ACTIVITIES: '2000',
      WORKER_SHUTDOWN_GRACE_MS: '2000',
      ...(this.o.rateLimitMs !== undefined ? { EXCHANGE_RATE_LIMIT_MS: String(this.o.rateLimitMs) } : {}),
    };
  }

  /** workerEnv() plus the experiment's --worker-env (an empty value unsets: `MALLOC_ARENA_MAX=` = glibc's default) */
  workerSpawnEnv(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...this.workerEnv(), ...this.o.workerEnvExtra, ...(this.o.heapSnapshotDir ? { HEAP_PROBE_DIR: this.o.heapSnapshotDir } : {}) };
    for (const [k, v] of Object.entries(env)) if (v === '') delete env[k];
    return env;
  }

  async startWorker(): Promise<void> {
    this.workerLogFile = join(this.dir, 'worker.log');
    this.workerLog = createWriteStream(this.workerLogFile, { flags: 'a' });
    if (this.o.heapSnapshotDir) mkdirSync(this.o.heapSnapshotDir, { recursive: true });
    const roles = this.o.splitWorker ? (['workflows', 'activities'] as const) : (['all'] as const);
    for (const role of roles) this.workers.push(await this.spawnWorker(role));
    this.worker = this.workers[0];
    this.workerMem = new MemSampler(this.workers.map((w) => w.pid!), 200);
    await sleep(1000);
    this.idleRssKb = this.workerMem.sample()?.rss ?? null;
    log(`${this.o.name}: worker pid(s) ${this.workers.map((w, i) => `${w.pid} (${roles[i]})`).join(', ')} polling "${this.taskQueue}", idle RSS ${this.memText()} (log ${this.workerLogFile})`);
  }

  /** the sampled RSS, per process when split */
  memText(): string {
    const m = this.workerMem;
    if (!m?.last) return '?';
    const mb = (kb: number) => `${Math.round(kb / 1024)} MiB`;
    return m.each.length > 1 ? `${mb(m.last.rss)} = ${m.each.map((e) => mb(e.rss)).join(' + ')}` : mb(m.last.rss);
  }

  private async spawnWorker(role: 'all' | 'workflows' | 'activities'): Promise<ChildProcess> {
    const snap = this.o.heapSnapshotDir ? ['--require', join(__dirname, 'heap-probe.cjs')] : [];
    // mem-probe.cjs: the main thread's heap in the worker log every 5 s (and MEM_PROBE_THREAD_LIMITS)
    const child = spawn(process.execPath, [...(this.o.workerNodeFlags ?? []), '--require', join(__dirname, 'mem-probe.cjs'), ...snap, ...WORKER_TS_LOADER, 'workers/main.ts'], { cwd: ROOT, env: { ...this.workerSpawnEnv(), WORKER_ROLE: role }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const onData = (b: Buffer) => {
      this.workerLog?.write(b);
      if (out.length < 20_000) out += b.toString('utf8');
      if (this.workerOut.length < 20_000) this.workerOut += b.toString('utf8');
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    await waitFor(
      `the ${role} worker to poll`,
      () => {
        if (child.exitCode !== null) throw new Error(`worker (${role}) exited ${child.exitCode}: ${out.slice(-2000)}`);
        return out;
      },
      (o) => /worker polling task queue/.test(o),
      90_000,
      100,
    ).catch((e) => {
      child.kill('SIGKILL');
      throw e;
    });
    return child;
  }

  /**
   * Writes heap snapshots of the worker's main thread and of each workflow thread (heap-probe.cjs;
   * needs heapSnapshotDir), renamed `<label>-<thread>.heapsnapshot`. The worker stops for the seconds
   * it takes and its VmHWM grows: figures measured after a snapshot are not comparable with runs
   * without one.
   */
  async heapSnapshot(label: string): Promise<string[]> {
    const dir = this.o.heapSnapshotDir;
    if (!dir || !this.worker?.pid) return [];
    const before = new Set(readdirSync(dir));
    this.worker.kill('SIGUSR2');
    const done = await waitFor('the heap snapshots', () => readdirSync(dir).find((f) => f.startsWith('done-') && !before.has(f)), (f) => !!f, 300_000, 500);
    const files = JSON.parse(readFileSync(join(dir, done!), 'utf8')) as Array<{ file?: string; thread?: string; error?: string }>;
    const out: string[] = [];
    for (const f of files) {
      if (!f.file) throw new Error(`heap snapshot failed: ${f.error}`);
      const named = join(dir, `${label}-${f.file.split('/').pop()!.split('-')[0]}.heapsnapshot`);
      renameSync(f.file, named);
      out.push(named);
    }
    renameSync(join(dir, done!), join(dir, `${label}-memory.json`));
    log(`${this.o.name}: heap snapshots ${out.map((f) => `${f} (${Math.round(statSync(f).size / 1024 / 1024)} MB)`).join(', ')}`);
    return out;
  }

  workerAlive(): boolean {
    return this.workers.length > 0 && this.workers.every((w) => w.exitCode === null && w.signalCode === null);
  }

  /** cumulative CPU ms of the worker, the dev server and this process, at wall time `at` */
  cpu(): { at: number; worker: number | null; server: number | null; bench: number } {
    const u = process.cpuUsage();
    return { at: Date.now(), worker: this.workers.length ? this.workers.reduce<number | null>((a, w) => (a === null ? null : ((c) => (c === null ? null : a + c))(cpuMs(w.pid))), 0) : null, server: cpuMs(this.server.child?.pid), bench: (u.user + u.system) / 1000 };
  }

  async stop(): Promise<void> {
    this.workerMem?.stop();
    for (const w of this.workers) await stopChild(w).catch(() => undefined);
    this.workerLog?.end();
    await this.connection?.close().catch(() => undefined);
    await this.sim?.close().catch(() => undefined);
    await this.db?.$disconnect().catch(() => undefined);
    if (this.server?.child) await stopChild(this.server.child).catch(() => undefined);
  }
}
