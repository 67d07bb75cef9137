/**
 * Signing the e2e staff accounts in with both factors (issue #7 part 4b): the password from
 * reports/e2e-staff.json and a TOTP code of the secret in reports/e2e-staff-totp.json (both written
 * by scripts/e2e-server.ts), computed with the same library as the server.
 *
 * The server accepts each 30 s step once per account (replays are refused), and specs run in two
 * workers: a code is taken under a per-account lock file, from the steps the server's ±1 window
 * accepts and no spec used yet, and submitted before the lock is released, so steps reach the
 * server in increasing order.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, type APIRequestContext, type APIResponse, type Page } from '@playwright/test';
import { TOTP_PERIOD, totpCode } from '../api/staff/second-factor.ts';

const DIR = join('reports', 'e2e-totp-steps');

export const staffPasswords = (): Record<string, string> =>
  JSON.parse(readFileSync(join('reports', 'e2e-staff.json'), 'utf8')) as Record<string, string>;

export const staffTotpSecrets = (): Record<string, string> =>
  JSON.parse(readFileSync(join('reports', 'e2e-staff-totp.json'), 'utf8')) as Record<string, string>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `submit` with a TOTP code of `secret` that no earlier call used for `account`, holding the
 * account's lock until `submit` is done.
 */
export async function withFreshCode<T>(
  account: string,
  secret: string,
  submit: (code: string) => Promise<T>,
): Promise<T> {
  mkdirSync(DIR, { recursive: true });
  const lock = join(DIR, `${account}.lock`);
  const last = join(DIR, `${account}.last`);
  for (let i = 0; ; i++) {
    try {
      closeSync(openSync(lock, 'wx'));
      break;
    } catch {
      if (i > 1200) throw new Error(`TOTP lock of ${account} held for a minute`);
      await sleep(50);
    }
  }
  try {
    for (;;) {
      const now = Date.now();
      const step = Math.floor(now / 1000 / TOTP_PERIOD);
      const used = Number(
        (() => {
          try {
            return readFileSync(last, 'utf8');
          } catch {
            return '-1';
          }
        })(),
      );
      // The previous step only early in the current one (it must still be inside the window when
      // the server checks it); the next step is inside the window for the next minute.
      const early = now / 1000 - step * TOTP_PERIOD < 15;
      const pick = [early ? step - 1 : undefined, step, step + 1].find((s) => s !== undefined && s > used);
      if (pick === undefined) {
        await sleep((step + 1) * TOTP_PERIOD * 1000 - now + 100);
        continue;
      }
      writeFileSync(last, String(pick));
      return await submit(totpCode(secret, new Date(pick * TOTP_PERIOD * 1000)));
    }
  } finally {
    rmSync(lock, { force: true });
  }
}

function cookieFrom(res: APIResponse, name: string): string {
  const all = res
    .headersArray()
    .filter((h) => h.name.toLowerCase() === 'set-cookie')
    .map((h) => h.value)
    .join('\n');
  return `__Host-gopy_${name}=${new RegExp(`__Host-gopy_${name}=([^;]*)`).exec(all)![1]}`;
}

/**
 * Signs an e2e account in through the API (password, then code) and returns the session cookie
 * (sent by hand: a request context does not send Secure cookies to http://127.0.0.1).
 */
export async function apiSignIn(request: APIRequestContext, username: string): Promise<string> {
  const first = await request.post('/api/v1/staff/login', {
    data: { username, password: staffPasswords()[username] },
  });
  expect(first.status(), await first.text()).toBe(200);
  const pending = cookieFrom(first, 'pending');
  return withFreshCode(username, staffTotpSecrets()[username]!, async (code) => {
    const res = await request.post('/api/v1/staff/login/totp', { data: { code }, headers: { Cookie: pending } });
    expect(res.status(), await res.text()).toBe(204);
    return cookieFrom(res, 'session');
  });
}

/** A signed-in session for the API: its cookie and the CSRF token its writes must carry. */
export interface SignedIn {
  cookie: string;
  csrf: string;
}

export async function apiSignInWithCsrf(request: APIRequestContext, username: string): Promise<SignedIn> {
  const cookie = await apiSignIn(request, username);
  const session = await request.get('/api/v1/staff/session', { headers: { Cookie: cookie } });
  const { csrf_token } = (await session.json()) as { csrf_token: string };
  return { cookie, csrf: csrf_token };
}

/** TOTP secrets of accounts a spec enrolled on the enrolment page (this worker only). */
const enrolled: Record<string, string> = {};

/**
 * Signs in on the page: username and password, then the code form, or, for an account without a
 * second factor, the enrolment (the secret read from the page, the first code, the recovery codes
 * shown once, continue). `password` and `secret` default to the e2e account's. Returns the secret.
 */
export async function pageSignIn(
  page: Page,
  username: string,
  opts: { password?: string; secret?: string } = {},
): Promise<string> {
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(opts.password ?? staffPasswords()[username]!);
  await page.getByTestId('sign-in').click();
  const verify = page.getByTestId('totp-form');
  const enrol = page.getByTestId('enrol-totp-form');
  await expect(verify.or(enrol)).toBeVisible();
  if (await enrol.isVisible()) {
    const secret = (await page.getByTestId('totp-secret').innerText()).trim();
    enrolled[username] = secret;
    await withFreshCode(username, secret, async (code) => {
      await page.locator('#code').fill(code);
      await page.getByTestId('enrol-totp-submit').click();
      await expect(page.getByTestId('recovery-codes').locator('li')).toHaveCount(10);
    });
    await page.getByTestId('continue').click();
    await expect(page.getByTestId('staff-bar')).toBeVisible();
    return secret;
  }
  const secret = opts.secret ?? enrolled[username] ?? staffTotpSecrets()[username]!;
  await withFreshCode(username, secret, async (code) => {
    await page.locator('#code').fill(code);
    await page.getByTestId('totp-submit').click();
    await expect(page.getByTestId('staff-bar')).toBeVisible();
  });
  return secret;
}
