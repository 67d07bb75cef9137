/** Storage of "was this page useful?" votes with their per-procedure counts in the same batch. */
import type { Client, InStatement } from '@libsql/client';

export async function procedureExists(client: Client, code: string): Promise<boolean> {
  const rs = await client.execute({ sql: 'SELECT 1 FROM procedures WHERE code = ?', args: [code] });
  return rs.rows.length > 0;
}

export interface UsefulnessVote {
  procedure: string;
  useful: boolean;
  comment?: string | undefined;
  locale: string;
  at: Date;
}

export async function recordUsefulness(
  client: Client,
  vote: UsefulnessVote,
  /** Written in the same batch, before the vote (the rate-limit counter). */
  also: InStatement[] = [],
): Promise<{ useful: number; not_useful: number }> {
  const results = await client.batch(
    [
      ...also,
      {
        sql: `INSERT INTO page_usefulness (procedure_code, useful, comment, locale, created_at) VALUES (?, ?, ?, ?, ?)`,
        args: [vote.procedure, vote.useful ? 1 : 0, vote.comment ?? null, vote.locale, vote.at.toISOString()],
      },
      {
        sql: `INSERT INTO page_usefulness_rollup (procedure_code, useful, not_useful) VALUES (?, ?, ?)
              ON CONFLICT (procedure_code) DO UPDATE SET useful = useful + excluded.useful,
                not_useful = not_useful + excluded.not_useful`,
        args: [vote.procedure, vote.useful ? 1 : 0, vote.useful ? 0 : 1],
      },
      {
        sql: 'SELECT useful, not_useful FROM page_usefulness_rollup WHERE procedure_code = ?',
        args: [vote.procedure],
      },
    ],
    'write',
  );
  const row = results.at(-1)?.rows[0];
  return { useful: Number(row?.useful ?? 0), not_useful: Number(row?.not_useful ?? 0) };
}
