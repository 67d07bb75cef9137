/**
 * Feedback handling statistics (issue #4, docs/architecture.md §4 "Publish"): received, answered on time, mean
 * working days to answer, satisfied senders and disputed answers, over ALL cases (published or not)
 * but only as counts and shares. Pure functions over the facts db/published.ts `caseFacts` reads.
 *
 * Every share and mean with n below min n is suppressed, as the rating figures are: in a small
 * commune one late or disputed case could point at one person. The route passes every summary
 * through api/stats/disclosure.ts, which also hides counts and adds complementary suppression.
 */
import type { Figure } from '../contracts/stats.ts';
import type { FeedbackStatsResult, FeedbackSummary } from '../contracts/published.ts';
import { toCsv, type CsvCell } from '../contracts/csv.ts';
import { csvColumns, type CsvColumn } from '../contracts/stats.ts';
import { workingDaysTaken } from '../deadlines/calendar.ts';
import { deadlinesOf } from '../feedback/deadlines.ts';
import { meanMultiplier, wilson } from '../scoring/scoring.ts';
import { timelinessOf } from './feedback-timeliness.ts';
import { suppressedFigure } from './summaries.ts';
import type { CaseFacts } from '../../db/published.ts';

/**
 * Working days from receipt to an answer, counted by the rule that computes the deadlines (receipt
 * cut-off and days off of content/calendar; api/deadlines/calendar.ts `workingDaysTaken`).
 */
export function daysToAnswer(receivedAt: string, answeredAt: string, contentDir: string): number {
  const { calendar, rules } = deadlinesOf(contentDir);
  return workingDaysTaken(new Date(receivedAt), new Date(answeredAt), calendar, { receiptCutoff: rules.receipt_cutoff })
    .days;
}

function shareFigure(successes: number, n: number, minN: number): Figure {
  if (n < minN || n === 0) return suppressedFigure(n);
  const interval = wilson(successes, n);
  return {
    n,
    value: (successes / n) * 100,
    low: interval ? interval.low * 100 : null,
    high: interval ? interval.high * 100 : null,
    suppressed: false,
  };
}

/** Mean with a 95 % interval: Student's t below 30 cases, normal from 30 on (api/scoring `meanMultiplier`). */
function meanFigure(values: readonly number[], minN: number): Figure {
  const n = values.length;
  if (n < minN || n === 0) return suppressedFigure(n);
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : 0;
  const half = meanMultiplier(n) * Math.sqrt(variance / n);
  return { n, value: mean, low: Math.max(0, mean - half), high: mean + half, suppressed: false };
}

/**
 * The summary of a set of cases. On time and days taken are those of the FIRST answer against the
 * deadline that applied then (api/stats/feedback-timeliness.ts); answers after a re-examination
 * request are counted apart (`reexamined_on_time`).
 * @example summarize(facts, 'content', 10).on_time // { n: answered, value: percent on time, … }
 */
export function summarize(cases: readonly CaseFacts[], contentDir: string, minN: number): FeedbackSummary {
  const timed = cases.map((c) => timelinessOf(c, contentDir));
  const answered = cases.filter((c) => c.answeredAt !== null);
  const firsts = timed.filter((t) => t !== null);
  const onTime = firsts.filter((t) => t.first.onTime).length;
  const reexamined = firsts.flatMap((t) => (t.reexamination ? [t.reexamination] : []));
  const rated = answered.filter((c) => c.satisfied !== null);
  const satisfied = rated.filter((c) => c.satisfied === true).length;
  const disputed = answered.filter((c) => c.disputed).length;
  return {
    received: cases.length,
    answered: answered.length,
    rated: rated.length,
    label: 'feedback cases',
    on_time: shareFigure(onTime, firsts.length, minN),
    days_to_answer: meanFigure(
      firsts.map((t) => t.first.workingDays),
      minN,
    ),
    satisfied: shareFigure(satisfied, rated.length, minN),
    disputed: shareFigure(disputed, answered.length, minN),
    reexamined_on_time: shareFigure(reexamined.filter((r) => r.onTime).length, reexamined.length, minN),
  };
}

