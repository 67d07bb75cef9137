/**
 * The counter kiosk's own API (issue #10 part 3; docs/kiosk-and-officers.md): a tablet claims its
 * device link (the secret goes into an HttpOnly cookie), reads its state, and the official on duty
 * signs in to the counter with a 6-digit code, starting a shift that the kiosk's ratings name. The
 * ratings themselves go through POST /responses like every rating (api/routes/responses.ts).
 */
import { OpenAPIHono, createRoute } from '@hono/zod-openapi';
import { setCookie } from 'hono/cookie';
import { randomBytes } from 'node:crypto';
import { deviceClaimInput, kioskStatus, kioskTarget, shiftOut, shiftStartInput } from '../contracts/kiosk.ts';
import { ProblemError } from '../problem.ts';
import { problems } from '../openapi.ts';
import { onlyMediaTypes } from '../middleware/media-type.ts';
import { KIOSK_COOKIE, KIOSK_COOKIE_MAX_AGE, checkDevice, pinHash, requireKiosk, throttlePin } from '../kiosk.ts';
import {
  endShiftStatement,
  findDeviceBySecret,
  findOfficialByPin,
  openShift,
  startShiftStatements,
} from '../../db/officers.ts';
import type { AppEnv } from '../app-env.ts';

const claimRoute = createRoute({
  method: 'post',
  path: '/kiosk/device',
  summary: 'Claim a counter kiosk link on this device (sets the device cookie)',
  middleware: [onlyMediaTypes(['application/json'])] as const,
  request: { body: { content: { 'application/json': { schema: deviceClaimInput } }, required: true } },
  responses: {
    204: { description: 'The device cookie is set' },
    401: problems('Unknown device link'),
    403: problems('Revoked link, or a link of another unit or counter'),
    415: problems('Not JSON'),
    422: problems('Invalid fields'),
  },
});

const statusRoute = createRoute({
  method: 'get',
  path: '/kiosk/device',
  summary: 'The state of this counter kiosk: its unit, counter and open shift',
  request: { query: kioskTarget },
  responses: {
    200: { content: { 'application/json': { schema: kioskStatus } }, description: 'State' },
    401: problems('No device cookie, or an unknown one'),
    403: problems('Revoked link, or a link of another unit or counter'),
  },
});

const startRoute = createRoute({
  method: 'post',
  path: '/kiosk/shifts',
  summary: 'The official on duty signs in to the counter with a 6-digit code; starts a shift',
  middleware: [onlyMediaTypes(['application/json'])] as const,
  request: { body: { content: { 'application/json': { schema: shiftStartInput } }, required: true } },
  responses: {
    201: { content: { 'application/json': { schema: shiftOut } }, description: 'Shift started' },
    401: problems('No device cookie, or an unknown one'),
    403: problems('Revoked link, a link of another unit or counter, or a wrong code'),
    415: problems('Not JSON'),
    422: problems('Invalid fields'),
    429: problems('Too many attempts at this device or from this address'),
  },
});

const endRoute = createRoute({
  method: 'post',
  path: '/kiosk/shifts/end',
  summary: 'Ends the shift open at the counter',
  middleware: [onlyMediaTypes(['application/json'])] as const,
  request: { body: { content: { 'application/json': { schema: kioskTarget } }, required: true } },
  responses: {
    204: { description: 'No shift open any more' },
    401: problems('No device cookie, or an unknown one'),
    403: problems('Revoked link, or a link of another unit or counter'),
    415: problems('Not JSON'),
    422: problems('Invalid fields'),
  },
});

export const kioskRoutes = new OpenAPIHono<AppEnv>()
  .openapi(claimRoute, async (c) => {
    c.header('Cache-Control', 'no-store');
    const input = c.req.valid('json');
    checkDevice(await findDeviceBySecret(c.var.deps.db.client, input.secret), input.unit, input.counter);
    setCookie(c, KIOSK_COOKIE, input.secret, {
      path: '/',
      secure: true,
      httpOnly: true,
      sameSite: 'Strict',
      maxAge: KIOSK_COOKIE_MAX_AGE,
    });
    return c.body(null, 204);
  })
  .openapi(statusRoute, async (c) => {
    c.header('Cache-Control', 'no-store');
    const q = c.req.valid('query');
    const device = await requireKiosk(c, q.unit, q.counter);
    const shift = await openShift(c.var.deps.db.client, device.id);
    return c.json(
      {
        unit: device.unitId,
        counter: device.counter,
        shift: shift ? { shift: shift.publicId, started_at: shift.startedAt } : null,
      },
      200,
    );
  })
  .openapi(startRoute, async (c) => {
    c.header('Cache-Control', 'no-store');
    const { db, now } = c.var.deps;
    const input = c.req.valid('json');
    const device = await requireKiosk(c, input.unit, input.counter);
    const at = now();
    // Counted before the lookup, so a wrong guess and a right one cost the same.
    await throttlePin(c, device, at);
    const official = await findOfficialByPin(
      db.client,
      device.unitId,
      await pinHash(db.client, device.unitId, input.pin),
    );
    if (!official) throw new ProblemError(403, 'pin_invalid');
    const publicId = randomBytes(16).toString('base64url');
    await db.client.batch(startShiftStatements(device.id, official.id, publicId, at), 'write');
    return c.json({ shift: publicId, started_at: at.toISOString() }, 201);
  })
  .openapi(endRoute, async (c) => {
    c.header('Cache-Control', 'no-store');
    const { db, now } = c.var.deps;
    const input = c.req.valid('json');
    const device = await requireKiosk(c, input.unit, input.counter);
    await db.client.execute(endShiftStatement(device.id, now()));
    return c.body(null, 204);
  });
