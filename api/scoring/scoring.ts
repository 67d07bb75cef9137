/**
 * Scoring: every published satisfaction figure (SIPAS, NĐ 61 dossier evaluation, one-tap counter
 * rating, feedback-answer rating) and the timeliness figures, computed from ROLLUPS, never from raw
 * answers (docs/architecture.md §3: `rating_rollups` is written in the same batch as each response, so statistics
 * never scan answers). Everything here is pure: no database, no clock, no I/O.
 *
 * The rollup model is a list of cells summed over the selected units, procedures and days:
 * `metric` is a question id or a pseudo-metric (they start with '_', which question ids cannot),
 * `value` is the answer bucket, `n` a count and `sum`/`sumsq` the running sums of a numeric
 * aggregate (cells with value '').
 *
 * Publication rules (docs/architecture.md §4 "Publish"): every summary carries its n, a 95 % interval where one
 * makes sense, and is suppressed below a minimum n (`minN`, default 10).
 */
import { gradeFor, maxTotal, scoredCriteria, type Instrument, type Question } from '../contracts/instrument.ts';

// The instrument's own arithmetic (its best total, the band of a total) lives with its schema, so the
// site's thank-you page uses the same code (issue #11).
export { gradeFor };

/** One rollup row (`rating_rollups` without its key columns), or the sum of several. */
export interface RollupCell {
  metric: string;
  value: string;
  n: number;
  sum: number;
  sumsq: number;
}

/** A validated response: likert5 '1'..'5', choice / score-0-2 an option id, multi a list of option
 * ids, text the text. */
export type Answers = Readonly<Record<string, string | readonly string[]>>;

/** Pseudo-metrics written once per response (besides one cell per answered question). */
export const PSEUDO = {
  /** Every response: value '', n 1. */
  responses: '_responses',
  /** SIPAS: value '', n 1, sum = x, sumsq = x², x ∈ [0, 1] the respondent's own index. */
  sipas: '_sipas',
  /** Dossier evaluation: value '', n 1, sum = total points (0–18), sumsq = total². */
  score: '_score',
  /** Dossier evaluation: value = grade band id, n 1. */
  grade: '_grade',
} as const;

/** Default minimum n below which a figure is not published (docs/architecture.md §4, §6). Editable per call. */
export const DEFAULT_MIN_N = 10;

/** The five points of the SIPAS scale, Rất không hài lòng … Rất hài lòng (docs/domain.md §5). */
export const LIKERT_VALUES = ['1', '2', '3', '4', '5'] as const;

/** "Hài lòng" and "Rất hài lòng": the top-2 box the SIPAS index counts (docs/domain.md §5). */
const TOP_TWO: ReadonlySet<string> = new Set(['4', '5']);

/** A two-sided interval. */
export interface Interval {
  low: number;
  high: number;
}

/** The result of {@link suppress}: the value, or only the fact that it was withheld. */
export type Suppressed<T> = { suppressed: true } | { suppressed: false; value: T };

/** A published figure: its sample size, then the value unless it was suppressed. */
export type Published<T> = { n: number } & Suppressed<T>;

/** A count and its share of the base, with the Wilson 95 % interval of the share. */
export interface Share {
  count: number;
  share: number;
  interval: Interval;
}

// ---------------------------------------------------------------------------------------------
// Intervals and suppression
// ---------------------------------------------------------------------------------------------

function clamp(x: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, x));
}

function assertCount(name: string, x: number): void {
  if (!Number.isInteger(x) || x < 0) throw new RangeError(`${name} must be a non-negative integer, got ${x}`);
}

/**
 * Wilson score interval for a proportion: unlike p ± z·√(p(1−p)/n) it stays inside [0, 1] and is
 * still honest for the small samples of a commune office or a single counter. `null` when n = 0
 * (no proportion to bound).
 * @example
 *   wilson(8, 10); // { low: 0.490, high: 0.943 } (rounded)
 *   wilson(0, 0); // null
 */
