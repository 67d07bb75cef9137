/**
 * Feedback cases as staff handle them (issue #4): reading a case with its history, messages and
 * rating; the inbox of a staff member's unit subtrees; and the statements of one workflow step.
 * Personal data (feedback_contacts) is read only by `readContact`, which callers audit.
 */
import type { Client, InStatement, InValue } from '@libsql/client';
import { subtreeCte, subtreeTable } from './units.ts';
import { cappedCountSql, cappedTotal, ftsMatch, type SqlStatement } from './fts.ts';

export interface CaseRow {
  id: number;
  trackingCode: string;
  accessKeyHash: string;
  kind: string;
  subject: string;
  unitId: string;
  unitNameVi: string;
  unitNameEn: string;
  procedureCode: string | null;
  title: string;
  content: string;
  channel: string;
  status: string;
  publishContent: boolean;
  showName: boolean;
  receivedAt: string;
  classifyDueAt: string;
  answerDueAt: string;
  classifiedAt: string | null;
  answeredAt: string | null;
  closedAt: string | null;
  disputeUntil: string | null;
  extensionCount: number;
  locale: string;
  updatedAt: string;
  /** Steps taken so far; a step names the version it was decided on. */
  version: number;
  /** The privacy notice the case was received under (content/privacy/notice.yaml, docs/privacy.md). */
  noticeVersion: string;
}

const CASE_COLUMNS = `f.id, f.tracking_code, f.access_key_hash, f.kind, f.subject, f.unit_id, u.name_vi, u.name_en,
  f.procedure_code, f.title, f.content, f.channel, f.status, f.publish_content, f.show_name, f.received_at,
  f.classify_due_at, f.answer_due_at, f.classified_at, f.answered_at, f.closed_at, f.dispute_until,
  f.extension_count, f.locale, f.updated_at, f.version, f.notice_version`;

const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

function toCase(r: Record<string, unknown>): CaseRow {
  return {
    id: Number(r.id),
    trackingCode: String(r.tracking_code),
    accessKeyHash: String(r.access_key_hash),
    kind: String(r.kind),
    subject: String(r.subject),
    unitId: String(r.unit_id),
    unitNameVi: String(r.name_vi),
    unitNameEn: String(r.name_en),
    procedureCode: str(r.procedure_code),
    title: String(r.title),
    content: String(r.content),
    channel: String(r.channel),
    status: String(r.status),
    publishContent: Number(r.publish_content) === 1,
    showName: Number(r.show_name) === 1,
    receivedAt: String(r.received_at),
    classifyDueAt: String(r.classify_due_at),
    answerDueAt: String(r.answer_due_at),
    classifiedAt: str(r.classified_at),
    answeredAt: str(r.answered_at),
    closedAt: str(r.closed_at),
    disputeUntil: str(r.dispute_until),
    extensionCount: Number(r.extension_count),
    locale: String(r.locale),
    updatedAt: String(r.updated_at),
    version: Number(r.version),
    noticeVersion: String(r.notice_version),
  };
}

export async function findCase(client: Client, id: number): Promise<CaseRow | undefined> {
  const rs = await client.execute({
    sql: `SELECT ${CASE_COLUMNS} FROM feedback f JOIN units u ON u.id = f.unit_id WHERE f.id = ?`,
    args: [id],
  });
  return rs.rows[0] ? toCase(rs.rows[0]) : undefined;
}

export async function findCaseByCode(client: Client, trackingCode: string): Promise<CaseRow | undefined> {
  const rs = await client.execute({
    sql: `SELECT ${CASE_COLUMNS} FROM feedback f JOIN units u ON u.id = f.unit_id WHERE f.tracking_code = ?`,
    args: [trackingCode],
  });
  return rs.rows[0] ? toCase(rs.rows[0]) : undefined;
}

export interface EventRow {
  id: number;
  at: string;
  action: string;
  actor: string;
  staffId: number | null;
  staffName: string | null;
  from: string | null;
  to: string;
  unitId: string;
  unitNameVi: string;
  unitNameEn: string;
  note: string | null;
}

export interface MessageRow {
  id: number;
  at: string;
  purpose: string;
  author: string;
  body: string;
}

export interface AttachmentMeta {
  id: number;
  messageId: number | null;
  author: string;
  fileName: string;
  mediaType: string;
  size: number;
  createdAt: string;
}

