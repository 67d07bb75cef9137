/**
 * Issue #7 §2 over a real temp libSQL file: on time is judged on the first answer against the
 * deadline that applied then (a late first answer stays late after a dispute; the re-answer is a
 * separate measure), and days taken are counted by the deadline rule, in the statistics and in the
 * published list alike.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeedbackStatsResult, PublishedList } from '../contracts/published.ts';
import { CONTENT_DIR, openHarness, type Harness } from '../test-harness.ts';
import { insertCase, type CaseSpec } from '../../db/demo-feedback-public.ts';
import { caseFacts } from '../../db/published.ts';
import { addWorkingDays } from '../deadlines/calendar.ts';
import { deadlinesFor, deadlinesOf } from '../feedback/deadlines.ts';
import { timelinessOf } from './feedback-timeliness.ts';

let h: Harness;
let app: ReturnType<Harness['app']>;

/** A local time in Việt Nam as a UTC ISO instant. */
const vn = (local: string) => new Date(`${local.replace(' ', 'T')}:00+07:00`).toISOString();
const rule = () => deadlinesFor(CONTENT_DIR, 'phan-anh', 'hanh-vi');

function spec(code: string, over: Partial<CaseSpec>): CaseSpec {
  return {
    code,
    kind: 'phan-anh',
    subject: 'hanh-vi',
    unitId: 'so-tu-phap',
    title: 'Tiêu đề',
    content: 'Nội dung',
    status: 'closed',
    receivedAt: vn('2026-03-02 09:00'),
    answerDueAt: vn('2026-03-16 23:59'),
    publication: { title: 'T', content: 'C', answer: 'A', publishedAt: vn('2026-04-20 09:00') },
    ...over,
  };
}

/** History steps after the case row exists (no from_status: written as the lifecycle's record). */
async function steps(code: string, list: [action: string, to: string, at: string][]): Promise<void> {
  for (const [action, to, at] of list)
    await h.db.client.execute({
      sql: `INSERT INTO feedback_events (feedback_id, at, action, actor, from_status, to_status, unit_id)
            SELECT id, ?, ?, 'staff', NULL, ?, unit_id FROM feedback WHERE tracking_code = ?`,
      args: [at, action, to, code],
    });
}

beforeAll(async () => {
  h = await openHarness('timeliness');
  app = h.app({ CONTENT_DIR, STATS_MIN_N: '1' }, () => new Date('2026-05-01T03:00:00Z'));
  const classifiedAt = vn('2026-03-02 10:00');
  const due = rule().answerDue(new Date(classifiedAt)); // 10 working days: Monday 16/3
  const disputedAt = vn('2026-03-20 09:00');
  const redue = rule().answerDue(new Date(disputedAt));
  // LATE-0001: first answer 18/3, after its deadline 16/3; disputed 20/3; answered again 24/3 within
  // the fresh re-examination period. The row keeps the re-answer and the fresh deadline.
  await insertCase(
    h.db.client,
    spec('LATE-0001', {
      answeredAt: vn('2026-03-24 09:00'),
      answerDueAt: redue.toISOString(),
      disputedAt,
    }),
  );
  await steps('LATE-0001', [
    ['classify', 'classified', classifiedAt],
    ['answer', 'answered', vn('2026-03-18 09:00')],
    ['dispute', 'disputed', disputedAt],
    ['answer', 'answered', vn('2026-03-24 09:00')],
  ]);
  expect(vn('2026-03-18 09:00') > due.toISOString()).toBe(true);
  // EXTD-0001: extended before the first answer (days not in the history: the longest allowed,
  // 10 more working days → 30/3), answered 25/3, then disputed and answered again.
  await insertCase(
    h.db.client,
    spec('EXTD-0001', {
      receivedAt: vn('2026-03-02 09:30'),
      answeredAt: vn('2026-04-10 09:00'),
      answerDueAt: vn('2026-04-14 23:59'),
      disputedAt,
    }),
  );
  await steps('EXTD-0001', [
    ['classify', 'classified', classifiedAt],
    ['extend', 'classified', vn('2026-03-12 09:00')],
    ['answer', 'answered', vn('2026-03-25 09:00')],
    ['dispute', 'disputed', vn('2026-03-27 09:00')],
    ['answer', 'answered', vn('2026-04-10 09:00')],
  ]);
  // EVNG-0001: received Thursday 5/3 at 17:30 (counts from Friday 6/3), on time for a 10-day period
  // from receipt; answered on the last day of it.
  const evening = new Date(vn('2026-03-05 17:30'));
  const tenDays = addWorkingDays(evening, 10, deadlinesOf(CONTENT_DIR).calendar).deadline;
  await insertCase(
    h.db.client,
    spec('EVNG-0001', {
      receivedAt: evening.toISOString(),
      answerDueAt: tenDays.toISOString(),
      answeredAt: new Date(tenDays.getTime() - 8 * 3_600_000).toISOString(),
    }),
  );
  // SATD-0001: received Saturday 7/3 (counts from Monday 9/3), answered Wednesday 11/3: 2 days.
  await insertCase(
    h.db.client,
    spec('SATD-0001', {
      receivedAt: vn('2026-03-07 09:00'),
      answerDueAt: vn('2026-03-23 23:59'),
      answeredAt: vn('2026-03-11 09:00'),
    }),
  );
});

