import { resolve } from 'node:path';

/**
 * Which database DATABASE_URL names. SQLite (a `file:` URL) is the embedded default; PostgreSQL is
 * the scale path. A malformed URL is a config error naming the variable, never a silent fallback.
 */
export interface DatabaseTarget {
  provider: 'sqlite' | 'postgres';
  url: string;
  /** Postgres only: schema (search_path) to isolate test runs; from `?schema=` */
  schema?: string;
}

export const DEFAULT_DATABASE_URL = 'file:./data/app.db';

export class DatabaseUrlError extends Error {
  override name = 'DatabaseUrlError';
}

export function parseDatabaseUrl(raw: string): DatabaseTarget {
  const url = raw.trim();
  if (url.startsWith('file:')) {
    const path = url.slice('file:'.length);
    if (!path) throw new DatabaseUrlError('DATABASE_URL: a file: URL needs a path, e.g. file:./data/app.db');
    return { provider: 'sqlite', url: `file:${resolve(path)}` };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new DatabaseUrlError(`DATABASE_URL: "${redact(url)}" is not a valid postgres URL (postgresql://user@host:5432/db)`);
    }
    if (!parsed.hostname || parsed.pathname.length < 2) {
      throw new DatabaseUrlError('DATABASE_URL: a postgres URL needs a host and a database name (postgresql://user@host:5432/db)');
    }
    const schema = parsed.searchParams.get('schema') ?? undefined;
    if (schema && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
      throw new DatabaseUrlError(`DATABASE_URL: schema "${schema}" must be lowercase letters, digits and _`);
    }
    parsed.searchParams.delete('schema');
    return { provider: 'postgres', url: parsed.toString(), schema };
  }
  throw new DatabaseUrlError(`DATABASE_URL: "${redact(url)}" must start with file: (SQLite) or postgresql:// (PostgreSQL)`);
}

export function databaseFromEnv(env: NodeJS.ProcessEnv = process.env): DatabaseTarget {
  return parseDatabaseUrl(env.DATABASE_URL || DEFAULT_DATABASE_URL);
}

/** Never echo a password back in an error. */
function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
