import { closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseUrlError } from './url';

/**
 * Makes sure the SQLite file of DATABASE_URL can be opened for writing, BEFORE anything connects:
 * creates its missing directories one level at a time and opens (creates) the file. Fails with one
 * line naming the path and the cause.
 *
 * Why not `mkdirSync(dir, { recursive: true })` and let libsql report: under a directory such as /proc
 * (mkdir answers ENOENT for a parent that exists) Node's recursive mkdir loops forever, and libsql
 * retries a file it cannot create; `alerts`, `health` and the worker hung for minutes without a word.
 * An empty file is a valid empty SQLite database, so creating it here changes nothing for libsql.
 */
export function ensureWritableSqliteFile(path: string): void {
  const fail = (what: string, e: unknown): never => {
    const err = e as NodeJS.ErrnoException;
    const cause = err.code ? `${err.code} (${causeText(err.code)})` : err.message;
    throw new DatabaseUrlError(`DATABASE_URL: cannot use the SQLite file ${path}: ${what}: ${cause}`);
  };
  makeDirectories(dirname(path), fail);
  const st = statOrUndefined(path, (e) => fail('cannot read it', e));
  if (st?.isDirectory()) fail('it is a directory', { code: 'EISDIR' });
  try {
    closeSync(openSync(path, 'a'));
  } catch (e) {
    fail(st ? 'cannot open it for writing' : 'cannot create it', e);
  }
}

/**
 * Creates `directory` and its missing parents one level at a time (not `recursive: true`, which loops
 * forever under /proc); `fail(what, error)` says why it cannot. Also the main job's --data-dir check.
 */
export function makeDirectories(directory: string, fail: (what: string, e: unknown) => never): void {
  const missing: string[] = [];
  for (let dir = directory; ; dir = dirname(dir)) {
    const st = statOrUndefined(dir, (e) => fail(`cannot read ${dir}`, e));
    if (st) {
      if (!st.isDirectory()) fail(`${dir} is not a directory`, { code: 'ENOTDIR' });
      break;
    }
    missing.unshift(dir);
    if (dirname(dir) === dir) break;
  }
  for (const dir of missing) {
    try {
      mkdirSync(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') fail(`cannot create directory ${dir}`, e);
    }
  }
}

function statOrUndefined(path: string, onError: (e: unknown) => never) {
  try {
    return statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined; // a parent is missing or a file: the walk up finds which
    return onError(e);
  }
}

const CAUSES: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOENT: 'the file system does not allow it here',
  ENOTDIR: 'a parent is a file, not a directory',
  EISDIR: 'a directory, not a file',
  ENOSPC: 'no space left on the device',
};
const causeText = (code: string) => CAUSES[code] ?? 'file system error';
