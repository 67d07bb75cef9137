/**
 * Statistics queries over a real temp libSQL file. Ratings are written with the API's own writer
 * (db/responses.ts `responseStatements`, fanned out to the unit and its ancestors) and dossiers with
 * db/dossiers.ts, on a small unit tree (db/ does not read content/ itself; the API-level test,
 * api/routes/stats.test.ts, writes through POST /api/v1/responses and recomputes from the answers).
 *
 * Checked: a subtree's cells are the sums of its members' and of what was written; the filters
 * (trust, procedure, days, instrument versions, periods) select what they say; dossier rollups are
 * kept per subtree and procedure; and every query is a range of a primary key (EXPLAIN QUERY PLAN),
 * never a scan of the answers or of a whole table.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InStatement } from '@libsql/client';
import { openDb, type Db } from './client.ts';
import { migrate } from './migrate.ts';
import { syncContent, type UnitRow } from './content-sync.ts';
import { saveInstrumentVersions } from './instruments.ts';
import { responseStatements, type RollupCellRow } from './responses.ts';
import { registerDossiers, type DossierInput } from './dossiers.ts';
import { unitWithAncestors } from './units.ts';
import {
  childrenOf,
  dossierSeries,
  dossierSeriesStatement,
  dossierTimeliness,
  dossierTimelinessByUnit,
  dossierTimelinessByUnitStatement,
  dossierTimelinessStatement,
  findUnit,
  instrumentVersionsOf,
  periodsBetween,
  procedureExists,
  ratingCells,
  ratingCellsByUnit,
  ratingCellsByUnitStatements,
  ratingCellsStatements,
  ratingSeries,
  ratingSeriesStatements,
  rangeParts,
  type RatingQuery,
  type StatsCell,
} from './stats.ts';

const PROVINCE = 'khanh-hoa';
const DISTRICT = 'ninh-hoa';
const A = 'phuong-ninh-hiep';
const B = 'xa-ninh-xuan';
/** A commune without any rating. */
const C = 'xa-ninh-dong';
/** Ended before the second half of the range. */
const OLD = 'xa-ninh-van';
const PROCEDURE = '1.001193';
/** Two versions of one instrument (a wording change) and another instrument. */
const V1 = 'aaaaaaaaaaaaaaaa';
const V2 = 'bbbbbbbbbbbbbbbb';
const OTHER = 'cccccccccccccccc';
const DAYS = ['2024-03-10', '2024-11-20', '2025-02-14'] as const;
const RANGE = { from: '2024-01-01', to: '2025-06-30' } as const;

/** One written response: what the test knows it wrote. */
interface Written {
  unit: string;
  version: string;
  day: string;
  verified: boolean;
  procedure: string | undefined;
  cells: RollupCellRow[];
}

const written: Written[] = [];

/** 30 responses, 18 in A and 12 in B; every 4th of version V2, every 5th verified, every 2nd with
 * the procedure; one likert bucket and a numeric aggregate each, as api/scoring writes them. */
function response(i: number): Written {
  const x = (i % 5) / 4;
  return {
    unit: i < 18 ? A : B,
    version: i % 4 === 0 ? V2 : V1,
    day: DAYS[i % 3]!,
    verified: i % 5 === 0,
    procedure: i % 2 === 0 ? PROCEDURE : undefined,
    cells: [
      { metric: '_responses', value: '', n: 1, sum: 0, sumsq: 0 },
      { metric: 'q1', value: String(1 + (i % 5)), n: 1, sum: 0, sumsq: 0 },
      { metric: '_sipas', value: '', n: 1, sum: x, sumsq: x * x },
    ],
  };
}

