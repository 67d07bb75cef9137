/**
 * Working-day deadlines against the real content/calendar files (the days off of 2024–2026 were
 * checked against the government's notices; see the sources in holidays.yaml) and against broken
 * copies of them. Every expected deadline below was counted by hand on a calendar; the comments
 * show the count.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  feedbackKinds,
  feedbackSubjects,
  findDeadlineRule,
  loadCalendar,
  loadDeadlineRules,
  parseCalendar,
  type CalendarYear,
} from '../contracts/calendar.ts';
import { ContentError, type ContentProblem } from '../contracts/load-content.ts';
import {
  addCalendarDays,
  addWorkingDays,
  endOfVnDay,
  isCalendarCovered,
  isOverdue,
  isWorkingDay,
  vnDate,
  workingDaysBetween,
  workingDaysTaken,
} from './calendar.ts';

const CONTENT = join(import.meta.dirname, '..', '..', 'content');
const calendar = loadCalendar(CONTENT);

/** A local time in Việt Nam (UTC+7) as a Date: vn('2026-02-12 10:00'). */
function vn(local: string): Date {
  const [date, time = '00:00'] = local.split(' ');
  return new Date(`${date}T${time.length === 5 ? `${time}:00` : time}+07:00`);
}
const iso = (d: Date): string => d.toISOString();

describe('the real calendar files', () => {
  it('cover 2024 to 2027, with 2027 marked as sample data', () => {
    expect(calendar.years).toEqual([2024, 2025, 2026, 2027]);
    const y2027 = calendar.entries.find((y) => y.year === 2027)!;
    expect(y2027.source.sample).toBe(true);
    for (const y of [2024, 2025, 2026]) expect(calendar.entries.find((e) => e.year === y)!.source.sample).toBe(false);
  });

  it.each([
    ['2024-02-08', false, 'Tết Giáp Thìn, 29 Chạp'],
    ['2024-02-14', false, 'Tết Giáp Thìn, mùng 5'],
    ['2024-02-15', true, 'first day back after Tết 2024'],
    ['2024-04-29', false, 'swapped day off for 30/4 2024'],
    ['2024-05-04', true, 'Saturday worked for 29/4 2024'],
    ['2024-09-03', false, 'Quốc khánh 2024, adjacent day'],
    ['2025-01-27', false, 'Tết Ất Tỵ'],
    ['2025-01-31', false, 'Tết Ất Tỵ, mùng 3'],
    ['2025-02-03', true, 'first day back after Tết 2025'],
    ['2025-04-07', false, 'Giỗ Tổ 2025'],
    ['2025-04-26', true, 'Saturday worked for 2/5 2025'],
    ['2025-05-02', false, 'swapped day off 2025'],
    ['2025-09-01', false, 'Quốc khánh 2025, adjacent day'],
    ['2026-01-01', false, 'Tết Dương lịch 2026'],
    ['2026-01-02', false, 'swapped day off, Friday'],
    ['2026-01-10', true, 'Saturday worked for 2/1'],
    ['2026-01-17', false, 'an ordinary Saturday'],
    ['2026-02-13', true, 'Friday before Tết 2026'],
    ['2026-02-16', false, 'Tết Bính Ngọ, 29 Chạp'],
    ['2026-02-17', false, 'Tết Bính Ngọ, mùng 1'],
    ['2026-02-20', false, 'Tết Bính Ngọ, mùng 4'],
    ['2026-02-23', true, 'first day back after Tết 2026'],
    ['2026-04-26', false, 'Giỗ Tổ 2026, a Sunday'],
    ['2026-04-27', false, 'day off in lieu of Giỗ Tổ 2026'],
    ['2026-04-28', true, 'Tuesday between the two April breaks'],
    ['2026-04-30', false, 'Reunification Day 2026'],
    ['2026-05-01', false, "Workers' Day 2026"],
    ['2026-08-22', true, 'Saturday worked for 31/8 2026'],
    ['2026-08-31', false, 'swapped day off before Quốc khánh 2026'],
    ['2026-09-01', false, 'Quốc khánh 2026, adjacent day'],
    ['2026-09-02', false, 'Quốc khánh 2026'],
    ['2026-09-03', true, 'Thursday after Quốc khánh 2026'],
  ])('%s is a working day: %s (%s)', (date, working) => {
    expect(isWorkingDay(date, calendar)).toBe(working);
  });

  it('has a deadline rule for every kind and subject, with the defaults filled in', () => {
    const rules = loadDeadlineRules(CONTENT);
    expect(rules.receipt_cutoff).toBe('17:00');
    expect(rules.rules).toHaveLength(feedbackKinds.length * feedbackSubjects.length);
    for (const kind of feedbackKinds)
      for (const subject of feedbackSubjects) {
        const r = findDeadlineRule(rules, kind, subject);
        expect(r.classify_working_days).toBe(3);
        expect(r.answer_working_days).toBe(10);
        expect(r.extension).toEqual({ max_count: 1, max_working_days: 10 });
        expect(r.reexamination_calendar_days).toBe(15);
        expect(r.legal_basis[0]!.vi).toContain('20/2008/NĐ-CP');
        // docs/domain.md §7: statutory periods are to be verified, so they stay marked as sample.
        expect(r.source.sample).toBe(true);
      }
  });
});

