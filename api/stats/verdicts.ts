/**
 * The ranking verdict of a unit over a range (issue #7 §3), under the rule of Khánh Hòa's action
 * programme implementing Kết luận 91-KL/TU: an agency with ≥ 5 % late dossiers or satisfaction
 * ≤ 80 % cannot be ranked "tốt" (thresholds from content/reform.yaml). One verdict per unit and range,
 * computed from the same inputs whichever survey the page shows (docs/feedback-statistics.md
 * "Verdicts and labels"):
 *
 * - late: the late share of the dossiers the one-stop systems returned. These are records of every
 *   dossier (a census, not a sample), so the share itself is compared with the threshold; when it is
 *   withheld (no dossier, or too few under the disclosure rules) the condition is undetermined.
 * - satisfaction: the SIPAS index (the method the province's satisfaction target is set in), from
 *   the verified sample when it has at least min n responses, else from all responses, labelled
 *   self-selected or mixed. A sample estimate decides only when its whole 95 % interval is on one
 *   side of the threshold; an interval that straddles it, or too few responses, leaves the condition
 *   undetermined. The one-tap rating (a different scale) and the NĐ 61 score (points) never decide it.
 *
 * "cannot be good" needs one condition failed; "meets both" needs both met; anything else is
 * "undetermined", naming the condition and why.
 */
import type { Instrument } from '../contracts/instrument.ts';
import type {
  Figure,
  RankingFlag,
  RatingSummary,
  Thresholds,
  TrustLevel,
  Verdict,
  VerdictCondition,
} from '../contracts/stats.ts';
import { ratingSummaryOf, type TrustCell } from './summaries.ts';

/** Shares computed along different float paths can land one ulp off a boundary such as 5 %. */
const EPS = 1e-9;

/** The SIPAS index the satisfaction condition rests on, and which sample that is. */
export function satisfactionBasis(
  sipas: Instrument,
  cells: readonly TrustCell[],
  minN: number,
  publish: PublishSummary = (s) => s,
): { figure: Figure; basis: Verdict['satisfaction_basis'] } {
  const verified = publish(
    ratingSummaryOf(
      sipas,
      cells.filter((c) => c.verified),
      minN,
      'verified',
    ),
    'verified',
  );
  if (verified.kind === 'sipas' && !verified.index.suppressed)
    return { figure: verified.index, basis: 'verified sample' };
  const all = publish(ratingSummaryOf(sipas, cells, minN, 'all'), 'all');
  if (all.kind !== 'sipas') throw new Error('the satisfaction basis is a SIPAS instrument');
  if (all.index.suppressed) return { figure: all.index, basis: null };
  const basis = all.label === 'self-selected' || all.label === 'mixed' ? all.label : 'verified sample';
  return { figure: all.index, basis };
}

/**
 * The disclosure protection of the cell a summary was computed for (api/stats/disclosure.ts): the
 * verdict rests on published figures only, so it never tells more than the tables do.
 */
export type PublishSummary = (s: RatingSummary, trust: TrustLevel) => RatingSummary;

function lateCondition(late: Figure, threshold: number): VerdictCondition {
  if (late.suppressed || late.value === null)
    return { condition: 'late', status: 'undetermined', reason: late.n === 0 ? 'no-data' : 'too-few' };
  return { condition: 'late', status: late.value >= threshold - EPS ? 'failed' : 'met', reason: null };
}

function satisfactionCondition(s: Figure, threshold: number): VerdictCondition {
  if (s.suppressed || s.value === null)
    return { condition: 'satisfaction', status: 'undetermined', reason: s.n === 0 ? 'no-data' : 'too-few' };
  if (s.high !== null && s.high <= threshold + EPS)
    return { condition: 'satisfaction', status: 'failed', reason: null };
  if (s.low !== null && s.low > threshold + EPS) return { condition: 'satisfaction', status: 'met', reason: null };
  return { condition: 'satisfaction', status: 'undetermined', reason: 'straddles' };
}

/**
 * The verdict of one unit and range.
 * @example verdictOf(late, sipas, sipasCells, 10, thresholds).verdict // 'cannot-be-good' | 'meets-both' | 'undetermined'
 */
export function verdictOf(
  late: Figure,
  sipas: Instrument,
  sipasCells: readonly TrustCell[],
  minN: number,
  th: Thresholds,
  publish?: PublishSummary,
): Verdict {
  const sat = satisfactionBasis(sipas, sipasCells, minN, publish);
  const conditions = [lateCondition(late, th.late.value), satisfactionCondition(sat.figure, th.satisfaction.value)];
  const verdict = conditions.some((c) => c.status === 'failed')
    ? 'cannot-be-good'
    : conditions.every((c) => c.status === 'met')
      ? 'meets-both'
      : 'undetermined';
  return { verdict, conditions, late, satisfaction: sat.figure, satisfaction_basis: sat.basis };
}

/** The older flag shape, read off the verdict so the two never disagree. */
export function flagOfVerdict(v: Verdict): RankingFlag {
  return {
    flagged: v.verdict === 'cannot-be-good',
    reasons: v.conditions.filter((c) => c.status === 'failed').map((c) => c.condition),
    unknown: v.conditions.filter((c) => c.status === 'undetermined').map((c) => c.condition),
  };
}
