/**
 * Issue #7 part 6: a lone NUL or another control character in any text field answers 4xx with a
 * machine code (422 validation_failed, field code control_character), never 500, and nothing is
 * written. Each listed field — feedback title/content, manual entry, dispute, reply (provide-info),
 * answer, publish title, display_name, the usefulness comment — through the real app.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hasControlCharacter } from '../contracts/text.ts';
import { openHarness, type Harness } from '../test-harness.ts';
import {
  act,
  freshAddress,
  sendFeedback,
  senderAct,
  staffMember,
  staffPost,
  type App,
  type SentFeedback,
  type Signed,
} from '../feedback/test-kit.ts';

const TABLES = [
  'feedback',
  'feedback_contacts',
  'feedback_events',
  'feedback_messages',
  'feedback_publications',
  'staff',
  'page_usefulness',
] as const;

let h: Harness;
let app: App;
let coordinator: Signed;
let admin: Signed;
let sent: SentFeedback;

beforeAll(async () => {
  h = await openHarness('control-characters');
  app = h.app({ POW_REQUIRED: '0', RATE_LIMIT_MAX: '100000' });
  coordinator = await staffMember(h, app, 'dieu-phoi', [{ role: 'coordinator', unit: 'khanh-hoa' }]);
  admin = await staffMember(h, app, 'quan-tri', [{ role: 'admin', unit: 'khanh-hoa' }]);
  sent = await sendFeedback(h, app);
});

afterAll(() => h.close());

const FEEDBACK = {
  kind: 'phan-anh',
  subject: 'hanh-vi',
  unit: 'phuong-ninh-hoa',
  title: 'Cán bộ hẹn trả kết quả nhiều lần',
  content: 'Hồ sơ đất đai của tôi bị hẹn lại ba lần.',
  name: 'Lê Thị Canary',
  phone: '0987654321',
  publish_content: true,
};

/** Each field: a request with `value` in it. */
const FIELDS: { field: string; lines: 'single' | 'multi'; send: (value: string) => Promise<Response> }[] = [
  ...(['title', 'content', 'name'] as const).map((field) => ({
    field,
    lines: field === 'content' ? ('multi' as const) : ('single' as const),
    send: (value: string) =>
      Promise.resolve(
        app.request(
          '/api/v1/feedback',
          {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', 'Idempotency-Key': `cc-${randomUUID()}` },
            body: JSON.stringify({ ...FEEDBACK, [field]: value }),
          },
          freshAddress(),
        ),
      ),
  })),
  ...(['title', 'content'] as const).map((field) => ({
    field,
    lines: field === 'content' ? ('multi' as const) : ('single' as const),
    send: (value: string) =>
      staffPost(app, coordinator, '/api/v1/staff/feedback', {
        ...FEEDBACK,
        channel: 'letter',
        address: '5 Lê Lợi',
        [field]: value,
      }),
  })),
  { field: 'body', lines: 'multi', send: (value) => senderAct(app, sent, { action: 'dispute', body: value }) },
  { field: 'body', lines: 'multi', send: (value) => senderAct(app, sent, { action: 'provide-info', body: value }) },
  { field: 'body', lines: 'multi', send: (value) => act(app, coordinator, sent.id, { action: 'answer', body: value }) },
  {
    field: 'title',
    lines: 'single',
    send: (value) =>
      act(app, coordinator, sent.id, { action: 'publish', title: value, content: 'Nội dung.', answer: 'Trả lời.' }),
  },
  {
    field: 'display_name',
    lines: 'single',
    send: (value) =>
      staffPost(app, admin, '/api/v1/staff/users', {
        username: 'can-bo-moi',
        display_name: value,
        roles: [{ role: 'handler', unit: 'phuong-ninh-hoa' }],
      }),
  },
  {
    field: 'comment',
    lines: 'multi',
    send: (value) =>
      Promise.resolve(
        app.request(
          '/api/v1/page-usefulness',
          {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ procedure: '1.001193', useful: 'yes', comment: value }),
          },
          freshAddress(),
        ),
      ),
  },
];

async function expectRefused(res: Response, field: string, label: string): Promise<void> {
  const text = await res.text();
  expect(res.status, `${label}: ${text}`).toBe(422);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const body = JSON.parse(text) as { code: string; errors?: { path: string; code: string }[] };
  expect(body.code, label).toBe('validation_failed');
  expect(body.errors, label).toContainEqual({ path: field, code: 'control_character' });
}

const EVERYWHERE = [
  '\u0000',
  'Đường\u0000hỏng',
  'a\u0007b',
  'x\u001b[31m',
  'del\u007f',
  'nel\u0085',
  'half \ud800 pair',
  'low\udc00',
];
const SINGLE_LINE_ONLY = ['dòng 1\ndòng 2', 'a\r\nb', 'a\rb'];

describe('control characters in text fields (issue #7 part 6)', () => {
  it('refuses each one in every listed field with control_character, writing nothing', async () => {
    const before = await h.counts(TABLES);
    for (const { field, lines, send } of FIELDS) {
      const bad = lines === 'single' ? [...EVERYWHERE, ...SINGLE_LINE_ONLY] : EVERYWHERE;
      for (const value of bad) await expectRefused(await send(value), field, `${field} ${JSON.stringify(value)}`);
    }
    expect(await h.counts(TABLES)).toEqual(before);
  });

  it('fuzz: any string with a control character is refused, never a 500', async () => {
    const control = fc.constantFrom(...'\u0000\u0001\u0008\u000b\u000c\u000e\u001f\u007f\u0080\u009f\ud800\udfff');
    // A lone half of a surrogate pair can meet its other half in the generated text: keep only the
    // strings that still hold a control character or a lone surrogate (checked without our code).
    const stillBad = (s: string) =>
      !s.isWellFormed() ||
      [...s].some((ch) => {
        const n = ch.codePointAt(0)!;
        return (n < 0x20 && !'\t\n\r'.includes(ch)) || (n >= 0x7f && n <= 0x9f);
      });
    const text = fc
      .tuple(fc.string({ maxLength: 20, unit: 'binary' }), control, fc.string({ maxLength: 20, unit: 'binary' }))
      .map((p) => p.join(''))
      .filter(stillBad);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...FIELDS), text, async ({ field, send }, value) => {
        const res = await send(value);
        expect(res.status).toBeLessThan(500);
        // Trimming may leave nothing (a lone form feed): then the field is simply empty (required,
        // or an absent optional comment).
        if (stillBad(value.trim())) await expectRefused(res, field, `${field} ${JSON.stringify(value)}`);
      }),
      { numRuns: 300, seed: 7_006 },
    );
  });

  it('keeps line breaks and tabs in multi-line fields, and plain Vietnamese everywhere', async () => {
    expect(hasControlCharacter('Đoạn 1.\r\n\tĐoạn 2.', 'multi')).toBe(false);
    expect(hasControlCharacter('Đoạn 1.\nĐoạn 2.', 'single')).toBe(true);
    expect(hasControlCharacter('Nguyễn Thị Ánh 😀', 'single')).toBe(false);
    const ok = await sendFeedback(h, app, { content: 'Dòng 1.\r\nDòng 2.\tHết.' });
    expect(ok.code).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
  });
});
