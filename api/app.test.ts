/**
 * The API through `createApp(...).request()` (no server) over a real temp libSQL file, migrated and
 * filled from the real content/. Covers the usefulness vote (issue #2), the problem+json errors,
 * the same-origin gate, the security headers and what reaches the access log.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../db/client.ts';
import { listMigrations, migrate } from '../db/migrate.ts';
import { syncContent } from '../db/content-sync.ts';
import { loadContent } from './contracts/load-content.ts';
import { fieldErrorCodes, problemCodes } from './contracts/problem.ts';
import { configWith, type Config } from './env.ts';
import { createApp } from './app.ts';
import type { Deps } from './app-env.ts';

const CONTENT = join(import.meta.dirname, '..', 'content');
const CODE = '1.001193';
const URL_ = '/api/v1/page-usefulness';
const LATEST = Math.max(...listMigrations().map((m) => m.version));
/** A value that must never come back in a response or reach a log. */
const ECHO = 'ECHO-CANARY-7f3a';

let tmp: string;
let db: Db;
let lines: string[];
let app: ReturnType<typeof createApp>;
let config: Config;

function deps(overrides: Partial<Record<keyof Config, string>> = {}): Deps {
  // The tests below post many votes from one client; the limit has its own test with the default.
  return {
    db,
    config: configWith({ RATE_LIMIT_MAX: '100000', ...overrides }),
    log: (l) => lines.push(l),
    now: () => new Date(),
  };
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'gopy-app-'));
  db = await openDb({ url: `file:${join(tmp, 'app.db')}` });
  await migrate(db.client);
  const content = loadContent(CONTENT);
  await syncContent(db.client, content.units, content.procedures);
  lines = [];
  const d = deps();
  config = d.config;
  app = createApp(d);
});

afterAll(() => {
  db.close();
  rmSync(tmp, { recursive: true, force: true });
});

function postJson(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return Promise.resolve(
    app.request(URL_, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
}

function postForm(fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return Promise.resolve(
    app.request(URL_, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(fields).toString(),
    }),
  );
}

async function count(table = 'page_usefulness'): Promise<number> {
  const rs = await db.client.execute(`SELECT count(*) AS n FROM ${table}`);
  return Number(rs.rows[0]!.n);
}

async function rollupSum(): Promise<number> {
  const rs = await db.client.execute('SELECT coalesce(sum(useful + not_useful), 0) AS n FROM page_usefulness_rollup');
  return Number(rs.rows[0]!.n);
}

/**
 * Checks an error response: problem+json with our code, no stack trace, none of `secrets` echoed.
 * Returns the parsed body.
 */
async function expectProblem(
  res: Response,
  status: number,
  code: string,
  secrets: string[] = [ECHO],
): Promise<{ code: string; errors?: { path: string; code: string; params?: Record<string, number> }[] }> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json\b/);
  expect(res.headers.get('location')).toBeNull();
  const text = await res.text();
  const body = JSON.parse(text);
  expect(body).toMatchObject({ status, code, type: expect.stringContaining(code), title: expect.any(String) });
  expect(problemCodes).toContain(body.code);
  for (const e of body.errors ?? []) expect(fieldErrorCodes).toContain(e.code);
  expect(Object.keys(body).sort()).toEqual(expect.arrayContaining(['code', 'status', 'title', 'type']));
  expect(body).not.toHaveProperty('stack');
  expect(body).not.toHaveProperty('issues');
  expect(text).not.toMatch(/\bat .+:\d+:\d+|node_modules|ZodError|\.ts\b/);
  for (const s of secrets) expect(text).not.toContain(s);
  return body;
}

/** Runs `fn` and asserts no vote row and no count was written. */
async function expectNoWrite(fn: () => Promise<void>): Promise<void> {
  const rows = await count();
  const sum = await rollupSum();
  await fn();
  expect(await count()).toBe(rows);
  expect(await rollupSum()).toBe(sum);
}

