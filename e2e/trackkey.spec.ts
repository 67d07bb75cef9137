/**
 * Issue #11 parts 2 and 5 on a 360 px phone against the real server:
 * - the receipt: the key in four groups of four from the unambiguous alphabet, the short link, the
 *   answer date marked provisional, copy and print buttons with JavaScript and none without (the
 *   key and link still shown as text), "send it to my e-mail", axe 0 violations; the short link opens the case and a
 *   key typed in lower case with spaces finds it;
 * - the rating outbox's service worker: rate offline, close the tab, come back online, open the
 *   home page: the waiting rating leaves, exactly once.
 * This spec stores one feedback case (the server allows 5 per client per window, see
 * e2e/feedback.spec.ts) and makes no failed look-up.
 */
import { test, expect, type Page } from '@playwright/test';
import { expectAccessible } from './axe.ts';
import { waitingRatings } from './outbox-idb.ts';

test.use({ viewport: { width: 360, height: 740 } });

const KEY = /^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/;
const LINK = /^\s*https?:\/\/[^/]+\/l\/[2-9A-HJKMNP-Z]{16}\s*$/;

async function sendFeedback(page: Page): Promise<void> {
  await page.goto('/gop-y/');
  await page.getByRole('radio', { name: 'Phản ánh', exact: true }).check();
  await page.getByRole('radio', { name: 'Việc khác', exact: true }).check();
  await page.getByLabel('Tiêu đề (bắt buộc)').fill('Biên nhận đọc được qua điện thoại');
  await page.getByLabel('Nội dung (bắt buộc)').fill('Mã bảo mật cần đọc được cho người khác qua điện thoại.');
  await page.getByLabel('Họ và tên (bắt buộc)').fill('Lê Thị Cúc');
  await page.getByLabel('Số điện thoại', { exact: true }).fill('0903 111 222');
  await page.getByRole('button', { name: 'Tiếp tục', exact: true }).click();
  await page.getByRole('button', { name: 'Gửi phản ánh, kiến nghị', exact: true }).click();
  await expect(page.getByTestId('receipt')).toBeVisible();
}

test('the receipt: grouped key, short link, provisional date, copy, print, send by e-mail; the link and a typed key open the case', async ({
  page,
  context,
}) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await sendFeedback(page);
  const code = (await page.getByTestId('tracking-code').innerText()).trim();
  const key = (await page.getByTestId('access-key').innerText()).trim();
  const link = (await page.getByTestId('receipt-link').innerText()).trim();
  expect(key).toMatch(KEY);
  expect(link).toMatch(LINK);
  await expect(page.getByTestId('answer-due-hint')).toContainText('tính lại');
  await expect(page.getByText('Hạn trả lời (dự kiến)')).toBeVisible();

  // Copy puts the code, the key and the link on the clipboard, and says so.
  await page.getByTestId('copy-receipt').click();
  await expect(page.getByTestId('copy-status')).toHaveText('Đã sao chép.');
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  for (const s of [code, key, link]) expect(copied).toContain(s);
  await expect(page.getByTestId('print-receipt')).toBeVisible();
  await expectAccessible(page);

  // Printed, the tools and forms are gone and the key is still there.
  await page.emulateMedia({ media: 'print' });
  await expect(page.getByTestId('copy-receipt')).toBeHidden();
  await expect(page.getByTestId('send-copy')).toBeHidden();
  await expect(page.getByTestId('access-key')).toBeVisible();
  await page.emulateMedia({ media: 'screen' });

  // Send it to my e-mail: a wrong address is said by the field, a right one is queued.
  await page.getByLabel('Địa chỉ thư điện tử').fill('khong-phai-email');
  await page.getByTestId('send-copy-submit').click();
  await expect(page.locator('#send-copy-error')).toBeVisible();
  await expect(page.getByLabel('Địa chỉ thư điện tử')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('access-key')).toHaveText(key);
  await expectAccessible(page);
  await page.getByLabel('Địa chỉ thư điện tử').fill('cuc.le@example.vn');
  await page.getByTestId('send-copy-submit').click();
  await expect(page.getByTestId('copy-sent')).toContainText('cuc.le@example.vn');
  await expect(page.getByTestId('access-key')).toHaveText(key);
  await expectAccessible(page);

  // Without JavaScript (the receipt shown again by "send it to my e-mail"): the key and link as
  // text, the print advice, and no copy or print button that could not work.
  const plain = await page
    .context()
    .browser()!
    .newContext({ javaScriptEnabled: false, viewport: { width: 360, height: 740 } });
  const nojs = await plain.newPage();
  await nojs.goto('/gop-y/');
  await nojs.evaluate(
    ([c, k]) => {
      const f = document.createElement('form');
      f.method = 'post';
      f.action = '/gop-y/';
      for (const [name, value] of [
        ['step', 'send-copy'],
        ['code', c],
        ['key', k],
        ['email', 'cuc.le@example.vn'],
      ]) {
        const i = document.createElement('input');
        i.type = 'hidden';
        i.name = name!;
        i.value = value!;
        f.append(i);
      }
      const b = document.createElement('button');
      b.id = 'go';
      f.append(b);
      document.body.append(f);
    },
    [code, key],
  );
  await nojs.locator('#go').click();
  await expect(nojs.getByTestId('access-key')).toHaveText(key);
  await expect(nojs.getByTestId('receipt-link')).toHaveText(LINK);
  await expect(nojs.getByTestId('copy-receipt')).toHaveCount(0);
  await expect(nojs.getByTestId('print-receipt')).toHaveCount(0);
  await expect(nojs.getByText('In trang này')).toBeVisible();
  await plain.close();

  // The short link opens the case without typing anything.
  await page.goto(new URL(link).pathname);
  await expect(page).toHaveURL(/\/tra-cuu\/\?lien-ket=/);
  await expect(page.getByTestId('track-code')).toHaveText(code);
  await expect(page.getByText('Hạn trả lời (dự kiến)')).toBeVisible();

  // The key typed in lower case with spaces instead of dashes.
  await page.goto('/tra-cuu/');
  await page.locator('#code').fill(code.toLowerCase());
  await page.locator('#key').fill(key.toLowerCase().replaceAll('-', ' '));
  await page.getByRole('button', { name: 'Tra cứu', exact: true }).click();
  await expect(page.getByTestId('track-code')).toHaveText(code);
  await expectAccessible(page);
});

