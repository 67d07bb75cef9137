/**
 * GET /api/v1/stats/… (issue #3) through `createApp(...).request()` over a real temp libSQL file
 * with ratings written through the real POST /api/v1/responses (api/stats/fixtures.ts).
 *
 * THE KEY TEST recomputes every served figure from the raw `responses`, `answers` and `dossiers`
 * rows with plain SQL and arithmetic written here (not api/scoring, not the rollups) and compares.
 * Also: subtree sums, trust labels, suppression below STATS_MIN_N, the ranking flag and targets
 * from content/reform.yaml, CSV = JSON, the data dictionary covers every column and field, the
 * OpenAPI document, caching, and the 422 problems.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv as parseCsvRows } from '../contracts/csv.ts';
import type { Instrument } from '../contracts/instrument.ts';
import {
  csvColumns,
  type CsvColumn,
  type DossiersResult,
  type Figure,
  type RatingsResult,
} from '../contracts/stats.ts';
import { openHarness, type Harness } from '../test-harness.ts';
import {
  COMMUNE_A,
  COMMUNE_B,
  DISTRICT,
  PROCEDURE,
  PROVINCE,
  RANGE,
  SPAN,
  STATS_CONFIG,
  seedStats,
  type Seeded,
} from '../stats/fixtures.ts';

let h: Harness;
let s: Seeded;

beforeAll(async () => {
  h = await openHarness('stats-api');
  s = await seedStats(h);
}, 60_000);

afterAll(() => h.close());

type Params = Record<string, string>;

async function get(path: string, params: Params = {}, app = s.app): Promise<Response> {
  const qs = new URLSearchParams(params).toString();
  return app.request(`/api/v1${path}${qs ? `?${qs}` : ''}`);
}

async function ratings(params: Params, app = s.app): Promise<RatingsResult> {
  const res = await get('/stats/ratings', { span: SPAN, ...params }, app);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as RatingsResult;
}

async function dossiers(params: Params): Promise<DossiersResult> {
  const res = await get('/stats/dossiers', { span: SPAN, ...params });
  expect(res.status).toBe(200);
  return (await res.json()) as DossiersResult;
}

// ── Independent recomputation from the raw rows ─────────────────────────────────────────────────

const MIN_N = 10;

/** Wilson 95 % interval, written out again here: the tests must not trust the code under test. */
function wilsonPct(p: number, n: number): [number, number] {
  const z = 1.96;
  const d = 1 + (z * z) / n;
  const c = (p + (z * z) / (2 * n)) / d;
  const half = (z / d) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return [Math.max(0, c - half) * 100, Math.min(1, c + half) * 100];
}

interface Expected {
  n: number;
  value: number | null;
  low: number | null;
  high: number | null;
}

const share = (count: number, n: number): Expected =>
  n < MIN_N || n === 0
    ? { n, value: null, low: null, high: null }
    : { n, value: (100 * count) / n, low: wilsonPct(count / n, n)[0], high: wilsonPct(count / n, n)[1] };

/** Figures shown and hidden by the checks below: a test that saw no shown figure proves nothing. */
const seen = { shown: 0, hidden: 0 };

/** A served count: the number, or null (fewer than min n, or a complementary cell) when hidden. */
function expectCount(actual: number | null, expected: number, what: string): void {
  if (actual === null) expect(expected, `${what}: a hidden count hides someone`).toBeGreaterThan(0);
  else expect(actual, what).toBe(expected);
}

const csvNum = (x: number | null) => (x === null ? '' : String(x));

/**
 * A served figure is either the recomputation rounded to 0.1 (issue #7: as the table shows it), or
 * hidden: n, value and interval withheld. Below min n it must be hidden; above, it may be hidden
 * only as a complementary cell (api/stats/disclosure.ts), which the audit test checks.
 */
function expectFigure(actual: Figure, expected: Expected, what: string): void {
  if (expected.value === null || actual.suppressed) {
    seen.hidden++;
    expect(actual.suppressed, `${what}: suppressed`).toBe(true);
    expect(actual.n, `${what}: n`).toBe(expected.n === 0 ? 0 : null);
    for (const k of ['value', 'low', 'high'] as const) expect(actual[k], `${what}: ${k}`).toBeNull();
    return;
  }
  seen.shown++;
  expect(actual.n, `${what}: n`).toBe(expected.n);
  for (const k of ['value', 'low', 'high'] as const) {
    expect(actual[k], `${what}: ${k}`).toBeCloseTo(expected[k]!, 1);
    expect(Math.abs(actual[k]! - expected[k]!), `${what}: ${k} rounded`).toBeLessThanOrEqual(0.05 + 1e-9);
    expect(Math.round(actual[k]! * 10) / 10, `${what}: ${k} has one decimal`).toBe(actual[k]);
  }
}

