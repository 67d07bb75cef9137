/**
 * The public response cache and the no-store rule (issue #9 "Cache what does not change between
 * two ratings"; api/middleware/public-cache.ts): the real app over a real temp libSQL file, and
 * for the pages a real HTTP server whose page renderer stands in for Astro's (it counts renders).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHarness, type Harness } from './test-harness.ts';
import { createApp } from './app.ts';
import type { AstroHandler } from './ssr.ts';
import { gunzipSync } from 'node:zlib';
import { PUBLIC_CACHE_CONTROL, acceptsGzip, etagMatches, keyOf, mustNotStore } from './middleware/public-cache.ts';

let h: Harness;
const year = String(new Date().getUTCFullYear());
const CONFIG = { POW_REQUIRED: '0', RATE_LIMIT_MAX: '100000', STATS_MIN_N: '1', PUBLIC_CACHE_MB: '8' } as const;

beforeAll(async () => {
  h = await openHarness('public-cache');
});
afterAll(() => h.close());

async function rating(app: ReturnType<Harness['app']>, key: string): Promise<Response> {
  return app.request('/api/v1/responses', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify({
      instrument: 'quay',
      version: h.versions.quay,
      unit: 'so-y-te',
      answers: { rating: 'hai-long' },
      locale: 'vi',
    }),
  });
}

/** The count of responses the province's figures rest on (null when suppressed). */
function responsesOf(body: unknown): number | null {
  return (body as { summary: { responses: number | null } }).summary.responses;
}

describe('public statistics from memory', () => {
  const path = `/api/v1/stats/ratings?unit=khanh-hoa&instrument=quay&span=${year}`;

  it('answers a repeat with the same strong ETag, 304 on If-None-Match, and public Cache-Control', async () => {
    const app = h.app(CONFIG);
    const first = await app.request(path);
    expect(first.status, await first.clone().text()).toBe(200);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(first.headers.get('cache-control')).toBe(PUBLIC_CACHE_CONTROL);
    expect(first.headers.get('x-request-id')).toBeTruthy();
    expect(first.headers.get('content-security-policy')).toBeTruthy();
    const body = await first.text();

    // The parameters in another order are the same request.
    const reordered = await app.request(`/api/v1/stats/ratings?span=${year}&instrument=quay&unit=khanh-hoa`);
    expect(reordered.headers.get('etag')).toBe(etag);
    expect(await reordered.text()).toBe(body);

    const revalidated = await app.request(path, { headers: { 'if-none-match': `W/"other", ${etag}` } });
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers.get('etag')).toBe(etag);
    expect(await revalidated.text()).toBe('');

    // A row written behind the server's back (no request) does not change what is served: the
    // answer comes from memory, not from the database.
    await h.db.client.execute("UPDATE units SET name_vi = name_vi || ' *' WHERE id = 'khanh-hoa'");
    expect((await app.request(path)).headers.get('etag')).toBe(etag);
    await h.db.client.execute("UPDATE units SET name_vi = rtrim(name_vi, ' *') WHERE id = 'khanh-hoa'");
  });

  it('serves gzip to clients that take it, as its own representation (ETag, Vary)', async () => {
    const app = h.app(CONFIG);
    const plain = await app.request(path);
    const zipped = await app.request(path, { headers: { 'accept-encoding': 'br, gzip;q=0.8' } });
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    expect(zipped.headers.get('vary')).toMatch(/Accept-Encoding/i);
    expect(plain.headers.get('content-encoding')).toBeNull();
    const gz = zipped.headers.get('etag')!;
    expect(gz).not.toBe(plain.headers.get('etag'));
    expect(gunzipSync(Buffer.from(await zipped.arrayBuffer())).toString()).toBe(await plain.text());
    const again = await app.request(path, { headers: { 'accept-encoding': 'gzip', 'if-none-match': gz } });
    expect(again.status).toBe(304);
    expect(acceptsGzip('gzip;q=0, identity')).toBe(false);
  });

  it('shows a rating submitted after a cached view within the stated bound, with a new ETag', async () => {
    const stale = 2;
    const app = h.app({ ...CONFIG, PUBLIC_CACHE_STALE_SECONDS: String(stale) });
    const before = await app.request(path);
    const etag = before.headers.get('etag')!;
    const n = responsesOf(await before.json());

    const submitted = Date.now();
    expect((await rating(app, `cache-fresh-${Date.now()}`)).status).toBe(201);
    // Within the bound the cached figures may still be served (a spike of ratings does not
    // recompute every page); after it, the next view is computed again and shows the rating.
    let seen: Response | undefined;
    while (Date.now() - submitted < (stale + 2) * 1000) {
      const res = await app.request(path, { headers: { 'if-none-match': etag } });
      if (res.status === 200) {
        seen = res;
        break;
      }
      expect(res.status).toBe(304);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(seen, `no new figures ${stale + 2} s after the rating`).toBeDefined();
    expect(Date.now() - submitted).toBeLessThanOrEqual((stale + 1) * 1000);
    expect(seen!.headers.get('etag')).not.toBe(etag);
    expect(responsesOf(await seen!.json())).toBe((n ?? 0) + 1);
  });

  it('with PUBLIC_CACHE_STALE_SECONDS=0 the view right after a write is current', async () => {
    const app = h.app({ ...CONFIG, PUBLIC_CACHE_STALE_SECONDS: '0' });
    const n = responsesOf(await (await app.request(path)).json());
    expect((await rating(app, `cache-now-${Date.now()}`)).status).toBe(201);
    expect(responsesOf(await (await app.request(path)).json())).toBe((n ?? 0) + 1);
  });

  it('keeps problems (4xx) out of the cache and no-store', async () => {
    const app = h.app(CONFIG);
    const res = await app.request(`/api/v1/stats/ratings?unit=no-such-unit&span=${year}`);
    expect(res.status).toBe(422);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('etag')).toBeNull();
  });
});

