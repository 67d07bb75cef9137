/**
 * The admin pages of the staff workspace (issue #4: "admin (users, rules)"; "every staff action
 * and every view of personal data is written to an append-only audit log") on a 360 px phone
 * against the real server and API, with plain forms only: an account created (its password shown
 * once), signed in from a second browser, deactivated (its session ends), reactivated, its password
 * reset (the old one refused); the audit log shows those steps and a view of a sender's contact
 * data; members without the admin role get a 403 page. axe and no horizontal overflow on each page
 * in both languages. The accounts come from scripts/e2e-server.ts (reports/e2e-staff.json).
 */
import { readFileSync } from 'node:fs';
import { test, expect, type Browser, type Locator, type Page } from '@playwright/test';
import { expectAccessible } from './axe.ts';
import { pageSignIn } from './staff-login.ts';

test.use({ viewport: { width: 360, height: 740 } });

type Account = 'e2e-admin' | 'e2e-coordinator' | 'e2e-handler';
const passwords = (): Record<Account, string> =>
  JSON.parse(readFileSync('reports/e2e-staff.json', 'utf8')) as Record<Account, string>;

const PASSWORD = /^[A-Za-z0-9]{20}$/;

/** Signs in on `path` (any workspace page shows the form when signed out) and lands on it. */
async function signInAs(page: Page, username: string, password: string, path = '/quan-tri/'): Promise<void> {
  await page.goto(path);
  // Both factors (issue #7 part 4b); a new account enrols TOTP at its first sign-in.
  await pageSignIn(page, username, { password });
}

async function member(browser: Browser, who: Account, path?: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  await signInAs(page, who, passwords()[who], path);
  return page;
}

/** A signed-out browser of its own (a second device), for the account under test. */
async function device(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  return context.newPage();
}

function account(page: Page, username: string): Locator {
  return page.locator(`[data-testid="account"][data-username="${username}"]`);
}

async function createAccount(admin: Page, username: string, name: string): Promise<string> {
  await admin.goto('/quan-tri/quan-ly/');
  await admin.locator('#a-username').fill(username);
  await admin.locator('#a-display-name').fill(name);
  await admin.locator('#a-role-0').selectOption('handler');
  await admin.locator('#a-unit-0').selectOption('phuong-ninh-hoa');
  await admin.getByTestId('create-submit').click();
  await expect(admin.getByTestId('password-panel')).toBeVisible();
  const password = (await admin.getByTestId('new-password').innerText()).trim();
  expect(password).toMatch(PASSWORD);
  return password;
}