let tmp: string;
let db: Db;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'gopy-stats-db-'));
  db = await openDb({ url: `file:${join(tmp, 'stats.db')}` });
  await migrate(db.client);
  const unit = (id: string, parent: string | undefined, kind: string, validTo?: string): UnitRow => ({
    id,
    parent,
    kind,
    name: { vi: id, en: id },
    valid_from: '2000-01-01',
    valid_to: validTo,
  });
  await syncContent(
    db.client,
    [
      unit(PROVINCE, undefined, 'tinh'),
      unit(DISTRICT, PROVINCE, 'thi-xa', '2025-06-30'),
      unit(A, DISTRICT, 'phuong', '2025-06-30'),
      unit(B, DISTRICT, 'xa', '2025-06-30'),
      unit(C, DISTRICT, 'xa', '2025-06-30'),
      unit(OLD, DISTRICT, 'xa', '2024-10-31'),
      unit('so-y-te', PROVINCE, 'so'),
    ],
    [
      {
        code: PROCEDURE,
        name: { vi: 'Thủ tục', en: 'Procedure' },
        field: 'ho-tich',
        level: 'xa',
        processing_days: 5,
        units: [A],
      },
    ],
  );
  await saveInstrumentVersions(
    db.client,
    [
      { version: V1, instrument_id: 'sipas', kind: 'sipas', definition: '{}' },
      { version: V2, instrument_id: 'sipas', kind: 'sipas', definition: '{}' },
      { version: OTHER, instrument_id: 'quay', kind: 'counter', definition: '{}' },
    ],
    new Date('2024-01-01T00:00:00Z'),
  );
  for (let i = 0; i < 30; i++) {
    const w = response(i);
    written.push(w);
    await db.client.batch(
      responseStatements({
        instrumentVersion: w.version,
        unitId: w.unit,
        procedureCode: w.procedure,
        counter: undefined,
        dossierId: undefined,
        verified: w.verified,
        locale: 'vi',
        day: w.day,
        at: new Date(`${w.day}T03:00:00Z`),
        idempotencyKey: `stats-db-${i}`,
        requestHash: 'x',
        answers: { q1: w.cells[1]!.value },
        cells: w.cells,
        rollupUnits: await unitWithAncestors(db.client, w.unit),
      }),
      'write',
    );
  }
  // Dossiers returned on the last day: A 4 (1 late, 1 without procedure), B 2 (1 late).
  const returned = new Date(`${DAYS[2]}T03:00:00Z`);
  const dossier = (unitId: string, i: number, late: boolean, procedure = true): DossierInput => ({
    unitId,
    code: `D-${unitId}-${i}`,
    procedureCode: procedure ? PROCEDURE : undefined,
    receivedAt: new Date(returned.getTime() - 5 * 86_400_000),
    dueAt: new Date(returned.getTime() + (late ? -3_600_000 : 3_600_000)),
    returnedAt: returned,
  });
  await registerDossiers(
    db.client,
    [
      dossier(A, 0, true),
      dossier(A, 1, false),
      dossier(A, 2, false),
      dossier(A, 3, false, false),
      dossier(B, 0, true),
      dossier(B, 1, false),
    ],
    { now: returned, tokenTtlDays: 30 },
  );
});

afterAll(() => {
  db.close();
  rmSync(tmp, { recursive: true, force: true });
});

const q = (unitId: string, extra: Partial<RatingQuery> = {}): RatingQuery => ({
  unitId,
  instrumentVersions: [V1, V2],
  ...RANGE,
  procedureCode: '',
  ...extra,
});

type Sums = Map<string, [number, number, number]>;

/** Cells keyed "verified|metric|value" → [n, sum, sumsq]. */
function sumCells(lists: readonly (readonly (RollupCellRow & { verified: boolean })[])[]): Sums {
  const out: Sums = new Map();
  for (const list of lists)
    for (const c of list) {
      const k = `${c.verified}|${c.metric}|${c.value}`;
      const seen = out.get(k) ?? [0, 0, 0];
      out.set(k, [seen[0] + c.n, seen[1] + c.sum, seen[2] + c.sumsq]);
    }
  return out;
}

/** What was written for the responses that pass `keep`, as cells. */
function writtenSums(keep: (w: Written) => boolean): Sums {
  return sumCells(written.filter(keep).map((w) => w.cells.map((c) => ({ ...c, verified: w.verified }))));
}

