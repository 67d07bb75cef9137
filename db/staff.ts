/**
 * Staff accounts, roles, sessions, sign-in throttling and the audit log (issue #4). Session ids and
 * CSRF tokens arrive here already hashed; passwords arrive as argon2id PHC strings.
 */
import type { Client, InStatement } from '@libsql/client';

/** `supervisor` (issue #10): reads the officer results of the officials of its unit subtree. */
export const staffRoles = ['coordinator', 'handler', 'publisher', 'admin', 'supervisor'] as const;
export type StaffRole = (typeof staffRoles)[number];

export interface RoleGrant {
  role: StaffRole;
  unit: string;
  unit_name: string;
}

/**
 * One spelling per account: NFC (Vietnamese keyboards send either form) and lower case.
 * @example normalizeUsername('  Lan.Nguyen ') // 'lan.nguyen'
 */
export function normalizeUsername(username: string): string {
  return username.trim().normalize('NFC').toLowerCase().normalize('NFC');
}

export interface NewStaff {
  username: string;
  displayName: string;
  passwordHash: string;
  roles: readonly { role: StaffRole; unit: string }[];
  now: Date;
}

/**
 * Creates an account with its roles in one batch and returns its id.
 * @example await createStaff(db.client, { username: 'lan', displayName: 'Lan', passwordHash, roles: [{ role: 'handler', unit: 'phuong-ninh-hoa' }], now: new Date() })
 */
export async function createStaff(
  client: Client,
  s: NewStaff,
  /** The audit row of the creation, written in the same batch (its target is the new account). */
  audit?: Omit<AuditEntry, 'targetType' | 'targetId'>,
): Promise<number> {
  const username = normalizeUsername(s.username);
  const rs = await client.batch(
    [
      {
        sql: 'INSERT INTO staff (username, display_name, password_hash, active, created_at) VALUES (?, ?, ?, 1, ?)',
        args: [username, s.displayName.normalize('NFC'), s.passwordHash, s.now.toISOString()],
      },
      ...s.roles.map((r) => ({
        sql: 'INSERT INTO staff_roles (staff_id, role, unit_id) VALUES ((SELECT id FROM staff WHERE username = ?), ?, ?)',
        args: [username, r.role, r.unit],
      })),
      ...(audit
        ? [
            {
              sql: `INSERT INTO audit_log (at, staff_id, action, target_type, target_id, unit_id, details)
                    VALUES (?, ?, ?, 'staff', (SELECT CAST(id AS TEXT) FROM staff WHERE username = ?), ?, ?)`,
              args: [
                audit.at.toISOString(),
                audit.staffId,
                audit.action,
                username,
                audit.unitId ?? null,
                audit.details ? JSON.stringify(audit.details) : null,
              ],
            },
          ]
        : []),
      { sql: 'SELECT id FROM staff WHERE username = ?', args: [username] },
    ],
    'write',
  );
  return Number(rs.at(-1)!.rows[0]!.id);
}

/** Sets a new password hash (demo accounts get a fresh password on every start). */
export async function setPasswordHash(client: Client, staffId: number, passwordHash: string): Promise<void> {
  await client.execute({ sql: 'UPDATE staff SET password_hash = ? WHERE id = ?', args: [passwordHash, staffId] });
}

export interface StaffRow {
  id: number;
  username: string;
  display_name: string;
  password_hash: string;
  active: boolean;
}

function toStaff(r: Record<string, unknown>): StaffRow {
  return {
    id: Number(r.id),
    username: String(r.username),
    display_name: String(r.display_name),
    password_hash: String(r.password_hash),
    active: Number(r.active) === 1,
  };
}

export async function findStaffByUsername(client: Client, username: string): Promise<StaffRow | undefined> {
  const rs = await client.execute({
    sql: 'SELECT id, username, display_name, password_hash, active FROM staff WHERE username = ?',
    args: [normalizeUsername(username)],
  });
  const r = rs.rows[0];
  return r ? toStaff(r) : undefined;
}

export async function findStaffById(client: Client, id: number): Promise<StaffRow | undefined> {
  const rs = await client.execute({
    sql: 'SELECT id, username, display_name, password_hash, active FROM staff WHERE id = ?',
    args: [id],
  });
  const r = rs.rows[0];
  return r ? toStaff(r) : undefined;
}

export async function rolesOf(client: Client, staffId: number): Promise<RoleGrant[]> {
  const rs = await client.execute({
    sql: `SELECT r.role, r.unit_id, u.name_vi FROM staff_roles r JOIN units u ON u.id = r.unit_id
          WHERE r.staff_id = ? ORDER BY r.role, r.unit_id`,
    args: [staffId],
  });
  return rs.rows.map((r) => ({
    role: String(r.role) as StaffRole,
    unit: String(r.unit_id),
    unit_name: String(r.name_vi),
  }));
}

