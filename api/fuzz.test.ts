/**
 * Property-based fuzzing of the public write endpoints (issue #3): for each of POST /api/v1/responses
 * and POST /api/v1/page-usefulness, 10,000 generated requests that are INVALID BY CONSTRUCTION
 * (arbitrary JSON, a valid envelope with exactly one thing broken, wrong content types, malformed
 * bytes). Every one must be refused with a 4xx problem+json carrying a machine code (never 2xx, never
 * 5xx), and none may write anything. One database and one in-process app for all of them.
 *
 * Generators only break things in ways the contract rejects: e.g. an unknown answer key always has
 * a non-empty value (empty answers are dropped, not refused), a honeypot value is never empty, a
 * broken proof of work is broken in its shape (with POW_REQUIRED 0 a well-formed one is ignored).
 * Known-valid requests from the same base generators are checked to pass first, so a generator that
 * drifts into valid requests, or an endpoint that refuses everything, fails the test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PROTO_KEYS, refusalChecker, withKey, wrongContentType, type Body, type Json } from './fuzz-arbitraries.ts';
import { loadContent } from './contracts/load-content.ts';
import { instrumentVersion, type Instrument } from './contracts/instrument.ts';
import { CONTENT_DIR, answersFor, openHarness, seeded, type Harness } from './test-harness.ts';

const RUNS = 10_000;
const TABLES = [
  'responses',
  'answers',
  'rating_rollups',
  'page_usefulness',
  'page_usefulness_rollup',
  'rate_limits',
  'pow_used',
] as const;

const content = loadContent(CONTENT_DIR);
const INSTRUMENTS: Record<string, Instrument> = Object.fromEntries(content.instruments.map((i) => [i.id, i]));
const VERSIONS: Record<string, string> = Object.fromEntries(
  content.instruments.map((i) => [i.id, instrumentVersion(i)]),
);
const KNOWN_VERSIONS = new Set(Object.values(VERSIONS));
const KNOWN_UNITS = new Set(content.units.map((u) => u.id));
const KNOWN_PROCEDURES = new Set(content.procedures.map((p) => p.code));
const RATING_FIELDS = new Set([
  'instrument',
  'version',
  'unit',
  'procedure',
  'counter',
  'token',
  'answers',
  'locale',
  'website',
  'pow',
]);
const USEFULNESS_FIELDS = new Set(['procedure', 'useful', 'comment', 'locale', 'return_to']);

const SLUG = /^[a-z0-9]+(?:[-_][a-z0-9]+)*$/;
const VERSION = /^[0-9a-f]{16}$/;
const PROCEDURE = /^[0-9]\.[0-9]{6}$/;
const COUNTER = /^[0-9A-Za-z-]{1,16}$/;
const TOKEN = /^[A-Za-z0-9_-]{20,100}$/;
const LOCALE = /^[a-z]{2,3}$/;
const RETURN_PATH = /^\/(?!\/)[a-z0-9/._-]*$/;
const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{8,100}$/;

/** One generated request. `body` as bytes sends no content type unless one is given. */
interface Req {
  contentType: string | null;
  body: string | Uint8Array;
  /** Idempotency-Key header; null to leave it out. */
  key: string | null;
}

let h: Harness;
let app: ReturnType<Harness['app']>;

beforeAll(async () => {
  h = await openHarness('fuzz');
  app = h.app({ POW_REQUIRED: '0', RATE_LIMIT_MAX: '1000000' });
});

afterAll(() => h.close());

let keySeq = 0;
const freshKey = (): string => `fuzz-${++keySeq}-key`;

