/**
 * The random sample of dossiers invited to the survey (issue #10 §2; docs/reform-office.md): a plan
 * per unit and month of return, made once and never changed, and the rule that picks the dossiers.
 *
 * - expected N: the dossiers the unit's subtree returned in the month before (dossier_rollups);
 * - needed n: Slovin's n = N / (1 + N·e²) at the plan's margin e (SIPAS surveys of the Ministry of
 *   Home Affairs use e = 5 %);
 * - response rate r: invitations redeemed / issued in the month before, when at least 20 were
 *   issued; else 1/3 (a planning assumption, stated on the plan);
 * - rate p = min(1, n / (r·N)): the share of dossiers invited; every dossier when N = 0.
 *
 * A dossier with code c of unit u is invited when sha256("<seed>:<u>:<c>") read as a fraction of
 * 2^52 is below p. The seed is 32 random bytes, secret while the month runs (a one-stop system that
 * knew it could choose codes that get invitations) and shown to staff once the month is over, so
 * the selection can be recomputed by anyone holding the dossier codes.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Client } from '@libsql/client';

/** Planning response rate when the month before gives too little to measure one. */
export const ASSUMED_RESPONSE_RATE = 1 / 3;
/** Invitations of the month before needed to use its measured response rate instead. */
export const MIN_ISSUED_FOR_RATE = 20;

export interface SamplePlan {
  unitId: string;
  month: string;
  seed: string;
  margin: number;
  expected: number;
  needed: number;
  responseRate: number;
  rate: number;
  createdAt: string;
}

/** Slovin's n = N / (1 + N·e²), rounded up; e as a fraction. */
export function slovin(population: number, margin: number): number {
  if (population <= 0) return 0;
  return Math.ceil(population / (1 + population * margin * margin) - 1e-9);
}

/**
 * The fraction in [0, 1) a dossier draws under a seed: the first 52 bits of a sha256.
 * @example draw('00…', 'phuong-ninh-hoa', 'HS-1') // 0.4137…
 */
export function draw(seed: string, unitId: string, code: string): number {
  const hex = createHash('sha256').update(`${seed}:${unitId}:${code}`).digest('hex').slice(0, 13);
  return parseInt(hex, 16) / 2 ** 52;
}

/** Whether the plan invites the dossier. */
export function invited(plan: Pick<SamplePlan, 'seed' | 'unitId' | 'rate'>, code: string): boolean {
  return plan.rate >= 1 || draw(plan.seed, plan.unitId, code) < plan.rate;
}

const previousMonth = (month: string) => {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y!, m! - 2, 1)).toISOString().slice(0, 7);
};

function toPlan(r: Record<string, unknown>): SamplePlan {
  return {
    unitId: String(r.unit_id),
    month: String(r.month),
    seed: String(r.seed),
    margin: Number(r.margin),
    expected: Number(r.expected),
    needed: Number(r.needed),
    responseRate: Number(r.response_rate),
    rate: Number(r.rate),
    createdAt: String(r.created_at),
  };
}

/** The plan of a unit and month, if one was made. */
export async function findSamplePlan(client: Client, unitId: string, month: string): Promise<SamplePlan | undefined> {
  const rs = await client.execute({
    sql: 'SELECT * FROM sample_plans WHERE unit_id = ? AND month = ?',
    args: [unitId, month],
  });
  const row = rs.rows[0];
  return row ? toPlan(row as unknown as Record<string, unknown>) : undefined;
}

/** The UTC instant the month after `month` starts in Viet Nam (UTC+7, no daylight saving). */
function nextMonthStartUtc(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y!, m!, 1) - 7 * 3_600_000).toISOString();
}

/** The UTC instant `month` starts in Viet Nam. */
function monthStartUtc(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y!, m! - 1, 1) - 7 * 3_600_000).toISOString();
}

/** Invitations issued and redeemed for dossiers of the unit's subtree returned in the month (Viet Nam time). */
export async function invitationsOfMonth(
  client: Client,
  unitId: string,
  month: string,
): Promise<{ issued: number; redeemed: number }> {
  const rs = await client.execute({
    sql: `WITH RECURSIVE sub(id, depth) AS (
            SELECT ?, 0 UNION SELECT u.id, s.depth + 1 FROM units u JOIN sub s ON u.parent_id = s.id WHERE s.depth < 32)
          SELECT count(*) AS issued, count(t.redeemed_at) AS redeemed
          FROM survey_tokens t JOIN dossiers d ON d.id = t.dossier_id
          WHERE d.unit_id IN (SELECT id FROM sub) AND d.returned_at >= ? AND d.returned_at < ?`,
    args: [unitId, monthStartUtc(month), nextMonthStartUtc(month)],
  });
  const r = rs.rows[0]!;
  return { issued: Number(r.issued), redeemed: Number(r.redeemed) };
}

/** Dossiers the unit's subtree returned in the month (Viet Nam days, from the rollups). */
export async function returnedOfMonth(client: Client, unitId: string, month: string): Promise<number> {
  const rs = await client.execute({
    sql: `SELECT coalesce(sum(total), 0) AS n FROM dossier_rollups
          WHERE unit_id = ? AND procedure_code = '' AND day BETWEEN ? AND ?`,
    args: [unitId, `${month}-01`, `${month}-31`],
  });
  return Number(rs.rows[0]!.n);
}

/**
 * The plan of a unit and month: the stored one, or a new one made from the month before (see the
 * module comment). Two requests making it at once keep the first (INSERT OR IGNORE, then read).
 */
export async function samplePlanFor(
  client: Client,
  unitId: string,
  month: string,
  opts: { margin: number; now: Date; seed?: string | undefined },
): Promise<SamplePlan> {
  const found = await findSamplePlan(client, unitId, month);
  if (found) return found;
  const before = previousMonth(month);
  const [expected, inv] = await Promise.all([
    returnedOfMonth(client, unitId, before),
    invitationsOfMonth(client, unitId, before),
  ]);
  const needed = slovin(expected, opts.margin / 100);
  const responseRate =
    inv.issued >= MIN_ISSUED_FOR_RATE && inv.redeemed > 0 ? inv.redeemed / inv.issued : ASSUMED_RESPONSE_RATE;
  const rate = expected === 0 ? 1 : Math.min(1, needed / (responseRate * expected));
  await client.execute({
    sql: `INSERT OR IGNORE INTO sample_plans (unit_id, month, seed, margin, expected, needed, response_rate, rate, created_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    args: [
      unitId,
      month,
      opts.seed ?? randomBytes(32).toString('hex'),
      opts.margin,
      expected,
      needed,
      responseRate,
      rate,
      opts.now.toISOString(),
    ],
  });
  return (await findSamplePlan(client, unitId, month))!;
}

/** Plans of a unit (newest first), for the staff page; the seed only of months that are over. */
export async function samplePlansOf(
  client: Client,
  unitId: string,
  currentMonth: string,
): Promise<(Omit<SamplePlan, 'seed'> & { seed: string | null })[]> {
  const rs = await client.execute({
    sql: 'SELECT * FROM sample_plans WHERE unit_id = ? ORDER BY month DESC LIMIT 24',
    args: [unitId],
  });
  return rs.rows.map((r) => {
    const p = toPlan(r as unknown as Record<string, unknown>);
    return { ...p, seed: p.month < currentMonth ? p.seed : null };
  });
}
