/**
 * Administration of staff accounts and the audit log (issue #4: "admin (users, rules); every role
 * scoped to a unit subtree"; "Every staff action and every view of personal data is written to an
 * append-only audit log"). An admin manages only accounts whose every role lies inside one of the
 * admin's subtrees, grants roles only inside them, and reads the audit rows of those units and
 * accounts. Passwords are generated and shown once; only argon2id hashes are stored. The deadline
 * rules and the calendar are content (content/calendar/), changed by a reviewed edit, not here.
 */
import type { Context } from 'hono';
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { storedText } from '../contracts/feedback.ts';
import { STAFF_USERNAME } from '../contracts/staff.ts';
import { ProblemError } from '../problem.ts';
import { problems } from '../openapi.ts';
import { onlyMediaTypes } from '../middleware/media-type.ts';
import { adminManages, generatePassword, hashPassword, noStore, requireStaff, type StaffEnv } from '../staff/auth.ts';
import {
  auditStatement,
  createStaff,
  findStaffById,
  findStaffByUsername,
  listStaff,
  normalizeUsername,
  readAudit,
  revokeAllSessionsStatement,
  rolesOf,
  setActiveStatements,
  staffRoles,
  type RoleGrant,
} from '../../db/staff.ts';
import { knownCodes, unitsInSubtrees } from '../../db/units.ts';
import { resetFactorsStatements } from '../../db/staff-mfa.ts';

const grant = z.object({ role: z.enum(staffRoles), unit: z.string().min(1).max(100) });

const staffOut = z.object({
  id: z.number().int(),
  username: z.string(),
  display_name: z.string(),
  active: z.boolean(),
  created_at: z.string(),
  last_seen_at: z.string().nullable(),
  roles: z.array(z.object({ role: z.enum(staffRoles), unit: z.string(), unit_name: z.string() })),
});

const newStaffInput = z.strictObject({
  username: z.string().max(64),
  display_name: storedText(1, 200, 'single'),
  roles: z.array(grant).min(1).max(20),
});

const idParam = z.object({ id: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) });

const listRoute = createRoute({
  method: 'get',
  path: '/staff/users',
  summary: 'Staff accounts in the admin’s units (admin)',
  responses: {
    200: { content: { 'application/json': { schema: z.object({ users: z.array(staffOut) }) } }, description: 'List' },
    401: problems('Not signed in'),
    403: problems('Not an admin'),
  },
});

const createRouteDef = createRoute({
  method: 'post',
  path: '/staff/users',
  summary: 'Create a staff account with roles in the admin’s units; the password is returned once (admin)',
  middleware: [onlyMediaTypes(['application/json'])] as const,
  request: { body: { content: { 'application/json': { schema: newStaffInput } } } },
  responses: {
    201: {
      content: { 'application/json': { schema: z.object({ id: z.number().int(), password: z.string() }) } },
      description: 'Created',
    },
    401: problems('Not signed in'),
    403: problems('Not an admin of every unit granted'),
    409: problems('Username taken'),
    422: problems('Invalid fields or unknown unit'),
  },
});

const activeRoute = createRoute({
  method: 'post',
  path: '/staff/users/{id}/active',
  summary: 'Deactivate (ending every session) or reactivate an account (admin)',
  middleware: [onlyMediaTypes(['application/json'])] as const,
  request: {
    params: idParam,
    body: { content: { 'application/json': { schema: z.strictObject({ active: z.boolean() }) } } },
  },
  responses: {
    200: { content: { 'application/json': { schema: staffOut } }, description: 'The account' },
    401: problems('Not signed in'),
    403: problems('Not an admin of every unit of that account'),
    404: problems('Unknown account'),
    422: problems('Invalid fields, or an admin deactivating themselves'),
  },
});

const passwordRoute = createRoute({
  method: 'post',
  path: '/staff/users/{id}/reset-password',
  summary: 'Give an account a new generated password, returned once, and end its sessions (admin)',
  request: { params: idParam },
  responses: {
    200: { content: { 'application/json': { schema: z.object({ password: z.string() }) } }, description: 'Done' },
    401: problems('Not signed in'),
    403: problems('Not an admin of every unit of that account'),
    404: problems('Unknown account'),
  },
});