export interface RatingRow {
  messageId: number;
  at: string;
  satisfied: boolean;
  reasons: string[];
}

export interface CaseHistory {
  events: EventRow[];
  messages: MessageRow[];
  attachments: AttachmentMeta[];
  ratings: RatingRow[];
}

/** Everything that happened on a case, oldest first. Staff names are for staff eyes only. */
export async function caseHistory(client: Client, id: number): Promise<CaseHistory> {
  const [events, messages, attachments, ratings] = await client.batch(
    [
      {
        sql: `SELECT e.id, e.at, e.action, e.actor, e.staff_id, s.display_name, e.from_status, e.to_status, e.unit_id,
                     u.name_vi, u.name_en, e.note
              FROM feedback_events e JOIN units u ON u.id = e.unit_id LEFT JOIN staff s ON s.id = e.staff_id
              WHERE e.feedback_id = ? ORDER BY e.id`,
        args: [id],
      },
      {
        sql: 'SELECT id, at, purpose, author, body FROM feedback_messages WHERE feedback_id = ? ORDER BY id',
        args: [id],
      },
      {
        sql: `SELECT id, message_id, author, file_name, media_type, size, created_at FROM feedback_attachments
              WHERE feedback_id = ? ORDER BY id`,
        args: [id],
      },
      {
        sql: 'SELECT message_id, at, satisfied, reasons FROM answer_ratings WHERE feedback_id = ? ORDER BY at',
        args: [id],
      },
    ],
    'read',
  );
  return {
    events: events!.rows.map((r) => ({
      id: Number(r.id),
      at: String(r.at),
      action: String(r.action),
      actor: String(r.actor),
      staffId: r.staff_id === null ? null : Number(r.staff_id),
      staffName: str(r.display_name),
      from: str(r.from_status),
      to: String(r.to_status),
      unitId: String(r.unit_id),
      unitNameVi: String(r.name_vi),
      unitNameEn: String(r.name_en),
      note: str(r.note),
    })),
    messages: messages!.rows.map((r) => ({
      id: Number(r.id),
      at: String(r.at),
      purpose: String(r.purpose),
      author: String(r.author),
      body: String(r.body),
    })),
    attachments: attachments!.rows.map((r) => ({
      id: Number(r.id),
      messageId: r.message_id === null ? null : Number(r.message_id),
      author: String(r.author),
      fileName: String(r.file_name),
      mediaType: String(r.media_type),
      size: Number(r.size),
      createdAt: String(r.created_at),
    })),
    ratings: ratings!.rows.map((r) => ({
      messageId: Number(r.message_id),
      at: String(r.at),
      satisfied: Number(r.satisfied) === 1,
      reasons: JSON.parse(String(r.reasons)) as string[],
    })),
  };
}

export interface ContactRow {
  name: string;
  phone: string | null;
  email: string | null;
  address: string | null;
}

/** The sender's personal data. Every caller writes an audit row (issue #4). */
export async function readContact(client: Client, id: number): Promise<ContactRow | undefined> {
  const rs = await client.execute({
    sql: 'SELECT name, phone, email, address FROM feedback_contacts WHERE feedback_id = ?',
    args: [id],
  });
  const r = rs.rows[0];
  return r ? { name: String(r.name), phone: str(r.phone), email: str(r.email), address: str(r.address) } : undefined;
}

/**
 * Where the sender's news go (migration 0009): their phone, e-mail and chosen channel (null: the
 * default, api/contracts/feedback.ts channelOf). For the notifications only: no audit row, since
 * no person reads it.
 */
export async function readNotifyContact(
  client: Client,
  id: number,
): Promise<{ phone: string | null; email: string | null; notify: string | null } | undefined> {
  const rs = await client.execute({
    sql: 'SELECT phone, email, notify FROM feedback_contacts WHERE feedback_id = ?',
    args: [id],
  });
  const r = rs.rows[0];
  return r ? { phone: str(r.phone), email: str(r.email), notify: str(r.notify) } : undefined;
}

export interface InboxFilter {
  /** Roots of the subtrees the staff member may see (their grants). */
  scope: readonly string[];
  /** Roots of the subtrees where one of the member's roles reads redacted text (publisher,
   * admin): there the title shown and the text searched are the redacted ones (issue #7 part 4). */
  redactedScope: readonly string[];
  status?: string | undefined;
  unit?: string | undefined;
  kind?: string | undefined;
  channel?: string | undefined;
  /** Only cases past the deadline of their current step. */
  overdueAt?: Date | undefined;
  /** Folded words that must all begin a word of the folded title, content or code (redacted where
   * the member reads redacted text). */
  words?: readonly string[] | undefined;
  /** Statuses that count as finished (no deadline), for the overdue filter and the sort. */
  finished: readonly string[];
  limit: number;
  offset: number;
}

