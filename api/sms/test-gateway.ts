/**
 * A real SMPP 3.4 server (the `smpp` package's own) standing in for a carrier's gateway in tests and
 * in the crash harness (scripts/crash-harness.ts). It checks the bind, accepts submit_sm with a
 * message id, can answer ESME_RTHROTTLED, and keeps delivery receipts until a bound client
 * acknowledges them (store and forward, as gateways do), also across a restart: the store outlives
 * the server process's sockets. Nothing here is used by the portal itself.
 */
import type { AddressInfo } from 'node:net';
import smpp from 'smpp';
import type { PDU, Server, Session } from 'smpp';
import { decodePayload } from './encoding.ts';

export interface AcceptedPart {
  id: string;
  /** As the client sent it (84xxxxxxxxx). */
  to: string;
  dataCoding: number;
  /** The concatenation header, when there is one. */
  udh?: { ref: number; total: number; seq: number };
  text: string;
}

/** What the gateway remembers: shared by the server instances of one test (a "restart"). */
export interface GatewayStore {
  accepted: AcceptedPart[];
  /** Receipts not yet acknowledged by a client: [message id, the number]. */
  receipts: { id: string; phone: string }[];
  nextId: number;
  submits: number;
  binds: number;
  refusedBinds: number;
  throttled: number;
  /** Client connections that closed between two parts of a message (a client killed mid-message). */
  cutMidMessage: number;
}

export function newGatewayStore(): GatewayStore {
  return {
    accepted: [],
    receipts: [],
    nextId: 1,
    submits: 0,
    binds: 0,
    refusedBinds: 0,
    throttled: 0,
    cutMidMessage: 0,
  };
}

export interface GatewayOptions {
  port?: number;
  systemId?: string;
  password?: string;
  store?: GatewayStore;
  /** Answer ESME_RTHROTTLED to this many submit_sm before accepting. */
  throttle?: number;
  /** Send delivery receipts (default true). */
  receipts?: boolean;
  /**
   * Die (close every socket, stop listening) when the n-th submit_sm of this instance arrives:
   * `stored` true = after keeping it (the answer is lost), false = before.
   */
  dieOnSubmit?: { n: number; stored: boolean };
}

export interface TestGateway {
  port: number;
  store: GatewayStore;
  url(password?: string): string;
  /** A reply from a phone (mobile-originated deliver_sm) to the bound clients. */
  sendFromPhone(phone84: string, text: string): void;
  /** Resolves when it has stopped (killed: sockets destroyed, no unbind). */
  kill(): Promise<void>;
  /** Resolves when `dieOnSubmit` has happened. */
  died: Promise<void>;
}

/** The parts as the phone shows them: joined by reference, in order; one entry per message. */
export function messagesOf(store: GatewayStore): { to: string; text: string; parts: number }[] {
  const out: { to: string; text: string; parts: number }[] = [];
  const groups = new Map<string, AcceptedPart[]>();
  for (const p of store.accepted) {
    if (!p.udh) out.push({ to: p.to, text: p.text, parts: 1 });
    else {
      const key = `${p.to}/${p.udh.ref}`;
      groups.set(key, [...(groups.get(key) ?? []), p]);
    }
  }
  for (const ps of groups.values()) {
    ps.sort((a, b) => a.udh!.seq - b.udh!.seq);
    out.push({ to: ps[0]!.to, text: ps.map((p) => p.text).join(''), parts: ps.length });
  }
  return out;
}

function rawMessage(pdu: PDU): { udh?: AcceptedPart['udh']; text: string } {
  const dc = typeof pdu.data_coding === 'number' ? pdu.data_coding : 0;
  const sm = pdu.short_message as { udh?: Buffer[]; message?: string | Buffer } | Buffer | undefined;
  let udh: AcceptedPart['udh'];
  let text = '';
  if (sm && !Buffer.isBuffer(sm)) {
    const h = sm.udh?.find((u) => u[0] === 0x00);
    if (h) udh = { ref: h[2]!, total: h[3]!, seq: h[4]! };
    if (Buffer.isBuffer(sm.message)) text = decodePayload(sm.message, dc === 8 ? 'ucs2' : 'gsm7');
    else if (typeof sm.message === 'string') text = sm.message;
  } else if (Buffer.isBuffer(sm)) text = decodePayload(sm, dc === 8 ? 'ucs2' : 'gsm7');
  return udh ? { udh, text } : { text };
}

