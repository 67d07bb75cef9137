/**
 * Issue #11 part 1 "Proof": the SMS worker against a real SMPP server started in the test (the
 * `smpp` package's own server, api/sms/test-gateway.ts), on a real temp libSQL database: a
 * concatenated UCS-2 message, a refused bind, ESME_RTHROTTLED with backoff, a gateway killed in the
 * middle of a message (with and without the part kept), delivery receipts and a TUCHOI reply.
 * Only the worker's clock is injected.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { configWith, type Config } from '../env.ts';
import { openHarness, type Harness } from '../test-harness.ts';
import { SMS_BACKOFF_SECONDS, smsCounts } from '../../db/sms-outbox.ts';
import { smsStatement } from './enqueue.ts';
import { toGsm7Text } from './encoding.ts';
import { messagesOf, newGatewayStore, startTestGateway, type TestGateway } from './test-gateway.ts';
import { startSmsWorker, type SmsWorker } from './worker.ts';

const START = new Date('2026-03-02T03:00:00.000Z');
const PHONE = '0901234567';
/** Three UCS-2 parts: 140 < length ≤ 201. */
const LONG =
  'UBND tỉnh Khánh Hòa đã tiếp nhận phản ánh, kiến nghị mã tra cứu ABCD-EFGH. Hạn trả lời: 20/03/2026. ' +
  'Xem hồ sơ: https://gopy.khanhhoa.gov.vn/tra-cuu/?lien-ket=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';

let h: Harness;
let clock: Date;
const now = (): Date => clock;
const lines: string[] = [];
const workers: SmsWorker[] = [];
const gateways: TestGateway[] = [];

beforeAll(async () => {
  h = await openHarness('gopy-sms-');
});
afterAll(async () => {
  await h.close();
});
afterEach(async () => {
  for (const w of workers.splice(0)) await w.stop();
  for (const g of gateways.splice(0)) await g.kill();
  await h.db.client.batch(
    ['DELETE FROM sms_gateway_ids', 'DELETE FROM sms_outbox', 'DELETE FROM sms_optouts'],
    'write',
  );
  lines.length = 0;
});

async function gateway(opts: Parameters<typeof startTestGateway>[0] = {}): Promise<TestGateway> {
  const g = await startTestGateway(opts);
  gateways.push(g);
  return g;
}

function worker(overrides: Partial<Record<keyof Config, string>>): SmsWorker {
  const config = configWith({ SMS_LEASE_SECONDS: '60', ...overrides });
  const w = startSmsWorker({ db: h.db, config, log: (l) => lines.push(l), now }, { intervalMs: 0 });
  workers.push(w);
  return w;
}

async function enqueue(text = LONG, to = PHONE, key = `k-${Math.random()}`, unaccented = false): Promise<void> {
  const config = configWith({ SMS_UNACCENTED: unaccented ? '1' : '0' });
  await h.db.client.batch(
    [await smsStatement({ db: h.db, config }, { dedupeKey: key, kind: 'receipt', to, text, at: clock })],
    'write',
  );
}

async function rows(): Promise<Record<string, unknown>[]> {
  const rs = await h.db.client.execute('SELECT * FROM sms_outbox ORDER BY id');
  return rs.rows.map((r) => ({ ...r }));
}

