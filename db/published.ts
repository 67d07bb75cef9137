/**
 * Reads for the public side of feedback (issue #4): published cases and the counts behind the
 * feedback statistics.
 *
 * The rule of this module: public output comes from `feedback_publications` (the texts the publisher
 * redacted and reviewed) plus the case's non-personal facts (code, kind, subject, unit, procedure,
 * channel, status, dates). It never selects `feedback.title`, `feedback.content`, anything from
 * `feedback_messages` or from `feedback_contacts`; the statistics read only counts and dates.
 */
import type { Client, InValue } from '@libsql/client';
import { unitsInSubtrees } from './units.ts';
import { oncePerDatabase } from './per-database.ts';
import { cappedCountSql, cappedTotal, ftsMatch, type SqlStatement } from './fts.ts';

export interface PublishedRow {
  trackingCode: string;
  kind: string;
  subject: string;
  unitId: string;
  unitName: { vi: string; en: string };
  procedureCode: string | null;
  procedureName: { vi: string; en: string } | null;
  channel: string;
  status: string;
  receivedAt: string;
  answeredAt: string | null;
  answerDueAt: string;
  closedAt: string | null;
  publishedAt: string;
  title: string;
  content: string;
  answer: string;
  senderName: string | null;
  /** Latest rating of the answer: 1 satisfied, 0 not, null not rated. */
  satisfied: boolean | null;
  ratedAt: string | null;
  /** True when the sender ever asked for a re-examination (an event to 'disputed'). */
  everDisputed: boolean;
  /** The steps that set deadlines and answers (issue #7 §2: on time is judged on the first answer). */
  events: TimelineEvent[];
}

export interface PublishedFilter {
  /** Only cases handled by these units (a subtree, see {@link subtreeOf}). */
  unitIds?: readonly string[] | undefined;
  kind?: string | undefined;
  subject?: string | undefined;
  procedureCode?: string | undefined;
  /** Instants (UTC ISO) bounding received_at: [fromAt, toAt). */
  fromAt?: string | undefined;
  toAt?: string | undefined;
  trackingCode?: string | undefined;
  /** Statuses of the case (feedback.status). */
  statuses?: readonly string[] | undefined;
  /** Folded words (api/contracts/text.ts `foldForSearch`) that must each begin a word of the
   * publication's texts or code (FTS5, migration 0015), or of the name of the case's unit or
   * procedure (`unitIds`/`procedureCodes` of {@link WordMatch}). */
  words?: readonly WordMatch[] | undefined;
}

/** One searched word, and the units and procedures whose folded name holds it. */
export interface WordMatch {
  word: string;
  unitIds: readonly string[];
  procedureCodes: readonly string[];
}

const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/** Whether a case was ever disputed: its history records a move to 'disputed'. */
const EVER_DISPUTED = `(f.status = 'disputed' OR EXISTS (SELECT 1 FROM feedback_events e
  WHERE e.feedback_id = f.id AND e.to_status = 'disputed'))`;

/** A step of a case's history that moves an answer deadline or records an answer. */
export interface TimelineEvent {
  at: string;
  action: string;
  /** The status after the step ('received' for a transfer inside the portal). */
  to: string;
}

/**
 * The steps that move an answer deadline or record an answer, oldest first, as
 * "action|to_status|at;…" (api/stats/feedback-timeliness.ts replays them).
 */
const TIMELINE = `(SELECT group_concat(x, ';') FROM (SELECT e.action || '|' || e.to_status || '|' || e.at AS x
  FROM feedback_events e WHERE e.feedback_id = f.id
    AND e.action IN ('classify', 'transfer', 'extend', 'answer', 'dispute') ORDER BY e.id))`;

/** The steps of {@link TIMELINE}. */
function timelineOf(v: unknown): TimelineEvent[] {
  if (v === null || v === undefined || v === '') return [];
  return String(v)
    .split(';')
    .map((part) => {
      const [action, to, at] = part.split('|');
      return { action: action!, to: to!, at: at! };
    });
}

/** The sender's latest rating of an answer of the case. */
const LATEST_RATING = (column: string) => `(SELECT r.${column} FROM answer_ratings r WHERE r.feedback_id = f.id
  ORDER BY r.at DESC, r.message_id DESC LIMIT 1)`;

