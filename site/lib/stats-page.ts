/**
 * The statistics page (/thong-ke/, issue #3): its GET query, the filter choices, and the tables and
 * charts built from the API's JSON (api/contracts/stats.ts). Every figure on the page comes from
 * the API; this module only words and formats them. One row model feeds the HTML table (with raw
 * values in data-* attributes), and the chart beside it draws the same numbers.
 */
import type { Problem } from '../../api/contracts/problem.ts';
import { DEFAULT_STATS_UNIT, statsInstruments } from '../../api/contracts/stats.ts';
import type { SsrLocals } from '../../api/contracts/ssr.ts';
import type {
  DossiersResult,
  Figure,
  RatingSummary,
  RatingsResult,
  SampleLabel,
  StatsTarget,
  Thresholds,
  Verdict,
} from '../../api/contracts/stats.ts';
import type { Unit } from '../../api/contracts/content.ts';
import type { FeedbackStatsResult, FeedbackSummary } from '../../api/contracts/published.ts';
import { compareVi } from '../../api/contracts/text.ts';
import {
  comparatorText,
  defaultLocale,
  formatNumber,
  formatPercent,
  l,
  localeMeta,
  pathFor,
  useT,
} from '../i18n/index.ts';
import type { ChartSpec } from './reform-tables.ts';
import { content } from './content.ts';

// ── Query ───────────────────────────────────────────────────────────────────────────────────────

/** The page's query names (Vietnamese, like the rating page's `don-vi`) → the API's. */
export const PAGE_PARAMS = {
  unit: 'don-vi',
  procedure: 'thu-tuc',
  instrument: 'mau',
  period: 'ky',
  trust: 'nguon',
  /** The fixed period published (issue #7): '2025', '2025-Q3', '2025-07'. */
  span: 'thoi-gian',
} as const;
export type ApiParam = keyof typeof PAGE_PARAMS;

/** Page values of the period and trust selects → the API's. */
export const PERIOD_VALUES = { nam: 'year', quy: 'quarter', thang: 'month' } as const;
export const TRUST_VALUES = { 'tat-ca': 'all', 'xac-thuc': 'verified', 'tu-nguyen': 'self-selected' } as const;

/** The query in the API's names and values; empty fields left out (they mean "the default"). */
export type ApiQuery = Partial<Record<ApiParam, string>>;

function mapValue(table: Record<string, string>, value: string): string {
  // An unknown value goes to the API as it is, which refuses it with a problem the page shows.
  return table[value] ?? value;
}

/**
 * Reads the page's GET query.
 * @example readStatsQuery(new URL('https://x/thong-ke/?don-vi=ninh-hoa&ky=quy&tu=')) // { unit: 'ninh-hoa', period: 'quarter' }
 */
export function readStatsQuery(url: URL): ApiQuery {
  const out: ApiQuery = {};
  for (const [key, name] of Object.entries(PAGE_PARAMS) as [ApiParam, string][]) {
    const raw = url.searchParams.get(name)?.trim();
    if (!raw) continue;
    out[key] =
      key === 'period'
        ? mapValue(PERIOD_VALUES, raw)
        : key === 'trust'
          ? mapValue(TRUST_VALUES, raw)
          : raw.slice(0, 100);
  }
  return out;
}

/** The API path of a statistics endpoint for the query, with some fields replaced. */
export function apiPath(
  endpoint: 'ratings' | 'ratings.csv' | 'dossiers' | 'dossiers.csv' | 'feedback' | 'feedback.csv',
  q: ApiQuery,
  over: ApiQuery = {},
): string {
  const merged: ApiQuery = { ...q, ...over };
  if (endpoint.startsWith('dossiers') || endpoint.startsWith('feedback')) {
    delete merged.instrument;
    delete merged.trust;
  }
  const qs = new URLSearchParams(Object.entries(merged).filter(([, v]) => v) as [string, string][]).toString();
  return `/api/v1/stats/${endpoint}${qs ? `?${qs}` : ''}`;
}

function pageValue(key: ApiParam, value: string): string {
  const table = key === 'period' ? PERIOD_VALUES : key === 'trust' ? TRUST_VALUES : undefined;
  if (!table) return value;
  return Object.entries(table).find(([, v]) => v === value)?.[0] ?? value;
}

/** This page with the query, some fields replaced (a child unit's link keeps the other filters). */
export function pageHref(locale: string, q: ApiQuery, over: ApiQuery = {}): string {
  const merged: ApiQuery = { ...q, ...over };
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(merged) as [ApiParam, string][])
    if (value) params.set(PAGE_PARAMS[key], pageValue(key, value));
  const qs = params.toString();
  return `${pathFor(locale, 'stats')}${qs ? `?${qs}` : ''}`;
}

// ── Loading ─────────────────────────────────────────────────────────────────────────────────────

export type FieldErrors = Partial<Record<ApiParam | 'other', string>>;

export interface LoadedStats {
  query: ApiQuery;
  /** The survey of the "over time" and "by unit" tables. */
  chosen: string;
  /** Every survey's figures and the dossiers', or nothing when the query was refused. */
  result?: { ratings: Map<string, RatingsResult>; dossiers: DossiersResult; feedback: FeedbackStatsResult } | undefined;
  errors: FieldErrors;
  /** 200, 422 for a refused query, 503 when the API failed. */
  status: number;
}

