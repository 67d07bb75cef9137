/**
 * Statistics queries (issue #3, docs/architecture.md §4 "Publish"). They read ONLY the rollup tables, never
 * `responses` or `answers`: every response and every dossier was added to its unit and all its
 * ancestors, per procedure and under '' (all procedures), so a subtree's figure over a date range
 * is one range of a primary key whatever the size of the tree (db/stats.test.ts checks the plans).
 *
 * Cells come back per trust level (`verified`): the caller labels each figure "verified sample",
 * "self-selected" or "mixed" from the same rows it sums.
 */
import { oncePerDatabase } from './per-database.ts';
import type { Client, InStatement, InValue } from '@libsql/client';

export type StatsPeriod = 'month' | 'quarter' | 'year';

/** A summed `rating_rollups` cell of one trust level. */
export interface StatsCell {
  verified: boolean;
  metric: string;
  value: string;
  n: number;
  sum: number;
  sumsq: number;
}

export interface RatingQuery {
  unitId: string;
  /** Every version of one instrument (their answers are summed). Empty → nothing. */
  instrumentVersions: readonly string[];
  /** Days 'YYYY-MM-DD' in Asia/Ho_Chi_Minh, both inclusive. */
  from: string;
  to: string;
  /** '' = all procedures. */
  procedureCode: string;
  /** Only verified (true) or only self-selected (false) responses; undefined = both. */
  verified?: boolean | undefined;
}

export interface DossierQuery {
  unitId: string;
  from: string;
  to: string;
  procedureCode: string;
}

export interface Timeliness {
  total: number;
  onTime: number;
}

/**
 * The bucket of a day: '2025' (year), '2025-Q3' (quarter), '2025-08' (month). Kept beside
 * {@link periodsBetween}, which lists the same keys in JS.
 */
function periodSql(period: StatsPeriod): string {
  switch (period) {
    case 'year':
      return 'substr(day, 1, 4)';
    case 'month':
      return 'substr(day, 1, 7)';
    case 'quarter':
      return "substr(day, 1, 4) || '-Q' || ((CAST(substr(day, 6, 2) AS INTEGER) + 2) / 3)";
  }
}

/**
 * Every period key from the period of `from` to that of `to`, in order, as {@link periodSql} writes
 * them. Lets a series show the periods without data too, instead of silently joining around them.
 * @example periodsBetween('2024-11-15', '2025-02-01', 'quarter') // ['2024-Q4', '2025-Q1']
 */
export function periodsBetween(from: string, to: string, period: StatsPeriod): string[] {
  const [fy, fm] = [Number(from.slice(0, 4)), Number(from.slice(5, 7))];
  const [ty, tm] = [Number(to.slice(0, 4)), Number(to.slice(5, 7))];
  const out: string[] = [];
  if (period === 'year') for (let y = fy; y <= ty; y++) out.push(String(y));
  else if (period === 'month')
    for (let y = fy, m = fm; y < ty || (y === ty && m <= tm); m === 12 ? (y++, (m = 1)) : m++)
      out.push(`${y}-${String(m).padStart(2, '0')}`);
  else {
    const fq = Math.ceil(fm / 3);
    const tq = Math.ceil(tm / 3);
    for (let y = fy, q = fq; y < ty || (y === ty && q <= tq); q === 4 ? (y++, (q = 1)) : q++) out.push(`${y}-Q${q}`);
  }
  return out;
}

const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/** A part of a date range read from one table: whole months from the monthly rollups, the days
 * of partial months at either end from the daily ones (issue #3 target: a year's figures read at
 * most ~12 months of rows plus two partial months, however many ratings are stored). */
interface RangePart {
  table: 'rating_rollups' | 'rating_rollups_month';
  column: 'day' | 'month';
  from: string;
  to: string;
}

function lastDayOfMonth(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return `${month}-${String(new Date(Date.UTC(y!, m!, 0)).getUTCDate()).padStart(2, '0')}`;
}

function shiftMonth(month: string, by: number): string {
  const [y, m] = month.split('-').map(Number);
  const d = new Date(Date.UTC(y!, m! - 1 + by, 1));
  return d.toISOString().slice(0, 7);
}

