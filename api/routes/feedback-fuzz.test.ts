/**
 * Property-based fuzzing of the public feedback write endpoints (issue #4: "property-based fuzzing
 * (≥ 10,000 cases per public write endpoint) gives 0 5xx and 0 accepted"; "Bad input … problem+json
 * 4xx with a machine code, never a 500"). For each of POST /api/v1/feedback (JSON and multipart),
 * /feedback/track, /feedback/action, /feedback/attachment and /staff/login: 10,000 generated
 * requests that are INVALID BY CONSTRUCTION (a valid request with one thing broken, arbitrary JSON,
 * malformed JSON, wrong content types, bad or missing files, prototype-pollution keys, unicode edge
 * cases, over-long strings, huge numbers, nulls, credentials that open nothing, steps the case's
 * status does not allow). Every answer must be a 4xx problem+json with a code of
 * api/contracts/problem.ts, and no table may change. The rating endpoints (POST /responses,
 * /page-usefulness) already get 10,000 each in api/fuzz.test.ts.
 *
 * The valid requests the breakers start from are checked to be accepted first, so a refusal below
 * is the breaker's doing, not a broken base.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PROTO_KEYS, refusalChecker, withKey, wrongContentType, type Body, type Json } from '../fuzz-arbitraries.ts';
import { openHarness, type Harness } from '../test-harness.ts';
import { sendFeedback, staffMember, type SentFeedback } from '../feedback/test-kit.ts';

const RUNS = 10_000;
const SEED = 44_044;
const TABLES = [
  'feedback',
  'feedback_contacts',
  'feedback_events',
  'feedback_messages',
  'feedback_attachments',
  'feedback_publications',
  'feedback_links',
  'answer_ratings',
  'email_outbox',
  'responses',
  'sessions',
] as const;

/** One generated request. */
interface Req {
  contentType: string | null;
  body: string | Uint8Array | FormData | URLSearchParams;
  /** Idempotency-Key header; null to leave it out. */
  key?: string | null;
  /** Client address; a fixed one per endpoint unless given, so the per-client limits are met too. */
  address?: string;
}

let h: Harness;
let app: ReturnType<Harness['app']>;
/** A real case in `received`, whose code and key are right: its sender may do nothing yet. */
let real: SentFeedback;
const units = new Set<string>();
const procedures = new Set<string>();

beforeAll(async () => {
  h = await openHarness('feedback-fuzz');
  for (const u of h.content.units) units.add(u.id);
  for (const p of h.content.procedures) procedures.add(p.code);
  // A fixed clock: the per-client windows never pass, so the limits are met and stay met.
  const now = new Date('2026-03-02T02:00:00Z');
  app = h.app({ POW_REQUIRED: '0', RATE_LIMIT_MAX: '10000000', LOG_LEVEL: 'silent' }, () => now);
  real = await sendFeedback(h, app, { unit: 'phuong-ninh-hoa' });
  await staffMember(h, app, 'fuzz-can-bo', [{ role: 'handler', unit: 'phuong-ninh-hoa' }]);
});

afterAll(() => h.close());

let keySeq = 0;
const freshKey = (): string => `fuzz-feedback-${++keySeq}`;

async function send(path: string, req: Req, address: string): Promise<Response> {
  const headers: Record<string, string> = {};
  if (req.contentType !== null) headers['content-type'] = req.contentType;
  if (req.key !== undefined && req.key !== null) headers['idempotency-key'] = req.key;
  let body: BodyInit;
  if (req.body instanceof FormData || req.body instanceof URLSearchParams) body = req.body;
  else if (typeof req.body === 'string' && req.contentType !== null) body = req.body;
  // A string body with no content type would get text/plain from Request: send bytes instead.
  else body = (typeof req.body === 'string' ? new TextEncoder().encode(req.body) : req.body) as Uint8Array<ArrayBuffer>;
  return app.request(path, { method: 'POST', headers, body }, { clientAddress: req.address ?? address });
}

/** Refusals seen, by "status code": shows that the generators reach every layer of checks. */
const { seen, checkRefused } = refusalChecker();

// ── Shared pieces ───────────────────────────────────────────────────────────────────────────────

