/**
 * Turns summed rollup cells into the published figures of the statistics endpoints (issue #3,
 * docs/architecture.md §4 "Publish"): every number through api/scoring (the one place the formulas live), then
 * put in the shape of api/contracts/stats.ts: n, value and 95 % interval, suppressed below min n,
 * shares in percent. Pure functions: no database, no clock.
 */
import type { Instrument, Question } from '../contracts/instrument.ts';
import type {
  Figure,
  RankingFlag,
  RatingSummary,
  SampleLabel,
  Thresholds,
  TimelinessSummary,
  TrustLevel,
} from '../contracts/stats.ts';
import {
  DEFAULT_RANKING_THRESHOLDS,
  PSEUDO,
  distribution,
  dossierScore,
  rankingFlag,
  scoreSummary,
  sipasIndex,
  timeliness,
  wilson,
  type Interval,
  type LikertStat,
  type Published,
  type RollupCell,
  type Share,
} from '../scoring/scoring.ts';

/** Cells as the statistics queries return them (db/stats.ts): a rollup cell of one trust level. */
export type TrustCell = RollupCell & { verified: boolean };

/**
 * The one-tap rating's answers counted as satisfied: "Rất hài lòng" and "Hài lòng", the same top-2
 * box as SIPAS (docs/domain.md §5), by option id in content/surveys/quay.yaml.
 */
export const SATISFIED_OPTIONS: ReadonlySet<string> = new Set(['rat-hai-long', 'hai-long']);

const pct = (x: number) => x * 100;

export function suppressedFigure(n: number): Figure {
  return { n, value: null, low: null, high: null, suppressed: true };
}

function percentFigure(n: number, share: number, interval: Interval | null): Figure {
  return {
    n,
    value: pct(share),
    low: interval ? pct(interval.low) : null,
    high: interval ? pct(interval.high) : null,
    suppressed: false,
  };
}

/**
 * Wilson 95 % interval of a share p over n, for an INDEX (a mean of several top-2 shares) rather
 * than a count: api/scoring's `wilson` takes whole successes. Treating the index as the share of n
 * respondents is conservative (averaging criteria narrows the true spread), which is what a
 * published interval should be when the exact one is not available from the rollups.
 */
