/**
 * Where outbox text messages go (api/env.ts SMPP_URL, SMS_DIR): an SMPP 3.4 gateway, the protocol
 * of Vietnamese carriers and brandname-SMS providers, through the `smpp` package; or, without
 * SMPP_URL, one file per part in SMS_DIR, as e-mail goes to MAIL_DIR. The SMS worker is the only
 * user. The session is a transceiver bind kept open, so the gateway can hand us delivery receipts
 * and replies (deliver_sm) at any time, including receipts it kept while we were down.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import smpp from 'smpp';
import type { PDU, Session } from 'smpp';
import type { Config } from '../env.ts';
import { DATA_CODING, concatUdh, decodePayload, encodePayload, type SmsEncoding } from './encoding.ts';

export interface OutgoingPart {
  outboxId: number;
  /** 0-based. */
  part: number;
  parts: number;
  concatRef: number;
  /** 0xxxxxxxxx. */
  to: string;
  /** The part's text (already prepared for its encoding). */
  text: string;
  encoding: SmsEncoding;
}

export type ReceiptState = 'delivered' | 'undeliverable' | 'pending';

export interface InboundHandlers {
  /** A delivery receipt; resolves once its state is stored (then, and only then, it is acknowledged). */
  receipt(r: { gatewayId: string; phone: string | undefined; state: ReceiptState }): Promise<void>;
  /** A message from a phone (a reply such as STOP/TUCHOI); resolves once handled. */
  message(m: { phone: string; text: string }): Promise<void>;
}

/**
 * A send error with a fixed-vocabulary code (never the gateway's text, which may echo the number).
 * `ambiguous`: the part was handed over and no answer came (timeout, connection lost): the gateway
 * may have it. `permanent`: the gateway refused this message for good (an invalid number).
 */
export class SmsError extends Error {
  code: string;
  ambiguous: boolean;
  permanent: boolean;
  constructor(code: string, opts: { ambiguous?: boolean; permanent?: boolean } = {}) {
    super(code);
    this.name = 'SmsError';
    this.code = code;
    this.ambiguous = opts.ambiguous ?? false;
    this.permanent = opts.permanent ?? false;
  }
}

export interface SmsTransport {
  kind: 'smpp' | 'file';
  /** Resolves with the gateway's message id once it accepted the part; rejects with SmsError. */
  submit(part: OutgoingPart): Promise<string>;
  close(): Promise<void>;
}

/** Gateway answers that will never change for this message (SMPP 3.4 §5.1.3). */
const PERMANENT = new Set(['ESME_RINVDSTADR', 'ESME_RINVDSTTON', 'ESME_RINVDSTNPI', 'ESME_RINVMSGLEN']);
const STATUS_NAMES = new Map(Object.entries(smpp.errors).map(([name, code]) => [code, name] as const));

export function statusName(status: number): string {
  return STATUS_NAMES.get(status) ?? `STATUS_${status.toString(16).padStart(4, '0')}`;
}

/** 0xxxxxxxxx → 84xxxxxxxxx (international, TON 1 NPI 1), as gateways expect. */
export function toInternational(phone: string): string {
  return phone.startsWith('0') ? `84${phone.slice(1)}` : phone.replace(/^\+/, '');
}

/** A number as a gateway writes it (84…, +84…, 0…) → 0xxxxxxxxx, or undefined. */
export function fromGateway(addr: unknown): string | undefined {
  if (typeof addr !== 'string') return undefined;
  const digits = addr.replace(/\D/g, '');
  if (/^84\d{9,10}$/.test(digits)) return `0${digits.slice(2)}`;
  if (/^0\d{9,10}$/.test(digits)) return digits;
  return undefined;
}

export interface SmppSettings {
  host: string;
  port: number;
  tls: boolean;
  systemId: string;
  password: string;
  systemType: string;
  source: string;
  sourceTon: number;
  sourceNpi: number;
}

/**
 * `smpp://systemid:password@host:2775?source=BRANDNAME` (ssmpp:// for TLS; `system_type` optional).
 * The source is a brandname (alphanumeric, TON 5), a short code (≤ 6 digits, TON 3) or a number
 * (international, TON 1).
 * @example parseSmppUrl('smpp://gopy:secret@10.0.0.5:2775?source=UBND%20KH').source === 'UBND KH'
 */
export function parseSmppUrl(url: string): SmppSettings {
  const u = new URL(url);
  const source = u.searchParams.get('source') ?? '';
  const digits = /^\+?\d+$/.test(source);
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : u.protocol === 'ssmpp:' ? 3550 : 2775,
    tls: u.protocol === 'ssmpp:',
    systemId: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    systemType: u.searchParams.get('system_type') ?? '',
    source: digits ? source.replace(/^\+/, '') : source,
    sourceTon: digits ? (source.replace(/^\+/, '').length <= 6 ? 3 : 1) : 5,
    sourceNpi: digits && source.replace(/^\+/, '').length > 6 ? 1 : 0,
  };
}

