/**
 * The SMS outbox (issue #11 part 1, docs/sms.md). As the e-mail outbox (db/outbox.ts), a message is
 * a row written in the batch of the step it reports. Unlike e-mail it is sent part by part, and the
 * gateway answers each part with its message id: the id is stored (with the part counted as
 * accepted) before the worker does anything else, so a restarted worker resumes at the next part
 * and never submits an accepted part again. A part handed to the gateway whose answer was lost (a
 * crash, a dropped connection) is "in flight": the gateway's delivery receipt for it, which names
 * the number, resolves it within the lease; without one it is sent again after the lease.
 * The number and the text are blanked once every part is accepted, or the message is given up.
 */
import { createHmac } from 'node:crypto';
import type { Client, InStatement } from '@libsql/client';

export interface NewSms {
  /** Names the event (e.g. `fb:ABCD-EFGH:receipt`): the same event written twice is one message. */
  dedupeKey: string;
  /** The template's name ('receipt', 'status:answered', 'invite'): no personal data. */
  kind: string;
  /** 0xxxxxxxxx, as api/contracts/feedback.ts vnPhone stores it. */
  to: string;
  phoneKey: string;
  text: string;
  encoding: 'ucs2' | 'gsm7';
  parts: number;
  concatRef: number;
  at: Date;
}

export interface DueSms {
  id: number;
  to: string;
  text: string;
  encoding: 'ucs2' | 'gsm7';
  parts: number;
  concatRef: number;
  /** Parts already accepted by the gateway: the next part to send. */
  partsAccepted: number;
  attempts: number;
}

export interface SmsCounts {
  pending: number;
  sent: number;
  delivered: number;
  undeliverable: number;
  failed: number;
  cancelled: number;
}

/** Give up after this many failed attempts (the schedule below spans ≈ 2.6 days, as e-mail's). */
export const SMS_MAX_ATTEMPTS = 8;
/**
 * Wait after the n-th failure, in seconds: 30 s, 2 min, 10 min, 30 min, 2 h, 12 h, then daily. A
 * gateway answers ESME_RTHROTTLED when we exceed its rate: half a minute is usually enough.
 */
export const SMS_BACKOFF_SECONDS = [30, 120, 600, 1800, 7200, 43200, 86400] as const;

/**
 * The keyed hash of a number (HMAC-SHA-256 with a server secret, db/secrets.ts 'sms-phone'): the
 * opt-out list keeps it for ever without keeping the number, and a guess of all 10-digit numbers
 * is useless without the secret.
 */
export function smsPhoneKey(secret: string, phone: string): string {
  // 22 base64url characters: 132 bits, short in the opt-out link and far beyond any guessing.
  return createHmac('sha256', secret).update(`sms-phone:${phone}`).digest('base64url').slice(0, 22);
}

/**
 * The insert of one message, skipped when the number opted out or the event was written before.
 * @example await client.batch([...stepStatements, enqueueSmsStatement(sms)], 'write');
 */
export function enqueueSmsStatement(m: NewSms): InStatement {
  const at = m.at.toISOString();
  return {
    sql: `INSERT INTO sms_outbox (dedupe_key, created_at, kind, to_phone, body_text, phone_key, encoding, parts,
            concat_ref, status, attempts, next_attempt_at)
          SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?
          WHERE NOT EXISTS (SELECT 1 FROM sms_optouts WHERE phone_key = ?)
          ON CONFLICT(dedupe_key) DO NOTHING`,
    args: [m.dedupeKey, at, m.kind, m.to, m.text, m.phoneKey, m.encoding, m.parts, m.concatRef, at, m.phoneKey],
  };
}

/**
 * Takes up to `limit` pending rows due at `now` and leases them for `leaseMs`. A row still showing a
 * part in flight was left by a worker that died or lost the connection, and no delivery receipt
 * named that part within the lease: the gateway did not take it, and it is sent again.
 */
