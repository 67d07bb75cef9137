/**
 * Rating a service (issue #3) on a 360 px phone against the real server and API: the one-tap counter
 * rating from a QR link, SIPAS one question per screen with check-your-answers, the same form with
 * no JavaScript, a rating sent while offline, English, and axe on every state. Open ratings need a
 * proof of work (the default config), so the island really solves one.
 */
import { test, expect, type Page, type Request } from '@playwright/test';
import { expectAccessible } from './axe.ts';
import { waitingRatings } from './outbox-idb.ts';

test.use({ viewport: { width: 360, height: 740 } });

/** Waits until the island has taken over the server-rendered form. */
async function enhanced(page: Page, mode: 'single' | 'stepper' | 'long'): Promise<void> {
  await expect(page.getByTestId('rating-form')).toHaveAttribute('data-enhanced', mode);
}

/** The body and key the island posted, to show that sending them again stores nothing new. */
function captureSubmissions(page: Page): { requests: Request[] } {
  const seen = { requests: [] as Request[] };
  page.on('request', (r) => {
    if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/v1/responses') seen.requests.push(r);
  });
  return seen;
}

async function expectStoredOnce(page: Page, req: Request): Promise<void> {
  const again = await page.request.post('/api/v1/responses', {
    headers: { 'idempotency-key': req.headers()['idempotency-key']!, 'content-type': 'application/json' },
    data: req.postData()!,
  });
  expect(again.status()).toBe(200);
  expect(await again.json()).toMatchObject({ replayed: true, verified: false });
}

/** Steps through the SIPAS questions one per screen: 4 on every scale, "no" to the feedback gate. */
async function answerSipasSteps(page: Page, nextLabel: string): Promise<number> {
  let screens = 0;
  for (; screens < 60; screens++) {
    if (await page.getByTestId('check-answers').isVisible()) break;
    const q = page.locator('.question');
    await expect(q).toHaveCount(1);
    const four = q.locator('input[type="radio"][value="4"]');
    const no = q.locator('input[type="radio"][value="chua"]');
    if ((await four.count()) > 0) await four.check();
    else if ((await no.count()) > 0) await no.check();
    await page.getByRole('button', { name: nextLabel, exact: true }).click();
  }
  return screens;
}

