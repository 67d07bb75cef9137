/** Machine codes the API returns in problem+json bodies. The site translates each one
 * (content/i18n/<locale>.json, keys `problem.<code>` and `fieldError.<code>`). */
export const problemCodes = [
  'not_found',
  'method_not_allowed',
  'unsupported_media_type',
  'payload_too_large',
  'invalid_json',
  'invalid_body',
  'validation_failed',
  'unknown_procedure',
  'fixed_periods_only',
  'period_out_of_range',
  'margin_out_of_range',
  'cross_origin',
  'idempotency_conflict',
  'rate_limited',
  'idempotency_key_required',
  'unknown_instrument',
  'unknown_unit',
  'pow_required',
  'pow_invalid',
  'pow_replayed',
  'unauthorized',
  'forbidden_unit',
  'dossier_conflict',
  'token_invalid',
  'token_expired',
  'token_used',
  'feedback_not_found',
  'contact_required',
  'invalid_credentials',
  'login_throttled',
  'pending_invalid',
  'second_factor_invalid',
  'second_factor_replayed',
  'password_weak',
  'password_too_short',
  'csrf_invalid',
  'forbidden_role',
  'transition_not_allowed',
  'publish_not_consented',
  'personal_data_remains',
  'extension_limit',
  'dispute_window_open',
  'dispute_window_closed',
  'already_rated',
  'stale_status',
  'not_overdue',
  'too_many_attachments',
  'attachment_empty',
  'attachment_too_large',
  'attachment_type_not_allowed',
  'attachment_type_mismatch',
  'attachment_polyglot',
  'attachment_unreadable',
  'attachment_pixels_exceeded',
  'link_invalid',
  'published_not_found',
  'invalid_query',
  'username_taken',
  'length_required',
  'storage_unavailable',
  'stats_computing',
  'data_request_pending',
  'data_request_decided',
  'contact_deleted',
  'correction_empty',
  'official_other_unit',
  'unknown_official',
  'kiosk_unauthorized',
  'kiosk_revoked',
  'kiosk_wrong_unit',
  'shift_unknown',
  'pin_invalid',
  'pin_throttled',
  'official_not_found',
  'device_not_found',
  'internal_error',
] as const;
export type ProblemCode = (typeof problemCodes)[number];

export const fieldErrorCodes = [
  'required',
  'wrong_type',
  'too_long',
  'too_short',
  'too_large',
  'too_small',
  'unknown_field',
  'invalid_value',
  'invalid_format',
  'control_character',
  'personal_data',
] as const;
export type FieldErrorCode = (typeof fieldErrorCodes)[number];

export interface FieldError {
  path: string;
  code: FieldErrorCode;
  params?: Record<string, number>;
  /** For `personal_data`: the kind found (api/redaction/kinds.ts), so the page can name it. */
  kind?: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ProblemCode;
  errors?: FieldError[];
  instance?: string;
  request_id?: string;
}
