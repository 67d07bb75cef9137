/**
 * The whole feedback lifecycle through the real API over a real libSQL file (issue #4 "Done
 * when"): a sender files feedback with a photo; a coordinator classifies and assigns it; a handler
 * answers it with a PDF; a publisher previews and publishes it without personal data; the sender
 * reads the answer, rates it and disputes it; the case returns to the unit. Plus the inbox, manual
 * entry, audit of personal-data reads, the apology letter and e-mails in the outbox.
 */
import { PDFDocument } from 'pdf-lib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHarness, type Harness } from '../test-harness.ts';
import { configWith } from '../env.ts';
import { takeStep } from '../feedback/service.ts';
import { findCase } from '../../db/feedback-cases.ts';
import {
  SENDER,
  act,
  sendFeedback,
  senderAct,
  senderTrack,
  staffGet,
  staffMember,
  staffPost,
  type App,
  type Signed,
} from '../feedback/test-kit.ts';

/** Monday 2/3/2026 09:00 in Việt Nam; the clock moves when a test sets `clock`. */
let clock = new Date('2026-03-02T02:00:00Z');
let h: Harness;
let app: App;
let coordinator: Signed;
let handler: Signed;
let publisher: Signed;
let otherHandler: Signed;

const PDF = new TextEncoder().encode(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);

async function photo(): Promise<File> {
  const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#c33' } })
    .jpeg()
    .withExif({ IFD0: { Make: 'CanaryCam', Model: 'X1' } })
    .toBuffer();
  return new File([new Uint8Array(jpeg)], 'ổ gà.jpg', { type: 'image/jpeg' });
}

async function json<T = Record<string, unknown>>(res: Response, status = 200): Promise<T> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  return JSON.parse(text) as T;
}

beforeAll(async () => {
  h = await openHarness('staff-feedback');
  app = h.app(
    {
      POW_REQUIRED: '0',
      RATE_LIMIT_MAX: '100000',
      LOG_LEVEL: 'info',
      STAFF_IDLE_MINUTES: '1440',
      STAFF_SESSION_HOURS: '168',
    },
    () => clock,
  );
  coordinator = await staffMember(h, app, 'dieu-phoi', [{ role: 'coordinator', unit: 'khanh-hoa' }]);
  handler = await staffMember(h, app, 'xu-ly', [{ role: 'handler', unit: 'phuong-ninh-hoa' }]);
  publisher = await staffMember(h, app, 'cong-bo', [{ role: 'publisher', unit: 'khanh-hoa' }]);
  otherHandler = await staffMember(h, app, 'xu-ly-khac', [{ role: 'handler', unit: 'phuong-hoa-thang' }]);
});

afterAll(() => h.close());

