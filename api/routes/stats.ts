/**
 * Public statistics (issue #3, DESIGN §4 flow 4 "Publish"): satisfaction (SIPAS, NĐ 61 evaluation,
 * one-tap rating) and dossier timeliness of a unit's subtree, by period and by child unit, as JSON
 * and CSV, with a data dictionary. Every figure carries n, a 95 % interval and a label ("verified
 * sample" / "self-selected" / "mixed"); cells below STATS_MIN_N are suppressed (n kept, no value).
 * Everything is read from the rollups (db/stats.ts), never from raw answers.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import {
  dictionary,
  dossiersResult,
  ratingsResult,
  statsInstruments,
  statsQuery,
  type DossiersResult,
  type RatingsResult,
  type StatsInstrument,
  type StatsPeriod,
  type TrustLevel,
} from '../contracts/stats.ts';
import type { Instrument } from '../contracts/instrument.ts';
import { ProblemError } from '../problem.ts';
import { problems } from '../openapi.ts';
import { resolveInstrument } from '../ratings/instruments.ts';
import {
  DOSSIER_MIN_N,
  ratingSummaryOf,
  suppressedFigure,
  timelinessSummaryOf,
  type TrustCell,
} from '../stats/summaries.ts';
import { flagOfVerdict, verdictOf } from '../stats/verdicts.ts';
import { ratingsCsv, dossiersCsv } from '../stats/csv.ts';
import { DICTIONARY } from '../stats/dictionary.ts';
import { loadTargets, targetsFor, thresholdsFor } from '../stats/targets.ts';
import {
  childrenOf,
  dossierSeries,
  dossierTimeliness,
  dossierTimelinessByUnit,
  findUnit,
  instrumentVersionsOf,
  periodsBetween,
  procedureExists,
  ratingCells,
  ratingCellsByUnit,
  ratingSeries,
  type StatsUnit,
} from '../../db/stats.ts';
import { unitOnDay, unitSpans, unitWithAncestors } from '../../db/units.ts';
import { vnDay } from '../../db/time.ts';
import { compareVi } from '../contracts/text.ts';
import { feedbackStatsQuery, feedbackStatsResult, type FeedbackStatsResult } from '../contracts/published.ts';
import { feedbackCsv, periodOf, summarize, vnDayOf } from '../stats/feedback.ts';
import { caseFacts, unitParents } from '../../db/published.ts';
import type { AppEnv } from '../app-env.ts';

/** Published figures change at most with each new response: a minute of caching costs nothing. */
const CACHE = 'public, max-age=60';

/** A series longer than this (20 years of months) is refused rather than built. */
export const MAX_PERIODS = 240;

/** Targets of content/reform.yaml drawn beside each instrument's headline figure. */
const RATING_INDICATORS: Record<StatsInstrument, readonly string[]> = {
  sipas: ['sipas'],
  'danh-gia-ho-so': [],
  // "≥ 90 % satisfied with how procedures are handled" (seeds 002, 004) is what the one-tap asks.
  quay: ['sipas-procedures'],
};
const DOSSIER_INDICATORS = ['late-dossiers', 'on-time-dossiers'] as const;

const errors = {
  422: problems('Invalid query: validation_failed, unknown_unit, unknown_procedure or unknown_instrument'),
};

const csvContent = (description: string) => ({
  content: { 'text/csv': { schema: z.string() } },
  description,
});

const ratingsRoute = createRoute({
  method: 'get',
  path: '/stats/ratings',
  summary: 'Satisfaction figures of a unit subtree',
  description:
    'SIPAS index and factors, NĐ 61 score and grades, or the one-tap distribution, for the unit and everything below it, over the whole range, per period and per child unit (with the ranking flag of seed 001 line 47). Shares in percent; figures with n < min_n are suppressed. Data dictionary: GET /stats/dictionary.',
  request: { query: statsQuery },
  responses: {
    200: { content: { 'application/json': { schema: ratingsResult } }, description: 'Figures' },
    ...errors,
  },
});

