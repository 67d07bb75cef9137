/**
 * Test kit for the feedback lifecycle (issue #4): staff accounts with known passwords, signing in
 * through the real API, sending feedback as a sender, and taking steps — all through
 * `createApp(...).request()` over a real libSQL file (api/test-harness.ts). Tests only.
 */
import { randomBytes } from 'node:crypto';
import { sha256Hex } from '../../db/dossiers.ts';
import type { Harness } from '../test-harness.ts';
import { createStaff, type StaffRole } from '../../db/staff.ts';
import { hashPassword } from '../staff/auth.ts';
import { newTotpSecret, sealSecret, totpCode } from '../staff/second-factor.ts';
import { insertTotpStatement } from '../../db/staff-mfa.ts';
import { configWith } from '../env.ts';

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
  // Issue #7 part 4b: every role needs a second factor by default; the account gets a TOTP secret
  // and signs in with both steps, as staff do.
  const secret = newTotpSecret();
  await h.db.client.execute(insertTotpStatement(staffId, sealSecret(configWith({}), secret), new Date(), null));
  const login = await signInTwoSteps(h, app, username, password, secret);
  if (login.status !== 204) throw new Error(`sign-in of ${username} failed: ${login.status}`);
  const m = /__Host-gopy_session=([^;]*)/.exec(login.headers.get('set-cookie') ?? '');
  const cookie = `__Host-gopy_session=${m![1]}`;
  const s = await app.request('/api/v1/staff/session', { headers: { Cookie: cookie } });
  const { csrf_token } = (await s.json()) as { csrf_token: string };
  return { cookie, csrf: csrf_token, staffId };
}

/**
 * Password, then the TOTP code of `secret`: the final response (204 with the session cookie when
 * both pass). Accounts without a factor (STAFF_MFA_ROLES=none) get the password's answer.
 */
export async function signInTwoSteps(
  h: Harness,
  app: App,
  username: string,
  password: string,
  secret: string,
): Promise<Response> {
  const address = freshAddress();
  const first = await app.request(
    '/api/v1/staff/login',
    { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password }) },
    address,
  );
  if (first.status !== 200) return first;
  const pending = /__Host-gopy_pending=([^;]*)/.exec(first.headers.get('set-cookie') ?? '')![1]!;
  // The code of the app's clock (tests run apps on fixed clocks): the time the pending state began.
  const rs = await h.db.client.execute({
    sql: 'SELECT created_at FROM staff_pending WHERE id_hash = ?',
    args: [sha256Hex(pending)],
  });
  const at = new Date(String(rs.rows[0]!.created_at));
  return app.request(
    '/api/v1/staff/login/totp',
    {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Cookie: `__Host-gopy_pending=${pending}` },
      body: JSON.stringify({ code: totpCode(secret, at) }),
    },
    address,
  );
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