async function send(path: string, req: Req): Promise<Response> {
  const headers: Record<string, string> = {};
  if (req.contentType !== null) headers['content-type'] = req.contentType;
  if (req.key !== null) headers['idempotency-key'] = req.key;
  // A string body with no content type would get text/plain from Request: send bytes instead.
  const body: BodyInit =
    typeof req.body === 'string'
      ? req.contentType === null
        ? new TextEncoder().encode(req.body)
        : req.body
      : (req.body as Uint8Array<ArrayBuffer>);
  return app.request(path, { method: 'POST', headers, body });
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
    'Sở Y tế',
    'so-y-te ',
    'SO-Y-TE',
    'so--y-te',
    '../etc/passwd',
    "'; DROP TABLE responses; --",
  ),
);
const notMatching = (re: RegExp) => anyString.filter((s) => !re.test(s));
/** Any JSON value that is not a string. */
const notString: fc.Arbitrary<Json> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
);
/** Any JSON value that is not an object (arrays included). */
const notObject: fc.Arbitrary<Json> = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 20 }),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
);
/** A string over every cap of the contracts (> 200 characters), sometimes over the body limit. */
const hugeString = fc
  .tuple(
    fc.string({ minLength: 1, maxLength: 3, unit: 'grapheme' }).filter((s) => s.trim() !== ''),
    fc.oneof(fc.integer({ min: 201, max: 6000 }), fc.integer({ min: 60_000, max: 80_000 })),
  )
  .map(([s, n]) => s.repeat(Math.ceil(n / s.length)));
const unknownKey = fc
  .oneof(
    fc.string({ maxLength: 20 }),
    fc.string({ maxLength: 10, unit: 'binary' }),
    fc.constantFrom(...PROTO_KEYS, 'Instrument', ' unit', 'answers ', 'vérsion', 'website\u0000', ''),
  )
  .filter((k) => !RATING_FIELDS.has(k) && !USEFULNESS_FIELDS.has(k));
const nonBlank = fc.string({ minLength: 1, maxLength: 30, unit: 'grapheme' }).filter((s) => s.trim() !== '');
/** Vietnamese letters that are single code points in NFC, so a length survives normalisation. */
const PRECOMPOSED = [...'ăâđêôơưáàảãạấầẩẫậếềểễệốồổỗộớờởỡợứừửữựíìỉĩịýỳỷỹỵ'];

/** A body Hono cannot parse as JSON, or bytes too short to hold any valid request. */
function malformedJson(valid: fc.Arbitrary<Body>): fc.Arbitrary<string | Uint8Array> {
  return fc.oneof(
    // A strict prefix of an object is never a complete JSON value.
    fc.tuple(valid, fc.nat()).map(([b, i]) => {
      const text = JSON.stringify(b);
      return text.slice(0, i % text.length);
    }),
    // Garbage after a complete value.
    fc
      .tuple(valid, fc.constantFrom('}', ',', 'x', '{', '"', ']', '\u0000', 'null'))
      .map(([b, g]) => JSON.stringify(b) + g),
    fc.constantFrom('{', '{"a":', "{'procedure':'1.001193'}", '{procedure: 1}', '[1,]', 'NaN', 'undefined', '\ufeff{}'),
    // At most 30 bytes: shorter than the shortest valid request of either endpoint.
    fc.uint8Array({ maxLength: 30 }),
  );
}

// ── POST /api/v1/responses ──────────────────────────────────────────────────────────────────────

type Kind = 'quay' | 'sipas' | 'danh-gia-ho-so';
interface Rating {
  kind: Kind;
  body: Body;
}

const KINDS: readonly Kind[] = ['quay', 'sipas', 'danh-gia-ho-so'];
type Answers = Record<string, string | string[]>;
/** A function of the base: everything is generated up front, because building arbitraries (a
 * `stringMatching` in particular) per run would cost more than the requests themselves. */
type Edit<T, R> = (base: T) => R;

const ANSWER_VARIANTS = Object.fromEntries(
  KINDS.map((k) => [
    k,
    Array.from({ length: 8 }, (_, i) => answersFor(INSTRUMENTS[k]!, seeded(1000 + i), i % 2 ? 0.6 : 0)),
  ]),
) as Record<Kind, Answers[]>;

