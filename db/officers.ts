/**
 * Counter kiosks and the officials who sign in at them (issue #10 part 3; docs/kiosk-and-officers.md):
 * officials known only by a pseudonymous code, device links of kiosks (the secret stored as sha256),
 * shifts, and the raw monthly counts the officer results are computed from. No name of an official
 * is ever stored here.
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { Client, InStatement } from '@libsql/client';
import { sha256Hex } from './dossiers.ts';

/**
 * A pseudonymous official code as one-stop systems write it: upper-case letters, digits, '.', '_'
 * and '-', 3–32 characters, starting with a letter or digit. No spaces, lower case or diacritics, so
 * a name ("Nguyễn Văn A", "nguyen.van.a") is never accepted as a code.
 */
export const OFFICIAL_CODE_PATTERN = /^[A-Z0-9][A-Z0-9._-]{2,31}$/;

/** The kiosk sign-in code: 6 digits, handed to the official once. */
export const PIN_PATTERN = /^\d{6}$/;

/** A kiosk device secret: 32 random bytes, base64url. */
export const DEVICE_SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** A shift's public id, what the kiosk page holds: 16 random bytes, base64url. */
export const SHIFT_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

export interface Official {
  id: number;
  unitId: string;
  code: string;
  staffId: number | null;
}

function toOfficial(r: Record<string, unknown>): Official {
  return {
    id: Number(r.id),
    unitId: String(r.unit_id),
    code: String(r.code),
    staffId: r.staff_id === null ? null : Number(r.staff_id),
  };
}

