/**
 * What the sender sees of their own case (issue #4 `/tra-cuu/`): status timeline with dates, the
 * current deadline, the handling unit (never staff names), the notes they are told (a reason, the
 * information requested), the answer and its files, their rating and what they may do next, the
 * privacy notice it was received under and their requests about their contact data (issue #7).
 */
import type { Deps } from '../app-env.ts';
import type { FeedbackStatus } from '../contracts/feedback.ts';
import type { FeedbackTrack } from '../contracts/feedback.ts';
import { caseHistory, type CaseRow } from '../../db/feedback-cases.ts';
import { allowedCitizenActions, isCaseOverdue } from './workflow.ts';
import { caseFacts } from './service.ts';
import { historyOut } from './history-out.ts';
import { hasContact, requestsOfCase } from '../../db/data-requests.ts';
import { requestOut } from '../privacy/requests.ts';

/** Steps whose note is addressed to the sender; other notes are staff-internal. */
const NOTES_FOR_SENDER = new Set([
  'reject',
  'transfer',
  'request-info',
  'extend',
  'data-correct',
  'data-delete',
  'data-refuse',
]);

export async function citizenView(deps: Deps, c: CaseRow): Promise<FeedbackTrack> {
  const now = deps.now();
  const [history, requests, contactKept] = await Promise.all([
    caseHistory(deps.db.client, c.id),
    requestsOfCase(deps.db.client, c.id, { withPersonal: false }),
    hasContact(deps.db.client, c.id),
  ]);
  const facts = caseFacts(deps, c, history);
  const status = c.status as FeedbackStatus;
  return {
    tracking_code: c.trackingCode,
    kind: c.kind as FeedbackTrack['kind'],
    subject: c.subject as FeedbackTrack['subject'],
    status,
    unit: { id: c.unitId, name_vi: c.unitNameVi, name_en: c.unitNameEn },
    received_at: c.receivedAt,
    classify_due_at: c.classifyDueAt,
    answer_due_at: c.answerDueAt,
    overdue: isCaseOverdue({ status, classifyDueAt: c.classifyDueAt, answerDueAt: c.answerDueAt }, now),
    events: history.events.map((e) => ({
      at: e.at,
      action: e.action,
      from: e.from as FeedbackStatus | null,
      to: e.to as FeedbackStatus,
      unit: { id: e.unitId, name_vi: e.unitNameVi, name_en: e.unitNameEn },
      note: NOTES_FOR_SENDER.has(e.action) ? e.note : null,
    })),
    ...historyOut(history),
    dispute_until: c.disputeUntil,
    allowed_actions: allowedCitizenActions(facts, now),
    notice_version: c.noticeVersion,
    contact_kept: contactKept,
    data_requests: requests.map(requestOut),
  };
}
