import { PrismaClient as SqliteClient } from '../generated/sqlite';
import { PrismaClient as PostgresClient } from '../generated/postgres';
import { createAdapterFactory } from './adapter';
import { databaseFromEnv, type DatabaseTarget } from './url';

/**
 * Both generated clients come from one schema (prisma/schema.base.prisma), so they expose the same
 * model API; the SQLite client's type stands for both.
 */
export type Db = SqliteClient;
export { Prisma } from '../generated/sqlite';

export function createDb(target: DatabaseTarget = databaseFromEnv()): Db {
  const adapter = createAdapterFactory(target);
  // 'minimal': a DB error is one line, not ~33 KB of the generated client's minified source (the
  // message becomes an activity failure in the workflow history, where Temporal truncated it away)
  if (target.provider === 'sqlite') return new SqliteClient({ adapter, errorFormat: 'minimal' });
  return new PostgresClient({ adapter, errorFormat: 'minimal' }) as unknown as Db;
}
