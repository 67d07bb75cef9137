/**
 * SQL helpers of the demo-data generator (api/demo/generate.ts, issue #3 "Demo data"). The
 * generator writes many responses per batch; their rollup cells are summed per batch with the write
 * path's own RollupAccumulator (db/rollups.ts), one upsert per key instead of one per response and
 * ancestor, so the stored rollups equal those the API would have written one response at a time.
 */
import type { Client } from '@libsql/client';

export type { RollupKey } from './rollups.ts';
export { RollupAccumulator } from './rollups.ts';

export async function responseCount(client: Client): Promise<number> {
  const rs = await client.execute('SELECT count(*) AS n FROM responses');
  return Number(rs.rows[0]!.n);
}

/** What is stored, for the generator's printout and its tests. */
export interface StoredDemoCounts {
  responses: number;
  verified: number;
  answers: number;
  dossiers: number;
  lateDossiers: number;
  rollupRows: number;
  /** Responses per instrument id. */
  byInstrument: Record<string, number>;
}

export async function storedCounts(client: Client): Promise<StoredDemoCounts> {
  const [totals, byIns] = await client.batch(
    [
      `SELECT (SELECT count(*) FROM responses) AS responses,
              (SELECT count(*) FROM responses WHERE verified = 1) AS verified,
              (SELECT count(*) FROM answers) AS answers,
              (SELECT count(*) FROM dossiers) AS dossiers,
              (SELECT count(*) FROM dossiers WHERE on_time = 0) AS late,
              (SELECT count(*) FROM rating_rollups) AS rollups`,
      `SELECT v.instrument_id AS id, count(*) AS n FROM responses r
         JOIN instrument_versions v ON v.version = r.instrument_version GROUP BY v.instrument_id ORDER BY 1`,
    ],
    'read',
  );
  const t = totals!.rows[0]!;
  return {
    responses: Number(t.responses),
    verified: Number(t.verified),
    answers: Number(t.answers),
    dossiers: Number(t.dossiers),
    lateDossiers: Number(t.late),
    rollupRows: Number(t.rollups),
    byInstrument: Object.fromEntries(byIns!.rows.map((r) => [String(r.id), Number(r.n)])),
  };
}
