/**
 * The ranking page (/thong-ke/xep-loai/, issue #10 §1–2) against the real built site and API: the
 * GET form and the sorting headers work without JavaScript, every row shows the verdict the API
 * gives, the coverage states Slovin's formula, a bad margin is refused beside its field, and axe
 * finds nothing in Vietnamese and English on a 360 px phone and a desktop.
 */
import { test, expect } from '@playwright/test';
import type { RankingResult } from '../api/contracts/ranking.ts';
import { expectAccessible } from './axe.ts';
import { viewports } from './site-map.ts';
import { pageSignIn } from './staff-login.ts';

const PAGES = { vi: '/thong-ke/xep-loai/', en: '/en/statistics/ranking/' } as const;
const SPAN = '2025';

for (const [locale, path] of Object.entries(PAGES))
  for (const vp of viewports)
    test(`ranking page is accessible (${locale}, ${vp.name})`, async ({ page }) => {
      await page.setViewportSize({ width: vp.width, height: vp.height });
      const res = await page.goto(`${path}?thoi-gian=${SPAN}`);
      expect(res?.status()).toBe(200);
      await expect(page.locator('h1')).toBeVisible();
      await expect(page.locator('#h-do-phu')).toBeVisible();
      await expect(page.locator('code')).toContainText('N / (1 + N·e²)');
      // Content pages carry no JavaScript.
      expect(await page.locator('script[src]').count()).toBe(0);
      await expectAccessible(page);
    });

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('rows carry the API’s verdicts; a header link sorts on the server', async ({ page, request }) => {
    await page.goto(`${PAGES.vi}?thoi-gian=${SPAN}`);
    const api = (await (await request.get(`/api/v1/stats/ranking?span=${SPAN}`)).json()) as RankingResult;
    const rows = page.locator('#table-xep-loai tbody tr');
    expect(await rows.count()).toBe(api.units.length);
    for (const [i, u] of api.units.slice(0, 10).entries()) {
      await expect(rows.nth(i)).toHaveAttribute('data-unit', u.unit);
      await expect(rows.nth(i)).toHaveAttribute('data-verdict', u.verdict.verdict);
    }
    await page.locator('#table-xep-loai thead a').first().click();
    await expect(page).toHaveURL(/xep-theo=ten/);
    await expect(page.locator('#table-xep-loai thead th').first()).toHaveAttribute('aria-sort', 'ascending');
    const byName = (await (await request.get(`/api/v1/stats/ranking?span=${SPAN}&sort=name`)).json()) as RankingResult;
    await expect(rows.first()).toHaveAttribute('data-unit', byName.units[0]!.unit);
  });

  test('a margin outside 1–20 % is refused beside its field', async ({ page }) => {
    const res = await page.goto(`${PAGES.en}?thoi-gian=${SPAN}&sai-so=50`);
    expect(res?.status()).toBe(422);
    await expect(page.locator('#sai-so-error')).toBeVisible();
    await expect(page.locator('#sai-so')).toHaveAttribute('aria-invalid', 'true');
  });
});

test('staff see the invitations to issue, the flags’ rules and the sample plans (360 px, axe 0)', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto('/quan-tri/khao-sat/');
  await pageSignIn(page, 'e2e-handler');
  await expect(page.getByTestId('more-to-issue')).toBeVisible();
  await expect(page.locator('h1')).toContainText('Khảo sát');
  // The demo data made sample plans for this unit; the running month's seed is not shown.
  await expect(page.locator('td.survey-seed').first()).toBeVisible();
  await expectAccessible(page);
  await page.goto('/en/staff/survey/');
  await expect(page.getByTestId('more-to-issue')).toContainText('more survey invitations');
  await expectAccessible(page);
});
