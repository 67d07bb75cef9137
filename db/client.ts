/**
 * The one way the project opens its database. A `file:` URL is the embedded default (docs/architecture.md §5); a
 * `libsql://` or `http(s)://` URL with a token reaches a libSQL server unchanged (scaled-out mode).
 */
import { createClient, type Client, type Transaction, type TransactionMode } from '@libsql/client';

export interface DbOptions {
  url: string;
  authToken?: string | undefined;
}

/**
 * Per-connection settings for local files (docs/architecture.md §7 "libSQL facts"): WAL so readers never
 * block the writer; synchronous=FULL because acknowledged feedback and answers must survive a crash;
 * busy_timeout so several API processes can share one file; foreign keys enforced.
 */
export const LOCAL_PRAGMAS = [
  'PRAGMA journal_mode = WAL',
  'PRAGMA synchronous = FULL',
  'PRAGMA busy_timeout = 5000',
  'PRAGMA foreign_keys = ON',
] as const;

export interface Db {
  client: Client;
  isLocal: boolean;
  /**
   * Runs `fn` in an interactive transaction, then re-applies the pragmas in case the pool had to
   * open a fresh connection (docs/architecture.md §7; @libsql/client 0.18 normally returns the same one).
   * A local database has one connection, which the transaction holds: any other query meanwhile
   * fails with TRANSACTION_ACTIVE. So request handlers use `client.batch([...], 'write')` for
   * atomic writes; this is for scripts (imports, rebuilds) that run alone.
   */
  transaction<T>(mode: TransactionMode, fn: (tx: Transaction) => Promise<T>): Promise<T>;
  /**
   * Replaces the local connection by a fresh one with the pragmas. Needed after SQLITE_BUSY: the
   * statement that met the lock stays "in progress" in the native driver, and every later COMMIT
   * on that connection fails ("SQL statements in progress") until it is dropped (issue #9).
   */
  reopen(): Promise<void>;
  close(): void;
}

export function isLocalUrl(url: string): boolean {
  return url.startsWith('file:') || url === ':memory:';
}

async function applyPragmas(client: Client): Promise<void> {
  for (const sql of LOCAL_PRAGMAS) await client.execute(sql);
}

/**
 * Opens the database and applies the connection settings.
 * @example
 *   const db = await openDb({ url: 'file:data/gopy.db' });
 *   await db.client.execute('select 1');
 */
export async function openDb(options: DbOptions): Promise<Db> {
  const isLocal = isLocalUrl(options.url);
  const client = createClient({
    url: options.url,
    authToken: options.authToken,
    // One connection per process for local files: every call but a transaction borrows it
    // synchronously, so more connections add no throughput, and a single connection keeps the
    // pragmas it was opened with (the pool would open new ones without them).
    ...(isLocal ? { concurrency: 1 } : {}),
  });
  if (isLocal) await applyPragmas(client);
  return {
    client,
    isLocal,
    async transaction(mode, fn) {
      const tx = await client.transaction(mode);
      try {
        const result = await fn(tx);
        await tx.commit();
        return result;
      } finally {
        tx.close();
        if (isLocal) await applyPragmas(client);
      }
    },
    async reopen() {
      if (!isLocal) return;
      await client.reconnect();
      await applyPragmas(client);
    },
    close() {
      client.close();
    },
  };
}

/** Reads the settings back, for the health check and the tests. */
export async function readPragmas(client: Client): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const name of ['journal_mode', 'synchronous', 'busy_timeout', 'foreign_keys']) {
    const rs = await client.execute(`PRAGMA ${name}`);
    const row = rs.rows[0];
    out[name] = row ? Object.values(row)[0] : undefined;
  }
  return out;
}

/**
 * Refreshes the statistics SQLite's planner chooses indexes by (sqlite_stat1). Without them a
 * list ordered by an index (the inbox, migration 0015) may be read by sorting every row in scope.
 * `analysis_limit` samples about a thousand rows per index, so this takes milliseconds at a million
 * rows; run at start and with the periodic upkeep (api/maintenance.ts).
 */
export async function refreshPlannerStatistics(client: Client): Promise<void> {
  await client.execute('PRAGMA analysis_limit = 1000');
  await client.execute('ANALYZE');
}