export function indexInterval(p: number, n: number, z = 1.96): Interval | null {
  if (n <= 0) return null;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

function indexFigure(p: Published<{ index: number }>): Figure {
  if (p.suppressed) return suppressedFigure(p.n);
  return percentFigure(p.n, p.value.index, indexInterval(p.value.index, p.n));
}

function likertFigure(p: Published<LikertStat>): Figure {
  return p.suppressed ? suppressedFigure(p.n) : percentFigure(p.n, p.value.share, p.value.interval);
}

function shareFigure(n: number, s: Share): Figure {
  return percentFigure(n, s.share, s.interval);
}

/** Responses of each trust level in the cells (`_responses`). */
export function responsesByTrust(cells: readonly TrustCell[]): { verified: number; selfSelected: number } {
  let verified = 0;
  let selfSelected = 0;
  for (const c of cells)
    if (c.metric === PSEUDO.responses && c.value === '') {
      if (c.verified) verified += c.n;
      else selfSelected += c.n;
    }
  return { verified, selfSelected };
}

/**
 * What a figure rests on: the trust filter when one was asked for; otherwise what the cells hold
 * ("mixed" when both kinds, or when there is nothing yet).
 */
export function labelOf(cells: readonly TrustCell[], trust: TrustLevel): SampleLabel {
  if (trust === 'verified') return 'verified sample';
  if (trust === 'self-selected') return 'self-selected';
  const { verified, selfSelected } = responsesByTrust(cells);
  if (verified > 0 && selfSelected === 0) return 'verified sample';
  if (selfSelected > 0 && verified === 0) return 'self-selected';
  return 'mixed';
}

/** The one-tap rating question: the instrument's choice question with role "rating". */
export function ratingQuestion(ins: Instrument): Question | undefined {
  return ins.questions.find((q) => q.role === 'rating' && q.type === 'choice');
}

/**
 * The summary of one instrument over summed cells: SIPAS index and factors, NĐ 61 score and grades,
 * or the one-tap distribution, each figure suppressed below `minN`.
 * @example ratingSummaryOf(sipas, cells, 10, 'all').index // { n: 30, value: 84.4, low: 67.2, high: 93.3, suppressed: false }
 */
export function ratingSummaryOf(
  ins: Instrument,
  cells: readonly TrustCell[],
  minN: number,
  trust: TrustLevel,
): RatingSummary {
  const label = labelOf(cells, trust);
  const responses = responsesByTrust(cells);
  const base = { responses: responses.verified + responses.selfSelected, label };
  if (ins.kind === 'sipas') {
    const r = sipasIndex(ins, cells, minN);
    return {
      kind: 'sipas',
      ...base,
      index: indexFigure(r.index),
      factors: ins.factors.map((f, i) => {
        const factor = r.factors[i]!;
        return {
          id: f.id,
          name: f.name,
          index: indexFigure(factor),
          satisfaction: factor.satisfaction ? likertFigure(factor.satisfaction) : null,
        };
      }),
      overall: r.overall ? likertFigure(r.overall) : null,
      criteria: r.criteria.map((c) => ({
        id: c.id,
        factor: c.factor,
        name: ins.questions.find((q) => q.id === c.id)?.text ?? { vi: c.id, en: c.id },
        share: likertFigure(c),
        mean: c.suppressed
          ? suppressedFigure(c.n)
          : {
              n: c.n,
              value: c.value.mean,
              low: c.value.meanInterval?.low ?? null,
              high: c.value.meanInterval?.high ?? null,
              suppressed: false,
            },
      })),
    };
  }
  if (ins.kind === 'dossier-evaluation') {
    const s = scoreSummary(ins, cells, minN);
    const max = dossierScore(ins, {}).max;
    const score = s.score;
    return {
      kind: 'dossier-evaluation',
      ...base,
      score: score.suppressed
        ? { ...suppressedFigure(score.n), max }
        : {
            n: score.n,
            value: score.value.mean,
            low: score.value.interval?.low ?? null,
            high: score.value.interval?.high ?? null,
            suppressed: false,
            max,
          },
      grades: ins.grade_bands.map((b) => {
        const g = score.suppressed ? undefined : score.value.grades.find((x) => x.id === b.id);
        return {
          id: b.id,
          name: b.name,
          min: b.min,
          max: b.max,
          share: g ? shareFigure(score.n, g) : suppressedFigure(score.n),
        };
      }),
    };
  }
  const q = ratingQuestion(ins);
  const options = q?.options ?? [];
  const d = q ? distribution(cells, q.id, options, minN) : ({ n: 0, suppressed: true } as const);
  let satisfied = suppressedFigure(d.n);
  if (!d.suppressed) {
    const count = d.value.filter((o) => SATISFIED_OPTIONS.has(o.id)).reduce((a, o) => a + o.count, 0);
    satisfied = percentFigure(d.n, count / d.n, wilson(count, d.n));
  }
  return {
    kind: 'counter',
    ...base,
    satisfied,
    options: options.map((o) => {
      const share = d.suppressed ? undefined : d.value.find((x) => x.id === o.id);
      return { id: o.id, name: o.text, share: share ? shareFigure(d.n, share) : suppressedFigure(d.n) };
    }),
  };
}

/** The figure that stands for "satisfaction" in the ranking rule: the SIPAS index or the one-tap
 * satisfied share; a NĐ 61 score is points, not a share, so it is not judged. */
export function satisfactionOf(s: RatingSummary): Figure | null {
  if (s.kind === 'sipas') return s.index;
  if (s.kind === 'counter') return s.satisfied;
  return null;
}

/**
 * On-time and late shares of returned dossiers with Wilson intervals. Suppressed below `minN` like
 * the ratings (issue #7 part 3): in a small commune one late dossier points at one citizen's case
 * and one official; a share of 2 dossiers says nothing reliable either.
 */
export function timelinessSummaryOf(counts: { total: number; onTime: number }, minN: number): TimelinessSummary {
  const t = timeliness(counts, minN);
  return {
    dossiers: counts.total,
    label: 'records',
    on_time: t.suppressed ? suppressedFigure(t.n) : shareFigure(t.n, t.value.onTime),
    late: t.suppressed ? suppressedFigure(t.n) : shareFigure(t.n, t.value.late),
  };
}

/**
 * The ranking rule of the Khánh Hòa programme on KL 91-KL/TU with the thresholds of the data (percent): late ≥ threshold
 * or satisfaction ≤ threshold cannot be ranked "tốt"; a suppressed input is listed as unknown.
 */
export function flagOf(late: Figure, satisfaction: Figure | null, th: Thresholds): RankingFlag {
  const share = (f: Figure | null) => (f && !f.suppressed && f.value !== null ? f.value / 100 : null);
  return rankingFlag(
    { lateShare: share(late), satisfaction: share(satisfaction) },
    { maxLateShare: th.late.value / 100, minSatisfaction: th.satisfaction.value / 100 },
  );
}

/** The defaults of api/scoring, in percent, when content/reform.yaml holds no ranking rule. */
export const DEFAULT_THRESHOLDS: Thresholds = {
  late: { value: Math.round(pct(DEFAULT_RANKING_THRESHOLDS.maxLateShare) * 1e9) / 1e9, target: null },
  satisfaction: { value: Math.round(pct(DEFAULT_RANKING_THRESHOLDS.minSatisfaction) * 1e9) / 1e9, target: null },
};
