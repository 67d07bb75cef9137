import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { currentVersion } from '../../db/migrate.ts';
import type { AppEnv } from '../app-env.ts';

const health = z.object({
  status: z.enum(['ok', 'degraded']),
  database: z.object({ reachable: z.boolean(), migration: z.number().int().nullable() }),
});

const route = createRoute({
  method: 'get',
  path: '/health',
  summary: 'Service health',
  description: 'Whether the database answers and which migration version it is on.',
  responses: {
    200: { content: { 'application/json': { schema: health } }, description: 'Healthy' },
    503: { content: { 'application/json': { schema: health } }, description: 'Database unreachable' },
  },
});

export const healthRoutes = new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
  c.header('Cache-Control', 'no-store');
  try {
    const migration = await currentVersion(c.var.deps.db.client);
    return c.json({ status: 'ok' as const, database: { reachable: true, migration } }, 200);
  } catch {
    return c.json({ status: 'degraded' as const, database: { reachable: false, migration: null } }, 503);
  }
});
