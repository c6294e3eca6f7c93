/**
 * What every command gets: injected output streams (tests run the CLI in-process), the exit code,
 * and lazily opened connections (Temporal, DB) that are closed when the command ends. Nothing
 * connects before a command has validated its input.
 */
import type { Client } from '@temporalio/client';
import type { Db } from '../db/client';

export interface CliIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
}

/** An operator-facing error: printed as ONE line `error: <message>`, exit code 1 (or `code`). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly code = 1,
  ) {
    super(message);
  }
}

export class Ctx {
  exitCode = 0;
  private client?: Client;
  private db?: Db;
  private closers: Array<() => Promise<unknown>> = [];

  constructor(readonly io: CliIo) {}

  out(line = ''): void {
    this.io.stdout.write(line + '\n');
  }
  err(line: string): void {
    this.io.stderr.write(line + '\n');
  }
  json(v: unknown): void {
    this.out(JSON.stringify(v, null, 2));
  }

  /** Temporal client from Temporal's env config (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, ...). */
  async temporal(opts: { connectTimeoutMs?: number } = {}): Promise<Client> {
    if (this.client) return this.client;
    const { connectClient, temporalTarget } = await import('../config/temporal');
    const target = temporalTarget();
    const { dataConverterFromEnv } = await import('../codec/keys');
    // payload encryption (issue 16): a wrong key configuration stops the command before it connects
    let dataConverter;
    try {
      dataConverter = dataConverterFromEnv();
    } catch (e) {
      throw new CliError(oneLine(e));
    }
    let client: Client;
    try {
      client = await connectClient({ target, dataConverter, connectTimeoutMs: opts.connectTimeoutMs ?? 5_000 });
    } catch (e) {
      throw new CliError(`cannot reach Temporal at ${target.connectionOptions.address} (namespace ${target.namespace}): ${oneLine(e)}`);
    }
    this.closers.push(() => client.connection.close());
    this.client = client;
    return client;
  }

  async namespace(): Promise<string> {
    const { temporalTarget } = await import('../config/temporal');
    return temporalTarget().namespace;
  }

  /** The app database: `createDb(loadAppEnv().DATABASE_URL)`. */
  async database(): Promise<Db> {
    if (this.db) return this.db;
    const { loadAppEnv } = await import('../config/env');
    const { createDb } = await import('../db/client');
    const db = createDb(loadAppEnv().DATABASE_URL);
    this.closers.push(() => db.$disconnect());
    this.db = db;
    return db;
  }

  onClose(fn: () => Promise<unknown>): void {
    this.closers.push(fn);
  }

  async close(): Promise<void> {
    for (const c of this.closers.reverse()) await c().catch(() => undefined);
    this.closers = [];
    this.client = undefined;
    this.db = undefined;
  }
}

/** An error (or anything thrown) as one line, without stack, whitespace collapsed. */
export function oneLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  const flat = msg.replace(/\s+/g, ' ').trim();
  return flat.length > 600 ? flat.slice(0, 597) + '...' : flat || String((e as Error)?.name ?? 'unknown error');
}
