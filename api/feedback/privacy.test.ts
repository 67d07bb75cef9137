/**
 * Personal data never reaches a log (issue #4: "a canary name, phone and CCCD submitted in feedback
 * never appear in any log"; docs/architecture.md §7 "Logs carry request ids and outcomes, never names,
 * phones, ID numbers or free text"), and the publication carries none of it.
 *
 * A canary name, phone, e-mail, address and CCCD number go into the title, the content, the contact
 * fields and a file name of a case; then through the whole flow, with the canary in every note, the
 * answer, the sender's reply, rating comment and dispute: classify, assign, request information,
 * reply, answer, preview and publish, rate, dispute, reopen, the contact and apology-letter reads,
 * refused requests that carry the canary, and the e-mail outbox sent by the real mail worker (first
 * to an SMTP port where nothing listens, then into .eml files in a temp MAIL_DIR). With LOG_LEVEL
 * info: no spelling of any canary is in the app's log lines, the worker's log lines, the audit log's
 * details, nor in the published row.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configWith } from '../env.ts';
import { startMailWorker } from '../mail/worker.ts';
import { openHarness, type Harness } from '../test-harness.ts';
import {
  act,
  freshAddress,
  sendFeedback,
  senderAct,
  staffGet,
  staffMember,
  staffPost,
  type App,
  type Signed,
} from './test-kit.ts';

const CANARY = {
  name: 'Trịnh Canarỹ Vịnh',
  phone: '0912 345 670',
  email: 'canary.privacy@example.vn',
  address: '17 Ngõ Chim Hoàng Yến, phường Ninh Hòa',
  cccd: '079203001234',
};

/** Every way the canaries may be written (and so leak). */
const SPELLINGS = [
  CANARY.name,
  'Trinh Canary Vinh',
  'Canarỹ',
  'Canary',
  'canary',
  CANARY.phone,
  '0912345670',
  '+84912345670',
  '+84 912 345 670',
  '84912345670',
  '912345670',
  '345 670',
  CANARY.email,
  'canary.privacy',
  'canary.privacy%40example.vn',
  CANARY.address,
  'Chim Hoàng Yến',
  'Chim Hoang Yen',
  CANARY.cccd,
  '079 203 001 234',
  '079.203.001.234',
  '203001234',
];

/** Text that carries every canary, in several spellings. */
const CANARY_TEXT =
  `Tôi là ${CANARY.name}, CCCD số ${CANARY.cccd} (079 203 001 234), điện thoại +84 912 345 670 ` +
  `hoặc ${CANARY.phone}, e-mail ${CANARY.email}, nhà ở ${CANARY.address}.`;

/** Over the 2,000 characters of a note, so refused. */
const LONG_CANARY = CANARY_TEXT.repeat(12);

/** Monday 2/3/2026 09:00 in Việt Nam. */
let clock = new Date('2026-03-02T02:00:00Z');
let h: Harness;
let app: App;
let coordinator: Signed;
let handler: Signed;
let publisher: Signed;
let mailDir: string;
const workerLines: string[] = [];

function leaksIn(text: string): string[] {
  const folded = text.normalize('NFC');
  return SPELLINGS.filter((s) => folded.includes(s) || folded.toLowerCase().includes(s.toLowerCase()));
}

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  h = await openHarness('privacy');
  mailDir = mkdtempSync(join(tmpdir(), 'gopy-privacy-mail-'));
  app = h.app(
    {
      POW_REQUIRED: '0',
      RATE_LIMIT_MAX: '100000',
      LOG_LEVEL: 'info',
      STAFF_IDLE_MINUTES: '1440',
      STAFF_SESSION_HOURS: '168',
      MAIL_DIR: mailDir,
    },
    () => clock,
  );
  coordinator = await staffMember(h, app, 'rieng-tu-dieu-phoi', [{ role: 'coordinator', unit: 'khanh-hoa' }]);
  handler = await staffMember(h, app, 'rieng-tu-xu-ly', [{ role: 'handler', unit: 'phuong-ninh-hoa' }]);
  publisher = await staffMember(h, app, 'rieng-tu-cong-bo', [{ role: 'publisher', unit: 'khanh-hoa' }]);
});

afterAll(() => {
  h.close();
  rmSync(mailDir, { recursive: true, force: true });
});

