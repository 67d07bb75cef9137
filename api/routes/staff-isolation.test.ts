/**
 * Unit isolation of feedback (issue #4: "a handler of unit A cannot read or act on unit B's items
 * (enumerating 1,000 ids returns none)"), through the real API over a real libSQL file.
 *
 * 50 cases across seven units, some with a file. A handler of phuong-ninh-hoa enumerates ids
 * 1..1,000 on every staff read route and on the action route: the cases of other units answer
 * exactly as a missing id does (404 feedback_not_found, same body but for the request id and path),
 * their own are visible. The inbox, with every filter, never lists another unit's case. A
 * coordinator of a department assigns only inside it; a publisher of a ward cannot publish the
 * province's cases. On the sender's side, the key of case A never opens case B, nor does its link.
 */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHarness, type Harness } from '../test-harness.ts';
import {
  act,
  freshAddress,
  sendFeedback,
  staffGet,
  staffMember,
  type App,
  type SentFeedback,
  type Signed,
} from '../feedback/test-kit.ts';

const IDS = 1000;
const OWN = 'phuong-ninh-hoa';
/** Units of the other cases: a sibling ward, a department and its hospital, a commune, the province, another province. */
const OTHERS = [
  'phuong-hoa-thang',
  'so-y-te',
  'benh-vien-da-khoa-khanh-hoa',
  'xa-tan-dinh',
  'khanh-hoa',
  'thanh-pho-hue',
];

let h: Harness;
let app: App;
/** Monday 2/3/2026 09:00 in Việt Nam. */
const clock = new Date('2026-03-02T02:00:00Z');
let handler: Signed;
let coordinator: Signed;
let provinceHandler: Signed;
let provincePublisher: Signed;

interface Made extends SentFeedback {
  unit: string;
  /** A word only this case's title holds. */
  word: string;
  fileId: number | null;
}
const cases: Made[] = [];
const own = () => cases.filter((c) => c.unit === OWN);
const foreign = () => cases.filter((c) => c.unit !== OWN);

async function png(seed: number): Promise<File> {
  const bytes = await sharp({
    create: { width: 8, height: 8, channels: 3, background: { r: seed % 255, g: 80, b: 120 } },
  })
    .png()
    .toBuffer();
  return new File([new Uint8Array(bytes)], `anh-${seed}.png`, { type: 'image/png' });
}

interface ProblemBody {
  type: string;
  title: string;
  status: number;
  code: string;
  instance?: string;
  request_id?: string;
  errors?: unknown;
}

/** The problem body without what differs per request (its id and path). */
async function shape(res: Response): Promise<{ status: number; contentType: string | null; body: unknown }> {
  const body = (await res.json()) as ProblemBody;
  const { request_id: _id, instance: _path, ...rest } = body;
  return { status: res.status, contentType: res.headers.get('content-type'), body: rest };
}

beforeAll(async () => {
  h = await openHarness('staff-isolation');
  app = h.app(
    {
      POW_REQUIRED: '0',
      RATE_LIMIT_MAX: '1000000',
      STAFF_IDLE_MINUTES: '1440',
      STAFF_SESSION_HOURS: '168',
      LOG_LEVEL: 'error',
    },
    () => clock,
  );
  handler = await staffMember(h, app, 'iso-xu-ly', [{ role: 'handler', unit: OWN }]);
  coordinator = await staffMember(h, app, 'iso-dieu-phoi', [{ role: 'coordinator', unit: 'khanh-hoa' }]);
  provinceHandler = await staffMember(h, app, 'iso-xu-ly-tinh', [{ role: 'handler', unit: 'khanh-hoa' }]);
  provincePublisher = await staffMember(h, app, 'iso-cong-bo-tinh', [{ role: 'publisher', unit: 'khanh-hoa' }]);
  // 50 cases: every 4th in the handler's ward, the rest spread over the other units; every 3rd with a file.
  for (let i = 0; i < 50; i++) {
    const unit = i % 4 === 0 ? OWN : OTHERS[i % OTHERS.length]!;
    const word = `maso${String(i).padStart(3, '0')}x`;
    const files = i % 3 === 0 ? [await png(i)] : [];
    const sent = await sendFeedback(h, app, { unit, title: `Phản ánh ${word} về thủ tục` }, files);
    const f = await h.db.client.execute({
      sql: 'SELECT min(id) AS id FROM feedback_attachments WHERE feedback_id = ?',
      args: [sent.id],
    });
    const fileId = f.rows[0]!.id === null ? null : Number(f.rows[0]!.id);
    cases.push({ ...sent, unit, word, fileId });
  }
});

