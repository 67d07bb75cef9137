/**
 * Generators shared by the fuzz tests of the public write endpoints (api/fuzz.test.ts for ratings,
 * api/routes/feedback-fuzz.test.ts for feedback and sign-in): keys that poison prototypes and
 * content types an endpoint must refuse. Tests only.
 */
import fc from 'fast-check';

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
