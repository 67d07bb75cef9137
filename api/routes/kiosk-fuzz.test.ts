/**
 * Fuzzing the write endpoints of counter kiosks and officials (issue #10 "Bad input": "kiosk links
 * revoked or from another unit, officer codes of another unit … problem+json 4xx with machine codes,
 * nothing written"; "≥ 10,000 cases each, 0 × 5xx, 0 accepted"). Each endpoint gets 10,000 invalid
 * requests: a valid request broken in one or more fields (wrong type, format, length, a unit outside
 * the admin's, a revoked or foreign device, a name as an official's code), extra and prototype keys,
 * content types it does not take, and malformed JSON. Every answer must be a 4xx problem+json with
 * a known code, and the tables of the feature must not change.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHarness, type Harness } from '../test-harness.ts';
import { staffMember, staffPost, type App, type Signed } from '../feedback/test-kit.ts';
import { PROTO_KEYS, refusalChecker, withKey, wrongContentType, type Body, type Json } from '../fuzz-arbitraries.ts';
import { KIOSK_COOKIE } from '../kiosk.ts';
import { createApiKey } from '../../db/dossiers.ts';
import { upsertOfficialStatement } from '../../db/officers.ts';

const RUNS = 10_000;
const TABLES = [
  'kiosk_devices',
  'kiosk_shifts',
  'officials',
  'responses',
  'answers',
  'audit_log',
  'dossiers',
  'survey_tokens',
  'dossier_rollups',
];
const NOW = new Date('2026-03-20T02:00:00Z');
const UNIT = 'phuong-ninh-hoa';
const OTHER_UNIT = 'thanh-pho-hue';

let h: Harness;
let app: App;
let admin: Signed;
/** A live device of UNIT counter 1, a revoked one, and one of a sibling ward. */
const device = { live: '', revoked: '', sibling: '', liveId: 0, revokedId: 0, foreignId: 0 };
let pin = '';
let shift = '';
let foreignShift = '';
let apiKey = '';

const { seen, checkRefused } = refusalChecker();

interface Req {
  contentType: string | null;
  body: string | Uint8Array;
  cookie?: string | undefined;
  csrf?: boolean;
}

async function send(path: string, req: Req, staff: boolean): Promise<Response> {
  const headers: Record<string, string> = {};
  if (path.startsWith('/api/v1/integration/')) headers.authorization = `Bearer ${apiKey}`;
  if (req.contentType !== null) headers['content-type'] = req.contentType;
  const cookies = [staff ? admin.cookie : '', req.cookie ? `${KIOSK_COOKIE}=${req.cookie}` : ''].filter(Boolean);
  if (cookies.length > 0) headers.cookie = cookies.join('; ');
  if (staff && req.csrf !== false) headers['x-csrf-token'] = admin.csrf;
  if (path === '/api/v1/responses') headers['idempotency-key'] = `fuzz-${Math.random().toString(36).slice(2)}-k`;
  const body: BodyInit =
    typeof req.body === 'string'
      ? req.contentType === null
        ? new TextEncoder().encode(req.body)
        : req.body
      : (req.body as Uint8Array<ArrayBuffer>);
  return app.request(path, { method: 'POST', headers, body });
}

const junk: fc.Arbitrary<Json> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  // Strings only where no field takes them: a random short string can be a valid counter or label.
  fc.constant(''),
  fc.constant('x'.repeat(300)),
  fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }),
  fc.constant('   '),
  fc.constant({}),
);

/** Values that fail a field's format while being strings. */
const badCounter = fc.constantFrom('', ' ', 'quầy 1', '1/2', 'x'.repeat(17), '<b>', '1;', '\u0000');
const badUnit = fc.constantFrom('', 'Phuong-Ninh-Hoa', 'khong-co-don-vi', '../khanh-hoa', 'a'.repeat(101), 'x y');
const badSecret = fc.oneof(
  fc.constantFrom('', 'short', 'x'.repeat(44), 'x'.repeat(42), '!'.repeat(43)),
  fc.string({ minLength: 43, maxLength: 43, unit: fc.constantFrom(...'ABCabc012_-') }),
);
const namesAsCodes = fc.constantFrom(
  'Nguyễn Văn A',
  'nguyen.van.a',
  'NGUYEN VAN A',
  'Trần Thị B',
  'cb-01',
  'AB',
  'X'.repeat(33),
  '-CB01',
  'CB 01',
  'CB/01',
  'CB@01',
);

