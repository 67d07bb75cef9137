/**
 * One line per request: id, method, route pattern, status, duration. Never the query string, the
 * body or a path parameter (tracking codes, names and phone numbers must not reach logs; docs/architecture.md
 * "Personal data").
 */
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';

export type LogSink = (line: string) => void;

export function accessLog(sink: LogSink): MiddlewareHandler {
  return async (c, next) => {
    const start = performance.now();
    await next();
    let route: string;
    try {
      route = routePath(c);
    } catch {
      route = '(unmatched)';
    }
    sink(
      JSON.stringify({
        t: new Date().toISOString(),
        id: c.get('requestId'),
        method: c.req.method,
        route,
        status: c.res.status,
        ms: Math.round(performance.now() - start),
      }),
    );
  };
}
