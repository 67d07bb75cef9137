/**
 * RFC 9457 problem details with machine codes. The site turns `code` (and each `errors[].code`)
 * into Vietnamese and English sentences; we never return raw zod issues, stack traces or the input.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';
import type { FieldError, ProblemCode } from './contracts/problem.ts';

export class ProblemError extends Error {
  readonly status: ContentfulStatusCode;
  readonly code: ProblemCode;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string> | undefined;
  constructor(
    status: ContentfulStatusCode,
    code: ProblemCode,
    opts: { errors?: FieldError[]; headers?: Record<string, string>; detail?: string } = {},
  ) {
    super(opts.detail ?? code);
    this.status = status;
    this.code = code;
    this.errors = opts.errors;
    this.headers = opts.headers;
  }
}

const TITLES: Record<ProblemCode, string> = {
  not_found: 'Not found',
  method_not_allowed: 'Method not allowed',
  unsupported_media_type: 'Unsupported media type',
  payload_too_large: 'Payload too large',
  invalid_json: 'Malformed JSON',
  invalid_body: 'Malformed request body',
  validation_failed: 'The request has invalid fields',
  unknown_procedure: 'Unknown procedure',
  fixed_periods_only: 'Public statistics use fixed periods only',
  period_out_of_range: 'The period is outside the data',
  margin_out_of_range: 'The margin of error must be 1–20 %',
  cross_origin: 'Cross-origin write refused',
  idempotency_conflict: 'Idempotency key reused with a different request',
  rate_limited: 'Too many requests',
  idempotency_key_required: 'An Idempotency-Key header is required',
  unknown_instrument: 'Unknown survey or survey version',
  unknown_unit: 'Unknown unit',
  pow_required: 'A proof-of-work solution is required',
  pow_invalid: 'The proof-of-work solution is not valid',
  pow_replayed: 'The proof-of-work solution was already used',
  unauthorized: 'Not signed in, or the API key or session is missing, unknown, expired or revoked',
  forbidden_unit: 'Not allowed for this unit',
  dossier_conflict: 'The dossier is already registered with different data',
  token_invalid: 'Unknown survey token',
  token_expired: 'The survey token has expired',
  token_used: 'The survey token has already been used',
  feedback_not_found: 'No feedback with this tracking code and access key',
  contact_required: 'A phone number or an e-mail address is required',
  invalid_credentials: 'Unknown username or wrong password',
  login_throttled: 'Too many failed sign-in attempts',
  pending_invalid: 'No live sign-in waiting for a second factor',
  second_factor_invalid: 'Wrong second factor',
  second_factor_replayed: 'This code was already used',
  password_weak: 'Password too weak or too common',
  password_too_short: 'Password too short',
  csrf_invalid: 'Missing or wrong CSRF token',
  forbidden_role: 'The signed-in staff member does not have this role',
  published_not_found: 'No published feedback with this tracking code',
  invalid_query: 'A query parameter is missing or invalid',
  transition_not_allowed: "This action is not possible in the case's current status",
  publish_not_consented: 'The sender did not agree to publication',
  personal_data_remains: 'The texts to publish still hold personal data',
  extension_limit: 'The deadline has already been extended the allowed number of times',
  dispute_window_open: 'The sender may still dispute the answer',
  dispute_window_closed: 'The time to dispute this answer has passed',
  already_rated: 'This answer has already been rated',
  stale_status: 'The case changed meanwhile; reload it',
  not_overdue: 'The case is not overdue',
  too_many_attachments: 'Too many attachments',
  attachment_empty: 'An attachment is empty',
  attachment_too_large: 'An attachment is larger than 10 MB',
  attachment_type_not_allowed: 'Only JPEG, PNG and PDF files are accepted',
  attachment_type_mismatch: 'An attachment is not what its type says',
  attachment_polyglot: 'An attachment hides other content',
  attachment_unreadable: 'An attachment cannot be read',
  attachment_pixels_exceeded: 'The attached images together have too many pixels',
  link_invalid: 'The link is unknown or has expired',
  username_taken: 'The username is already taken',
  length_required: 'A request body must state its length (Content-Length)',
  storage_unavailable: 'Storage is unavailable for the moment; send the same request again later',
  stats_computing: 'The statistics are being computed; ask again in a few seconds',
  data_request_pending: 'The same request about this personal data is already open',
  data_request_decided: 'This request has already been decided',
  contact_deleted: 'The contact data of this case is no longer held',
  correction_empty: 'A correction needs at least one new value',
  official_other_unit: 'Official of another unit',
  unknown_official: 'Unknown official',
  kiosk_unauthorized: 'No counter device',
  kiosk_revoked: 'Counter device link revoked',
  kiosk_wrong_unit: 'Counter device of another unit or counter',
  shift_unknown: 'Unknown shift',
  pin_invalid: 'Wrong counter sign-in code',
  pin_throttled: 'Too many counter sign-in attempts',
  official_not_found: 'Unknown official',
  device_not_found: 'Unknown counter device',
  internal_error: 'Internal error',
};

export function problemResponse(c: Context, err: ProblemError): Response {
  const body = {
    type: `https://gopy.example/problems/${err.code}`,
    title: TITLES[err.code],
    status: err.status,
    code: err.code,
    ...(err.errors ? { errors: err.errors } : {}),
    instance: c.req.path,
    request_id: c.get('requestId') as string | undefined,
  };
  return c.body(JSON.stringify(body), err.status, {
    'Content-Type': 'application/problem+json; charset=utf-8',
    'Cache-Control': 'no-store',
    ...(err.headers ?? {}),
  });
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v = data;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/**
 * Maps zod issues to our field errors: a path, a stable code and the limits needed to explain it.
 * `input` is the validated value, to tell a missing field from one of the wrong type (zod does not
 * keep the input in its issues, so the input never leaks into a response).
 */
export function fieldErrors(issues: readonly z.core.$ZodIssue[], input: unknown): FieldError[] {
  return issues.map((issue): FieldError => {
    const path = issue.path.map(String).join('.') || '(body)';
    switch (issue.code) {
      case 'invalid_type':
        return { path, code: valueAt(input, issue.path) === undefined ? 'required' : 'wrong_type' };
      case 'too_big':
        return {
          path,
          code: issue.origin === 'string' ? 'too_long' : 'too_large',
          params: { max: Number(issue.maximum) },
        };
      case 'too_small':
        return {
          path,
          code: issue.origin === 'string' ? (Number(issue.minimum) <= 1 ? 'required' : 'too_short') : 'too_small',
          params: { min: Number(issue.minimum) },
        };
      case 'unrecognized_keys':
        return {
          path: issue.keys.map((k) => [path, k].filter((x) => x !== '(body)').join('.')).join(','),
          code: 'unknown_field',
        };
      case 'invalid_value':
        return { path, code: 'invalid_value' };
      case 'invalid_format':
        return { path, code: 'invalid_format' };
      case 'custom':
        return { path, code: issue.params?.code === 'control_character' ? 'control_character' : 'invalid_value' };
      default:
        return { path, code: 'invalid_value' };
    }
  });
}