export function wilson(successes: number, n: number, z = 1.96): Interval | null {
  assertCount('n', n);
  assertCount('successes', successes);
  if (successes > n) throw new RangeError(`successes (${successes}) exceed n (${n})`);
  if (n === 0) return null;
  const p = successes / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // Clamp only against rounding: mathematically the interval is already inside [0, 1].
  return { low: clamp(centre - half, 0, 1), high: clamp(centre + half, 0, 1) };
}

/**
 * Normal-approximation interval of a mean from running sums: mean ± z·s/√n, with s the sample
 * standard deviation, s² = (sumsq − sum²/n) / (n − 1). `null` when n < 2 (one value says nothing
 * about spread). Callers clamp to the range of the measure (SIPAS [0, 1], NĐ 61 [0, 18]).
 * @example
 *   // values 0, 0.5, 1: n 3, sum 1.5, sumsq 1.25 → mean 0.5, s 0.5, half width 1.96·0.5/√3 ≈ 0.566
 *   meanInterval(3, 1.5, 1.25); // { low: -0.066, high: 1.066 } (rounded)
 */
export function meanInterval(n: number, sum: number, sumsq: number, z = 1.96): Interval | null {
  assertCount('n', n);
  if (n < 2) return null;
  const mean = sum / n;
  // Float sums of equal values can leave a tiny negative variance: treat it as zero.
  const variance = Math.max(0, (sumsq - (sum * sum) / n) / (n - 1));
  const half = (z * Math.sqrt(variance)) / Math.sqrt(n);
  return { low: mean - half, high: mean + half };
}

/** Two-sided 95 % critical values of Student's t for 1–29 degrees of freedom (standard tables). */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045,
];

/**
 * The multiplier of a 95 % interval of a mean of n values: Student's t with n − 1 degrees of
 * freedom below 30 values (issue #7 §3: a normal interval is too narrow for small samples), 1.96
 * from 30 on, where t is within 2 % of it.
 * @example meanMultiplier(10) === 2.262; meanMultiplier(30) === 1.96
 */
export function meanMultiplier(n: number): number {
  if (n >= 30 || n < 2) return 1.96;
  return T975[n - 2]!;
}

/**
 * Small-cell suppression (docs/architecture.md §4: "cells below a minimum n are suppressed"): a figure from fewer
 * than `minN` answers is withheld, so a unit with three respondents cannot expose any of them and
 * no one reads a percentage of three as a result.
 * @example
 *   suppress(9, 10, 0.8); // { suppressed: true }
 *   suppress(10, 10, 0.8); // { suppressed: false, value: 0.8 }
 */
export function suppress<T>(n: number, minN: number = DEFAULT_MIN_N, value: T): Suppressed<T> {
  return n < minN ? { suppressed: true } : { suppressed: false, value };
}

/** {@link suppress} with the n kept beside it. A figure with n = 0 is never shown, whatever minN is
 * (there is nothing to show, and the value would be undefined). */
function publish<T>(n: number, minN: number, value: () => T): Published<T> {
  if (n < Math.max(1, minN)) return { n, suppressed: true };
  return { n, suppressed: false, value: value() };
}

// ---------------------------------------------------------------------------------------------
// Reading rollups
// ---------------------------------------------------------------------------------------------

/**
 * Sums cells with the same metric and value: what the rollup writer's upsert does, and what
 * summing a selection of units and days does. The order of first appearance is kept.
 * @example
 *   mergeCells([{ metric: 'q', value: '5', n: 1, sum: 0, sumsq: 0 }, { metric: 'q', value: '5', n: 2, sum: 0, sumsq: 0 }]);
 *   // [{ metric: 'q', value: '5', n: 3, sum: 0, sumsq: 0 }]
 */