afterAll(() => h.close());

async function facts(code: string) {
  const all = await caseFacts(h.db.client, ['so-tu-phap'], '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z');
  const rs = await h.db.client.execute({
    sql: 'SELECT received_at FROM feedback WHERE tracking_code = ?',
    args: [code],
  });
  return all.find((f) => f.receivedAt === String(rs.rows[0]!.received_at))!;
}

describe('on time on the first answer', () => {
  it('keeps a late first answer late after a dispute; the re-answer is measured apart', async () => {
    const f = await facts('LATE-0001');
    // The row alone reads "on time": the fresh re-examination deadline and the re-answer.
    expect(f.answeredAt! <= f.answerDueAt).toBe(true);
    const t = timelinessOf(f, CONTENT_DIR)!;
    expect(t.first).toMatchObject({ answeredAt: vn('2026-03-18 09:00'), onTime: false });
    expect(t.first.dueAt).toBe(
      rule()
        .answerDue(new Date(vn('2026-03-02 10:00')))
        .toISOString(),
    );
    expect(t.reexamination).toMatchObject({ answeredAt: vn('2026-03-24 09:00'), onTime: true });
    expect(t.disputed).toBe(true);
  });

  it('judges the first answer of a disputed case against its extended deadline', async () => {
    const t = timelinessOf(await facts('EXTD-0001'), CONTENT_DIR)!;
    expect(t.first).toMatchObject({ answeredAt: vn('2026-03-25 09:00'), onTime: true });
    expect(t.first.dueAt).toBe(
      rule()
        .extended(rule().answerDue(new Date(vn('2026-03-02 10:00'))), rule().rule.extension.max_working_days)
        .toISOString(),
    );
  });

  it('counts the disputed late case late in GET /stats/feedback and the published list', async () => {
    const res = await app.request('/api/v1/stats/feedback?unit=so-tu-phap&span=2026');
    const r = (await res.json()) as FeedbackStatsResult;
    expect(r.summary.label).toBe('feedback cases');
    // LATE late; EXTD, EVNG, SATD on time.
    expect(r.summary.on_time).toMatchObject({ n: 4, value: 75 });
    // Both re-examinations answered by their own deadline.
    expect(r.summary.reexamined_on_time).toMatchObject({ n: 2, value: 100 });
    const list = (await (await app.request('/api/v1/published-feedback?per_page=100')).json()) as PublishedList;
    const late = list.items.find((i) => i.tracking_code === 'LATE-0001')!;
    expect(late).toMatchObject({ on_time: false, disputed: true });
  });
});

describe('working days taken, by the deadline rule', () => {
  it('gives a receipt after 17:00 the count of its deadline: 10 days on the last day of a 10-day period', async () => {
    const t = timelinessOf(await facts('EVNG-0001'), CONTENT_DIR)!;
    expect(t.first).toMatchObject({ onTime: true, workingDays: 10 });
    const list = (await (await app.request('/api/v1/published-feedback?per_page=100')).json()) as PublishedList;
    expect(list.items.find((i) => i.tracking_code === 'EVNG-0001')).toMatchObject({ on_time: true, working_days: 10 });
  });

  it('counts a receipt on a day off from the next working day', async () => {
    const t = timelinessOf(await facts('SATD-0001'), CONTENT_DIR)!;
    expect(t.first.workingDays).toBe(2);
  });
});
