/**
 * Feedback and petitions (phản ánh, kiến nghị; issue #4, docs/domain.md §7) as the citizen sends them, and
 * what the API answers. The sender's name, phone, e-mail and address are personal data: they are
 * stored apart from the case (db/migrations/0005_feedback.sql) and never returned by these routes.
 */
import { dataRequestOut } from './privacy.ts';
import { z } from 'zod';
import { feedbackKinds, feedbackSubjects } from './calendar.ts';
import { powPayload } from './rating.ts';
import { procedureCode } from './usefulness.ts';
import { hasControlCharacter } from './text.ts';

const slug = z.string().regex(/^[a-z0-9]+(?:[-_][a-z0-9]+)*$/);

/** Issue #4 lifecycle (api/feedback/workflow.ts holds the transitions); a case starts `received`. */
export const feedbackStatuses = [
  'received',
  'classified',
  'assigned',
  'in-progress',
  'info-requested',
  'answered',
  'published',
  'closed',
  'rejected',
  'transferred',
  'disputed',
] as const;
export type FeedbackStatus = (typeof feedbackStatuses)[number];

/** Statuses after which no handling deadline runs any more. */
export const closedFeedbackStatuses: readonly FeedbackStatus[] = [
  'answered',
  'published',
  'closed',
  'rejected',
  'transferred',
];

/** Where a case came in (QĐ 31/2021/QĐ-TTg art. 43: other channels are entered by staff). */
export const feedbackChannels = ['web', 'hotline', 'letter', 'email', 'in-person', 'national-portal'] as const;

/** Unambiguous tracking-code alphabet: no 0/O, 1/I/L. */
export const TRACKING_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const TRACKING_CODE = /^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}$/;

/**
 * Text as stored: NFC, trimmed; limits apply to the stored form. Control characters (and line
 * breaks in a single-line field) are refused with the field code `control_character` (issue #7
 * part 6; api/contracts/text.ts).
 */
export const storedText = (min: number, max: number, lines: 'single' | 'multi' = 'multi') =>
  z.preprocess(
    (v) => (typeof v === 'string' ? (v.isWellFormed() ? v.normalize('NFC') : v).trim() : v),
    z
      .string()
      .min(min)
      .max(max)
      .refine((s) => !hasControlCharacter(s, lines), { params: { code: 'control_character' } }),
  );

/** An optional field: a blank string or null (an empty form field) counts as absent. */
export const optionalField = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === null || (typeof v === 'string' && v.trim() === '') ? undefined : v), schema.optional());

/**
 * A Vietnamese phone number: mobile (03, 05, 07, 08, 09 + 8 digits) or landline (02 + 9 digits),
 * written with 0 or +84, spaces, dots, dashes or brackets allowed. Stored as "0xxxxxxxxx".
 * @example vnPhone.parse('+84 901 234 567') === '0901234567'
 */
export const vnPhone = z.preprocess(
  (v) => (typeof v === 'string' ? v.replace(/[\s.()-]/g, '') : v),
  z
    .string()
    .max(20)
    .regex(/^(?:\+84|0)(?:[35789]\d{8}|2\d{9})$/)
    .transform((s) => (s.startsWith('+84') ? `0${s.slice(3)}` : s)),
);

export const feedbackInput = z.strictObject({
  kind: z.enum(feedbackKinds),
  subject: z.enum(feedbackSubjects),
  /** The unit concerned; when none is named the province receives and classifies the case. */
  unit: optionalField(slug.max(100)),
  procedure: optionalField(procedureCode),
  title: storedText(1, 200, 'single'),
  content: storedText(1, 5000),
  name: storedText(1, 200, 'single'),
  /** At least one of phone and email (checked by the route, reported on both fields). */
  phone: optionalField(vnPhone),
  email: optionalField(z.preprocess((v) => (typeof v === 'string' ? v.trim() : v), z.email().max(254))),
  address: optionalField(storedText(1, 500)),
  /** How the sender wants news of the case (docs/sms.md): absent = e-mail when given, else SMS. */
  notify: optionalField(z.enum(['email', 'sms', 'none'])),
  /** Whether the content may be published (anonymised) with its answer. */
  publish_content: z.boolean(),
  /** Whether the sender's name may be shown publicly; not shown unless asked. */
  show_name: z.boolean().default(false),
  locale: z.enum(['vi', 'en']).default('vi'),
  /** Honeypot: a field people never see; bots fill it. */
  website: z.string().max(200).optional(),
  pow: powPayload.optional(),
});
export type FeedbackInput = z.input<typeof feedbackInput>;

/**
 * How the sender hears about the case: what they chose on the form, else e-mail when they gave an
 * address, else SMS when they gave a phone (docs/sms.md "Choosing the channel"). A choice the
 * contact data cannot serve (SMS without a phone) falls back to the other channel.
 * @example channelOf({ phone: '0901234567', email: null, notify: null }) === 'sms'
 */
export function channelOf(c: {
  phone?: string | null | undefined;
  email?: string | null | undefined;
  notify?: string | null | undefined;
}): 'email' | 'sms' | 'none' {
  if (c.notify === 'none') return 'none';
  if (c.notify === 'sms' && c.phone) return 'sms';
  if (c.email) return 'email';
  if (c.phone) return 'sms';
  return 'none';
}

export const feedbackReceipt = z.object({
  tracking_code: z.string(),
  /** The secret key to follow the case: returned once, on 201; null on a replayed retry. */
  access_key: z.string().nullable(),
  /** A link that opens the case without typing the key; like the key, only in the 201 answer. */
  link_url: z.string().nullable().optional(),
  /** True when the key was already shown in an earlier answer and is not repeated. */
  access_key_shown: z.boolean(),
  /** True when this submission had already been stored (a retry with the same Idempotency-Key). */
  replayed: z.boolean(),
  classify_due_at: z.string(),
  answer_due_at: z.string(),
});
export type FeedbackReceipt = z.infer<typeof feedbackReceipt>;