describe('vnDate and endOfVnDay (Asia/Ho_Chi_Minh is UTC+7, no DST)', () => {
  it('puts 2026-03-01T17:30Z on Monday 2 March, not on the UTC Sunday', () => {
    const t = new Date('2026-03-01T17:30:00Z');
    expect(t.getUTCDay()).toBe(0); // Sunday in UTC
    expect(vnDate(t)).toBe('2026-03-02'); // Monday 00:30 in Việt Nam
    expect(isWorkingDay(t, calendar)).toBe(true);
    expect(vnDate(new Date('2026-03-01T16:59:59.999Z'))).toBe('2026-03-01');
  });

  it('ends a local day at 16:59:59.999 UTC', () => {
    expect(iso(endOfVnDay('2026-02-24'))).toBe('2026-02-24T16:59:59.999Z');
    expect(iso(endOfVnDay(new Date('2026-03-01T17:30:00Z')))).toBe('2026-03-02T16:59:59.999Z');
  });

  it('refuses invalid dates', () => {
    expect(() => isWorkingDay('2026-02-30', calendar)).toThrow(RangeError);
    expect(() => isWorkingDay('26/2/2026', calendar)).toThrow(RangeError);
    expect(() => vnDate(new Date('nope'))).toThrow(RangeError);
  });
});

