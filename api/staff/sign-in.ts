/**
 * The end of a staff sign-in (issue #4, issue #7 part 4b): a session after every required factor,
 * or the pending state between a right password and the second factor. The pending state is no
 * session: it has its own cookie and table, opens no staff route, lasts PENDING_MINUTES and is
 * used once (docs/staff-security.md).
 */
import type { Context } from 'hono';
import type { InStatement } from '@libsql/client';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { clientAddress } from '../open-submission.ts';
import { ProblemError } from '../problem.ts';
import type { Deps } from '../app-env.ts';
import { SESSION_COOKIE, csrfTokenFor, newSessionId, throttleLogin, type ThrottleBuckets } from './auth.ts';
import { sha256Hex } from '../../db/dossiers.ts';
import { PENDING_COOKIE, PENDING_MINUTES } from './second-factor.ts';
import {
  auditStatement,
  forgiveAttemptsStatements,
  insertSessionStatement,
  revokeSessionStatement,
} from '../../db/staff.ts';
import {
  consumePendingStatement,
  findPending,
  insertPendingStatement,
  prunePendingStatement,
  type PendingRow,
} from '../../db/staff-mfa.ts';

const COOKIE = { path: '/', secure: true, httpOnly: true, sameSite: 'Strict' } as const;

/**
 * Opens a session: a new id (a session presented at sign-in ends: no fixation), the throttle
 * forgiven, the audit row and `also.statements` (a factor stored) in one batch. `also.consume`
 * first uses the pending state; when that changes no row (a concurrent request used it), nothing
 * more is written and 401 `pending_invalid` is thrown.
 */
export async function issueSession(
  c: Context,
  deps: Deps,
  staffId: number,
  buckets: ThrottleBuckets,
  details: Record<string, string>,
  also: { consume?: string; statements?: InStatement[] } = {},
): Promise<void> {
  const client = deps.db.client;
  const now = deps.now();
  const sessionId = newSessionId();
  const previous = getCookie(c, SESSION_COOKIE);
  const expiresAt = new Date(now.getTime() + deps.config.STAFF_SESSION_HOURS * 3600 * 1000);
  // The single use is this one UPDATE (request handlers write in batches, not interactive
  // transactions: db/client.ts); should the batch below then fail, the member signs in again.
  if (also.consume) {
    const rs = await client.execute(consumePendingStatement(also.consume, now));
    if (rs.rowsAffected !== 1) throw new ProblemError(401, 'pending_invalid');
  }
  await client.batch(
    [
      ...(also.statements ?? []),
      ...(previous ? [revokeSessionStatement(sha256Hex(previous), now)] : []),
      insertSessionStatement({
        idHash: sha256Hex(sessionId),
        staffId,
        csrfHash: sha256Hex(csrfTokenFor(sessionId)),
        now,
        expiresAt,
      }),
      // The password's attempt and the factor's: a sign-in that passed costs the address nothing.
      ...forgiveAttemptsStatements(buckets.user, buckets.address, also.consume ? 2 : 1),
      auditStatement({ at: now, staffId, action: 'login_success', targetType: 'session', details }),
    ],
    'write',
  );
  if (also.consume) deleteCookie(c, PENDING_COOKIE, COOKIE);
  setCookie(c, SESSION_COOKIE, sessionId, { ...COOKIE, maxAge: deps.config.STAFF_SESSION_HOURS * 3600 });
}

/** After a right password when a factor must follow: the pending state and its cookie, no session. */
export async function startPending(c: Context, deps: Deps, staffId: number, stage: 'verify' | 'enrol'): Promise<void> {
  const now = deps.now();
  const id = newSessionId();
  await deps.db.client.batch(
    [
      prunePendingStatement(now),
      insertPendingStatement({
        idHash: sha256Hex(id),
        staffId,
        stage,
        now,
        expiresAt: new Date(now.getTime() + PENDING_MINUTES * 60 * 1000),
      }),
      auditStatement({ at: now, staffId, action: 'login_password_ok', targetType: 'staff', details: { next: stage } }),
    ],
    'write',
  );
  setCookie(c, PENDING_COOKIE, id, { ...COOKIE, maxAge: PENDING_MINUTES * 60 });
}

export interface Pending extends PendingRow {
  idHash: string;
}

/**
 * The live pending state of the request's cookie, or 401 `pending_invalid` (none, unknown, used,
 * expired, or the account deactivated since). `stage` limits it to verification or enrolment.
 */
export async function requirePending(c: Context, deps: Deps, stage?: 'verify' | 'enrol'): Promise<Pending> {
  const id = getCookie(c, PENDING_COOKIE);
  const idHash = id && /^[A-Za-z0-9_-]{43}$/.test(id) ? sha256Hex(id) : undefined;
  const row = idHash ? await findPending(deps.db.client, idHash) : undefined;
  const now = deps.now().getTime();
  if (!idHash || !row || row.usedAt !== null || !row.active || new Date(row.expiresAt).getTime() <= now)
    throw new ProblemError(401, 'pending_invalid');
  if (stage && row.stage !== stage) throw new ProblemError(409, 'pending_invalid');
  return { ...row, idHash };
}

/**
 * Counts a second-factor attempt in the same buckets as passwords (username and address), before
 * any check, so five wrong codes lock the username like five wrong passwords.
 */
export async function throttleSecondFactor(c: Context, deps: Deps, pending: Pending): Promise<ThrottleBuckets> {
  const now = deps.now();
  try {
    return await throttleLogin(deps.db.client, pending.username, clientAddress(c), now);
  } catch (err) {
    await deps.db.client.execute(auditStatement({ at: now, staffId: pending.staffId, action: 'login_throttled' }));
    throw err;
  }
}

/** A wrong or replayed factor: audited with the reason, 401 with its code. */
export async function refuseFactor(
  deps: Deps,
  pending: Pending,
  method: string,
  reason: 'wrong' | 'replayed',
): Promise<never> {
  await deps.db.client.execute(
    auditStatement({
      at: deps.now(),
      staffId: pending.staffId,
      action: 'login_failure',
      details: { reason: reason === 'replayed' ? 'second_factor_replayed' : 'second_factor_wrong', method },
    }),
  );
  throw new ProblemError(401, reason === 'replayed' ? 'second_factor_replayed' : 'second_factor_invalid');
}
