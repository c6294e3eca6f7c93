/**
 * One source of truth for the data model: the provider schemas must be what prisma/schema.base.prisma
 * gives (build-schemas --check), and the checked-in migrations must create every table and column the
 * schema declares, on SQLite and on Postgres (a forgotten migration fails here).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Prisma } from '../../generated/sqlite';
import { freshPostgresDb, freshSqliteDb } from '../helpers/db';

const ROOT = join(__dirname, '..', '..');

test('provider schemas have not drifted from the base schema', () => {
  expect(() => execFileSync(process.execPath, ['--import', 'tsx', 'prisma/build-schemas.ts', '--check'], { cwd: ROOT, stdio: 'pipe' })).not.toThrow();
});

const expected = Prisma.dmmf.datamodel.models.map((m) => ({
  table: m.dbName ?? m.name,
  columns: m.fields.filter((f) => f.kind === 'scalar' || f.kind === 'enum').map((f) => f.dbName ?? f.name),
}));

test('migrations create every table and column on SQLite', async () => {
  const t = await freshSqliteDb();
  try {
    for (const m of expected) {
      const cols = await t.db.$queryRawUnsafe<Array<{ name: string }>>(`PRAGMA table_info("${m.table}")`);
      expect({ table: m.table, columns: cols.map((c) => c.name).sort() }).toEqual({ table: m.table, columns: [...m.columns].sort() });
    }
  } finally {
    await t.close();
  }
});

test('migrations create every table and column on Postgres', async () => {
  const t = await freshPostgresDb('drift');
  try {
    for (const m of expected) {
      const cols = await t.db.$queryRawUnsafe<Array<{ column_name: string }>>(
        `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1`,
        m.table,
      );
      expect({ table: m.table, columns: cols.map((c) => c.column_name).sort() }).toEqual({ table: m.table, columns: [...m.columns].sort() });
    }
  } finally {
    await t.close();
  }
});
