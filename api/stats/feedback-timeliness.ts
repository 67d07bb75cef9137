/**
 * When a feedback case was answered, and whether on time, by the strict reading of issue #7 §2
 * (docs/feedback-statistics.md "Feedback timeliness"):
 *
 * - On time is judged on the FIRST answer, against the deadline that applied at that moment: the
 *   answer period from classification (or from a transfer's new receipt), moved by the one
 *   extension. A re-examination after a dispute gets a fresh period (api/feedback/service.ts), but
 *   that period is never used to judge the first answer: a case answered late and then disputed
 *   stays late. The answer after the re-examination is a separate measure.
 * - Working days taken are counted from receipt to the first answer by the rule that computes the
 *   deadlines (api/deadlines/calendar.ts `workingDaysTaken`, same receipt cut-off), so a case on time
 *   for an n-day period never shows more than n days from the deemed day of receipt.
 *
 * The case row keeps only the latest answer and the latest deadline; the history (feedback_events)
 * keeps when each step happened. A case never disputed has nothing after its first answer that moves
 * either, so its row is exact. For a disputed case the deadline at the first answer is replayed from
 * the history; the history does not keep the number of days of an extension, so an extension taken
 * before the first answer of a disputed case counts as the longest the rule allows: the reading most
 * favourable to the unit, so a case is only called late when it was late under any lawful extension.
 */
import { deadlinesFor, deadlinesOf } from '../feedback/deadlines.ts';
import { workingDaysTaken } from '../deadlines/calendar.ts';

import type { TimelineEvent } from '../../db/published.ts';

/** What db/published.ts reads of a case for its timeliness: dates and the steps, no text. */
export interface CaseTimeline {
  kind: string;
  subject: string;
  receivedAt: string;
  /** The latest answer (the row's answered_at), null when never answered. */
  answeredAt: string | null;
  /** The deadline now in force (the row's answer_due_at). */
  answerDueAt: string;
  /** Steps in the order they were taken (only those of {@link TIMELINE_ACTIONS}). */
  events: readonly TimelineEvent[];
}

/** The history actions the replay reads. */
export const TIMELINE_ACTIONS = ['classify', 'transfer', 'extend', 'answer', 'dispute'] as const;

export interface AnswerTiming {
  answeredAt: string;
  dueAt: string;
  onTime: boolean;
}

export interface Timeliness {
  /** The first answer and the deadline that applied when it was given. */
  first: AnswerTiming & { workingDays: number };
  /** The answer after the latest re-examination request, when there is one. */
  reexamination: AnswerTiming | null;
  /** Whether the sender ever asked for a re-examination. */
  disputed: boolean;
}

const timing = (answeredAt: string, dueAt: string): AnswerTiming => ({
  answeredAt,
  dueAt,
  onTime: Date.parse(answeredAt) <= Date.parse(dueAt),
});

/**
 * The timeliness of one case, or null when it was never answered.
 * @example timelinessOf(c, 'content')?.first.onTime
 */
export function timelinessOf(c: CaseTimeline, contentDir: string): Timeliness | null {
  if (c.answeredAt === null) return null;
  const { calendar, rules } = deadlinesOf(contentDir);
  const days = (answeredAt: string) =>
    workingDaysTaken(new Date(c.receivedAt), new Date(answeredAt), calendar, { receiptCutoff: rules.receipt_cutoff })
      .days;
  const disputes = c.events.filter((e) => e.action === 'dispute');
  const answers = c.events.filter((e) => e.action === 'answer');
  // Never disputed, or a history without its answers (cases written outside the lifecycle): the
  // row's answer and deadline are those of the first answer.
  if (disputes.length === 0 || answers.length === 0) {
    const first = timing(c.answeredAt, c.answerDueAt);
    return { first: { ...first, workingDays: days(c.answeredAt) }, reexamination: null, disputed: disputes.length > 0 };
  }
  const d = deadlinesFor(contentDir, c.kind, c.subject);
  let due = d.answerDueAtReceipt(new Date(c.receivedAt));
  let firstAt: string | undefined;
  for (const e of c.events) {
    const at = new Date(e.at);
    if (e.action === 'answer') {
      firstAt = e.at;
      break;
    }
    if (e.action === 'classify') due = d.answerDue(at);
    else if (e.action === 'transfer' && e.to === 'received') due = d.answerDueAtReceipt(at);
    else if (e.action === 'extend') due = d.extended(due, d.rule.extension.max_working_days);
  }
  const first = timing(firstAt!, due.toISOString());
  const lastDispute = disputes.at(-1)!;
  const reanswer = answers.find((a) => Date.parse(a.at) >= Date.parse(lastDispute.at));
  // After the latest dispute nothing but an extension moves the deadline, and the row keeps that.
  const reexamination = reanswer ? timing(reanswer.at, c.answerDueAt) : null;
  return { first: { ...first, workingDays: days(first.answeredAt) }, reexamination, disputed: true };
}
