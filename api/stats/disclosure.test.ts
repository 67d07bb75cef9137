/**
 * The protection rule of api/stats/disclosure.ts on small hand-made blocks (docs/statistics.md):
 * primary suppression, the complementary choice, the iteration across dimensions, rounding and the
 * fixed periods. The end-to-end attack on every public output is disclosure-audit.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  buildBlock,
  cellKey,
  protect,
  publishFigure,
  rounded,
  seriesLevel,
  spanRange,
  type LeafCount,
} from './disclosure.ts';

const counts = (o: Record<string, number>) => new Map(Object.entries(o));

describe('protect', () => {
  it('hides 0 < n < min n, and the next smallest shown sibling with it (never a zero)', () => {
    const hidden = protect(
      counts({ p: 60, a: 3, b: 12, c: 45, z: 0 }),
      [{ total: 'p', parts: ['a', 'b', 'c', 'z'] }],
      10,
      new Set(),
    );
    expect([...hidden].sort()).toEqual(['a', 'b']);
  });

  it('prefers a never-published pseudo part (it costs nothing)', () => {
    const hidden = protect(
      counts({ p: 40, a: 3, b: 12, own: 25 }),
      [{ total: 'p', parts: ['a', 'b', 'own'] }],
      10,
      new Set(['own']),
    );
    expect([...hidden].sort()).toEqual(['a', 'own']);
  });

  it('hides the total when no part is left to hide', () => {
    const hidden = protect(counts({ p: 4, a: 4 }), [{ total: 'p', parts: ['a'] }], 10, new Set());
    expect([...hidden].sort()).toEqual(['a', 'p']);
    const alone = protect(counts({ p: 20, a: 4, b: 0 }), [{ total: 'p', parts: ['a', 'b'] }], 10, new Set());
    expect([...alone].sort()).toEqual(['a', 'p']);
  });

  it('iterates: a complementary cell is protected in its other relations too', () => {
    // Rows r1 = a + b, r2 = c + d; columns k1 = a + c, k2 = b + d. a is small: b hides (row), then
    // the column of b needs d, then the row of d is already fine (c? no: r2 has d alone) → c.
    const n = counts({ r1: 15, r2: 40, k1: 23, k2: 32, a: 3, b: 12, c: 20, d: 20 });
    const relations = [
      { total: 'r1', parts: ['a', 'b'] },
      { total: 'r2', parts: ['c', 'd'] },
      { total: 'k1', parts: ['a', 'c'] },
      { total: 'k2', parts: ['b', 'd'] },
    ];
    const hidden = protect(n, relations, 10, new Set());
    expect([...hidden].sort()).toEqual(['a', 'b', 'c', 'd']);
    for (const r of relations) expect([r.total, ...r.parts].filter((k) => hidden.has(k)).length).not.toBe(1);
  });
});

describe('buildBlock', () => {
  const parents = new Map<string, string | null>([
    ['tinh', null],
    ['huyen', 'tinh'],
    ['xa-a', 'huyen'],
    ['xa-b', 'huyen'],
  ]);
  const leaf = (unit: string, month: string, n: number, trust: LeafCount['trust'] = 'self-selected'): LeafCount[] =>
    // Rollups are subtree totals: a commune's answers count for the district and the province too.
    (unit.startsWith('xa') ? [unit, 'huyen', 'tinh'] : [unit]).flatMap((u) => [
      { item: 'r', unit: u, procedure: '', trust, month, n },
    ]);

  it('protects a small commune against parent − children, month − quarter and all − trust', () => {
    const leaves = [
      ...leaf('xa-a', '2025-07', 2),
      ...leaf('xa-a', '2025-08', 30),
      ...leaf('xa-b', '2025-07', 40),
      ...leaf('xa-b', '2025-08', 40),
      ...leaf('xa-b', '2025-07', 15, 'verified'),
    ];
    const b = buildBlock('2025', leaves, parents, 10, true);
    const shown = (u: string, t: 'all' | 'verified' | 'self-selected', p: string) => b.shown('r', u, '', t, p);
    expect(shown('xa-a', 'all', '2025-07')).toBe(false);
    // Its sibling in July is hidden too, or the district's July would give it away.
    expect(shown('xa-b', 'all', '2025-07')).toBe(false);
    // And one more month of xa-a in Q3, or Q3 − August would.
    expect(shown('xa-a', 'all', '2025-08')).toBe(false);
    expect(shown('huyen', 'all', '2025')).toBe(true);
    expect(shown('huyen', 'all', '2025-Q3')).toBe(true);
    // No relation of the block has exactly one hidden member with n > 0.
    for (const r of b.relations) {
      const members = [r.total, ...r.parts].filter((k) => b.hidden.has(k) && (b.counts.get(k) ?? 0) > 0);
      expect(members.length, r.total).not.toBe(1);
    }
    expect(b.counts.get(cellKey('r', 'huyen', '', 'all', '2025'))).toBe(127);
  });
});

describe('publishing', () => {
  it('rounds to the table (0.1) and withholds n of a hidden figure', () => {
    expect(rounded(84.44999)).toBe(84.4);
    expect(rounded(84.45001)).toBe(84.5);
    expect(publishFigure({ n: 30, value: 84.4449, low: 67.2222, high: 93.31, suppressed: false }, true)).toEqual({
      n: 30,
      value: 84.4,
      low: 67.2,
      high: 93.3,
      suppressed: false,
    });
    const hidden = { n: null, value: null, low: null, high: null, suppressed: true };
    expect(publishFigure({ n: 30, value: 84.4, low: 1, high: 2, suppressed: false }, false)).toEqual(hidden);
    expect(publishFigure({ n: 7, value: null, low: null, high: null, suppressed: true }, true)).toEqual(hidden);
    expect(publishFigure({ n: 0, value: null, low: null, high: null, suppressed: true }, true)).toMatchObject({ n: 0 });
  });

  it('fixed periods: the days of a year, a quarter and a month; the series never coarser', () => {
    expect(spanRange('2024')).toEqual({ level: 'year', year: '2024', from: '2024-01-01', to: '2024-12-31' });
    expect(spanRange('2024-Q1')).toMatchObject({ from: '2024-01-01', to: '2024-03-31' });
    expect(spanRange('2024-02')).toMatchObject({ level: 'month', from: '2024-02-01', to: '2024-02-29' });
    expect(seriesLevel('year', 'quarter')).toBe('quarter');
    expect(seriesLevel('month', 'year')).toBe('month');
  });
});