export async function claimDueSms(client: Client, now: Date, limit: number, leaseMs: number): Promise<DueSms[]> {
  const rs = await client.execute({
    sql: `UPDATE sms_outbox SET next_attempt_at = ?, inflight_part = NULL
          WHERE id IN (SELECT id FROM sms_outbox WHERE status = 'pending' AND next_attempt_at <= ?
                       ORDER BY next_attempt_at, id LIMIT ?)
          RETURNING id, to_phone, body_text, encoding, parts, concat_ref, parts_accepted, attempts`,
    args: [new Date(now.getTime() + leaseMs).toISOString(), now.toISOString(), limit],
  });
  return rs.rows
    .map((r) => ({
      id: Number(r.id),
      to: String(r.to_phone ?? ''),
      text: String(r.body_text ?? ''),
      encoding: String(r.encoding) === 'gsm7' ? ('gsm7' as const) : ('ucs2' as const),
      parts: Number(r.parts),
      concatRef: Number(r.concat_ref),
      partsAccepted: Number(r.parts_accepted),
      attempts: Number(r.attempts),
    }))
    .sort((a, b) => a.id - b.id);
}

/** Committed before submit_sm: the part is in flight until the gateway answers (see claimDueSms). */
export function markInflightStatement(id: number, part: number, now: Date, leaseMs: number): InStatement {
  return {
    sql: `UPDATE sms_outbox SET inflight_part = ?, next_attempt_at = ?
          WHERE id = ? AND status = 'pending' AND parts_accepted = ?`,
    args: [part, new Date(now.getTime() + leaseMs).toISOString(), id, part],
  };
}

/**
 * The gateway accepted `part` with `gatewayId`: store the id, count the part, and when it was the
 * last one mark the message sent and blank the number and the text. Guarded by parts_accepted, so
 * a second answer for the same part (a receipt that resolved it first) changes nothing.
 */
export function partAcceptedStatements(id: number, part: number, gatewayId: string, now: Date): InStatement[] {
  const at = now.toISOString();
  return [
    {
      sql: `INSERT INTO sms_gateway_ids (gateway_id, outbox_id, part)
            SELECT ?, id, ? FROM sms_outbox WHERE id = ? AND parts_accepted = ?
            ON CONFLICT DO NOTHING`,
      args: [gatewayId, part, id, part],
    },
    {
      sql: `UPDATE sms_outbox SET
              parts_accepted = parts_accepted + 1,
              inflight_part = NULL,
              last_error = NULL,
              status = CASE WHEN parts_accepted + 1 >= parts THEN 'sent' ELSE status END,
              sent_at = CASE WHEN parts_accepted + 1 >= parts THEN ? ELSE sent_at END,
              to_phone = CASE WHEN parts_accepted + 1 >= parts THEN NULL ELSE to_phone END,
              body_text = CASE WHEN parts_accepted + 1 >= parts THEN NULL ELSE body_text END,
              next_attempt_at = ?
            WHERE id = ? AND parts_accepted = ? AND status = 'pending'`,
      args: [at, at, id, part],
    },
  ];
}

/**
 * The gateway refused a part (or could not be reached): it was not accepted, so it is sent again
 * after the backoff; after SMS_MAX_ATTEMPTS, or at once when `permanent` (an invalid number), the
 * message is given up and blanked. `code` is a fixed-vocabulary code (api/sms/transport.ts).
 */
export function markSmsFailedStatement(id: number, now: Date, code: string, permanent = false): InStatement {
  const backoff = SMS_BACKOFF_SECONDS.map((s, i) => `WHEN ${i} THEN ${s}`).join(' ');
  const last = SMS_BACKOFF_SECONDS[SMS_BACKOFF_SECONDS.length - 1];
  const giveUp = permanent ? '1' : `attempts + 1 >= ${SMS_MAX_ATTEMPTS}`;
  return {
    sql: `UPDATE sms_outbox SET
            attempts = attempts + 1,
            last_error = ?,
            inflight_part = NULL,
            status = CASE WHEN ${giveUp} THEN 'failed' ELSE 'pending' END,
            to_phone = CASE WHEN ${giveUp} THEN NULL ELSE to_phone END,
            body_text = CASE WHEN ${giveUp} THEN NULL ELSE body_text END,
            next_attempt_at = strftime('%Y-%m-%dT%H:%M:%fZ', ?, '+' || (CASE attempts ${backoff} ELSE ${last} END) || ' seconds')
          WHERE id = ? AND status = 'pending'`,
    args: [code.slice(0, 60), now.toISOString(), id],
  };
}

export type ReceiptState = 'delivered' | 'undeliverable' | 'pending';

