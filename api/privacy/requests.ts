/**
 * The sender's rights over their data (issue #7 part 4; Luật 91/2025/QH15, Nghị định 356/2025/NĐ-CP;
 * docs/privacy.md): the export of everything gopy holds about them, and their requests to correct
 * or delete their contact data, filed from the tracking page and decided by staff. Each filing and
 * each decision is one batch: the request, the change of the contact data, the history event the
 * sender sees, the audit row and the sender's e-mail.
 *
 * Deleting contact data removes the feedback_contacts row (as the retention purge does,
 * db/retention.ts) and the sender's name from the publication; it never deletes the case, its
 * history, its files or its published redacted texts (docs/privacy.md says why).
 */
import type { InStatement } from '@libsql/client';
import type { Deps } from '../app-env.ts';
import { ProblemError } from '../problem.ts';
import { loadPrivacyRights, type DataRequestKind, type DataRequestOut } from '../contracts/privacy.ts';
import { addWorkingDays } from '../deadlines/calendar.ts';
import { deadlinesOf } from '../feedback/deadlines.ts';
import { publicBase, trackPath } from '../feedback/notify.ts';
import { dataRequestMail } from '../mail/templates.ts';
import { enqueueEmailStatement } from '../../db/outbox.ts';
import { committerFor } from '../../db/group-commit.ts';
import { readContact, stepStatements, type CaseRow, type ContactRow } from '../../db/feedback-cases.ts';
import {
  decideStatement,
  insertRequestStatement,
  type Corrections,
  type DataRequestRow,
} from '../../db/data-requests.ts';
import { auditStatement } from '../../db/staff.ts';

/** History actions of the requests (feedback_events.action); the refusal's note is told to the sender. */
export const DATA_REQUEST_ACTIONS = ['data-request', 'data-correct', 'data-delete', 'data-refuse'] as const;

/**
 * When a request filed at `at` must be answered: the period of content/privacy/rights.yaml in
 * working days, counted by the feedback deadline calendar with the same receipt cut-off.
 * @example requestDue('content', 'delete', new Date('2026-03-06T03:00:00Z')) // end of Wed 11/03/2026 (VN)
 */
export function requestDue(contentDir: string, kind: DataRequestKind, at: Date): Date {
  const { calendar, rules } = deadlinesOf(contentDir);
  const days = loadPrivacyRights(contentDir).response_working_days[kind];
  return addWorkingDays(at, days, calendar, { receiptCutoff: rules.receipt_cutoff }).deadline;
}

export function requestOut(r: DataRequestRow): DataRequestOut {
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    requested_at: r.requestedAt,
    due_at: r.dueAt,
    decided_at: r.decidedAt,
    decision_note: r.decisionNote,
  };
}

function failureText(err: unknown): string {
  return err instanceof Error ? `${err.message} ${String((err as { cause?: unknown }).cause ?? '')}` : '';
}

/** The history event of a request step: the status stays, the case's version moves. */
function eventStatements(c: CaseRow, at: Date, action: string, staffId: number | null, note: string | null) {
  return stepStatements({
    feedbackId: c.id,
    at,
    action,
    actor: staffId === null ? 'citizen' : 'staff',
    staffId,
    from: c.status,
    version: c.version,
    to: c.status,
    unitId: c.unitId,
    note,
    changes: {},
  });
}

async function write(deps: Deps, statements: InStatement[]): Promise<void> {
  try {
    await committerFor(deps.db.client).write(statements);
  } catch (err) {
    const text = failureText(err);
    if (text.includes('data_requests_one_pending') || text.includes('data_requests.feedback_id, data_requests.kind'))
      throw new ProblemError(409, 'data_request_pending');
    if (text.includes('stale_feedback_status')) throw new ProblemError(409, 'stale_status');
    throw err;
  }
}

