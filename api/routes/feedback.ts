/**
 * Feedback and petitions, citizen side (issue #4, docs/domain.md §7). POST /feedback stores one case
 * exactly once (Idempotency-Key), with up to 5 files, and answers with a short tracking code and a
 * secret access key shown once; POST /feedback/track shows the case to its sender (code + key, or
 * the e-mailed link); POST /feedback/action lets the sender reply to a request for information,
 * rate the answer and dispute it; POST /feedback/attachment downloads a file of the case. Keys
 * travel in bodies, never in URLs, because URLs end up in logs and browser history.
 *
 * Abuse controls as for open ratings (api/routes/responses.ts): honeypot, proof of work, and a
 * database rate limit per client address whose hit is written in the case's own batch.
 *
 * Deadlines: api/feedback/deadlines.ts; creating the case: api/feedback/intake.ts; the sender's
 * steps go through the same lifecycle as staff steps (api/feedback/service.ts).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { feedbackInput, feedbackReceipt, feedbackTrack } from '../contracts/feedback.ts';
import { citizenActionInput, citizenCredentials, type CitizenCredentials } from '../contracts/feedback-actions.ts';
import type { FieldError } from '../contracts/problem.ts';
import type { PowPayload } from '../contracts/rating.ts';
import { ProblemError, fieldErrors } from '../problem.ts';
import { problems } from '../openapi.ts';
import { onlyMediaTypes } from '../middleware/media-type.ts';
import { canonicalJson } from '../contracts/instrument.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { instrument } from '../contracts/instrument.ts';
import { serverSecret } from '../../db/secrets.ts';
import { checkRateLimit } from '../../db/rate-limits.ts';
import { sha256Hex } from '../../db/dossiers.ts';
import { knownCodes, unitExistsOn } from '../../db/units.ts';
import { vnDate } from '../deadlines/calendar.ts';
import { committerFor } from '../../db/group-commit.ts';
import { findFeedbackByKey } from '../../db/feedback.ts';
import { caseIdByLink, findCase, findCaseByCode, type CaseRow } from '../../db/feedback-cases.ts';
import { readAttachment } from '../../db/attachments.ts';
import type { AppEnv } from '../app-env.ts';
import { clientAddress, guardOpenSubmission, idempotencyKey } from '../open-submission.ts';
import { conflictOf, createCase } from '../feedback/intake.ts';
import { newCaseLink } from '../feedback/notify.ts';
import { receiptMail } from '../mail/templates.ts';
import { enqueueEmailStatement } from '../../db/outbox.ts';
import { citizenView } from '../feedback/citizen-view.ts';
import { takeStep } from '../feedback/service.ts';
import { cleanFiles, multipartBody, readSubmission } from '../feedback/submission-body.ts';
import { attachment } from '../content-disposition.ts';

const submitRoute = createRoute({
  method: 'post',
  path: '/feedback',
  summary: 'Send feedback or a petition (phản ánh, kiến nghị)',
  description:
    'Stores one case and returns its tracking code and a secret access key, shown only in this answer. Send an Idempotency-Key header: a retry with the same key and body returns 200 with the same tracking code and no key. With files, send multipart/form-data: the JSON in a `data` part and each file in an `attachments` part. Images are re-encoded without metadata; files whose bytes are not JPEG, PNG or PDF are refused.',
  request: {
    headers: z.object({ 'idempotency-key': z.string().optional() }),
    body: {
      content: {
        'application/json': { schema: feedbackInput },
        'multipart/form-data': { schema: multipartBody },
      },
    },
  },
  responses: {
    200: { content: { 'application/json': { schema: feedbackReceipt } }, description: 'Already stored (a retry)' },
    201: { content: { 'application/json': { schema: feedbackReceipt } }, description: 'Stored' },
    400: problems('Malformed JSON or missing Idempotency-Key'),
    409: problems('Key reused for another submission, or proof of work replayed'),
    413: problems('Body too large'),
    415: problems('Not JSON nor multipart'),
    422: problems('Invalid fields, no phone nor e-mail, unknown unit or procedure, a refused file'),
    429: problems('Too many submissions from this client'),
  },
});

const trackRoute = createRoute({
  method: 'post',
  path: '/feedback/track',
  summary: 'Follow a case with its tracking code and access key, or its e-mailed link',
  description:
    'Status timeline, deadlines, handling unit, the answer and what the sender may do next. An unknown code and a wrong key get the same 404. Ten failed look-ups per client in 15 minutes, then 429.',
  middleware: [onlyMediaTypes(['application/json'])] as const,
  request: { body: { content: { 'application/json': { schema: citizenCredentials } } } },
  responses: {
    200: { content: { 'application/json': { schema: feedbackTrack } }, description: 'The case' },
    404: problems('Unknown code or wrong key'),
    415: problems('Not JSON'),
    422: problems('Malformed code or key'),
    429: problems('Too many failed look-ups from this client'),
  },
});

const actionRoute = createRoute({
  method: 'post',
  path: '/feedback/action',
  summary: "The sender's steps: reply with information, rate the answer, ask for re-examination",
  description:
    'JSON, or multipart/form-data (JSON in `data`, files in `attachments`) to send files with a reply. Refused with 409 and a code when the case is not in a state that allows the step.',
  request: {
    body: {
      content: {
        'application/json': { schema: citizenActionInput },
        'multipart/form-data': { schema: multipartBody },
      },
    },
  },
  responses: {
    200: { content: { 'application/json': { schema: feedbackTrack } }, description: 'The case afterwards' },
    404: problems('Unknown code or wrong key'),
    409: problems('Not possible now (transition_not_allowed, dispute_window_closed, already_rated)'),
    415: problems('Not JSON nor multipart'),
    422: problems('Invalid fields or a refused file'),
    429: problems('Too many failed look-ups from this client'),
  },
});

const attachmentRoute = createRoute({
  method: 'post',
  path: '/feedback/attachment',
  summary: 'Download a file of the case (the answer’s, or the sender’s own)',
  middleware: [onlyMediaTypes(['application/json', 'application/x-www-form-urlencoded'])] as const,
  request: {
    body: {
      content: {
        'application/json': { schema: citizenCredentials.extend({ id: z.coerce.number().int().min(1) }) },
        'application/x-www-form-urlencoded': {
          schema: citizenCredentials.extend({ id: z.coerce.number().int().min(1) }),
        },
      },
    },
  },
  responses: {
    200: { description: 'The file, as an attachment' },
    404: problems('Unknown case, wrong key or no such file'),
    429: problems('Too many failed look-ups from this client'),
  },
});

const sendCopyInput = citizenCredentials.extend({
  email: z.preprocess((v) => (typeof v === 'string' ? v.trim() : v), z.email().max(254)),
});

const sendCopyRoute = createRoute({
  method: 'post',
  path: '/feedback/send-copy',
  summary: 'Send the tracking code and a new tracking link to an e-mail address the sender names',
  description:
    'For the receipt page ("send it to my e-mail", issue #11 part 2): queues one message through the outbox with the tracking code, the answer deadline and a new link that opens the case; never the access key. At most 3 copies per case.',
  middleware: [onlyMediaTypes(['application/json'])] as const,
  request: { body: { content: { 'application/json': { schema: sendCopyInput } } } },
  responses: {
    202: {
      content: {
        'application/json': {
          schema: z.object({
            tracking_code: z.string(),
            link_url: z.string(),
            classify_due_at: z.string(),
            answer_due_at: z.string(),
          }),
        },
      },
      description: 'Queued',
    },
    404: problems('Unknown code or wrong key'),
    415: problems('Not JSON'),
    422: problems('Malformed code, key or e-mail address'),
    429: problems('Too many copies of this case, or too many failed look-ups from this client'),
  },
});

/** Copies of the receipt one case may send: enough for a typo and a second address, not a mailer. */
export const RECEIPT_COPIES_MAX = 3;

