/**
 * THE AUDIT (issue #7): an attacker reads every public statistics output (the JSON and the CSV of
 * ratings for each survey and trust level, dossiers and feedback, every procedure, every parent
 * unit, every fixed period of a year) and tries every subtraction: a parent minus its children,
 * all minus verified minus self-selected, a year or quarter minus its periods, '' (all procedures)
 * minus the procedures, and chains of them (a value solved by one subtraction feeds the next, which
 * covers every combination of two and more). Free ranges are refused, so "two ranges a day apart"
 * is tried as a request and must be a 422. Over the demo data and over generated data with many
 * small cells, 0 suppressed cells may be recoverable.
 *
 * The attacker is written here from the published numbers and the public unit tree only: it does
 * not use api/stats/disclosure.ts. It works on counts (n): a mean or share times n is a sum, and
 * sums add along the same relations, so a cell whose n cannot be isolated cannot have its sum
 * isolated either.
 *
 * Run: npx vitest run api/stats/disclosure-audit.test.ts (prints the figures).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../contracts/csv.ts';
import type { FeedbackStatsResult } from '../contracts/published.ts';
import type { DossiersResult, RatingSummary, RatingsResult } from '../contracts/stats.ts';
import { generateDemoData } from '../demo/generate.ts';
import { openHarness, type Harness } from '../test-harness.ts';
import { periodsOfYear } from './disclosure.ts';

const YEAR = '2025';
const { quarters, months } = periodsOfYear(YEAR);
const SPANS = [YEAR, ...quarters, ...months];
const TRUSTS = ['all', 'verified', 'self-selected'] as const;
const INSTRUMENTS = ['sipas', 'quay', 'danh-gia-ho-so'] as const;

type Known = Map<string, number | 'hidden'>;

/** A sum the attacker knows holds: the total equals the parts (some of them never published). */
interface Sum {
  cls: 'parent − children' | 'all − verified − self-selected' | 'period − sub-periods' | "'' − procedures";
  total: string;
  parts: string[];
}

const key = (src: string, item: string, unit: string, proc: string, trust: string, period: string) =>
  [src, item, unit, proc, trust, period].join('|');

function learn(known: Known, k: string, n: number | null | undefined): void {
  if (n === undefined) return;
  const prior = known.get(k);
  // The attacker keeps any number seen anywhere: a cell hidden here but shown elsewhere is known.
  if (typeof prior === 'number') {
    if (n !== null) expect(n, `${k}: the same cell published twice with two values`).toBe(prior);
    return;
  }
  known.set(k, n === null ? 'hidden' : n);
}

/** The additive counts of a rating summary: responses and each figure resting on one question. */
function ratingItems(s: RatingSummary): [string, number | null][] {
  const out: [string, number | null][] = [['responses', s.responses]];
  if (s.kind === 'sipas') {
    if (s.overall) out.push(['overall', s.overall.n]);
    for (const f of s.factors) if (f.satisfaction) out.push([`satisfaction:${f.id}`, f.satisfaction.n]);
  } else if (s.kind === 'dossier-evaluation') out.push(['score', s.score.n]);
  else out.push(['rating', s.satisfied.n]);
  return out;
}

/**
 * Subtracts until nothing new comes out: every sum with one unknown member gives it, and what it
 * gives feeds the other sums (so every chain of subtractions is tried). Fills `value`.
 */
function subtractAll(value: Map<string, number>, sums: readonly Sum[]): { tried: number; solved: Map<string, string> } {
  const solved = new Map<string, string>();
  let tried = 0;
  for (let changed = true; changed;) {
    changed = false;
    for (const s of sums) {
      tried++;
      const unknown = [s.total, ...s.parts].filter((m) => !value.has(m));
      if (unknown.length !== 1) continue;
      const x = unknown[0]!;
      const partsKnown = s.parts.filter((p) => p !== x).reduce((a, p) => a + value.get(p)!, 0);
      value.set(x, x === s.total ? partsKnown : value.get(s.total)! - partsKnown);
      solved.set(x, s.cls);
      changed = true;
    }
  }
  return { tried, solved };
}

