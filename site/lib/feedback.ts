/**
 * Feedback and petitions on the server (issue #4): the plain form posts of /gop-y/ and /tra-cuu/
 * handed to the API in-process (exempt from the proof of work), and what the pages show after.
 * Server only. The access key is shown once in the response body and never put in a URL; on the
 * tracking page it travels in hidden fields of the forms of a `no-store` page instead.
 *
 * /gop-y/ is three screens, GOV.UK style: the questions → check your answers (with the file input)
 * → the receipt. Files are chosen on the check screen, right before sending, because a file input
 * cannot be refilled by the server: a no-JavaScript form would lose them at every step back.
 */
import { feedbackInput, type FeedbackReceipt, type FeedbackTrack } from '../../api/contracts/feedback.ts';
import type { SsrLocals } from '../../api/contracts/ssr.ts';
import { KEY_PATTERN, newKey, type ProblemLike } from './rating-form.ts';
import { problemOf } from './problem.ts';
import { handleRightsPost } from './track-rights.ts';

/** The form fields, named as the API names them. */
export const FEEDBACK_TEXT_FIELDS = [
  'kind',
  'subject',
  'unit',
  'procedure',
  'title',
  'content',
  'name',
  'phone',
  'email',
  'address',
  'notify',
] as const;
export type FeedbackTextField = (typeof FEEDBACK_TEXT_FIELDS)[number];
export type FeedbackAnswers = Partial<Record<FeedbackTextField, string>> & {
  publish_content?: boolean;
  show_name?: boolean;
};

/** Same limits as the API (api/attachments/attachments.ts ATTACHMENT_LIMITS), told to the sender. */
export const MAX_FILES = 5;
export const MAX_FILE_MB = 10;
export const ACCEPT = 'image/jpeg,image/png,application/pdf';
/**
 * Years the sender's contact data is kept, told in the privacy notice. The site may not import
 * api/feedback/intake.ts (only api/contracts): site/lib/feedback.test.ts checks it is the same
 * number as CONTACT_RETENTION_YEARS there.
 */
export const CONTACT_RETENTION_YEARS = 3;

/**
 * - `form`: the questions (first visit, "change", or errors in the answers)
 * - `check`: check your answers, choose files, confirm (or a refused file, or a retry)
 * The receipt is shown when `receipt` is set.
 */
export type FeedbackScreen = 'form' | 'check';

export interface FeedbackPostState {
  screen: FeedbackScreen;
  answers: FeedbackAnswers;
  key: string;
  /** The honeypot, carried to the confirm post so a bot that filled it is refused there. */
  website?: string | undefined;
  /** Names of the files sent with the refused confirm post, to say which one was refused. */
  fileNames?: string[] | undefined;
  problem?: ProblemLike | undefined;
  /** Seconds the server asked to wait before sending again (503 storage_unavailable, issue #9). */
  retryAfter?: number | undefined;
  receipt?: FeedbackReceipt | undefined;
  /** "Send it to my e-mail" on the receipt: the address typed, and whether the copy was queued. */
  copyEmail?: string | undefined;
  copySent?: boolean | undefined;
}

export interface TrackCredentials {
  code?: string | undefined;
  key?: string | undefined;
  link?: string | undefined;
}

export type CitizenAction = 'rate' | 'dispute' | 'provide-info';

export interface TrackPostState {
  /** The code typed, to refill the look-up form after a miss. */
  code: string;
  /** What proves the case is the sender's, repeated in hidden fields of every form of the result. */
  credentials?: TrackCredentials | undefined;
  /** A failed look-up (no case to show). */
  problem?: ProblemLike | undefined;
  result?: FeedbackTrack | undefined;
  /** The step just taken on the case: done, or refused with a problem (then `values` refill it). */
  action?:
    | {
        name: CitizenAction | 'download' | 'export' | 'data-request';
        done: boolean;
        problem?: ProblemLike | undefined;
        values?: Record<string, string | string[]> | undefined;
      }
    | undefined;
}