const anyString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ maxLength: 40, unit: 'binary' }),
  fc.string({ maxLength: 40, unit: 'grapheme' }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\ud800',
    '\udfff',
    '\u202e',
    '\ufeff',
    'a\u0301',
    '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
    '../etc/passwd',
    "'; DROP TABLE feedback; --",
    '<script>alert(1)</script>',
    '${7*7}',
    'NaN',
  ),
);
const nonBlank = anyString.filter((s) => s.trim() !== '');
/** Any JSON value that is not a string, nor null (null is "absent" for optional fields). */
const notString: fc.Arbitrary<Json> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constantFrom(1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, -0),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
  fc.constant({ __proto__: { polluted: true } } as Json),
);
const notBoolean: fc.Arbitrary<Json> = fc.oneof(
  fc.integer(),
  fc.constant(null),
  anyString,
  fc.constantFrom('true', 'false', 'on', 1, 0),
  fc.array(fc.boolean(), { maxLength: 2 }),
);
/** Vietnamese letters that are single code points in NFC, so a length survives normalisation. */
const PRECOMPOSED = [...'ăâđêôơưáàảãạấầẩẫậếềểễệốồổỗộớờởỡợứừửữựíìỉĩịýỳỷỹỵ'];
const longText = (min: number, max: number) =>
  fc
    .tuple(fc.constantFrom(...PRECOMPOSED, 'a', 'Z', '7'), fc.integer({ min: min + 1, max }))
    .map(([c, n]) => c.repeat(n));
const unknownKey = (known: readonly string[]) =>
  fc
    .oneof(
      fc.string({ maxLength: 20 }),
      fc.string({ maxLength: 10, unit: 'binary' }),
      fc.constantFrom(...PROTO_KEYS, 'Title', ' title', 'title ', 'títle', 'kind\u0000', ''),
    )
    .filter((k) => !known.includes(k));

/** A body no JSON parser takes, or bytes too short to hold any valid request. */
function malformedJson(valid: fc.Arbitrary<Body>): fc.Arbitrary<string | Uint8Array> {
  return fc.oneof(
    fc.tuple(valid, fc.nat()).map(([b, i]) => {
      const text = JSON.stringify(b);
      return text.slice(0, i % text.length);
    }),
    fc
      .tuple(valid, fc.constantFrom('}', ',', 'x', '{', '"', ']', '\u0000', 'null'))
      .map(([b, g]) => JSON.stringify(b) + g),
    fc.constantFrom('{', '{"a":', "{'kind':'phan-anh'}", '{kind: 1}', '[1,]', 'NaN', 'undefined', '\ufeff{}', ''),
    fc.uint8Array({ maxLength: 12 }),
  );
}

type Edit = (b: Body) => Body | string;
const put =
  (field: string, value: Json): Edit =>
  (b) => ({ ...b, [field]: value });
const drop =
  (...fields: string[]): Edit =>
  (b) => {
    const out = { ...b };
    for (const f of fields) delete out[f];
    return out;
  };
const apply = (b: Body, e: Edit): string => {
  const r = e(b);
  return typeof r === 'string' ? r : JSON.stringify(r);
};

// ── Files ───────────────────────────────────────────────────────────────────────────────────────

const MAGIC = [
  [0xff, 0xd8, 0xff],
  [0x89, 0x50, 0x4e, 0x47],
  [0x25, 0x50, 0x44, 0x46],
];
/** File parts that are never a clean JPEG, PNG or PDF: random bytes, empty files, wrong types. */
const badFile: fc.Arbitrary<File> = fc
  .record({
    bytes: fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 300 }).filter((b) => !MAGIC.some((m) => m.every((x, i) => b[i] === x))),
      // Only the magic bytes: a truncated image or PDF.
      fc.constantFrom(...MAGIC.map((m) => new Uint8Array(m))),
      // A PNG signature followed by an HTML page.
      fc.constant(new Uint8Array([...MAGIC[1]!, ...new TextEncoder().encode('<html><script>x</script></html>')])),
      fc.constant(new Uint8Array(0)),
    ),
    name: fc.oneof(
      fc.string({ minLength: 1, maxLength: 40 }),
      fc.constantFrom('a.jpg', 'x.png', 'doc.pdf', '../../etc/passwd', 'ảnh.JPG', '.htaccess', 'a'.repeat(300)),
    ),
    type: fc.constantFrom('image/jpeg', 'image/png', 'application/pdf', 'text/html', 'image/svg+xml', ''),
  })
  // An empty part with no name is "no file" (an empty file input): that is not a refusal.
  .filter((f) => f.bytes.length > 0 || f.name !== '')
  .map((f) => new File([f.bytes as Uint8Array<ArrayBuffer>], f.name, { type: f.type }));

function form(data: string | null, files: readonly File[], extra: [string, string][] = []): FormData {
  const fd = new FormData();
  if (data !== null) fd.set('data', data);
  for (const f of files) fd.append('attachments', f);
  for (const [k, v] of extra) fd.append(k, v);
  return fd;
}

// ── POST /api/v1/feedback ───────────────────────────────────────────────────────────────────────

