/**
 * POST /api/v1/integration/dossiers through `createApp(...).request()` over a real temp libSQL file
 * filled from the real content/: API-key authentication, the unit subtree, registration with its
 * rollup, duplicates, problem+json refusals that write nothing, and the survey link, token and QR.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../db/client.ts';
import { migrate } from '../../db/migrate.ts';
import { syncContent } from '../../db/content-sync.ts';
import { createApiKey, redeemToken, revokeApiKey, sha256Hex } from '../../db/dossiers.ts';
import { loadContent } from '../contracts/load-content.ts';
import { fieldErrorCodes, problemCodes } from '../contracts/problem.ts';
import { qrSvg } from '../qr.ts';
import { configWith, type Config } from '../env.ts';
import { createApp } from '../app.ts';
import type { Deps } from '../app-env.ts';

const CONTENT = join(import.meta.dirname, '..', '..', 'content');
const URL_ = '/api/v1/integration/dossiers';
const PROCEDURE = '1.001193';
const NOW = new Date('2025-08-10T03:00:00Z');

let tmp: string;
let db: Db;
let lines: string[];
let app: ReturnType<typeof createApp>;
/** Key of Sở Y tế (a department with a hospital below it). */
let key: string;
let revokedKey: string;

function deps(overrides: Partial<Record<keyof Config, string>> = {}): Deps {
  return { db, config: configWith({ LOG_LEVEL: 'info', ...overrides }), log: (l) => lines.push(l), now: () => NOW };
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'gopy-integration-'));
  db = await openDb({ url: `file:${join(tmp, 'integration.db')}` });
  await migrate(db.client);
  const content = loadContent(CONTENT);
  await syncContent(db.client, content.units, content.procedures);
  lines = [];
  app = createApp(deps());
  key = (await createApiKey(db.client, 'so-y-te', 'Một cửa Sở Y tế', NOW)).key;
  const revoked = await createApiKey(db.client, 'so-y-te', 'Hệ thống cũ', NOW);
  await revokeApiKey(db.client, revoked.id, NOW);
  revokedKey = revoked.key;
});

afterAll(() => {
  db.close();
  rmSync(tmp, { recursive: true, force: true });
});

let seq = 0;
function dossier(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  seq++;
  return {
    code: `000.00.31.H42-250801-${String(seq).padStart(4, '0')}`,
    procedure: PROCEDURE,
    received_at: '2025-08-01T08:00:00+07:00',
    due_at: '2025-08-05T17:00:00+07:00',
    returned_at: '2025-08-04T10:30:00+07:00',
    ...overrides,
  };
}

function post(
  body: unknown,
  opts: { key?: string | null; headers?: Record<string, string>; query?: string; via?: typeof app } = {},
): Promise<Response> {
  const auth: Record<string, string> = opts.key === null ? {} : { authorization: `Bearer ${opts.key ?? key}` };
  return Promise.resolve(
    (opts.via ?? app).request(URL_ + (opts.query ?? ''), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth, ...opts.headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
}

const TABLES = ['dossiers', 'survey_tokens', 'api_keys'] as const;

/** Row counts of the tables a registration writes, and the rollup sums. */
async function snapshot(): Promise<number[]> {
  const out: number[] = [];
  for (const t of TABLES) out.push(Number((await db.client.execute(`SELECT count(*) AS n FROM ${t}`)).rows[0]!.n));
  // A dossier is added to its unit and every ancestor, per procedure and under '' (db/dossiers.ts):
  // the root's '' rows count each dossier exactly once.
  const r = await db.client.execute(
    `SELECT coalesce(sum(total), 0) AS t, coalesce(sum(on_time), 0) AS o FROM dossier_rollups
     WHERE unit_id = 'viet-nam' AND procedure_code = ''`,
  );
  out.push(Number(r.rows[0]!.t), Number(r.rows[0]!.o));
  return out;
}

async function expectNoWrite(fn: () => Promise<void>): Promise<void> {
  const before = await snapshot();
  await fn();
  expect(await snapshot()).toEqual(before);
}

interface ProblemBody {
  code: string;
  errors?: { path: string; code: string; params?: Record<string, number> }[];
}

async function expectProblem(res: Response, status: number, code: string): Promise<ProblemBody> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json\b/);
  expect(res.headers.get('cache-control')).toBe('no-store');
  const text = await res.text();
  const body = JSON.parse(text) as ProblemBody;
  expect(body).toMatchObject({ status, code, title: expect.any(String), type: expect.stringContaining(code) });
  expect(problemCodes).toContain(body.code);
  for (const e of body.errors ?? []) expect(fieldErrorCodes).toContain(e.code);
  // Never the key, the input or a stack trace.
  expect(text).not.toContain(key);
  expect(text).not.toMatch(/\bat .+:\d+:\d+|ZodError|SQLITE/);
  return body;
}