describe('GET /api/v1/health', () => {
  it('answers ok with the migration version', async () => {
    const res = await app.request('/api/v1/health');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    // Issue #9 added the checks (write probe, free space, backup age) next to the original fields.
    expect(await res.json()).toMatchObject({
      status: 'ok',
      database: { reachable: true, migration: LATEST },
      checks: {
        database: { ok: true },
        write_probe: { ok: true, code: null },
        free_space: { ok: true, free_mb: expect.any(Number) },
        backup_age_hours: { ok: true },
      },
    });
  });

  it('answers 503 degraded when the database is gone', async () => {
    const broken = await openDb({ url: `file:${join(tmp, 'other.db')}` });
    broken.close();
    const res = await createApp({ ...deps(), db: broken }).request('/api/v1/health');
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      status: 'degraded',
      database: { reachable: false, migration: null },
      checks: { database: { ok: false }, write_probe: { ok: false } },
    });
  });
});

describe('POST /api/v1/page-usefulness: accepted', () => {
  it('JSON: 201 with counts that increase', async () => {
    const first = await postJson({ procedure: CODE, useful: 'yes' });
    expect(first.status).toBe(201);
    expect(first.headers.get('content-type')).toMatch(/^application\/json/);
    const a = await first.json();
    expect(a).toEqual({ procedure: CODE, useful: expect.any(Number), not_useful: expect.any(Number) });
    expect(a.useful).toBeGreaterThanOrEqual(1);

    const b = await (await postJson({ procedure: CODE, useful: 'yes' })).json();
    expect(b).toEqual({ procedure: CODE, useful: a.useful + 1, not_useful: a.not_useful });
    const c = await (await postJson({ procedure: CODE, useful: 'no' })).json();
    expect(c).toEqual({ procedure: CODE, useful: a.useful + 1, not_useful: a.not_useful + 1 });

    // The counts answered match the raw rows (the rollup is kept in the same batch).
    const rs = await db.client.execute({
      sql: 'SELECT sum(useful) AS y, sum(1 - useful) AS n FROM page_usefulness WHERE procedure_code = ?',
      args: [CODE],
    });
    expect([Number(rs.rows[0]!.y), Number(rs.rows[0]!.n)]).toEqual([c.useful, c.not_useful]);
  });

  it('JSON: stores the comment trimmed and NFC, with the locale', async () => {
    const nfd = '  Hướng dẫn rõ ràng  '.normalize('NFD');
    const res = await postJson({ procedure: CODE, useful: 'yes', comment: nfd, locale: 'en' });
    expect(res.status).toBe(201);
    const rs = await db.client.execute(
      'SELECT comment, locale, useful, created_at FROM page_usefulness ORDER BY id DESC LIMIT 1',
    );
    const row = rs.rows[0]!;
    expect(row.comment).toBe('Hướng dẫn rõ ràng'.normalize('NFC'));
    expect(row.locale).toBe('en');
    expect(row.useful).toBe(1);
    expect(String(row.created_at)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('form post: 303 to <return_to>#cam-on and a row is stored', async () => {
    const before = await count();
    const res = await postForm({ procedure: CODE, useful: 'no', locale: 'en', return_to: `/en/procedures/${CODE}/` });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/en/procedures/${CODE}/#cam-on`);
    expect(await count()).toBe(before + 1);
    const rs = await db.client.execute(
      'SELECT procedure_code, useful, locale, comment FROM page_usefulness ORDER BY id DESC LIMIT 1',
    );
    expect(rs.rows[0]).toMatchObject({ procedure_code: CODE, useful: 0, locale: 'en', comment: null });
  });

  it('form post without return_to goes back to the home page', async () => {
    const res = await postForm({ procedure: CODE, useful: 'yes' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/#cam-on');
  });

  it('accepts a same-origin browser request', async () => {
    const res = await postJson(
      { procedure: CODE, useful: 'yes' },
      { origin: 'http://localhost', 'sec-fetch-site': 'same-origin' },
    );
    expect(res.status).toBe(201);
  });

  it('accepts an origin listed in PUBLIC_ORIGINS', async () => {
    const other = createApp(deps({ PUBLIC_ORIGINS: 'https://gopy.example, https://www.gopy.example' }));
    const res = await other.request(URL_, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://www.gopy.example' },
      body: JSON.stringify({ procedure: CODE, useful: 'yes' }),
    });
    expect(res.status).toBe(201);
  });
});

describe('POST /api/v1/page-usefulness: per-client limit (issue #7 part 6)', () => {
  it('answers 429 rate_limited with Retry-After past RATE_LIMIT_MAX votes per page, writing nothing', async () => {
    const limited = createApp({ ...deps(), config: configWith({}) });
    expect(configWith({}).RATE_LIMIT_MAX).toBe(5);
    const vote = (procedure: string, clientAddress = '203.0.113.77') =>
      Promise.resolve(
        limited.request(
          URL_,
          {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ procedure, useful: 'yes' }),
          },
          { clientAddress },
        ),
      );
    const rows = async () => Number((await db.client.execute('SELECT count(*) AS n FROM page_usefulness')).rows[0]!.n);
    for (let i = 0; i < 5; i++) expect((await vote(CODE)).status).toBe(201);
    const before = await rows();
    const refused = await vote(CODE);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { code: string }).code).toBe('rate_limited');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await rows()).toBe(before);
    // Another client, or another page, is not affected.
    expect((await vote(CODE, '203.0.113.78')).status).toBe(201);
    const [other] = (await db.client.execute('SELECT code FROM procedures WHERE code <> ? LIMIT 1', [CODE])).rows;
    expect((await vote(String(other!.code))).status).toBe(201);
  });
});

