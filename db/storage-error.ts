/**
 * Which database errors are the storage's fault rather than the request's or a bug (issue #9
 * "Faults"): a full disk, a read-only or moved file, an I/O error, a file that cannot be opened, or
 * a lock held past busy_timeout. The API answers them 503 storage_unavailable with Retry-After, so
 * clients keep the answer and send it again (a refused batch wrote nothing: batches are atomic).
 */

/** SQLite primary result codes (and their extended forms, e.g. SQLITE_IOERR_WRITE) of storage faults. */
const STORAGE_CODES = [
  'SQLITE_FULL',
  'SQLITE_READONLY',
  'SQLITE_IOERR',
  'SQLITE_CANTOPEN',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
];
/** Node's errors for the same conditions on files we write ourselves. */
const NODE_CODES = ['ENOSPC', 'EROFS', 'EDQUOT', 'EFBIG', 'EIO'];

/** Raised by @libsql/client when its connection was closed under an operation (a reopen after
 * SQLITE_BUSY, or shutdown): nothing of that operation ran. */
const CLIENT_CODES = ['CLIENT_CLOSED'];

export interface StorageFault {
  /** The SQLite or Node code, for the log (no data). */
  code: string;
  /** Seconds a client should wait: a lock clears in moments, space needs someone to act. */
  retryAfter: number;
}

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The storage fault behind `err` (or its causes), or undefined for any other error. */
export function storageFault(err: unknown): StorageFault | undefined {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = codeOf(e);
    if (code === undefined) continue;
    if (STORAGE_CODES.some((c) => code === c || code.startsWith(`${c}_`)))
      return { code, retryAfter: /BUSY|LOCKED/.test(code) ? 5 : 30 };
    if (CLIENT_CODES.includes(code)) return { code, retryAfter: 5 };
    if (NODE_CODES.includes(code)) return { code, retryAfter: 30 };
  }
  return undefined;
}
