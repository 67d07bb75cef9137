/**
 * Public statistics (issue #3, docs/architecture.md §4 flow 4 "Publish"): the query of GET /api/v1/stats/…, the
 * JSON it answers, the CSV columns and the data dictionary. Shared by the API route (which validates
 * and documents with these schemas) and the statistics page (which reads the JSON with these types).
 *
 * Every figure is a {@link figure}: its sample size n, then value and 95 % interval unless it was
 * suppressed (n below `min_n`). Shares are in percent (0–100), NĐ 61 scores in points.
 */
import { z } from 'zod';
import { localized } from './content.ts';
import { procedureCode } from './usefulness.ts';

const slug = z.string().regex(/^[a-z0-9]+(?:[-_][a-z0-9]+)*$/);

/** Instruments with public statistics (content/surveys/<id>.yaml). */
export const statsInstruments = ['sipas', 'danh-gia-ho-so', 'quay'] as const;
export type StatsInstrument = (typeof statsInstruments)[number];
export const statsPeriods = ['month', 'quarter', 'year'] as const;
export type StatsPeriod = (typeof statsPeriods)[number];
export const trustLevels = ['verified', 'self-selected', 'all'] as const;
export type TrustLevel = (typeof trustLevels)[number];

/**
 * What a figure rests on (docs/architecture.md §4): answers redeemed with a dossier's one-time token ("verified
 * sample"), open answers from whoever chose to rate ("self-selected"), or both ("mixed").
 * Dossier timeliness comes from the one-stop systems' records ("records"); feedback figures from the
 * portal's own feedback cases ("feedback cases", issue #7 §3: never called one-stop records).
 */
export const sampleLabels = ['verified sample', 'self-selected', 'mixed', 'records', 'feedback cases'] as const;
export type SampleLabel = (typeof sampleLabels)[number];
export const sampleLabel = z.enum(sampleLabels);

/** The unit shown when none is asked for: the portal's province. */
export const DEFAULT_STATS_UNIT = 'khanh-hoa';

/**
 * A fixed publication period (issue #7, docs/statistics.md): a calendar year, quarter or month in
 * Viet Nam time. Public figures exist only for these, never for free date ranges, so no two
 * published ranges differ by a few days.
 */
export const statsSpan = z
  .string()
  .regex(/^\d{4}(?:-Q[1-4]|-(?:0[1-9]|1[0-2]))?$/)
  .describe('Period: a year (2025), a quarter (2025-Q3) or a month (2025-07), Viet Nam time. Default: this year.');

/** Free date ranges are refused on the public endpoints (422 fixed_periods_only). */
const refusedDay = z.string().max(32).optional();

/** Filters shared by the statistics endpoints. Defaults: the province, all procedures, this calendar
 * year (Asia/Ho_Chi_Minh), by year, every response. */
export const statsQuery = z.object({
  unit: slug.default(DEFAULT_STATS_UNIT).describe('Unit id (content/units.yaml); its whole subtree is counted.'),
  procedure: procedureCode.optional().describe('National procedure code (mã TTHC); absent = all procedures.'),
  instrument: z
    .string()
    .max(64)
    .default('sipas')
    .describe(`Survey: ${statsInstruments.join(' | ')} (ratings only; unknown → 422 unknown_instrument).`),
  span: statsSpan.optional(),
  period: z
    .enum(statsPeriods)
    .default('year')
    .describe('Bucket of the time series, within the span (a bucket coarser than the span becomes the span).'),
  from: refusedDay.describe('Not accepted: public figures use fixed periods only (422 fixed_periods_only); use span.'),
  to: refusedDay.describe('Not accepted: public figures use fixed periods only (422 fixed_periods_only); use span.'),
  trust: z
    .enum(trustLevels)
    .default('all')
    .describe('verified = responses with a dossier token only; self-selected = open responses only; all = both.'),
});
export type StatsQuery = z.input<typeof statsQuery>;

/**
 * A published figure. Suppressed (fewer than min_n behind it, or hidden so that no subtraction
 * recovers another suppressed figure, docs/statistics.md): value, low, high and n are null (read
 * "fewer than min_n"). Values are rounded to one decimal, as the tables show them.
 */
export const figure = z.object({
  n: z
    .number()
    .int()
    .nullable()
    .describe('Sample size: answers (ratings) or dossiers behind the figure; null when suppressed.'),
  value: z.number().nullable(),
  low: z.number().nullable().describe('Lower bound of the 95 % interval.'),
  high: z.number().nullable().describe('Upper bound of the 95 % interval.'),
  suppressed: z.boolean(),
});
export type Figure = z.infer<typeof figure>;