describe('authentication', () => {
  it.each([
    ['no Authorization header', null],
    ['an unknown key', `gopy_${'A'.repeat(43)}`],
    ['a malformed key', 'not-a-key'],
    ['the hash of a real key', 'HASH'],
  ])('%s → 401 unauthorized with a Bearer challenge', async (_name, k) => {
    await expectNoWrite(async () => {
      const res = await post(dossier(), { key: k === 'HASH' ? sha256Hex(key) : k });
      await expectProblem(res, 401, 'unauthorized');
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
    });
  });

  it('a revoked key → 401', async () => {
    await expectNoWrite(async () => {
      await expectProblem(await post(dossier(), { key: revokedKey }), 401, 'unauthorized');
    });
  });

  it('another scheme → 401', async () => {
    await expectNoWrite(async () => {
      const res = await post(dossier(), { key: null, headers: { authorization: `Basic ${key}` } });
      await expectProblem(res, 401, 'unauthorized');
    });
  });

  it('is checked before the body: an invalid body without a key is 401, not 422', async () => {
    await expectNoWrite(async () => {
      await expectProblem(await post({ nonsense: true }, { key: null }), 401, 'unauthorized');
      await expectProblem(await post('{', { key: null }), 401, 'unauthorized');
    });
  });

  it('a unit outside the key’s subtree → 403 forbidden_unit, and nothing of the request is written', async () => {
    await expectNoWrite(async () => {
      const sibling = await expectProblem(await post(dossier({ unit: 'so-tai-chinh' })), 403, 'forbidden_unit');
      expect(sibling.errors).toEqual([{ path: 'unit', code: 'invalid_value' }]);
      await expectProblem(await post(dossier({ unit: 'khanh-hoa' })), 403, 'forbidden_unit');
      await expectProblem(await post(dossier({ unit: 'khong-co-don-vi' })), 403, 'forbidden_unit');
      const batch = await expectProblem(
        await post({
          dossiers: [dossier(), dossier({ unit: 'benh-vien-da-khoa-khanh-hoa' }), dossier({ unit: 'so-xay-dung' })],
        }),
        403,
        'forbidden_unit',
      );
      expect(batch.errors).toEqual([{ path: 'dossiers.2.unit', code: 'invalid_value' }]);
    });
  });
});