describe('no-store on everything personal and on the staff workspace', () => {
  it('holds for every listed route through the app', async () => {
    const app = h.app(CONFIG);
    const routes: [string, string, RequestInit?][] = [
      ['GET', '/api/v1/staff/session'],
      ['GET', '/api/v1/staff/feedback'],
      ['GET', '/api/v1/staff/feedback/1'],
      ['GET', '/api/v1/staff/audit'],
      ['GET', '/api/v1/staff/units'],
      ['GET', '/api/v1/staff/data-requests'],
      ['POST', '/api/v1/staff/login', { body: JSON.stringify({ username: 'nobody', password: 'wrong-password-1' }) }],
      ['POST', '/api/v1/feedback/track', { body: JSON.stringify({ code: 'GY-0000-0000', key: 'x' }) }],
      ['POST', '/api/v1/feedback/export', { body: JSON.stringify({ code: 'GY-0000-0000', key: 'x' }) }],
      ['POST', '/api/v1/feedback/data-request', { body: JSON.stringify({}) }],
      ['GET', '/api/v1/feedback/attachment?code=x'],
      ['GET', '/api/v1/health'],
      ['GET', '/api/v1/pow/challenge'],
      ['POST', '/api/v1/responses', { body: JSON.stringify({}) }],
      ['GET', '/quan-tri/'],
      ['GET', '/en/staff/'],
      ['GET', '/tra-cuu/'],
      ['GET', '/en/track/'],
      ['GET', '/gop-y/'],
      ['GET', '/danh-gia/'],
    ];
    for (const [method, route, init] of routes) {
      const res = await app.request(route, {
        method,
        headers: { 'content-type': 'application/json', origin: 'http://localhost' },
        ...init,
      });
      expect(res.headers.get('cache-control'), `${method} ${route} (${res.status})`).toBe('no-store');
    }
  });

  it('the rule: a cookie, a write or a private path', () => {
    expect(mustNotStore('GET', '/thong-ke/', true)).toBe(true);
    expect(mustNotStore('POST', '/thong-ke/', false)).toBe(true);
    expect(mustNotStore('GET', '/quan-tri/ho-so/1', false)).toBe(true);
    expect(mustNotStore('GET', '/thong-ke/', false)).toBe(false);
    expect(mustNotStore('GET', '/api/v1/stats/ratings', false)).toBe(false);
  });

  it('keys and ETag comparison', () => {
    expect(keyOf(new URL('http://x/thong-ke/?nam=2025&don-vi=khanh-hoa'))).toBe(
      'vi GET /thong-ke/?don-vi=khanh-hoa&nam=2025',
    );
    expect(keyOf(new URL('http://x/en/statistics/'))).toBe('en GET /en/statistics/');
    expect(etagMatches('*', '"a"')).toBe(true);
    expect(etagMatches('W/"a"', '"a"')).toBe(true);
    expect(etagMatches('"b", "c"', '"a"')).toBe(false);
  });
});