test('accounts: create (password once), sign in elsewhere, deactivate ends it, reactivate, reset password', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const admin = await member(browser, 'e2e-admin', '/quan-tri/quan-ly/');
  const res = await admin.goto('/quan-tri/quan-ly/');
  expect(res!.status()).toBe(200);
  expect(res!.headers()['cache-control']).toBe('no-store');
  await expect(admin.locator('meta[name="robots"]')).toHaveAttribute('content', /noindex/);
  await expect(admin.getByRole('heading', { level: 1 })).toHaveText('Quản lý tài khoản cán bộ');
  await expect(admin.getByTestId('admin-link')).toHaveAttribute('aria-current', 'page');
  await expect(account(admin, 'e2e-admin').getByTestId('account-self')).toBeVisible();
  await expect(account(admin, 'e2e-coordinator')).toContainText('Điều phối: Tỉnh Khánh Hòa');
  await expectAccessible(admin);

  // A refused form keeps its answers and names the fields.
  await admin.locator('#a-username').fill('Ab');
  await admin.getByTestId('create-submit').click();
  await expect(admin.getByTestId('error-summary')).toBeVisible();
  await expect(admin.getByTestId('error-summary')).toContainText('Họ và tên');
  await expect(admin.locator('#a-username')).toHaveValue('Ab');
  await expectAccessible(admin);

  const username = `e2e-new-${Date.now().toString(36)}`;
  const first = await createAccount(admin, username, 'Nguyễn Thị Lan');
  await expect(admin.getByTestId('password-panel')).toContainText(`Đã tạo tài khoản ${username}`);
  await expect(admin.getByTestId('password-warning')).toContainText('chỉ hiện một lần');
  // Never in a URL; the response to the POST was not redirected.
  expect(admin.url()).not.toContain(first);
  await expect(account(admin, username)).toContainText('Xử lý: UBND phường Ninh Hòa');
  await expect(account(admin, username).getByTestId('account-last-seen')).toHaveText('Chưa đăng nhập lần nào');
  await expectAccessible(admin);
  // Shown once: the next visit has no password on it.
  await admin.goto('/quan-tri/quan-ly/');
  await expect(admin.getByTestId('password-panel')).toHaveCount(0);
  expect(await admin.content()).not.toContain(first);

  // The new member signs in on another device; they are no admin.
  const other = await device(browser);
  await signInAs(other, username, first);
  await expect(other.getByRole('heading', { level: 1 })).toHaveText('Phản ánh, kiến nghị cần xử lý');
  await expect(other.getByTestId('admin-link')).toHaveCount(0);

  // Deactivated: the session ends at once and the password no longer opens it.
  await admin.goto('/quan-tri/quan-ly/');
  await expect(account(admin, username).getByTestId('account-last-seen')).not.toHaveText('Chưa đăng nhập lần nào');
  await account(admin, username).getByTestId('deactivate').click();
  await expect(admin.getByTestId('done')).toHaveText(
    `Đã vô hiệu hóa tài khoản ${username}; mọi phiên đăng nhập của tài khoản đã kết thúc.`,
  );
  await expect(account(admin, username)).toHaveAttribute('data-active', 'false');
  await expect(account(admin, username).getByTestId('account-status')).toHaveText('Đã vô hiệu hóa');
  await expectAccessible(admin);
  await other.goto('/quan-tri/');
  await expect(other.getByTestId('sign-in-form')).toBeVisible();
  await expect(other.getByTestId('staff-bar')).toHaveCount(0);
  await other.locator('#username').fill(username);
  await other.locator('#password').fill(first);
  await other.getByTestId('sign-in').click();
  await expect(other.getByTestId('problem')).toHaveText('Tên đăng nhập hoặc mật khẩu không đúng.');

  // Reactivated: the same password works again.
  await account(admin, username).getByTestId('activate').click();
  await expect(admin.getByTestId('done')).toHaveText(`Đã kích hoạt lại tài khoản ${username}.`);
  await expect(account(admin, username)).toHaveAttribute('data-active', 'true');
  await signInAs(other, username, first);

  // Reset: a new password, shown once; the session ends and the old password is refused.
  await account(admin, username).getByTestId('reset-password').click();
  await expect(admin.getByTestId('password-panel')).toContainText(`Mật khẩu mới của tài khoản ${username}`);
  const second = (await admin.getByTestId('new-password').innerText()).trim();
  expect(second).toMatch(PASSWORD);
  expect(second).not.toBe(first);
  await expectAccessible(admin);
  await other.goto('/quan-tri/');
  await expect(other.getByTestId('sign-in-form')).toBeVisible();
  await other.locator('#username').fill(username);
  await other.locator('#password').fill(first);
  await other.getByTestId('sign-in').click();
  await expect(other.getByTestId('problem')).toHaveText('Tên đăng nhập hoặc mật khẩu không đúng.');
  await signInAs(other, username, second);

  // End all sessions: the other device is signed out, the account stays active.
  await admin.goto('/quan-tri/quan-ly/');
  await account(admin, username).getByTestId('revoke-sessions').click();
  await expect(admin.getByTestId('done')).toHaveText(`Đã kết thúc mọi phiên đăng nhập của tài khoản ${username}.`);
  await other.goto('/quan-tri/');
  await expect(other.getByTestId('sign-in-form')).toBeVisible();
  await signInAs(other, username, second);

  // The audit log has each step, about this account, by the admin. Filtered per action, so rows
  // written meanwhile by specs running in parallel never push ours off the first page.
  await admin.getByTestId('audit-link').click();
  await expect(admin).toHaveURL(/\/quan-tri\/nhat-ky\/$/);
  await expect(admin.getByRole('heading', { level: 1 })).toHaveText('Nhật ký thao tác');
  await expect(admin.getByTestId('append-only')).toContainText('không ai sửa hay xóa được');
  // Newest first: in the order written (the demo data's rows carry back-dated times).
  const ids = await admin
    .getByTestId('audit-row')
    .evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-id'))));
  expect(ids.length).toBeGreaterThan(5);
  expect([...ids].sort((a, b) => b - a)).toEqual(ids);
  await expectAccessible(admin);
  for (const [action, words] of [
    ['staff_create', 'Tạo tài khoản cán bộ'],
    ['staff_deactivate', 'Vô hiệu hóa tài khoản'],
    ['staff_activate', 'Kích hoạt lại tài khoản'],
    ['staff_reset_password', 'Đặt lại mật khẩu'],
    ['revoke_sessions', 'Kết thúc mọi phiên đăng nhập của tài khoản'],
  ] as const) {
    await admin.goto(`/quan-tri/nhat-ky/?action=${action}`);
    const row = admin.getByTestId('audit-row').filter({ hasText: `Tài khoản ${username}` });
    await expect(row).toHaveCount(1);
    await expect(row).toHaveAttribute('data-action', action);
    await expect(row).toContainText(words);
    await expect(row).toContainText('e2e-admin');
  }
  // The refused sign-ins of the account, the reason in words.
  await admin.goto('/quan-tri/nhat-ky/?action=login_failure');
  const failures = admin.getByTestId('audit-row').filter({ hasText: username });
  await expect(failures.filter({ hasText: 'Lý do: tài khoản đã bị vô hiệu hóa' })).toHaveCount(1);
  await expect(failures.filter({ hasText: 'Lý do: sai mật khẩu' })).toHaveCount(1);

  // The filter form.
  await admin.goto('/quan-tri/nhat-ky/');
  await admin.locator('#audit-action').selectOption('staff_deactivate');
  await admin.getByTestId('audit-apply').click();
  await expect(admin).toHaveURL(/action=staff_deactivate/);
  const rows = admin.getByTestId('audit-row');
  await expect(rows.filter({ hasText: `Tài khoản ${username}` })).toHaveCount(1);
  expect(new Set(await rows.evaluateAll((r) => r.map((x) => x.getAttribute('data-action'))))).toEqual(
    new Set(['staff_deactivate']),
  );
  await expectAccessible(admin);
});

