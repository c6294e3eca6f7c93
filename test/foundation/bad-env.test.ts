/**
 * Bad environment or config: the process exits non-zero with ONE line naming the field, before it
 * connects to anything (Temporal is pointed at a port where nothing listens, so a connection attempt
 * would show up as a different error).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const dead = { TEMPORAL_ADDRESS: '127.0.0.1:9', DATABASE_URL: `file:${join(mkdtempSync(join(tmpdir(), 'badenv-')), 'x.db')}` };

function runTs(script: string, args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, env: { ...process.env, ...dead, ...env }, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, err: r.stderr.trim(), out: r.stdout };
}

test.each([
  ['DATABASE_URL', { DATABASE_URL: 'mysql://root@localhost/db' }, /^error: invalid environment: DATABASE_URL: .*must start with file: .* or postgresql:\/\//],
  ['DATABASE_URL', { DATABASE_URL: 'postgresql://' }, /^error: invalid environment: DATABASE_URL: /],
  ['WORKER_MAX_CACHED_WORKFLOWS', { WORKER_MAX_CACHED_WORKFLOWS: '-5' }, /^error: invalid environment: WORKER_MAX_CACHED_WORKFLOWS: must be an integer >= 1/],
  ['TRADER_TASK_QUEUE', { TRADER_TASK_QUEUE: 'has spaces' }, /^error: invalid environment: TRADER_TASK_QUEUE: /],
  ['MARKET_DATA', { MARKET_DATA: 'telepathy' }, /^error: invalid environment: MARKET_DATA: /],
  ['WORKER_ROLE', { WORKER_ROLE: 'both' }, /^error: invalid environment: WORKER_ROLE: /],
  // streaming prices (issue 15)
  ['PRICE_FEED', { PRICE_FEED: 'websocket' }, /^error: invalid environment: PRICE_FEED: "websocket" is not poll or stream$/],
  ['PRICE_FEED', { PRICE_FEED: 'stream', EXCHANGE_ID: 'bit2c' }, /^error: invalid environment: PRICE_FEED=stream: ccxt\.pro has no trade stream \(watchTrades\) for bit2c; use PRICE_FEED=poll$/],
  ['WORKER_HEAP_GROWING_PERCENT', { WORKER_HEAP_GROWING_PERCENT: '25%' }, /^error: invalid environment: WORKER_HEAP_GROWING_PERCENT: must be an integer >= 0/],
  // notification channels (issue 15): the variable is named, its (secret) value never shown
  ['UNLOCK_TRADER_NOTIFY_SLACK_URL', { UNLOCK_TRADER_NOTIFY_SLACK_URL: 'hooks.slack.com/services/LEAKME' }, /^error: invalid environment: UNLOCK_TRADER_NOTIFY_SLACK_URL: must be an http\(s\) URL \(value not shown: it is a secret\)$/],
  ['UNLOCK_TRADER_NOTIFY_TELEGRAM_BOT_TOKEN', { UNLOCK_TRADER_NOTIFY_TELEGRAM_BOT_TOKEN: 'LEAKME', UNLOCK_TRADER_NOTIFY_TELEGRAM_CHAT_ID: '42' }, /^error: invalid environment: UNLOCK_TRADER_NOTIFY_TELEGRAM_BOT_TOKEN: must look like <bot id>:<secret>/],
  ['UNLOCK_TRADER_NOTIFY_TELEGRAM_CHAT_ID', { UNLOCK_TRADER_NOTIFY_TELEGRAM_BOT_TOKEN: `1:${'L'.repeat(30)}` }, /^error: invalid environment: UNLOCK_TRADER_NOTIFY_TELEGRAM_CHAT_ID: is required when UNLOCK_TRADER_NOTIFY_TELEGRAM_BOT_TOKEN is set$/],
  ['UNLOCK_TRADER_NOTIFY_MIN_SEVERITY', { UNLOCK_TRADER_NOTIFY_MIN_SEVERITY: 'loud' }, /^error: invalid environment: UNLOCK_TRADER_NOTIFY_MIN_SEVERITY: must be one of info, warning, error, critical$/],
])('worker refuses a bad %s with one line', (_field, env, pattern) => {
  const r = runTs('workers/main.ts', [], env);
  expect(r.code).toBe(1);
  expect(r.err.split('\n')).toHaveLength(1);
  expect(r.err).toMatch(pattern);
  expect(r.out).not.toContain('worker polling');
  expect(r.err).not.toContain('LEAKME');
});

test.each([
  ['an unknown mode', { strategyId: 'x', mode: 'LIVE' }, /mode: /],
  ['a negative limit', { strategyId: 'x', risk: { maxOpenPositions: -1 } }, /risk\.maxOpenPositions: /],
  ['a negative capital', { strategyId: 'x', capital: { initial: '-100' } }, /capital\.initial: capital\.initial must be greater than 0/],
  ['a malformed duration', { strategyId: 'x', tokenUnlock: { entryLead: '24x' } }, /tokenUnlock\.entryLead: "24x" is not a duration/],
])('strategy config with %s is refused naming the field, nothing started', (_what, config, pattern) => {
  const file = join(mkdtempSync(join(tmpdir(), 'badcfg-')), 'c.json');
  writeFileSync(file, JSON.stringify(config));
  const r = runTs('cli/main.ts', ['strategy', 'start', file], {});
  expect(r.code).toBe(1);
  expect(r.err.split('\n')).toHaveLength(1);
  expect(r.err).toMatch(/^error: /);
  expect(r.err).toMatch(pattern);
  // it failed on validation, not on the (dead) Temporal connection
  expect(r.err).not.toMatch(/connect|ECONNREFUSED|transport/i);
});

/**
 * Issue 17, defect 1: a DATABASE_URL whose file cannot be created (under /proc, or below a FILE: tests
 * run as root, so a read-only directory would not stop them) made `alerts`, `health`, `unlocks list` and
 * the worker hang for minutes without a word. Each must now fail with one line naming the path and the
 * cause within 5 s of what the same command takes to fail on a malformed DATABASE_URL (the start-up of a
 * TypeScript process on this shared machine, measured alongside, is not the command's fault).
 */
