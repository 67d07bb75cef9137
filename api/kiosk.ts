/**
 * The counter kiosk's credentials (issue #10 part 3; docs/kiosk-and-officers.md). A unit admin makes
 * a device link; opening it once puts the device secret in an HttpOnly cookie (`__Host-`: Secure,
 * Path=/, no Domain; SameSite=Strict), never in a URL the page keeps, a script can read or a log
 * records. Every kiosk request is checked against the stored sha256 of that secret: a revoked link
 * or a link of another unit or counter is a 4xx problem with a machine code.
 *
 * Officials sign in to the counter with a 6-digit code. Six digits are guessable, so the code is
 * stored as an HMAC with a server secret (a copy of the database does not give the codes away
 * without the secret, and a brute force of 10^6 is an online attack), and attempts are throttled per
 * device and per client address before any lookup.
 */
import { createHmac } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import type { Client } from '@libsql/client';
import { ProblemError } from './problem.ts';
import type { AppEnv } from './app-env.ts';
import { serverSecret } from '../db/secrets.ts';
import { countAttempts } from '../db/staff.ts';
import { findDeviceBySecret, type KioskDevice } from '../db/officers.ts';
import { clientAddress } from './open-submission.ts';

export const KIOSK_COOKIE = '__Host-gopy_kiosk';

/** The cookie lives as long as a tablet stays at its counter; revoking the link ends it sooner. */
export const KIOSK_COOKIE_MAX_AGE = 400 * 24 * 3600;

/** Wrong sign-in codes allowed per device and per address in 15 minutes. */
export const PIN_THROTTLE = { windowMs: 15 * 60 * 1000, perDevice: 5, perAddress: 20 } as const;

/** The keyed hash of a kiosk sign-in code, per unit (the same code in two units is two codes). */
export async function pinHash(client: Client, unitId: string, pin: string): Promise<string> {
  const key = await serverSecret(client, 'kiosk-pin');
  return createHmac('sha256', key).update(`${unitId}\n${pin}`).digest('hex');
}

/** The device of the request's cookie, or undefined when the request carries none. */
export async function kioskOfRequest(c: Context<AppEnv>): Promise<KioskDevice | undefined> {
  const secret = getCookie(c, KIOSK_COOKIE);
  if (secret === undefined) return undefined;
  const device = await findDeviceBySecret(c.var.deps.db.client, secret);
  if (!device) throw new ProblemError(401, 'kiosk_unauthorized');
  return device;
}

/**
 * The request's device, checked for the unit and counter it acts for: 401 kiosk_unauthorized
 * without a known device, 403 kiosk_revoked for a revoked link, 403 kiosk_wrong_unit for a link of
 * another unit or counter.
 */
export async function requireKiosk(c: Context<AppEnv>, unit: string, counter: string): Promise<KioskDevice> {
  const device = await kioskOfRequest(c);
  return checkDevice(device, unit, counter);
}

export function checkDevice(device: KioskDevice | undefined, unit: string, counter: string): KioskDevice {
  if (!device) throw new ProblemError(401, 'kiosk_unauthorized');
  if (device.revokedAt !== null) throw new ProblemError(403, 'kiosk_revoked');
  if (device.unitId !== unit || device.counter !== counter) throw new ProblemError(403, 'kiosk_wrong_unit');
  return device;
}

/** Counts a sign-in attempt at a device; 429 pin_throttled (with Retry-After) over the limit. */
export async function throttlePin(c: Context<AppEnv>, device: KioskDevice, now: Date): Promise<void> {
  const { db } = c.var.deps;
  const key = await serverSecret(db.client, 'kiosk-pin-throttle');
  const bucket = (v: string) => createHmac('sha256', key).update(v).digest('hex');
  const [d, a] = await countAttempts(
    db.client,
    [bucket(`kiosk-device:${device.id}`), bucket(`kiosk-address:${clientAddress(c)}`)],
    now,
    PIN_THROTTLE.windowMs,
  );
  const over = [
    d!.count > PIN_THROTTLE.perDevice ? d! : undefined,
    a!.count > PIN_THROTTLE.perAddress ? a! : undefined,
  ];
  const waits = over
    .filter((x) => x !== undefined)
    .map((x) => Math.ceil((x.windowStart.getTime() + PIN_THROTTLE.windowMs - now.getTime()) / 1000));
  if (waits.length > 0)
    throw new ProblemError(429, 'pin_throttled', { headers: { 'Retry-After': String(Math.max(1, ...waits)) } });
}