type Edit = (b: Body) => Body;
const del =
  (k: string): Edit =>
  (b) => {
    const { [k]: _gone, ...rest } = b;
    return rest;
  };
const set =
  (k: string, v: Json): Edit =>
  (b) => ({ ...b, [k]: v });

/** One or more breaking edits of a valid body; each edit alone makes it invalid. */
function broken(valid: Body, breakers: fc.Arbitrary<Edit>): fc.Arbitrary<Body> {
  return fc.array(breakers, { minLength: 1, maxLength: 3 }).map((edits) => edits.reduce((b, e) => e(b), valid));
}

function malformed(valid: Body): fc.Arbitrary<string | Uint8Array> {
  const text = JSON.stringify(valid);
  return fc.oneof(
    fc.nat({ max: text.length - 1 }).map((i) => text.slice(0, i)),
    fc.constantFrom('}', ',', 'x', '{', '"', ']', '\u0000', 'null').map((g) => text + g),
    fc.constantFrom('{', '{"a":', "{'unit':'x'}", '{unit: 1}', '[1,]', 'NaN', 'undefined', '\ufeff{}'),
    fc.uint8Array({ maxLength: 30 }),
  );
}

/** Every invalid request of one endpoint: broken fields, extra keys, content types, malformed JSON. */
function invalid(
  valid: Body,
  breakers: fc.Arbitrary<Edit>,
  cookies: fc.Arbitrary<string | undefined>,
  extraCases: fc.Arbitrary<Req>[] = [],
): fc.Arbitrary<Req> {
  const json = (b: Body | string, cookie: string | undefined): Req => ({
    contentType: 'application/json',
    body: typeof b === 'string' ? b : JSON.stringify(b),
    cookie,
  });
  return fc.oneof(
    { weight: 5, arbitrary: fc.tuple(broken(valid, breakers), cookies).map(([b, c]) => json(b, c)) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.oneof(fc.constantFrom(...PROTO_KEYS), fc.string({ minLength: 1, maxLength: 12 })), junk, cookies)
        .filter(([k]) => !(k in valid))
        .map(([k, v, c]) => json(withKey(valid, k, v), c)),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(wrongContentType(['application/json'], { malformedJson: true }), broken(valid, breakers), cookies)
        .map(([ct, b, c]): Req => ({ contentType: ct, body: JSON.stringify(b), cookie: c })),
    },
    { weight: 2, arbitrary: fc.tuple(malformed(valid), cookies).map(([b, c]) => ({ ...json('', c), body: b })) },
    ...extraCases.map((arbitrary) => ({ weight: 2, arbitrary })),
  );
}

async function run(path: string, arb: fc.Arbitrary<Req>, staff: boolean): Promise<void> {
  const before = await h.counts(TABLES);
  const lines = h.lines.length;
  seen.clear();
  let runs = 0;
  await fc.assert(
    fc.asyncProperty(arb, async (req) => {
      runs++;
      const res = await send(path, req, staff);
      if (res.headers.get('set-cookie')?.includes(KIOSK_COOKIE)) throw new Error('a device cookie was set');
      await checkRefused(res);
    }),
    { numRuns: RUNS, seed: 20260310 },
  );
  expect(runs).toBe(RUNS);
  expect(await h.counts(TABLES)).toEqual(before);
  expect(h.lines.slice(lines).filter((l) => l.includes('"error"'))).toEqual([]);
  console.log(`${path}: ${[...seen.entries()].map(([k, v]) => `${k} ×${v}`).join(', ')}`);
}