afterAll(() => h.close());

describe('a handler of one ward enumerating ids 1..1,000', () => {
  it('every read route and the action route: other units’ cases answer exactly as missing ids; own ones are visible', async () => {
    expect(own().length).toBeGreaterThanOrEqual(10);
    expect(foreign().length).toBeGreaterThanOrEqual(35);
    const maxId = Math.max(...cases.map((c) => c.id));
    expect(maxId).toBeLessThan(IDS);
    const byId = new Map(cases.map((c) => [c.id, c]));
    const rowsBefore = await h.counts(['feedback_events', 'audit_log', 'feedback']);

    // What a truly missing id answers on each route.
    const routes: { name: string; send: (id: number) => Promise<Response> }[] = [
      { name: 'case', send: (id) => staffGet(app, handler, `/api/v1/staff/feedback/${id}`) },
      { name: 'contact', send: (id) => staffGet(app, handler, `/api/v1/staff/feedback/${id}/contact`) },
      { name: 'attachment 1', send: (id) => staffGet(app, handler, `/api/v1/staff/feedback/${id}/attachments/1`) },
      {
        name: 'preview',
        send: (id) => staffGet(app, handler, `/api/v1/staff/feedback/${id}/publication-preview`),
      },
      { name: 'apology', send: (id) => staffGet(app, handler, `/api/v1/staff/feedback/${id}/apology-letter`) },
      // A harmless step: the cases are all still `received`, where a handler may do nothing.
      { name: 'action', send: (id) => act(app, handler, id, { action: 'start' }) },
    ];
    const missing = new Map<string, Awaited<ReturnType<typeof shape>>>();
    for (const r of routes) missing.set(r.name, await shape(await r.send(IDS + 5000)));
    for (const m of missing.values()) {
      expect(m.status).toBe(404);
      expect(m.body).toMatchObject({ code: 'feedback_not_found' });
    }

    const leaked: string[] = [];
    let visible = 0;
    let requests = 0;
    for (let id = 1; id <= IDS; id++) {
      const mine = byId.get(id)?.unit === OWN;
      for (const r of routes) {
        requests++;
        const res = await r.send(id);
        if (mine) {
          // Visible: anything but "no such case" (the handler is no publisher, and the case is not late).
          const body = res.status === 200 ? undefined : ((await res.clone().json()) as ProblemBody);
          if (body?.code === 'feedback_not_found') leaked.push(`own case ${id} hidden on ${r.name}`);
          else visible++;
          continue;
        }
        const got = await shape(res);
        if (JSON.stringify(got) !== JSON.stringify(missing.get(r.name)))
          leaked.push(
            `${r.name} ${id} (${byId.get(id)?.unit ?? 'no case'}): ${res.status} ${JSON.stringify(got.body)}`,
          );
      }
    }
    expect(leaked).toEqual([]);
    expect(requests).toBe(IDS * routes.length);
    expect(visible).toBe(own().length * routes.length);
    // Nothing was written: no step, no audited read of another unit's personal data.
    const rowsAfter = await h.counts(['feedback_events', 'audit_log', 'feedback']);
    expect(rowsAfter.feedback_events).toBe(rowsBefore.feedback_events);
    const audited = await h.db.client.execute({
      sql: `SELECT DISTINCT target_id FROM audit_log WHERE staff_id = ? AND target_type = 'feedback'`,
      args: [handler.staffId],
    });
    const ownIds = new Set(own().map((c) => String(c.id)));
    for (const r of audited.rows) expect(ownIds.has(String(r.target_id))).toBe(true);
  }, 120_000);

  it('other units’ files answer 404 on the handler’s own cases and on theirs', async () => {
    const target = own()[0]!;
    for (const c of foreign().filter((x) => x.fileId !== null)) {
      const onTheirs = await staffGet(app, handler, `/api/v1/staff/feedback/${c.id}/attachments/${c.fileId}`);
      expect(onTheirs.status).toBe(404);
      const onMine = await staffGet(app, handler, `/api/v1/staff/feedback/${target.id}/attachments/${c.fileId}`);
      expect(onMine.status).toBe(404);
    }
    const mine = own().find((x) => x.fileId !== null)!;
    expect((await staffGet(app, handler, `/api/v1/staff/feedback/${mine.id}/attachments/${mine.fileId}`)).status).toBe(
      200,
    );
  });

  it('the inbox with every filter never lists another unit’s case', async () => {
    const ownIds = new Set(own().map((c) => c.id));
    const queries = [
      '',
      'status=received',
      'kind=phan-anh',
      'channel=web',
      'overdue=1',
      'page=2',
      `unit=${OWN}`,
      'unit=khanh-hoa',
      'unit=viet-nam',
      ...OTHERS.map((u) => `unit=${u}`),
      ...foreign().map((c) => `q=${c.word}`),
      ...foreign().map((c) => `q=${encodeURIComponent(c.code)}`),
      ...foreign().map((c) => `unit=${c.unit}&q=${c.word}&status=received&kind=phan-anh&channel=web`),
      'q=ph%E1%BA%A3n%20%C3%A1nh',
      'q=%25',
      'q=_',
    ];
    for (const q of queries) {
      let page = 1;
      for (;;) {
        const res = await staffGet(
          app,
          handler,
          `/api/v1/staff/feedback?${q}${q.includes('page=') ? '' : `&page=${page}`}`,
        );
        expect(res.status, q).toBe(200);
        const body = (await res.json()) as { total: number; items: { id: number; unit: { id: string } }[] };
        for (const item of body.items) {
          expect(ownIds.has(item.id), `${q}: case ${item.id} of ${item.unit.id}`).toBe(true);
          expect(item.unit.id).toBe(OWN);
        }
        expect(body.total, q).toBeLessThanOrEqual(ownIds.size);
        if (body.items.length < 25 || q.includes('page=')) break;
        page++;
      }
    }
    // A word of the handler's own case is found: the search works, it is only scoped.
    const mine = own()[0]!;
    const found = (await (await staffGet(app, handler, `/api/v1/staff/feedback?q=${mine.word}`)).json()) as {
      items: { id: number }[];
    };
    expect(found.items.map((i) => i.id)).toEqual([mine.id]);
  });
});