interface Audit {
  requests: number;
  cells: number;
  hidden: number;
  tried: number;
  recovered: string[];
  byClass: Record<string, number>;
}

/**
 * What the attacker reads (the whole grid would take tens of thousands of requests on a shared
 * test machine): these parents, these fixed periods (the year also by quarter and by month, which
 * gives the parent's every period), '' and the `topProcedures` codes with most answers, every
 * survey and trust level; and for the '' − procedures class, every code for the province's year.
 */
interface Scope {
  parents: string[];
  spans: string[];
  topProcedures: number;
}

async function audit(h: Harness, config: Record<string, string>, now: Date, scope: Scope): Promise<Audit> {
  const app = h.app({ LOG_LEVEL: 'silent', RATE_LIMIT_MAX: '1000000', ...config }, () => now);
  const known: Known = new Map();
  const sums: Sum[] = [];
  let requests = 0;
  const get = async (path: string, q: Record<string, string>) => {
    requests++;
    const res = await app.request(`/api/v1/stats/${path}?${new URLSearchParams(q).toString()}`);
    expect(res.status, `${path} ${JSON.stringify(q)}`).toBe(200);
    return res;
  };
  const rs = await h.db.client.execute(
    `SELECT procedure_code, sum(n) AS n FROM rating_rollups_month
     WHERE month LIKE '${YEAR}-%' AND metric = '_responses' AND unit_id = 'khanh-hoa' AND procedure_code <> ''
     GROUP BY procedure_code ORDER BY n DESC, procedure_code`,
  );
  const allCodes = rs.rows.map((r) => String(r.procedure_code));
  const procedures = ['', ...allCodes.slice(0, scope.topProcedures)];
  const queries: { unit: string; span: string; period: string; procedure: string }[] = [];
  for (const unit of scope.parents)
    for (const span of scope.spans)
      for (const procedure of procedures) {
        queries.push({ unit, span, period: 'month', procedure });
        if (span === YEAR) queries.push({ unit, span, period: 'quarter', procedure });
      }
  for (const procedure of allCodes.slice(scope.topProcedures))
    queries.push({ unit: 'khanh-hoa', span: YEAR, period: 'month', procedure });

  /** One JSON answer: the unit over the span, its series, its children over the span. */
  const read = <S>(
    src: string,
    proc: string,
    trust: string,
    r: { query: { unit: string; span: string }; summary: S; series: { period: string; summary: S }[] },
    children: { unit: string; summary: S }[],
    items: (s: S) => [string, number | null][],
  ) => {
    const u = r.query.unit;
    for (const [item, n] of items(r.summary)) learn(known, key(src, item, u, proc, trust, r.query.span), n);
    for (const p of r.series)
      for (const [item, n] of items(p.summary)) learn(known, key(src, item, u, proc, trust, p.period), n);
    for (const c of children)
      for (const [item, n] of items(c.summary)) learn(known, key(src, item, c.unit, proc, trust, r.query.span), n);
    for (const [item] of items(r.summary))
      sums.push({
        cls: 'parent − children',
        total: key(src, item, u, proc, trust, r.query.span),
        parts: [
          ...children.map((c) => key(src, item, c.unit, proc, trust, r.query.span)),
          key(src, item, `${u}#own`, proc, trust, r.query.span),
        ],
      });
  };

  for (const { unit, span, period, procedure } of queries) {
    const base = { unit, span, period, ...(procedure ? { procedure } : {}) };
    for (const instrument of INSTRUMENTS)
      for (const trust of TRUSTS) {
        const r = (await (await get('ratings', { ...base, instrument, trust })).json()) as RatingsResult;
        read(instrument, procedure, trust, r, r.units, ratingItems);
        for (const c of r.units) learn(known, key('dossiers', 'dossiers', c.unit, procedure, 'all', span), c.late.n);
        if (span === YEAR && period === 'month' && procedure === '' && trust === 'all') {
          // The CSV of the same query: its n column must tell no more than the JSON.
          const rows = parseCsv(await (await get('ratings.csv', { ...base, instrument, trust })).text());
          const head = rows[0]!;
          for (const row of rows.slice(1)) {
            const o = Object.fromEntries(head.map((h, i) => [h, row[i] ?? '']));
            if (o.metric === 'responses')
              learn(
                known,
                key(instrument, 'responses', o.unit!, '', trust, o.period!),
                o.n === '' ? null : Number(o.n),
              );
          }
        }
      }
    const d = (await (await get('dossiers', base)).json()) as DossiersResult;
    read('dossiers', procedure, 'all', d, d.units, (s) => [['dossiers', s.dossiers]]);
    const f = (await (await get('feedback', base)).json()) as FeedbackStatsResult;
    read('feedback', procedure, 'all', f, f.units, (s) => [
      ['received', s.received],
      ['answered', s.answered],
      ['rated', s.rated],
    ]);
  }

  // The other sums the attacker knows, over every cell seen.
  const seen = [...known.keys()].map((k) => k.split('|') as [string, string, string, string, string, string]);
  const groups = new Set(seen.map(([src, item, unit, , trust]) => [src, item, unit, trust].join('|')));
  for (const g of groups) {
    const [src, item, unit, trust] = g.split('|') as [string, string, string, string];
    for (const proc of procedures)
      sums.push(
        {
          cls: 'period − sub-periods',
          total: key(src, item, unit, proc, trust, YEAR),
          parts: quarters.map((q) => key(src, item, unit, proc, trust, q)),
        },
        {
          cls: 'period − sub-periods',
          total: key(src, item, unit, proc, trust, YEAR),
          parts: months.map((m) => key(src, item, unit, proc, trust, m)),
        },
        ...quarters.map((q, i) => ({
          cls: 'period − sub-periods' as const,
          total: key(src, item, unit, proc, trust, q),
          parts: months.slice(i * 3, i * 3 + 3).map((m) => key(src, item, unit, proc, trust, m)),
        })),
      );
    for (const period of SPANS) {
      sums.push({
        cls: "'' − procedures",
        total: key(src, item, unit, '', trust, period),
        parts: [...allCodes, '#none'].map((p) => key(src, item, unit, p, trust, period)),
      });
      if (trust === 'all' && INSTRUMENTS.includes(src as (typeof INSTRUMENTS)[number]))
        for (const proc of ['', ...allCodes])
          sums.push({
            cls: 'all − verified − self-selected',
            total: key(src, item, unit, proc, 'all', period),
            parts: ['verified', 'self-selected'].map((t) => key(src, item, unit, proc, t, period)),
          });
    }
  }

  const value = new Map<string, number>();
  for (const [k, v] of known) if (typeof v === 'number') value.set(k, v);
  const hiddenCells = [...known].filter(([, v]) => v === 'hidden').map(([k]) => k);
  const { tried, solved } = subtractAll(value, sums);
  const byClass: Record<string, number> = {};
  for (const [k, cls] of solved) if (known.get(k) === 'hidden') byClass[cls] = (byClass[cls] ?? 0) + 1;
  return {
    requests,
    cells: known.size,
    hidden: hiddenCells.length,
    tried,
    recovered: hiddenCells.filter((k) => value.has(k)),
    byClass,
  };
}

