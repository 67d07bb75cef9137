/**
 * Feedback cases (issue #4): the statements that store one case in a single batch (case, contact
 * data apart, first history event) and the reads of the citizen's routes. No read here touches
 * feedback_contacts: personal data is never joined into what a citizen or the public sees.
 */
import type { Client, InStatement } from '@libsql/client';

/** Unit that receives and classifies a case whose sender named no unit (see 0005_feedback.sql). */
export const RECEIVING_UNIT = 'khanh-hoa';

export interface NewFeedback {
  trackingCode: string;
  accessKeyHash: string;
  kind: string;
  subject: string;
  unitId: string | undefined;
  procedureCode: string | undefined;
  title: string;
  content: string;
  channel: string;
  publishContent: boolean;
  showName: boolean;
  receivedAt: Date;
  classifyDueAt: Date;
  answerDueAt: Date;
  idempotencyKey: string | null;
  requestHash: string | null;
  locale: string;
  /** Folded title, content and code (foldForSearch) for the staff inbox search. */
  searchText: string;
  /** The same after redaction, and the redacted title (migration 0008, api/feedback/redacted-search.ts). */
  searchRedacted: string;
  titleRedacted: string;
  /** Who entered it: the sender on the web, or a staff member for another channel (QĐ 31/2021 art. 43). */
  enteredBy: { actor: 'citizen' } | { actor: 'staff'; staffId: number };
  contact: {
    name: string;
    phone: string | undefined;
    email: string | undefined;
    address: string | undefined;
    /** The channel the sender chose for news of the case (migration 0009); absent: the default (docs/sms.md). */
    notify?: 'email' | 'sms' | 'none' | undefined;
  };
  retainUntil: Date;
  /** The privacy notice version in force at receipt (content/privacy/notice.yaml, docs/privacy.md). */
  noticeVersion: string;
}

/** The case, its contact row and the 'received' event; the last two find the case by tracking code. */
export function feedbackStatements(f: NewFeedback): InStatement[] {
  const at = f.receivedAt.toISOString();
  const byCode = '(SELECT id FROM feedback WHERE tracking_code = ?)';
  return [
    {
      sql: `INSERT INTO feedback (tracking_code, access_key_hash, kind, subject, unit_id, procedure_code, title, content,
              channel, status, publish_content, show_name, received_at, classify_due_at, answer_due_at,
              idempotency_key, request_hash, locale, updated_at, search_text, notice_version, search_redacted,
              title_redacted)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'received', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      args: [
        f.trackingCode,
        f.accessKeyHash,
        f.kind,
        f.subject,
        f.unitId ?? RECEIVING_UNIT,
        f.procedureCode ?? null,
        f.title,
        f.content,
        f.channel,
        f.publishContent ? 1 : 0,
        f.showName ? 1 : 0,
        at,
        f.classifyDueAt.toISOString(),
        f.answerDueAt.toISOString(),
        f.idempotencyKey,
        f.requestHash,
        f.locale,
        at,
        f.searchText,
        f.noticeVersion,
        f.searchRedacted,
        f.titleRedacted,
      ],
    },
    {
      sql: `INSERT INTO feedback_contacts (feedback_id, name, phone, email, address, retain_until, notify)
            VALUES (${byCode}, ?, ?, ?, ?, ?, ?)`,
      args: [
        f.trackingCode,
        f.contact.name,
        f.contact.phone ?? null,
        f.contact.email ?? null,
        f.contact.address ?? null,
        f.retainUntil.toISOString(),
        f.contact.notify ?? null,
      ],
    },
    {
      sql: `INSERT INTO feedback_events (feedback_id, at, action, actor, staff_id, from_status, to_status, unit_id)
            VALUES (${byCode}, ?, ?, ?, ?, NULL, 'received', ?)`,
      args: [
        f.trackingCode,
        at,
        f.enteredBy.actor === 'citizen' ? 'submit' : 'enter',
        f.enteredBy.actor,
        f.enteredBy.actor === 'staff' ? f.enteredBy.staffId : null,
        f.unitId ?? RECEIVING_UNIT,
      ],
    },
  ];
}

export interface StoredFeedbackKey {
  trackingCode: string;
  requestHash: string | null;
  classifyDueAt: string;
  answerDueAt: string;
}

export async function findFeedbackByKey(
  client: Client,
  idempotencyKey: string,
): Promise<StoredFeedbackKey | undefined> {
  const rs = await client.execute({
    sql: 'SELECT tracking_code, request_hash, classify_due_at, answer_due_at FROM feedback WHERE idempotency_key = ?',
    args: [idempotencyKey],
  });
  const row = rs.rows[0];
  return row
    ? {
        trackingCode: String(row.tracking_code),
        requestHash: row.request_hash === null ? null : String(row.request_hash),
        classifyDueAt: String(row.classify_due_at),
        answerDueAt: String(row.answer_due_at),
      }
    : undefined;
}

/** What the tracking page may show: no contact data, no staff, no free text of the case. */
export interface TrackedFeedback {
  id: number;
  accessKeyHash: string;
  trackingCode: string;
  kind: string;
  subject: string;
  status: string;
  unit: { id: string; name_vi: string; name_en: string };
  receivedAt: string;
  classifyDueAt: string;
  answerDueAt: string;
  events: { at: string; from: string | null; to: string }[];
}

export async function findFeedbackForTracking(
  client: Client,
  trackingCode: string,
): Promise<TrackedFeedback | undefined> {
  const [cases, events] = await client.batch(
    [
      {
        sql: `SELECT f.id, f.access_key_hash, f.tracking_code, f.kind, f.subject, f.status, f.received_at,
                     f.classify_due_at, f.answer_due_at, u.id AS unit_id, u.name_vi, u.name_en
              FROM feedback f JOIN units u ON u.id = f.unit_id
              WHERE f.tracking_code = ?`,
        args: [trackingCode],
      },
      {
        sql: `SELECT e.at, e.from_status, e.to_status FROM feedback_events e
              WHERE e.feedback_id = (SELECT id FROM feedback WHERE tracking_code = ?) ORDER BY e.id`,
        args: [trackingCode],
      },
    ],
    'read',
  );
  const row = cases!.rows[0];
  if (!row) return undefined;
  return {
    id: Number(row.id),
    accessKeyHash: String(row.access_key_hash),
    trackingCode: String(row.tracking_code),
    kind: String(row.kind),
    subject: String(row.subject),
    status: String(row.status),
    unit: { id: String(row.unit_id), name_vi: String(row.name_vi), name_en: String(row.name_en) },
    receivedAt: String(row.received_at),
    classifyDueAt: String(row.classify_due_at),
    answerDueAt: String(row.answer_due_at),
    events: events!.rows.map((e) => ({
      at: String(e.at),
      from: e.from_status === null ? null : String(e.from_status),
      to: String(e.to_status),
    })),
  };
}