export interface SessionRow {
  staff_id: number;
  csrf_hash: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  revoked_at: string | null;
  username: string;
  display_name: string;
  active: boolean;
}

export function insertSessionStatement(s: {
  idHash: string;
  staffId: number;
  csrfHash: string;
  now: Date;
  expiresAt: Date;
}): InStatement {
  const now = s.now.toISOString();
  return {
    sql: `INSERT INTO sessions (id_hash, staff_id, csrf_hash, created_at, last_seen_at, expires_at)
          VALUES (?, ?, ?, ?, ?, ?)`,
    args: [s.idHash, s.staffId, s.csrfHash, now, now, s.expiresAt.toISOString()],
  };
}

export async function findSession(client: Client, idHash: string): Promise<SessionRow | undefined> {
  const rs = await client.execute({
    sql: `SELECT s.staff_id, s.csrf_hash, s.created_at, s.last_seen_at, s.expires_at, s.revoked_at,
                 st.username, st.display_name, st.active
          FROM sessions s JOIN staff st ON st.id = s.staff_id WHERE s.id_hash = ?`,
    args: [idHash],
  });
  const r = rs.rows[0];
  if (!r) return undefined;
  return {
    staff_id: Number(r.staff_id),
    csrf_hash: String(r.csrf_hash),
    created_at: String(r.created_at),
    last_seen_at: String(r.last_seen_at),
    expires_at: String(r.expires_at),
    revoked_at: r.revoked_at === null ? null : String(r.revoked_at),
    username: String(r.username),
    display_name: String(r.display_name),
    active: Number(r.active) === 1,
  };
}

export async function touchSession(client: Client, idHash: string, now: Date): Promise<void> {
  await client.execute({
    sql: 'UPDATE sessions SET last_seen_at = ? WHERE id_hash = ? AND revoked_at IS NULL',
    args: [now.toISOString(), idHash],
  });
}

export function revokeSessionStatement(idHash: string, now: Date): InStatement {
  return {
    sql: 'UPDATE sessions SET revoked_at = ? WHERE id_hash = ? AND revoked_at IS NULL',
    args: [now.toISOString(), idHash],
  };
}

export function revokeAllSessionsStatement(staffId: number, now: Date): InStatement {
  return {
    sql: 'UPDATE sessions SET revoked_at = ? WHERE staff_id = ? AND revoked_at IS NULL',
    args: [now.toISOString(), staffId],
  };
}

/**
 * Counts one attempt in each bucket (a new window when the old one is over) and returns the
 * counts, atomically, so concurrent attempts cannot slip past the limit.
 */
export async function countAttempts(
  client: Client,
  buckets: readonly string[],
  now: Date,
  windowMs: number,
): Promise<{ bucket: string; windowStart: Date; count: number }[]> {
  const cutoff = new Date(now.getTime() - windowMs).toISOString();
  const rs = await client.batch(
    buckets.map((bucket) => ({
      // SQLite evaluates every SET expression on the old row, so both CASEs see the old window.
      sql: `INSERT INTO login_attempts (bucket, window_start, count) VALUES (?, ?, 1)
            ON CONFLICT (bucket) DO UPDATE SET
              window_start = CASE WHEN window_start <= ? THEN excluded.window_start ELSE window_start END,
              count = CASE WHEN window_start <= ? THEN 1 ELSE count + 1 END
            RETURNING window_start, count`,
      args: [bucket, now.toISOString(), cutoff, cutoff],
    })),
    'write',
  );
  return rs.map((r, i) => ({
    bucket: buckets[i]!,
    windowStart: new Date(String(r.rows[0]!.window_start)),
    count: Number(r.rows[0]!.count),
  }));
}

/**
 * After a successful sign-in: the username starts afresh, the address gives back the attempts of
 * this sign-in (`attempts`: 1 for a password alone, 2 for password and second factor).
 */
export function forgiveAttemptsStatements(userBucket: string, addressBucket: string, attempts = 1): InStatement[] {
  return [
    { sql: 'DELETE FROM login_attempts WHERE bucket = ?', args: [userBucket] },
    { sql: 'UPDATE login_attempts SET count = max(count - ?, 0) WHERE bucket = ?', args: [attempts, addressBucket] },
  ];
}

export interface AuditEntry {
  at: Date;
  staffId: number | null;
  action: string;
  targetType?: string | null;
  targetId?: string | null;
  unitId?: string | null;
  /** Codes and ids only: never a name, a password, a username or a cookie. */
  details?: Record<string, string | number | boolean | null>;
}

