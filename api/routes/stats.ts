/**
 * Public statistics (issue #3, docs/architecture.md §4 flow 4 "Publish"): satisfaction (SIPAS, NĐ 61 evaluation,
 * one-tap rating) and dossier timeliness of a unit's subtree, by period and by child unit, as JSON
 * and CSV, with a data dictionary. Every figure carries n, a 95 % interval and a label ("verified
 * sample" / "self-selected" / "mixed"). Every figure passes through api/stats/disclosure.ts (issue #7):
 * fixed periods only, cells below STATS_MIN_N and their complements suppressed, values rounded.
 * Everything is read from the rollups (db/stats.ts), never from raw answers.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Client } from '@libsql/client';
import {
  dictionary,
  dossiersResult,
  ratingsResult,
  statsInstruments,
  statsQuery,
  type DossiersResult,
  type Figure,
  type RatingsResult,
  type StatsInstrument,
  type StatsPeriod,
  type TrustLevel,
} from '../contracts/stats.ts';
import type { Instrument } from '../contracts/instrument.ts';
import { ProblemError } from '../problem.ts';
import { problems } from '../openapi.ts';
import { resolveInstrument } from '../ratings/instruments.ts';
import { ratingSummaryOf, suppressedFigure, timelinessSummaryOf, type TrustCell } from '../stats/summaries.ts';
import { flagOfVerdict, verdictOf, type PublishSummary } from '../stats/verdicts.ts';
import { ratingsCsv, dossiersCsv } from '../stats/csv.ts';
import {
  publishFeedback,
  publishRatingSummary,
  publishTimeliness,
  seriesLevel,
  spanRange,
} from '../stats/disclosure.ts';
import { dossiersBlock, feedbackBlock, limitFirstWait, ratingsBlock, type ComputedBlock } from '../stats/blocks.ts';
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
import { nextDay, vnDay, vnDayOf, vnDayStart } from '../contracts/vn-time.ts';
import { compareVi } from '../contracts/text.ts';
import { feedbackStatsQuery, feedbackStatsResult, type FeedbackStatsResult } from '../contracts/published.ts';
import { feedbackCsv, periodOf, summarize } from '../stats/feedback.ts';
import { caseFacts, unitParents } from '../../db/published.ts';
import type { AppEnv, Deps } from '../app-env.ts';

/** Published figures change at most with each new response: a minute of caching costs nothing. */
const CACHE = 'public, max-age=60';

/** Targets of content/reform.yaml drawn beside each instrument's headline figure. */
const RATING_INDICATORS: Record<StatsInstrument, readonly string[]> = {
  sipas: ['sipas'],
  'danh-gia-ho-so': [],
  // "≥ 90 % satisfied with how procedures are handled" (the Hương Trà plan 2021–2025 and KH 395/KH-UBND Ninh Sơn) is what the one-tap asks.
  quay: ['sipas-procedures'],
};
const DOSSIER_INDICATORS = ['late-dossiers', 'on-time-dossiers'] as const;

const errors = {
  422: problems(
    'Invalid query: validation_failed, unknown_unit, unknown_procedure, unknown_instrument, or fixed_periods_only (from/to given: public figures use span, docs/statistics.md)',
  ),
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
    'SIPAS index and factors, NĐ 61 score and grades, or the one-tap distribution, for the unit and everything below it, over one fixed period (span: a year, quarter or month), per sub-period and per child unit (with the ranking flag of the action programme of the Khanh Hoa Provincial People’s Committee implementing Conclusion 91-KL/TU, section III.1.c). Shares in percent, values rounded to 0.1; figures and counts with n < min_n are suppressed (n null), and further cells with them so that no subtraction recovers one (docs/statistics.md). Data dictionary: GET /stats/dictionary.',
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
    'Shares of dossiers returned on time and late, with Wilson 95 % intervals, over one fixed period (span), per sub-period and per child unit; suppressed below min_n with complementary suppression like the ratings (docs/statistics.md). The instrument and trust parameters do not apply.',
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
    'Cases (phản ánh, kiến nghị) received by the unit and every unit below it, published or not, as counts only: received, answered, share answered by the deadline, mean working days from receipt to answer, share of rated answers whose sender was satisfied, share of answers disputed (re-examination asked). Over one fixed period (span), per sub-period of receipt and per child unit; counts, shares and means with n < min_n are suppressed, with complementary suppression (docs/statistics.md).',
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
  /** The fixed period published (issue #7): '2025', '2025-Q3' or '2025-07'. */
  span: string;
  year: string;
  period: StatsPeriod;
  from: string;
  to: string;
}