/**
 * @example rangeParts('2025-01-15', '2025-12-31') // days 2025-01-15..31, months 2025-02..2025-12
 */
export function rangeParts(from: string, to: string): RangePart[] {
  if (from > to) return [];
  const firstWhole = from.endsWith('-01') ? from.slice(0, 7) : shiftMonth(from.slice(0, 7), 1);
  const lastWhole = to === lastDayOfMonth(to.slice(0, 7)) ? to.slice(0, 7) : shiftMonth(to.slice(0, 7), -1);
  if (firstWhole > lastWhole) return [{ table: 'rating_rollups', column: 'day', from, to }];
  const parts: RangePart[] = [{ table: 'rating_rollups_month', column: 'month', from: firstWhole, to: lastWhole }];
  if (from.slice(0, 7) < firstWhole)
    parts.push({ table: 'rating_rollups', column: 'day', from, to: lastDayOfMonth(from.slice(0, 7)) });
  if (to.slice(0, 7) > lastWhole)
    parts.push({ table: 'rating_rollups', column: 'day', from: `${to.slice(0, 7)}-01`, to });
  return parts;
}

function ratingWhere(
  unitIds: readonly string[],
  q: Omit<RatingQuery, 'unitId'>,
  part: RangePart,
): { sql: string; args: InValue[] } {
  const unit = unitIds.length === 1 ? 'unit_id = ?' : `unit_id IN (${marks(unitIds.length)})`;
  const args: InValue[] = [...unitIds, ...q.instrumentVersions, part.from, part.to, q.procedureCode];
  let sql = `${unit} AND instrument_version IN (${marks(q.instrumentVersions.length)})
             AND ${part.column} BETWEEN ? AND ? AND procedure_code = ?`;
  if (q.verified !== undefined) {
    sql += ' AND verified = ?';
    args.push(q.verified ? 1 : 0);
  }
  return { sql, args };
}

const SUMS = 'verified, metric, value, sum(n) AS n, sum(sum) AS sum, sum(sumsq) AS sumsq';

/** The statements of {@link ratingCells} (one per range part), exported so the test can EXPLAIN them. */
export function ratingCellsStatements(q: RatingQuery): InStatement[] {
  return rangeParts(q.from, q.to).map((part) => {
    const w = ratingWhere([q.unitId], q, part);
    return { sql: `SELECT ${SUMS} FROM ${part.table} WHERE ${w.sql} GROUP BY verified, metric, value`, args: w.args };
  });
}

/** The statements of {@link ratingSeries}; a month row's `month` buckets like a day (substr). */
export function ratingSeriesStatements(q: RatingQuery, period: StatsPeriod): InStatement[] {
  return rangeParts(q.from, q.to).map((part) => {
    const w = ratingWhere([q.unitId], q, part);
    return {
      sql: `SELECT ${periodSql(period).replaceAll('day', part.column)} AS period, ${SUMS} FROM ${part.table}
            WHERE ${w.sql} GROUP BY period, verified, metric, value`,
      args: w.args,
    };
  });
}

/** The statements of {@link ratingCellsByUnit}. */
export function ratingCellsByUnitStatements(unitIds: readonly string[], q: Omit<RatingQuery, 'unitId'>): InStatement[] {
  return rangeParts(q.from, q.to).map((part) => {
    const w = ratingWhere(unitIds, q, part);
    return {
      sql: `SELECT unit_id, ${SUMS} FROM ${part.table} WHERE ${w.sql} GROUP BY unit_id, verified, metric, value`,
      args: w.args,
    };
  });
}

/** Runs the parts and adds up rows with the same key columns (a cell split across parts). */
async function runParts(
  client: Client,
  statements: InStatement[],
  keyColumns: string[],
): Promise<Record<string, unknown>[]> {
  const merged = new Map<string, Record<string, unknown>>();
  for (const stmt of statements) {
    const rs = await client.execute(stmt);
    for (const row of rs.rows as unknown as Record<string, unknown>[]) {
      const id = keyColumns.map((k) => String(row[k])).join('\u0000');
      const seen = merged.get(id);
      if (!seen) merged.set(id, { ...row });
      else for (const k of ['n', 'sum', 'sumsq']) seen[k] = Number(seen[k]) + Number(row[k]);
    }
  }
  return [...merged.values()];
}