/**
 * Waits for an answer to a PDU; bounded, so a silent gateway cannot hold a worker pass for ever, and
 * shorter than half the lease, so no other worker takes the row while this one still waits.
 */
export function answerTimeoutMs(config: Pick<Config, 'SMS_LEASE_SECONDS'>): number {
  return Math.min(30_000, (config.SMS_LEASE_SECONDS * 1000) / 2);
}
const RECONNECT_MS = 5_000;

/**
 * The delivery state of a receipt: the message_state TLV, else the `stat:` word of the receipt text
 * (SMPP 3.4 Appendix B).
 */
function receiptState(pdu: PDU): ReceiptState {
  const ms = pdu.message_state;
  if (typeof ms === 'number') return ms === 2 ? 'delivered' : [3, 5, 8].includes(ms) ? 'undeliverable' : 'pending';
  const text = shortText(pdu);
  const stat = /stat:(\w+)/i.exec(text)?.[1]?.toUpperCase();
  if (stat === 'DELIVRD') return 'delivered';
  if (stat && ['UNDELIV', 'REJECTD', 'EXPIRED', 'DELETED'].includes(stat)) return 'undeliverable';
  return 'pending';
}

function shortText(pdu: PDU): string {
  const sm = pdu.short_message as { message?: unknown } | Buffer | string | undefined;
  if (typeof sm === 'string') return sm;
  if (Buffer.isBuffer(sm)) return sm.toString('latin1');
  if (sm && typeof sm.message === 'string') return sm.message;
  if (sm && Buffer.isBuffer(sm.message)) return sm.message.toString('latin1');
  const payload = pdu.message_payload as { message?: unknown } | undefined;
  if (payload && typeof payload.message === 'string') return payload.message;
  return '';
}

function receiptId(pdu: PDU): string | undefined {
  if (typeof pdu.receipted_message_id === 'string' && pdu.receipted_message_id) return pdu.receipted_message_id;
  return /id:(\S+)/i.exec(shortText(pdu))?.[1];
}

/**
 * @example
 *   const t = createSmsTransport(config, handlers);
 *   const id = await t.submit({ outboxId: 1, part: 0, parts: 1, concatRef: 7, to: '0901234567', text: 'Chào', encoding: 'ucs2' });
 */
export function createSmsTransport(
  config: Config,
  handlers: InboundHandlers,
  now: () => Date = () => new Date(),
): SmsTransport {
  if (config.SMPP_URL) return smppTransport(parseSmppUrl(config.SMPP_URL), handlers, answerTimeoutMs(config));
  return fileTransport(config.SMS_DIR, now);
}