type Loaded<T> = { ok: true; data: T } | { ok: false; status: number; problem: Problem | undefined };

async function load<T>(api: SsrLocals['api'], path: string): Promise<Loaded<T>> {
  const res = await api(path, { headers: { accept: 'application/json' } });
  if (res.ok) return { ok: true, data: (await res.json()) as T };
  const problem = /problem\+json/.test(res.headers.get('content-type') ?? '')
    ? ((await res.json()) as Problem)
    : undefined;
  return { ok: false, status: res.status, problem };
}

/** A refused query as sentences, each tied to the field it is about (GOV.UK error summary). */
export function fieldErrors(problem: Problem | undefined, locale: string): FieldErrors {
  const t = useT(locale);
  const byCode: Record<string, ApiParam> = {
    fixed_periods_only: 'span',
    unknown_unit: 'unit',
    unknown_procedure: 'procedure',
    unknown_instrument: 'instrument',
  };
  const field = problem && byCode[problem.code];
  if (field) return { [field]: t(`stats.errors.${field === 'span' ? 'span' : problem.code}`) };
  const out: FieldErrors = {};
  for (const e of problem?.code === 'validation_failed' ? (problem.errors ?? []) : []) {
    const path = e.path as ApiParam;
    if (path === 'unit') out.unit = t('stats.errors.unknown_unit');
    else if (path === 'procedure') out.procedure = t('stats.errors.unknown_procedure');
    else if (path === 'span' || path === 'trust') out[path] = t(`stats.errors.${path}`);
    else if (path === 'period') out.period = t('stats.errors.period', { max: e.params?.max ?? 240 });
  }
  return Object.keys(out).length > 0 ? out : { other: t('stats.errors.other') };
}

/**
 * Everything the page shows, from the API in-process: the chosen survey first (a refused query
 * stops there), then the two others and the dossiers.
 * @example const data = await loadStats(Astro.locals as SsrLocals, Astro.url, 'vi'); Astro.response.status = data.status;
 */
export async function loadStats(locals: SsrLocals, url: URL, locale: string): Promise<LoadedStats> {
  const query = readStatsQuery(url);
  const chosen = query.instrument ?? 'sipas';
  const first = await load<RatingsResult>(locals.api, apiPath('ratings', query, { instrument: chosen }));
  // The protection of the figures is still being computed (first build after a start, issue #9):
  // a sentence and 503, never a long wait.
  const computing = { other: useT(locale)('stats.errors.computing') };
  if (!first.ok)
    return {
      query,
      chosen,
      errors: first.problem?.code === 'stats_computing' ? computing : fieldErrors(first.problem, locale),
      status: first.status === 422 ? 422 : 503,
    };
  const others = statsInstruments.filter((id) => id !== chosen);
  const [a, b, d, f] = await Promise.all([
    load<RatingsResult>(locals.api, apiPath('ratings', query, { instrument: others[0] })),
    load<RatingsResult>(locals.api, apiPath('ratings', query, { instrument: others[1] })),
    load<DossiersResult>(locals.api, apiPath('dossiers', query)),
    load<FeedbackStatsResult>(locals.api, apiPath('feedback', query)),
  ]);
  if (!a.ok || !b.ok || !d.ok || !f.ok) {
    const stillComputing = [a, b, d, f].some((x) => !x.ok && x.problem?.code === 'stats_computing');
    return {
      query,
      chosen,
      errors: stillComputing ? computing : { other: useT(locale)('stats.errors.other') },
      status: 503,
    };
  }
  return {
    query,
    chosen,
    result: {
      ratings: new Map([
        [chosen, first.data],
        [others[0]!, a.data],
        [others[1]!, b.data],
      ]),
      dossiers: d.data,
      feedback: f.data,
    },
    errors: {},
    status: 200,
  };
}

// ── Filter choices ──────────────────────────────────────────────────────────────────────────────

export interface Option {
  value: string;
  label: string;
}

