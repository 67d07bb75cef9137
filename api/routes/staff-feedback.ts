/**
 * The staff workspace API for feedback (issue #4): the inbox of a staff member's unit subtrees,
 * one case with its full history, the workflow steps, manual entry of feedback from other
 * channels, the sender's contact data (each read audited), files, the redaction preview for
 * publishing and the apology letter for an overdue case.
 *
 * Scoping: a case is visible only when one of the member's grants covers its unit. A case outside
 * every grant answers 404 exactly as a missing one does, so ids cannot be probed (issue #4: "a
 * handler of unit A cannot read or act on unit B's items").
 */
import type { Context } from 'hono';
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { feedbackChannels, type FeedbackStatus } from '../contracts/feedback.ts';
import {
  apologyLetter,
  contactOut,
  inboxPage,
  inboxQuery,
  manualEntryInput,
  redactionPreview,
  staffActionInput,
  staffCase,
  type StaffCase,
} from '../contracts/feedback-actions.ts';
import { foldForSearch } from '../contracts/text.ts';
import { ProblemError, fieldErrors } from '../problem.ts';
import { problems } from '../openapi.ts';
import { grantsCovering, noStore, requireStaff, type StaffEnv, type StaffSession } from '../staff/auth.ts';
import { allowedStaffActions, currentDue, FINISHED, isCaseOverdue, RULES } from '../feedback/workflow.ts';
import { caseFacts, takeStep } from '../feedback/service.ts';
import { historyOut } from '../feedback/history-out.ts';
import { createCase } from '../feedback/intake.ts';
import { deadlinesFor, deadlinesOf } from '../feedback/deadlines.ts';
import { cleanFiles, multipartBody, readSubmission } from '../feedback/submission-body.ts';
import { attachmentResponse } from './feedback.ts';
import { redact, type RedactionKind } from '../redaction/redact.ts';
import { senderDetailsOf } from '../redaction/sender.ts';
import { vnDate, workingDaysBetween } from '../deadlines/calendar.ts';
import { caseHistory, findCase, findPublication, inbox, readContact, type CaseRow } from '../../db/feedback-cases.ts';
import { readAttachment } from '../../db/attachments.ts';
import { auditStatement, type StaffRole } from '../../db/staff.ts';
import { knownCodes, unitExistsOn, unitWithAncestors } from '../../db/units.ts';

const PAGE_SIZE = 25;
const idParam = z.object({ id: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) });
const notFound = () => new ProblemError(404, 'feedback_not_found');

const inboxRoute = createRoute({
  method: 'get',
  path: '/staff/feedback',
  summary: 'Inbox: cases of the units in the staff member’s subtrees, by the deadline of their current step',
  request: { query: inboxQuery },
  responses: {
    200: { content: { 'application/json': { schema: inboxPage } }, description: 'One page' },
    401: problems('Not signed in'),
    422: problems('Invalid filter'),
  },
});

const entryRoute = createRoute({
  method: 'post',
  path: '/staff/feedback',
  summary: 'Enter feedback received by phone, letter, e-mail or in person (coordinator)',
  description:
    'QĐ 31/2021/QĐ-TTg art. 43. Returns the tracking code and the access key once, for staff to pass to the sender. JSON, or multipart/form-data with the JSON in `data` and scans or photos in `attachments`.',
  request: {
    body: {
      content: {
        'application/json': { schema: manualEntryInput },
        'multipart/form-data': { schema: multipartBody },
      },
    },
  },
  responses: {
    201: {
      content: {
        'application/json': {
          schema: z.object({ id: z.number().int(), tracking_code: z.string(), access_key: z.string() }),
        },
      },
      description: 'Entered',
    },
    401: problems('Not signed in'),
    403: problems('Not a coordinator of that unit, or missing CSRF token'),
    415: problems('Not JSON nor multipart'),
    422: problems('Invalid fields or a refused file'),
  },
});

const caseRoute = createRoute({
  method: 'get',
  path: '/staff/feedback/{id}',
  summary: 'One case with its full history and the steps this staff member may take',
  request: { params: idParam },
  responses: {
    200: { content: { 'application/json': { schema: staffCase } }, description: 'The case' },
    401: problems('Not signed in'),
    404: problems('No such case in the staff member’s units'),
  },
});

