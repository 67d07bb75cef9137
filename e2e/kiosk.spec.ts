/**
 * The counter kiosk (issue #10 part 3) against the real server, on a landscape tablet (1024×768)
 * and a portrait one (800×1280): a unit admin makes a device link, the tablet opens it (the secret
 * leaves the address bar for an HttpOnly cookie), the official on duty signs in with the code, a
 * citizen rates while the network is down (thanks at once, back to the question by itself), and the
 * queued rating is stored exactly once when the network returns. English switch; a revoked link is
 * refused with its machine code. axe on every screen.
 */
import { test, expect, type Page } from '@playwright/test';
import { expectAccessible } from './axe.ts';
import { apiSignInWithCsrf, pageSignIn, type SignedIn } from './staff-login.ts';
import { waitingRatings } from './outbox-idb.ts';

const UNIT = 'phuong-ninh-hoa';

async function adminPost(page: Page, admin: SignedIn, path: string, data: unknown) {
  return page.request.post(path, { data, headers: { Cookie: admin.cookie, 'X-CSRF-Token': admin.csrf } });
}

for (const [name, viewport] of [
  ['landscape', { width: 1024, height: 768 }],
  ['portrait', { width: 800, height: 1280 }],
] as const) {
  test(`kiosk at ${viewport.width}×${viewport.height}: offline rating queued once, shift, English, revocation`, async ({
    page,
    context,
  }) => {
    test.slow();
    await page.setViewportSize(viewport);
    const admin = await apiSignInWithCsrf(page.request, 'e2e-admin');
    const counter = `e2e-${name}`;
    const made = await adminPost(page, admin, '/api/v1/staff/kiosks', { unit: UNIT, counter, label: `Quầy ${name}` });
    expect(made.status(), await made.text()).toBe(201);
    const device = (await made.json()) as { id: number; link: string };
    const official = await adminPost(page, admin, '/api/v1/staff/officials', {
      unit: UNIT,
      code: `CB-E2E-${name.toUpperCase()}`,
    });
    expect(official.status()).toBe(201);
    const { pin } = (await official.json()) as { pin: string };

    // The device link: the page keeps the secret in a cookie, not in the address.
    const link = new URL(device.link);
    await page.goto(`${link.pathname}${link.search}`);
    await expect(page).toHaveURL(new RegExp(`/danh-gia/quay/${UNIT}/${counter}/$`));
    const cookies = await context.cookies();
    const kioskCookie = cookies.find((c) => c.name === '__Host-gopy_kiosk');
    expect(kioskCookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict' });
    await expect(page.getByTestId('kiosk-app')).toBeVisible();
    await expectAccessible(page);

    // The official on duty signs in: a shift starts.
    await page.getByTestId('kiosk-shift').locator('summary').click();
    await page.getByLabel('Mã đăng nhập quầy của cán bộ (6 chữ số)').fill(pin);
    await page.getByRole('button', { name: 'Bắt đầu ca' }).click();
    await expect(page.getByTestId('kiosk-notice')).toHaveText('Đã bắt đầu ca làm việc.');
    await expect(page.getByTestId('kiosk-app')).toBeVisible();
    await expectAccessible(page);

    // Large targets: every answer at least 48 px high and wide (WCAG 2.5.8 asks 24).
    for (const box of await page
      .locator('.kiosk-app .kiosk-choice')
      .evaluateAll((els) => els.map((e) => e.getBoundingClientRect()))) {
      expect(box.height).toBeGreaterThanOrEqual(48);
      expect(box.width).toBeGreaterThanOrEqual(48);
    }

    const posts: number[] = [];
    page.on('response', (r) => {
      if (r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/responses') posts.push(r.status());
    });

    // Offline: the citizen taps, is thanked at once, and the kiosk returns to the question.
    await context.setOffline(true);
    await page.locator('.kiosk-app').getByRole('button', { name: 'Hài lòng', exact: true }).click();
    await expect(page.getByTestId('kiosk-thanks')).toBeVisible();
    await expect(page.getByTestId('kiosk-queued')).toBeVisible();
    await expectAccessible(page);
    // The outbox is IndexedDB (site/islands/rating-outbox.ts): written a moment after the tap.
    await expect.poll(async () => (await waitingRatings(page)).length).toBe(1);
    const pending = await waitingRatings(page);
    expect(JSON.stringify(pending)).not.toMatch(/name|phone|email/i);
    await expect(page.getByTestId('kiosk-app')).toHaveAttribute('data-screen', 'question', { timeout: 15_000 });
    await expect(page.getByTestId('kiosk-waiting')).toBeVisible();

    // Back online: sent once, the queue empties.
    await context.setOffline(false);
    await expect.poll(async () => (await waitingRatings(page)).length, { timeout: 30_000 }).toBe(0);
    await expect(page.getByTestId('kiosk-waiting')).toHaveCount(0);
    expect(posts.filter((s) => s === 201)).toHaveLength(1);
    // Sending the same queued answer again stores nothing new.
    const [item] = pending as { body: unknown; key: string }[];
    const again = await page.request.post('/api/v1/responses', {
      data: item!.body,
      headers: { 'idempotency-key': item!.key, Cookie: `__Host-gopy_kiosk=${kioskCookie!.value}` },
    });
    expect(again.status()).toBe(200);
    expect(await again.json()).toMatchObject({ replayed: true, verified: false });

    // English.
    await page.getByTestId('lang-switch').click();
    await expect(page).toHaveURL(new RegExp(`/en/rate/counter/${UNIT}/${counter}/$`));
    await expect(page.locator('.kiosk-app h1')).toHaveText('Were you satisfied with the service at this counter?');
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expectAccessible(page);

    // Revoked: the kiosk says so, with the machine code.
    const revoke = await adminPost(page, admin, `/api/v1/staff/kiosks/${device.id}/revoke`, {});
    expect(revoke.status()).toBe(200);
    const res = await page.reload();
    expect(res?.status()).toBe(403);
    await expect(page.getByTestId('kiosk-problem')).toHaveAttribute('data-code', 'kiosk_revoked');
    await expectAccessible(page);
  });
}

test('a supervisor reads the officials of the province for last month; the view is audited', async ({ page }) => {
  test.slow();
  await page.setViewportSize({ width: 1024, height: 768 });
  const vn = new Date(Date.now() + 7 * 3600_000);
  const month = new Date(Date.UTC(vn.getUTCFullYear(), vn.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
  await page.goto(`/quan-tri/can-bo/?thang=${month}&don-vi=khanh-hoa`);
  await pageSignIn(page, 'e2e-supervisor');
  await expect(page.getByTestId('officers-table')).toBeVisible();
  // The demo data's officials (and the ones the kiosk tests registered) of the province.
  expect(await page.getByTestId('officers-table').locator('tbody tr').count()).toBeGreaterThan(0);
  await expectAccessible(page);
  await page.getByTestId('lang-switch').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText("Officials' results");
  await expectAccessible(page);
});