/** Every unit at or below `root`, from the parent links of the units table. */
async function subtree(root: string): Promise<Set<string>> {
  const rs = await h.db.client.execute('SELECT id, parent_id FROM units');
  const out = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const r of rs.rows)
      if (r.parent_id !== null && out.has(String(r.parent_id)) && !out.has(String(r.id))) {
        out.add(String(r.id));
        grew = true;
      }
  }
  return out;
}

interface RawResponse {
  id: number;
  verified: boolean;
  answers: Map<string, string[]>;
}

/** The raw responses of an instrument in a unit's subtree and a range of days. */
async function raw(
  instrumentId: string,
  unit: string,
  opts: { from?: string; to?: string; trust?: 'verified' | 'self-selected'; procedure?: string } = {},
): Promise<RawResponse[]> {
  const units = await subtree(unit);
  const rs = await h.db.client.execute({
    sql: `SELECT r.id, r.unit_id, r.day, r.verified, r.procedure_code, a.question_id, a.value
          FROM responses r JOIN instrument_versions v ON v.version = r.instrument_version
          LEFT JOIN answers a ON a.response_id = r.id
          WHERE v.instrument_id = ? ORDER BY r.id`,
    args: [instrumentId],
  });
  const byId = new Map<number, RawResponse>();
  for (const r of rs.rows) {
    const day = String(r.day);
    if (!units.has(String(r.unit_id))) continue;
    if (day < (opts.from ?? RANGE.from) || day > (opts.to ?? RANGE.to)) continue;
    if (opts.trust && (Number(r.verified) === 1) !== (opts.trust === 'verified')) continue;
    if (opts.procedure && r.procedure_code !== opts.procedure) continue;
    const id = Number(r.id);
    let resp = byId.get(id);
    if (!resp) byId.set(id, (resp = { id, verified: Number(r.verified) === 1, answers: new Map() }));
    if (r.question_id !== null) {
      const list = resp.answers.get(String(r.question_id)) ?? [];
      list.push(String(r.value));
      resp.answers.set(String(r.question_id), list);
    }
  }
  return [...byId.values()];
}

/** Top-2 box of one likert question: [answered, answered 4 or 5]. */
function topTwo(rows: RawResponse[], q: string): [number, number] {
  const answered = rows.filter((r) => r.answers.has(q));
  return [answered.length, answered.filter((r) => ['4', '5'].includes(r.answers.get(q)![0]!)).length];
}

function expectedSipas(ins: Instrument, rows: RawResponse[]) {
  const factors = ins.factors.map((f) => {
    const criteria = ins.questions.filter((q) => q.role === 'criterion' && q.factor === f.id);
    const tops = criteria.map((q) => topTwo(rows, q.id));
    const n = Math.min(...tops.map(([a]) => a));
    const shares = tops.filter(([a]) => a > 0).map(([a, t]) => t / a);
    const index = shares.reduce((x, y) => x + y, 0) / shares.length;
    const sat = ins.questions.find((q) => q.role === 'factor-satisfaction' && q.factor === f.id)!;
    const [sn, st] = topTwo(rows, sat.id);
    return { n, index, satisfaction: share(st, sn) };
  });
  const n = Math.min(...factors.map((f) => f.n));
  const index = factors.reduce((a, f) => a + f.index, 0) / factors.length;
  const [on, ot] = topTwo(rows, ins.questions.find((q) => q.role === 'overall')!.id);
  const indexFig = (p: number, k: number): Expected =>
    k < MIN_N ? { n: k, value: null, low: null, high: null } : { n: k, value: 100 * p, ...lo(wilsonPct(p, k)) };
  return {
    responses: rows.length,
    index: indexFig(index, n),
    factors: factors.map((f) => ({ index: indexFig(f.index, f.n), satisfaction: f.satisfaction })),
    overall: share(ot, on),
  };
}

const lo = ([low, high]: [number, number]) => ({ low, high });

function expectedCounter(ins: Instrument, rows: RawResponse[]) {
  const q = ins.questions.find((x) => x.role === 'rating')!;
  const answered = rows.filter((r) => r.answers.has(q.id));
  const count = (ids: string[]) => answered.filter((r) => ids.includes(r.answers.get(q.id)![0]!)).length;
  return {
    responses: rows.length,
    satisfied: share(count(['rat-hai-long', 'hai-long']), answered.length),
    options: q.options.map((o) => share(count([o.id]), answered.length)),
    counts: q.options.map((o) => count([o.id])),
  };
}

