/**
 * POST /api/v1/feedback and POST /api/v1/feedback/track (issue #4, citizen side) through
 * `createApp(...).request()` over a real temp libSQL file: one case per Idempotency-Key with its
 * contact data apart and one history event, working-day deadlines from content/calendar, refusals
 * that write nothing (also for 2,000 generated invalid payloads), tracking that never shows contact
 * data and answers an unknown code and a wrong key alike, an append-only history, and logs that
 * never carry the sender's personal data (canary).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fieldErrorCodes, problemCodes } from '../contracts/problem.ts';
import { loadCalendar } from '../contracts/calendar.ts';
import { addWorkingDays } from '../deadlines/calendar.ts';
import { CONTENT_DIR, openHarness, type Harness } from '../test-harness.ts';

const SUBMIT = '/api/v1/feedback';
const TRACK = '/api/v1/feedback/track';
const TABLES = ['feedback', 'feedback_contacts', 'feedback_events', 'rate_limits', 'pow_used'] as const;
const PROCEDURE = '1.001193';
/** Thursday 12/2/2026 10:00 in Việt Nam, two days before Tết Bính Ngọ (14–22/2/2026). */
const BEFORE_TET = new Date('2026-02-12T03:00:00Z');

let h: Harness;
let app: App;
type App = ReturnType<Harness['app']>;

beforeAll(async () => {
  h = await openHarness('feedback');
  app = h.app({ POW_REQUIRED: '0', RATE_LIMIT_MAX: '100000', CONTENT_DIR }, () => BEFORE_TET);
});

afterAll(() => h.close());

let seq = 0;
function key(): string {
  seq++;
  return `fb-${String(seq).padStart(6, '0')}-${randomBytes(6).toString('base64url')}`;
}

let addressSeq = 0;
/** A client address of its own, so the tracking limit of one test does not touch another. */
function client(): Record<string, unknown> {
  return { clientAddress: `192.0.2.${++addressSeq}` };
}

function valid(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 'phan-anh',
    subject: 'hanh-vi',
    unit: 'so-y-te',
    procedure: PROCEDURE,
    title: 'Chờ quá lâu ở bộ phận một cửa',
    content: 'Tôi nộp hồ sơ ngày 2/2 nhưng đến nay chưa được trả kết quả.',
    name: 'Trần Thị Bình',
    phone: '0912 345 678',
    email: 'binh@example.vn',
    address: '12 Trần Phú, Nha Trang',
    publish_content: true,
    show_name: false,
    locale: 'vi',
    ...overrides,
  };
}

interface PostOptions {
  key?: string | null;
  env?: Record<string, unknown>;
  app?: App;
  contentType?: string;
}

async function post(body: unknown, opts: PostOptions = {}): Promise<Response> {
  const k = opts.key === undefined ? key() : opts.key;
  return (opts.app ?? app).request(
    SUBMIT,
    {
      method: 'POST',
      headers: {
        'content-type': opts.contentType ?? 'application/json',
        ...(k === null ? {} : { 'idempotency-key': k }),
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    },
    opts.env,
  );
}

async function track(body: unknown, env: Record<string, unknown> = client(), a: App = app): Promise<Response> {
  return a.request(
    TRACK,
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
    env,
  );
}

interface Receipt {
  tracking_code: string;
  access_key: string | null;
  access_key_shown: boolean;
  replayed: boolean;
  classify_due_at: string;
  answer_due_at: string;
}

interface ProblemBody {
  code: string;
  status: number;
  errors?: { path: string; code: string; params?: Record<string, number> }[];
  request_id?: string;
}

async function expectProblem(res: Response, status: number, code: string): Promise<ProblemBody> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json\b/);
  const body = (await res.json()) as ProblemBody;
  expect(body).toMatchObject({ status, code });
  expect(problemCodes).toContain(body.code);
  for (const e of body.errors ?? []) expect(fieldErrorCodes).toContain(e.code);
  return body;
}

type Counts = Record<(typeof TABLES)[number] | 'hits', number>;

