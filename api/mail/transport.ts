/**
 * Where outbox mail goes (api/env.ts SMTP_URL, MAIL_DIR). The mail worker is the only user: no
 * request handler sends mail directly, they write to the outbox (db/outbox.ts, issue #4).
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { Config } from '../env.ts';

export interface OutgoingMail {
  /** The outbox row, for the .eml file name. */
  outboxId: number;
  to: string;
  subject: string;
  text: string;
}

export interface MailTransport {
  /** 'smtp' when SMTP_URL is set, else 'eml' (files in MAIL_DIR). */
  kind: 'smtp' | 'eml';
  /** Resolves once the server accepted the message (or the file is in place); rejects with
   * nodemailer's error (code, responseCode) otherwise. */
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/**
 * Bounded waits: nodemailer's defaults (2 min to connect, 10 min of socket silence) would let one
 * dead server hold a worker pass past the claim lease (db/outbox.ts CLAIM_LEASE_MS).
 */
const SMTP_TIMEOUTS = { connectionTimeout: 20_000, greetingTimeout: 20_000, socketTimeout: 60_000 } as const;

/**
 * @example
 *   const t = createMailTransport(config);
 *   await t.send({ outboxId: 1, to: 'a@example.com', subject: 'Hi', text: 'Body' });
 */
export function createMailTransport(config: Config, now: () => Date = () => new Date()): MailTransport {
  const from = config.MAIL_FROM;
  if (config.SMTP_URL) {
    const smtp = nodemailer.createTransport({ url: config.SMTP_URL, ...SMTP_TIMEOUTS, logger: false, debug: false });
    return {
      kind: 'smtp',
      async send(m) {
        await smtp.sendMail({ from, to: m.to, subject: m.subject, text: m.text });
      },
      close() {
        smtp.close();
      },
    };
  }
  // No SMTP server (demo, development): write each message as an RFC 822 file, so nothing is lost and
  // nothing leaves the machine. Owner-only permissions, since the file holds the address and the link.
  const stream = nodemailer.createTransport({ streamTransport: true, buffer: true });
  const dir = config.MAIL_DIR;
  return {
    kind: 'eml',
    async send(m) {
      const info = await stream.sendMail({ from, to: m.to, subject: m.subject, text: m.text });
      const message = info.message;
      if (!Buffer.isBuffer(message))
        throw Object.assign(new Error('stream transport gave no buffer'), { code: 'ESTREAM' });
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const stamp = now().toISOString().replace(/[-:.]/g, '');
      const name = `${stamp}-${m.outboxId}.eml`;
      // Write then rename: a reader of MAIL_DIR never sees half a message, and a crash leaves only a
      // dot-file that no mail reader picks up.
      const tmp = join(dir, `.${name}.${process.pid}.tmp`);
      await writeFile(tmp, message, { mode: 0o600 });
      await rename(tmp, join(dir, name));
    },
    close() {
      stream.close();
    },
  };
}