const actionRoute = createRoute({
  method: 'post',
  path: '/staff/feedback/{id}/actions',
  summary: 'Take one workflow step',
  description:
    'Body: one step, `{ "action": "classify" | "reject" | "transfer" | "assign" | "start" | "request-info" | "resume" | "answer" | "extend" | "publish" | "close" | "reopen", … }` with the fields of that step and an optional `expected_status` (the status the form was made for). JSON, or multipart/form-data (JSON in `data`, files in `attachments`, for an answer). Steps the lifecycle does not allow from the current status answer 409 transition_not_allowed; a step taken by someone else meanwhile answers 409 stale_status.',
  // The body (staffActionInput in api/contracts/feedback-actions.ts; or multipart with it in `data`)
  // is read by the handler after the case is found in the member's units, so a case outside them
  // answers 404 whatever the body.
  request: { params: idParam },
  responses: {
    200: { content: { 'application/json': { schema: staffCase } }, description: 'The case afterwards' },
    401: problems('Not signed in'),
    403: problems('Missing role for this step, or missing CSRF token'),
    404: problems('No such case in the staff member’s units'),
    409: problems('Not possible now'),
    415: problems('Not JSON nor multipart'),
    422: problems('Invalid fields or a refused file'),
  },
});

const contactRoute = createRoute({
  method: 'get',
  path: '/staff/feedback/{id}/contact',
  summary: 'The sender’s contact data (coordinators and handlers; every read is audited)',
  request: { params: idParam },
  responses: {
    200: { content: { 'application/json': { schema: contactOut } }, description: 'Contact data' },
    401: problems('Not signed in'),
    403: problems('Role without access to personal data'),
    404: problems('No such case in the staff member’s units'),
  },
});

const fileRoute = createRoute({
  method: 'get',
  path: '/staff/feedback/{id}/attachments/{file}',
  summary: 'Download a file of the case (the sender’s files are personal data: audited)',
  request: { params: idParam.extend({ file: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) }) },
  responses: {
    200: { description: 'The file, as an attachment' },
    401: problems('Not signed in'),
    404: problems('No such case or file'),
  },
});

const previewRoute = createRoute({
  method: 'get',
  path: '/staff/feedback/{id}/publication-preview',
  summary: 'The texts to publish with personal data removed, for the publisher to check and edit',
  request: { params: idParam },
  responses: {
    200: { content: { 'application/json': { schema: redactionPreview } }, description: 'The preview' },
    401: problems('Not signed in'),
    403: problems('Not a publisher of this unit'),
    404: problems('No such case'),
    409: problems('No answer yet, or the sender did not consent'),
  },
});

const apologyRoute = createRoute({
  method: 'get',
  path: '/staff/feedback/{id}/apology-letter',
  summary: 'The facts of an apology letter (thư xin lỗi) for an overdue case',
  request: { params: idParam, query: z.object({ locale: z.enum(['vi', 'en']).optional() }) },
  responses: {
    200: { content: { 'application/json': { schema: apologyLetter } }, description: 'The letter' },
    401: problems('Not signed in'),
    404: problems('No such case'),
    409: problems('The case is not overdue'),
  },
});

const unitsRoute = createRoute({
  method: 'get',
  path: '/staff/units',
  summary:
    'Units for the workspace’s lists: all current units, and whether each lies in the member’s subtrees per role',
  responses: {
    200: {
      content: {
        'application/json': {
          schema: z.object({
            units: z.array(
              z.object({
                id: z.string(),
                name_vi: z.string(),
                name_en: z.string(),
                parent_id: z.string().nullable(),
                roles: z.array(z.string()),
              }),
            ),
          }),
        },
      },
      description: 'Units',
    },
    401: problems('Not signed in'),
  },
});

/** Grants that open feedback: every role but `supervisor`, which reads officer results only
 * (issue #10, docs/kiosk-and-officers.md). */
function feedbackGrants(c: Context<StaffEnv>) {
  return c.var.staff.roles.filter((g) => g.role !== 'supervisor');
}

/** The roles the member holds over a unit (grants whose subtree holds it). */
async function rolesOver(c: Context<StaffEnv>, unit: string): Promise<StaffRole[]> {
  const grants = await grantsCovering(c.var.deps.db.client, feedbackGrants(c), unit);
  return [...new Set(grants.map((g) => g.role))];
}