function where(filter: PublishedFilter): { sql: string; args: InValue[] } {
  const parts: string[] = [];
  const args: InValue[] = [];
  if (filter.unitIds) {
    if (filter.unitIds.length === 0) parts.push('0');
    else {
      parts.push(`f.unit_id IN (${marks(filter.unitIds.length)})`);
      args.push(...filter.unitIds);
    }
  }
  const eq = (column: string, value: string | undefined) => {
    if (value === undefined) return;
    parts.push(`${column} = ?`);
    args.push(value);
  };
  eq('f.kind', filter.kind);
  eq('f.subject', filter.subject);
  eq('f.procedure_code', filter.procedureCode);
  eq('f.tracking_code', filter.trackingCode);
  if (filter.fromAt) {
    parts.push('f.received_at >= ?');
    args.push(filter.fromAt);
  }
  if (filter.toAt) {
    parts.push('f.received_at < ?');
    args.push(filter.toAt);
  }
  if (filter.statuses) {
    parts.push(`f.status IN (${marks(filter.statuses.length)})`);
    args.push(...filter.statuses);
  }
  for (const w of filter.words ?? []) {
    const match = ftsMatch([w.word]);
    const any: string[] = [];
    if (match) {
      any.push('f.id IN (SELECT rowid FROM published_search WHERE published_search MATCH ?)');
      args.push(match);
    }
    if (w.unitIds.length > 0) {
      any.push(`f.unit_id IN (${marks(w.unitIds.length)})`);
      args.push(...w.unitIds);
    }
    if (w.procedureCodes.length > 0) {
      any.push(`f.procedure_code IN (${marks(w.procedureCodes.length)})`);
      args.push(...w.procedureCodes);
    }
    parts.push(any.length > 0 ? `(${any.join(' OR ')})` : '0');
  }
  return { sql: parts.length > 0 ? `WHERE ${parts.join(' AND ')}` : '', args };
}

const str = (v: unknown) => (v === null || v === undefined ? null : String(v));

function toRow(r: Record<string, unknown>): PublishedRow {
  return {
    trackingCode: String(r.tracking_code),
    kind: String(r.kind),
    subject: String(r.subject),
    unitId: String(r.unit_id),
    unitName: { vi: String(r.unit_name_vi), en: String(r.unit_name_en) },
    procedureCode: str(r.procedure_code),
    procedureName: r.procedure_code === null ? null : { vi: String(r.proc_name_vi), en: String(r.proc_name_en) },
    channel: String(r.channel),
    status: String(r.status),
    receivedAt: String(r.received_at),
    answeredAt: str(r.answered_at),
    answerDueAt: String(r.answer_due_at),
    closedAt: str(r.closed_at),
    publishedAt: String(r.published_at),
    title: String(r.pub_title),
    content: String(r.pub_content),
    answer: String(r.pub_answer),
    senderName: str(r.sender_name),
    satisfied: r.satisfied === null || r.satisfied === undefined ? null : Number(r.satisfied) === 1,
    ratedAt: str(r.rated_at),
    everDisputed: Number(r.ever_disputed) === 1,
    events: timelineOf(r.timeline),
  };
}

const PUBLISHED_COLUMNS = `f.tracking_code, f.kind, f.subject, f.unit_id, u.name_vi AS unit_name_vi, u.name_en AS unit_name_en,
  f.procedure_code, pr.name_vi AS proc_name_vi, pr.name_en AS proc_name_en, f.channel, f.status,
  f.received_at, f.answered_at, f.answer_due_at, f.closed_at,
  p.published_at, p.title AS pub_title, p.content AS pub_content, p.answer AS pub_answer, p.sender_name,
  ${LATEST_RATING('satisfied')} AS satisfied, ${LATEST_RATING('at')} AS rated_at,
  ${EVER_DISPUTED} AS ever_disputed, ${TIMELINE} AS timeline`;

/** What a filter reads: the publication and its case (unit and procedure names only for the page). */
const FILTERED = `FROM feedback_publications p JOIN feedback f ON f.id = p.feedback_id`;