const ratingsCsvRoute = createRoute({
  method: 'get',
  path: '/stats/ratings.csv',
  summary: 'Satisfaction figures as CSV',
  description:
    'The figures of GET /stats/ratings, one row per unit, period and metric (columns: GET /stats/dictionary).',
  request: { query: statsQuery },
  responses: { 200: csvContent('CSV (UTF-8 with BOM)'), ...errors },
});

const dossiersRoute = createRoute({
  method: 'get',
  path: '/stats/dossiers',
  summary: 'On-time and late dossiers of a unit subtree',
  description:
    'Shares of dossiers returned on time and late, with Wilson 95 % intervals, over the whole range, per period and per child unit. The instrument and trust parameters do not apply.',
  request: { query: statsQuery },
  responses: {
    200: { content: { 'application/json': { schema: dossiersResult } }, description: 'Figures' },
    ...errors,
  },
});

const dossiersCsvRoute = createRoute({
  method: 'get',
  path: '/stats/dossiers.csv',
  summary: 'Dossier timeliness as CSV',
  description: 'The figures of GET /stats/dossiers, one row per unit, period and metric.',
  request: { query: statsQuery },
  responses: { 200: csvContent('CSV (UTF-8 with BOM)'), ...errors },
});

const feedbackRoute = createRoute({
  method: 'get',
  path: '/stats/feedback',
  summary: 'Feedback handling of a unit subtree',
  description:
    'Cases (phản ánh, kiến nghị) received by the unit and every unit below it, published or not, as counts only: received, answered, share answered by the deadline, mean working days from receipt to answer, share of rated answers whose sender was satisfied, share of answers disputed (re-examination asked). Over the whole range, per period of receipt and per child unit; shares and means with n < min_n are suppressed.',
  request: { query: feedbackStatsQuery },
  responses: {
    200: { content: { 'application/json': { schema: feedbackStatsResult } }, description: 'Figures' },
    ...errors,
  },
});

const feedbackCsvRoute = createRoute({
  method: 'get',
  path: '/stats/feedback.csv',
  summary: 'Feedback handling as CSV',
  description: 'The figures of GET /stats/feedback, one row per unit, period and metric (instrument "feedback").',
  request: { query: feedbackStatsQuery },
  responses: { 200: csvContent('CSV (UTF-8 with BOM)'), ...errors },
});

const dictionaryRoute = createRoute({
  method: 'get',
  path: '/stats/dictionary',
  summary: 'Data dictionary of the statistics',
  description:
    'Every CSV column, JSON field, metric and label, with its meaning in Vietnamese and English and its unit.',
  responses: { 200: { content: { 'application/json': { schema: dictionary } }, description: 'Dictionary' } },
});

type Query = z.infer<typeof statsQuery>;

interface Scope {
  unit: StatsUnit;
  chain: string[];
  children: StatsUnit[];
  procedure: string;
  period: StatsPeriod;
  from: string;
  to: string;
}

function invalid(path: string, code: 'invalid_value' | 'too_large', params?: Record<string, number>): ProblemError {
  return new ProblemError(422, 'validation_failed', { errors: [{ path, code, ...(params ? { params } : {}) }] });
}

function periodCount(from: string, to: string, period: StatsPeriod): number {
  const years = Number(to.slice(0, 4)) - Number(from.slice(0, 4));
  const months = years * 12 + Number(to.slice(5, 7)) - Number(from.slice(5, 7));
  if (period === 'year') return years + 1;
  if (period === 'month') return months + 1;
  return years * 4 + Math.ceil(Number(to.slice(5, 7)) / 3) - Math.ceil(Number(from.slice(5, 7)) / 3) + 1;
}

/** Units still in existence first, then the historical ones, each in Vietnamese order. */
function byCurrentThenName(a: StatsUnit, b: StatsUnit): number {
  return Number(a.validTo !== null) - Number(b.validTo !== null) || compareVi(a.name.vi, b.name.vi);
}