/** Failed look-ups allowed per client address per window: slows guessing of codes and keys. */
export const LOOKUP_FAILURES_MAX = 10;
export const LOOKUP_WINDOW_SECONDS = 15 * 60;

function filled(v: unknown): boolean {
  return v !== undefined && v !== null && !(typeof v === 'string' && v.trim() === '');
}

const CONTACT_ERRORS: FieldError[] = [
  { path: 'phone', code: 'required' },
  { path: 'email', code: 'required' },
];

function keyHashMatches(key: string, storedHex: string): boolean {
  const given = createHash('sha256').update(key).digest();
  const stored = Buffer.from(storedHex, 'hex');
  return stored.length === given.length && timingSafeEqual(given, stored);
}

/** Compared against when the code is unknown, so both failures cost the same. */
const DUMMY_HASH = sha256Hex('no such feedback');

/**
 * The sender's case for code + key or a live magic link; 404 otherwise. Only failures count
 * towards the per-client limit: a sender reading their own case is never throttled, a guesser is.
 */
export async function senderCase(c: Context<AppEnv>, creds: CitizenCredentials): Promise<CaseRow> {
  const { db, now } = c.var.deps;
  const at = now();
  const pepper = await serverSecret(db.client, 'address-pepper');
  const limit = await checkRateLimit(
    db.client,
    sha256Hex(`${pepper}|feedback-lookup|${clientAddress(c)}`),
    LOOKUP_FAILURES_MAX,
    LOOKUP_WINDOW_SECONDS,
    at,
  );
  if (!limit.allowed)
    throw new ProblemError(429, 'rate_limited', { headers: { 'Retry-After': String(Math.max(1, limit.retryAfter)) } });
  let found: CaseRow | undefined;
  if (creds.link !== undefined) {
    const id = await caseIdByLink(db.client, sha256Hex(creds.link), at);
    found = id === undefined ? undefined : await findCase(db.client, id);
  } else if (creds.code !== undefined && creds.key !== undefined) {
    const byCode = await findCaseByCode(db.client, creds.code);
    // Compare in constant time, and compare even when the code is unknown: same answer, same cost.
    const ok = keyHashMatches(creds.key, byCode?.accessKeyHash ?? DUMMY_HASH);
    found = ok ? byCode : undefined;
  } else {
    const errors: FieldError[] = [];
    if (creds.code === undefined) errors.push({ path: 'code', code: 'required' });
    if (creds.key === undefined) errors.push({ path: 'key', code: 'required' });
    throw new ProblemError(422, 'validation_failed', { errors });
  }
  if (!found) {
    await committerFor(db.client).write([limit.hit]);
    throw new ProblemError(404, creds.link !== undefined ? 'link_invalid' : 'feedback_not_found');
  }
  return found;
}

