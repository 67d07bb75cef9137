/**
 * Staff sign-in (issue #4): POST /staff/login, POST /staff/logout, GET /staff/session and
 * POST /staff/users/{id}/revoke-sessions (admin). See api/staff/auth.ts for the mechanisms.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { sha256Hex } from '../../db/dossiers.ts';
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
  newSessionId,
  noStore,
  requireStaff,
  throttleLogin,
  verifyPassword,
  type StaffEnv,
} from '../staff/auth.ts';
import {
  auditStatement,
  findStaffById,
  findStaffByUsername,
  forgiveAttemptsStatements,
  insertSessionStatement,
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
    'Sets the session cookie `__Host-gopy_session`. Unknown usernames and wrong passwords get the same 401. Five failed attempts per username and twenty per client address in 15 minutes give 429 with Retry-After.',
  middleware: [onlyMediaTypes(['application/json'])] as const,
  request: { body: { content: { 'application/json': { schema: loginInput } } } },
  responses: {
    204: { description: 'Signed in; Set-Cookie carries the session' },
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

export const staffAuthRoutes = new OpenAPIHono<StaffEnv>();

staffAuthRoutes.use('/staff/*', noStore);
staffAuthRoutes.use('/staff/session', requireStaff());
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
  const sessionId = newSessionId();
  const idHash = sha256Hex(sessionId);
  // A session presented at sign-in ends: each sign-in gets a new id (no session fixation).
  const previous = getCookie(c, SESSION_COOKIE);
  const expiresAt = new Date(now.getTime() + deps.config.STAFF_SESSION_HOURS * 3600 * 1000);
  await client.batch(
    [
      ...(previous ? [revokeSessionStatement(sha256Hex(previous), now)] : []),
      insertSessionStatement({
        idHash,
        staffId: staff.id,
        csrfHash: sha256Hex(csrfTokenFor(sessionId)),
        now,
        expiresAt,
      }),
      ...forgiveAttemptsStatements(buckets.user, buckets.address),
      auditStatement({ at: now, staffId: staff.id, action: 'login_success', targetType: 'session' }),
    ],
    'write',
  );
  setCookie(c, SESSION_COOKIE, sessionId, {
    path: '/',
    secure: true,
    httpOnly: true,
    sameSite: 'Strict',
    maxAge: deps.config.STAFF_SESSION_HOURS * 3600,
  });
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
