/**
 * Security headers (docs/architecture.md §7 security baseline, OWASP ASVS 5.0 L2): HSTS, a CSP without
 * 'unsafe-inline' in script-src, no framing, nosniff, a strict referrer policy. One map, applied by
 * the middleware to Hono responses and by api/ssr.ts to pages Astro renders on request.
 */
import { createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';

/** The sha256 CSP sources of the inline <script> elements of an HTML page. */
export function inlineScriptHashesOf(html: string): string[] {
  const hashes = new Set<string>();
  for (const m of html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g))
    hashes.add(`sha256-${createHash('sha256').update(m[1]!).digest('base64')}`);
  return [...hashes];
}

/**
 * The one inline style Astro writes with islands (astro/dist/runtime/server/astro-island-styles.js;
 * api/middleware/security.test.ts checks it is still Astro's): allowed by its hash, so islands lay
 * out as Astro means without 'unsafe-inline' in style-src.
 */
export const ASTRO_ISLAND_STYLES = 'astro-island,astro-slot,astro-static-slot{display:contents}';
const ISLAND_STYLE_HASH = `sha256-${createHash('sha256').update(ASTRO_ISLAND_STYLES).digest('base64')}`;

/**
 * @param inlineScriptHashes sha256 sources ('sha256-…') of the inline scripts Astro writes into
 *   the built pages (island bootstrap), measured at build time by scripts/site-build.ts.
 */
export function securityHeaderMap(inlineScriptHashes: readonly string[] = []): Record<string, string> {
  const csp = [
    "default-src 'self'",
    `script-src ${["'self'", ...inlineScriptHashes.map((h) => `'${h}'`)].join(' ')}`,
    `style-src 'self' '${ISLAND_STYLE_HASH}'`,
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
  return {
    'Content-Security-Policy': csp,
    'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'strict-origin-when-cross-origin',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
  };
}

export function securityHeaders(inlineScriptHashes: readonly string[] = []): MiddlewareHandler {
  const headers = Object.entries(securityHeaderMap(inlineScriptHashes));
  return async (c, next) => {
    await next();
    for (const [name, value] of headers) {
      // A response with a stricter policy of its own keeps it: a file download is sandboxed
      // (api/routes/feedback.ts attachmentResponse), which the site's policy would undo.
      if (name === 'Content-Security-Policy' && c.res.headers.has(name)) continue;
      c.res.headers.set(name, value);
    }
  };
}
