import { PrismaLibSQL } from '@prisma/adapter-libsql';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import type { DatabaseTarget } from './url';
import { ensureWritableSqliteFile } from './sqlite-file';
import { createRecyclingSqliteClient, type SqliteClient } from './sqlite-client';

/**
 * Driver adapter factory for a database target (used by the app's PrismaClient and the Prisma CLI).
 *
 * Postgres: migrate reads catalog columns of type `name` (oid 19), which the pg adapter cannot map
 * (prisma/orm#27403); the pool's type parser reads them as text (oid 25). A non-default schema is
 * selected with search_path, because migrate ignores `?schema=` and PrismaPg's schema option.
 */
export function createAdapterFactory(db: DatabaseTarget) {
  if (db.provider === 'sqlite') {
    ensureWritableSqliteFile(db.url.slice('file:'.length));
    return new BusyTolerantLibSQL({ url: db.url });
  }
  const pool = new pg.Pool({
    connectionString: db.url,
    max: 10,
    ...(db.schema ? { options: `-c search_path=${db.schema}` } : {}),
  });
  pool.on('connect', (client) => patchNameColumns(client));
  return new PrismaPg(pool, db.schema ? { schema: db.schema } : undefined);
}

/** How long a SQLite query waits for a lock held by another connection before failing (SQLITE_BUSY). */
export const SQLITE_BUSY_TIMEOUT_MS = 5_000;

/**
 * libsql's busy timeout defaults to 0: a lock held by another connection (the worker's own pool, the
 * CLI, a second worker, a committing writer) failed the query AT ONCE with SQLITE_BUSY, and the
 * @libsql/client that @prisma/adapter-libsql bundles (0.8) has no option for it. The project's own
 * @libsql/client (0.18) applies `timeout` to every connection it opens, so the adapter is built on it.
 *
 * The file is switched to write-ahead logging on connect (the mode is stored in the file, so every
 * later connection, the CLI's and a second worker's included, uses it): one fsync per commit instead of
 * the rollback journal's several, and readers no longer wait for a writer. Measured on this machine with
 * bench/batch.ts, 100 emergency exits: 1.95–2.04 s → 1.30–1.57 s. It is a speed choice, so a file that
 * cannot switch now (another process holds a lock past the busy timeout) keeps working in its mode.
 */
class BusyTolerantLibSQL extends PrismaLibSQL {
  private client: SqliteClient | undefined;

  override createClient(config: Parameters<PrismaLibSQL['createClient']>[0]): ReturnType<PrismaLibSQL['createClient']> {
    // fresh connections after a lock error: see sqlite-client.ts
    const client = createRecyclingSqliteClient({ ...(config as object), url: config.url, timeout: SQLITE_BUSY_TIMEOUT_MS });
    this.client = client;
    return client as unknown as ReturnType<PrismaLibSQL['createClient']>;
  }

  override async connect(): ReturnType<PrismaLibSQL['connect']> {
    const adapter = await super.connect();
    await this.client?.execute('PRAGMA journal_mode=WAL').catch(() => undefined);
    return adapter;
  }
}

const NAME_OID = 19;
const TEXT_OID = 25;

/** Rewrites result column type `name` to `text` so the adapter can map it (prisma/orm#27403). */
function patchNameColumns(client: pg.PoolClient): void {
  const fix = (result: unknown) => {
    for (const r of (Array.isArray(result) ? result : [result]) as Array<pg.QueryResult | undefined>) {
      for (const f of r?.fields ?? []) if (f.dataTypeID === NAME_OID) f.dataTypeID = TEXT_OID;
    }
    return result;
  };
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as unknown as { query: unknown }).query = (...args: unknown[]) => {
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      // pool.query() passes a callback
      args[args.length - 1] = (err: unknown, res: unknown) => (last as (e: unknown, r: unknown) => void)(err, err ? res : fix(res));
      return query(...args);
    }
    const out = query(...args);
    return out instanceof Promise ? out.then(fix) : out;
  };
}
