import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { requireBinary, PROJECT_ROOT } from './temporal-binaries';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { devServerTuningArgs, devServerTuningEnabled } from './dev-server-tuning';
import { codecEndpointFromEnv } from '../../codec/ui-endpoint';

/**
 * The Temporal dev server with a persistent SQLite file (data/temporal.db), the Web UI on 8233 and the
 * HTTP API on 7243, with the project's search attributes registered. Restarting keeps history.
 */
export interface DevServerOptions {
  port?: number;
  uiPort?: number;
  httpPort?: number;
  dbFile?: string;
  /** in-memory (no --db-filename): tests that need no persistence */
  ephemeral?: boolean;
  logFile?: string;
  /** the tuned settings of dev-server-tuning.ts (default: on unless TEMPORAL_DEV_SERVER_TUNING=off) */
  tuned?: boolean;
  /** the Web UI's codec server (issue 16); default UNLOCK_TRADER_CODEC_ENDPOINT, none when unset */
  codecEndpoint?: string;
}

export const DEFAULT_DEV_SERVER = { port: 7233, uiPort: 8233, httpPort: 7243, dbFile: join(PROJECT_ROOT, 'data', 'temporal.db') };

export function isListening(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ port, host });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/** the dev server's Prometheus metrics port: beside its frontend port, one per server */
export const metricsPortOf = (port: number): number => port + 3;

export function devServerArgs(o: DevServerOptions = {}): string[] {
  const port = o.port ?? DEFAULT_DEV_SERVER.port;
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--ui-port',
    String(o.uiPort ?? DEFAULT_DEV_SERVER.uiPort),
    '--http-port',
    String(o.httpPort ?? DEFAULT_DEV_SERVER.httpPort),
    '--metrics-port',
    String(metricsPortOf(port)),
    '--ui-disable-news-fetch',
    '--log-level',
    'warn',
  ];
  if (!o.ephemeral) args.push('--db-filename', o.dbFile ?? DEFAULT_DEV_SERVER.dbFile);
  if (o.tuned ?? devServerTuningEnabled()) args.push(...devServerTuningArgs());
  for (const sa of SEARCH_ATTRIBUTES) args.push('--search-attribute', `${sa.name}=${sa.type}`);
  const codecEndpoint = o.codecEndpoint ?? codecEndpointFromEnv();
  if (codecEndpoint) args.push('--ui-codec-endpoint', codecEndpoint);
  return args;
}

/** Starts a dev server unless something already listens on the port. Resolves once it answers. */
export async function startDevServer(
  o: DevServerOptions & { detached?: boolean } = {},
): Promise<{ started: boolean; child?: ChildProcess; address: string; uiUrl: string; stop(): Promise<void> }> {
  const port = o.port ?? DEFAULT_DEV_SERVER.port;
  const address = `127.0.0.1:${port}`;
  const uiUrl = `http://127.0.0.1:${o.uiPort ?? DEFAULT_DEV_SERVER.uiPort}`;
  if (await isListening(port)) return { started: false, address, uiUrl, stop: async () => {} };
  if (!o.ephemeral) mkdirSync(join(o.dbFile ?? DEFAULT_DEV_SERVER.dbFile, '..'), { recursive: true });
  const logFile = o.logFile ?? join(PROJECT_ROOT, 'data', `temporal-${port}.log`);
  mkdirSync(join(logFile, '..'), { recursive: true });
  const out = openSync(logFile, 'a');
  const child = spawn(requireBinary('cli'), devServerArgs(o), { stdio: ['ignore', out, out], detached: !!o.detached });
  if (o.detached) {
    child.unref();
    writeFileSync(pidFile(port), String(child.pid));
  }
  const deadline = Date.now() + 30_000;
  while (!(await isListening(port))) {
    if (child.exitCode !== null) throw new Error(`temporal dev server exited with ${child.exitCode}; see ${logFile}`);
    if (Date.now() > deadline) throw new Error(`temporal dev server did not listen on ${address} within 30 s; see ${logFile}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    started: true,
    child,
    address,
    uiUrl,
    stop: () => stopChild(child),
  };
}

/**
 * Starts a throwaway dev server (tests, benchmarks) on ports from `freePort`, retrying on other ports
 * when one was taken between the probe and the bind (another process on the machine, the simulator
 * binding port 0 at the same moment, or the metrics port, which is port + 3): the server then exits at
 * once with "address already in use". `files(attempt)` names the DB and log file of each attempt.
 */
export async function startDevServerOnFreePorts(
  freePort: () => Promise<number>,
  files: (attempt: number) => { dbFile: string; logFile: string },
  attempts = 4,
): Promise<{ opts: { port: number; uiPort: number; httpPort: number; dbFile: string; logFile: string }; server: Awaited<ReturnType<typeof startDevServer>> }> {
  for (let attempt = 1; ; attempt++) {
    const opts = { port: await freePort(), uiPort: await freePort(), httpPort: await freePort(), ...files(attempt) };
    let server: Awaited<ReturnType<typeof startDevServer>> | undefined;
    try {
      server = await startDevServer(opts);
      if (!server.started) throw new Error(`port ${opts.port} was taken before the dev server could start`);
      // a taken UI or metrics port ends the server just after the frontend port answered
      await new Promise((r) => setTimeout(r, 500));
      if (server.child!.exitCode !== null) throw new Error(`the dev server exited with ${server.child!.exitCode}: ${readFileSync(opts.logFile, 'utf8').slice(-300)}`);
      return { opts, server };
    } catch (e) {
      if (server?.child) await stopChild(server.child).catch(() => undefined);
      if (attempt >= attempts) throw e;
      process.stderr.write(`dev server start failed (${(e as Error).message.slice(0, 200)}); retrying on other ports\n`);
    }
  }
}

export function pidFile(port: number): string {
  return join(PROJECT_ROOT, 'data', `temporal-${port}.pid`);
}

/** Stops a server this project started detached (by its pid file). */
export async function stopDetachedDevServer(port = DEFAULT_DEV_SERVER.port): Promise<boolean> {
  const f = pidFile(port);
  if (!existsSync(f)) return false;
  const pid = Number(readFileSync(f, 'utf8'));
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return false;
  }
  for (let i = 0; i < 100 && (await isListening(port)); i++) await new Promise((r) => setTimeout(r, 100));
  return true;
}

export function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}
