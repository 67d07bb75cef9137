/**
 * Published feedback, public side (issue #4; docs/architecture.md §2 `/cong-khai/`, §6): answered cases the
 * publisher released with personal data removed, as JSON (filters, paging) and CSV open data.
 *
 * Only cases with a row in feedback_publications appear, and only the publication's redacted texts
 * (db/published.ts); the sender's name only when they allowed it. Search ignores accents and case
 * (api/contracts/text.ts `foldForSearch`): "cap giay khai sinh" finds "cấp giấy khai sinh".
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { toCsv, type CsvCell } from '../contracts/csv.ts';
import { attachment } from '../content-disposition.ts';
import {
  PUBLISHED_CSV_MAX,
  publishedCsvColumns,
  publishedItem,
  publishedList,
  publishedQuery,
  trackingCodeParam,
  type PublicStatus,
  type PublishedItem,
  type PublishedList,
} from '../contracts/published.ts';
import { foldForSearch } from '../contracts/text.ts';
import { ProblemError } from '../problem.ts';
import { problems } from '../openapi.ts';
import { timelinessOf } from '../stats/feedback-timeliness.ts';
import {
  publishedCase,
  publishedPage,
  subtreeOf,
  type PublishedFilter,
  type PublishedRow,
  type WordMatch,
  unitAndProcedureNames,
} from '../../db/published.ts';
import type { AppEnv } from '../app-env.ts';
import { oncePerDatabase } from '../../db/per-database.ts';

/** A publication changes rarely (a rating, a dispute): a minute of caching costs nothing. */
const CACHE = 'public, max-age=60';

/** What the public is told: disputed while a re-examination is asked, closed, else answered. */
export function publicStatusOf(status: string): PublicStatus {
  if (status === 'disputed') return 'disputed';
  if (status === 'closed') return 'closed';
  return 'answered';
}

/** A published row as the API answers it. */
export function toItem(r: PublishedRow, contentDir: string): PublishedItem {
  // On time and days taken are those of the first answer (issue #7 §2), as in GET /stats/feedback.
  const t = timelinessOf(r, contentDir);
  return {
    tracking_code: r.trackingCode,
    kind: r.kind as PublishedItem['kind'],
    subject: r.subject as PublishedItem['subject'],
    title: r.title,
    question: r.content,
    answer: r.answer,
    sender_name: r.senderName,
    unit: { id: r.unitId, name: r.unitName },
    procedure: r.procedureCode && r.procedureName ? { code: r.procedureCode, name: r.procedureName } : null,
    channel: r.channel,
    status: publicStatusOf(r.status),
    received_at: r.receivedAt,
    answered_at: r.answeredAt,
    answer_due_at: r.answerDueAt,
    published_at: r.publishedAt,
    closed_at: r.closedAt,
    on_time: t === null ? null : t.first.onTime,
    working_days: t === null ? null : t.first.workingDays,
    satisfied: r.satisfied,
    disputed: r.everDisputed || r.status === 'disputed',
  };
}

const vnDayStart = (day: string) => new Date(`${day}T00:00:00+07:00`).toISOString();
const vnDayEnd = (day: string) => new Date(Date.parse(`${day}T00:00:00+07:00`) + 86_400_000).toISOString();

type Query = z.infer<typeof publishedQuery>;

/** The filter of a query: unit subtree, kind, subject, procedure, days of receipt and words. */
async function filterOf(c: Context<AppEnv>, q: Omit<Query, 'page' | 'per_page'>): Promise<PublishedFilter> {
  const { db } = c.var.deps;
  if (q.from && q.to && q.from > q.to)
    throw new ProblemError(422, 'validation_failed', { errors: [{ path: 'from', code: 'invalid_value' }] });
  let unitIds: string[] | undefined;
  if (q.unit) {
    unitIds = await subtreeOf(db.client, q.unit);
    if (unitIds.length === 0)
      throw new ProblemError(422, 'unknown_unit', { errors: [{ path: 'unit', code: 'invalid_value' }] });
  }
  const words = q.q ? foldForSearch(q.q).split(' ').filter(Boolean).slice(0, 10) : [];
  return {
    unitIds,
    kind: q.kind,
    subject: q.subject,
    procedureCode: q.procedure,
    fromAt: q.from ? vnDayStart(q.from) : undefined,
    toAt: q.to ? vnDayEnd(q.to) : undefined,
    // A word is found in the publication's texts and code (FTS5) or in the name of the case's unit
    // or procedure, matched here against the few hundred names the database holds.
    words: words.length > 0 ? await wordMatches(c, words) : undefined,
  };
}

type FoldedName = { id: string; folded: string };
const fold = (rows: { id: string; names: string }[]): FoldedName[] =>
  rows.map((r) => ({ id: r.id, folded: foldForSearch(r.names) }));

/** The folded names of units and procedures, read once per database (db/per-database.ts). */
const foldedNames = oncePerDatabase(async (client) => {
  const n = await unitAndProcedureNames(client);
  return { units: fold(n.units), procedures: fold(n.procedures) };
});

/** Each word with the units and procedures whose folded name has a word starting with it. */
async function wordMatches(c: Context<AppEnv>, words: readonly string[]): Promise<WordMatch[]> {
  const names = await foldedNames(c.var.deps.db.client);
  const startsWord = (haystack: string, word: string) => (' ' + haystack).includes(' ' + word);
  return words.map((word) => ({
    word,
    unitIds: names.units.filter((u) => startsWord(u.folded, word)).map((u) => u.id),
    procedureCodes: names.procedures.filter((p) => startsWord(p.folded, word)).map((p) => p.id),
  }));
}

