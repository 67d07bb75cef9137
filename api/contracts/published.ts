/**
 * Published feedback (issue #4, public side; docs/architecture.md §2 `/cong-khai/`, §6 "a public disputed state"):
 * the query of GET /api/v1/published-feedback, the item it answers and the feedback statistics of
 * GET /api/v1/stats/feedback. Shared by the API (which validates and documents with these schemas)
 * and the site (which reads the JSON with these types).
 *
 * A case is public only when the publisher wrote its redacted texts (feedback_publications); the
 * sender's name appears only when they allowed it. Nothing here is read from the sender's own text
 * or contact data.
 */
import { z } from 'zod';
import { feedbackKinds, feedbackSubjects } from './calendar.ts';
import { localized } from './content.ts';
import { figure, protectionComputedAt, sampleLabel, statsPeriods, statsSpan } from './stats.ts';
import { procedureCode } from './usefulness.ts';
import { TRACKING_CODE } from './feedback.ts';

const slug = z.string().regex(/^[a-z0-9]+(?:[-_][a-z0-9]+)*$/);
const isoDay = z.iso.date();

/** Items per page of the list; the CSV holds every match up to {@link PUBLISHED_CSV_MAX}. */
export const PUBLISHED_PAGE_SIZE = 20;
export const PUBLISHED_MAX_PAGE_SIZE = 100;
export const PUBLISHED_CSV_MAX = 10_000;

/**
 * What the public is told about a published case's state: answered (and published), closed, or
 * disputed: the sender rejected the answer and asked for a re-examination ("đang xem xét lại").
 */
export const publicStatuses = ['answered', 'closed', 'disputed'] as const;
export type PublicStatus = (typeof publicStatuses)[number];

export const publishedQuery = z.object({
  q: z
    .string()
    .max(200)
    .optional()
    .describe('Words to find in the title, question and answer; accents and case are ignored.'),
  unit: slug.max(100).optional().describe('Unit id (content/units.yaml); its whole subtree is included.'),
  kind: z.enum(feedbackKinds).optional(),
  subject: z.enum(feedbackSubjects).optional(),
  procedure: procedureCode.optional(),
  from: isoDay.optional().describe('First day of receipt, YYYY-MM-DD (Viet Nam time).'),
  to: isoDay.optional().describe('Last day of receipt, YYYY-MM-DD (Viet Nam time).'),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  per_page: z.coerce.number().int().min(1).max(PUBLISHED_MAX_PAGE_SIZE).default(PUBLISHED_PAGE_SIZE),
});
export type PublishedQuery = z.input<typeof publishedQuery>;

export const publishedItem = z.object({
  tracking_code: z.string(),
  kind: z.enum(feedbackKinds),
  subject: z.enum(feedbackSubjects),
  /** Redacted by the publisher (api/redaction/ then reviewed). */
  title: z.string(),
  question: z.string(),
  answer: z.string(),
  /** Only when the sender asked to be named; else null. */
  sender_name: z.string().nullable(),
  unit: z.object({ id: z.string(), name: localized }),
  procedure: z.object({ code: z.string(), name: localized }).nullable(),
  channel: z.string(),
  status: z.enum(publicStatuses),
  received_at: z.string(),
  answered_at: z.string().nullable(),
  answer_due_at: z.string(),
  published_at: z.string(),
  closed_at: z.string().nullable(),
  /** The FIRST answer met the deadline that applied when it was given (api/stats/feedback-timeliness.ts);
   * a late first answer stays late after a dispute. Null when not answered. */
  on_time: z.boolean().nullable(),
  /** Working days from receipt to the first answer, counted by the deadline rule
   * (api/deadlines/calendar.ts `workingDaysTaken`). */
  working_days: z.number().int().nullable(),
  /** The sender's latest rating of the answer: satisfied or not; null when not rated. */
  satisfied: z.boolean().nullable(),
  /** The sender asked for a re-examination of the answer (now or earlier). */
  disputed: z.boolean(),
});
export type PublishedItem = z.infer<typeof publishedItem>;

export const publishedList = z
  .object({
    total: z.number().int().describe('Cases found, counted up to 10,000 (see total_capped).'),
    total_capped: z
      .boolean()
      .describe('True when more than 10,000 cases match: total is 10,000 and the pages stop there; narrow the search.'),
    page: z.number().int(),
    per_page: z.number().int(),
    pages: z.number().int(),
    items: z.array(publishedItem),
  })
  .describe('Published answered feedback, newest publication first');
export type PublishedList = z.infer<typeof publishedList>;

/** CSV columns of GET /published-feedback.csv, in order. */
export const publishedCsvColumns = [
  'tracking_code',
  'kind',
  'subject',
  'title',
  'question',
  'answer',
  'sender_name',
  'unit',
  'unit_name_vi',
  'unit_name_en',
  'procedure',
  'channel',
  'status',
  'received_at',
  'answered_at',
  'answer_due_at',
  'published_at',
  'closed_at',
  'on_time',
  'working_days',
  'satisfied',
  'disputed',
] as const;

// ── Feedback statistics ─────────────────────────────────────────────────────────────────────────

export const feedbackStatsQuery = z.object({
  unit: slug.default('khanh-hoa').describe('Unit id; cases handled by the unit and every unit below it.'),
  procedure: procedureCode.optional(),
  span: statsSpan.optional(),
  period: z.enum(statsPeriods).default('year'),
  from: z.string().max(32).optional().describe('Not accepted (422 fixed_periods_only): use span.'),
  to: z.string().max(32).optional().describe('Not accepted (422 fixed_periods_only): use span.'),
});

export const feedbackSummary = z.object({
  /** Cases received in the selection; null (fewer than min_n) when suppressed (docs/statistics.md). */
  received: z.number().int().nullable(),
  /** Of those, cases answered; null when suppressed. */
  answered: z.number().int().nullable(),
  /** Answered cases the sender rated; null when suppressed. */
  rated: z.number().int().nullable(),
  label: sampleLabel,
  /** Share (percent) of answered cases whose FIRST answer met the deadline that applied then (the
   * period, or the one extension); a late first answer stays late after a dispute. n = answered. */
  on_time: figure,
  /** Mean working days from receipt to the first answer, counted by the deadline rule; n = answered. */
  days_to_answer: figure,
  /** Share (percent) of rated answers whose sender was satisfied; n = rated, the senders who chose
   * to rate (self-selected), out of `answered`. */
  satisfied: figure,
  /** Share (percent) of answered cases the sender disputed (asked for a re-examination); n = answered. */
  disputed: figure,
  /** Share (percent) of re-examinations (the answer after the latest dispute of a case) answered by
   * their own deadline; n = re-examined cases answered again. */
  reexamined_on_time: figure,
});
export type FeedbackSummary = z.infer<typeof feedbackSummary>;

const unitRef = { unit: z.string(), name: localized, valid_to: z.string().nullable() };

export const feedbackStatsResult = z
  .object({
    query: z.object({
      ...unitRef,
      procedure: z.string(),
      span: statsSpan,
      period: z.enum(statsPeriods),
      from: z.string(),
      to: z.string(),
    }),
    min_n: z.number().int(),
    protection_computed_at: protectionComputedAt,
    summary: feedbackSummary,
    series: z.array(z.object({ period: z.string(), summary: feedbackSummary })),
    units: z.array(z.object({ ...unitRef, summary: feedbackSummary })),
  })
  .describe('Feedback handling figures of a unit subtree');
export type FeedbackStatsResult = z.infer<typeof feedbackStatsResult>;

export const trackingCodeParam = z.string().max(20).regex(TRACKING_CODE);