const ratingFields = fc.record(
  {
    unit: fc.constantFrom('so-y-te', 'phuong-ninh-hiep', 'xa-ninh-xuan', 'khanh-hoa', 'tram-y-te-ninh-xuan'),
    procedure: fc.constantFrom('1.001193', '1.002809', '2.000815'),
    counter: fc.stringMatching(COUNTER),
    locale: fc.constantFrom('vi', 'en', 'fr'),
    website: fc.constant(''),
  },
  { requiredKeys: ['unit'] },
);

/** Valid open ratings of one instrument: the envelopes the breakers break. */
const VALID_RATING = Object.fromEntries(
  KINDS.map((kind) => [
    kind,
    fc.tuple(ratingFields, fc.integer({ min: 0, max: 7 })).map(([fields, i]): Rating => ({
      kind,
      body: { instrument: kind, version: VERSIONS[kind]!, ...fields, answers: ANSWER_VARIANTS[kind][i]! },
    })),
  ]),
) as Record<Kind, fc.Arbitrary<Rating>>;
const validRating: fc.Arbitrary<Rating> = fc.oneof(
  { arbitrary: VALID_RATING.quay, weight: 2 },
  { arbitrary: VALID_RATING.sipas, weight: 1 },
  { arbitrary: VALID_RATING['danh-gia-ho-so'], weight: 1 },
);

/** Questions that must be answered whatever else is: required and not behind show_if. */
const alwaysRequired = (kind: Kind) => INSTRUMENTS[kind]!.questions.filter((q) => q.required && !q.show_if);
const textQuestion = (kind: Kind) => INSTRUMENTS[kind]!.questions.find((q) => q.type === 'text')!;
const set =
  (key: string, value: Json): Edit<Answers, Json> =>
  (a) => ({ ...a, [key]: value });

/** A non-empty value (after trimming) that a single-answer question does not take. */
function badSingleValue(kind: Kind, questionId: string): fc.Arbitrary<string> {
  const q = INSTRUMENTS[kind]!.questions.find((x) => x.id === questionId)!;
  const allowed = new Set(q.type === 'likert5' ? ['1', '2', '3', '4', '5'] : q.options.map((o) => o.id));
  return fc
    .oneof(nonBlank, fc.constantFrom('0', '6', '-1', '4.5', 'HAI-LONG', 'hai_long', '1e0', 'null'))
    .filter((s) => !allowed.has(s.trim()) && s.trim() !== '');
}

/** A value no answer may have: not a string or a list of short strings, or over the caps. */
const wrongShapeAnswer: fc.Arbitrary<Json> = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
  fc.constant({ ['__proto__']: { polluted: true } } as Json),
  fc.tuple(fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }), notString).map(([xs, x]) => [...xs, x]),
  fc.array(fc.array(fc.string({ maxLength: 5 }), { maxLength: 2 }), { minLength: 1, maxLength: 3 }),
  fc.array(fc.constant('cho-lau'), { minLength: 21, maxLength: 30 }),
  fc.constant(['x'.repeat(65)]),
  fc.integer({ min: 5001, max: 9000 }).map((n) => 'a'.repeat(n)),
);