/** The case when the member may see it; 404 when it is missing or outside their units. */
async function scopedCase(c: Context<StaffEnv>, id: number): Promise<{ row: CaseRow; roles: StaffRole[] }> {
  const row = await findCase(c.var.deps.db.client, id);
  if (!row) throw notFound();
  const roles = await rolesOver(c, row.unitId);
  if (roles.length === 0) throw notFound();
  return { row, roles };
}

export const PERSONAL_DATA_ROLES: readonly StaffRole[] = ['coordinator', 'handler'];

/**
 * The sender's texts as a member without access to personal data (a publisher, an admin) may read
 * them: what the sender wrote often names them ("Tôi là …, số điện thoại …"), so it is redacted
 * with the sender's own details, as for publishing.
 */
async function senderTextRedactor(c: Context<StaffEnv>, row: CaseRow): Promise<(text: string) => string> {
  const sender = senderDetailsOf(await readContact(c.var.deps.db.client, row.id));
  return (text) => redact(text, sender).text;
}

async function staffView(c: Context<StaffEnv>, row: CaseRow, roles: StaffRole[]): Promise<StaffCase> {
  const deps = c.var.deps;
  const now = deps.now();
  const [history, published] = await Promise.all([
    caseHistory(deps.db.client, row.id),
    findPublication(deps.db.client, row.id),
  ]);
  const facts = caseFacts(deps, row, history);
  // The least-privileged view wins (issue #7 part 4): a member who also holds a role over this case
  // that reads redacted text (publisher, admin) reads it redacted, as the inbox shows and searches it.
  const personal = roles.length > 0 && roles.every((r) => PERSONAL_DATA_ROLES.includes(r));
  if (!personal) {
    const clean = await senderTextRedactor(c, row);
    row = { ...row, title: clean(row.title), content: clean(row.content) };
    for (const m of history.messages) if (m.author === 'citizen') m.body = clean(m.body);
    for (const a of history.attachments) if (a.author === 'citizen') a.fileName = clean(a.fileName);
  }
  const rule = deadlinesFor(deps.config.CONTENT_DIR, row.kind, row.subject).rule;
  const status = row.status as FeedbackStatus;
  const dates = { status, classifyDueAt: row.classifyDueAt, answerDueAt: row.answerDueAt };
  return {
    id: row.id,
    tracking_code: row.trackingCode,
    kind: row.kind as StaffCase['kind'],
    subject: row.subject as StaffCase['subject'],
    unit: { id: row.unitId, name_vi: row.unitNameVi, name_en: row.unitNameEn },
    procedure: row.procedureCode,
    channel: row.channel as StaffCase['channel'],
    status,
    title: row.title,
    content: row.content,
    publish_content: row.publishContent,
    show_name: row.showName,
    received_at: row.receivedAt,
    classify_due_at: row.classifyDueAt,
    answer_due_at: row.answerDueAt,
    due_at: currentDue(dates),
    overdue: isCaseOverdue(dates, now),
    answered_at: row.answeredAt,
    dispute_until: row.disputeUntil,
    extension_count: row.extensionCount,
    max_extensions: rule.extension.max_count,
    max_extension_days: rule.extension.max_working_days,
    events: history.events.map((e) => ({
      at: e.at,
      action: e.action,
      actor: e.actor as 'citizen' | 'system' | 'staff',
      staff_name: e.staffName,
      from: e.from as FeedbackStatus | null,
      to: e.to as FeedbackStatus,
      unit: { id: e.unitId, name_vi: e.unitNameVi, name_en: e.unitNameEn },
      note: e.note,
    })),
    ...historyOut(history),
    published: published
      ? { at: published.at, title: published.title, content: published.content, answer: published.answer }
      : null,
    allowed_actions: allowedStaffActions(facts, roles, now),
    // Contact data stays a separate, audited read for coordinators and handlers.
    can_view_contact: roles.some((r) => PERSONAL_DATA_ROLES.includes(r)),
  };
}

/** Writes one audit row for a read of personal data (issue #4). */
async function auditRead(c: Context<StaffEnv>, action: string, row: CaseRow, extra: Record<string, number> = {}) {
  await c.var.deps.db.client.execute(
    auditStatement({
      at: c.var.deps.now(),
      staffId: c.var.staff.staffId,
      action,
      targetType: 'feedback',
      targetId: String(row.id),
      unitId: row.unitId,
      details: extra,
    }),
  );
}

// Validation failures reach the API's defaultHook (api/app.ts): @hono/zod-openapi resolves it
// through the parent app, so a copy here would change nothing.
export const staffFeedbackRoutes = new OpenAPIHono<StaffEnv>();

