/**
 * The published-answers pages (/cong-khai/, /cong-khai/<code>/, issue #4): the list's GET query,
 * loading from the API in-process (Astro.locals.api) and the wording of each case. Every fact on
 * the pages comes from GET /api/v1/published-feedback; this module only words and formats it.
 */
import type { SsrLocals } from '../../api/contracts/ssr.ts';
import type { PublishedItem, PublishedList } from '../../api/contracts/published.ts';
import { defaultLocale, localeMeta, pathFor, useT } from '../i18n/index.ts';
import { problemOf, type ApiProblem } from './problem.ts';

/** The page's query names (Vietnamese, like the statistics page) → the API's. */
export const LIST_PARAMS = {
  q: 'tu-khoa',
  unit: 'don-vi',
  kind: 'loai',
  subject: 've-viec',
  from: 'tu',
  to: 'den',
  page: 'trang',
} as const;
export type ListParam = keyof typeof LIST_PARAMS;
export type ListQuery = Partial<Record<ListParam, string>>;

/**
 * Reads the list page's GET query; blanks mean "any".
 * @example readListQuery(new URL('https://x/cong-khai/?tu-khoa=khai+sinh&loai=')) // { q: 'khai sinh' }
 */
export function readListQuery(url: URL): ListQuery {
  const out: ListQuery = {};
  for (const [key, name] of Object.entries(LIST_PARAMS) as [ListParam, string][]) {
    const raw = url.searchParams.get(name)?.trim();
    if (raw) out[key] = raw.slice(0, key === 'q' ? 200 : 100);
  }
  return out;
}

function qs(entries: [string, string | undefined][]): string {
  const s = new URLSearchParams(entries.filter((e): e is [string, string] => Boolean(e[1]))).toString();
  return s ? `?${s}` : '';
}

/** The API path for the query: list (JSON, one page), or the CSV / JSON of every match. */
export function listApiPath(kind: 'json' | 'csv', q: ListQuery): string {
  const { page, ...filters } = q;
  const entries = Object.entries(filters) as [string, string][];
  if (kind === 'csv') return `/api/v1/published-feedback.csv${qs(entries)}`;
  return `/api/v1/published-feedback${qs([...entries, ['page', page]])}`;
}

/** The list page with the query, some fields replaced (pagination keeps the filters). */
export function listHref(locale: string, q: ListQuery, over: ListQuery = {}): string {
  const merged = { ...q, ...over };
  return `${pathFor(locale, 'published')}${qs(
    (Object.entries(merged) as [ListParam, string][]).map(([k, v]) => [LIST_PARAMS[k], v]),
  )}`;
}

export const itemHref = (locale: string, code: string) => pathFor(locale, 'publishedItem', { code });

export type ListErrors = Partial<Record<'unit' | 'from' | 'to' | 'other', string>>;

export interface LoadedList {
  query: ListQuery;
  list?: PublishedList | undefined;
  errors: ListErrors;
  /** 200, 422 for a refused query, 503 when the API failed. */
  status: number;
}

/** A refused query as sentences tied to its fields (GOV.UK error summary). */
export function listErrors(problem: ApiProblem | undefined, locale: string): ListErrors {
  const t = useT(locale);
  if (problem?.code === 'unknown_unit') return { unit: t('published.errors.unit') };
  const out: ListErrors = {};
  for (const e of problem?.errors ?? []) {
    if (e.path === 'unit') out.unit = t('published.errors.unit');
    else if (e.path === 'from') out.from = t('published.errors.from');
    else if (e.path === 'to') out.to = t('published.errors.to');
  }
  return Object.keys(out).length > 0 ? out : { other: t('published.errors.other') };
}

/**
 * One page of published cases for the query.
 * @example const data = await loadList(Astro.locals as SsrLocals, Astro.url, 'vi'); Astro.response.status = data.status;
 */
export async function loadList(locals: SsrLocals, url: URL, locale: string): Promise<LoadedList> {
  const query = readListQuery(url);
  const res = await locals.api(listApiPath('json', query), { headers: { accept: 'application/json' } });
  if (res.ok) return { query, list: (await res.json()) as PublishedList, errors: {}, status: 200 };
  if (res.status === 422) return { query, errors: listErrors(await problemOf(res), locale), status: 422 };
  return { query, errors: { other: useT(locale)('published.unavailable') }, status: 503 };
}

export interface LoadedItem {
  code: string;
  item?: PublishedItem | undefined;
  /** 200, 404 when not published, 503 when the API failed. */
  status: number;
}

export async function loadItem(locals: SsrLocals, code: string): Promise<LoadedItem> {
  const clean = code.slice(0, 40);
  const res = await locals.api(`/api/v1/published-feedback/${encodeURIComponent(clean)}`, {
    headers: { accept: 'application/json' },
  });
  if (res.ok) return { code: clean, item: (await res.json()) as PublishedItem, status: 200 };
  return { code: clean, status: res.status === 404 ? 404 : 503 };
}

// ── Wording ─────────────────────────────────────────────────────────────────────────────────────

/** "12/03/2026" in Vietnamese (dd/mm/yyyy), "12 March 2026" in English, of an instant in Việt Nam time. */
export function vnDayText(iso: string, locale: string): string {
  return new Intl.DateTimeFormat(localeMeta(locale).numberLocale, {
    day: locale === defaultLocale ? '2-digit' : 'numeric',
    month: locale === defaultLocale ? '2-digit' : 'long',
    year: 'numeric',
    timeZone: 'Asia/Ho_Chi_Minh',
  }).format(new Date(iso));
}

/** The instant's day in Việt Nam, for a <time datetime>. */
export function vnDay(iso: string): string {
  return new Date(Date.parse(iso) + 7 * 3_600_000).toISOString().slice(0, 10);
}

export interface Fact {
  label: string;
  text: string;
  datetime?: string | undefined;
}

/** The dates and outcome of a case, in reading order. */
export function facts(item: PublishedItem, locale: string): Fact[] {
  const t = useT(locale);
  const day = (iso: string) => ({ text: vnDayText(iso, locale), datetime: vnDay(iso) });
  const out: Fact[] = [{ label: t('published.received'), ...day(item.received_at) }];
  out.push({ label: t('published.due'), ...day(item.answer_due_at) });
  if (item.answered_at) out.push({ label: t('published.answered'), ...day(item.answered_at) });
  out.push({ label: t('published.daysTaken'), text: daysText(item, locale) });
  out.push({ label: t('published.publishedAt'), ...day(item.published_at) });
  if (item.closed_at) out.push({ label: t('published.closedAt'), ...day(item.closed_at) });
  return out;
}

/** "5 ngày làm việc, đúng hạn" or "Chưa trả lời". */
export function daysText(item: PublishedItem, locale: string): string {
  const t = useT(locale);
  if (item.working_days === null) return t('published.notAnswered');
  // 0 days reads "Trong ngày, đúng hạn" (published.days_zero), never "0 ngày làm việc" (issue #11).
  return `${t('published.days', { count: item.working_days })}, ${t(item.on_time ? 'published.onTime' : 'published.late').toLocaleLowerCase(locale)}`;
}

export function satisfactionText(item: PublishedItem, locale: string): string {
  const t = useT(locale);
  if (item.satisfied === null) return t('published.satisfaction.none');
  return t(item.satisfied ? 'published.satisfaction.satisfied' : 'published.satisfaction.unsatisfied');
}

/** The first words of a long text, cut at a word boundary. */
export function excerpt(text: string, max = 280): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), max - 40)).trimEnd()}…`;
}
