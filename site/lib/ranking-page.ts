/**
 * The ranking page (/thong-ke/xep-loai/, issue #10 §1–2): its GET query in Vietnamese names, the
 * API calls behind it, and the rows of its two tables (ranking, survey coverage). Every figure comes
 * from GET /api/v1/stats/ranking and /stats/coverage; this module only words and formats them, with
 * the helpers of the statistics page (site/lib/stats-page.ts), so both pages read alike.
 */
import type { Problem } from '../../api/contracts/problem.ts';
import type { SsrLocals } from '../../api/contracts/ssr.ts';
import type { CoverageResult, RankingResult, RankingTarget } from '../../api/contracts/ranking.ts';
import { formatNumber, l, pathFor, useT } from '../i18n/index.ts';
import { countText, intervalText, labelText, valueText, verdictText } from './stats-page.ts';

/** The page's query names → the API's. */
export const RANKING_PARAMS = {
  unit: 'don-vi',
  span: 'thoi-gian',
  level: 'cap',
  sort: 'xep-theo',
  order: 'thu-tu',
  margin: 'sai-so',
} as const;
export type RankingParam = keyof typeof RANKING_PARAMS;
export type RankingPageQuery = Partial<Record<RankingParam, string>>;

/** Page values → API values (Vietnamese slugs in the address, like the statistics page). */
export const LEVEL_VALUES = {
  'tat-ca': 'all',
  'so-nganh': 'department',
  'cap-huyen': 'district',
  'cap-xa': 'commune',
  'su-nghiep': 'public-service',
} as const;
export const SORT_VALUES = {
  'ket-luan': 'verdict',
  'tre-han': 'late',
  'hai-long': 'satisfaction',
  ten: 'name',
} as const;
export const ORDER_VALUES = { tang: 'asc', giam: 'desc' } as const;

const TABLES: Partial<Record<RankingParam, Record<string, string>>> = {
  level: LEVEL_VALUES,
  sort: SORT_VALUES,
  order: ORDER_VALUES,
};

/**
 * Reads the page's query into the API's names and values; an unknown value goes to the API as it
 * is, which refuses it with a problem the page shows beside the field.
 * @example readRankingQuery(new URL('https://x/thong-ke/xep-loai/?cap=cap-xa&xep-theo=tre-han')) // { level: 'commune', sort: 'late' }
 */
export function readRankingQuery(url: URL): RankingPageQuery {
  const out: RankingPageQuery = {};
  for (const [key, name] of Object.entries(RANKING_PARAMS) as [RankingParam, string][]) {
    const raw = url.searchParams.get(name)?.trim();
    if (!raw) continue;
    out[key] = TABLES[key]?.[raw] ?? raw.slice(0, 100);
  }
  return out;
}

function pageValue(key: RankingParam, value: string): string {
  const table = TABLES[key];
  return (table && Object.entries(table).find(([, v]) => v === value)?.[0]) ?? value;
}

/** This page with the query, some fields replaced (the sort links of the column headers). */
export function rankingHref(locale: string, q: RankingPageQuery, over: RankingPageQuery = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...q, ...over }) as [RankingParam, string][])
    if (value) params.set(RANKING_PARAMS[key], pageValue(key, value));
  const qs = params.toString();
  return `${pathFor(locale, 'ranking')}${qs ? `?${qs}` : ''}${over.sort ? '#xep-loai' : ''}`;
}

/** The API path of the ranking or coverage, JSON or CSV, for the query. */
export function rankingApiPath(
  endpoint: 'ranking' | 'ranking.csv' | 'coverage' | 'coverage.csv',
  q: RankingPageQuery,
): string {
  const keep: RankingParam[] = endpoint.startsWith('ranking')
    ? ['unit', 'span', 'level', 'sort', 'order']
    : ['unit', 'span', 'level', 'margin'];
  const qs = new URLSearchParams(keep.flatMap((k) => (q[k] ? [[k, q[k]] as [string, string]] : []))).toString();
  return `/api/v1/stats/${endpoint}${qs ? `?${qs}` : ''}`;
}

export type RankingErrors = Partial<Record<RankingParam | 'other', string>>;

export interface LoadedRanking {
  query: RankingPageQuery;
  ranking?: RankingResult | undefined;
  coverage?: CoverageResult | undefined;
  errors: RankingErrors;
  status: number;
}

async function load<T>(
  api: SsrLocals['api'],
  path: string,
): Promise<{ ok: true; data: T } | { ok: false; status: number; problem?: Problem | undefined }> {
  const res = await api(path, { headers: { accept: 'application/json' } });
  if (res.ok) return { ok: true, data: (await res.json()) as T };
  const problem = /problem\+json/.test(res.headers.get('content-type') ?? '')
    ? ((await res.json()) as Problem)
    : undefined;
  return { ok: false, status: res.status, problem };
}

