/**
 * CLI against a real dev server (in memory, random port; updates need real time) with a trading
 * worker in this process: start / duplicate / list / status / positions, every control through its
 * update (refusals come back with the reason) and through --no-wait signals, unknown ids, stop, and
 * health with everything up (exchange = the local simulator).
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localDevEnv } from '../helpers/temporal';
import { freshSqliteDb, type TestDb } from '../helpers/db';
import { scriptedMarket, tradingWorker } from '../helpers/trading';
import { startSimulator, type Simulator } from '../../simulator/server';
import { StrategyIdKey, StrategyStateKey, TradingModeKey } from '../../workflows/search-attributes';
import type { StrategyStatus } from '../../workflows/strategy/api';
import { cli, cliAs, expectOneLineError } from './helpers';

const TQ = 'cli-test';
let env: TestWorkflowEnvironment;
let tdb: TestDb;
let worker: Worker;
let running: Promise<void>;
let sim: Simulator;
let dir: string;
const saved = { ...process.env };

beforeAll(async () => {
  [env, tdb, sim] = await Promise.all([localDevEnv(), freshSqliteDb(), startSimulator({ port: 0 })]);
  dir = mkdtempSync(join(tmpdir(), 'cli-temporal-'));
  Object.assign(process.env, { TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: 'default', DATABASE_URL: tdb.url, TRADER_TASK_QUEUE: TQ, TEMPORAL_UI_URL: 'http://ui.test:8233' });
  delete process.env.EXCHANGE_API_KEY;
  delete process.env.EXCHANGE_URL_OVERRIDE;
  ({ worker } = await tradingWorker(env, tdb.db, { taskQueue: TQ, paperMarket: scriptedMarket().market }));
  running = worker.run();
}, 120_000);
afterAll(async () => {
  process.env = saved;
  if (worker) {
    worker.shutdown();
    await running.catch(() => undefined);
  }
  await sim?.close();
  await tdb?.close();
  await env?.teardown();
});

function configFile(name: string, config: object): string {
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify(config));
  return p;
}
const CONFIG = { strategyId: 'cli-a', name: 'CLI test', timing: { emergencyCooldown: '1h' } };

async function status(id: string): Promise<StrategyStatus> {
  const r = await cli('strategy', 'status', id, '--json');
  expect(r.code).toBe(0);
  return JSON.parse(r.out) as StrategyStatus;
}
async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('malformed config: exit 1 naming the field, no workflow started', async () => {
  const r = await cli('strategy', 'start', configFile('bad.json', { strategyId: 'cli-bad', capital: { initial: 'lots' } }));
  expectOneLineError(r, /invalid strategy config .*bad\.json: capital\.initial: capital\.initial must be a decimal number/);
  const list = await cli('strategy', 'list', '--json');
  expect(list.code).toBe(0);
  expect((JSON.parse(list.out) as Array<{ id: string }>).map((s) => s.id)).not.toContain('cli-bad');
  await expect(env.client.workflow.getHandle('strategy-cli-bad').describe()).rejects.toThrow(/not found/i);
});

test('start: search attributes, memo, Web UI link, next commands; a duplicate is refused', async () => {
  const file = configFile('a.json', CONFIG);
  const r = await cli('strategy', 'start', file);
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/started strategy cli-a \(CLI test\): workflow strategy-cli-a, run \S+, task queue cli-test, mode PAPER/);
  expect(r.out).toContain('Web UI: http://ui.test:8233/namespaces/default/workflows/strategy-cli-a');
  expect(r.out).toMatch(/unlock-trader approve cli-a --by <name>/);
  const desc = await env.client.workflow.getHandle('strategy-cli-a').describe();
  expect(desc.taskQueue).toBe(TQ);
  expect(desc.typedSearchAttributes.get(StrategyIdKey)).toBe('cli-a');
  expect(desc.typedSearchAttributes.get(TradingModeKey)).toBe('PAPER');
  expect(desc.typedSearchAttributes.get(StrategyStateKey)).toBe('RUNNING');
  expect(desc.memo).toEqual({ strategyName: 'CLI test', strategyType: 'token-unlock' });

  expectOneLineError(await cli('strategy', 'start', file), 'error: strategy cli-a is already running (workflow strategy-cli-a)');

  const list = await eventually(
    () => cli('strategy', 'list', '--json').then((x) => JSON.parse(x.out) as Array<{ id: string; mode: string; state: string; status: string }>),
    (rows) => rows.some((x) => x.id === 'cli-a'),
  );
  expect(list.find((x) => x.id === 'cli-a')).toMatchObject({ mode: 'PAPER', state: 'RUNNING', status: 'RUNNING' });
  expect((await cli('strategy', 'list')).out).toMatch(/cli-a\s+PAPER\s+RUNNING\s+RUNNING\s+\d{4}-/);
});

test('status and positions', async () => {
  const st = await status('cli-a');
  expect(st).toMatchObject({ strategyId: 'cli-a', mode: 'PAPER', state: 'RUNNING', openPositions: 0, emergency: null, gate: { kind: 'PAPER', result: null, nextMode: 'LIVE_MINIMAL' } });
  const text = (await cli('strategy', 'status', 'cli-a')).out;
  expect(text).toMatch(/^mode\s+PAPER since/m);
  expect(text).toMatch(/^gate\s+paper gate → LIVE_MINIMAL: not evaluated yet; evaluates at/m);
  expect(text).toMatch(/^limits\s+risk\/trade 0\.5 % · max exposure 20 % · daily loss 5 %/m);
  expect(text).toMatch(/^risk\s+equity 10000/m);

  const pos = await cli('positions', 'cli-a', '--json');
  expect(pos.code).toBe(0);
  expect(JSON.parse(pos.out)).toEqual({ strategyId: 'cli-a', open: [], closed: [], totalRealizedPnl: '0' });
  expect((await cli('positions', 'cli-a')).out).toMatch(/open positions \(0\)[\s\S]*closed positions \(0\), realized P&L 0/);
});

test('unknown strategy id', async () => {
  const msg = 'error: no strategy "ghost" (workflow strategy-ghost not found)';
  for (const argv of [
    ['strategy', 'status', 'ghost'],
    ['positions', 'ghost'],
    ['approve', 'ghost'],
    ['reject', 'ghost'],
    ['pause', 'ghost'],
    ['resume', 'ghost'],
    ['emergency-stop', 'ghost', '--reason', 'x'],
    ['limits', 'ghost', '--set', 'risk.maxOpenPositions=2'],
    ['stop', 'ghost'],
    ['pause', 'ghost', '--no-wait'],
  ]) {
    const r = await cli(...argv);
    expect({ argv, err: r.err, code: r.code }).toEqual({ argv, err: msg + '\n', code: 1 });
  }
});

test('approval and rejection are refused with the reason (the paper gate has not run)', async () => {
  const r = await cliAs('alice', 'approve', 'cli-a', '--by', 'alice', '--note', 'too early');
  expectOneLineError(r, /^error: approval refused: the gate for LIVE_MINIMAL has not been evaluated yet: it runs at \d{4}-/);
  expectOneLineError(await cliAs('alice', 'reject', 'cli-a', '--by', 'alice'), 'error: rejection refused: no promotion is waiting for approval');
  expect((await status('cli-a')).mode).toBe('PAPER');
});

test('pause / resume round trip, refusals, limits', async () => {
  let r = await cli('pause', 'cli-a', '--by', 'ops', '--reason', 'maintenance');
  expect(r).toMatchObject({ code: 0, out: 'strategy cli-a is PAUSED (mode PAPER)\n' });
  expectOneLineError(await cli('pause', 'cli-a'), 'error: pause refused: already paused');
  expect((await status('cli-a')).state).toBe('PAUSED');
  r = await cliAs('ops', 'resume', 'cli-a', '--by', 'ops');
  expect(r).toMatchObject({ code: 0, out: 'strategy cli-a is RUNNING (mode PAPER)\n' });
  expectOneLineError(await cliAs('ops', 'resume', 'cli-a', '--by', 'ops'), 'error: resume refused: not paused');

  r = await cli('limits', 'cli-a', '--set', 'risk.maxOpenPositions=3', '--set', 'ladder.PAPER.riskPerTradePct=0.25', '--by', 'ops');
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/limits updated for strategy cli-a: .* risk\/trade 0\.25 %/);
  expect((await status('cli-a')).limits.riskPerTradePct).toBe('0.25');

  const alerts = JSON.parse((await cli('alerts', '--strategy', 'cli-a', '--json')).out) as Array<{ kind: string; message: string }>;
  expect(alerts.map((a) => a.kind)).toEqual(expect.arrayContaining(['PAUSED', 'RESUMED', 'LIMITS_UPDATED']));
  expect(alerts.find((a) => a.kind === 'PAUSED')!.message).toMatch(/paused by ops: maintenance/);
});

test('--no-wait sends the signal; a refused signal shows as the last refusal', async () => {
  let r = await cli('pause', 'cli-a', '--no-wait');
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/sent signal "pause" to strategy-cli-a/);
  expect((await eventually(() => status('cli-a'), (s) => s.state === 'PAUSED')).state).toBe('PAUSED');
  r = await cli('pause', 'cli-a', '--no-wait');
  expect(r.code).toBe(0);
  const st = await eventually(() => status('cli-a'), (s) => s.lastRefusal?.command === 'pause');
  expect(st.lastRefusal).toMatchObject({ command: 'pause', reason: 'already paused' });
  expect((await cli('strategy', 'status', 'cli-a')).out).toMatch(/^last refusal\s+\S+ pause: already paused/m);
  expect((await cliAs('ops', 'resume', 'cli-a', '--by', 'ops')).code).toBe(0);
});

test('emergency stop round trip: stop, refused twice, resume refused during the cooldown', async () => {
  const r = await cli('emergency-stop', 'cli-a', '--reason', 'operator drill', '--by', 'bob');
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/strategy cli-a is in EMERGENCY_STOP: 0 exit order\(s\) dispatched, 0 acknowledged by the venue; 0 of 0 position\(s\) told to exit; cooldown until \d{4}-/);
  expect(r.out).toMatch(/progress of the exits: unlock-trader strategy status cli-a/);
  expectOneLineError(await cli('emergency-stop', 'cli-a', '--reason', 'again'), 'error: emergency stop refused: already in EMERGENCY_STOP');
  expectOneLineError(await cliAs('bob', 'resume', 'cli-a', '--by', 'bob'), /^error: resume refused: in EMERGENCY_STOP: cooldown runs until .* min left/);
  expectOneLineError(await cliAs('bob', 'approve', 'cli-a', '--by', 'bob'), /^error: approval refused: in EMERGENCY_STOP: cooldown runs until/);
  const st = await status('cli-a');
  expect(st).toMatchObject({ mode: 'EMERGENCY_STOP', state: 'EMERGENCY_STOP', emergency: { reason: 'operator drill' } });
  const text = (await cli('strategy', 'status', 'cli-a')).out;
  expect(text).toMatch(/^emergency\s+since .*: operator drill/m);
  // issue 17, defect 6: the mode line shows when the mode changed, not when the strategy started
  expect(text).toContain(`EMERGENCY_STOP since ${new Date(st.emergency!.at).toISOString()}`);
  expect(text).toMatch(/^cooldown\s+until .* left\), then resumes to PAPER with an approval/m);
  const desc = await env.client.workflow.getHandle('strategy-cli-a').describe();
  expect(desc.typedSearchAttributes.get(TradingModeKey)).toBe('EMERGENCY_STOP');
});

test('health: everything up (Temporal, DB, exchange simulator, pollers) → exit 0', async () => {
  process.env.EXCHANGE_URL_OVERRIDE = sim.url;
  try {
    const r = await cli('health', '--json');
    const j = JSON.parse(r.out) as { ok: boolean; checks: Array<{ check: string; ok: boolean; latencyMs: number | null; detail: string }> };
    expect({ code: r.code, err: r.err, ok: j.ok }).toEqual({ code: 0, err: '', ok: true });
    expect(j.checks.map((c) => c.check)).toEqual(['temporal', 'database', 'exchange', 'market data', 'workflow pollers', 'activity pollers', 'price feed', 'notify']);
    expect(j.checks.find((c) => c.check === 'exchange')).toMatchObject({ ok: true, latencyMs: expect.any(Number), detail: expect.stringContaining(sim.url) });
    expect(j.checks.find((c) => c.check === 'workflow pollers')!.detail).toMatch(/on task queue cli-test/);
    const t = await cli('health');
    expect(t.out).toMatch(/exchange\s+ok\s+\d+ ms/);
  } finally {
    delete process.env.EXCHANGE_URL_OVERRIDE;
  }
  // no worker on a queue → pollers DOWN, exit 1
  process.env.TRADER_TASK_QUEUE = 'nobody-polls';
  try {
    const r = await cli('health', '--json');
    expect(r.code).toBe(1);
    expect(r.err).toBe('error: unhealthy: workflow pollers, activity pollers down\n');
  } finally {
    process.env.TRADER_TASK_QUEUE = TQ;
  }
});

test('scripts/start-strategy-example.ts starts a strategy with @temporalio/client', async () => {
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  const file = configFile('ex.json', { strategyId: 'cli-ex' });
  const r = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/start-strategy-example.ts', file], { cwd: join(__dirname, '..', '..'), env: { ...process.env } });
  expect(r.stdout).toMatch(/started strategy-cli-ex \(run \S+\)\nmode PAPER, state RUNNING, open positions 0\n/);
  expect((await cli('stop', 'cli-ex', '--wait')).code).toBe(0);
});

test('stop: the workflow completes; controls then say it is not running; it can be started again', async () => {
  const r = await cli('stop', 'cli-a', '--by', 'ops', '--wait', '--timeout', '60');
  expect(r).toMatchObject({ code: 0, out: 'strategy cli-a stopped\n' });
  expectOneLineError(await cli('pause', 'cli-a'), 'error: strategy "cli-a" is not running (workflow strategy-cli-a is COMPLETED)');
  expectOneLineError(await cli('stop', 'cli-a'), 'is not running');
  const rep = await cli('report', 'cli-a', '--format', 'json');
  expect(rep.code).toBe(0);
  expect(JSON.parse(rep.out)).toMatchObject({ strategyId: 'cli-a', trades: [], metrics: { tradeCount: 0 } });

  const again = await cli('strategy', 'start', configFile('a2.json', CONFIG), '--json');
  expect(again.code).toBe(0);
  expect(JSON.parse(again.out)).toMatchObject({ strategyId: 'cli-a', workflowId: 'strategy-cli-a', taskQueue: TQ });
  expect((await cli('stop', 'cli-a', '--wait')).code).toBe(0);
});
