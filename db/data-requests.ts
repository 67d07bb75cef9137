/**
 * The sender's requests about their contact data (issue #7 part 4, 0006_privacy_rights.sql,
 * docs/privacy.md): the statements that store and decide them, and the reads of the tracking page
 * and the staff workspace. The new values of a correction are personal data: only
 * `requestsOfCase(..., { withPersonal: true })` reads them, and its callers audit the read.
 */
import type { Client, InStatement, InValue } from '@libsql/client';
/** 'correct' or 'delete' (api/contracts/privacy.ts dataRequestKinds; db/ imports nothing from api/). */
type DataRequestKind = 'correct' | 'delete';
import { subtreeCte } from './units.ts';

export interface Corrections {
  name?: string | undefined;
  phone?: string | undefined;
  email?: string | undefined;
  address?: string | undefined;
}

export interface DataRequestRow {
  id: number;
  feedbackId: number;
  kind: DataRequestKind;
  status: 'pending' | 'done' | 'refused';
  requestedAt: string;
  dueAt: string;
  reason: string;
  corrections: Corrections | null;
  decidedAt: string | null;
  staffId: number | null;
  decisionNote: string | null;
}

const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

function toRow(r: Record<string, unknown>, withPersonal: boolean): DataRequestRow {
  return {
    id: Number(r.id),
    feedbackId: Number(r.feedback_id),
    kind: String(r.kind) as DataRequestKind,
    status: String(r.status) as DataRequestRow['status'],
    requestedAt: String(r.requested_at),
    dueAt: String(r.due_at),
    reason: withPersonal ? String(r.reason) : '',
    corrections: withPersonal && r.corrections !== null ? (JSON.parse(String(r.corrections)) as Corrections) : null,
    decidedAt: str(r.decided_at),
    staffId: r.staff_id === null ? null : Number(r.staff_id),
    decisionNote: str(r.decision_note),
  };
}

export function insertRequestStatement(r: {
  feedbackId: number;
  kind: DataRequestKind;
  at: Date;
  dueAt: Date;
  reason: string;
  corrections: Corrections | null;
}): InStatement {
  return {
    sql: `INSERT INTO data_requests (feedback_id, kind, requested_at, due_at, reason, corrections)
          VALUES (?, ?, ?, ?, ?, ?)`,
    args: [
      r.feedbackId,
      r.kind,
      r.at.toISOString(),
      r.dueAt.toISOString(),
      r.reason,
      r.corrections ? JSON.stringify(r.corrections) : null,
    ],
  };
}

/**
 * Decides a pending request and blanks its new values. Two members deciding at once cannot both
 * land: each batch also writes a history event naming the case's version, and the event trigger of
 * 0005_feedback.sql aborts the second batch.
 */
export function decideStatement(d: {
  id: number;
  status: 'done' | 'refused';
  at: Date;
  staffId: number;
  note: string | null;
}): InStatement {
  return {
    sql: `UPDATE data_requests SET status = ?, decided_at = ?, staff_id = ?, decision_note = ?, corrections = NULL
          WHERE id = ? AND status = 'pending'`,
    args: [d.status, d.at.toISOString(), d.staffId, d.note, d.id],
  };
}

export async function requestsOfCase(
  client: Client,
  feedbackId: number,
  opts: { withPersonal: boolean },
): Promise<DataRequestRow[]> {
  const rs = await client.execute({
    sql: 'SELECT * FROM data_requests WHERE feedback_id = ? ORDER BY id',
    args: [feedbackId],
  });
  return rs.rows.map((r) => toRow(r as unknown as Record<string, unknown>, opts.withPersonal));
}

export async function findRequest(client: Client, id: number): Promise<DataRequestRow | undefined> {
  const rs = await client.execute({ sql: 'SELECT * FROM data_requests WHERE id = ?', args: [id] });
  const r = rs.rows[0];
  return r ? toRow(r as unknown as Record<string, unknown>, true) : undefined;
}

export interface RequestListRow extends DataRequestRow {
  trackingCode: string;
  unitId: string;
  unitNameVi: string;
  unitNameEn: string;
}

/** Requests of the cases in the given unit subtrees, the earliest due first; no personal data. */
export async function requestsInScope(
  client: Client,
  f: { roots: readonly string[]; status?: DataRequestRow['status'] | undefined; feedbackId?: number | undefined },
): Promise<RequestListRow[]> {
  if (f.roots.length === 0) return [];
  const scope = subtreeCte(f.roots);
  const where: string[] = ['f.unit_id IN (SELECT id FROM scope)'];
  const args: InValue[] = [...scope.args];
  if (f.status) {
    where.push('r.status = ?');
    args.push(f.status);
  }
  if (f.feedbackId !== undefined) {
    where.push('r.feedback_id = ?');
    args.push(f.feedbackId);
  }
  const rs = await client.execute({
    sql: `${scope.sql}
          SELECT r.*, f.tracking_code, f.unit_id, u.name_vi, u.name_en
          FROM data_requests r JOIN feedback f ON f.id = r.feedback_id JOIN units u ON u.id = f.unit_id
          WHERE ${where.join(' AND ')}
          ORDER BY r.status = 'pending' DESC, r.due_at, r.id LIMIT 200`,
    args,
  });
  return rs.rows.map((row) => {
    const r = row as unknown as Record<string, unknown>;
    return {
      ...toRow(r, false),
      trackingCode: String(r.tracking_code),
      unitId: String(r.unit_id),
      unitNameVi: String(r.name_vi),
      unitNameEn: String(r.name_en),
    };
  });
}

/** Whether contact data is still held for a case (deleted on request or by the retention purge). */
export async function hasContact(client: Client, feedbackId: number): Promise<boolean> {
  const rs = await client.execute({ sql: 'SELECT 1 FROM feedback_contacts WHERE feedback_id = ?', args: [feedbackId] });
  return rs.rows.length > 0;
}