describe('a DATABASE_URL that cannot be written fails fast with one line', () => {
  const parentIsFile = join(mkdtempSync(join(tmpdir(), 'badenv-file-')), 'a-file');
  writeFileSync(parentIsFile, 'not a directory');
  const timedRun = (script: string, args: string[], env: Record<string, string>) => {
    const t0 = Date.now();
    const r = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, env: { ...process.env, ...dead, ...env }, encoding: 'utf8', timeout: 40_000, killSignal: 'SIGKILL' });
    return { code: r.status, err: r.stderr.trim(), out: r.stdout, ms: Date.now() - t0 };
  };
  test.each([
    ['alerts', 'cli/main.ts', ['alerts'], 'file:/proc/nope/app.db', /^error: DATABASE_URL: cannot use the SQLite file \/proc\/nope\/app\.db: cannot create directory \/proc\/nope: ENOENT/],
    ['unlocks list', 'cli/main.ts', ['unlocks', 'list'], 'file:/proc/app.db', /^error: DATABASE_URL: cannot use the SQLite file \/proc\/app\.db: cannot create it: ENOENT/],
    ['the worker', 'workers/main.ts', [], 'file:/proc/nope/app.db', /^error: DATABASE_URL: cannot use the SQLite file \/proc\/nope\/app\.db: cannot create directory/],
    ['alerts (parent is a file)', 'cli/main.ts', ['alerts'], `file:${parentIsFile}/x/app.db`, /^error: DATABASE_URL: cannot use the SQLite file .*a-file\/x\/app\.db: .*a-file is not a directory: ENOTDIR/],
  ])('%s', (_what, script, args, url, pattern) => {
    const baseline = timedRun(script, args, { DATABASE_URL: 'mysql://root@localhost/db' });
    expect(baseline.code).toBe(1);
    const r = timedRun(script, args, { DATABASE_URL: url });
    expect(r.err).toMatch(pattern);
    expect(r.err.split('\n')).toHaveLength(1);
    expect(r.code).toBe(1);
    expect(r.ms).toBeLessThan(baseline.ms + 5_000);
  }, 90_000);

  test('health: the database row names the path and the cause; it answers within its check timeout', () => {
    const r = timedRun('cli/main.ts', ['health', '--json', '--timeout', '1'], { DATABASE_URL: 'file:/proc/nope/app.db' });
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out) as { checks: Array<{ check: string; ok: boolean; detail: string }> };
    const db = j.checks.find((c) => c.check === 'database')!;
    expect(db.ok).toBe(false);
    expect(db.detail).toMatch(/cannot use the SQLite file \/proc\/nope\/app\.db: cannot create directory \/proc\/nope: ENOENT/);
    expect(r.err).toMatch(/^error: unhealthy: .*database/);
  }, 60_000);
});

test('issue 17, defect 8: a second demo whose simulator port is taken stops first, naming the port, its holder and what to do', async () => {
  const { createServer } = await import('node:net');
  const { existsSync } = await import('node:fs');
  const holder = createServer();
  await new Promise<void>((r) => holder.listen(0, '127.0.0.1', () => r()));
  const port = (holder.address() as { port: number }).port;
  const dbFile = join(mkdtempSync(join(tmpdir(), 'demo-port-')), 'app.db');
  try {
    // spawnSync would block this process, which holds the port and must answer `ss` about it: run async
    const { execFile } = await import('node:child_process');
    const r = await new Promise<{ code: number | null; err: string; out: string }>((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', 'scripts/main-job.ts'], { cwd: ROOT, env: { ...process.env, ...dead, DATABASE_URL: `file:${dbFile}`, SIM_PORT: String(port), EXCHANGE_URL_OVERRIDE: '', EXCHANGE_API_KEY: '' }, timeout: 60_000, killSignal: 'SIGKILL' }, (e, out, err) =>
        resolve({ code: e ? ((e as { code?: number }).code ?? null) : 0, out: String(out), err: String(err).trim() }),
      );
    });
    expect(r.err.split('\n')).toHaveLength(1);
    expect(r.err).toMatch(new RegExp(`^error: port ${port} on 127\\.0\\.0\\.1, for the exchange simulator, is in use by node \\(pid ${process.pid}\\): stop it \\(kill ${process.pid}\\), or run this one with SIM_PORT=<free port>\\. Nothing was started\\.$`));
    expect(r.code).toBe(1);
    // before anything: no migration ran (no database file), nothing was narrated
    expect(existsSync(dbFile)).toBe(false);
    expect(r.out).not.toMatch(/database ready|worker polling/);
  } finally {
    holder.close();
  }
}, 90_000);