const FEEDBACK_FIELDS = [
  'kind',
  'subject',
  'unit',
  'procedure',
  'title',
  'content',
  'name',
  'phone',
  'email',
  'address',
  'publish_content',
  'show_name',
  'locale',
  'website',
  'pow',
];
const validFeedback: fc.Arbitrary<Body> = fc
  .record({
    kind: fc.constantFrom('phan-anh', 'kien-nghi'),
    subject: fc.constantFrom('quy-dinh', 'hanh-vi', 'khac'),
    unit: fc.option(fc.constantFrom('phuong-ninh-hoa', 'so-y-te', 'khanh-hoa'), { nil: undefined }),
    procedure: fc.option(fc.constantFrom('1.001193'), { nil: undefined }),
    title: fc.constantFrom('Chờ lâu ở một cửa', 'Đề nghị niêm yết phí'),
    content: fc.constantFrom('Hồ sơ bị hẹn lại nhiều lần.', 'Cần thêm ghế chờ.'),
    name: fc.constantFrom('Trần Thị Bình', 'Lê Văn An'),
    contact: fc.constantFrom<Body>(
      { phone: '0912 345 678' },
      { email: 'an@example.vn' },
      { phone: '+84 901 234 567', email: 'binh@example.vn' },
    ),
    address: fc.option(fc.constantFrom('12 Trần Phú'), { nil: undefined }),
    publish_content: fc.boolean(),
    show_name: fc.option(fc.boolean(), { nil: undefined }),
    locale: fc.option(fc.constantFrom('vi', 'en'), { nil: undefined }),
  })
  .map(({ contact, ...rest }) => JSON.parse(JSON.stringify({ ...rest, ...contact })) as Body);

const VN_PHONE = /^(?:\+84|0)(?:[35789]\d{8}|2\d{9})$/;
const badEnum = (allowed: readonly string[]) => anyString.filter((s) => !allowed.includes(s));
const feedbackBreakers: fc.Arbitrary<Edit> = fc.oneof(
  fc.constantFrom('kind', 'subject', 'title', 'content', 'name', 'publish_content').map((f) => drop(f)),
  fc.constant(drop('phone', 'email')),
  fc.constant((b: Body) => ({ ...b, phone: '', email: '   ' })),
  fc.constant((b: Body) => ({ ...b, phone: null, email: null })),
  fc
    .tuple(
      fc.constantFrom(
        'kind',
        'subject',
        'title',
        'content',
        'name',
        'locale',
        'unit',
        'procedure',
        'address',
        'website',
      ),
      notString,
    )
    .map(([f, v]) => put(f, v)),
  fc.tuple(fc.constantFrom('phone', 'email'), notString).map(([f, v]) => put(f, v)),
  fc.tuple(fc.constantFrom('publish_content', 'show_name'), notBoolean).map(([f, v]) => put(f, v)),
  badEnum(['phan-anh', 'kien-nghi']).map((v) => put('kind', v)),
  badEnum(['quy-dinh', 'hanh-vi', 'khac']).map((v) => put('subject', v)),
  badEnum(['vi', 'en']).map((v) => put('locale', v)),
  longText(200, 400).map((v) => put('title', v)),
  fc.oneof(longText(5000, 5200), longText(40_000, 60_000)).map((v) => put('content', v)),
  longText(200, 300).map((v) => put('name', v)),
  longText(500, 700).map((v) => put('address', v)),
  longText(200, 300).map((v) => put('website', v)),
  fc.constantFrom('title', 'content', 'name').map((f) => put(f, ' \n\t\u00a0 ')),
  nonBlank.filter((s) => !units.has(s)).map((v) => put('unit', v)),
  nonBlank.filter((s) => !procedures.has(s)).map((v) => put('procedure', v)),
  fc.constantFrom('9.999999', '1.00119', '1-001193').map((v) => put('procedure', v)),
  nonBlank.filter((s) => !VN_PHONE.test(s.replace(/[\s.()-]/g, ''))).map((v) => put('phone', v)),
  fc
    .constantFrom('0123 456 789', '+84 123', '090123456', '+1 202 555 0100', '0912-345-678-9')
    .map((v) => put('phone', v)),
  nonBlank.filter((s) => !s.includes('@')).map((v) => put('email', v)),
  fc.constantFrom('a@', '@b.vn', 'a@b', 'a b@c.vn', `${'x'.repeat(250)}@e.vn`).map((v) => put('email', v)),
  nonBlank.map((v) => put('website', v)),
  fc
    .oneof(
      notString.filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)),
      anyString,
      fc.constant({}),
    )
    .map((v) => put('pow', v)),
  fc.tuple(unknownKey(FEEDBACK_FIELDS), fc.jsonValue({ maxDepth: 2 })).map(
    ([k, v]): Edit =>
      (b) =>
        withKey(b, k, v),
  ),
);

const INVALID_KEYS = fc.oneof(
  fc.constant(null),
  fc.constantFrom('', 'short', 'has space in it', 'ü-nicode-key', 'a'.repeat(101), 'key/with/slash'),
);