/** A refused query as a sentence tied to its field. */
export function rankingErrors(problem: Problem | undefined, locale: string): RankingErrors {
  const t = useT(locale);
  if (problem?.code === 'unknown_unit') return { unit: t('stats.errors.unknown_unit') };
  if (problem?.code === 'period_out_of_range') return { span: t('problem.period_out_of_range') };
  if (problem?.code === 'margin_out_of_range') return { margin: t('problem.margin_out_of_range') };
  const out: RankingErrors = {};
  for (const e of problem?.code === 'validation_failed' ? (problem.errors ?? []) : []) {
    const path = e.path as RankingParam;
    if (path in RANKING_PARAMS) out[path] = t(`ranking.errors.${path}`);
  }
  return Object.keys(out).length > 0 ? out : { other: t('stats.errors.other') };
}

/**
 * The ranking, then the coverage; a refused query stops at the first refusal (422), an API failure
 * is a 503.
 */
export async function loadRanking(locals: SsrLocals, url: URL, locale: string): Promise<LoadedRanking> {
  const query = readRankingQuery(url);
  const [r, c] = await Promise.all([
    load<RankingResult>(locals.api, rankingApiPath('ranking', query)),
    load<CoverageResult>(locals.api, rankingApiPath('coverage', query)),
  ]);
  if (!r.ok || !c.ok) {
    const refused = !r.ok ? r : !c.ok ? c : undefined;
    return {
      query,
      ranking: r.ok ? r.data : undefined,
      coverage: c.ok ? c.data : undefined,
      errors: rankingErrors(refused?.problem, locale),
      status: refused?.status === 422 ? 422 : 503,
    };
  }
  return { query, ranking: r.data, coverage: c.data, errors: {}, status: 200 };
}

// ── Rows ────────────────────────────────────────────────────────────────────────────────────────

const raw = (x: number | null) => (x === null ? '' : String(x));

export interface FigureText {
  value: string;
  n: string;
  interval: string;
  data: Record<string, string>;
}

function figureText(f: RankingResult['units'][number]['verdict']['late'], minN: number, locale: string): FigureText {
  return {
    value: f.n === 0 ? useT(locale)('ranking.noData') : valueText(f, 'percent', minN, locale),
    n: countText(f.n, minN, locale),
    interval: intervalText(f, 'percent', locale),
    data: { 'data-value': raw(f.value), 'data-n': raw(f.n), 'data-low': raw(f.low), 'data-high': raw(f.high) },
  };
}

/** "≥ 90 % (Kế hoạch số 395/KH-UBND …)": a plan's target with its document. */
export function targetText(t: RankingTarget, locale: string): { text: string; source: string } {
  const tr = useT(locale);
  return {
    text: tr('ranking.target', {
      indicator: tr(`ranking.indicators.${t.indicator}`),
      comparator: t.comparator,
      value: formatNumber(t.value, locale, 0),
    }),
    source: t.source.sample ? `${t.source.ref} (${tr('ranking.sample')})` : t.source.ref,
  };
}

export interface RankingRow {
  unit: string;
  name: string;
  level: string;
  historical: boolean;
  late: FigureText;
  satisfaction: FigureText;
  basis: string;
  verdict: { text: string; tag: 'flag' | 'ok' | 'unknown'; value: string };
  targets: { text: string; source: string }[];
}

export function rankingRows(r: RankingResult, locale: string): RankingRow[] {
  const t = useT(locale);
  return r.units.map((u) => ({
    unit: u.unit,
    name: l(u.name, locale),
    level: t(`ranking.levels.${u.level}`),
    historical: u.valid_to !== null,
    late: figureText(u.verdict.late, r.min_n, locale),
    satisfaction: figureText(u.verdict.satisfaction, r.min_n, locale),
    basis: u.verdict.satisfaction_basis ? labelText(u.verdict.satisfaction_basis, locale) : '',
    verdict: verdictText(u.verdict, r.thresholds, locale),
    targets: u.targets.map((x) => targetText(x, locale)),
  }));
}

export interface CoverageRow {
  unit: string;
  name: string;
  historical: boolean;
  measured: string;
  cells: { text: string; value: string }[];
}

export function coverageRows(c: CoverageResult, locale: string): CoverageRow[] {
  const t = useT(locale);
  const count = (n: number | null) => ({ text: countText(n, c.min_n, locale), value: raw(n) });
  const pct = (x: number | null) => ({
    text: x === null ? '—' : t('stats.percent', { value: formatNumber(x, locale, 1) }),
    value: raw(x),
  });
  return c.units.map((u) => ({
    unit: u.unit,
    name: l(u.name, locale),
    historical: u.valid_to !== null,
    measured: u.measured ? t('ranking.coverage.yes') : t('ranking.coverage.no'),
    cells: [
      count(u.dossiers),
      count(u.sample_needed),
      count(u.tokens_issued),
      count(u.tokens_redeemed),
      pct(u.response_rate),
      pct(u.progress),
    ],
  }));
}
