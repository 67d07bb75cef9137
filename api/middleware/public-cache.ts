/**
 * What may be cached, and where (issue #9 "Cache what does not change between two ratings";
 * docs/performance.md "Public response cache"):
 *
 * - The public statistics and published answers (pages, JSON, CSV) are a function of their query and
 *   of the data. They are kept in memory, in a least-recently-used cache bounded by the bytes of the
 *   bodies, under a key of the normalised request (path, sorted query, locale) and answered with a
 *   strong `ETag` (304 on `If-None-Match`) and `Cache-Control: public, max-age, stale-while-revalidate`
 *   so a reverse proxy or CDN in front can absorb a spike.
 * - Every successful write through this server (a rating, a feedback step, a publication, a staff
 *   change) moves the data version on. An entry of an older version is still served for
 *   PUBLIC_CACHE_STALE_SECONDS after it was computed (so 60 ratings a second do not mean 60
 *   recomputations of every page a second), then computed again: a change shows on the server
 *   within that many seconds, and within PUBLIC_FRESHNESS_SECONDS behind any HTTP cache.
 * - Everything personal or from the staff workspace, every write's answer and every response that
 *   sets a cookie is `Cache-Control: no-store`, whatever the route said (`noStoreRule`).
 *
 * One process holds the version in memory. Several processes over one database would share it
 * through the database instead (a row bumped in each write's batch, read at most once a second);
 * until then ENTRY_TTL_MS bounds what a write by another process (a script) leaves unseen.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { MiddlewareHandler } from 'hono';
import { LRUCache } from 'lru-cache';
import type { AppEnv } from '../app-env.ts';
import { PUBLIC_MAX_AGE, PUBLIC_STALE_WHILE_REVALIDATE } from '../contracts/freshness.ts';

export { PUBLIC_FRESHNESS_SECONDS } from '../contracts/freshness.ts';
export const PUBLIC_CACHE_CONTROL = `public, max-age=${PUBLIC_MAX_AGE}, stale-while-revalidate=${PUBLIC_STALE_WHILE_REVALIDATE}`;
/**
 * Public answers computed at once; more wait their turn. A spike over many parameter combinations
 * would otherwise start hundreds of renderings together, each holding its data, and the memory and
 * the latency of everything else (hits, ratings) would grow with the queue (issue #9 "Memory that
 * stays flat"). The database reads run on the event loop, so more at once gains nothing.
 */
const MAX_COMPUTING = 2;
/** No entry outlives this, even without a write seen here (another process, the date moving on). */
const ENTRY_TTL_MS = 5 * 60_000;

/** Public, parameterised, read-only: the statistics and published answers, as pages and as data. */
const PUBLIC_ROUTES: readonly RegExp[] = [
  /^\/api\/v1\/stats\/(?:ratings|dossiers|feedback)(?:\.csv)?$/,
  /^\/api\/v1\/stats\/dictionary$/,
  /^\/api\/v1\/published-feedback(?:\.csv|\/[^/]+)?$/,
  /^\/(?:thong-ke|en\/statistics)\/?$/,
  /^\/(?:cong-khai|en\/published)(?:\/[^/]+)?\/?$/,
];

/** Personal data, access keys, one-time form keys or the staff workspace: never stored by a cache. */
const PRIVATE_ROUTES: readonly RegExp[] = [
  /^\/api\/v1\/staff(?:\/|$)/,
  // Submissions, tracking with code and key, actions, attachments, export and data requests.
  /^\/api\/v1\/feedback(?:\/|$)/,
  /^\/api\/v1\/(?:responses|pow|health|integration)(?:\/|$)/,
  /^\/(?:quan-tri|en\/staff)(?:\/|$)/,
  /^\/(?:tra-cuu|en\/track)(?:\/|$)/,
  // The form pages carry a fresh Idempotency-Key each (and a receipt in a POST's answer).
  /^\/(?:gop-y|en\/feedback|danh-gia|en\/rate)(?:\/|$)/,
];

export function isPublicRoute(path: string): boolean {
  return PUBLIC_ROUTES.some((r) => r.test(path));
}

export function isPrivateRoute(path: string): boolean {
  return PRIVATE_ROUTES.some((r) => r.test(path));
}

