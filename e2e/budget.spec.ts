import { test, expect, type Page } from '@playwright/test';
import { pages } from './site-map.ts';

/** Every script the page loads (files and inline). */
async function scriptsOf(page: Page, path: string): Promise<{ urls: string[]; bytes: number; inline: number }> {
  const urls: string[] = [];
  let bytes = 0;
  page.on('response', async (res) => {
    if (res.request().resourceType() === 'script') {
      urls.push(new URL(res.url()).pathname);
      bytes += (await res.body()).length;
    }
  });
  await page.goto(path, { waitUntil: 'networkidle' });
  const inline = await page.locator('script:not([src])').count();
  return { urls, bytes, inline };
}

test.describe('JavaScript budget', () => {
  for (const c of pages.filter((x) => x.contentPage))
    for (const lang of ['vi', 'en'] as const)
      test(`content page ships 0 KB of JavaScript: ${c.name} (${lang})`, async ({ page }) => {
        const s = await scriptsOf(page, c[lang]);
        expect(s.urls).toEqual([]);
        expect(s.inline).toBe(0);
        expect(s.bytes).toBe(0);
      });

  test('chart.js loads on the reform-results page and nowhere else', async ({ page, browser }) => {
    const reform = await scriptsOf(page, '/ket-qua-cai-cach/');
    expect(reform.urls.some((u) => /Chart/.test(u))).toBe(true);
    await expect(page.locator('canvas[data-chart]').first()).toBeVisible();
    for (const c of pages.filter((x) => x.name !== 'reform results')) {
      const other = await browser.newPage();
      const s = await scriptsOf(other, c.vi);
      expect(
        s.urls.filter((u) => /Chart/.test(u)),
        c.vi,
      ).toEqual([]);
      await other.close();
    }
  });
});
