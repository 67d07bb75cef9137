/**
 * Phone first, and the width of a desktop used (issue #11 part 3), on every public template in
 * both languages and on the staff pages after sign-in, at 360 × 780 and 1280 × 800:
 *  - the header takes at most a quarter of a 360 × 780 screen (195 px), with the hotline a link;
 *  - nothing is wider than the viewport;
 *  - every table fits its place, or scrolls inside a labelled, focusable region;
 *  - axe finds nothing (e2e/axe.ts);
 *  - at 1280 px the main menu is one line and the staff inbox shows all its columns;
 *  - on the counter's QR rating page the first answer and the send button are above the fold.
 */
import { test, expect, type Page } from '@playwright/test';
import { axeViolations } from './axe.ts';
import { pages } from './site-map.ts';
import { pageSignIn } from './staff-login.ts';

const PHONE = { width: 360, height: 780 };
const DESKTOP = { width: 1280, height: 800 };
const viewports = [
  { name: '360×780', ...PHONE },
  { name: '1280×800', ...DESKTOP },
];

/** Public pages beyond e2e/site-map.ts: the forms, the pages rendered on request, a published case. */
const more = [
  {
    name: 'rate: QR counter',
    vi: '/danh-gia/?don-vi=phuong-ninh-hoa&mau=quay',
    en: '/en/rate/?don-vi=phuong-ninh-hoa&mau=quay',
  },
  { name: 'feedback form', vi: '/gop-y/', en: '/en/feedback/' },
  { name: 'track', vi: '/tra-cuu/', en: '/en/track/' },
  { name: 'statistics', vi: '/thong-ke/', en: '/en/statistics/' },
  { name: 'published case', vi: '/cong-khai/DEMA-2345/', en: '/en/published/DEMA-2345/' },
  { name: 'procedure search', vi: '/thu-tuc/tim-kiem/?q=khai+sinh', en: '/en/procedures/search/?q=birth' },
];
const publicPages = [...pages, ...more];

/** Tables that neither fit nor sit in a focusable, labelled scroll region (as "selector: why"). */
async function clippedTables(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('table')].flatMap((table, i) => {
      const name = table.id ? `#${table.id}` : `table ${i + 1}`;
      const region = table.closest<HTMLElement>('[role="region"]');
      if (region) {
        const labelled = region.hasAttribute('aria-label') || region.hasAttribute('aria-labelledby');
        const focusable = region.tabIndex === 0;
        const scrolls = ['auto', 'scroll'].includes(getComputedStyle(region).overflowX);
        return labelled && focusable && scrolls ? [] : [`${name}: region not labelled, focusable and scrolling`];
      }
      const box = table.getBoundingClientRect();
      const parent = table.parentElement!.getBoundingClientRect();
      return box.right <= Math.min(parent.right, innerWidth) + 1 ? [] : [`${name}: ${Math.round(box.width)} px wide`];
    }),
  );
}

/** Soft checks: one run shows every rule a page breaks, not only the first. */
async function checkLayout(page: Page, width: number): Promise<void> {
  const header = await page.locator('header.site-header').boundingBox();
  if (width === PHONE.width) {
    expect.soft(header!.height, 'header at most a quarter of 780 px').toBeLessThanOrEqual(195);
    // The hotline: a tel: link in the header itself.
    await expect.soft(page.locator('header .hotline-number')).toHaveAttribute('href', /^tel:/);
  } else {
    const tops = await page
      .locator('.main-nav li')
      .evaluateAll((lis) => new Set(lis.map((li) => Math.round(li.getBoundingClientRect().top))).size);
    expect.soft(tops, 'main menu on one line').toBe(1);
  }
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect.soft(overflow, 'nothing wider than the viewport').toBeLessThanOrEqual(0);
  expect.soft(await clippedTables(page)).toEqual([]);
  expect.soft(await axeViolations(page)).toEqual([]);
}

for (const vp of viewports)
  for (const p of publicPages)
    for (const lang of ['vi', 'en'] as const)
      test(`layout: ${p.name} (${lang}, ${vp.name})`, async ({ page }) => {
        // axe on the statistics page (a dozen tables) takes long on a loaded machine.
        if (p.name === 'statistics') test.slow();
        await page.setViewportSize({ width: vp.width, height: vp.height });
        await page.goto(p[lang]);
        await checkLayout(page, vp.width);
      });

test('the QR rating page: first answer and send button above the fold on a phone', async ({ page }) => {
  await page.setViewportSize(PHONE);
  await page.goto(more[0]!.vi);
  const form = page.getByTestId('rating-form');
  await expect(form).toHaveAttribute('data-enhanced', 'single');
  const first = await form.locator('.choice').first().boundingBox();
  const send = await page.getByTestId('send').boundingBox();
  expect(first!.y + first!.height).toBeLessThanOrEqual(PHONE.height);
  expect(send!.y + send!.height).toBeLessThanOrEqual(PHONE.height);
});

for (const vp of viewports)
  test(`layout: staff pages (${vp.name})`, async ({ page }) => {
    test.slow();
    await page.setViewportSize({ width: vp.width, height: vp.height });
    await page.goto('/quan-tri/');
    await pageSignIn(page, 'e2e-coordinator');
    await checkLayout(page, vp.width);
    if (vp.width === DESKTOP.width) {
      // All the inbox's columns in view: its scroll region does not scroll.
      const hidden = await page
        .locator('.table-scroll')
        .first()
        .evaluate((el) => el.scrollWidth - el.clientWidth);
      expect(hidden, 'inbox columns hidden at 1280 px').toBeLessThanOrEqual(0);
    }
    const caseHref = await page.locator('table a[href*="/ho-so/"]').first().getAttribute('href');
    for (const path of [caseHref!, '/quan-tri/nhap-tay/', '/en/staff/']) {
      await page.goto(path);
      await checkLayout(page, vp.width);
    }
  });

for (const vp of viewports)
  test(`layout: admin pages (${vp.name})`, async ({ page }) => {
    test.slow();
    await page.setViewportSize({ width: vp.width, height: vp.height });
    await page.goto('/quan-tri/quan-ly/');
    await pageSignIn(page, 'e2e-admin');
    await checkLayout(page, vp.width);
    await page.goto('/quan-tri/nhat-ky/');
    await checkLayout(page, vp.width);
  });

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });
  test('the home page search box lists the matching procedures', async ({ page }) => {
    await page.goto('/thu-tuc/');
    const all = await page.getByTestId('procedure-list').locator('li').count();
    await page.goto('/');
    await page.locator('#home-q').fill('khai sinh');
    await page.locator('.home-search button').click();
    await expect(page).toHaveURL(/\/thu-tuc\/tim-kiem\/\?q=khai\+sinh$/);
    const found = page.getByTestId('procedure-list').locator('li');
    expect(await found.count()).toBeGreaterThan(0);
    expect(await found.count()).toBeLessThan(all);
    await expect(found.first()).toContainText(/khai sinh/i);
  });
});