describe('POST /api/v1/page-usefulness: refused', () => {
  it('an unknown procedure → 422 unknown_procedure', async () => {
    await expectNoWrite(async () => {
      const body = await expectProblem(
        await postJson({ procedure: '9.999999', useful: 'yes', comment: ECHO }),
        422,
        'unknown_procedure',
        [ECHO, '9.999999'],
      );
      expect(body.errors).toEqual([{ path: 'procedure', code: 'invalid_value' }]);
    });
  });

  it('text/plain → 415 unsupported_media_type', async () => {
    await expectNoWrite(async () => {
      const res = await app.request(URL_, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify({ procedure: CODE, useful: 'yes', comment: ECHO }),
      });
      await expectProblem(res, 415, 'unsupported_media_type');
    });
  });

  it('no content type → 415', async () => {
    await expectNoWrite(async () => {
      // A byte body, so the Request sets no content type by itself.
      const res = await app.request(URL_, {
        method: 'POST',
        body: new TextEncoder().encode(JSON.stringify({ procedure: CODE, useful: 'yes', comment: ECHO })),
      });
      expect(res.status).toBe(415);
      await expectProblem(res, 415, 'unsupported_media_type');
    });
  });

  it('malformed JSON → 400 invalid_json', async () => {
    await expectNoWrite(async () => {
      await expectProblem(
        await postJson(`{"procedure":"${CODE}","useful":"yes","comment":"${ECHO}"`),
        400,
        'invalid_json',
      );
    });
  });

  it('JSON that is not an object → 422', async () => {
    await expectNoWrite(async () => {
      for (const body of ['[]', 'null', `"${ECHO}"`])
        await expectProblem(await postJson(body), 422, 'validation_failed');
    });
  });

  it('a body over BODY_LIMIT_BYTES → 413 payload_too_large', async () => {
    const big = JSON.stringify({
      procedure: CODE,
      useful: 'yes',
      comment: ECHO.repeat(Math.ceil(config.BODY_LIMIT_BYTES / ECHO.length) + 1),
    });
    expect(big.length).toBeGreaterThan(config.BODY_LIMIT_BYTES);
    await expectNoWrite(async () => {
      await expectProblem(await postJson(big), 413, 'payload_too_large');
      // Also when the client announces the size up front.
      await expectProblem(await postJson(big, { 'content-length': String(big.length) }), 413, 'payload_too_large');
    });
  });

  it('a page form post must state its length (411), and is held to the limit of its page (413)', async () => {
    // A page reads the body from the socket itself; a chunked body would reach it empty.
    const chunked = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode('code=ABCD-EFGH&key=x'));
        c.close();
      },
    });
    const res = await app.request('/tra-cuu/', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: chunked,
      duplex: 'half',
    } as RequestInit);
    await expectProblem(res, 411, 'length_required');
    // The sign-in page takes no files: the ordinary limit, not the 52 MB of the file pages.
    const big = await app.request('/quan-tri/', {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': String(config.BODY_LIMIT_BYTES + 1),
      },
      body: 'x'.repeat(config.BODY_LIMIT_BYTES + 1),
    });
    await expectProblem(big, 413, 'payload_too_large');
  });

  it('a small BODY_LIMIT_BYTES is honoured', async () => {
    const small = createApp(deps({ BODY_LIMIT_BYTES: '1024' }));
    await expectNoWrite(async () => {
      const res = await small.request(URL_, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ procedure: CODE, useful: 'yes', comment: 'x'.repeat(1100) }),
      });
      await expectProblem(res, 413, 'payload_too_large');
    });
  });

  it('an unknown field → 422 with errors[].code unknown_field', async () => {
    await expectNoWrite(async () => {
      const body = await expectProblem(
        await postJson({ procedure: CODE, useful: 'yes', phone: ECHO }),
        422,
        'validation_failed',
      );
      expect(body.errors).toContainEqual(expect.objectContaining({ code: 'unknown_field', path: 'phone' }));
    });
  });

  it('an unknown form field → 422 unknown_field', async () => {
    await expectNoWrite(async () => {
      const body = await expectProblem(
        await postForm({ procedure: CODE, useful: 'yes', name: ECHO }),
        422,
        'validation_failed',
      );
      expect(body.errors).toContainEqual(expect.objectContaining({ code: 'unknown_field' }));
    });
  });

  it('a comment over 1000 characters → too_long with params.max 1000', async () => {
    await expectNoWrite(async () => {
      const comment = `${ECHO}${'ạ'.repeat(1001 - ECHO.length)}`;
      expect(comment.length).toBe(1001);
      const body = await expectProblem(
        await postJson({ procedure: CODE, useful: 'yes', comment }),
        422,
        'validation_failed',
      );
      expect(body.errors).toEqual([{ path: 'comment', code: 'too_long', params: { max: 1000 } }]);
    });
    // 1000 is still fine.
    expect((await postJson({ procedure: CODE, useful: 'yes', comment: 'ạ'.repeat(1000) })).status).toBe(201);
  });

  it('missing and invalid fields get their own codes', async () => {
    await expectNoWrite(async () => {
      const body = await expectProblem(await postJson({ useful: 'maybe', locale: ECHO }), 422, 'validation_failed');
      expect(body.errors).toEqual(
        expect.arrayContaining([
          { path: 'procedure', code: 'required' },
          { path: 'useful', code: 'invalid_value' },
          expect.objectContaining({ path: 'locale' }),
        ]),
      );
    });
  });

  it.each([
    '//evil.example',
    'https://evil.example',
    '/\\evil.example',
    '//evil.example/thu-tuc/',
    'javascript:alert(1)',
  ])('return_to %j → 422, never a redirect off-site', async (returnTo) => {
    await expectNoWrite(async () => {
      const form = await postForm({ procedure: CODE, useful: 'yes', return_to: returnTo });
      const body = await expectProblem(form, 422, 'validation_failed', ['evil.example', 'javascript']);
      expect(body.errors).toEqual([{ path: 'return_to', code: 'invalid_format' }]);
      const json = await postJson({ procedure: CODE, useful: 'yes', return_to: returnTo });
      await expectProblem(json, 422, 'validation_failed', ['evil.example', 'javascript']);
    });
  });

  it('Origin: https://evil.example → 403 cross_origin (JSON and form)', async () => {
    await expectNoWrite(async () => {
      await expectProblem(
        await postJson({ procedure: CODE, useful: 'yes', comment: ECHO }, { origin: 'https://evil.example' }),
        403,
        'cross_origin',
        [ECHO, 'evil.example'],
      );
      await expectProblem(
        await postForm({ procedure: CODE, useful: 'yes', return_to: '/' }, { origin: 'https://evil.example' }),
        403,
        'cross_origin',
        [ECHO, 'evil.example'],
      );
      await expectProblem(await postJson({ procedure: CODE, useful: 'yes' }, { origin: 'null' }), 403, 'cross_origin');
    });
  });

  it.each(['cross-site', 'same-site'])('Sec-Fetch-Site: %s → 403', async (site) => {
    await expectNoWrite(async () => {
      await expectProblem(
        await postJson({ procedure: CODE, useful: 'yes', comment: ECHO }, { 'sec-fetch-site': site }),
        403,
        'cross_origin',
      );
    });
  });

  it('the cross-origin check runs before the body is read (even a huge body is 403)', async () => {
    await expectNoWrite(async () => {
      const big = 'x'.repeat(config.BODY_LIMIT_BYTES * 2);
      await expectProblem(await postJson(big, { origin: 'https://evil.example' }), 403, 'cross_origin');
    });
  });
});