describe('coordinators and publishers of a sub-unit', () => {
  it('a coordinator of a department assigns only inside its subtree, and cannot see the province’s cases', async () => {
    const dept = await staffMember(h, app, 'iso-dieu-phoi-so', [{ role: 'coordinator', unit: 'so-y-te' }]);
    const c = cases.find((x) => x.unit === 'so-y-te')!;
    expect((await act(app, dept, c.id, { action: 'classify' })).status).toBe(200);
    for (const unit of ['phuong-ninh-hoa', 'khanh-hoa', 'so-giao-duc-dao-tao', 'thanh-pho-hue']) {
      const before = await h.db.client.execute({ sql: 'SELECT * FROM feedback WHERE id = ?', args: [c.id] });
      const res = await act(app, dept, c.id, { action: 'assign', unit });
      expect(res.status, unit).toBe(422);
      expect(((await res.json()) as { code: string }).code).toBe('unknown_unit');
      const after = await h.db.client.execute({ sql: 'SELECT * FROM feedback WHERE id = ?', args: [c.id] });
      expect(after.rows[0]).toEqual(before.rows[0]);
    }
    const ok = await act(app, dept, c.id, { action: 'assign', unit: 'benh-vien-da-khoa-khanh-hoa' });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { unit: { id: string } }).unit.id).toBe('benh-vien-da-khoa-khanh-hoa');
    // The province's own cases and a ward's are not theirs.
    for (const other of cases.filter((x) => x.unit === 'khanh-hoa' || x.unit === OWN)) {
      expect((await staffGet(app, dept, `/api/v1/staff/feedback/${other.id}`)).status).toBe(404);
      expect((await act(app, dept, other.id, { action: 'classify' })).status).toBe(404);
    }
  });

  it('a publisher of a ward cannot preview nor publish the province’s answered case; the province’s publisher can', async () => {
    const wardPublisher = await staffMember(h, app, 'iso-cong-bo-phuong', [{ role: 'publisher', unit: OWN }]);
    const c = cases.find((x) => x.unit === 'khanh-hoa')!;
    for (const [who, step] of [
      [coordinator, { action: 'classify' }],
      [coordinator, { action: 'assign', unit: 'khanh-hoa' }],
      [provinceHandler, { action: 'start' }],
      [provinceHandler, { action: 'answer', body: 'UBND tỉnh trả lời.' }],
    ] as const)
      expect((await act(app, who, c.id, step)).status).toBe(200);
    const publish = { action: 'publish', title: 'Tiêu đề', content: 'Nội dung', answer: 'Trả lời' };
    const before = await h.counts(['feedback_publications', 'feedback_events']);
    expect((await staffGet(app, wardPublisher, `/api/v1/staff/feedback/${c.id}/publication-preview`)).status).toBe(404);
    expect((await act(app, wardPublisher, c.id, publish)).status).toBe(404);
    expect(await h.counts(['feedback_publications', 'feedback_events'])).toEqual(before);
    expect((await staffGet(app, provincePublisher, `/api/v1/staff/feedback/${c.id}/publication-preview`)).status).toBe(
      200,
    );
    expect((await act(app, provincePublisher, c.id, publish)).status).toBe(200);
  });
});