/** Files the sender's request; 409 when the contact data is gone or the same request is open. */
export async function fileRequest(
  deps: Deps,
  c: CaseRow,
  input: { kind: DataRequestKind; reason: string; corrections: Corrections | null },
): Promise<{ dueAt: Date }> {
  const at = deps.now();
  if (!(await readContact(deps.db.client, c.id))) throw new ProblemError(409, 'contact_deleted');
  const dueAt = requestDue(deps.config.CONTENT_DIR, input.kind, at);
  await write(deps, [
    insertRequestStatement({
      feedbackId: c.id,
      kind: input.kind,
      at,
      dueAt,
      reason: input.reason,
      corrections: input.corrections,
    }),
    ...eventStatements(c, at, 'data-request', null, null),
    auditStatement({
      at,
      staffId: null,
      action: 'data_request_filed',
      targetType: 'feedback',
      targetId: String(c.id),
      unitId: c.unitId,
      details: { kind: input.kind },
    }),
  ]);
  return { dueAt };
}

/** The contact row after a correction: given values replace, the others stay. */
function corrected(contact: ContactRow, fix: Corrections): ContactRow {
  return {
    name: fix.name ?? contact.name,
    phone: fix.phone ?? contact.phone,
    email: fix.email ?? contact.email,
    address: fix.address ?? contact.address,
  };
}

/**
 * Carries out or refuses a pending request. A refusal needs a reason (told to the sender). The
 * outcome mail goes to the address held before the step (for a correction of the e-mail, to the
 * new one): after a deletion it is the last mail, and the outbox blanks the address once sent.
 */
export async function decideRequest(
  deps: Deps,
  c: CaseRow,
  r: DataRequestRow,
  d: { staffId: number; decision: 'carry-out' | 'refuse'; note: string | null },
): Promise<void> {
  if (r.status !== 'pending') throw new ProblemError(409, 'data_request_decided');
  const at = deps.now();
  const done = d.decision === 'carry-out';
  const contact = await readContact(deps.db.client, c.id);
  if (done && !contact) throw new ProblemError(409, 'contact_deleted');
  const statements: InStatement[] = [
    decideStatement({ id: r.id, status: done ? 'done' : 'refused', at, staffId: d.staffId, note: d.note }),
  ];
  let mailTo = contact?.email ?? null;
  if (done && r.kind === 'delete') {
    statements.push(
      { sql: 'DELETE FROM feedback_contacts WHERE feedback_id = ?', args: [c.id] },
      // The name shown with the publication, by the sender's earlier choice, goes too; the
      // redacted title, text and answer stay published.
      { sql: 'UPDATE feedback_publications SET sender_name = NULL WHERE feedback_id = ?', args: [c.id] },
      { sql: 'UPDATE feedback SET show_name = 0 WHERE id = ?', args: [c.id] },
    );
  } else if (done && contact) {
    const next = corrected(contact, r.corrections ?? {});
    mailTo = next.email;
    statements.push({
      sql: 'UPDATE feedback_contacts SET name = ?, phone = ?, email = ?, address = ? WHERE feedback_id = ?',
      args: [next.name, next.phone, next.email, next.address, c.id],
    });
  }
  const action = done ? (r.kind === 'delete' ? 'data-delete' : 'data-correct') : 'data-refuse';
  statements.push(
    ...eventStatements(c, at, action, d.staffId, d.note),
    auditStatement({
      at,
      staffId: d.staffId,
      action: 'data_request_decided',
      targetType: 'feedback',
      targetId: String(c.id),
      unitId: c.unitId,
      details: { request: r.id, kind: r.kind, decision: d.decision },
    }),
  );
  if (mailTo) {
    const mail = dataRequestMail({
      locale: c.locale === 'en' ? 'en' : 'vi',
      trackingCode: c.trackingCode,
      kind: r.kind,
      done,
      note: d.note,
      trackUrl: `${publicBase(deps)}${trackPath(c.locale)}`,
    });
    statements.push(
      enqueueEmailStatement({ dedupeKey: `fb:${c.trackingCode}:data-request:${r.id}`, to: mailTo, ...mail, at }),
    );
  }
  await write(deps, statements);
}
