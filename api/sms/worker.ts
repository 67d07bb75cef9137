/**
 * Sends the SMS outbox (issue #11 part 1, docs/sms.md) and takes in what the gateway sends back:
 * delivery receipts and replies (STOP / TUCHOI opt out). Request handlers only write outbox rows in
 * the batch of the step they report (db/sms-outbox.ts); this worker submits each message part by
 * part and stores each part's gateway message id before it goes on, so a crash at any moment
 * neither loses a message nor sends an accepted part twice.
 */
import type { Deps } from '../app-env.ts';
import { withoutMarks } from '../contracts/text.ts';
import {
  applyDeliveryReceipt,
  claimDueSms,
  markInflightStatement,
  markSmsFailedStatement,
  optOutStatements,
  partAcceptedStatements,
  SMS_MAX_ATTEMPTS,
  type DueSms,
} from '../../db/sms-outbox.ts';
import { splitParts } from './encoding.ts';
import { phoneKeyOf } from './enqueue.ts';
import { createSmsTransport, SmsError, type InboundHandlers, type SmsTransport } from './transport.ts';

export interface SmsWorker {
  /** Stops polling, waits for the pass in progress and unbinds; unsent rows stay queued. */
  stop(): Promise<void>;
  /** Sends everything due now (after any pass in progress) and resolves with how many messages were completed. */
  drain(): Promise<number>;
}

export interface SmsWorkerOptions {
  /** Poll interval; 0 turns polling off (tests call drain()). Default 5 s. */
  intervalMs?: number;
  batchSize?: number;
  /** Instead of the transport built from config (SMPP_URL or SMS_DIR). */
  transport?: (handlers: InboundHandlers) => SmsTransport;
}

/** Replies that opt a number out, compared without accents, case and spaces ("Từ chối" = TUCHOI). */
export const OPT_OUT_WORDS = ['STOP', 'TUCHOI', 'HUY', 'DUNG'] as const;

export function isOptOutReply(text: string): boolean {
  const word = withoutMarks(text)
    .toUpperCase()
    .replace(/[^A-Z]/g, '');
  return (OPT_OUT_WORDS as readonly string[]).includes(word);
}

/**
 * @example
 *   const sms = startSmsWorker({ db, config, log, now: () => new Date() });
 *   // on shutdown, before db.close():
 *   await sms.stop();
 */
export function startSmsWorker(
  deps: Pick<Deps, 'db' | 'config' | 'log' | 'now'>,
  opts: SmsWorkerOptions = {},
): SmsWorker {
  const { db, log, now, config } = deps;
  const intervalMs = opts.intervalMs ?? 5_000;
  const batchSize = opts.batchSize ?? 10;
  const leaseMs = config.SMS_LEASE_SECONDS * 1000;
  let stopped = false;
  let current: Promise<number> | null = null;

  // Never the number, the text or the gateway's words (docs/architecture.md §7 "Logs carry … never … phones").
  const logLine = (fields: Record<string, string | number>): void =>
    log(JSON.stringify({ t: now().toISOString(), ...fields }));

  const handlers: InboundHandlers = {
    async receipt(r) {
      const matched = await applyDeliveryReceipt(db.client, r.gatewayId, r.phone, r.state, now());
      logLine({ sms: 'receipt', outcome: matched ? r.state : 'unknown-id' });
      // A receipt can overtake the answer to the submit it reports (the gateway id is stored when
      // that answer arrives): not acknowledged, so the gateway delivers it again a little later
      // instead of it being lost (the transport answers ESME_RX_T_APPN, a temporary error).
      if (!matched) throw new Error('receipt for an id not stored yet');
    },
    async message(m) {
      if (!isOptOutReply(m.text)) {
        logLine({ sms: 'reply', outcome: 'ignored' });
        return;
      }
      await db.client.batch(optOutStatements(await phoneKeyOf(deps, m.phone), now()), 'write');
      logLine({ sms: 'reply', outcome: 'opt-out' });
    },
  };
  const transport = (opts.transport ?? ((h) => createSmsTransport(config, h, now)))(handlers);

  /** 'done': all parts accepted; 'next': go on with the next row; 'stop': end the pass (gateway trouble). */
  async function sendOne(sms: DueSms): Promise<'done' | 'next' | 'stop'> {
    const texts = splitParts(sms.text, sms.encoding);
    const attempt = sms.attempts + 1;
    for (let part = sms.partsAccepted; part < sms.parts; part++) {
      if (stopped) return 'stop';
      // In flight, committed before the gateway sees the part (db/sms-outbox.ts claimDueSms).
      const marked = await db.client.execute(markInflightStatement(sms.id, part, now(), leaseMs));
      if (marked.rowsAffected === 0) return 'next';
      let gatewayId: string;
      try {
        gatewayId = await transport.submit({
          outboxId: sms.id,
          part,
          parts: sms.parts,
          concatRef: sms.concatRef,
          to: sms.to,
          text: texts[part] ?? '',
          encoding: sms.encoding,
        });
      } catch (err) {
        const e = err instanceof SmsError ? err : new SmsError('Error');
        if (e.ambiguous) {
          // The gateway may have it: the receipt will tell, or the part is sent after the lease.
          logLine({ sms: sms.id, part: part + 1, attempt, outcome: 'in-flight', error: e.code });
          return 'stop';
        }
        await db.client.execute(markSmsFailedStatement(sms.id, now(), e.code, e.permanent));
        const outcome = e.permanent || attempt >= SMS_MAX_ATTEMPTS ? 'failed' : 'retry';
        logLine({ sms: sms.id, part: part + 1, attempt, outcome, error: e.code });
        // Throttled, unbound, unreachable: the other rows would fare no better now.
        return e.permanent ? 'next' : 'stop';
      }
      // The id first: from here on a restart knows the gateway has this part.
      await db.client.batch(partAcceptedStatements(sms.id, part, gatewayId, now()), 'write');
    }
    logLine({ sms: sms.id, parts: sms.parts, attempt, outcome: 'sent' });
    return 'done';
  }

  async function pass(): Promise<number> {
    let done = 0;
    while (!stopped) {
      const due = await claimDueSms(db.client, now(), batchSize, leaseMs);
      if (due.length === 0) break;
      let stop = false;
      for (const sms of due) {
        if (stop) {
          // Give the rest of the batch back at once rather than after the lease.
          await db.client.execute({
            sql: `UPDATE sms_outbox SET next_attempt_at = ? WHERE id = ? AND status = 'pending' AND inflight_part IS NULL`,
            args: [now().toISOString(), sms.id],
          });
          continue;
        }
        const r = await sendOne(sms);
        if (r === 'done') done++;
        if (r === 'stop') stop = true;
      }
      if (stop) break;
    }
    return done;
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
          runPass().catch(() => logLine({ sms: 'pass', outcome: 'error' }));
        }, intervalMs)
      : undefined;
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
      await transport.close();
    },
  };
}
