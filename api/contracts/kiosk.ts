/**
 * Counter kiosks, officials and officer results (issue #10 part 3; docs/kiosk-and-officers.md): what
 * the kiosk page, the unit admin and the supervisor send and get back.
 */
import { z } from 'zod';
import { officialCode } from './integration.ts';

export const unitSlug = z
  .string()
  .max(100)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);

/** A counter (quầy) as the rating link writes it (api/contracts/rating.ts `counter`). */
export const counterId = z.string().regex(/^[0-9A-Za-z-]{1,16}$/);

export const deviceSecret = z.string().regex(/^[A-Za-z0-9_-]{43}$/);

export const kioskTarget = z.strictObject({ unit: unitSlug, counter: counterId });

/** Opening a device link: the secret goes into the device's cookie. */
export const deviceClaimInput = z.strictObject({ unit: unitSlug, counter: counterId, secret: deviceSecret });

export const shiftStartInput = z.strictObject({
  unit: unitSlug,
  counter: counterId,
  /** The official's 6-digit counter sign-in code. */
  pin: z.string().regex(/^\d{6}$/),
});

export const shiftOut = z.object({
  /** What the kiosk sends with each rating of the shift (api/contracts/rating.ts `shift`). */
  shift: z.string(),
  started_at: z.string(),
});

export const kioskStatus = z.object({
  unit: z.string(),
  counter: z.string(),
  shift: shiftOut.nullable(),
});

export const newDeviceInput = z.strictObject({
  unit: unitSlug,
  counter: counterId,
  /** Where the tablet stands, for the admin's list ("Quầy 3, tầng 1"); no personal data. */
  label: z.string().trim().min(1).max(80),
});

export const deviceOut = z.object({
  id: z.number().int(),
  unit: z.string(),
  counter: z.string(),
  label: z.string(),
  created_at: z.string(),
  revoked_at: z.string().nullable(),
});

export const newDeviceResult = deviceOut.extend({
  /** The device link: opened once on the tablet. Shown only in this answer. */
  link: z.string(),
});

export const newOfficialInput = z.strictObject({
  unit: unitSlug,
  code: officialCode,
  /** The official's own staff account, which may then read its own results. */
  staff_id: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
});

export const newOfficialResult = z.object({
  unit: z.string(),
  code: z.string(),
  /** The 6-digit counter sign-in code, shown only in this answer. */
  pin: z.string(),
});

export const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/);

export const officerResultsQuery = z.object({
  month,
  /** A supervisor's unit (its subtree); absent: the signed-in official's own results. */
  unit: unitSlug.optional(),
});

const figureOut = z.object({
  n: z.number().int().nullable(),
  value: z.number().nullable(),
  low: z.number().nullable(),
  high: z.number().nullable(),
  suppressed: z.boolean(),
});

export const officerCellOut = z.object({
  unit: z.string(),
  official: z.string(),
  month: z.string(),
  dossiers: figureOut,
  late: figureOut.describe('Late share of the dossiers handled, percent, Wilson 95 % interval.'),
  verified_satisfaction: figureOut.describe('From ratings with a dossier token (verified), percent.'),
  kiosk_satisfaction: figureOut.describe('From counter kiosk ratings (self-selected), percent.'),
  verdict: z.enum(['cannot-be-good', 'meets', 'undetermined']),
  verdict_reason: z.enum(['late', 'too-few', 'no-data']).nullable(),
  late_threshold: z.number(),
});

export const officerResultsOut = z.object({
  month: z.string(),
  min_n: z.number().int(),
  officials: z.array(officerCellOut),
});