const reasonsByDir = new Map<string, Set<string>>();
/**
 * The declared body is validated before the handler (zod-openapi); a refusal there reports "phone or
 * e-mail" with the other errors, as the handler does.
 */
function contactHook(result: { success: boolean; target?: string; data?: unknown; error?: unknown }): undefined {
  if (result.success) return undefined;
  const data = result.data;
  const record = data !== null && typeof data === 'object' ? (data as Record<string, unknown>) : undefined;
  const errors = fieldErrors((result.error as z.ZodError).issues, data);
  if (result.target === 'json' && record && !filled(record.phone) && !filled(record.email))
    errors.push(...CONTACT_ERRORS.filter((e) => !errors.some((x) => x.path === e.path)));
  throw new ProblemError(422, 'validation_failed', { errors });
}

/** Reason option ids of the answer rating (content/surveys/danh-gia-tra-loi.yaml), read once. */
function answerReasons(contentDir: string): Set<string> {
  let ids = reasonsByDir.get(contentDir);
  if (!ids) {
    const survey = instrument.parse(
      parseYaml(readFileSync(join(contentDir, 'surveys', 'danh-gia-tra-loi.yaml'), 'utf8')),
    );
    ids = new Set(survey.questions.find((q) => q.id === 'reasons')?.options.map((o) => o.id) ?? []);
    reasonsByDir.set(contentDir, ids);
  }
  return ids;
}