const CELL_KEY = ['verified', 'metric', 'value'];

function toCell(r: Record<string, unknown>): StatsCell {
  return {
    verified: Number(r.verified) === 1,
    metric: String(r.metric),
    value: String(r.value),
    n: Number(r.n),
    sum: Number(r.sum),
    sumsq: Number(r.sumsq),
  };
}

function groupRows<K extends string>(rows: readonly Record<string, unknown>[], key: K): Map<string, StatsCell[]> {
  const out = new Map<string, StatsCell[]>();
  for (const r of rows) {
    const k = String(r[key]);
    let list = out.get(k);
    if (!list) out.set(k, (list = []));
    list.push(toCell(r));
  }
  return out;
}

/**
 * The summed rating cells of a unit's subtree over a date range, per trust level.
 * @example
 *   const cells = await ratingCells(db.client, {
 *     unitId: 'khanh-hoa', instrumentVersions: ['3f2a…'], from: '2024-01-01', to: '2025-12-31', procedureCode: '',
 *   });
 */
export async function ratingCells(client: Client, q: RatingQuery): Promise<StatsCell[]> {
  if (q.instrumentVersions.length === 0) return [];
  return (await runParts(client, ratingCellsStatements(q), CELL_KEY)).map(toCell);
}

/**
 * {@link ratingCells} per period ('2025', '2025-Q3' or '2025-08'); periods without rows are absent.
 * @example (await ratingSeries(db.client, q, 'year')).get('2025') // StatsCell[]
 */
export async function ratingSeries(
  client: Client,
  q: RatingQuery,
  period: StatsPeriod,
): Promise<Map<string, StatsCell[]>> {
  if (q.instrumentVersions.length === 0) return new Map();
  return groupRows(await runParts(client, ratingSeriesStatements(q, period), ['period', ...CELL_KEY]), 'period');
}

/** {@link ratingCells} for several units in one query each part (the children table). */
export async function ratingCellsByUnit(
  client: Client,
  unitIds: readonly string[],
  q: Omit<RatingQuery, 'unitId'>,
): Promise<Map<string, StatsCell[]>> {
  if (q.instrumentVersions.length === 0 || unitIds.length === 0) return new Map();
  return groupRows(
    await runParts(client, ratingCellsByUnitStatements(unitIds, q), ['unit_id', ...CELL_KEY]),
    'unit_id',
  );
}

// ── Dossier timeliness ──────────────────────────────────────────────────────────────────────────

function dossierWhere(unitIds: readonly string[], q: Omit<DossierQuery, 'unitId'>): { sql: string; args: InValue[] } {
  const unit = unitIds.length === 1 ? 'unit_id = ?' : `unit_id IN (${marks(unitIds.length)})`;
  return {
    sql: `${unit} AND day BETWEEN ? AND ? AND procedure_code = ?`,
    args: [...unitIds, q.from, q.to, q.procedureCode],
  };
}

const TIMELINESS = 'coalesce(sum(total), 0) AS total, coalesce(sum(on_time), 0) AS on_time';

export function dossierTimelinessStatement(q: DossierQuery): InStatement {
  const w = dossierWhere([q.unitId], q);
  return { sql: `SELECT ${TIMELINESS} FROM dossier_rollups WHERE ${w.sql}`, args: w.args };
}

export function dossierSeriesStatement(q: DossierQuery, period: StatsPeriod): InStatement {
  const w = dossierWhere([q.unitId], q);
  return {
    sql: `SELECT ${periodSql(period)} AS period, ${TIMELINESS} FROM dossier_rollups WHERE ${w.sql} GROUP BY period`,
    args: w.args,
  };
}

export function dossierTimelinessByUnitStatement(
  unitIds: readonly string[],
  q: Omit<DossierQuery, 'unitId'>,
): InStatement {
  const w = dossierWhere(unitIds, q);
  return {
    sql: `SELECT unit_id, ${TIMELINESS} FROM dossier_rollups WHERE ${w.sql} GROUP BY unit_id`,
    args: w.args,
  };
}

