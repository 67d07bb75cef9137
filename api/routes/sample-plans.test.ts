/**
 * The random survey sample of registered dossiers (issue #10 §2, db/sample-plans.ts) through the real
 * POST /api/v1/integration/dossiers over a real temp libSQL file: the plan follows the stated rule
 * (Slovin's n for the month before, planning response rate, rate = n / (r·N)), exactly the dossiers
 * drawn under the plan's seed get tokens (anyone with the seed can recompute it), a plan is made once
 * per unit and month, the seed is hidden while the month runs, and a bad margin writes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHarness, type Harness } from '../test-harness.ts';
import { createApiKey, registerDossiers, type DossierInput } from '../../db/dossiers.ts';
import { ASSUMED_RESPONSE_RATE, draw, findSamplePlan, invited, samplePlansOf, slovin } from '../../db/sample-plans.ts';

const UNIT = 'phuong-ninh-hoa';
const NOW = new Date('2025-09-20T03:00:00Z');
let h: Harness;
let app: ReturnType<Harness['app']>;
let key: string;

function dossier(code: string, returned: string): DossierInput {
  const returnedAt = new Date(returned);
  return {
    unitId: UNIT,
    code,
    receivedAt: new Date(returnedAt.getTime() - 3 * 86_400_000),
    dueAt: new Date(returnedAt.getTime() + 86_400_000),
    returnedAt,
  };
}

function post(body: unknown, query: string): Promise<Response> {
  return Promise.resolve(
    app.request(`/api/v1/integration/dossiers${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify(body),
    }),
  );
}

const wire = (code: string) => ({
  code,
  received_at: '2025-09-10T08:00:00+07:00',
  due_at: '2025-09-20T17:00:00+07:00',
  returned_at: '2025-09-15T10:00:00+07:00',
});

beforeAll(async () => {
  h = await openHarness('sample-plans');
  app = h.app({ LOG_LEVEL: 'silent' }, () => NOW);
  key = (await createApiKey(h.db.client, UNIT, 'Một cửa phường Ninh Hòa', NOW)).key;
  // August: 1,200 dossiers returned (every one invited, none redeemed).
  const august = Array.from({ length: 1200 }, (_, i) => dossier(`AUG-${i}`, '2025-08-12T03:00:00Z'));
  await registerDossiers(h.db.client, august, { now: NOW, tokenTtlDays: 30 });
});

afterAll(() => h.close());

describe('POST /integration/dossiers?sample=plan', () => {
  it('invites exactly the dossiers the plan draws, and the plan follows the stated rule', async () => {
    const codes = Array.from({ length: 300 }, (_, i) => `SEP-${i}`);
    const res = await post({ dossiers: codes.map(wire) }, '?sample=plan&qr=none');
    expect(res.status).toBe(201);
    const body = (await res.json()) as { dossiers: { code: string; invited: boolean; token: string | null }[] };
    const plan = (await findSamplePlan(h.db.client, UNIT, '2025-09'))!;
    expect(plan.expected).toBe(1200);
    expect(plan.needed).toBe(slovin(1200, 0.05));
    // August issued 1,200 but none was used: no measured rate, the stated assumption instead.
    expect(plan.responseRate).toBeCloseTo(ASSUMED_RESPONSE_RATE, 9);
    expect(plan.rate).toBeCloseTo(plan.needed / (ASSUMED_RESPONSE_RATE * 1200), 9);
    // Anyone holding the seed and the codes recomputes the selection.
    for (const d of body.dossiers) {
      expect(d.invited).toBe(draw(plan.seed, UNIT, d.code) < plan.rate);
      expect(d.token !== null).toBe(d.invited);
    }
    const n = body.dossiers.filter((d) => d.invited).length;
    expect(n).toBeGreaterThan(300 * plan.rate * 0.7);
    expect(n).toBeLessThan(300 * plan.rate * 1.3);
    // Tokens stored for exactly those dossiers; every dossier counts in the timeliness figures.
    const rs = await h.db.client.execute({
      sql: `SELECT d.code, t.token_hash IS NOT NULL AS invited FROM dossiers d
            LEFT JOIN survey_tokens t ON t.dossier_id = d.id WHERE d.code LIKE 'SEP-%'`,
      args: [],
    });
    expect(rs.rows.length).toBe(300);
    for (const r of rs.rows) expect(Number(r.invited) === 1).toBe(invited(plan, String(r.code)));
  });

  it('keeps one plan per unit and month, and shows its seed only once the month is over', async () => {
    const before = (await findSamplePlan(h.db.client, UNIT, '2025-09'))!;
    const res = await post({ dossiers: [wire('SEP-extra')] }, '?sample=plan&qr=none&margin=10');
    expect(res.status).toBe(201);
    expect(await findSamplePlan(h.db.client, UNIT, '2025-09')).toEqual(before);
    expect((await samplePlansOf(h.db.client, UNIT, '2025-09'))[0]!.seed).toBeNull();
    expect((await samplePlansOf(h.db.client, UNIT, '2025-10'))[0]!.seed).toBe(before.seed);
  });

  it('refuses a margin outside 1–20 % and writes nothing', async () => {
    const tables = ['dossiers', 'survey_tokens', 'sample_plans', 'dossier_rollups'];
    const counts = await h.counts(tables);
    for (const m of ['0', '25', 'x']) {
      const res = await post({ dossiers: [wire(`BAD-${m}`)] }, `?sample=plan&margin=${m}`);
      expect(res.status).toBe(422);
      expect(((await res.json()) as { code: string }).code).toBe('margin_out_of_range');
    }
    expect(await h.counts(tables)).toEqual(counts);
  });

  it('without sample=plan, every new dossier is invited and no plan is made', async () => {
    const res = await post(wire('SEP-all'), '?qr=none');
    expect(res.status).toBe(201);
    const body = (await res.json()) as { token: string | null; invited?: boolean };
    expect(body.token).not.toBeNull();
    expect(body.invited).toBeUndefined();
  });
});
