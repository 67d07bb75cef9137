import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { pages, viewports } from './site-map.ts';

// WCAG 2.2 AA (DESIGN "Accessible and bilingual"): axe must find nothing, on a phone and a desktop.
for (const page of pages)
  for (const lang of ['vi', 'en'] as const)
    for (const vp of viewports)
      test(`axe: ${page.name} (${lang}, ${vp.name})`, async ({ page: p }) => {
        await p.setViewportSize({ width: vp.width, height: vp.height });
        await p.goto(page[lang]);
        await expect(p.locator('html')).toHaveAttribute('lang', lang);
        const result = await new AxeBuilder({ page: p })
          .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'])
          .analyze();
        expect(result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual(
          [],
        );
        // Nothing may overflow a 360 px screen sideways.
        const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow).toBeLessThanOrEqual(0);
      });