test('(a) QR at a counter: one tap, a reason, send; lands on the thank-you page within 15 s', async ({ page }) => {
  const sent = captureSubmissions(page);
  const started = Date.now();
  await page.goto('/danh-gia/?don-vi=so-noi-vu&quay=1&mau=quay');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Đánh giá nhanh tại quầy');
  await expect(page.getByTestId('rate-about')).toContainText('Sở Nội vụ');
  await expect(page.getByTestId('rate-about')).toContainText('Quầy');
  await expect(page.getByTestId('rate-verified')).toContainText('Không có mã hồ sơ');
  await enhanced(page, 'single');
  // Reason chips appear only after a middling or low rating.
  await expect(page.getByRole('group', { name: /Chưa tốt ở đâu/ })).toHaveCount(0);
  await page.getByRole('radio', { name: 'Không hài lòng', exact: true }).check();
  await page.getByRole('checkbox', { name: 'Chờ lâu' }).check();
  await page.getByRole('button', { name: 'Gửi đánh giá' }).click();
  await expect(page).toHaveURL(/\/danh-gia\/cam-on\/$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Trân trọng cảm ơn Ông/Bà đã đánh giá');
  expect(Date.now() - started).toBeLessThan(15_000);

  expect(sent.requests).toHaveLength(1);
  const body = sent.requests[0]!.postDataJSON() as Record<string, unknown>;
  expect(body).toMatchObject({
    instrument: 'quay',
    unit: 'so-noi-vu',
    counter: '1',
    locale: 'vi',
    answers: { rating: 'khong-hai-long', reasons: ['cho-lau'] },
  });
  expect(body.pow).toBeDefined();
  await expectStoredOnce(page, sent.requests[0]!);
});

test('(b) SIPAS with JavaScript: one question per screen, progress, back/next, check answers, send', async ({
  page,
}) => {
  const sent = captureSubmissions(page);
  await page.goto('/danh-gia/?don-vi=phuong-ninh-hoa&thu-tuc=1.001193&mau=sipas');
  await enhanced(page, 'stepper');
  await expect(page.getByTestId('rate-about')).toContainText('Đăng ký khai sinh');
  await expect(page.getByTestId('progress-text')).toHaveText('Câu 1/31');
  await expect(page.locator('progress')).toHaveAttribute('value', '1');
  await expect(page.locator('.question')).toHaveCount(1);
  await expectAccessible(page);

  // Next checks the current required question, with the error summary pattern.
  await page.getByRole('button', { name: 'Tiếp', exact: true }).click();
  const summary = page.getByTestId('error-summary');
  await expect(summary).toBeVisible();
  await expect(summary).toBeFocused();
  await expect(summary.getByRole('heading')).toHaveText('Có lỗi cần sửa');
  await expect(summary.getByRole('link')).toHaveText('Câu 1: Vui lòng chọn một câu trả lời.');
  await expect(page.locator('#err-f1_c1')).toBeVisible();

  await page.getByRole('radio', { name: /^3 Bình thường/ }).check();
  await page.getByRole('button', { name: 'Tiếp', exact: true }).click();
  await expect(summary).toHaveCount(0);
  await expect(page.getByTestId('progress-text')).toHaveText('Câu 2/31');
  await page.getByRole('button', { name: 'Quay lại' }).click();
  await expect(page.getByTestId('progress-text')).toHaveText('Câu 1/31');
  await expect(page.getByRole('radio', { name: /^3 Bình thường/ })).toBeChecked();
  await page.getByRole('button', { name: 'Tiếp', exact: true }).click();

  const screens = await answerSipasSteps(page, 'Tiếp');
  expect(screens).toBe(30);
  const check = page.getByTestId('check-answers');
  await expect(check.getByRole('heading', { name: 'Kiểm tra câu trả lời' })).toBeFocused();
  await expect(check.locator('.summary-row')).toHaveCount(31);
  await expect(check.locator('.summary-row').first()).toContainText('3 – Bình thường');
  await expectAccessible(page);

  // Change the first answer, and come back to the check step.
  await check.getByRole('link', { name: 'Sửa câu trả lời câu 1', exact: true }).click();
  await expect(page.getByTestId('progress-text')).toHaveText('Câu 1/31');
  await page.getByRole('radio', { name: /^5 Rất hài lòng/ }).check();
  await page.getByRole('button', { name: 'Tiếp', exact: true }).click();
  await expect(check.locator('.summary-row').first()).toContainText('5 – Rất hài lòng');

  await page.getByRole('button', { name: 'Gửi đánh giá' }).click();
  await expect(page).toHaveURL(/\/danh-gia\/cam-on\/$/, { timeout: 20_000 });
  await expectAccessible(page);
  expect(sent.requests).toHaveLength(1);
  const body = sent.requests[0]!.postDataJSON() as { answers: Record<string, unknown>; procedure: string };
  expect(body.procedure).toBe('1.001193');
  expect(body.answers.f1_c1).toBe('5');
  expect(body.answers.f5_gate).toBe('chua');
  expect(body.answers).not.toHaveProperty('f5_c2');
  await expectStoredOnce(page, sent.requests[0]!);
});

test('(c) SIPAS without JavaScript: one long form, error summary keeps the answers, then thanks', async ({
  browser,
}) => {
  const ctx = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 360, height: 740 } });
  const page = await ctx.newPage();
  await page.goto('/danh-gia/?don-vi=so-xay-dung&mau=sipas');
  const form = page.getByTestId('rating-form');
  await expect(form.locator('.question')).toHaveCount(35);
  // Conditional questions are on the page, and say when they apply.
  await expect(page.locator('#q-f5_c2')).toContainText('(chỉ trả lời nếu ở câu 24 đã chọn “Đã từng”)');
  // "(bắt buộc)" is said once for the form, and only to screen readers on each question (issue #11).
  await expect(page.getByTestId('required-note')).toHaveText('Các câu đều bắt buộc, trừ câu ghi “(không bắt buộc)”.');
  await expect(page.locator('#q-f1_c1 .visually-hidden')).toHaveText('(bắt buộc)');
  await expect(page.locator('#q-comment')).toContainText('(không bắt buộc)');
  await expect(page.locator('#website')).toHaveAttribute('tabindex', '-1');

  const likert = await form
    .locator('fieldset:has(input[type="radio"][value="4"])')
    .evaluateAll((els) => els.map((e) => e.id.replace(/^q-/, '')));
  for (const id of likert)
    if (id !== 'f1_c2' && !/^f5_(c[234]|sat)$/.test(id)) await page.check(`input[name="a.${id}"][value="4"]`);
  await page.check('input[name="a.f5_gate"][value="chua"]');
  // Answered although it does not apply ("No" above): the page drops it before sending.
  await page.check('input[name="a.f5_c2"][value="2"]');
  await page.fill('#a-comment', 'Cán bộ nhiệt tình.');
  await page.getByRole('button', { name: 'Gửi đánh giá' }).click();

  await expect(page).toHaveTitle(/^Lỗi: /);
  const summary = page.getByTestId('error-summary');
  await expect(summary).toBeVisible();
  await expect(summary.getByRole('heading')).toHaveText('Có lỗi cần sửa');
  const link = summary.getByRole('link', { name: 'Câu 2: Vui lòng chọn một câu trả lời.' });
  await expect(link).toHaveAttribute('href', '#a-f1_c2-0');
  await expect(summary.getByRole('link')).toHaveCount(1);
  await expect(page.locator('#err-f1_c2')).toContainText('Vui lòng chọn một câu trả lời.');
  await expect(page.locator('#q-f1_c2')).toHaveAttribute('aria-describedby', /err-f1_c2/);
  // The other answers are kept.
  await expect(page.locator('input[name="a.f1_c1"][value="4"]')).toBeChecked();
  await expect(page.locator('input[name="a.f5_gate"][value="chua"]')).toBeChecked();
  await expect(page.locator('#a-comment')).toHaveValue('Cán bộ nhiệt tình.');

  await link.click();
  await expect(page).toHaveURL(/#a-f1_c2-0$/);
  await page.check('input[name="a.f1_c2"][value="5"]');
  await page.getByRole('button', { name: 'Gửi đánh giá' }).click();
  await expect(page).toHaveURL(/\/danh-gia\/cam-on\/$/);
  await expect(page.getByTestId('rate-thanks')).toBeVisible();
  await ctx.close();
});