async function counts(): Promise<Counts> {
  const out = await h.counts(TABLES);
  const rs = await h.db.client.execute('SELECT coalesce(sum(count), 0) AS n FROM rate_limits');
  return { ...(out as Record<(typeof TABLES)[number], number>), hits: Number(rs.rows[0]!.n) };
}

async function expectNoWrite(fn: () => Promise<void>): Promise<void> {
  const before = await counts();
  await fn();
  expect(await counts()).toEqual(before);
}

async function submitted(overrides: Record<string, unknown> = {}): Promise<Receipt> {
  const res = await post(valid(overrides));
  expect(res.status).toBe(201);
  return (await res.json()) as Receipt;
}

describe('POST /feedback', () => {
  it('stores the case, the contact data apart and one event, with working-day deadlines (201)', async () => {
    const before = await counts();
    const k = key();
    const res = await post(valid({ unit: undefined, procedure: undefined }), { key: k });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const r = (await res.json()) as Receipt;
    expect(r.tracking_code).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}$/);
    expect(r.access_key).toMatch(/^[2-9A-HJKMNP-Z]{4}(?:-[2-9A-HJKMNP-Z]{4}){3}$/);
    expect(r).toMatchObject({ access_key_shown: false, replayed: false });

    // Thursday 12/2/2026 10:00: 3 working days skip the weekend and Tết (14–22/2) → Tuesday 24/2;
    // 3 + 10 → Tuesday 10/3 (rule phan-anh/hanh-vi, content/calendar/deadline-rules.yaml).
    const calendar = loadCalendar(CONTENT_DIR);
    expect(r.classify_due_at).toBe('2026-02-24T16:59:59.999Z');
    expect(r.classify_due_at).toBe(addWorkingDays(BEFORE_TET, 3, calendar).deadline.toISOString());
    expect(r.answer_due_at).toBe('2026-03-10T16:59:59.999Z');
    expect(r.answer_due_at).toBe(addWorkingDays(BEFORE_TET, 13, calendar).deadline.toISOString());

    const row = (await h.db.client.execute({ sql: 'SELECT * FROM feedback WHERE idempotency_key = ?', args: [k] }))
      .rows[0]!;
    expect({ ...row }).toMatchObject({
      tracking_code: r.tracking_code,
      kind: 'phan-anh',
      subject: 'hanh-vi',
      unit_id: 'khanh-hoa',
      procedure_code: null,
      channel: 'web',
      status: 'received',
      publish_content: 1,
      show_name: 0,
      received_at: BEFORE_TET.toISOString(),
      locale: 'vi',
    });
    // Only the hash of the key is stored; no contact data in the case row.
    expect(row.access_key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(r.access_key!);
    expect(JSON.stringify(row)).not.toMatch(/Bình|0912345678|binh@example/);
    const contact = (
      await h.db.client.execute({
        sql: 'SELECT * FROM feedback_contacts WHERE feedback_id = ?',
        args: [Number(row.id)],
      })
    ).rows[0]!;
    expect({ ...contact }).toMatchObject({
      name: 'Trần Thị Bình',
      phone: '0912345678',
      email: 'binh@example.vn',
      address: '12 Trần Phú, Nha Trang',
      retain_until: '2029-02-12T03:00:00.000Z',
    });
    const events = await h.db.client.execute({
      sql: 'SELECT actor, from_status, to_status FROM feedback_events WHERE feedback_id = ?',
      args: [Number(row.id)],
    });
    expect(events.rows.map((e) => ({ ...e }))).toEqual([
      { actor: 'citizen', from_status: null, to_status: 'received' },
    ]);
    const after = await counts();
    expect(after.feedback).toBe(before.feedback + 1);
    expect(after.feedback_contacts).toBe(before.feedback_contacts + 1);
    expect(after.feedback_events).toBe(before.feedback_events + 1);
    expect(after.hits).toBe(before.hits + 1);
  });

  it('a retry with the same key and body returns the same code without the key (200), once stored', async () => {
    const k = key();
    const first = (await (await post(valid(), { key: k })).json()) as Receipt;
    await expectNoWrite(async () => {
      // Spacing of the phone and the proof of work are not part of what the submission means.
      const again = await post(valid({ phone: '0912.345.678' }), { key: k });
      expect(again.status).toBe(200);
      expect(await again.json()).toEqual({
        tracking_code: first.tracking_code,
        access_key: null,
        access_key_shown: true,
        replayed: true,
        classify_due_at: first.classify_due_at,
        answer_due_at: first.answer_due_at,
      });
      await expectProblem(await post(valid({ title: 'Khác' }), { key: k }), 409, 'idempotency_conflict');
    });
  });

  it('no phone and no e-mail → 422 contact_required on both fields, nothing written', async () => {
    await expectNoWrite(async () => {
      const body = await expectProblem(await post(valid({ phone: undefined, email: '  ' })), 422, 'contact_required');
      expect(body.errors).toEqual([
        { path: 'phone', code: 'required' },
        { path: 'email', code: 'required' },
      ]);
      // With another mistake: all reported at once.
      const both = await expectProblem(
        await post(valid({ phone: null, email: undefined, title: '' })),
        422,
        'validation_failed',
      );
      expect(both.errors).toEqual(
        expect.arrayContaining([
          { path: 'title', code: 'required', params: { min: 1 } },
          { path: 'phone', code: 'required' },
          { path: 'email', code: 'required' },
        ]),
      );
    });
    // One of the two is enough.
    expect((await post(valid({ phone: undefined }))).status).toBe(201);
    expect((await post(valid({ email: undefined, phone: '+84 258 382 2222' }))).status).toBe(201);
  });

  it('content over 5,000 characters → too_long; NFC and trimming count', async () => {
    await expectNoWrite(async () => {
      const body = await expectProblem(await post(valid({ content: 'a'.repeat(5001) })), 422, 'validation_failed');
      expect(body.errors).toEqual([{ path: 'content', code: 'too_long', params: { max: 5000 } }]);
      const title = await expectProblem(await post(valid({ title: 'x'.repeat(201) })), 422, 'validation_failed');
      expect(title.errors).toEqual([{ path: 'title', code: 'too_long', params: { max: 200 } }]);
    });
    // 5,000 decomposed "ệ" (3 code points each) are 5,000 characters once NFC; spaces are trimmed.
    expect((await post(valid({ content: `  ${'ệ'.normalize('NFD').repeat(5000)}  ` }))).status).toBe(201);
  });

  it('invalid phone or e-mail → 422 field errors', async () => {
    await expectNoWrite(async () => {
      for (const phone of ['12345', '0123456789', '+1 202 555 0100', '09123456789'])
        expect((await expectProblem(await post(valid({ phone })), 422, 'validation_failed')).errors).toEqual([
          { path: 'phone', code: 'invalid_format' },
        ]);
      expect(
        (await expectProblem(await post(valid({ email: 'not-an-email' })), 422, 'validation_failed')).errors,
      ).toEqual([{ path: 'email', code: 'invalid_format' }]);
    });
  });

  it('unknown unit or procedure → 422, nothing written', async () => {
    await expectNoWrite(async () => {
      await expectProblem(await post(valid({ unit: 'khong-co' })), 422, 'unknown_unit');
      // Ninh Thuận province ended on 30/6/2025 (merged into Khánh Hòa): it receives nothing.
      await expectProblem(await post(valid({ unit: 'ninh-thuan' })), 422, 'unknown_unit');
      await expectProblem(await post(valid({ procedure: '9.999999' })), 422, 'unknown_procedure');
    });
  });

  it('honeypot, unknown field, bad kind, missing key, not JSON → 4xx, nothing written', async () => {
    await expectNoWrite(async () => {
      expect((await expectProblem(await post(valid({ website: 'x' })), 422, 'validation_failed')).errors).toEqual([
        { path: 'website', code: 'invalid_value' },
      ]);
      await expectProblem(await post(valid({ extra: 1 })), 422, 'validation_failed');
      // A literal "__proto__" key is an unknown field too, not silently dropped.
      const text = JSON.stringify(valid());
      await expectProblem(await post(`${text.slice(0, -1)},"__proto__":{"x":1}}`), 422, 'validation_failed');
      await expectProblem(await post(valid({ kind: 'to-cao' })), 422, 'validation_failed');
      await expectProblem(await post(valid({ publish_content: 'yes' })), 422, 'validation_failed');
      await expectProblem(await post(valid(), { key: null }), 400, 'idempotency_key_required');
      await expectProblem(await post(valid(), { key: 'short' }), 400, 'idempotency_key_required');
      await expectProblem(await post('{"kind":', {}), 400, 'invalid_json');
      await expectProblem(await post(valid(), { contentType: 'text/plain' }), 415, 'unsupported_media_type');
    });
  });

  it('requires a proof of work unless turned off', async () => {
    const strict = h.app({ RATE_LIMIT_MAX: '100000', CONTENT_DIR }, () => BEFORE_TET);
    await expectNoWrite(async () => {
      await expectProblem(await post(valid(), { app: strict }), 422, 'pow_required');
      await expectProblem(
        await post(
          valid({ pow: { challenge: { parameters: {}, signature: 'x' }, solution: { counter: 1, derivedKey: 'y' } } }),
          { app: strict },
        ),
        422,
        'pow_invalid',
      );
    });
  });

  it('is rate-limited per client address (429 with Retry-After), the refusal writes nothing', async () => {
    const limited = h.app({ POW_REQUIRED: '0', RATE_LIMIT_MAX: '2', CONTENT_DIR }, () => BEFORE_TET);
    const env = client();
    expect((await post(valid(), { app: limited, env })).status).toBe(201);
    expect((await post(valid(), { app: limited, env })).status).toBe(201);
    await expectNoWrite(async () => {
      const res = await post(valid(), { app: limited, env });
      await expectProblem(res, 429, 'rate_limited');
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    });
    expect((await post(valid(), { app: limited, env: client() })).status).toBe(201);
  });
});