function expectedEvaluation(ins: Instrument, rows: RawResponse[]) {
  const criteria = ins.questions.filter((q) => q.type === 'score-0-2');
  const max = criteria.reduce((a, q) => a + Math.max(...q.options.map((o) => o.points ?? 0)), 0);
  const totals = rows.map((r) =>
    criteria.reduce((a, q) => a + (q.options.find((o) => o.id === r.answers.get(q.id)?.[0])?.points ?? 0), 0),
  );
  const n = totals.length;
  const mean = totals.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(totals.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1));
  // Student's t (95 %, two-sided) below 30 responses (issue #7 §3), from a printed table.
  const T975: Record<number, number> = { 11: 2.201, 12: 2.179, 16: 2.12 };
  const multiplier = n >= 30 ? 1.96 : T975[n - 1];
  if (multiplier === undefined && n >= MIN_N) throw new Error(`add t for ${n - 1} degrees of freedom`);
  const half = ((multiplier ?? 1.96) * sd) / Math.sqrt(n);
  return {
    responses: n,
    total: totals.reduce((a, b) => a + b, 0),
    score:
      n < MIN_N
        ? { n, value: null, low: null, high: null }
        : { n, value: mean, low: Math.max(0, mean - half), high: Math.min(max, mean + half) },
    grades: ins.grade_bands.map((b) => share(totals.filter((t) => t >= b.min && t <= b.max).length, n)),
  };
}

/** On-time dossiers from the dossiers table, by the Viet Nam day of return. */
async function expectedTimeliness(unit: string, from = RANGE.from, to = RANGE.to) {
  const units = await subtree(unit);
  const rs = await h.db.client.execute('SELECT unit_id, returned_at, on_time FROM dossiers');
  const rows = rs.rows.filter((r) => {
    const day = new Date(Date.parse(String(r.returned_at)) + 7 * 3600_000).toISOString().slice(0, 10);
    return units.has(String(r.unit_id)) && day >= from && day <= to;
  });
  const onTime = rows.filter((r) => Number(r.on_time) === 1).length;
  const n = rows.length;
  const fig = (k: number): Expected =>
    n === 0 ? { n, value: null, low: null, high: null } : { n, value: (100 * k) / n, ...lo(wilsonPct(k / n, n)) };
  return { total: n, onTime: fig(onTime), late: fig(n - onTime) };
}

// ── Tests ───────────────────────────────────────────────────────────────────────────────────────

describe('THE KEY TEST: served figures equal a recomputation from the raw answers', () => {
  for (const unit of [COMMUNE_A, COMMUNE_B, DISTRICT, PROVINCE])
    it(`SIPAS, NĐ 61, one-tap and dossiers of ${unit}`, async () => {
      const sipas = await ratings({ unit, instrument: 'sipas' });
      expect(sipas.summary.kind).toBe('sipas');
      if (sipas.summary.kind !== 'sipas') return;
      const es = expectedSipas(h.instruments.sipas!, await raw('sipas', unit));
      expectCount(sipas.summary.responses, es.responses, 'SIPAS responses');
      expectFigure(sipas.summary.index, es.index, 'SIPAS index');
      sipas.summary.factors.forEach((f, i) => {
        expectFigure(f.index, es.factors[i]!.index, `factor ${f.id}`);
        expectFigure(f.satisfaction!, es.factors[i]!.satisfaction, `factor ${f.id} satisfaction`);
      });
      expectFigure(sipas.summary.overall!, es.overall, 'overall');

      const quay = await ratings({ unit, instrument: 'quay' });
      if (quay.summary.kind !== 'counter') throw new Error('kind');
      const eq = expectedCounter(h.instruments.quay!, await raw('quay', unit));
      expectCount(quay.summary.responses, eq.responses, 'one-tap responses');
      expectFigure(quay.summary.satisfied, eq.satisfied, 'satisfied');
      quay.summary.options.forEach((o, i) => expectFigure(o.share, eq.options[i]!, `option ${o.id}`));

      const nd61 = await ratings({ unit, instrument: 'danh-gia-ho-so' });
      if (nd61.summary.kind !== 'dossier-evaluation') throw new Error('kind');
      const ee = expectedEvaluation(h.instruments['danh-gia-ho-so']!, await raw('danh-gia-ho-so', unit));
      expectCount(nd61.summary.responses, ee.responses, 'NĐ 61 responses');
      expectFigure(nd61.summary.score, ee.score, 'score');
      nd61.summary.grades.forEach((g, i) => expectFigure(g.share, ee.grades[i]!, `grade ${g.id}`));

      const d = await dossiers({ unit });
      const et = await expectedTimeliness(unit);
      expectCount(d.summary.dossiers, et.total, 'dossiers');
      expectFigure(d.summary.on_time, et.onTime, 'on time');
      expectFigure(d.summary.late, et.late, 'late');
    });

  it('per period, per child unit, per trust level and per procedure too', async () => {
    const r = await ratings({ unit: DISTRICT, instrument: 'quay', period: 'quarter' });
    expect(r.series.map((p) => p.period)).toEqual(['2025-Q1', '2025-Q2', '2025-Q3', '2025-Q4']);
    const quarterOf = (p: string) => ({
      from: `${p.slice(0, 4)}-${String((Number(p.slice(6)) - 1) * 3 + 1).padStart(2, '0')}-01`,
      to: `${p.slice(0, 4)}-${String(Number(p.slice(6)) * 3).padStart(2, '0')}-31`,
    });
    for (const p of r.series) {
      if (p.summary.kind !== 'counter') throw new Error('kind');
      const e = expectedCounter(h.instruments.quay!, await raw('quay', DISTRICT, quarterOf(p.period)));
      expectCount(p.summary.responses, e.responses, p.period);
      expectFigure(p.summary.satisfied, e.satisfied, p.period);
    }
    for (const u of r.units) {
      if (u.summary.kind !== 'counter') throw new Error('kind');
      const e = expectedCounter(h.instruments.quay!, await raw('quay', u.unit));
      expectFigure(u.summary.satisfied, e.satisfied, u.unit);
      const t = await expectedTimeliness(u.unit);
      expectFigure(u.late, t.late, `${u.unit} late`);
    }
    for (const trust of ['verified', 'self-selected'] as const) {
      const t = await ratings({ unit: DISTRICT, instrument: 'danh-gia-ho-so', trust });
      if (t.summary.kind !== 'dossier-evaluation') throw new Error('kind');
      const e = expectedEvaluation(h.instruments['danh-gia-ho-so']!, await raw('danh-gia-ho-so', DISTRICT, { trust }));
      expectFigure(t.summary.score, e.score, trust);
    }
    const p = await ratings({ unit: DISTRICT, instrument: 'quay', procedure: PROCEDURE });
    if (p.summary.kind !== 'counter') throw new Error('kind');
    const e = expectedCounter(h.instruments.quay!, await raw('quay', DISTRICT, { procedure: PROCEDURE }));
    expect(p.summary.responses).toBe(20);
    expectFigure(p.summary.satisfied, e.satisfied, 'procedure');
  });

  it('the checks above saw shown figures as well as hidden ones', () => {
    expect(seen.shown).toBeGreaterThan(20);
    expect(seen.hidden).toBeGreaterThan(5);
  });
});

