/**
 * Staff sign-in (issue #4; OWASP ASVS 5.0 V6/V7): argon2id passwords, throttling checked before any
 * hashing, server-side sessions with idle and absolute timeouts, a per-session CSRF token, and
 * `requireStaff()` for staff routes (session, role, unit subtree, audit row for every write).
 */
import { argon2, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { getCookie } from 'hono/cookie';
import { routePath } from 'hono/route';
import type { Context, MiddlewareHandler } from 'hono';
import type { Client } from '@libsql/client';
import { ProblemError } from '../problem.ts';
import type { AppEnv, Deps } from '../app-env.ts';
import { serverSecret } from '../../db/secrets.ts';
import { unitWithAncestors } from '../../db/units.ts';
import { sha256Hex } from '../../db/dossiers.ts';
import {
  audit,
  countAttempts,
  findSession,
  rolesOf,
  touchSession,
  type RoleGrant,
  type StaffRole,
} from '../../db/staff.ts';

// ── Passwords ────────────────────────────────────────────────────────────────────────────────────

/** OWASP Password Storage Cheat Sheet, argon2id: 19 MiB, 2 iterations, parallelism 1. */
export const ARGON2_PARAMS = { memory: 19 * 1024, passes: 2, parallelism: 1, tagLength: 32 } as const;

interface Argon2Input {
  message: string;
  nonce: Buffer;
  memory: number;
  passes: number;
  parallelism: number;
  tagLength: number;
}

/**
 * The one place argon2 is called, as an object so tests can count the calls (the throttle must
 * refuse before any hashing).
 */
export const kdf = {
  derive(p: Argon2Input): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      argon2('argon2id', p, (err, key) => (err ? reject(err) : resolve(key)));
    });
  },
};

const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');

/**
 * An argon2id PHC string for the password (NFC, so either Vietnamese keyboard form matches).
 * @example await hashPassword('correct horse') // '$argon2id$v=19$m=19456,t=2,p=1$…$…'
 */
export async function hashPassword(password: string): Promise<string> {
  const nonce = randomBytes(16);
  const hash = await kdf.derive({ message: password.normalize('NFC'), nonce, ...ARGON2_PARAMS });
  const { memory: m, passes: t, parallelism: p } = ARGON2_PARAMS;
  return `$argon2id$v=19$m=${m},t=${t},p=${p}$${b64(nonce)}$${b64(hash)}`;
}

const PHC = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

/** Checks a password against a PHC string in constant time; false for a malformed string. */
export async function verifyPassword(password: string, phc: string): Promise<boolean> {
  const m = PHC.exec(phc);
  if (!m) return false;
  const [memory, passes, parallelism] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // Bounds so a tampered row cannot make one sign-in take minutes or gigabytes.
  if (memory < 8 || memory > 256 * 1024 || passes < 1 || passes > 10 || parallelism < 1 || parallelism > 8)
    return false;
  const nonce = Buffer.from(m[4]!, 'base64');
  const expected = Buffer.from(m[5]!, 'base64');
  if (expected.length < 16 || expected.length > 64) return false;
  const actual = await kdf.derive({
    message: password.normalize('NFC'),
    nonce,
    memory,
    passes,
    parallelism,
    tagLength: expected.length,
  });
  return timingSafeEqual(actual, expected);
}

let dummy: Promise<string> | undefined;
/** A hash to verify against when the username is unknown, so timing does not tell accounts apart. */
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(16).toString('base64url'));
  return dummy;
}

/**
 * A random password of 20 characters from an alphabet without look-alikes (about 110 bits).
 * @example generatePassword() // 'k7Qm…'
 */
export function generatePassword(length = 20): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // Rejection sampling keeps every character equally likely.
      if (byte < 256 - (256 % alphabet.length) && out.length < length) out += alphabet[byte % alphabet.length];
    }
  }
  return out;
}

// ── Throttling ───────────────────────────────────────────────────────────────────────────────────

export const THROTTLE = { windowMs: 15 * 60 * 1000, perUsername: 5, perAddress: 20 } as const;

