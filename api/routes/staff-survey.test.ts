/**
 * GET /api/v1/staff/survey (issue #10 §2) over a real temp libSQL file: the invitations still to
 * issue this month follow the stated rule, the burst rule flags a counter tapped 12 times in two
 * minutes and not one rated across the day, the flags stay behind a staff session of the unit's
 * subtree, and an unknown unit is a 422.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answersFor, openHarness, type Harness } from '../test-harness.ts';
import { staffGet, staffMember, type Signed } from '../feedback/test-kit.ts';
import { registerDossiers, type DossierInput } from '../../db/dossiers.ts';
import { ASSUMED_RESPONSE_RATE, slovin } from '../../db/sample-plans.ts';
import { bursts } from '../stats/survey-plan.ts';
import type { StaffSurveyResult } from '../contracts/ranking.ts';

/** A ward of the two-level government (from 1 July 2025), so September's ratings stay its own. */
const UNIT = 'phuong-dong-ninh-hoa';
let h: Harness;
let now = new Date('2025-09-10T03:00:00Z');
let app: ReturnType<Harness['app']>;
let member: Signed;
let outsider: Signed;

async function rate(counter: string, at: Date): Promise<void> {
  now = at;
  const res = await app.request('/api/v1/responses', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': `s-${randomBytes(9).toString('base64url')}` },
    body: JSON.stringify({
      instrument: 'quay',
      version: h.versions.quay,
      unit: UNIT,
      counter,
      answers: { rating: 'rat-hai-long' },
    }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
}

beforeAll(async () => {
  h = await openHarness('staff-survey');
  app = h.app({ POW_REQUIRED: '0', RATE_LIMIT_MAX: '100000', LOG_LEVEL: 'silent' }, () => now);
  member = await staffMember(h, app, 'survey-handler', [{ role: 'handler', unit: UNIT }]);
  outsider = await staffMember(h, app, 'survey-outsider', [{ role: 'handler', unit: 'xa-tan-dinh' }]);
  // August: 500 dossiers returned; September so far: 40.
  const d = (code: string, returned: string): DossierInput => ({
    unitId: UNIT,
    code,
    receivedAt: new Date(Date.parse(returned) - 86_400_000),
    dueAt: new Date(Date.parse(returned) + 86_400_000),
    returnedAt: new Date(returned),
  });
  await registerDossiers(
    h.db.client,
    Array.from({ length: 500 }, (_, i) => d(`A-${i}`, '2025-08-05T03:00:00Z')),
    { now, tokenTtlDays: 30 },
  );
  await registerDossiers(
    h.db.client,
    Array.from({ length: 40 }, (_, i) => d(`S-${i}`, '2025-09-03T03:00:00Z')),
    { now, tokenTtlDays: 30 },
  );
  // Counter 3: twelve ratings in two minutes. Counter 1: twelve across the day.
  for (let i = 0; i < 12; i++) await rate('3', new Date(Date.parse('2025-09-08T02:00:00Z') + i * 10_000));
  for (let i = 0; i < 12; i++) await rate('1', new Date(Date.parse('2025-09-08T01:00:00Z') + i * 30 * 60_000));
  // The verified sample: 12 SIPAS answers with dossier tokens, all dissatisfied (index near 0 %).
  const sipasDossiers = await registerDossiers(
    h.db.client,
    Array.from({ length: 12 }, (_, i) => d(`V-${i}`, '2025-09-04T03:00:00Z')),
    { now, tokenTtlDays: 30, instrumentId: 'sipas' },
  );
  now = new Date('2025-09-05T03:00:00Z');
  for (const r of sipasDossiers) {
    if (r.status !== 'created') throw new Error('seeding: dossier not created');
    const answers = Object.fromEntries(
      Object.entries(answersFor(h.instruments.sipas!)).map(([k, v]) => [
        k,
        typeof v === 'string' && /^[1-5]$/.test(v) ? '1' : v,
      ]),
    );
    const res = await app.request('/api/v1/responses', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': `v-${randomBytes(9).toString('base64url')}` },
      body: JSON.stringify({ instrument: 'sipas', version: h.versions.sipas, unit: UNIT, token: r.token, answers }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
  }
  now = new Date('2025-09-10T03:00:00Z');
});

afterAll(() => h.close());

describe('GET /api/v1/staff/survey', () => {
  it('says how many more invitations to issue this month, by the stated rule', async () => {
    const res = await staffGet(app, member, `/api/v1/staff/survey?unit=${UNIT}`);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const r = (await res.json()) as StaffSurveyResult;
    expect(r.plan.month).toBe('2025-09');
    expect(r.plan.expected).toBe(500);
    expect(r.plan.returned_so_far).toBe(52);
    expect(r.plan.needed).toBe(slovin(500, 0.05));
    expect(r.plan.response_rate_basis).toBe('assumed');
    expect(r.plan.invitations_needed).toBe(Math.ceil(slovin(500, 0.05) / ASSUMED_RESPONSE_RATE - 1e-9));
    expect(r.plan.issued).toBe(52);
    expect(r.plan.redeemed).toBe(12);
    expect(r.plan.more_to_issue).toBe(r.plan.invitations_needed - 52);
  });

  it('flags the counter tapped 12 times in two minutes, not the one rated across the day', async () => {
    const r = (await (await staffGet(app, member, `/api/v1/staff/survey?unit=${UNIT}`)).json()) as StaffSurveyResult;
    expect(r.rules.burst).toEqual({ ratings: 10, minutes: 5 });
    const burst = r.flags.filter((f) => f.rule === 'burst');
    expect(burst.map((f) => [f.unit, f.counter, f.value])).toEqual([[UNIT, '3', 12]]);
  });

  it('flags counters whose self-selected satisfaction is far above the verified SIPAS index', async () => {
    const r = (await (await staffGet(app, member, `/api/v1/staff/survey?unit=${UNIT}`)).json()) as StaffSurveyResult;
    const above = r.flags.filter((f) => f.rule === 'above-verified');
    // Both counters: 12 of 12 satisfied (interval low ≈ 76 %) against a verified index of 0 %.
    expect(above.map((f) => [f.counter, f.value]).sort()).toEqual([
      ['1', 100],
      ['3', 100],
    ]);
    expect(Number(above[0]!.detail)).toBeLessThan(30);
  });

  it('is for staff of the unit’s subtree only; an unknown unit is a 422', async () => {
    expect((await app.request(`/api/v1/staff/survey?unit=${UNIT}`)).status).toBe(401);
    expect((await staffGet(app, outsider, `/api/v1/staff/survey?unit=${UNIT}`)).status).toBe(403);
    const unknown = await staffGet(app, member, '/api/v1/staff/survey?unit=khong-co');
    expect(unknown.status).toBe(422);
    expect(((await unknown.json()) as { code: string }).code).toBe('unknown_unit');
  });

  it('finds the largest window of a burst', () => {
    const at = (s: number) => new Date(Date.UTC(2025, 8, 1, 0, 0, s)).toISOString();
    const rows = [0, 10, 20, 400, 410].map((s) => ({ unit: 'u', counter: 'c', at: at(s) }));
    expect(bursts(rows, { ratings: 3, minutes: 1 })).toEqual([
      { unit: 'u', counter: 'c', rule: 'burst', value: 3, detail: at(0) },
    ]);
    expect(bursts(rows, { ratings: 4, minutes: 1 })).toEqual([]);
  });
});