const summaryBase = {
  responses: z
    .number()
    .int()
    .nullable()
    .describe('Responses in the selection; null (fewer than min_n) when the cell is suppressed.'),
  label: sampleLabel,
};

export const sipasSummary = z.object({
  kind: z.literal('sipas'),
  ...summaryBase,
  /** SIPAS index: mean of the factor indices, each the mean top-2-box share of its criteria. */
  index: figure,
  factors: z.array(
    z.object({
      id: z.string(),
      name: localized,
      index: figure,
      /** The factor-satisfaction question's top-2 share, reported beside the index. */
      satisfaction: figure.nullable(),
    }),
  ),
  /** The overall-satisfaction question's top-2 share. */
  overall: figure.nullable(),
  /** Each criterion as the SIPAS method reports it: its top-2 share (the criterion index, percent)
   * and its 1–5 mean, each with n and a 95 % interval (issue #7 §3). */
  criteria: z.array(z.object({ id: z.string(), factor: z.string(), name: localized, share: figure, mean: figure })),
});

export const evaluationSummary = z.object({
  kind: z.literal('dossier-evaluation'),
  ...summaryBase,
  /** Mean total points (0–max) with the 95 % interval of the mean. */
  score: figure.extend({ max: z.number() }),
  grades: z.array(z.object({ id: z.string(), name: localized, min: z.number(), max: z.number(), share: figure })),
});

export const counterSummary = z.object({
  kind: z.literal('counter'),
  ...summaryBase,
  /** Share answering "Rất hài lòng" or "Hài lòng". */
  satisfied: figure,
  options: z.array(z.object({ id: z.string(), name: localized, share: figure })),
});

export const ratingSummary = z.discriminatedUnion('kind', [sipasSummary, evaluationSummary, counterSummary]);
export type RatingSummary = z.infer<typeof ratingSummary>;

export const timelinessSummary = z.object({
  dossiers: z
    .number()
    .int()
    .nullable()
    .describe('Dossiers returned in the selection; null (fewer than min_n) when the cell is suppressed.'),
  label: sampleLabel,
  on_time: figure,
  late: figure,
});
export type TimelinessSummary = z.infer<typeof timelinessSummary>;

/** the Khánh Hòa programme on KL 91-KL/TU: an agency with late ≥ 5 % or satisfaction ≤ 80 % cannot be ranked "tốt". */
export const rankingFlag = z.object({
  flagged: z.boolean(),
  reasons: z.array(z.enum(['late', 'satisfaction'])),
  /** Inputs that were missing or suppressed, so not judged. */
  unknown: z.array(z.enum(['late', 'satisfaction'])),
});
export type RankingFlag = z.infer<typeof rankingFlag>;

/** One condition of the ranking rule as judged for a unit and range (api/stats/verdicts.ts). */
export const verdictCondition = z.object({
  condition: z.enum(['late', 'satisfaction']),
  status: z.enum(['met', 'failed', 'undetermined']),
  /** Why undetermined: no data, too few to publish, or the 95 % interval straddles the threshold. */
  reason: z.enum(['no-data', 'too-few', 'straddles']).nullable(),
});
export type VerdictCondition = z.infer<typeof verdictCondition>;

/**
 * The ranking verdict of a unit over the range under the rule of Khánh Hòa's action programme
 * (Kết luận 91-KL/TU): the same whatever instrument or trust level the query names
 * (docs/feedback-statistics.md "Verdicts and labels").
 */
export const verdict = z.object({
  verdict: z.enum(['cannot-be-good', 'meets-both', 'undetermined']),
  conditions: z.array(verdictCondition),
  /** Late share of returned dossiers (one-stop records). */
  late: figure,
  /** The SIPAS index the satisfaction condition rests on. */
  satisfaction: figure,
  /** Which sample that index rests on; null when there was too little to judge. */
  satisfaction_basis: z.enum(['verified sample', 'self-selected', 'mixed']).nullable(),
});
export type Verdict = z.infer<typeof verdict>;

export const thresholds = z.object({
  /** Flagged at or above this late share (percent). */
  late: z.object({ value: z.number(), target: z.string().nullable() }),
  /** Flagged at or below this satisfaction (percent). */
  satisfaction: z.object({ value: z.number(), target: z.string().nullable() }),
});
export type Thresholds = z.infer<typeof thresholds>;

