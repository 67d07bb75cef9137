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