describe('subtrees', () => {
  it("a district's and the province's figures are the sums of their communes'", async () => {
    const [a, b, d, p] = await Promise.all(
      [COMMUNE_A, COMMUNE_B, DISTRICT, PROVINCE].map((unit) => ratings({ unit, instrument: 'quay' })),
    );
    const counts = (r: RatingsResult) =>
      r.summary.kind === 'counter' ? r.summary.options.map((o) => Math.round((o.share.value! * o.share.n!) / 100)) : [];
    expect(a!.summary.responses! + b!.summary.responses!).toBe(40);
    expect(d!.summary.responses).toBe(40);
    expect(p!.summary.responses).toBe(40);
    expect(counts(d!)).toEqual(counts(a!).map((x, i) => x + counts(b!)[i]!));
    expect(counts(p!)).toEqual(counts(d!));

    const [ea, eb, ed] = await Promise.all(
      [COMMUNE_A, COMMUNE_B, DISTRICT].map((unit) => ratings({ unit, instrument: 'danh-gia-ho-so' })),
    );
    // B alone is below min n (5 responses): its figures and its n are not published; the district's
    // are. A (12 responses) is hidden too (issue #7, class "parent − shown children"): otherwise the
    // district minus A would be B.
    expect(eb!.summary.responses).toBeNull();
    expect(ed!.summary.responses).toBe(17);
    if (ea!.summary.kind !== 'dossier-evaluation' || ed!.summary.kind !== 'dossier-evaluation') throw new Error('kind');
    expect(ea!.summary.responses).toBeNull();
    expect(ea!.summary.score).toMatchObject({ n: null, value: null, suppressed: true });
    expect(ed!.summary.score.suppressed).toBe(false);
  });

  it('the children table lists the units below, current ones first, historical ones with their end', async () => {
    const r = await ratings({ unit: DISTRICT, instrument: 'sipas' });
    const ids = r.units.map((u) => u.unit);
    expect(ids).toContain(COMMUNE_A);
    expect(ids).toContain(COMMUNE_B);
    expect(r.units.find((u) => u.unit === COMMUNE_A)!.valid_to).toBe('2025-06-30');
    const sum = r.units.reduce((acc, u) => acc + (u.summary.responses ?? NaN), 0);
    expect(sum).toBe(r.summary.responses);
    // After 1 July 2025 the district is gone: not a child of the province any more.
    const later = await ratings({ unit: PROVINCE, span: '2025-Q3' });
    expect(later.units.map((u) => u.unit)).not.toContain(DISTRICT);
    const earlier = await ratings({ unit: PROVINCE });
    const units = earlier.units.map((u) => u.valid_to === null);
    expect(units.indexOf(false)).toBeGreaterThan(units.lastIndexOf(true));
  });
});