test('the audit log shows a view of personal data, linked to its case', async ({ browser }) => {
  test.setTimeout(90_000);
  const coordinator = await member(browser, 'e2e-coordinator', '/quan-tri/nhap-tay/');
  const stamp = Date.now().toString(36);
  await coordinator.locator('#e-channel').selectOption('hotline');
  await coordinator.locator('#e-unit').selectOption('phuong-ninh-hoa');
  await coordinator.locator('#e-title').fill(`Hỏi về lệ phí chứng thực ${stamp}`);
  await coordinator.locator('#e-content').fill('Người gọi hỏi mức lệ phí chứng thực bản sao.');
  await coordinator.locator('#e-name').fill('Võ Thị Hạnh');
  await coordinator.locator('#e-phone').fill('0935 111 222');
  await coordinator.getByTestId('entry-submit').click();
  await expect(coordinator.getByTestId('entry-receipt')).toBeVisible();
  const path = (await coordinator.getByTestId('open-case').getAttribute('href'))!;
  const id = /\/(\d+)\/$/.exec(path)![1]!;
  await coordinator.goto(path);
  await coordinator.getByTestId('show-contact').click();
  await expect(coordinator.getByTestId('contact')).toContainText('Võ Thị Hạnh');

  const admin = await member(browser, 'e2e-admin', '/quan-tri/nhat-ky/?action=view_personal_data');
  const row = admin.getByTestId('audit-row').filter({ hasText: `Phản ánh, kiến nghị số ${id}` });
  await expect(row).toHaveCount(1);
  await expect(row).toHaveAttribute('data-action', 'view_personal_data');
  await expect(row).toContainText('Xem dữ liệu cá nhân của người gửi');
  await expect(row).toContainText('e2e-coordinator');
  await expect(row).toContainText('UBND phường Ninh Hòa');
  await expect(row.getByTestId('audit-case-link')).toHaveAttribute('href', path);
  // The log holds codes and ids, never the personal data itself.
  await expect(admin.locator('main')).not.toContainText('Võ Thị Hạnh');
  await expect(admin.locator('main')).not.toContainText('0935');
  await expectAccessible(admin);

  // The case's entry is logged too, with its channel in words.
  await admin.goto('/quan-tri/nhat-ky/?action=feedback_enter');
  await expect(
    admin
      .getByTestId('audit-row')
      .filter({ hasText: 'e2e-coordinator' })
      .filter({ hasText: 'Kênh: Đường dây nóng' })
      .first(),
  ).toBeVisible();
});