describe('other routes', () => {
  it('unknown /api/v1/x → 404 problem', async () => {
    await expectProblem(await app.request('/api/v1/x'), 404, 'not_found');
    await expectProblem(await app.request('/api/v1/x', { method: 'POST' }), 404, 'not_found');
    await expectProblem(await app.request('/api/v2/health'), 404, 'not_found');
  });

  it('GET /api/v1/openapi.json is a 3.1 document listing /page-usefulness and /health', async () => {
    const res = await app.request('/api/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const doc = await res.json();
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/page-usefulness', '/health']));
    expect(doc.paths['/health'].get).toBeDefined();
    const post = doc.paths['/page-usefulness'].post;
    expect(Object.keys(post.requestBody.content).sort()).toEqual([
      'application/json',
      'application/x-www-form-urlencoded',
    ]);
    expect(post.requestBody.content['application/json'].schema.additionalProperties).toBe(false);
    expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['201', '303', '400', '413', '415', '422']));

    // Every operation has responses with descriptions; every $ref resolves inside the document.
    const methods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
    for (const [path, item] of Object.entries<Record<string, { responses: Record<string, { description?: unknown }> }>>(
      doc.paths,
    )) {
      expect(path.startsWith('/')).toBe(true);
      for (const [method, op] of Object.entries(item)) {
        expect(methods).toContain(method);
        expect(Object.keys(op.responses).length).toBeGreaterThan(0);
        for (const r of Object.values(op.responses)) expect(typeof r.description).toBe('string');
      }
    }
    const refs: string[] = [];
    JSON.stringify(doc, (k, v) => {
      if (k === '$ref') refs.push(v);
      return v;
    });
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      expect(ref).toMatch(/^#\//);
      const target = ref
        .slice(2)
        .split('/')
        .reduce<unknown>(
          (node, key) =>
            node && typeof node === 'object'
              ? (node as Record<string, unknown>)[key.replace(/~1/g, '/').replace(/~0/g, '~')]
              : undefined,
          doc,
        );
      expect(target, ref).toBeDefined();
    }
    // The documented error codes are exactly the ones the site translates.
    expect(doc.components.schemas.Problem.properties.code.enum).toEqual([...problemCodes]);
  });
});