describe('labels and suppression', () => {
  it('labels each figure by what it rests on', async () => {
    const all = await ratings({ unit: DISTRICT, instrument: 'danh-gia-ho-so' });
    expect(all.label).toBe('mixed');
    expect(all.summary.responses).toBe(17);
    // 5 self-selected are below min n; the 12 verified are hidden with them (issue #7, class
    // "all − self-selected"): otherwise all − verified would give the 5.
    const v = await ratings({ unit: DISTRICT, instrument: 'danh-gia-ho-so', trust: 'verified' });
    expect([v.label, v.summary.responses]).toEqual(['verified sample', null]);
    const o = await ratings({ unit: DISTRICT, instrument: 'danh-gia-ho-so', trust: 'self-selected' });
    expect([o.label, o.summary.responses]).toEqual(['self-selected', null]);
    const a = await ratings({ unit: COMMUNE_A, instrument: 'danh-gia-ho-so' });
    expect(a.label).toBe('verified sample');
    const q = await ratings({ unit: DISTRICT, instrument: 'quay' });
    expect(q.label).toBe('self-selected');
    expect((await dossiers({ unit: DISTRICT })).label).toBe('records');
  });

  it('below STATS_MIN_N a figure loses its n ("fewer than min n"), its value and its interval', async () => {
    const o = await ratings({ unit: DISTRICT, instrument: 'danh-gia-ho-so', trust: 'self-selected' });
    if (o.summary.kind !== 'dossier-evaluation') throw new Error('kind');
    expect(o.summary.score).toEqual({ n: null, value: null, low: null, high: null, suppressed: true, max: 18 });
    for (const g of o.summary.grades)
      expect(g.share).toEqual({ n: null, value: null, low: null, high: null, suppressed: true });
    // An empty commune: n 0, nothing else.
    const empty = await ratings({ unit: DISTRICT, instrument: 'sipas' });
    const none = empty.units.find((u) => u.unit === 'xa-ninh-dong')!;
    expect(none.summary.responses).toBe(0);
    if (none.summary.kind !== 'sipas') throw new Error('kind');
    expect(none.summary.index).toEqual({ n: 0, value: null, low: null, high: null, suppressed: true });

    // The CSV says the same: no n, no value, suppressed true.
    const csv = parseCsv(
      await (
        await get('/stats/ratings.csv', {
          span: SPAN,
          unit: DISTRICT,
          instrument: 'danh-gia-ho-so',
          trust: 'self-selected',
        })
      ).text(),
    );
    const row = csv.find((r) => r.metric === 'score_mean' && r.unit === DISTRICT && r.period === SPAN)!;
    expect(row).toMatchObject({ n: '', value: '', low: '', high: '', suppressed: 'true', label: 'self-selected' });

    // With a lower minimum the same cell is published.
    const lower = h.app({ ...STATS_CONFIG, STATS_MIN_N: '5' });
    const shown = await ratings({ unit: DISTRICT, instrument: 'danh-gia-ho-so', trust: 'self-selected' }, lower);
    expect(shown.min_n).toBe(5);
    if (shown.summary.kind !== 'dossier-evaluation') throw new Error('kind');
    expect(shown.summary.score.suppressed).toBe(false);
    expect(shown.summary.score.value).toEqual(expect.any(Number));
  });

  it('dossier shares get the same minimum n as ratings (issue #7 part 3), with complementary cells', async () => {
    const d = await dossiers({ unit: DISTRICT });
    expect(d.min_n).toBe(10);
    const b = d.units.find((u) => u.unit === COMMUNE_B)!;
    expect(b.summary.dossiers).toBeNull();
    expect(b.summary.late).toEqual({ n: null, value: null, low: null, high: null, suppressed: true });
    // A's 12 are hidden too, or the district's 15 minus A's 12 would give B's 3.
    expect(d.units.find((u) => u.unit === COMMUNE_A)!.summary.dossiers).toBeNull();
    expect(d.summary).toMatchObject({ dossiers: 15, late: { n: 15, value: 20, suppressed: false } });
    expect(d.units.find((u) => u.unit === 'xa-ninh-dong')!.summary.late).toEqual({
      n: 0,
      value: null,
      low: null,
      high: null,
      suppressed: true,
    });
  });
});