async function readForm(request: Request): Promise<FormData | undefined> {
  try {
    return await request.formData();
  } catch {
    return undefined;
  }
}

export function textOf(form: FormData, name: string): string {
  const v = form.get(name);
  return typeof v === 'string' ? v.trim() : '';
}

/** Files of a form's `attachments` inputs; an empty input sends one nameless, empty part. */
export function filesOf(form: FormData): File[] {
  return form.getAll('attachments').filter((p): p is File => typeof p !== 'string' && !(p.size === 0 && p.name === ''));
}

/** The answers of a /gop-y/ post (the questions, or the hidden copy on the check screen). */
export function readAnswers(form: FormData): FeedbackAnswers {
  const answers: FeedbackAnswers = {};
  for (const f of FEEDBACK_TEXT_FIELDS) {
    const v = textOf(form, f);
    if (v) answers[f] = v;
  }
  answers.publish_content = textOf(form, 'publish_content') === 'yes';
  answers.show_name = textOf(form, 'show_name') === 'yes';
  return answers;
}

/** The JSON the API takes (api/contracts/feedback.ts feedbackInput). */
export function feedbackBody(answers: FeedbackAnswers, locale: string, website = ''): Record<string, unknown> {
  return {
    kind: answers.kind ?? '',
    subject: answers.subject ?? '',
    unit: answers.unit,
    procedure: answers.procedure,
    title: answers.title ?? '',
    content: answers.content ?? '',
    name: answers.name ?? '',
    phone: answers.phone,
    email: answers.email,
    address: answers.address,
    notify: answers.notify,
    publish_content: answers.publish_content ?? false,
    show_name: answers.show_name ?? false,
    locale: locale === 'en' ? 'en' : 'vi',
    website: website || undefined,
  };
}

/**
 * The answers checked before the check screen, with the API's own schema, so the sender fixes
 * them on the questions page rather than after choosing files. Codes and paths are those the API
 * returns (api/problem.ts fieldErrors), so one error view serves both. Unknown units and
 * procedures are left to the API: the selects only offer known ones.
 * @example checkFeedback({ kind: 'phan-anh' }, 'vi')?.errors?.[0] // { path: 'subject', code: 'required' }
 */
export function checkFeedback(answers: FeedbackAnswers, locale: string): ProblemLike | undefined {
  const body = feedbackBody(answers, locale);
  const parsed = feedbackInput.safeParse(body);
  const errors: NonNullable<ProblemLike['errors']> = [];
  if (!parsed.success)
    for (const issue of parsed.error.issues) {
      const path = issue.path.map(String).join('.');
      if (errors.some((e) => e.path === path)) continue;
      const given = body[path];
      if (given === undefined || given === '') errors.push({ path, code: 'required' });
      else if (issue.code === 'too_big')
        errors.push({ path, code: 'too_long', params: { max: Number(issue.maximum) } });
      else if (issue.code === 'invalid_format') errors.push({ path, code: 'invalid_format' });
      else errors.push({ path, code: 'invalid_value' });
    }
  if (!answers.phone && !answers.email)
    for (const path of ['phone', 'email'])
      if (!errors.some((e) => e.path === path)) errors.push({ path, code: 'required' });
  // A channel chosen without its contact (the API refuses it the same way, api/routes/feedback.ts).
  const needs = answers.notify === 'sms' ? 'phone' : answers.notify === 'email' ? 'email' : undefined;
  if (needs && !answers[needs] && !errors.some((e) => e.path === needs)) errors.push({ path: needs, code: 'required' });
  return errors.length > 0 ? { status: 422, code: 'validation_failed', errors } : undefined;
}

/** A refusal of the files (not of the answers): the check screen shows it by the file input. */
export function isFileProblem(problem: ProblemLike): boolean {
  return (
    problem.code === 'too_many_attachments' ||
    problem.code.startsWith('attachment_') ||
    (problem.errors ?? []).some((e) => e.path === 'attachments' || e.path.startsWith('attachments.'))
  );
}