async function bucketKey(client: Client, kind: 'u' | 'a', value: string): Promise<string> {
  const key = await serverSecret(client, 'staff-login-throttle');
  return createHmac('sha256', key).update(`${kind}:${value}`).digest('hex');
}

export interface ThrottleBuckets {
  user: string;
  address: string;
}

/**
 * Counts this attempt against the username and the client address and throws 429
 * `login_throttled` (with Retry-After) when either is over its limit. Called before any argon2.
 */
export async function throttleLogin(
  client: Client,
  username: string,
  address: string,
  now: Date,
): Promise<ThrottleBuckets> {
  const buckets = { user: await bucketKey(client, 'u', username), address: await bucketKey(client, 'a', address) };
  const [u, a] = await countAttempts(client, [buckets.user, buckets.address], now, THROTTLE.windowMs);
  const over = [u!.count > THROTTLE.perUsername ? u! : undefined, a!.count > THROTTLE.perAddress ? a! : undefined];
  const waits = over
    .filter((x) => x !== undefined)
    .map((x) => Math.ceil((x.windowStart.getTime() + THROTTLE.windowMs - now.getTime()) / 1000));
  if (waits.length > 0)
    throw new ProblemError(429, 'login_throttled', { headers: { 'Retry-After': String(Math.max(1, ...waits)) } });
  return buckets;
}

// ── Sessions ─────────────────────────────────────────────────────────────────────────────────────

/** `__Host-`: Secure, Path=/, no Domain, so no subdomain or plain-HTTP page can set or read it. */
export const SESSION_COOKIE = '__Host-gopy_session';

/** The CSRF token of a session: derived from the session id, so only its hash needs storing. */
export function csrfTokenFor(sessionId: string): string {
  return createHmac('sha256', sessionId).update('gopy-csrf').digest('base64url');
}

export function newSessionId(): string {
  return randomBytes(32).toString('base64url');
}

export interface StaffSession {
  idHash: string;
  staffId: number;
  username: string;
  displayName: string;
  csrfHash: string;
  /** The cookie value, only to derive the CSRF token for GET /staff/session; never logged. */
  sessionId: string;
  roles: RoleGrant[];
}

export interface StaffEnv {
  Variables: AppEnv['Variables'] & { staff: StaffSession };
}

/**
 * The session of the request's cookie, or undefined when missing, unknown, revoked, idle for
 * longer than STAFF_IDLE_MINUTES, older than STAFF_SESSION_HOURS, or of a deactivated account.
 */