test('members without the admin role get a 403 page and no admin links', async ({ browser }) => {
  // Three accounts sign in one after another, each waiting for an unused TOTP step (e2e/staff-login.ts).
  test.slow();
  const coordinator = await member(browser, 'e2e-coordinator');
  await expect(coordinator.getByTestId('admin-link')).toHaveCount(0);
  await expect(coordinator.getByTestId('audit-link')).toHaveCount(0);
  for (const [path, heading] of [
    ['/quan-tri/quan-ly/', 'Không có quyền truy cập'],
    ['/quan-tri/nhat-ky/', 'Không có quyền truy cập'],
    ['/en/staff/admin/', 'Access denied'],
    ['/en/staff/audit-log/', 'Access denied'],
  ] as const) {
    const res = await coordinator.goto(path);
    expect(res!.status(), path).toBe(403);
    expect(res!.headers()['cache-control']).toBe('no-store');
    await expect(coordinator.getByTestId('forbidden')).toHaveText(heading);
    await expect(coordinator.getByTestId('create-form')).toHaveCount(0);
    await expect(coordinator.getByTestId('audit-table')).toHaveCount(0);
    await expectAccessible(coordinator);
  }
  // A post from a non-admin (with their valid CSRF token) gets the same 403 and is never handed
  // to the API.
  const handler = await member(browser, 'e2e-handler', '/quan-tri/quan-ly/');
  await expect(handler.getByTestId('forbidden')).toBeVisible();
  const posted = handler.waitForResponse((r) => r.request().method() === 'POST');
  await handler.evaluate(() => {
    const form = document.createElement('form');
    form.method = 'post';
    form.action = '/quan-tri/quan-ly/';
    const csrf = document.querySelector<HTMLInputElement>('input[name="csrf_token"]')!.value;
    for (const [name, value] of [
      ['intent', 'create'],
      ['username', 'khong-duoc-tao'],
      ['display_name', 'Không được tạo'],
      ['role_0', 'admin'],
      ['unit_0', 'khanh-hoa'],
      ['csrf_token', csrf],
    ]) {
      const input = document.createElement('input');
      input.type = 'hidden';
      input.name = name!;
      input.value = value!;
      form.append(input);
    }
    document.body.append(form);
    form.submit();
  });
  expect((await posted).status()).toBe(403);
  await expect(handler.getByTestId('forbidden')).toBeVisible();
  const admin = await member(browser, 'e2e-admin', '/quan-tri/quan-ly/');
  await expect(account(admin, 'khong-duoc-tao')).toHaveCount(0);

  // Signed out, the admin pages ask for a sign-in like every workspace page.
  const anonymous = await device(browser);
  await anonymous.goto('/quan-tri/nhat-ky/');
  await expect(anonymous.getByTestId('sign-in-form')).toBeVisible();
  await expectAccessible(anonymous);
});

test('English admin pages: accounts and audit log pass axe at 360 px; the language switch keeps the page', async ({
  browser,
}) => {
  test.setTimeout(90_000);
  const admin = await member(browser, 'e2e-admin', '/en/staff/admin/');
  await expect(admin.locator('html')).toHaveAttribute('lang', 'en');
  await expect(admin.getByRole('heading', { level: 1 })).toHaveText('Staff accounts');
  await expect(account(admin, 'e2e-coordinator')).toContainText('Coordinator: Khanh Hoa Province');
  await expectAccessible(admin);

  await admin.getByTestId('create-submit').click();
  await expect(admin.getByTestId('error-summary')).toBeVisible();
  await expectAccessible(admin);

  const username = `e2e-en-${Date.now().toString(36)}`;
  await admin.locator('#a-username').fill(username);
  await admin.locator('#a-display-name').fill('Trần Văn Minh');
  await admin.locator('#a-role-1').selectOption('publisher');
  await admin.locator('#a-unit-1').selectOption('khanh-hoa');
  await admin.getByTestId('create-submit').click();
  await expect(admin.getByTestId('password-panel')).toContainText(`Account ${username} created`);
  await expect(admin.getByTestId('password-warning')).toContainText('shown this once');
  expect((await admin.getByTestId('new-password').innerText()).trim()).toMatch(PASSWORD);
  await expectAccessible(admin);

  await admin.getByTestId('audit-link').click();
  await expect(admin).toHaveURL(/\/en\/staff\/audit-log\/$/);
  await expect(admin.getByRole('heading', { level: 1 })).toHaveText('Audit log');
  await expect(
    admin
      .getByTestId('audit-row')
      .filter({ hasText: `Account ${username}` })
      .and(admin.locator('[data-action="staff_create"]')),
  ).toContainText('Created a staff account');
  await expectAccessible(admin);

  await admin.getByTestId('lang-switch').click();
  await expect(admin).toHaveURL(/\/quan-tri\/nhat-ky\/$/);
  await expect(admin.getByRole('heading', { level: 1 })).toHaveText('Nhật ký thao tác');
});
