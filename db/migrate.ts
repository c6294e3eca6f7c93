/** Applies the checked-in migrations to the database at `url` (scripts/prisma.sh): the backtest's throwaway DB, the tests' DBs. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

export function migrateDatabase(url: string): void {
  execFileSync('bash', [join(ROOT, 'scripts', 'prisma.sh'), 'migrate', 'deploy'], { cwd: ROOT, env: { ...process.env, DATABASE_URL: url }, stdio: 'pipe' });
}
