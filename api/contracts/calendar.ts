/**
 * Schemas and loaders of the working-day calendar and the feedback deadline rules
 * (`content/calendar/holidays.yaml`, `content/calendar/deadline-rules.yaml`; docs/domain.md §7, issue #4).
 *
 * Why a file of our own and not a holiday library: library data (e.g. `date-holidays` VN) has only
 * the first day(s) of Tết and none of the days the government swaps each year (docs/architecture.md §7
 * "Public holidays"), so a deadline computed from it would be wrong around every Tết. Editors keep
 * the official days off per year here; years not listed fall back to "weekends only" and the
 * deadline functions report `calendarCovered: false` so the UI can warn.
 *
 * Problems are reported like `loadContent` does (file, entry, field) with the same `ContentError`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { localized, source, type Localized } from './content.ts';
import { ContentError, type ContentProblem } from './load-content.ts';

// ---------------------------------------------------------------------------------------------
// holidays.yaml
// ---------------------------------------------------------------------------------------------

export const calendarDayKinds = [
  /** A public holiday (ngày nghỉ lễ, tết), including a day off in lieu (nghỉ bù) when a holiday
   * falls on a weekend (Labour Code 2019 art. 111(3)). */
  'holiday',
  /** A normal working day the government turned into a day off (hoán đổi ngày làm việc). */
  'swapped-day-off',
  /** A weekend day worked instead (ngày làm bù), the other half of a swap. */
  'make-up-working-day',
] as const;
export type CalendarDayKind = (typeof calendarDayKinds)[number];

export const calendarDay = z.strictObject({
  /** Local date in Asia/Ho_Chi_Minh. */
  date: z.iso.date(),
  kind: z.enum(calendarDayKinds),
  name: localized,
  source: source,
});
export type CalendarDay = z.infer<typeof calendarDay>;

export const calendarYear = z.strictObject({
  year: z.number().int().min(2000).max(2100),
  /** Where the year's schedule comes from; `sample: true` while it is not the official notice. */
  source: source,
  days: z.array(calendarDay).min(1),
});
export type CalendarYear = z.infer<typeof calendarYear>;

/** A validated calendar, indexed for the deadline functions (api/deadlines/calendar.ts). */
export interface WorkingCalendar {
  /** Years whose official days off are entered, ascending. Other years: weekends only. */
  readonly years: readonly number[];
  /** Every entered day by its local date "YYYY-MM-DD". */
  readonly days: ReadonlyMap<string, CalendarDay>;
  /** The file as entered, for pages that list the days off. */
  readonly entries: readonly CalendarYear[];
}

// ---------------------------------------------------------------------------------------------
// deadline-rules.yaml
// ---------------------------------------------------------------------------------------------

/** docs/domain.md §7: phản ánh reports a problem, kiến nghị proposes a change. */
export const feedbackKinds = ['phan-anh', 'kien-nghi'] as const;
export type FeedbackKind = (typeof feedbackKinds)[number];
/** docs/domain.md §7: about a regulation (quy định hành chính), the conduct of an agency or official
 * (hành vi hành chính), or anything else. */
export const feedbackSubjects = ['quy-dinh', 'hanh-vi', 'khac'] as const;
export type FeedbackSubject = (typeof feedbackSubjects)[number];

const workingDays = z.number().int().min(0).max(365);
const hhmm = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, 'time as HH:MM');

const periods = {
  /** Classify (accept, reject with reason, or transfer) within this many working days of receipt. */
  classify_working_days: workingDays,
  /** Answer within this many working days counted from classification. */
  answer_working_days: workingDays,
  extension: z.strictObject({
    /** How many extensions are allowed (docs/domain.md §7: one). */
    max_count: z.number().int().min(0).max(5),
    /** Each extension adds at most this many working days. */
    max_working_days: workingDays,
  }),
  /** Calendar days (not working days) the sender has to dispute an answer. */
  reexamination_calendar_days: z.number().int().min(0).max(365),
  legal_basis: z.array(localized).min(1),
  source: source,
};

export const deadlineDefaults = z.strictObject(periods);

export const deadlineRuleEntry = z.strictObject({
  kind: z.enum(feedbackKinds),
  subject: z.enum(feedbackSubjects),
  name: localized,
  classify_working_days: periods.classify_working_days.optional(),
  answer_working_days: periods.answer_working_days.optional(),
  extension: periods.extension.optional(),
  reexamination_calendar_days: periods.reexamination_calendar_days.optional(),
  legal_basis: periods.legal_basis.optional(),
  source: source.optional(),
});

export const deadlineRulesFile = z.strictObject({
  /** A receipt at or after this local time counts as received the next working day. */
  receipt_cutoff: hhmm.default('17:00'),
  defaults: deadlineDefaults,
  rules: z.array(z.unknown()),
});