describe('POST /feedback/track', () => {
  it('shows status, deadlines, handling unit and timeline, never contact data (200)', async () => {
    const r = await submitted({ unit: undefined });
    const res = await track({ code: r.tracking_code.toLowerCase().replace('-', ' '), key: r.access_key });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({
      tracking_code: r.tracking_code,
      kind: 'phan-anh',
      subject: 'hanh-vi',
      status: 'received',
      unit: { id: 'khanh-hoa', name_vi: expect.any(String), name_en: expect.any(String) },
      received_at: BEFORE_TET.toISOString(),
      classify_due_at: r.classify_due_at,
      answer_due_at: r.answer_due_at,
      overdue: false,
      events: [
        {
          at: BEFORE_TET.toISOString(),
          action: 'submit',
          from: null,
          to: 'received',
          unit: { id: 'khanh-hoa', name_vi: expect.any(String), name_en: expect.any(String) },
          note: null,
        },
      ],
      messages: [],
      attachments: [],
      ratings: [],
      dispute_until: null,
      allowed_actions: [],
      // Issue #7 part 4: the notice it was received under, whether contact data is held (a yes/no,
      // never the data) and the sender's requests about it.
      notice_version: '2026-01',
      contact_kept: true,
      data_requests: [],
    });
    for (const s of ['Trần Thị Bình', '0912345678', '0912 345 678', 'binh@example.vn', 'Trần Phú', r.access_key!])
      expect(text).not.toContain(s);

    // The named unit handles it; past the classify deadline it is overdue.
    const named = await submitted();
    const later = h.app({ POW_REQUIRED: '0', CONTENT_DIR }, () => new Date('2026-02-25T01:00:00Z'));
    const body = (await (
      await track({ code: named.tracking_code, key: named.access_key }, client(), later)
    ).json()) as {
      unit: { id: string };
      overdue: boolean;
    };
    expect(body.unit.id).toBe('so-y-te');
    expect(body.overdue).toBe(true);
  });

  it('a wrong key and an unknown code get the same 404', async () => {
    const r = await submitted();
    const wrongKey = await track({ code: r.tracking_code, key: randomBytes(24).toString('base64url') });
    const unknown = await track({ code: 'ZZZZ-ZZZZ', key: r.access_key });
    const a = await expectProblem(wrongKey, 404, 'feedback_not_found');
    const b = await expectProblem(unknown, 404, 'feedback_not_found');
    expect(wrongKey.headers.get('content-type')).toBe(unknown.headers.get('content-type'));
    expect({ ...a, request_id: undefined }).toEqual({ ...b, request_id: undefined });
  });

  it('a malformed code or key → 422; a key in the query string is not read', async () => {
    await expectProblem(await track({ code: 'ABC', key: 'x'.repeat(32) }), 422, 'validation_failed');
    await expectProblem(await track({ code: 'ABCD-EFGH', key: 'bad key!' }), 422, 'validation_failed');
    const r = await submitted();
    const res = await app.request(`${TRACK}?code=${r.tracking_code}&key=${r.access_key}`, { method: 'GET' });
    expect(res.status).toBe(405);
  });

  it('the key is read in any case, with or without spaces and dashes (issue #11 part 2)', async () => {
    const r = await submitted();
    const key = r.access_key!;
    for (const typed of [key, key.toLowerCase(), key.replaceAll('-', ' '), key.replaceAll('-', '').toLowerCase()])
      expect((await track({ code: r.tracking_code, key: typed })).status).toBe(200);
  });

  it('a key issued before issue #11 (32 base64url characters) still opens its case, exactly as written', async () => {
    const r = await submitted();
    const old = `-${randomBytes(24).toString('base64url').slice(1)}`;
    const { sha256Hex } = await import('../../db/dossiers.ts');
    await h.db.client.execute({
      sql: 'UPDATE feedback SET access_key_hash = ? WHERE tracking_code = ?',
      args: [sha256Hex(old), r.tracking_code],
    });
    expect((await track({ code: r.tracking_code, key: old })).status).toBe(200);
    expect((await track({ code: r.tracking_code, key: ` ${old} ` })).status).toBe(200);
    expect((await track({ code: r.tracking_code, key: old.toUpperCase() })).status).toBe(404);
    expect((await track({ code: r.tracking_code, key: r.access_key })).status).toBe(404);
  });

  it('the receipt carries a short link: /l/<16 characters> leads to the tracking page, which opens the case', async () => {
    const r = (await submitted({ locale: 'en' })) as Receipt & { link_url: string };
    const m = /^https?:\/\/[^/]+(\/en\/l\/([2-9A-HJKMNP-Z]{16}))$/.exec(r.link_url);
    expect(m).not.toBeNull();
    const hop = await app.request(m![1]!.toLowerCase());
    expect(hop.status).toBe(303);
    expect(hop.headers.get('location')).toBe(`/en/track/?lien-ket=${m![2]}`);
    expect((await app.request(`/l/${m![2]}`)).headers.get('location')).toBe(`/tra-cuu/?lien-ket=${m![2]}`);
    const res = await track({ link: m![2]!.toLowerCase() });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { tracking_code: string }).tracking_code).toBe(r.tracking_code);
    // Anything else under /l/ is not a link.
    expect((await app.request('/l/short')).status).toBe(404);
  });

  it('send-copy queues the code and a new link (never the key) to the address given, at most 3 times a case', async () => {
    const r = await submitted({ email: undefined });
    const send = (body: Record<string, unknown>) =>
      app.request(
        '/api/v1/feedback/send-copy',
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
        client(),
      );
    await expectProblem(
      await send({ code: r.tracking_code, key: r.access_key, email: 'not an address' }),
      422,
      'validation_failed',
    );
    await expectProblem(
      await send({ code: r.tracking_code, key: 'ZZZZ-ZZZZ-ZZZZ-ZZZZ', email: 'an@example.vn' }),
      404,
      'feedback_not_found',
    );
    for (let i = 1; i <= 3; i++) {
      const res = await send({
        code: r.tracking_code.toLowerCase(),
        key: r.access_key!.toLowerCase(),
        email: `a${i}@example.vn`,
      });
      expect(res.status).toBe(202);
      const body = (await res.json()) as { link_url: string; answer_due_at: string };
      expect(body.answer_due_at).toBe(r.answer_due_at);
      expect(body.link_url).toMatch(/\/l\/[2-9A-HJKMNP-Z]{16}$/);
    }
    await expectProblem(
      await send({ code: r.tracking_code, key: r.access_key, email: 'a4@example.vn' }),
      429,
      'rate_limited',
    );
    const mails = await h.db.client.execute({
      sql: 'SELECT to_address, body_text FROM email_outbox WHERE dedupe_key LIKE ? ORDER BY id',
      args: [`fb:${r.tracking_code}:%`],
    });
    expect(mails.rows.map((m) => m.to_address)).toEqual(['a1@example.vn', 'a2@example.vn', 'a3@example.vn']);
    for (const m of mails.rows) {
      expect(String(m.body_text)).toContain(r.tracking_code);
      expect(String(m.body_text)).not.toContain(r.access_key!);
      const link = /\/l\/([2-9A-HJKMNP-Z]{16})\b/.exec(String(m.body_text))![1]!;
      expect((await track({ link })).status).toBe(200);
    }
  });

  it('allows 10 failed look-ups per client in 15 minutes, then 429 for every look-up; the sender reading their case is never throttled', async () => {
    const r = await submitted();
    const env = client();
    for (let i = 0; i < 19; i++)
      expect((await track({ code: r.tracking_code, key: i % 2 ? r.access_key : 'x'.repeat(32) }, env)).status).toBe(
        i % 2 ? 200 : 404,
      );
    const reader = client();
    for (let i = 0; i < 15; i++)
      expect((await track({ code: r.tracking_code, key: r.access_key }, reader)).status).toBe(200);
    const res = await track({ code: r.tracking_code, key: r.access_key }, env);
    await expectProblem(res, 429, 'rate_limited');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await track({ code: r.tracking_code, key: r.access_key }, client())).status).toBe(200);
  });
});