describe('ranking flag and targets (content/reform.yaml)', () => {
  it('flags children with late ≥ 5 % or satisfaction ≤ 80 %, thresholds from the province rule', async () => {
    const r = await ratings({ unit: DISTRICT, instrument: 'quay' });
    expect(r.thresholds).toEqual({
      late: { value: 5, target: 'khanh-hoa-rule-good-rank-late-dossiers' },
      satisfaction: { value: 80, target: 'khanh-hoa-rule-good-rank-sipas' },
    });
    const a = r.units.find((u) => u.unit === COMMUNE_A)!;
    // A's late share (2 of 12) is hidden to protect B's 3 dossiers (docs/statistics.md), so the
    // verdict cannot rest on it: undetermined, and said so.
    expect(a.verdict.conditions[0]).toEqual({ condition: 'late', status: 'undetermined', reason: 'too-few' });
    // Satisfaction rests on the SIPAS index, never on the one-tap share (60 % satisfied at the
    // counter, a different scale). A's 18 open SIPAS responses answer every criterion only 8 times:
    // too few to judge, and said so.
    expect(a.verdict.satisfaction_basis).toBeNull();
    expect(a.verdict.conditions[1]).toEqual({ condition: 'satisfaction', status: 'undetermined', reason: 'too-few' });
    expect(a.verdict.verdict).toBe('undetermined');
    expect(a.flag).toEqual({ flagged: false, reasons: [], unknown: ['late', 'satisfaction'] });
    const none = r.units.find((u) => u.unit === 'xa-ninh-dong')!;
    expect(none.flag).toEqual({ flagged: false, reasons: [], unknown: ['late', 'satisfaction'] });
    expect(none.verdict).toMatchObject({ verdict: 'undetermined', satisfaction_basis: null });
    expect(none.verdict.conditions.map((c) => c.reason)).toEqual(['no-data', 'no-data']);
  });

  it('gives one verdict per unit and range, identical whatever instrument or trust level is shown (issue #7 §3)', async () => {
    const views = await Promise.all(
      (
        [
          { instrument: 'sipas' },
          { instrument: 'quay' },
          { instrument: 'danh-gia-ho-so' },
          { instrument: 'sipas', trust: 'verified' },
          { instrument: 'quay', trust: 'self-selected' },
        ] as Params[]
      ).map((p) => ratings({ unit: DISTRICT, ...p })),
    );
    const [first, ...rest] = views.map((v) => ({
      own: v.verdict,
      units: v.units.map((u) => [u.unit, u.verdict, u.flag]),
    }));
    for (const v of rest) expect(v).toEqual(first);
    // NĐ 61 shown: satisfaction is still judged on the SIPAS index of the unit.
    const sipasA = views[0]!.units.find((u) => u.unit === COMMUNE_A)!.summary;
    expect(sipasA.kind === 'sipas' && sipasA.index.n).toBe(
      views[2]!.units.find((u) => u.unit === COMMUNE_A)!.verdict.satisfaction.n,
    );
  });

  it('says which sample the SIPAS headline rests on', async () => {
    const r = await ratings({ unit: DISTRICT, instrument: 'sipas' });
    expect(r.summary.kind === 'sipas' && r.summary.index.n).toBe(r.sipas_samples!['self-selected'].n);
    expect(r.sipas_samples!['verified sample']).toMatchObject({ n: 0, suppressed: true });
    expect(r.sipas_samples!.all.value).toBe(r.verdict.satisfaction.value);
    expect(r.verdict.satisfaction_basis).toBe('self-selected');
    expect((await ratings({ unit: DISTRICT, instrument: 'quay' })).sipas_samples).toBeNull();
  });

  it("lists the unit's own targets for the indicator in the years of the range", async () => {
    const p = await ratings({ unit: PROVINCE, instrument: 'sipas' });
    expect(p.targets.map((t) => t.id)).toEqual(['khanh-hoa-rule-good-rank-sipas']);
    expect(p.targets[0]).toMatchObject({ comparator: '>', value: 80, unit_of_measure: 'percent' });
    const n2022 = await ratings({ unit: DISTRICT, instrument: 'sipas', span: '2022' });
    expect(n2022.targets.map((t) => t.id)).toEqual(['ninh-hoa-2022-sipas']);
    expect((await ratings({ unit: DISTRICT, instrument: 'sipas' })).targets).toEqual([]);
    const d = await dossiers({ unit: PROVINCE });
    expect(d.targets.map((t) => t.id)).toContain('khanh-hoa-rule-good-rank-late-dossiers');
  });
});