beforeAll(async () => {
  h = await openHarness('kiosk-fuzz');
  app = h.app({}, () => NOW);
  admin = await staffMember(h, app, 'admin-phuong', [{ role: 'admin', unit: UNIT }]);
  const make = async (unit: string, counter: string) => {
    const res = await staffPost(app, admin, '/api/v1/staff/kiosks', { unit, counter, label: 'Quầy' });
    const body = (await res.json()) as { id: number; link: string };
    return { id: body.id, secret: new URL(body.link).searchParams.get('thiet-bi')! };
  };
  const live = await make(UNIT, '1');
  const revoked = await make(UNIT, '2');
  const other = await make(UNIT, '3');
  await staffPost(app, admin, `/api/v1/staff/kiosks/${revoked.id}/revoke`, {});
  // A device of a unit the admin does not administer, written directly.
  const foreign = await h.db.client.execute({
    sql: `INSERT INTO kiosk_devices (unit_id, counter, label, secret_hash, created_at)
          VALUES (?, '1', 'x', 'f', ?) RETURNING id`,
    args: [OTHER_UNIT, NOW.toISOString()],
  });
  Object.assign(device, {
    live: live.secret,
    revoked: revoked.secret,
    sibling: other.secret,
    liveId: live.id,
    revokedId: revoked.id,
    foreignId: Number(foreign.rows[0]!.id),
  });
  pin = (
    (await (await staffPost(app, admin, '/api/v1/staff/officials', { unit: UNIT, code: 'CB-01' })).json()) as {
      pin: string;
    }
  ).pin;
  const start = async (secret: string, counter: string) =>
    (
      (await (
        await app.request('/api/v1/kiosk/shifts', {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie: `${KIOSK_COOKIE}=${secret}` },
          body: JSON.stringify({ unit: UNIT, counter, pin }),
        })
      ).json()) as { shift: string }
    ).shift;
  apiKey = (await createApiKey(h.db.client, 'khanh-hoa', 'Một cửa', NOW)).key;
  // An official of another unit under the same key: its code must not register here.
  await h.db.client.execute(
    upsertOfficialStatement({ unitId: 'phuong-hoa-thang', code: 'CB-HT1', pinHash: 'x', staffId: null, now: NOW }),
  );
  shift = await start(device.live, '1');
  foreignShift = await start(device.sibling, '3');
}, 120_000);

afterAll(() => h.close());