function stamp(): string {
  const d = new Date();
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}`;
}

export async function startTestGateway(opts: GatewayOptions = {}): Promise<TestGateway> {
  const store = opts.store ?? newGatewayStore();
  const systemId = opts.systemId ?? 'gopy';
  const password = opts.password ?? 'secret';
  let throttleLeft = opts.throttle ?? 0;
  let submitsHere = 0;
  let dead = false;
  const bound = new Set<Session>();
  const sockets = new Set<Session>();
  let markDied: () => void = () => {};
  const died = new Promise<void>((r) => (markDied = r));
  /** Receipts sent and not yet answered, per session, so one is never sent twice at once. */
  const inFlight = new Set<string>();

  function pushReceipts(): void {
    if (dead || opts.receipts === false) return;
    const sess = [...bound][0];
    if (!sess) return;
    for (const r of store.receipts) {
      if (inFlight.has(r.id)) continue;
      inFlight.add(r.id);
      const text = `id:${r.id} sub:001 dlvrd:001 submit date:${stamp()} done date:${stamp()} stat:DELIVRD err:000 text:`;
      const ok = sess.deliver_sm(
        {
          source_addr_ton: 1,
          source_addr_npi: 1,
          source_addr: r.phone,
          destination_addr: 'GOPY',
          esm_class: 0x04,
          short_message: text,
          receipted_message_id: r.id,
          message_state: 2,
        },
        (resp) => {
          inFlight.delete(r.id);
          if (resp.command_status === 0) store.receipts = store.receipts.filter((x) => x.id !== r.id);
          else setTimeout(pushReceipts, 50).unref();
        },
      );
      if (!ok) inFlight.delete(r.id);
    }
  }

  async function kill(): Promise<void> {
    if (dead) return;
    dead = true;
    for (const s of sockets) s.socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    markDied();
  }

  const server: Server = smpp.createServer({}, (session: Session) => {
    sockets.add(session);
    let lastPart: AcceptedPart | undefined;
    session.on('error', () => undefined);
    session.on('close', () => {
      if (!dead && lastPart?.udh && lastPart.udh.seq < lastPart.udh.total) store.cutMidMessage++;
      sockets.delete(session);
      bound.delete(session);
      inFlight.clear();
    });
    session.on('bind_transceiver', (pdu: PDU) => {
      if (pdu.system_id !== systemId || pdu.password !== password) {
        store.refusedBinds++;
        session.send(pdu.response({ command_status: smpp.ESME_RBINDFAIL }));
        session.close();
        return;
      }
      store.binds++;
      session.send(pdu.response({ system_id: 'TESTGW' }));
      bound.add(session);
      pushReceipts();
    });
    session.on('enquire_link', (pdu: PDU) => session.send(pdu.response()));
    session.on('unbind', (pdu: PDU) => {
      session.send(pdu.response());
      session.close();
    });
    session.on('submit_sm', (pdu: PDU) => {
      if (dead) return;
      store.submits++;
      submitsHere++;
      if (!bound.has(session)) {
        session.send(pdu.response({ command_status: smpp.errors.ESME_RINVBNDSTS }));
        return;
      }
      if (throttleLeft > 0) {
        throttleLeft--;
        store.throttled++;
        session.send(pdu.response({ command_status: smpp.ESME_RTHROTTLED }));
        return;
      }
      const die = opts.dieOnSubmit && submitsHere === opts.dieOnSubmit.n ? opts.dieOnSubmit : undefined;
      if (die && !die.stored) {
        void kill();
        return;
      }
      const id = `TGW${String(store.nextId++).padStart(8, '0')}`;
      const to = String(pdu.destination_addr);
      lastPart = { id, to, dataCoding: Number(pdu.data_coding ?? 0), ...rawMessage(pdu) };
      store.accepted.push(lastPart);
      if (Number(pdu.registered_delivery ?? 0) & 0x01) store.receipts.push({ id, phone: to });
      if (die) {
        void kill();
        return;
      }
      session.send(pdu.response({ message_id: id }));
      setTimeout(pushReceipts, 5).unref();
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    store,
    url: (pw = password) => `smpp://${systemId}:${encodeURIComponent(pw)}@127.0.0.1:${port}?source=UBND%20KH`,
    sendFromPhone(phone84, text) {
      const sess = [...bound][0];
      sess?.deliver_sm({
        source_addr_ton: 1,
        source_addr_npi: 1,
        source_addr: phone84,
        destination_addr: 'GOPY',
        short_message: text,
      });
    },
    kill,
    died,
  };
}
