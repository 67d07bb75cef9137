/**
 * Builds the Hono application: API under /api/v1, and (when a built site is given) the static
 * site with localised 404 pages. Tests call `createApp(...).request(...)` with no server.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { OpenAPIHono } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import { bodyLimit } from 'hono/body-limit';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv, Deps } from './app-env.ts';
import { ProblemError, fieldErrors, problemResponse } from './problem.ts';
import { securityHeaderMap, securityHeaders } from './middleware/security.ts';
import type { AstroHandler } from './ssr.ts';
import type { HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { sameOrigin } from './middleware/same-origin.ts';
import { storageFault } from '../db/storage-error.ts';
import { noteStorageFault } from './storage-health.ts';
import { accessLog } from './middleware/access-log.ts';
import { PublicCache, isPublicRoute, mustNotStore, noStoreRule } from './middleware/public-cache.ts';
import { CapturedResponse } from './captured-response.ts';
import { healthRoutes } from './routes/health.ts';
import { usefulnessRoutes } from './routes/usefulness.ts';
import { responseRoutes } from './routes/responses.ts';
import { integrationRoutes } from './routes/integration.ts';
import { statsRoutes } from './routes/stats.ts';
import { rankingRoutes } from './routes/ranking.ts';
import { reportRoutes } from './routes/reports.ts';
import { staffSurveyRoutes } from './routes/staff-survey.ts';
import { feedbackRoutes } from './routes/feedback.ts';
import { staffAuthRoutes } from './routes/staff-auth.ts';
import { staffMfaRoutes } from './routes/staff-mfa.ts';
import { staffFeedbackRoutes } from './routes/staff-feedback.ts';
import { feedbackRightsRoutes } from './routes/feedback-rights.ts';
import { staffRightsRoutes } from './routes/staff-rights.ts';
import { staffAdminRoutes } from './routes/staff-admin.ts';
import { publishedRoutes } from './routes/published.ts';
import { open311Routes } from './routes/open311.ts';
import { kioskRoutes } from './routes/kiosk.ts';
import { officerRoutes } from './routes/officers.ts';
import { smsPageRoutes } from './routes/sms.ts';

export interface SiteOptions {
  /** Folder of the built Astro site (dist/): static files in client/, on-request pages in server/. */
  dir: string;
  /** Renders the pages marked `prerender = false`; absent when the build has none. */
  ssr?: AstroHandler | undefined;
  inlineScriptHashes: readonly string[];
}

function toProblem(err: unknown, isJson: boolean): ProblemError | undefined {
  if (err instanceof ProblemError) return err;
  if (err instanceof HTTPException) {
    // Raised by Hono's validators and the OpenAPI media-type gate.
    if (err.status === 415) return new ProblemError(415, 'unsupported_media_type');
    if (err.status === 413) return new ProblemError(413, 'payload_too_large');
    if (err.status === 400) return new ProblemError(400, isJson ? 'invalid_json' : 'invalid_body');
    if (err.status === 404) return new ProblemError(404, 'not_found');
  }
  return undefined;
}

export function createApi(): OpenAPIHono<AppEnv> {
  const api = new OpenAPIHono<AppEnv>({
    // Zod failures become problem+json with our field codes, never raw zod output.
    defaultHook: (result) => {
      if (!result.success)
        throw new ProblemError(422, 'validation_failed', {
          errors: fieldErrors(result.error.issues, (result as { data?: unknown }).data),
        });
    },
  });
  api.route('/', healthRoutes);
  api.route('/', usefulnessRoutes);
  api.route('/', responseRoutes);
  api.route('/', integrationRoutes);
  api.route('/', statsRoutes);
  api.route('/', rankingRoutes);
  api.route('/', reportRoutes);
  api.route('/', feedbackRoutes);
  api.route('/', staffAuthRoutes);
  api.route('/', staffMfaRoutes);
  api.route('/', staffFeedbackRoutes);
  api.route('/', feedbackRightsRoutes);
  api.route('/', staffRightsRoutes);
  api.route('/', staffAdminRoutes);
  api.route('/', staffSurveyRoutes);
  api.route('/', publishedRoutes);
  api.route('/', kioskRoutes);
  api.route('/', officerRoutes);
  api.doc31('/openapi.json', {
    openapi: '3.1.0',
    servers: [{ url: '/api/v1' }],
    info: {
      title: 'gopy API',
      version: '1',
      description:
        'Public API of gopy: ratings, feedback (phản ánh, kiến nghị) and statistics. Errors are RFC 9457 problem+json with machine codes.',
    },
  });
  return api;
}

/** "/api/v1/x/:id" → a regex matching "/api/v1/x/42". */
/** Writes that may carry feedback attachments (issue #4: up to 5 files of 10 MB): the API's and
 * the no-JavaScript form pages that hand them to it. */