/** Edits that break the answers of an instrument in one way. */
function answerBreakers(kind: Kind): fc.Arbitrary<Edit<Answers, Json>> {
  const ins = INSTRUMENTS[kind]!;
  const ids = new Set(ins.questions.map((q) => q.id));
  const required = alwaysRequired(kind);
  const singles = required.filter((q) => q.type !== 'text' && q.type !== 'multi');
  const text = textQuestion(kind);
  const options: fc.Arbitrary<Edit<Answers, Json>>[] = [
    // Not a record of strings or lists.
    notObject.map((v) => () => v),
    // A value of the wrong shape, under a real question id or any key.
    fc
      .tuple(fc.oneof(fc.constantFrom(...ids), fc.string({ maxLength: 10 })), wrongShapeAnswer)
      .map(([k, v]) => set(k, v)),
    // A question id over 64 characters.
    fc.tuple(fc.integer({ min: 65, max: 200 }), nonBlank).map(([n, v]) => set('q'.repeat(n), v)),
    // An unknown question (prototype names too) with a non-empty answer.
    fc
      .tuple(
        fc.oneof(fc.string({ maxLength: 64 }), fc.constantFrom(...PROTO_KEYS.filter((k) => k !== '__proto__'))),
        fc.oneof(nonBlank, fc.array(nonBlank, { minLength: 1, maxLength: 3 })),
      )
      .filter(([k]) => !ids.has(k) && k !== '__proto__')
      .map(([k, v]) => set(k, v)),
    // "__proto__" is dropped by the contract: only together with a required answer missing.
    fc.jsonValue({ maxDepth: 2 }).map((v) => (a) => {
      const rest = { ...a };
      delete rest[required[0]!.id];
      return JSON.parse(withKey(rest, '__proto__', v)) as Json;
    }),
    // A required answer missing, empty, or a list.
    fc
      .tuple(
        fc.constantFrom(...required.map((q) => q.id)),
        fc.constantFrom<Json>(undefined, '', '   ', [], [''], ['1', '2'], [required[0]!.options[0]?.id ?? '5']),
      )
      .map(([id, v]): Edit<Answers, Json> => (a) => {
        const out: Body = { ...a };
        if (v === undefined) delete out[id];
        else out[id] = v;
        return out;
      }),
    // A value outside the scale or the options.
    fc.oneof(...singles.map((q) => badSingleValue(kind, q.id).map((v) => set(q.id, v)))),
    // Text over the question's max_length (still under the contract's 5,000).
    fc
      .tuple(fc.integer({ min: 1, max: 600 }), fc.constantFrom(...PRECOMPOSED))
      .map(([extra, ch]) => set(text.id, ch.repeat(text.max_length! + extra))),
  ];
  if (kind === 'quay') {
    const reasonIds = new Set(ins.questions.find((q) => q.id === 'reasons')!.options.map((o) => o.id));
    options.push(
      // Reasons although the rating does not show them.
      fc
        .tuple(fc.constantFrom('rat-hai-long', 'hai-long'), fc.array(nonBlank, { minLength: 1, maxLength: 3 }))
        .map(([rating, reasons]) => () => ({ rating, reasons })),
      // Reasons shown, but an unknown or repeated option.
      fc
        .tuple(
          fc.constantFrom('binh-thuong', 'khong-hai-long'),
          fc.oneof(
            nonBlank.filter((s) => !reasonIds.has(s)).map((s) => ['cho-lau', s]),
            fc.constantFrom(['cho-lau', 'cho-lau'], ['phi', 'thai-do', 'phi']),
          ),
        )
        .map(([rating, reasons]) => () => ({ rating, reasons })),
    );
  }
  if (kind === 'sipas') {
    const expect = ins.questions.find((q) => q.id === 'expect')!;
    options.push(
      // Over max_choices.
      fc
        .subarray(
          expect.options.map((o) => o.id),
          { minLength: expect.max_choices! + 1 },
        )
        .map((chosen) => set('expect', chosen)),
      // Gated questions answered although the gate is closed.
      fc
        .constantFrom('f5_c2', 'f5_c3', 'f5_c4', 'f5_sat')
        .map((id): Edit<Answers, Json> => (a) => ({ ...a, f5_gate: 'chua', [id]: '4' })),
    );
  }
  return fc.oneof(...options);
}

const put =
  (field: string, value: Json): Edit<Rating, Body> =>
  (r) => ({ ...r.body, [field]: value });
const STRING_FIELDS = ['instrument', 'version', 'unit', 'procedure', 'counter', 'token', 'locale', 'website'] as const;
const POW_SHAPE = { challenge: { parameters: {}, signature: 'abc' }, solution: { counter: 1, derivedKey: 'ab' } };