const resetFactorRoute = createRoute({
  method: 'post',
  path: '/staff/users/{id}/reset-second-factor',
  summary: 'Remove every second factor and recovery code of an account and end its sessions (admin)',
  description:
    'Issue #7 part 4b: for a lost phone or key. The account enrols again at its next sign-in (when its role needs a factor). Audited as `staff_reset_second_factor`.',
  request: { params: idParam },
  responses: {
    200: { content: { 'application/json': { schema: z.object({ revoked: z.number().int() }) } }, description: 'Done' },
    401: problems('Not signed in'),
    403: problems('Not an admin of every unit of that account'),
    404: problems('Unknown account'),
  },
});

const auditRoute = createRoute({
  method: 'get',
  path: '/staff/audit',
  summary: 'The audit log of the admin’s units and accounts, newest first (admin)',
  request: {
    query: z.object({
      action: z
        .string()
        .regex(/^[a-z_-]{1,40}$/)
        .optional(),
      page: z.coerce.number().int().min(1).max(10000).default(1),
    }),
  },
  responses: {
    200: {
      content: {
        'application/json': {
          schema: z.object({
            page: z.number().int(),
            entries: z.array(
              z.object({
                id: z.number().int(),
                at: z.string(),
                staff_id: z.number().int().nullable(),
                staff_username: z.string().nullable(),
                action: z.string(),
                target_type: z.string().nullable(),
                target_id: z.string().nullable(),
                unit_id: z.string().nullable(),
                details: z.record(z.string(), z.unknown()).nullable(),
              }),
            ),
          }),
        },
      },
      description: 'One page of 50 entries',
    },
    401: problems('Not signed in'),
    403: problems('Not an admin'),
  },
});

function adminCovers(c: Context<StaffEnv>, grants: readonly { role?: string; unit: string }[]): Promise<boolean> {
  return adminManages(c.var.deps.db.client, c.var.staff.roles, grants);
}

async function managedAccount(c: Context<StaffEnv>, id: number): Promise<{ id: number; roles: RoleGrant[] }> {
  const target = await findStaffById(c.var.deps.db.client, id);
  if (!target) throw new ProblemError(404, 'not_found');
  const roles = await rolesOf(c.var.deps.db.client, id);
  if (!(await adminCovers(c, roles))) throw new ProblemError(403, 'forbidden_unit');
  return { id, roles };
}

// Validation failures reach the API's defaultHook (api/app.ts): @hono/zod-openapi resolves it
// through the parent app, so a copy here would change nothing.
export const staffAdminRoutes = new OpenAPIHono<StaffEnv>();

staffAdminRoutes.use('/staff/users', noStore, requireStaff('admin', undefined, { audit: false }));
staffAdminRoutes.use('/staff/users/*', noStore);
staffAdminRoutes.use('/staff/users/:id/active', requireStaff('admin', undefined, { audit: false }));
staffAdminRoutes.use('/staff/users/:id/reset-password', requireStaff('admin', undefined, { audit: false }));
staffAdminRoutes.use('/staff/users/:id/reset-second-factor', requireStaff('admin', undefined, { audit: false }));
staffAdminRoutes.use('/staff/audit', noStore, requireStaff('admin', undefined, { audit: false }));

staffAdminRoutes.openapi(listRoute, async (c) => {
  const all = await listStaff(c.var.deps.db.client);
  const users = [];
  // The admin's own account is listed too, though they cannot manage it (a peer of themselves).
  for (const u of all) if (u.id === c.var.staff.staffId || (await adminCovers(c, u.roles))) users.push(u);
  return c.json({ users }, 200);
});

