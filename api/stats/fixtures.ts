/**
 * Test data for the statistics tests (db/stats.test.ts, api/routes/stats.test.ts): ratings written
 * through the real POST /api/v1/responses (verified ones with tokens of dossiers registered through
 * db/dossiers.ts), to two communes of one district, on days of one year (public figures are by fixed
 * period, issue #7: the year 2025 holds them all). Not imported by production code.
 *
 * - SIPAS: 30 open responses, 18 in commune A and 12 in commune B, answers drawn from a seeded
 *   generator (so they are known, and stored in `answers` for the tests to recompute from);
 * - one-tap (quay): 40 open responses, 25 in A and 15 in B, every second one for PROCEDURE;
 * - NĐ 61 (danh-gia-ho-so): 12 verified responses in A (with dossier tokens) and 5 open ones in B;
 * - dossiers: 12 in A (2 late), 3 in B (1 late).
 */
import { randomBytes } from 'node:crypto';
import { registerDossiers, type DossierInput } from '../../db/dossiers.ts';
import { answersFor, seeded, type Harness } from '../test-harness.ts';

export const COMMUNE_A = 'phuong-ninh-hiep';
export const COMMUNE_B = 'xa-ninh-xuan';
/** Parent of both communes (a district-level town until 2025-06-30). */
export const DISTRICT = 'ninh-hoa';
export const PROVINCE = 'khanh-hoa';
export const PROCEDURE = '1.001193';

/** Noon in Viet Nam on each day used (03:00 UTC). */
export const DAYS = ['2025-01-10', '2025-03-20', '2025-05-14'] as const;
export const RANGE = { from: '2025-01-01', to: '2025-12-31' } as const;
/** The fixed period that holds every day above. */
export const SPAN = '2025';

export const STATS_CONFIG = { POW_REQUIRED: '0', RATE_LIMIT_MAX: '100000', LOG_LEVEL: 'silent' } as const;

const at = (day: string) => new Date(`${day}T03:00:00Z`);

export interface Seeded {
  app: ReturnType<Harness['app']>;
  /** Moves the app's clock (responses are bucketed by the day of their arrival). */
  setNow(d: Date): void;
}

async function submit(
  s: Seeded,
  body: {
    instrument: string;
    version: string;
    unit: string;
    procedure?: string;
    token?: string;
    answers: Record<string, string | string[]>;
  },
): Promise<void> {
  const res = await s.app.request('/api/v1/responses', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'idempotency-key': `stats-${randomBytes(9).toString('base64url')}`,
    },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`seeding failed: ${res.status} ${await res.text()}`);
}

/** The one-tap answers: a fixed cycle over the four levels, reasons after the two lower ones. */
const QUAY_RATINGS = ['rat-hai-long', 'hai-long', 'hai-long', 'binh-thuong', 'khong-hai-long'] as const;

/** Writes the data described above and returns an app on the same database. */
export async function seedStats(h: Harness): Promise<Seeded> {
  let now = at(DAYS[0]);
  const seededApp: Seeded = {
    app: h.app(STATS_CONFIG, () => now),
    setNow: (d) => (now = d),
  };

  const random = seeded(20250214);
  for (let i = 0; i < 30; i++) {
    seededApp.setNow(at(DAYS[i % 3]!));
    await submit(seededApp, {
      instrument: 'sipas',
      version: h.versions.sipas!,
      unit: i < 18 ? COMMUNE_A : COMMUNE_B,
      // Skewed towards 4 and 5, like real answers, so indices are not all near 60 %.
      answers: Object.fromEntries(
        Object.entries(answersFor(h.instruments.sipas!, random, 0.5)).map(([k, v]) => [
          k,
          typeof v === 'string' && /^[1-5]$/.test(v) && random() < 0.6 ? String(4 + Math.floor(random() * 2)) : v,
        ]),
      ),
    });
  }

  for (let i = 0; i < 40; i++) {
    seededApp.setNow(at(DAYS[i % 3]!));
    const rating = QUAY_RATINGS[i % QUAY_RATINGS.length]!;
    await submit(seededApp, {
      instrument: 'quay',
      version: h.versions.quay!,
      unit: i < 25 ? COMMUNE_A : COMMUNE_B,
      ...(i % 2 === 0 ? { procedure: PROCEDURE } : {}),
      answers: {
        rating,
        ...(rating === 'binh-thuong' || rating === 'khong-hai-long'
          ? { reasons: ['cho-lau', 'thai-do'].slice(0, 1 + (i % 2)) }
          : {}),
      },
    });
  }

  // Dossiers returned on the last day; two of A's and one of B's late.
  const returned = at(DAYS[2]);
  const dossier = (unitId: string, i: number, late: boolean): DossierInput => ({
    unitId,
    code: `STATS-${unitId}-${i}`,
    procedureCode: PROCEDURE,
    receivedAt: new Date(returned.getTime() - 10 * 86_400_000),
    dueAt: new Date(returned.getTime() + (late ? -86_400_000 : 86_400_000)),
    returnedAt: returned,
  });
  const registered = await registerDossiers(
    h.db.client,
    [
      ...Array.from({ length: 12 }, (_, i) => dossier(COMMUNE_A, i, i < 2)),
      ...Array.from({ length: 3 }, (_, i) => dossier(COMMUNE_B, i, i < 1)),
    ],
    { now: returned, tokenTtlDays: 30 },
  );
  seededApp.setNow(at(DAYS[2]));
  for (const r of registered.slice(0, 12)) {
    if (r.status !== 'created') throw new Error('seeding: dossier not created');
    await submit(seededApp, {
      instrument: 'danh-gia-ho-so',
      version: h.versions['danh-gia-ho-so']!,
      unit: COMMUNE_A,
      token: r.token,
      answers: answersFor(h.instruments['danh-gia-ho-so']!, random),
    });
  }
  for (let i = 0; i < 5; i++)
    await submit(seededApp, {
      instrument: 'danh-gia-ho-so',
      version: h.versions['danh-gia-ho-so']!,
      unit: COMMUNE_B,
      answers: answersFor(h.instruments['danh-gia-ho-so']!, random),
    });
  return seededApp;
}