/** Checks the unit, the procedure and the dates; defaults: the last two calendar years to today. */
async function resolveScope(c: Context<AppEnv>, q: Query): Promise<Scope> {
  const { db, now } = c.var.deps;
  const unit = await findUnit(db.client, q.unit);
  if (!unit) throw new ProblemError(422, 'unknown_unit', { errors: [{ path: 'unit', code: 'invalid_value' }] });
  if (q.procedure && !(await procedureExists(db.client, q.procedure)))
    throw new ProblemError(422, 'unknown_procedure', { errors: [{ path: 'procedure', code: 'invalid_value' }] });
  const today = vnDay(now());
  const to = q.to ?? today;
  const from = q.from ?? `${Number(to.slice(0, 4)) - 1}-01-01`;
  if (from > to) throw invalid('from', 'invalid_value');
  if (periodCount(from, to, q.period) > MAX_PERIODS) throw invalid('period', 'too_large', { max: MAX_PERIODS });
  const [chain, children] = await Promise.all([
    unitWithAncestors(db.client, unit.id),
    childrenOf(db.client, unit.id, from, to),
  ]);
  return {
    unit,
    chain,
    children: children.sort(byCurrentThenName),
    procedure: q.procedure ?? '',
    period: q.period,
    from,
    to,
  };
}

async function resolveStatsInstrument(
  c: Context<AppEnv>,
  id: string,
): Promise<{ id: StatsInstrument; ins: Instrument; versions: string[] }> {
  const unknown = () =>
    new ProblemError(422, 'unknown_instrument', { errors: [{ path: 'instrument', code: 'invalid_value' }] });
  if (!(statsInstruments as readonly string[]).includes(id)) throw unknown();
  const { db } = c.var.deps;
  const versions = await instrumentVersionsOf(db.client, id);
  // The newest definition names the factors, grades and options; older versions' answers, keyed by
  // the same question ids, are summed with it.
  const ins = versions[0] && (await resolveInstrument(db.client, id, versions[0].version));
  if (!ins) throw unknown();
  return { id: id as StatsInstrument, ins, versions: versions.map((v) => v.version) };
}

const unitRef = (u: StatsUnit) => ({ unit: u.id, name: u.name, valid_to: u.validTo });

async function buildRatings(c: Context<AppEnv>, q: Query): Promise<RatingsResult> {
  const { db, config } = c.var.deps;
  const scope = await resolveScope(c, q);
  const { id, ins, versions } = await resolveStatsInstrument(c, q.instrument);
  // The verdict rests on SIPAS whatever instrument the page shows (api/stats/verdicts.ts).
  const sipas = id === 'sipas' ? { id, ins, versions } : await resolveStatsInstrument(c, 'sipas');
  const trust = q.trust;
  const minN = config.STATS_MIN_N;
  const filter = {
    instrumentVersions: versions,
    from: scope.from,
    to: scope.to,
    procedureCode: scope.procedure,
    verified: trust === 'all' ? undefined : trust === 'verified',
  };
  const sipasFilter = { ...filter, instrumentVersions: sipas.versions, verified: undefined };
  const childIds = scope.children.map((u) => u.id);
  const dossierFilter = { from: scope.from, to: scope.to, procedureCode: scope.procedure };
  const [series, byUnit, lateByUnit, sipasOwn, sipasByUnit, lateOwn] = await Promise.all([
    ratingSeries(db.client, { unitId: scope.unit.id, ...filter }, scope.period),
    ratingCellsByUnit(db.client, childIds, filter),
    dossierTimelinessByUnit(db.client, childIds, dossierFilter),
    ratingCells(db.client, { unitId: scope.unit.id, ...sipasFilter }),
    ratingCellsByUnit(db.client, childIds, sipasFilter),
    dossierTimeliness(db.client, { unitId: scope.unit.id, ...dossierFilter }),
  ]);
  const targets = loadTargets(config.CONTENT_DIR);
  const thresholds = thresholdsFor(targets, scope.chain, Number(scope.to.slice(0, 4)));
  const summaryOf = (list: readonly TrustCell[] | undefined) => ratingSummaryOf(ins, list ?? [], minN, trust);
  // The periods partition the range, so the whole range is their sum (ratingCells would read the
  // same rows a second time).
  const summary = summaryOf([...series.values()].flat());
  const sipasIndexOf = (cells: readonly TrustCell[], t: TrustLevel) => {
    const s = ratingSummaryOf(sipas.ins, cells, minN, t);
    return s.kind === 'sipas' ? s.index : suppressedFigure(0);
  };
  return {
    query: {
      ...unitRef(scope.unit),
      procedure: scope.procedure,
      period: scope.period,
      from: scope.from,
      to: scope.to,
      instrument: id,
      instrument_name: ins.name,
      instrument_versions: versions,
      trust,
    },
    label: summary.label,
    min_n: minN,
    summary,
    series: periodsBetween(scope.from, scope.to, scope.period).map((period) => ({
      period,
      summary: summaryOf(series.get(period)),
    })),
    units: scope.children.map((u) => {
      const s = summaryOf(byUnit.get(u.id));
      const late = timelinessSummaryOf(lateByUnit.get(u.id) ?? { total: 0, onTime: 0 }).late;
      const verdict = verdictOf(late, sipas.ins, sipasByUnit.get(u.id) ?? [], minN, thresholds);
      return { ...unitRef(u), summary: s, late, flag: flagOfVerdict(verdict), verdict };
    }),
    verdict: verdictOf(timelinessSummaryOf(lateOwn).late, sipas.ins, sipasOwn, minN, thresholds),
    sipas_samples:
      id === 'sipas'
        ? {
            'verified sample': sipasIndexOf(
              sipasOwn.filter((x) => x.verified),
              'verified',
            ),
            'self-selected': sipasIndexOf(
              sipasOwn.filter((x) => !x.verified),
              'self-selected',
            ),
            all: sipasIndexOf(sipasOwn, 'all'),
          }
        : null,
    thresholds,
    targets: targetsFor(
      targets,
      scope.unit.id,
      RATING_INDICATORS[id],
      Number(scope.from.slice(0, 4)),
      Number(scope.to.slice(0, 4)),
    ),
  };
}

