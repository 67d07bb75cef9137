/**
 * What the fuzz tests of the public write endpoints share (api/fuzz.test.ts for ratings,
 * api/routes/feedback-fuzz.test.ts for feedback and sign-in): keys that poison prototypes, content
 * types an endpoint must refuse, literal JSON with an extra key, and the check that every answer is
 * a 4xx problem+json with a known code. Tests only.
 */
import fc from 'fast-check';
import { problemCodes } from './contracts/problem.ts';

export type Json = ReturnType<typeof JSON.parse>;
export type Body = Record<string, Json>;

/** A JSON text with one more key, written literally (so "__proto__" stays an own key). */
export function withKey(obj: Body, key: string, value: Json): string {
  const text = JSON.stringify(obj);
  return `${text.slice(0, -1)}${text.length > 2 ? ',' : ''}${JSON.stringify(key)}:${JSON.stringify(value)}}`;
}

/**
 * A check that an answer is a refusal as the API promises: 4xx, problem+json, a known code, the
 * same status in the body. `seen` counts refusals by "status code", which shows that the
 * generators reach every layer of checks.
 */
export function refusalChecker(): { seen: Map<string, number>; checkRefused(res: Response): Promise<void> } {
  const seen = new Map<string, number>();
  return {
    seen,
    async checkRefused(res) {
      const text = await res.text();
      const where = `${res.status} ${text.slice(0, 300)}`;
      if (res.status < 400 || res.status > 499) throw new Error(`not a 4xx: ${where}`);
      if (!/^application\/problem\+json\b/.test(res.headers.get('content-type') ?? ''))
        throw new Error(`not problem+json: ${res.headers.get('content-type')} ${where}`);
      const body = JSON.parse(text) as { code?: unknown; status?: unknown };
      if (typeof body.code !== 'string' || !(problemCodes as readonly string[]).includes(body.code))
        throw new Error(`no known code: ${where}`);
      if (body.status !== res.status) throw new Error(`status in body differs: ${where}`);
      const k = `${res.status} ${body.code}`;
      seen.set(k, (seen.get(k) ?? 0) + 1);
    },
  };
}

/** Keys that reach Object.prototype when a parser or a spread is careless. */
export const PROTO_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '__defineGetter__',
];

const PRINTABLE_ASCII = fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c));

/**
 * Content types an endpoint does not take (by essence), or no content type at all. With
 * `malformedJson`, also JSON types whose parameters Hono refuses as malformed ("application/json;;").
 */
export function wrongContentType(
  allowed: readonly string[],
  opts: { malformedJson?: boolean } = {},
): fc.Arbitrary<string | null> {
  return fc
    .oneof(
      fc.constant(null),
      fc.constantFrom(
        'text/plain',
        'text/plain; charset=utf-8',
        'text/json',
        'application/xml',
        'application/jsonx',
        'application/json-patch+json',
        'application/ld+json',
        'application/octet-stream',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=xyz',
        'multipart/mixed; boundary=xyz',
        'application/json;;',
        'application/json ; charset=utf-8',
        '*/*',
      ),
      fc.string({ minLength: 1, maxLength: 40, unit: PRINTABLE_ASCII }).filter((s) => s.trim() !== ''),
    )
    .filter((ct) => {
      if (ct === null) return true;
      const essence = ct.split(';')[0]!.trim().toLowerCase();
      return !allowed.includes(essence) || (opts.malformedJson === true && /;;| ;/.test(ct));
    });
}