/** One rule with the defaults filled in. */
export interface DeadlineRule {
  kind: FeedbackKind;
  subject: FeedbackSubject;
  name: Localized;
  classify_working_days: number;
  answer_working_days: number;
  extension: { max_count: number; max_working_days: number };
  reexamination_calendar_days: number;
  legal_basis: Localized[];
  source: z.infer<typeof source>;
}

export interface DeadlineRules {
  /** "HH:MM" local time; pass to `addWorkingDays(…, { receiptCutoff })`. */
  receipt_cutoff: string;
  /** One rule per kind × subject, in file order. */
  rules: DeadlineRule[];
}

/**
 * The rule for a kind and subject. The loader guarantees every combination exists.
 * @example findDeadlineRule(rules, 'phan-anh', 'hanh-vi').answer_working_days // 10
 */
export function findDeadlineRule(rules: DeadlineRules, kind: FeedbackKind, subject: FeedbackSubject): DeadlineRule {
  const rule = rules.rules.find((r) => r.kind === kind && r.subject === subject);
  if (!rule) throw new RangeError(`no deadline rule for ${kind}/${subject}`);
  return rule;
}

// ---------------------------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------------------------

/** Formats a zod issue path ["days", 0, "kind"] as "days[0].kind" (as load-content.ts does). */
function pathText(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || '(whole entry)';
}

class Problems {
  readonly list: ContentProblem[] = [];
  readonly file: string;
  constructor(file: string) {
    this.file = file;
  }
  add(entry: string, field: string, message: string): void {
    this.list.push({ file: this.file, entry, field, message });
  }
  zod(error: z.ZodError, entry: (path: readonly PropertyKey[]) => [string, readonly PropertyKey[]]): void {
    for (const issue of error.issues) {
      const [name, rest] = entry(issue.path);
      this.add(name, pathText(rest), issue.message);
    }
  }
  throwIfAny(): void {
    if (this.list.length > 0) throw new ContentError(this.list);
  }
}

function readYaml(root: string, rel: string, p: Problems): unknown {
  const file = join(root, rel);
  if (!existsSync(file)) {
    p.add('(file)', '(file)', 'file is missing');
    return undefined;
  }
  try {
    return parse(readFileSync(file, 'utf8'));
  } catch (err) {
    p.add('(file)', '(file)', err instanceof Error ? err.message.split('\n')[0]! : 'unreadable');
    return undefined;
  }
}

/** The file name as load-content.ts prints it: relative to the parent of the content root. */
function displayName(root: string, rel: string): string {
  const file = join(root, rel);
  return relative(join(root, '..'), file) || file;
}