staffFeedbackRoutes.use('/staff/feedback', noStore);
staffFeedbackRoutes.use('/staff/feedback/*', noStore);
// Every route here needs a live session and, for writes, the CSRF token; the handlers write their
// own, more specific audit rows.
staffFeedbackRoutes.use('/staff/feedback', requireStaff(undefined, undefined, { audit: false }));
staffFeedbackRoutes.use('/staff/feedback/*', requireStaff(undefined, undefined, { audit: false }));
staffFeedbackRoutes.use('/staff/units', requireStaff(undefined, undefined, { audit: false }));

staffFeedbackRoutes.openapi(inboxRoute, async (c) => {
  const q = c.req.valid('query');
  const deps = c.var.deps;
  const words = q.q ? foldForSearch(q.q).split(' ').filter(Boolean).slice(0, 10) : undefined;
  const roles = feedbackGrants(c);
  const result = await inbox(deps.db.client, {
    scope: [...new Set(roles.map((g) => g.unit))],
    redactedScope: [...new Set(roles.filter((g) => !PERSONAL_DATA_ROLES.includes(g.role)).map((g) => g.unit))],
    status: q.status,
    unit: q.unit,
    kind: q.kind,
    channel: q.channel,
    overdueAt: q.overdue ? deps.now() : undefined,
    words,
    finished: FINISHED,
    limit: PAGE_SIZE,
    offset: (q.page - 1) * PAGE_SIZE,
  });
  const now = deps.now();
  // A search reads the sender's words (redacted or not): audited like the opening of a case, with
  // counts only (the words may be personal data themselves).
  if (words && words.length > 0)
    await deps.db.client.execute(
      auditStatement({
        at: now,
        staffId: c.var.staff.staffId,
        action: 'feedback_search',
        targetType: 'feedback',
        targetId: null,
        unitId: null,
        details: { words: words.length, results: result.total },
      }),
    );
  return c.json(
    {
      total: result.total,
      total_capped: result.capped,
      page: q.page,
      page_size: PAGE_SIZE,
      items: result.rows.map((r) => {
        const dates = {
          status: r.status as FeedbackStatus,
          classifyDueAt: r.classifyDueAt,
          answerDueAt: r.answerDueAt,
        };
        return {
          id: r.id,
          tracking_code: r.trackingCode,
          kind: r.kind as 'phan-anh' | 'kien-nghi',
          subject: r.subject as 'quy-dinh' | 'hanh-vi' | 'khac',
          unit: { id: r.unitId, name_vi: r.unitNameVi, name_en: r.unitNameEn },
          channel: r.channel as (typeof feedbackChannels)[number],
          status: dates.status,
          // Redacted wherever one of the member's roles over the case reads redacted text.
          title: r.redacted ? (r.titleRedacted ?? redact(r.title).text) : r.title,
          received_at: r.receivedAt,
          due_at: currentDue(dates),
          overdue: isCaseOverdue(dates, now),
        };
      }),
    },
    200,
  );
});

