import { test, expect } from '@playwright/test';
import { expectAccessible } from './axe.ts';
import { pages, viewports } from './site-map.ts';

// WCAG 2.2 AA (docs/architecture.md "Accessible and bilingual"): axe must find nothing, on a phone and a desktop,
// and nothing may overflow a 360 px screen sideways.
for (const page of pages)
  for (const lang of ['vi', 'en'] as const)
    for (const vp of viewports)
      test(`axe: ${page.name} (${lang}, ${vp.name})`, async ({ page: p }) => {
        await p.setViewportSize({ width: vp.width, height: vp.height });
        await p.goto(page[lang]);
        await expect(p.locator('html')).toHaveAttribute('lang', lang);
        await expectAccessible(p);
      });