/** The period key of a day, as db/stats.ts `periodsBetween` writes them. */
export function periodOf(day: string, period: 'month' | 'quarter' | 'year'): string {
  if (period === 'year') return day.slice(0, 4);
  if (period === 'month') return day.slice(0, 7);
  return `${day.slice(0, 4)}-Q${Math.ceil(Number(day.slice(5, 7)) / 3)}`;
}

// ── CSV ─────────────────────────────────────────────────────────────────────────────────────────

interface Metric {
  metric: string;
  vi: string;
  en: string;
  value: Figure | { count: number | null };
  unit: 'percent' | 'count' | 'working days';
}

/** The metrics of one summary, in page order. */
export function feedbackMetrics(s: FeedbackSummary): Metric[] {
  return [
    {
      metric: 'received',
      vi: 'Số phản ánh, kiến nghị nhận',
      en: 'Cases received',
      value: { count: s.received },
      unit: 'count',
    },
    { metric: 'answered', vi: 'Số đã trả lời', en: 'Cases answered', value: { count: s.answered }, unit: 'count' },
    {
      metric: 'on_time',
      vi: 'Trả lời lần đầu đúng hạn',
      en: 'First answer on time',
      value: s.on_time,
      unit: 'percent',
    },
    {
      metric: 'days_to_answer',
      vi: 'Số ngày làm việc trung bình đến lần trả lời đầu',
      en: 'Mean working days to the first answer',
      value: s.days_to_answer,
      unit: 'working days',
    },
    {
      metric: 'satisfied',
      vi: 'Người gửi hài lòng (trong số người gửi chọn đánh giá)',
      en: 'Senders satisfied (of the senders who chose to rate)',
      value: s.satisfied,
      unit: 'percent',
    },
    {
      metric: 'disputed',
      vi: 'Người gửi đề nghị xem xét lại',
      en: 'Answers disputed',
      value: s.disputed,
      unit: 'percent',
    },
    {
      metric: 'reexamined_on_time',
      vi: 'Trả lời đúng hạn sau khi xem xét lại',
      en: 'Answered on time after re-examination',
      value: s.reexamined_on_time,
      unit: 'percent',
    },
  ];
}

/**
 * The CSV of GET /stats/feedback.csv, with the columns of the other statistics downloads
 * (api/contracts/stats.ts `csvColumns`; instrument is "feedback"), written by api/contracts/csv.ts.
 */
export function feedbackCsv(r: FeedbackStatsResult): string {
  const lines: CsvCell[][] = [];
  const add = (unit: { unit: string; name: { vi: string; en: string } }, period: string, s: FeedbackSummary) => {
    for (const m of feedbackMetrics(s)) {
      const f = m.value;
      const isCount = 'count' in f;
      const row: Record<CsvColumn, CsvCell> = {
        unit: unit.unit,
        unit_name_vi: unit.name.vi,
        unit_name_en: unit.name.en,
        period,
        instrument: 'feedback',
        metric: m.metric,
        metric_name_vi: m.vi,
        metric_name_en: m.en,
        n: isCount ? f.count : f.n,
        value: isCount ? f.count : f.value,
        low: isCount ? '' : f.low,
        high: isCount ? '' : f.high,
        value_unit: m.unit,
        suppressed: String(isCount ? f.count === null : f.suppressed),
        label: s.label,
        flag: '',
      };
      lines.push(csvColumns.map((c) => row[c]));
    }
  };
  const scope = { unit: r.query.unit, name: r.query.name };
  add(scope, r.query.span, r.summary);
  for (const p of r.series) add(scope, p.period, p.summary);
  for (const u of r.units) add(u, r.query.span, u.summary);
  return toCsv(csvColumns, lines);
}