describe('addWorkingDays', () => {
  it('spans Tết 2026: received Thu 12/2 10:00, 3 working days → end of Tue 24/2', () => {
    // Day 1 Fri 13/2; 14–22/2 off (weekends and Tết 16–20/2); day 2 Mon 23/2; day 3 Tue 24/2.
    const r = addWorkingDays(vn('2026-02-12 10:00'), 3, calendar);
    expect(r).toEqual({
      deadline: new Date('2026-02-24T16:59:59.999Z'),
      receivedOn: '2026-02-12',
      firstDay: '2026-02-13',
      lastDay: '2026-02-24',
      calendarCovered: true,
    });
  });

  it('spans Tết 2026 for a 10-day answer: classified Wed 11/2 → end of Wed 4/3', () => {
    // 12/2, 13/2, 23/2, 24/2, 25/2, 26/2, 27/2, 2/3, 3/3, 4/3.
    expect(iso(addWorkingDays(vn('2026-02-11 09:00'), 10, calendar).deadline)).toBe('2026-03-04T16:59:59.999Z');
  });

  it('spans Tết 2025: received Fri 24/1 08:00, 3 working days → end of Wed 5/2', () => {
    // 27–31/1 Tết, 25–26/1 and 1–2/2 weekends: day 1 Mon 3/2, day 3 Wed 5/2.
    expect(iso(addWorkingDays(vn('2025-01-24 08:00'), 3, calendar).deadline)).toBe('2025-02-05T16:59:59.999Z');
  });

  it('spans 30/4–1/5 2026: received Tue 28/4 09:00, 3 working days → end of Tue 5/5', () => {
    // Day 1 Wed 29/4; Thu 30/4, Fri 1/5 holidays; weekend; day 2 Mon 4/5; day 3 Tue 5/5.
    expect(iso(addWorkingDays(vn('2026-04-28 09:00'), 3, calendar).deadline)).toBe('2026-05-05T16:59:59.999Z');
  });

  it('counts the make-up Saturday before 30/4 2025: received Fri 25/4, 4 working days → end of Mon 5/5', () => {
    // Day 1 Sat 26/4 (worked for 2/5); Mon 28/4; Tue 29/4; 30/4–4/5 off; day 4 Mon 5/5.
    const r = addWorkingDays(vn('2025-04-25 10:00'), 4, calendar);
    expect(r.firstDay).toBe('2025-04-26');
    expect(iso(r.deadline)).toBe('2025-05-05T16:59:59.999Z');
  });

  it('can end on a make-up Saturday: Fri 9/1/2026 16:59, 1 working day → end of Sat 10/1', () => {
    const r = addWorkingDays(vn('2026-01-09 16:59'), 1, calendar);
    expect(r.receivedOn).toBe('2026-01-09');
    expect(iso(r.deadline)).toBe('2026-01-10T16:59:59.999Z');
  });

  it('counts a receipt after 17:00 on Fri 9/1/2026 as received on the make-up Saturday', () => {
    const r = addWorkingDays(vn('2026-01-09 17:01'), 1, calendar);
    expect(r.receivedOn).toBe('2026-01-10');
    expect(iso(r.deadline)).toBe('2026-01-12T16:59:59.999Z');
  });

  it('skips the swapped Friday 2/1/2026: received Wed 31/12/2025, 6 working days → end of Sat 10/1', () => {
    // 1/1 holiday, 2/1 swapped off, weekend; 5, 6, 7, 8, 9/1; day 6 is Sat 10/1 (make-up day).
    expect(iso(addWorkingDays(vn('2025-12-31 10:00'), 6, calendar).deadline)).toBe('2026-01-10T16:59:59.999Z');
  });

  describe('receipt on a Friday, 16:59 vs 17:01 (Fri 6/3/2026, 3 working days)', () => {
    it('16:59 counts as Friday: day 1 Mon 9/3 → end of Wed 11/3', () => {
      const r = addWorkingDays(vn('2026-03-06 16:59'), 3, calendar);
      expect(r.receivedOn).toBe('2026-03-06');
      expect(r.firstDay).toBe('2026-03-09');
      expect(iso(r.deadline)).toBe('2026-03-11T16:59:59.999Z');
    });
    it('17:01 counts as Monday: day 1 Tue 10/3 → end of Thu 12/3', () => {
      const r = addWorkingDays(vn('2026-03-06 17:01'), 3, calendar);
      expect(r.receivedOn).toBe('2026-03-09');
      expect(r.firstDay).toBe('2026-03-10');
      expect(iso(r.deadline)).toBe('2026-03-12T16:59:59.999Z');
    });
    it('17:00:00 exactly is already after hours', () => {
      expect(addWorkingDays(vn('2026-03-06 17:00'), 3, calendar).receivedOn).toBe('2026-03-09');
      expect(addWorkingDays(vn('2026-03-06 16:59:59.999'), 3, calendar).receivedOn).toBe('2026-03-06');
    });
    it('takes another cut-off from the rules file', () => {
      expect(addWorkingDays(vn('2026-03-06 16:00'), 3, calendar, { receiptCutoff: '15:30' }).receivedOn).toBe(
        '2026-03-09',
      );
      expect(() => addWorkingDays(vn('2026-03-06 16:00'), 3, calendar, { receiptCutoff: '5pm' })).toThrow(RangeError);
    });
  });

  it('counts a receipt on a Sunday from Monday: Sun 8/3/2026 → day 1 Tue 10/3 → end of Thu 12/3', () => {
    const r = addWorkingDays(vn('2026-03-08 10:00'), 3, calendar);
    expect(r.receivedOn).toBe('2026-03-09');
    expect(iso(r.deadline)).toBe('2026-03-12T16:59:59.999Z');
  });

  it('counts a receipt during Tết from the first day back: mùng 1 2026 → received Mon 23/2', () => {
    const r = addWorkingDays(vn('2026-02-17 09:00'), 1, calendar);
    expect(r.receivedOn).toBe('2026-02-23');
    expect(iso(r.deadline)).toBe('2026-02-24T16:59:59.999Z');
  });

  it('reads the receipt time in Việt Nam, not UTC', () => {
    // 2026-03-01T17:30Z is Monday 00:30 in Việt Nam: received Monday, day 1 Tuesday 3/3.
    const monday = addWorkingDays(new Date('2026-03-01T17:30:00Z'), 1, calendar);
    expect(monday.receivedOn).toBe('2026-03-02');
    expect(iso(monday.deadline)).toBe('2026-03-03T16:59:59.999Z');
    // 2026-03-05T16:30Z is Thursday 23:30 in Việt Nam (after hours; in UTC it would be 16:30, before
    // the cut-off): received Friday 6/3, day 1 Monday 9/3.
    const late = addWorkingDays(new Date('2026-03-05T16:30:00Z'), 1, calendar);
    expect(late.receivedOn).toBe('2026-03-06');
    expect(iso(late.deadline)).toBe('2026-03-09T16:59:59.999Z');
  });

  it('n = 0 means the end of the day of receipt', () => {
    const r = addWorkingDays(vn('2026-03-06 10:00'), 0, calendar);
    expect(r.firstDay).toBeNull();
    expect(iso(r.deadline)).toBe('2026-03-06T16:59:59.999Z');
  });

  it('refuses a negative or fractional number of days and an invalid start', () => {
    expect(() => addWorkingDays(vn('2026-03-06 10:00'), -1, calendar)).toThrow(RangeError);
    expect(() => addWorkingDays(vn('2026-03-06 10:00'), 1.5, calendar)).toThrow(RangeError);
    expect(() => addWorkingDays(new Date(Number.NaN), 1, calendar)).toThrow(RangeError);
  });
});