export interface InboxRow {
  id: number;
  trackingCode: string;
  kind: string;
  subject: string;
  unitId: string;
  unitNameVi: string;
  unitNameEn: string;
  channel: string;
  status: string;
  title: string;
  /** The member reads this case's texts redacted: show `titleRedacted` (or, when it was not
   * computed yet, the title redacted by the caller), never `title`. */
  redacted: boolean;
  titleRedacted: string | null;
  receivedAt: string;
  classifyDueAt: string;
  answerDueAt: string;
}

const INBOX_COLUMNS = (redacted: string) => `f.id, f.tracking_code, f.kind, f.subject, f.unit_id, u.name_vi,
  u.name_en, f.channel, f.status, f.title, ${redacted} AS redacted, f.title_redacted,
  f.received_at, f.classify_due_at, f.answer_due_at`;

/**
 * The SQL of an inbox page and of its count. Without words, open cases come first by the deadline
 * of their current step, then finished ones newest first; a search lists the cases holding every
 * word newest first.
 */
export function inboxStatements(f: InboxFilter, inIndexOrder = false): [SqlStatement, SqlStatement] {
  const scope = subtreeCte(f.scope);
  // The units where the member reads redacted text: the least-privileged view of a case wins.
  const redactedRoots = f.redactedScope.length > 0 ? f.redactedScope : [''];
  const rscope = `, ${subtreeTable(redactedRoots, 'rscope').sql}`;
  const redacted = 'f.unit_id IN (SELECT id FROM rscope)';
  const where: string[] = ['f.unit_id IN (SELECT id FROM scope)'];
  const args: InValue[] = [...scope.args, ...redactedRoots];
  // Literals, not parameters: the ORDER BY must be the expression of the index feedback_inbox_order
  // (migration 0015), so a page is read in index order instead of sorting every case in scope.
  if (!f.finished.every((s) => /^[a-z-]+$/.test(s))) throw new Error('finished statuses must be status names');
  const finished = f.finished.map((s) => `'${s}'`).join(', ');
  const due = `CASE WHEN f.status = 'received' THEN f.classify_due_at ELSE f.answer_due_at END`;
  const order = `(f.status IN (${finished})), (CASE WHEN f.status IN (${finished}) THEN NULL ELSE ${due} END),
    f.received_at DESC, f.id`;
  for (const [column, value] of [
    ['f.status', f.status],
    ['f.kind', f.kind],
    ['f.channel', f.channel],
  ] as const) {
    if (!value) continue;
    where.push(`${column} = ?`);
    args.push(value);
  }
  if (f.unit) {
    const sub = subtreeCte([f.unit], 'sub');
    where.push(`f.unit_id IN (${sub.sql} SELECT id FROM sub)`);
    args.push(...sub.args);
  }
  if (f.overdueAt) {
    where.push(`f.status NOT IN (${finished}) AND ${due} < ?`);
    args.push(f.overdueAt.toISOString());
  }
  const match = ftsMatch(f.words);
  if (match === null) where.push('0');
  // Never the unredacted text where the member reads redacted text, so a search cannot reveal
  // what the page hides (a row not yet backfilled has no redacted words and matches nothing).
  const column =
    f.redactedScope.length === 0
      ? 'search_text'
      : f.scope.every((root) => f.redactedScope.includes(root))
        ? 'search_redacted'
        : undefined;
  if (match && column) {
    // One column to search: the FTS5 index drives, newest case first (its rowid order), and stops
    // once the page (or the count's cap) is full, however many cases hold the words.
    const from = `FROM feedback_search s CROSS JOIN feedback f ON f.id = s.rowid
      WHERE s.feedback_search MATCH ? AND ${where.join(' AND ')}`;
    const searchArgs = [
      ...scope.args,
      ...redactedRoots,
      `${column} : (${match})`,
      ...args.slice(scope.args.length + redactedRoots.length),
    ];
    return [
      { sql: `${scope.sql}${rscope} ${cappedCountSql(from)}`, args: searchArgs },
      {
        sql: `${scope.sql}${rscope} SELECT ${INBOX_COLUMNS(redacted)}
              FROM (SELECT s.rowid AS id ${from} ORDER BY s.rowid DESC LIMIT ? OFFSET ?) page
              CROSS JOIN feedback f ON f.id = page.id JOIN units u ON u.id = f.unit_id
              ORDER BY f.id DESC`,
        args: [...searchArgs, f.limit, f.offset],
      },
    ];
  }
  if (match) {
    // A member who reads some units redacted and others not: each case searched in its own column.
    const hits = 'f.id IN (SELECT rowid FROM feedback_search WHERE feedback_search MATCH ?)';
    where.push(`(CASE WHEN ${redacted} THEN ${hits} ELSE ${hits} END)`);
    args.push(`search_redacted : (${match})`, `search_text : (${match})`);
  }
  return [
    { sql: `${scope.sql}${rscope} ${cappedCountSql(`FROM feedback f WHERE ${where.join(' AND ')}`)}`, args },
    {
      sql: `${scope.sql}${rscope} SELECT ${INBOX_COLUMNS(redacted)}
            FROM (SELECT f.id FROM feedback f ${inIndexOrder ? 'INDEXED BY feedback_inbox_order' : ''}
              WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ? OFFSET ?) page
            -- CROSS JOIN keeps the page's few rows as the outer loop (SQLite does not reorder it).
            CROSS JOIN feedback f ON f.id = page.id JOIN units u ON u.id = f.unit_id
            ORDER BY ${order}`,
      args: [...args, f.limit, f.offset],
    },
  ];
}

