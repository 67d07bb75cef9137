/**
 * Issue #7 part 4 through the real API over a real libSQL file: the publish step refuses texts
 * that still hold personal data (listing offsets and kinds), and the inbox search is no oracle for
 * what a member reads redacted — publishers and mixed-role accounts search the redacted text, and
 * every search is audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHarness, type Harness } from '../test-harness.ts';
import { backfillRedacted } from '../feedback/redacted-search.ts';
import { act, sendFeedback, staffGet, staffMember, type App, type Signed } from '../feedback/test-kit.ts';

let clock = new Date('2026-03-02T02:00:00Z');
let h: Harness;
let app: App;
let coordinator: Signed;
let handler: Signed;
let publisher: Signed;
/** Coordinator and publisher of the same subtree: reads redacted text there. */
let mixed: Signed;

const CCCD = '079085001234';
const PHONE = '0905 123 456';

async function answered(overrides: Record<string, unknown> = {}): Promise<number> {
  const sent = await sendFeedback(h, app, {
    content: `Tôi đã nộp hồ sơ cấp đổi giấy chứng nhận, CCCD ${CCCD}, gọi ${PHONE} mãi không ai nghe.`,
    ...overrides,
  });
  for (const [who, input] of [
    [coordinator, { action: 'classify' }],
    [coordinator, { action: 'assign', unit: 'phuong-ninh-hoa' }],
    [handler, { action: 'start' }],
    [handler, { action: 'answer', body: 'Theo Nghị định 61/2018/NĐ-CP, hồ sơ H37.240101.0001 đã được giải quyết.' }],
  ] as const) {
    const res = await act(app, who, sent.id, input);
    expect(res.status, await res.clone().text()).toBe(200);
  }
  return sent.id;
}

beforeAll(async () => {
  h = await openHarness('staff-redaction');
  app = h.app({ POW_REQUIRED: '0', RATE_LIMIT_MAX: '100000', STAFF_IDLE_MINUTES: '1440' }, () => clock);
  coordinator = await staffMember(h, app, 'dp', [{ role: 'coordinator', unit: 'khanh-hoa' }]);
  handler = await staffMember(h, app, 'xl', [{ role: 'handler', unit: 'phuong-ninh-hoa' }]);
  publisher = await staffMember(h, app, 'cb', [{ role: 'publisher', unit: 'khanh-hoa' }]);
  mixed = await staffMember(h, app, 'hon-hop', [
    { role: 'handler', unit: 'phuong-ninh-hoa' },
    { role: 'publisher', unit: 'phuong-ninh-hoa' },
  ]);
}, 60_000);

afterAll(() => h.close());