describe('outside the covered years', () => {
  it('falls back to weekends only and says so', () => {
    // 1/1/2030 is a Tuesday and New Year's Day, but 2030 is not in the file.
    expect(isCalendarCovered('2030-01-01', calendar)).toBe(false);
    expect(isWorkingDay('2030-01-01', calendar)).toBe(true);
    expect(isWorkingDay('2030-01-05', calendar)).toBe(false); // Saturday
    const r = addWorkingDays(vn('2030-01-01 09:00'), 3, calendar);
    expect(r.calendarCovered).toBe(false);
    expect(iso(r.deadline)).toBe('2030-01-04T16:59:59.999Z');
  });

  it('reports a span that runs out of the covered years as uncovered', () => {
    // Thu 30/12/2027 → Fri 31/12, Mon 3/1/2028, Tue 4/1/2028.
    const r = addWorkingDays(vn('2027-12-30 09:00'), 3, calendar);
    expect(r.calendarCovered).toBe(false);
    expect(iso(r.deadline)).toBe('2028-01-04T16:59:59.999Z');
    expect(addWorkingDays(vn('2027-12-28 09:00'), 2, calendar).calendarCovered).toBe(true);
    expect(workingDaysBetween(vn('2023-12-29 09:00'), vn('2024-01-02 09:00'), calendar)).toEqual({
      days: 1, // 1/1/2024 is a holiday: only Tue 2/1 counts
      calendarCovered: false,
    });
  });
});