export async function currentSession(c: Context, deps: Deps): Promise<StaffSession | undefined> {
  const id = getCookie(c, SESSION_COOKIE);
  if (!id || !/^[A-Za-z0-9_-]{43}$/.test(id)) return undefined;
  const idHash = sha256Hex(id);
  const row = await findSession(deps.db.client, idHash);
  if (!row || row.revoked_at !== null || !row.active) return undefined;
  const now = deps.now();
  const idleMs = deps.config.STAFF_IDLE_MINUTES * 60 * 1000;
  if (now.getTime() >= new Date(row.expires_at).getTime()) return undefined;
  if (now.getTime() - new Date(row.last_seen_at).getTime() >= idleMs) return undefined;
  // One write a minute at most per session, not one per request.
  if (now.getTime() - new Date(row.last_seen_at).getTime() >= 60 * 1000)
    await touchSession(deps.db.client, idHash, now);
  return {
    idHash,
    staffId: row.staff_id,
    username: row.username,
    displayName: row.display_name,
    csrfHash: row.csrf_hash,
    sessionId: id,
    roles: await rolesOf(deps.db.client, row.staff_id),
  };
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
const FORM = new Set(['application/x-www-form-urlencoded', 'multipart/form-data']);

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Synchroniser-token CSRF check for writes, on top of the global same-origin check: the
 * `X-CSRF-Token` header (or, for an HTML form post, the hidden field `csrf_token`) must be the
 * session's token.
 */
export async function checkCsrf(c: Context, session: StaffSession): Promise<void> {
  if (SAFE.has(c.req.method)) return;
  let token = c.req.header('x-csrf-token');
  const essence = c.req.header('content-type')?.split(';')[0]?.trim().toLowerCase();
  if (!token && essence && FORM.has(essence)) {
    const field = (await c.req.parseBody())['csrf_token'];
    if (typeof field === 'string') token = field;
  }
  if (!token || token.length > 200 || !sameHash(sha256Hex(token), session.csrfHash))
    throw new ProblemError(403, 'csrf_invalid');
}

/** Staff answers are never cached, by the browser or anything between. */
export const noStore: MiddlewareHandler = async (c, next) => {
  await next();
  c.header('Cache-Control', 'no-store');
};

/** The grants of `role` (any role when absent) whose subtree holds `unit`. */
export async function grantsCovering(
  client: Client,
  roles: readonly RoleGrant[],
  unit: string,
  role?: StaffRole,
): Promise<RoleGrant[]> {
  const chain = await unitWithAncestors(client, unit);
  return roles.filter((g) => (role === undefined || g.role === role) && chain.includes(g.unit));
}

/**
 * Whether an admin with `adminRoles` may grant or manage `target` roles: every one inside one of
 * the admin's subtrees, and an admin role only strictly below the admin's own unit. Peers (admins
 * of the same unit) cannot reset each other's passwords and take over each other's accounts: they
 * are managed from the unit above, or with `npm run staff` on the server (security review, issue
 * #4). An account with no role belongs to the root of the tree.
 */
export async function adminManages(
  client: Client,
  adminRoles: readonly RoleGrant[],
  target: readonly { role?: string; unit: string }[],
  /** 'read' (the audit log): peers' rows are visible, only managing them is not. */
  mode: 'manage' | 'read' = 'manage',
): Promise<boolean> {
  for (const g of target.length > 0 ? target : [{ unit: 'viet-nam' }]) {
    const covering = await grantsCovering(client, adminRoles, g.unit, 'admin');
    const strict = mode === 'manage' && g.role === 'admin';
    const ok = strict ? covering.some((a) => a.unit !== g.unit) : covering.length > 0;
    if (!ok) return false;
  }
  return true;
}

export interface RequireStaffOptions {
  /** false when the handler writes its own, more specific audit row. */
  audit?: boolean;
}

/**
 * Lets a request through only with a live session, the CSRF token on writes, the role (when
 * given) and, when `unitOf` is given, a grant of that role whose subtree holds the target unit.
 * Every allowed write leaves an audit row with its route and status.
 * @example
 *   app.use('/feedback/:id/transfer', requireStaff('coordinator', async (c) => unitOfFeedback(c)));
 */
export function requireStaff(
  role?: StaffRole,
  unitOf?: (c: Context<StaffEnv>) => Promise<string> | string,
  opts: RequireStaffOptions = {},
): MiddlewareHandler<StaffEnv> {
  return async (c, next) => {
    c.header('Cache-Control', 'no-store');
    const deps = c.get('deps');
    const session = await currentSession(c, deps);
    if (!session) throw new ProblemError(401, 'unauthorized', { headers: { 'Cache-Control': 'no-store' } });
    await checkCsrf(c, session);
    if (role && !session.roles.some((g) => g.role === role)) throw new ProblemError(403, 'forbidden_role');
    let unit: string | undefined;
    if (unitOf) {
      unit = await unitOf(c);
      const covering = await grantsCovering(deps.db.client, session.roles, unit, role);
      if (covering.length === 0) throw new ProblemError(403, 'forbidden_unit');
    }
    c.set('staff', session);
    await next();
    if (!SAFE.has(c.req.method) && opts.audit !== false) {
      let route: string;
      try {
        route = routePath(c);
      } catch {
        route = '(unmatched)';
      }
      await audit(deps.db.client, {
        at: deps.now(),
        staffId: session.staffId,
        action: 'write',
        unitId: unit ?? null,
        details: { method: c.req.method, route, status: c.res.status },
      });
    }
    c.header('Cache-Control', 'no-store');
  };
}