describe('the whole lifecycle', () => {
  it('photo → classify → assign → answer with a PDF → publish redacted → rate → dispute → back to the unit', async () => {
    const sent = await sendFeedback(h, app, {}, [await photo()]);

    // The photo was re-encoded: stored without the camera's EXIF.
    const stored = await h.db.client.execute({
      sql: 'SELECT data, file_name, media_type FROM feedback_attachments WHERE feedback_id = ?',
      args: [sent.id],
    });
    expect(stored.rows).toHaveLength(1);
    expect(stored.rows[0]!.media_type).toBe('image/jpeg');
    const meta = await sharp(Buffer.from(stored.rows[0]!.data as ArrayBuffer)).metadata();
    expect(meta.exif).toBeUndefined();

    // Inbox of the coordinator, by due date; the handler of another commune sees nothing of it.
    const inbox = await json<{ items: { id: number; status: string; overdue: boolean }[] }>(
      await staffGet(app, coordinator, '/api/v1/staff/feedback?status=received'),
    );
    expect(inbox.items.map((i) => i.id)).toContain(sent.id);
    expect((await staffGet(app, otherHandler, `/api/v1/staff/feedback/${sent.id}`)).status).toBe(404);

    // A handler cannot classify; the API refuses a step the lifecycle does not allow.
    expect((await act(app, handler, sent.id, { action: 'classify' })).status).toBe(403);
    const early = await act(app, coordinator, sent.id, { action: 'assign', unit: 'phuong-ninh-hoa' });
    expect(early.status).toBe(409);
    expect(((await early.json()) as { code: string }).code).toBe('transition_not_allowed');

    // Sessions end after 24 h idle (set below): each move of the clock stays under that.
    clock = new Date('2026-03-03T01:00:00Z');
    let c = await json<{ status: string; answer_due_at: string; allowed_actions: string[] }>(
      await act(app, coordinator, sent.id, { action: 'classify', subject: 'hanh-vi' }),
    );
    expect(c.status).toBe('classified');
    // Ten working days from Tuesday 3/3/2026: Tuesday 17/3.
    expect(c.answer_due_at).toBe('2026-03-17T16:59:59.999Z');
    expect(c.allowed_actions).toEqual(expect.arrayContaining(['assign', 'reject', 'transfer', 'extend']));
    c = await json(await act(app, coordinator, sent.id, { action: 'assign', unit: 'phuong-ninh-hoa' }));
    expect(c.status).toBe('assigned');

    c = await json(await act(app, handler, sent.id, { action: 'start' }));
    expect(c.status).toBe('in-progress');
    const answerForm = new FormData();
    answerForm.set(
      'data',
      JSON.stringify({
        action: 'answer',
        body: `Kính gửi bà ${SENDER.name}: UBND phường đã làm việc với cán bộ tiếp nhận; hồ sơ được trả ngày 10/3/2026. Liên hệ ${SENDER.phone} đã được ghi nhận.`,
      }),
    );
    answerForm.append('attachments', new File([PDF], 'Công văn trả lời.pdf', { type: 'application/pdf' }));
    c = await json(await staffPost(app, handler, `/api/v1/staff/feedback/${sent.id}/actions`, answerForm));
    expect(c.status).toBe('answered');

    // The sender reads the answer and its file.
    const seen = await json<{
      status: string;
      messages: { purpose: string; body: string }[];
      attachments: { id: number; author: string; file_name: string }[];
      allowed_actions: string[];
    }>(await senderTrack(app, sent));
    expect(seen.status).toBe('answered');
    expect(seen.messages.at(-1)!.purpose).toBe('answer');
    const answerFile = seen.attachments.find((a) => a.author === 'staff')!;
    expect(answerFile.file_name).toBe('Công văn trả lời.pdf');
    expect(seen.allowed_actions).toEqual(expect.arrayContaining(['rate', 'dispute']));
    const download = await app.request('/api/v1/feedback/attachment', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ code: sent.code, key: sent.key, id: answerFile.id }),
    });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(download.headers.get('x-content-type-options')).toBe('nosniff');
    expect(download.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    // Changed with issue #7 part 5: the PDF is stored as pdf-lib rewrote it, so the same document
    // (its catalog and empty page tree), not the same bytes.
    const served = new Uint8Array(await download.arrayBuffer());
    expect(Buffer.from(served.subarray(0, 5)).toString('latin1')).toBe('%PDF-');
    expect((await PDFDocument.load(served)).getPageCount()).toBe(0);

    // Publishing: the preview removes the sender's name and phone; the publisher may edit it.
    const preview = await json<{ title: string; content: string; answer: string }>(
      await staffGet(app, publisher, `/api/v1/staff/feedback/${sent.id}/publication-preview`),
    );
    expect(`${preview.content} ${preview.answer}`).not.toMatch(/Canary|0987|654 321/);
    c = await json(
      await act(app, publisher, sent.id, {
        action: 'publish',
        title: preview.title,
        content: preview.content,
        answer: `${preview.answer} (đã biên tập)`,
      }),
    );
    expect(c.status).toBe('published');
    const pub = await h.db.client.execute({
      sql: 'SELECT * FROM feedback_publications WHERE feedback_id = ?',
      args: [sent.id],
    });
    expect(JSON.stringify(pub.rows[0])).not.toMatch(/Canary|0987|canary\.sender/);
    expect(pub.rows[0]!.sender_name).toBeNull();

    // Not satisfied, then disputed within the window: back to the unit with a fresh deadline.
    clock = new Date('2026-03-04T00:00:00Z');
    await json(await senderAct(app, sent, { action: 'rate', satisfied: false, reasons: ['chung-chung'] }));
    const again = await senderAct(app, sent, { action: 'rate', satisfied: true });
    expect(again.status).toBe(409);
    // The coordinator may not close while the sender can still dispute.
    expect(((await (await act(app, coordinator, sent.id, { action: 'close' })).json()) as { code: string }).code).toBe(
      'dispute_window_open',
    );
    const disputed = await json<{ status: string; answer_due_at: string }>(
      await senderAct(app, sent, { action: 'dispute', body: 'Câu trả lời chưa giải thích vì sao hồ sơ bị hẹn lại.' }),
    );
    expect(disputed.status).toBe('disputed');
    c = await json(await act(app, handler, sent.id, { action: 'reopen' }));
    expect(c.status).toBe('in-progress');

    // Every step is in the history; the sender's view never names staff.
    const full = await json<{ events: { action: string; staff_name: string | null }[] }>(
      await staffGet(app, coordinator, `/api/v1/staff/feedback/${sent.id}`),
    );
    expect(full.events.map((e) => e.action)).toEqual([
      'submit',
      'classify',
      'assign',
      'start',
      'answer',
      'publish',
      'rate',
      'dispute',
      'reopen',
    ]);
    expect(JSON.stringify(await (await senderTrack(app, sent)).json())).not.toContain('Cán bộ');

    // E-mails: receipt with a magic link, then one per step the sender is told about.
    const mails = await h.db.client.execute({
      sql: 'SELECT dedupe_key, subject, body_text FROM email_outbox WHERE dedupe_key LIKE ? ORDER BY id',
      args: [`fb:${sent.code}:%`],
    });
    const kinds = mails.rows.map((r) => String(r.dedupe_key).split(':').at(-1));
    expect(kinds).toEqual(['receipt', 'classified', 'answered', 'published']);
    const link = /\/l\/([A-Z0-9]{16})\b/.exec(String(mails.rows[0]!.body_text))![1]!;
    expect(String(mails.rows[0]!.body_text)).not.toContain(sent.key);
    const byLink = await app.request('/api/v1/feedback/track', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ link }),
    });
    expect(((await byLink.json()) as { tracking_code: string }).tracking_code).toBe(sent.code);
  });
});

