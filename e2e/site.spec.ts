import { test, expect } from '@playwright/test';
import { BIRTH_REGISTRATION } from './site-map.ts';

test('the language switcher keeps the visitor on the same page', async ({ page }) => {
  const pairs = [
    ['/thu-tuc/', '/en/procedures/'],
    [`/thu-tuc/${BIRTH_REGISTRATION}/`, `/en/procedures/${BIRTH_REGISTRATION}/`],
    ['/duong-day-nong/', '/en/hotline/'],
    ['/ket-qua-cai-cach/', '/en/reform-results/'],
  ];
  for (const [vi, en] of pairs) {
    await page.goto(vi!);
    await page.getByTestId('lang-switch').click();
    await expect(page).toHaveURL(new RegExp(`${en!.replace(/\./g, '\\.')}$`));
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await page.getByTestId('lang-switch').click();
    await expect(page).toHaveURL(new RegExp(`${vi!.replace(/\./g, '\\.')}$`));
    await expect(page.locator('html')).toHaveAttribute('lang', 'vi');
  }
});

test('the hotline is reachable from every page as a tel: link', async ({ page }) => {
  for (const path of ['/', '/en/procedures/', `/thu-tuc/${BIRTH_REGISTRATION}/`, '/khong-co/']) {
    await page.goto(path);
    const link = page.locator('.hotline-bar a[href^="tel:"]');
    await expect(link).toBeVisible();
    await expect(
      page.locator('.hotline-bar a[href$="/duong-day-nong/"], .hotline-bar a[href$="/en/hotline/"]'),
    ).toHaveCount(1);
  }
  await page.goto('/duong-day-nong/');
  expect(await page.locator('main a[href^="tel:"]').count()).toBeGreaterThan(10);
  await expect(page.getByRole('heading', { name: 'Phản ánh, kiến nghị được xử lý thế nào' })).toBeVisible();
});

test('unknown pages get a localised 404 page', async ({ page }) => {
  const vi = await page.goto('/khong-co-trang-nay/');
  expect(vi?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Không tìm thấy trang');
  const en = await page.goto('/en/no-such-page/');
  expect(en?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page not found');
});

test('unknown API routes answer problem+json, never HTML or 500', async ({ request }) => {
  const res = await request.get('/api/v1/no-such-thing');
  expect(res.status()).toBe(404);
  expect(res.headers()['content-type']).toContain('application/problem+json');
  expect(((await res.json()) as { code: string }).code).toBe('not_found');
});