describe('workingDaysBetween', () => {
  const between = (a: string, b: string): number => workingDaysBetween(vn(a), vn(b), calendar).days;

  it('is 0 on the same day, whatever the hours', () => {
    expect(between('2026-03-09 08:00', '2026-03-09 16:00')).toBe(0);
    expect(between('2026-03-09 16:00', '2026-03-09 08:00')).toBe(0);
  });

  it.each([
    ['2026-03-09 10:00', '2026-03-13 15:00', 4, 'Mon → Fri'],
    ['2026-03-06 10:00', '2026-03-09 10:00', 1, 'Fri → Mon'],
    ['2026-02-13 10:00', '2026-02-23 10:00', 1, 'across Tết 2026'],
    ['2026-02-12 10:00', '2026-03-04 10:00', 9, 'Thu before Tết → 4/3'],
    ['2025-12-31 10:00', '2026-01-05 10:00', 1, 'across 1/1 and the swapped 2/1/2026'],
    ['2026-01-09 10:00', '2026-01-12 10:00', 2, 'across the make-up Saturday 10/1'],
    ['2026-04-24 10:00', '2026-05-04 10:00', 3, 'across Giỗ Tổ and 30/4–1/5 2026: 28/4, 29/4, 4/5'],
  ])('%s → %s is %i working days (%s), and minus that the other way round', (a, b, n) => {
    expect(between(a, b)).toBe(n);
    expect(between(b, a)).toBe(-n);
  });

  it('counts working days overdue from a deadline', () => {
    const deadline = addWorkingDays(vn('2026-02-12 10:00'), 3, calendar).deadline; // end of Tue 24/2
    expect(workingDaysBetween(deadline, vn('2026-02-24 23:00'), calendar).days).toBe(0);
    expect(workingDaysBetween(deadline, vn('2026-02-27 09:00'), calendar).days).toBe(3);
  });

  it('is antisymmetric for any two instants (property)', () => {
    const instant = fc.date({
      min: new Date('2023-06-01T00:00:00Z'),
      max: new Date('2028-06-01T00:00:00Z'),
      noInvalidDate: true,
    });
    fc.assert(
      fc.property(instant, instant, (a, b) => {
        const ab = workingDaysBetween(a, b, calendar);
        const ba = workingDaysBetween(b, a, calendar);
        return ab.days === -ba.days && ab.calendarCovered === ba.calendarCovered;
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with addWorkingDays (property): n days, plus 1 when the receipt counts from the next working day', () => {
    const instant = fc.date({
      min: new Date('2024-01-01T00:00:00Z'),
      max: new Date('2027-11-30T00:00:00Z'),
      noInvalidDate: true,
    });
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: 40 }), (receipt, n) => {
        const r = addWorkingDays(receipt, n, calendar);
        const shifted = r.receivedOn !== vnDate(receipt) ? 1 : 0;
        const count = workingDaysBetween(receipt, r.deadline, calendar).days;
        return count === n + shifted && isWorkingDay(r.lastDay, calendar) && vnDate(r.deadline) === r.lastDay;
      }),
      { numRuns: 500 },
    );
  });
});