staffAdminRoutes.openapi(createRouteDef, async (c) => {
  const deps = c.var.deps;
  const input = c.req.valid('json');
  const username = normalizeUsername(input.username);
  if (!STAFF_USERNAME.test(username))
    throw new ProblemError(422, 'validation_failed', { errors: [{ path: 'username', code: 'invalid_format' }] });
  const { units } = await knownCodes(deps.db.client);
  const unknown = input.roles.findIndex((r) => !units.has(r.unit));
  if (unknown >= 0)
    throw new ProblemError(422, 'unknown_unit', { errors: [{ path: `roles.${unknown}.unit`, code: 'invalid_value' }] });
  if (!(await adminCovers(c, input.roles))) throw new ProblemError(403, 'forbidden_unit');
  if (await findStaffByUsername(deps.db.client, username)) throw new ProblemError(409, 'username_taken');
  const password = generatePassword();
  const now = deps.now();
  const id = await createStaff(
    deps.db.client,
    { username, displayName: input.display_name, passwordHash: await hashPassword(password), roles: input.roles, now },
    { at: now, staffId: c.var.staff.staffId, action: 'staff_create', details: { roles: input.roles.length } },
  );
  return c.json({ id, password }, 201);
});

staffAdminRoutes.openapi(activeRoute, async (c) => {
  const deps = c.var.deps;
  const { id } = c.req.valid('param');
  const { active } = c.req.valid('json');
  await managedAccount(c, id);
  if (id === c.var.staff.staffId && !active)
    throw new ProblemError(422, 'validation_failed', { errors: [{ path: 'active', code: 'invalid_value' }] });
  const now = deps.now();
  await deps.db.client.batch(
    [
      ...setActiveStatements(id, active, now),
      auditStatement({
        at: now,
        staffId: c.var.staff.staffId,
        action: active ? 'staff_activate' : 'staff_deactivate',
        targetType: 'staff',
        targetId: String(id),
      }),
    ],
    'write',
  );
  const row = (await listStaff(deps.db.client)).find((u) => u.id === id)!;
  return c.json(row, 200);
});

staffAdminRoutes.openapi(passwordRoute, async (c) => {
  const deps = c.var.deps;
  const { id } = c.req.valid('param');
  await managedAccount(c, id);
  const password = generatePassword();
  const hash = await hashPassword(password);
  const now = deps.now();
  await deps.db.client.batch(
    [
      { sql: 'UPDATE staff SET password_hash = ? WHERE id = ?', args: [hash, id] },
      revokeAllSessionsStatement(id, now),
      auditStatement({
        at: now,
        staffId: c.var.staff.staffId,
        action: 'staff_reset_password',
        targetType: 'staff',
        targetId: String(id),
      }),
    ],
    'write',
  );
  return c.json({ password }, 200);
});

staffAdminRoutes.openapi(resetFactorRoute, async (c) => {
  const deps = c.var.deps;
  const { id } = c.req.valid('param');
  // The same scope as a password reset: peers cannot strip each other's second factor.
  await managedAccount(c, id);
  const now = deps.now();
  const rs = await deps.db.client.batch(
    [
      revokeAllSessionsStatement(id, now),
      ...resetFactorsStatements(id),
      auditStatement({
        at: now,
        staffId: c.var.staff.staffId,
        action: 'staff_reset_second_factor',
        targetType: 'staff',
        targetId: String(id),
      }),
    ],
    'write',
  );
  return c.json({ revoked: rs[0]!.rowsAffected }, 200);
});

staffAdminRoutes.openapi(auditRoute, async (c) => {
  const deps = c.var.deps;
  const q = c.req.valid('query');
  const roots = c.var.staff.roles.filter((g) => g.role === 'admin').map((g) => g.unit);
  const units = await unitsInSubtrees(deps.db.client, roots);
  const accounts = [];
  for (const u of await listStaff(deps.db.client))
    if (u.roles.length > 0 && (await adminManages(deps.db.client, c.var.staff.roles, u.roles, 'read')))
      accounts.push(u.id);
  const PAGE = 50;
  const rows = await readAudit(deps.db.client, {
    units,
    staffIds: accounts,
    action: q.action,
    limit: PAGE,
    offset: (q.page - 1) * PAGE,
  });
  return c.json(
    {
      page: q.page,
      entries: rows.map((r) => ({
        ...r,
        details: r.details === null ? null : (JSON.parse(r.details) as Record<string, unknown>),
      })),
    },
    200,
  );
});
