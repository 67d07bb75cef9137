/**
 * The ranking and coverage endpoints (issue #10 §1–2) over a real temp libSQL file filled through
 * the real rating and dossier paths (api/stats/fixtures.ts): the verdict of each row is the verdict
 * /stats/ratings gives the same unit, figures are the published ones, the CSV holds the JSON's
 * numbers, Slovin's sample is computed as stated, and bad input is a problem+json 4xx.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoverageResult, RankingResult } from '../contracts/ranking.ts';
import type { RatingsResult } from '../contracts/stats.ts';
import { parseCsvObjects } from '../contracts/csv.ts';
import { openHarness, type Harness } from '../test-harness.ts';
import { COMMUNE_A, COMMUNE_B, DISTRICT, SPAN, STATS_CONFIG, seedStats, type Seeded } from '../stats/fixtures.ts';
import { parseMargin, slovin, sortRanking } from '../stats/ranking.ts';

let h: Harness;
let s: Seeded;
/** The same data with min n = 3, so both communes' dossiers are published. */
let small: ReturnType<Harness['app']>;

beforeAll(async () => {
  h = await openHarness('ranking');
  s = await seedStats(h);
  s.setNow(new Date('2026-01-15T03:00:00Z'));
  small = h.app({ ...STATS_CONFIG, STATS_MIN_N: '3' }, () => new Date('2026-01-15T03:00:00Z'));
});

afterAll(() => h.close());

async function get<T>(path: string, app = small): Promise<T> {
  const res = await app.request(path);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as T;
}

