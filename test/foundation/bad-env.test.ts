/**
 * Bad environment or config: the process exits non-zero with ONE line naming the field, before it
 * connects to anything (Temporal is pointed at a port where nothing listens, so a connection attempt
 * would show up as a different error).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
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
])('worker refuses a bad %s with one line', (_field, env, pattern) => {
  const r = runTs('workers/main.ts', [], env);
  expect(r.code).toBe(1);
  expect(r.err.split('\n')).toHaveLength(1);
  expect(r.err).toMatch(pattern);
  expect(r.out).not.toContain('worker polling');
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