export const feedbackRoutes = new OpenAPIHono<AppEnv>()
  .openapi(
    submitRoute,
    async (c) => {
      const { db, now } = c.var.deps;
      c.header('Cache-Control', 'no-store');
      const key = idempotencyKey(c);
      const body = await readSubmission(c);
      const parsed = feedbackInput.safeParse(body.data);
      // "Phone or e-mail" is reported on both fields, with the other errors or alone.
      const record = body.data !== null && typeof body.data === 'object' ? (body.data as Record<string, unknown>) : {};
      const noContact = !filled(record.phone) && !filled(record.email);
      if (!parsed.success) {
        const errors = fieldErrors(parsed.error.issues, body.data);
        if (noContact) errors.push(...CONTACT_ERRORS.filter((e) => !errors.some((x) => x.path === e.path)));
        throw new ProblemError(422, 'validation_failed', { errors });
      }
      if (noContact) throw new ProblemError(422, 'contact_required', { errors: CONTACT_ERRORS });
      const input = parsed.data;
      // A channel chosen without its contact: the field to fill is the one the channel needs.
      if (input.notify === 'sms' && !input.phone)
        throw new ProblemError(422, 'validation_failed', { errors: [{ path: 'phone', code: 'required' }] });
      if (input.notify === 'email' && !input.email)
        throw new ProblemError(422, 'validation_failed', { errors: [{ path: 'email', code: 'required' }] });
      if (input.website)
        throw new ProblemError(422, 'validation_failed', { errors: [{ path: 'website', code: 'invalid_value' }] });

      // The same submission sent again is a retry; the proof of work may differ between tries. The
      // hash is keyed (HMAC) because the request holds personal data and the hash outlives it. Files
      // count by the bytes sent: hashing is cheap, decoding an image is not (see below).
      const { pow, website: _website, ...meaning } = input;
      const hmacKey = await serverSecret(db.client, 'feedback-request-hmac');
      const sent = await Promise.all(
        body.files.map(async (f) =>
          createHash('sha256')
            .update(new Uint8Array(await f.arrayBuffer()))
            .digest('hex'),
        ),
      );
      const requestHash = createHmac('sha256', hmacKey)
        .update(JSON.stringify(canonicalJson({ ...meaning, files: sent })))
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

      const at = now();
      const known = await knownCodes(db.client);
      // Units that ended (the 2025 reorganisation) receive nothing: their successor does.
      if (input.unit !== undefined && !(await unitExistsOn(db.client, input.unit, vnDate(at))))
        throw new ProblemError(422, 'unknown_unit', { errors: [{ path: 'unit', code: 'invalid_value' }] });
      if (input.procedure !== undefined && !known.procedures.has(input.procedure))
        throw new ProblemError(422, 'unknown_procedure', { errors: [{ path: 'procedure', code: 'invalid_value' }] });

      // Proof of work and the rate limit come before the files are decoded and re-encoded, and a
      // submission refused for its files still counts: heavy images cannot be sent without limit.
      const extra = await guardOpenSubmission(c, { pow: pow as PowPayload | undefined, scope: 'feedback', at });
      let files;
      try {
        files = await cleanFiles(body.files);
      } catch (err) {
        await committerFor(db.client).write(extra);
        throw err;
      }
      try {
        const created = await createCase(
          c.var.deps,
          {
            kind: input.kind,
            subject: input.subject,
            unit: input.unit,
            unitName: await unitName(c, input.unit, input.locale),
            procedure: input.procedure,
            title: input.title,
            content: input.content,
            channel: 'web',
            publishContent: input.publish_content,
            showName: input.show_name,
            locale: input.locale,
            contact: {
              name: input.name,
              phone: input.phone,
              email: input.email,
              address: input.address,
              notify: input.notify,
            },
            files,
            enteredBy: { actor: 'citizen' },
            idempotencyKey: key,
            requestHash,
            receivedAt: at,
          },
          extra,
        );
        return c.json(
          {
            tracking_code: created.trackingCode,
            access_key: created.accessKey,
            link_url: created.linkUrl,
            access_key_shown: false,
            replayed: false,
            classify_due_at: created.classifyDueAt.toISOString(),
            answer_due_at: created.answerDueAt.toISOString(),
          },
          201,
        );
      } catch (err) {
        const conflict = conflictOf(err);
        if (conflict === 'idempotency') {
          // Two copies of one submission raced; the other one won.
          const stored = await findFeedbackByKey(db.client, key);
          if (stored && stored.requestHash === requestHash) return replay(stored);
          throw new ProblemError(409, 'idempotency_conflict');
        }
        if (conflict === 'pow') throw new ProblemError(409, 'pow_replayed');
        throw err;
      }
    },
    contactHook,
  )
  .openapi(trackRoute, async (c) => {
    c.header('Cache-Control', 'no-store');
    const found = await senderCase(c, c.req.valid('json'));
    return c.json(await citizenView(c.var.deps, found), 200);
  })
  .openapi(actionRoute, async (c) => {
    const deps = c.var.deps;
    c.header('Cache-Control', 'no-store');
    const body = await readSubmission(c);
    const parsed = citizenActionInput.safeParse(body.data);
    if (!parsed.success)
      throw new ProblemError(422, 'validation_failed', { errors: fieldErrors(parsed.error.issues, body.data) });
    const input = parsed.data;
    if (input.action === 'rate') {
      const allowed = answerReasons(deps.config.CONTENT_DIR);
      const bad = input.reasons.findIndex((r) => !allowed.has(r));
      if (bad >= 0)
        throw new ProblemError(422, 'validation_failed', {
          errors: [{ path: `reasons.${bad}`, code: 'invalid_value' }],
        });
    }
    if (body.files.length > 0 && input.action !== 'provide-info')
      throw new ProblemError(422, 'validation_failed', { errors: [{ path: 'attachments', code: 'unknown_field' }] });
    const found = await senderCase(c, input);
    const files = await cleanFiles(body.files);
    const after = await takeStep(deps, found, { actor: { kind: 'citizen' }, input, files });
    return c.json(await citizenView(deps, after), 200);
  })
  .openapi(sendCopyRoute, async (c) => {
    const deps = c.var.deps;
    c.header('Cache-Control', 'no-store');
    const { email, ...creds } = c.req.valid('json');
    const found = await senderCase(c, creds);
    const at = deps.now();
    const prefix = `fb:${found.trackingCode}:receipt-copy:`;
    const sent = await deps.db.client.execute({
      sql: "SELECT count(*) AS n FROM email_outbox WHERE dedupe_key >= ? AND dedupe_key < ? || '~'",
      args: [prefix, prefix],
    });
    const n = Number(sent.rows[0]!.n);
    if (n >= RECEIPT_COPIES_MAX) throw new ProblemError(429, 'rate_limited');
    const link = newCaseLink(deps, at, { feedbackId: found.id }, found.locale);
    const mail = receiptMail({
      locale: found.locale === 'en' ? 'en' : 'vi',
      trackingCode: found.trackingCode,
      magicLinkUrl: link.url,
      answerDueAt: found.answerDueAt,
      unitName: found.locale === 'en' ? found.unitNameEn : found.unitNameVi,
      provisional: found.status === 'received',
    });
    await committerFor(deps.db.client).write([
      link.statement,
      enqueueEmailStatement({ dedupeKey: `${prefix}${n + 1}`, to: email, ...mail, at }),
    ]);
    return c.json(
      {
        tracking_code: found.trackingCode,
        link_url: link.url,
        classify_due_at: found.classifyDueAt,
        answer_due_at: found.answerDueAt,
      },
      202,
    );
  })
  .openapi(attachmentRoute, async (c) => {
    c.header('Cache-Control', 'no-store');
    const essence = c.req.header('content-type')?.split(';')[0]?.trim().toLowerCase();
    const raw: unknown =
      essence === 'application/json' ? await c.req.json().catch(() => null) : await c.req.parseBody();
    const parsed = citizenCredentials.extend({ id: z.coerce.number().int().min(1) }).safeParse(raw);
    if (!parsed.success)
      throw new ProblemError(422, 'validation_failed', { errors: fieldErrors(parsed.error.issues, raw) });
    const { id, ...creds } = parsed.data;
    const found = await senderCase(c, creds);
    const file = await readAttachment(c.var.deps.db.client, found.id, id);
    if (!file) throw new ProblemError(404, 'not_found');
    return attachmentResponse(file);
  });

/** A stored file as a download: never rendered inline, never sniffed (docs/architecture.md §7 uploads). */
export function attachmentResponse(file: { fileName: string; mediaType: string; data: Uint8Array }): Response {
  return new Response(file.data as Uint8Array<ArrayBuffer>, {
    status: 200,
    headers: {
      'Content-Type': file.mediaType,
      'Content-Disposition': attachment(file.fileName),
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
      'Content-Security-Policy': "default-src 'none'; sandbox",
    },
  });
}

async function unitName(c: Context<AppEnv>, unit: string | undefined, locale: string): Promise<string> {
  const rs = await c.var.deps.db.client.execute({
    sql: 'SELECT name_vi, name_en FROM units WHERE id = ?',
    args: [unit ?? 'khanh-hoa'],
  });
  const row = rs.rows[0];
  return row ? String(locale === 'en' ? row.name_en : row.name_vi) : '';
}