describe('publishing re-checks the texts', () => {
  it('refuses a raw phone number and CCCD in the edited text (422, spans with offsets and kinds), writes nothing', async () => {
    const id = await answered();
    const content = `Người dân phản ánh, số CCCD ${CCCD}, điện thoại ${PHONE}.`;
    const res = await act(app, publisher, id, {
      action: 'publish',
      title: 'Chậm cấp đổi giấy chứng nhận',
      content,
      answer: 'Hồ sơ đã được giải quyết.',
    });
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const body = (await res.json()) as {
      code: string;
      errors: { path: string; code: string; params: { start: number; end: number }; kind: string }[];
    };
    expect(body.code).toBe('personal_data_remains');
    expect(body.errors.map((e) => [e.path, e.code, e.kind])).toEqual([
      ['content', 'personal_data', 'id-number'],
      ['content', 'personal_data', 'phone'],
    ]);
    const [id1, ph] = body.errors;
    expect(content.slice(id1!.params.start, id1!.params.end)).toBe(CCCD);
    expect(content.slice(ph!.params.start, ph!.params.end)).toBe(PHONE);
    // The refusal names where, never what.
    expect(JSON.stringify(body)).not.toContain(CCCD.slice(3));
    const pub = await h.db.client.execute({
      sql: 'SELECT count(*) AS n FROM feedback_publications WHERE feedback_id = ?',
      args: [id],
    });
    expect(Number(pub.rows[0]!.n)).toBe(0);
    const listed = await app.request('/api/v1/published-feedback');
    expect(await listed.text()).not.toContain(CCCD);
    const csv = await app.request('/api/v1/published-feedback.csv');
    expect(await csv.text()).not.toContain(CCCD);
  });

  it('publishes the preview as it comes, and an edit that adds no personal data', async () => {
    const id = await answered();
    const preview = (await (
      await staffGet(app, publisher, `/api/v1/staff/feedback/${id}/publication-preview`)
    ).json()) as {
      title: string;
      content: string;
      answer: string;
    };
    expect(preview.content).not.toContain(CCCD);
    const res = await act(app, publisher, id, {
      action: 'publish',
      title: preview.title,
      content: `${preview.content} Đường Trần Phú bị ngập sau mưa ngày 12/3/2026.`,
      answer: preview.answer,
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const pub = await h.db.client.execute({
      sql: 'SELECT content, answer FROM feedback_publications WHERE feedback_id = ?',
      args: [id],
    });
    expect(String(pub.rows[0]!.content)).toContain('Đường Trần Phú bị ngập');
    expect(String(pub.rows[0]!.answer)).toContain('61/2018/NĐ-CP');
  });
});

describe('the inbox search is no oracle', () => {
  async function found(who: Signed, q: string): Promise<{ total: number; titles: string[] }> {
    const res = await staffGet(app, who, `/api/v1/staff/feedback?q=${encodeURIComponent(q)}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { total: number; items: { title: string }[] };
    return { total: body.total, titles: body.items.map((i) => i.title) };
  }

  it('a publisher cannot recover a redacted CCCD digit by digit; the handler can search it', async () => {
    const sent = await sendFeedback(h, app, {
      title: `Mất CCCD ${CCCD} khi nộp hồ sơ`,
      content: `CCCD của tôi là ${CCCD}, nhờ cán bộ kiểm tra. Liên hệ ${PHONE}.`,
    });
    void sent;
    // What a publisher would try: growing prefixes of the number.
    for (const prefix of [CCCD.slice(0, 4), CCCD.slice(0, 8), CCCD]) {
      expect((await found(publisher, prefix)).total).toBe(0);
      expect((await found(mixed, prefix)).total).toBe(0);
    }
    expect((await found(publisher, '905123')).total).toBe(0);
    expect((await found(handler, CCCD)).total).toBeGreaterThan(0);
    // The redacted text is searchable: its placeholder words and the rest of the title.
    const p = await found(publisher, 'mat cccd khi nop');
    expect(p.total).toBeGreaterThan(0);
    expect(p.titles.join(' ')).not.toContain(CCCD);
    expect(p.titles.join(' ')).toContain('[số CCCD]');
    // A mixed account sees the redacted title where one of its roles reads redacted text.
    const m = await found(mixed, 'mat cccd khi nop');
    expect(m.titles.join(' ')).not.toContain(CCCD);
    const c = await found(coordinator, 'mat cccd khi nop');
    expect(c.titles.join(' ')).toContain(CCCD);
  });

  it('the mixed account also reads the case redacted, and every search is audited with counts only', async () => {
    const sent = await sendFeedback(h, app, { content: `Số CCCD ${CCCD}, hồ sơ chậm.` });
    const seen = (await (await staffGet(app, mixed, `/api/v1/staff/feedback/${sent.id}`)).json()) as {
      content: string;
    };
    expect(seen.content).not.toContain(CCCD);
    const before = await h.db.client.execute("SELECT count(*) AS n FROM audit_log WHERE action = 'feedback_search'");
    await found(publisher, CCCD.slice(0, 6));
    const after = await h.db.client.execute(
      "SELECT staff_id, details FROM audit_log WHERE action = 'feedback_search' ORDER BY id DESC LIMIT 1",
    );
    const n = await h.db.client.execute("SELECT count(*) AS n FROM audit_log WHERE action = 'feedback_search'");
    expect(Number(n.rows[0]!.n)).toBe(Number(before.rows[0]!.n) + 1);
    expect(Number(after.rows[0]!.staff_id)).toBe(publisher.staffId);
    expect(String(after.rows[0]!.details)).toBe('{"words":1,"results":0}');
  });

  it('rows from before migration 0008 are backfilled, and match nothing redacted until then', async () => {
    const sent = await sendFeedback(h, app, { title: `Hồ sơ CCCD ${CCCD} bị trả lại` });
    await h.db.client.execute({
      sql: 'UPDATE feedback SET search_redacted = NULL, title_redacted = NULL WHERE id = ?',
      args: [sent.id],
    });
    expect((await found(publisher, 'bi tra lai')).total).toBe(0);
    expect(await backfillRedacted(h.db.client)).toBe(1);
    const after = await found(publisher, 'bi tra lai');
    expect(after.total).toBe(1);
    expect(after.titles[0]).toBe('Hồ sơ CCCD [số CCCD] bị trả lại');
    clock = new Date(clock.getTime() + 1000);
  });
});
