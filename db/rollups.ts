/**
 * Rating rollups: every cell a response contributes, added to its unit and each ancestor (subtree
 * totals), per procedure and for '' (all procedures), per day and per month. The write path, the
 * demo generator and the rebuild all go through this one accumulator, so they cannot disagree.
 */
import type { InStatement } from '@libsql/client';

export interface RollupCellRow {
  metric: string;
  value: string;
  n: number;
  sum: number;
  sumsq: number;
}

export interface RollupKey {
  unitId: string;
  procedureCode: string;
  instrumentVersion: string;
  day: string;
  verified: boolean;
}

interface Row {
  key: RollupKey;
  cell: RollupCellRow;
}

const COLUMNS = 'unit_id, procedure_code, instrument_version, %PERIOD%, verified, metric, value, n, sum, sumsq';

function upsert(
  table: string,
  period: 'day' | 'month',
  rows: readonly Row[],
  periodOf: (r: Row) => string,
): InStatement {
  return {
    sql: `INSERT INTO ${table} (${COLUMNS.replace('%PERIOD%', period)})
          VALUES ${rows.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}
          ON CONFLICT (${
            period === 'day'
              ? 'unit_id, instrument_version, day, procedure_code'
              : 'unit_id, instrument_version, procedure_code, month'
          }, verified, metric, value) DO UPDATE SET
            n = n + excluded.n, sum = sum + excluded.sum, sumsq = sumsq + excluded.sumsq`,
    args: rows.flatMap((r) => [
      r.key.unitId,
      r.key.procedureCode,
      r.key.instrumentVersion,
      periodOf(r),
      r.key.verified ? 1 : 0,
      r.cell.metric,
      r.cell.value,
      r.cell.n,
      r.cell.sum,
      r.cell.sumsq,
    ]),
  };
}

/**
 * Sums cells per rollup row, then writes each row with one multi-row upsert per table.
 * @example
 *   const acc = new RollupAccumulator();
 *   acc.add(['phuong-ninh-hiep', 'ninh-hoa', 'khanh-hoa'], '1.001193', version, '2026-03-02', false, cells);
 *   await client.batch([...responseRows, ...acc.statements()], 'write');
 */
export class RollupAccumulator {
  private readonly rows = new Map<string, Row>();

  /** Adds one row's cell, summing with what is already there. */
  addRow(key: RollupKey, cell: RollupCellRow): void {
    const id = [
      key.unitId,
      key.procedureCode,
      key.instrumentVersion,
      key.day,
      key.verified ? 1 : 0,
      cell.metric,
      cell.value,
    ].join('\u0000');
    const seen = this.rows.get(id);
    if (seen) {
      seen.cell.n += cell.n;
      seen.cell.sum += cell.sum;
      seen.cell.sumsq += cell.sumsq;
    } else this.rows.set(id, { key, cell: { ...cell } });
  }

  /** Adds one response's cells to its unit and ancestors, per procedure and for '' (all). */
  add(
    rollupUnits: readonly string[],
    procedureCode: string | undefined,
    instrumentVersion: string,
    day: string,
    verified: boolean,
    cells: readonly RollupCellRow[],
  ): void {
    const procedures = procedureCode ? [procedureCode, ''] : [''];
    for (const unitId of rollupUnits)
      for (const proc of procedures)
        for (const c of cells) this.addRow({ unitId, procedureCode: proc, instrumentVersion, day, verified }, c);
  }

  get size(): number {
    return this.rows.size;
  }

  /** Upserts for the daily and the monthly table; ≤ `rowsPerStatement` rows each (SQLite's
   * limit of bound parameters is 32,766; ten per row). */
  statements(rowsPerStatement = 250): InStatement[] {
    const daily = [...this.rows.values()];
    const monthly = new RollupAccumulator();
    for (const r of daily) monthly.addRow({ ...r.key, day: r.key.day.slice(0, 7) }, r.cell);
    const months = [...monthly.rows.values()];
    const out: InStatement[] = [];
    for (let i = 0; i < daily.length; i += rowsPerStatement)
      out.push(upsert('rating_rollups', 'day', daily.slice(i, i + rowsPerStatement), (r) => r.key.day));
    for (let i = 0; i < months.length; i += rowsPerStatement)
      out.push(upsert('rating_rollups_month', 'month', months.slice(i, i + rowsPerStatement), (r) => r.key.day));
    return out;
  }

  clear(): void {
    this.rows.clear();
  }
}