/** True when the answer must carry `Cache-Control: no-store` whatever its route set. */
export function mustNotStore(method: string, path: string, setsCookie: boolean): boolean {
  return setsCookie || (method !== 'GET' && method !== 'HEAD') || isPrivateRoute(path);
}

/** The one rule, on every answer that passes through Hono (the pages Astro writes itself apply
 * `mustNotStore` in api/app.ts ssrPages). */
export function noStoreRule(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    const setsCookie = c.res.headers.has('set-cookie');
    if (mustNotStore(c.req.method, c.req.path, setsCookie)) c.res.headers.set('Cache-Control', 'no-store');
  };
}

interface Entry {
  status: number;
  headers: [string, string][];
  body: Uint8Array<ArrayBuffer>;
  /** The body gzipped, for clients that accept it (a statistics page: about 180 KB → 20 KB). */
  gzip: Uint8Array<ArrayBuffer> | undefined;
  etag: string;
  /** Data version when the computation started: a write during it makes the entry stale. */
  version: number;
  /** Date.now() when the computation started. */
  at: number;
}

/** Headers that belong to one exchange, not to the stored answer. */
const PER_EXCHANGE = new Set([
  'cache-control',
  'etag',
  'age',
  'date',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'x-request-id',
]);

export interface PublicCacheOptions {
  maxBytes: number;
  staleSeconds: number;
  clock?: () => number;
}

export class PublicCache {
  private version = 0;
  private readonly lru: LRUCache<string, Entry> | undefined;
  private readonly pending = new Map<string, Promise<Entry | undefined>>();
  private readonly staleMs: number;
  private readonly clock: () => number;
  /** Counters for the benchmark and the tests. */
  readonly stats = { hits: 0, misses: 0, notModified: 0 };
  private computing = 0;
  private readonly turns: (() => void)[] = [];

  constructor(options: PublicCacheOptions) {
    this.staleMs = options.staleSeconds * 1000;
    this.clock = options.clock ?? Date.now;
    const maxSize = Math.floor(options.maxBytes);
    this.lru =
      maxSize > 0
        ? new LRUCache<string, Entry>({
            maxSize,
            // The body, plus about what the key, headers and object cost.
            sizeCalculation: (e) => e.body.byteLength + (e.gzip?.byteLength ?? 0) + 1024,
            ttl: ENTRY_TTL_MS,
          })
        : undefined;
  }

  /** A write went through: every entry computed before now is stale. */
  bump(): void {
    this.version++;
  }

  get dataVersion(): number {
    return this.version;
  }

  /** Bytes held (bodies and per-entry allowance). */
  get size(): number {
    return this.lru?.calculatedSize ?? 0;
  }