/** Edits that break one field of a rating envelope (the answers aside). */
const fieldBreakers: fc.Arbitrary<Edit<Rating, Body>> = fc.oneof(
  // Wrong types.
  fc.tuple(fc.constantFrom(...STRING_FIELDS), notString).map(([f, v]) => put(f, v)),
  notObject.map((v) => put('answers', v)),
  notObject.map((v) => put('pow', v)),
  // A required field missing.
  fc.constantFrom('instrument', 'version', 'unit', 'answers').map((f): Edit<Rating, Body> => (r) => {
    const out = { ...r.body };
    delete out[f];
    return out;
  }),
  // Huge strings.
  fc.tuple(fc.constantFrom(...STRING_FIELDS), hugeString).map(([f, v]) => put(f, v)),
  // Bad or unknown values.
  fc
    .oneof(notMatching(SLUG), fc.stringMatching(SLUG))
    .map((s): Edit<Rating, Body> => (r) => ({ ...r.body, instrument: s === r.kind ? `${s}-khac` : s })),
  fc
    .oneof(
      notMatching(VERSION),
      fc.stringMatching(VERSION).filter((v) => !KNOWN_VERSIONS.has(v)),
    )
    .map((v) => put('version', v)),
  // The version of another instrument, or this one's in upper case (or cut short when it has no letter).
  fc.nat().map((i): Edit<Rating, Body> => (r) => {
    const others = Object.entries(VERSIONS).filter(([id]) => id !== r.kind);
    return { ...r.body, version: others[i % others.length]![1] };
  }),
  fc.constant<Edit<Rating, Body>>((r) => {
    const v = VERSIONS[r.kind]!;
    return { ...r.body, version: v.toUpperCase() !== v ? v.toUpperCase() : v.slice(1) };
  }),
  fc
    .oneof(
      notMatching(SLUG),
      fc.stringMatching(SLUG).filter((u) => !KNOWN_UNITS.has(u)),
    )
    .map((u) => put('unit', u)),
  fc
    .oneof(
      notMatching(PROCEDURE),
      fc.stringMatching(PROCEDURE).filter((p) => !KNOWN_PROCEDURES.has(p)),
    )
    .map((p) => put('procedure', p)),
  notMatching(COUNTER).map((c) => put('counter', c)),
  // Malformed, or well-formed and unknown (404): no dossier exists in this database.
  fc.oneof(notMatching(TOKEN), fc.stringMatching(TOKEN)).map((t) => put('token', t)),
  notMatching(LOCALE).map((l) => put('locale', l)),
  // The honeypot: any non-empty value.
  fc.oneof(nonBlank, fc.constantFrom(' ', 'a', 'http://spam.example')).map((w) => put('website', w)),
  // A proof of work broken in its shape (a well-formed one is ignored with POW_REQUIRED 0).
  fc
    .constantFrom<Json>(
      { solution: POW_SHAPE.solution },
      { challenge: POW_SHAPE.challenge },
      { ...POW_SHAPE, challenge: { signature: 'abc' } },
      { ...POW_SHAPE, challenge: { parameters: [], signature: 'abc' } },
      { ...POW_SHAPE, challenge: { parameters: 'x', signature: 'abc' } },
      { ...POW_SHAPE, challenge: { parameters: {}, signature: 1 } },
      { ...POW_SHAPE, challenge: { parameters: {}, signature: 's'.repeat(513) } },
      { ...POW_SHAPE, solution: { counter: -1, derivedKey: 'ab' } },
      { ...POW_SHAPE, solution: { counter: 1.5, derivedKey: 'ab' } },
      { ...POW_SHAPE, solution: { counter: '1', derivedKey: 'ab' } },
      { ...POW_SHAPE, solution: { counter: 1, derivedKey: 'k'.repeat(257) } },
      { ...POW_SHAPE, solution: { counter: 1, derivedKey: 7 } },
      { ...POW_SHAPE, solution: { counter: 1, derivedKey: 'ab', time: 'now' } },
    )
    .map((p) => put('pow', p)),
);

/** A valid rating envelope with exactly one thing broken: a field, or the answers. */
const brokenRating: fc.Arbitrary<Body> = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(validRating, fieldBreakers).map(([r, edit]) => edit(r)) },
  ...KINDS.map((kind) => ({
    weight: kind === 'quay' ? 2 : 1,
    arbitrary: fc
      .tuple(VALID_RATING[kind], answerBreakers(kind))
      .map(([r, edit]) => ({ ...r.body, answers: edit(r.body.answers as Answers) })),
  })),
);

