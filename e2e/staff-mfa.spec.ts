/**
 * The second factor of staff sign-in in a real browser (issue #7 part 4b; docs/staff-security.md):
 * a new account enrols TOTP on the enrolment page (QR code and the secret as text, plain form
 * posts), keeps its recovery codes, then signs in with a code computed here with the server's own
 * library; a wrong and a replayed code are refused and logged as failures. A second account enrols a
 * passkey and signs in with it through Chromium's virtual authenticator (CDP WebAuthn domain).
 * Accounts are created by e2e-admin through the API; no session cookie exists before the factor.
 */
import { randomBytes } from 'node:crypto';
import { test, expect, type APIRequestContext, type BrowserContext, type Page } from '@playwright/test';
import { expectAccessible } from './axe.ts';
import { apiSignIn } from './staff-login.ts';
import { TOTP_PERIOD, totpCode } from '../api/staff/second-factor.ts';

test.use({ viewport: { width: 360, height: 740 } });

const PORT = Number(process.env.E2E_PORT ?? 4399);

/** A new handler account created by e2e-admin; returns its id, name and generated password. */
async function newHandler(request: APIRequestContext): Promise<{ id: number; username: string; password: string }> {
  const cookie = await apiSignIn(request, 'e2e-admin');
  const s = await request.get('/api/v1/staff/session', { headers: { Cookie: cookie } });
  const { csrf_token } = (await s.json()) as { csrf_token: string };
  const username = `mfa-${randomBytes(4).toString('hex')}`;
  const res = await request.post('/api/v1/staff/users', {
    headers: { Cookie: cookie, 'X-CSRF-Token': csrf_token },
    data: { username, display_name: `Cán bộ ${username}`, roles: [{ role: 'handler', unit: 'phuong-ninh-hoa' }] },
  });
  expect(res.status(), await res.text()).toBe(201);
  const { id, password } = (await res.json()) as { id: number; password: string };
  return { id, username, password };
}

async function names(context: BrowserContext): Promise<string[]> {
  return (await context.cookies()).map((c) => c.name);
}

async function password(page: Page, username: string, pw: string): Promise<void> {
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(pw);
  await page.getByTestId('sign-in').click();
}

test('TOTP: enrolment with recovery codes, sign-in with a computed code; wrong and replayed codes are refused', async ({
  browser,
  request,
}) => {
  test.setTimeout(90_000);
  const who = await newHandler(request);
  // Plain form posts (the code forms need no JavaScript); axe itself needs JavaScript on.
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  await page.goto('/quan-tri/');
  await password(page, who.username, who.password);

  // Enrolment: no session yet, only the pending cookie.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Thiết lập bước xác thực thứ hai');
  expect(await names(context)).toEqual(['__Host-gopy_pending']);
  await expect(page.getByRole('img', { name: 'Mã QR của khóa xác thực' })).toBeVisible();
  const secret = (await page.getByTestId('totp-secret').innerText()).trim();
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  await expectAccessible(page);
  await page.locator('#code').fill('12345');
  await page.getByTestId('enrol-totp-submit').click();
  await expect(page.getByTestId('problem')).toHaveText('Mã không đúng hoặc đã hết hạn.');
  expect(await names(context)).not.toContain('__Host-gopy_session');
  const enrolled = new Date();
  await page.locator('#code').fill(totpCode(secret, enrolled));
  await page.getByTestId('enrol-totp-submit').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Lưu giữ mã khôi phục');
  await expect(page.getByTestId('recovery-codes').locator('li')).toHaveCount(10);
  await expectAccessible(page);
  await page.getByTestId('continue').click();
  await expect(page.getByTestId('staff-bar')).toBeVisible();
  expect(await names(context)).toEqual(['__Host-gopy_session']);

  // Signed out and in again: the code form, then a wrong code, the enrolling code again (a replay),
  // then the next step's code.
  await page.getByTestId('sign-out').click();
  await page.goto('/quan-tri/');
  await password(page, who.username, who.password);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Đăng nhập: bước thứ hai');
  await expect(page.getByTestId('totp-form')).toBeVisible();
  expect(await names(context)).toEqual(['__Host-gopy_pending']);
  await expectAccessible(page);
  const used = totpCode(secret, enrolled);
  await page.locator('#code').fill(used === '000000' ? '111111' : '000000');
  await page.getByTestId('totp-submit').click();
  await expect(page.getByTestId('problem')).toHaveText('Mã không đúng hoặc đã hết hạn.');
  await page.locator('#code').fill(used);
  await page.getByTestId('totp-submit').click();
  await expect(page.getByTestId('problem')).toHaveText('Mã này đã được dùng. Chờ mã tiếp theo trên ứng dụng.');
  await expectAccessible(page);
  expect(await names(context)).not.toContain('__Host-gopy_session');
  const next = new Date(enrolled.getTime() + TOTP_PERIOD * 1000);
  await page.locator('#code').fill(totpCode(secret, next));
  await page.getByTestId('totp-submit').click();
  await expect(page.getByTestId('staff-bar')).toBeVisible();

  // Both refusals are in the audit log as failures of this account (they count in the throttle).
  const admin = await apiSignIn(request, 'e2e-admin');
  const log = await request.get('/api/v1/staff/audit?action=login_failure', { headers: { Cookie: admin } });
  const { entries } = (await log.json()) as { entries: { staff_id: number | null; details: { reason?: string } }[] };
  expect(
    entries
      .filter((e) => e.staff_id === who.id)
      .map((e) => e.details.reason)
      .sort(),
  ).toEqual(['second_factor_replayed', 'second_factor_wrong', 'second_factor_wrong']);
  await context.close();
});

test('passkey: enrolment and sign-in with Chromium’s virtual authenticator', async ({ browser, request }) => {
  test.setTimeout(90_000);
  const who = await newHandler(request);
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  // WebAuthn needs a domain as relying party id, not an IP address: the dev default is localhost.
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  await page.goto(`http://localhost:${PORT}/en/staff/`);
  await password(page, who.username, who.password);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Set up the second step of sign-in');
  await page.getByTestId('passkey-button').click();
  await expect(page.getByTestId('recovery-codes').locator('li')).toHaveCount(10);
  await expectAccessible(page);
  await page.getByTestId('continue').click();
  await expect(page.getByTestId('staff-bar')).toBeVisible();

  await page.getByTestId('sign-out').click();
  await page.goto(`http://localhost:${PORT}/en/staff/`);
  await password(page, who.username, who.password);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign-in: second step');
  expect(await names(context)).toEqual(['__Host-gopy_pending']);
  await expectAccessible(page);
  await page.getByTestId('passkey-button').click();
  await expect(page.getByTestId('staff-bar')).toBeVisible();
  expect(await names(context)).toEqual(['__Host-gopy_session']);
  await context.close();
});
