/**
 * A rating as submitted by the rating page (island, JSON) or its plain HTML form (through the page
 * on the server), or by any client of the open API. Answers are checked against the exact
 * instrument version the citizen saw (api/ratings/validate.ts).
 */
import { z } from 'zod';
import { procedureCode } from './usefulness.ts';

const slug = z.string().regex(/^[a-z0-9]+(?:[-_][a-z0-9]+)*$/);

/** A proof-of-work solution for an open (self-selected) rating: the altcha payload. */
export const powPayload = z.object({
  challenge: z.object({
    parameters: z.record(z.string(), z.unknown()),
    signature: z.string().max(512),
  }),
  solution: z.object({
    counter: z.number().int().min(0),
    derivedKey: z.string().max(256),
    time: z.number().optional(),
  }),
});
export type PowPayload = z.infer<typeof powPayload>;

export const ratingInput = z.strictObject({
  instrument: slug,
  /** The instrument version the citizen answered (16 hex digits). */
  version: z.string().regex(/^[0-9a-f]{16}$/),
  unit: slug,
  procedure: procedureCode.optional(),
  /** Counter (quầy) number or name from the QR code. */
  counter: z
    .string()
    .regex(/^[0-9A-Za-z-]{1,16}$/)
    .optional(),
  /** One-time token from a dossier receipt: makes the response "verified". */
  token: z
    .string()
    .regex(/^[A-Za-z0-9_-]{20,100}$/)
    .optional(),
  /** question id → option id / scale point / text, or a list for multi-select. */
  answers: z.preprocess(
    // zod drops an own "__proto__" key silently; refuse the object instead of ignoring the answer.
    (v) => (v !== null && typeof v === 'object' && Object.hasOwn(v, '__proto__') ? null : v),
    z.record(z.string().max(64), z.union([z.string().max(5000), z.array(z.string().max(64)).max(20)])),
  ),
  locale: z
    .string()
    .regex(/^[a-z]{2,3}$/)
    .default('vi'),
  /** The shift of the official on duty at a counter kiosk (issue #10): only from a kiosk device. */
  shift: z
    .string()
    .regex(/^[A-Za-z0-9_-]{22}$/)
    .optional(),
  /** Honeypot: a field people never see; bots fill it. */
  website: z.string().max(200).optional(),
  pow: powPayload.optional(),
});
export type RatingInput = z.input<typeof ratingInput>;

export const ratingResult = z.object({
  id: z.number().int(),
  verified: z.boolean(),
  /** True when this answer had already been stored (a retry with the same Idempotency-Key). */
  replayed: z.boolean(),
});
export type RatingResult = z.infer<typeof ratingResult>;

export const powChallenge = z.object({
  parameters: z.record(z.string(), z.unknown()),
  signature: z.string(),
});
