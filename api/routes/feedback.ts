/**
 * Feedback and petitions, citizen side (issue #4, DOMAIN §7). POST /feedback stores one case
 * exactly once (Idempotency-Key) and answers with a short tracking code and a secret access key
 * shown once; POST /feedback/track shows the case's status timeline for code + key. The key travels
 * in a JSON body, never in a URL, because URLs end up in logs and browser history.
 *
 * Abuse controls as for open ratings (api/routes/responses.ts): honeypot, proof of work, and a
 * database rate limit per client address whose hit is written in the case's own batch.
 *
 * Deadlines (content/calendar/deadline-rules.yaml, api/deadlines/calendar.ts): the rule for
 * (kind, subject) gives classify and answer periods in working days; the answer period counts from
 * classification, which has not happened yet at receipt, so the first answer deadline assumes
 * classification on its last allowed day: classify_due_at = receipt + classify days,
 * answer_due_at = receipt + (classify + answer) days. Staff handling recomputes the answer deadline
 * from the actual classification (and extensions) later.
 */
import { createHash, createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import {
  closedFeedbackStatuses,
  feedbackInput,
  feedbackReceipt,
  feedbackTrack,
  trackInput,
  TRACKING_ALPHABET,
  type FeedbackStatus,
} from '../contracts/feedback.ts';
import { loadCalendar, loadDeadlineRules, findDeadlineRule } from '../contracts/calendar.ts';
import type { DeadlineRules, WorkingCalendar } from '../contracts/calendar.ts';
import { addWorkingDays, isOverdue } from '../deadlines/calendar.ts';
import type { FieldError } from '../contracts/problem.ts';
import type { PowPayload } from '../contracts/rating.ts';
import { ProblemError, fieldErrors } from '../problem.ts';
import { problems } from '../openapi.ts';
import { onlyMediaTypes } from '../middleware/media-type.ts';
import { canonicalJson } from '../contracts/instrument.ts';
import { serverSecret } from '../../db/secrets.ts';
import { checkRateLimit } from '../../db/rate-limits.ts';
import { sha256Hex } from '../../db/dossiers.ts';
import { knownCodes } from '../../db/units.ts';
import { committerFor } from '../../db/group-commit.ts';
import { feedbackStatements, findFeedbackByKey, findFeedbackForTracking } from '../../db/feedback.ts';
import type { AppEnv } from '../app-env.ts';
import { clientAddress, guardOpenSubmission, idempotencyKey } from '../open-submission.ts';

const submitRoute = createRoute({
  method: 'post',
  path: '/feedback',
  summary: 'Send feedback or a petition (phản ánh, kiến nghị)',
  description:
    'Stores one case and returns its tracking code and a secret access key, shown only in this answer. Send an Idempotency-Key header: a retry with the same key and body returns 200 with the same tracking code and no key.',
  middleware: [onlyMediaTypes(['application/json'])] as const,
  request: {
    headers: z.object({ 'idempotency-key': z.string().optional() }),
    body: { content: { 'application/json': { schema: feedbackInput } } },
  },
  responses: {
    200: { content: { 'application/json': { schema: feedbackReceipt } }, description: 'Already stored (a retry)' },
    201: { content: { 'application/json': { schema: feedbackReceipt } }, description: 'Stored' },
    400: problems('Malformed JSON or missing Idempotency-Key'),
    409: problems('Key reused for another submission, or proof of work replayed'),
    413: problems('Body too large'),
    415: problems('Not JSON'),
    422: problems('Invalid fields, no phone nor e-mail, unknown unit or procedure'),
    429: problems('Too many submissions from this client'),
  },
});

const trackRoute = createRoute({
  method: 'post',
  path: '/feedback/track',
  summary: 'Follow a case with its tracking code and access key',
  description:
    'Status timeline, deadlines and handling unit of one case. An unknown code and a wrong key get the same 404.',
  middleware: [onlyMediaTypes(['application/json'])] as const,
  request: { body: { content: { 'application/json': { schema: trackInput } } } },
  responses: {
    200: { content: { 'application/json': { schema: feedbackTrack } }, description: 'The case' },
    404: problems('Unknown code or wrong key'),
    415: problems('Not JSON'),
    422: problems('Malformed code or key'),
    429: problems('Too many look-ups from this client'),
  },
});

/** Look-ups allowed per client address per window: slows guessing of codes and keys. */
const TRACK_MAX = 10;
const TRACK_WINDOW_SECONDS = 15 * 60;
/** How long the sender's contact data is kept after receipt. ASSUMPTION to verify against the
 * archive rules for PAKN records and NĐ 13/2023 (keep no longer than needed); staff handling may
 * shorten it once a case is closed. */
const CONTACT_RETENTION_YEARS = 3;
/** Tries to find an unused tracking code: 31^8 ≈ 8.5e11 codes, so a second try is already rare. */
const CODE_TRIES = 5;

/** "XXXX-XXXX" from the unambiguous alphabet, uniformly (randomInt has no modulo bias). */
export function newTrackingCode(): string {
  let s = '';
  for (let i = 0; i < 8; i++) s += TRACKING_ALPHABET[randomInt(TRACKING_ALPHABET.length)];
  return `${s.slice(0, 4)}-${s.slice(4)}`;
}

const deadlineData = new Map<string, { calendar: WorkingCalendar; rules: DeadlineRules }>();
/** The calendar and rules of a content folder, read once per process (they change with a deploy). */
function deadlinesOf(contentDir: string): { calendar: WorkingCalendar; rules: DeadlineRules } {
  let d = deadlineData.get(contentDir);
  if (!d) {
    d = { calendar: loadCalendar(contentDir), rules: loadDeadlineRules(contentDir) };
    deadlineData.set(contentDir, d);
  }
  return d;
}

function filled(v: unknown): boolean {
  return v !== undefined && v !== null && !(typeof v === 'string' && v.trim() === '');
}

const CONTACT_ERRORS: FieldError[] = [
  { path: 'phone', code: 'required' },
  { path: 'email', code: 'required' },
];

/** Which UNIQUE constraint a failed batch broke. */
function conflictOf(err: unknown): 'idempotency' | 'code' | 'pow' | undefined {
  const text = err instanceof Error ? `${err.message} ${String((err as { cause?: unknown }).cause ?? '')}` : '';
  if (!/UNIQUE constraint failed|PRIMARY KEY|SQLITE_CONSTRAINT/.test(text)) return undefined;
  if (text.includes('feedback.idempotency_key')) return 'idempotency';
  if (text.includes('feedback.tracking_code')) return 'code';
  if (text.includes('pow_used')) return 'pow';
  return undefined;
}

function keyHashMatches(key: string, storedHex: string): boolean {
  const given = createHash('sha256').update(key).digest();
  const stored = Buffer.from(storedHex, 'hex');
  return stored.length === given.length && timingSafeEqual(given, stored);
}

/** Compared against when the code is unknown, so both failures cost the same. */
const DUMMY_HASH = sha256Hex('no such feedback');

export const feedbackRoutes = new OpenAPIHono<AppEnv>()
  .openapi(
    submitRoute,
    async (c) => {
      const { db, config, now } = c.var.deps;
      const input = c.req.valid('json');
      c.header('Cache-Control', 'no-store');
      const key = idempotencyKey(c);
      if (input.website)
        throw new ProblemError(422, 'validation_failed', { errors: [{ path: 'website', code: 'invalid_value' }] });

      // The same submission sent again is a retry; the proof of work may differ between tries. The
      // hash is keyed (HMAC) because the request holds personal data and the hash outlives it.
      const { pow, website: _website, ...meaning } = input;
      const hmacKey = await serverSecret(db.client, 'feedback-request-hmac');
      const requestHash = createHmac('sha256', hmacKey)
        .update(JSON.stringify(canonicalJson(meaning)))
        .digest('hex');
      const replay = (stored: { trackingCode: string; classifyDueAt: string; answerDueAt: string }) =>
        c.json(
          {
            tracking_code: stored.trackingCode,
            access_key: null,
            access_key_shown: true,
            replayed: true,
            classify_due_at: stored.classifyDueAt,
            answer_due_at: stored.answerDueAt,
          },
          200,
        );
      const existing = await findFeedbackByKey(db.client, key);
      if (existing) {
        if (existing.requestHash !== requestHash) throw new ProblemError(409, 'idempotency_conflict');
        return replay(existing);
      }

      const known = await knownCodes(db.client);
      if (input.unit !== undefined && !known.units.has(input.unit))
        throw new ProblemError(422, 'unknown_unit', { errors: [{ path: 'unit', code: 'invalid_value' }] });
      if (input.procedure !== undefined && !known.procedures.has(input.procedure))
        throw new ProblemError(422, 'unknown_procedure', { errors: [{ path: 'procedure', code: 'invalid_value' }] });

      const at = now();
      const extra = [];
      extra.push(...(await guardOpenSubmission(c, { pow: pow as PowPayload | undefined, scope: 'feedback', at })));

      const { calendar, rules } = deadlinesOf(config.CONTENT_DIR);
      const rule = findDeadlineRule(rules, input.kind, input.subject);
      const opts = { receiptCutoff: rules.receipt_cutoff };
      const classifyDue = addWorkingDays(at, rule.classify_working_days, calendar, opts).deadline;
      const answerDue = addWorkingDays(
        at,
        rule.classify_working_days + rule.answer_working_days,
        calendar,
        opts,
      ).deadline;
      const retainUntil = new Date(at);
      retainUntil.setUTCFullYear(retainUntil.getUTCFullYear() + CONTACT_RETENTION_YEARS);

      const accessKey = randomBytes(24).toString('base64url');
      for (let attempt = 1; ; attempt++) {
        const trackingCode = newTrackingCode();
        const statements = [
          ...feedbackStatements({
            trackingCode,
            accessKeyHash: sha256Hex(accessKey),
            kind: input.kind,
            subject: input.subject,
            unitId: input.unit,
            procedureCode: input.procedure,
            title: input.title,
            content: input.content,
            channel: 'web',
            publishContent: input.publish_content,
            showName: input.show_name,
            receivedAt: at,
            classifyDueAt: classifyDue,
            answerDueAt: answerDue,
            idempotencyKey: key,
            requestHash,
            locale: input.locale,
            contact: { name: input.name, phone: input.phone, email: input.email, address: input.address },
            retainUntil,
          }),
          ...extra,
        ];
        try {
          // Joined with other writes arriving meanwhile: one fsync for many (db/group-commit.ts).
          await committerFor(db.client).write(statements);
        } catch (err) {
          const conflict = conflictOf(err);
          if (conflict === 'code' && attempt < CODE_TRIES) continue;
          if (conflict === 'idempotency') {
            // Two copies of one submission raced; the other one won.
            const stored = await findFeedbackByKey(db.client, key);
            if (stored && stored.requestHash === requestHash) return replay(stored);
            throw new ProblemError(409, 'idempotency_conflict');
          }
          if (conflict === 'pow') throw new ProblemError(409, 'pow_replayed');
          throw err as Error;
        }
        return c.json(
          {
            tracking_code: trackingCode,
            access_key: accessKey,
            access_key_shown: false,
            replayed: false,
            classify_due_at: classifyDue.toISOString(),
            answer_due_at: answerDue.toISOString(),
          },
          201,
        );
      }
    },
    (result) => {
      // As the default hook (api/app.ts), plus "phone or e-mail": reported on both fields with the
      // other errors, or alone as contact_required. `data` is the raw input on failure.
      const target = (result as { target?: string }).target;
      const data = (result as { data?: unknown }).data;
      const record = data !== null && typeof data === 'object' ? (data as Record<string, unknown>) : undefined;
      const noContact = target === 'json' && record !== undefined && !filled(record.phone) && !filled(record.email);
      if (!result.success) {
        const errors = fieldErrors(result.error.issues, data);
        if (noContact) errors.push(...CONTACT_ERRORS.filter((e) => !errors.some((x) => x.path === e.path)));
        throw new ProblemError(422, 'validation_failed', { errors });
      }
      if (noContact) throw new ProblemError(422, 'contact_required', { errors: CONTACT_ERRORS });
    },
  )
  .openapi(trackRoute, async (c) => {
    const { db, now } = c.var.deps;
    const input = c.req.valid('json');
    c.header('Cache-Control', 'no-store');
    const at = now();
    // Every look-up counts, found or not, so codes and keys cannot be guessed quickly.
    const pepper = await serverSecret(db.client, 'address-pepper');
    const limit = await checkRateLimit(
      db.client,
      sha256Hex(`${pepper}|feedback-track|${clientAddress(c)}`),
      TRACK_MAX,
      TRACK_WINDOW_SECONDS,
      at,
    );
    if (!limit.allowed)
      throw new ProblemError(429, 'rate_limited', {
        headers: { 'Retry-After': String(Math.max(1, limit.retryAfter)) },
      });
    await committerFor(db.client).write([limit.hit]);

    const found = await findFeedbackForTracking(db.client, input.code);
    // Compare in constant time, and compare even when the code is unknown: same answer, same cost.
    const ok = keyHashMatches(input.key, found?.accessKeyHash ?? DUMMY_HASH);
    if (!found || !ok) throw new ProblemError(404, 'feedback_not_found');

    // The database CHECK keeps status to the DOMAIN §7 lifecycle (db/migrations/0005_feedback.sql).
    const status = found.status as FeedbackStatus;
    const events = found.events as { at: string; from: FeedbackStatus | null; to: FeedbackStatus }[];
    const closed = closedFeedbackStatuses.includes(status);
    const due = status === 'received' ? found.classifyDueAt : found.answerDueAt;
    return c.json(
      {
        tracking_code: found.trackingCode,
        kind: found.kind as 'phan-anh' | 'kien-nghi',
        subject: found.subject as 'quy-dinh' | 'hanh-vi' | 'khac',
        status,
        unit: found.unit,
        received_at: found.receivedAt,
        classify_due_at: found.classifyDueAt,
        answer_due_at: found.answerDueAt,
        overdue: !closed && isOverdue(new Date(due), at),
        events,
      },
      200,
    );
  });
