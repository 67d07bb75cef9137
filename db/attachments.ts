/**
 * Feedback attachments (issue #4): the insert, which can join the batch that stores the case, and
 * the two reads. Only files that api/attachments/ has re-encoded or checked reach here (see
 * 0005_feedback.sql); the types below are structural because db/ does not import api/ (docs/architecture.md §1).
 */
import type { Client, InStatement, InValue } from '@libsql/client';

export type AttachmentMediaType = 'image/jpeg' | 'image/png' | 'application/pdf';
export type AttachmentAuthor = 'citizen' | 'staff';

/** A checked file: api/attachments/attachments.ts's CleanAttachment has this shape. */
export interface StorableAttachment {
  fileName: string;
  mediaType: AttachmentMediaType;
  bytes: Uint8Array;
  size: number;
  sha256: string;
}

/**
 * The case is named either by id or by tracking code; the code form resolves in a subquery, as in
 * db/feedback.ts, so the attachment can be written in the same batch as a case not yet inserted.
 */
export type NewAttachment = (
  | { feedbackId: number; feedbackByTrackingCode?: undefined }
  | { feedbackId?: undefined; feedbackByTrackingCode: string }
) & {
  /**
   * The message the file goes with (an answer, a reply), or NULL for files sent with the case. A
   * scalar subquery (code, never input) names a message written earlier in the same batch.
   */
  messageId?: number | null | SqlScalar;
  author: AttachmentAuthor;
  file: StorableAttachment;
  at: Date;
};

/** A scalar SELECT written in code, with its arguments, e.g. the id of the latest message. */
export interface SqlScalar {
  sql: string;
  args: InValue[];
}

export function attachmentInsertStatement(a: NewAttachment): InStatement {
  const byCode = a.feedbackByTrackingCode !== undefined;
  if (byCode === (a.feedbackId !== undefined)) {
    throw new Error('attachmentInsertStatement needs exactly one of feedbackId and feedbackByTrackingCode');
  }
  const feedback = byCode ? '(SELECT id FROM feedback WHERE tracking_code = ?)' : '?';
  const message = a.messageId;
  const messageSql = typeof message === 'object' && message !== null ? `(${message.sql})` : '?';
  const messageArgs: InValue[] = typeof message === 'object' && message !== null ? message.args : [message ?? null];
  return {
    sql: `INSERT INTO feedback_attachments (feedback_id, message_id, author, file_name, media_type, size, sha256,
            data, created_at)
          VALUES (${feedback}, ${messageSql}, ?, ?, ?, ?, ?, ?, ?)`,
    args: [
      byCode ? a.feedbackByTrackingCode! : a.feedbackId!,
      ...messageArgs,
      a.author,
      a.file.fileName,
      a.file.mediaType,
      a.file.size,
      a.file.sha256,
      a.file.bytes,
      a.at.toISOString(),
    ],
  };
}

/** What a list of files shows; the bytes are read one file at a time, on download. */
export interface AttachmentMeta {
  id: number;
  messageId: number | null;
  author: AttachmentAuthor;
  fileName: string;
  mediaType: AttachmentMediaType;
  size: number;
  createdAt: string;
}

export async function listAttachments(client: Client, feedbackId: number): Promise<AttachmentMeta[]> {
  const rs = await client.execute({
    sql: `SELECT id, message_id, author, file_name, media_type, size, created_at
          FROM feedback_attachments WHERE feedback_id = ? ORDER BY id`,
    args: [feedbackId],
  });
  return rs.rows.map((row) => ({
    id: Number(row.id),
    messageId: row.message_id === null ? null : Number(row.message_id),
    author: String(row.author) as AttachmentAuthor,
    fileName: String(row.file_name),
    mediaType: String(row.media_type) as AttachmentMediaType,
    size: Number(row.size),
    createdAt: String(row.created_at),
  }));
}

export interface AttachmentContent {
  fileName: string;
  mediaType: AttachmentMediaType;
  data: Uint8Array;
}

/**
 * One file's bytes. The case id is part of the lookup, so an attachment id guessed or copied from
 * another case returns nothing rather than someone else's file.
 */
export async function readAttachment(
  client: Client,
  feedbackId: number,
  attachmentId: number,
): Promise<AttachmentContent | undefined> {
  const rs = await client.execute({
    sql: 'SELECT file_name, media_type, data FROM feedback_attachments WHERE id = ? AND feedback_id = ?',
    args: [attachmentId, feedbackId],
  });
  const row = rs.rows[0];
  if (!row) return undefined;
  // @libsql/client returns BLOBs as ArrayBuffer; the column is NOT NULL BLOB by schema.
  const data: unknown = row.data;
  if (!(data instanceof ArrayBuffer)) throw new Error('feedback_attachments.data is not a BLOB');
  return {
    fileName: String(row.file_name),
    mediaType: String(row.media_type) as AttachmentMediaType,
    data: new Uint8Array(data),
  };
}