staffFeedbackRoutes.openapi(entryRoute, async (c) => {
  const deps = c.var.deps;
  const body = await readSubmission(c);
  const parsed = manualEntryInput.safeParse(body.data);
  if (!parsed.success)
    throw new ProblemError(422, 'validation_failed', { errors: fieldErrors(parsed.error.issues, body.data) });
  const input = parsed.data;
  if (input.phone === undefined && input.email === undefined && input.address === undefined)
    throw new ProblemError(422, 'contact_required', {
      errors: [
        { path: 'phone', code: 'required' },
        { path: 'email', code: 'required' },
        { path: 'address', code: 'required' },
      ],
    });
  const known = await knownCodes(deps.db.client);
  if (!(await unitExistsOn(deps.db.client, input.unit, vnDate(deps.now()))))
    throw new ProblemError(422, 'unknown_unit', { errors: [{ path: 'unit', code: 'invalid_value' }] });
  if (input.procedure !== undefined && !known.procedures.has(input.procedure))
    throw new ProblemError(422, 'unknown_procedure', { errors: [{ path: 'procedure', code: 'invalid_value' }] });
  if (!(await rolesOver(c, input.unit)).includes('coordinator')) throw new ProblemError(403, 'forbidden_unit');
  const files = await cleanFiles(body.files);
  const now = deps.now();
  // A letter counts from the day it arrived, never from the future.
  const receivedAt = input.received_at ? new Date(Math.min(new Date(input.received_at).getTime(), now.getTime())) : now;
  const unitRow = await deps.db.client.execute({
    sql: 'SELECT name_vi, name_en FROM units WHERE id = ?',
    args: [input.unit],
  });
  const created = await createCase(
    deps,
    {
      kind: input.kind,
      subject: input.subject,
      unit: input.unit,
      unitName: String(unitRow.rows[0]![input.locale === 'en' ? 'name_en' : 'name_vi']),
      procedure: input.procedure,
      title: input.title,
      content: input.content,
      channel: input.channel,
      publishContent: input.publish_content,
      showName: input.show_name,
      locale: input.locale,
      contact: { name: input.name, phone: input.phone, email: input.email, address: input.address },
      files,
      enteredBy: { actor: 'staff', staffId: c.var.staff.staffId },
      idempotencyKey: null,
      requestHash: null,
      receivedAt,
    },
    (trackingCode) => [
      auditStatement({
        at: now,
        staffId: c.var.staff.staffId,
        action: 'feedback_enter',
        targetType: 'feedback',
        targetByTrackingCode: trackingCode,
        unitId: input.unit,
        details: { channel: input.channel, files: files.length },
      }),
    ],
  );
  const id = await deps.db.client.execute({
    sql: 'SELECT id FROM feedback WHERE tracking_code = ?',
    args: [created.trackingCode],
  });
  return c.json(
    { id: Number(id.rows[0]!.id), tracking_code: created.trackingCode, access_key: created.accessKey },
    201,
  );
});

staffFeedbackRoutes.openapi(caseRoute, async (c) => {
  const { row, roles } = await scopedCase(c, c.req.valid('param').id);
  // The sender's own words are shown here (to those allowed): every opening of a case is audited.
  await auditRead(c, 'view_case', row);
  return c.json(await staffView(c, row, roles), 200);
});

staffFeedbackRoutes.openapi(actionRoute, async (c) => {
  const deps = c.var.deps;
  const { row, roles } = await scopedCase(c, c.req.valid('param').id);
  const body = await readSubmission(c);
  const parsed = staffActionInput.safeParse(body.data);
  if (!parsed.success)
    throw new ProblemError(422, 'validation_failed', { errors: fieldErrors(parsed.error.issues, body.data) });
  const input = parsed.data;
  if (!RULES[input.action].roles.some((r) => roles.includes(r))) throw new ProblemError(403, 'forbidden_role');
  if (body.files.length > 0 && input.action !== 'answer')
    throw new ProblemError(422, 'validation_failed', { errors: [{ path: 'attachments', code: 'unknown_field' }] });
  const files = await cleanFiles(body.files);
  const session: StaffSession = c.var.staff;
  const after = await takeStep(deps, row, {
    actor: { kind: 'staff', staffId: session.staffId },
    input,
    files,
    // A coordinator assigns only within their own subtrees.
    unitInScope: async (unit) => {
      const chain = await unitWithAncestors(deps.db.client, unit);
      return session.roles.some((g) => g.role === 'coordinator' && chain.includes(g.unit));
    },
  });
  // After a transfer or an assignment the case may have left the member's units.
  const rolesAfter = await rolesOver(c, after.unitId);
  if (rolesAfter.length === 0) {
    const minimal = await staffView(c, after, []);
    return c.json({ ...minimal, content: '', title: '', messages: [], attachments: [] }, 200);
  }
  return c.json(await staffView(c, after, rolesAfter), 200);
});

staffFeedbackRoutes.openapi(contactRoute, async (c) => {
  const { row, roles } = await scopedCase(c, c.req.valid('param').id);
  if (!roles.some((r) => PERSONAL_DATA_ROLES.includes(r))) throw new ProblemError(403, 'forbidden_role');
  const contact = await readContact(c.var.deps.db.client, row.id);
  if (!contact) throw notFound();
  await auditRead(c, 'view_personal_data', row);
  return c.json(contact, 200);
});

