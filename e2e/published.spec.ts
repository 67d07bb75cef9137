/**
 * Published answers (/cong-khai/, /en/published/, issue #4) against the real built site and API,
 * with the published demo cases the e2e server writes when there are none
 * (db/demo-feedback-public.ts): the plain GET form searches without accents and filters, each case
 * shows its dates, days taken, rating and a dispute plainly, a code that is not published is a 404,
 * the pages ship no JavaScript, the open data (CSV, JSON, Open311) answers, the statistics page has
 * the feedback section, and axe finds nothing in both languages on a phone and a desktop.
 */
import { test, expect } from '@playwright/test';
import { axeViolations } from './axe.ts';
import { viewports } from './site-map.ts';

const LIST = { vi: '/cong-khai/', en: '/en/published/' } as const;
const DISPUTED = 'DEMA-4567';

test('the list shows published cases with dates, days taken and the sender’s rating, without JavaScript', async ({
  page,
}) => {
  const res = await page.goto(LIST.vi);
  expect(res?.status()).toBe(200);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(/Công khai trả lời/);
  const items = page.getByTestId('published-list').locator('li.pub-item');
  expect(await items.count()).toBeGreaterThan(0);
  await expect(page.locator(`li[data-code="${DISPUTED}"] [data-testid="status"]`)).toHaveText(/xem xét lại/);
  await expect(page.locator('script')).toHaveCount(0);
});

test('search ignores accents and filters by kind, through the plain GET form', async ({ page }) => {
  await page.goto(LIST.vi);
  await page.getByLabel('Từ khóa').fill('dang ky khai sinh');
  await page.getByRole('button', { name: 'Tìm' }).click();
  await expect(page).toHaveURL(/tu-khoa=dang\+ky\+khai\+sinh/);
  await expect(page.locator('li[data-code="DEMA-2345"]')).toBeVisible();
  await expect(page.locator(`li[data-code="${DISPUTED}"]`)).toHaveCount(0);

  await page.goto(`${LIST.vi}?loai=kien-nghi`);
  await expect(page.locator('li[data-code="DEMA-3456"]')).toBeVisible();
  await expect(page.locator('li[data-code="DEMA-2345"]')).toHaveCount(0);
});

test('a refused filter is a 422 page with an error summary, never a 500', async ({ page }) => {
  const res = await page.goto(`${LIST.vi}?tu=2026-05-01&den=2026-01-01`);
  expect(res?.status()).toBe(422);
  await expect(page.getByTestId('error-summary')).toBeVisible();
  const bad = await page.goto(`${LIST.en}?don-vi=nowhere`);
  expect(bad?.status()).toBe(422);
});

test('a case page states the dispute plainly; an unpublished code is a 404', async ({ page }) => {
  const res = await page.goto(`${LIST.vi}${DISPUTED}/`);
  expect(res?.status()).toBe(200);
  await expect(page.getByTestId('disputed')).toHaveText(/đang xem xét lại/);
  await expect(page.getByTestId('answer')).not.toBeEmpty();
  await expect(page.locator('script')).toHaveCount(0);
  const en = await page.goto(`${LIST.en}${DISPUTED}/`);
  expect(en?.status()).toBe(200);
  await expect(page.getByTestId('disputed')).toHaveText(/re-examined/);
  // The language switcher keeps the visitor on the same case.
  await expect(page.locator(`a[hreflang="vi"][href="/cong-khai/${DISPUTED}/"]`)).toHaveCount(1);
  const missing = await page.goto(`${LIST.vi}ZZZZ-9999/`);
  expect(missing?.status()).toBe(404);
});

test('open data: CSV with a BOM, JSON and Open311 answer', async ({ request }) => {
  const csv = await request.get('/api/v1/published-feedback.csv');
  expect(csv.status()).toBe(200);
  expect(csv.headers()['content-type']).toBe('text/csv; charset=utf-8');
  expect([...(await csv.body()).subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const json = await request.get('/api/v1/published-feedback');
  expect(((await json.json()) as { total: number }).total).toBeGreaterThan(0);
  const services = await request.get('/open311/v2/services.json');
  expect(((await services.json()) as unknown[]).length).toBe(6);
  const one = await request.get(`/open311/v2/requests/${DISPUTED}.json`);
  expect(((await one.json()) as { status: string }[])[0]!.status).toBe('open');
  const bad = await request.get('/open311/v2/requests.json?status=maybe');
  expect(bad.status()).toBe(400);
  expect(bad.headers()['content-type']).toMatch(/problem\+json/);
});

test('the statistics page has the feedback section with its downloads', async ({ page }) => {
  await page.goto('/thong-ke/');
  for (const id of ['phan-anh', 'phan-anh-theo-thoi-gian', 'phan-anh-theo-don-vi'])
    await expect(page.locator(`#table-${id}`), id).toBeVisible();
  await expect(page.locator('section[data-table-id="phan-anh"] [data-testid="csv-link"]')).toHaveAttribute(
    'href',
    /\/api\/v1\/stats\/feedback\.csv/,
  );
});

for (const vp of viewports)
  for (const [locale, path] of Object.entries(LIST))
    test(`axe finds nothing on the list and a case (${locale}, ${vp.name})`, async ({ page }) => {
      await page.setViewportSize({ width: vp.width, height: vp.height });
      for (const url of [
        path,
        `${path}?tu-khoa=khai+sinh`,
        `${path}${DISPUTED}/`,
        `${path}?tu=2026-05-01&den=2026-01-01`,
      ]) {
        await page.goto(url);
        expect(await axeViolations(page), url).toEqual([]);
        // 360 px phones first: nothing wider than the screen.
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, url).toBeLessThanOrEqual(0);
      }
    });