export function mergeCells(cells: Iterable<RollupCell>): RollupCell[] {
  const byKey = new Map<string, RollupCell>();
  for (const c of cells) {
    const key = `${c.metric}\u0000${c.value}`;
    const seen = byKey.get(key);
    if (seen) {
      seen.n += c.n;
      seen.sum += c.sum;
      seen.sumsq += c.sumsq;
    } else byKey.set(key, { metric: c.metric, value: c.value, n: c.n, sum: c.sum, sumsq: c.sumsq });
  }
  return [...byKey.values()];
}

/** n of one bucket. Cells need not be merged: every matching cell is added. */
function countOf(cells: readonly RollupCell[], metric: string, value: string): number {
  let n = 0;
  for (const c of cells) if (c.metric === metric && c.value === value) n += c.n;
  return n;
}

/** The numeric aggregate of a metric (its cells with value ''). */
function numericOf(cells: readonly RollupCell[], metric: string): { n: number; sum: number; sumsq: number } {
  const out = { n: 0, sum: 0, sumsq: 0 };
  for (const c of cells)
    if (c.metric === metric && c.value === '') {
      out.n += c.n;
      out.sum += c.sum;
      out.sumsq += c.sumsq;
    }
  return out;
}

/** Counts of the five likert points of a question, index 0 = '1'. */
function likertCounts(cells: readonly RollupCell[], questionId: string): number[] {
  return LIKERT_VALUES.map((v) => countOf(cells, questionId, v));
}

/**
 * Top-2 box of a likert5 question: the share answering 4 "Hài lòng" or 5 "Rất hài lòng" (docs/domain.md §5,
 * the SIPAS index of a criterion). `share` is null when nobody answered.
 * @example
 *   // answers 5,5,4,4,4,3,3,2,1,5 → 4 and 5: 6 of 10
 *   topTwoBox(cells, 'tc-1'); // { n: 10, share: 0.6 }
 */
export function topTwoBox(cells: readonly RollupCell[], questionId: string): { n: number; share: number | null } {
  const counts = likertCounts(cells, questionId);
  const n = counts.reduce((a, b) => a + b, 0);
  const top = (counts[3] ?? 0) + (counts[4] ?? 0);
  return { n, share: n === 0 ? null : top / n };
}

/**
 * Mean on the 1–5 scale of a likert5 question (docs/domain.md §5: "report the 1–5 mean too"). `mean` is
 * null when nobody answered.
 * @example
 *   // answers 5,5,4,4,4,3,3,2,1,5: (5·3 + 4·3 + 3·2 + 2 + 1) / 10 = 36 / 10
 *   likertMean(cells, 'tc-1'); // { n: 10, mean: 3.6 }
 */
export function likertMean(cells: readonly RollupCell[], questionId: string): { n: number; mean: number | null } {
  const counts = likertCounts(cells, questionId);
  let n = 0;
  let total = 0;
  counts.forEach((k, i) => {
    n += k;
    total += k * (i + 1);
  });
  return { n, mean: n === 0 ? null : total / n };
}

// ---------------------------------------------------------------------------------------------
// The cells one response contributes
// ---------------------------------------------------------------------------------------------

function bucket(metric: string, value: string): RollupCell {
  return { metric, value, n: 1, sum: 0, sumsq: 0 };
}

function numeric(metric: string, x: number): RollupCell {
  return { metric, value: '', n: 1, sum: x, sumsq: x * x };
}

function invalid(q: Question, why: string): Error {
  return new TypeError(`answer to "${q.id}" (${q.type}): ${why}`);
}

function singleAnswer(q: Question, a: string | readonly string[]): string {
  if (typeof a !== 'string') throw invalid(q, 'expected one value, got a list');
  return a;
}

function optionOf(q: Question, id: string): Question['options'][number] {
  const opt = q.options.find((o) => o.id === id);
  if (!opt) throw invalid(q, `unknown option "${id}"`);
  return opt;
}

