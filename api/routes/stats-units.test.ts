/**
 * The unit tree in every total (issue #7 §3), over a real temp libSQL file with ratings sent through
 * the real POST /api/v1/responses: a still-valid unit whose parent was merged away sits under the
 * parent's successor; a rating dated after its unit ended counts for the successor and appears in
 * a child row of the province, not only in the province's own figure.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RatingsResult } from '../contracts/stats.ts';
import { openHarness, type Harness } from '../test-harness.ts';
import { STATS_CONFIG } from '../stats/fixtures.ts';
import { rebuildRatingRollups } from '../ratings/rebuild.ts';
import { currentParents, unitOnDay, unitSpans } from '../../db/units.ts';

let h: Harness;
let now = new Date('2025-08-01T03:00:00Z');
let app: ReturnType<Harness['app']>;

async function rate(unit: string, at: string): Promise<void> {
  now = new Date(at);
  const res = await app.request('/api/v1/responses', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': `units-${randomBytes(9).toString('base64url')}` },
    body: JSON.stringify({ instrument: 'quay', version: h.versions.quay, unit, answers: { rating: 'hai-long' } }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
}

async function ratings(unit: string): Promise<RatingsResult> {
  const res = await app.request(`/api/v1/stats/ratings?instrument=quay&unit=${unit}&span=2025`);
  expect(res.status).toBe(200);
  return (await res.json()) as RatingsResult;
}

beforeAll(async () => {
  h = await openHarness('stats-units');
  // Placement, not disclosure, is under test here: every count is shown from one rating.
  app = h.app({ ...STATS_CONFIG, STATS_MIN_N: '1' }, () => now);
  // Trung tâm Y tế huyện Ninh Sơn, before and after the 2025 merger of the provinces.
  await rate('trung-tam-y-te-ninh-son', '2025-03-03T03:00:00Z');
  await rate('trung-tam-y-te-ninh-son', '2025-08-04T03:00:00Z');
  // Xã Lâm Sơn ended on 2025-06-30 (successor: the new xã Lâm Sơn under the province).
  await rate('xa-lam-son', '2025-08-05T03:00:00Z');
});

afterAll(() => h.close());

describe('the unit tree in every total', () => {
  it('puts a still-valid unit under the successor of its merged parent', async () => {
    expect(currentParents(h.content.units).get('trung-tam-y-te-ninh-son')).toBe('so-y-te');
    // A commune that ended with its district stays under that district.
    expect(currentParents(h.content.units).get('xa-lam-son')).toBe('ninh-son');
    const health = await ratings('so-y-te');
    expect(health.summary.responses).toBe(2);
    expect(health.units.find((u) => u.unit === 'trung-tam-y-te-ninh-son')?.summary.responses).toBe(2);
    const province = await ratings('khanh-hoa');
    expect(province.units.find((u) => u.unit === 'so-y-te')?.summary.responses).toBe(2);
  });

  it('counts a rating dated after its unit ended for the successor, in a child row of the province', async () => {
    expect(unitOnDay(await unitSpans(h.db.client), 'xa-lam-son', '2025-08-05')).toBe('xa-lam-son-2025');
    expect(unitOnDay(await unitSpans(h.db.client), 'xa-lam-son', '2025-06-30')).toBe('xa-lam-son');
    const province = await ratings('khanh-hoa');
    expect(province.summary.responses).toBe(3);
    expect(province.units.find((u) => u.unit === 'xa-lam-son-2025')?.summary.responses).toBe(1);
    // Every rating of the province appears in some child row.
    expect(province.units.reduce((a, u) => a + (u.summary.responses ?? 0), 0)).toBe(province.summary.responses);
  });

  it('gives the same rollups when they are rebuilt from the responses', async () => {
    const before = await h.db.client.execute(
      "SELECT unit_id, sum(n) AS n FROM rating_rollups WHERE metric = '_responses' GROUP BY unit_id ORDER BY unit_id",
    );
    await rebuildRatingRollups(h.db);
    const after = await h.db.client.execute(
      "SELECT unit_id, sum(n) AS n FROM rating_rollups WHERE metric = '_responses' GROUP BY unit_id ORDER BY unit_id",
    );
    expect(after.rows.map((r) => [r.unit_id, Number(r.n)])).toEqual(before.rows.map((r) => [r.unit_id, Number(r.n)]));
    expect(after.rows.some((r) => r.unit_id === 'xa-lam-son-2025')).toBe(true);
  });
});