export interface PublishedOrder {
  /** `published`: newest publication first (the list); `received`: newest receipt first (Open311). */
  by: 'published' | 'received';
  limit: number;
  offset?: number;
  /** Count every matching case (the list's "N cases"); Open311 pages without it. */
  count?: boolean;
}

const ORDER_SQL: Record<PublishedOrder['by'], string> = {
  published: 'p.published_at DESC, f.tracking_code',
  received: 'f.received_at DESC, f.tracking_code',
};

/**
 * The SQL of one page of published cases and of their count. Texts are the publication's (p.*),
 * never the case's own. The filter, the order and the page are SQL, so a page costs about the same
 * at ten cases and at a million (issue #8 §8); the per-case subqueries run for the page's rows only.
 * A search of words found in the texts only lists newest case first; otherwise `order` applies.
 */
export function publishedPageStatements(filter: PublishedFilter, order: PublishedOrder): [SqlStatement, SqlStatement] {
  const words = filter.words ?? [];
  const textOnly = words.length > 0 && words.every((w) => w.unitIds.length === 0 && w.procedureCodes.length === 0);
  const match = textOnly ? ftsMatch(words.map((w) => w.word)) : undefined;
  if (match) {
    // Words found only in the publications' texts: the FTS5 index drives, newest case first (its
    // rowid order), and stops once the page or the count's cap is full, however many cases hold
    // the words.
    const w = where({ ...filter, words: undefined });
    const from = `FROM published_search s CROSS JOIN feedback_publications p ON p.feedback_id = s.rowid
      JOIN feedback f ON f.id = p.feedback_id
      WHERE s.published_search MATCH ? ${w.sql ? `AND ${w.sql.slice('WHERE '.length)}` : ''}`;
    return [
      order.count === false
        ? { sql: 'SELECT 0 AS n', args: [] }
        : { sql: cappedCountSql(from), args: [match, ...w.args] },
      {
        sql: `SELECT ${PUBLISHED_COLUMNS} FROM (SELECT s.rowid AS id ${from} ORDER BY s.rowid DESC LIMIT ? OFFSET ?) page
              CROSS JOIN feedback_publications p ON p.feedback_id = page.id
              JOIN feedback f ON f.id = p.feedback_id
              JOIN units u ON u.id = f.unit_id
              LEFT JOIN procedures pr ON pr.code = f.procedure_code
              ORDER BY f.id DESC`,
        args: [match, ...w.args, order.limit, order.offset ?? 0],
      },
    ];
  }
  const w = where(filter);
  return [
    order.count === false
      ? { sql: 'SELECT 0 AS n', args: [] }
      : { sql: cappedCountSql(w.sql ? `${FILTERED} ${w.sql}` : 'FROM feedback_publications p'), args: w.args },
    {
      // CROSS JOIN keeps the page's few rows as the outer loop (SQLite does not reorder it).
      sql: `SELECT ${PUBLISHED_COLUMNS} FROM (SELECT p.feedback_id AS id ${FILTERED} ${w.sql}
              ORDER BY ${ORDER_SQL[order.by]} LIMIT ? OFFSET ?) page
            CROSS JOIN feedback_publications p ON p.feedback_id = page.id
            JOIN feedback f ON f.id = p.feedback_id
            JOIN units u ON u.id = f.unit_id
            LEFT JOIN procedures pr ON pr.code = f.procedure_code
            ORDER BY ${ORDER_SQL[order.by]}`,
      args: [...w.args, order.limit, order.offset ?? 0],
    },
  ];
}

/**
 * One page of the published cases matching the filter, and how many there are up to
 * LIST_COUNT_CAP (see
 * {@link publishedPageStatements}).
 * @example await publishedPage(db.client, { kind: 'phan-anh' }, { by: 'published', limit: 20 })
 */
export async function publishedPage(
  client: Client,
  filter: PublishedFilter,
  order: PublishedOrder,
): Promise<{ total: number; capped: boolean; rows: PublishedRow[] }> {
  const counted = order.count ?? true;
  const [count, page] = await client.batch(publishedPageStatements(filter, order), 'read');
  const rows = page!.rows.map((r) => toRow(r as unknown as Record<string, unknown>));
  return { ...cappedTotal(counted ? Number(count!.rows[0]!.n) : rows.length), rows };
}

