/**
 * The sender's rights over their data (issue #7 part 4; docs/privacy.md), through the real API over
 * a real libSQL file: the notice version stored at intake (web and staff entry), the export holds
 * exactly the sender's data and nothing of another case, requests need the right key, their due
 * dates count working days, staff carry them out or refuse them (audited, in the history the sender
 * sees, with the outcome e-mailed), and deleting contact data keeps the published record.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHarness, type Harness } from '../test-harness.ts';
import { loadCalendar } from '../contracts/calendar.ts';
import { workingDaysBetween } from '../deadlines/calendar.ts';
import { requestDue } from '../privacy/requests.ts';
import {
  SENDER,
  act,
  freshAddress,
  sendFeedback,
  senderTrack,
  staffGet,
  staffMember,
  staffPost,
  type App,
  type SentFeedback,
  type Signed,
} from '../feedback/test-kit.ts';

/** Friday 6/3/2026 10:00 in Việt Nam. */
let clock = new Date('2026-03-06T03:00:00Z');
let h: Harness;
let app: App;
let coordinator: Signed;
let handler: Signed;
let publisher: Signed;
let otherHandler: Signed;

async function json<T = Record<string, unknown>>(res: Response, status = 200): Promise<T> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  return JSON.parse(text) as T;
}

function post(path: string, body: unknown, type = 'application/json'): Promise<Response> {
  return Promise.resolve(
    app.request(
      path,
      {
        method: 'POST',
        headers: { 'Content-Type': type },
        body: type === 'application/json' ? JSON.stringify(body) : new URLSearchParams(body as Record<string, string>),
      },
      freshAddress(),
    ),
  );
}

async function auditRows(action: string, target: number): Promise<Record<string, unknown>[]> {
  const rs = await h.db.client.execute({
    sql: 'SELECT * FROM audit_log WHERE action = ? AND target_id = ? ORDER BY id',
    args: [action, String(target)],
  });
  return rs.rows as unknown as Record<string, unknown>[];
}

/** A case taken through to published, as in the lifecycle test. */
async function publishedCase(): Promise<SentFeedback> {
  const sent = await sendFeedback(h, app, { show_name: true });
  await json(await act(app, coordinator, sent.id, { action: 'classify', subject: 'hanh-vi' }));
  await json(await act(app, coordinator, sent.id, { action: 'assign', unit: 'phuong-ninh-hoa' }));
  await json(await act(app, handler, sent.id, { action: 'start' }));
  await json(await act(app, handler, sent.id, { action: 'answer', body: 'Hồ sơ đã được trả ngày 10/3/2026.' }));
  await json(
    await act(app, publisher, sent.id, {
      action: 'publish',
      title: 'Hẹn trả kết quả nhiều lần',
      content: 'Hồ sơ đất đai bị hẹn lại ba lần.',
      answer: 'Hồ sơ đã được trả ngày 10/3/2026.',
      show_name: true,
    }),
  );
  return sent;
}

beforeAll(async () => {
  h = await openHarness('feedback-rights');
  app = h.app(
    { POW_REQUIRED: '0', RATE_LIMIT_MAX: '100000', STAFF_IDLE_MINUTES: '1440', STAFF_SESSION_HOURS: '168' },
    () => clock,
  );
  coordinator = await staffMember(h, app, 'dp-quyen', [{ role: 'coordinator', unit: 'khanh-hoa' }]);
  handler = await staffMember(h, app, 'xl-quyen', [{ role: 'handler', unit: 'phuong-ninh-hoa' }]);
  publisher = await staffMember(h, app, 'cb-quyen', [{ role: 'publisher', unit: 'khanh-hoa' }]);
  otherHandler = await staffMember(h, app, 'xl-khac-quyen', [{ role: 'handler', unit: 'phuong-hoa-thang' }]);
});

afterAll(() => h.close());

describe('the notice in force', () => {
  it('stores the current notice version on cases from the web form and from staff entry; old rows keep 2023-nd13', async () => {
    const web = await sendFeedback(h, app);
    const entered = await json<{ id: number }>(
      await staffPost(app, coordinator, '/api/v1/staff/feedback', {
        kind: 'kien-nghi',
        subject: 'quy-dinh',
        unit: 'phuong-ninh-hoa',
        title: 'Thư gửi qua bưu điện',
        content: 'Đề nghị niêm yết phí.',
        channel: 'letter',
        name: 'Người gửi thư',
        address: '1 Đường Thư',
        publish_content: false,
        locale: 'vi',
      }),
      201,
    );
    const rs = await h.db.client.execute({
      sql: 'SELECT id, notice_version FROM feedback WHERE id IN (?, ?) ORDER BY id',
      args: [web.id, entered.id],
    });
    expect(rs.rows.map((r) => r.notice_version)).toEqual(['2026-01', '2026-01']);
    // The migration's default marks rows written without a version (those before 0006) as the old notice.
    const col = await h.db.client.execute(
      "SELECT dflt_value FROM pragma_table_info('feedback') WHERE name = 'notice_version'",
    );
    expect(String(col.rows[0]!.dflt_value)).toBe("'2023-nd13'");
    const seen = await json<{ notice_version: string; contact_kept: boolean }>(await senderTrack(app, web));
    expect(seen.notice_version).toBe('2026-01');
    expect(seen.contact_kept).toBe(true);
  });
});

