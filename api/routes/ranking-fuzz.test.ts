/**
 * Property-based fuzzing of the reform office's endpoints (issue #10 "Bad input"): 10,000 generated
 * queries of GET /stats/ranking(.csv) and /stats/coverage(.csv) that are invalid by construction (an
 * unknown unit, a period outside the data or malformed, a margin outside 1–20 %, an unknown level,
 * sort or order, each beside otherwise valid parameters), and 10,000 registrations on the
 * integration endpoint with a broken `sample`/`margin`. Every one is a 4xx problem+json with a known
 * code, never a 5xx, and the registrations write nothing. Valid queries from the same generators are
 * checked to pass first, so a generator drifting into valid input fails the test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { refusalChecker } from '../fuzz-arbitraries.ts';
import { CONTENT_DIR, openHarness, type Harness } from '../test-harness.ts';
import { loadContent } from '../contracts/load-content.ts';
import { createApiKey } from '../../db/dossiers.ts';

const RUNS = 10_000;
const NOW = new Date('2026-05-10T03:00:00Z');
const content = loadContent(CONTENT_DIR);
const UNITS = content.units.map((u) => u.id);
const KNOWN = new Set(UNITS);
const TABLES = ['dossiers', 'survey_tokens', 'dossier_rollups', 'sample_plans'] as const;

let h: Harness;
let app: ReturnType<Harness['app']>;
let key: string;

beforeAll(async () => {
  h = await openHarness('ranking-fuzz');
  app = h.app({ LOG_LEVEL: 'silent' }, () => NOW);
  key = (await createApiKey(h.db.client, 'khanh-hoa', 'Một cửa tỉnh', NOW)).key;
});

afterAll(() => h.close());

const validSpan = fc.oneof(
  fc.integer({ min: 2015, max: 2026 }).map(String),
  fc.tuple(fc.integer({ min: 2015, max: 2025 }), fc.integer({ min: 1, max: 4 })).map(([y, q]) => `${y}-Q${q}`),
  fc
    .tuple(fc.integer({ min: 2015, max: 2025 }), fc.integer({ min: 1, max: 12 }))
    .map(([y, m]) => `${y}-${String(m).padStart(2, '0')}`),
);
const validParams = fc.record(
  {
    unit: fc.constantFrom(...UNITS),
    span: validSpan,
    level: fc.constantFrom('all', 'department', 'district', 'commune', 'public-service'),
    sort: fc.constantFrom('verdict', 'late', 'satisfaction', 'name'),
    order: fc.constantFrom('asc', 'desc'),
    margin: fc.oneof(fc.integer({ min: 1, max: 20 }).map(String), fc.constantFrom('2.5', '12.25', '1', '20')),
  },
  { requiredKeys: [] },
);
const ENDPOINTS = [
  '/api/v1/stats/ranking',
  '/api/v1/stats/ranking.csv',
  '/api/v1/stats/coverage',
  '/api/v1/stats/coverage.csv',
];

/** A text that is not a known unit (slugs included). */
const unknownUnit = fc
  .oneof(fc.string({ maxLength: 40 }), fc.stringMatching(/^[a-z0-9]+(-[a-z0-9]+){0,3}$/))
  .filter((s) => s.trim() !== '' && !KNOWN.has(s));