describe('feedback_events', () => {
  it('is append-only: UPDATE and DELETE abort', async () => {
    await submitted();
    const n = (await counts()).feedback_events;
    await expect(h.db.client.execute("UPDATE feedback_events SET note = 'x'")).rejects.toThrow(/append-only/);
    await expect(h.db.client.execute('DELETE FROM feedback_events')).rejects.toThrow(/append-only/);
    expect((await counts()).feedback_events).toBe(n);
  });
});

describe('personal data in logs (canary)', () => {
  it('no log line carries the name, phone, e-mail, ID number, code or key', async () => {
    const CANARIES = ['Nguyễn Văn Canary', 'Canary', '0901234567', '090 123 4567', 'canary@example.vn', '079123456789'];
    const from = h.lines.length;
    const logged = h.app({ POW_REQUIRED: '0', RATE_LIMIT_MAX: '100000', CONTENT_DIR, LOG_LEVEL: 'info' });
    const body = valid({
      name: 'Nguyễn Văn Canary',
      phone: '090 123 4567',
      email: 'canary@example.vn',
      content: 'Số CCCD của tôi là 079123456789, cán bộ giữ bản gốc không trả.',
      title: 'Canary',
    });
    const k = key();
    const first = await post(body, { key: k, app: logged });
    expect(first.status).toBe(201);
    const r = (await first.json()) as Receipt;
    expect((await post(body, { key: k, app: logged })).status).toBe(200);
    expect((await post({ ...body, title: 'khác' }, { key: k, app: logged })).status).toBe(409);
    expect((await post({ ...body, website: 'Canary' }, { app: logged })).status).toBe(422);
    expect((await post({ ...body, unit: 'khong-co' }, { app: logged })).status).toBe(422);
    expect((await post(`{"name":"Nguyễn Văn Canary","phone":"0901234567"`, { app: logged })).status).toBe(400);
    expect((await track({ code: r.tracking_code, key: r.access_key }, client(), logged)).status).toBe(200);
    expect((await track({ code: r.tracking_code, key: 'x'.repeat(32) }, client(), logged)).status).toBe(404);
    const lines = h.lines.slice(from);
    expect(lines.length).toBeGreaterThanOrEqual(8);
    const all = lines.join('\n');
    for (const s of [...CANARIES, r.tracking_code, r.access_key!]) expect(all).not.toContain(s);
  });
});