describe('security headers', () => {
  let siteApp: ReturnType<typeof createApp>;
  const HASH = 'sha256-dGVzdC1oYXNoLW9mLWlubGluZS1zY3JpcHQ=';

  beforeAll(() => {
    const dist = join(tmp, 'dist');
    const client = join(dist, 'client');
    mkdirSync(join(client, 'en', '404'), { recursive: true });
    writeFileSync(join(client, 'index.html'), '<!doctype html><title>Trang chủ</title><h1>Góp ý</h1>');
    writeFileSync(join(client, '404.html'), '<!doctype html><title>404</title><h1>Không tìm thấy trang</h1>');
    writeFileSync(join(client, 'en', '404', 'index.html'), '<!doctype html><title>404</title><h1>Page not found</h1>');
    siteApp = createApp(deps(), { dir: dist, inlineScriptHashes: [HASH] });
  });

  function expectSecurityHeaders(res: Response, hashes: string[] = []): void {
    const csp = res.headers.get('content-security-policy');
    expect(csp).toBeTruthy();
    const directives = new Map(
      csp!
        .split(';')
        .map((d) => d.trim())
        .filter(Boolean)
        .map((d) => {
          const [name, ...values] = d.split(/\s+/);
          return [name!, values] as const;
        }),
    );
    const scriptSrc = directives.get('script-src') ?? directives.get('default-src');
    expect(scriptSrc).toBeDefined();
    expect(scriptSrc).not.toContain("'unsafe-inline'");
    expect(scriptSrc).not.toContain("'unsafe-eval'");
    expect(scriptSrc).not.toContain('*');
    for (const h of hashes) expect(scriptSrc).toContain(`'${h}'`);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    const hsts = res.headers.get('strict-transport-security') ?? '';
    const maxAge = Number(/max-age=(\d+)/.exec(hsts)?.[1]);
    expect(maxAge).toBeGreaterThanOrEqual(31536000);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toMatch(
      /^(no-referrer|same-origin|strict-origin|strict-origin-when-cross-origin)$/,
    );
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  }

  it('on API answers, successes and errors', async () => {
    expectSecurityHeaders(await app.request('/api/v1/health'));
    expectSecurityHeaders(await app.request('/api/v1/openapi.json'));
    expectSecurityHeaders(await postJson('{'));
    expectSecurityHeaders(await postJson({ procedure: CODE, useful: 'yes' }, { origin: 'https://evil.example' }));
    expectSecurityHeaders(await app.request('/api/v1/x'));
  });

  it('on pages, with the inline-script hashes and without unsafe-inline', async () => {
    const home = await siteApp.request('/');
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('Góp ý');
    expectSecurityHeaders(home, [HASH]);
    const missing = await siteApp.request('/khong-co-trang-nay/');
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('Không tìm thấy trang');
    expectSecurityHeaders(missing, [HASH]);
    const missingEn = await siteApp.request('/en/no-such-page/');
    expect(missingEn.status).toBe(404);
    expect(await missingEn.text()).toContain('Page not found');
    expectSecurityHeaders(missingEn, [HASH]);
    // Without a built site the fallback 404 page carries them too.
    const bare = await app.request('/trang/');
    expect(bare.status).toBe(404);
    expectSecurityHeaders(bare);
  });

  it('API errors are not cached', async () => {
    expect((await postJson('{')).headers.get('cache-control')).toBe('no-store');
  });
});