/**
 * A delivery receipt (deliver_sm) for `gatewayId`, sent by the gateway for the number `phone`
 * (0xxxxxxxxx). Returns whether it matched a message. An id we do not know is the answer to a part
 * in flight whose submit_sm_resp was lost: the oldest pending message to that number with a part in
 * flight takes it (the part counts as accepted, so it is not sent again).
 */
export async function applyDeliveryReceipt(
  client: Client,
  gatewayId: string,
  phone: string | undefined,
  state: ReceiptState,
  now: Date,
): Promise<boolean> {
  const at = now.toISOString();
  const known = await client.execute({
    sql: 'SELECT outbox_id FROM sms_gateway_ids WHERE gateway_id = ?',
    args: [gatewayId],
  });
  let outboxId = known.rows[0] ? Number(known.rows[0].outbox_id) : undefined;
  if (outboxId === undefined) {
    if (!phone) return false;
    const inflight = await client.execute({
      sql: `SELECT id, inflight_part FROM sms_outbox WHERE status = 'pending' AND inflight_part IS NOT NULL
              AND to_phone = ? ORDER BY id LIMIT 1`,
      args: [phone],
    });
    const row = inflight.rows[0];
    if (!row) return false;
    outboxId = Number(row.id);
    await client.batch(partAcceptedStatements(outboxId, Number(row.inflight_part), gatewayId, now), 'write');
    // The rest of the message (if any) is due at once: the lease is over for this part.
  }
  if (state === 'pending') return true;
  await client.batch(
    [
      {
        sql: `UPDATE sms_outbox SET
                delivered_parts = delivered_parts + (CASE WHEN ? = 'delivered' THEN 1 ELSE 0 END),
                status = CASE
                  WHEN ? = 'undeliverable' AND status IN ('sent', 'pending') THEN 'undeliverable'
                  WHEN ? = 'delivered' AND status = 'sent' AND delivered_parts + 1 >= parts THEN 'delivered'
                  ELSE status END,
                delivered_at = CASE WHEN ? = 'delivered' AND delivered_parts + 1 >= parts THEN ? ELSE delivered_at END,
                to_phone = CASE WHEN ? = 'undeliverable' THEN NULL ELSE to_phone END,
                body_text = CASE WHEN ? = 'undeliverable' THEN NULL ELSE body_text END
              WHERE id = ? AND EXISTS (SELECT 1 FROM sms_gateway_ids WHERE gateway_id = ? AND state = 'accepted')`,
        args: [state, state, state, state, at, state, state, outboxId, gatewayId],
      },
      {
        sql: `UPDATE sms_gateway_ids SET state = ? WHERE gateway_id = ? AND state = 'accepted'`,
        args: [state, gatewayId],
      },
    ],
    'write',
  );
  return true;
}

/**
 * The number opted out (a STOP/TUCHOI reply or the opt-out link): remember its key, and cancel what
 * is queued for it and not yet begun. A message with parts already accepted is finished, so the
 * phone never shows half a text.
 */
export function optOutStatements(phoneKey: string, now: Date): InStatement[] {
  return [
    {
      sql: 'INSERT INTO sms_optouts (phone_key, at) VALUES (?, ?) ON CONFLICT DO NOTHING',
      args: [phoneKey, now.toISOString()],
    },
    {
      sql: `UPDATE sms_outbox SET status = 'cancelled', to_phone = NULL, body_text = NULL
            WHERE phone_key = ? AND status = 'pending' AND parts_accepted = 0 AND inflight_part IS NULL`,
      args: [phoneKey],
    },
  ];
}

export async function isOptedOut(client: Client, phoneKey: string): Promise<boolean> {
  const rs = await client.execute({ sql: 'SELECT 1 FROM sms_optouts WHERE phone_key = ?', args: [phoneKey] });
  return rs.rows.length > 0;
}

/** For the health check and the operators. */
export async function smsCounts(client: Client): Promise<SmsCounts> {
  const rs = await client.execute('SELECT status, count(*) AS n FROM sms_outbox GROUP BY status');
  const out: SmsCounts = { pending: 0, sent: 0, delivered: 0, undeliverable: 0, failed: 0, cancelled: 0 };
  for (const r of rs.rows) {
    const s = String(r.status) as keyof SmsCounts;
    if (s in out) out[s] = Number(r.n);
  }
  return out;
}