test('(d) offline: the rating waits in the browser and is sent once when back online', async ({ page, context }) => {
  test.setTimeout(60_000);
  const sent = captureSubmissions(page);
  const stored: number[] = [];
  page.on('response', (r) => {
    if (r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/responses') stored.push(r.status());
  });
  await page.goto('/danh-gia/?don-vi=so-tai-chinh&quay=3');
  await enhanced(page, 'single');
  await context.setOffline(true);
  await page.getByRole('radio', { name: 'Hài lòng', exact: true }).check();
  await page.getByRole('button', { name: 'Gửi đánh giá' }).click();
  await expect(page.getByTestId('rate-status')).toContainText('Đang chờ gửi: câu trả lời sẽ được gửi khi có mạng.');
  await expect(page.getByTestId('send')).toBeDisabled();
  const waiting = await waitingRatings(page);
  expect(waiting).toHaveLength(1);
  const [queued] = waiting as [(typeof waiting)[number]];
  expect(queued.body).toMatchObject({ instrument: 'quay', unit: 'so-tai-chinh', counter: '3' });
  expect(queued.body).not.toHaveProperty('pow');

  await context.setOffline(false);
  await expect(page).toHaveURL(/\/danh-gia\/cam-on\/$/, { timeout: 40_000 });
  expect(await waitingRatings(page)).toEqual([]);
  // The page or the service worker (site/sw/service-worker.ts) sent it, whichever came first; the
  // page saw at most one new row, and the waiting key is stored.
  expect(stored.filter((s) => s === 201).length).toBeLessThanOrEqual(1);
  expect(stored.every((s) => s === 200 || s === 201)).toBe(true);
  expect(sent.requests.every((r) => r.headers()['idempotency-key'] === queued.key)).toBe(true);
  const again = await page.request.post('/api/v1/responses', {
    headers: { 'idempotency-key': queued.key, 'content-type': 'application/json' },
    data: queued.body,
  });
  expect(again.status()).toBe(200);
  expect(await again.json()).toMatchObject({ replayed: true, verified: false });
});

test('(e) English: the counter rating from a QR link', async ({ page }) => {
  await page.goto('/en/rate/?don-vi=so-y-te&quay=2&mau=quay');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Quick rating at the counter');
  await expect(page.getByTestId('lang-switch')).toHaveAttribute('href', '/danh-gia/?don-vi=so-y-te&quay=2&mau=quay');
  await enhanced(page, 'single');
  await expectAccessible(page);
  await page.getByRole('radio', { name: 'Very satisfied' }).check();
  await page.getByRole('button', { name: 'Send rating' }).click();
  await expect(page).toHaveURL(/\/en\/rate\/thank-you\/$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Thank you for your rating');
});

test('(e) English: SIPAS one question per screen up to check-your-answers', async ({ page }) => {
  await page.goto('/en/rate/?don-vi=trung-tam-hcc-khanh-hoa&mau=sipas');
  await enhanced(page, 'stepper');
  await expect(page.getByTestId('progress-text')).toHaveText('Question 1 of 31');
  await expectAccessible(page);
  await answerSipasSteps(page, 'Next');
  await expect(page.getByRole('heading', { name: 'Check your answers' })).toBeFocused();
  await expectAccessible(page);
});

// axe needs JavaScript in the page, so the plain form is checked with the island's scripts blocked.
for (const [lang, path, send] of [
  ['vi', '/danh-gia/?don-vi=so-giao-duc-dao-tao&mau=danh-gia-ho-so', 'Gửi đánh giá'],
  ['en', '/en/rate/?don-vi=so-giao-duc-dao-tao&mau=danh-gia-ho-so', 'Send rating'],
] as const)
  test(`(f) axe: the plain form and its error summary (${lang})`, async ({ page }) => {
    await page.route('**/_astro/*.js', (r) => r.abort());
    await page.goto(path);
    await expect(page.getByTestId('rating-form').locator('.question')).toHaveCount(10);
    await expectAccessible(page);
    await page.getByRole('button', { name: send }).click();
    await expect(page.getByTestId('error-summary').getByRole('link')).toHaveCount(9);
    await expectAccessible(page);
  });

test('the picker: choose a unit and a form; missing choices use the error summary', async ({ page }) => {
  await page.goto('/danh-gia/');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Đánh giá dịch vụ công');
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Tiếp tục' }).click();
  const summary = page.getByTestId('error-summary');
  await expect(summary.getByRole('link', { name: 'Vui lòng chọn cơ quan, đơn vị đã phục vụ Ông/Bà.' })).toHaveAttribute(
    'href',
    '#don-vi',
  );
  await expect(summary.getByRole('link', { name: 'Vui lòng chọn cách đánh giá.' })).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel('Cơ quan, đơn vị đã phục vụ Ông/Bà').selectOption({ label: 'Sở Y tế' });
  await page.getByRole('radio', { name: /SIPAS/ }).check();
  await page.getByRole('button', { name: 'Tiếp tục' }).click();
  await expect(page).toHaveURL(/don-vi=so-y-te/);
  await expect(page).toHaveURL(/mau=sipas/);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('SIPAS');
});

test('the procedure page link preselects the procedure and its only unit', async ({ page }) => {
  await page.goto('/en/rate/?thu-tuc=1.001193');
  await expect(page.getByLabel('Procedure you completed (optional)')).toHaveValue('1.001193');
  await expect(page.getByLabel('Agency or unit that served you')).toHaveValue('phuong-ninh-hoa');
  await expectAccessible(page);
});

test('the thank-you page, in both languages', async ({ page }) => {
  await page.goto('/danh-gia/cam-on/');
  await expect(page.getByRole('link', { name: 'Về trang chủ' })).toHaveAttribute('href', '/');
  await expectAccessible(page);
  await page.goto('/en/rate/thank-you/');
  await expect(page.getByRole('link', { name: 'Browse administrative procedures' })).toHaveAttribute(
    'href',
    '/en/procedures/',
  );
  await expectAccessible(page);
});