  /** Waits until fewer than MAX_COMPUTING public answers are being computed; returns the release. */
  private async turn(): Promise<() => void> {
    if (this.computing >= MAX_COMPUTING) await new Promise<void>((resolve) => this.turns.push(resolve));
    else this.computing++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.turns.shift();
      // The turn passes straight to the next waiter: `computing` stays the same.
      if (next) next();
      else this.computing--;
    };
  }

  private usable(entry: Entry | undefined, now: number): Entry | undefined {
    if (!entry) return undefined;
    if (entry.version === this.version) return entry;
    return now - entry.at < this.staleMs ? entry : undefined;
  }

  /** Reads, in memory, the public answers of `isPublicRoute`; records a write on any other 2xx/3xx non-GET. */
  middleware(): MiddlewareHandler<AppEnv> {
    return async (c, next) => {
      const method = c.req.method;
      if (method !== 'GET') {
        await next();
        if (method !== 'HEAD' && method !== 'OPTIONS' && c.res.status < 400) this.bump();
        return;
      }
      if (!this.lru || !isPublicRoute(c.req.path)) return next();
      const key = keyOf(new URL(c.req.url));
      const requestId = c.get('requestId');
      let entry = this.usable(this.lru.get(key), this.clock());
      if (entry) {
        this.stats.hits++;
        return this.answer(entry, c.req.header('if-none-match'), c.req.header('accept-encoding'), requestId);
      }
      const running = this.pending.get(key);
      if (running) {
        entry = await running;
        if (entry) {
          this.stats.hits++;
          return this.answer(entry, c.req.header('if-none-match'), c.req.header('accept-encoding'), requestId);
        }
      }
      this.stats.misses++;
      let done!: (e: Entry | undefined) => void;
      this.pending.set(key, new Promise((resolve) => (done = resolve)));
      // A page's own calls to the API (in-process, api/app.ts ssrPages) are part of a computation
      // that already has its turn: waiting for another would deadlock.
      const nested = (c.env as { inProcessForm?: boolean } | undefined)?.inProcessForm === true;
      const release = nested ? () => {} : await this.turn();
      try {
        // Read after the wait: a write during it must make this computation's entry stale.
        const version = this.version;
        const at = this.clock();
        await next();
        entry = await this.store(c.res, version, at);
        if (entry) this.lru.set(key, entry);
      } finally {
        release();
        this.pending.delete(key);
        done(entry);
      }
      if (!entry) return;
      // The body was read into the entry: answer from it (the route's headers go with it).
      c.res = undefined;
      c.res = this.answer(entry, c.req.header('if-none-match'), c.req.header('accept-encoding'), requestId);
    };
  }

  private async store(res: Response, version: number, at: number): Promise<Entry | undefined> {
    if (res.status !== 200 || res.headers.has('set-cookie') || !res.body) return undefined;
    const body = new Uint8Array(await res.arrayBuffer());
    const headers: [string, string][] = [];
    for (const [name, value] of res.headers) if (!PER_EXCHANGE.has(name)) headers.push([name, value]);
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
    const type = res.headers.get('content-type') ?? '';
    const compressible = body.byteLength > 1024 && /text\/|json|csv/.test(type) && !res.headers.has('content-encoding');
    const gzip = compressible ? new Uint8Array(gzipSync(body, { level: 6 })) : undefined;
    return { status: res.status, headers, body, gzip, etag, version, at };
  }

  private answer(
    entry: Entry,
    ifNoneMatch: string | undefined,
    acceptEncoding: string | undefined,
    requestId: string,
  ): Response {
    const headers = new Headers(entry.headers);
    // Each encoding is its own representation with its own strong ETag (RFC 9110 §8.8.3).
    const gzip = entry.gzip && acceptsGzip(acceptEncoding) ? entry.gzip : undefined;
    const etag = gzip ? `${entry.etag.slice(0, -1)}-gz"` : entry.etag;
    headers.set('ETag', etag);
    if (entry.gzip) headers.append('Vary', 'Accept-Encoding');
    headers.set('Cache-Control', PUBLIC_CACHE_CONTROL);
    headers.set('Age', String(Math.max(0, Math.floor((this.clock() - entry.at) / 1000))));
    headers.set('X-Request-Id', requestId);
    if (ifNoneMatch !== undefined && etagMatches(ifNoneMatch, etag)) {
      this.stats.notModified++;
      for (const name of ['content-type', 'content-disposition', 'content-encoding']) headers.delete(name);
      return new Response(null, { status: 304, headers });
    }
    const body = gzip ?? entry.body;
    if (gzip) headers.set('Content-Encoding', 'gzip');
    headers.set('Content-Length', String(body.byteLength));
    return new Response(body, { status: entry.status, headers });
  }
}

/** True when the client takes gzip (`gzip` or `*` listed without q=0). */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  return header.split(',').some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return (coding === 'gzip' || coding === '*') && (q === undefined || Number(q.slice(2)) > 0);
  });
}

/**
 * The key of a public request: path and query with the parameters sorted (their order does not
 * change the answer), and the locale the path implies.
 *
 * @example keyOf(new URL('http://x/thong-ke/?nam=2025&don-vi=khanh-hoa')) // 'vi GET /thong-ke/?don-vi=khanh-hoa&nam=2025'
 */
export function keyOf(url: URL): string {
  const params = [...url.searchParams].sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0));
  const query = new URLSearchParams(params).toString();
  const locale = /^\/en(?:\/|$)/.test(url.pathname) ? 'en' : 'vi';
  return `${locale} GET ${url.pathname}${query ? `?${query}` : ''}`;
}

/** RFC 9110 §13.1.2: `*` or a list of tags, compared weakly (W/ ignored). */
export function etagMatches(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  const bare = (t: string) => t.trim().replace(/^W\//, '');
  return header.split(',').some((t) => bare(t) === etag);
}