/** The tracking code as people type it; case, spaces and the dash are forgiven ("abcd efgh"). */
export const trackingCodeInput = z.preprocess((v) => {
  if (typeof v !== 'string') return v;
  const s = v.replace(/[\s-]/g, '').toUpperCase();
  return s.length === 8 ? `${s.slice(0, 4)}-${s.slice(4)}` : s;
}, z.string().max(20).regex(TRACKING_CODE));

/**
 * Secret access keys and short-link tokens (issue #11 part 2): 16 characters of the tracking
 * alphabet, shown in groups of four ("7KQM-X2RD-9HWE-TB4N") so a person can read one aloud. 31^16 ≈
 * 2^79 keys; docs/feedback.md ("The access key") works out why the per-client throttle makes guessing
 * hopeless. Keys issued before are 32 base64url characters, stored hashed the same way, and keep
 * working: they are compared exactly as given.
 */
export const SHORT_SECRET_LENGTH = 16;
const SHORT_SECRET = new RegExp(`^[${TRACKING_ALPHABET}]{${SHORT_SECRET_LENGTH}}$`);
/** Keys and link tokens issued before issue #11: 24 random bytes in base64url (case-sensitive). */
const LEGACY_SECRET = /^[A-Za-z0-9_-]{32,64}$/;

/**
 * A short secret as stored and hashed: its 16 characters in upper case without separators, however
 * it was typed ("7kqm x2rd-9hwe tb4n"); anything else, such as an older base64url key (where case
 * and "-" matter), is returned trimmed and unchanged.
 * @example canonicalSecret(' 7kqm-x2rd 9hwe-tb4n ') === '7KQMX2RD9HWETB4N'
 */
export function canonicalSecret(typed: string): string {
  const trimmed = typed.trim();
  const folded = trimmed.replace(/[\s-]/g, '').toUpperCase();
  return SHORT_SECRET.test(folded) && trimmed.length < 32 ? folded : trimmed;
}

/** A short secret in groups of four for people to read: "7KQM-X2RD-9HWE-TB4N". Others unchanged. */
export function groupedSecret(secret: string): string {
  const s = canonicalSecret(secret);
  return SHORT_SECRET.test(s) ? (s.match(/.{4}/g) ?? [s]).join('-') : s;
}

/** Whether a (canonical) secret has the short form issued since issue #11. */
export function isShortSecret(secret: string): boolean {
  return SHORT_SECRET.test(secret);
}

/** A secret access key or link token as typed: the short form in any case and grouping, or an older key. */
const secretInput = z.preprocess(
  (v) => (typeof v === 'string' ? canonicalSecret(v) : v),
  z.string().refine((s) => SHORT_SECRET.test(s) || LEGACY_SECRET.test(s)),
);

/** The secret access key shown once at submission. */
export const accessKeyInput = secretInput;
/** The token of a link that opens the case (the e-mailed magic link, the short link of the receipt). */
export const linkTokenInput = secretInput;

export const unitRef = z.object({ id: z.string(), name_vi: z.string(), name_en: z.string() });

/** A text on a case: the unit's answer or request for information, the sender's reply or dispute. */
export const messageOut = z.object({
  id: z.number().int(),
  at: z.string(),
  purpose: z.enum(['answer', 'info-request', 'info-reply', 'dispute']),
  author: z.enum(['citizen', 'staff']),
  body: z.string(),
});

/** A file of a case, without its bytes (downloaded on its own). */
export const attachmentOut = z.object({
  id: z.number().int(),
  message_id: z.number().int().nullable(),
  author: z.enum(['citizen', 'staff']),
  file_name: z.string(),
  media_type: z.string(),
  size: z.number().int(),
  created_at: z.string(),
});

/** The sender's rating of one answer. */
export const ratingOut = z.object({
  message_id: z.number().int(),
  at: z.string(),
  satisfied: z.boolean(),
  reasons: z.array(z.string()),
});

export const feedbackTrack = z.object({
  tracking_code: z.string(),
  kind: z.enum(feedbackKinds),
  subject: z.enum(feedbackSubjects),
  status: z.enum(feedbackStatuses),
  /** The handling unit (never a staff member). */
  unit: unitRef,
  received_at: z.string(),
  classify_due_at: z.string(),
  answer_due_at: z.string(),
  /** True when the deadline of the current step has passed and the case is still open. */
  overdue: z.boolean(),
  events: z.array(
    z.object({
      at: z.string(),
      action: z.string(),
      from: z.enum(feedbackStatuses).nullable(),
      to: z.enum(feedbackStatuses),
      unit: unitRef,
      /** What the sender is told: the reason of a rejection, transfer or extension, the information requested. */
      note: z.string().nullable(),
    }),
  ),
  messages: z.array(messageOut),
  attachments: z.array(attachmentOut),
  ratings: z.array(ratingOut),
  /** Until when the sender may ask for a re-examination of the answer. */
  dispute_until: z.string().nullable(),
  /** What the sender may do now. */
  allowed_actions: z.array(z.enum(['provide-info', 'dispute', 'rate'])),
  /** The privacy notice the case was received under (issue #7 part 4, docs/privacy.md). */
  notice_version: z.string(),
  /** Whether contact data is still held (false once deleted on request or after retention). */
  contact_kept: z.boolean(),
  /** The sender's requests to correct or delete their contact data. */
  data_requests: z.array(dataRequestOut),
});
export type FeedbackTrack = z.infer<typeof feedbackTrack>;