const invalidFeedback: fc.Arbitrary<Req> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .tuple(validFeedback, feedbackBreakers)
      .map(([b, e]): Req => ({ contentType: 'application/json', body: apply(b, e), key: freshKey() })),
  },
  {
    weight: 2,
    arbitrary: fc
      .jsonValue()
      .filter(
        (v) => v === null || typeof v !== 'object' || Array.isArray(v) || !('publish_content' in v) || !('title' in v),
      )
      .map((v): Req => ({ contentType: 'application/json', body: JSON.stringify(v), key: freshKey() })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(validFeedback, INVALID_KEYS)
      .map(([b, k]): Req => ({ contentType: 'application/json', body: JSON.stringify(b), key: k })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(validFeedback, wrongContentType(['application/json', 'multipart/form-data']))
      .map(([b, ct]): Req => ({ contentType: ct, body: JSON.stringify(b), key: freshKey() })),
  },
  {
    weight: 2,
    arbitrary: malformedJson(validFeedback).map((body): Req => ({
      contentType: 'application/json',
      body,
      key: freshKey(),
    })),
  },
  // Multipart: broken data with or without files, valid data with refused files, broken parts.
  {
    weight: 3,
    arbitrary: fc
      .tuple(validFeedback, feedbackBreakers, fc.array(badFile, { maxLength: 2 }))
      .map(([b, e, files]): Req => ({ contentType: null, body: form(apply(b, e), files), key: freshKey() })),
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(validFeedback, fc.array(badFile, { minLength: 1, maxLength: 3 }))
      .map(([b, files]): Req => ({ contentType: null, body: form(JSON.stringify(b), files), key: freshKey() })),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(validFeedback, fc.integer({ min: 6, max: 8 })).map(([b, n]): Req => ({
      contentType: null,
      body: form(
        JSON.stringify(b),
        Array.from({ length: n }, (_, i) => new File([new Uint8Array([1, 2, 3])], `f${i}.png`, { type: 'image/png' })),
      ),
      key: freshKey(),
    })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        validFeedback,
        fc.constantFrom<'no-data' | 'text-file' | 'not-json' | 'data-file'>(
          'no-data',
          'text-file',
          'not-json',
          'data-file',
        ),
        malformedJson(validFeedback),
      )
      .map(([b, how, bad]): Req => {
        const json = JSON.stringify(b);
        const badText = typeof bad === 'string' ? bad : new TextDecoder().decode(bad);
        const fd =
          how === 'no-data'
            ? form(null, [], [['title', 'x']])
            : how === 'text-file'
              ? form(json, [], [['attachments', 'not a file']])
              : how === 'not-json'
                ? form(badText, [])
                : (() => {
                    const f = new FormData();
                    f.set('data', new File([json], 'data.json', { type: 'application/json' }));
                    return f;
                  })();
        return { contentType: null, body: fd, key: freshKey() };
      }),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(validFeedback, fc.constantFrom('multipart/form-data', 'multipart/form-data; boundary=nope'))
      .map(([b, ct]): Req => ({ contentType: ct, body: JSON.stringify(b), key: freshKey() })),
  },
);

// ── Sender credentials: /feedback/track, /feedback/action, /feedback/attachment ─────────────────

const TRACKING = /^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}$/;
/** The code as the contract forgives it (case, spaces, dash). */
function normalCode(s: string): string {
  const t = s.replace(/[\s-]/g, '').toUpperCase();
  return t.length === 8 ? `${t.slice(0, 4)}-${t.slice(4)}` : t;
}
const KEY = /^[A-Za-z0-9_-]{16,64}$/;
const LINK = /^[A-Za-z0-9_-]{32,64}$/;
const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const wellFormedCode = fc
  .array(fc.constantFrom(...ALPHABET), { minLength: 8, maxLength: 8 })
  .map((cs) => `${cs.slice(0, 4).join('')}-${cs.slice(4).join('')}`);
const wellFormedKey = fc.array(fc.constantFrom(...B64), { minLength: 32, maxLength: 32 }).map((cs) => cs.join(''));
const wellFormedLink = fc.array(fc.constantFrom(...B64), { minLength: 43, maxLength: 43 }).map((cs) => cs.join(''));
const badCode = fc.oneof(
  nonBlank.filter((s) => !TRACKING.test(normalCode(s))),
  fc.constantFrom('ABCD-EFG0', 'ABCD-EFGI', 'abcd-efg1', 'ABCDEFGHJ', 'ABC-DEFGH', 'A'.repeat(21)),
);
const badKey = nonBlank.filter((s) => !KEY.test(s.trim()));
const badLink = nonBlank.filter((s) => !LINK.test(s.trim()));