/** The cells of one answered question. Empty answers ('' or []) count as unanswered. */
function questionCells(q: Question, a: string | readonly string[]): RollupCell[] {
  switch (q.type) {
    case 'text':
      // Free text is never aggregated: it may hold names, phone numbers, anything (docs/architecture.md §6,
      // personal data never reaches published figures). Comments are read, not counted.
      return [];
    case 'likert5': {
      const v = singleAnswer(q, a);
      if (v === '') return [];
      if (!(LIKERT_VALUES as readonly string[]).includes(v)) throw invalid(q, `"${v}" is not 1..5`);
      return [bucket(q.id, v)];
    }
    case 'choice': {
      const v = singleAnswer(q, a);
      if (v === '') return [];
      return [bucket(q.id, optionOf(q, v).id)];
    }
    case 'score-0-2': {
      // The bucket is the points, not the option id, so rewording or renaming an option keeps the
      // NĐ 61 criterion means comparable (docs/domain.md §6).
      const v = singleAnswer(q, a);
      if (v === '') return [];
      return [bucket(q.id, String(optionOf(q, v).points ?? 0))];
    }
    case 'multi': {
      if (typeof a === 'string') throw invalid(q, 'expected a list of options');
      const chosen = new Set(a);
      for (const id of chosen) optionOf(q, id);
      if (chosen.size === 0) return [];
      // One bucket per chosen option, in option order, plus a numeric cell (n = respondents who
      // answered, sum = options chosen): the base of "share of respondents naming this reason".
      return [...q.options.filter((o) => chosen.has(o.id)).map((o) => bucket(q.id, o.id)), numeric(q.id, chosen.size)];
    }
  }
}

/**
 * The rollup cells ONE response contributes; the writer adds each cell's n, sum and sumsq to the
 * stored row with the same key, in the same batch as the response (docs/architecture.md §3).
 *
 * - every response: `_responses` (value '', n 1);
 * - every answered likert5 / choice / score-0-2 question: one bucket cell (n 1); score-0-2 buckets
 *   are the points '0' | '1' | '2';
 * - every answered multi question: one bucket per chosen option and a '' cell with sum = number of
 *   options chosen (its n is the number of respondents who answered the question);
 * - text answers: no cell;
 * - SIPAS instruments: `_sipas` with the respondent's own index x (see {@link respondentSipas});
 * - dossier evaluations: `_score` (the total) and `_grade` (its band), see {@link dossierScore}.
 *
 * Answers must already be validated against the instrument; anything that does not fit (unknown
 * question, unknown option, a list for a single answer) throws, because a rollup that disagrees
 * with the stored answers could never be repaired from the statistics side.
 * @example
 *   rollupCellsForResponse(counter, { rating: 'hai-long' });
 *   // [{ metric: '_responses', value: '', n: 1, sum: 0, sumsq: 0 },
 *   //  { metric: 'rating', value: 'hai-long', n: 1, sum: 0, sumsq: 0 }]
 */
export function rollupCellsForResponse(ins: Instrument, answers: Answers): RollupCell[] {
  const known = new Set(ins.questions.map((q) => q.id));
  for (const key of Object.keys(answers))
    if (!known.has(key)) throw new TypeError(`answer to unknown question "${key}" of instrument "${ins.id}"`);

  const cells: RollupCell[] = [{ metric: PSEUDO.responses, value: '', n: 1, sum: 0, sumsq: 0 }];
  for (const q of ins.questions) {
    const a = answers[q.id];
    if (a !== undefined) cells.push(...questionCells(q, a));
  }
  if (ins.kind === 'sipas') {
    const x = respondentSipas(ins, answers);
    if (x !== null) cells.push(numeric(PSEUDO.sipas, x));
  }
  if (ins.kind === 'dossier-evaluation') {
    const score = dossierScore(ins, answers);
    if (score.answered > 0) {
      cells.push(numeric(PSEUDO.score, score.total));
      if (score.grade !== null) cells.push(bucket(PSEUDO.grade, score.grade));
    }
  }
  return cells;
}

// ---------------------------------------------------------------------------------------------
// SIPAS (docs/domain.md §5)
// ---------------------------------------------------------------------------------------------

