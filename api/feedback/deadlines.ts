/**
 * Working-day deadlines of feedback cases (issue #4) from the rules and calendar in content/
 * (content/calendar/deadline-rules.yaml, holidays.yaml; api/deadlines/calendar.ts counts).
 */
import { findDeadlineRule, loadCalendar, loadDeadlineRules } from '../contracts/calendar.ts';
import type {
  DeadlineRule,
  DeadlineRules,
  FeedbackKind,
  FeedbackSubject,
  WorkingCalendar,
} from '../contracts/calendar.ts';
import { addCalendarDays, addWorkingDays } from '../deadlines/calendar.ts';

const loaded = new Map<string, { calendar: WorkingCalendar; rules: DeadlineRules }>();

/** The calendar and rules of a content folder, read once per process (they change with a deploy). */
export function deadlinesOf(contentDir: string): { calendar: WorkingCalendar; rules: DeadlineRules } {
  let d = loaded.get(contentDir);
  if (!d) {
    d = { calendar: loadCalendar(contentDir), rules: loadDeadlineRules(contentDir) };
    loaded.set(contentDir, d);
  }
  return d;
}

export interface CaseDeadlines {
  rule: DeadlineRule;
  /** Receipt (or a transfer in): classification due after the classify period. */
  classifyDue(from: Date): Date;
  /** The answer deadline assumed at receipt, before any classification: both periods. */
  answerDueAtReceipt(from: Date): Date;
  /** From classification (or a re-examination request): the answer period. */
  answerDue(from: Date): Date;
  /** An extension adds working days to the current deadline. */
  extended(deadline: Date, days: number): Date;
  /** Until when the sender may dispute an answer given at `answeredAt` (calendar days). */
  disputeUntil(answeredAt: Date): Date;
}

/**
 * The deadlines of one kind × subject. The receipt cut-off applies to the sender's actions and to
 * staff steps alike: a step after 17:00 counts from the next working day.
 * @example deadlinesFor('content', 'phan-anh', 'hanh-vi').answerDue(new Date())
 */
export function deadlinesFor(contentDir: string, kind: string, subject: string): CaseDeadlines {
  const { calendar, rules } = deadlinesOf(contentDir);
  const rule = findDeadlineRule(rules, kind as FeedbackKind, subject as FeedbackSubject);
  const opts = { receiptCutoff: rules.receipt_cutoff };
  const add = (from: Date, days: number) => addWorkingDays(from, days, calendar, opts).deadline;
  return {
    rule,
    classifyDue: (from) => add(from, rule.classify_working_days),
    answerDueAtReceipt: (from) => add(from, rule.classify_working_days + rule.answer_working_days),
    answerDue: (from) => add(from, rule.answer_working_days),
    // A deadline is the last millisecond of a working day; counted from noon of that day, so the
    // receipt cut-off does not push it one more day, n working days are added after it.
    extended: (deadline, days) =>
      addWorkingDays(new Date(deadline.getTime() - 12 * 3600 * 1000), days, calendar).deadline,
    disputeUntil: (answeredAt) => addCalendarDays(answeredAt, rule.reexamination_calendar_days),
  };
}