async function buildDossiers(c: Context<AppEnv>, q: Query): Promise<DossiersResult> {
  const { db, config } = c.var.deps;
  const scope = await resolveScope(c, q);
  const filter = { from: scope.from, to: scope.to, procedureCode: scope.procedure };
  const [series, byUnit] = await Promise.all([
    dossierSeries(db.client, { unitId: scope.unit.id, ...filter }, scope.period),
    dossierTimelinessByUnit(
      db.client,
      scope.children.map((u) => u.id),
      filter,
    ),
  ]);
  const targets = loadTargets(config.CONTENT_DIR);
  const none = { total: 0, onTime: 0 };
  const total = [...series.values()].reduce(
    (a, p) => ({ total: a.total + p.total, onTime: a.onTime + p.onTime }),
    none,
  );
  return {
    query: {
      ...unitRef(scope.unit),
      procedure: scope.procedure,
      period: scope.period,
      from: scope.from,
      to: scope.to,
    },
    label: 'records',
    min_n: DOSSIER_MIN_N,
    summary: timelinessSummaryOf(total),
    series: periodsBetween(scope.from, scope.to, scope.period).map((period) => ({
      period,
      summary: timelinessSummaryOf(series.get(period) ?? none),
    })),
    units: scope.children.map((u) => ({ ...unitRef(u), summary: timelinessSummaryOf(byUnit.get(u.id) ?? none) })),
    thresholds: thresholdsFor(targets, scope.chain, Number(scope.to.slice(0, 4))),
    targets: targetsFor(
      targets,
      scope.unit.id,
      DOSSIER_INDICATORS,
      Number(scope.from.slice(0, 4)),
      Number(scope.to.slice(0, 4)),
    ),
  };
}

/** Start of a Việt Nam day as a UTC instant: '2025-01-01' → '2024-12-31T17:00:00.000Z'. */
function vnDayStart(day: string): string {
  return new Date(`${day}T00:00:00+07:00`).toISOString();
}

function nextDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