/** A period outside the data or not a period at all. */
const badSpan = fc.oneof(
  fc.integer({ min: 1000, max: 2014 }).map(String),
  fc.integer({ min: 2027, max: 9999 }).map(String),
  fc.integer({ min: 1, max: 4 }).map((q) => `2026-Q${q === 1 ? 3 : q + 1 > 4 ? 4 : q + 1}`),
  fc.constantFrom('2026-06', '2026-12', '2025-13', '2025-00', '2025-Q0', '2025-Q5', '25', '2025-7', 'năm nay', ''),
  fc.string({ maxLength: 20 }).filter((s) => !/^\d{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?$/.test(s)),
);
/** Anything but 1–20 with at most two decimals. */
const badMargin = fc.oneof(
  fc.double({ min: -1e6, max: 0.999, noNaN: true }).map(String),
  fc.double({ min: 20.001, max: 1e6, noNaN: true }).map(String),
  fc.constantFrom('0', '21', '100', '5%', '1e1', 'NaN', 'Infinity', ' ', '5,5', '0x5', '05.123', '-5'),
  fc.string({ maxLength: 16 }).filter((s) => !/^\s*\d{1,2}(\.\d{1,2})?\s*$/.test(s) && s !== ''),
);
const badWord = (valid: readonly string[]) =>
  fc.string({ maxLength: 20 }).filter((s) => s !== '' && !valid.includes(s));

/** Exactly one broken parameter beside valid ones; `margin` only where it is read (coverage). */
const invalidQuery = fc
  .tuple(
    fc.constantFrom(...ENDPOINTS),
    validParams,
    fc.oneof(
      unknownUnit.map((v) => ['unit', v] as const),
      badSpan.map((v) => ['span', v] as const),
      badWord(['all', 'department', 'district', 'commune', 'public-service']).map((v) => ['level', v] as const),
      badWord(['verdict', 'late', 'satisfaction', 'name']).map((v) => ['sort', v] as const),
      badWord(['asc', 'desc']).map((v) => ['order', v] as const),
      badMargin.map((v) => ['margin', v] as const),
    ),
  )
  .map(([endpoint, params, [name, value]]) => {
    // sort/order are ranking parameters, margin a coverage one: send the broken one where it is read.
    const path =
      name === 'margin'
        ? endpoint.replace('ranking', 'coverage')
        : name === 'sort' || name === 'order'
          ? endpoint.replace('coverage', 'ranking')
          : endpoint;
    const q = new URLSearchParams({ ...params, [name]: value } as Record<string, string>);
    if (name === 'span' && value === '') q.set('span', '');
    return `${path}?${q.toString()}`;
  });

describe('fuzzing the ranking and coverage endpoints with invalid queries', () => {
  it('valid queries from the same generators pass', async () => {
    for (const [i, params] of fc.sample(validParams, { numRuns: 24, seed: 3 }).entries()) {
      const path = `${ENDPOINTS[i % ENDPOINTS.length]}?${new URLSearchParams(params as Record<string, string>).toString()}`;
      const res = await app.request(path);
      expect(res.status, path).toBe(200);
    }
  });

  it(`${RUNS} invalid queries → 4xx problem+json with a code`, async () => {
    const { seen, checkRefused } = refusalChecker();
    const lines = h.lines.length;
    await fc.assert(
      fc.asyncProperty(invalidQuery, async (path) => {
        await checkRefused(await app.request(path));
      }),
      { numRuns: RUNS },
    );
    expect(h.lines.slice(lines).filter((l) => l.includes('"error"'))).toEqual([]);
    expect([...seen.keys()]).toEqual(
      expect.arrayContaining([
        '422 unknown_unit',
        '422 period_out_of_range',
        '422 margin_out_of_range',
        '422 validation_failed',
      ]),
    );
  }, 300_000);

  it(`POST /integration/dossiers: ${RUNS} registrations with a broken sample or margin → 4xx, nothing written`, async () => {
    const before = await h.counts(TABLES);
    const { seen, checkRefused } = refusalChecker();
    let seq = 0;
    const broken = fc.oneof(
      badMargin.map((m) => `?sample=plan&margin=${encodeURIComponent(m)}`),
      badMargin.map((m) => `?margin=${encodeURIComponent(m)}`),
      badWord(['all', 'plan']).map((s) => `?sample=${encodeURIComponent(s)}`),
    );
    await fc.assert(
      fc.asyncProperty(broken, async (query) => {
        seq++;
        const res = await app.request(`/api/v1/integration/dossiers${query}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
          body: JSON.stringify({
            unit: 'phuong-ninh-hoa',
            code: `FUZZ-${seq}`,
            received_at: '2026-05-01T08:00:00+07:00',
            due_at: '2026-05-05T17:00:00+07:00',
            returned_at: '2026-05-04T10:00:00+07:00',
          }),
        });
        await checkRefused(res);
      }),
      { numRuns: RUNS },
    );
    expect(await h.counts(TABLES)).toEqual(before);
    expect([...seen.keys()]).toEqual(expect.arrayContaining(['422 margin_out_of_range', '422 validation_failed']));
  }, 300_000);
});
