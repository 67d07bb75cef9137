/**
 * Working-day arithmetic for feedback deadlines (docs/domain.md §7, issue #4).
 *
 * Times are stored as UTC instants and bucketed into days in Asia/Ho_Chi_Minh, which is UTC+7 all
 * year (Việt Nam has no daylight saving time), so a fixed offset is exact and needs no time-zone
 * database (docs/architecture.md §7 "Vietnamese text").
 *
 * The counting rule (the same one the portal shows to citizens):
 * 1. A receipt counts as received on its local day if that day is a working day and the local time
 *    is before the receipt cut-off (17:00 by default, the end of office hours; editable in
 *    content/calendar/deadline-rules.yaml). A receipt at or after the cut-off, or on a weekend or
 *    day off, counts as received on the next working day. (Like the one-stop rule that a dossier
 *    received after hours counts from the next working day.)
 * 2. The day of receipt is not counted (Bộ luật Dân sự 2015 Điều 147: a period in days starts the
 *    day after the event), so day 1 is the first working day after the (deemed) day of receipt.
 * 3. The deadline is the END of the n-th working day: 23:59:59.999 in Việt Nam, returned as a UTC
 *    `Date`. n = 0 means "within the day of receipt".
 * Working days are Monday to Friday minus holidays and swapped days off, plus make-up working days
 * (a Saturday worked to pay for a swapped weekday). Outside the years the calendar covers, only
 * weekends are excluded and the result says `calendarCovered: false` so the UI can warn.
 */
import type { WorkingCalendar } from '../contracts/calendar.ts';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** Asia/Ho_Chi_Minh is UTC+7 with no DST. */
const VN_OFFSET_MS = 7 * 60 * MINUTE_MS;
/** Default receipt cut-off, local time (content/calendar/deadline-rules.yaml `receipt_cutoff`). */
export const DEFAULT_RECEIPT_CUTOFF = '17:00';
/** A bound on day-by-day walks: 50 years of days. No statutory period comes near it. */
const MAX_DAYS = 366 * 50;

/** Days since 1970-01-01 in Việt Nam local time. */
type DayNumber = number;

function checkInstant(d: Date, what: string): number {
  const t = d instanceof Date ? d.getTime() : Number.NaN;
  if (!Number.isFinite(t)) throw new RangeError(`${what} is not a valid date`);
  return t;
}