function expectSameSums(actual: Sums, expected: Sums): void {
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [k, [n, sum, sumsq]] of expected) {
    const [n2, sum2, sumsq2] = actual.get(k)!;
    expect(n2, k).toBe(n);
    expect(sum2, k).toBeCloseTo(sum, 9);
    expect(sumsq2, k).toBeCloseTo(sumsq, 9);
  }
}

const responsesOf = (cells: StatsCell[]) => cells.filter((c) => c.metric === '_responses').reduce((a, c) => a + c.n, 0);

describe('ratingCells', () => {
  it('a commune holds what was written for it; a district is the sum of its communes; the province the same', async () => {
    const [a, b, district, province] = await Promise.all(
      [A, B, DISTRICT, PROVINCE].map((u) => ratingCells(db.client, q(u))),
    );
    expectSameSums(
      sumCells([a!]),
      writtenSums((w) => w.unit === A),
    );
    expectSameSums(
      sumCells([b!]),
      writtenSums((w) => w.unit === B),
    );
    expectSameSums(sumCells([district!]), sumCells([a!, b!]));
    expectSameSums(sumCells([province!]), sumCells([district!]));
    expect(responsesOf(province!)).toBe(30);
    expect(await ratingCells(db.client, q(C))).toEqual([]);
  });

  it('filters by trust level', async () => {
    const verified = await ratingCells(db.client, q(DISTRICT, { verified: true }));
    const open = await ratingCells(db.client, q(DISTRICT, { verified: false }));
    expectSameSums(
      sumCells([verified]),
      writtenSums((w) => w.verified),
    );
    expectSameSums(
      sumCells([open]),
      writtenSums((w) => !w.verified),
    );
    expect(responsesOf(verified)).toBe(6);
  });

  it('filters by procedure: "" holds every response, a code only its own', async () => {
    const proc = await ratingCells(db.client, q(DISTRICT, { procedureCode: PROCEDURE }));
    expectSameSums(
      sumCells([proc]),
      writtenSums((w) => w.procedure === PROCEDURE),
    );
    expect(responsesOf(proc)).toBe(15);
    expect(await ratingCells(db.client, q(DISTRICT, { procedureCode: '1.002809' }))).toEqual([]);
  });

  it('filters by days (both ends included) and by instrument versions', async () => {
    const one = await ratingCells(db.client, q(DISTRICT, { from: DAYS[0], to: DAYS[0] }));
    expectSameSums(
      sumCells([one]),
      writtenSums((w) => w.day === DAYS[0]),
    );
    expect(await ratingCells(db.client, q(DISTRICT, { from: '2023-01-01', to: '2023-12-31' }))).toEqual([]);
    const v2 = await ratingCells(db.client, q(DISTRICT, { instrumentVersions: [V2] }));
    expectSameSums(
      sumCells([v2]),
      writtenSums((w) => w.version === V2),
    );
    expect(await ratingCells(db.client, q(DISTRICT, { instrumentVersions: [OTHER] }))).toEqual([]);
    expect(await ratingCells(db.client, q(DISTRICT, { instrumentVersions: [] }))).toEqual([]);
  });
});

describe('ratingSeries and ratingCellsByUnit', () => {
  it('each period holds its days, and the periods add up to the whole range', async () => {
    const whole = await ratingCells(db.client, q(DISTRICT));
    const expected = {
      year: ['2024', '2025'],
      quarter: ['2024-Q1', '2024-Q4', '2025-Q1'],
      month: ['2024-03', '2024-11', '2025-02'],
    };
    for (const period of ['year', 'quarter', 'month'] as const) {
      const series = await ratingSeries(db.client, q(DISTRICT), period);
      expect([...series.keys()].sort()).toEqual(expected[period]);
      expectSameSums(sumCells([...series.values()]), sumCells([whole]));
      for (const key of series.keys()) expect(periodsBetween(RANGE.from, RANGE.to, period)).toContain(key);
    }
    const years = await ratingSeries(db.client, q(DISTRICT), 'year');
    expectSameSums(
      sumCells([years.get('2024')!]),
      writtenSums((w) => w.day.startsWith('2024')),
    );
  });

  it('one query for several units gives what one query per unit gives', async () => {
    const { unitId: _u, ...rest } = q(DISTRICT);
    const byUnit = await ratingCellsByUnit(db.client, [A, B, C], rest);
    expect([...byUnit.keys()].sort()).toEqual([A, B]);
    for (const u of [A, B]) expectSameSums(sumCells([byUnit.get(u)!]), sumCells([await ratingCells(db.client, q(u))]));
    expect((await ratingCellsByUnit(db.client, [], rest)).size).toBe(0);
  });
});

