/**
 * Keeping personal data no longer than needed (Luật 91/2025/QH15, docs/privacy.md; issue #4
 * "collect the minimum, keep it apart"): the sender's contact data and own files are deleted once their
 * retention date has passed and the case is finished; expired magic links go at once. Cases,
 * histories, answers and publications stay: they hold no contact data.
 */
import type { Client } from '@libsql/client';

export interface PurgeCounts {
  contacts: number;
  files: number;
  links: number;
}

/**
 * Runs the purge for `now`. `finished` are the statuses in which no one handles the case any more;
 * an open case keeps its contact data until it is finished, whatever its date.
 */
export async function purgeExpiredPersonalData(
  client: Client,
  now: Date,
  finished: readonly string[],
): Promise<PurgeCounts> {
  const at = now.toISOString();
  const statuses = finished.map(() => '?').join(', ');
  const expired = `SELECT c.feedback_id FROM feedback_contacts c JOIN feedback f ON f.id = c.feedback_id
                   WHERE c.retain_until <= ? AND f.status IN (${statuses})`;
  const [files, contacts, links] = await client.batch(
    [
      {
        sql: `DELETE FROM feedback_attachments WHERE author = 'citizen' AND feedback_id IN (${expired})`,
        args: [at, ...finished],
      },
      { sql: `DELETE FROM feedback_contacts WHERE feedback_id IN (${expired})`, args: [at, ...finished] },
      { sql: 'DELETE FROM feedback_links WHERE expires_at <= ?', args: [at] },
    ],
    'write',
  );
  return { contacts: contacts!.rowsAffected, files: files!.rowsAffected, links: links!.rowsAffected };
}
