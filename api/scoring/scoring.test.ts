/**
 * Scoring from rollups (docs/domain.md §5–§6, docs/architecture.md §4). Every expected number is computed by hand in the
 * comment beside it; the property tests compare the rollup path against a deliberately plain
 * re-implementation working on raw answers.
 */
import { describe, expect, it } from 'vitest';
import type { Instrument } from '../contracts/instrument.ts';
import {
  DEFAULT_MIN_N,
  DEFAULT_RANKING_THRESHOLDS,
  PSEUDO,
  distribution,
  dossierScore,
  gradeFor,
  likertMean,
  meanInterval,
  meanMultiplier,
  mergeCells,
  rankingFlag,
  respondentSipas,
  rollupCellsForResponse,
  scoreSummary,
  sipasAggregate,
  sipasIndex,
  suppress,
  timeliness,
  topTwoBox,
  wilson,
  type Answers,
  type Published,
  type RollupCell,
} from './scoring.ts';
import { counter, nd61, nd61Answers, sipas2x2 } from './fixtures.ts';
import { mulberry32 } from '../demo/generate.ts';

/** The rollup of a list of responses, exactly as the writer's upserts would leave it. */
function rollup(ins: Instrument, responses: readonly Answers[]): RollupCell[] {
  return mergeCells(responses.flatMap((a) => rollupCellsForResponse(ins, a)));
}

/** Unwraps a published figure, failing the test if it was suppressed. */
function shown<T>(p: Published<T>): T {
  if (p.suppressed) throw new Error(`unexpectedly suppressed (n = ${p.n})`);
  return p.value;
}

/** Cells of a likert question answered with these points (bucket cells only). */
function likertCells(id: string, answers: readonly number[]): RollupCell[] {
  return mergeCells(answers.map((a) => ({ metric: id, value: String(a), n: 1, sum: 0, sumsq: 0 })));
}

describe('topTwoBox and likertMean', () => {
  // 5,5,4,4,4,3,3,2,1,5 → counts 1:1 2:1 3:2 4:3 5:3
  const cells = likertCells('q', [5, 5, 4, 4, 4, 3, 3, 2, 1, 5]);

  it('top-2 share is (n4 + n5) / n = (3 + 3) / 10 = 0.6', () => {
    expect(topTwoBox(cells, 'q')).toEqual({ n: 10, share: 0.6 });
  });

  it('mean is (1·1 + 2·1 + 3·2 + 4·3 + 5·3) / 10 = 36 / 10 = 3.6', () => {
    const r = likertMean(cells, 'q');
    expect(r.n).toBe(10);
    expect(r.mean).toBeCloseTo(3.6, 12);
  });

  it('adds cells that are not merged (several days of the same bucket)', () => {
    const split = [...likertCells('q', [5, 5, 4]), ...likertCells('q', [4, 4, 3, 3, 2, 1, 5])];
    expect(topTwoBox(split, 'q')).toEqual({ n: 10, share: 0.6 });
  });

  it('ignores other questions, other buckets and the empty question', () => {
    const noisy = [...cells, ...likertCells('other', [1, 1]), { metric: 'q', value: '', n: 7, sum: 3, sumsq: 3 }];
    expect(topTwoBox(noisy, 'q')).toEqual({ n: 10, share: 0.6 });
    expect(topTwoBox(cells, 'none')).toEqual({ n: 0, share: null });
    expect(likertMean(cells, 'none')).toEqual({ n: 0, mean: null });
  });
});

describe('wilson', () => {
  it('8 of 10: centre (0.8 + 1.96²/20) / (1 + 1.96²/10) = 0.99208 / 1.38416 = 0.71674, half 0.22658', () => {
    // half = 1.96 / 1.38416 · √(0.8·0.2/10 + 1.96²/400) = 1.41602 · √0.025604 = 0.22658
    const r = wilson(8, 10)!;
    expect(r.low).toBeCloseTo(0.4902, 4);
    expect(r.high).toBeCloseTo(0.9433, 4);
  });

  it('0 of 0 has no interval', () => {
    expect(wilson(0, 0)).toBeNull();
  });

  it('0 of 10 starts at 0 and ends at 2·0.19208 / 1.38416 = 0.27754', () => {
    const r = wilson(0, 10)!;
    expect(r.low).toBe(0);
    expect(r.high).toBeCloseTo(0.27754, 5);
  });

  it('is symmetric: the interval of k/n mirrors the one of (n − k)/n', () => {
    for (const [k, n] of [
      [3, 7],
      [10, 10],
      [1, 50],
    ] as const) {
      const a = wilson(k, n)!;
      const b = wilson(n - k, n)!;
      expect(a.low).toBeCloseTo(1 - b.high, 12);
      expect(a.high).toBeCloseTo(1 - b.low, 12);
    }
  });

  it('takes another z (z = 1: 8 of 10 → centre 0.9 / 1.1, half √0.0185 / 1.1)', () => {
    // centre = (0.8 + 1/20) / 1.1 = 0.772727; half = (1/1.1)·√(0.016 + 0.0025) = 0.123649
    const r = wilson(8, 10, 1)!;
    expect(r.low).toBeCloseTo(0.649078, 5);
    expect(r.high).toBeCloseTo(0.896376, 5);
  });

  it('refuses impossible counts', () => {
    expect(() => wilson(11, 10)).toThrow(RangeError);
    expect(() => wilson(-1, 10)).toThrow(RangeError);
    expect(() => wilson(1.5, 10)).toThrow(RangeError);
  });
});