/** The cases in a staff member's subtrees, a page of them and how many (see {@link inboxStatements}). */
export async function inbox(
  client: Client,
  f: InboxFilter,
): Promise<{ total: number; capped: boolean; rows: InboxRow[] }> {
  if (f.scope.length === 0) return { total: 0, capped: false, rows: [] };
  // Two plans, chosen by the count: a few thousand cases in scope are sorted (cheap, and the
  // unit index finds them); beyond the count cap, reading the order index until a page is full
  // is cheaper than sorting them all, since such a scope is a large share of every case.
  const [countStatement] = inboxStatements(f);
  const counted = cappedTotal(Number((await client.execute(countStatement)).rows[0]!.n));
  const page = await client.execute(inboxStatements(f, counted.capped)[1]);
  return {
    ...counted,
    rows: page.rows.map((r) => ({
      id: Number(r.id),
      trackingCode: String(r.tracking_code),
      kind: String(r.kind),
      subject: String(r.subject),
      unitId: String(r.unit_id),
      unitNameVi: String(r.name_vi),
      unitNameEn: String(r.name_en),
      channel: String(r.channel),
      status: String(r.status),
      title: String(r.title),
      redacted: Number(r.redacted) === 1,
      titleRedacted: r.title_redacted === null ? null : String(r.title_redacted),
      receivedAt: String(r.received_at),
      classifyDueAt: String(r.classify_due_at),
      answerDueAt: String(r.answer_due_at),
    })),
  };
}

/** Columns a workflow step may change besides the status. */
export interface CaseChanges {
  unit_id?: string;
  kind?: string;
  subject?: string;
  procedure_code?: string | null;
  classify_due_at?: string;
  answer_due_at?: string;
  classified_at?: string;
  answered_at?: string;
  closed_at?: string;
  dispute_until?: string;
  extension_count?: number;
}

export interface Step {
  feedbackId: number;
  at: Date;
  action: string;
  actor: 'citizen' | 'system' | 'staff';
  staffId: number | null;
  from: string;
  /** The case's version the step was decided on (CaseRow.version). */
  version: number;
  to: string;
  /** The unit responsible after the step. */
  unitId: string;
  note: string | null;
  changes: CaseChanges;
}

/**
 * The event, then the case update. The event's trigger (0005_feedback.sql) aborts the whole batch
 * when the case has moved since it was read (status or version): two steps at once cannot both land.
 */