/** A new 6-digit code, uniformly drawn. */
export function newPin(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

/**
 * Creates an official of a unit, or gives an existing one (same unit and code) a new sign-in code
 * and staff link. `pinHash` is the keyed hash of the code (api/kiosk.ts `pinHash`).
 */
export function upsertOfficialStatement(o: {
  unitId: string;
  code: string;
  pinHash: string;
  staffId: number | null;
  now: Date;
}): InStatement {
  return {
    sql: `INSERT INTO officials (unit_id, code, pin_hash, staff_id, created_at) VALUES (?, ?, ?, ?, ?)
          ON CONFLICT (unit_id, code) DO UPDATE SET pin_hash = excluded.pin_hash, staff_id = excluded.staff_id
          RETURNING id`,
    args: [o.unitId, o.code, o.pinHash, o.staffId, o.now.toISOString()],
  };
}

export async function findOfficialByPin(
  client: Client,
  unitId: string,
  pinHash: string,
): Promise<Official | undefined> {
  const rs = await client.execute({
    sql: 'SELECT id, unit_id, code, staff_id FROM officials WHERE unit_id = ? AND pin_hash = ?',
    args: [unitId, pinHash],
  });
  return rs.rows[0] ? toOfficial(rs.rows[0]) : undefined;
}

/** The officials with this code, in whichever unit (a code is unique per unit only). */
export async function officialsByCode(client: Client, code: string): Promise<Official[]> {
  const rs = await client.execute({
    sql: 'SELECT id, unit_id, code, staff_id FROM officials WHERE code = ? ORDER BY unit_id',
    args: [code],
  });
  return rs.rows.map(toOfficial);
}

export async function findOfficial(client: Client, unitId: string, code: string): Promise<Official | undefined> {
  const rs = await client.execute({
    sql: 'SELECT id, unit_id, code, staff_id FROM officials WHERE unit_id = ? AND code = ?',
    args: [unitId, code],
  });
  return rs.rows[0] ? toOfficial(rs.rows[0]) : undefined;
}

/** The officials of these units (a supervisor's subtree), by unit then code. */
export async function officialsOfUnits(client: Client, units: readonly string[]): Promise<Official[]> {
  if (units.length === 0) return [];
  const rs = await client.execute({
    sql: `SELECT id, unit_id, code, staff_id FROM officials WHERE unit_id IN (${units.map(() => '?').join(', ')})
          ORDER BY unit_id, code`,
    args: [...units],
  });
  return rs.rows.map(toOfficial);
}

/** The officials linked to a staff account (the account's own results). */
export async function officialsOfStaff(client: Client, staffId: number): Promise<Official[]> {
  const rs = await client.execute({
    sql: 'SELECT id, unit_id, code, staff_id FROM officials WHERE staff_id = ? ORDER BY unit_id, code',
    args: [staffId],
  });
  return rs.rows.map(toOfficial);
}

// ── Kiosk devices ────────────────────────────────────────────────────────────────────────────────

export interface KioskDevice {
  id: number;
  unitId: string;
  counter: string;
  label: string;
  createdAt: string;
  revokedAt: string | null;
}

function toDevice(r: Record<string, unknown>): KioskDevice {
  return {
    id: Number(r.id),
    unitId: String(r.unit_id),
    counter: String(r.counter),
    label: String(r.label),
    createdAt: String(r.created_at),
    revokedAt: r.revoked_at === null ? null : String(r.revoked_at),
  };
}

/** A new device secret: shown once in the device link, stored only as its sha256. */
export function newDeviceSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function insertDeviceStatement(d: {
  unitId: string;
  counter: string;
  label: string;
  secret: string;
  createdBy: number | null;
  now: Date;
}): InStatement {
  return {
    sql: `INSERT INTO kiosk_devices (unit_id, counter, label, secret_hash, created_by, created_at)
          VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
    args: [d.unitId, d.counter, d.label, sha256Hex(d.secret), d.createdBy, d.now.toISOString()],
  };
}

/** The device of a secret, revoked or not (the caller tells the two apart); undefined when unknown. */
export async function findDeviceBySecret(client: Client, secret: string): Promise<KioskDevice | undefined> {
  if (!DEVICE_SECRET_PATTERN.test(secret)) return undefined;
  const rs = await client.execute({
    sql: 'SELECT id, unit_id, counter, label, created_at, revoked_at FROM kiosk_devices WHERE secret_hash = ?',
    args: [sha256Hex(secret)],
  });
  return rs.rows[0] ? toDevice(rs.rows[0]) : undefined;
}

export async function findDevice(client: Client, id: number): Promise<KioskDevice | undefined> {
  const rs = await client.execute({
    sql: 'SELECT id, unit_id, counter, label, created_at, revoked_at FROM kiosk_devices WHERE id = ?',
    args: [id],
  });
  return rs.rows[0] ? toDevice(rs.rows[0]) : undefined;
}

export async function devicesOfUnits(client: Client, units: readonly string[]): Promise<KioskDevice[]> {
  if (units.length === 0) return [];
  const rs = await client.execute({
    sql: `SELECT id, unit_id, counter, label, created_at, revoked_at FROM kiosk_devices
          WHERE unit_id IN (${units.map(() => '?').join(', ')}) ORDER BY unit_id, counter, id`,
    args: [...units],
  });
  return rs.rows.map(toDevice);
}

/** Revoking a device also ends its open shift. */
export function revokeDeviceStatements(id: number, now: Date): InStatement[] {
  return [
    {
      sql: 'UPDATE kiosk_devices SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL',
      args: [now.toISOString(), id],
    },
    {
      sql: 'UPDATE kiosk_shifts SET ended_at = ? WHERE device_id = ? AND ended_at IS NULL',
      args: [now.toISOString(), id],
    },
  ];
}

// ── Shifts ───────────────────────────────────────────────────────────────────────────────────────

export interface Shift {
  id: number;
  publicId: string;
  deviceId: number;
  officialId: number;
  startedAt: string;
  endedAt: string | null;
}

function toShift(r: Record<string, unknown>): Shift {
  return {
    id: Number(r.id),
    publicId: String(r.public_id),
    deviceId: Number(r.device_id),
    officialId: Number(r.official_id),
    startedAt: String(r.started_at),
    endedAt: r.ended_at === null ? null : String(r.ended_at),
  };
}

/** A new shift at a device ends the device's open one: one official on duty per counter. */
export function startShiftStatements(deviceId: number, officialId: number, publicId: string, now: Date): InStatement[] {
  const at = now.toISOString();
  return [
    { sql: 'UPDATE kiosk_shifts SET ended_at = ? WHERE device_id = ? AND ended_at IS NULL', args: [at, deviceId] },
    {
      sql: 'INSERT INTO kiosk_shifts (public_id, device_id, official_id, started_at) VALUES (?, ?, ?, ?)',
      args: [publicId, deviceId, officialId, at],
    },
  ];
}

export function endShiftStatement(deviceId: number, now: Date): InStatement {
  return {
    sql: 'UPDATE kiosk_shifts SET ended_at = ? WHERE device_id = ? AND ended_at IS NULL',
    args: [now.toISOString(), deviceId],
  };
}

export async function openShift(client: Client, deviceId: number): Promise<Shift | undefined> {
  const rs = await client.execute({
    sql: `SELECT id, public_id, device_id, official_id, started_at, ended_at FROM kiosk_shifts
          WHERE device_id = ? AND ended_at IS NULL ORDER BY id DESC LIMIT 1`,
    args: [deviceId],
  });
  return rs.rows[0] ? toShift(rs.rows[0]) : undefined;
}

export async function findShift(client: Client, publicId: string): Promise<Shift | undefined> {
  if (!SHIFT_ID_PATTERN.test(publicId)) return undefined;
  const rs = await client.execute({
    sql: 'SELECT id, public_id, device_id, official_id, started_at, ended_at FROM kiosk_shifts WHERE public_id = ?',
    args: [publicId],
  });
  return rs.rows[0] ? toShift(rs.rows[0]) : undefined;
}

// ── Raw monthly counts of officer results ────────────────────────────────────────────────────────

/** The dossiers of one month (Việt Nam time of return) by official code, for these units. */
export interface DossierCount {
  unitId: string;
  /** null: dossiers registered without an official's code. */
  code: string | null;
  total: number;
  late: number;
}

/** 'YYYY-MM' → the UTC instants bounding that month in Việt Nam (UTC+7). */
export function vnMonthRange(month: string): { from: string; to: string } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const from = new Date(Date.UTC(y, m - 1, 1) - 7 * 3_600_000);
  const to = new Date(Date.UTC(y, m, 1) - 7 * 3_600_000);
  return { from: from.toISOString(), to: to.toISOString() };
}

export async function dossierCounts(client: Client, units: readonly string[], month: string): Promise<DossierCount[]> {
  if (units.length === 0) return [];
  const { from, to } = vnMonthRange(month);
  const rs = await client.execute({
    sql: `SELECT unit_id, official_code, count(*) AS total, sum(1 - on_time) AS late FROM dossiers
          WHERE unit_id IN (${units.map(() => '?').join(', ')}) AND returned_at >= ? AND returned_at < ?
          GROUP BY unit_id, official_code`,
    args: [...units, from, to],
  });
  return rs.rows.map((r) => ({
    unitId: String(r.unit_id),
    code: r.official_code === null ? null : String(r.official_code),
    total: Number(r.total),
    late: Number(r.late),
  }));
}

/** One rating counted for an official: the answers, to be scored by its instrument. */
export interface OfficerRating {
  unitId: string;
  code: string | null;
  source: 'verified' | 'kiosk';
  instrumentVersion: string;
  answers: Record<string, string | string[]>;
}

/**
 * The month's ratings of these units that name an official: verified ratings of dossiers that carry
 * an official's code, and kiosk ratings given during a shift (a kiosk rating with no one signed in
 * counts for the unit only, like any self-selected rating).
 */
export async function officerRatings(
  client: Client,
  units: readonly string[],
  month: string,
): Promise<OfficerRating[]> {
  if (units.length === 0) return [];
  const list = units.map(() => '?').join(', ');
  const rs = await client.execute({
    sql: `SELECT r.id, r.unit_id, r.instrument_version, 'verified' AS source, d.official_code AS code
          FROM responses r JOIN dossiers d ON d.id = r.dossier_id
          WHERE r.verified = 1 AND r.unit_id IN (${list}) AND substr(r.day, 1, 7) = ?
          UNION ALL
          SELECT r.id, r.unit_id, r.instrument_version, 'kiosk' AS source, o.code AS code
          FROM responses r JOIN kiosk_shifts s ON s.id = r.shift_id JOIN officials o ON o.id = s.official_id
          WHERE r.shift_id IS NOT NULL AND r.unit_id IN (${list}) AND substr(r.day, 1, 7) = ?`,
    args: [...units, month, ...units, month],
  });
  if (rs.rows.length === 0) return [];
  const ids = rs.rows.map((r) => Number(r.id));
  const answers = new Map<number, Record<string, string | string[]>>();
  for (let i = 0; i < ids.length; i += 500) {
    const part = ids.slice(i, i + 500);
    const a = await client.execute({
      sql: `SELECT response_id, question_id, value FROM answers WHERE response_id IN (${part.map(() => '?').join(', ')})
            ORDER BY rowid`,
      args: part,
    });
    for (const r of a.rows) {
      const id = Number(r.response_id);
      const q = String(r.question_id);
      const rec = answers.get(id) ?? {};
      const prev = rec[q];
      rec[q] = prev === undefined ? String(r.value) : [...(Array.isArray(prev) ? prev : [prev]), String(r.value)];
      answers.set(id, rec);
    }
  }
  return rs.rows.map((r) => ({
    unitId: String(r.unit_id),
    code: r.code === null ? null : String(r.code),
    source: String(r.source) as 'verified' | 'kiosk',
    instrumentVersion: String(r.instrument_version),
    answers: answers.get(Number(r.id)) ?? {},
  }));
}
