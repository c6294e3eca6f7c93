import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createDb, type Db } from '../../db/client';
import { parseDatabaseUrl, type DatabaseTarget } from '../../db/url';

/**
 * Fresh, migrated databases for tests: a temp SQLite file, or a private Postgres schema
 * (PG_TEST_URL, default postgresql://postgres@127.0.0.1:5432/test). When Postgres is absent the
 * test FAILS saying so: a skipped Postgres run would hide the scale path breaking.
 */
export const PG_TEST_URL = process.env.PG_TEST_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

export interface TestDb {
  db: Db;
  target: DatabaseTarget;
  /** the DATABASE_URL a child process (worker, CLI) would use for this database */
  url: string;
  close(): Promise<void>;
}

import { migrateDatabase as migrate } from '../../db/migrate';

export { migrate };

export async function freshSqliteDb(): Promise<TestDb> {
  const url = `file:${join(mkdtempSync(join(tmpdir(), 'trader-db-')), 'test.db')}`;
  migrate(url);
  const target = parseDatabaseUrl(url);
  const db = createDb(target);
  return { db, target, url, close: () => db.$disconnect() };
}

export async function assertPostgresReachable(): Promise<void> {
  const client = new pg.Client({ connectionString: PG_TEST_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.end();
  } catch (e) {
    throw new Error(
      `PostgreSQL is not reachable at ${PG_TEST_URL} (${(e as Error).message}). The Postgres tests need it: start it or set PG_TEST_URL.`,
    );
  }
}

let counter = 0;
export async function freshPostgresDb(prefix = 't'): Promise<TestDb> {
  await assertPostgresReachable();
  const schema = `${prefix}_${process.pid}_${Date.now().toString(36)}_${counter++}`.toLowerCase();
  const admin = new pg.Client({ connectionString: PG_TEST_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA "${schema}"`);
  await admin.end();
  const url = `${PG_TEST_URL}?schema=${schema}`;
  migrate(url);
  const target = parseDatabaseUrl(url);
  const db = createDb(target);
  return {
    db,
    target,
    url,
    close: async () => {
      await db.$disconnect();
      const c = new pg.Client({ connectionString: PG_TEST_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await c.end();
    },
  };
}

export const DB_KINDS = ['sqlite', 'postgres'] as const;
export function freshDb(kind: (typeof DB_KINDS)[number]): Promise<TestDb> {
  return kind === 'sqlite' ? freshSqliteDb() : freshPostgresDb();
}
