/**
 * Sends the e-mail outbox (issue #4: "status emails to the sender through an outbox table with
 * retries"). Request handlers only write outbox rows in the batch of the change they report
 * (db/outbox.ts); this worker polls, sends and marks each row sent or failed, so a mail server that
 * is down delays mail but never loses it or fails a request.
 */
import {
  claimDueEmails,
  errorCode,
  markFailedAttemptStatement,
  markSentStatement,
  MAX_ATTEMPTS,
  type DueEmail,
} from '../../db/outbox.ts';
import type { Deps } from '../app-env.ts';
import { createMailTransport, type MailTransport } from './transport.ts';

export interface MailWorker {
  /** Stops polling and waits for the pass in progress; unsent rows stay in the outbox for the next start. */
  stop(): Promise<void>;
  /** Sends everything due now (after any pass in progress) and resolves with how many were sent. */
  drain(): Promise<number>;
}

export interface MailWorkerOptions {
  /** Poll interval; 0 turns polling off (tests call drain()). Default 5 s. */
  intervalMs?: number;
  /** Rows claimed at a time. */
  batchSize?: number;
  /** Instead of the transport built from config (SMTP_URL or MAIL_DIR). */
  transport?: MailTransport;
}

/**
 * @example
 *   const mail = startMailWorker({ db, config, log, now: () => new Date() });
 *   // on shutdown, before db.close():
 *   await mail.stop();
 */
export function startMailWorker(
  deps: Pick<Deps, 'db' | 'config' | 'log' | 'now'>,
  opts: MailWorkerOptions = {},
): MailWorker {
  const { db, log, now } = deps;
  const intervalMs = opts.intervalMs ?? 5_000;
  const batchSize = opts.batchSize ?? 10;
  const transport = opts.transport ?? createMailTransport(deps.config, now);
  let stopped = false;
  // The pass in progress, if any: one send loop at a time, so a slow server never stacks passes
  // and a row is never sent twice by this process.
  let current: Promise<number> | null = null;

  // Personal-data rule (docs/architecture.md §7 "Logs carry request ids and outcomes, never names, phones …
  // or free text"): the outbox id, the attempt, the outcome and an error code; never the address,
  // the subject or the body.
  const logLine = (id: number, attempt: number, outcome: 'sent' | 'retry' | 'failed', error?: string): void =>
    log(JSON.stringify({ t: now().toISOString(), mail: id, attempt, outcome, ...(error ? { error } : {}) }));

  async function sendOne(mail: DueEmail): Promise<boolean> {
    const attempt = mail.attempts + 1;
    try {
      await transport.send({ outboxId: mail.id, to: mail.to, subject: mail.subject, text: mail.bodyText });
    } catch (err) {
      await db.client.execute(markFailedAttemptStatement(mail.id, now(), err));
      logLine(mail.id, attempt, attempt >= MAX_ATTEMPTS ? 'failed' : 'retry', errorCode(err));
      return false;
    }
    await db.client.execute(markSentStatement(mail.id, now()));
    logLine(mail.id, attempt, 'sent');
    return true;
  }

  async function pass(): Promise<number> {
    let sent = 0;
    // Claimed rows are leased ahead and marked rows move on (sent, or due after a backoff), so the
    // loop ends when nothing due is left.
    while (!stopped) {
      const due = await claimDueEmails(db.client, now(), batchSize);
      if (due.length === 0) break;
      for (const mail of due) if (await sendOne(mail)) sent++;
    }
    return sent;
  }

  function runPass(): Promise<number> {
    const p = pass().finally(() => {
      if (current === p) current = null;
    });
    current = p;
    return p;
  }

  const timer =
    intervalMs > 0
      ? setInterval(() => {
          if (current || stopped) return;
          runPass().catch((err: unknown) => {
            // A database error (busy, closed): the claimed rows come back after the lease.
            log(JSON.stringify({ t: now().toISOString(), mail: 'pass', outcome: 'error', error: errorCode(err) }));
          });
        }, intervalMs)
      : undefined;
  // Polling must not keep a script or a test process alive.
  timer?.unref();

  return {
    async drain() {
      while (current) await current.catch(() => undefined);
      if (stopped) return 0;
      return runPass();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      while (current) await current.catch(() => undefined);
      transport.close();
    },
  };
}
