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

${base}`;
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
