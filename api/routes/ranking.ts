/**
 * The reform office's ranking and survey coverage as open data (issue #10 §1–2; docs/reform-office.md):
 * GET /api/v1/stats/ranking(.csv) and /stats/coverage(.csv). Every figure is the published figure of
 * the statistics (api/stats/disclosure.ts); the verdict is the one of api/stats/verdicts.ts.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import {
  coverageQuery,
  coverageResult,
  rankingQuery,
  rankingResult,
  type CoverageResult,
  type RankingResult,
} from '../contracts/ranking.ts';
import { toCsv } from '../contracts/csv.ts';
import { problems } from '../openapi.ts';
import { buildCoverage, buildRanking } from '../stats/ranking.ts';
import type { AppEnv } from '../app-env.ts';

const CACHE = 'public, max-age=60';

const errors = {
  422: problems(
    'Invalid query: validation_failed, unknown_unit, period_out_of_range (before 2015 or not started yet), margin_out_of_range (coverage: e outside 1–20 %)',
  ),
};

const csvContent = (description: string) => ({ content: { 'text/csv': { schema: z.string() } }, description });

const rankingRoute = createRoute({
  method: 'get',
  path: '/stats/ranking',
  summary: 'Ranking of the units under the rule of Conclusion 91-KL/TU',
  description:
    'Every unit below `unit` that handles procedures, over one fixed period (span): the late share of its returned dossiers and its SIPAS index, each with n and 95 % interval, and the verdict of the action programme of the Khanh Hoa Provincial People’s Committee implementing Conclusion 91-KL/TU, section III.1.c: a unit with 5 % or more late dossiers or a satisfaction index of 80 % or less cannot be ranked “good” (cannot-be-good, with the failed conditions); meets-both; or undetermined (no data, too few to publish, or the 95 % interval straddles the threshold). Figures suppressed below min_n as on /stats/ratings; targets of the plans beside each unit, cited.',
  request: { query: rankingQuery },
  responses: {
    200: { content: { 'application/json': { schema: rankingResult } }, description: 'Ranking' },
    ...errors,
  },
});

const rankingCsvRoute = createRoute({
  method: 'get',
  path: '/stats/ranking.csv',
  summary: 'Ranking of the units as CSV',
  description: 'The rows of GET /stats/ranking, one per unit, in the same order.',
  request: { query: rankingQuery },
  responses: { 200: csvContent('CSV (UTF-8 with BOM)'), ...errors },
});

const coverageRoute = createRoute({
  method: 'get',
  path: '/stats/coverage',
  summary: 'Survey coverage of the units and the sample the method asks for',
  description:
    'For every unit below `unit` that handles procedures, over one fixed period: dossiers returned (N), the sample size of Slovin’s formula n = N / (1 + N·e²) with margin e (percent, 1–20, default 5), one-time survey invitations issued and redeemed, response rate and progress toward the sample, and whether the unit was measured at all. Units not measured come first. Counts below min_n read null (fewer than min_n).',
  request: { query: coverageQuery },
  responses: {
    200: { content: { 'application/json': { schema: coverageResult } }, description: 'Coverage' },
    ...errors,
  },
});

const coverageCsvRoute = createRoute({
  method: 'get',
  path: '/stats/coverage.csv',
  summary: 'Survey coverage as CSV',
  description: 'The rows of GET /stats/coverage, one per unit, in the same order.',
  request: { query: coverageQuery },
  responses: { 200: csvContent('CSV (UTF-8 with BOM)'), ...errors },
});

export const RANKING_CSV_COLUMNS = [
  'unit',
  'name_vi',
  'name_en',
  'level',
  'valid_to',
  'span',
  'dossiers',
  'late_value',
  'late_n',
  'late_low',
  'late_high',
  'satisfaction_value',
  'satisfaction_n',
  'satisfaction_low',
  'satisfaction_high',
  'satisfaction_basis',
  'verdict',
  'late_condition',
  'satisfaction_condition',
  'targets',
] as const;

/** One CSV row per unit, figures as numbers (api/contracts/csv.ts). */
export function rankingCsv(r: RankingResult): string {
  const cond = (v: RankingResult['units'][number]['verdict'], c: 'late' | 'satisfaction') => {
    const x = v.conditions.find((k) => k.condition === c);
    return x ? (x.reason ? `${x.status}:${x.reason}` : x.status) : '';
  };
  return toCsv(
    RANKING_CSV_COLUMNS,
    r.units.map((u) => [
      u.unit,
      u.name.vi,
      u.name.en,
      u.level,
      u.valid_to,
      r.query.span,
      u.dossiers,
      u.verdict.late.value,
      u.verdict.late.n,
      u.verdict.late.low,
      u.verdict.late.high,
      u.verdict.satisfaction.value,
      u.verdict.satisfaction.n,
      u.verdict.satisfaction.low,
      u.verdict.satisfaction.high,
      u.verdict.satisfaction_basis,
      u.verdict.verdict,
      cond(u.verdict, 'late'),
      cond(u.verdict, 'satisfaction'),
      u.targets.map((t) => `${t.indicator} ${t.comparator} ${t.value} (${t.source.ref})`).join('; '),
    ]),
  );
}

export const COVERAGE_CSV_COLUMNS = [
  'unit',
  'name_vi',
  'name_en',
  'level',
  'valid_to',
  'span',
  'margin',
  'measured',
  'dossiers',
  'sample_needed',
  'tokens_issued',
  'tokens_redeemed',
  'response_rate',
  'progress',
] as const;

export function coverageCsv(r: CoverageResult): string {
  return toCsv(
    COVERAGE_CSV_COLUMNS,
    r.units.map((u) => [
      u.unit,
      u.name.vi,
      u.name.en,
      u.level,
      u.valid_to,
      r.query.span,
      r.query.margin,
      u.measured,
      u.dossiers,
      u.sample_needed,
      u.tokens_issued,
      u.tokens_redeemed,
      u.response_rate,
      u.progress,
    ]),
  );
}

function optsOf(c: Context<AppEnv>) {
  const { config, now } = c.var.deps;
  return { minN: config.STATS_MIN_N, contentDir: config.CONTENT_DIR, now: now() };
}

function csv(c: Context<AppEnv>, kind: string, q: { unit: string; span: string }, body: string) {
  return c.body(body, 200, {
    'Content-Type': 'text/csv; charset=utf-8',
    'Content-Disposition': `attachment; filename="${kind}-${q.unit}-${q.span}.csv"`,
    'Cache-Control': CACHE,
  });
}

export const rankingRoutes = new OpenAPIHono<AppEnv>()
  .openapi(rankingRoute, async (c) => {
    const result = await buildRanking(c.var.deps.db.client, c.req.valid('query'), optsOf(c));
    c.header('Cache-Control', CACHE);
    return c.json(result, 200);
  })
  .openapi(rankingCsvRoute, async (c) => {
    const result = await buildRanking(c.var.deps.db.client, c.req.valid('query'), optsOf(c));
    return csv(c, 'ranking', result.query, rankingCsv(result));
  })
  .openapi(coverageRoute, async (c) => {
    const result = await buildCoverage(c.var.deps.db.client, c.req.valid('query'), optsOf(c));
    c.header('Cache-Control', CACHE);
    return c.json(result, 200);
  })
  .openapi(coverageCsvRoute, async (c) => {
    const result = await buildCoverage(c.var.deps.db.client, c.req.valid('query'), optsOf(c));
    return csv(c, 'coverage', result.query, coverageCsv(result));
  });