/** Units still in existence first, then the historical ones, each in Vietnamese order. */
function byCurrentThenName(a: StatsUnit, b: StatsUnit): number {
  return Number(a.validTo !== null) - Number(b.validTo !== null) || compareVi(a.name.vi, b.name.vi);
}

/**
 * Checks the unit, the procedure and the period. Public figures use fixed periods only (issue #7,
 * docs/statistics.md): a free `from`/`to` is refused, the default is this calendar year.
 */
async function resolveScope(
  c: Context<AppEnv>,
  q: {
    unit: string;
    procedure?: string | undefined;
    span?: string | undefined;
    period: StatsPeriod;
    from?: string | undefined;
    to?: string | undefined;
  },
): Promise<Scope> {
  const { db, now } = c.var.deps;
  if (q.from !== undefined || q.to !== undefined)
    throw new ProblemError(422, 'fixed_periods_only', {
      errors: [{ path: q.from !== undefined ? 'from' : 'to', code: 'invalid_value' }],
    });
  const unit = await findUnit(db.client, q.unit);
  if (!unit) throw new ProblemError(422, 'unknown_unit', { errors: [{ path: 'unit', code: 'invalid_value' }] });
  if (q.procedure && !(await procedureExists(db.client, q.procedure)))
    throw new ProblemError(422, 'unknown_procedure', { errors: [{ path: 'procedure', code: 'invalid_value' }] });
  const span = q.span ?? vnDay(now()).slice(0, 4);
  const { level, year, from, to } = spanRange(span);
  const [chain, children] = await Promise.all([
    unitWithAncestors(db.client, unit.id),
    childrenOf(db.client, unit.id, from, to),
  ]);
  return {
    unit,
    chain,
    children: children.sort(byCurrentThenName),
    procedure: q.procedure ?? '',
    span,
    year,
    period: seriesLevel(q.period, level),
    from,
    to,
  };
}

async function resolveStatsInstrument(
  c: Context<AppEnv>,
  id: string,
): Promise<{ id: StatsInstrument; ins: Instrument; versions: string[] }> {
  const found = await statsInstrument(c.var.deps.db.client, id);
  if (!found)
    throw new ProblemError(422, 'unknown_instrument', { errors: [{ path: 'instrument', code: 'invalid_value' }] });
  return found;
}

async function statsInstrument(
  client: Client,
  id: string,
): Promise<{ id: StatsInstrument; ins: Instrument; versions: string[] } | undefined> {
  if (!(statsInstruments as readonly string[]).includes(id)) return undefined;
  const versions = await instrumentVersionsOf(client, id);
  // The newest definition names the factors, grades and options; older versions' answers, keyed by
  // the same question ids, are summed with it.
  const ins = versions[0] && (await resolveInstrument(client, id, versions[0].version));
  if (!ins) return undefined;
  return { id: id as StatsInstrument, ins, versions: versions.map((v) => v.version) };
}

/**
 * Builds the protection blocks of this year and the last (every survey, dossiers, feedback) one
 * after the other, in the background of a starting server (issue #9): the first /thong-ke/ view
 * then finds them ready instead of waiting for a build, and a view that comes before its block is
 * ready is told so after a few seconds (503 stats_computing). Resolves when they are built.
 */