describe('the sender side', () => {
  const track = (body: Record<string, unknown>) =>
    app.request(
      '/api/v1/feedback/track',
      { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) },
      freshAddress(),
    );
  const file = (body: Record<string, unknown>) =>
    app.request(
      '/api/v1/feedback/attachment',
      { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) },
      freshAddress(),
    );
  const action = (body: Record<string, unknown>) =>
    app.request(
      '/api/v1/feedback/action',
      { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) },
      freshAddress(),
    );

  it('the code of case B with the key of case A opens nothing (track, file, action): 404 as for an unknown code', async () => {
    const withFiles = cases.filter((c) => c.fileId !== null);
    const unknown = await shape(await track({ code: 'ZZZZ-ZZZZ', key: cases[0]!.key }));
    expect(unknown.status).toBe(404);
    const events = await h.counts(['feedback_events', 'feedback_messages', 'answer_ratings']);
    let pairs = 0;
    for (const a of cases.slice(0, 20))
      for (const b of withFiles.slice(0, 10)) {
        if (a.id === b.id) continue;
        pairs++;
        expect(await shape(await track({ code: b.code, key: a.key }))).toEqual(unknown);
        expect((await file({ code: b.code, key: a.key, id: b.fileId })).status).toBe(404);
        // A's own key with B's file id: the file is not A's.
        expect((await file({ code: a.code, key: a.key, id: b.fileId })).status).toBe(404);
        expect(
          (await action({ code: b.code, key: a.key, action: 'provide-info', body: 'Bổ sung thông tin' })).status,
        ).toBe(404);
      }
    expect(pairs).toBeGreaterThan(150);
    expect(await h.counts(['feedback_events', 'feedback_messages', 'answer_ratings'])).toEqual(events);
    // The right pair still works.
    const b = withFiles[0]!;
    expect((await track({ code: b.code, key: b.key })).status).toBe(200);
    expect((await file({ code: b.code, key: b.key, id: b.fileId })).status).toBe(200);
  });

  it('the e-mailed link of case A opens only case A, whatever code comes with it', async () => {
    const a = cases[1]!;
    const b = cases.find((x) => x.fileId !== null && x.id !== a.id)!;
    const mail = await h.db.client.execute({
      sql: 'SELECT body_text FROM email_outbox WHERE dedupe_key = ?',
      args: [`fb:${a.code}:receipt`],
    });
    const link = /\/l\/([A-Z0-9]{16})\b/.exec(String(mail.rows[0]!.body_text))![1]!;
    for (const body of [{ link }, { link, code: b.code }, { link, code: b.code, key: b.key }]) {
      const res = await track(body);
      // A link sent with a code and a key: either refused, or A's case, never B's.
      if (res.status === 200) expect(((await res.json()) as { tracking_code: string }).tracking_code).toBe(a.code);
      else expect(res.status).toBe(422);
    }
    expect((await file({ link, id: b.fileId })).status).toBe(404);
    expect((await action({ link, code: b.code, action: 'provide-info', body: 'x' })).status).not.toBe(200);
    const bAfter = await h.db.client.execute({ sql: 'SELECT status FROM feedback WHERE id = ?', args: [b.id] });
    expect(bAfter.rows[0]!.status).toBe('received');
    // A link one character off opens nothing.
    const wrong = `${link.slice(0, -1)}${link.endsWith('A') ? 'B' : 'A'}`;
    expect((await track({ link: wrong })).status).toBe(404);
  });
});
