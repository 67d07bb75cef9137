/**
 * Security headers (ENGINEERING.md security baseline, OWASP ASVS 5.0 L2): HSTS, a CSP without
 * 'unsafe-inline' in script-src, no framing, nosniff, a strict referrer policy.
 */
import { secureHeaders } from 'hono/secure-headers';
import type { MiddlewareHandler } from 'hono';

/**
 * @param inlineScriptHashes sha256 sources ('sha256-…') of the inline scripts Astro writes into
 *   the built pages (island bootstrap), measured at build time by scripts/build.ts.
 */
export function securityHeaders(inlineScriptHashes: readonly string[] = []): MiddlewareHandler {
  return secureHeaders({
    strictTransportSecurity: 'max-age=31536000; includeSubDomains',
    xFrameOptions: 'DENY',
    xContentTypeOptions: 'nosniff',
    referrerPolicy: 'strict-origin-when-cross-origin',
    crossOriginOpenerPolicy: 'same-origin',
    crossOriginResourcePolicy: 'same-origin',
    permissionsPolicy: { camera: [], microphone: [], geolocation: [], payment: [], usb: [] },
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'", ...inlineScriptHashes.map((h) => `'${h}'`)],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'"],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  });
}