describe('meanInterval', () => {
  it('values 0, 0.5, 1: mean 0.5, s² = (1.25 − 1.5²/3) / 2 = 0.25, half 1.96·0.5/√3 = 0.56580', () => {
    const r = meanInterval(3, 1.5, 1.25)!;
    expect(r.low).toBeCloseTo(0.5 - 0.565803, 5);
    expect(r.high).toBeCloseTo(0.5 + 0.565803, 5);
  });

  it('has no interval below n = 2, and a zero-width one when all values are equal', () => {
    expect(meanInterval(0, 0, 0)).toBeNull();
    expect(meanInterval(1, 0.7, 0.49)).toBeNull();
    // 3 × 0.1 in floating point leaves sumsq − sum²/n slightly off zero: still width 0
    const r = meanInterval(3, 0.1 + 0.1 + 0.1, 0.01 + 0.01 + 0.01)!;
    expect(r.low).toBeCloseTo(0.1, 6);
    expect(r.high).toBeCloseTo(0.1, 6);
  });
});

describe('suppress', () => {
  it('withholds at n = 9 and shows at n = 10 with the default minimum', () => {
    expect(DEFAULT_MIN_N).toBe(10);
    expect(suppress(9, DEFAULT_MIN_N, 0.5)).toEqual({ suppressed: true });
    expect(suppress(10, DEFAULT_MIN_N, 0.5)).toEqual({ suppressed: false, value: 0.5 });
    expect(suppress(9, undefined, 0.5)).toEqual({ suppressed: true });
  });

  it('takes another minimum', () => {
    expect(suppress(3, 3, 'x')).toEqual({ suppressed: false, value: 'x' });
    expect(suppress(29, 30, 'x')).toEqual({ suppressed: true });
  });

  it('is applied in the summaries: 9 one-tap ratings are withheld, 10 are shown', () => {
    const nine = rollup(
      counter,
      Array.from({ length: 9 }, () => ({ rating: 'hai-long' })),
    );
    const ten = rollup(
      counter,
      Array.from({ length: 10 }, () => ({ rating: 'hai-long' })),
    );
    const opts = counter.questions[0]!.options;
    expect(distribution(nine, 'rating', opts)).toEqual({ n: 9, suppressed: true });
    expect(shown(distribution(ten, 'rating', opts))[0]).toMatchObject({ id: 'hai-long', count: 10, share: 1 });
    expect(distribution(nine, 'rating', opts, 9).suppressed).toBe(false);
  });

  it('never shows a figure with n = 0, even with minN 0', () => {
    expect(distribution([], 'rating', ['hai-long'], 0)).toEqual({ n: 0, suppressed: true });
  });
});