/** A refusal the sender fixes on the questions page (a field of theirs is named). */
function isAnswerProblem(problem: ProblemLike): boolean {
  return (problem.errors ?? []).some((e) => (FEEDBACK_TEXT_FIELDS as readonly string[]).includes(e.path));
}

/** The body of a write that may carry files: JSON alone, or multipart with the JSON in `data`. */
export function withFiles(data: unknown, files: readonly File[]): { headers: Record<string, string>; body: BodyInit } {
  if (files.length === 0) return { headers: { 'content-type': 'application/json' }, body: JSON.stringify(data) };
  const form = new FormData();
  form.set('data', JSON.stringify(data));
  for (const f of files) form.append('attachments', f, f.name);
  // No content-type: fetch sets multipart/form-data with its boundary.
  return { headers: {}, body: form };
}

/**
 * The plain form posts of /gop-y/. `step=check` (the questions) → checked here → the check screen,
 * or the questions again with errors; `step=edit` (a "change" button) → the questions, answers
 * kept; `step=confirm` (the check screen, with files) → the API → the receipt, or the screen that
 * lets the sender fix what was refused.
 */
export async function handleFeedbackPost(
  request: Request,
  locale: string,
  locals: SsrLocals,
): Promise<FeedbackPostState> {
  const form = await readForm(request);
  if (!form) return { screen: 'form', answers: {}, key: newKey(), problem: { status: 400, code: 'invalid_body' } };
  const submittedKey = textOf(form, 'idempotency_key');
  const key = KEY_PATTERN.test(submittedKey) ? submittedKey : newKey();
  const answers = readAnswers(form);
  const website = textOf(form, 'website') || undefined;
  const step = textOf(form, 'step');
  if (step === 'send-copy') return sendCopy(form, locals);
  if (step === 'edit') return { screen: 'form', answers, key, website };
  if (step !== 'confirm') {
    const problem = checkFeedback(answers, locale);
    return { screen: problem ? 'form' : 'check', answers, key, website, problem };
  }

  const files = filesOf(form);
  const fileNames = files.map((f) => f.name);
  let problem: ProblemLike;
  let retryAfter: number | undefined;
  try {
    const { headers, body } = withFiles(feedbackBody(answers, locale, website), files);
    const res = await locals.api('/api/v1/feedback', {
      method: 'POST',
      headers: { ...headers, 'idempotency-key': key },
      body,
    });
    if (res.status === 200 || res.status === 201)
      return { screen: 'check', answers, key, receipt: (await res.json()) as FeedbackReceipt };
    problem = await problemOf(res);
    if (res.status === 503) retryAfter = Math.min(300, Math.max(1, Number(res.headers.get('retry-after')) || 30));
  } catch {
    problem = { status: 500, code: 'internal_error' };
  }
  // Another submission under this key: a fresh key, so the corrected one is not refused again.
  const nextKey = problem.code === 'idempotency_conflict' ? newKey() : key;
  const screen = isAnswerProblem(problem) && !isFileProblem(problem) ? 'form' : 'check';
  return { screen, answers, key: nextKey, website, fileNames, problem, retryAfter };
}

/** Code + key, or the e-mailed link, as posted by a form (hidden fields or the look-up form). */
/**
 * "Send it to my e-mail" on the receipt (issue #11 part 2): the code and key come back in hidden
 * fields, the API queues the copy, and the receipt is shown again with the key and the new link,
 * and a word on the copy (sent, or why not).
 */