describe('query', () => {
  it('defaults: the province, SIPAS, this calendar year by year, every response', async () => {
    s.setNow(new Date('2025-02-14T20:00:00Z')); // 15 February in Viet Nam
    const res = await get('/stats/ratings');
    expect(res.status).toBe(200);
    const r = (await res.json()) as RatingsResult;
    expect(r.query).toMatchObject({
      unit: PROVINCE,
      instrument: 'sipas',
      span: '2025',
      period: 'year',
      from: '2025-01-01',
      to: '2025-12-31',
      trust: 'all',
      procedure: '',
      instrument_versions: [h.versions.sipas],
    });
    expect(r.series.map((p) => p.period)).toEqual(['2025']);
    expect(r.min_n).toBe(10);
  });

  it('answers are cacheable for a minute; problems are not', async () => {
    for (const path of [
      '/stats/ratings',
      '/stats/ratings.csv',
      '/stats/dossiers',
      '/stats/dossiers.csv',
      '/stats/dictionary',
    ])
      expect((await get(path)).headers.get('cache-control'), path).toBe('public, max-age=60');
    expect((await get('/stats/ratings', { unit: 'khong-co' })).headers.get('cache-control')).toBe('no-store');
  });

  async function problem(path: string, params: Params, code: string): Promise<{ path: string; code: string }[]> {
    const res = await get(path, params);
    expect(res.status, JSON.stringify(params)).toBe(422);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const body = (await res.json()) as { code: string; errors?: { path: string; code: string }[] };
    expect(body.code, JSON.stringify(params)).toBe(code);
    return body.errors ?? [];
  }

  it('refuses an unknown unit, instrument or procedure and bad dates with 422 problems', async () => {
    for (const path of ['/stats/ratings', '/stats/ratings.csv', '/stats/dossiers', '/stats/dossiers.csv']) {
      expect(await problem(path, { unit: 'khong-co' }, 'unknown_unit')).toEqual([
        { path: 'unit', code: 'invalid_value' },
      ]);
      expect(await problem(path, { procedure: '9.999999' }, 'unknown_procedure')).toEqual([
        { path: 'procedure', code: 'invalid_value' },
      ]);
      // Fixed periods only (issue #7): two free ranges a day apart would isolate one answer.
      expect(await problem(path, { from: '2025-03-01' }, 'fixed_periods_only')).toEqual([
        { path: 'from', code: 'invalid_value' },
      ]);
      expect(await problem(path, { span: '2025', to: '2025-03-02' }, 'fixed_periods_only')).toEqual([
        { path: 'to', code: 'invalid_value' },
      ]);
      for (const span of ['2025-13', '2025-Q5', '25', '2025-03-01', '2025/2026'])
        expect((await problem(path, { span }, 'validation_failed'))[0]!.path).toBe('span');
      expect((await problem(path, { period: 'week' }, 'validation_failed'))[0]!.path).toBe('period');
      expect((await problem(path, { trust: 'some' }, 'validation_failed'))[0]!.path).toBe('trust');
      expect((await problem(path, { procedure: 'abc' }, 'validation_failed'))[0]!.path).toBe('procedure');
    }
    for (const instrument of ['khong-co', 'danh-gia-tra-loi', 'SIPAS'])
      expect(await problem('/stats/ratings', { instrument }, 'unknown_instrument')).toEqual([
        { path: 'instrument', code: 'invalid_value' },
      ]);
  });
});

/** Our CSV (api/contracts/csv.ts) keyed by the header, which must be `csvColumns`. */
function parseCsv(text: string): Record<CsvColumn, string>[] {
  // Response.text() drops the byte-order mark (the CSV test checks the bytes).
  expect(text.startsWith('\uFEFF')).toBe(false);
  const [header, ...body] = parseCsvRows(text);
  expect(header).toEqual([...csvColumns]);
  return body.map((r) => Object.fromEntries(csvColumns.map((c, i) => [c, r[i] ?? ''])) as Record<CsvColumn, string>);
}