async function until(cond: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Nothing personal in the log: no number in any form, no text. */
function expectCleanLog(): void {
  const all = lines.join('\n');
  expect(all).not.toMatch(/901234567/);
  expect(all).not.toContain('ABCD-EFGH');
}

describe('SMS through a real SMPP server', () => {
  it('sends a Vietnamese text as three UCS-2 parts with one concatenation reference, stores the ids, then the receipts mark it delivered', async () => {
    clock = START;
    const g = await gateway();
    await enqueue();
    const w = worker({ SMPP_URL: g.url() });
    expect(await w.drain()).toBe(1);

    expect(g.store.accepted).toHaveLength(3);
    const refs = new Set(g.store.accepted.map((p) => p.udh?.ref));
    expect(refs.size).toBe(1);
    expect(g.store.accepted.map((p) => [p.udh?.seq, p.udh?.total, p.dataCoding, p.to])).toEqual([
      [1, 3, 8, '84901234567'],
      [2, 3, 8, '84901234567'],
      [3, 3, 8, '84901234567'],
    ]);
    expect(g.store.accepted.every((p) => [...p.text].length <= 67)).toBe(true);
    expect(messagesOf(g.store)).toEqual([{ to: '84901234567', text: LONG, parts: 3 }]);

    let [row] = await rows();
    expect(row).toMatchObject({ status: 'sent', parts: 3, parts_accepted: 3, to_phone: null, body_text: null });
    const ids = await h.db.client.execute('SELECT gateway_id, part FROM sms_gateway_ids ORDER BY part');
    expect(ids.rows.map((r) => String(r.gateway_id))).toEqual(g.store.accepted.map((p) => p.id));

    // The gateway sends a receipt per part; each is stored before it is acknowledged.
    await until(() => g.store.receipts.length === 0);
    [row] = await rows();
    expect(row).toMatchObject({ status: 'delivered', delivered_parts: 3 });
    expect((await smsCounts(h.db.client)).delivered).toBe(1);
    expectCleanLog();
  });

  it('SMS_UNACCENTED=1: the same text without accents in GSM-7 (data_coding 0), 153 septets per part', async () => {
    clock = START;
    const g = await gateway();
    const text = `${LONG} ${LONG}`;
    await enqueue(text, PHONE, 'unaccented', true);
    const w = worker({ SMPP_URL: g.url() });
    expect(await w.drain()).toBe(1);
    expect(g.store.accepted.map((p) => p.dataCoding)).toEqual([0, 0, 0]);
    expect(g.store.accepted.slice(0, 2).map((p) => p.text.length)).toEqual([153, 153]);
    const [message] = messagesOf(g.store);
    expect(message!.text).toBe(toGsm7Text(text));
    expect(message!.text).toContain('UBND tinh Khanh Hoa da tiep nhan phan anh, kien nghi');
  });

  it('a refused bind sends nothing and retries after the backoff; the right password then sends once', async () => {
    clock = START;
    const g = await gateway();
    await enqueue('Tin ngắn.');
    const bad = worker({ SMPP_URL: g.url('wrong') });
    expect(await bad.drain()).toBe(0);
    expect(g.store.refusedBinds).toBeGreaterThanOrEqual(1);
    expect(g.store.accepted).toHaveLength(0);
    let [row] = await rows();
    expect(row).toMatchObject({ status: 'pending', attempts: 1, last_error: 'BIND:ESME_RBINDFAIL', parts_accepted: 0 });
    expect(row!.next_attempt_at).toBe(new Date(START.getTime() + SMS_BACKOFF_SECONDS[0] * 1000).toISOString());
    await bad.stop();

    const good = worker({ SMPP_URL: g.url() });
    expect(await good.drain()).toBe(0); // not due yet
    clock = new Date(START.getTime() + SMS_BACKOFF_SECONDS[0] * 1000);
    expect(await good.drain()).toBe(1);
    expect(g.store.accepted).toHaveLength(1);
    [row] = await rows();
    expect(row).toMatchObject({ status: 'sent', to_phone: null, body_text: null });
    expectCleanLog();
  });

  it('ESME_RTHROTTLED: backs off 30 s, then 2 min, then sends exactly once', async () => {
    clock = START;
    const g = await gateway({ throttle: 2 });
    await enqueue('Tin ngắn.');
    const w = worker({ SMPP_URL: g.url() });
    expect(await w.drain()).toBe(0);
    let [row] = await rows();
    expect(row).toMatchObject({ status: 'pending', attempts: 1, last_error: 'ESME_RTHROTTLED' });
    clock = new Date(START.getTime() + 30_000);
    expect(await w.drain()).toBe(0);
    [row] = await rows();
    expect(row).toMatchObject({ attempts: 2 });
    expect(row!.next_attempt_at).toBe(new Date(clock.getTime() + 120_000).toISOString());
    clock = new Date(clock.getTime() + 120_000);
    expect(await w.drain()).toBe(1);
    expect(g.store.throttled).toBe(2);
    expect(g.store.accepted).toHaveLength(1);
    expect(lines.filter((l) => l.includes('"retry"'))).toHaveLength(2);
  });

  it('gateway killed after keeping part 2 (its answer lost): after the restart its receipt resolves the part, only part 3 is sent', async () => {
    clock = START;
    const store = newGatewayStore();
    const g1 = await gateway({ store, dieOnSubmit: { n: 2, stored: true } });
    await enqueue();
    const w = worker({ SMPP_URL: g1.url() });
    expect(await w.drain()).toBe(0);
    await g1.died;
    let [row] = await rows();
    expect(row).toMatchObject({ status: 'pending', parts_accepted: 1, inflight_part: 1 });
    expect(store.accepted).toHaveLength(2);

    // Same port, same store: the restarted gateway hands over the receipts it kept.
    const g2 = await gateway({ store, port: g1.port });
    await until(async () => Number((await rows())[0]!.parts_accepted) === 2, 20_000);
    [row] = await rows();
    expect(row!.inflight_part).toBeNull();
    expect(await w.drain()).toBe(1);
    expect(g2.store.accepted).toHaveLength(3);
    expect(new Set(store.accepted.map((p) => p.udh?.seq))).toEqual(new Set([1, 2, 3]));
    expect(messagesOf(store)).toEqual([{ to: '84901234567', text: LONG, parts: 3 }]);
    [row] = await rows();
    expect(row).toMatchObject({ status: 'sent', parts_accepted: 3 });
  }, 40_000);

  it('gateway killed before keeping part 2: no receipt comes, the part is sent again after the lease, once', async () => {
    clock = START;
    const store = newGatewayStore();
    const g1 = await gateway({ store, dieOnSubmit: { n: 2, stored: false } });
    await enqueue();
    const w = worker({ SMPP_URL: g1.url() });
    expect(await w.drain()).toBe(0);
    await g1.died;
    expect(store.accepted).toHaveLength(1);
    await gateway({ store, port: g1.port });
    expect(await w.drain()).toBe(0); // leased: waiting for a receipt
    clock = new Date(START.getTime() + 61_000);
    expect(await w.drain()).toBe(1);
    expect(store.accepted).toHaveLength(3);
    expect(messagesOf(store)).toEqual([{ to: '84901234567', text: LONG, parts: 3 }]);
  }, 40_000);

  it('a TUCHOI reply opts the number out: queued messages are cancelled and new ones not written', async () => {
    clock = START;
    const g = await gateway();
    const w = worker({ SMPP_URL: g.url() });
    await enqueue('Tin thứ nhất.');
    expect(await w.drain()).toBe(1);
    await enqueue('Tin thứ hai.');
    g.sendFromPhone('84901234567', 'Từ chối');
    await until(async () => (await h.db.client.execute('SELECT count(*) AS n FROM sms_optouts')).rows[0]!.n === 1);
    await until(async () => (await rows())[1]?.status === 'cancelled');
    await enqueue('Tin thứ ba.');
    expect(await rows()).toHaveLength(2);
    expect(await w.drain()).toBe(0);
    expect(g.store.accepted).toHaveLength(1);
    const [, cancelled] = await rows();
    expect(cancelled).toMatchObject({ to_phone: null, body_text: null });
    expectCleanLog();
  });

  it('without SMPP_URL each part is a file in SMS_DIR', async () => {
    clock = START;
    const dir = mkdtempSync(join(tmpdir(), 'gopy-sms-files-'));
    try {
      await enqueue();
      const w = worker({ SMS_DIR: dir });
      expect(await w.drain()).toBe(1);
      const files = readdirSync(dir).sort();
      expect(files).toHaveLength(3);
      expect(readFileSync(join(dir, files[0]!), 'utf8')).toContain('Part: 1/3');
      expect(files.map((f) => readFileSync(join(dir, f), 'utf8').split('\n\n')[1]!.replace(/\n$/, '')).join('')).toBe(
        LONG,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
