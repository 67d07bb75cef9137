/** "Was this page useful?" on procedure pages (issue #2). Accepted as JSON from scripts and as a plain
 * HTML form post (no JavaScript on content pages), with the same fields. */
import { z } from 'zod';
import { hasControlCharacter } from './text.ts';

export const procedureCode = z.string().regex(/^[0-9]\.[0-9]{6}$/);

/** A path on this site to return to after a form post; relative only, so it can never redirect
 * the visitor to another site. */
export const returnPath = z
  .string()
  .max(200)
  .regex(/^\/(?!\/)[a-z0-9/._-]*$/);

export const usefulnessInput = z.strictObject({
  procedure: procedureCode,
  useful: z.enum(['yes', 'no']),
  comment: z
    .string()
    .max(1000)
    .refine((s) => !hasControlCharacter(s, 'multi'), { params: { code: 'control_character' } })
    .optional()
    .transform((s) => (s && s.trim() ? s.trim().normalize('NFC') : undefined)),
  locale: z
    .string()
    .regex(/^[a-z]{2,3}$/)
    .default('vi'),
  return_to: returnPath.optional(),
});
export type UsefulnessInput = z.input<typeof usefulnessInput>;

export const usefulnessResult = z.object({
  procedure: procedureCode,
  useful: z.number().int(),
  not_useful: z.number().int(),
});
export type UsefulnessResult = z.infer<typeof usefulnessResult>;
