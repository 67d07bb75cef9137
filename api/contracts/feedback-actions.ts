/**
 * What staff and senders send to move a feedback case along its lifecycle (issue #4;
 * api/feedback/workflow.ts decides whether the move is allowed), and what the staff API answers.
 */
import { z } from 'zod';
import { feedbackKinds, feedbackSubjects } from './calendar.ts';
import {
  accessKeyInput,
  linkTokenInput,
  attachmentOut,
  messageOut,
  ratingOut,
  unitRef,
  feedbackChannels,
  feedbackStatuses,
  optionalField,
  storedText,
  trackingCodeInput,
  vnPhone,
} from './feedback.ts';
import { procedureCode } from './usefulness.ts';

/** Steps a staff member takes (api/feedback/workflow.ts says from which status, and by whom). */
export const staffActions = [
  'classify',
  'reject',
  'transfer',
  'assign',
  'start',
  'request-info',
  'resume',
  'answer',
  'extend',
  'publish',
  'close',
  'reopen',
] as const;
export type StaffAction = (typeof staffActions)[number];

/** Steps the sender takes on the tracking page. */
export const citizenActions = ['provide-info', 'dispute', 'rate'] as const;
export type CitizenAction = (typeof citizenActions)[number];

export const feedbackActions = [...staffActions, ...citizenActions] as const;
export type FeedbackAction = (typeof feedbackActions)[number];

const unitId = z
  .string()
  .max(100)
  .regex(/^[a-z0-9]+(?:[-_][a-z0-9]+)*$/);
const note = storedText(1, 2000);

/** A form checkbox ("on") or a JSON boolean. */
const flag = z.preprocess(
  (v) => (v === 'on' || v === 'true' ? true : v === 'false' || v === '' ? false : v),
  z.boolean(),
);

/**
 * The status the form was made for: a page open since before someone else moved the case gets
 * 409 stale_status instead of acting on a case it no longer shows.
 */
const guard = { expected_status: optionalField(z.enum(feedbackStatuses)) };

export const staffActionInput = z.discriminatedUnion('action', [
  z.strictObject({
    ...guard,
    action: z.literal('classify'),
    /** The coordinator may correct what the sender chose. */
    kind: optionalField(z.enum(feedbackKinds)),
    subject: optionalField(z.enum(feedbackSubjects)),
    procedure: optionalField(procedureCode),
    note: optionalField(note),
  }),
  z.strictObject({ ...guard, action: z.literal('reject'), note }),
  z.strictObject({
    ...guard,
    action: z.literal('transfer'),
    /** Another unit of the portal; or else `outside_agency`, an agency outside it (the case ends here). */
    unit: optionalField(unitId),
    outside_agency: optionalField(storedText(1, 200, 'single')),
    note,
  }),
  z.strictObject({ ...guard, action: z.literal('assign'), unit: unitId, note: optionalField(note) }),
  z.strictObject({ ...guard, action: z.literal('start'), note: optionalField(note) }),
  z.strictObject({ ...guard, action: z.literal('request-info'), note }),
  z.strictObject({ ...guard, action: z.literal('resume'), note: optionalField(note) }),
  z.strictObject({ ...guard, action: z.literal('answer'), body: storedText(1, 20000) }),
  z.strictObject({ ...guard, action: z.literal('extend'), days: z.coerce.number().int().min(1).max(60), note }),
  z.strictObject({
    ...guard,
    action: z.literal('publish'),
    /** The texts as the public will read them: the redaction preview, edited by the publisher. */
    title: storedText(1, 200, 'single'),
    content: storedText(1, 5000),
    answer: storedText(1, 20000),
    /** Show the sender's name; only possible when the sender asked for it. */
    show_name: flag.default(false),
  }),
  z.strictObject({ ...guard, action: z.literal('close'), note: optionalField(note) }),
  z.strictObject({ ...guard, action: z.literal('reopen'), note: optionalField(note) }),
]);
export type StaffActionInput = z.infer<typeof staffActionInput>;

/** How the sender proves the case is theirs: tracking code and secret key, or the e-mailed link. */
const citizenAuth = {
  code: optionalField(trackingCodeInput),
  key: optionalField(accessKeyInput),
  link: optionalField(linkTokenInput),
};
export const citizenCredentials = z.strictObject(citizenAuth);
export type CitizenCredentials = z.infer<typeof citizenCredentials>;

export const citizenActionInput = z.discriminatedUnion('action', [
  z.strictObject({ ...citizenAuth, action: z.literal('provide-info'), body: storedText(1, 5000) }),
  z.strictObject({ ...citizenAuth, action: z.literal('dispute'), body: storedText(1, 2000) }),
  z.strictObject({
    ...citizenAuth,
    action: z.literal('rate'),
    satisfied: flag,
    /** Option ids of the `reasons` question of content/surveys/danh-gia-tra-loi.yaml. */
    reasons: z.preprocess(
      (v) => (typeof v === 'string' ? [v] : v),
      z
        .array(
          z
            .string()
            .max(50)
            .regex(/^[a-z0-9-]+$/),
        )
        .max(10)
        .default([]),
    ),
    comment: optionalField(storedText(1, 1000)),
  }),
]);
export type CitizenActionInput = z.infer<typeof citizenActionInput>;

