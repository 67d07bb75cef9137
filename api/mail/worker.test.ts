/**
 * Issue #4: "tests send through a real SMTP server started in the test (the npm `smtp-server`
 * package) and read what it received". A real temp libSQL database (api/test-harness.ts), a real
 * SMTP server on 127.0.0.1, the real nodemailer transport; only the clock is injected.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  BACKOFF_MINUTES,
  MAX_ATTEMPTS,
  enqueueEmailStatement,
  errorCode,
  markFailedAttemptStatement,
  outboxCounts,
} from '../../db/outbox.ts';
import { configWith, type Config } from '../env.ts';
import { openHarness, type Harness } from '../test-harness.ts';
import { formatVnDate, receiptMail, statusMail, STATUS_MAIL_KINDS, type StatusMailKind } from './templates.ts';
import { startMailWorker, type MailWorker } from './worker.ts';

// ── A real SMTP server ────────────────────────────────────────────────────────────────────────────

interface Received {
  rcpt: string[];
  raw: string;
}

interface TestSmtp {
  port: number;
  received: Received[];
  /** RCPT TO these addresses gets "451 try again later". */
  rejecting: Set<string>;
  close(): Promise<void>;
}

async function startSmtp(): Promise<TestSmtp> {
  const received: Received[] = [];
  const rejecting = new Set<string>();
  const server = new SMTPServer({
    authOptional: true,
    secure: false,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, cb) {
      if (rejecting.has(address.address))
        return cb(Object.assign(new Error('Mailbox busy, try later'), { responseCode: 451 }));
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({ rcpt: session.envelope.rcptTo.map((a) => a.address), raw: Buffer.concat(chunks).toString() });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    received,
    rejecting,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A port with nothing listening: grab a free one and release it. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

// ── Reading what the server received (RFC 5322 headers, RFC 2047 words, QP/base64 bodies) ─────────

function decodeQp(s: string): Buffer {
  const bytes: number[] = [];
  const text = s.replace(/=\r?\n/g, '');
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '=' && /^[0-9A-F]{2}$/i.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(text[i]!));
  }
  return Buffer.from(bytes);
}

function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([QB])\?([^?]*)\?=/gi, (_m, enc: string, data: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(data, 'base64').toString('utf8')
        : decodeQp(data.replace(/_/g, ' ')).toString('utf8'),
    );
}

function parseMail(raw: string): { headers: Record<string, string>; text: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const headers: Record<string, string> = {};
  for (const line of head.split('\r\n')) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).toLowerCase()] = decodeWords(line.slice(i + 1).trim());
  }
  const body = raw.slice(split + 4);
  const cte = (headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  const text =
    cte === 'quoted-printable'
      ? decodeQp(body).toString('utf8')
      : cte === 'base64'
        ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
        : body;
  return { headers, text: text.replace(/\r\n/g, '\n') };
}

// ── The outbox ────────────────────────────────────────────────────────────────────────────────────

const START = new Date('2026-03-02T03:00:00.000Z');
const MINUTE = 60_000;

let h: Harness;
let smtp: TestSmtp;
let clock: Date;
const now = (): Date => clock;
const lines: string[] = [];
const workers: MailWorker[] = [];

function worker(overrides: Partial<Record<keyof Config, string>> = {}): MailWorker {
  const config = configWith({ SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, ...overrides });
  const w = startMailWorker({ db: h.db, config, log: (l) => lines.push(l), now }, { intervalMs: 0 });
  workers.push(w);
  return w;
}

async function enqueue(
  m: Partial<{ dedupeKey: string; to: string; subject: string; bodyText: string }> = {},
): Promise<void> {
  await h.db.client.batch(
    [
      enqueueEmailStatement({
        dedupeKey: m.dedupeKey ?? `k-${Math.random()}`,
        to: m.to ?? 'nguoi.gui@example.vn',
        subject: m.subject ?? 'Đã tiếp nhận phản ánh, kiến nghị ABCD-EFGH',
        bodyText: m.bodyText ?? 'Kính gửi Ông/Bà,\n\nNội dung thư.',
        at: clock,
      }),
    ],
    'write',
  );
}

async function rows(): Promise<Record<string, unknown>[]> {
  const rs = await h.db.client.execute('SELECT * FROM email_outbox ORDER BY id');
  return rs.rows.map((r) => ({ ...r }));
}

