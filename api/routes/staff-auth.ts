/**
 * Staff sign-in (issue #4): POST /staff/login, POST /staff/logout, GET /staff/session,
 * POST /staff/password and POST /staff/users/{id}/revoke-sessions (admin). See api/staff/auth.ts
 * for the mechanisms; the second step of sign-in is api/routes/staff-mfa.ts (issue #7 part 4b).
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { deleteCookie } from 'hono/cookie';
import { clientAddress } from '../open-submission.ts';
import { ProblemError } from '../problem.ts';
import { problems } from '../openapi.ts';
import { onlyMediaTypes } from '../middleware/media-type.ts';
import {
  SESSION_COOKIE,
  checkCsrf,
  csrfTokenFor,
  currentSession,
  dummyHash,
  adminManages,
  noStore,
  requireStaff,
  throttleLogin,
  hashPassword,
  verifyPassword,
  type StaffEnv,
} from '../staff/auth.ts';
import { nextStep } from '../staff/second-factor.ts';
import { passwordWeakness } from '../staff/password-strength.ts';
import { issueSession, startPending } from '../staff/sign-in.ts';
import {
  auditStatement,
  findStaffById,
  findStaffByUsername,
  normalizeUsername,
  revokeAllSessionsStatement,
  revokeSessionStatement,
  rolesOf,
  staffRoles,
} from '../../db/staff.ts';

const loginInput = z
  .object({ username: z.string().min(1).max(64), password: z.string().min(1).max(1024) })
  .strict()
  .openapi('StaffLogin');

const loginNext = z.object({ next: z.enum(['second_factor', 'enrol']) }).openapi('StaffLoginNext');

const sessionInfo = z
  .object({
    username: z.string(),
    display_name: z.string(),
    roles: z.array(z.object({ role: z.enum(staffRoles), unit: z.string(), unit_name: z.string() })),
    csrf_token: z.string(),
  })
  .openapi('StaffSession');

const loginRoute = createRoute({
  method: 'post',
  path: '/staff/login',
  summary: 'Staff sign-in',
  description:
    'The first step. For accounts that need or have a second factor (docs/staff-security.md) a right password answers 200 with the pending cookie `__Host-gopy_pending` and no session: the session cookie `__Host-gopy_session` comes from POST /staff/login/totp, /passkey or /recovery (or the enrolment). Otherwise 204 with the session. Unknown usernames and wrong passwords get the same 401. Five failed attempts per username and twenty per client address in 15 minutes (passwords and second factors together) give 429 with Retry-After.',
  middleware: [onlyMediaTypes(['application/json'])] as const,
  request: { body: { content: { 'application/json': { schema: loginInput } } } },
  responses: {
    200: {
      content: { 'application/json': { schema: loginNext } },
      description:
        'Right password, a second factor follows: Set-Cookie carries `__Host-gopy_pending` (5 minutes, single use, no session). `next` says whether to verify a factor or enrol one.',
    },
    204: { description: 'Signed in (a role needing no second factor, none enrolled); Set-Cookie carries the session' },
    401: problems('Unknown username or wrong password'),
    415: problems('Not JSON'),
    422: problems('Invalid fields'),
    429: problems('Too many failed attempts'),
  },
});

const logoutRoute = createRoute({
  method: 'post',
  path: '/staff/logout',
  summary: 'Staff sign-out',
  description: 'Revokes the session (needs X-CSRF-Token) and clears the cookie.',
  responses: { 204: { description: 'Signed out' }, 403: problems('Missing or wrong CSRF token') },
});

const sessionRoute = createRoute({
  method: 'get',
  path: '/staff/session',
  summary: 'The signed-in staff member, roles and CSRF token',
  responses: {
    200: { content: { 'application/json': { schema: sessionInfo } }, description: 'Signed in' },
    401: problems('No live session'),
  },
});

const revokeRoute = createRoute({
  method: 'post',
  path: '/staff/users/{id}/revoke-sessions',
  summary: 'Revoke every session of a staff member (admin)',
  request: { params: z.object({ id: z.coerce.number().int().min(1) }) },
  responses: {
    200: { content: { 'application/json': { schema: z.object({ revoked: z.number().int() }) } }, description: 'Done' },
    401: problems('No live session'),
    403: problems('Not an admin of every unit of that staff member, or missing CSRF token'),
    404: problems('Unknown staff member'),
  },
});

const passwordRoute = createRoute({
  method: 'post',
  path: '/staff/password',
  summary: 'Change one’s own password (the current one is needed; weak or common ones are refused)',
  description:
    'Issue #7 part 4b: 422 `password_too_short` (under 12 characters) or `password_weak` (zxcvbn-ts score under 3, common passwords, the username). Ends every other session of the account.',
  middleware: [onlyMediaTypes(['application/json'])] as const,
  request: {
    body: {
      content: {
        'application/json': {
          schema: z
            .object({ current_password: z.string().min(1).max(1024), new_password: z.string().min(1).max(1024) })
            .strict(),
        },
      },
    },
  },
  responses: {
    204: { description: 'Changed' },
    401: problems('Not signed in, or the current password is wrong'),
    403: problems('Missing or wrong CSRF token'),
    422: problems('The new password is too short or too weak'),
  },
});

export const staffAuthRoutes = new OpenAPIHono<StaffEnv>();

staffAuthRoutes.use('/staff/*', noStore);
staffAuthRoutes.use('/staff/session', requireStaff());
staffAuthRoutes.use('/staff/password', requireStaff(undefined, undefined, { audit: false }));
staffAuthRoutes.use('/staff/users/:id/revoke-sessions', requireStaff('admin', undefined, { audit: false }));

staffAuthRoutes.openapi(loginRoute, async (c) => {
  const deps = c.get('deps');
  const client = deps.db.client;
  const { username, password } = c.req.valid('json');
  const name = normalizeUsername(username);
  const now = deps.now();
  // Before any hashing: a throttled attempt costs one small write, not 19 MiB of argon2.
  let buckets;
  try {
    buckets = await throttleLogin(client, name, clientAddress(c), now);
  } catch (err) {
    await client.execute(auditStatement({ at: now, staffId: null, action: 'login_throttled' }));
    throw err;
  }
  const staff = await findStaffByUsername(client, name);
  // An unknown or deactivated account still costs one verification, so timing tells nothing.
  const ok = await verifyPassword(password, staff?.password_hash ?? (await dummyHash()));
  if (!staff || !staff.active || !ok) {
    const reason = !staff ? 'unknown_user' : !staff.active ? 'inactive' : 'wrong_password';
    await client.execute(
      auditStatement({ at: now, staffId: staff?.id ?? null, action: 'login_failure', details: { reason } }),
    );
    throw new ProblemError(401, 'invalid_credentials');
  }
  // Issue #7 part 4b: a right password alone opens a session only for roles that need no second
  // factor (STAFF_MFA_ROLES) and accounts without one; otherwise a pending state, no session, and
  // the throttle is not forgiven until the second factor passes.
  const step = await nextStep(client, deps.config, staff.id, await rolesOf(client, staff.id));
  if (step !== 'session') {
    await startPending(c, deps, staff.id, step);
    return c.json({ next: step === 'verify' ? ('second_factor' as const) : ('enrol' as const) }, 200);
  }
  await issueSession(c, deps, staff.id, buckets, { method: 'password' });
  return c.body(null, 204);
});

staffAuthRoutes.openapi(logoutRoute, async (c) => {
  const deps = c.get('deps');
  const session = await currentSession(c, deps);
  if (session) {
    await checkCsrf(c, session);
    const now = deps.now();
    await deps.db.client.batch(
      [
        revokeSessionStatement(session.idHash, now),
        auditStatement({ at: now, staffId: session.staffId, action: 'logout', targetType: 'session' }),
      ],
      'write',
    );
  }
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure: true, httpOnly: true, sameSite: 'Strict' });
  return c.body(null, 204);
});

staffAuthRoutes.openapi(sessionRoute, (c) => {
  const s = c.get('staff');
  return c.json(
    { username: s.username, display_name: s.displayName, roles: s.roles, csrf_token: csrfTokenFor(s.sessionId) },
    200,
  );
});

staffAuthRoutes.openapi(revokeRoute, async (c) => {
  const deps = c.get('deps');
  const client = deps.db.client;
  const admin = c.get('staff');
  const { id } = c.req.valid('param');
  const target = await findStaffById(client, id);
  if (!target) throw new ProblemError(404, 'not_found');
  if (!(await adminManages(client, admin.roles, await rolesOf(client, id))))
    throw new ProblemError(403, 'forbidden_unit');
  const now = deps.now();
  const [rs] = await client.batch(
    [
      revokeAllSessionsStatement(id, now),
      auditStatement({
        at: now,
        staffId: admin.staffId,
        action: 'revoke_sessions',
        targetType: 'staff',
        targetId: String(id),
      }),
    ],
    'write',
  );
  return c.json({ revoked: rs!.rowsAffected }, 200);
});

staffAuthRoutes.openapi(passwordRoute, async (c) => {
  const deps = c.get('deps');
  const client = deps.db.client;
  const me = c.get('staff');
  const input = c.req.valid('json');
  const row = (await findStaffById(client, me.staffId))!;
  if (!(await verifyPassword(input.current_password, row.password_hash)))
    throw new ProblemError(401, 'invalid_credentials');
  const weak = passwordWeakness(input.new_password, [row.username, row.display_name]);
  if (weak) throw new ProblemError(422, weak, { errors: [{ path: 'new_password', code: 'invalid_value' }] });
  const now = deps.now();
  await client.batch(
    [
      {
        sql: 'UPDATE staff SET password_hash = ? WHERE id = ?',
        args: [await hashPassword(input.new_password), me.staffId],
      },
      // Other devices signed in with the old password end; this one stays.
      {
        sql: 'UPDATE sessions SET revoked_at = ? WHERE staff_id = ? AND id_hash <> ? AND revoked_at IS NULL',
        args: [now.toISOString(), me.staffId, me.idHash],
      },
      auditStatement({
        at: now,
        staffId: me.staffId,
        action: 'password_change',
        targetType: 'staff',
        targetId: String(me.staffId),
      }),
    ],
    'write',
  );
  return c.body(null, 204);
});