async function sendCopy(form: FormData, locals: SsrLocals): Promise<FeedbackPostState> {
  const code = textOf(form, 'code');
  const accessKey = textOf(form, 'key');
  const email = textOf(form, 'email');
  const base = { screen: 'check' as const, answers: {}, key: newKey(), copyEmail: email };
  let problem: ProblemLike;
  try {
    const res = await locals.api('/api/v1/feedback/send-copy', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code, key: accessKey, email }),
    });
    if (res.status === 202) {
      const sent = (await res.json()) as {
        tracking_code: string;
        link_url: string;
        classify_due_at: string;
        answer_due_at: string;
      };
      return {
        ...base,
        copySent: true,
        receipt: { ...sent, access_key: accessKey, access_key_shown: false, replayed: false },
      };
    }
    problem = await problemOf(res);
  } catch {
    problem = { status: 500, code: 'internal_error' };
  }
  // The receipt again, without a new link; a wrong code or key (a forged post) gets the empty form.
  const lookUpRes = problem.code === 'feedback_not_found' ? undefined : await lookUp(locals, { code, key: accessKey });
  const found = lookUpRes?.result;
  if (!found) return { screen: 'form', answers: {}, key: newKey(), problem };
  return {
    ...base,
    problem,
    receipt: {
      tracking_code: found.tracking_code,
      access_key: accessKey,
      link_url: null,
      access_key_shown: false,
      replayed: false,
      classify_due_at: found.classify_due_at,
      answer_due_at: found.answer_due_at,
    },
  };
}

/** Steps that move the answer deadline (api/feedback/service.ts) and so are named beside it. */
const DEADLINE_STEPS = new Set(['classify', 'extend', 'dispute', 'transfer']);

/**
 * Why the answer deadline shown now differs from the one on the receipt (issue #11 part 3: "a
 * deadline shown to the sender never moves without a word"): the last step that moved it, and when.
 * A transfer counts only inside the portal, where the case is received again by another unit.
 * @example deadlineChange(track.events) // { reason: 'classify', at: '2026-02-13T02:00:00.000Z' }
 */
export function deadlineChange(
  events: readonly { action: string; to: string; at: string }[],
): { reason: 'classify' | 'extend' | 'dispute' | 'transfer'; at: string } | undefined {
  const last = [...events]
    .reverse()
    .find((e) => DEADLINE_STEPS.has(e.action) && (e.action !== 'transfer' || e.to === 'received'));
  return last ? { reason: last.action as 'classify' | 'extend' | 'dispute' | 'transfer', at: last.at } : undefined;
}

export function readCredentials(form: FormData): TrackCredentials {
  const link = textOf(form, 'link');
  if (link) return { link: link.slice(0, 100) };
  return { code: textOf(form, 'code').slice(0, 40), key: textOf(form, 'key').slice(0, 100) };
}

/** The credentials as the API takes them: blank ones left out. */
export function credentialsBody(c: TrackCredentials): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ['code', 'key', 'link'] as const) if (c[k]) out[k] = c[k];
  return out;
}

/** What a citizen action form posted, as the API takes it (api/contracts/feedback-actions.ts). */
export function actionBody(
  name: CitizenAction,
  form: FormData,
  credentials: TrackCredentials,
): Record<string, unknown> {
  const base = { ...credentialsBody(credentials), action: name };
  if (name === 'rate') {
    const choice = textOf(form, 'satisfied');
    const satisfied = choice === 'hai-long' ? true : choice === 'khong-hai-long' ? false : undefined;
    // Reasons are asked only when not satisfied (danh-gia-tra-loi.yaml show_if): dropped otherwise.
    const reasons = satisfied === false ? form.getAll('reasons').filter((r) => typeof r === 'string') : [];
    return { ...base, satisfied, reasons, comment: textOf(form, 'comment') || undefined };
  }
  return { ...base, body: textOf(form, 'body') };
}

/** What the action form held, to refill it when the step is refused. */
function valuesOf(form: FormData): Record<string, string | string[]> {
  return {
    satisfied: textOf(form, 'satisfied'),
    reasons: form.getAll('reasons').filter((r): r is string => typeof r === 'string'),
    comment: textOf(form, 'comment'),
    body: textOf(form, 'body'),
  };
}