describe('rollupCellsForResponse', () => {
  const cell = (metric: string, value: string, sum = 0): RollupCell => ({ metric, value, n: 1, sum, sumsq: sum * sum });

  it('writes one bucket per answer, none for text, and the pseudo-metrics of a SIPAS response', () => {
    const cells = rollupCellsForResponse(sipas2x2, {
      a1: '5',
      a2: '3',
      'a-hl': '4',
      b1: '4',
      b2: '2',
      'mong-doi': ['thai-do', 'thoi-gian'],
      'gioi-tinh': 'nu',
      'y-kien': 'Chị Lan ở quầy 3, số 0905 123 456, rất nhiệt tình',
    });
    // own SIPAS: access a1 ✓ a2 ✗ → 1/2; official b1 ✓ b2 ✗ → 1/2; x = 0.5
    expect(cells).toEqual([
      cell(PSEUDO.responses, ''),
      cell('a1', '5'),
      cell('a2', '3'),
      cell('a-hl', '4'),
      cell('b1', '4'),
      cell('b2', '2'),
      // options in option order, then the "answered" cell with sum = options chosen
      cell('mong-doi', 'thoi-gian'),
      cell('mong-doi', 'thai-do'),
      cell('mong-doi', '', 2),
      cell('gioi-tinh', 'nu'),
      cell(PSEUDO.sipas, '', 0.5),
    ]);
    expect(JSON.stringify(cells)).not.toContain('0905');
  });

  it('buckets NĐ 61 answers by points and writes the total and its grade', () => {
    const answers = { ...nd61Answers(13), 'y-kien': 'ok' }; // 2·6 + 1 = 13 → "tot" (12–15)
    const cells = rollupCellsForResponse(nd61, answers);
    expect(cells.filter((c) => /^c\d$/.test(c.metric)).map((c) => c.value)).toEqual([
      '2',
      '2',
      '2',
      '2',
      '2',
      '2',
      '1',
      '0',
      '0',
    ]);
    expect(cells).toContainEqual(cell(PSEUDO.score, '', 13));
    expect(cells).toContainEqual(cell(PSEUDO.grade, 'tot'));
    expect(cells.some((c) => c.metric === 'y-kien')).toBe(false);
  });

  it('writes only _responses for an empty response, and treats "" and [] as unanswered', () => {
    expect(rollupCellsForResponse(sipas2x2, {})).toEqual([cell(PSEUDO.responses, '')]);
    expect(rollupCellsForResponse(counter, { rating: '', reasons: [] })).toEqual([cell(PSEUDO.responses, '')]);
    expect(rollupCellsForResponse(nd61, {})).toEqual([cell(PSEUDO.responses, '')]);
  });

  it('counts a reason chosen twice once', () => {
    const cells = rollupCellsForResponse(counter, { rating: 'khong-hai-long', reasons: ['cho-lau', 'cho-lau'] });
    expect(cells).toEqual([
      cell(PSEUDO.responses, ''),
      cell('rating', 'khong-hai-long'),
      cell('reasons', 'cho-lau'),
      cell('reasons', '', 1),
    ]);
  });

  it('refuses answers that do not fit the instrument', () => {
    expect(() => rollupCellsForResponse(counter, { nope: 'x' })).toThrow(/unknown question "nope"/);
    expect(() => rollupCellsForResponse(counter, { rating: 'tuyet-voi' })).toThrow(/unknown option "tuyet-voi"/);
    expect(() => rollupCellsForResponse(counter, { rating: ['hai-long'] })).toThrow(/one value/);
    expect(() => rollupCellsForResponse(counter, { reasons: 'cho-lau' })).toThrow(/list/);
    expect(() => rollupCellsForResponse(sipas2x2, { a1: '6' })).toThrow(/not 1\.\.5/);
    expect(() => rollupCellsForResponse(nd61, { c1: 'x' })).toThrow(/unknown option/);
  });
});