describe('pages rendered on request (a real HTTP server)', () => {
  let server: ServerType;
  let base: string;
  let tmp: string;
  const renders = new Map<string, number>();
  let rendering = 0;
  let maxRendering = 0;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'gopy-public-cache-site-'));
    mkdirSync(join(tmp, 'client'), { recursive: true });
    writeFileSync(join(tmp, 'client', '404.html'), '<!doctype html><title>404</title>');
    // Stands in for Astro's node handler: a page that says how often it was rendered, and that
    // asks to be cached (as a page could by mistake) or sets a cookie.
    const ssr: AstroHandler = async (req, res, _next, locals) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const count = (renders.get(url.pathname) ?? 0) + 1;
      renders.set(url.pathname, count);
      rendering++;
      maxRendering = Math.max(maxRendering, rendering);
      // As the statistics page does: its figures come from the (public, cached) API in-process.
      if (url.pathname === '/thong-ke/') await (await locals.api('/api/v1/stats/dictionary')).text();
      rendering--;
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'public, max-age=600',
        ...(url.pathname === '/cong-khai/' && url.searchParams.has('cookie') ? { 'set-cookie': 'a=b; Path=/' } : {}),
      });
      res.write(`<!doctype html><title>${url.pathname}</title>`);
      await new Promise((r) => setTimeout(r, 5));
      res.end(`<p>render ${count} of ${url.search}</p>`);
    };
    const app = createApp(
      { db: h.db, config: (await import('./env.ts')).configWith(CONFIG), log: () => {}, now: () => new Date() },
      { dir: tmp, inlineScriptHashes: [], ssr },
    );
    server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(tmp, { recursive: true, force: true });
  });

  it('renders a statistics page once for many views, concurrent or not, and answers 304', async () => {
    const url = `${base}/thong-ke/?don-vi=khanh-hoa&nam=2025`;
    const all = await Promise.all(Array.from({ length: 20 }, () => fetch(url)));
    const bodies = await Promise.all(all.map((r) => r.text()));
    expect(new Set(bodies).size).toBe(1);
    expect(bodies[0]).toContain('render 1 of');
    expect(renders.get('/thong-ke/')).toBe(1);
    const etag = all[0]!.headers.get('etag')!;
    for (const r of all) {
      expect(r.status).toBe(200);
      expect(r.headers.get('cache-control')).toBe(PUBLIC_CACHE_CONTROL);
      expect(r.headers.get('etag')).toBe(etag);
      expect(r.headers.get('content-type')).toMatch(/text\/html/);
      expect(r.headers.get('content-security-policy')).toBeTruthy();
    }
    const again = await fetch(url, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(renders.get('/thong-ke/')).toBe(1);
    // Another parameter combination is another page.
    await (await fetch(`${base}/thong-ke/?don-vi=so-y-te`)).text();
    expect(renders.get('/thong-ke/')).toBe(2);
  });

  it('computes at most two public pages at once, without waiting on their own API calls', async () => {
    maxRendering = 0;
    const all = await Promise.all(
      Array.from({ length: 12 }, (_, i) => fetch(`${base}/thong-ke/?lan=${i}`).then((r) => r.status)),
    );
    expect(all).toEqual(Array(12).fill(200));
    expect(maxRendering).toBeLessThanOrEqual(2);
    expect(maxRendering).toBeGreaterThan(0);
  });

  it('forces no-store on staff, tracking and form pages, and on any page that sets a cookie', async () => {
    for (const path of ['/quan-tri/', '/en/staff/case/1', '/tra-cuu/', '/en/track/', '/gop-y/', '/en/rate/']) {
      const res = await fetch(`${base}${path}`);
      await res.text();
      expect(res.headers.get('cache-control'), path).toBe('no-store');
      expect(res.headers.get('etag'), path).toBeNull();
    }
    const before = renders.get('/cong-khai/') ?? 0;
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${base}/cong-khai/?cookie=1`);
      await res.text();
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
    expect(renders.get('/cong-khai/')).toBe(before + 2);
  });
});