const toTimeliness = (r: Record<string, unknown>): Timeliness => ({
  total: Number(r.total),
  onTime: Number(r.on_time),
});

/** Returned and on-time dossiers of a unit's subtree over a date range. */
export async function dossierTimeliness(client: Client, q: DossierQuery): Promise<Timeliness> {
  const rs = await client.execute(dossierTimelinessStatement(q));
  return toTimeliness(rs.rows[0] as unknown as Record<string, unknown>);
}

/** {@link dossierTimeliness} per period; periods without dossiers are absent. */
export async function dossierSeries(
  client: Client,
  q: DossierQuery,
  period: StatsPeriod,
): Promise<Map<string, Timeliness>> {
  const rs = await client.execute(dossierSeriesStatement(q, period));
  return new Map(rs.rows.map((r) => [String(r.period), toTimeliness(r as unknown as Record<string, unknown>)]));
}

/** {@link dossierTimeliness} for several units in one query; units without dossiers are absent. */
export async function dossierTimelinessByUnit(
  client: Client,
  unitIds: readonly string[],
  q: Omit<DossierQuery, 'unitId'>,
): Promise<Map<string, Timeliness>> {
  if (unitIds.length === 0) return new Map();
  const rs = await client.execute(dossierTimelinessByUnitStatement(unitIds, q));
  return new Map(rs.rows.map((r) => [String(r.unit_id), toTimeliness(r as unknown as Record<string, unknown>)]));
}

// ── Units and instruments ───────────────────────────────────────────────────────────────────────

export interface StatsUnit {
  id: string;
  parentId: string | null;
  kind: string;
  name: { vi: string; en: string };
  validFrom: string;
  validTo: string | null;
}

const UNIT_COLUMNS = 'id, parent_id, kind, name_vi, name_en, valid_from, valid_to';

function toUnit(r: Record<string, unknown>): StatsUnit {
  return {
    id: String(r.id),
    parentId: r.parent_id === null ? null : String(r.parent_id),
    kind: String(r.kind),
    name: { vi: String(r.name_vi), en: String(r.name_en) },
    validFrom: String(r.valid_from),
    validTo: r.valid_to === null ? null : String(r.valid_to),
  };
}

/** Every unit and procedure code, read once per database (db/per-database.ts): every statistics
 * request asks for its unit, its children and its procedure. */
const tree = oncePerDatabase(async (client) => {
  const [units, procedures] = await Promise.all([
    client.execute(`SELECT ${UNIT_COLUMNS} FROM units`),
    client.execute('SELECT code FROM procedures'),
  ]);
  const list = units.rows.map((r) => toUnit(r as unknown as Record<string, unknown>));
  return {
    units: list,
    byId: new Map(list.map((u) => [u.id, u])),
    procedures: new Set(procedures.rows.map((r) => String(r.code))),
  };
});

export async function findUnit(client: Client, unitId: string): Promise<StatsUnit | undefined> {
  return (await tree(client)).byId.get(unitId);
}

/**
 * The units directly below `unitId` that existed at some time in [from, to]: the rows of the
 * children table. (The units table is the content copy, a few hundred rows: no rollup is read here.)
 */
export async function childrenOf(
  client: Client,
  unitId: string,
  from = '0000-01-01',
  to = '9999-12-31',
): Promise<StatsUnit[]> {
  return (await tree(client)).units.filter(
    (u) => u.parentId === unitId && u.validFrom <= to && (u.validTo === null || u.validTo >= from),
  );
}

export async function procedureExists(client: Client, code: string): Promise<boolean> {
  return (await tree(client)).procedures.has(code);
}

/** Every stored version of an instrument, newest first: their answers are summed in a figure. */
export async function instrumentVersionsOf(
  client: Client,
  instrumentId: string,
): Promise<{ version: string; createdAt: string }[]> {
  const rs = await client.execute({
    sql: `SELECT version, created_at FROM instrument_versions WHERE instrument_id = ?
          ORDER BY created_at DESC, version`,
    args: [instrumentId],
  });
  return rs.rows.map((r) => ({ version: String(r.version), createdAt: String(r.created_at) }));
}
