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

/**
 * Published cases matching the filter, newest publication first. Texts are the publication's
 * (p.*), never the case's own.
 * @example await publishedCases(db.client, { kind: 'phan-anh' })
 */
export async function publishedCases(client: Client, filter: PublishedFilter = {}): Promise<PublishedRow[]> {
  const w = where(filter);
  const rs = await client.execute({
    sql: `SELECT f.tracking_code, f.kind, f.subject, f.unit_id, u.name_vi AS unit_name_vi, u.name_en AS unit_name_en,
            f.procedure_code, pr.name_vi AS proc_name_vi, pr.name_en AS proc_name_en, f.channel, f.status,
            f.received_at, f.answered_at, f.answer_due_at, f.closed_at,
            p.published_at, p.title AS pub_title, p.content AS pub_content, p.answer AS pub_answer, p.sender_name,
            ${LATEST_RATING('satisfied')} AS satisfied, ${LATEST_RATING('at')} AS rated_at,
            ${EVER_DISPUTED} AS ever_disputed, ${TIMELINE} AS timeline
          FROM feedback_publications p
          JOIN feedback f ON f.id = p.feedback_id
          JOIN units u ON u.id = f.unit_id
          LEFT JOIN procedures pr ON pr.code = f.procedure_code
          ${w.sql}
          ORDER BY p.published_at DESC, f.tracking_code`,
    args: w.args,
  });
  return rs.rows.map((r) => toRow(r as unknown as Record<string, unknown>));
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

const parentsCache = new WeakMap<Client, Promise<Map<string, string | null>>>();

/** Every unit's parent (the tree copied from content/, a few hundred rows), read once per database:
 * it does not change while the process runs (db/units.ts). Not to be changed by the caller. */
export function unitParents(client: Client): Promise<Map<string, string | null>> {
  let parents = parentsCache.get(client);
  if (!parents) {
    parents = client
      .execute('SELECT id, parent_id FROM units')
      .then((rs) => new Map(rs.rows.map((r) => [String(r.id), r.parent_id === null ? null : String(r.parent_id)])));
    parentsCache.set(client, parents);
    parents.catch(() => parentsCache.delete(client));
  }
  return parents;
}