describe('registration', () => {
  it('one dossier → 201 with the survey link, token and QR; rows, hashed token and rollup written', async () => {
    const d = dossier();
    const before = await snapshot();
    // A forged Host header must not reach the link (issue #7 part 6).
    const res = await post(d, { headers: { host: 'evil.example' } });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = await res.json();
    expect(body).toEqual({
      code: d.code,
      unit: 'so-y-te',
      procedure: PROCEDURE,
      on_time: true,
      created: true,
      survey_url: expect.any(String),
      token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      token_expires_at: '2025-09-03T03:30:00.000Z',
      qr_svg: expect.stringMatching(/^<svg [^>]*viewBox="0 0 \d+ \d+"[\s\S]*<path [^>]*d="M[\s\S]*<\/svg>\s*$/),
    });
    // Changed with issue #7 part 6: without PUBLIC_BASE_URL (a demo on loopback) the link uses the
    // server's own address, never the request's Host.
    expect(body.survey_url).toBe(
      `http://127.0.0.1:4321/danh-gia/?don-vi=so-y-te&thu-tuc=${PROCEDURE}&ma=${body.token}`,
    );
    // The QR code is the one of exactly that link.
    expect(body.qr_svg).toBe(await qrSvg(body.survey_url));

    const after = await snapshot();
    expect(after).toEqual([before[0]! + 1, before[1]! + 1, before[2], before[3]! + 1, before[4]! + 1]);
    const row = await db.client.execute({
      sql: `SELECT d.*, t.token_hash, t.expires_at FROM dossiers d JOIN survey_tokens t ON t.dossier_id = d.id
            WHERE d.code = ?`,
      args: [d.code as string],
    });
    expect(row.rows[0]).toMatchObject({
      unit_id: 'so-y-te',
      procedure_code: PROCEDURE,
      received_at: '2025-08-01T01:00:00.000Z',
      due_at: '2025-08-05T10:00:00.000Z',
      returned_at: '2025-08-04T03:30:00.000Z',
      on_time: 1,
      created_at: NOW.toISOString(),
      token_hash: sha256Hex(body.token),
      expires_at: '2025-09-03T03:30:00.000Z',
    });
    expect(JSON.stringify(row.rows)).not.toContain(body.token);
    const rollup = await db.client.execute({
      sql: "SELECT total, on_time FROM dossier_rollups WHERE unit_id = 'so-y-te' AND procedure_code = ? AND day = '2025-08-04'",
      args: [PROCEDURE],
    });
    expect(Number(rollup.rows[0]!.total)).toBeGreaterThanOrEqual(1);

    // The token opens the survey for that dossier.
    const redeemed = await redeemToken(db.client, body.token, NOW);
    expect(redeemed).toMatchObject({ unitId: 'so-y-te', procedureCode: PROCEDURE });
  });

  it('a list: units below the key’s unit, no procedure, late dossiers, PUBLIC_BASE_URL, ?qr=none', async () => {
    const via = createApp(deps({ PUBLIC_BASE_URL: 'https://gopy.khanhhoa.gov.vn' }));
    const items = [
      dossier({ unit: 'benh-vien-da-khoa-khanh-hoa', procedure: undefined }),
      // Returned after the due time, and on 6 August in Viet Nam (23:30 UTC on the 5th).
      dossier({ returned_at: '2025-08-05T23:30:00Z' }),
    ];
    const res = await post({ dossiers: items }, { via, query: '?qr=none' });
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body.dossiers).toHaveLength(2);
    const [a, b] = body.dossiers;
    expect(a).toMatchObject({ unit: 'benh-vien-da-khoa-khanh-hoa', procedure: null, on_time: true, qr_svg: null });
    expect(a.survey_url).toBe(
      `https://gopy.khanhhoa.gov.vn/danh-gia/?don-vi=benh-vien-da-khoa-khanh-hoa&ma=${a.token}`,
    );
    expect(b).toMatchObject({ unit: 'so-y-te', procedure: PROCEDURE, on_time: false, created: true });
    const rollups = await db.client.execute(
      `SELECT unit_id, procedure_code, day, total, on_time FROM dossier_rollups
       WHERE (unit_id = 'benh-vien-da-khoa-khanh-hoa' AND procedure_code = '') OR day = '2025-08-06'`,
    );
    expect(rollups.rows.map((r) => [r.unit_id, r.procedure_code, r.day, r.total, r.on_time])).toEqual(
      expect.arrayContaining([
        ['benh-vien-da-khoa-khanh-hoa', '', '2025-08-04', 1, 1],
        ['so-y-te', PROCEDURE, '2025-08-06', 1, 0],
      ]),
    );
  });

  it('a province key may register for a department and a hospital below it', async () => {
    const { key: provinceKey } = await createApiKey(db.client, 'khanh-hoa', 'Hệ thống một cửa tỉnh', NOW);
    const res = await post(
      { dossiers: [dossier({ unit: 'so-tai-chinh' }), dossier({ unit: 'benh-vien-da-khoa-khanh-hoa' })] },
      { key: provinceKey, query: '?qr=none' },
    );
    expect(res.status).toBe(201);
  });

  it('the same dossier again → 200, created false, no token, nothing written', async () => {
    const d = dossier();
    const first = await (await post(d, { query: '?qr=none' })).json();
    await expectNoWrite(async () => {
      const res = await post(d);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        code: d.code,
        unit: 'so-y-te',
        procedure: PROCEDURE,
        on_time: true,
        created: false,
        survey_url: null,
        token: null,
        token_expires_at: null,
        qr_svg: null,
      });
    });
    // The first token still works.
    await expect(redeemToken(db.client, first.token, NOW)).resolves.toMatchObject({ unitId: 'so-y-te' });
    // In a list beside a new dossier: 201, only the new one gets a token.
    const fresh = dossier();
    const before = await snapshot();
    const res = await post({ dossiers: [d, fresh] }, { query: '?qr=none' });
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body.dossiers.map((x: { created: boolean; token: string | null }) => [x.created, x.token !== null])).toEqual(
      [
        [false, false],
        [true, true],
      ],
    );
    expect((await snapshot())[0]).toBe(before[0]! + 1);
  });

  it('the same code with other data → 409 dossier_conflict, nothing written', async () => {
    const d = dossier();
    expect((await post(d, { query: '?qr=none' })).status).toBe(201);
    await expectNoWrite(async () => {
      const body = await expectProblem(
        await post({ dossiers: [dossier(), { ...d, returned_at: '2025-08-06T10:00:00+07:00' }] }),
        409,
        'dossier_conflict',
      );
      expect(body.errors).toEqual([{ path: 'dossiers.1.code', code: 'invalid_value' }]);
    });
  });

  it('the same code in another unit is another dossier', async () => {
    const d = dossier();
    expect((await post(d, { query: '?qr=none' })).status).toBe(201);
    const res = await post({ ...d, unit: 'benh-vien-da-khoa-khanh-hoa' }, { query: '?qr=none' });
    expect(res.status).toBe(201);
  });
});