describe('2,000 generated invalid submissions', () => {
  const FIELDS = new Set(Object.keys(valid()).concat(['website', 'pow']));
  const strings = fc.oneof(fc.string({ maxLength: 30 }), fc.string({ maxLength: 30, unit: 'grapheme' }));
  const notBlank = strings.filter((s) => s.trim() !== '');
  const nonString = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 2 }));

  /** Each mutation breaks the valid body in exactly one way the contract refuses. */
  const mutation: fc.Arbitrary<{ body: unknown; key: string | null }> = fc.oneof(
    fc
      .constantFrom('kind', 'subject', 'title', 'content', 'name', 'publish_content')
      .map((f) => ({ body: valid({ [f]: undefined }), key: key() })),
    fc.record({ f: fc.constantFrom('kind', 'subject', 'locale'), v: notBlank }).map(({ f, v }) => ({
      body: valid({ [f]: `${v}!` }),
      key: key(),
    })),
    fc
      .record({ f: fc.constantFrom('title', 'content', 'name'), v: nonString })
      .map(({ f, v }) => ({ body: valid({ [f]: v }), key: key() })),
    fc
      .record({
        f: fc.constantFrom('publish_content', 'show_name'),
        v: fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.array(fc.boolean(), { maxLength: 2 })),
      })
      .map(({ f, v }) => ({ body: valid({ [f]: v }), key: key() })),
    fc.constantFrom('title', 'content', 'name').map((f) => ({ body: valid({ [f]: ' \n\t ' }), key: key() })),
    fc.integer({ min: 5001, max: 6000 }).map((n) => ({ body: valid({ content: 'ă'.repeat(n) }), key: key() })),
    fc.integer({ min: 201, max: 400 }).map((n) => ({ body: valid({ title: 'đ'.repeat(n) }), key: key() })),
    notBlank
      .filter((s) => !/^(?:\+84|0)(?:[35789]\d{8}|2\d{9})$/.test(s.replace(/[\s.()-]/g, '')))
      .map((phone) => ({ body: valid({ phone }), key: key() })),
    notBlank.filter((s) => !s.includes('@')).map((email) => ({ body: valid({ email }), key: key() })),
    fc.constant(null).map(() => ({ body: valid({ phone: undefined, email: undefined }), key: key() })),
    fc
      .string({ minLength: 1, maxLength: 20 })
      .filter((k) => !FIELDS.has(k) && k !== '__proto__')
      .map((k) => ({ body: { ...valid(), [k]: 1 }, key: key() })),
    notBlank.map((website) => ({ body: valid({ website }), key: key() })),
    fc.stringMatching(/^[a-z]{3,12}$/).map((u) => ({ body: valid({ unit: `zz-${u}` }), key: key() })),
    fc
      .integer({ min: 0, max: 999 })
      .map((n) => ({ body: valid({ procedure: `9.${String(n).padStart(6, '9')}` }), key: key() })),
    fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.array(fc.anything(), { maxLength: 3 })).map((body) => ({
      body,
      key: key(),
    })),
    fc.constant(null).map(() => ({ body: valid(), key: null })),
    fc
      .stringMatching(/^[^A-Za-z0-9_-]{1,10}$/)
      .map((k) => ({ body: valid(), key: k.replace(/[^\x21-\x7e]/g, '') || '!' })),
  );

  it('every one is a 4xx problem+json with a known code, and nothing is written', async () => {
    const before = await counts();
    const seen = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(mutation, async ({ body, key: k }) => {
        const res = await post(body === undefined ? 'null' : body, { key: k });
        const text = await res.text();
        if (res.status < 400 || res.status > 499) throw new Error(`not a 4xx: ${res.status} ${text.slice(0, 300)}`);
        expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json\b/);
        const problem = JSON.parse(text) as { code: string };
        expect(problemCodes).toContain(problem.code);
        seen.set(`${res.status} ${problem.code}`, (seen.get(`${res.status} ${problem.code}`) ?? 0) + 1);
      }),
      { numRuns: 2000, seed: 4 },
    );
    expect(await counts()).toEqual(before);
    expect([...seen.keys()]).toEqual(
      expect.arrayContaining([
        '422 validation_failed',
        '422 contact_required',
        '422 unknown_unit',
        '422 unknown_procedure',
        '400 idempotency_key_required',
      ]),
    );
  });
});