describe('dossier timeliness', () => {
  const d = (unitId: string, procedureCode = '') => ({ unitId, ...RANGE, procedureCode });

  it('is kept for the unit and every ancestor, per procedure and for all procedures', async () => {
    expect(await dossierTimeliness(db.client, d(A))).toEqual({ total: 4, onTime: 3 });
    expect(await dossierTimeliness(db.client, d(A, PROCEDURE))).toEqual({ total: 3, onTime: 2 });
    expect(await dossierTimeliness(db.client, d(B))).toEqual({ total: 2, onTime: 1 });
    expect(await dossierTimeliness(db.client, d(DISTRICT))).toEqual({ total: 6, onTime: 4 });
    expect(await dossierTimeliness(db.client, d(PROVINCE))).toEqual({ total: 6, onTime: 4 });
    expect(await dossierTimeliness(db.client, d(PROVINCE, PROCEDURE))).toEqual({ total: 5, onTime: 3 });
    expect(await dossierTimeliness(db.client, d(C))).toEqual({ total: 0, onTime: 0 });
    expect(await dossierTimeliness(db.client, { ...d(PROVINCE), from: '2025-02-15' })).toEqual({ total: 0, onTime: 0 });
    const series = await dossierSeries(db.client, d(DISTRICT), 'quarter');
    expect([...series.entries()]).toEqual([['2025-Q1', { total: 6, onTime: 4 }]]);
    const byUnit = await dossierTimelinessByUnit(db.client, [A, B, C], d(DISTRICT));
    expect(Object.fromEntries(byUnit)).toEqual({ [A]: { total: 4, onTime: 3 }, [B]: { total: 2, onTime: 1 } });
    expect((await dossierTimelinessByUnit(db.client, [], d(DISTRICT))).size).toBe(0);
  });
});

describe('query plans', () => {
  async function plan(stmt: InStatement): Promise<string> {
    const s = typeof stmt === 'string' ? { sql: stmt, args: [] } : stmt;
    const rs = await db.client.execute({ sql: `EXPLAIN QUERY PLAN ${s.sql}`, args: s.args ?? [] });
    return rs.rows.map((r) => String(r.detail)).join('\n');
  }

  it('every statistics query is a range of a rollup primary key, never a scan', async () => {
    const rq = q(DISTRICT);
    const filtered = { ...rq, verified: true, procedureCode: PROCEDURE };
    const { unitId: _u, ...rest } = filtered;
    const dq = { unitId: DISTRICT, ...RANGE, procedureCode: '' };
    // A range that starts and ends mid-month: whole months from the monthly table, edge days from
    // the daily one.
    const mid = { from: '2024-01-15', to: '2025-06-20' };
    const ratingCases = [
      ...ratingCellsStatements({ ...rq, ...mid }),
      ...ratingCellsStatements({ ...filtered, ...mid }),
      ...ratingSeriesStatements({ ...rq, ...mid }, 'quarter'),
      ...ratingCellsByUnitStatements([A, B], { ...rest, ...mid }),
    ];
    expect(ratingCases.length).toBe(12);
    const cases: [string, InStatement][] = [
      ...ratingCases.map((stmt): [string, InStatement] => [
        typeof stmt !== 'string' && stmt.sql.includes('rating_rollups_month')
          ? 'rating_rollups_month'
          : 'rating_rollups',
        stmt,
      ]),
      ['dossier_rollups', dossierTimelinessStatement(dq)],
      ['dossier_rollups', dossierSeriesStatement(dq, 'month')],
      ['dossier_rollups', dossierTimelinessByUnitStatement([A, B], dq)],
    ];
    for (const [table, stmt] of cases) {
      const text = await plan(stmt);
      // e.g. "SEARCH rating_rollups USING PRIMARY KEY (unit_id=? AND instrument_version=? AND day>? AND day<?)"
      const key = table.startsWith('rating_rollups')
        ? 'unit_id=\\? AND instrument_version=\\? AND '
        : 'unit_id=\\? AND ';
      const range =
        table === 'rating_rollups_month' ? 'procedure_code=\\? AND month>\\? AND month<\\?' : 'day>\\? AND day<\\?';
      expect(text, text).toMatch(new RegExp(`^SEARCH ${table} USING PRIMARY KEY \\(${key}${range}\\)`));
      expect(text, text).not.toMatch(/\bSCAN\b/);
      expect(text, text).not.toMatch(/\b(answers|responses|dossiers)\b/);
    }
  });
});

