/**
 * Writes a rating in one batch (one transaction): the response, its answers and every rollup cell
 * it contributes, plus whatever the caller adds (token redemption, proof-of-work replay guard).
 * Statistics therefore never disagree with the answers, and a crash leaves all or nothing.
 */
import type { Client, InStatement } from '@libsql/client';
import { RollupAccumulator, type RollupCellRow } from './rollups.ts';

export type { RollupCellRow } from './rollups.ts';

export interface NewResponse {
  instrumentVersion: string;
  unitId: string;
  procedureCode: string | undefined;
  counter: string | undefined;
  dossierId: number | undefined;
  /** The kiosk shift the rating was given in (db/officers.ts), when given at a kiosk. */
  shiftId?: number | undefined;
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

export function responseStatements(r: NewResponse): InStatement[] {
  const stmts: InStatement[] = [
    {
      sql: `INSERT INTO responses (instrument_version, unit_id, procedure_code, counter, dossier_id, verified, locale, day,
              created_at, idempotency_key, request_hash, shift_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            RETURNING id`,
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
        r.shiftId ?? null,
      ],
    },
  ];
  const answerRows = Object.entries(r.answers).flatMap(([questionId, value]) =>
    (Array.isArray(value) ? value : [value]).map((v) => [questionId, v] as const),
  );
  // One statement for all answers: the response id comes from its unique idempotency key.
  if (answerRows.length > 0)
    stmts.push({
      sql: `INSERT INTO answers (response_id, question_id, value)
            SELECT (SELECT id FROM responses WHERE idempotency_key = ?), q, v FROM (${answerRows
              .map(() => 'SELECT ? AS q, ? AS v')
              .join(' UNION ALL ')})`,
      args: [r.idempotencyKey, ...answerRows.flat()],
    });
  const acc = new RollupAccumulator();
  acc.add(r.rollupUnits, r.procedureCode, r.instrumentVersion, r.day, r.verified, r.cells);
  stmts.push(...acc.statements());
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