describe('SIPAS', () => {
  //      a1 a2 | b1 b2    own index
  // R1    5  4 |  2  5    access 2/2 = 1,   official 1/2 = 0.5 → 0.75
  // R2    4  3 |  4  5    access 1/2 = 0.5, official 2/2 = 1   → 0.75
  // R3    3  2 |  5  4    access 0/2 = 0,   official 2/2 = 1   → 0.5
  // R4    5  5 |  3  4    access 2/2 = 1,   official 1/2 = 0.5 → 0.75
  const responses: Answers[] = [
    { a1: '5', a2: '4', b1: '2', b2: '5', 'a-hl': '5', 'tong-the': '4' },
    { a1: '4', a2: '3', b1: '4', b2: '5', 'a-hl': '3', 'tong-the': '4' },
    { a1: '3', a2: '2', b1: '5', b2: '4', 'a-hl': '2', 'tong-the': '2' },
    { a1: '5', a2: '5', b1: '3', b2: '4', 'a-hl': '4', 'tong-the': '5' },
  ];
  const cells = rollup(sipas2x2, responses);
  const r = sipasIndex(sipas2x2, cells, 4);

  it('criterion shares and means', () => {
    // a1: 5,4,3,5 → 3/4, mean 17/4;  a2: 4,3,2,5 → 2/4, mean 14/4
    // b1: 2,4,5,3 → 2/4, mean 14/4;  b2: 5,5,4,4 → 4/4, mean 18/4
    const got = r.criteria.map((c) => ({ id: c.id, factor: c.factor, n: c.n, ...shown(c) }));
    expect(got.map(({ id, factor, n, share, mean }) => ({ id, factor, n, share, mean }))).toEqual([
      { id: 'a1', factor: 'tiep-can', n: 4, share: 0.75, mean: 4.25 },
      { id: 'a2', factor: 'tiep-can', n: 4, share: 0.5, mean: 3.5 },
      { id: 'b1', factor: 'cong-chuc', n: 4, share: 0.5, mean: 3.5 },
      { id: 'b2', factor: 'cong-chuc', n: 4, share: 1, mean: 4.5 },
    ]);
    // Wilson of 3/4 is wider than the share itself can move: contains 0.75
    const a1 = shown(r.criteria[0]!);
    expect(a1.interval.low).toBeLessThan(0.75);
    expect(a1.interval.high).toBeGreaterThan(0.75);
  });

  it('factor index = mean of its criteria shares; SIPAS = mean of the factor indices', () => {
    // access (0.75 + 0.5) / 2 = 0.625; official (0.5 + 1) / 2 = 0.75; SIPAS (0.625 + 0.75) / 2 = 0.6875
    expect(r.factors.map((f) => [f.id, f.n, shown(f).index])).toEqual([
      ['tiep-can', 4, 0.625],
      ['cong-chuc', 4, 0.75],
    ]);
    expect(r.index).toEqual({ n: 4, suppressed: false, value: { index: 0.6875 } });
    expect(r.responses).toBe(4);
  });

  it('reports factor satisfaction and the overall question beside the index, not in it', () => {
    // a-hl: 5,3,2,4 → 2/4, mean 14/4; tong-the: 4,4,2,5 → 3/4, mean 15/4
    const sat = shown(r.factors[0]!.satisfaction!);
    expect([sat.share, sat.mean]).toEqual([0.5, 3.5]);
    expect(r.factors[1]!.satisfaction).toBeNull();
    const overall = shown(r.overall!);
    expect([overall.share, overall.mean]).toEqual([0.75, 3.75]);
  });

  it('respondent-level mean with its 95 % interval', () => {
    // x = 0.75, 0.75, 0.5, 0.75: sum 2.75, sumsq 3·0.5625 + 0.25 = 1.9375, mean 0.6875
    // s² = (1.9375 − 2.75²/4) / 3 = 0.046875 / 3 = 0.015625 → s = 0.125; half = 1.96·0.125/2 = 0.1225
    const own = shown(r.respondents);
    expect(r.respondents.n).toBe(4);
    expect(own.mean).toBeCloseTo(0.6875, 12);
    expect(own.interval!.low).toBeCloseTo(0.565, 10);
    expect(own.interval!.high).toBeCloseTo(0.81, 10);
  });

  it('clamps the respondent interval to [0, 1]', () => {
    // x = 1, 1, 0: mean 2/3, s² = (2 − 4/3) / 2 = 1/3, half = 1.96·0.57735/√3 = 0.6533 → [0.0133, 1.32] → high 1
    const few = rollup(sipas2x2, [
      { a1: '5', a2: '5', b1: '5', b2: '5' },
      { a1: '4', a2: '4', b1: '4', b2: '4' },
      { a1: '1', a2: '1', b1: '1', b2: '1' },
    ]);
    const own = shown(sipasIndex(sipas2x2, few, 1).respondents);
    expect(own.interval!.high).toBe(1);
    expect(own.interval!.low).toBeCloseTo(2 / 3 - 0.653333, 5);
  });

  it('suppresses below minN: 4 respondents are shown at minN 4, withheld at 5 and by default', () => {
    const five = sipasIndex(sipas2x2, cells, 5);
    expect(five.index).toEqual({ n: 4, suppressed: true });
    expect(five.factors.every((f) => f.suppressed)).toBe(true);
    expect(five.criteria.every((c) => c.suppressed)).toBe(true);
    expect(five.respondents).toEqual({ n: 4, suppressed: true });
    expect(sipasIndex(sipas2x2, cells).index.suppressed).toBe(true);
  });

  it('a factor is as thin as its thinnest criterion', () => {
    // 10 respondents answer a1, a2, b1; only 9 answer b2 → official n = 9 → factor and SIPAS withheld at 10
    const rs = Array.from({ length: 10 }, (_, i): Answers =>
      i < 9 ? { a1: '5', a2: '4', b1: '4', b2: '4' } : { a1: '5', a2: '4', b1: '4' },
    );
    const res = sipasIndex(sipas2x2, rollup(sipas2x2, rs), 10);
    expect(res.factors.map((f) => [f.id, f.n, f.suppressed])).toEqual([
      ['tiep-can', 10, false],
      ['cong-chuc', 9, true],
    ]);
    expect(res.index).toEqual({ n: 9, suppressed: true });
    expect(res.respondents.n).toBe(10);
  });

  it('sipasAggregate: unweighted means, factors without data left out', () => {
    expect(sipasAggregate([[0.8, 0.6], [1]])).toEqual({ factors: [expect.closeTo(0.7, 12), 1], overall: 0.85 });
    expect(sipasAggregate([[], [0.5]])).toEqual({ factors: [null, 0.5], overall: 0.5 });
    expect(sipasAggregate([[], []]).overall).toBeNull();
  });

  it("a respondent's own index skips unanswered criteria and factors", () => {
    // access: a1 ✓, a2 ✗ → 1/2; official: b1 ✓ → 1/1; (0.5 + 1) / 2 = 0.75
    expect(respondentSipas(sipas2x2, { a1: '5', a2: '3', b1: '4' })).toBe(0.75);
    // only a1 answered: access 1/1, official has no data → 1
    expect(respondentSipas(sipas2x2, { a1: '4' })).toBe(1);
    expect(respondentSipas(sipas2x2, { 'tong-the': '5' })).toBeNull();
    expect(rollupCellsForResponse(sipas2x2, { 'tong-the': '5' }).some((c) => c.metric === PSEUDO.sipas)).toBe(false);
  });
});

