/**
 * The reform office's unit ranking and survey coverage (issue #10 §1–2): the queries of
 * GET /api/v1/stats/ranking and /stats/coverage and the JSON they answer. Figures are the
 * published figures of api/contracts/stats.ts (n, value, 95 % interval, suppressed below min_n) and
 * the verdict is the one of api/stats/verdicts.ts, so a unit reads the same here and on /thong-ke/.
 */
import { z } from 'zod';
import { localized } from './content.ts';
import { DEFAULT_STATS_UNIT, statsSpan, statsTarget, thresholds, verdict } from './stats.ts';

const slug = z.string().regex(/^[a-z0-9]+(?:[-_][a-z0-9]+)*$/);

/**
 * The levels a reader filters by, from the unit kinds of content/units.yaml: departments and other
 * provincial agencies, district-level units (until 1 July 2025), communes and wards, public
 * service units (schools, hospitals).
 */
export const rankingLevels = ['department', 'district', 'commune', 'public-service'] as const;
export type RankingLevel = (typeof rankingLevels)[number];

/** The level of a unit kind; null for the national and provincial levels (never ranked). */
export function levelOfKind(kind: string): RankingLevel | null {
  switch (kind) {
    case 'so':
    case 'khac':
      return 'department';
    case 'huyen':
    case 'thi-xa':
    case 'thanh-pho':
      return 'district';
    case 'xa':
    case 'phuong':
    case 'thi-tran':
      return 'commune';
    case 'su-nghiep':
      return 'public-service';
    default:
      return null;
  }
}

export const rankingSorts = ['verdict', 'late', 'satisfaction', 'name'] as const;
export type RankingSort = (typeof rankingSorts)[number];

export const rankingQuery = z.object({
  unit: slug
    .default(DEFAULT_STATS_UNIT)
    .describe('Every unit below this one (content/units.yaml) that handles procedures is ranked.'),
  span: statsSpan.optional(),
  level: z
    .enum(['all', ...rankingLevels])
    .default('all')
    .describe('department | district | commune | public-service | all'),
  sort: z
    .enum(rankingSorts)
    .default('verdict')
    .describe(
      'verdict (cannot be good first, then undetermined, then meets both), late share, satisfaction index, or name',
    ),
  order: z.enum(['asc', 'desc']).optional().describe('Default: the worst first (or A–Z for name).'),
});
export type RankingQuery = z.input<typeof rankingQuery>;

/** A plan's target beside a unit's figure, with the unit whose plan sets it. */
export const rankingTarget = statsTarget.extend({
  scope: z.string().describe('The unit whose plan sets the target: the ranked unit or one above it.'),
});
export type RankingTarget = z.infer<typeof rankingTarget>;

const unitRow = {
  unit: z.string(),
  name: localized,
  kind: z.string(),
  level: z.enum(rankingLevels),
  parent: z.string().nullable(),
  /** Last day of a unit that no longer exists, else null: it is ranked under its own name. */
  valid_to: z.string().nullable(),
};

export const rankingResult = z
  .object({
    query: z.object({
      unit: z.string(),
      name: localized,
      span: statsSpan,
      from: z.string(),
      to: z.string(),
      level: z.enum(['all', ...rankingLevels]),
      sort: z.enum(rankingSorts),
      order: z.enum(['asc', 'desc']),
    }),
    min_n: z.number().int(),
    /** The rule: late share at or above `late`, or satisfaction at or below `satisfaction`, cannot be "tốt". */
    thresholds,
    /** The documents the rule comes from (content/reform.yaml), cited. */
    rule_sources: z.array(statsTarget),
    units: z.array(
      z.object({
        ...unitRow,
        /** Returned dossiers (one-stop records); null when the count is suppressed. */
        dossiers: z.number().int().nullable(),
        verdict,
        /** Targets of the plans for the late share, on-time share and satisfaction, if any. */
        targets: z.array(rankingTarget),
      }),
    ),
  })
  .describe('Ranking of the units under the rule of Conclusion 91-KL/TU');
export type RankingResult = z.infer<typeof rankingResult>;

/** The margin of error e of Slovin's formula, in percent (issue #10 §2: 5 % by default, 1–20 %). */
export const DEFAULT_MARGIN = 5;

export const coverageQuery = z.object({
  unit: slug.default(DEFAULT_STATS_UNIT).describe('Every unit below this one that handles procedures.'),
  span: statsSpan.optional(),
  level: z.enum(['all', ...rankingLevels]).default('all'),
  margin: z
    .string()
    .max(16)
    .optional()
    .describe('Margin of error e in percent, 1–20 (default 5); outside → 422 margin_out_of_range.'),
});

export const coverageResult = z
  .object({
    query: z.object({
      unit: z.string(),
      name: localized,
      span: statsSpan,
      from: z.string(),
      to: z.string(),
      level: z.enum(['all', ...rankingLevels]),
      margin: z.number(),
    }),
    min_n: z.number().int(),
    formula: z.string().describe('n = N / (1 + N·e²), rounded up'),
    units: z.array(
      z.object({
        ...unitRow,
        /** Returned dossiers N; null when suppressed. */
        dossiers: z.number().int().nullable(),
        /** Slovin sample size for N; null when N is suppressed. */
        sample_needed: z.number().int().nullable(),
        tokens_issued: z.number().int().nullable(),
        tokens_redeemed: z.number().int().nullable(),
        /** Redeemed / issued, percent. */
        response_rate: z.number().nullable(),
        /** Redeemed / needed, percent (capped at 100). */
        progress: z.number().nullable(),
        /** Ratings of any survey in the period (0: the unit is not measured). */
        measured: z.boolean(),
      }),
    ),
  })
  .describe('Survey coverage of the units and sample planning');
export type CoverageResult = z.infer<typeof coverageResult>;

/** GET /api/v1/staff/survey (staff only): invitations to issue, sample plans, counter flags. */
export const staffSurveyResult = z.object({
  unit: z.string(),
  name: z.object({ vi: z.string(), en: z.string() }),
  plan: z.object({
    month: z.string(),
    expected: z.number().int(),
    returned_so_far: z.number().int(),
    needed: z.number().int(),
    response_rate: z.number(),
    response_rate_basis: z.enum(['measured', 'assumed']),
    invitations_needed: z.number().int(),
    issued: z.number().int(),
    redeemed: z.number().int(),
    more_to_issue: z.number().int(),
  }),
  sample_plans: z.array(
    z.object({
      month: z.string(),
      margin: z.number(),
      expected: z.number().int(),
      needed: z.number().int(),
      response_rate: z.number(),
      rate: z.number(),
      created_at: z.string(),
      seed: z.string().nullable(),
    }),
  ),
  flags: z.array(
    z.object({
      unit: z.string(),
      counter: z.string(),
      rule: z.enum(['burst', 'above-verified']),
      value: z.number(),
      detail: z.string(),
    }),
  ),
  rules: z.object({
    burst: z.object({ ratings: z.number().int(), minutes: z.number().int() }),
    above_verified: z.object({ points: z.number() }),
  }),
});
export type StaffSurveyResult = z.infer<typeof staffSurveyResult>;