/** Looks a case up; a malformed code or key is "not found" to the citizen too. */
export async function lookUp(locals: SsrLocals, credentials: TrackCredentials): Promise<TrackPostState> {
  const code = credentials.code ?? '';
  try {
    const res = await locals.api('/api/v1/feedback/track', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(credentialsBody(credentials)),
    });
    if (res.status === 200) return { code, credentials, result: (await res.json()) as FeedbackTrack };
    const problem = await problemOf(res);
    if (problem.status === 422 && problem.code === 'validation_failed') {
      if (credentials.link) return { code, problem: { status: 404, code: 'link_invalid' } };
      const missing =
        (problem.errors ?? []).some((e) => e.code === 'required') || !credentials.code || !credentials.key;
      if (!missing) return { code, problem: { status: 404, code: 'feedback_not_found' } };
    }
    return { code, problem };
  } catch {
    return { code, problem: { status: 500, code: 'internal_error' } };
  }
}

/** The e-mailed link (`/tra-cuu/?lien-ket=<token>`): the case at once, or why not. */
export async function handleTrackLink(url: URL, locals: SsrLocals): Promise<TrackPostState | undefined> {
  const link = url.searchParams.get('lien-ket')?.trim();
  if (link === undefined) return undefined;
  if (!link) return { code: '', problem: { status: 404, code: 'link_invalid' } };
  return lookUp(locals, { link: link.slice(0, 100) });
}

const ACTIONS: readonly string[] = ['rate', 'dispute', 'provide-info'];

/**
 * The plain form posts of /tra-cuu/: a look-up (code + key), a step on the case (`action`, with
 * the credentials in hidden fields) → the case as it is afterwards, or a file download (`action=
 * download`) → the file itself, passed through as the API sends it (an attachment, nosniff).
 */
export async function handleTrackPost(request: Request, locals: SsrLocals): Promise<TrackPostState | Response> {
  const form = await readForm(request);
  if (!form) return { code: '', problem: { status: 400, code: 'invalid_body' } };
  const credentials = readCredentials(form);
  const action = textOf(form, 'action');

  // The sender's rights (issue #7 part 4): the export is a download, the request a step.
  if (action === 'export' || action === 'data-request') return handleRightsPost(action, form, credentials, locals);

  if (action === 'download') {
    const id = Number(textOf(form, 'id'));
    try {
      const res = await locals.api('/api/v1/feedback/attachment', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...credentialsBody(credentials), id }),
      });
      if (res.status === 200) return res;
      const problem = await problemOf(res);
      const state = await lookUp(locals, credentials);
      return state.result ? { ...state, action: { name: 'download', done: false, problem } } : state;
    } catch {
      return { code: credentials.code ?? '', problem: { status: 500, code: 'internal_error' } };
    }
  }

  if (ACTIONS.includes(action)) {
    const name = action as CitizenAction;
    const files = name === 'provide-info' ? filesOf(form) : [];
    let problem: ProblemLike;
    try {
      const { headers, body } = withFiles(actionBody(name, form, credentials), files);
      const res = await locals.api('/api/v1/feedback/action', { method: 'POST', headers, body });
      if (res.status === 200)
        return {
          code: credentials.code ?? '',
          credentials,
          result: (await res.json()) as FeedbackTrack,
          action: { name, done: true },
        };
      problem = await problemOf(res);
    } catch {
      problem = { status: 500, code: 'internal_error' };
    }
    // Refused: the case as it is, with the refusal by the form that was sent.
    const state = await lookUp(locals, credentials);
    return state.result ? { ...state, action: { name, done: false, problem, values: valuesOf(form) } } : state;
  }

  return lookUp(locals, credentials);
}

/** i18next's `t`, narrowed to what the error view needs. */
export type Translate = (key: string, options?: Record<string, unknown>) => string;

/** Field order of the questions and the check screen: the error summary follows it. */
const ERROR_ORDER = [...FEEDBACK_TEXT_FIELDS, 'attachments'] as const;

export interface FeedbackErrorView {
  /** One line per field, in form order, linking to the field. */
  summary: { href: string; text: string }[];
  /** The message by each field. */
  byField: Record<string, string>;
}