describe('NĐ 61 dossier evaluation', () => {
  it.each([
    // total → band (min ≤ total ≤ max; at a shared boundary the band with the higher min)
    [18, 'xuat-sac'],
    [16, 'xuat-sac'],
    [15, 'tot'],
    [12, 'tot'], // in "tot" 12–15 and "kha" 9–12 → tot
    [11, 'kha'],
    [9, 'kha'], // in "kha" 9–12 and "trung-binh" 6–9 → kha
    [8, 'trung-binh'],
    [6, 'trung-binh'],
    [5, 'yeu'],
    [0, 'yeu'],
  ])('total %i is graded %s', (total, grade) => {
    expect(dossierScore(nd61, nd61Answers(total))).toEqual({ total, max: 18, answered: 9, grade });
  });

  it('gradeFor returns null outside every band', () => {
    expect(gradeFor(nd61.grade_bands, 19)).toBeNull();
    expect(gradeFor([], 10)).toBeNull();
    expect(gradeFor([{ id: 'a', min: 0, max: 9.5 }], 9.5)).toBe('a');
  });

  it('counts unanswered criteria as no points and says how many were answered', () => {
    // c1 dat 2 + c2 mot-phan 1 = 3
    expect(dossierScore(nd61, { c1: 'dat', c2: 'mot-phan' })).toEqual({ total: 3, max: 18, answered: 2, grade: 'yeu' });
  });

  it('meanMultiplier: Student t below 30 values, 1.96 from 30', () => {
    expect(meanMultiplier(2)).toBe(12.706);
    expect(meanMultiplier(10)).toBe(2.262);
    expect(meanMultiplier(29)).toBe(2.048);
    expect(meanMultiplier(30)).toBe(1.96);
  });

  it('scoreSummary: mean total, interval, grades and criterion means', () => {
    // totals 18, 12, 9, 5: sum 44, mean 11; sumsq 324 + 144 + 81 + 25 = 574
    // s² = (574 − 44²/4) / 3 = (574 − 484) / 3 = 30 → s = 5.47723; n = 4 < 30, so Student's t with
    // 3 degrees of freedom (issue #7 §3): half = 3.182·5.47723/2 = 8.71428 (1.96 gave 5.36768)
    const cells = rollup(nd61, [18, 12, 9, 5].map(nd61Answers));
    const s = scoreSummary(nd61, cells, 4);
    expect(s.responses).toBe(4);
    const v = shown(s.score);
    expect(s.score.n).toBe(4);
    expect(v.mean).toBe(11);
    expect(v.max).toBe(18);
    expect(v.interval!.low).toBeCloseTo(11 - 8.71428, 4);
    // 11 + 8.71428 is above the highest total: clamped to 18.
    expect(v.interval!.high).toBe(18);
    // one each in xuat-sac (18), tot (12), kha (9), yeu (5); none in trung-binh
    expect(v.grades.map((g) => [g.id, g.count, g.share])).toEqual([
      ['xuat-sac', 1, 0.25],
      ['tot', 1, 0.25],
      ['kha', 1, 0.25],
      ['trung-binh', 0, 0],
      ['yeu', 1, 0.25],
    ]);
    // c1 is 2 in all four; c5 is 2 (18), 2 (12), 1 (9), 0 (5) → 5/4; c9 is 2 only in 18 → 2/4
    const means = Object.fromEntries(s.criteria.map((c) => [c.id, shown(c).meanPoints]));
    expect([means.c1, means.c5, means.c9]).toEqual([2, 1.25, 0.5]);
  });

  it('clamps the interval of the total to [0, 18] and suppresses below minN', () => {
    // totals 18, 18, 0: mean 12, s² = (648 − 36²/3) / 2 = (648 − 432) / 2 = 108 → half 1.96·10.392/√3 = 11.76 → high 18
    const cells = rollup(nd61, [18, 18, 0].map(nd61Answers));
    expect(shown(scoreSummary(nd61, cells, 3).score).interval!.high).toBe(18);
    expect(scoreSummary(nd61, cells).score).toEqual({ n: 3, suppressed: true });
    expect(scoreSummary(nd61, cells).criteria.every((c) => c.suppressed)).toBe(true);
  });
});