describe('staff workspace', () => {
  it('reading contact data and the sender’s files is audited; publishers cannot read contact data', async () => {
    const sent = await sendFeedback(h, app, {}, [await photo()]);
    const before = await h.db.client.execute("SELECT count(*) AS n FROM audit_log WHERE action = 'view_personal_data'");
    const contact = await json<{ name: string }>(
      await staffGet(app, coordinator, `/api/v1/staff/feedback/${sent.id}/contact`),
    );
    expect(contact.name).toBe(SENDER.name);
    const c = await json<{ attachments: { id: number }[] }>(
      await staffGet(app, coordinator, `/api/v1/staff/feedback/${sent.id}`),
    );
    const file = await staffGet(
      app,
      coordinator,
      `/api/v1/staff/feedback/${sent.id}/attachments/${c.attachments[0]!.id}`,
    );
    expect(file.status).toBe(200);
    const after = await h.db.client.execute("SELECT count(*) AS n FROM audit_log WHERE action = 'view_personal_data'");
    expect(Number(after.rows[0]!.n) - Number(before.rows[0]!.n)).toBe(2);
    expect((await staffGet(app, publisher, `/api/v1/staff/feedback/${sent.id}/contact`)).status).toBe(403);
    // The publisher reads the case with the sender's details taken out of their words; each
    // opening of a case is audited.
    const seen = await json<{ content: string; can_view_contact: boolean }>(
      await staffGet(app, publisher, `/api/v1/staff/feedback/${sent.id}`),
    );
    expect(seen.can_view_contact).toBe(false);
    expect(seen.content).not.toMatch(/Canary|0987/);
    const views = await h.db.client.execute({
      sql: "SELECT count(*) AS n FROM audit_log WHERE action = 'view_case' AND target_id = ?",
      args: [String(sent.id)],
    });
    expect(Number(views.rows[0]!.n)).toBe(2);
  });

  it('manual entry by channel: coordinator only, code and key returned once, a letter may carry only an address', async () => {
    const entry = {
      channel: 'letter',
      kind: 'kien-nghi',
      subject: 'quy-dinh',
      unit: 'phuong-ninh-hoa',
      title: 'Đề nghị niêm yết phí tại bộ phận một cửa',
      content: 'Thư tay gửi UBND phường ngày 1/3/2026.',
      name: 'Phạm Văn Thư',
      address: '5 Lê Lợi',
    };
    const made = await json<{ id: number; tracking_code: string; access_key: string }>(
      await staffPost(app, coordinator, '/api/v1/staff/feedback', entry),
      201,
    );
    expect(made.access_key).toMatch(/^[2-9A-HJKMNP-Z]{4}(?:-[2-9A-HJKMNP-Z]{4}){3}$/);
    const c = await json<{ channel: string; events: { action: string; actor: string }[] }>(
      await staffGet(app, coordinator, `/api/v1/staff/feedback/${made.id}`),
    );
    expect(c.channel).toBe('letter');
    expect(c.events[0]).toMatchObject({ action: 'enter', actor: 'staff' });
    const entered = await h.db.client.execute({
      sql: "SELECT target_id FROM audit_log WHERE action = 'feedback_enter' ORDER BY id DESC LIMIT 1",
      args: [],
    });
    expect(entered.rows[0]!.target_id).toBe(String(made.id));
    expect((await staffPost(app, handler, '/api/v1/staff/feedback', entry)).status).toBe(403);
    expect((await staffPost(app, coordinator, '/api/v1/staff/feedback', { ...entry, channel: 'web' })).status).toBe(
      422,
    );
  });

  it('inbox search ignores diacritics; overdue filter; apology letter only when overdue', async () => {
    const sent = await sendFeedback(h, app, { title: 'Đường Nguyễn Huệ ngập nước' });
    const found = await json<{ items: { id: number }[] }>(
      await staffGet(app, coordinator, '/api/v1/staff/feedback?q=nguyen%20hue%20ngap'),
    );
    expect(found.items.map((i) => i.id)).toContain(sent.id);
    expect((await staffGet(app, coordinator, `/api/v1/staff/feedback/${sent.id}/apology-letter`)).status).toBe(409);
    const saved = clock;
    clock = new Date(clock.getTime() + 30 * 24 * 3600 * 1000);
    try {
      // A month later the morning's sessions have ended: a fresh sign-in.
      const late = await staffMember(h, app, 'dieu-phoi-sau', [{ role: 'coordinator', unit: 'khanh-hoa' }]);
      const overdue = await json<{ items: { id: number; overdue: boolean }[] }>(
        await staffGet(app, late, '/api/v1/staff/feedback?overdue=1'),
      );
      expect(overdue.items.find((i) => i.id === sent.id)?.overdue).toBe(true);
      const letter = await json<{ sender_name: string; working_days_late: number }>(
        await staffGet(app, late, `/api/v1/staff/feedback/${sent.id}/apology-letter`),
      );
      expect(letter.sender_name).toBe(SENDER.name);
      expect(letter.working_days_late).toBeGreaterThan(0);
    } finally {
      clock = saved;
    }
  });

  it('one extension only, within the rule’s days; a rejection needs a reason', async () => {
    const sent = await sendFeedback(h, app);
    await json(await act(app, coordinator, sent.id, { action: 'classify' }));
    expect((await act(app, coordinator, sent.id, { action: 'extend', days: 11, note: 'Cần xác minh' })).status).toBe(
      422,
    );
    await json(await act(app, coordinator, sent.id, { action: 'extend', days: 5, note: 'Cần xác minh thực địa' }));
    // A form made for another status is stale, whatever the step.
    const stale = await act(app, coordinator, sent.id, {
      action: 'assign',
      unit: 'phuong-ninh-hoa',
      expected_status: 'received',
    });
    expect(((await stale.json()) as { code: string }).code).toBe('stale_status');
    const second = await act(app, coordinator, sent.id, { action: 'extend', days: 1, note: 'Lần hai' });
    expect(((await second.json()) as { code: string }).code).toBe('extension_limit');
    const other = await sendFeedback(h, app);
    expect((await act(app, coordinator, other.id, { action: 'reject' })).status).toBe(422);
    const rejected = await json<{ status: string }>(
      await act(app, coordinator, other.id, { action: 'reject', note: 'Không thuộc phạm vi phản ánh, kiến nghị' }),
    );
    expect(rejected.status).toBe('rejected');
  });

  it('two steps at once: exactly one lands (two extensions racing, the second is stale)', async () => {
    const sent = await sendFeedback(h, app);
    await json(await act(app, coordinator, sent.id, { action: 'classify' }));
    const results = await Promise.all([
      act(app, coordinator, sent.id, { action: 'extend', days: 3, note: 'Lần một' }),
      act(app, coordinator, sent.id, { action: 'extend', days: 5, note: 'Lần hai' }),
    ]);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 409]);
    const refused = results.find((r) => r.status === 409)!;
    expect(['stale_status', 'extension_limit']).toContain(((await refused.json()) as { code: string }).code);
    const events = await h.db.client.execute({
      sql: "SELECT count(*) AS n FROM feedback_events WHERE feedback_id = ? AND action = 'extend'",
      args: [sent.id],
    });
    expect(Number(events.rows[0]!.n)).toBe(1);
  });

  it('a step decided on a case read before another step landed is refused by the database (stale version)', async () => {
    const sent = await sendFeedback(h, app);
    await json(await act(app, coordinator, sent.id, { action: 'classify' }));
    const deps = { db: h.db, config: configWith({}), log: () => {}, now: () => clock };
    const before = (await findCase(h.db.client, sent.id))!;
    const actor = { kind: 'staff', staffId: coordinator.staffId } as const;
    await takeStep(deps, before, { actor, input: { action: 'extend', days: 3, note: 'Lần một' } });
    // The same status, an older version: the trigger aborts the batch, nothing is written.
    await expect(
      takeStep(deps, before, { actor, input: { action: 'extend', days: 5, note: 'Lần hai' } }),
    ).rejects.toMatchObject({ status: 409, code: 'stale_status' });
    const after = (await findCase(h.db.client, sent.id))!;
    expect(after.extensionCount).toBe(1);
    expect(after.version).toBe(before.version + 1);
  });

  it('logs carry no name, phone, e-mail, title or code', () => {
    const log = h.lines.join('\n');
    for (const s of [SENDER.name, '0987654321', SENDER.email, 'Nguyễn Huệ', 'Canary']) expect(log).not.toContain(s);
  });
});