const invalidRating: fc.Arbitrary<Req> = fc.oneof(
  // Arbitrary JSON that is not even shaped like a rating.
  {
    weight: 2,
    arbitrary: fc
      .jsonValue()
      .filter((v) => !(v !== null && typeof v === 'object' && !Array.isArray(v) && 'answers' in v && 'version' in v))
      .map((v): Req => ({ contentType: 'application/json', body: JSON.stringify(v), key: freshKey() })),
  },
  // A valid envelope with one field broken.
  {
    weight: 10,
    arbitrary: brokenRating.map((b): Req => ({
      contentType: 'application/json',
      body: JSON.stringify(b),
      key: freshKey(),
    })),
  },
  // An unknown key, prototype-pollution names included.
  {
    weight: 2,
    arbitrary: fc
      .tuple(validRating, unknownKey, fc.jsonValue({ maxDepth: 2 }))
      .map(([r, k, v]): Req => ({ contentType: 'application/json', body: withKey(r.body, k, v), key: freshKey() })),
  },
  // A valid body without a usable Idempotency-Key.
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        validRating,
        fc.oneof(
          fc.constant(null),
          fc.stringMatching(/^[A-Za-z0-9_-]{1,7}$/),
          fc.stringMatching(/^[A-Za-z0-9_-]{101,140}$/),
          fc
            .tuple(
              fc.stringMatching(/^[A-Za-z0-9_-]{4,20}$/),
              fc.constantFrom('.', '!', '~', '*', '@', ':', '/', '+', '=', ' ', '\t', '%', 'é'),
              fc.stringMatching(/^[A-Za-z0-9_-]{4,20}$/),
            )
            .map(([a, c, b]) => a + c + b),
        ),
      )
      .filter(([, k]) => k === null || !IDEMPOTENCY_KEY.test(k.trim()))
      .map(([r, k]): Req => ({ contentType: 'application/json', body: JSON.stringify(r.body), key: k })),
  },
  // A valid body under a content type the route does not take.
  {
    weight: 1,
    arbitrary: fc
      .tuple(validRating, wrongContentType(['application/json'], { malformedJson: true }))
      .map(([r, ct]): Req => ({ contentType: ct, body: JSON.stringify(r.body), key: freshKey() })),
  },
  // Malformed JSON.
  {
    weight: 2,
    arbitrary: malformedJson(validRating.map((r) => r.body)).map((body): Req => ({
      contentType: 'application/json',
      body,
      key: freshKey(),
    })),
  },
  // Bytes that are not UTF-8 inside the unit: they decode to U+FFFD, which no unit id contains.
  {
    weight: 1,
    arbitrary: fc
      .tuple(validRating, fc.constantFrom([0xff], [0xc3], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0x80]))
      .map(([r, bad]): Req => {
        const text = JSON.stringify({ ...r.body, unit: 'so-y-te@@' });
        const [before, after] = text.split('@@') as [string, string];
        const enc = new TextEncoder();
        const body = new Uint8Array([...enc.encode(before), ...bad, ...enc.encode(after)]);
        return { contentType: 'application/json', body, key: freshKey() };
      }),
  },
);

// ── POST /api/v1/page-usefulness ────────────────────────────────────────────────────────────────

const validUsefulness: fc.Arbitrary<Body> = fc.record(
  {
    procedure: fc.constantFrom('1.001193', '1.002809', '2.000815'),
    useful: fc.constantFrom('yes', 'no'),
    comment: fc.string({ maxLength: 200 }),
    locale: fc.constantFrom('vi', 'en'),
    return_to: fc.constantFrom('/', '/thu-tuc/1.001193/', '/en/procedures/1.002809/'),
  },
  { requiredKeys: ['procedure', 'useful'] },
);

const putVote =
  (field: string, value: Json): Edit<Body, Body> =>
  (b) => ({ ...b, [field]: value });