export async function prebuildStatsBlocks(deps: Deps): Promise<void> {
  const { db, config } = deps;
  limitFirstWait(db.client);
  const thisYear = Number(vnDay(deps.now()).slice(0, 4));
  const minN = config.STATS_MIN_N;
  for (const year of [String(thisYear), String(thisYear - 1)]) {
    for (const id of statsInstruments) {
      const found = await statsInstrument(db.client, id);
      if (found) await ratingsBlock(db.client, found.ins, found.versions, year, minN, deps.now(), Infinity);
    }
    await dossiersBlock(db.client, year, minN, deps.now(), Infinity);
    await feedbackBlock(db.client, year, minN, deps.now(), config.CONTENT_DIR, Infinity);
  }
}

/** When the oldest of the protection blocks an answer used was computed (api/stats/blocks.ts). */
function oldest(...blocks: (ComputedBlock | undefined)[]): string {
  const times = blocks.filter((b) => b !== undefined).map((b) => b.computedAt.getTime());
  return new Date(Math.min(...times)).toISOString();
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
  const [computed, dossierComputed, sipasComputed] = await Promise.all([
    ratingsBlock(db.client, ins, versions, scope.year, minN, c.var.deps.now()),
    dossiersBlock(db.client, scope.year, minN, c.var.deps.now()),
    id === 'sipas' ? undefined : ratingsBlock(db.client, sipas.ins, sipas.versions, scope.year, minN, c.var.deps.now()),
  ]);
  const [block, dossierBlock, sipasBlock] = [computed.block, dossierComputed.block, sipasComputed?.block];
  // The verdict's satisfaction is the SIPAS index as published for the unit (its cell's protection).
  const publishSipas =
    (unit: string): PublishSummary =>
    (s, t) =>
      publishRatingSummary(s, sipas.ins, (item) =>
        (sipasBlock ?? block).shown(item, unit, scope.procedure, t, scope.span),
      );
  // Every figure passes through the protection of its cell (issue #7, api/stats/disclosure.ts).
  const summaryOf = (list: readonly TrustCell[] | undefined, unit: string, period: string) =>
    publishRatingSummary(ratingSummaryOf(ins, list ?? [], minN, trust), ins, (item) =>
      block.shown(item, unit, scope.procedure, trust, period),
    );
  // The periods partition the span, so the whole span is their sum (ratingCells would read the
  // same rows a second time).
  const summary = summaryOf([...series.values()].flat(), scope.unit.id, scope.span);
  // The headline SIPAS index on each sample (issue #7 §3), each through its cell's protection.
  const sipasIndexOf = (cells: readonly TrustCell[], t: TrustLevel): Figure => {
    const s = publishSipas(scope.unit.id)(ratingSummaryOf(sipas.ins, cells, minN, t), t);
    return s.kind === 'sipas' ? s.index : suppressedFigure(0);
  };
  return {
    query: {
      ...unitRef(scope.unit),
      procedure: scope.procedure,
      span: scope.span,
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
    protection_computed_at: oldest(computed, dossierComputed, sipasComputed),
    summary,
    series: periodsBetween(scope.from, scope.to, scope.period).map((period) => ({
      period,
      summary: summaryOf(series.get(period), scope.unit.id, period),
    })),
    units: scope.children.map((u) => {
      const s = summaryOf(byUnit.get(u.id), u.id, scope.span);
      const late = publishTimeliness(
        timelinessSummaryOf(lateByUnit.get(u.id) ?? { total: 0, onTime: 0 }, minN),
        dossierBlock.shown('dossiers', u.id, scope.procedure, 'all', scope.span),
      ).late;
      const verdict = verdictOf(late, sipas.ins, sipasByUnit.get(u.id) ?? [], minN, thresholds, publishSipas(u.id));
      return { ...unitRef(u), summary: s, late, flag: flagOfVerdict(verdict), verdict };
    }),
    verdict: verdictOf(
      publishTimeliness(
        timelinessSummaryOf(lateOwn, minN),
        dossierBlock.shown('dossiers', scope.unit.id, scope.procedure, 'all', scope.span),
      ).late,
      sipas.ins,
      sipasOwn,
      minN,
      thresholds,
      publishSipas(scope.unit.id),
    ),
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
  const minN = config.STATS_MIN_N;
  const computed = await dossiersBlock(db.client, scope.year, minN, c.var.deps.now());
  const block = computed.block;
  const summaryOf = (counts: { total: number; onTime: number } | undefined, unit: string, period: string) =>
    publishTimeliness(
      timelinessSummaryOf(counts ?? none, minN),
      block.shown('dossiers', unit, scope.procedure, 'all', period),
    );
  const none = { total: 0, onTime: 0 };
  const total = [...series.values()].reduce(
    (a, p) => ({ total: a.total + p.total, onTime: a.onTime + p.onTime }),
    none,
  );
  return {
    query: {
      ...unitRef(scope.unit),
      procedure: scope.procedure,
      span: scope.span,
      period: scope.period,
      from: scope.from,
      to: scope.to,
    },
    label: 'records',
    min_n: minN,
    protection_computed_at: oldest(computed),
    summary: summaryOf(total, scope.unit.id, scope.span),
    series: periodsBetween(scope.from, scope.to, scope.period).map((period) => ({
      period,
      summary: summaryOf(series.get(period), scope.unit.id, period),
    })),
    units: scope.children.map((u) => ({ ...unitRef(u), summary: summaryOf(byUnit.get(u.id), u.id, scope.span) })),
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

async function buildFeedback(c: Context<AppEnv>, q: z.infer<typeof feedbackStatsQuery>): Promise<FeedbackStatsResult> {
  const { db, config } = c.var.deps;
  const scope = await resolveScope(c, q);
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
  // A case dated after its unit ended counts for the successor (db/units.ts `unitOnDay`), in the
  // totals as in the rows, exactly as the protection block counts it (api/stats/blocks.ts).
  const spans = await unitSpans(db.client);
  const ownerOf = (f: { unitId: string; receivedAt: string }) => unitOnDay(spans, f.unitId, vnDayOf(f.receivedAt));
  const facts = (
    await caseFacts(
      db.client,
      [...parents.keys()],
      vnDayStart(scope.from),
      vnDayStart(nextDay(scope.to)),
      scope.procedure || undefined,
    )
  ).filter((f) => bucketOf(ownerOf(f)) !== undefined);
  const contentDir = config.CONTENT_DIR;
  const minN = config.STATS_MIN_N;
  const computed = await feedbackBlock(db.client, scope.year, minN, c.var.deps.now(), contentDir);
  const block = computed.block;
  const summaryOf = (list: typeof facts | undefined, unit: string, period: string) =>
    publishFeedback(summarize(list ?? [], contentDir, minN), (item) =>
      block.shown(item, unit, scope.procedure, 'all', period),
    );
  const byPeriod = new Map<string, typeof facts>();
  const byUnit = new Map<string, typeof facts>();
  for (const f of facts) {
    const p = periodOf(vnDayOf(f.receivedAt), scope.period);
    byPeriod.set(p, [...(byPeriod.get(p) ?? []), f]);
    const u = bucketOf(ownerOf(f));
    if (u && u !== scope.unit.id) byUnit.set(u, [...(byUnit.get(u) ?? []), f]);
  }
  return {
    query: {
      ...unitRef(scope.unit),
      procedure: scope.procedure,
      span: scope.span,
      period: scope.period,
      from: scope.from,
      to: scope.to,
    },
    min_n: minN,
    protection_computed_at: oldest(computed),
    summary: summaryOf(facts, scope.unit.id, scope.span),
    series: periodsBetween(scope.from, scope.to, scope.period).map((period) => ({
      period,
      summary: summaryOf(byPeriod.get(period), scope.unit.id, period),
    })),
    units: scope.children.map((u) => ({ ...unitRef(u), summary: summaryOf(byUnit.get(u.id), u.id, scope.span) })),
  };
}

/** "ratings-khanh-hoa-2025-Q3.csv": a download names what it holds. */
function csvResponse(c: Context<AppEnv>, kind: string, q: { unit: string; span: string }, csv: string) {
  return c.body(csv, 200, {
    'Content-Type': 'text/csv; charset=utf-8',
    'Content-Disposition': `attachment; filename="${kind}-${q.unit}-${q.span}.csv"`,
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
