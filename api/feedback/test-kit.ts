/**
 * Test kit for the feedback lifecycle (issue #4): staff accounts with known passwords, signing in
 * through the real API, sending feedback as a sender, and taking steps — all through
 * `createApp(...).request()` over a real libSQL file (api/test-harness.ts). Tests only.
 */
import { randomBytes } from 'node:crypto';
import type { Harness } from '../test-harness.ts';
import { createStaff, type StaffRole } from '../../db/staff.ts';
import { hashPassword } from '../staff/auth.ts';

export type App = ReturnType<Harness['app']>;

export interface Signed {
  cookie: string;
  csrf: string;
  staffId: number;
}

let addressSeq = 0;
/** A client address of its own, so per-address limits of one test never touch another. */
export function freshAddress(): { clientAddress: string } {
  addressSeq++;
  return { clientAddress: `198.51.${(addressSeq >> 8) & 255}.${addressSeq & 255}` };
}

/** Creates a staff member with the given grants and signs them in. */
export async function staffMember(
  h: Harness,
  app: App,
  username: string,
  grants: readonly { role: StaffRole; unit: string }[],
): Promise<Signed> {
  const password = `pw-${randomBytes(9).toString('base64url')}`;
  const staffId = await createStaff(h.db.client, {
    username,
    displayName: `Cán bộ ${username}`,
    passwordHash: await hashPassword(password),
    roles: grants,
    now: new Date(),
  });
  const login = await app.request(
    '/api/v1/staff/login',
    {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username, password }),
    },
    freshAddress(),
  );
  if (login.status !== 204) throw new Error(`sign-in of ${username} failed: ${login.status}`);
  const m = /__Host-gopy_session=([^;]*)/.exec(login.headers.get('set-cookie') ?? '');
  const cookie = `__Host-gopy_session=${m![1]}`;
  const s = await app.request('/api/v1/staff/session', { headers: { Cookie: cookie } });
  const { csrf_token } = (await s.json()) as { csrf_token: string };
  return { cookie, csrf: csrf_token, staffId };
}

export function staffGet(app: App, who: Signed, path: string): Promise<Response> {
  return Promise.resolve(app.request(path, { headers: { Cookie: who.cookie } }));
}

export function staffPost(app: App, who: Signed, path: string, body: unknown): Promise<Response> {
  const form = body instanceof FormData;
  return Promise.resolve(
    app.request(path, {
      method: 'POST',
      headers: {
        Cookie: who.cookie,
        'X-CSRF-Token': who.csrf,
        ...(form ? {} : { 'Content-Type': 'application/json' }),
      },
      body: form ? body : JSON.stringify(body),
    }),
  );
}

/** One step on a case; returns the response (the case, or a problem). */
export function act(app: App, who: Signed, id: number, input: Record<string, unknown>): Promise<Response> {
  return staffPost(app, who, `/api/v1/staff/feedback/${id}/actions`, input);
}

export interface SentFeedback {
  id: number;
  code: string;
  key: string;
}

export const SENDER = {
  name: 'Lê Thị Canary',
  phone: '0987 654 321',
  email: 'canary.sender@example.vn',
  address: '99 Đường Thử, phường Ninh Hòa',
};

/** Sends feedback as a citizen (JSON, or multipart when files are given) and returns its ids. */
export async function sendFeedback(
  h: Harness,
  app: App,
  overrides: Record<string, unknown> = {},
  files: readonly File[] = [],
): Promise<SentFeedback> {
  const data = {
    kind: 'phan-anh',
    subject: 'hanh-vi',
    unit: 'phuong-ninh-hoa',
    title: 'Cán bộ hẹn trả kết quả nhiều lần',
    content: `Tôi là ${SENDER.name}, số điện thoại ${SENDER.phone}. Hồ sơ đất đai của tôi bị hẹn lại ba lần.`,
    ...SENDER,
    publish_content: true,
    show_name: false,
    ...overrides,
  };
  let init: RequestInit;
  if (files.length > 0) {
    const form = new FormData();
    form.set('data', JSON.stringify(data));
    for (const f of files) form.append('attachments', f);
    init = { method: 'POST', headers: { 'Idempotency-Key': `kit-${randomBytes(8).toString('hex')}` }, body: form };
  } else {
    init = {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': `kit-${randomBytes(8).toString('hex')}` },
      body: JSON.stringify(data),
    };
  }
  const res = await app.request('/api/v1/feedback', init, freshAddress());
  if (res.status !== 201) throw new Error(`feedback refused: ${res.status} ${await res.text()}`);
  const receipt = (await res.json()) as { tracking_code: string; access_key: string };
  const rs = await h.db.client.execute({
    sql: 'SELECT id FROM feedback WHERE tracking_code = ?',
    args: [receipt.tracking_code],
  });
  return { id: Number(rs.rows[0]!.id), code: receipt.tracking_code, key: receipt.access_key };
}

/** A sender's step (rate, dispute, provide-info) with code + key. */
export function senderAct(app: App, sent: SentFeedback, input: Record<string, unknown>): Promise<Response> {
  return Promise.resolve(
    app.request(
      '/api/v1/feedback/action',
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ code: sent.code, key: sent.key, ...input }),
      },
      freshAddress(),
    ),
  );
}

export function senderTrack(app: App, sent: SentFeedback): Promise<Response> {
  return Promise.resolve(
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
}