/** 0 = Sunday … 6 = Saturday, for a "YYYY-MM-DD" date. */
function weekdayOf(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

function yearName(item: unknown, index: number): string {
  const y = item && typeof item === 'object' ? (item as Record<string, unknown>).year : undefined;
  return typeof y === 'number' || typeof y === 'string' ? `"${y}" (#${index + 1})` : `#${index + 1}`;
}

function dayName(year: string, item: unknown, index: number): string {
  const d = item && typeof item === 'object' ? (item as Record<string, unknown>).date : undefined;
  return `${year} day ${typeof d === 'string' ? `"${d}" ` : ''}(#${index + 1})`;
}

/**
 * Validates the parsed holidays file and indexes it. `file` names it in problems.
 * Besides the schema it checks what a typo would break: a date outside its year, a date twice,
 * a make-up working day that is not a weekend day, a swapped day off that is not a weekday, and
 * swaps that do not pair up (each hoán đổi moves one weekday off to one weekend day worked).
 * @example parseCalendar([{ year: 2026, source: { ref: '…' }, days: [...] }]).years // [2026]
 */
export function parseCalendar(data: unknown, file = 'calendar/holidays.yaml'): WorkingCalendar {
  const p = new Problems(file);
  if (!Array.isArray(data)) {
    p.add('(file)', '(file)', 'expected a list of years');
    p.throwIfAny();
  }
  const list = data as unknown[];
  const parsedYears: { entry: CalendarYear; index: number }[] = [];
  list.forEach((item, i) => {
    const parsed = calendarYear.safeParse(item);
    if (parsed.success) {
      parsedYears.push({ entry: parsed.data, index: i });
      return;
    }
    const yName = yearName(item, i);
    p.zod(parsed.error, (path) => {
      const [top, idx, ...rest] = path;
      const days = item && typeof item === 'object' ? (item as Record<string, unknown>).days : undefined;
      if (top === 'days' && typeof idx === 'number' && Array.isArray(days))
        return [dayName(yName, days[idx], idx), rest];
      return [yName, path];
    });
  });

  const seenYears = new Set<number>();
  const days = new Map<string, CalendarDay>();
  for (const { entry: y, index } of parsedYears) {
    const yName = `"${y.year}" (#${index + 1})`;
    if (seenYears.has(y.year)) p.add(yName, 'year', `duplicate year ${y.year}`);
    seenYears.add(y.year);
    let swapped = 0;
    let madeUp = 0;
    y.days.forEach((d, j) => {
      const entry = dayName(yName, d, j);
      if (!d.date.startsWith(`${y.year}-`)) p.add(entry, 'date', `date is not in ${y.year}`);
      if (days.has(d.date)) p.add(entry, 'date', `duplicate date ${d.date}`);
      days.set(d.date, d);
      const wd = weekdayOf(d.date);
      const weekend = wd === 0 || wd === 6;
      if (d.kind === 'make-up-working-day') {
        madeUp++;
        if (!weekend) p.add(entry, 'kind', 'a make-up working day must be a Saturday or Sunday');
      }
      if (d.kind === 'swapped-day-off') {
        swapped++;
        if (weekend) p.add(entry, 'kind', 'a swapped day off must be a weekday (Monday to Friday)');
      }
    });
    if (swapped !== madeUp)
      p.add(yName, 'days', `swaps do not pair up: ${swapped} swapped day(s) off but ${madeUp} make-up working day(s)`);
  }
  p.throwIfAny();
  return {
    years: [...seenYears].sort((a, b) => a - b),
    days,
    entries: parsedYears.map((y) => y.entry),
  };
}

/**
 * Validates the parsed deadline rules: the schema, then that every kind × subject has exactly one
 * rule, and fills each rule from `defaults`.
 */
export function parseDeadlineRules(data: unknown, file = 'calendar/deadline-rules.yaml'): DeadlineRules {
  const p = new Problems(file);
  const top = deadlineRulesFile.safeParse(data);
  if (!top.success) {
    p.zod(top.error, (path) => ['(file)', path]);
    p.throwIfAny();
  }
  const { receipt_cutoff, defaults, rules: rawRules } = top.data!;
  const rules: DeadlineRule[] = [];
  const seen = new Set<string>();
  rawRules.forEach((item, i) => {
    const rec = item && typeof item === 'object' ? (item as Record<string, unknown>) : {};
    const label =
      typeof rec.kind === 'string' && typeof rec.subject === 'string' ? `"${rec.kind}/${rec.subject}" ` : '';
    const entry = `rules ${label}(#${i + 1})`;
    const parsed = deadlineRuleEntry.safeParse(item);
    if (!parsed.success) {
      p.zod(parsed.error, (path) => [entry, path]);
      return;
    }
    const r = parsed.data;
    const key = `${r.kind}/${r.subject}`;
    if (seen.has(key)) p.add(entry, 'kind', `duplicate rule for ${key}`);
    seen.add(key);
    rules.push({
      kind: r.kind,
      subject: r.subject,
      name: r.name,
      classify_working_days: r.classify_working_days ?? defaults.classify_working_days,
      answer_working_days: r.answer_working_days ?? defaults.answer_working_days,
      extension: r.extension ?? defaults.extension,
      reexamination_calendar_days: r.reexamination_calendar_days ?? defaults.reexamination_calendar_days,
      legal_basis: r.legal_basis ?? defaults.legal_basis,
      source: r.source ?? defaults.source,
    });
  });
  for (const kind of feedbackKinds)
    for (const subject of feedbackSubjects)
      if (!seen.has(`${kind}/${subject}`)) p.add('rules', 'kind', `missing a rule for ${kind}/${subject}`);
  p.throwIfAny();
  return { receipt_cutoff, rules };
}

/**
 * Loads `content/calendar/holidays.yaml` (or the same file under another root, as tests do).
 * @example
 *   const calendar = loadCalendar('content'); // throws ContentError naming file, entry and field
 */
export function loadCalendar(root: string): WorkingCalendar {
  const rel = join('calendar', 'holidays.yaml');
  const p = new Problems(displayName(root, rel));
  const data = readYaml(root, rel, p);
  p.throwIfAny();
  return parseCalendar(data, p.file);
}

/**
 * Loads `content/calendar/deadline-rules.yaml`.
 * @example
 *   const rules = loadDeadlineRules('content');
 *   findDeadlineRule(rules, 'kien-nghi', 'quy-dinh').classify_working_days // 3
 */
export function loadDeadlineRules(root: string): DeadlineRules {
  const rel = join('calendar', 'deadline-rules.yaml');
  const p = new Problems(displayName(root, rel));
  const data = readYaml(root, rel, p);
  p.throwIfAny();
  return parseDeadlineRules(data, p.file);
}
