/**
 * The CSP allows exactly the inline code Astro ships with islands: its island style (by hash, here)
 * and its runtime scripts (by hash, scripts/site-build.ts), nothing else inline.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ASTRO_ISLAND_STYLES, securityHeaderMap } from './security.ts';
import { astroRuntimeScriptHashes } from '../../scripts/site-build.ts';

const ROOT = join(import.meta.dirname, '..', '..');

describe('CSP', () => {
  it('the island style is still the one Astro writes, and style-src allows it by hash only', () => {
    const source = readFileSync(
      join(ROOT, 'node_modules', 'astro', 'dist', 'runtime', 'server', 'astro-island-styles.js'),
      'utf8',
    );
    expect(source).toContain(JSON.stringify(ASTRO_ISLAND_STYLES));
    const csp = securityHeaderMap()['Content-Security-Policy']!;
    const hash = createHash('sha256').update(ASTRO_ISLAND_STYLES).digest('base64');
    expect(csp).toContain(`style-src 'self' 'sha256-${hash}'`);
    expect(csp).not.toContain('unsafe-inline');
  });

  it('lists the island runtime and one loader per hydration directive, as the page on request writes them', async () => {
    const hashes = await astroRuntimeScriptHashes(ROOT);
    expect(hashes).toHaveLength(6);
    // The load directive's loader, as the rendered /gop-y/ page carries it (SelectFilter, client:load).
    const load =
      '(()=>{var e=async t=>{await(await t())()};(self.Astro||(self.Astro={})).load=e;window.dispatchEvent(new Event("astro:load"));})();';
    expect(hashes).toContain(`sha256-${createHash('sha256').update(load).digest('base64')}`);
  });
});