const BAD_PROCEDURE = fc.oneof(
  notMatching(PROCEDURE),
  fc.stringMatching(PROCEDURE).filter((p) => !KNOWN_PROCEDURES.has(p)),
);
const BAD_USEFUL = fc
  .oneof(anyString, fc.constantFrom('YES', 'No', ' yes', 'true', '1', 'on', 'có'))
  .filter((s) => s !== 'yes' && s !== 'no');
const BAD_RETURN_PATH = fc.oneof(
  notMatching(RETURN_PATH),
  fc.constantFrom('//evil.example/', 'https://evil.example/', 'javascript:alert(1)', '/Thu-tuc/', '/a?b=1', '/a#x'),
  fc.stringMatching(/^\/[a-z0-9/._-]{200,240}$/),
);

/** Edits that break one field of a vote (JSON). */
const voteBreakers: fc.Arbitrary<Edit<Body, Body>> = fc.oneof(
  fc
    .tuple(fc.constantFrom('procedure', 'useful', 'comment', 'locale', 'return_to'), notString)
    .map(([f, v]) => putVote(f, v)),
  fc.constantFrom('procedure', 'useful').map((f): Edit<Body, Body> => (b) => {
    const out = { ...b };
    delete out[f];
    return out;
  }),
  fc.tuple(fc.constantFrom('procedure', 'useful', 'locale', 'return_to'), hugeString).map(([f, v]) => putVote(f, v)),
  fc.integer({ min: 1001, max: 5000 }).map((n) => putVote('comment', 'c'.repeat(n))),
  BAD_PROCEDURE.map((p) => putVote('procedure', p)),
  BAD_USEFUL.map((u) => putVote('useful', u)),
  notMatching(LOCALE).map((l) => putVote('locale', l)),
  BAD_RETURN_PATH.map((r) => putVote('return_to', r)),
);

/** Edits that turn a vote into the form fields the HTML form would send, one of them broken. */
const formBreakers: fc.Arbitrary<Edit<Body, string>> = (() => {
  const form =
    (change: Record<string, string | null>, extra: [string, string][] = []): Edit<Body, string> =>
    (b) => {
      const p = new URLSearchParams();
      for (const [k, v] of Object.entries({ ...b, ...change })) if (v !== null) p.append(k, String(v));
      for (const [k, v] of extra) p.append(k, v);
      return p.toString();
    };
  return fc.oneof(
    BAD_USEFUL.map((v) => form({ useful: v })),
    BAD_PROCEDURE.map((v) => form({ procedure: v })),
    fc.constantFrom('procedure', 'useful').map((f) => form({ [f]: null })),
    notMatching(LOCALE).map((v) => form({ locale: v })),
    BAD_RETURN_PATH.map((v) => form({ return_to: v })),
    fc.integer({ min: 1001, max: 3000 }).map((n) => form({ comment: 'c'.repeat(n) })),
    // Unknown fields, prototype-pollution names included.
    fc.tuple(unknownKey, fc.string({ maxLength: 20 })).map(([k, v]) => form({}, [[k, v]])),
    fc.constant(form({}, [['useful[]', 'yes']])),
  );
})();

const invalidUsefulness: fc.Arbitrary<Req> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc
      .jsonValue()
      .filter((v) => !(v !== null && typeof v === 'object' && !Array.isArray(v) && 'procedure' in v && 'useful' in v))
      .map((v): Req => ({ contentType: 'application/json', body: JSON.stringify(v), key: null })),
  },
  {
    weight: 8,
    arbitrary: fc
      .tuple(validUsefulness, voteBreakers)
      .map(([b, edit]): Req => ({ contentType: 'application/json', body: JSON.stringify(edit(b)), key: null })),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(validUsefulness, unknownKey, fc.jsonValue({ maxDepth: 2 }))
      .map(([b, k, v]): Req => ({ contentType: 'application/json', body: withKey(b, k, v), key: null })),
  },
  {
    weight: 4,
    arbitrary: fc
      .tuple(validUsefulness, formBreakers)
      .map(([b, edit]): Req => ({ contentType: 'application/x-www-form-urlencoded', body: edit(b), key: null })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        validUsefulness,
        wrongContentType(['application/json', 'application/x-www-form-urlencoded'], { malformedJson: true }),
      )
      .map(([b, ct]): Req => ({ contentType: ct, body: JSON.stringify(b), key: null })),
  },
  {
    weight: 2,
    arbitrary: malformedJson(validUsefulness).map((body): Req => ({
      contentType: 'application/json',
      body,
      key: null,
    })),
  },
);