describe('access log', () => {
  it('has one line per request with no query string and no comment text', async () => {
    const canary = 'Nguyễn Văn Canary 0901234567';
    lines.length = 0;
    const ok = await postJson({ procedure: CODE, useful: 'yes', comment: canary });
    expect(ok.status).toBe(201);
    const formOk = await postForm({ procedure: CODE, useful: 'no', comment: canary, return_to: '/thu-tuc/' });
    expect(formOk.status).toBe(303);
    await postJson({ procedure: CODE, useful: 'yes', comment: `${canary} ${'x'.repeat(1000)}` }); // too long
    await postJson(`{"comment":"${canary}"`); // malformed
    await postJson({ procedure: '9.999999', useful: 'no', comment: canary }); // unknown procedure
    await app.request(`/api/v1/health?phone=0901234567&name=${encodeURIComponent(canary)}`);
    await app.request(`/api/v1/x?token=0901234567`);

    // The comment really was stored (so its absence from the log is not an accident).
    const rs = await db.client.execute({
      sql: 'SELECT count(*) AS n FROM page_usefulness WHERE comment = ?',
      args: [canary],
    });
    expect(Number(rs.rows[0]!.n)).toBe(2);

    expect(lines).toHaveLength(7);
    const parsed = lines.map((l) => JSON.parse(l));
    expect(parsed.map((p) => p.status)).toEqual([201, 303, 422, 400, 422, 200, 404]);
    for (const p of parsed) {
      expect(p).toMatchObject({ method: expect.any(String), route: expect.any(String), id: expect.any(String) });
      expect(p.route).not.toContain('?');
    }
    const all = lines.join('\n');
    for (const needle of ['Canary', 'Nguyễn', 'Nguy', '0901234567', '?', 'phone=', 'token=', 'comment'])
      expect(all).not.toContain(needle);
  });

  it('is silent when LOG_LEVEL is not info', async () => {
    const quiet = createApp(deps({ LOG_LEVEL: 'error' }));
    lines.length = 0;
    expect((await quiet.request('/api/v1/health')).status).toBe(200);
    expect(lines).toEqual([]);
  });
});

describe('fixes from review', () => {
  it('never logs or echoes a client-chosen request id', async () => {
    const res = await app.request('/api/v1/health', { headers: { 'X-Request-Id': 'Nguyen_Van_A-0901234567' } });
    expect(res.headers.get('x-request-id')).not.toContain('0901234567');
    expect(lines.join('\n')).not.toContain('0901234567');
  });

  it('answers 405 with Allow for a known path and another method', async () => {
    const res = await app.request('/api/v1/page-usefulness');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect(((await res.json()) as { code: string }).code).toBe('method_not_allowed');
  });

  it('refuses multipart on a route that takes JSON or urlencoded forms (415)', async () => {
    const form = new FormData();
    form.set('procedure', '1.001193');
    form.set('useful', 'yes');
    const res = await app.request('/api/v1/page-usefulness', { method: 'POST', body: form });
    expect(res.status).toBe(415);
  });

  it('declares the /api/v1 server in the OpenAPI document', async () => {
    const doc = (await (await app.request('/api/v1/openapi.json')).json()) as { servers: { url: string }[] };
    expect(doc.servers).toEqual([{ url: '/api/v1' }]);
  });
});
