/**
 * Prisma CLI config. Native engines cannot be downloaded here, so the CLI runs the JS schema engine
 * through the same driver adapters the app uses. DATABASE_URL picks the provider:
 * a `file:` URL (default: data/app.db) → SQLite via libSQL; `postgres://…` → PostgreSQL.
 */
import { defineConfig } from 'prisma/config';
import { databaseFromEnv } from './db/url';
import { createAdapterFactory } from './db/adapter';

const db = databaseFromEnv();

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: `prisma/${db.provider}/schema.prisma`,
  migrations: { path: `prisma/${db.provider}/migrations` },
  adapter: async () => createAdapterFactory(db),
});