export function auditStatement(e: AuditEntry & { targetByTrackingCode?: string }): InStatement {
  // A case written in the same batch is named by its tracking code (its id is not known yet).
  const target =
    e.targetByTrackingCode === undefined ? '?' : '(SELECT CAST(id AS TEXT) FROM feedback WHERE tracking_code = ?)';
  return {
    sql: `INSERT INTO audit_log (at, staff_id, action, target_type, target_id, unit_id, details)
          VALUES (?, ?, ?, ?, ${target}, ?, ?)`,
    args: [
      e.at.toISOString(),
      e.staffId,
      e.action,
      e.targetType ?? null,
      e.targetByTrackingCode ?? e.targetId ?? null,
      e.unitId ?? null,
      e.details ? JSON.stringify(e.details) : null,
    ],
  };
}

export async function audit(client: Client, e: AuditEntry): Promise<void> {
  await client.execute(auditStatement(e));
}

export interface StaffListRow {
  id: number;
  username: string;
  display_name: string;
  active: boolean;
  created_at: string;
  /** The newest request of any of their sessions, or null when they never signed in. */
  last_seen_at: string | null;
  roles: RoleGrant[];
}

/** Every account with its roles, for an admin's list (the caller keeps those in the admin's units). */
export async function listStaff(client: Client): Promise<StaffListRow[]> {
  const [accounts, grants] = await client.batch(
    [
      `SELECT s.id, s.username, s.display_name, s.active, s.created_at,
              (SELECT max(last_seen_at) FROM sessions WHERE staff_id = s.id) AS last_seen_at
       FROM staff s ORDER BY s.username`,
      `SELECT r.staff_id, r.role, r.unit_id, u.name_vi FROM staff_roles r JOIN units u ON u.id = r.unit_id
       ORDER BY r.role, r.unit_id`,
    ],
    'read',
  );
  const byStaff = new Map<number, RoleGrant[]>();
  for (const g of grants!.rows) {
    const list = byStaff.get(Number(g.staff_id)) ?? [];
    list.push({ role: String(g.role) as StaffRole, unit: String(g.unit_id), unit_name: String(g.name_vi) });
    byStaff.set(Number(g.staff_id), list);
  }
  return accounts!.rows.map((r) => ({
    id: Number(r.id),
    username: String(r.username),
    display_name: String(r.display_name),
    active: Number(r.active) === 1,
    created_at: String(r.created_at),
    last_seen_at: r.last_seen_at === null ? null : String(r.last_seen_at),
    roles: byStaff.get(Number(r.id)) ?? [],
  }));
}

/** Deactivating an account ends its sessions too (currentSession also refuses inactive accounts). */
export function setActiveStatements(staffId: number, active: boolean, now: Date): InStatement[] {
  return [
    { sql: 'UPDATE staff SET active = ? WHERE id = ?', args: [active ? 1 : 0, staffId] },
    ...(active ? [] : [revokeAllSessionsStatement(staffId, now)]),
  ];
}

export interface AuditRow {
  id: number;
  at: string;
  staff_id: number | null;
  staff_username: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  unit_id: string | null;
  details: string | null;
}

/** The newest audit rows first; `units` limits them to rows of those units or of those staff. */
export async function readAudit(
  client: Client,
  filter: {
    units: readonly string[];
    staffIds: readonly number[];
    action?: string | undefined;
    limit: number;
    offset: number;
  },
): Promise<AuditRow[]> {
  const u = filter.units.map(() => '?').join(', ') || "''";
  const s = filter.staffIds.map(() => '?').join(', ') || '-1';
  const rs = await client.execute({
    sql: `SELECT a.id, a.at, a.staff_id, st.username, a.action, a.target_type, a.target_id, a.unit_id, a.details
          FROM audit_log a LEFT JOIN staff st ON st.id = a.staff_id
          WHERE (a.unit_id IN (${u}) OR a.staff_id IN (${s}))${filter.action ? ' AND a.action = ?' : ''}
          ORDER BY a.id DESC LIMIT ? OFFSET ?`,
    args: [...filter.units, ...filter.staffIds, ...(filter.action ? [filter.action] : []), filter.limit, filter.offset],
  });
  return rs.rows.map((r) => ({
    id: Number(r.id),
    at: String(r.at),
    staff_id: r.staff_id === null ? null : Number(r.staff_id),
    staff_username: r.username === null ? null : String(r.username),
    action: String(r.action),
    target_type: r.target_type === null ? null : String(r.target_type),
    target_id: r.target_id === null ? null : String(r.target_id),
    unit_id: r.unit_id === null ? null : String(r.unit_id),
    details: r.details === null ? null : String(r.details),
  }));
}
