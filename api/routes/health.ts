import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { AppEnv } from '../app-env.ts';
import { checkHealth } from '../storage-health.ts';

const check = (extra: Record<string, z.ZodType>) => z.object({ ok: z.boolean(), ...extra });
const health = z.object({
  status: z.enum(['ok', 'degraded']),
  database: z.object({ reachable: z.boolean(), migration: z.number().int().nullable() }),
  checks: z.object({
    database: check({}),
    write_probe: check({
      code: z.string().nullable().openapi({ description: 'SQLite or system code of a failed probe' }),
    }),
    free_space: check({
      free_mb: z.number().nullable().openapi({ description: 'Free space of the database folder (null: remote)' }),
      min_mb: z.number().openapi({ description: 'HEALTH_MIN_FREE_MB' }),
    }),
    backup_age_hours: check({
      value: z.number().nullable().openapi({ description: 'Age of the newest good backup in BACKUP_DIR' }),
      max: z
        .number()
        .nullable()
        .openapi({ description: 'Oldest allowed while backups are scheduled (2 × BACKUP_EVERY_HOURS)' }),
    }),
  }),
});

const route = createRoute({
  method: 'get',
  path: '/health',
  summary: 'Service health',
  description:
    'Whether the database answers and takes a write, its filesystem has room (HEALTH_MIN_FREE_MB), and the newest backup is recent (docs/operations.md). `degraded` names the failing checks.',
  responses: {
    200: { content: { 'application/json': { schema: health } }, description: 'Healthy' },
    503: { content: { 'application/json': { schema: health } }, description: 'A check failed' },
  },
});

export const healthRoutes = new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
  c.header('Cache-Control', 'no-store');
  const report = await checkHealth(c.var.deps);
  return report.status === 'ok' ? c.json(report, 200) : c.json(report, 503);
});