/**
 * One published page (issue #8 §8: filtered, ordered and paged in SQL, searched with FTS5).
 * @example await matchingPage(c, { q: 'khai sinh' }, 1, 20)
 */
export async function matchingPage(
  c: Context<AppEnv>,
  q: Omit<Query, 'page' | 'per_page'>,
  page: number,
  perPage: number,
): Promise<{ total: number; capped: boolean; items: PublishedItem[] }> {
  const { db, config } = c.var.deps;
  const { total, capped, rows } = await publishedPage(db.client, await filterOf(c, q), {
    by: 'published',
    limit: perPage,
    offset: (page - 1) * perPage,
  });
  return { total, capped, items: rows.map((r) => toItem(r, config.CONTENT_DIR)) };
}

const listRoute = createRoute({
  method: 'get',
  path: '/published-feedback',
  summary: 'Published answered feedback',
  description:
    'Answered cases (phản ánh, kiến nghị) published with personal data removed: question, answer, unit, dates, working days taken, on time or not, and whether the sender was satisfied or disputed the answer. Filters: words (accents ignored), unit subtree, kind, subject, procedure, days of receipt. Newest publication first.',
  request: { query: publishedQuery },
  responses: {
    200: { content: { 'application/json': { schema: publishedList } }, description: 'One page of cases' },
    422: problems('Invalid query: validation_failed or unknown_unit'),
  },
});

const csvRoute = createRoute({
  method: 'get',
  path: '/published-feedback.csv',
  summary: 'Published answered feedback as CSV',
  description: `Every case GET /published-feedback finds (no paging, at most ${PUBLISHED_CSV_MAX}), one row each; UTF-8 with a BOM, CRLF.`,
  request: { query: publishedQuery.omit({ page: true, per_page: true }) },
  responses: {
    200: { content: { 'text/csv': { schema: z.string() } }, description: 'CSV (UTF-8 with BOM)' },
    422: problems('Invalid query: validation_failed or unknown_unit'),
  },
});

const itemRoute = createRoute({
  method: 'get',
  path: '/published-feedback/{code}',
  summary: 'One published case',
  description: 'A published case by its tracking code; a case that is not published is a 404 like an unknown one.',
  request: {
    params: z.object({ code: z.string().max(40).openapi({ example: 'ABCD-EFGH' }) }),
  },
  responses: {
    200: { content: { 'application/json': { schema: publishedItem } }, description: 'The case' },
    404: problems('Unknown or unpublished code: published_not_found'),
  },
});

/**
 * One CSV row per case, the columns of api/contracts/published.ts `publishedCsvColumns`. Titles,
 * questions and answers are citizens' and staff's text: api/contracts/csv.ts neutralises any that a
 * spreadsheet would run as a formula (issue #7 part 4).
 */
export function publishedCsv(items: readonly PublishedItem[]): string {
  const lines: CsvCell[][] = [];
  for (const i of items) {
    const row: Record<(typeof publishedCsvColumns)[number], CsvCell> = {
      tracking_code: i.tracking_code,
      kind: i.kind,
      subject: i.subject,
      title: i.title,
      question: i.question,
      answer: i.answer,
      sender_name: i.sender_name ?? '',
      unit: i.unit.id,
      unit_name_vi: i.unit.name.vi,
      unit_name_en: i.unit.name.en,
      procedure: i.procedure?.code ?? '',
      channel: i.channel,
      status: i.status,
      received_at: i.received_at,
      answered_at: i.answered_at ?? '',
      answer_due_at: i.answer_due_at,
      published_at: i.published_at,
      closed_at: i.closed_at ?? '',
      on_time: i.on_time,
      working_days: i.working_days,
      satisfied: i.satisfied,
      disputed: i.disputed,
    };
    lines.push(publishedCsvColumns.map((col) => row[col]));
  }
  return toCsv(publishedCsvColumns, lines);
}

export const publishedRoutes = new OpenAPIHono<AppEnv>()
  .openapi(listRoute, async (c) => {
    const { page, per_page, ...filters } = c.req.valid('query');
    const { total, capped, items } = await matchingPage(c, filters, page, per_page);
    const body: PublishedList = {
      total,
      total_capped: capped,
      page,
      per_page,
      pages: Math.max(1, Math.ceil(total / per_page)),
      items,
    };
    c.header('Cache-Control', CACHE);
    return c.json(body, 200);
  })
  .openapi(csvRoute, async (c) => {
    const { items } = await matchingPage(c, c.req.valid('query'), 1, PUBLISHED_CSV_MAX);
    return c.body(publishedCsv(items), 200, {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': attachment('published-feedback.csv'),
      'Cache-Control': CACHE,
    });
  })
  .openapi(itemRoute, async (c) => {
    const { code } = c.req.valid('param');
    const parsed = trackingCodeParam.safeParse(code.toUpperCase());
    const row = parsed.success ? await publishedCase(c.var.deps.db.client, parsed.data) : undefined;
    if (!row) throw new ProblemError(404, 'published_not_found');
    c.header('Cache-Control', CACHE);
    return c.json(toItem(row, c.var.deps.config.CONTENT_DIR), 200);
  });
