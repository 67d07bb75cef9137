/**
 * GET /api/v1/stats/report.xlsx and /stats/report.zip (issue #10 §4; docs/reform-office.md): the
 * report pack of a unit subtree and a fixed period (api/reports/pack.ts). It holds only published
 * figures, read from the statistics endpoints in-process, so it is open data like them; the staff
 * workspace links to it. The ranking is built first, so an unknown unit or a period outside the data
 * is refused with its problem before anything else is read.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { problems } from '../openapi.ts';
import { createApi } from '../app.ts';
import { buildPack, packInputs } from '../reports/pack.ts';
import { buildRanking } from '../stats/ranking.ts';
import { DEFAULT_STATS_UNIT, statsSpan } from '../contracts/stats.ts';
import type { AppEnv, Deps } from '../app-env.ts';

const query = z.object({
  unit: z
    .string()
    .regex(/^[a-z0-9]+(?:[-_][a-z0-9]+)*$/)
    .default(DEFAULT_STATS_UNIT),
  span: statsSpan,
});

const errors = { 422: problems('validation_failed, unknown_unit or period_out_of_range') };

const xlsxRoute = createRoute({
  method: 'get',
  path: '/stats/report.xlsx',
  summary: 'Report pack of a unit subtree and period as an XLSX workbook',
  description:
    'Sheets: ranking, survey coverage, SIPAS factors, NĐ 61 grades, dossier timeliness, feedback handling, targets of the plans, definitions. Header rows in Vietnamese then English; numbers as numbers; the same figures as the statistics endpoints (suppressed cells empty). The same data give the same bytes.',
  request: { query },
  responses: {
    200: {
      content: { 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: z.string() } },
      description: 'Workbook',
    },
    ...errors,
  },
});

const zipRoute = createRoute({
  method: 'get',
  path: '/stats/report.zip',
  summary: 'Report pack of a unit subtree and period as CSV files in a ZIP',
  description: 'The tables of GET /stats/report.xlsx, one CSV file each (header: the column names of the definitions).',
  request: { query },
  responses: { 200: { content: { 'application/zip': { schema: z.string() } }, description: 'ZIP' }, ...errors },
});

/** The statistics API over the same dependencies, for in-process reads (one per dependency set). */
const inner = new WeakMap<Deps, OpenAPIHono<AppEnv>>();
function statsApi(deps: Deps): OpenAPIHono<AppEnv> {
  let app = inner.get(deps);
  if (!app) {
    app = new OpenAPIHono<AppEnv>();
    app.use('*', async (c, next) => {
      c.set('deps', deps);
      await next();
    });
    app.route('/api/v1', createApi());
    inner.set(deps, app);
  }
  return app;
}

async function pack(c: Context<AppEnv>, q: z.infer<typeof query>) {
  const deps = c.var.deps;
  // Refuses an unknown unit or a period outside the data with its own problem.
  await buildRanking(
    deps.db.client,
    { unit: q.unit, span: q.span, level: 'all', sort: 'verdict' },
    { minN: deps.config.STATS_MIN_N, contentDir: deps.config.CONTENT_DIR, now: deps.now() },
  );
  const app = statsApi(deps);
  return buildPack(await packInputs(async (path) => (await app.request(path)).json(), q.unit, q.span));
}

function download(c: Context<AppEnv>, body: Buffer, type: string, name: string) {
  return c.body(new Uint8Array(body), 200, {
    'Content-Type': type,
    'Content-Disposition': `attachment; filename="${name}"`,
    'Cache-Control': 'public, max-age=60',
  });
}

export const reportRoutes = new OpenAPIHono<AppEnv>()
  .openapi(xlsxRoute, async (c) => {
    const q = c.req.valid('query');
    const p = await pack(c, q);
    return download(
      c,
      p.xlsx,
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      `gopy-${q.unit}-${q.span}.xlsx`,
    ) as never;
  })
  .openapi(zipRoute, async (c) => {
    const q = c.req.valid('query');
    const p = await pack(c, q);
    return download(c, p.zip, 'application/zip', `gopy-${q.unit}-${q.span}-csv.zip`) as never;
  });