/** "30/06/2025" in Vietnamese (one date format, dd/mm/yyyy: issue #11), "30 June 2025" in English. */
export function dayText(iso: string, locale: string): string {
  const [y, m, d] = iso.split('-').map(Number);
  if (locale === defaultLocale) return `${String(d).padStart(2, '0')}/${String(m).padStart(2, '0')}/${y}`;
  return new Intl.DateTimeFormat(localeMeta(locale).numberLocale, {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(Date.UTC(y!, m! - 1, d!)));
}

/** A unit's name, with "(đến 30/6/2025)" when it no longer exists (docs/domain.md §3). */
export function unitLabel(
  u: { name: { vi: string; en: string; [k: string]: string }; valid_to?: string | null | undefined },
  locale: string,
): string {
  const name = l(u.name, locale);
  return u.valid_to ? `${name} ${useT(locale)('stats.filters.until', { date: dayText(u.valid_to, locale) })}` : name;
}

/**
 * The unit tree for the select, depth-first, indented with no-break spaces (an <option> cannot be
 * styled): the portal's province first, then in each level units still in existence, then
 * historical ones, by name. The national level is left out.
 */
export function unitOptions(locale: string): Option[] {
  const units = content().units;
  const national = new Set(units.filter((u) => u.kind === 'quoc-gia').map((u) => u.id));
  const children = new Map<string | undefined, Unit[]>();
  for (const u of units) {
    if (national.has(u.id)) continue;
    const parent = u.parent && !national.has(u.parent) ? u.parent : undefined;
    children.set(parent, [...(children.get(parent) ?? []), u]);
  }
  const order = (a: Unit, b: Unit) =>
    Number(b.id === DEFAULT_STATS_UNIT) - Number(a.id === DEFAULT_STATS_UNIT) ||
    Number(Boolean(a.valid_to)) - Number(Boolean(b.valid_to)) ||
    compareVi(l(a.name, locale), l(b.name, locale));
  const out: Option[] = [];
  const walk = (parent: string | undefined, depth: number) => {
    for (const u of [...(children.get(parent) ?? [])].sort(order)) {
      out.push({ value: u.id, label: `${'\u00a0'.repeat(depth * 3)}${unitLabel(u, locale)}` });
      walk(u.id, depth + 1);
    }
  };
  walk(undefined, 0);
  return out;
}

export function procedureOptions(locale: string): Option[] {
  return [...content().procedures]
    .sort((a, b) => compareVi(l(a.name, locale), l(b.name, locale)))
    .map((p) => ({ value: p.code, label: `${l(p.name, locale)} (${p.code})` }));
}

/**
 * The fixed periods a reader can choose (issue #7: no free date ranges in public), grouped by year,
 * newest first: the year, its quarters, its months. `selected` is kept even when older than the list.
 * @example spanOptions('vi', 2026, 1)[0] // { label: 'Năm 2026', options: [{ value: '2026', label: 'Năm 2026' }, …] }
 */
export function spanOptions(
  locale: string,
  thisYear: number,
  years = 5,
  selected?: string,
): { label: string; options: Option[] }[] {
  const t = useT(locale);
  const list = Array.from({ length: years }, (_, i) => thisYear - i);
  const extra = selected ? Number(selected.slice(0, 4)) : NaN;
  if (Number.isInteger(extra) && !list.includes(extra)) list.push(extra);
  return list.map((y) => {
    const year = String(y);
    const spans = [
      year,
      ...[1, 2, 3, 4].map((q) => `${year}-Q${q}`),
      ...Array.from({ length: 12 }, (_, m) => `${year}-${String(m + 1).padStart(2, '0')}`),
    ];
    const label = (value: string) =>
      value === year ? t('stats.periodLabel.year', { y: year }) : periodText(value, locale);
    return { label: year, options: spans.map((value) => ({ value, label: label(value) })) };
  });
}

export function instrumentOptions(locale: string): Option[] {
  return statsInstruments.map((id) => {
    const ins = content().instruments.find((i) => i.id === id);
    return { value: id, label: ins ? l(ins.name, locale) : id };
  });
}

// ── Formatting ──────────────────────────────────────────────────────────────────────────────────

export type Measure = 'percent' | 'points';

const num = (x: number, locale: string, digits = 1) => formatNumber(x, locale, digits);

export function labelText(label: SampleLabel, locale: string): string {
  return useT(locale)(`stats.labels.${label}`);
}

/** What a figure counts, for the suppressed wording: ratings, dossiers or feedback cases. */
export type Counted = 'responses' | 'dossiers' | 'cases';

const SUPPRESSED: Record<Counted, string> = {
  responses: 'stats.suppressed',
  dossiers: 'stats.suppressedDossiers',
  cases: 'feedbackStats.suppressed',
};

/** What the figures of a sample label count (issue #11: cases and dossiers are not "phiếu"). */
export function countedOf(label: SampleLabel): Counted {
  return label === 'records' ? 'dossiers' : label === 'feedback cases' ? 'cases' : 'responses';
}

/**
 * A figure's value as read: "84,4%", "12,3 điểm", or the suppressed wording (fewer than min n, or
 * hidden to protect another figure: docs/statistics.md), naming what was counted.
 */
export function valueText(
  f: Figure,
  measure: Measure,
  minN: number,
  locale: string,
  counted: Counted = 'responses',
): string {
  const t = useT(locale);
  if (f.suppressed || f.value === null) return t(SUPPRESSED[counted], { min: minN });
  return t(measure === 'percent' ? 'stats.percent' : 'stats.points', { value: num(f.value, locale) });
}

export function intervalText(f: Figure, measure: Measure, locale: string): string {
  if (f.suppressed || f.low === null || f.high === null) return '—';
  return useT(locale)(measure === 'percent' ? 'stats.intervalPct' : 'stats.intervalPoints', {
    low: num(f.low, locale),
    high: num(f.high, locale),
  });
}

// Period names are the same on every view (issue #9: no per-request recomputation); the number of
// periods a reader can reach is small, the bound only guards against odd queries.
const periodTexts = new Map<string, string>();

/** '2025' → '2025'; '2025-Q3' → 'Quý 3/2025'; '2025-08' → 'Tháng 8/2025'. */
export function periodText(period: string, locale: string): string {
  const key = `${locale}\u0000${period}`;
  const known = periodTexts.get(key);
  if (known !== undefined) return known;
  const text = periodTextOf(period, locale);
  if (periodTexts.size < 10_000) periodTexts.set(key, text);
  return text;
}

function periodTextOf(period: string, locale: string): string {
  const t = useT(locale);
  const quarter = /^(\d{4})-Q([1-4])$/.exec(period);
  if (quarter) return t('stats.periodLabel.quarter', { q: quarter[2], y: quarter[1] });
  const month = /^(\d{4})-(\d{2})$/.exec(period);
  if (month) {
    // "tháng 8" / "August", capitalised: the row header starts with it.
    const name = new Intl.DateTimeFormat(localeMeta(locale).numberLocale, { month: 'long', timeZone: 'UTC' })
      .format(new Date(Date.UTC(Number(month[1]), Number(month[2]) - 1, 1)))
      .replace(/^./, (c) => c.toLocaleUpperCase(locale));
    return t('stats.periodLabel.month', { month: name, y: month[1] });
  }
  return period;
}

// ── Tables ──────────────────────────────────────────────────────────────────────────────────────

export interface Cell {
  text: string;
  /** Raw values for tests and scripts (data-value, data-low, data-high). */
  data?: Record<string, string>;
  href?: string;
  /** A status shown as a tag (the ranking flag). */
  tag?: 'flag' | 'ok' | 'unknown';
  /** A sentence (a suppressed figure) rather than a number: may wrap. */
  wrap?: boolean;
}

export interface Row {
  /** Where the row is in the CSV: unit, period ("from/to" for the whole range) and metric. */
  unit: string;
  period: string;
  metric: string;
  header: Cell;
  cells: Cell[];
}

export interface Column {
  label: string;
  numeric: boolean;
}

export interface StatsTable {
  id: string;
  title: string;
  /** The first column is the row header. */
  columns: Column[];
  rows: Row[];
  chart?: ChartSpec | undefined;
  /** The table has figures but none can be drawn yet (all suppressed). */
  chartEmpty: boolean;
  downloads: { label: string; href: string }[];
  notes: string[];
}

const raw = (x: number | null) => (x === null ? '' : String(x));

/** A published count, or "under min n or hidden" when it is suppressed. */
export function countText(n: number | null, minN: number, locale: string): string {
  return n === null ? useT(locale)('stats.nSuppressed', { min: minN }) : formatNumber(n, locale, 0);
}

/** The four cells of a figure: value, n, interval, label. */
function figureCells(f: Figure, measure: Measure, label: SampleLabel, minN: number, locale: string): Cell[] {
  const value =
    label === 'records' && f.n === 0
      ? useT(locale)('stats.noDossiers')
      : valueText(f, measure, minN, locale, countedOf(label));
  return [
    { text: value, data: { value: raw(f.value) }, wrap: f.value === null },
    { text: countText(f.n, minN, locale), data: { value: raw(f.n) } },
    { text: intervalText(f, measure, locale), data: { low: raw(f.low), high: raw(f.high) } },
    { text: labelText(label, locale), data: { value: label } },
  ];
}

/** The count column is named for what is counted: "Số phiếu", "Số hồ sơ", "Số phản ánh, kiến nghị". */
const COUNT_COLUMN: Record<Counted, string> = {
  responses: 'stats.columns.n',
  dossiers: 'stats.columns.dossiers',
  cases: 'feedbackStats.n',
};

function figureColumns(locale: string, first: string, counted: Counted = 'responses'): Column[] {
  const t = useT(locale);
  return [
    { label: first, numeric: false },
    { label: t('stats.columns.value'), numeric: true },
    { label: t(COUNT_COLUMN[counted]), numeric: true },
    { label: t('stats.columns.interval'), numeric: true },
    { label: t('stats.columns.label'), numeric: false },
  ];
}

function downloads(locale: string, title: string, json: string, csv: string): StatsTable['downloads'] {
  const t = useT(locale);
  return [
    { label: t('stats.downloadCsv', { title }), href: csv },
    { label: t('stats.downloadJson', { title }), href: json },
  ];
}

/**
 * Target and threshold lines for a percent chart; the rule's own target is the threshold line,
 * worded as the condition for "tốt" (satisfaction above it, late dossiers below it).
 */
function referenceLines(
  targets: readonly StatsTarget[],
  threshold: { value: number; target: string | null } | undefined,
  locale: string,
  condition: 'satisfaction' | 'late',
): ChartSpec['lines'] {
  const t = useT(locale);
  const lines: ChartSpec['lines'] = [];
  if (threshold)
    lines.push({
      label: t(`stats.chart.threshold.${condition}`, { value: num(threshold.value, locale, 0) }),
      value: threshold.value,
    });
  for (const x of targets) {
    if (x.unit_of_measure !== 'percent' || x.id === threshold?.target) continue;
    const years = x.from_year === x.to_year ? String(x.from_year) : `${x.from_year}–${x.to_year}`;
    lines.push({
      label: t('stats.chart.target', {
        years,
        condition: comparatorText(x.comparator, formatPercent(x.value, locale, 0), locale),
      }),
      value: x.value,
    });
  }
  return lines;
}

function barChart(
  title: string,
  labels: string[],
  values: (number | null)[],
  lines: ChartSpec['lines'],
  datasetLabel: string,
  yMax = 100,
): ChartSpec | undefined {
  if (values.every((v) => v === null)) return undefined;
  return { type: 'bar', title, labels, datasets: [{ label: datasetLabel, data: values }], lines, yMin: 0, yMax };
}

const whole = (q: { span: string }) => q.span;

export interface Context {
  locale: string;
  query: ApiQuery;
}

/** The parts every instrument's table shares: metric columns, downloads of that instrument, n. */
function instrumentTable(
  ctx: Context,
  instrument: string,
  title: string,
  rows: Row[],
  chart: StatsTable['chart'],
  responses: number | null,
  minN: number,
  notes: string[] = [],
): StatsTable {
  const { locale } = ctx;
  const t = useT(locale);
  return {
    id: instrument,
    title,
    columns: figureColumns(locale, t('stats.columns.metric')),
    rows,
    chart,
    chartEmpty: !chart,
    downloads: downloads(
      locale,
      title,
      apiPath('ratings', ctx.query, { instrument }),
      apiPath('ratings.csv', ctx.query, { instrument }),
    ),
    notes: [t('stats.responses', { n: countText(responses, minN, locale) }), ...notes],
  };
}

/** SIPAS and its five factors (and the overall question), with the targets and the threshold. */
export function sipasTable(r: RatingsResult, ctx: Context): StatsTable | undefined {
  const s = r.summary;
  if (s.kind !== 'sipas') return undefined;
  const { locale } = ctx;
  const t = useT(locale);
  const title = t('stats.sipas.title');
  const scope = { unit: r.query.unit, period: whole(r.query) };
  const rows: Row[] = [
    {
      ...scope,
      metric: 'sipas_index',
      header: { text: t('stats.sipas.index') },
      cells: figureCells(s.index, 'percent', s.label, r.min_n, locale),
    },
    ...s.factors.map((f) => ({
      ...scope,
      metric: `factor:${f.id}`,
      header: { text: t('stats.sipas.factor', { name: l(f.name, locale) }) },
      cells: figureCells(f.index, 'percent', s.label, r.min_n, locale),
    })),
    ...(s.overall
      ? [
          {
            ...scope,
            metric: 'overall',
            header: { text: t('stats.sipas.overall') },
            cells: figureCells(s.overall, 'percent', s.label, r.min_n, locale),
          },
        ]
      : []),
    // The method's per-criterion figures: the share answering 4–5 and the 1–5 mean (issue #7 §3).
    ...s.criteria.flatMap((c) => [
      {
        ...scope,
        metric: `criterion:${c.id}`,
        header: { text: t('stats.sipas.criterionShare', { name: l(c.name, locale) }) },
        cells: figureCells(c.share, 'percent', s.label, r.min_n, locale),
      },
      {
        ...scope,
        metric: `criterion_mean:${c.id}`,
        header: { text: t('stats.sipas.criterionMean', { name: l(c.name, locale) }) },
        cells: figureCells(c.mean, 'points', s.label, r.min_n, locale),
      },
    ]),
  ];
  const chart = barChart(
    title,
    [t('stats.sipas.index'), ...s.factors.map((f) => l(f.name, locale))],
    [s.index.value, ...s.factors.map((f) => f.index.value)],
    referenceLines(r.targets, r.thresholds.satisfaction, locale, 'satisfaction'),
    t('stats.columns.valuePct'),
  );
  return instrumentTable(ctx, 'sipas', title, rows, chart, s.responses, r.min_n, [
    ...sipasSampleNote(r, ctx.locale),
    verdictNote(r, ctx.locale),
  ]);
}

/** The NĐ 61 mean score and the share of each grade. */
export function evaluationTable(r: RatingsResult, ctx: Context): StatsTable | undefined {
  const s = r.summary;
  if (s.kind !== 'dossier-evaluation') return undefined;
  const { locale } = ctx;
  const t = useT(locale);
  const title = t('stats.evaluation.title');
  const scope = { unit: r.query.unit, period: whole(r.query) };
  const { max, ...score } = s.score;
  const rows: Row[] = [
    {
      ...scope,
      metric: 'score_mean',
      header: { text: t('stats.evaluation.score', { max }) },
      cells: figureCells(score, 'points', s.label, r.min_n, locale),
    },
    ...s.grades.map((g) => ({
      ...scope,
      metric: `grade:${g.id}`,
      header: { text: t('stats.evaluation.grade', { name: l(g.name, locale), min: g.min, max: g.max }) },
      cells: figureCells(g.share, 'percent', s.label, r.min_n, locale),
    })),
  ];
  const chart = barChart(
    t('stats.evaluation.gradesTitle'),
    s.grades.map((g) => l(g.name, locale)),
    s.grades.map((g) => g.share.value),
    [],
    t('stats.columns.valuePct'),
  );
  return instrumentTable(ctx, 'danh-gia-ho-so', title, rows, chart, s.responses, r.min_n, [verdictNote(r, ctx.locale)]);
}

/** The one-tap distribution and its satisfied share. */
export function counterTable(r: RatingsResult, ctx: Context): StatsTable | undefined {
  const s = r.summary;
  if (s.kind !== 'counter') return undefined;
  const { locale } = ctx;
  const t = useT(locale);
  const title = t('stats.counter.title');
  const scope = { unit: r.query.unit, period: whole(r.query) };
  const rows: Row[] = [
    {
      ...scope,
      metric: 'satisfied',
      header: { text: t('stats.counter.satisfied') },
      cells: figureCells(s.satisfied, 'percent', s.label, r.min_n, locale),
    },
    ...s.options.map((o) => ({
      ...scope,
      metric: `option:${o.id}`,
      header: { text: t('stats.counter.option', { name: l(o.name, locale) }) },
      cells: figureCells(o.share, 'percent', s.label, r.min_n, locale),
    })),
  ];
  const chart = barChart(
    title,
    s.options.map((o) => l(o.name, locale)),
    s.options.map((o) => o.share.value),
    [],
    t('stats.columns.valuePct'),
  );
  // Issue #7 §3: the one-tap share is never shown without saying it is not a SIPAS figure.
  return instrumentTable(ctx, 'quay', title, rows, chart, s.responses, r.min_n, [
    useT(ctx.locale)('stats.verdict.counterScale'),
    verdictNote(r, ctx.locale),
  ]);
}

/** On-time and late shares of returned dossiers, with the late threshold and the unit's targets. */
export function dossiersTable(d: DossiersResult, ctx: Context): StatsTable {
  const { locale } = ctx;
  const t = useT(locale);
  const s = d.summary;
  const title = t('stats.dossiers.title');
  const scope = { unit: d.query.unit, period: whole(d.query) };
  const late = { value: d.thresholds.late.value, target: d.thresholds.late.target };
  const chart = barChart(
    title,
    [t('stats.dossiers.onTime'), t('stats.dossiers.late')],
    [s.on_time.value, s.late.value],
    referenceLines(d.targets, late, locale, 'late'),
    t('stats.columns.valuePct'),
  );
  return {
    id: 'ho-so',
    title,
    columns: figureColumns(locale, t('stats.columns.metric'), 'dossiers'),
    rows: [
      {
        ...scope,
        metric: 'on_time',
        header: { text: t('stats.dossiers.onTime') },
        cells: figureCells(s.on_time, 'percent', s.label, d.min_n, locale),
      },
      {
        ...scope,
        metric: 'late',
        header: { text: t('stats.dossiers.late') },
        cells: figureCells(s.late, 'percent', s.label, d.min_n, locale),
      },
    ],
    chart,
    chartEmpty: !chart,
    downloads: downloads(locale, title, apiPath('dossiers', ctx.query), apiPath('dossiers.csv', ctx.query)),
    notes: [`${t('stats.dossiers.count')}: ${countText(s.dossiers, d.min_n, locale)}`],
  };
}

/** The headline figure of a summary, its CSV metric and its measure. */
export function headline(s: RatingSummary): { figure: Figure; metric: string; measure: Measure; max: number } {
  if (s.kind === 'sipas') return { figure: s.index, metric: 'sipas_index', measure: 'percent', max: 100 };
  if (s.kind === 'counter') return { figure: s.satisfied, metric: 'satisfied', measure: 'percent', max: 100 };
  const { max, ...score } = s.score;
  return { figure: score, metric: 'score_mean', measure: 'points', max };
}

/** The chosen instrument's headline and the dossiers' on-time share, period by period. */
export function seriesTable(r: RatingsResult, d: DossiersResult, ctx: Context): StatsTable {
  const { locale } = ctx;
  const t = useT(locale);
  const title = t('stats.series.title', { name: l(r.query.instrument_name, locale) });
  const head = headline(r.summary);
  const onTime = new Map(d.series.map((p) => [p.period, p.summary.on_time]));
  const rows: Row[] = r.series.map((p) => {
    const h = headline(p.summary);
    const ot = onTime.get(p.period);
    return {
      unit: r.query.unit,
      period: p.period,
      metric: h.metric,
      header: { text: periodText(p.period, locale) },
      cells: [
        ...figureCells(h.figure, h.measure, p.summary.label, r.min_n, locale),
        ot
          ? {
              text: ot.n === 0 ? t('stats.noDossiers') : valueText(ot, 'percent', d.min_n, locale, 'dossiers'),
              data: { value: raw(ot.value), n: raw(ot.n) },
            }
          : { text: '—' },
      ],
    };
  });
  const values = r.series.map((p) => headline(p.summary).figure.value);
  const headLabel = t(`stats.series.headline.${r.summary.kind}`);
  const chart = values.some((v) => v !== null)
    ? ({
        type: 'line',
        title,
        labels: r.series.map((p) => periodText(p.period, locale)),
        datasets: [{ label: headLabel, data: values }],
        lines:
          head.measure === 'percent' && r.summary.kind !== 'dossier-evaluation'
            ? referenceLines(r.targets, r.thresholds.satisfaction, locale, 'satisfaction')
            : [],
        yMin: 0,
        yMax: head.max,
      } satisfies ChartSpec)
    : undefined;
  return {
    id: 'theo-thoi-gian',
    title,
    columns: [
      { label: t('stats.columns.period'), numeric: false },
      { label: headLabel, numeric: true },
      { label: t('stats.columns.n'), numeric: true },
      { label: t('stats.columns.interval'), numeric: true },
      { label: t('stats.columns.label'), numeric: false },
      { label: t('stats.columns.onTime'), numeric: true },
    ],
    rows,
    chart,
    chartEmpty: !chart,
    downloads: [
      ...downloads(locale, title, apiPath('ratings', ctx.query), apiPath('ratings.csv', ctx.query)),
      ...downloads(
        locale,
        t('stats.dossiers.title'),
        apiPath('dossiers', ctx.query),
        apiPath('dossiers.csv', ctx.query),
      ),
    ],
    notes: [],
  };
}

/** "hài lòng: quá ít phiếu" — one condition of a verdict that could not be decided. */
function undeterminedText(c: Verdict['conditions'][number], th: Thresholds, locale: string): string {
  const t = useT(locale);
  const value = num(c.condition === 'late' ? th.late.value : th.satisfaction.value, locale, 0);
  return t(`stats.verdict.undetermined.${c.condition}.${c.reason ?? 'no-data'}`, { value });
}

/** Which sample the satisfaction condition was judged on. */
function basisText(v: Verdict, locale: string): string {
  const t = useT(locale);
  return v.satisfaction_basis === null
    ? ''
    : t('stats.verdict.basis', { label: labelText(v.satisfaction_basis, locale) });
}

/** The verdict of a unit (api/stats/verdicts.ts): the same whatever survey the page shows. */
export function verdictText(
  v: Verdict,
  th: Thresholds,
  locale: string,
): { text: string; tag: 'flag' | 'ok' | 'unknown'; value: string } {
  const t = useT(locale);
  const basis = basisText(v, locale);
  const failed = v.conditions.filter((c) => c.status === 'failed');
  if (v.verdict === 'cannot-be-good') {
    const reasons = failed
      .map((c) =>
        c.condition === 'late'
          ? t('stats.units.late', { value: num(th.late.value, locale, 0) })
          : t('stats.units.satisfaction', { value: num(th.satisfaction.value, locale, 0) }),
      )
      .join(' / ');
    const text = t('stats.units.flagged', { reasons });
    return {
      text: failed.some((c) => c.condition === 'satisfaction') ? `${text}. ${basis}` : text,
      tag: 'flag',
      value: failed.map((c) => c.condition).join(';'),
    };
  }
  if (v.verdict === 'meets-both') return { text: `${t('stats.units.ok')}. ${basis}`, tag: 'ok', value: '' };
  const open = v.conditions.filter((c) => c.status === 'undetermined').map((c) => undeterminedText(c, th, locale));
  return { text: t('stats.verdict.undeterminedText', { conditions: open.join('; ') }), tag: 'unknown', value: '' };
}

function flagCell(v: Verdict, th: Thresholds, locale: string): Cell {
  const x = verdictText(v, th, locale);
  return { text: x.text, tag: x.tag, data: { value: x.value } };
}

/** The verdict of the page's own unit, below every instrument's table. */
function verdictNote(r: RatingsResult, locale: string): string {
  return useT(locale)('stats.verdict.own', { text: verdictText(r.verdict, r.thresholds, locale).text });
}

/** "Chỉ số SIPAS theo mẫu: xác thực …; tự nguyện …; chung …" beside the SIPAS headline. */
function sipasSampleNote(r: RatingsResult, locale: string): string[] {
  if (!r.sipas_samples) return [];
  const t = useT(locale);
  const v = (f: Figure) => valueText(f, 'percent', r.min_n, locale);
  return [
    t('stats.verdict.samples', {
      verified: v(r.sipas_samples['verified sample']),
      self: v(r.sipas_samples['self-selected']),
      all: v(r.sipas_samples.all),
      label: labelText(r.summary.label, locale),
    }),
  ];
}

/** The units directly below, with the headline, the late share and the ranking flag (the Khánh Hòa programme on KL 91-KL/TU). */
export function unitsTable(r: RatingsResult, ctx: Context): StatsTable {
  const { locale } = ctx;
  const t = useT(locale);
  const title = t('stats.units.title', { name: l(r.query.instrument_name, locale) });
  const headLabel = t(`stats.series.headline.${r.summary.kind}`);
  const rows: Row[] = r.units.map((u) => {
    const h = headline(u.summary);
    const name = unitLabel({ name: u.name, valid_to: u.valid_to }, locale);
    return {
      unit: u.unit,
      period: whole(r.query),
      metric: h.metric,
      header: { text: name, href: pageHref(locale, ctx.query, { unit: u.unit }) },
      cells: [
        ...figureCells(h.figure, h.measure, u.summary.label, r.min_n, locale),
        {
          text: u.late.n === 0 ? t('stats.noDossiers') : valueText(u.late, 'percent', r.min_n, locale, 'dossiers'),
          data: { value: raw(u.late.value), n: raw(u.late.n) },
        },
        flagCell(u.verdict, r.thresholds, locale),
      ],
    };
  });
  return {
    id: 'theo-don-vi',
    title,
    columns: [
      { label: t('stats.columns.unit'), numeric: false },
      { label: headLabel, numeric: true },
      { label: t('stats.columns.n'), numeric: true },
      { label: t('stats.columns.interval'), numeric: true },
      { label: t('stats.columns.label'), numeric: false },
      { label: t('stats.columns.late'), numeric: true },
      { label: t('stats.columns.flag'), numeric: false },
    ],
    rows,
    chartEmpty: false,
    downloads: downloads(locale, title, apiPath('ratings', ctx.query), apiPath('ratings.csv', ctx.query)),
    notes: [
      ...(r.units.length === 0 ? [t('stats.units.none')] : []),
      // Issue #7 §3: the one-tap share never stands in a table without its scale note.
      ...(r.summary.kind === 'counter' ? [t('stats.verdict.counterScale')] : []),
    ],
  };
}

// ── Feedback handling (issue #4) ────────────────────────────────────────────────────────────────

/** "5,2 ngày" for the mean working days, else the percent wording. */
function feedbackValue(f: Figure, measure: 'percent' | 'days', minN: number, locale: string): string {
  if (measure === 'percent' || f.suppressed || f.value === null) return valueText(f, 'percent', minN, locale, 'cases');
  return useT(locale)('feedbackStats.daysValue', { value: num(f.value, locale) });
}

function feedbackRows(
  s: FeedbackSummary,
  locale: string,
): { metric: string; label: string; figure: Figure; measure: 'percent' | 'days' }[] {
  const t = useT(locale);
  return [
    { metric: 'on_time', label: t('feedbackStats.onTime'), figure: s.on_time, measure: 'percent' },
    { metric: 'days_to_answer', label: t('feedbackStats.days'), figure: s.days_to_answer, measure: 'days' },
    { metric: 'satisfied', label: t('feedbackStats.satisfied'), figure: s.satisfied, measure: 'percent' },
    { metric: 'disputed', label: t('feedbackStats.disputed'), figure: s.disputed, measure: 'percent' },
    {
      metric: 'reexamined_on_time',
      label: t('feedbackStats.reexamined'),
      figure: s.reexamined_on_time,
      measure: 'percent',
    },
  ];
}

function countCell(n: number | null, minN: number, locale: string): Cell {
  return { text: countText(n, minN, locale), data: { value: raw(n) }, wrap: n === null };
}

/** The cells of one summary in a period or unit row: counts, then each figure's value. */
function feedbackCells(s: FeedbackSummary, minN: number, locale: string): Cell[] {
  return [
    countCell(s.received, minN, locale),
    countCell(s.answered, minN, locale),
    ...feedbackRows(s, locale).map((r) => ({
      text: feedbackValue(r.figure, r.measure, minN, locale),
      data: { value: raw(r.figure.value), n: raw(r.figure.n) },
      wrap: r.figure.value === null,
    })),
  ];
}

function feedbackColumns(locale: string, first: string): Column[] {
  const t = useT(locale);
  return [
    { label: first, numeric: false },
    { label: t('feedbackStats.received'), numeric: true },
    { label: t('feedbackStats.answered'), numeric: true },
    { label: t('feedbackStats.onTime'), numeric: true },
    { label: t('feedbackStats.days'), numeric: true },
    { label: t('feedbackStats.satisfied'), numeric: true },
    { label: t('feedbackStats.disputed'), numeric: true },
    { label: t('feedbackStats.reexamined'), numeric: true },
  ];
}

/**
 * The feedback section: the whole range (each figure with n, interval and label), then per period
 * and per child unit. Every case received counts, published or not; small cells are suppressed.
 */
export function feedbackTables(f: FeedbackStatsResult, ctx: Context): StatsTable[] {
  const { locale } = ctx;
  const t = useT(locale);
  const title = t('feedbackStats.title');
  const scope = { unit: f.query.unit, period: whole(f.query) };
  const dl = downloads(locale, title, apiPath('feedback', ctx.query), apiPath('feedback.csv', ctx.query));
  const s = f.summary;
  const summary: StatsTable = {
    id: 'phan-anh',
    title,
    columns: figureColumns(locale, t('stats.columns.metric'), 'cases'),
    rows: [
      ...[
        { metric: 'received', label: t('feedbackStats.received'), n: s.received },
        { metric: 'answered', label: t('feedbackStats.answered'), n: s.answered },
      ].map((c) => ({
        ...scope,
        metric: c.metric,
        header: { text: c.label },
        cells: [
          countCell(c.n, f.min_n, locale),
          countCell(c.n, f.min_n, locale),
          { text: '—' },
          { text: labelText(s.label, locale), data: { value: s.label } },
        ],
      })),
      ...feedbackRows(s, locale).map((r) => {
        const cells = figureCells(r.figure, 'percent', s.label, f.min_n, locale);
        if (r.measure === 'days') {
          cells[0] = { ...cells[0]!, text: feedbackValue(r.figure, 'days', f.min_n, locale) };
          const { low, high } = r.figure;
          cells[2] = {
            ...cells[2]!,
            text: low === null || high === null ? '—' : `${num(low, locale)}–${num(high, locale)}`,
          };
        }
        return { ...scope, metric: r.metric, header: { text: r.label }, cells };
      }),
    ],
    chartEmpty: false,
    downloads: dl,
    notes: [
      t('feedbackStats.note'),
      t('feedbackStats.timelinessNote'),
      t('feedbackStats.rated', {
        n: countText(s.rated, f.min_n, locale),
        total: countText(s.answered, f.min_n, locale),
      }),
    ],
  };
  const series: StatsTable = {
    id: 'phan-anh-theo-thoi-gian',
    title: t('feedbackStats.seriesTitle'),
    columns: feedbackColumns(locale, t('stats.columns.period')),
    rows: f.series.map((p) => ({
      unit: f.query.unit,
      period: p.period,
      metric: 'received',
      header: { text: periodText(p.period, locale) },
      cells: feedbackCells(p.summary, f.min_n, locale),
    })),
    chartEmpty: false,
    downloads: dl,
    notes: [],
  };
  const units: StatsTable = {
    id: 'phan-anh-theo-don-vi',
    title: t('feedbackStats.unitsTitle'),
    columns: feedbackColumns(locale, t('stats.columns.unit')),
    rows: f.units.map((u) => ({
      unit: u.unit,
      period: whole(f.query),
      metric: 'received',
      header: {
        text: unitLabel({ name: u.name, valid_to: u.valid_to }, locale),
        href: pageHref(locale, ctx.query, { unit: u.unit }),
      },
      cells: feedbackCells(u.summary, f.min_n, locale),
    })),
    chartEmpty: false,
    downloads: dl,
    notes: f.units.length === 0 ? [t('stats.units.none')] : [],
  };
  return [summary, series, units];
}