describe('GET /api/v1/stats/ranking', () => {
  it('ranks every unit with procedures below the scope, with the verdict of /stats/ratings', async () => {
    const r = await get<RankingResult>(`/api/v1/stats/ranking?unit=${DISTRICT}&span=${SPAN}`);
    const ids = r.units.map((u) => u.unit);
    expect(ids).toEqual(expect.arrayContaining([COMMUNE_A, COMMUNE_B]));
    const ratings = await get<RatingsResult>(`/api/v1/stats/ratings?unit=${DISTRICT}&span=${SPAN}&instrument=sipas`);
    expect(ratings.units.length).toBeGreaterThan(1);
    for (const u of ratings.units) {
      const row = r.units.find((x) => x.unit === u.unit);
      if (row) expect(row.verdict).toEqual(u.verdict);
    }
    // Commune A: 2 of 12 dossiers late (16.7 %), a census over the threshold of 5 %.
    const a = r.units.find((u) => u.unit === COMMUNE_A)!;
    expect(a.dossiers).toBe(12);
    expect(a.verdict.late.value).toBeCloseTo(16.7, 1);
    expect(a.verdict.verdict).toBe('cannot-be-good');
    expect(a.verdict.conditions.find((c) => c.condition === 'late')?.status).toBe('failed');
    // Commune B: 1 of 3 late, shown at min n = 3.
    expect(r.units.find((u) => u.unit === COMMUNE_B)!.verdict.late.value).toBeCloseTo(33.3, 1);
    // At min n = 10, B's 3 dossiers are withheld, and A's 12 with them (else the district's total
    // minus A would give B): both undetermined, never judged on a hidden figure.
    const protectedRanking = await get<RankingResult>(`/api/v1/stats/ranking?unit=${DISTRICT}&span=${SPAN}`, s.app);
    for (const id of [COMMUNE_A, COMMUNE_B]) {
      const row = protectedRanking.units.find((u) => u.unit === id)!;
      expect(row.dossiers).toBeNull();
      expect(row.verdict.late.suppressed).toBe(true);
      expect(row.verdict.conditions.find((c) => c.condition === 'late')).toMatchObject({
        status: 'undetermined',
        reason: 'too-few',
      });
    }
    expect(r.thresholds.late.value).toBe(5);
    expect(r.thresholds.satisfaction.value).toBe(80);
    expect(r.rule_sources.map((t) => t.source.ref).join(' ')).toContain('91-KL/TU');
  });

  it('puts the worst first by default, sorts by the query, and filters by level', async () => {
    const r = await get<RankingResult>(`/api/v1/stats/ranking?unit=${DISTRICT}&span=${SPAN}`);
    expect(r.units[0]!.verdict.verdict).toBe('cannot-be-good');
    const byName = await get<RankingResult>(`/api/v1/stats/ranking?unit=${DISTRICT}&span=${SPAN}&sort=name&order=desc`);
    const names = byName.units.map((u) => u.name.vi);
    expect(names).toEqual([...names].sort((x, y) => y.localeCompare(x, 'vi')));
    const communes = await get<RankingResult>(`/api/v1/stats/ranking?unit=khanh-hoa&span=${SPAN}&level=commune`);
    expect(communes.units.length).toBeGreaterThan(0);
    expect(communes.units.every((u) => u.level === 'commune')).toBe(true);
    const departments = await get<RankingResult>(`/api/v1/stats/ranking?unit=khanh-hoa&span=${SPAN}&level=department`);
    expect(departments.units.every((u) => u.level === 'department')).toBe(true);
  });

  it('lists a unit that ended in the period under its own name', async () => {
    const r = await get<RankingResult>(`/api/v1/stats/ranking?unit=khanh-hoa&span=2025&level=district`);
    const ninhHoa = r.units.find((u) => u.unit === DISTRICT);
    expect(ninhHoa?.valid_to).toBe('2025-06-30');
    expect(ninhHoa?.name.vi).toContain('Ninh Hòa');
    // After the district level ended, it is no longer ranked.
    const later = await get<RankingResult>(`/api/v1/stats/ranking?unit=khanh-hoa&span=2025-Q4&level=district`);
    expect(later.units.find((u) => u.unit === DISTRICT)).toBeUndefined();
  });

  it('writes the same numbers to CSV, in the same order', async () => {
    const r = await get<RankingResult>(`/api/v1/stats/ranking?unit=${DISTRICT}&span=${SPAN}`);
    const res = await small.request(`/api/v1/stats/ranking.csv?unit=${DISTRICT}&span=${SPAN}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    const rows = parseCsvObjects(await res.text());
    expect(rows.map((x) => x.unit)).toEqual(r.units.map((u) => u.unit));
    for (const [i, u] of r.units.entries()) {
      expect(rows[i]!.verdict).toBe(u.verdict.verdict);
      expect(rows[i]!.late_value).toBe(u.verdict.late.value === null ? '' : String(u.verdict.late.value));
      expect(rows[i]!.satisfaction_value).toBe(
        u.verdict.satisfaction.value === null ? '' : String(u.verdict.satisfaction.value),
      );
    }
  });

  it('refuses unknown units, periods outside the data and bad sorts with problem+json', async () => {
    for (const [q, code] of [
      ['unit=khong-co', 'unknown_unit'],
      ['span=2014', 'period_out_of_range'],
      ['span=2027-Q1', 'period_out_of_range'],
      ['span=2025-13', 'validation_failed'],
      ['sort=random', 'validation_failed'],
      ['level=tinh', 'validation_failed'],
    ] as const) {
      const res = await s.app.request(`/api/v1/stats/ranking?${q}`);
      expect(res.status, q).toBe(422);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(((await res.json()) as { code: string }).code, q).toBe(code);
    }
  });
});

describe('GET /api/v1/stats/coverage', () => {
  it('states N, Slovin’s sample, invitations and progress, unmeasured units first', async () => {
    const r = await get<CoverageResult>(`/api/v1/stats/coverage?unit=${DISTRICT}&span=${SPAN}`);
    expect(r.query.margin).toBe(5);
    expect(r.formula).toBe('n = N / (1 + N·e²)');
    const a = r.units.find((u) => u.unit === COMMUNE_A)!;
    expect(a.dossiers).toBe(12);
    expect(a.sample_needed).toBe(slovin(12, 0.05));
    expect(a.tokens_issued).toBe(12);
    expect(a.tokens_redeemed).toBe(12);
    expect(a.response_rate).toBe(100);
    expect(a.progress).toBe(100);
    expect(a.measured).toBe(true);
    const firstMeasured = r.units.findIndex((u) => u.measured);
    expect(r.units.slice(firstMeasured).every((u) => u.measured)).toBe(true);
    const wider = await get<CoverageResult>(`/api/v1/stats/coverage?unit=${DISTRICT}&span=${SPAN}&margin=10`);
    expect(wider.units.find((u) => u.unit === COMMUNE_A)!.sample_needed).toBe(slovin(12, 0.1));
  });

  it('refuses a margin outside 1–20 % with margin_out_of_range', async () => {
    for (const m of ['0', '0.5', '21', '-5', 'abc', '5%', '1e1', '100']) {
      const res = await s.app.request(`/api/v1/stats/coverage?margin=${encodeURIComponent(m)}`);
      expect(res.status, m).toBe(422);
      expect(((await res.json()) as { code: string }).code, m).toBe('margin_out_of_range');
    }
    const csv = await s.app.request(`/api/v1/stats/coverage.csv?unit=${DISTRICT}&span=${SPAN}&margin=20`);
    expect(csv.status).toBe(200);
  });
});

describe('OpenAPI document', () => {
  it('lists the ranking, coverage, report and staff survey endpoints', async () => {
    const doc = (await (await small.request('/api/v1/openapi.json')).json()) as { paths: Record<string, unknown> };
    for (const path of [
      '/stats/ranking',
      '/stats/ranking.csv',
      '/stats/coverage',
      '/stats/coverage.csv',
      '/stats/report.xlsx',
      '/stats/report.zip',
      '/staff/survey',
    ])
      expect(doc.paths, path).toHaveProperty([path]);
  });
});

describe('pure parts', () => {
  it('computes Slovin’s n = N / (1 + N·e²), rounded up', () => {
    expect(slovin(0, 0.05)).toBe(0);
    expect(slovin(1000, 0.05)).toBe(286);
    expect(slovin(100, 0.05)).toBe(80);
    expect(slovin(1_000_000, 0.05)).toBe(400);
    expect(parseMargin(undefined)).toBe(5);
    expect(parseMargin('12.5')).toBe(12.5);
  });

  it('keeps withheld figures last whatever the order', () => {
    const row = (unit: string, late: number | null) =>
      ({
        unit,
        name: { vi: unit, en: unit },
        verdict: {
          verdict: 'undetermined',
          late: { n: late === null ? null : 20, value: late, low: null, high: null, suppressed: late === null },
          satisfaction: { n: null, value: null, low: null, high: null, suppressed: true },
        },
      }) as unknown as RankingResult['units'][number];
    const rows = [row('a', null), row('b', 3), row('c', 9)];
    expect(sortRanking(rows, 'late', undefined).rows.map((r) => r.unit)).toEqual(['c', 'b', 'a']);
    expect(sortRanking(rows, 'late', 'asc').rows.map((r) => r.unit)).toEqual(['b', 'c', 'a']);
  });
});