function smppTransport(s: SmppSettings, handlers: InboundHandlers, answerMs: number): SmsTransport {
  let session: Session | undefined;
  let binding: Promise<Session> | undefined;
  let closing = false;
  let reconnect: NodeJS.Timeout | undefined;
  /** Answers awaited on the current session: rejected as ambiguous when it closes. */
  const waiting = new Set<(err: SmsError) => void>();

  function onInbound(sess: Session, pdu: PDU): void {
    const esm = typeof pdu.esm_class === 'number' ? pdu.esm_class : 0;
    const phone = fromGateway(pdu.source_addr);
    const isReceipt = (esm & 0x3c) === 0x04;
    const work = isReceipt
      ? (() => {
          const gatewayId = receiptId(pdu);
          return gatewayId ? handlers.receipt({ gatewayId, phone, state: receiptState(pdu) }) : Promise.resolve();
        })()
      : phone
        ? handlers.message({ phone, text: shortText(pdu) })
        : Promise.resolve();
    // Acknowledged only once handled and stored: if we die first, the gateway delivers it again.
    work.then(
      () => sess.send(pdu.response()),
      () => sess.send(pdu.response({ command_status: smpp.ESME_RX_T_APPN })),
    );
  }

  function bind(): Promise<Session> {
    if (session) return Promise.resolve(session);
    if (binding) return binding;
    binding = new Promise<Session>((resolve, reject) => {
      const sess = smpp.connect({ host: s.host, port: s.port, tls: s.tls, auto_enquire_link_period: 30_000 });
      let settled = false;
      const fail = (code: string): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        sess.destroy();
        reject(new SmsError(code));
      };
      const timer = setTimeout(() => fail('BIND_TIMEOUT'), answerMs);
      timer.unref();
      sess.on('error', (err: NodeJS.ErrnoException) => fail(typeof err.code === 'string' ? err.code : 'ECONNECT'));
      sess.on('close', () => {
        fail('ECLOSED');
        if (session === sess) {
          session = undefined;
          for (const w of waiting) w(new SmsError('ECLOSED', { ambiguous: true }));
          waiting.clear();
          scheduleReconnect();
        }
      });
      sess.on('deliver_sm', (pdu: PDU) => onInbound(sess, pdu));
      sess.on('enquire_link', (pdu: PDU) => sess.send(pdu.response()));
      sess.on('unbind', (pdu: PDU) => {
        sess.send(pdu.response());
        sess.close();
      });
      sess.on('connect', () => {
        sess.bind_transceiver(
          { system_id: s.systemId, password: s.password, system_type: s.systemType, interface_version: 0x34 },
          (resp) => {
            if (resp.command_status !== 0) return fail(`BIND:${statusName(resp.command_status)}`);
            settled = true;
            clearTimeout(timer);
            session = sess;
            resolve(sess);
          },
        );
      });
    }).finally(() => {
      binding = undefined;
    });
    return binding;
  }

  // A transceiver stays bound, so receipts kept by the gateway while we were away reach us.
  function scheduleReconnect(): void {
    if (closing || reconnect) return;
    reconnect = setTimeout(() => {
      reconnect = undefined;
      bind().catch(() => scheduleReconnect());
    }, RECONNECT_MS);
    reconnect.unref();
  }
  bind().catch(() => scheduleReconnect());

  return {
    kind: 'smpp',
    async submit(p) {
      if (closing) throw new SmsError('ECLOSING');
      const sess = await bind();
      const payload = encodePayload(p.text, p.encoding);
      const concatenated = p.parts > 1;
      const shortMessage = concatenated
        ? Buffer.concat([concatUdh(p.concatRef, p.parts, p.part + 1), payload])
        : payload;
      return new Promise<string>((resolve, reject) => {
        let done = false;
        const finish = (fn: () => void): void => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          waiting.delete(onClose);
          fn();
        };
        const onClose = (err: SmsError): void => finish(() => reject(err));
        const timer = setTimeout(() => finish(() => reject(new SmsError('ETIMEOUT', { ambiguous: true }))), answerMs);
        timer.unref();
        waiting.add(onClose);
        const written = sess.submit_sm(
          {
            source_addr_ton: s.sourceTon,
            source_addr_npi: s.sourceNpi,
            source_addr: s.source,
            dest_addr_ton: 1,
            dest_addr_npi: 1,
            destination_addr: toInternational(p.to),
            esm_class: concatenated ? 0x40 : 0x00,
            registered_delivery: 0x01,
            data_coding: DATA_CODING[p.encoding],
            short_message: shortMessage,
          },
          (resp) =>
            finish(() => {
              if (resp.command_status === 0 && typeof resp.message_id === 'string' && resp.message_id !== '')
                resolve(resp.message_id);
              else if (resp.command_status === 0) reject(new SmsError('NO_MESSAGE_ID', { ambiguous: true }));
              else {
                const name = statusName(resp.command_status);
                reject(new SmsError(name, { permanent: PERMANENT.has(name) }));
              }
            }),
        );
        // Not written at all: the gateway cannot have it.
        if (!written) finish(() => reject(new SmsError('ENOTCONN')));
      });
    },
    async close() {
      closing = true;
      if (reconnect) clearTimeout(reconnect);
      const sess = session ?? (await binding?.catch(() => undefined));
      session = undefined;
      if (!sess) return;
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => sess.destroy(() => resolve()), 2_000);
        t.unref();
        sess.unbind({}, () => {
          clearTimeout(t);
          sess.close(() => resolve());
        });
      });
    },
  };
}

/**
 * No gateway (demo, development): each part is a text file in SMS_DIR, owner-only, written then
 * renamed so a reader never sees half of one. The file's id stands in for the gateway's.
 */
function fileTransport(dir: string, now: () => Date): SmsTransport {
  return {
    kind: 'file',
    async submit(p) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const stamp = now().toISOString().replace(/[-:.]/g, '');
      const name = `${stamp}-${p.outboxId}-${p.part + 1}of${p.parts}.txt`;
      // What the phone would show, read back from the bytes the gateway would get.
      const shown = decodePayload(encodePayload(p.text, p.encoding), p.encoding);
      const body = `To: ${p.to}\nEncoding: ${p.encoding}\nPart: ${p.part + 1}/${p.parts}\n\n${shown}\n`;
      const tmp = join(dir, `.${name}.${process.pid}.tmp`);
      await writeFile(tmp, body, { mode: 0o600 });
      await rename(tmp, join(dir, name));
      return `file-${p.outboxId}-${p.part + 1}`;
    },
    async close() {},
  };
}
