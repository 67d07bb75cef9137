import { test, expect } from '@playwright/test';
import { BIRTH_REGISTRATION } from './site-map.ts';

test.use({ viewport: { width: 360, height: 740 } });

test('a phone user finds a procedure by typing without diacritics', async ({ page }) => {
  await page.goto('/thu-tuc/');
  const search = page.getByLabel('Tìm thủ tục');
  await search.fill('dang ky khai sinh');
  const list = page.getByTestId('procedure-list');
  await expect(list.getByRole('link', { name: 'Đăng ký khai sinh', exact: true })).toBeVisible();
  await expect(list.getByRole('link', { name: /kết hôn/i })).toHaveCount(0);
  await list.getByRole('link', { name: 'Đăng ký khai sinh', exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/thu-tuc/${BIRTH_REGISTRATION.replace('.', '\\.')}/$`));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Đăng ký khai sinh');
  await expect(page.getByTestId('procedure-code')).toHaveText(BIRTH_REGISTRATION);
});

test('filters by field, level and unit combine with the text search', async ({ page }) => {
  await page.goto('/en/procedures/');
  await page.getByLabel('Field').selectOption({ label: 'Civil status registration' });
  const count = page.getByTestId('results-count');
  await expect(count).toContainText('found');
  const items = page.getByTestId('procedure-list').getByRole('listitem');
  const n = await items.count();
  expect(n).toBeGreaterThan(0);
  for (const text of await items.allInnerTexts()) expect(text).toContain('Civil status');
  await page.getByLabel('Search procedures').fill('zzzz no such thing');
  await expect(page.getByText('No procedure matches')).toBeVisible();
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expect(items.first()).toBeVisible();
});

test('without JavaScript the catalogue lists every procedure and filters are links', async ({ browser }) => {
  const ctx = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 360, height: 740 } });
  const page = await ctx.newPage();
  await page.goto('/thu-tuc/');
  const all = await page.getByTestId('procedure-list').getByRole('listitem').count();
  expect(all).toBeGreaterThanOrEqual(40);
  await page.getByRole('link', { name: 'Hộ tịch', exact: true }).click();
  await expect(page).toHaveURL(/\/thu-tuc\/linh-vuc\/ho-tich\/$/);
  const filtered = await page.getByTestId('procedure-list').getByRole('listitem').count();
  expect(filtered).toBeGreaterThan(0);
  expect(filtered).toBeLessThan(all);
  await ctx.close();
});

test('the procedure page shows every fact a citizen needs and links to rating and feedback', async ({ page }) => {
  await page.goto(`/thu-tuc/${BIRTH_REGISTRATION}/`);
  for (const label of [
    'Mã thủ tục',
    'Lĩnh vực',
    'Cấp thực hiện',
    'Cơ quan thực hiện',
    'Thời hạn giải quyết',
    'Phí, lệ phí',
    'Dịch vụ công trực tuyến',
    'Nhận, trả qua bưu chính công ích (BCCI)',
  ])
    await expect(page.locator('dt', { hasText: label })).toBeVisible();
  for (const heading of ['Thành phần hồ sơ', 'Trình tự thực hiện', 'Kết quả', 'Căn cứ pháp lý'])
    await expect(page.getByRole('heading', { name: heading, exact: true })).toBeVisible();
  await expect(page.getByTestId('rate-link')).toHaveAttribute('href', `/danh-gia/?thu-tuc=${BIRTH_REGISTRATION}`);
  await expect(page.getByTestId('feedback-link')).toHaveAttribute('href', `/gop-y/?thu-tuc=${BIRTH_REGISTRATION}`);
});

test('"was this page useful?" is stored through the API without JavaScript', async ({ browser, request }) => {
  const ctx = await browser.newContext({ javaScriptEnabled: false });
  const page = await ctx.newPage();
  await page.goto(`/en/procedures/${BIRTH_REGISTRATION}/`);
  await expect(page.getByText('Your answer has been recorded')).toBeHidden();
  const before = await request.post('/api/v1/page-usefulness', {
    data: { procedure: BIRTH_REGISTRATION, useful: 'no' },
  });
  const counts = (await before.json()) as { useful: number };
  await page.getByLabel('What is missing?').fill('Please add the opening hours.');
  await page.getByRole('button', { name: 'Yes', exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/en/procedures/${BIRTH_REGISTRATION.replace('.', '\\.')}/#cam-on$`));
  await expect(page.getByText('Your answer has been recorded')).toBeVisible();
  const after = await request.post('/api/v1/page-usefulness', {
    data: { procedure: BIRTH_REGISTRATION, useful: 'no' },
  });
  expect(((await after.json()) as { useful: number }).useful).toBe(counts.useful + 1);
  await ctx.close();
});