const FILE_PATHS = [
  /^\/api\/v1\/feedback\/?$/,
  /^\/api\/v1\/feedback\/action\/?$/,
  /^\/api\/v1\/staff\/feedback\/?$/,
  /^\/api\/v1\/staff\/feedback\/\d+\/actions\/?$/,
  /^\/(?:en\/)?(?:gop-y|feedback|tra-cuu|track)\/?$/,
  // Only the staff pages whose forms carry files: manual entry and a case (an answer).
  /^\/quan-tri\/(?:nhap-tay|ho-so\/\d+)\/?$/,
  /^\/en\/staff\/(?:new-entry|case\/\d+)\/?$/,
];
function carriesFiles(path: string): boolean {
  return FILE_PATHS.some((r) => r.test(path));
}

function routeRegex(path: string): RegExp {
  const pattern = path
    .split('/')
    .map((seg) => (seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${pattern}/?$`);
}

export function createApp(deps: Deps, site?: SiteOptions): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  // Our own id on every request, never one sent by the client: a client-chosen id would carry
  // whatever it likes (a name, a phone number) into every log line.
  app.use('*', async (c, next) => {
    const id = crypto.randomUUID();
    c.set('requestId', id);
    c.header('X-Request-Id', id);
    await next();
  });
  app.use('*', async (c, next) => {
    c.set('deps', deps);
    await next();
  });
  if (deps.config.LOG_LEVEL === 'info') app.use('*', accessLog(deps.log));
  app.use('*', securityHeaders(site?.inlineScriptHashes));
  // Writes anywhere (the API, and the rating page's plain form post) are same-origin and capped.
  app.use('*', sameOrigin(deps.config.PUBLIC_ORIGINS));
  const tooLarge = () => {
    throw new ProblemError(413, 'payload_too_large');
  };
  // One-stop systems register up to 500 dossiers a request (about 180 bytes each) with a key.
  const INTEGRATION = '/api/v1/integration/';
  app.use('*', async (c, next) => {
    const maxSize = c.req.path.startsWith(INTEGRATION)
      ? 1024 * 1024
      : carriesFiles(c.req.path)
        ? deps.config.FEEDBACK_BODY_LIMIT_BYTES
        : deps.config.BODY_LIMIT_BYTES;
    // A page rendered by Astro reads the request from the socket itself, after this check: a body
    // without Content-Length (chunked) would be read here first and reach the page empty. Pages
    // take only what a browser's form sends, which always has a length.
    const isPagePost =
      c.req.method === 'POST' && !c.req.path.startsWith('/api/') && !c.req.path.startsWith('/open311/');
    if (isPagePost) {
      const length = c.req.header('content-length');
      if (length === undefined) throw new ProblemError(411, 'length_required');
      if (!/^\d+$/.test(length) || Number(length) > maxSize) tooLarge();
      return next();
    }
    return bodyLimit({ maxSize, onError: tooLarge })(c, next);
  });
  // Public statistics and published answers from memory; no-store for everything personal
  // (api/middleware/public-cache.ts, docs/performance.md "Public response cache").
  const publicCache = new PublicCache({
    maxBytes: deps.config.PUBLIC_CACHE_MB * 1024 * 1024,
    staleSeconds: deps.config.PUBLIC_CACHE_STALE_SECONDS,
  });
  app.use('*', noStoreRule());
  app.use('*', publicCache.middleware());
  const api = createApi();
  app.route('/api/v1', api);
  app.route('/open311/v2', open311Routes);
  app.route('/sms', smsPageRoutes);
  app.all('/api/*', (c) => {
    // A known path with another method is a 405 with Allow, not a 404.
    const allowed = api.routes
      .filter((r) => r.method !== 'ALL' && routeRegex(`/api/v1${r.path}`).test(c.req.path))
      .map((r) => r.method);
    if (allowed.length > 0)
      throw new ProblemError(405, 'method_not_allowed', { headers: { Allow: [...new Set(allowed)].join(', ') } });
    throw new ProblemError(404, 'not_found');
  });

  // The short link of a case (api/feedback/notify.ts `newCaseLink`): to the tracking page of its
  // language, which opens the case from `?lien-ket=`. The token is not checked here: the tracking
  // page does that, under the per-client limit of failed look-ups. Typed by hand, case is forgiven.
  for (const [prefix, track] of [
    ['', '/tra-cuu/'],
    ['/en', '/en/track/'],
  ] as const)
    app.get(`${prefix}/l/:token{[A-Za-z0-9]{16}}`, (c) => {
      c.header('Cache-Control', 'no-store');
      return c.redirect(`${track}?lien-ket=${c.req.param('token').toUpperCase()}`, 303);
    });

  if (site) mountSite(app, site);

  app.notFound((c) => {
    if (c.req.path.startsWith('/api/')) return problemResponse(c, new ProblemError(404, 'not_found'));
    return notFoundPage(c, site);
  });
  app.onError(async (err, c) => {
    const problem = toProblem(err, /json/i.test(c.req.header('content-type') ?? ''));
    if (problem) return problemResponse(c, problem);
    // Full disk, read-only file, I/O error or a lock held past busy_timeout (issue #9 "Faults"):
    // nothing of the batch was written, so the client keeps the answer and sends it again.
    const fault = storageFault(err);
    if (fault) {
      await noteStorageFault(deps, fault.code);
      return problemResponse(
        c,
        new ProblemError(503, 'storage_unavailable', { headers: { 'Retry-After': String(fault.retryAfter) } }),
      );
    }
    // A bug, not bad input: log the request id and the error class only (no request data).
    deps.log(
      JSON.stringify({ t: new Date().toISOString(), id: c.get('requestId'), error: err.name, message: err.message }),
    );
    return problemResponse(c, new ProblemError(500, 'internal_error'));
  });
  return app;
}

function mountSite(app: OpenAPIHono<AppEnv>, site: SiteOptions): void {
  const client = join(site.dir, 'client');
  app.use('*', async (c, next) => {
    // Build metadata and other dotfiles are not part of the site.
    if (c.req.path.split('/').some((seg) => seg.startsWith('.'))) return notFoundPage(c, site);
    return next();
  });
  app.use('/_astro/*', async (c, next) => {
    await next();
    // Hashed file names: safe to cache for a year.
    if (c.res.status === 200) c.header('Cache-Control', 'public, max-age=31536000, immutable');
  });
  app.use(
    '*',
    serveStatic({
      root: client,
      precompressed: true,
      onFound: (path, c) => {
        if (!path.startsWith(join(client, '_astro'))) c.header('Cache-Control', 'no-cache');
      },
    }),
  );
  if (site.ssr) app.use('*', ssrPages(app, site.ssr, site.inlineScriptHashes ?? []));
}

/**
 * Hands the request to Astro's node handler when the server runs on Node (HttpBindings). Astro
 * writes the response itself, so our headers go on the Node response first, and come off again
 * when Astro has no such page and the request falls through to the 404 page. A public page
 * (statistics, published answers) is rendered into memory instead, so the public cache in front
 * can keep it and answer repeats with an ETag.
 */
function ssrPages(
  app: OpenAPIHono<AppEnv>,
  handler: AstroHandler,
  scriptHashes: readonly string[],
): MiddlewareHandler<AppEnv> {
  const headers = securityHeaderMap(scriptHashes);
  return async (c, next) => {
    const env = c.env as Partial<HttpBindings> | undefined;
    if (!env?.incoming || !env.outgoing || !['GET', 'HEAD', 'POST'].includes(c.req.method)) return next();
    const own = { ...headers, 'X-Request-Id': c.get('requestId'), 'Cache-Control': 'no-store' };
    let fellThrough = false;
    // In-process API calls carry the visitor's address (rate limits) and mark the plain-form path.
    const callEnv = { inProcessForm: true, clientAddress: env.incoming.socket.remoteAddress ?? 'unknown' };
    const locals = { api: async (path: string, init?: RequestInit) => app.request(path, init, callEnv) };
    if (c.req.method === 'GET' && isPublicRoute(c.req.path)) {
      const captured = new CapturedResponse(env.incoming);
      for (const [name, value] of Object.entries(own)) captured.setHeader(name, value);
      await handler(env.incoming, captured.asServerResponse(), () => (fellThrough = true), locals);
      if (fellThrough) return next();
      return captured.toResponse();
    }
    const res = env.outgoing;
    for (const [name, value] of Object.entries(own)) res.setHeader(name, value);
    // The rule of noStoreRule, for the answers Astro writes to the socket itself.
    const writeHead = res.writeHead.bind(res) as (status: number, ...rest: unknown[]) => typeof res;
    const { method, path } = c.req;
    res.writeHead = ((status: number, ...rest: unknown[]) => {
      const given = rest.find(
        (x): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x),
      );
      const names = Object.keys(given ?? {}).map((k) => k.toLowerCase());
      if (mustNotStore(method, path, res.hasHeader('set-cookie') || names.includes('set-cookie'))) {
        for (const name of Object.keys(given ?? {})) if (name.toLowerCase() === 'cache-control') delete given![name];
        res.setHeader('Cache-Control', 'no-store');
      }
      return writeHead(status, ...rest);
    }) as typeof res.writeHead;
    await handler(env.incoming, res, () => (fellThrough = true), locals);
    if (!fellThrough) return RESPONSE_ALREADY_SENT;
    delete (res as Partial<typeof res>).writeHead;
    for (const name of Object.keys(own)) res.removeHeader(name);
    return next();
  };
}

const notFoundCache = new Map<string, string>();

/** The 404 page in the visitor's language: /en/… gets dist/en/404/, anything else dist/404.html. */
function notFoundPage(c: Context<AppEnv>, site: SiteOptions | undefined): Response {
  let html: string | undefined;
  if (site) {
    const first = /^\/([a-z]{2,3})(?:\/|$)/.exec(c.req.path)?.[1];
    const client = join(site.dir, 'client');
    const candidates = [...(first ? [join(client, first, '404', 'index.html')] : []), join(client, '404.html')];
    for (const file of candidates) {
      html = notFoundCache.get(file);
      if (html === undefined && existsSync(file)) {
        html = readFileSync(file, 'utf8');
        notFoundCache.set(file, html);
      }
      if (html !== undefined) break;
    }
  }
  c.header('Cache-Control', 'no-cache');
  return c.html(html ?? '<!doctype html><title>404</title><h1>404</h1>', 404);
}