/** The likert5 criteria of a factor, in instrument order. */
function criteriaOf(ins: Instrument, factorId: string): Question[] {
  return ins.questions.filter((q) => q.role === 'criterion' && q.type === 'likert5' && q.factor === factorId);
}

function mean(xs: readonly number[]): number | null {
  return xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/**
 * THE SIPAS aggregation formula, the only place it lives (docs/domain.md §5 marks it "verify" against
 * QĐ 1001/QĐ-BNV): a factor's index is the unweighted mean of its criteria's top-2 shares; the
 * SIPAS index is the unweighted mean of the factor indices. A factor with no share (no answered
 * criterion) has index null and is left out of the overall mean; overall is null when no factor
 * has an index.
 *
 * The same formula gives a respondent's own index: their "shares" are 1 or 0 per answered criterion
 * (answered 4–5 or not), so each factor becomes the share of its criteria they rated 4 or 5.
 *
 * If QĐ 1001 turns out to weight criteria or factors (by number of criteria, or by respondents),
 * change this function and nothing else.
 * @example
 *   sipasAggregate([[0.8, 0.6], [1]]); // { factors: [0.7, 1], overall: 0.85 }
 */
export function sipasAggregate(sharesByFactor: readonly (readonly number[])[]): {
  factors: (number | null)[];
  overall: number | null;
} {
  const factors = sharesByFactor.map((shares) => mean(shares));
  return { factors, overall: mean(factors.filter((x): x is number => x !== null)) };
}

/**
 * A respondent's own SIPAS x ∈ [0, 1]: mean over the factors of the share of that factor's criteria
 * they answered 4 or 5, through {@link sipasAggregate}; unanswered criteria are left out of their
 * factor, a factor with no answered criterion is left out of the mean. null when no criterion was
 * answered. Stored as `_sipas` so the published mean can carry a respondent-level interval.
 * @example
 *   // factor A: c1 = 5, c2 = 3 → 1/2; factor B: c3 = 4 → 1/1; x = (0.5 + 1) / 2
 *   respondentSipas(sipas, { c1: '5', c2: '3', c3: '4' }); // 0.75
 */
export function respondentSipas(ins: Instrument, answers: Answers): number | null {
  const byFactor = ins.factors.map((f) =>
    criteriaOf(ins, f.id).flatMap((q) => {
      const a = answers[q.id];
      return typeof a === 'string' && a !== '' ? [TOP_TWO.has(a) ? 1 : 0] : [];
    }),
  );
  return sipasAggregate(byFactor).overall;
}

/** Top-2 share, its Wilson interval and the 1–5 mean of one likert5 question with its 95 % interval. */
export interface LikertStat {
  share: number;
  interval: Interval;
  mean: number;
  /** Interval of the 1–5 mean (Student t below 30 answers), clamped to [1, 5]; null below 2 answers. */
  meanInterval: Interval | null;
}

function likertStat(cells: readonly RollupCell[], questionId: string, minN: number): Published<LikertStat> {
  const counts = likertCounts(cells, questionId);
  const n = counts.reduce((a, b) => a + b, 0);
  const sum = counts.reduce((a, k, i) => a + k * (i + 1), 0);
  const sumsq = counts.reduce((a, k, i) => a + k * (i + 1) ** 2, 0);
  return publish(n, minN, () => {
    const iv = meanInterval(n, sum, sumsq, meanMultiplier(n));
    return {
      share: topTwoBox(cells, questionId).share!,
      interval: wilson((counts[3] ?? 0) + (counts[4] ?? 0), n)!,
      mean: likertMean(cells, questionId).mean!,
      meanInterval: iv && { low: clamp(iv.low, 1, 5), high: clamp(iv.high, 1, 5) },
    };
  });
}

export interface SipasResult {
  /** Responses in the selection (`_responses`). Always shown: a count of responses discloses no one. */
  responses: number;
  /** Per criterion: top-2 share (the criterion index), its interval and the 1–5 mean. */
  criteria: ({ id: string; factor: string } & Published<LikertStat>)[];
  /** Per factor: the index from its criteria, and beside it the factor-satisfaction question if the
   * instrument has one (docs/domain.md §5 "sự hài lòng"), reported, never mixed into the index. */
  factors: ({ id: string; satisfaction: Published<LikertStat> | null } & Published<{ index: number }>)[];
  /** The SIPAS index: mean of the factor indices (docs/domain.md §5, verify). */
  index: Published<{ index: number }>;
  /** The overall-satisfaction question, if any, reported beside the index. */
  overall: Published<LikertStat> | null;
  /** Mean of the respondents' own indices (`_sipas`) with its 95 % interval clamped to [0, 1]. */
  respondents: Published<{ mean: number; interval: Interval | null }>;
}

/**
 * The SIPAS figures of a selection of rollups (docs/domain.md §5): criterion top-2 shares and means, factor
 * indices, the SIPAS index, and the respondent-level mean with a 95 % interval.
 *
 * n of a factor is the smallest n among its criteria (the thinnest base behind the index), so a
 * factor is shown only when every one of its criteria reaches minN; n of the index is the smallest
 * factor n, for the same reason.
 * @example
 *   const r = sipasIndex(sipas, cells, 10);
 *   if (!r.index.suppressed) console.log(r.index.value.index); // e.g. 0.844 for 84.4 %
 */
export function sipasIndex(ins: Instrument, cells: readonly RollupCell[], minN = DEFAULT_MIN_N): SipasResult {
  const criteria: SipasResult['criteria'] = [];
  const factors: SipasResult['factors'] = [];
  const sharesByFactor: number[][] = [];
  const factorNs: number[] = [];

  for (const f of ins.factors) {
    const shares: number[] = [];
    let n = Infinity;
    for (const q of criteriaOf(ins, f.id)) {
      const tb = topTwoBox(cells, q.id);
      if (tb.share !== null) shares.push(tb.share);
      n = Math.min(n, tb.n);
      criteria.push({ id: q.id, factor: f.id, ...likertStat(cells, q.id, minN) });
    }
    if (n === Infinity) n = 0;
    sharesByFactor.push(shares);
    factorNs.push(n);
    const satisfactionQ = ins.questions.find(
      (q) => q.role === 'factor-satisfaction' && q.type === 'likert5' && q.factor === f.id,
    );
    factors.push({
      id: f.id,
      satisfaction: satisfactionQ ? likertStat(cells, satisfactionQ.id, minN) : null,
      // Published only when n ≥ 1, i.e. every criterion answered, so the mean has a value.
      ...publish(n, minN, () => ({ index: mean(shares)! })),
    });
  }

  const agg = sipasAggregate(sharesByFactor);
  const indexN = factorNs.length === 0 ? 0 : Math.min(...factorNs);
  const overallQ = ins.questions.find((q) => q.role === 'overall' && q.type === 'likert5');
  const own = numericOf(cells, PSEUDO.sipas);
  const ownInterval = meanInterval(own.n, own.sum, own.sumsq);

  return {
    responses: numericOf(cells, PSEUDO.responses).n,
    criteria,
    factors,
    index: publish(indexN, minN, () => ({ index: agg.overall! })),
    overall: overallQ ? likertStat(cells, overallQ.id, minN) : null,
    respondents: publish(own.n, minN, () => ({
      mean: own.sum / own.n,
      interval: ownInterval && { low: clamp(ownInterval.low, 0, 1), high: clamp(ownInterval.high, 0, 1) },
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// Dossier evaluation, NĐ 61/2018 as amended by NĐ 107/2021 (docs/domain.md §6)
// ---------------------------------------------------------------------------------------------

/**
 * Total points and grade of one dossier evaluation (docs/domain.md §6: 9 criteria × 0–2 points, max 18).
 * Unanswered criteria add nothing; `answered` says how many were scored, so a caller can refuse a
 * partial evaluation.
 * @example
 *   dossierScore(nd61, { c1: 'dung-han', c2: 'mot-lan', … }); // { total: 16, max: 18, answered: 9, grade: 'xuat-sac' }
 */
export function dossierScore(
  ins: Instrument,
  answers: Answers,
): { total: number; max: number; answered: number; grade: string | null } {
  let total = 0;
  let answered = 0;
  for (const q of scoredCriteria(ins)) {
    const a = answers[q.id];
    if (a === undefined || a === '') continue;
    total += optionOf(q, singleAnswer(q, a)).points ?? 0;
    answered += 1;
  }
  return { total, max: maxTotal(ins), answered, grade: gradeFor(ins.grade_bands, total) };
}

export interface ScoreSummary {
  responses: number;
  /** Mean total (0–18) with its 95 % interval clamped to [0, max]; n = evaluations with a score. */
  score: Published<{
    mean: number;
    max: number;
    interval: Interval | null;
    /** Per grade band, in band order; the base is the number of scored evaluations. */
    grades: ({ id: string } & Share)[];
  }>;
  /** Mean points (0–2) per criterion, from its point buckets. */
  criteria: ({ id: string } & Published<{ meanPoints: number }>)[];
}

/**
 * The NĐ 61 figures of a selection of rollups: mean total with interval, grade distribution and the
 * mean points of each criterion (docs/domain.md §6).
 * @example
 *   const s = scoreSummary(nd61, cells, 10);
 *   if (!s.score.suppressed) console.log(s.score.value.mean, s.score.value.grades);
 */
export function scoreSummary(ins: Instrument, cells: readonly RollupCell[], minN = DEFAULT_MIN_N): ScoreSummary {
  const max = maxTotal(ins);
  const sc = numericOf(cells, PSEUDO.score);
  const iv = meanInterval(sc.n, sc.sum, sc.sumsq, meanMultiplier(sc.n));
  return {
    responses: numericOf(cells, PSEUDO.responses).n,
    score: publish(sc.n, minN, () => ({
      mean: sc.sum / sc.n,
      max,
      interval: iv && { low: clamp(iv.low, 0, max), high: clamp(iv.high, 0, max) },
      grades: ins.grade_bands.map((b) => {
        const count = countOf(cells, PSEUDO.grade, b.id);
        return { id: b.id, count, share: count / sc.n, interval: wilson(count, sc.n)! };
      }),
    })),
    criteria: scoredCriteria(ins).map((q) => {
      const points = [0, 1, 2].map((p) => countOf(cells, q.id, String(p)));
      const n = points.reduce((a, b) => a + b, 0);
      const total = points.reduce((acc, k, p) => acc + k * p, 0);
      return { id: q.id, ...publish(n, minN, () => ({ meanPoints: total / n })) };
    }),
  };
}

// ---------------------------------------------------------------------------------------------
// One-tap rating, reasons, any choice question
// ---------------------------------------------------------------------------------------------

/**
 * Counts and shares per option, in option order: the one-tap counter rating, the reason chips
 * after a low rating, a profile question. The base n is the number of respondents who answered
 * the question: for a multi question its '' cell (so shares of reasons may add up to more than 1),
 * otherwise the sum of the option counts. Buckets not in `options` are ignored in the counts but not
 * in the base of a single-choice question (an option removed in a later version still counted).
 * @example
 *   // ratings: 6 hai-long, 3 binh-thuong, 1 khong-hai-long
 *   distribution(cells, 'rating', ['hai-long', 'binh-thuong', 'khong-hai-long'], 10);
 *   // { n: 10, suppressed: false, value: [{ id: 'hai-long', count: 6, share: 0.6, interval: … }, …] }
 */
export function distribution(
  cells: readonly RollupCell[],
  questionId: string,
  options: readonly (string | { id: string })[],
  minN = DEFAULT_MIN_N,
): Published<({ id: string } & Share)[]> {
  const ids = options.map((o) => (typeof o === 'string' ? o : o.id));
  const answered = numericOf(cells, questionId).n;
  let bucketsTotal = 0;
  for (const c of cells) if (c.metric === questionId && c.value !== '') bucketsTotal += c.n;
  const n = answered > 0 ? answered : bucketsTotal;
  return publish(n, minN, () =>
    ids.map((id) => {
      const count = countOf(cells, questionId, id);
      return { id, count, share: count / n, interval: wilson(count, n)! };
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Timeliness and the ranking rule (docs/domain.md §1)
// ---------------------------------------------------------------------------------------------

/**
 * On-time and late shares of returned dossiers with Wilson intervals (docs/domain.md §1: late < 2 % in
 * priority fields, 90 % on time). `late` defaults to total − onTime (the `dossier_rollups` table
 * keeps total and on_time). Dossiers counts are official records, not answers: pass minN = 0 to
 * publish them whatever the count.
 * @example
 *   timeliness({ total: 100, onTime: 96 }); // n 100, onTime.share 0.96, late.share 0.04
 */
export function timeliness(
  counts: { total: number; onTime: number; late?: number },
  minN = DEFAULT_MIN_N,
): Published<{ onTime: Share; late: Share }> {
  const { total, onTime } = counts;
  const late = counts.late ?? total - onTime;
  assertCount('total', total);
  assertCount('onTime', onTime);
  assertCount('late', late);
  if (onTime + late > total) throw new RangeError(`onTime (${onTime}) + late (${late}) exceed total (${total})`);
  const share = (count: number): Share => ({ count, share: count / total, interval: wilson(count, total)! });
  return publish(total, minN, () => ({ onTime: share(onTime), late: share(late) }));
}

/** Thresholds of the ranking rule: editable data (docs/domain.md: rules marked verify stay data). */
export interface RankingThresholds {
  /** Flagged when the late share is at or above this (the Khánh Hòa programme on KL 91-KL/TU (mục III.1.c): 5 %; officials: 10 %, 5 % from 2025). */
  maxLateShare: number;
  /** Flagged when satisfaction is at or below this (the Khánh Hòa programme on KL 91-KL/TU (mục III.1.c): 80 %). */
  minSatisfaction: number;
}

/** the Khánh Hòa programme on KL 91-KL/TU (mục III.1.c) for an agency (docs/domain.md §1). */
export const DEFAULT_RANKING_THRESHOLDS: RankingThresholds = { maxLateShare: 0.05, minSatisfaction: 0.8 };

/** Shares computed along different float paths can land one ulp off a legal boundary such as 5 %. */
const EPS = 1e-9;

/**
 * The ranking rule of the Khánh Hòa programme on KL 91-KL/TU (docs/domain.md §1): an agency with ≥ 5 % late dossiers or
 * satisfaction ≤ 80 % cannot be ranked "tốt". Shares are fractions in [0, 1]; both boundaries are
 * inclusive. An input that is null (unknown or suppressed) is not judged and is listed in `unknown`.
 * @example
 *   rankingFlag({ lateShare: 0.05, satisfaction: 0.9 }); // { flagged: true, reasons: ['late'], unknown: [] }
 *   rankingFlag({ lateShare: 0.01, satisfaction: null }); // { flagged: false, reasons: [], unknown: ['satisfaction'] }
 */
export function rankingFlag(
  values: { lateShare: number | null; satisfaction: number | null },
  thresholds: RankingThresholds = DEFAULT_RANKING_THRESHOLDS,
): { flagged: boolean; reasons: ('late' | 'satisfaction')[]; unknown: ('late' | 'satisfaction')[] } {
  const reasons: ('late' | 'satisfaction')[] = [];
  const unknown: ('late' | 'satisfaction')[] = [];
  if (values.lateShare === null) unknown.push('late');
  else if (values.lateShare >= thresholds.maxLateShare - EPS) reasons.push('late');
  if (values.satisfaction === null) unknown.push('satisfaction');
  else if (values.satisfaction <= thresholds.minSatisfaction + EPS) reasons.push('satisfaction');
  return { flagged: reasons.length > 0, reasons, unknown };
}
