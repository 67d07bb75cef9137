/**
 * SQL helpers of the demo-data generator (api/demo/generate.ts, issue #3 "Demo data"). The
 * generator writes many responses per batch; the rollup cells of a whole batch are summed here
 * first and written with the API's own `rollupStatement`, one upsert per key instead of one per
 * response and ancestor. Counts add up (n, sum, sumsq), so the stored rollups equal those the API
 * would have written one response at a time (the generator's test rebuilds them from the answers).
 */
import type { Client, InStatement } from '@libsql/client';
import type { RollupCellRow } from './responses.ts';

export interface RollupKey {
  unitId: string;
  procedureCode: string;
  instrumentVersion: string;
  day: string;
  verified: boolean;
}

/**
 * Sums rollup cells by their full key, for one batch, and writes them as multi-row upserts: one
 * statement per 250 rows, because preparing a statement per row was most of the generator's time.
 * @example
 *   const acc = new RollupAccumulator();
 *   acc.add(['phuong-ninh-hoa', 'khanh-hoa'], '1.001193', version, '2026-03-02', false, cells);
 *   await client.batch([...responseRows, ...acc.statements()], 'write');
 */
export class RollupAccumulator {
  private readonly rows = new Map<string, { key: RollupKey; cell: RollupCellRow }>();

  /** Adds one response's cells to its unit and ancestors, per procedure and for '' (all). */
  add(
    rollupUnits: readonly string[],
    procedureCode: string | undefined,
    instrumentVersion: string,
    day: string,
    verified: boolean,
    cells: readonly RollupCellRow[],
  ): void {
    // The same fan-out as responseStatements (db/responses.ts).
    const procedures = procedureCode ? [procedureCode, ''] : [''];
    for (const unitId of rollupUnits)
      for (const proc of procedures)
        for (const c of cells) {
          const id = [unitId, proc, instrumentVersion, day, verified ? 1 : 0, c.metric, c.value].join('\u0000');
          const seen = this.rows.get(id);
          if (seen) {
            seen.cell.n += c.n;
            seen.cell.sum += c.sum;
            seen.cell.sumsq += c.sumsq;
          } else
            this.rows.set(id, {
              key: { unitId, procedureCode: proc, instrumentVersion, day, verified },
              cell: { metric: c.metric, value: c.value, n: c.n, sum: c.sum, sumsq: c.sumsq },
            });
        }
  }

  get size(): number {
    return this.rows.size;
  }

  /** Upserts adding to rows that already exist, as `rollupStatement` (db/responses.ts) does. */
  statements(rowsPerStatement = 250): InStatement[] {
    const rows = [...this.rows.values()];
    const out: InStatement[] = [];
    for (let i = 0; i < rows.length; i += rowsPerStatement) {
      const part = rows.slice(i, i + rowsPerStatement);
      out.push({
        sql: `INSERT INTO rating_rollups (unit_id, procedure_code, instrument_version, day, verified, metric, value, n, sum, sumsq)
              VALUES ${part.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}
              ON CONFLICT (unit_id, instrument_version, day, procedure_code, verified, metric, value) DO UPDATE SET
                n = n + excluded.n, sum = sum + excluded.sum, sumsq = sumsq + excluded.sumsq`,
        args: part.flatMap(({ key: k, cell: c }) => [
          k.unitId,
          k.procedureCode,
          k.instrumentVersion,
          k.day,
          k.verified ? 1 : 0,
          c.metric,
          c.value,
          c.n,
          c.sum,
          c.sumsq,
        ]),
      });
    }
    return out;
  }

  clear(): void {
    this.rows.clear();
  }
}

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
