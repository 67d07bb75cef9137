/**
 * The sender's rights on /tra-cuu/ (issue #7 part 4, docs/privacy.md), as plain form posts handed
 * to the API in-process: `action=export` answers with the JSON file itself (an attachment, never
 * cached); `action=data-request` files a request to correct or delete the contact data and shows
 * the case again with a confirmation and the due date, or the refusal by the form. Server only.
 */
import type { FeedbackTrack } from '../../api/contracts/feedback.ts';
import type { SsrLocals } from '../../api/contracts/ssr.ts';
import type { ProblemLike } from './rating-form.ts';
import { credentialsBody, lookUp, textOf, type TrackCredentials, type TrackPostState } from './feedback.ts';
import { problemOf } from './problem.ts';

/** The fields of the request form, as the API names them. */
export const RIGHTS_FIELDS = ['kind', 'name', 'phone', 'email', 'address', 'reason'] as const;

/** What the request form posted, as the API takes it (api/contracts/data-requests.ts). */
export function dataRequestBody(form: FormData, credentials: TrackCredentials): Record<string, unknown> {
  const kind = textOf(form, 'kind');
  const body: Record<string, unknown> = { ...credentialsBody(credentials), kind, reason: textOf(form, 'reason') };
  // New values only for a correction: a deletion sends none, whatever was typed.
  if (kind === 'correct')
    for (const f of ['name', 'phone', 'email', 'address'] as const) {
      const v = textOf(form, f);
      if (v) body[f] = v;
    }
  return body;
}

export async function handleRightsPost(
  action: 'export' | 'data-request',
  form: FormData,
  credentials: TrackCredentials,
  locals: SsrLocals,
): Promise<TrackPostState | Response> {
  let problem: ProblemLike;
  try {
    const res = await locals.api(action === 'export' ? '/api/v1/feedback/export' : '/api/v1/feedback/data-request', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(action === 'export' ? credentialsBody(credentials) : dataRequestBody(form, credentials)),
    });
    if (action === 'export' && res.status === 200) return res;
    if (res.status === 201) {
      const state = await lookUp(locals, credentials);
      return state.result ? { ...state, action: { name: action, done: true } } : state;
    }
    problem = await problemOf(res);
  } catch {
    problem = { status: 500, code: 'internal_error' };
  }
  const state = await lookUp(locals, credentials);
  const values = Object.fromEntries(RIGHTS_FIELDS.map((f) => [f, textOf(form, f)]));
  return state.result ? { ...state, action: { name: action, done: false, problem, values } } : state;
}

/** The request just filed (the newest one), for the confirmation and its due date. */
export function latestRequest(result: FeedbackTrack): FeedbackTrack['data_requests'][number] | undefined {
  return result.data_requests.at(-1);
}