describe('distribution', () => {
  it('one-tap rating: counts and shares in option order', () => {
    // 6 hai-long, 3 binh-thuong, 1 khong-hai-long → 0.6, 0.3, 0.1
    const rs: Answers[] = [
      ...Array.from({ length: 6 }, () => ({ rating: 'hai-long' })),
      ...Array.from({ length: 3 }, () => ({ rating: 'binh-thuong' })),
      { rating: 'khong-hai-long', reasons: ['cho-lau'] },
    ];
    const d = distribution(rollup(counter, rs), 'rating', counter.questions[0]!.options);
    expect(d.n).toBe(10);
    expect(shown(d).map((o) => [o.id, o.count, o.share])).toEqual([
      ['hai-long', 6, 0.6],
      ['binh-thuong', 3, 0.3],
      ['khong-hai-long', 1, 0.1],
    ]);
    expect(shown(d)[0]!.interval).toEqual(wilson(6, 10));
  });

  it('reasons: shares of the respondents who answered, which may add up to more than 1', () => {
    // 4 answered reasons: {cho-lau, thai-do}, {cho-lau}, {thai-do}, {cho-lau, huong-dan-kho-hieu}
    // cho-lau 3/4, thai-do 2/4, huong-dan 1/4 (sum 1.5)
    const rs: Answers[] = [
      { rating: 'khong-hai-long', reasons: ['cho-lau', 'thai-do'] },
      { rating: 'khong-hai-long', reasons: ['cho-lau'] },
      { rating: 'khong-hai-long', reasons: ['thai-do'] },
      { rating: 'khong-hai-long', reasons: ['huong-dan-kho-hieu', 'cho-lau'] },
      { rating: 'hai-long' },
    ];
    const d = distribution(rollup(counter, rs), 'reasons', ['cho-lau', 'thai-do', 'huong-dan-kho-hieu'], 1);
    expect(d.n).toBe(4);
    expect(shown(d).map((o) => o.share)).toEqual([0.75, 0.5, 0.25]);
  });

  it('works for likert buckets and keeps a removed option in the base', () => {
    const cells = likertCells('q', [5, 5, 4, 4, 4, 3, 3, 2, 1, 5]);
    expect(shown(distribution(cells, 'q', ['5', '4'])).map((o) => o.share)).toEqual([0.3, 0.3]);
  });
});