async function buildFeedback(c: Context<AppEnv>, q: z.infer<typeof feedbackStatsQuery>): Promise<FeedbackStatsResult> {
  const { db, config } = c.var.deps;
  const scope = await resolveScope(c, { ...q, instrument: 'sipas', trust: 'all' });
  const parents = await unitParents(db.client);
  // Each unit's nearest ancestor among the scope's children (or the scope's unit itself).
  const childIds = new Set(scope.children.map((u) => u.id));
  const bucketOf = (unitId: string): string | undefined => {
    for (let u: string | null | undefined = unitId, i = 0; u && i < 64; u = parents.get(u), i++) {
      if (childIds.has(u)) return u;
      if (u === scope.unit.id) return u;
    }
    return undefined;
  };
  const subtree = [...parents.keys()].filter((id) => bucketOf(id) !== undefined);
  const facts = await caseFacts(
    db.client,
    subtree,
    vnDayStart(scope.from),
    vnDayStart(nextDay(scope.to)),
    scope.procedure || undefined,
  );
  const contentDir = config.CONTENT_DIR;
  const minN = config.STATS_MIN_N;
  const byPeriod = new Map<string, typeof facts>();
  const byUnit = new Map<string, typeof facts>();
  const spans = await unitSpans(db.client);
  for (const f of facts) {
    const day = vnDayOf(f.receivedAt);
    const p = periodOf(day, scope.period);
    byPeriod.set(p, [...(byPeriod.get(p) ?? []), f]);
    // A case dated after its unit ended counts for the successor's row (db/units.ts `unitOnDay`).
    const u = bucketOf(unitOnDay(spans, f.unitId, day)) ?? bucketOf(f.unitId);
    if (u && u !== scope.unit.id) byUnit.set(u, [...(byUnit.get(u) ?? []), f]);
  }
  return {
    query: {
      ...unitRef(scope.unit),
      procedure: scope.procedure,
      period: scope.period,
      from: scope.from,
      to: scope.to,
    },
    min_n: minN,
    summary: summarize(facts, contentDir, minN),
    series: periodsBetween(scope.from, scope.to, scope.period).map((period) => ({
      period,
      summary: summarize(byPeriod.get(period) ?? [], contentDir, minN),
    })),
    units: scope.children.map((u) => ({ ...unitRef(u), summary: summarize(byUnit.get(u.id) ?? [], contentDir, minN) })),
  };
}

/** "ratings-khanh-hoa-2024-01-01-2025-11-21.csv": a download names what it holds. */
function csvResponse(c: Context<AppEnv>, kind: string, q: { unit: string; from: string; to: string }, csv: string) {
  return c.body(csv, 200, {
    'Content-Type': 'text/csv; charset=utf-8',
    'Content-Disposition': `attachment; filename="${kind}-${q.unit}-${q.from}-${q.to}.csv"`,
    'Cache-Control': CACHE,
  });
}

export const statsRoutes = new OpenAPIHono<AppEnv>()
  .openapi(ratingsRoute, async (c) => {
    const result = await buildRatings(c, c.req.valid('query'));
    c.header('Cache-Control', CACHE);
    return c.json(result, 200);
  })
  .openapi(ratingsCsvRoute, async (c) => {
    const result = await buildRatings(c, c.req.valid('query'));
    return csvResponse(c, 'ratings', result.query, ratingsCsv(result));
  })
  .openapi(dossiersRoute, async (c) => {
    const result = await buildDossiers(c, c.req.valid('query'));
    c.header('Cache-Control', CACHE);
    return c.json(result, 200);
  })
  .openapi(dossiersCsvRoute, async (c) => {
    const result = await buildDossiers(c, c.req.valid('query'));
    return csvResponse(c, 'dossiers', result.query, dossiersCsv(result));
  })
  .openapi(feedbackRoute, async (c) => {
    const result = await buildFeedback(c, c.req.valid('query'));
    c.header('Cache-Control', CACHE);
    return c.json(result, 200);
  })
  .openapi(feedbackCsvRoute, async (c) => {
    const result = await buildFeedback(c, c.req.valid('query'));
    return csvResponse(c, 'feedback', result.query, feedbackCsv(result));
  })
  .openapi(dictionaryRoute, (c) => {
    c.header('Cache-Control', CACHE);
    return c.json(DICTIONARY, 200);
  });