describe('fuzzing the kiosk and officials write endpoints with invalid requests', () => {
  const anyCookie = () =>
    fc.constantFrom<string | undefined>(device.live, device.revoked, device.sibling, undefined, 'x'.repeat(43));
  const badCookie = () =>
    fc.constantFrom<string | undefined>(device.revoked, device.sibling, undefined, 'y'.repeat(43));

  it(`POST /api/v1/kiosk/device: ${RUNS} invalid requests → 4xx problem+json, no cookie, nothing written`, async () => {
    const valid = { unit: UNIT, counter: '1', secret: device.live };
    const breakers = fc.oneof(
      fc.constantFrom('unit', 'counter', 'secret').map(del),
      fc.tuple(fc.constantFrom('unit', 'counter', 'secret'), junk).map(([k, v]) => set(k, v)),
      badUnit.map((v) => set('unit', v)),
      badCounter.map((v) => set('counter', v)),
      badSecret.map((v) => set('secret', v)),
      // Revoked, another counter's, and another unit's links.
      fc.constant(set('secret', device.revoked)),
      fc.constant(set('secret', device.sibling)),
      fc.constantFrom(OTHER_UNIT, 'phuong-hoa-thang').map((u) => set('unit', u)),
      fc.constantFrom('2', '99').map((c) => set('counter', c)),
    );
    await run('/api/v1/kiosk/device', invalid(valid, breakers, anyCookie()), false);
    expect([...seen.keys()]).toEqual(
      expect.arrayContaining(['403 kiosk_revoked', '403 kiosk_wrong_unit', '401 kiosk_unauthorized']),
    );
  }, 300_000);

  it(`POST /api/v1/kiosk/shifts: ${RUNS} invalid requests → 4xx problem+json, no shift written`, async () => {
    const valid = { unit: UNIT, counter: '1', pin };
    const wrongPin = fc
      .integer({ min: 0, max: 999_999 })
      .map((n) => String(n).padStart(6, '0'))
      .filter((p) => p !== pin);
    const breakers = fc.oneof(
      fc.constantFrom('unit', 'counter', 'pin').map(del),
      fc.tuple(fc.constantFrom('unit', 'counter', 'pin'), junk).map(([k, v]) => set(k, v)),
      badUnit.map((v) => set('unit', v)),
      badCounter.map((v) => set('counter', v)),
      fc.constantFrom('', '12345', '1234567', '12345a', ' 123456', '١٢٣٤٥٦').map((v) => set('pin', v)),
      wrongPin.map((v) => set('pin', v)),
      fc.constantFrom(OTHER_UNIT, 'phuong-hoa-thang').map((u) => set('unit', u)),
    );
    // The right code from a revoked, foreign or missing device is refused too.
    const rightCodeBadDevice = badCookie().map((c): Req => ({
      contentType: 'application/json',
      body: JSON.stringify(valid),
      cookie: c,
    }));
    await run(
      '/api/v1/kiosk/shifts',
      invalid(valid, breakers, fc.constantFrom<string | undefined>(device.live, device.live, device.revoked), [
        rightCodeBadDevice,
      ]),
      false,
    );
    expect([...seen.keys()]).toEqual(expect.arrayContaining(['403 kiosk_revoked', '422 validation_failed']));
  }, 300_000);

  it(`POST /api/v1/kiosk/shifts/end: ${RUNS} invalid requests → 4xx problem+json, the shift stays open`, async () => {
    const valid = { unit: UNIT, counter: '1' };
    const breakers = fc.oneof(
      fc.constantFrom('unit', 'counter').map(del),
      fc.tuple(fc.constantFrom('unit', 'counter'), junk).map(([k, v]) => set(k, v)),
      badUnit.map((v) => set('unit', v)),
      badCounter.map((v) => set('counter', v)),
      fc.constantFrom(OTHER_UNIT, 'phuong-hoa-thang').map((u) => set('unit', u)),
      fc.constantFrom('2', '99').map((c) => set('counter', c)),
    );
    const validBadDevice = badCookie().map((c): Req => ({
      contentType: 'application/json',
      body: JSON.stringify(valid),
      cookie: c,
    }));
    await run('/api/v1/kiosk/shifts/end', invalid(valid, breakers, anyCookie(), [validBadDevice]), false);
    const open = await h.db.client.execute('SELECT count(*) AS n FROM kiosk_shifts WHERE ended_at IS NULL');
    expect(Number(open.rows[0]!.n)).toBe(2);
  }, 300_000);

  it(`POST /api/v1/responses from a kiosk: ${RUNS} invalid requests → 4xx problem+json, nothing written`, async () => {
    const valid = {
      instrument: 'quay',
      version: h.versions.quay!,
      unit: UNIT,
      counter: '1',
      shift,
      locale: 'vi',
      answers: { rating: 'hai-long' },
    };
    const breakers = fc.oneof(
      fc.constant(set('shift', foreignShift)),
      fc.constantFrom('A'.repeat(22), 'short', '', '!'.repeat(22)).map((v) => set('shift', v)),
      fc.constantFrom(OTHER_UNIT, 'phuong-hoa-thang').map((u) => set('unit', u)),
      fc.constantFrom('2', '99').map((c) => set('counter', c)),
      fc.constant(del('counter')),
      fc.constant(set('token', 'T'.repeat(43))),
      fc.tuple(fc.constantFrom('rating', 'x'), junk).map(([k, v]) => set('answers', { [k]: v })),
      fc.constant(set('answers', { rating: 'khong-co' })),
    );
    await run(
      '/api/v1/responses',
      invalid(
        valid,
        breakers,
        fc.constantFrom<string | undefined>(device.live, device.live, device.revoked, device.sibling),
      ),
      false,
    );
    expect([...seen.keys()]).toEqual(
      expect.arrayContaining(['422 shift_unknown', '403 kiosk_wrong_unit', '403 kiosk_revoked']),
    );
  }, 300_000);

  it(`POST /api/v1/staff/kiosks: ${RUNS} invalid requests → 4xx problem+json, no device written`, async () => {
    const valid = { unit: UNIT, counter: '7', label: 'Quầy 7' };
    const breakers = fc.oneof(
      fc.constantFrom('unit', 'counter', 'label').map(del),
      fc.tuple(fc.constantFrom('unit', 'counter', 'label'), junk).map(([k, v]) => set(k, v)),
      badUnit.map((v) => set('unit', v)),
      badCounter.map((v) => set('counter', v)),
      fc.constantFrom('', '   ', 'x'.repeat(81)).map((v) => set('label', v)),
      fc.constantFrom(OTHER_UNIT, 'khanh-hoa', 'phuong-hoa-thang').map((u) => set('unit', u)),
    );
    const noCsrf = fc.constant<Req>({ contentType: 'application/json', body: JSON.stringify(valid), csrf: false });
    await run('/api/v1/staff/kiosks', invalid(valid, breakers, fc.constant(undefined), [noCsrf]), true);
    expect([...seen.keys()]).toEqual(
      expect.arrayContaining(['403 forbidden_unit', '403 csrf_invalid', '422 unknown_unit', '422 validation_failed']),
    );
  }, 300_000);

  it(`POST /api/v1/staff/kiosks/{id}/revoke: ${RUNS} invalid requests → 4xx problem+json, nothing revoked`, async () => {
    const ids = fc.oneof(
      fc.constantFrom(
        String(device.foreignId),
        String(device.revokedId + 10_000),
        '0',
        '-1',
        'x',
        '1e3',
        '9'.repeat(30),
      ),
      fc.integer({ min: device.foreignId + 1, max: 2 ** 31 }).map(String),
      fc.string({ minLength: 1, maxLength: 10, unit: fc.constantFrom(...'ab%20.') }).map(encodeURIComponent),
    );
    const before = await h.counts(TABLES);
    seen.clear();
    await fc.assert(
      fc.asyncProperty(ids, fc.boolean(), async (id, csrf) => {
        const res = await app.request(`/api/v1/staff/kiosks/${id}/revoke`, {
          method: 'POST',
          headers: { cookie: admin.cookie, ...(csrf ? { 'x-csrf-token': admin.csrf } : {}) },
        });
        await checkRefused(res);
      }),
      { numRuns: RUNS, seed: 20260311 },
    );
    expect(await h.counts(TABLES)).toEqual(before);
    // The already revoked one is answered, not revoked again; the live ones are untouched.
    const live = await h.db.client.execute('SELECT count(*) AS n FROM kiosk_devices WHERE revoked_at IS NULL');
    expect(Number(live.rows[0]!.n)).toBe(3);
    expect([...seen.keys()]).toEqual(expect.arrayContaining(['404 device_not_found', '403 csrf_invalid']));
    console.log(`revoke: ${[...seen.entries()].map(([k, v]) => `${k} ×${v}`).join(', ')}`);
  }, 300_000);

  it(`POST /api/v1/staff/officials: ${RUNS} invalid requests → 4xx problem+json, no official written`, async () => {
    const valid = { unit: UNIT, code: 'CB-77', staff_id: admin.staffId };
    const breakers = fc.oneof(
      fc.constantFrom('unit', 'code').map(del),
      fc.tuple(fc.constantFrom('unit', 'code', 'staff_id'), junk).map(([k, v]) => set(k, v)),
      badUnit.map((v) => set('unit', v)),
      namesAsCodes.map((v) => set('code', v)),
      fc.constantFrom(0, -1, 999_999, 1.5).map((v) => set('staff_id', v)),
      fc.constantFrom(OTHER_UNIT, 'khanh-hoa', 'phuong-hoa-thang').map((u) => set('unit', u)),
    );
    await run('/api/v1/staff/officials', invalid(valid, breakers, fc.constant(undefined)), true);
    expect([...seen.keys()]).toEqual(expect.arrayContaining(['403 forbidden_unit', '422 validation_failed']));
  }, 300_000);

  it(`POST /api/v1/integration/dossiers with officials' codes: ${RUNS} invalid requests → 4xx, nothing written`, async () => {
    const valid = {
      code: 'HS-FUZZ-1',
      unit: UNIT,
      received_at: '2026-03-02T02:00:00Z',
      due_at: '2026-03-09T10:00:00Z',
      returned_at: '2026-03-05T03:00:00Z',
      official: 'CB-01',
    };
    const breakers = fc.oneof(
      namesAsCodes.map((v) => set('official', v)),
      fc.constantFrom('CB-HT1', 'CB-02', 'KHONG-CO', 'CB-011').map((v) => set('official', v)),
      fc.constantFrom<Json>(null, 1, true, [], {}, '').map((v) => set('official', v)),
      fc
        .string({ minLength: 1, maxLength: 40 })
        .filter((v) => !/^[A-Z0-9][A-Z0-9._-]{2,31}$/.test(v))
        .map((v) => set('official', v)),
    );
    await run('/api/v1/integration/dossiers?qr=none', invalid(valid, breakers, fc.constant(undefined)), false);
    expect([...seen.keys()]).toEqual(
      expect.arrayContaining(['403 official_other_unit', '422 unknown_official', '422 validation_failed']),
    );
  }, 300_000);
});
