/**
 * Reading SQLite's constraint errors in one place (issue #8 §1): libSQL reports a broken UNIQUE or
 * PRIMARY KEY constraint as an error whose message (or cause, or code) says
 * "SQLITE_CONSTRAINT… UNIQUE constraint failed: table.column". Callers map the named column to what
 * the request meant (a retried submission, a used token, a replayed proof of work).
 */

/**
 * The text of a UNIQUE / PRIMARY KEY constraint failure, naming the table and column(s) it broke,
 * or undefined for any other error.
 * @example constraintOf(err)?.includes('feedback.idempotency_key')
 */
export function constraintOf(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  const { code, cause } = err as { code?: unknown; cause?: unknown };
  const text = `${String(code ?? '')} ${err.message} ${String(cause ?? '')}`;
  if (!/UNIQUE constraint failed|PRIMARY KEY|SQLITE_CONSTRAINT/.test(text)) return undefined;
  return text;
}