describe('export', () => {
  it('holds exactly the sender’s data and nothing of another case, never cached, audited', async () => {
    const mine = await sendFeedback(h, app, { title: 'Đèn đường hỏng ở tổ 5' });
    const other = await sendFeedback(h, app, {
      title: 'Một việc khác hẳn',
      name: 'Người Khác Hẳn',
      phone: '0911222333',
      email: 'nguoi.khac@example.vn',
      content: 'Nội dung của người khác.',
    });
    const res = await post('/api/v1/feedback/export', { code: mine.code, key: mine.key });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="gopy-${mine.code}.json"`);
    const text = await res.text();
    const body = JSON.parse(text) as {
      notice_version: string;
      case: { tracking_code: string; title: string; content: string };
      contact: { name: string; phone: string; email: string; address: string };
      history: { tracking_code: string; events: unknown[] };
    };
    expect(body.notice_version).toBe('2026-01');
    expect(body.case.tracking_code).toBe(mine.code);
    expect(body.case.title).toBe('Đèn đường hỏng ở tổ 5');
    expect(body.contact).toEqual({
      name: SENDER.name,
      phone: '0987654321',
      email: SENDER.email,
      address: SENDER.address,
    });
    expect(body.history.tracking_code).toBe(mine.code);
    for (const s of [other.code, 'Người Khác Hẳn', '0911222333', 'nguoi.khac', 'Một việc khác hẳn', mine.key])
      expect(text).not.toContain(s);
    expect(await auditRows('sender_export', mine.id)).toHaveLength(1);

    // The plain form post of the tracking page works the same way.
    const form = await post(
      '/api/v1/feedback/export',
      { code: mine.code, key: mine.key },
      'application/x-www-form-urlencoded',
    );
    expect(form.status).toBe(200);
  });

  it('refuses a wrong key with the same 404 as an unknown code, and writes nothing', async () => {
    const mine = await sendFeedback(h, app);
    const res = await post('/api/v1/feedback/export', { code: mine.code, key: 'x'.repeat(32) });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await res.json()) as { code: string }).code).toBe('feedback_not_found');
    expect(await auditRows('sender_export', mine.id)).toHaveLength(0);
  });
});

describe('requests', () => {
  it('refuses a wrong key and bad input with problem+json, writing nothing', async () => {
    const mine = await sendFeedback(h, app);
    const wrong = await post('/api/v1/feedback/data-request', {
      code: mine.code,
      key: 'y'.repeat(32),
      kind: 'delete',
      reason: 'Không muốn lưu',
    });
    expect(wrong.status).toBe(404);
    const empty = await post('/api/v1/feedback/data-request', {
      code: mine.code,
      key: mine.key,
      kind: 'correct',
      reason: 'Sai số',
    });
    expect(empty.status).toBe(422);
    expect(((await empty.json()) as { code: string }).code).toBe('correction_empty');
    const badPhone = await post('/api/v1/feedback/data-request', {
      code: mine.code,
      key: mine.key,
      kind: 'correct',
      reason: 'Sai số',
      phone: '12',
    });
    expect(badPhone.status).toBe(422);
    const noReason = await post('/api/v1/feedback/data-request', { code: mine.code, key: mine.key, kind: 'delete' });
    expect(noReason.status).toBe(422);
    const count = await h.db.client.execute({
      sql: 'SELECT count(*) AS n FROM data_requests WHERE feedback_id = ?',
      args: [mine.id],
    });
    expect(Number(count.rows[0]!.n)).toBe(0);
  });

  it('counts the due date in working days (Friday + 3 → Wednesday; over the 30/4–1/5 holidays)', () => {
    const cal = loadCalendar('content');
    const due = requestDue('content', 'delete', new Date('2026-03-06T03:00:00Z'));
    expect(due.toISOString()).toBe('2026-03-11T16:59:59.999Z');
    expect(workingDaysBetween(new Date('2026-03-06T03:00:00Z'), due, cal).days).toBe(3);
    // Wednesday 29/4/2026: 30/4 and 1/5 are days off, then the weekend.
    const may = requestDue('content', 'correct', new Date('2026-04-29T03:00:00Z'));
    expect(may.toISOString()).toBe('2026-05-06T16:59:59.999Z');
  });

  it('a correction: filed, seen by the handler with its due date, carried out, audited, told to the sender', async () => {
    clock = new Date('2026-03-06T03:00:00Z');
    const mine = await sendFeedback(h, app);
    const filed = await json<{ request: { id: number; status: string; due_at: string } }>(
      await post('/api/v1/feedback/data-request', {
        code: mine.code,
        key: mine.key,
        kind: 'correct',
        reason: 'Tôi đã đổi số điện thoại',
        phone: '0977 111 222',
        email: 'moi@example.vn',
      }),
      201,
    );
    expect(filed.request.status).toBe('pending');
    expect(filed.request.due_at).toBe('2026-03-11T16:59:59.999Z');
    const again = await post('/api/v1/feedback/data-request', {
      code: mine.code,
      key: mine.key,
      kind: 'correct',
      reason: 'Lần nữa',
      phone: '0977 111 333',
    });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { code: string }).code).toBe('data_request_pending');

    // The inbox list: the handler of the unit sees it, with no personal data; another unit's does not.
    const list = await json<{ items: { id: number; reason: string | null; due_at: string; overdue: boolean }[] }>(
      await staffGet(app, handler, '/api/v1/staff/data-requests'),
    );
    const item = list.items.find((i) => i.id === filed.request.id)!;
    expect(item.due_at).toBe('2026-03-11T16:59:59.999Z');
    expect(item.reason).toBeNull();
    expect(JSON.stringify(list)).not.toContain('0977111222');
    const others = await json<{ items: { id: number }[] }>(
      await staffGet(app, otherHandler, '/api/v1/staff/data-requests'),
    );
    expect(others.items.map((i) => i.id)).not.toContain(filed.request.id);
    const theirs = await staffPost(app, otherHandler, `/api/v1/staff/data-requests/${filed.request.id}`, {
      decision: 'carry-out',
    });
    expect(theirs.status).toBe(404);
    const publisherTry = await staffPost(app, publisher, `/api/v1/staff/data-requests/${filed.request.id}`, {
      decision: 'carry-out',
    });
    expect(publisherTry.status).toBe(403);

    // The case's own list shows the reason and new values, as an audited read.
    const detail = await json<{ items: { reason: string; corrections: Record<string, string> }[] }>(
      await staffGet(app, handler, `/api/v1/staff/data-requests?feedback=${mine.id}`),
    );
    expect(detail.items[0]!.reason).toBe('Tôi đã đổi số điện thoại');
    expect(detail.items[0]!.corrections).toEqual({ phone: '0977111222', email: 'moi@example.vn' });

    clock = new Date('2026-03-06T05:00:00Z');
    const done = await staffPost(app, handler, `/api/v1/staff/data-requests/${filed.request.id}`, {
      decision: 'carry-out',
    });
    expect(done.status).toBe(204);
    const twice = await staffPost(app, handler, `/api/v1/staff/data-requests/${filed.request.id}`, {
      decision: 'carry-out',
    });
    expect(twice.status).toBe(409);

    const contact = await h.db.client.execute({
      sql: 'SELECT name, phone, email, address FROM feedback_contacts WHERE feedback_id = ?',
      args: [mine.id],
    });
    expect(contact.rows[0]).toMatchObject({
      name: SENDER.name,
      phone: '0977111222',
      email: 'moi@example.vn',
      address: SENDER.address,
    });
    const stored = await h.db.client.execute({
      sql: 'SELECT status, corrections, staff_id FROM data_requests WHERE id = ?',
      args: [filed.request.id],
    });
    expect(stored.rows[0]).toMatchObject({ status: 'done', corrections: null, staff_id: handler.staffId });
    expect(await auditRows('data_request_filed', mine.id)).toHaveLength(1);
    const decided = await auditRows('data_request_decided', mine.id);
    expect(decided).toHaveLength(1);
    expect(decided[0]!.staff_id).toBe(handler.staffId);
    expect((await auditRows('view_personal_data', mine.id)).length).toBeGreaterThanOrEqual(1);

    // The sender sees the outcome in the history; the mail goes to the corrected address.
    const seen = await json<{ events: { action: string }[]; data_requests: { status: string }[] }>(
      await senderTrack(app, mine),
    );
    expect(seen.events.map((e) => e.action)).toEqual(expect.arrayContaining(['data-request', 'data-correct']));
    expect(seen.data_requests[0]!.status).toBe('done');
    const mail = await h.db.client.execute({
      sql: 'SELECT to_address, subject FROM email_outbox WHERE dedupe_key = ?',
      args: [`fb:${mine.code}:data-request:${filed.request.id}`],
    });
    expect(mail.rows[0]).toMatchObject({ to_address: 'moi@example.vn' });
  });

  it('a refusal needs a reason, which the sender reads', async () => {
    const mine = await sendFeedback(h, app);
    const filed = await json<{ request: { id: number } }>(
      await post('/api/v1/feedback/data-request', {
        code: mine.code,
        key: mine.key,
        kind: 'delete',
        reason: 'Xóa giúp',
      }),
      201,
    );
    const bare = await staffPost(app, coordinator, `/api/v1/staff/data-requests/${filed.request.id}`, {
      decision: 'refuse',
    });
    expect(bare.status).toBe(422);
    expect(
      (
        await staffPost(app, coordinator, `/api/v1/staff/data-requests/${filed.request.id}`, {
          decision: 'refuse',
          note: 'Hồ sơ đang giải quyết, cần liên hệ Ông/Bà đến khi trả lời.',
        })
      ).status,
    ).toBe(204);
    const seen = await json<{ events: { action: string; note: string | null }[]; contact_kept: boolean }>(
      await senderTrack(app, mine),
    );
    expect(seen.events.find((e) => e.action === 'data-refuse')!.note).toBe(
      'Hồ sơ đang giải quyết, cần liên hệ Ông/Bà đến khi trả lời.',
    );
    expect(seen.contact_kept).toBe(true);
  });

  it('a deletion carried out removes the contact data and the shown name, and keeps the published record', async () => {
    clock = new Date('2026-03-06T06:00:00Z');
    const mine = await publishedCase();
    const before = await h.db.client.execute({
      sql: 'SELECT title, content, answer, sender_name FROM feedback_publications WHERE feedback_id = ?',
      args: [mine.id],
    });
    expect(before.rows).toHaveLength(1);
    const filed = await json<{ request: { id: number } }>(
      await post('/api/v1/feedback/data-request', {
        code: mine.code,
        key: mine.key,
        kind: 'delete',
        reason: 'Tôi không muốn lưu thông tin liên hệ nữa',
      }),
      201,
    );
    expect(
      (await staffPost(app, handler, `/api/v1/staff/data-requests/${filed.request.id}`, { decision: 'carry-out' }))
        .status,
    ).toBe(204);

    const contact = await h.db.client.execute({
      sql: 'SELECT count(*) AS n FROM feedback_contacts WHERE feedback_id = ?',
      args: [mine.id],
    });
    expect(Number(contact.rows[0]!.n)).toBe(0);
    const after = await h.db.client.execute({
      sql: 'SELECT title, content, answer, sender_name FROM feedback_publications WHERE feedback_id = ?',
      args: [mine.id],
    });
    expect(after.rows[0]).toMatchObject({
      title: before.rows[0]!.title,
      content: before.rows[0]!.content,
      answer: before.rows[0]!.answer,
      sender_name: null,
    });
    const pub = await app.request(`/api/v1/published-feedback/${mine.code}`);
    expect(pub.status).toBe(200);
    const caseRow = await h.db.client.execute({ sql: 'SELECT status FROM feedback WHERE id = ?', args: [mine.id] });
    expect(caseRow.rows[0]!.status).toBe('published');

    // The sender still follows the case, sees the outcome, and the export holds no contact data.
    const seen = await json<{ contact_kept: boolean; events: { action: string }[] }>(await senderTrack(app, mine));
    expect(seen.contact_kept).toBe(false);
    expect(seen.events.map((e) => e.action)).toContain('data-delete');
    const exported = (await (await post('/api/v1/feedback/export', { code: mine.code, key: mine.key })).json()) as {
      contact: unknown;
    };
    expect(exported.contact).toBeNull();
    // The last mail went to the address held before the deletion.
    const mail = await h.db.client.execute({
      sql: 'SELECT to_address FROM email_outbox WHERE dedupe_key = ?',
      args: [`fb:${mine.code}:data-request:${filed.request.id}`],
    });
    expect(mail.rows[0]!.to_address).toBe(SENDER.email);
    // No further request about contact data that is gone.
    const more = await post('/api/v1/feedback/data-request', {
      code: mine.code,
      key: mine.key,
      kind: 'delete',
      reason: 'Lần nữa',
    });
    expect(more.status).toBe(409);
    expect(((await more.json()) as { code: string }).code).toBe('contact_deleted');
    expect(await auditRows('data_request_decided', mine.id)).toHaveLength(1);
  });
});
