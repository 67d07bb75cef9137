/**
 * Staff side of counter kiosks and officer results (issue #10 part 3; docs/kiosk-and-officers.md).
 * A unit admin makes and revokes device links and registers officials (pseudonymous code, a
 * 6-digit counter sign-in code shown once, optionally the official's staff account). Officer results
 * are read by the official (an account linked to the code) and by supervisors of the unit subtree;
 * never by anyone else, never in public statistics or open data; every view is audited.
 */
import type { Context } from 'hono';
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import {
  deviceOut,
  newDeviceInput,
  newDeviceResult,
  newOfficialInput,
  newOfficialResult,
  officerResultsOut,
  officerResultsQuery,
} from '../contracts/kiosk.ts';
import { ProblemError } from '../problem.ts';
import { problems } from '../openapi.ts';
import { onlyMediaTypes } from '../middleware/media-type.ts';
import { grantsCovering, noStore, requireStaff, type StaffEnv } from '../staff/auth.ts';
import { pinHash } from '../kiosk.ts';
import { publicBaseUrl } from '../env.ts';
import { officerResults } from '../stats/officers.ts';
import { auditStatement, audit, findStaffById, type StaffRole } from '../../db/staff.ts';
import { knownCodes, unitsInSubtrees } from '../../db/units.ts';
import {
  devicesOfUnits,
  findDevice,
  insertDeviceStatement,
  newDeviceSecret,
  newPin,
  officialsOfStaff,
  officialsOfUnits,
  revokeDeviceStatements,
  upsertOfficialStatement,
  type KioskDevice,
  type Official,
} from '../../db/officers.ts';
import { vnDay } from '../../db/time.ts';

const idParam = z.object({ id: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) });

const listDevicesRoute = createRoute({
  method: 'get',
  path: '/staff/kiosks',
  summary: 'Counter kiosk devices of the admin’s units (admin)',
  responses: {
    200: {
      content: { 'application/json': { schema: z.object({ devices: z.array(deviceOut) }) } },
      description: 'List',
    },
    401: problems('Not signed in'),
    403: problems('Not an admin'),
  },
});

const newDeviceRoute = createRoute({
  method: 'post',
  path: '/staff/kiosks',
  summary: 'Make a device link for a counter kiosk; the link is returned once (admin of the unit)',
  middleware: [onlyMediaTypes(['application/json'])] as const,
  request: { body: { content: { 'application/json': { schema: newDeviceInput } }, required: true } },
  responses: {
    201: { content: { 'application/json': { schema: newDeviceResult } }, description: 'Created' },
    401: problems('Not signed in'),
    403: problems('Not an admin of that unit'),
    415: problems('Not JSON'),
    422: problems('Invalid fields or unknown unit'),
  },
});

const revokeRoute = createRoute({
  method: 'post',
  path: '/staff/kiosks/{id}/revoke',
  summary: 'Revoke a counter kiosk’s device link, ending its shift (admin of the unit)',
  request: { params: idParam },
  responses: {
    200: { content: { 'application/json': { schema: deviceOut } }, description: 'Revoked' },
    401: problems('Not signed in'),
    403: problems('Not an admin of that unit'),
    404: problems('Unknown device'),
    409: problems('Already revoked'),
  },
});

const newOfficialRoute = createRoute({
  method: 'post',
  path: '/staff/officials',
  summary:
    'Register an official of the unit by pseudonymous code, or give one a new counter sign-in code (admin of the unit)',
  middleware: [onlyMediaTypes(['application/json'])] as const,
  request: { body: { content: { 'application/json': { schema: newOfficialInput } }, required: true } },
  responses: {
    201: { content: { 'application/json': { schema: newOfficialResult } }, description: 'The sign-in code, once' },
    401: problems('Not signed in'),
    403: problems('Not an admin of that unit'),
    415: problems('Not JSON'),
    422: problems('Invalid fields, unknown unit or unknown staff account'),
  },
});

const resultsRoute = createRoute({
  method: 'get',
  path: '/staff/officers/results',
  summary: 'Monthly officer results: one’s own (no unit), or a unit subtree’s (supervisor)',
  description:
    'Dossiers handled, late share, satisfaction from verified and, apart, from kiosk ratings, with n and 95 % intervals, and the verdict for officials. Cells below the minimum n and their complements are suppressed. Every view is written to the audit log.',
  request: { query: officerResultsQuery },
  responses: {
    200: { content: { 'application/json': { schema: officerResultsOut } }, description: 'Results' },
    401: problems('Not signed in'),
    403: problems('Not a supervisor of that unit'),
    422: problems('Invalid query, unknown unit, or a month outside the data'),
  },
});

function toDeviceOut(d: KioskDevice) {
  return {
    id: d.id,
    unit: d.unitId,
    counter: d.counter,
    label: d.label,
    created_at: d.createdAt,
    revoked_at: d.revokedAt,
  };
}

async function requireGrant(c: Context<StaffEnv>, unit: string, role: StaffRole): Promise<void> {
  const { units } = await knownCodes(c.var.deps.db.client);
  if (!units.has(unit))
    throw new ProblemError(422, 'unknown_unit', { errors: [{ path: 'unit', code: 'invalid_value' }] });
  const covering = await grantsCovering(c.var.deps.db.client, c.var.staff.roles, unit, role);
  if (covering.length === 0) throw new ProblemError(403, 'forbidden_unit');
}

export const officerRoutes = new OpenAPIHono<StaffEnv>();
officerRoutes.use('/staff/kiosks', noStore, requireStaff('admin', undefined, { audit: false }));
officerRoutes.use('/staff/kiosks/*', noStore, requireStaff('admin', undefined, { audit: false }));
officerRoutes.use('/staff/officials', noStore, requireStaff('admin', undefined, { audit: false }));
// Any signed-in account: its own results, or a supervisor's (checked in the handler).
officerRoutes.use('/staff/officers/*', noStore, requireStaff(undefined, undefined, { audit: false }));

