import { test, expect } from '@playwright/test';
import { loadContent } from '../api/contracts/load-content.ts';
import { parseCsv, unguardCell } from '../api/contracts/csv.ts';

for (const path of ['/ket-qua-cai-cach/', '/en/reform-results/'])
  test(`every CSV download matches its table (${path})`, async ({ page }) => {
    await page.goto(path);
    const sections = page.locator('section[data-table-id]');
    const n = await sections.count();
    expect(n).toBeGreaterThanOrEqual(4);
    for (let i = 0; i < n; i++) {
      const section = sections.nth(i);
      const [download] = await Promise.all([page.waitForEvent('download'), section.getByTestId('csv-link').click()]);
      const stream = await download.createReadStream();
      const chunks: Buffer[] = [];
      for await (const c of stream) chunks.push(c as Buffer);
      const csv = parseCsv(Buffer.concat(chunks).toString('utf8'));
      const headers = await section.locator('thead th').allInnerTexts();
      expect(csv[0]!.slice(0, headers.length)).toEqual(headers);
      const rows = section.locator('tbody tr');
      expect(csv.length - 1).toBe(await rows.count());
      for (let r = 0; r < (await rows.count()); r++) {
        const values = await rows
          .nth(r)
          .locator('td')
          .evaluateAll((tds) => tds.map((td) => td.getAttribute('data-value') ?? ''));
        const sample = await rows.nth(r).getAttribute('data-sample');
        // A cell a spreadsheet would run as a formula ("= 100 %") is written with a leading ' (OWASP).
        expect(csv[r + 1]!.map(unguardCell)).toEqual([...values, sample]);
      }
    }
  });

test('the reform page shows the 2021 figures from the plans, the method change and sample marks', async ({ page }) => {
  await page.goto('/ket-qua-cai-cach/');
  const par = page.locator('section[data-table-id="par-index-khanh-hoa"]');
  await expect(par.locator('td[data-value="85.11"]')).toHaveCount(1);
  const sipas = page.locator('section[data-table-id="sipas-khanh-hoa"]');
  await expect(sipas.locator('td[data-value="58.57"]')).toHaveCount(1);
  await expect(sipas.locator('td[data-value="84.4"]')).toHaveCount(1);
  await expect(page.getByText(/Phương pháp đo thay đổi từ năm/).first()).toBeVisible();
  await expect(page.locator('.tag-sample').first()).toBeVisible();
  // Every target is shown once: Khánh Hòa's in its table, another province's (Hương Trà) only in a
  // table of its own, titled as an example (issue #7).
  const own = await page.locator('section[data-table-id="targets"] tbody tr').count();
  const examples = page.locator('section[data-table-id^="targets-example-"]');
  await expect(examples.locator('h2')).toHaveText([/Ví dụ từ tỉnh khác: .*Hương Trà.*Thừa Thiên Huế/]);
  expect(own + (await examples.locator('tbody tr').count())).toBe(loadContent('content').targets.length);
  await expect(page.locator('section[data-table-id="targets"] tbody')).not.toContainText('Hương Trà');
});
