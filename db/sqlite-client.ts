/**
 * The libsql client under the SQLite adapter, which gets fresh connections after a lock error.
 *
 * The problem: when a statement fails with SQLITE_BUSY (another connection held the lock past the busy
 * timeout), libsql leaves it "in progress" on its pooled connection. Every later transaction on that
 * connection then fails to commit ("cannot commit transaction - SQL statements in progress"; Prisma
 * reports P2028 "A rollback cannot be executed on a committed transaction"). An autocommit write there
 * was reported done and this process read it back, but it was not committed: no other connection saw
 * it, and it would be lost if the process died. This went on for seconds after the lock was gone, until
 * libsql let go of the stuck statement. It explains the fault matrix's intermittent failure (a 5 s lock
 * against the 5 s busy timeout): the worker had settled an entry order and written its exit, while the
 * test's own connection still saw the entry PENDING_SUBMIT and no exit row.
 *
 * The fix: after a lock error, the client is replaced by a fresh one with fresh connections, and the
 * old one is closed once no transaction holds one of its connections. The Prisma adapter runs one
 * operation at a time (its own mutex, held for a whole transaction), so no other statement is using
 * the old client when it is closed.
 */
import { createClient, type Client, type Config, type InStatement, type ResultSet, type Transaction, type TransactionMode } from '@libsql/client';

/** SQLITE_BUSY / SQLITE_LOCKED and their extended codes: another connection held the lock. */
export function isSqliteLockError(e: unknown): boolean {
  return /^SQLITE_(BUSY|LOCKED)/.test(String((e as { code?: unknown } | null)?.code ?? ''));
}

/** The client methods the Prisma libsql adapter calls (and db/adapter.ts for its PRAGMA). */
export interface SqliteClient {
  execute(stmt: InStatement): Promise<ResultSet>;
  executeMultiple(sql: string): Promise<void>;
  transaction(mode?: TransactionMode): Promise<Pick<Transaction, 'execute' | 'commit' | 'rollback' | 'close' | 'closed'>>;
  close(): void;
  readonly closed: boolean;
  readonly protocol: string;
}

export function createRecyclingSqliteClient(config: Config): SqliteClient {
  let current: Client = createClient(config);
  /** open transactions per client: a replaced client is closed when its count reaches 0 */
  const openTx = new Map<Client, number>();
  const retired = new Set<Client>();
  let closed = false;

  const closeIfIdle = (c: Client) => {
    if (retired.has(c) && !openTx.get(c)) {
      retired.delete(c);
      openTx.delete(c);
      c.close();
    }
  };
  const replace = (stale: Client) => {
    if (stale !== current || closed) return; // already replaced
    current = createClient(config);
    retired.add(stale);
    closeIfIdle(stale);
  };
  /** runs `op` on the current client; a lock error retires that client */
  const onCurrent = async <T>(op: (c: Client) => Promise<T>): Promise<T> => {
    const c = current;
    try {
      return await op(c);
    } catch (e) {
      if (isSqliteLockError(e)) replace(c);
      throw e;
    }
  };

  return {
    execute: (stmt) => onCurrent((c) => c.execute(stmt)),
    executeMultiple: (sql) => onCurrent((c) => c.executeMultiple(sql)),
    async transaction(mode) {
      const owner = current;
      const tx = await onCurrent((c) => c.transaction(mode));
      openTx.set(owner, (openTx.get(owner) ?? 0) + 1);
      let stale = false;
      let settled = false;
      const guard = async <T>(op: () => Promise<T>): Promise<T> => {
        try {
          return await op();
        } catch (e) {
          if (isSqliteLockError(e)) stale = true;
          throw e;
        }
      };
      // commit, rollback and close each end the transaction (libsql returns its connection then)
      const finish = () => {
        if (settled) return;
        settled = true;
        openTx.set(owner, (openTx.get(owner) ?? 1) - 1);
        if (stale) replace(owner);
        closeIfIdle(owner);
      };
      const end = async (op: () => Promise<void>): Promise<void> => {
        try {
          await guard(op);
        } finally {
          finish();
        }
      };
      return {
        execute: (stmt: InStatement) => guard(() => tx.execute(stmt)),
        commit: () => end(() => tx.commit()),
        rollback: () => end(() => tx.rollback()),
        close: () => {
          try {
            tx.close();
          } finally {
            finish();
          }
        },
        get closed() {
          return tx.closed;
        },
      };
    },
    close() {
      closed = true;
      current.close();
      for (const c of retired) c.close();
      retired.clear();
    },
    get closed() {
      return closed;
    },
    protocol: 'file',
  };
}
