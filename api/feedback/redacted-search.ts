/**
 * The redacted copies of a case's texts that the staff inbox shows and searches for members who
 * read redacted text (issue #7 part 4 "Search cannot be an oracle"): the title and the folded
 * search text after redaction with the sender's own details, as the case view and the publication
 * preview redact them. Written with the case (./intake.ts); rows from before migration 0008 are
 * filled in on start (`backfillRedacted`).
 */
import type { Client } from '@libsql/client';
import { foldForSearch } from '../contracts/text.ts';
import { redact } from '../redaction/redact.ts';
import { senderDetailsOf } from '../redaction/sender.ts';

export interface RedactedFields {
  titleRedacted: string;
  searchRedacted: string;
}

type Contact = { name: string | null; phone: string | null; email: string | null; address: string | null };

/** The redacted title and search text of a case. */
export function redactedFields(
  trackingCode: string,
  title: string,
  content: string,
  contact: Contact | undefined,
): RedactedFields {
  const sender = senderDetailsOf(contact);
  const titleRedacted = redact(title, sender).text;
  const contentRedacted = redact(content, sender).text;
  return { titleRedacted, searchRedacted: foldForSearch(`${trackingCode} ${titleRedacted} ${contentRedacted}`) };
}

/** Fills the redacted columns of cases written before they existed; returns how many. Runs in
 * pages so a large table is not read at once. */
export async function backfillRedacted(client: Client, pageSize = 200): Promise<number> {
  let done = 0;
  for (;;) {
    const rs = await client.execute({
      sql: `SELECT f.id, f.tracking_code, f.title, f.content, c.name, c.phone, c.email, c.address
            FROM feedback f LEFT JOIN feedback_contacts c ON c.feedback_id = f.id
            WHERE f.search_redacted IS NULL ORDER BY f.id LIMIT ?`,
      args: [pageSize],
    });
    if (rs.rows.length === 0) return done;
    const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
    await client.batch(
      rs.rows.map((r) => {
        const f = redactedFields(String(r.tracking_code), String(r.title), String(r.content), {
          name: str(r.name),
          phone: str(r.phone),
          email: str(r.email),
          address: str(r.address),
        });
        return {
          sql: 'UPDATE feedback SET title_redacted = ?, search_redacted = ? WHERE id = ?',
          args: [f.titleRedacted, f.searchRedacted, Number(r.id)],
        };
      }),
      'write',
    );
    done += rs.rows.length;
  }
}

/**
 * Folds the search text of publications that have none (migration 0015): new and republished ones
 * right after the step, older ones on start. The text searched is the publication's own (never the
 * case's), its tracking code and its unit's and procedure's names are matched apart.
 */
export async function backfillPublishedSearch(client: Client, pageSize = 500): Promise<number> {
  let done = 0;
  for (;;) {
    const rs = await client.execute({
      sql: `SELECT p.feedback_id, f.tracking_code, p.title, p.content, p.answer
            FROM feedback_publications p JOIN feedback f ON f.id = p.feedback_id
            WHERE p.search_folded IS NULL LIMIT ?`,
      args: [pageSize],
    });
    if (rs.rows.length === 0) return done;
    await client.batch(
      rs.rows.map((r) => ({
        sql: 'UPDATE feedback_publications SET search_folded = ? WHERE feedback_id = ?',
        args: [
          foldForSearch(`${String(r.tracking_code)} ${String(r.title)} ${String(r.content)} ${String(r.answer)}`),
          Number(r.feedback_id),
        ],
      })),
      'write',
    );
    done += rs.rows.length;
  }
}