/** Credentials that open nothing: malformed, of the wrong type, incomplete, or well-formed and unknown. */
const badCredentials: fc.Arbitrary<{ creds: Body; wellFormed: boolean }> = fc.oneof(
  fc.constant({ creds: {}, wellFormed: false }),
  wellFormedCode.map((code) => ({ creds: { code }, wellFormed: false })),
  wellFormedKey.map((key) => ({ creds: { key }, wellFormed: false })),
  fc.tuple(badCode, wellFormedKey).map(([code, key]) => ({ creds: { code, key }, wellFormed: false })),
  fc.tuple(wellFormedCode, badKey).map(([code, key]) => ({ creds: { code, key }, wellFormed: false })),
  badLink.map((link) => ({ creds: { link }, wellFormed: false })),
  fc
    .tuple(fc.constantFrom('code', 'key', 'link'), notString)
    .map(([f, v]) => ({ creds: { code: 'ABCD-EFGH', key: 'k'.repeat(32), [f]: v }, wellFormed: false })),
  // Well-formed, and wrong: an unknown code, a real code with another key, an unknown link.
  fc.tuple(wellFormedCode, wellFormedKey).map(([code, key]) => ({ creds: { code, key }, wellFormed: true })),
  wellFormedKey.map((key) => ({ creds: { code: real.code.toLowerCase().replace('-', ' '), key }, wellFormed: true })),
  wellFormedLink.map((link) => ({ creds: { link }, wellFormed: true })),
);

const CRED_FIELDS = ['code', 'key', 'link'];
const invalidTrack: fc.Arbitrary<Req> = fc.oneof(
  {
    weight: 6,
    // From 250 addresses: each meets the limit of failed look-ups (10) after a while, not at once.
    arbitrary: fc.tuple(badCredentials, fc.nat(249)).map(([{ creds }, n]): Req => ({
      contentType: 'application/json',
      body: JSON.stringify(creds),
      address: `198.51.100.${n}`,
    })),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(unknownKey(CRED_FIELDS), fc.jsonValue({ maxDepth: 2 }), fc.boolean())
      .map(([k, v, withReal]): Req => ({
        contentType: 'application/json',
        body: withKey(withReal ? { code: real.code, key: real.key } : {}, k, v),
        address: '203.0.113.200',
      })),
  },
  {
    weight: 1,
    arbitrary: fc
      .jsonValue()
      .filter((v) => v === null || typeof v !== 'object' || Array.isArray(v) || Object.keys(v).length > 0)
      .filter(
        (v) =>
          !(
            v !== null &&
            typeof v === 'object' &&
            !Array.isArray(v) &&
            Object.keys(v).every((k) => CRED_FIELDS.includes(k))
          ),
      )
      .map((v): Req => ({ contentType: 'application/json', body: JSON.stringify(v) })),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(wrongContentType(['application/json']), fc.boolean()).map(([ct, urlencoded]): Req => ({
      contentType: ct,
      body: urlencoded
        ? new URLSearchParams({ code: real.code, key: real.key }).toString()
        : JSON.stringify({ code: real.code, key: real.key }),
      address: '203.0.113.201',
    })),
  },
  {
    weight: 1,
    arbitrary: malformedJson(fc.constant({ code: 'ABCD-EFGH', key: 'k'.repeat(32) })).map((body): Req => ({
      contentType: 'application/json',
      body,
    })),
  },
);

/** Sender steps that break the contract in one way. */
const badSenderStep: fc.Arbitrary<Body | string> = fc.oneof(
  badEnum(['provide-info', 'dispute', 'rate']).map((action) => ({ action, body: 'x' })),
  fc
    .constantFrom(
      'classify',
      'reject',
      'transfer',
      'assign',
      'start',
      'request-info',
      'resume',
      'answer',
      'extend',
      'publish',
      'close',
      'reopen',
    )
    .map((action) => ({ action, note: 'x', body: 'x', unit: 'so-y-te', days: 3 })),
  fc.constant({ body: 'Thiếu action' }),
  fc.constantFrom('provide-info', 'dispute').map((action) => ({ action })),
  fc.tuple(fc.constantFrom('provide-info', 'dispute'), notString).map(([action, body]) => ({ action, body })),
  fc.constantFrom('provide-info', 'dispute').map((action) => ({ action, body: '  \n ' })),
  longText(5000, 5500).map((body) => ({ action: 'provide-info', body })),
  longText(2000, 2500).map((body) => ({ action: 'dispute', body })),
  notBoolean
    .filter((v) => !['true', 'false', 'on', ''].includes(v as string) && typeof v !== 'boolean')
    .map((satisfied) => ({ action: 'rate', satisfied })),
  fc.constant({ action: 'rate' }),
  fc
    .array(fc.string({ minLength: 1, maxLength: 20 }), { minLength: 1, maxLength: 3 })
    .filter((rs) =>
      rs.some((r) => !['chung-chung', 'thieu-bang-chung', 'cham', 'khong-dung-tham-quyen', 'khac'].includes(r)),
    )
    .map((reasons) => ({ action: 'rate', satisfied: false, reasons })),
  fc.constant({ action: 'rate', satisfied: false, reasons: Array(11).fill('cham') }),
  longText(1000, 1200).map((comment) => ({ action: 'rate', satisfied: true, comment })),
  fc
    .tuple(
      unknownKey([...CRED_FIELDS, 'action', 'body', 'satisfied', 'reasons', 'comment']),
      fc.jsonValue({ maxDepth: 1 }),
    )
    .map(([k, v]) => withKey({ action: 'dispute', body: 'x' }, k, v)),
);
/** Steps the contract takes, and the real case (still `received`) does not allow. */
const goodSenderStep: fc.Arbitrary<Body> = fc.constantFrom<Body>(
  { action: 'provide-info', body: 'Tôi bổ sung thông tin.' },
  { action: 'dispute', body: 'Tôi chưa đồng ý.' },
  { action: 'rate', satisfied: true },
  { action: 'rate', satisfied: 'on' },
  { action: 'rate', satisfied: false, reasons: ['cham'], comment: 'Chậm' },
);
const merge = (creds: Body, step: Body | string): string =>
  typeof step === 'string'
    ? `${JSON.stringify(creds).slice(0, -1)}${Object.keys(creds).length ? ',' : ''}${step.slice(1)}`
    : JSON.stringify({ ...creds, ...step });

