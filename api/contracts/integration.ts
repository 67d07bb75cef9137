/**
 * What one-stop systems send to register returned dossiers (issue #3) and what they get back: the
 * survey link, its one-time token and a QR code to print on the receipt.
 */
import { z } from 'zod';
import { procedureCode } from './usefulness.ts';
import { vnPhone } from './feedback.ts';

/** Mã hồ sơ as one-stop systems write it, e.g. "000.00.31.H42-250801-0001". */
export const dossierCode = z
  .string()
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]*$/);

const unitId = z
  .string()
  .max(100)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);

/** An instant with its offset ("2025-08-04T10:30:00+07:00" or "…Z"): a local time without one
 * would be read differently by every system. */
const instant = z.iso.datetime({ offset: true });

/**
 * The handling official's pseudonymous code from the one-stop system (issue #10), never a name:
 * upper-case letters, digits, '.', '_', '-' (db/officers.ts `OFFICIAL_CODE_PATTERN`).
 */
export const officialCode = z
  .string()
  .max(32)
  .regex(/^[A-Z0-9][A-Z0-9._-]{2,31}$/);

export const dossierInput = z.strictObject({
  code: dossierCode,
  /** Unit that handled the dossier; defaults to the API key's unit. */
  unit: unitId.optional(),
  procedure: procedureCode.optional(),
  received_at: instant,
  due_at: instant,
  returned_at: instant,
  /** The official who handled it, registered for the dossier's unit (docs/kiosk-and-officers.md). */
  official: officialCode.optional(),
  /** The citizen's phone, when they agreed to be asked: the one-time rating invitation goes to it
   * by SMS (docs/sms.md). Used for that message only, never stored with the dossier. */
  phone: vnPhone.optional(),
  /** Language of the invitation; Vietnamese unless said. */
  locale: z.enum(['vi', 'en']).optional(),
});
export type DossierInput = z.infer<typeof dossierInput>;

export const MAX_DOSSIERS_PER_REQUEST = 500;

export const dossierBatchInput = z.strictObject({
  dossiers: z.array(dossierInput).min(1).max(MAX_DOSSIERS_PER_REQUEST),
});

export const registerInput = z.union([dossierInput, dossierBatchInput]);
export type RegisterInput = z.infer<typeof registerInput>;

export const registerQuery = z.object({
  /** `none` leaves the QR codes out (bulk imports that print them elsewhere). */
  qr: z.enum(['svg', 'none']).default('svg'),
  /**
   * `plan`: invite only the unit's random sample of the month (issue #10 §2, docs/reform-office.md):
   * a dossier not drawn is registered without a token (`invited: false`). `all` (default): every one.
   */
  sample: z.enum(['all', 'plan']).default('all'),
  /** Margin of error e (percent, 1–20, default 5) of a plan made by this request; a stored plan keeps its own. */
  margin: z.string().max(16).optional(),
});

export const dossierResult = z.object({
  code: dossierCode,
  unit: z.string(),
  procedure: z.string().nullable(),
  on_time: z.boolean(),
  /** False when the dossier was registered before: no new token, the fields below are null. */
  created: z.boolean(),
  survey_url: z.string().nullable(),
  /** The one-time survey token; only its hash is stored, so it cannot be shown again. */
  token: z.string().nullable(),
  token_expires_at: z.string().nullable(),
  /** The survey link as an SVG QR code (error correction M), or null with `?qr=none`. */
  qr_svg: z.string().nullable(),
  /** With `?sample=plan` only: whether the dossier was drawn into the survey sample. */
  invited: z.boolean().optional(),
});
export type DossierResult = z.infer<typeof dossierResult>;

export const dossierBatchResult = z.object({ dossiers: z.array(dossierResult) });

export const registerResult = z.union([dossierResult, dossierBatchResult]);