function dayOfInstant(t: number): DayNumber {
  return Math.floor((t + VN_OFFSET_MS) / DAY_MS);
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
function dayOfIsoDate(s: string): DayNumber {
  const m = ISO_DATE.exec(s);
  if (!m) throw new RangeError(`"${s}" is not a date YYYY-MM-DD`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (isoOfDay(ms / DAY_MS) !== s) throw new RangeError(`"${s}" is not a calendar date`);
  return ms / DAY_MS;
}

function isoOfDay(day: DayNumber): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

function toDay(date: Date | string): DayNumber {
  return typeof date === 'string' ? dayOfIsoDate(date) : dayOfInstant(checkInstant(date, 'date'));
}

function yearOfDay(day: DayNumber): number {
  return new Date(day * DAY_MS).getUTCFullYear();
}

function dayIsWorking(day: DayNumber, calendar: WorkingCalendar): boolean {
  const entry = calendar.days.get(isoOfDay(day));
  if (entry) return entry.kind === 'make-up-working-day';
  const weekday = (day + 4) % 7; // 1970-01-01 was a Thursday; 0 = Sunday
  return weekday !== 0 && weekday !== 6;
}

function covers(calendar: WorkingCalendar, day: DayNumber): boolean {
  return calendar.years.includes(yearOfDay(day));
}

function nextWorkingDay(day: DayNumber, calendar: WorkingCalendar): DayNumber {
  for (let d = day + 1, i = 0; i < MAX_DAYS; d++, i++) if (dayIsWorking(d, calendar)) return d;
  throw new RangeError('no working day found');
}

function parseCutoff(hhmm: string): number {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  if (!m) throw new RangeError(`receipt cut-off "${hhmm}" is not HH:MM`);
  return (Number(m[1]) * 60 + Number(m[2])) * MINUTE_MS;
}

/** The local date (Asia/Ho_Chi_Minh) of an instant, "YYYY-MM-DD".
 * @example vnDate(new Date('2026-03-01T17:30:00Z')) === '2026-03-02' // already Monday 00:30 */
export function vnDate(instant: Date): string {
  return isoOfDay(dayOfInstant(checkInstant(instant, 'instant')));
}

/** The last millisecond of a local day, 23:59:59.999 in Việt Nam, as a UTC instant.
 * @example endOfVnDay('2026-02-24').toISOString() === '2026-02-24T16:59:59.999Z' */
export function endOfVnDay(date: Date | string): Date {
  return new Date((toDay(date) + 1) * DAY_MS - VN_OFFSET_MS - 1);
}

/** True when the calendar lists the official days off of the year of this local date. */
export function isCalendarCovered(date: Date | string, calendar: WorkingCalendar): boolean {
  return covers(calendar, toDay(date));
}

/**
 * Whether a local date is a working day: Monday to Friday and not a holiday or swapped day off,
 * or a weekend day the government made a make-up working day. A `Date` is read in Việt Nam time.
 * Outside the covered years only weekends are excluded (see `isCalendarCovered`).
 * @example isWorkingDay('2026-02-17', calendar) === false // mùng 1 Tết Bính Ngọ
 * @example isWorkingDay('2026-01-10', calendar) === true  // Saturday worked for 2 January
 */
export function isWorkingDay(date: Date | string, calendar: WorkingCalendar): boolean {
  return dayIsWorking(toDay(date), calendar);
}

export interface DeadlineOptions {
  /** "HH:MM" local time; receipts at or after it count from the next working day. */
  receiptCutoff?: string;
}

export interface Deadline {
  /** End of the n-th working day (23:59:59.999 Asia/Ho_Chi_Minh) as a UTC instant. */
  deadline: Date;
  /** The local day the receipt counts as received on (rule 1). */
  receivedOn: string;
  /** The first counted working day, or null when n = 0. */
  firstDay: string | null;
  /** The n-th working day, the local date of `deadline`. */
  lastDay: string;
  /** False when any day from the receipt to the deadline lies in a year the calendar does not
   * cover; the days off of that year were then not known and only weekends were skipped. */
  calendarCovered: boolean;
}

/**
 * The deadline n working days after a receipt (see the counting rule at the top of this file).
 * @example
 *   // Received Thursday 12/2/2026 10:00 in Việt Nam; Tết runs 14–22/2; 3 working days:
 *   addWorkingDays(new Date('2026-02-12T03:00:00Z'), 3, calendar).deadline
 *   // → 2026-02-24T16:59:59.999Z (Tuesday 24/2, 23:59:59.999 in Việt Nam)
 */
export function addWorkingDays(
  start: Date,
  n: number,
  calendar: WorkingCalendar,
  options: DeadlineOptions = {},
): Deadline {
  const t = checkInstant(start, 'start');
  if (!Number.isInteger(n) || n < 0 || n > MAX_DAYS) throw new RangeError(`working days must be a whole number ≥ 0`);
  const cutoff = parseCutoff(options.receiptCutoff ?? DEFAULT_RECEIPT_CUTOFF);
  const receiptDay = dayOfInstant(t);
  const localTime = t + VN_OFFSET_MS - receiptDay * DAY_MS;
  const deemed =
    dayIsWorking(receiptDay, calendar) && localTime < cutoff ? receiptDay : nextWorkingDay(receiptDay, calendar);
  let day = deemed;
  let first: DayNumber | null = null;
  for (let i = 0; i < n; i++) {
    day = nextWorkingDay(day, calendar);
    first ??= day;
  }
  let covered = true;
  for (let d = receiptDay; d <= day; d++)
    if (!covers(calendar, d)) {
      covered = false;
      break;
    }
  return {
    deadline: new Date((day + 1) * DAY_MS - VN_OFFSET_MS - 1),
    receivedOn: isoOfDay(deemed),
    firstDay: first === null ? null : isoOfDay(first),
    lastDay: isoOfDay(day),
    calendarCovered: covered,
  };
}

export interface WorkingDayCount {
  /** Working days after a's local day up to and including b's local day; negative when b is
   * before a, so swapping the arguments flips the sign. */
  days: number;
  calendarCovered: boolean;
}

/**
 * Working days between two instants, counted on local (Việt Nam) days: those after the day of `a`
 * up to and including the day of `b`. Use it for "days taken" (received → answered) and for
 * "working days overdue" (deadline → now). It ignores the receipt cut-off, so for a receipt made on
 * a working day before the cut-off, `workingDaysBetween(receipt, addWorkingDays(receipt, n).deadline)`
 * is n; for a receipt counted from the next working day it is n + 1.
 * @example workingDaysBetween(friday, nextMonday, calendar).days === 1
 */
export function workingDaysBetween(a: Date, b: Date, calendar: WorkingCalendar): WorkingDayCount {
  const da = dayOfInstant(checkInstant(a, 'a'));
  const db = dayOfInstant(checkInstant(b, 'b'));
  const [lo, hi, sign] = da <= db ? [da, db, 1] : [db, da, -1];
  if (hi - lo > MAX_DAYS) throw new RangeError('dates are too far apart');
  let days = 0;
  let covered = covers(calendar, lo);
  for (let d = lo + 1; d <= hi; d++) {
    if (dayIsWorking(d, calendar)) days++;
    if (covered && !covers(calendar, d)) covered = false;
  }
  return { days: sign * days, calendarCovered: covered };
}

/**
 * Working days TAKEN from a receipt to a later instant, counted by the rule that computes deadlines
 * (`addWorkingDays`, same cut-off): the smallest n for which `end` is within
 * `addWorkingDays(start, n, calendar, options).deadline`. A receipt after the cut-off or on a day off
 * therefore starts counting on the next working day, as its deadline does, and an answer given on a
 * day off counts as given on the next working day. So `taken ≤ n` exactly when `end` is on time for
 * an n-working-day period from `start` (issue #7 §2: "days taken" and "on time" never disagree).
 * @example
 *   // Received Friday 17:30 (deemed Monday), answered the next Tuesday: 1 day, as its deadline counts.
 *   workingDaysTaken(vn('2026-03-06 17:30'), vn('2026-03-10 09:00'), calendar) === 1
 */
export function workingDaysTaken(
  start: Date,
  end: Date,
  calendar: WorkingCalendar,
  options: DeadlineOptions = {},
): WorkingDayCount {
  const t = checkInstant(start, 'start');
  const e = checkInstant(end, 'end');
  const cutoff = parseCutoff(options.receiptCutoff ?? DEFAULT_RECEIPT_CUTOFF);
  const receiptDay = dayOfInstant(t);
  const localTime = t + VN_OFFSET_MS - receiptDay * DAY_MS;
  const deemed =
    dayIsWorking(receiptDay, calendar) && localTime < cutoff ? receiptDay : nextWorkingDay(receiptDay, calendar);
  const endDay = dayOfInstant(e);
  if (endDay - receiptDay > MAX_DAYS) throw new RangeError('dates are too far apart');
  let covered = covers(calendar, receiptDay);
  let days = 0;
  for (let d = receiptDay + 1; d <= endDay; d++) if (covered && !covers(calendar, d)) covered = false;
  // Working days after the deemed day of receipt up to the day of `end`; an end on a day off falls
  // within the next working day's deadline, so that day counts too.
  for (let d = deemed + 1; d <= endDay; d++) if (dayIsWorking(d, calendar)) days++;
  if (endDay > deemed && !dayIsWorking(endDay, calendar)) days++;
  return { days, calendarCovered: covered };
}

/**
 * True once `now` is past the deadline. The deadline instant itself (the last millisecond of the
 * last working day) is still on time.
 */
export function isOverdue(deadline: Date, now: Date): boolean {
  return checkInstant(now, 'now') > checkInstant(deadline, 'deadline');
}

/**
 * The end of the local day n CALENDAR days after an instant, for windows counted in calendar days
 * such as the re-examination window (`reexamination_calendar_days`). The day of the event is not
 * counted, as for working days.
 * @example addCalendarDays(new Date('2026-03-02T03:00:00Z'), 15).toISOString() === '2026-03-17T16:59:59.999Z'
 */
export function addCalendarDays(start: Date, n: number): Date {
  if (!Number.isInteger(n) || n < 0 || n > MAX_DAYS) throw new RangeError(`calendar days must be a whole number ≥ 0`);
  const day = dayOfInstant(checkInstant(start, 'start')) + n;
  return new Date((day + 1) * DAY_MS - VN_OFFSET_MS - 1);
}