/**
 * Published cases matching the filter, newest publication first, at most `limit`.
 * @example await publishedCases(db.client, { kind: 'phan-anh' })
 */
export async function publishedCases(
  client: Client,
  filter: PublishedFilter = {},
  limit = 1_000_000,
): Promise<PublishedRow[]> {
  return (await publishedPage(client, filter, { by: 'published', limit })).rows;
}

/** One published case by tracking code, or undefined when it is not published. */
export async function publishedCase(client: Client, trackingCode: string): Promise<PublishedRow | undefined> {
  return (await publishedCases(client, { trackingCode }))[0];
}

/**
 * The unit and every unit below it (historical ones included): a case counts for the unit that
 * handles it and every ancestor, as ratings count for their unit's subtree.
 * @example await subtreeOf(db.client, 'ninh-hoa') // ['ninh-hoa', 'phuong-ninh-hiep', …]
 */
export function subtreeOf(client: Client, unitId: string): Promise<string[]> {
  return unitsInSubtrees(client, [unitId]);
}

/** The facts of one case the statistics count: no text, no person. */
export interface CaseFacts {
  unitId: string;
  /** The case's procedure, or null (statistics by procedure, issue #7 protection blocks). */
  procedureCode: string | null;
  kind: string;
  subject: string;
  receivedAt: string;
  /** The latest answer; the first one is in `events` (api/stats/feedback-timeliness.ts). */
  answeredAt: string | null;
  answerDueAt: string;
  satisfied: boolean | null;
  disputed: boolean;
  events: TimelineEvent[];
}

/**
 * Every case (published or not) received in [fromAt, toAt) by the units, as counts need them.
 * Feedback is a few thousand cases a year per province, so this reads the cases' own rows through
 * the (unit_id, …) index rather than a rollup; the working days to answer need both dates.
 */
export async function caseFacts(
  client: Client,
  unitIds: readonly string[],
  fromAt: string,
  toAt: string,
  procedureCode?: string,
): Promise<CaseFacts[]> {
  if (unitIds.length === 0) return [];
  const w = where({ unitIds, fromAt, toAt, procedureCode });
  const rs = await client.execute({
    sql: `SELECT f.unit_id, f.kind, f.subject, f.procedure_code, f.received_at, f.answered_at, f.answer_due_at,
            ${LATEST_RATING('satisfied')} AS satisfied, ${EVER_DISPUTED} AS ever_disputed, ${TIMELINE} AS timeline
          FROM feedback f ${w.sql}`,
    args: w.args,
  });
  return rs.rows.map((r) => ({
    unitId: String(r.unit_id),
    procedureCode: str(r.procedure_code),
    kind: String(r.kind),
    subject: String(r.subject),
    receivedAt: String(r.received_at),
    answeredAt: str(r.answered_at),
    answerDueAt: String(r.answer_due_at),
    satisfied: r.satisfied === null ? null : Number(r.satisfied) === 1,
    disputed: Number(r.ever_disputed) === 1,
    events: timelineOf(r.timeline),
  }));
}

/** Every unit's parent (the tree copied from content/, a few hundred rows), read once per database
 * (db/per-database.ts). Not to be changed by the caller. */
export const unitParents: (client: Client) => Promise<Map<string, string | null>> = oncePerDatabase((client) =>
  client
    .execute('SELECT id, parent_id FROM units')
    .then((rs) => new Map(rs.rows.map((r) => [String(r.id), r.parent_id === null ? null : String(r.parent_id)]))),
);

/** The names of every unit and procedure (vi and en), for matching searched words against them. */
export async function unitAndProcedureNames(
  client: Client,
): Promise<{ units: { id: string; names: string }[]; procedures: { id: string; names: string }[] }> {
  const [units, procedures] = await client.batch(
    [
      "SELECT id, name_vi || ' ' || name_en AS names FROM units",
      "SELECT code AS id, code || ' ' || name_vi || ' ' || name_en AS names FROM procedures",
    ],
    'read',
  );
  const rows = (rs: typeof units) => rs!.rows.map((r) => ({ id: String(r.id), names: String(r.names) }));
  return { units: rows(units), procedures: rows(procedures) };
}