const invalidAction: fc.Arbitrary<Req> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .tuple(
        fc.oneof(
          badCredentials.map((c) => c.creds),
          fc.constant(null),
        ),
        badSenderStep,
      )
      .map(([creds, step]): Req => ({
        contentType: 'application/json',
        body: merge(creds ?? { code: real.code, key: real.key }, step),
        address: '203.0.113.210',
      })),
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(badCredentials, goodSenderStep)
      .map(([{ creds }, step]): Req => ({ contentType: 'application/json', body: merge(creds, step) })),
  },
  {
    // The right code and key: refused by the lifecycle (409), from an address that never failed.
    weight: 2,
    arbitrary: fc.tuple(goodSenderStep, fc.boolean()).map(([step, multipart]): Req => {
      const text = JSON.stringify({ code: real.code, key: real.key, ...step });
      return multipart
        ? { contentType: null, body: form(text, []), address: '203.0.113.211' }
        : { contentType: 'application/json', body: text, address: '203.0.113.211' };
    }),
  },
  {
    // Files: refused bytes with a reply, or any file with a step that takes none.
    weight: 2,
    arbitrary: fc
      .tuple(goodSenderStep, fc.array(badFile, { minLength: 1, maxLength: 2 }))
      .map(([step, files]): Req => ({
        contentType: null,
        body: form(JSON.stringify({ code: real.code, key: real.key, ...step }), files),
        address: '203.0.113.212',
      })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(wrongContentType(['application/json', 'multipart/form-data']), goodSenderStep)
      .map(([ct, step]): Req => ({
        contentType: ct,
        body: JSON.stringify({ code: real.code, key: real.key, ...step }),
        address: '203.0.113.213',
      })),
  },
  {
    weight: 1,
    arbitrary: malformedJson(fc.constant({ code: 'ABCD-EFGH', action: 'dispute', body: 'x' })).map((body): Req => ({
      contentType: 'application/json',
      body,
    })),
  },
  {
    weight: 1,
    arbitrary: fc
      .jsonValue()
      .filter((v) => v === null || typeof v !== 'object' || Array.isArray(v) || !('action' in v))
      .map((v): Req => ({ contentType: 'application/json', body: JSON.stringify(v) })),
  },
);

