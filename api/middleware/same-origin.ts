/**
 * Refuses cross-site writes. hono/csrf only checks form content types; docs/architecture.md §7 asks the same
 * of JSON writes. A browser always sends Origin (and Sec-Fetch-Site) on a POST, so a request from
 * another site is refused; clients that are not browsers send neither and are let through, since
 * public writes carry no cookie to abuse.
 */
import type { MiddlewareHandler } from 'hono';
import { ProblemError } from '../problem.ts';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export function sameOrigin(extraOrigins: readonly string[] = []): MiddlewareHandler {
  return async (c, next) => {
    if (SAFE.has(c.req.method)) return next();
    const site = c.req.header('sec-fetch-site');
    if (site && site !== 'same-origin' && site !== 'none') throw new ProblemError(403, 'cross_origin');
    const origin = c.req.header('origin');
    if (origin) {
      const own = new URL(c.req.url).origin;
      const host = c.req.header('host');
      const ok =
        origin === own ||
        (host !== undefined && (origin === `http://${host}` || origin === `https://${host}`)) ||
        extraOrigins.includes(origin);
      if (!ok) throw new ProblemError(403, 'cross_origin');
    }
    return next();
  };
}