describe('validation: problem+json, nothing written', () => {
  it.each([
    ['returned before received', { returned_at: '2025-07-31T10:00:00+07:00' }, 'returned_at', 'invalid_value'],
    ['due before received', { due_at: '2025-07-31T10:00:00+07:00' }, 'due_at', 'invalid_value'],
    ['returned in the future', { returned_at: '2025-08-11T10:00:00+07:00' }, 'returned_at', 'invalid_value'],
    ['a time without an offset', { received_at: '2025-08-01T08:00:00' }, 'received_at', 'invalid_format'],
    ['a date alone', { due_at: '2025-08-05' }, 'due_at', 'invalid_format'],
    ['a code with spaces', { code: 'HS 001' }, 'code', 'invalid_format'],
    ['a code too long', { code: 'A'.repeat(65) }, 'code', 'too_long'],
    ['a malformed procedure code', { procedure: '1001193' }, 'procedure', 'invalid_format'],
    ['a number as code', { code: 42 }, 'code', 'wrong_type'],
  ])('%s → 422 validation_failed', async (_name, change, path, code) => {
    await expectNoWrite(async () => {
      const single = await expectProblem(await post(dossier(change)), 422, 'validation_failed');
      expect(single.errors).toContainEqual(expect.objectContaining({ path, code }));
      const list = await expectProblem(
        await post({ dossiers: [dossier(), dossier(change)] }),
        422,
        'validation_failed',
      );
      expect(list.errors).toContainEqual(expect.objectContaining({ path: `dossiers.1.${path}`, code }));
    });
  });

  it('missing and unknown fields', async () => {
    await expectNoWrite(async () => {
      const { code: _code, ...noCode } = dossier();
      // `phone` is a field since issue #11 (the SMS invitation); the citizen's name is not.
      const body = await expectProblem(
        await post({ ...noCode, citizen_name: 'Nguyễn Văn Canary' }),
        422,
        'validation_failed',
      );
      expect(body.errors).toEqual(
        expect.arrayContaining([
          { path: 'code', code: 'required' },
          { path: 'citizen_name', code: 'unknown_field' },
        ]),
      );
      expect(JSON.stringify(body)).not.toContain('Canary');
    });
  });

  it('an empty list, and more than 500 dossiers', async () => {
    const big = createApp(deps({ BODY_LIMIT_BYTES: String(1024 * 1024) }));
    await expectNoWrite(async () => {
      const empty = await expectProblem(await post({ dossiers: [] }), 422, 'validation_failed');
      expect(empty.errors).toEqual([{ path: 'dossiers', code: 'too_small', params: { min: 1 } }]);
      const many = Array.from({ length: 501 }, () => dossier());
      const res = await post({ dossiers: many }, { via: big });
      const body = await expectProblem(res, 422, 'validation_failed');
      expect(body.errors).toEqual([{ path: 'dossiers', code: 'too_large', params: { max: 500 } }]);
    });
  });

  it('the same code twice in one request', async () => {
    await expectNoWrite(async () => {
      const d = dossier();
      const body = await expectProblem(await post({ dossiers: [d, dossier(), d] }), 422, 'validation_failed');
      expect(body.errors).toEqual([{ path: 'dossiers.2.code', code: 'invalid_value' }]);
    });
  });

  it('an unknown procedure → 422 unknown_procedure naming the dossier', async () => {
    await expectNoWrite(async () => {
      const body = await expectProblem(
        await post({ dossiers: [dossier(), dossier({ procedure: '9.999999' })] }),
        422,
        'unknown_procedure',
      );
      expect(body.errors).toEqual([{ path: 'dossiers.1.procedure', code: 'invalid_value' }]);
    });
  });

  it('not JSON → 415, malformed JSON → 400, too large → 413, bad ?qr → 422', async () => {
    await expectNoWrite(async () => {
      await expectProblem(
        await post(JSON.stringify(dossier()), { headers: { 'content-type': 'text/plain' } }),
        415,
        'unsupported_media_type',
      );
      await expectProblem(await post('{"code":'), 400, 'invalid_json');
      // The integration route takes up to 1 MiB (500 dossiers); beyond that, 413.
      await expectProblem(await post('x'.repeat(1024 * 1024 + 1)), 413, 'payload_too_large');
      await expectProblem(await post(dossier(), { query: '?qr=png' }), 422, 'validation_failed');
    });
  });

  it('a browser on another site is refused before the key is even looked at', async () => {
    await expectNoWrite(async () => {
      await expectProblem(await post(dossier(), { headers: { origin: 'https://evil.example' } }), 403, 'cross_origin');
    });
  });

  it('GET → 405 with Allow: POST', async () => {
    const res = await app.request(URL_);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });
});

describe('logs and the OpenAPI document', () => {
  it('the access log has neither the key nor the token', async () => {
    lines.length = 0;
    const body = await (await post(dossier(), { query: '?qr=none' })).json();
    await post(dossier(), { key: 'gopy_not-a-real-key' });
    expect(lines).toHaveLength(2);
    const all = lines.join('\n');
    expect(all).not.toContain(key);
    expect(all).not.toContain(body.token);
    expect(JSON.parse(lines[0]!)).toMatchObject({ status: 201 });
    expect(JSON.parse(lines[1]!)).toMatchObject({ status: 401 });
  });

  it('documents the route with its bearer security scheme', async () => {
    const doc = await (await app.request('/api/v1/openapi.json')).json();
    const op = doc.paths['/integration/dossiers'].post;
    expect(op.security).toEqual([{ apiKey: [] }]);
    expect(Object.keys(op.responses)).toEqual(
      expect.arrayContaining(['200', '201', '400', '401', '403', '409', '413', '415', '422']),
    );
    expect(doc.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
  });
});
