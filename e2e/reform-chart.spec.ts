/**
 * The reform charts on a 360 px phone (issue #7): the PAR INDEX chart labels all nine bars (the
 * overall index and its eight fields), no legend is cut off, and each heading names what it shows.
 * The chart reports what chart.js drew on its category axis (data-drawn-labels, data-axis-fits,
 * site/components/Chart.astro); the legend is HTML, measured like any text. Screenshots are attached.
 */
import { test, expect } from '@playwright/test';

const PAGES = { vi: '/ket-qua-cai-cach/', en: '/en/reform-results/' } as const;

for (const [lang, path] of Object.entries(PAGES))
  test(`at 360 px every bar is labelled and no legend is cut off (${lang})`, async ({ page }, testInfo) => {
    // Four charts, each measured and photographed: more than the default 30 s on a busy machine.
    test.setTimeout(120_000);
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto(path);
    const par = page.locator('section[data-table-id="par-index-khanh-hoa"]');
    const canvas = par.locator('canvas[data-chart]');
    await expect(canvas).toHaveAttribute('data-drawn-labels', '9');
    await expect(canvas).toHaveAttribute('data-axis-fits', 'true');
    const parShot = testInfo.outputPath(`par-index-360-${lang}.png`);
    await par.screenshot({ path: parShot });
    await testInfo.attach(`par-index-360-${lang}.png`, { path: parShot, contentType: 'image/png' });

    const charts = page.locator('figure.chart-figure');
    const n = await charts.count();
    expect(n).toBeGreaterThanOrEqual(4);
    for (let i = 0; i < n; i++) {
      const figure = charts.nth(i);
      await figure.screenshot({ path: testInfo.outputPath(`chart-${i}-360-${lang}.png`) });
      const chartCanvas = figure.locator('canvas[data-chart]');
      // Every year or field on the category axis is drawn and fits.
      const spec = JSON.parse((await chartCanvas.getAttribute('data-chart'))!) as {
        labels: string[];
        datasets: unknown[];
        lines: unknown[];
      };
      await expect(chartCanvas).toHaveAttribute('data-drawn-labels', String(spec.labels.length));
      await expect(chartCanvas).toHaveAttribute('data-axis-fits', 'true');
      // One legend entry per series and per target line, each inside the page and not clipped.
      const items = figure.locator('.chart-legend li');
      await expect(items).toHaveCount(spec.datasets.length + spec.lines.length);
      for (let k = 0; k < (await items.count()); k++) {
        const item = items.nth(k);
        const box = (await item.boundingBox())!;
        expect(box.x).toBeGreaterThanOrEqual(0);
        expect(box.x + box.width).toBeLessThanOrEqual(360);
        const clipped = await item.evaluate((el) => el.scrollWidth > el.clientWidth + 1);
        expect(clipped, await item.innerText()).toBe(false);
      }
    }

    // Headings name what they show: the PAR INDEX over the years is not titled "SIPAS".
    const yearsHeading = page.locator('section[data-table-id="par-index-years"] h2');
    await expect(yearsHeading).toContainText('PAR INDEX');
    await expect(yearsHeading).not.toContainText('SIPAS');
    const pageShot = testInfo.outputPath(`reform-360-${lang}.png`);
    await page.screenshot({ path: pageShot, fullPage: true });
    await testInfo.attach(`reform-360-${lang}.png`, { path: pageShot, contentType: 'image/png' });
  });