describe('workingDaysTaken (issue #7 §2: the count of the deadline rule)', () => {
  const taken = (a: string, b: string): number => workingDaysTaken(vn(a), vn(b), calendar).days;

  it('starts a receipt after 17:00 on the next working day, as its deadline does', () => {
    // Thursday 5/3/2026 17:30 counts as received Friday 6/3; Monday 9/3 is day 1, Tuesday 10/3 day 2.
    expect(taken('2026-03-05 17:30', '2026-03-10 09:00')).toBe(2);
    expect(taken('2026-03-05 16:59', '2026-03-10 09:00')).toBe(3);
    // The old count gave the late receipt the Friday in full.
    expect(workingDaysBetween(vn('2026-03-05 17:30'), vn('2026-03-10 09:00'), calendar).days).toBe(3);
  });

  it('starts a receipt on a day off on the next working day (Saturday → Monday, Tết → 23/2)', () => {
    expect(taken('2026-03-07 09:00', '2026-03-10 09:00')).toBe(1);
    // Received on mùng 1 Tết (17/2/2026): counted from Monday 23/2; answered Wednesday 25/2 = day 2.
    expect(taken('2026-02-17 09:00', '2026-02-25 09:00')).toBe(2);
    expect(taken('2026-03-07 09:00', '2026-03-09 15:00')).toBe(0);
  });

  it('counts an answer given on a day off as given on the next working day', () => {
    // Received Monday 2/3 10:00; answered Saturday 7/3: within Monday 9/3's deadline (day 5), not Friday's.
    expect(taken('2026-03-02 10:00', '2026-03-07 10:00')).toBe(5);
    expect(taken('2026-03-02 10:00', '2026-03-06 23:00')).toBe(4);
  });

  it('is at most n exactly when the end is on time for n working days (property)', () => {
    const instant = fc.date({
      min: new Date('2024-01-01T00:00:00Z'),
      max: new Date('2027-10-30T00:00:00Z'),
      noInvalidDate: true,
    });
    fc.assert(
      fc.property(
        instant,
        fc.integer({ min: 0, max: 60 * 86_400_000 }),
        fc.integer({ min: 0, max: 30 }),
        (a, ms, n) => {
          const end = new Date(a.getTime() + ms);
          const onTime = end.getTime() <= addWorkingDays(a, n, calendar).deadline.getTime();
          return workingDaysTaken(a, end, calendar).days <= n === onTime;
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('isOverdue and addCalendarDays', () => {
  it('is on time up to and including the last millisecond of the deadline day', () => {
    const deadline = addWorkingDays(vn('2026-03-01 17:30'), 1, calendar).deadline;
    expect(isOverdue(deadline, deadline)).toBe(false);
    expect(isOverdue(deadline, new Date(deadline.getTime() - 1))).toBe(false);
    expect(isOverdue(deadline, new Date(deadline.getTime() + 1))).toBe(true);
  });

  it('gives the end of the re-examination window in calendar days', () => {
    // Answered Mon 2/3/2026 10:00; 15 calendar days → end of Tue 17/3.
    expect(iso(addCalendarDays(vn('2026-03-02 10:00'), 15))).toBe('2026-03-17T16:59:59.999Z');
    // Calendar days do not skip Tết: answered Fri 13/2/2026 → end of Sat 28/2.
    expect(iso(addCalendarDays(vn('2026-02-13 10:00'), 15))).toBe('2026-02-28T16:59:59.999Z');
    expect(() => addCalendarDays(vn('2026-02-13 10:00'), -1)).toThrow(RangeError);
  });
});

describe('broken calendar files are refused, naming file, entry and field', () => {
  let dir: string;
  let root: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gopy-calendar-'));
    root = join(dir, 'content');
    mkdirSync(join(root, 'calendar'), { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const day = (date: string, kind: string): Record<string, unknown> => ({
    date,
    kind,
    name: { vi: 'Ngày nghỉ', en: 'Day off' },
    source: { ref: 'test' },
  });
  const year = (y: number, days: Record<string, unknown>[]): Record<string, unknown> => ({
    year: y,
    source: { ref: 'test' },
    days,
  });

  function problemsOf(load: () => unknown): ContentProblem[] {
    try {
      load();
    } catch (err) {
      expect(err).toBeInstanceOf(ContentError);
      return (err as ContentError).problems;
    }
    throw new Error('expected a ContentError');
  }
  const holidays = (data: unknown): ContentProblem[] => {
    writeFileSync(join(root, 'calendar', 'holidays.yaml'), stringify(data));
    return problemsOf(() => loadCalendar(root));
  };
  const rules = (data: unknown): ContentProblem[] => {
    writeFileSync(join(root, 'calendar', 'deadline-rules.yaml'), stringify(data));
    return problemsOf(() => loadDeadlineRules(root));
  };

  it('a missing file', () => {
    expect(problemsOf(() => loadCalendar(root))).toEqual([
      { file: 'content/calendar/holidays.yaml', entry: '(file)', field: '(file)', message: 'file is missing' },
    ]);
    expect(problemsOf(() => loadDeadlineRules(root))[0]!.file).toBe('content/calendar/deadline-rules.yaml');
  });

  it('unparsable YAML', () => {
    writeFileSync(join(root, 'calendar', 'holidays.yaml'), 'years: [2026\n');
    const [p] = problemsOf(() => loadCalendar(root));
    expect(p).toMatchObject({ file: 'content/calendar/holidays.yaml', entry: '(file)' });
  });

  it('an unknown kind and a missing English name', () => {
    const bad = day('2026-01-05', 'nghi-le');
    const noEn = { ...day('2026-01-06', 'holiday'), name: { vi: 'Ngày nghỉ' } };
    const problems = holidays([year(2026, [bad, noEn])]);
    expect(problems).toContainEqual(
      expect.objectContaining({ entry: '"2026" (#1) day "2026-01-05" (#1)', field: 'kind' }),
    );
    expect(problems).toContainEqual(
      expect.objectContaining({ entry: '"2026" (#1) day "2026-01-06" (#2)', field: 'name.en' }),
    );
  });

  it('a misspelt field (strict schema)', () => {
    const typo = { ...day('2026-01-05', 'holiday'), knd: 'holiday' };
    expect(holidays([year(2026, [typo])])).toContainEqual(
      expect.objectContaining({ entry: '"2026" (#1) day "2026-01-05" (#1)', field: '(whole entry)' }),
    );
  });

  it('a date outside its year, a duplicate date and a duplicate year', () => {
    const problems = holidays([
      year(2026, [day('2025-12-31', 'holiday'), day('2026-01-01', 'holiday'), day('2026-01-01', 'holiday')]),
      year(2026, [day('2026-04-30', 'holiday')]),
    ]);
    expect(problems).toContainEqual(
      expect.objectContaining({
        entry: '"2026" (#1) day "2025-12-31" (#1)',
        field: 'date',
        message: 'date is not in 2026',
      }),
    );
    expect(problems).toContainEqual(
      expect.objectContaining({ entry: '"2026" (#1) day "2026-01-01" (#3)', message: 'duplicate date 2026-01-01' }),
    );
    expect(problems).toContainEqual(expect.objectContaining({ entry: '"2026" (#2)', field: 'year' }));
  });

  it('a make-up working day on a weekday, a swapped day off on a weekend, and unpaired swaps', () => {
    const problems = holidays([
      year(2026, [day('2026-01-07', 'make-up-working-day'), day('2026-01-03', 'swapped-day-off')]),
      year(2025, [day('2025-05-02', 'swapped-day-off')]),
    ]);
    expect(problems).toContainEqual(
      expect.objectContaining({
        entry: '"2026" (#1) day "2026-01-07" (#1)',
        field: 'kind',
        message: 'a make-up working day must be a Saturday or Sunday',
      }),
    );
    expect(problems).toContainEqual(
      expect.objectContaining({ entry: '"2026" (#1) day "2026-01-03" (#2)', field: 'kind' }),
    );
    expect(problems).toContainEqual(
      expect.objectContaining({
        entry: '"2025" (#2)',
        field: 'days',
        message: expect.stringContaining('do not pair up'),
      }),
    );
  });

  it('parseCalendar accepts a valid inline calendar (for tests and tools)', () => {
    const data: CalendarYear[] = [
      {
        year: 2026,
        source: { ref: 'test', sample: true },
        days: [
          {
            date: '2026-01-02',
            kind: 'swapped-day-off',
            name: { vi: 'a', en: 'a' },
            source: { ref: 't', sample: false },
          },
          {
            date: '2026-01-10',
            kind: 'make-up-working-day',
            name: { vi: 'b', en: 'b' },
            source: { ref: 't', sample: false },
          },
        ],
      },
    ];
    const c = parseCalendar(data);
    expect(c.years).toEqual([2026]);
    expect(isWorkingDay('2026-01-02', c)).toBe(false);
    expect(isWorkingDay('2026-01-10', c)).toBe(true);
    expect(isWorkingDay('2026-01-01', c)).toBe(true); // not entered here, so an ordinary Thursday
  });

  const defaults = {
    classify_working_days: 3,
    answer_working_days: 10,
    extension: { max_count: 1, max_working_days: 10 },
    reexamination_calendar_days: 15,
    legal_basis: [{ vi: 'NĐ 20/2008/NĐ-CP', en: 'Decree 20/2008' }],
    source: { ref: 'test', sample: true },
  };
  const rule = (kind: string, subject: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    kind,
    subject,
    name: { vi: 'x', en: 'x' },
    ...extra,
  });
  const allRules = (): Record<string, unknown>[] =>
    feedbackKinds.flatMap((k) => feedbackSubjects.map((s) => rule(k, s)));

  it('deadline rules: overrides apply, the rest comes from defaults', () => {
    const list = allRules();
    list[0] = rule('phan-anh', 'quy-dinh', { answer_working_days: 15 });
    writeFileSync(join(root, 'calendar', 'deadline-rules.yaml'), stringify({ defaults, rules: list }));
    const loaded = loadDeadlineRules(root);
    expect(loaded.receipt_cutoff).toBe('17:00');
    expect(findDeadlineRule(loaded, 'phan-anh', 'quy-dinh').answer_working_days).toBe(15);
    expect(findDeadlineRule(loaded, 'phan-anh', 'quy-dinh').classify_working_days).toBe(3);
    expect(findDeadlineRule(loaded, 'kien-nghi', 'khac').answer_working_days).toBe(10);
  });

  it('deadline rules: a missing combination, a duplicate, a typo and a bad cut-off', () => {
    const list = allRules().slice(1); // drop phan-anh/quy-dinh
    list.push(rule('kien-nghi', 'khac'));
    list.push(rule('kien-nghi', 'hanh-vi', { answer_workingdays: 12 }));
    const problems = rules({ receipt_cutoff: '25:00', defaults, rules: list });
    expect(problems).toContainEqual(expect.objectContaining({ entry: '(file)', field: 'receipt_cutoff' }));
    // The file-level problem stops the check before the rules are read; fix it and look again.
    const again = rules({ defaults, rules: list });
    expect(again).toContainEqual(
      expect.objectContaining({ entry: 'rules', field: 'kind', message: 'missing a rule for phan-anh/quy-dinh' }),
    );
    expect(again).toContainEqual(
      expect.objectContaining({ entry: 'rules "kien-nghi/khac" (#6)', message: 'duplicate rule for kien-nghi/khac' }),
    );
    expect(again).toContainEqual(expect.objectContaining({ entry: 'rules "kien-nghi/hanh-vi" (#7)' }));
  });

  it('deadline rules: a negative period in the defaults', () => {
    const problems = rules({ defaults: { ...defaults, answer_working_days: -1 }, rules: allRules() });
    expect(problems).toContainEqual(
      expect.objectContaining({ entry: '(file)', field: 'defaults.answer_working_days' }),
    );
  });
});
