/**
 * The e-mail outbox (issue #4: "status emails to the sender through an outbox table with retries").
 * A mail is written as a row in the same batch as the change it reports, so an acknowledged change
 * always has its mail and a rolled-back one never has; api/mail/worker.ts sends the rows later and
 * marks them here. The recipient and the body are personal data (the body may hold a magic link):
 * both are blanked as soon as a row is sent or abandoned (0005_feedback.sql, docs/architecture.md §7
 * "Logs carry … never names, phones …").
 */
import type { Client, InStatement } from '@libsql/client';

export interface NewEmail {
  /** Names the event the mail reports (e.g. `feedback:AB12-CD34:received`): a retried request
   * writes the same key, and the second insert is a no-op, so it never makes a second mail. */
  dedupeKey: string;
  to: string;
  subject: string;
  bodyText: string;
  /** When the change happened; the mail is due at once. */
  at: Date;
}

export interface DueEmail {
  id: number;
  to: string;
  subject: string;
  bodyText: string;
  /** Failed attempts so far. */
  attempts: number;
}

export interface OutboxCounts {
  pending: number;
  sent: number;
  failed: number;
}

/** Give up after this many failed attempts (issue #4 "retries"; the schedule below spans ≈ 2.6 days). */
export const MAX_ATTEMPTS = 8;

/**
 * Wait after the n-th failure (index n-1): 1 min, 5 min, 30 min, 2 h, 12 h, then daily. Short first
 * waits cover a restarting mail server; the long tail covers a misconfiguration someone has to fix,
 * which is why a permanent 5xx reply is retried too (a wrong relay setting answers 5xx for every mail).
 */
export const BACKOFF_MINUTES = [1, 5, 30, 120, 720, 1440, 1440] as const;

/**
 * While a worker sends a claimed row, the row is hidden from other workers (several API processes
 * may share one database in scaled-out mode) by moving next_attempt_at this far ahead. A worker that
 * dies mid-send leaves the row to be retried after the lease: at-least-once delivery.
 */
export const CLAIM_LEASE_MS = 30 * 60 * 1000;

/**
 * @example
 *   await client.batch([...changeStatements, enqueueEmailStatement({ dedupeKey, to, ...mail, at: now })], 'write');
 */
export function enqueueEmailStatement(m: NewEmail): InStatement {
  const at = m.at.toISOString();
  return {
    sql: `INSERT INTO email_outbox (dedupe_key, created_at, to_address, subject, body_text, status, attempts, next_attempt_at)
          VALUES (?, ?, ?, ?, ?, 'pending', 0, ?)
          ON CONFLICT(dedupe_key) DO NOTHING`,
    args: [m.dedupeKey, at, m.to, m.subject, m.bodyText, at],
  };
}

/**
 * Takes up to `limit` pending rows due at `now` (oldest first) and leases them (CLAIM_LEASE_MS) in
 * one statement, so two workers never take the same row.
 * @example
 *   for (const mail of await claimDueEmails(db.client, new Date(), 10)) await send(mail);
 */
export async function claimDueEmails(client: Client, now: Date, limit: number): Promise<DueEmail[]> {
  const rs = await client.execute({
    sql: `UPDATE email_outbox SET next_attempt_at = ?
          WHERE id IN (SELECT id FROM email_outbox WHERE status = 'pending' AND next_attempt_at <= ?
                       ORDER BY next_attempt_at, id LIMIT ?)
          RETURNING id, to_address, subject, body_text, attempts`,
    args: [new Date(now.getTime() + CLAIM_LEASE_MS).toISOString(), now.toISOString(), limit],
  });
  return rs.rows
    .map((r) => ({
      id: Number(r.id),
      to: String(r.to_address ?? ''),
      subject: String(r.subject),
      bodyText: String(r.body_text ?? ''),
      attempts: Number(r.attempts),
    }))
    .sort((a, b) => a.id - b.id);
}

/** Sent: keep the subject (no personal data, useful to staff), blank the address and the body. */
export function markSentStatement(id: number, now: Date): InStatement {
  return {
    sql: `UPDATE email_outbox SET status = 'sent', sent_at = ?, to_address = NULL, body_text = NULL, last_error = NULL
          WHERE id = ? AND status = 'pending'`,
    args: [now.toISOString(), id],
  };
}

/**
 * A short, fixed-vocabulary code for a send error: nodemailer's code, the socket's code under it
 * and the SMTP reply code, e.g. `ESOCKET:ECONNREFUSED` or `EENVELOPE:451`. Never the message: an
 * SMTP reply such as "550 <name@example.com>: no such user" echoes the address.
 * @example errorCode(Object.assign(new Error('…'), { code: 'EAUTH', responseCode: 535 })) === 'EAUTH:535'
 */
export function errorCode(err: unknown): string {
  const e = (typeof err === 'object' && err !== null ? err : {}) as Record<string, unknown>;
  const parts: string[] = [];
  for (const c of [e.code, e.originalCode]) {
    if (typeof c === 'string' && /^[A-Z][A-Z0-9_]{1,39}$/.test(c) && !parts.includes(c)) parts.push(c);
  }
  const rc = e.responseCode;
  if (typeof rc === 'number' && Number.isInteger(rc) && rc >= 100 && rc <= 599) parts.push(String(rc));
  if (parts.length > 0) return parts.join(':');
  // No code at all: the error class only (a constructor name, never data).
  const name = typeof e.name === 'string' && /^[A-Za-z][A-Za-z0-9_]{0,39}$/.test(e.name) ? e.name : 'Error';
  return name;
}

/**
 * One more failed attempt: retry after the backoff, or after MAX_ATTEMPTS give up and blank the
 * personal data. `error` is reduced to `errorCode(error)` here, so no caller can store a message.
 */
export function markFailedAttemptStatement(id: number, now: Date, error: unknown): InStatement {
  const code = errorCode(error);
  // The CASE reads the attempts before this update (SQLite evaluates every SET against the old row).
  const backoff = BACKOFF_MINUTES.map((m, i) => `WHEN ${i} THEN ${m}`).join(' ');
  const last = BACKOFF_MINUTES[BACKOFF_MINUTES.length - 1];
  const giveUp = `attempts + 1 >= ${MAX_ATTEMPTS}`;
  return {
    sql: `UPDATE email_outbox SET
            attempts = attempts + 1,
            last_error = ?,
            status = CASE WHEN ${giveUp} THEN 'failed' ELSE 'pending' END,
            to_address = CASE WHEN ${giveUp} THEN NULL ELSE to_address END,
            body_text = CASE WHEN ${giveUp} THEN NULL ELSE body_text END,
            next_attempt_at = strftime('%Y-%m-%dT%H:%M:%fZ', ?, '+' || (CASE attempts ${backoff} ELSE ${last} END) || ' minutes')
          WHERE id = ? AND status = 'pending'`,
    args: [code, now.toISOString(), id],
  };
}

/** For the health check and the staff page. */
export async function outboxCounts(client: Client): Promise<OutboxCounts> {
  const rs = await client.execute('SELECT status, count(*) AS n FROM email_outbox GROUP BY status');
  const out: OutboxCounts = { pending: 0, sent: 0, failed: 0 };
  for (const r of rs.rows) {
    const s = String(r.status);
    if (s === 'pending' || s === 'sent' || s === 'failed') out[s] = Number(r.n);
  }
  return out;
}
