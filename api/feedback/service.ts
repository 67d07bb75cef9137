/**
 * Taking one step on a feedback case (issue #4): checks the step against the lifecycle
 * (./workflow.ts), computes the deadlines it changes (./deadlines.ts), and writes the event, the
 * case update, the message, the files, the rating or the publication, the sender's e-mail and the
 * audit row in ONE batch, so an acknowledged step is whole and a failed one leaves nothing.
 * Both the staff routes and the sender's routes come through here.
 */
import type { InStatement } from '@libsql/client';
import type { Deps } from '../app-env.ts';
import type { FeedbackStatus } from '../contracts/feedback.ts';
import type { CitizenActionInput, StaffActionInput } from '../contracts/feedback-actions.ts';
import { ProblemError } from '../problem.ts';
import { deadlinesFor } from './deadlines.ts';
import { nextStatus, refusal, type CaseFacts, type FeedbackAction } from './workflow.ts';
import { notifySender, type SenderNotice } from './notify.ts';
import {
  LAST_MESSAGE,
  caseHistory,
  findCase,
  messageStatement,
  publicationStatement,
  ratingStatement,
  readContact,
  stepStatements,
  type CaseChanges,
  type CaseHistory,
  type CaseRow,
} from '../../db/feedback-cases.ts';
import { attachmentInsertStatement } from '../../db/attachments.ts';
import { findPersonalData } from '../redaction/redact.ts';
import { backfillPublishedSearch } from './redacted-search.ts';
import { senderDetailsOf } from '../redaction/sender.ts';
import { auditStatement } from '../../db/staff.ts';
import { knownCodes, unitExistsOn } from '../../db/units.ts';
import { vnDate } from '../deadlines/calendar.ts';
import type { CleanAttachment } from '../attachments/attachments.ts';

/** The case facts the lifecycle rules need beyond the status, from its history (read once). */
export function caseFacts(deps: Deps, c: CaseRow, history: CaseHistory): CaseFacts {
  const lastAnswer = history.messages.filter((m) => m.purpose === 'answer').at(-1);
  const rating = lastAnswer ? history.ratings.find((r) => r.messageId === lastAnswer.id) : undefined;
  const rule = deadlinesFor(deps.config.CONTENT_DIR, c.kind, c.subject).rule;
  return {
    status: c.status as FeedbackStatus,
    publishContent: c.publishContent,
    extensionCount: c.extensionCount,
    maxExtensions: rule.extension.max_count,
    disputeUntil: c.disputeUntil,
    senderSatisfied: rating?.satisfied === true,
    answerRated: rating !== undefined,
  };
}

export type StepActor = { kind: 'staff'; staffId: number } | { kind: 'citizen' };

export interface StepRequest {
  actor: StepActor;
  input: StaffActionInput | CitizenActionInput;
  files?: readonly CleanAttachment[];
  /** For `assign`: whether the target unit lies in the staff member's coordinator subtrees. */
  unitInScope?: (unit: string) => Promise<boolean>;
}

/** Text of a failed batch, to tell the stale-status trigger from other failures. */
function isStale(err: unknown): boolean {
  const text = err instanceof Error ? `${err.message} ${String((err as { cause?: unknown }).cause ?? '')}` : '';
  return text.includes('stale_feedback_status');
}

/**
 * Takes one step on case `c` and returns the case as it is afterwards. Throws a ProblemError
 * (409 with the refusal code, 422 for a bad target unit) and writes nothing when the step is not
 * allowed. Roles and unit scope are the caller's to check.
 */