const badId: fc.Arbitrary<Json> = fc.oneof(
  fc.integer({ max: 0 }),
  fc.double({ noInteger: true }),
  fc.constantFrom(null, '', 'abc', '1e400', '0x1', [], {}, Number.MAX_VALUE, true),
  nonBlank.filter((s) => !/^\s*\d+\s*$/.test(s)),
);
const invalidAttachment: fc.Arbitrary<Req> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .tuple(badCredentials, fc.oneof(fc.integer({ min: 1, max: 1_000_000 }), badId))
      .map(([{ creds }, id]): Req => ({ contentType: 'application/json', body: JSON.stringify({ ...creds, id }) })),
  },
  {
    // The right code and key: the case has no file, or the id is broken.
    weight: 2,
    arbitrary: fc
      .tuple(fc.oneof(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), badId), fc.boolean())
      .map(([id, urlencoded]): Req => {
        const creds = { code: real.code, key: real.key };
        return urlencoded
          ? {
              contentType: 'application/x-www-form-urlencoded',
              body: new URLSearchParams({ ...creds, id: String(id) }).toString(),
              address: '203.0.113.220',
            }
          : { contentType: 'application/json', body: JSON.stringify({ ...creds, id }), address: '203.0.113.220' };
      }),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(badCredentials, fc.nat(), unknownKey([...CRED_FIELDS, 'id']), anyString)
      .map(([{ creds }, id, k, v]): Req => {
        const p = new URLSearchParams(
          Object.entries({ ...creds, id: String(id) }).map(([a, b]) => [
            a,
            typeof b === 'string' ? b : JSON.stringify(b),
          ]),
        );
        p.append(k, v);
        return { contentType: 'application/x-www-form-urlencoded', body: p.toString() };
      }),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(unknownKey([...CRED_FIELDS, 'id']), fc.jsonValue({ maxDepth: 2 })).map(([k, v]): Req => ({
      contentType: 'application/json',
      body: withKey({ code: real.code, key: real.key, id: 1 }, k, v),
      address: '203.0.113.221',
    })),
  },
  {
    weight: 1,
    arbitrary: wrongContentType(['application/json', 'application/x-www-form-urlencoded']).map((ct): Req => ({
      contentType: ct,
      body: JSON.stringify({ code: real.code, key: real.key, id: 1 }),
    })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(malformedJson(fc.constant({ code: 'ABCD-EFGH', key: 'k'.repeat(32), id: 1 })), fc.jsonValue())
      .map(([body, v]): Req => ({
        contentType: 'application/json',
        body: typeof body === 'string' && body === '' ? JSON.stringify([v]) : body,
      })),
  },
);

// ── POST /api/v1/staff/login ────────────────────────────────────────────────────────────────────

const invalidLogin: fc.Arbitrary<Req> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .oneof(
        fc.constant<Body>({}),
        fc.string({ minLength: 1, maxLength: 20 }).map((username): Body => ({ username })),
        fc.string({ minLength: 1, maxLength: 20 }).map((password): Body => ({ password })),
        fc.tuple(notString, fc.string({ minLength: 1 })).map(([username, password]): Body => ({ username, password })),
        fc
          .tuple(fc.string({ minLength: 1, maxLength: 64 }), fc.oneof(notString, fc.constant(null)))
          .map(([username, password]): Body => ({ username, password })),
        fc.constant<Body>({ username: '', password: 'x' }),
        fc.constant<Body>({ username: 'fuzz-can-bo', password: '' }),
        longText(64, 200).map((username): Body => ({ username, password: 'x' })),
        longText(1024, 3000).map((password): Body => ({ username: 'fuzz-can-bo', password })),
        fc
          .integer({ min: 70_000, max: 90_000 })
          .map((n): Body => ({ username: 'fuzz-can-bo', password: 'p'.repeat(n) })),
      )
      .map((b): Req => ({ contentType: 'application/json', body: JSON.stringify(b) })),
  },
  {
    weight: 2,
    arbitrary: fc.tuple(unknownKey(['username', 'password']), fc.jsonValue({ maxDepth: 2 })).map(([k, v]): Req => ({
      contentType: 'application/json',
      body: withKey({ username: 'fuzz-can-bo', password: 'sai-mat-khau' }, k, v),
    })),
  },
  {
    // Well-formed and wrong: 401, and 429 once the client's failures pile up.
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.oneof(fc.constant('fuzz-can-bo'), fc.string({ minLength: 1, maxLength: 64 })),
        fc.string({ minLength: 1, maxLength: 64 }),
      )
      .map(([username, password]): Req => ({
        contentType: 'application/json',
        body: JSON.stringify({ username, password }),
      })),
  },
  {
    weight: 1,
    arbitrary: fc
      .jsonValue()
      .filter(
        (v) => v === null || typeof v !== 'object' || Array.isArray(v) || !('username' in v) || !('password' in v),
      )
      .map((v): Req => ({ contentType: 'application/json', body: JSON.stringify(v) })),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(wrongContentType(['application/json']), fc.boolean()).map(([ct, urlencoded]): Req => ({
      contentType: ct,
      body: urlencoded ? 'username=fuzz-can-bo&password=x' : JSON.stringify({ username: 'fuzz-can-bo', password: 'x' }),
    })),
  },
  {
    weight: 1,
    arbitrary: malformedJson(fc.constant({ username: 'fuzz-can-bo', password: 'x' })).map((body): Req => ({
      contentType: 'application/json',
      body,
    })),
  },
);

// ── The runs ────────────────────────────────────────────────────────────────────────────────────