officerRoutes.openapi(listDevicesRoute, async (c) => {
  const roots = c.var.staff.roles.filter((g) => g.role === 'admin').map((g) => g.unit);
  const units = await unitsInSubtrees(c.var.deps.db.client, roots);
  return c.json({ devices: (await devicesOfUnits(c.var.deps.db.client, units)).map(toDeviceOut) }, 200);
});

officerRoutes.openapi(newDeviceRoute, async (c) => {
  const { db, now, config } = c.var.deps;
  const input = c.req.valid('json');
  await requireGrant(c, input.unit, 'admin');
  const secret = newDeviceSecret();
  const at = now();
  const [inserted] = await db.client.batch(
    [
      insertDeviceStatement({
        unitId: input.unit,
        counter: input.counter,
        label: input.label.normalize('NFC'),
        secret,
        createdBy: c.var.staff.staffId,
        now: at,
      }),
      auditStatement({
        at,
        staffId: c.var.staff.staffId,
        action: 'kiosk_create',
        targetType: 'kiosk',
        unitId: input.unit,
        details: { counter: input.counter },
      }),
    ],
    'write',
  );
  const device = (await findDevice(db.client, Number(inserted!.rows[0]!.id)))!;
  // The page moves the secret into an HttpOnly cookie and drops it from the address at once.
  const link = `${publicBaseUrl(config)}/danh-gia/quay/${input.unit}/${encodeURIComponent(input.counter)}/?thiet-bi=${secret}`;
  return c.json({ ...toDeviceOut(device), link }, 201);
});

officerRoutes.openapi(revokeRoute, async (c) => {
  const { db, now } = c.var.deps;
  const { id } = c.req.valid('param');
  const device = await findDevice(db.client, id);
  if (!device) throw new ProblemError(404, 'device_not_found');
  const covering = await grantsCovering(db.client, c.var.staff.roles, device.unitId, 'admin');
  // Another unit's device answers as a missing one: ids are not an oracle.
  if (covering.length === 0) throw new ProblemError(404, 'device_not_found');
  if (device.revokedAt !== null) throw new ProblemError(409, 'kiosk_revoked');
  const at = now();
  await db.client.batch(
    [
      ...revokeDeviceStatements(id, at),
      auditStatement({
        at,
        staffId: c.var.staff.staffId,
        action: 'kiosk_revoke',
        targetType: 'kiosk',
        targetId: String(id),
        unitId: device.unitId,
      }),
    ],
    'write',
  );
  return c.json(toDeviceOut((await findDevice(db.client, id))!), 200);
});

officerRoutes.openapi(newOfficialRoute, async (c) => {
  const { db, now } = c.var.deps;
  const input = c.req.valid('json');
  await requireGrant(c, input.unit, 'admin');
  if (input.staff_id !== undefined && !(await findStaffById(db.client, input.staff_id)))
    throw new ProblemError(422, 'validation_failed', { errors: [{ path: 'staff_id', code: 'invalid_value' }] });
  const at = now();
  // A fresh code until it is unique in the unit (two officials of a unit never share one).
  for (let attempt = 0; ; attempt++) {
    const pin = newPin();
    try {
      await db.client.batch(
        [
          upsertOfficialStatement({
            unitId: input.unit,
            code: input.code,
            pinHash: await pinHash(db.client, input.unit, pin),
            staffId: input.staff_id ?? null,
            now: at,
          }),
          auditStatement({
            at,
            staffId: c.var.staff.staffId,
            action: 'official_register',
            targetType: 'official',
            targetId: input.code,
            unitId: input.unit,
          }),
        ],
        'write',
      );
      return c.json({ unit: input.unit, code: input.code, pin }, 201);
    } catch (err) {
      if (
        attempt < 5 &&
        /UNIQUE/i.test(String((err as Error).message)) &&
        /pin_hash/.test(String((err as Error).message))
      )
        continue;
      throw err;
    }
  }
});

officerRoutes.openapi(resultsRoute, async (c) => {
  const { db, now, config } = c.var.deps;
  const q = c.req.valid('query');
  const today = vnDay(now()).slice(0, 7);
  if (q.month > today || q.month < '2000-01')
    throw new ProblemError(422, 'validation_failed', { errors: [{ path: 'month', code: 'invalid_value' }] });
  let mine: Official[] | undefined;
  let units: string[];
  if (q.unit !== undefined) {
    await requireGrant(c, q.unit, 'supervisor');
    units = await unitsInSubtrees(db.client, [q.unit]);
  } else {
    mine = await officialsOfStaff(db.client, c.var.staff.staffId);
    units = [...new Set(mine.map((o) => o.unitId))];
  }
  // Protection is computed over every official of those units, whoever asks (api/stats/officers.ts).
  const all = await officialsOfUnits(db.client, units);
  const cells = await officerResults(db.client, all, q.month, config.STATS_MIN_N);
  const shown = mine ? cells.filter((x) => mine.some((o) => o.unitId === x.unit && o.code === x.official)) : cells;
  await audit(db.client, {
    at: now(),
    staffId: c.var.staff.staffId,
    action: 'officer_results_view',
    targetType: 'officer_results',
    targetId: q.month,
    unitId: q.unit ?? null,
    details: { month: q.month, officials: shown.length, own: q.unit === undefined },
  });
  return c.json({ month: q.month, min_n: config.STATS_MIN_N, officials: shown }, 200);
});