staffFeedbackRoutes.openapi(fileRoute, async (c) => {
  const { id, file } = c.req.valid('param');
  const { row, roles } = await scopedCase(c, id);
  const found = await readAttachment(c.var.deps.db.client, row.id, file);
  if (!found) throw new ProblemError(404, 'not_found');
  const history = await caseHistory(c.var.deps.db.client, row.id);
  const meta = history.attachments.find((a) => a.id === file);
  if (meta?.author === 'citizen') {
    // The sender's own files may show them, their home or their papers: personal data.
    if (!roles.some((r) => PERSONAL_DATA_ROLES.includes(r))) throw new ProblemError(403, 'forbidden_role');
    await auditRead(c, 'view_personal_data', row, { attachment: file });
  }
  return attachmentResponse(found);
});

staffFeedbackRoutes.openapi(previewRoute, async (c) => {
  const deps = c.var.deps;
  const { row, roles } = await scopedCase(c, c.req.valid('param').id);
  if (!roles.includes('publisher')) throw new ProblemError(403, 'forbidden_role');
  if (!row.publishContent) throw new ProblemError(409, 'publish_not_consented');
  const history = await caseHistory(deps.db.client, row.id);
  const answer = history.messages.filter((m) => m.purpose === 'answer').at(-1);
  if (!answer) throw new ProblemError(409, 'transition_not_allowed');
  // The sender's own details are searched for too, so "Tôi là Nguyễn Văn An" loses the name.
  const contact = await readContact(deps.db.client, row.id);
  await auditRead(c, 'redaction_preview', row);
  const sender = senderDetailsOf(contact);
  const parts = [redact(row.title, sender), redact(row.content, sender), redact(answer.body, sender)];
  const removed: Partial<Record<RedactionKind, number>> = {};
  for (const p of parts) for (const s of p.spans) removed[s.kind] = (removed[s.kind] ?? 0) + 1;
  return c.json(
    {
      title: parts[0]!.text,
      content: parts[1]!.text,
      answer: parts[2]!.text,
      removed: removed as Record<string, number>,
      show_name_allowed: row.showName,
    },
    200,
  );
});

staffFeedbackRoutes.openapi(apologyRoute, async (c) => {
  const deps = c.var.deps;
  const { row, roles } = await scopedCase(c, c.req.valid('param').id);
  if (!roles.some((r) => PERSONAL_DATA_ROLES.includes(r))) throw new ProblemError(403, 'forbidden_role');
  const now = deps.now();
  const status = row.status as FeedbackStatus;
  const dates = { status, classifyDueAt: row.classifyDueAt, answerDueAt: row.answerDueAt };
  // Overdue now, or answered after the deadline: both owe the sender an apology.
  const lateAnswer = row.answeredAt !== null && row.answeredAt > row.answerDueAt;
  if (!isCaseOverdue(dates, now) && !lateAnswer) throw new ProblemError(409, 'not_overdue');
  const due = lateAnswer ? row.answerDueAt : currentDue(dates);
  const until = lateAnswer ? new Date(row.answeredAt!) : now;
  const { calendar } = deadlinesOf(deps.config.CONTENT_DIR);
  const contact = await readContact(deps.db.client, row.id);
  await auditRead(c, 'apology_letter', row);
  const locale = c.req.valid('query').locale ?? (row.locale === 'en' ? 'en' : 'vi');
  return c.json(
    {
      tracking_code: row.trackingCode,
      unit: { id: row.unitId, name_vi: row.unitNameVi, name_en: row.unitNameEn },
      locale,
      sender_name: contact?.name ?? '',
      sender_address: contact?.address ?? null,
      received_at: row.receivedAt,
      due_at: due,
      working_days_late: Math.max(1, workingDaysBetween(new Date(due), until, calendar).days),
      new_due_at: lateAnswer || FINISHED.includes(status) ? null : row.answerDueAt,
      title: row.title,
      issued_at: now.toISOString(),
    },
    200,
  );
});

staffFeedbackRoutes.openapi(unitsRoute, async (c) => {
  const client = c.var.deps.db.client;
  const rs = await client.execute(
    "SELECT id, name_vi, name_en, parent_id FROM units WHERE valid_to IS NULL OR valid_to >= date('now') ORDER BY name_vi",
  );
  const units = [];
  for (const r of rs.rows) {
    const id = String(r.id);
    const chain = await unitWithAncestors(client, id);
    const roles = [...new Set(c.var.staff.roles.filter((g) => chain.includes(g.unit)).map((g) => g.role))];
    units.push({
      id,
      name_vi: String(r.name_vi),
      name_en: String(r.name_en),
      parent_id: r.parent_id === null ? null : String(r.parent_id),
      roles,
    });
  }
  return c.json({ units }, 200);
});
