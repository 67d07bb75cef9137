/**
 * Issue #11 part 1, "Done when: a sender who gives only a phone number gets the receipt, the answer
 * and a rating invitation by SMS exactly once, through a real SMPP server": the API writes the
 * messages in the batch of each step, the worker sends them through the test gateway, the link in
 * the receipt opens the case without the key, a dossier registered with a phone gets its one-time
 * invitation, and the opt-out link works without JavaScript.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHarness, type Harness } from '../test-harness.ts';
import { act, freshAddress, sendFeedback, staffMember, type App, type Signed } from '../feedback/test-kit.ts';
import { createApiKey } from '../../db/dossiers.ts';
import { configWith } from '../env.ts';
import { messagesOf, startTestGateway, type TestGateway } from './test-gateway.ts';
import { startSmsWorker, type SmsWorker } from './worker.ts';

let clock = new Date('2026-03-02T02:00:00Z');
let h: Harness;
let app: App;
let gw: TestGateway;
let worker: SmsWorker;
let coordinator: Signed;
let handler: Signed;
const PHONE_ONLY = { phone: '0912 345 678', email: undefined };

beforeAll(async () => {
  h = await openHarness('sms-flows');
  gw = await startTestGateway();
  const env = {
    POW_REQUIRED: '0',
    RATE_LIMIT_MAX: '100000',
    STAFF_IDLE_MINUTES: '1440',
    STAFF_SESSION_HOURS: '168',
    PUBLIC_BASE_URL: 'https://gopy.example.vn',
    SMPP_URL: gw.url(),
  };
  app = h.app(env, () => clock);
  worker = startSmsWorker(
    { db: h.db, config: configWith(env), log: (l) => h.lines.push(l), now: () => clock },
    { intervalMs: 0 },
  );
  coordinator = await staffMember(h, app, 'dieu-phoi', [{ role: 'coordinator', unit: 'khanh-hoa' }]);
  handler = await staffMember(h, app, 'xu-ly', [{ role: 'handler', unit: 'phuong-ninh-hoa' }]);
  // Two argon2id sign-ins on a shared 2-core machine.
}, 60_000);

afterAll(async () => {
  await worker.stop();
  await gw.kill();
  h.close();
});

async function smsRows(prefix: string): Promise<Record<string, unknown>[]> {
  const rs = await h.db.client.execute({
    sql: 'SELECT dedupe_key, kind, status, to_phone, body_text FROM sms_outbox WHERE dedupe_key LIKE ? ORDER BY id',
    args: [`${prefix}%`],
  });
  return rs.rows.map((r) => ({ ...r }));
}

function textsTo(phone84: string): string[] {
  return messagesOf(gw.store)
    .filter((m) => m.to === phone84)
    .map((m) => m.text);
}

describe('a sender who gives only a phone', () => {
  it('gets the receipt, the classification and the answer by SMS, each once; the link opens the case without the key', async () => {
    const sent = await sendFeedback(h, app, PHONE_ONLY);
    expect(await smsRows(`fb:${sent.code}:`)).toMatchObject([{ kind: 'receipt', status: 'pending' }]);
    expect((await h.db.client.execute('SELECT count(*) AS n FROM email_outbox')).rows[0]!.n).toBe(0);
    expect(await worker.drain()).toBe(1);

    const [receipt] = textsTo('84912345678');
    expect(receipt).toContain(sent.code);
    expect(receipt).toContain('tiếp nhận');
    // The receipt's short link (docs/feedback.md): /l/<16 characters>.
    const token = /\/l\/([A-Z2-9]+)/.exec(receipt!)?.[1];
    expect(token).toHaveLength(16);
    expect(receipt).toMatch(/\/sms\/ngung\/\?k=[A-Za-z0-9_-]{22}$/);
    const opened = await app.request(
      '/api/v1/feedback/track',
      { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ link: token }) },
      freshAddress(),
    );
    expect(opened.status).toBe(200);
    expect(((await opened.json()) as { tracking_code: string }).tracking_code).toBe(sent.code);

    clock = new Date('2026-03-03T01:00:00Z');
    expect((await act(app, coordinator, sent.id, { action: 'classify', subject: 'hanh-vi' })).status).toBe(200);
    expect((await act(app, coordinator, sent.id, { action: 'assign', unit: 'phuong-ninh-hoa' })).status).toBe(200);
    expect((await act(app, handler, sent.id, { action: 'start' })).status).toBe(200);
    const answered = await act(app, handler, sent.id, { action: 'answer', body: 'UBND phường đã giải quyết.' });
    expect(answered.status).toBe(200);
    // Told: classified and answered; not told: assigned, in progress (internal steps).
    expect((await smsRows(`fb:${sent.code}:`)).map((r) => r.kind)).toEqual([
      'receipt',
      'status:classified',
      'status:answered',
    ]);
    expect(await worker.drain()).toBe(2);
    expect(await worker.drain()).toBe(0);
    const texts = textsTo('84912345678');
    expect(texts).toHaveLength(3);
    expect(texts[2]).toContain('đã có trả lời');
    // Blanked once sent, as e-mail is.
    for (const r of await smsRows(`fb:${sent.code}:`)) expect(r).toMatchObject({ to_phone: null, body_text: null });
  });

  it('the sender chooses: SMS over e-mail, or nothing; SMS without a phone is refused on the phone field', async () => {
    const bySms = await sendFeedback(h, app, { notify: 'sms' });
    expect((await smsRows(`fb:${bySms.code}:`)).map((r) => r.kind)).toEqual(['receipt']);
    expect(
      (
        await h.db.client.execute({
          sql: 'SELECT count(*) AS n FROM email_outbox WHERE dedupe_key LIKE ?',
          args: [`fb:${bySms.code}:%`],
        })
      ).rows[0]!.n,
    ).toBe(0);
    const silent = await sendFeedback(h, app, { notify: 'none' });
    expect(await smsRows(`fb:${silent.code}:`)).toEqual([]);
    expect(await worker.drain()).toBe(1);
    await expect(
      sendFeedback(h, app, { ...PHONE_ONLY, phone: undefined, email: 'a@example.vn', notify: 'sms' }),
    ).rejects.toThrow(/422.*"path":"phone","code":"required"/);
  });
});

describe('a dossier registered with a phone', () => {
  it('gets its one-time rating invitation once; the number is not stored with the dossier', async () => {
    const { key } = await createApiKey(h.db.client, 'so-y-te', 'Một cửa Sở Y tế', clock);
    const dossier = {
      code: '000.00.31.H42-260302-0001',
      received_at: '2026-02-20T02:00:00+07:00',
      due_at: '2026-03-01T17:00:00+07:00',
      returned_at: '2026-03-02T08:00:00+07:00',
      phone: '0933 222 111',
    };
    const post = () =>
      app.request('/api/v1/integration/dossiers?qr=none', {
        method: 'POST',
        headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(dossier),
      });
    const first = await post();
    expect(first.status).toBe(201);
    const { survey_url } = (await first.json()) as { survey_url: string };
    expect((await post()).status).toBe(200);
    expect(await smsRows('dossier:')).toMatchObject([{ kind: 'invite' }]);
    expect(await worker.drain()).toBe(1);
    const [invite] = textsTo('84933222111');
    expect(invite).toContain(survey_url);
    expect(invite).toContain(dossier.code);
    const cols = await h.db.client.execute('SELECT * FROM dossiers');
    expect(JSON.stringify(cols.rows)).not.toMatch(/933/);

    // A number that is not a Vietnamese phone: refused on its field, not echoed, nothing written.
    const bad = await app.request('/api/v1/integration/dossiers?qr=none', {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...dossier, code: '000.00.31.H42-260302-0002', phone: '12345' }),
    });
    expect(bad.status).toBe(422);
    const problem = await bad.text();
    expect(JSON.parse(problem)).toMatchObject({ errors: [{ path: 'phone' }] });
    expect(problem).not.toContain('12345');
    expect(await smsRows('dossier:')).toHaveLength(1);
  });
});

describe('the opt-out link', () => {
  it('GET shows one button and changes nothing; POST records the number; a broken key is a 400 page', async () => {
    const sent = await sendFeedback(h, app, { phone: '0944 555 666', email: undefined });
    const row = await h.db.client.execute({
      sql: 'SELECT body_text FROM sms_outbox WHERE dedupe_key = ?',
      args: [`fb:${sent.code}:receipt`],
    });
    const stop = /\/sms\/ngung\/\?k=[A-Za-z0-9_-]{22}/.exec(String(row.rows[0]!.body_text))![0];
    const page = await app.request(stop);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<form method="post"');
    expect(html).not.toContain('<script');
    expect((await h.db.client.execute('SELECT count(*) AS n FROM sms_optouts')).rows[0]!.n).toBe(0);
    const done = await app.request(stop, {
      method: 'POST',
      // A form post of the page itself: same origin, as the browser says it.
      headers: { 'Content-Length': '0', Origin: 'http://localhost' },
    });
    expect(done.status).toBe(200);
    expect((await h.db.client.execute('SELECT count(*) AS n FROM sms_optouts')).rows[0]!.n).toBe(1);
    // What was queued for the number is cancelled; nothing new is written for it.
    expect((await smsRows(`fb:${sent.code}:`))[0]).toMatchObject({ status: 'cancelled', to_phone: null });
    const again = await sendFeedback(h, app, { phone: '0944 555 666', email: undefined });
    expect(await smsRows(`fb:${again.code}:`)).toEqual([]);
    expect((await app.request('/sms/ngung/?k=short')).status).toBe(400);
  });
});
