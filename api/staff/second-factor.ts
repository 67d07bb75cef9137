/**
 * Second factors for staff (issue #7 part 4b; ASVS 5.0 V6.3/V6.5; docs/staff-security.md): which
 * accounts need one, TOTP (RFC 6238: SHA-1, 6 digits, 30 s steps, ±1 step, a used step never again),
 * recovery codes (one-time, keyed hashes) and the pending state between password and factor.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes, randomInt } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import type { Client } from '@libsql/client';
import type { Config } from '../env.ts';
import { serverSecret } from '../../db/secrets.ts';
import { factorsOf, findTotp, useTotpStep } from '../../db/staff-mfa.ts';
import type { RoleGrant } from '../../db/staff.ts';

/** The pending cookie: like the session cookie `__Host-`, but it opens no staff route. */
export const PENDING_COOKIE = '__Host-gopy_pending';
/** Five minutes to type a code or touch a key; a new password attempt starts afresh. */
export const PENDING_MINUTES = 5;

/** Whether an account with these roles must pass a second factor (STAFF_MFA_ROLES). */
export function roleRequiresSecondFactor(config: Config, roles: readonly RoleGrant[]): boolean {
  return roles.some((g) => config.STAFF_MFA_ROLES.includes(g.role));
}

/**
 * What follows a right password: 'session' (no factor needed nor enrolled), 'verify' (a factor is
 * enrolled: it is always asked, whatever the role) or 'enrol' (needed, none yet).
 */
export async function nextStep(
  client: Client,
  config: Config,
  staffId: number,
  roles: readonly RoleGrant[],
): Promise<'session' | 'verify' | 'enrol'> {
  const f = await factorsOf(client, staffId);
  if (f.totp || f.passkeys > 0) return 'verify';
  return roleRequiresSecondFactor(config, roles) ? 'enrol' : 'session';
}

// ── Sealing TOTP secrets ─────────────────────────────────────────────────────────────────────────

/**
 * A TOTP secret as stored: AES-256-GCM under STAFF_MFA_KEY when configured (`v1:iv:ct:tag`),
 * else `plain:` + base32 (the database copy is then as sensitive as the authenticator itself).
 */
export function sealSecret(config: Config, base32: string): string {
  if (!config.STAFF_MFA_KEY) return `plain:${base32}`;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(config.STAFF_MFA_KEY, 'base64url'), iv);
  const ct = Buffer.concat([cipher.update(base32, 'utf8'), cipher.final()]);
  return ['v1', iv, ct, cipher.getAuthTag()]
    .map((x) => (typeof x === 'string' ? x : x.toString('base64url')))
    .join(':');
}

/** The base32 secret; throws when sealed under a key that is not (or no longer) configured. */
export function openSecret(config: Config, sealed: string): string {
  if (sealed.startsWith('plain:')) return sealed.slice(6);
  const [v, iv, ct, tag] = sealed.split(':');
  if (v !== 'v1' || !iv || !ct || !tag || !config.STAFF_MFA_KEY) throw new Error('TOTP secret sealed, no key');
  const d = createDecipheriv(
    'aes-256-gcm',
    Buffer.from(config.STAFF_MFA_KEY, 'base64url'),
    Buffer.from(iv, 'base64url'),
  );
  d.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([d.update(Buffer.from(ct, 'base64url')), d.final()]).toString('utf8');
}

// ── TOTP ─────────────────────────────────────────────────────────────────────────────────────────

export const TOTP_PERIOD = 30;
const ISSUER = 'Góp ý Khánh Hòa';

/** A fresh 160-bit secret (RFC 4226 §4 recommends 160 bits), base32. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totpOf(base32: string, username = ''): TOTP {
  return new TOTP({
    issuer: ISSUER,
    label: username,
    algorithm: 'SHA1',
    digits: 6,
    period: TOTP_PERIOD,
    secret: Secret.fromBase32(base32),
  });
}

/** The otpauth:// URI an authenticator app reads from the QR code. */
export function totpUri(base32: string, username: string): string {
  return totpOf(base32, username).toString();
}

/** The code of a secret at a time (tests, the demo and e2e compute codes with this). */
export function totpCode(base32: string, at: Date = new Date()): string {
  return totpOf(base32).generate({ timestamp: at.getTime() });
}

/**
 * The time step a code belongs to (now ±1 step), or undefined for a wrong code.
 * @example totpStep(secret, totpCode(secret, now), now) === Math.floor(now.getTime() / 30000)
 */
export function totpStep(base32: string, code: string, now: Date): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const delta = totpOf(base32).validate({ token: code, timestamp: now.getTime(), window: 1 });
  return delta === null ? undefined : Math.floor(now.getTime() / 1000 / TOTP_PERIOD) + delta;
}

/** Checks an account's TOTP code: 'ok' (and the step is now used), 'wrong' or 'replayed'. */
export async function checkTotp(
  client: Client,
  config: Config,
  staffId: number,
  code: string,
  now: Date,
): Promise<'ok' | 'wrong' | 'replayed'> {
  const row = await findTotp(client, staffId);
  if (!row) return 'wrong';
  const step = totpStep(openSecret(config, row.secret), code.replace(/\s/g, ''), now);
  if (step === undefined) return 'wrong';
  return (await useTotpStep(client, staffId, step)) ? 'ok' : 'replayed';
}

// ── Recovery codes ───────────────────────────────────────────────────────────────────────────────

export const RECOVERY_CODE_COUNT = 10;
const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/**
 * Ten codes of 12 characters (about 59 bits each) in groups of four, shown once.
 * @example newRecoveryCodes()[0] // 'k7qm-2xpa-9tfh'
 */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    let s = '';
    for (let i = 0; i < 12; i++) s += RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)];
    return `${s.slice(0, 4)}-${s.slice(4, 8)}-${s.slice(8)}`;
  });
}

/** One spelling per code: lower case, without spaces or dashes. */
export function normalizeRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[\s-]/g, '');
}

/**
 * A keyed hash: the codes are random (not guessable like passwords), so HMAC-SHA-256 under a
 * server secret suffices and a copy of the table alone cannot be checked against guesses.
 */
export async function hashRecoveryCode(client: Client, code: string): Promise<string> {
  const key = await serverSecret(client, 'staff-recovery-codes');
  return createHmac('sha256', key).update(normalizeRecoveryCode(code)).digest('hex');
}