export const statsTarget = z.object({
  id: z.string(),
  indicator: z.string(),
  comparator: z.enum(['>', '>=', '<', '<=', '=']),
  value: z.number(),
  unit_of_measure: z.enum(['percent', 'rank', 'count']),
  from_year: z.number().int(),
  to_year: z.number().int(),
  text: localized,
  source: z.object({ ref: z.string(), sample: z.boolean() }),
});
export type StatsTarget = z.infer<typeof statsTarget>;

const unitRef = {
  unit: z.string(),
  name: localized,
  /** Last day of a unit that no longer exists (e.g. districts until 2025-06-30), else null. */
  valid_to: z.string().nullable(),
};

const echoedQuery = z.object({
  ...unitRef,
  procedure: z.string().describe("'' = all procedures"),
  span: statsSpan,
  period: z.enum(statsPeriods),
  /** First and last day of the span. */
  from: z.string(),
  to: z.string(),
});

/**
 * When the disclosure protection these figures passed through was computed (issue #9,
 * api/stats/blocks.ts): the block of hidden cells is rebuilt in the background at most a minute
 * after a request finds it older, and served as it is meanwhile.
 */
export const protectionComputedAt = z
  .string()
  .describe(
    'When the protection (which cells are hidden, docs/statistics.md) was computed from the data, ISO 8601 UTC; rebuilt in the background when a request finds it older than a minute.',
  );

export const ratingsResult = z
  .object({
    query: echoedQuery.extend({
      instrument: z.enum(statsInstruments),
      instrument_name: localized,
      /** Every stored version of the instrument; their answers are summed. */
      instrument_versions: z.array(z.string()),
      trust: z.enum(trustLevels),
    }),
    label: sampleLabel,
    min_n: z.number().int(),
    protection_computed_at: protectionComputedAt,
    summary: ratingSummary,
    series: z.array(z.object({ period: z.string(), summary: ratingSummary })),
    units: z.array(
      z.object({
        ...unitRef,
        summary: ratingSummary,
        /** Late share of the unit's returned dossiers, the other half of the ranking rule. */
        late: figure,
        /** Read off `verdict` (failed conditions are reasons, undetermined ones unknown). */
        flag: rankingFlag,
        verdict,
      }),
    ),
    /** The verdict of the scope's unit itself. */
    verdict,
    /** The SIPAS index of each sample, so a headline never hides which one it rests on (SIPAS only). */
    sipas_samples: z.object({ 'verified sample': figure, 'self-selected': figure, all: figure }).nullable(),
    thresholds,
    targets: z.array(statsTarget),
  })
  .describe('Satisfaction figures of a unit subtree');
export type RatingsResult = z.infer<typeof ratingsResult>;

export const dossiersResult = z
  .object({
    query: echoedQuery,
    label: sampleLabel,
    min_n: z.number().int(),
    protection_computed_at: protectionComputedAt,
    summary: timelinessSummary,
    series: z.array(z.object({ period: z.string(), summary: timelinessSummary })),
    units: z.array(z.object({ ...unitRef, summary: timelinessSummary })),
    thresholds,
    targets: z.array(statsTarget),
  })
  .describe('On-time and late dossiers of a unit subtree');
export type DossiersResult = z.infer<typeof dossiersResult>;

/** The CSV downloads: one row per unit, period and metric. */
export const csvColumns = [
  'unit',
  'unit_name_vi',
  'unit_name_en',
  'period',
  'instrument',
  'metric',
  'metric_name_vi',
  'metric_name_en',
  'n',
  'value',
  'low',
  'high',
  'value_unit',
  'suppressed',
  'label',
  'flag',
] as const;
export type CsvColumn = (typeof csvColumns)[number];

export const dictionaryEntry = z.object({
  name: z.string(),
  meaning: localized,
  unit: z.string().nullable(),
});
export type DictionaryEntry = z.infer<typeof dictionaryEntry>;

export const dictionary = z
  .object({
    csv: z.array(dictionaryEntry).describe('Columns of /stats/ratings.csv and /stats/dossiers.csv'),
    json: z.array(dictionaryEntry).describe('Fields of /stats/ratings and /stats/dossiers (paths, [] = each item)'),
    metrics: z.array(dictionaryEntry).describe('Values of the CSV column "metric"'),
    labels: z.array(dictionaryEntry).describe('Values of "label"'),
  })
  .describe('Data dictionary of the statistics');
export type Dictionary = z.infer<typeof dictionary>;
