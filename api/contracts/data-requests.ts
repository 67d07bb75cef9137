/**
 * What the sender posts to use their rights (issue #7 part 4, docs/privacy.md): the export of their
 * data, and a request to correct or delete their contact data; what staff post to decide one.
 */
import { z } from 'zod';
import { citizenCredentials } from './feedback-actions.ts';
import { optionalField, storedText, vnPhone } from './feedback.ts';
import { dataRequestKinds, dataRequestOut, dataRequestStatuses } from './privacy.ts';

/** A correction gives the new values of the fields to change; a deletion gives none. */
export const dataRequestInput = citizenCredentials.extend({
  kind: z.enum(dataRequestKinds),
  reason: storedText(1, 1000),
  name: optionalField(storedText(1, 200)),
  phone: optionalField(vnPhone),
  email: optionalField(z.preprocess((v) => (typeof v === 'string' ? v.trim() : v), z.email().max(254))),
  address: optionalField(storedText(1, 500)),
});
export type DataRequestInput = z.infer<typeof dataRequestInput>;

export const dataRequestReceipt = z.object({ request: dataRequestOut });

export const dataRequestDecision = z.strictObject({
  decision: z.enum(['carry-out', 'refuse']),
  /** Required for a refusal: the reason the sender is told. */
  note: optionalField(storedText(1, 1000)),
});

export const staffDataRequest = dataRequestOut.extend({
  feedback_id: z.number().int(),
  tracking_code: z.string(),
  unit: z.object({ id: z.string(), name_vi: z.string(), name_en: z.string() }),
  overdue: z.boolean(),
  /** The sender's reason and the new values: only in a case's own list (an audited read). */
  reason: z.string().nullable(),
  corrections: z
    .object({
      name: z.string().optional(),
      phone: z.string().optional(),
      email: z.string().optional(),
      address: z.string().optional(),
    })
    .nullable(),
});
export type StaffDataRequest = z.infer<typeof staffDataRequest>;

export const staffDataRequestQuery = z.object({
  status: z.enum([...dataRequestStatuses, 'all']).default('pending'),
  feedback: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
});

export const staffDataRequestList = z.object({ items: z.array(staffDataRequest) });
export type StaffDataRequestList = z.infer<typeof staffDataRequestList>;