test('a rating sent offline leaves when the home page is opened, after its tab was closed: exactly once', async ({
  context,
}) => {
  test.setTimeout(90_000);
  const page = await context.newPage();
  await page.goto('/danh-gia/?don-vi=so-tai-chinh&quay=5');
  await expect(page.getByTestId('rating-form')).toHaveAttribute('data-enhanced', 'single');
  // The rating page registered the worker; it is active before the network goes.
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await expect.poll(() => page.evaluate(() => Boolean(navigator.serviceWorker.controller))).toBe(true);

  // Offline for the page and for the worker (a context route reaches service-worker requests too).
  await context.setOffline(true);
  await context.route('**/api/v1/**', (route) => route.abort('internetdisconnected'));
  await page.getByRole('radio', { name: 'Hài lòng', exact: true }).check();
  await page.getByRole('button', { name: 'Gửi đánh giá' }).click();
  const status = page.getByTestId('rate-status');
  await expect(status).toContainText('Đang chờ gửi');
  await expect(status).toContainText('bất kỳ trang nào');
  await expect(status).toHaveClass(/rate-waiting/);
  await expect(page.getByTestId('send')).toBeDisabled();
  const waiting = await waitingRatings(page);
  expect(waiting).toHaveLength(1);
  const [queued] = waiting as [(typeof waiting)[number]];
  await page.close();

  // Back online; the home page (no JavaScript of its own) is opened in a new tab.
  await context.unroute('**/api/v1/**');
  await context.setOffline(false);
  const home = await context.newPage();
  await home.goto('/');
  await expect(home.locator('script[src]')).toHaveCount(0);
  await expect.poll(() => waitingRatings(home), { timeout: 60_000 }).toEqual([]);

  // Stored, once: the same key again is a replay of the one row (responses.idempotency_key is UNIQUE).
  const again = await home.request.post('/api/v1/responses', {
    headers: { 'idempotency-key': queued.key, 'content-type': 'application/json' },
    data: queued.body,
  });
  expect(again.status()).toBe(200);
  expect(await again.json()).toMatchObject({ replayed: true, verified: false });
});