let demo: Harness;
let small: Harness;

beforeAll(async () => {
  demo = await openHarness('audit-demo');
  small = await openHarness('audit-small');
  // The demo data across the 1 July 2025 reorganisation (units that end and units that begin).
  await generateDemoData(demo.db, demo.content, {
    seed: 7,
    from: new Date('2025-05-01T03:00:00Z'),
    to: new Date('2025-09-01T03:00:00Z'),
  });
  // Three weeks only: almost every cell is small.
  await generateDemoData(small.db, small.content, {
    seed: 11,
    from: new Date('2025-06-16T03:00:00Z'),
    to: new Date('2025-07-07T03:00:00Z'),
  });
}, 300_000);

afterAll(() => {
  demo?.close();
  small?.close();
});

const NOW = new Date('2025-12-31T03:00:00Z');

describe('no suppressed cell can be recovered by subtraction', () => {
  const demoScope: Scope = {
    parents: ['khanh-hoa', 'ninh-hoa', 'so-y-te'],
    spans: [YEAR, '2025-Q2', '2025-Q3', '2025-06', '2025-07', '2025-08'],
    topProcedures: 3,
  };
  const smallScope: Scope = {
    parents: ['khanh-hoa', 'ninh-hoa'],
    spans: [YEAR, '2025-Q2', '2025-Q3', '2025-06', '2025-07'],
    topProcedures: 2,
  };
  for (const [name, h, minN, scope] of [
    ['demo data', () => demo, '10', demoScope],
    ['demo data, min n 30', () => demo, '30', demoScope],
    ['three weeks of generated data (many small cells)', () => small, '10', smallScope],
  ] as const)
    it(`${name}: 0 recoverable`, async () => {
      const a = await audit(h(), { STATS_MIN_N: minN }, NOW, scope);
      console.log(
        `[audit] ${name}: ${a.requests} requests, ${a.cells} published cells, ${a.hidden} suppressed, ` +
          `${a.tried} subtractions tried, ${a.recovered.length} recoverable`,
      );
      expect(a.hidden, 'the data has suppressed cells to attack').toBeGreaterThan(20);
      expect(a.recovered).toEqual([]);
    }, 600_000);

  it('the attacker finds what it should (the test can fail): each class of the audit of issue #7', () => {
    // A department's overall satisfaction (n = 8) from its parent minus the shown children.
    const v1 = new Map([
      ['p', 30],
      ['b', 22],
      ['p#own', 0],
    ]);
    subtractAll(v1, [{ cls: 'parent − children', total: 'p', parts: ['a', 'b', 'p#own'] }]);
    expect(v1.get('a')).toBe(8);
    // 7 of 9 verified from all minus self-selected.
    const v2 = new Map([
      ['all', 40],
      ['self', 33],
    ]);
    subtractAll(v2, [{ cls: 'all − verified − self-selected', total: 'all', parts: ['verified', 'self'] }]);
    expect(v2.get('verified')).toBe(7);
    // July (n = 2) from the quarter minus the other months, then chained: the commune's July from
    // the district's July minus its other commune (a combination of two subtractions).
    const v3 = new Map([
      ['d:Q3', 25],
      ['d:08', 12],
      ['d:09', 11],
      ['b:07', 1],
    ]);
    subtractAll(v3, [
      { cls: 'parent − children', total: 'd:07', parts: ['a:07', 'b:07'] },
      { cls: 'period − sub-periods', total: 'd:Q3', parts: ['d:07', 'd:08', 'd:09'] },
    ]);
    expect(v3.get('d:07')).toBe(2);
    expect(v3.get('a:07')).toBe(1);
    // Two hidden members of one sum stay hidden.
    const v4 = new Map([
      ['p', 30],
      ['c', 20],
    ]);
    subtractAll(v4, [{ cls: 'parent − children', total: 'p', parts: ['a', 'b', 'c'] }]);
    expect(v4.has('a') || v4.has('b')).toBe(false);
  });

  it('free ranges are refused, so two ranges a day apart cannot be asked for', async () => {
    const app = demo.app({ LOG_LEVEL: 'silent' }, () => NOW);
    for (const path of ['ratings', 'ratings.csv', 'dossiers', 'dossiers.csv', 'feedback', 'feedback.csv']) {
      for (const q of [
        'from=2025-07-01&to=2025-07-31',
        'from=2025-07-02&to=2025-07-31',
        'span=2025-07&to=2025-07-30',
        'from=2025-07-01',
      ]) {
        const res = await app.request(`/api/v1/stats/${path}?${q}`);
        expect(res.status, `${path}?${q}`).toBe(422);
        expect(((await res.json()) as { code: string }).code).toBe('fixed_periods_only');
      }
    }
  });
});