describe('units, procedures, instruments and periods', () => {
  it('childrenOf lists the units below that existed at some time in the range', async () => {
    expect((await childrenOf(db.client, DISTRICT)).map((u) => u.id).sort()).toEqual([A, C, OLD, B].sort());
    expect((await childrenOf(db.client, DISTRICT, '2024-11-01', '2025-06-30')).map((u) => u.id)).not.toContain(OLD);
    expect((await childrenOf(db.client, PROVINCE, '2025-07-01', '2025-12-31')).map((u) => u.id)).toEqual(['so-y-te']);
    expect(await findUnit(db.client, A)).toEqual({
      id: A,
      parentId: DISTRICT,
      kind: 'phuong',
      name: { vi: A, en: A },
      validFrom: '2000-01-01',
      validTo: '2025-06-30',
    });
    expect(await findUnit(db.client, 'khong-co')).toBeUndefined();
    expect(await procedureExists(db.client, PROCEDURE)).toBe(true);
    expect(await procedureExists(db.client, '9.999999')).toBe(false);
  });

  it('instrumentVersionsOf lists every stored version of an instrument', async () => {
    expect((await instrumentVersionsOf(db.client, 'sipas')).map((v) => v.version).sort()).toEqual([V1, V2]);
    expect(await instrumentVersionsOf(db.client, 'khong-co')).toEqual([]);
  });

  it('periodsBetween lists every period key of the range', () => {
    expect(periodsBetween('2024-11-15', '2025-02-01', 'quarter')).toEqual(['2024-Q4', '2025-Q1']);
    expect(periodsBetween('2024-11-15', '2025-02-01', 'month')).toEqual(['2024-11', '2024-12', '2025-01', '2025-02']);
    expect(periodsBetween('2024-11-15', '2025-02-01', 'year')).toEqual(['2024', '2025']);
    expect(periodsBetween('2025-03-01', '2025-03-31', 'quarter')).toEqual(['2025-Q1']);
    expect(periodsBetween('2024-01-01', '2025-12-31', 'quarter')).toHaveLength(8);
  });
});

describe('rangeParts', () => {
  it('reads whole months from the monthly table and the edge days from the daily one', () => {
    expect(rangeParts('2025-01-01', '2025-12-31')).toEqual([
      { table: 'rating_rollups_month', column: 'month', from: '2025-01', to: '2025-12' },
    ]);
    expect(rangeParts('2025-01-15', '2025-03-10')).toEqual([
      { table: 'rating_rollups_month', column: 'month', from: '2025-02', to: '2025-02' },
      { table: 'rating_rollups', column: 'day', from: '2025-01-15', to: '2025-01-31' },
      { table: 'rating_rollups', column: 'day', from: '2025-03-01', to: '2025-03-10' },
    ]);
    expect(rangeParts('2024-02-03', '2024-02-29')).toEqual([
      { table: 'rating_rollups', column: 'day', from: '2024-02-03', to: '2024-02-29' },
    ]);
    expect(rangeParts('2024-02-01', '2024-02-29')).toEqual([
      { table: 'rating_rollups_month', column: 'month', from: '2024-02', to: '2024-02' },
    ]);
    expect(rangeParts('2025-03-02', '2025-03-01')).toEqual([]);
  });
});
