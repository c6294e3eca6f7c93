/**
 * Issue 17, defects 9 and 12, on the real main job (`npm run demo` = scripts/main-job.ts) against a
 * throwaway dev server:
 *  - the worker killed with SIGKILL: the exchange simulator keeps answering with the same market, and the
 *    job restarts the worker (a new pid) while the strategy carries on;
 *  - the simulator killed with SIGKILL: the job restarts it on the same port, same market;
 *  - the whole job stopped (Ctrl-C) and started again: its simulator continues the same market (it used
 *    to draw a new seed from the clock on every start: ARB entered at 9.35, exited at 1.12);
 *  - the restarted worker opens the strategy's positions against the restarted exchange;
 *  - the job's own lines are the narration only; the worker's records are in data-dir/demo-worker.log;
 *  - the job killed with SIGKILL: its children stop as well (no orphan holding the simulator's port).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDevServerOnFreePorts, stopChild, type startDevServer } from '../../scripts/lib/dev-server';
import { portTaken } from '../../scripts/lib/ports';
import { freePort } from '../helpers/ports';
import { waitFor } from '../helpers/wait';

const ROOT = join(__dirname, '..', '..');
const MIN = 60_000;

let server: Awaited<ReturnType<typeof startDevServer>>;
let dataDir: string;
let simPort: number;
const jobs: ChildProcess[] = [];

interface Job {
  proc: ChildProcess;
  out: () => string;
}

function startJob(): Job {
  const env = {
    ...process.env,
    TEMPORAL_ADDRESS: server.address,
    DATABASE_URL: `file:${join(dataDir, 'app.db')}`,
    SIM_PORT: String(simPort),
    TRADER_TASK_QUEUE: 'demo-restart',
    EXCHANGE_URL_OVERRIDE: '',
    EXCHANGE_API_KEY: '',
  };
  delete (env as NodeJS.ProcessEnv).MARKET_DATA;
  const proc = spawn(process.execPath, ['--import', 'tsx', 'scripts/main-job.ts', '--data-dir', dataDir, '--events', '2'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  jobs.push(proc);
  let out = '';
  proc.stdout!.on('data', (b) => (out += b));
  proc.stderr!.on('data', (b) => (out += b));
  return { proc, out: () => out };
}

/** the first capture of `re` in the job's output, once it is there */
async function said(job: Job, re: RegExp, ms = 120_000): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    const m = re.exec(job.out());
    if (m) return m[1] ?? m[0];
    if (job.proc.exitCode !== null || Date.now() > deadline) throw new Error(`the job did not say ${re}${job.proc.exitCode !== null ? ` (it exited with ${job.proc.exitCode})` : ''}:\n${job.out().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** ARB/USDT 1 m candles [open time, open, high, low, close] from `from`: the market at fixed past times */
async function market(from: number): Promise<string[][]> {
  const r = await fetch(`http://127.0.0.1:${simPort}/api/v3/klines?symbol=ARBUSDT&interval=1m&startTime=${from}&limit=10`);
  return ((await r.json()) as unknown[][]).map((row) => row.slice(0, 5).map(String));
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'demo-restart-'));
  dataDir = join(dir, 'data');
  simPort = await freePort();
  server = (await startDevServerOnFreePorts(freePort, (n) => ({ dbFile: join(dir, `temporal-${n}.db`), logFile: join(dir, `server-${n}.log`) }))).server;
}, 120_000);

afterAll(async () => {
  for (const j of jobs) await stopChild(j, 'SIGINT');
  await server?.stop();
});

test('a killed worker is restarted and the exchange keeps its market; a restarted simulator or job continues the same market', async () => {
  const from = Math.floor(Date.now() / MIN) * MIN - 20 * MIN;
  const job = startJob();
  await said(job, /started strategy "demo"/, 180_000);
  const simPid = Number(await said(job, /exchange simulator on http:\/\/127\.0\.0\.1:\d+ \(pid (\d+)/));
  const workerPid = Number(await said(job, /worker polling "demo-restart" \(pid (\d+)\)/));
  const before = await market(from);
  expect(before).toHaveLength(10);

  // the worker dies: the exchange does not go with it, same market
  process.kill(workerPid, 'SIGKILL');
  await waitFor('the worker to be gone', () => alive(workerPid), (a) => !a);
  expect(alive(simPid)).toBe(true);
  expect(await market(from)).toEqual(before);
  const newWorker = Number(await said(job, /the worker is back \(pid (\d+)\)/));
  expect(newWorker).not.toBe(workerPid);
  expect(alive(newWorker)).toBe(true);

  // the simulator dies: restarted on the same port with the same seed and state, same market
  process.kill(simPid, 'SIGKILL');
  const newSim = Number(await said(job, /the exchange simulator is back \(pid (\d+)\)/));
  expect(newSim).not.toBe(simPid);
  expect(await market(from)).toEqual(before);
  // the restarted worker trades the strategy against the restarted exchange
  await said(job, /\] (opened (ARB|OP)\/USDT: )/, 180_000);

  // the trader's lines are the narration; the worker's records are in its log file
  const lines = job.out().split('\n').filter((l) => l.trim() !== '');
  const narration = lines.filter((l) => l.startsWith('[demo '));
  const links = lines.filter((l) => /^ {2}\S/.test(l));
  expect(lines.length).toBe(narration.length + links.length);
  expect(job.out()).not.toMatch(/sdkComponent|\[INFO\]|INFO /);
  expect(narration.filter((l) => / its log: /.test(l))).toHaveLength(1);
  const workerLog = join(dataDir, 'demo-worker.log');
  expect(existsSync(workerLog)).toBe(true);
  expect(readFileSync(workerLog, 'utf8').match(/worker polling task queue "demo-restart"/g)?.length).toBe(2);

  // Ctrl-C: everything stops, the port is free again
  job.proc.kill('SIGINT');
  const code = await new Promise<number | null>((r) => job.proc.once('exit', (c) => r(c)));
  expect(code).toBe(0);
  expect(job.out()).toMatch(/stopped\. Run `npm run demo` again to resume\./);
  expect(alive(newWorker) || alive(newSim)).toBe(false);
  expect(await portTaken(simPort)).toBe(false);

  // run it again: the same durable strategy, the same market
  const again = startJob();
  await said(again, /strategy "demo" is already running: resuming its durable state/, 180_000);
  expect(await market(from)).toEqual(before);

  // the job itself killed with SIGKILL: its children stop too, no orphan keeps the port for the next demo
  const children = [Number(await said(again, /exchange simulator on \S+ \(pid (\d+)/)), Number(await said(again, /worker polling "demo-restart" \(pid (\d+)\)/))];
  again.proc.kill('SIGKILL');
  await waitFor('the children of a killed job to stop', () => children.filter(alive), (a) => a.length === 0, 60_000);
  expect(await portTaken(simPort)).toBe(false);
}, 600_000);