beforeAll(async () => {
  h = await openHarness('mail');
  smtp = await startSmtp();
});

afterAll(async () => {
  await smtp.close();
  h.close();
});

beforeEach(async () => {
  clock = START;
  smtp.received.length = 0;
  smtp.rejecting.clear();
  await h.db.client.execute('DELETE FROM email_outbox');
});

afterEach(async () => {
  for (const w of workers.splice(0)) await w.stop();
});

describe('mail worker over a real SMTP server', () => {
  it('sends due mail with the right From, To, Subject and body, then blanks the personal data', async () => {
    const mail = receiptMail({
      locale: 'vi',
      trackingCode: 'ABCD-EFGH',
      magicLinkUrl: 'https://gopy.example/theo-doi/#t=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWprbG1ub3A',
      answerDueAt: '2026-03-20T17:30:00.000Z',
      unitName: 'Sở Nội vụ tỉnh Khánh Hòa',
    });
    await enqueue({ dedupeKey: 'a', to: 'an.nguyen@example.vn', ...mail });
    await enqueue({ dedupeKey: 'b', to: 'binh@example.com', subject: 'Hello', bodyText: 'Plain ASCII body' });
    const w = worker();
    expect(await w.drain()).toBe(2);

    expect(smtp.received).toHaveLength(2);
    const first = parseMail(smtp.received[0]!.raw);
    expect(smtp.received[0]!.rcpt).toEqual(['an.nguyen@example.vn']);
    expect(first.headers.to).toBe('an.nguyen@example.vn');
    expect(first.headers.from).toContain('Cổng Góp ý Khánh Hòa');
    expect(first.headers.subject).toBe('Đã tiếp nhận phản ánh, kiến nghị ABCD-EFGH');
    expect(first.headers['content-type']).toMatch(/charset=utf-8/i);
    expect(first.text.trim()).toBe(mail.bodyText.trim());
    expect(first.text).toContain('21/03/2026');
    const second = parseMail(smtp.received[1]!.raw);
    expect(second.headers.to).toBe('binh@example.com');
    expect(second.headers.subject).toBe('Hello');
    expect(second.text.trim()).toBe('Plain ASCII body');

    for (const r of await rows()) {
      expect(r).toMatchObject({ status: 'sent', to_address: null, body_text: null, attempts: 0 });
      expect(r.sent_at).toBe(START.toISOString());
    }
    expect((await rows())[0]!.subject).toBe(mail.subject);
    expect(await outboxCounts(h.db.client)).toEqual({ pending: 0, sent: 2, failed: 0 });
    // Nothing is sent twice.
    expect(await w.drain()).toBe(0);
    expect(smtp.received).toHaveLength(2);
  });

  it('the same dedupe key twice (a retried request) makes one mail', async () => {
    await enqueue({ dedupeKey: 'feedback:ABCD-EFGH:received' });
    await enqueue({ dedupeKey: 'feedback:ABCD-EFGH:received', subject: 'second' });
    expect(await rows()).toHaveLength(1);
    expect(await worker().drain()).toBe(1);
    expect(smtp.received).toHaveLength(1);
    expect(parseMail(smtp.received[0]!.raw).headers.subject).not.toBe('second');
  });

  it('mail is not sent before it is due', async () => {
    await enqueue();
    clock = new Date(START.getTime() - MINUTE);
    expect(await worker().drain()).toBe(0);
    expect(smtp.received).toHaveLength(0);
  });

  it('a rejected recipient stays pending with a backoff, then goes out exactly once', async () => {
    smtp.rejecting.add('tam.thoi@example.vn');
    await enqueue({ to: 'tam.thoi@example.vn' });
    const w = worker();
    expect(await w.drain()).toBe(0);
    const [r] = await rows();
    expect(r).toMatchObject({ status: 'pending', attempts: 1, to_address: 'tam.thoi@example.vn' });
    expect(r!.next_attempt_at).toBe(new Date(START.getTime() + MINUTE).toISOString());
    expect(r!.last_error).toMatch(/^[A-Z0-9_:]+$/);
    expect(r!.last_error).toContain('451');
    expect(smtp.received).toHaveLength(0);

    // Not due again yet, even with the server back.
    smtp.rejecting.clear();
    clock = new Date(START.getTime() + 30_000);
    expect(await w.drain()).toBe(0);
    clock = new Date(START.getTime() + MINUTE);
    expect(await w.drain()).toBe(1);
    expect(await w.drain()).toBe(0);
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]!.rcpt).toEqual(['tam.thoi@example.vn']);
    expect((await rows())[0]).toMatchObject({ status: 'sent', attempts: 1, to_address: null, body_text: null });
  });

  it('a server that is down: retries on the schedule, after 8 failures gives up and blanks the row', async () => {
    await enqueue({ to: 'khong.toi@example.vn', subject: 'Kept subject' });
    const w = worker({ SMTP_URL: `smtp://127.0.0.1:${await closedPort()}` });
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      expect(await w.drain()).toBe(0);
      const [r] = await rows();
      expect(r!.attempts).toBe(attempt);
      expect(r!.last_error).toContain('ECONNREFUSED');
      if (attempt < MAX_ATTEMPTS) {
        expect(r!.status).toBe('pending');
        const wait = BACKOFF_MINUTES[attempt - 1]! * MINUTE;
        expect(Date.parse(String(r!.next_attempt_at)) - clock.getTime()).toBe(wait);
        // One second early: nothing happens.
        clock = new Date(clock.getTime() + wait - 1000);
        expect(await w.drain()).toBe(0);
        expect((await rows())[0]!.attempts).toBe(attempt);
        clock = new Date(clock.getTime() + 1000);
      }
    }
    expect((await rows())[0]).toMatchObject({
      status: 'failed',
      attempts: MAX_ATTEMPTS,
      to_address: null,
      body_text: null,
      subject: 'Kept subject',
    });
    expect(await outboxCounts(h.db.client)).toEqual({ pending: 0, sent: 0, failed: 1 });
    clock = new Date(clock.getTime() + 30 * 24 * 60 * MINUTE);
    expect(await w.drain()).toBe(0);
  });

  it('concurrent drains share one send loop: each mail goes out once', async () => {
    for (let i = 0; i < 5; i++) await enqueue();
    const w = worker();
    const counts = await Promise.all([w.drain(), w.drain(), w.drain()]);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(5);
    expect(smtp.received).toHaveLength(5);
  });

  it('polls on its own every intervalMs, and stop() ends polling', async () => {
    await enqueue();
    const config = configWith({ SMTP_URL: `smtp://127.0.0.1:${smtp.port}` });
    const w = startMailWorker({ db: h.db, config, log: (l) => lines.push(l), now }, { intervalMs: 20 });
    for (let i = 0; i < 200 && smtp.received.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(smtp.received).toHaveLength(1);
    await w.stop();
    await enqueue();
    await new Promise((r) => setTimeout(r, 100));
    expect(smtp.received).toHaveLength(1);
    expect(await w.drain()).toBe(0);
  });

  it('without SMTP_URL writes each message as an .eml file into MAIL_DIR', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gopy-maildir-'));
    try {
      const mailDir = join(dir, 'mail');
      await enqueue({ to: 'eml@example.vn', subject: 'Thư thử nghiệm', bodyText: 'Nội dung có dấu: Đắk Lắk' });
      const config = configWith({ MAIL_DIR: mailDir });
      expect(config.SMTP_URL).toBeUndefined();
      const w = startMailWorker({ db: h.db, config, log: (l) => lines.push(l), now }, { intervalMs: 0 });
      workers.push(w);
      expect(await w.drain()).toBe(1);
      const files = readdirSync(mailDir);
      const id = (await rows())[0]!.id;
      expect(files).toEqual([`20260302T030000000Z-${id}.eml`]);
      const path = join(mailDir, files[0]!);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      const parsed = parseMail(readFileSync(path, 'utf8'));
      expect(parsed.headers.to).toBe('eml@example.vn');
      expect(parsed.headers.subject).toBe('Thư thử nghiệm');
      expect(parsed.text.trim()).toBe('Nội dung có dấu: Đắk Lắk');
      expect((await rows())[0]).toMatchObject({ status: 'sent', to_address: null, body_text: null });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // Runs last in this file: it reads the lines every test above wrote.
  it('log lines carry the outbox id and outcome, never an address, subject or body', () => {
    expect(lines.length).toBeGreaterThan(10);
    const secrets = [
      '@example',
      'Đã tiếp nhận',
      'Kính gửi',
      'Nội dung',
      'Hello',
      'Plain ASCII',
      'Kept subject',
      'Thư thử nghiệm',
      'theo-doi',
      'ABCD-EFGH',
    ];
    for (const line of lines) {
      for (const s of secrets) expect(line).not.toContain(s);
      const entry = JSON.parse(line) as Record<string, unknown>;
      expect(Object.keys(entry).sort()).toEqual(
        entry.error === undefined ? ['attempt', 'mail', 'outcome', 't'] : ['attempt', 'error', 'mail', 'outcome', 't'],
      );
      expect(['sent', 'retry', 'failed']).toContain(entry.outcome);
    }
  });
});

describe('outbox error codes', () => {
  it('keeps codes and reply numbers, never the message or the address in it', () => {
    const err = Object.assign(new Error('550 5.1.1 <an.nguyen@example.vn>: Recipient address rejected'), {
      code: 'EENVELOPE',
      responseCode: 550,
      response: '550 5.1.1 <an.nguyen@example.vn>: Recipient address rejected',
    });
    expect(errorCode(err)).toBe('EENVELOPE:550');
    expect(errorCode(Object.assign(new Error('x'), { code: 'ESOCKET', originalCode: 'ECONNREFUSED' }))).toBe(
      'ESOCKET:ECONNREFUSED',
    );
    expect(errorCode(Object.assign(new Error('x'), { code: 'an@example.vn' }))).toBe('Error');
    expect(errorCode(new TypeError('an@example.vn'))).toBe('TypeError');
    expect(errorCode('an@example.vn')).toBe('Error');
    const stmt = markFailedAttemptStatement(1, START, err);
    expect(JSON.stringify(stmt)).not.toContain('example.vn');
  });
});

// ── Templates ─────────────────────────────────────────────────────────────────────────────────────

describe('mail templates', () => {
  const receipt = {
    trackingCode: 'ABCD-EFGH',
    magicLinkUrl: 'https://gopy.example/theo-doi/#t=magic123',
    // 17:30 UTC on the 20th is already the 21st in Asia/Ho_Chi_Minh.
    answerDueAt: '2026-03-20T17:30:00.000Z',
    unitName: 'Sở Nội vụ',
  };

  it('formats dates as dd/mm/yyyy of the day in Asia/Ho_Chi_Minh', () => {
    expect(formatVnDate('2026-03-20T16:59:59.000Z')).toBe('20/03/2026');
    expect(formatVnDate('2026-03-20T17:00:00.000Z')).toBe('21/03/2026');
    expect(formatVnDate('2026-12-31T17:00:00Z')).toBe('01/01/2027');
    expect(() => formatVnDate('not a date')).toThrow(RangeError);
  });

  it('receipt in Vietnamese: polite greeting, code, magic link, keep-private warning, due date', () => {
    const m = receiptMail({ locale: 'vi', ...receipt });
    expect(m.subject).toBe('Đã tiếp nhận phản ánh, kiến nghị ABCD-EFGH');
    expect(m.bodyText.startsWith('Kính gửi Ông/Bà,\n\n')).toBe(true);
    expect(m.bodyText).toContain('ABCD-EFGH');
    expect(m.bodyText).toContain('\nhttps://gopy.example/theo-doi/#t=magic123\n');
    expect(m.bodyText).toContain('Vui lòng giữ kín');
    // Not yet classified: the date is provisional and the sender is told it will be recomputed.
    expect(m.bodyText).toContain('Hạn trả lời dự kiến: ngày 21/03/2026.');
    expect(m.bodyText).toContain('được tính lại khi cơ quan phân loại');
    expect(receiptMail({ locale: 'vi', ...receipt, provisional: false }).bodyText).toContain(
      'Hạn trả lời: chậm nhất ngày 21/03/2026.',
    );
    expect(m.bodyText).toContain('Sở Nội vụ');
    expect(m.bodyText).toContain('Trân trọng,');
    expect(m.bodyText).toBe(m.bodyText.normalize('NFC'));
  });

  it('receipt in English', () => {
    const m = receiptMail({ locale: 'en', ...receipt });
    expect(m.subject).toBe('We received your feedback ABCD-EFGH');
    expect(m.bodyText.startsWith('Dear Sir or Madam,\n\n')).toBe(true);
    expect(m.bodyText).toContain('https://gopy.example/theo-doi/#t=magic123');
    expect(m.bodyText).toContain('keep it private');
    expect(m.bodyText).toContain('21/03/2026');
    expect(m.bodyText).not.toContain('Kính gửi');
  });

  it('never carries the access key, even when a caller passes one', () => {
    const key = 'SECRET-ACCESS-KEY-123';
    const extra = { ...receipt, locale: 'vi' as const, ...({ accessKey: key, access_key: key } as object) };
    for (const locale of ['vi', 'en'] as const) {
      const r = receiptMail({ ...extra, locale });
      expect(r.subject + r.bodyText).not.toContain(key);
      for (const status of STATUS_MAIL_KINDS) {
        const s = statusMail({
          locale,
          status,
          trackingCode: 'ABCD-EFGH',
          trackUrl: 'https://gopy.example/theo-doi/',
          ...({ accessKey: key } as object),
        });
        expect(s.subject + s.bodyText).not.toContain(key);
      }
    }
  });

  const cases: [StatusMailKind, Partial<Parameters<typeof statusMail>[0]>, string[], string[]][] = [
    [
      'classified',
      { dueAt: '2026-04-01T10:00:00Z' },
      ['đã được phân loại và tiếp nhận để xem xét, xử lý', '01/04/2026'],
      ['accepted', '01/04/2026'],
    ],
    [
      'rejected',
      { note: 'Nội dung trùng lặp' },
      ['không được tiếp nhận xử lý', 'Lý do: Nội dung trùng lặp'],
      ['not accepted', 'Reason: Nội dung trùng lặp'],
    ],
    [
      'transferred',
      { note: 'Thuộc thẩm quyền của xã', unitName: 'UBND xã Ninh Hiệp' },
      ['đã được chuyển', 'Cơ quan xử lý: UBND xã Ninh Hiệp.', 'Lý do: Thuộc thẩm quyền của xã'],
      ['transferred', 'Now handled by: UBND xã Ninh Hiệp.', 'Reason: Thuộc thẩm quyền của xã'],
    ],
    [
      'info-requested',
      { note: 'Ảnh chụp biên nhận hồ sơ' },
      ['bổ sung thông tin', 'Thông tin cần bổ sung: Ảnh chụp biên nhận hồ sơ'],
      ['more information', 'Information requested: Ảnh chụp biên nhận hồ sơ'],
    ],
    [
      'extended',
      { dueAt: '2026-04-10T18:00:00Z', note: 'Cần xác minh thực tế' },
      ['gia hạn', 'chậm nhất ngày 11/04/2026', 'Lý do: Cần xác minh thực tế'],
      ['extended', '11/04/2026', 'Reason: Cần xác minh thực tế'],
    ],
    [
      'answered',
      { dueAt: '2026-04-20T09:00:00Z' },
      ['đã trả lời', 'đánh giá mức độ hài lòng', 'đến hết ngày 20/04/2026'],
      ['answered', 'rate how satisfied', 'until 20/04/2026'],
    ],
    ['published', {}, ['đã được công khai', 'lược bỏ'], ['published', 'personal data has been removed']],
  ];

  it.each(cases)('status mail %s in both languages', (status, extra, vi, en) => {
    const base = { trackingCode: 'WXYZ-2345', trackUrl: 'https://gopy.example/theo-doi/', status, ...extra };
    const v = statusMail({ ...base, locale: 'vi' });
    const e = statusMail({ ...base, locale: 'en' });
    expect(v.subject).toContain('WXYZ-2345');
    expect(e.subject).toContain('WXYZ-2345');
    expect(v.bodyText.startsWith('Kính gửi Ông/Bà,')).toBe(true);
    expect(e.bodyText.startsWith('Dear Sir or Madam,')).toBe(true);
    for (const s of vi) expect(v.bodyText).toContain(s);
    for (const s of en) expect(e.bodyText).toContain(s);
    for (const m of [v, e]) {
      expect(m.bodyText).toContain('https://gopy.example/theo-doi/');
      expect(m.bodyText).not.toContain('undefined');
      expect(m.subject).not.toMatch(/[\r\n]/);
    }
  });

  it('leaves out a sentence whose part is missing', () => {
    const m = statusMail({ locale: 'vi', trackingCode: 'A', trackUrl: 'u', status: 'rejected' });
    expect(m.bodyText).not.toContain('Lý do');
    expect(m.bodyText).not.toContain('undefined');
  });
});