test("issue 17, defect 8, after the split: the port held by another demo's simulator process is named as another demo", async () => {
  const { DemoChild } = await import('../../scripts/lib/demo-child');
  const { freePort } = await import('../helpers/ports');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'demo-port-child-'));
  const sim = new DemoChild({ name: 'exchange simulator', script: 'simulator/main.ts', args: ['--port', String(port)], logFile: join(dir, 'sim.log'), readyLine: (l) => l.startsWith('{"event":"listening"'), say: () => undefined });
  await sim.start();
  try {
    const { execFile } = await import('node:child_process');
    const r = await new Promise<{ code: number | null; err: string }>((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', 'scripts/main-job.ts', '--data-dir', dir], { cwd: ROOT, env: { ...process.env, ...dead, DATABASE_URL: `file:${join(dir, 'app.db')}`, SIM_PORT: String(port), EXCHANGE_URL_OVERRIDE: '', EXCHANGE_API_KEY: '' }, timeout: 60_000, killSignal: 'SIGKILL' }, (e, _out, err) =>
        resolve({ code: e ? ((e as { code?: number }).code ?? null) : 0, err: String(err).trim() }),
      );
    });
    expect(r.err).toBe(`error: port ${port} on 127.0.0.1, for the exchange simulator, is in use by node (pid ${sim.pid}), another \`npm run demo\`: stop it (Ctrl-C in its terminal) or keep using it, or run this one with SIM_PORT=<free port>. Nothing was started.`);
    expect(r.code).toBe(1);
    expect(existsSync(join(dir, 'app.db'))).toBe(false);
  } finally {
    await sim.stop();
  }
}, 90_000);

/** Issue 17, defects 9 and 12: the demo's new options and the simulator's flags are validated before anything starts. */
test.each([
  ['an unknown option', ['--verbos'], {}, /^error: unknown option "--verbos" \(options: --config <file>, --events N, --data-dir <dir>, --verbose\)$/],
  ['an option without its value', ['--data-dir'], {}, /^error: --data-dir needs a value$/],
  ['a data dir it cannot write', ['--data-dir', '/proc/demo'], {}, /^error: --data-dir \/proc\/demo: cannot create directory \/proc\/demo: ENOENT$/],
  ['a bad SIM_SEED', [], { SIM_SEED: 'abc' }, /^error: SIM_SEED must be an integer from 0 to 4294967295, got "abc"$/],
  ['a bad SIM_PORT', [], { SIM_PORT: '99999' }, /^error: SIM_PORT must be an integer from 1 to 65535, got "99999"$/],
  ['a bad notification channel', [], { UNLOCK_TRADER_NOTIFY_WEBHOOK_URL: 'not a url LEAKME' }, /^error: invalid environment: UNLOCK_TRADER_NOTIFY_WEBHOOK_URL: must be an http\(s\) URL \(value not shown: it is a secret\)$/],
])('the demo refuses %s with one line, nothing started', (_what, args, env, pattern) => {
  const dbFile = join(mkdtempSync(join(tmpdir(), 'demo-bad-')), 'app.db');
  const r = runTs('scripts/main-job.ts', args, { DATABASE_URL: `file:${dbFile}`, EXCHANGE_URL_OVERRIDE: '', EXCHANGE_API_KEY: '', ...env });
  expect(r.err).toMatch(pattern);
  expect(r.code).toBe(1);
  expect(existsSync(dbFile)).toBe(false);
  expect(r.out).toBe('');
});

test.each([
  ['--seed', ['--seed', 'x'], /^error: simulator: --seed must be an integer from 0 to 4294967295, got "x"$/],
  ['--volatility', ['--volatility', '-1'], /^error: simulator: --volatility must be a daily volatility fraction above 0, at most 5, got "-1"$/],
  ['--symbols', ['--symbols', 'arb-usdt'], /^error: simulator: --symbols must be BASE\/QUOTE pairs separated by commas, got "arb-usdt"$/],
])('the simulator refuses a bad %s with one line', (_what, args, pattern) => {
  const r = runTs('simulator/main.ts', ['--port', '0', ...args], {});
  expect(r.err).toMatch(pattern);
  expect(r.code).toBe(1);
  expect(r.out).toBe('');
});
