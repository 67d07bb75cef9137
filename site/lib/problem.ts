/**
 * An API refusal (RFC 9457 problem+json, api/problem.ts) as the server-rendered pages use it: the
 * machine code and field errors they turn into sentences (content/i18n problem.* / fieldError.*).
 * One reader for every page (issue #8 §1).
 */
export interface ApiProblem {
  status: number;
  code: string;
  errors?:
    | { path: string; code: string; params?: Record<string, number> | undefined; kind?: string | undefined }[]
    | undefined;
  /** Seconds, from Retry-After (rate limits, sign-in throttling). */
  retryAfter?: number | undefined;
}

/** The problem of a refused response; a body that is no problem reads as rate_limited (429) or internal_error. */
export async function problemOf(res: Response): Promise<ApiProblem> {
  const json = (await res.json().catch(() => undefined)) as Partial<ApiProblem> | undefined;
  const retry = Number(res.headers.get('retry-after'));
  return {
    status: res.status,
    code: json && typeof json.code === 'string' ? json.code : res.status === 429 ? 'rate_limited' : 'internal_error',
    errors: Array.isArray(json?.errors) ? json.errors : undefined,
    ...(Number.isFinite(retry) && retry > 0 ? { retryAfter: retry } : {}),
  };
}