describe('timeliness and the ranking rule', () => {
  it('shares and Wilson intervals of on-time and late dossiers', () => {
    // 96 on time of 100 → late 4 (total − onTime); shares 0.96 and 0.04
    const t = timeliness({ total: 100, onTime: 96 });
    expect(t.n).toBe(100);
    const v = shown(t);
    expect([v.onTime.count, v.onTime.share, v.late.count, v.late.share]).toEqual([96, 0.96, 4, 0.04]);
    expect(v.late.interval).toEqual(wilson(4, 100));
  });

  it('keeps dossiers neither on time nor late (still open) in the base', () => {
    const v = shown(timeliness({ total: 20, onTime: 15, late: 1 }));
    expect([v.onTime.share, v.late.share]).toEqual([0.75, 0.05]);
  });

  it('suppresses below minN unless told otherwise, and refuses impossible counts', () => {
    expect(timeliness({ total: 9, onTime: 9 })).toEqual({ n: 9, suppressed: true });
    expect(timeliness({ total: 9, onTime: 9 }, 0).suppressed).toBe(false);
    expect(() => timeliness({ total: 10, onTime: 8, late: 3 })).toThrow(RangeError);
    expect(() => timeliness({ total: 10, onTime: 11 })).toThrow(RangeError);
  });

  it.each([
    // the Khánh Hòa programme on KL 91-KL/TU (mục III.1.c): late ≥ 5 % or satisfaction ≤ 80 % → cannot be ranked "tốt"
    [0.05, 0.9, ['late']],
    [3 / 60, 0.9, ['late']], // 5 % computed
    [0.0499, 0.9, []],
    [0.01, 0.8, ['satisfaction']],
    [0.01, 0.7 + 0.1, ['satisfaction']], // 0.7999999999999999
    [0.01, 0.8001, []],
    [0.2, 0.5, ['late', 'satisfaction']],
  ])('late %d, satisfaction %d → %j', (lateShare, satisfaction, reasons) => {
    expect(rankingFlag({ lateShare, satisfaction })).toEqual({ flagged: reasons.length > 0, reasons, unknown: [] });
  });

  it('takes the thresholds as data (an official: 10 % late) and leaves unknown inputs unjudged', () => {
    const official = { ...DEFAULT_RANKING_THRESHOLDS, maxLateShare: 0.1 };
    expect(rankingFlag({ lateShare: 0.07, satisfaction: 0.9 }, official).flagged).toBe(false);
    expect(rankingFlag({ lateShare: 0.1, satisfaction: 0.9 }, official).reasons).toEqual(['late']);
    expect(rankingFlag({ lateShare: null, satisfaction: 0.95 })).toEqual({
      flagged: false,
      reasons: [],
      unknown: ['late'],
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Property: rolling up N generated responses and scoring the rollup equals scoring the raw answers
// with an independent, deliberately plain implementation.
// ---------------------------------------------------------------------------------------------

/** A small seeded generator (the demo data's mulberry32), so a failure reproduces. */
const rng = mulberry32;

/** A random valid response; each question skipped with probability `skip`. */
function randomAnswers(ins: Instrument, rand: () => number, skip: number): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  for (const q of ins.questions) {
    if (rand() < skip) continue;
    if (q.type === 'likert5') out[q.id] = pick(['1', '2', '3', '4', '5']);
    else if (q.type === 'choice' || q.type === 'score-0-2') out[q.id] = pick(q.options).id;
    else if (q.type === 'multi') out[q.id] = q.options.filter(() => rand() < 0.4).map((o) => o.id);
    else out[q.id] = `free text ${Math.floor(rand() * 1000)}`;
  }
  return out;
}

/** Splits responses over "days" and returns the unmerged cells of each day merged separately, as a
 * query over several rollup rows would return them. */
function rollupByDay(ins: Instrument, responses: readonly Answers[], days: number): RollupCell[] {
  const out: RollupCell[] = [];
  for (let d = 0; d < days; d++)
    out.push(
      ...rollup(
        ins,
        responses.filter((_, i) => i % days === d),
      ),
    );
  return out;
}

const plainMean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const answered = (rs: readonly Answers[], id: string) =>
  rs.map((r) => r[id]).filter((a): a is string => typeof a === 'string' && a !== '');

describe.each([1, 2, 3, 42, 2024])('property (seed %i): rollup then score = score the raw answers', (seed) => {
  const rand = rng(seed);

  it('SIPAS', () => {
    const rs = Array.from({ length: 150 }, () => randomAnswers(sipas2x2, rand, 0.15));
    const r = sipasIndex(sipas2x2, rollupByDay(sipas2x2, rs, 7), 1);
    expect(r.responses).toBe(150);

    const crit = { 'tiep-can': ['a1', 'a2'], 'cong-chuc': ['b1', 'b2'] } as const;
    const share = (id: string) => {
      const xs = answered(rs, id);
      return xs.filter((x) => x === '4' || x === '5').length / xs.length;
    };
    for (const c of r.criteria) {
      const xs = answered(rs, c.id).map(Number);
      expect(c.n).toBe(xs.length);
      expect(shown(c).share).toBeCloseTo(share(c.id), 12);
      expect(shown(c).mean).toBeCloseTo(plainMean(xs), 12);
    }
    const factorIdx = {
      'tiep-can': (share('a1') + share('a2')) / 2,
      'cong-chuc': (share('b1') + share('b2')) / 2,
    };
    for (const f of r.factors) expect(shown(f).index).toBeCloseTo(factorIdx[f.id as keyof typeof factorIdx], 12);
    expect(shown(r.index).index).toBeCloseTo((factorIdx['tiep-can'] + factorIdx['cong-chuc']) / 2, 12);

    // respondent level, straight from each respondent's answers
    const own: number[] = [];
    for (const a of rs) {
      const perFactor: number[] = [];
      for (const ids of Object.values(crit)) {
        const xs = ids.map((id) => a[id]).filter((x): x is string => typeof x === 'string');
        if (xs.length > 0) perFactor.push(xs.filter((x) => x === '4' || x === '5').length / xs.length);
      }
      if (perFactor.length > 0) own.push(plainMean(perFactor));
    }
    const m = plainMean(own);
    const sd = Math.sqrt(own.reduce((acc, x) => acc + (x - m) ** 2, 0) / (own.length - 1));
    const got = shown(r.respondents);
    expect(r.respondents.n).toBe(own.length);
    expect(got.mean).toBeCloseTo(m, 12);
    expect(got.interval!.low).toBeCloseTo(Math.max(0, m - (1.96 * sd) / Math.sqrt(own.length)), 10);
    expect(got.interval!.high).toBeCloseTo(Math.min(1, m + (1.96 * sd) / Math.sqrt(own.length)), 10);

    // choice and multi questions
    const cells = rollupByDay(sipas2x2, rs, 3);
    for (const q of sipas2x2.questions.filter((x) => x.type === 'choice' || x.type === 'multi')) {
      const base = rs.filter((a) => {
        const v = a[q.id];
        return v !== undefined && v.length > 0;
      });
      const d = distribution(cells, q.id, q.options, 1);
      expect(d.n).toBe(base.length);
      for (const o of shown(d)) {
        const count = base.filter((a) => {
          const v = a[q.id]!;
          return typeof v === 'string' ? v === o.id : v.includes(o.id);
        }).length;
        expect([o.id, o.count]).toEqual([o.id, count]);
        expect(o.share).toBeCloseTo(count / base.length, 12);
      }
    }
    // free text never reaches the rollup
    expect(cells.some((c) => c.metric === 'y-kien')).toBe(false);
  });

  it('NĐ 61', () => {
    const rs = Array.from({ length: 120 }, () => randomAnswers(nd61, rand, 0.05));
    const s = scoreSummary(nd61, rollupByDay(nd61, rs, 5), 1);
    const points: Record<string, number> = { 'khong-dat': 0, 'mot-phan': 1, dat: 2 };
    const totals: number[] = [];
    const grades: Record<string, number> = {};
    for (const a of rs) {
      let total = 0;
      let any = false;
      for (let i = 1; i <= 9; i++) {
        const v = a[`c${i}`];
        if (typeof v === 'string') {
          total += points[v]!;
          any = true;
        }
      }
      if (!any) continue;
      totals.push(total);
      // the bands of the fixture, with the boundaries resolved upward
      const g = total >= 16 ? 'xuat-sac' : total >= 12 ? 'tot' : total >= 9 ? 'kha' : total >= 6 ? 'trung-binh' : 'yeu';
      grades[g] = (grades[g] ?? 0) + 1;
    }
    const m = plainMean(totals);
    const sd = Math.sqrt(totals.reduce((acc, x) => acc + (x - m) ** 2, 0) / (totals.length - 1));
    const v = shown(s.score);
    expect(s.score.n).toBe(totals.length);
    expect(v.mean).toBeCloseTo(m, 10);
    expect(v.interval!.low).toBeCloseTo(m - (1.96 * sd) / Math.sqrt(totals.length), 8);
    for (const g of v.grades) expect([g.id, g.count]).toEqual([g.id, grades[g.id] ?? 0]);
    for (const c of s.criteria) {
      const xs = answered(rs, c.id).map((x) => points[x]!);
      expect(c.n).toBe(xs.length);
      expect(shown(c).meanPoints).toBeCloseTo(plainMean(xs), 12);
    }
  });

  it('one-tap counter', () => {
    const rs = Array.from({ length: 80 }, () => randomAnswers(counter, rand, 0.1));
    const cells = rollupByDay(counter, rs, 4);
    const d = distribution(cells, 'rating', counter.questions[0]!.options, 1);
    const ratings = answered(rs, 'rating');
    expect(d.n).toBe(ratings.length);
    for (const o of shown(d)) expect(o.count).toBe(ratings.filter((x) => x === o.id).length);
    // the merged rollup and the per-day cells give the same figures
    expect(distribution(mergeCells(cells), 'rating', ['hai-long'], 1)).toEqual(
      distribution(cells, 'rating', ['hai-long'], 1),
    );
  });
});
