/**
 * A verified rating end to end (issue #3 "Done when": rate through a QR link with a token): a
 * one-stop system registers a returned dossier with its API key (the e2e server writes one to
 * reports/e2e-api-key.txt), the citizen opens the survey link from the receipt, rates, and the
 * token works once: opened again, the link says so before any question.
 */
import { readFileSync } from 'node:fs';
import { test, expect, type APIRequestContext, type Request } from '@playwright/test';

test.use({ viewport: { width: 360, height: 740 } });

let serial = 0;

/** Registers a returned dossier as a one-stop system would; returns the survey link's path. */
async function registerDossier(request: APIRequestContext): Promise<string> {
  const key = readFileSync('reports/e2e-api-key.txt', 'utf8').trim();
  const now = Date.now();
  const res = await request.post('/api/v1/integration/dossiers', {
    headers: { authorization: `Bearer ${key}` },
    data: {
      code: `E2E-${now}-${++serial}-${Math.random().toString(36).slice(2, 8)}`,
      procedure: '1.001193',
      received_at: new Date(now - 3 * 86_400_000).toISOString(),
      due_at: new Date(now - 86_400_000).toISOString(),
      returned_at: new Date(now - 3_600_000).toISOString(),
    },
  });
  expect(res.status()).toBe(201);
  const body = (await res.json()) as { survey_url: string; token: string };
  expect(body.survey_url).toContain(`ma=${body.token}`);
  const url = new URL(body.survey_url);
  return `${url.pathname}${url.search}`;
}

test('with JavaScript: the receipt link opens the verified NĐ 61 evaluation, sent without proof of work', async ({
  page,
  request,
}) => {
  const link = await registerDossier(request);
  const sent: Request[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/v1/responses') sent.push(r);
  });
  await page.goto(link);
  await expect(page.getByTestId('rate-verified')).toContainText('Có mã hồ sơ');
  await expect(page.getByTestId('rate-about')).toContainText('Đăng ký khai sinh');
  for (let i = 0; i < 20 && !(await page.getByTestId('check-answers').isVisible()); i++) {
    const first = page.locator('.question input[type="radio"]').first();
    if ((await first.count()) > 0) await first.check();
    await page.getByRole('button', { name: 'Tiếp', exact: true }).click();
  }
  await expect(page.getByTestId('check-answers')).toBeVisible();
  await page.getByRole('button', { name: 'Gửi đánh giá' }).click();
  // The citizen sees the total and grade they gave (issue #11).
  await expect(page).toHaveURL(/\/danh-gia\/cam-on\/\?mau=danh-gia-ho-so&diem=\d+$/, { timeout: 20_000 });
  await expect(page.getByTestId('rate-score')).toHaveText(/Tổng điểm Ông\/Bà đã chấm: \d+\/18 điểm, xếp loại “.+”\./);

  const req = sent.at(-1)!;
  const body = JSON.parse(req.postData()!) as { token?: string; pow?: unknown };
  expect(body.token).toBeTruthy();
  expect(body.pow).toBeUndefined();
  const again = await request.post('/api/v1/responses', {
    headers: { 'idempotency-key': req.headers()['idempotency-key']!, 'content-type': 'application/json' },
    data: req.postData()!,
  });
  expect(again.status()).toBe(200);
  expect(await again.json()).toMatchObject({ verified: true, replayed: true });
});

test('without JavaScript: the verified evaluation as one form; the same link cannot rate twice', async ({
  browser,
  request,
}) => {
  const link = await registerDossier(request);
  const ctx = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 360, height: 740 } });
  const page = await ctx.newPage();
  const rateOnce = async () => {
    await page.goto(link);
    await expect(page.getByTestId('rate-verified')).toContainText('Có mã hồ sơ');
    const groups = await page.locator('fieldset.question').evaluateAll((els) => els.map((e) => e.id));
    for (const id of groups) {
      const first = page.locator(`#${id} input[type="radio"]`).first();
      if ((await first.count()) > 0) await first.check();
    }
    await page.getByRole('button', { name: 'Gửi đánh giá' }).click();
  };
  await rateOnce();
  await expect(page).toHaveURL(/\/danh-gia\/cam-on\/\?mau=danh-gia-ho-so&diem=\d+$/);
  await expect(page.getByTestId('rate-score')).toBeVisible();
  // Opened again, the used link says so before any question (issue #11 part 3).
  await page.goto(link);
  await expect(page.getByTestId('token-state')).toContainText('Mỗi hồ sơ chỉ được đánh giá một lần');
  await expect(page.locator('fieldset.question')).toHaveCount(0);
  await ctx.close();
});
