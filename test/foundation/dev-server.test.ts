/**
 * The dev-server script: starts a persistent server with UI and search attributes, refuses a second
 * one, keeps history across restart; the worker process polls its task queue.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDevServer, stopChild } from '../../scripts/lib/dev-server';
import { requireBinary } from '../../scripts/lib/temporal-binaries';
import { freePort } from '../helpers/ports';

const ROOT = join(__dirname, '..', '..');
const cli = (address: string, ...args: string[]) =>
  execFileSync(requireBinary('cli'), [...args, '--address', address], { encoding: 'utf8' });

test('dev server: UI 200, search attributes, no second server, history survives a restart, worker polls', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'devserver-'));
  const [port, uiPort, httpPort] = [await freePort(), await freePort(), await freePort()];
  const opts = { port, uiPort, httpPort, dbFile: join(dir, 'temporal.db'), logFile: join(dir, 'server.log') };
  let server = await startDevServer(opts);
  expect(server.started).toBe(true);
  const address = server.address;
  try {
    expect(cli(address, 'operator', 'namespace', 'list')).toContain('default');
    const ui = await fetch(server.uiUrl);
    expect(ui.status).toBe(200);
    const sa = cli(address, 'operator', 'search-attribute', 'list');
    for (const name of ['StrategyId', 'TradingMode', 'Symbol', 'PositionStatus']) expect(sa).toMatch(new RegExp(`${name}\\s+Keyword`));

    const second = await startDevServer(opts);
    expect(second.started).toBe(false);

    cli(address, 'workflow', 'start', '--task-queue', 'nobody', '--type', 'strategyWorkflow', '--workflow-id', 'survives-restart');
    await server.stop();
    server = await startDevServer(opts);
    expect(server.started).toBe(true);
    expect(cli(address, 'workflow', 'list')).toContain('survives-restart');

    // the worker process connects through envconfig (TEMPORAL_ADDRESS) and polls its queue
    const worker = spawn(process.execPath, ['--import', 'tsx', 'workers/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, TEMPORAL_ADDRESS: address, TRADER_TASK_QUEUE: 'polled-queue', DATABASE_URL: `file:${join(dir, 'app.db')}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    worker.stdout.on('data', (b) => (out += b));
    worker.stderr.on('data', (b) => (out += b));
    try {
      const deadline = Date.now() + 60_000;
      let described = '';
      while (Date.now() < deadline) {
        described = cli(address, 'task-queue', 'describe', '--task-queue', 'polled-queue');
        if (/\d{4}-\d{2}-\d{2}T/.test(described) || described.includes('@')) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(out).toContain('worker polling task queue "polled-queue"');
      expect(described).toMatch(/@/); // pollers are listed by identity pid@host
    } finally {
      await stopChild(worker, 'SIGINT');
    }
    expect(out).toContain('worker stopped');
  } finally {
    await server.stop();
  }
}, 180_000);