/** Feedback received by phone, letter, e-mail or in person, entered by staff (QĐ 31/2021 art. 43). */
export const manualEntryInput = z.strictObject({
  channel: z.enum(feedbackChannels).exclude(['web']),
  kind: z.enum(feedbackKinds),
  subject: z.enum(feedbackSubjects),
  unit: unitId,
  procedure: optionalField(procedureCode),
  title: storedText(1, 200, 'single'),
  content: storedText(1, 5000),
  /** When the sender gave the feedback (a letter's date of receipt); defaults to now. */
  received_at: optionalField(z.iso.datetime({ offset: true })),
  name: storedText(1, 200, 'single'),
  phone: optionalField(vnPhone),
  email: optionalField(z.preprocess((v) => (typeof v === 'string' ? v.trim() : v), z.email().max(254))),
  address: optionalField(storedText(1, 500)),
  publish_content: flag.default(false),
  show_name: flag.default(false),
  locale: z.enum(['vi', 'en']).default('vi'),
});
export type ManualEntryInput = z.infer<typeof manualEntryInput>;

export const inboxQuery = z.strictObject({
  status: optionalField(z.enum(feedbackStatuses)),
  unit: optionalField(unitId),
  kind: optionalField(z.enum(feedbackKinds)),
  channel: optionalField(z.enum(feedbackChannels)),
  overdue: optionalField(z.enum(['1', 'true'])),
  q: optionalField(z.string().trim().max(200)),
  page: z.coerce.number().int().min(1).max(10000).default(1),
});

export const inboxItem = z.object({
  id: z.number().int(),
  tracking_code: z.string(),
  kind: z.enum(feedbackKinds),
  subject: z.enum(feedbackSubjects),
  unit: unitRef,
  channel: z.enum(feedbackChannels),
  status: z.enum(feedbackStatuses),
  title: z.string(),
  received_at: z.string(),
  due_at: z.string(),
  overdue: z.boolean(),
});
export type InboxItem = z.infer<typeof inboxItem>;

export const inboxPage = z.object({
  /** Counted up to 10,000 (db/fts.ts LIST_COUNT_CAP); `total_capped` says there are more. */
  total: z.number().int(),
  total_capped: z.boolean(),
  page: z.number().int(),
  page_size: z.number().int(),
  items: z.array(inboxItem),
});
export type InboxPage = z.infer<typeof inboxPage>;

export const staffCase = z.object({
  id: z.number().int(),
  tracking_code: z.string(),
  kind: z.enum(feedbackKinds),
  subject: z.enum(feedbackSubjects),
  unit: unitRef,
  procedure: z.string().nullable(),
  channel: z.enum(feedbackChannels),
  status: z.enum(feedbackStatuses),
  title: z.string(),
  content: z.string(),
  publish_content: z.boolean(),
  show_name: z.boolean(),
  received_at: z.string(),
  classify_due_at: z.string(),
  answer_due_at: z.string(),
  due_at: z.string(),
  overdue: z.boolean(),
  answered_at: z.string().nullable(),
  dispute_until: z.string().nullable(),
  extension_count: z.number().int(),
  max_extensions: z.number().int(),
  max_extension_days: z.number().int(),
  events: z.array(
    z.object({
      at: z.string(),
      action: z.string(),
      actor: z.enum(['citizen', 'system', 'staff']),
      staff_name: z.string().nullable(),
      from: z.enum(feedbackStatuses).nullable(),
      to: z.enum(feedbackStatuses),
      unit: unitRef,
      note: z.string().nullable(),
    }),
  ),
  messages: z.array(messageOut),
  attachments: z.array(attachmentOut),
  ratings: z.array(ratingOut),
  published: z.object({ at: z.string(), title: z.string(), content: z.string(), answer: z.string() }).nullable(),
  /** What this staff member may do now (the API refuses everything else). */
  allowed_actions: z.array(z.string()),
  /** Whether this staff member may read the sender's contact data (each read is audited). */
  can_view_contact: z.boolean(),
});
export type StaffCase = z.infer<typeof staffCase>;

export const contactOut = z.object({
  name: z.string(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  address: z.string().nullable(),
});

export const redactionPreview = z.object({
  title: z.string(),
  content: z.string(),
  answer: z.string(),
  /** How many pieces of personal data were removed, by kind. */
  removed: z.record(z.string(), z.number().int()),
  /** The sender asked for their name to be shown. */
  show_name_allowed: z.boolean(),
});

export const apologyLetter = z.object({
  tracking_code: z.string(),
  unit: unitRef,
  locale: z.enum(['vi', 'en']),
  sender_name: z.string(),
  sender_address: z.string().nullable(),
  received_at: z.string(),
  due_at: z.string(),
  working_days_late: z.number().int(),
  new_due_at: z.string().nullable(),
  title: z.string(),
  issued_at: z.string(),
});
export type ApologyLetter = z.infer<typeof apologyLetter>;