describe('CSV and the data dictionary', () => {
  it('the CSV holds the JSON figures: whole range, every period and every child unit', async () => {
    const params = { span: SPAN, unit: DISTRICT, instrument: 'sipas', period: 'quarter' };
    const json = (await (await get('/stats/ratings', params)).json()) as RatingsResult;
    const res = await get('/stats/ratings.csv', params);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    // A byte-order mark, so that Excel opens the Vietnamese text as UTF-8.
    expect([...new Uint8Array(await res.clone().arrayBuffer()).slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="ratings-${DISTRICT}-${SPAN}.csv"`);
    const rows = parseCsv(await res.text());
    const find = (unit: string, period: string, metric: string) =>
      rows.find((r) => r.unit === unit && r.period === period && r.metric === metric)!;
    if (json.summary.kind !== 'sipas') throw new Error('kind');
    const whole = SPAN;
    const idx = find(DISTRICT, whole, 'sipas_index');
    expect(idx.n).toBe(csvNum(json.summary.index.n));
    expect(idx.value).toBe(csvNum(json.summary.index.value));
    expect(idx.low).toBe(csvNum(json.summary.index.low));
    expect(idx.high).toBe(csvNum(json.summary.index.high));
    expect(idx).toMatchObject({
      value_unit: 'percent',
      suppressed: String(json.summary.index.suppressed),
      label: 'self-selected',
      instrument: 'sipas',
    });
    expect(find(DISTRICT, whole, 'responses')).toMatchObject({ n: '30', value: '30', value_unit: 'count' });
    for (const f of json.summary.factors)
      expect(find(DISTRICT, whole, `factor:${f.id}`).metric_name_vi).toBe(`Yếu tố: ${f.name.vi}`);
    for (const p of json.series)
      expect(find(DISTRICT, p.period, 'sipas_index').n).toBe(
        p.summary.kind === 'sipas' ? csvNum(p.summary.index.n) : 'not sipas',
      );
    const a = json.units.find((u) => u.unit === COMMUNE_A)!;
    expect(find(COMMUNE_A, whole, 'late_dossiers')).toMatchObject({
      label: 'records',
      value: csvNum(a.late.value),
      flag: a.flag.reasons.join(';'),
    });

    const d = parseCsv(await (await get('/stats/dossiers.csv', { span: SPAN, unit: DISTRICT })).text());
    expect(d.find((r) => r.unit === DISTRICT && r.period === whole && r.metric === 'late')).toMatchObject({
      n: '15',
      value: '20',
      label: 'records',
      instrument: '',
    });
  });

  it('explains every CSV column, JSON field, metric and label, in Vietnamese and English', async () => {
    const res = await get('/stats/dictionary');
    expect(res.status).toBe(200);
    const dict = (await res.json()) as Record<
      'csv' | 'json' | 'metrics' | 'labels',
      { name: string; meaning: { vi: string; en: string } }[]
    >;
    for (const list of Object.values(dict))
      for (const e of list) {
        expect(e.meaning.vi.length, e.name).toBeGreaterThan(3);
        expect(e.meaning.en.length, e.name).toBeGreaterThan(3);
      }
    expect(dict.csv.map((e) => e.name)).toEqual([...csvColumns]);

    // Every leaf of every kind of answer is listed (figures and {vi, en} texts count as leaves).
    const fields = new Set(dict.json.map((e) => e.name));
    const leaves = new Set<string>();
    const walk = (v: unknown, path: string): void => {
      if (Array.isArray(v)) {
        // An empty list says nothing about its items: other answers below have some.
        if (v.length > 0 && typeof v[0] !== 'object') leaves.add(path);
        else for (const x of v) walk(x, `${path}[]`);
      } else if (v && typeof v === 'object' && !('vi' in v)) {
        if (['n', 'value', 'low', 'high', 'suppressed'].every((k) => k in v)) leaves.add(path);
        for (const [k, x] of Object.entries(v))
          if (!(['n', 'value', 'low', 'high', 'suppressed'].includes(k) && 'suppressed' in v))
            walk(x, path ? `${path}.${k}` : k);
      } else leaves.add(path);
    };
    for (const instrument of ['sipas', 'quay', 'danh-gia-ho-so'])
      walk(await ratings({ unit: PROVINCE, instrument }), '');
    walk(await dossiers({ unit: PROVINCE }), '');
    const normal = (p: string) => p.replace(/^(series|units)\[\]\.summary\./, 'summary.');
    const missing = [...leaves].map(normal).filter((p) => !fields.has(p));
    expect(missing).toEqual([]);
    for (const k of ['n', 'value', 'low', 'high', 'suppressed']) expect(fields).toContain(`figure.${k}`);

    const metrics = new Set(dict.metrics.map((e) => e.name));
    const labels = new Set(dict.labels.map((e) => e.name));
    for (const instrument of ['sipas', 'quay', 'danh-gia-ho-so']) {
      const rows = parseCsv(await (await get('/stats/ratings.csv', { span: SPAN, unit: DISTRICT, instrument })).text());
      for (const r of rows) {
        expect(metrics, r.metric).toContain(r.metric.replace(/:.*$/, ':<id>'));
        expect(labels, r.label).toContain(r.label);
      }
    }
  });
});

describe('OpenAPI', () => {
  it('documents the statistics routes, their parameters and their answers', async () => {
    const doc = (await (await get('/openapi.json')).json()) as {
      paths: Record<
        string,
        { get?: { parameters?: { name: string; schema: { enum?: string[] } }[]; responses: Record<string, unknown> } }
      >;
    };
    for (const p of [
      '/stats/ratings',
      '/stats/ratings.csv',
      '/stats/dossiers',
      '/stats/dossiers.csv',
      '/stats/dictionary',
    ])
      expect(doc.paths[p]?.get, p).toBeDefined();
    const params = doc.paths['/stats/ratings']!.get!.parameters!;
    expect(params.map((x) => x.name).sort()).toEqual([
      'from',
      'instrument',
      'period',
      'procedure',
      'span',
      'to',
      'trust',
      'unit',
    ]);
    expect(params.find((x) => x.name === 'period')!.schema.enum).toEqual(['month', 'quarter', 'year']);
    expect(Object.keys(doc.paths['/stats/ratings']!.get!.responses).sort()).toEqual(['200', '422']);
    expect(JSON.stringify(doc.paths['/stats/ratings.csv'])).toContain('text/csv');
  });
});
