/**
 * Feedback and petitions on the server (issue #4): the plain form posts of /gop-y/ and /tra-cuu/
 * handed to the API in-process (exempt from the proof of work), and what the pages show after.
 * Server only. The access key is shown once in the response body and never put in a URL.
 */
import type { SsrLocals } from '../../api/contracts/ssr.ts';
import type { FeedbackReceipt, FeedbackTrack } from '../../api/contracts/feedback.ts';
import { KEY_PATTERN, newKey, type ProblemLike } from './rating-form.ts';

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
] as const;
export type FeedbackAnswers = Partial<Record<(typeof FEEDBACK_TEXT_FIELDS)[number], string>> & {
  publish_content?: boolean;
  show_name?: boolean;
};

export interface FeedbackPostState {
  answers: FeedbackAnswers;
  key: string;
  problem?: ProblemLike | undefined;
  receipt?: FeedbackReceipt | undefined;
}

export interface TrackPostState {
  code: string;
  problem?: ProblemLike | undefined;
  result?: FeedbackTrack | undefined;
}

async function readForm(request: Request): Promise<FormData | undefined> {
  try {
    return await request.formData();
  } catch {
    return undefined;
  }
}

async function problemOf(res: Response): Promise<ProblemLike> {
  const json = (await res.json().catch(() => undefined)) as ProblemLike | undefined;
  return json && typeof json.code === 'string'
    ? { status: res.status, code: json.code, errors: json.errors }
    : { status: res.status, code: res.status === 429 ? 'rate_limited' : 'internal_error' };
}

/** The plain form post of /gop-y/: stored → the receipt; refused → the form again, answers kept. */
export async function handleFeedbackPost(
  request: Request,
  locale: string,
  locals: SsrLocals,
): Promise<FeedbackPostState> {
  const form = await readForm(request);
  if (!form) return { answers: {}, key: newKey(), problem: { status: 400, code: 'invalid_body' } };
  const text = (name: string) => {
    const v = form.get(name);
    return typeof v === 'string' ? v.trim() : '';
  };
  const submittedKey = text('idempotency_key');
  const key = KEY_PATTERN.test(submittedKey) ? submittedKey : newKey();
  const answers: FeedbackAnswers = {};
  for (const f of FEEDBACK_TEXT_FIELDS) {
    const v = text(f);
    if (v) answers[f] = v;
  }
  answers.publish_content = text('publish_content') === 'yes';
  answers.show_name = text('show_name') === 'yes';
  const body = {
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
    publish_content: answers.publish_content,
    show_name: answers.show_name,
    locale: locale === 'en' ? 'en' : 'vi',
    website: text('website') || undefined,
  };
  let problem: ProblemLike;
  try {
    const res = await locals.api('/api/v1/feedback', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify(body),
    });
    if (res.status === 200 || res.status === 201)
      return { answers, key, receipt: (await res.json()) as FeedbackReceipt };
    problem = await problemOf(res);
  } catch {
    problem = { status: 500, code: 'internal_error' };
  }
  return { answers, problem, key: problem.code === 'idempotency_conflict' ? newKey() : key };
}

/** The plain form post of /tra-cuu/: the case, or a problem (not found is the same for both). */
export async function handleTrackPost(request: Request, locals: SsrLocals): Promise<TrackPostState> {
  const form = await readForm(request);
  if (!form) return { code: '', problem: { status: 400, code: 'invalid_body' } };
  const code = typeof form.get('code') === 'string' ? (form.get('code') as string).trim().slice(0, 40) : '';
  const key = typeof form.get('key') === 'string' ? (form.get('key') as string).trim() : '';
  try {
    const res = await locals.api('/api/v1/feedback/track', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code, key }),
    });
    if (res.status === 200) return { code, result: (await res.json()) as FeedbackTrack };
    const problem = await problemOf(res);
    // A malformed code or key is "not found" to the citizen too: nothing to tell them apart.
    if (problem.status === 422 && problem.code === 'validation_failed') {
      const missing = (problem.errors ?? []).some((e) => e.code === 'required') || !code || !key;
      if (!missing) return { code, problem: { status: 404, code: 'feedback_not_found' } };
    }
    return { code, problem };
  } catch {
    return { code, problem: { status: 500, code: 'internal_error' } };
  }
}

/** A date as dd/mm/yyyy in Việt Nam time. */
export function vnDate(iso: string, locale: string): string {
  return new Intl.DateTimeFormat(locale === 'vi' ? 'vi-VN' : 'en-GB', {
    timeZone: 'Asia/Ho_Chi_Minh',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
  }).format(new Date(iso));
}
