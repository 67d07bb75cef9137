/**
 * Second factors of staff accounts (issue #7 part 4b; docs/staff-security.md): TOTP secrets (already
 * sealed by the caller), passkeys, hashed recovery codes and the pending state between a right
 * password and the second factor. Pending ids and recovery codes arrive here already hashed.
 */
import type { Client, InStatement } from '@libsql/client';

export interface PendingRow {
  staffId: number;
  stage: 'verify' | 'enrol';
  expiresAt: string;
  usedAt: string | null;
  challenge: string | null;
  totpSecret: string | null;
  username: string;
  active: boolean;
}

export function insertPendingStatement(p: {
  idHash: string;
  staffId: number;
  stage: 'verify' | 'enrol';
  now: Date;
  expiresAt: Date;
}): InStatement {
  return {
    sql: `INSERT INTO staff_pending (id_hash, staff_id, stage, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
    args: [p.idHash, p.staffId, p.stage, p.now.toISOString(), p.expiresAt.toISOString()],
  };
}

export async function findPending(client: Client, idHash: string): Promise<PendingRow | undefined> {
  const rs = await client.execute({
    sql: `SELECT p.staff_id, p.stage, p.expires_at, p.used_at, p.challenge, p.totp_secret, s.username, s.active
          FROM staff_pending p JOIN staff s ON s.id = p.staff_id WHERE p.id_hash = ?`,
    args: [idHash],
  });
  const r = rs.rows[0];
  if (!r) return undefined;
  return {
    staffId: Number(r.staff_id),
    stage: String(r.stage) as 'verify' | 'enrol',
    expiresAt: String(r.expires_at),
    usedAt: r.used_at === null ? null : String(r.used_at),
    challenge: r.challenge === null ? null : String(r.challenge),
    totpSecret: r.totp_secret === null ? null : String(r.totp_secret),
    username: String(r.username),
    active: Number(r.active) === 1,
  };
}

export async function setPendingChallenge(client: Client, idHash: string, challenge: string): Promise<void> {
  await client.execute({ sql: 'UPDATE staff_pending SET challenge = ? WHERE id_hash = ?', args: [challenge, idHash] });
}

/** Keeps the first secret offered in this enrolment (a reload shows the same QR code). */
export async function offerTotpSecret(client: Client, idHash: string, sealed: string): Promise<string> {
  const rs = await client.execute({
    sql: `UPDATE staff_pending SET totp_secret = coalesce(totp_secret, ?) WHERE id_hash = ? RETURNING totp_secret`,
    args: [sealed, idHash],
  });
  return String(rs.rows[0]!.totp_secret);
}

/**
 * Marks the pending state used; in a batch with the session insert, a second concurrent use of the
 * same state changes no row and the caller aborts (see `consumedOrThrow`).
 */
export function consumePendingStatement(idHash: string, now: Date): InStatement {
  return {
    sql: 'UPDATE staff_pending SET used_at = ? WHERE id_hash = ? AND used_at IS NULL AND expires_at > ?',
    args: [now.toISOString(), idHash, now.toISOString()],
  };
}

/** Expired and used pending rows older than a day are of no use to anyone. */
export function prunePendingStatement(now: Date): InStatement {
  return {
    sql: 'DELETE FROM staff_pending WHERE expires_at < ?',
    args: [new Date(now.getTime() - 24 * 3600 * 1000).toISOString()],
  };
}

// ── TOTP ─────────────────────────────────────────────────────────────────────────────────────────

export async function findTotp(client: Client, staffId: number): Promise<{ secret: string } | undefined> {
  const rs = await client.execute({ sql: 'SELECT secret FROM staff_totp WHERE staff_id = ?', args: [staffId] });
  const r = rs.rows[0];
  return r ? { secret: String(r.secret) } : undefined;
}

export function insertTotpStatement(staffId: number, sealed: string, now: Date, lastStep: number | null): InStatement {
  return {
    sql: `INSERT INTO staff_totp (staff_id, secret, last_step, created_at) VALUES (?, ?, ?, ?)
          ON CONFLICT (staff_id) DO UPDATE SET secret = excluded.secret, last_step = excluded.last_step,
            created_at = excluded.created_at`,
    args: [staffId, sealed, lastStep, now.toISOString()],
  };
}

/**
 * Records `step` as used, only when it is newer than the last used one: false for a replay, also
 * when two requests race with the same code (RFC 6238 §5.2).
 */
export async function useTotpStep(client: Client, staffId: number, step: number): Promise<boolean> {
  const rs = await client.execute({
    sql: 'UPDATE staff_totp SET last_step = ? WHERE staff_id = ? AND (last_step IS NULL OR last_step < ?)',
    args: [step, staffId, step],
  });
  return rs.rowsAffected === 1;
}

// ── Passkeys ─────────────────────────────────────────────────────────────────────────────────────

export interface PasskeyRow {
  credentialId: string;
  publicKey: string;
  counter: number;
  transports: string[];
}

export async function passkeysOf(client: Client, staffId: number): Promise<PasskeyRow[]> {
  const rs = await client.execute({
    sql: 'SELECT credential_id, public_key, counter, transports FROM staff_passkeys WHERE staff_id = ? ORDER BY created_at',
    args: [staffId],
  });
  return rs.rows.map((r) => ({
    credentialId: String(r.credential_id),
    publicKey: String(r.public_key),
    counter: Number(r.counter),
    transports: r.transports === null ? [] : (JSON.parse(String(r.transports)) as string[]),
  }));
}

export function insertPasskeyStatement(staffId: number, p: PasskeyRow, now: Date): InStatement {
  return {
    sql: `INSERT INTO staff_passkeys (credential_id, staff_id, public_key, counter, transports, created_at)
          VALUES (?, ?, ?, ?, ?, ?)`,
    args: [p.credentialId, staffId, p.publicKey, p.counter, JSON.stringify(p.transports), now.toISOString()],
  };
}

export function setPasskeyCounterStatement(credentialId: string, counter: number): InStatement {
  return { sql: 'UPDATE staff_passkeys SET counter = ? WHERE credential_id = ?', args: [counter, credentialId] };
}

// ── Recovery codes ───────────────────────────────────────────────────────────────────────────────

/** Replaces every recovery code of the account (shown once, only hashes kept). */
export function replaceRecoveryCodesStatements(staffId: number, hashes: readonly string[]): InStatement[] {
  return [
    { sql: 'DELETE FROM staff_recovery_codes WHERE staff_id = ?', args: [staffId] },
    ...hashes.map((h) => ({
      sql: 'INSERT INTO staff_recovery_codes (staff_id, code_hash) VALUES (?, ?)',
      args: [staffId, h],
    })),
  ];
}

/** Uses a recovery code: true once, false for an unknown or already used code. */
export function useRecoveryCodeStatement(staffId: number, hash: string, now: Date): InStatement {
  return {
    sql: 'UPDATE staff_recovery_codes SET used_at = ? WHERE staff_id = ? AND code_hash = ? AND used_at IS NULL',
    args: [now.toISOString(), staffId, hash],
  };
}

export async function unusedRecoveryCodes(client: Client, staffId: number): Promise<number> {
  const rs = await client.execute({
    sql: 'SELECT count(*) AS n FROM staff_recovery_codes WHERE staff_id = ? AND used_at IS NULL',
    args: [staffId],
  });
  return Number(rs.rows[0]!.n);
}

// ── The account as a whole ───────────────────────────────────────────────────────────────────────

export interface FactorSummary {
  totp: boolean;
  passkeys: number;
  recoveryCodes: number;
}

export async function factorsOf(client: Client, staffId: number): Promise<FactorSummary> {
  const rs = await client.execute({
    sql: `SELECT (SELECT count(*) FROM staff_totp WHERE staff_id = ?) AS t,
                 (SELECT count(*) FROM staff_passkeys WHERE staff_id = ?) AS p,
                 (SELECT count(*) FROM staff_recovery_codes WHERE staff_id = ? AND used_at IS NULL) AS r`,
    args: [staffId, staffId, staffId],
  });
  const r = rs.rows[0]!;
  return { totp: Number(r.t) > 0, passkeys: Number(r.p), recoveryCodes: Number(r.r) };
}

/** An admin reset: every factor, recovery code and pending state of the account goes. */
export function resetFactorsStatements(staffId: number): InStatement[] {
  return ['staff_totp', 'staff_passkeys', 'staff_recovery_codes', 'staff_pending'].map((t) => ({
    sql: `DELETE FROM ${t} WHERE staff_id = ?`,
    args: [staffId],
  }));
}