export async function takeStep(deps: Deps, c: CaseRow, req: StepRequest): Promise<CaseRow> {
  const { input } = req;
  const action = input.action as FeedbackAction;
  const now = deps.now();
  if ('expected_status' in input && input.expected_status !== undefined && input.expected_status !== c.status)
    throw new ProblemError(409, 'stale_status');
  const history = await caseHistory(deps.db.client, c.id);
  const facts = caseFacts(deps, c, history);
  const refused = refusal(facts, action, now);
  if (refused) throw new ProblemError(409, refused);

  const d = deadlinesFor(deps.config.CONTENT_DIR, c.kind, c.subject);
  const changes: CaseChanges = {};
  const extra: InStatement[] = [];
  let note: string | null = 'note' in input ? (input.note ?? null) : null;
  let unitAfter = c.unitId;
  let insidePortal = false;
  const staffId = req.actor.kind === 'staff' ? req.actor.staffId : null;
  const author = req.actor.kind === 'staff' ? 'staff' : 'citizen';
  const files = req.files ?? [];
  let notice: SenderNotice | undefined;

  switch (input.action) {
    case 'classify': {
      const kind = input.kind ?? c.kind;
      const subject = input.subject ?? c.subject;
      if (input.procedure !== undefined && !(await knownCodes(deps.db.client)).procedures.has(input.procedure))
        throw new ProblemError(422, 'unknown_procedure', { errors: [{ path: 'procedure', code: 'invalid_value' }] });
      changes.kind = kind;
      changes.subject = subject;
      if (input.procedure !== undefined) changes.procedure_code = input.procedure;
      changes.classified_at = now.toISOString();
      // The answer period runs from classification, under the rule of the corrected kind × subject.
      changes.answer_due_at = deadlinesFor(deps.config.CONTENT_DIR, kind, subject).answerDue(now).toISOString();
      notice = { event: 'classified', dueAt: changes.answer_due_at };
      break;
    }
    case 'reject':
      changes.closed_at = now.toISOString();
      notice = { event: 'rejected', note: input.note };
      break;
    case 'transfer': {
      if ((input.unit === undefined) === (input.outside_agency === undefined))
        throw new ProblemError(422, 'validation_failed', {
          errors: [{ path: input.unit === undefined ? 'unit' : 'outside_agency', code: 'required' }],
        });
      if (input.unit !== undefined) {
        if (input.unit === c.unitId || !(await unitExistsOn(deps.db.client, input.unit, vnDate(now))))
          throw new ProblemError(422, 'unknown_unit', { errors: [{ path: 'unit', code: 'invalid_value' }] });
        // Received again by the other unit: its periods start now (docs/domain.md §7 "chuyển đúng cơ quan").
        insidePortal = true;
        unitAfter = input.unit;
        changes.unit_id = input.unit;
        changes.classify_due_at = d.classifyDue(now).toISOString();
        changes.answer_due_at = d.answerDueAtReceipt(now).toISOString();
      } else {
        changes.closed_at = now.toISOString();
        note = `${input.outside_agency}: ${input.note}`;
      }
      notice = { event: 'transferred', note: note ?? undefined };
      break;
    }
    case 'assign':
      if (!(await unitExistsOn(deps.db.client, input.unit, vnDate(now))) || !(await req.unitInScope?.(input.unit)))
        throw new ProblemError(422, 'unknown_unit', { errors: [{ path: 'unit', code: 'invalid_value' }] });
      unitAfter = input.unit;
      changes.unit_id = input.unit;
      break;
    case 'request-info':
      notice = { event: 'info-requested', note: input.note };
      break;
    case 'answer':
      changes.answered_at = now.toISOString();
      changes.dispute_until = d.disputeUntil(now).toISOString();
      extra.push(messageStatement({ feedbackId: c.id, at: now, purpose: 'answer', author, staffId, body: input.body }));
      notice = { event: 'answered', dueAt: changes.dispute_until };
      break;
    case 'extend': {
      if (input.days > d.rule.extension.max_working_days)
        throw new ProblemError(422, 'validation_failed', {
          errors: [{ path: 'days', code: 'too_large', params: { maximum: d.rule.extension.max_working_days } }],
        });
      changes.answer_due_at = d.extended(new Date(c.answerDueAt), input.days).toISOString();
      changes.extension_count = c.extensionCount + 1;
      notice = { event: 'extended', note: input.note, dueAt: changes.answer_due_at };
      break;
    }
    case 'publish': {
      if (input.show_name && !c.showName)
        throw new ProblemError(422, 'validation_failed', { errors: [{ path: 'show_name', code: 'invalid_value' }] });
      // The texts as given are checked again (issue #7 part 4): whatever the publisher edited, no
      // personal data reaches /cong-khai/, the open data or Open311. The sender's own details are
      // looked for too. The refusal lists offsets and kinds, never the text found.
      const contact = await readContact(deps.db.client, c.id);
      const sender = senderDetailsOf(contact);
      const remaining = (['title', 'content', 'answer'] as const).flatMap((path) =>
        findPersonalData(input[path], sender).map((s) => ({
          path,
          code: 'personal_data' as const,
          params: { start: s.start, end: s.end },
          kind: s.kind,
        })),
      );
      if (remaining.length > 0) throw new ProblemError(422, 'personal_data_remains', { errors: remaining });
      extra.push(
        publicationStatement({
          feedbackId: c.id,
          at: now,
          staffId: staffId!,
          title: input.title,
          content: input.content,
          answer: input.answer,
          senderName: input.show_name ? (contact?.name ?? null) : null,
        }),
      );
      notice = { event: 'published' };
      break;
    }
    case 'close':
      changes.closed_at = now.toISOString();
      break;
    case 'provide-info':
      extra.push(
        messageStatement({ feedbackId: c.id, at: now, purpose: 'info-reply', author, staffId, body: input.body }),
      );
      break;
    case 'dispute':
      // The re-examination gets a fresh answer period from the request (docs/domain.md §7).
      changes.answer_due_at = d.answerDue(now).toISOString();
      extra.push(
        messageStatement({ feedbackId: c.id, at: now, purpose: 'dispute', author, staffId, body: input.body }),
      );
      break;
    case 'rate': {
      const answer = history.messages.filter((m) => m.purpose === 'answer').at(-1)!;
      const reasons = input.satisfied ? [] : input.reasons;
      extra.push(
        ratingStatement({
          feedbackId: c.id,
          messageId: answer.id,
          at: now,
          satisfied: input.satisfied,
          reasons,
          comment: input.comment ?? null,
        }),
      );
      break;
    }
    case 'start':
    case 'resume':
    case 'reopen':
      break;
  }

  // Files belong to the message written in this batch (an answer, a reply), else to the case.
  const withMessage = input.action === 'answer' || input.action === 'provide-info';
  for (const file of files)
    extra.push(
      attachmentInsertStatement({
        feedbackId: c.id,
        messageId: withMessage ? { sql: LAST_MESSAGE, args: [c.id] } : null,
        author,
        file,
        at: now,
      }),
    );

  const to = nextStatus(c.status as FeedbackStatus, action, { insidePortal })!;
  const statements: InStatement[] = [
    ...stepStatements({
      feedbackId: c.id,
      at: now,
      action,
      actor: req.actor.kind,
      staffId,
      from: c.status,
      version: c.version,
      to,
      unitId: unitAfter,
      note,
      changes,
    }),
    ...extra,
  ];
  if (notice) statements.push(...(await notifySender(deps, c, notice, now)));
  if (staffId !== null)
    statements.push(
      auditStatement({
        at: now,
        staffId,
        action: `feedback_${action}`,
        targetType: 'feedback',
        targetId: String(c.id),
        unitId: c.unitId,
        details: { from: c.status, to, files: files.length },
      }),
    );
  try {
    await deps.db.client.batch(statements, 'write');
  } catch (err) {
    if (isStale(err)) throw new ProblemError(409, 'stale_status');
    throw err;
  }
  // The publication is searchable once its folded text is written (FTS5, migration 0015); after a
  // crash in between, the start writes it.
  if (action === 'publish') await backfillPublishedSearch(deps.db.client);
  return (await findCase(deps.db.client, c.id))!;
}
