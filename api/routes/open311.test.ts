/**
 * Open311 GeoReport v2 read endpoints (/open311/v2/…) over a real temp database: services are the
 * six kinds × subjects with the spec's fields, requests are the published cases only with the
 * spec's field names and status values, filters work, bad parameters are a 400 problem with a
 * code, and an unpublished case is a 404.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_DIR, openHarness, type Harness } from '../test-harness.ts';
import { insertCase, type CaseSpec } from '../../db/demo-feedback-public.ts';
import type { Open311Request, Open311Service } from './open311.ts';

let h: Harness;
let app: ReturnType<Harness['app']>;
const NOW = new Date('2026-03-20T03:00:00Z');

const base: Omit<CaseSpec, 'code'> = {
  kind: 'phan-anh',
  subject: 'hanh-vi',
  unitId: 'so-y-te',
  title: 'riêng',
  content: 'riêng',
  status: 'published',
  receivedAt: '2026-03-02T02:00:00.000Z',
  answerDueAt: '2026-03-16T16:59:59.999Z',
  answeredAt: '2026-03-09T02:00:00.000Z',
  publication: {
    title: 'Tiêu đề công khai',
    content: 'Nội dung công khai',
    answer: 'Câu trả lời công khai',
    publishedAt: '2026-03-10T02:00:00.000Z',
  },
};

beforeAll(async () => {
  h = await openHarness('open311');
  app = h.app({ CONTENT_DIR }, () => NOW);
  await insertCase(h.db.client, {
    ...base,
    code: 'BBBB-2222',
    rating: { satisfied: true, at: '2026-03-11T02:00:00Z' },
  });
  await insertCase(h.db.client, {
    ...base,
    code: 'BBBB-3333',
    kind: 'kien-nghi',
    subject: 'quy-dinh',
    status: 'disputed',
    disputedAt: '2026-03-12T02:00:00.000Z',
  });
  await insertCase(h.db.client, { ...base, code: 'BBBB-4444', publication: undefined });
  // Published long ago: outside the default 90 days.
  await insertCase(h.db.client, {
    ...base,
    code: 'BBBB-5555',
    receivedAt: '2025-01-06T02:00:00.000Z',
    answerDueAt: '2025-01-20T16:59:59.999Z',
    answeredAt: '2025-01-10T02:00:00.000Z',
  });
});

afterAll(() => h.close());

async function get<T>(path: string): Promise<T> {
  const res = await app.request(path);
  expect(res.status, path).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return (await res.json()) as T;
}

async function bad(path: string, status: number, code: string): Promise<void> {
  const res = await app.request(path);
  expect(res.status, path).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(((await res.json()) as { code: string }).code).toBe(code);
}

describe('Open311 GeoReport v2', () => {
  it('lists one service per kind × subject with the spec fields', async () => {
    const services = await get<Open311Service[]>('/open311/v2/services.json');
    expect(services).toHaveLength(6);
    for (const s of services) {
      expect(Object.keys(s).sort()).toEqual(
        ['description', 'group', 'keywords', 'metadata', 'service_code', 'service_name', 'type'].sort(),
      );
      expect(s).toMatchObject({ metadata: false, type: 'batch' });
    }
    expect(services.map((s) => s.service_code)).toContain('phan-anh.hanh-vi');
    const en = await get<Open311Service[]>('/open311/v2/services.json?lang=en');
    expect(en.find((s) => s.service_code === 'kien-nghi.khac')?.group).toBe('Petition');
  });

  it('lists published requests of the last 90 days with the spec field names and status values', async () => {
    const requests = await get<Open311Request[]>('/open311/v2/requests.json');
    expect(requests.map((r) => r.service_request_id).sort()).toEqual(['BBBB-2222', 'BBBB-3333']);
    const a = requests.find((r) => r.service_request_id === 'BBBB-2222')!;
    expect(a).toMatchObject({
      status: 'closed',
      service_code: 'phan-anh.hanh-vi',
      status_notes: 'Câu trả lời công khai',
      description: 'Tiêu đề công khai\n\nNội dung công khai',
      address: '',
      requested_datetime: '2026-03-02T09:00:00+07:00',
      expected_datetime: '2026-03-16T23:59:59+07:00',
      updated_datetime: '2026-03-10T09:00:00+07:00',
    });
    expect(a.agency_responsible).toMatch(/Y tế/);
    expect(a.service_notice).toMatch(/5 ngày làm việc/);
    expect(a).not.toHaveProperty('lat');
    expect(a).not.toHaveProperty('media_url');
    const d = requests.find((r) => r.service_request_id === 'BBBB-3333')!;
    expect(d.status).toBe('open');
    expect(d.status_notes).toMatch(/xem xét lại/);
  });

  it('filters by service_code, status and dates', async () => {
    const ids = async (qs: string) =>
      (await get<Open311Request[]>(`/open311/v2/requests.json?${qs}`)).map((r) => r.service_request_id).sort();
    expect(await ids('status=open')).toEqual(['BBBB-3333']);
    expect(await ids('status=open,closed')).toEqual(['BBBB-2222', 'BBBB-3333']);
    expect(await ids('service_code=phan-anh.hanh-vi')).toEqual(['BBBB-2222']);
    expect(await ids('start_date=2025-01-01&end_date=2025-02-01T00:00:00Z')).toEqual(['BBBB-5555']);
    expect(await ids('start_date=2025-01-01T00:00:00%2B07:00&end_date=2026-12-31')).toHaveLength(3);
  });

  it('answers one request as an array of one, 404 when not published', async () => {
    const one = await get<Open311Request[]>('/open311/v2/requests/BBBB-2222.json');
    expect(one).toHaveLength(1);
    expect(one[0]!.service_request_id).toBe('BBBB-2222');
    await bad('/open311/v2/requests/BBBB-4444.json', 404, 'published_not_found');
    await bad('/open311/v2/requests/nope.json', 404, 'published_not_found');
    await bad('/open311/v2/requests/BBBB-2222.xml', 404, 'published_not_found');
    await bad('/open311/v2/nothing.json', 404, 'not_found');
  });

  it('refuses bad parameters with a 400 problem and a code', async () => {
    await bad('/open311/v2/requests.json?status=pending', 400, 'invalid_query');
    await bad('/open311/v2/requests.json?service_code=x', 400, 'invalid_query');
    await bad('/open311/v2/requests.json?start_date=yesterday', 400, 'invalid_query');
    await bad('/open311/v2/requests.json?start_date=2026-02-30', 400, 'invalid_query');
    await bad('/open311/v2/requests.json?start_date=2026-03-01&end_date=2026-01-01', 400, 'invalid_query');
    await bad('/open311/v2/requests.json?foo=1', 400, 'invalid_query');
    await bad('/open311/v2/services.json?lang=fr', 400, 'invalid_query');
  });
});