// ── The runs ────────────────────────────────────────────────────────────────────────────────────

async function tallies(): Promise<Record<string, number>> {
  return h.counts(TABLES);
}

describe('fuzzing the public write endpoints with invalid requests', () => {
  it('the base generators make valid requests, which are stored (so refusals below mean something)', async () => {
    const ratings = fc.sample(validRating, { numRuns: 12, seed: 7 });
    for (const r of ratings) {
      const res = await send('/api/v1/responses', {
        contentType: 'application/json',
        body: JSON.stringify(r.body),
        key: freshKey(),
      });
      expect(res.status, JSON.stringify(r.body)).toBe(201);
    }
    const votes = fc.sample(validUsefulness, { numRuns: 6, seed: 7 });
    for (const v of votes) {
      const json = await send('/api/v1/page-usefulness', {
        contentType: 'application/json',
        body: JSON.stringify(v),
        key: null,
      });
      expect(json.status, JSON.stringify(v)).toBe(201);
      const form = await send('/api/v1/page-usefulness', {
        contentType: 'application/x-www-form-urlencoded',
        body: new URLSearchParams(Object.entries(v).map(([k, x]) => [k, String(x)])).toString(),
        key: null,
      });
      expect(form.status, JSON.stringify(v)).toBe(303);
    }
    const counts = await tallies();
    expect(counts.responses).toBe(12);
    expect(counts.page_usefulness).toBe(12);
    expect(counts.rate_limits).toBeGreaterThan(0);
  });

  it(`POST /api/v1/responses: ${RUNS} invalid requests → 4xx problem+json with a code, nothing written`, async () => {
    const before = await tallies();
    const lines = h.lines.length;
    seen.clear();
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(invalidRating, async (req) => {
        runs++;
        await checkRefused(await send('/api/v1/responses', req));
      }),
      { numRuns: RUNS },
    );
    expect(runs).toBe(RUNS);
    expect(await tallies()).toEqual(before);
    // No request reached the error handler as a bug.
    expect(h.lines.slice(lines).filter((l) => l.includes('"error"'))).toEqual([]);
    // Every layer was reached: media type, JSON, body size, contract, key, instrument, unit,
    // procedure, answers, token.
    expect([...seen.keys()].sort()).toEqual(
      expect.arrayContaining([
        '400 idempotency_key_required',
        '400 invalid_json',
        '404 token_invalid',
        '413 payload_too_large',
        '415 unsupported_media_type',
        '422 unknown_instrument',
        '422 unknown_procedure',
        '422 unknown_unit',
        '422 validation_failed',
      ]),
    );
  }, 120_000);

  it(`POST /api/v1/page-usefulness: ${RUNS} invalid requests → 4xx problem+json with a code, nothing written`, async () => {
    const before = await tallies();
    const lines = h.lines.length;
    seen.clear();
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(invalidUsefulness, async (req) => {
        runs++;
        await checkRefused(await send('/api/v1/page-usefulness', req));
      }),
      { numRuns: RUNS },
    );
    expect(runs).toBe(RUNS);
    expect(await tallies()).toEqual(before);
    expect(h.lines.slice(lines).filter((l) => l.includes('"error"'))).toEqual([]);
    expect([...seen.keys()].sort()).toEqual(
      expect.arrayContaining([
        '400 invalid_json',
        '413 payload_too_large',
        '415 unsupported_media_type',
        '422 unknown_procedure',
        '422 validation_failed',
      ]),
    );
  }, 120_000);
});