export function stepStatements(s: Step): InStatement[] {
  const at = s.at.toISOString();
  const entries = Object.entries(s.changes).filter(([, v]) => v !== undefined) as [string, InValue][];
  return [
    {
      sql: `INSERT INTO feedback_events (feedback_id, at, action, actor, staff_id, from_status, to_status, unit_id, note,
              case_version)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      args: [s.feedbackId, at, s.action, s.actor, s.staffId, s.from, s.to, s.unitId, s.note, s.version],
    },
    {
      sql: `UPDATE feedback SET status = ?, updated_at = ?, version = version + 1${entries.map(([k]) => `, ${k} = ?`).join('')}
            WHERE id = ?`,
      args: [s.to, at, ...entries.map(([, v]) => v), s.feedbackId],
    },
  ];
}

/** A message on the case; attachments of the same batch find it with `LAST_MESSAGE`. */
export function messageStatement(m: {
  feedbackId: number;
  at: Date;
  purpose: 'answer' | 'info-request' | 'info-reply' | 'dispute';
  author: 'citizen' | 'staff';
  staffId: number | null;
  body: string;
}): InStatement {
  return {
    sql: 'INSERT INTO feedback_messages (feedback_id, at, purpose, author, staff_id, body) VALUES (?, ?, ?, ?, ?, ?)',
    args: [m.feedbackId, m.at.toISOString(), m.purpose, m.author, m.staffId, m.body],
  };
}

/** The id of the newest message of a case, for statements later in the batch that wrote it. */
export const LAST_MESSAGE = '(SELECT max(id) FROM feedback_messages WHERE feedback_id = ?)';

export function ratingStatement(r: {
  feedbackId: number;
  messageId: number;
  at: Date;
  satisfied: boolean;
  reasons: readonly string[];
  comment: string | null;
}): InStatement {
  return {
    sql: `INSERT INTO answer_ratings (feedback_id, message_id, at, satisfied, reasons, comment) VALUES (?, ?, ?, ?, ?, ?)`,
    args: [r.feedbackId, r.messageId, r.at.toISOString(), r.satisfied ? 1 : 0, JSON.stringify(r.reasons), r.comment],
  };
}

export interface Publication {
  title: string;
  content: string;
  answer: string;
  senderName: string | null;
}

/** Publishing again (after a re-examination) replaces what the public sees. The folded search text
 * is computed right after (api/feedback/redacted-search.ts `backfillPublishedSearch`). */
export function publicationStatement(p: Publication & { feedbackId: number; at: Date; staffId: number }): InStatement {
  return {
    sql: `INSERT INTO feedback_publications (feedback_id, published_at, staff_id, title, content, answer, sender_name)
          VALUES (?, ?, ?, ?, ?, ?, ?)
          ON CONFLICT (feedback_id) DO UPDATE SET published_at = excluded.published_at, staff_id = excluded.staff_id,
            title = excluded.title, content = excluded.content, answer = excluded.answer,
            sender_name = excluded.sender_name, search_folded = NULL`,
    args: [p.feedbackId, p.at.toISOString(), p.staffId, p.title, p.content, p.answer, p.senderName],
  };
}

export async function findPublication(client: Client, id: number): Promise<(Publication & { at: string }) | undefined> {
  const rs = await client.execute({
    sql: 'SELECT published_at, title, content, answer, sender_name FROM feedback_publications WHERE feedback_id = ?',
    args: [id],
  });
  const r = rs.rows[0];
  return r
    ? {
        at: String(r.published_at),
        title: String(r.title),
        content: String(r.content),
        answer: String(r.answer),
        senderName: str(r.sender_name),
      }
    : undefined;
}

/** A magic link for the sender (only its hash is stored). */
export function linkStatement(l: {
  tokenHash: string;
  feedbackId?: number;
  trackingCode?: string;
  at: Date;
  expiresAt: Date;
}): InStatement {
  return {
    sql: `INSERT INTO feedback_links (token_hash, feedback_id, created_at, expires_at)
          VALUES (?, coalesce(?, (SELECT id FROM feedback WHERE tracking_code = ?)), ?, ?)`,
    args: [l.tokenHash, l.feedbackId ?? null, l.trackingCode ?? null, l.at.toISOString(), l.expiresAt.toISOString()],
  };
}

/** The case a live magic link opens. */
export async function caseIdByLink(client: Client, tokenHash: string, now: Date): Promise<number | undefined> {
  const rs = await client.execute({
    sql: 'SELECT feedback_id FROM feedback_links WHERE token_hash = ? AND expires_at > ?',
    args: [tokenHash, now.toISOString()],
  });
  return rs.rows[0] ? Number(rs.rows[0].feedback_id) : undefined;
}
