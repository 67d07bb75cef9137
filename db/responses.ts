/**
 * Writes a rating in one batch (one transaction): the response, its answers and every rollup cell
 * it contributes, plus whatever the caller adds (token redemption, proof-of-work replay guard).
 * Statistics therefore never disagree with the answers, and a crash leaves all or nothing.
 */
import type { Client, InStatement } from '@libsql/client';

export interface RollupCellRow {
  metric: string;
  value: string;
  n: number;
  sum: number;
  sumsq: number;
}

export interface NewResponse {
  instrumentVersion: string;
  unitId: string;
  procedureCode: string | undefined;
  counter: string | undefined;
  dossierId: number | undefined;
  verified: boolean;
  locale: string;
  day: string;
  at: Date;
  idempotencyKey: string;
  requestHash: string;
  answers: Record<string, string | string[]>;
  cells: RollupCellRow[];
  /** The unit and its ancestors (db/units.ts): each gets the cells, as subtree totals. */
  rollupUnits: string[];
}

/** Upserts one rollup cell: counts add up, so rebuilding from raw rows gives the same table. */
export function rollupStatement(
  key: { unitId: string; procedureCode: string; instrumentVersion: string; day: string; verified: boolean },
  cell: RollupCellRow,
): InStatement {
  return {
    sql: `INSERT INTO rating_rollups (unit_id, procedure_code, instrument_version, day, verified, metric, value, n, sum, sumsq)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
          ON CONFLICT (unit_id, instrument_version, day, procedure_code, verified, metric, value) DO UPDATE SET
            n = n + excluded.n, sum = sum + excluded.sum, sumsq = sumsq + excluded.sumsq`,
    args: [
      key.unitId,
      key.procedureCode,
      key.instrumentVersion,
      key.day,
      key.verified ? 1 : 0,
      cell.metric,
      cell.value,
      cell.n,
      cell.sum,
      cell.sumsq,
    ],
  };
}

export function responseStatements(r: NewResponse): InStatement[] {
  const stmts: InStatement[] = [
    {
      sql: `INSERT INTO responses (instrument_version, unit_id, procedure_code, counter, dossier_id, verified, locale, day,
              created_at, idempotency_key, request_hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      args: [
        r.instrumentVersion,
        r.unitId,
        r.procedureCode ?? null,
        r.counter ?? null,
        r.dossierId ?? null,
        r.verified ? 1 : 0,
        r.locale,
        r.day,
        r.at.toISOString(),
        r.idempotencyKey,
        r.requestHash,
      ],
    },
  ];
  for (const [questionId, value] of Object.entries(r.answers))
    for (const v of Array.isArray(value) ? value : [value])
      stmts.push({
        sql: `INSERT INTO answers (response_id, question_id, value)
              VALUES ((SELECT id FROM responses WHERE idempotency_key = ?), ?, ?)`,
        args: [r.idempotencyKey, questionId, v],
      });
  // Rows per subtree, and per procedure plus '' (all procedures): every figure the statistics show
  // is then one range of the primary key, whatever the size of the tree.
  const procedures = r.procedureCode ? [r.procedureCode, ''] : [''];
  for (const unitId of r.rollupUnits)
    for (const procedureCode of procedures) {
      const key = { unitId, procedureCode, instrumentVersion: r.instrumentVersion, day: r.day, verified: r.verified };
      for (const cell of r.cells) stmts.push(rollupStatement(key, cell));
    }
  return stmts;
}

export interface StoredResponse {
  id: number;
  verified: boolean;
  requestHash: string;
}

export async function findResponseByKey(client: Client, idempotencyKey: string): Promise<StoredResponse | undefined> {
  const rs = await client.execute({
    sql: 'SELECT id, verified, request_hash FROM responses WHERE idempotency_key = ?',
    args: [idempotencyKey],
  });
  const row = rs.rows[0];
  return row
    ? { id: Number(row.id), verified: Number(row.verified) === 1, requestHash: String(row.request_hash) }
    : undefined;
}

/** Guards a proof-of-work solution against reuse: fails the batch when the signature was used. */
export function powUsedStatement(signature: string, expiresAt: number): InStatement {
  return { sql: 'INSERT INTO pow_used (signature, expires_at) VALUES (?, ?)', args: [signature, expiresAt] };
}