async function fuzz(
  path: string,
  arb: fc.Arbitrary<Req>,
  address: string,
  expectSeen: readonly string[],
): Promise<void> {
  const before = await h.counts(TABLES);
  const lines = h.lines.length;
  seen.clear();
  let runs = 0;
  const started = performance.now();
  await fc.assert(
    fc.asyncProperty(arb, async (req) => {
      runs++;
      await checkRefused(await send(path, req, address));
    }),
    {
      numRuns: RUNS,
      seed: SEED,
      reporter: (out) => {
        if (out.failed) throw new Error(`${path}, seed ${SEED}: ${fc.defaultReportMessage(out)}`);
      },
    },
  );
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.info(
    `${path}: ${runs} invalid requests in ${seconds} s; ${JSON.stringify(Object.fromEntries([...seen].sort()))}`,
  );
  expect(runs).toBe(RUNS);
  expect(await h.counts(TABLES)).toEqual(before);
  // No request reached the error handler as a bug.
  expect(h.lines.slice(lines).filter((l) => l.includes('"error"'))).toEqual([]);
  expect([...seen.keys()].sort()).toEqual(expect.arrayContaining([...expectSeen]));
}

describe('fuzzing the public feedback write endpoints with invalid requests', () => {
  it('the base generators are valid: their requests are accepted (so refusals below are the breakers’)', async () => {
    const bodies = fc.sample(validFeedback, { numRuns: 8, seed: SEED });
    for (const b of bodies) {
      const res = await send(
        '/api/v1/feedback',
        { contentType: 'application/json', body: JSON.stringify(b), key: freshKey() },
        '198.18.0.1',
      );
      expect(res.status, `${JSON.stringify(b)} ${await res.clone().text()}`).toBe(201);
    }
    const multipart = await send(
      '/api/v1/feedback',
      { contentType: null, body: form(JSON.stringify(bodies[0]), []), key: freshKey() },
      '198.18.0.1',
    );
    expect(multipart.status).toBe(201);
    const track = await send(
      '/api/v1/feedback/track',
      { contentType: 'application/json', body: JSON.stringify({ code: real.code, key: real.key }) },
      '198.18.0.2',
    );
    expect(track.status).toBe(200);
  });

  // Found by this fuzzing: the route's own middleware and handler take a plain form post
  // (application/x-www-form-urlencoded), but its OpenAPI body declares only application/json, and
  // @hono/zod-openapi's media-type gate answers 415 to every undeclared type before either runs.
  it('POST /api/v1/feedback/attachment takes the form post it says it takes (urlencoded)', async () => {
    const form = await send(
      '/api/v1/feedback/attachment',
      {
        contentType: 'application/x-www-form-urlencoded',
        body: new URLSearchParams({ code: real.code, key: real.key, id: '999999' }).toString(),
      },
      '198.18.0.3',
    );
    // The case has no such file: 404 not_found, as for the same request in JSON.
    expect(form.status).toBe(404);
    expect(((await form.json()) as { code: string }).code).toBe('not_found');
  });

  it(`POST /api/v1/feedback: ${RUNS} invalid requests (JSON and multipart) → 4xx problem+json, nothing written`, async () => {
    await fuzz('/api/v1/feedback', invalidFeedback, '203.0.113.1', [
      '400 idempotency_key_required',
      '400 invalid_json',
      '415 unsupported_media_type',
      '422 validation_failed',
      '422 contact_required',
      '422 unknown_unit',
      '422 unknown_procedure',
      '422 too_many_attachments',
      '422 attachment_empty',
      '422 attachment_type_not_allowed',
    ]);
  }, 180_000);

  it(`POST /api/v1/feedback/track: ${RUNS} invalid requests → 4xx problem+json, nothing written`, async () => {
    await fuzz('/api/v1/feedback/track', invalidTrack, '203.0.113.2', [
      '400 invalid_json',
      '404 feedback_not_found',
      '415 unsupported_media_type',
      '422 validation_failed',
      '429 rate_limited',
    ]);
  }, 180_000);

  it(`POST /api/v1/feedback/action: ${RUNS} invalid requests → 4xx problem+json, nothing written`, async () => {
    await fuzz('/api/v1/feedback/action', invalidAction, '203.0.113.3', [
      '400 invalid_json',
      '404 feedback_not_found',
      '409 transition_not_allowed',
      '415 unsupported_media_type',
      '422 validation_failed',
      '429 rate_limited',
    ]);
  }, 180_000);

  it(`POST /api/v1/feedback/attachment: ${RUNS} invalid requests → 4xx problem+json, nothing written`, async () => {
    await fuzz('/api/v1/feedback/attachment', invalidAttachment, '203.0.113.4', [
      '404 not_found',
      '404 feedback_not_found',
      '415 unsupported_media_type',
      '422 validation_failed',
      '429 rate_limited',
    ]);
  }, 180_000);

  it(`POST /api/v1/staff/login: ${RUNS} invalid requests → 4xx problem+json, no session`, async () => {
    await fuzz('/api/v1/staff/login', invalidLogin, '203.0.113.5', [
      '400 invalid_json',
      '401 invalid_credentials',
      '413 payload_too_large',
      '415 unsupported_media_type',
      '422 validation_failed',
      '429 login_throttled',
    ]);
  }, 180_000);
});