/**
 * A refusal as the error summary and the messages by the fields (GOV.UK error summary): "phone or
 * email" once, on the phone field; a refused file named with its position and name; a problem
 * with no field (rate limit, server error) as one line linking to `fallbackHref`.
 * @example feedbackErrorView({ code: 'attachment_type_not_allowed', errors: [{ path: 'attachments.1', code: 'invalid_value' }] }, t, ['a.jpg', 'b.txt'], '#send')
 */
export function feedbackErrorView(
  problem: ProblemLike | undefined,
  t: Translate,
  fileNames: readonly string[] = [],
  fallbackHref = '#kind-0',
): FeedbackErrorView {
  const byField: Record<string, string> = {};
  if (!problem) return { summary: [], byField };
  const errors = problem.errors ?? [];
  const noContact =
    errors.some((e) => e.path === 'phone' && e.code === 'required') &&
    errors.some((e) => e.path === 'email' && e.code === 'required');
  const problemText = (code: string) => t(`problem.${code}`, { defaultValue: t('problem.internal_error') });
  const fileProblem = isFileProblem(problem);
  for (const e of errors) {
    const field = e.path.startsWith('attachments') ? 'attachments' : e.path;
    if (byField[field]) continue;
    if (field === 'attachments') {
      const index = Number(e.path.split('.')[1]);
      const reason = problemText(problem.code === 'validation_failed' ? 'attachment_unreadable' : problem.code);
      const name = Number.isInteger(index) ? fileNames[index] : undefined;
      byField.attachments = Number.isInteger(index)
        ? t('feedback.files.errorFile', { n: index + 1, name: name ?? '', reason })
        : reason;
    } else if ((field === 'phone' || field === 'email') && noContact) byField[field] = t('feedback.contactRequired');
    else if (field === 'kind') byField.kind = t('feedback.kindMissing');
    else if (field === 'subject') byField.subject = t('feedback.subjectMissing');
    else if ((FEEDBACK_TEXT_FIELDS as readonly string[]).includes(field))
      byField[field] =
        `${t(`feedback.${field}Label`)}: ${t(`fieldError.${e.code}`, { ...e.params, defaultValue: t('fieldError.invalid_value') })}`;
  }
  // Too large as a whole (413) or a file problem without a path: still said by the file input.
  if (!byField.attachments && (fileProblem || problem.code === 'payload_too_large'))
    byField.attachments = problemText(problem.code);
  const hrefOf = (f: string) =>
    f === 'kind' ? '#kind-0' : f === 'subject' ? '#subject-0' : f === 'notify' ? '#notify-0' : `#${f}`;
  const summary = ERROR_ORDER.filter((f) => byField[f] && !(f === 'email' && noContact)).map((f) => ({
    href: hrefOf(f),
    text: byField[f]!,
  }));
  if (summary.length === 0) summary.push({ href: fallbackHref, text: problemText(problem.code) });
  return { summary, byField };
}

/**
 * Everything /tra-cuu/ does before rendering: a post (look-up, step, download), the e-mailed link
 * on a GET, or nothing (the empty look-up form). A Response is a file to send as it is.
 */
export async function trackPage(
  request: Request,
  url: URL,
  locals: SsrLocals,
): Promise<TrackPostState | Response | undefined> {
  if (request.method === 'POST') return handleTrackPost(request, locals);
  return handleTrackLink(url, locals);
}

/**
 * Headers of every /tra-cuu/ response: the page may carry the e-mailed link in its URL and the key
 * in its forms, so no other site learns anything of the URL (a link followed to another site sends
 * no Referer at all) and no cache keeps the page. `same-origin`, not `no-referrer`: under
 * `no-referrer` Chromium sends `Origin: null` with the page's own form posts, which the API's
 * same-origin guard (api/middleware/same-origin.ts) refuses as cross-origin.
 */
export const TRACK_HEADERS = { 'Referrer-Policy': 'same-origin', 'Cache-Control': 'no-store' } as const;
