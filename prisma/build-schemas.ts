/**
 * Writes the provider-specific Prisma schemas from the single source prisma/schema.base.prisma.
 *   tsx prisma/build-schemas.ts          write both
 *   tsx prisma/build-schemas.ts --check  exit 1 if a written schema differs from what the base gives
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname);
const base = readFileSync(join(root, 'schema.base.prisma'), 'utf8');

export const PROVIDERS = ['sqlite', 'postgres'] as const;

/**
 * SQLite has no decimal type: a DECIMAL column has NUMERIC affinity and silently turns
 * "54.87833098215416149856" into a 64-bit float. So on SQLite every Decimal field is stored as TEXT
 * (exact decimal strings); on Postgres it stays NUMERIC. Code reads both with `d(x.toString())`.
 */
function forProvider(provider: (typeof PROVIDERS)[number], models: string): string {
  if (provider !== 'sqlite') return models;
  return models.replace(/^(\s+\w+\s+)Decimal(\??)(.*)$/gm, (_m, head: string, opt: string, rest: string) =>
    `${head}String${opt}${rest.replace(/@default\(([-\d.]+)\)/, '@default("$1")')}`,
  );
}

function render(provider: (typeof PROVIDERS)[number]): string {
  const dbProvider = provider === 'sqlite' ? 'sqlite' : 'postgresql';
  return `// GENERATED from prisma/schema.base.prisma by prisma/build-schemas.ts. Do not edit.
generator client {
  provider   = "prisma-client-js"
  output     = "../../generated/${provider}"
  engineType = "client"
  previewFeatures = ["driverAdapters"]
}

datasource db {
  provider = "${dbProvider}"
  // unused at run time: the app and the CLI connect through driver adapters (db/adapter.ts)
  url      = "${provider === 'sqlite' ? 'file:./unused.db' : 'postgresql://unused@localhost/unused'}"
}

${forProvider(provider, base)}`;
}

const check = process.argv.includes('--check');
let drift = false;
for (const p of PROVIDERS) {
  const file = join(root, p, 'schema.prisma');
  const want = render(p);
  if (check) {
    const have = existsSync(file) ? readFileSync(file, 'utf8') : '';
    if (have !== want) {
      console.error(`prisma/${p}/schema.prisma has drifted from prisma/schema.base.prisma: run npm run prisma:schemas`);
      drift = true;
    }
  } else {
    writeFileSync(file, want);
  }
}
if (drift) process.exit(1);