async function ok(res: Response | Promise<Response>, status = 200): Promise<Record<string, unknown>> {
  const r = await res;
  const text = await r.text();
  expect(r.status, text.slice(0, 300)).toBe(status);
  return JSON.parse(text) as Record<string, unknown>;
}

describe('canary personal data through the whole flow', () => {
  it('never appears in a log line, the audit log or the publication', async () => {
    // The sender: canaries in the title, the content, every contact field and a file name.
    const image = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#3a6' } })
      .png()
      .toBuffer();
    const sent = await sendFeedback(
      h,
      app,
      {
        title: `${CANARY.name} phản ánh, CCCD ${CANARY.cccd}`,
        content: CANARY_TEXT,
        name: CANARY.name,
        phone: '+84 912 345 670',
        email: CANARY.email,
        address: CANARY.address,
        publish_content: true,
        show_name: false,
      },
      [new File([new Uint8Array(image)], `cccd-${CANARY.cccd}-${CANARY.name}.png`, { type: 'image/png' })],
    );
    const note = `Ghi chú: ${CANARY_TEXT}`;

    // Refused requests that carry the canaries: the answer never echoes them either.
    const refused = [
      await app.request(
        '/api/v1/feedback',
        {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'privacy-refused-0001' },
          body: JSON.stringify({
            kind: 'phan-anh',
            name: CANARY.name,
            phone: `CCCD ${CANARY.cccd}`,
            title: CANARY_TEXT,
          }),
        },
        freshAddress(),
      ),
      await app.request(
        '/api/v1/feedback/track',
        {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ code: sent.code, key: CANARY.cccd, note: CANARY_TEXT }),
        },
        freshAddress(),
      ),
      await app.request(
        '/api/v1/staff/login',
        {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ username: CANARY.email, password: CANARY.cccd }),
        },
        freshAddress(),
      ),
      await senderAct(app, { ...sent, key: `${CANARY.cccd}abcdefgh` }, { action: 'dispute', body: CANARY_TEXT }),
      await act(app, handler, sent.id, { action: 'classify', note: CANARY_TEXT }),
      await act(app, coordinator, sent.id, { action: 'reject', note: LONG_CANARY }),
      await act(app, coordinator, sent.id, { action: 'assign', unit: CANARY.cccd, note: CANARY_TEXT }),
    ];
    for (const r of refused) {
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(leaksIn(await r.text())).toEqual([]);
    }
    // Canaries in URLs (search words, a stray query parameter): the access log writes no query string.
    for (const path of [
      `/api/v1/staff/feedback?q=${encodeURIComponent(CANARY_TEXT.slice(0, 150))}`,
      `/api/v1/staff/feedback/${sent.id}?name=${encodeURIComponent(CANARY.name)}&cccd=${CANARY.cccd}`,
    ])
      expect((await staffGet(app, coordinator, path)).status).toBe(200);

    // Staff handle it, with the canaries in every note.
    await ok(act(app, coordinator, sent.id, { action: 'classify', note }));
    await ok(act(app, coordinator, sent.id, { action: 'assign', unit: 'phuong-ninh-hoa', note }));
    await ok(act(app, handler, sent.id, { action: 'start', note }));
    await ok(act(app, handler, sent.id, { action: 'extend', days: 3, note }));
    await ok(act(app, handler, sent.id, { action: 'request-info', note }));
    await ok(senderAct(app, sent, { action: 'provide-info', body: CANARY_TEXT }));
    expect((await ok(staffGet(app, handler, `/api/v1/staff/feedback/${sent.id}/contact`))).name).toBe(CANARY.name);
    clock = new Date('2026-03-25T03:00:00Z');
    // Three weeks on, the morning's sessions would have ended: keep them alive.
    await h.db.client.execute({
      sql: 'UPDATE sessions SET last_seen_at = ?, expires_at = ?',
      args: [clock.toISOString(), new Date(clock.getTime() + 7 * 24 * 3600 * 1000).toISOString()],
    });
    // Late by now: the apology letter names the sender (to staff), never in a log.
    await ok(staffGet(app, handler, `/api/v1/staff/feedback/${sent.id}/apology-letter`));
    const answer = new FormData();
    answer.set('data', JSON.stringify({ action: 'answer', body: `Kính gửi ${CANARY.name}: ${CANARY_TEXT}` }));
    answer.append(
      'attachments',
      new File(
        // A readable page tree: PDFs are parsed since issue #7 part 5 (api/attachments/pdf.ts).
        [
          new TextEncoder().encode(
            '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
          ),
        ],
        `tra-loi-${CANARY.cccd}.pdf`,
        { type: 'application/pdf' },
      ),
    );
    await ok(staffPost(app, handler, `/api/v1/staff/feedback/${sent.id}/actions`, answer));

    // The publisher publishes the redaction preview as it is.
    const preview = await ok(staffGet(app, publisher, `/api/v1/staff/feedback/${sent.id}/publication-preview`));
    await ok(
      act(app, publisher, sent.id, {
        action: 'publish',
        title: preview.title,
        content: preview.content,
        answer: preview.answer,
      }),
    );
    await ok(
      senderAct(app, sent, {
        action: 'rate',
        satisfied: false,
        reasons: ['chung-chung'],
        comment: CANARY_TEXT.slice(0, 900),
      }),
    );
    await ok(senderAct(app, sent, { action: 'dispute', body: CANARY_TEXT }));
    await ok(act(app, handler, sent.id, { action: 'reopen', note }));
    await ok(
      app.request(
        '/api/v1/feedback/track',
        {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ code: sent.code, key: sent.key }),
        },
        freshAddress(),
      ),
    );

    // The outbox: first to an SMTP server that is not there (retries logged), then into files.
    const pending = Number(
      (await h.db.client.execute("SELECT count(*) AS n FROM email_outbox WHERE status = 'pending'")).rows[0]!.n,
    );
    expect(pending).toBeGreaterThanOrEqual(5);
    const log = (l: string) => workerLines.push(l);
    const failing = startMailWorker(
      {
        db: h.db,
        config: configWith({ SMTP_URL: `smtp://127.0.0.1:${await closedPort()}`, LOG_LEVEL: 'info' }),
        log,
        now: () => clock,
      },
      { intervalMs: 0 },
    );
    expect(await failing.drain()).toBe(0);
    await failing.stop();
    expect(workerLines.some((l) => l.includes('"retry"'))).toBe(true);
    // A failed attempt keeps an error code, never the address or the text.
    const errors = await h.db.client.execute('SELECT last_error FROM email_outbox WHERE last_error IS NOT NULL');
    expect(errors.rows.length).toBe(pending);
    expect(leaksIn(JSON.stringify(errors.rows))).toEqual([]);
    clock = new Date(clock.getTime() + 24 * 3600 * 1000);
    const files = startMailWorker(
      { db: h.db, config: configWith({ MAIL_DIR: mailDir, LOG_LEVEL: 'info' }), log, now: () => clock },
      { intervalMs: 0 },
    );
    expect(await files.drain()).toBe(pending);
    await files.stop();
    const emls = readdirSync(mailDir).filter((f) => f.endsWith('.eml'));
    expect(emls.length).toBe(pending);
    // The mails go to the sender and carry their own data; their file names do not.
    expect(emls.join(' ')).not.toMatch(/canary|079203001234/i);
    expect(emls.map((f) => readFileSync(join(mailDir, f), 'utf8')).join('\n')).toContain(CANARY.email);

    // ── The checks ──
    expect(h.lines.length).toBeGreaterThan(20);
    expect(workerLines.length).toBeGreaterThanOrEqual(pending * 2);
    expect(leaksIn(h.lines.join('\n'))).toEqual([]);
    expect(leaksIn(workerLines.join('\n'))).toEqual([]);
    const audit = await h.db.client.execute('SELECT action, target_type, target_id, unit_id, details FROM audit_log');
    expect(audit.rows.length).toBeGreaterThan(10);
    expect(leaksIn(JSON.stringify(audit.rows))).toEqual([]);

    const pub = await h.db.client.execute({
      sql: 'SELECT title, content, answer, sender_name FROM feedback_publications WHERE feedback_id = ?',
      args: [sent.id],
    });
    expect(pub.rows).toHaveLength(1);
    expect(pub.rows[0]!.sender_name).toBeNull();
    expect(leaksIn(JSON.stringify(pub.rows[0]))).toEqual([]);
    // And the public API shows none of it.
    const shown = await app.request(`/api/v1/published-feedback/${sent.code}`);
    expect(shown.status).toBe(200);
    expect(leaksIn(await shown.text())).toEqual([]);
  });
});
