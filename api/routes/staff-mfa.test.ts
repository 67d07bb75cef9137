/**
 * The second factor of staff sign-in on the real app (issue #7 part 4b; docs/staff-security.md):
 * no session before the second factor, TOTP with its ±1 step window and replay refusal, the shared
 * throttle, one-time recovery codes, enrolment, and the audited admin reset that ends sessions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHarness, type Harness } from '../test-harness.ts';
import { createStaff } from '../../db/staff.ts';
import { generatePassword, hashPassword } from '../staff/auth.ts';
import { newTotpSecret, sealSecret, totpCode, openSecret, RECOVERY_CODE_COUNT } from '../staff/second-factor.ts';
import { passwordWeakness } from '../staff/password-strength.ts';
import { insertTotpStatement } from '../../db/staff-mfa.ts';
import { configWith } from '../env.ts';
import { staffMember, staffPost, type App } from '../feedback/test-kit.ts';

const T0 = new Date('2026-03-02T02:00:10Z');
let clock = T0;
let h: Harness;
let app: App;
let address = 0;
const PW = 'a-long-enough-test-password';

beforeAll(async () => {
  h = await openHarness('staff-mfa');
  app = h.app({ LOG_LEVEL: 'error' }, () => clock);
});
afterAll(() => h.close());

/** A fresh account of `role` (with a TOTP secret unless `enrolled` is false). */
async function account(username: string, role = 'handler' as const, enrolled = true) {
  const id = await createStaff(h.db.client, {
    username,
    displayName: username,
    passwordHash: await hashPassword(PW),
    roles: [{ role, unit: 'phuong-ninh-hoa' }],
    now: clock,
  });
  const secret = newTotpSecret();
  if (enrolled) await h.db.client.execute(insertTotpStatement(id, sealSecret(configWith({}), secret), clock, null));
  return { id, username, secret };
}

function post(path: string, body: unknown, cookie?: string, addr = `203.0.113.${++address % 250}`) {
  return app.request(
    `/api/v1${path}`,
    {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(cookie ? { Cookie: cookie } : {}) },
      body: JSON.stringify(body),
    },
    { clientAddress: addr },
  );
}

function cookieOf(res: Response, name: string): string | undefined {
  const m = new RegExp(`__Host-gopy_${name}=([^;]+)`).exec(res.headers.get('set-cookie') ?? '');
  return m ? `__Host-gopy_${name}=${m[1]}` : undefined;
}

async function password(username: string, addr?: string): Promise<{ res: Response; pending: string }> {
  const res = await post('/staff/login', { username, password: PW }, undefined, addr);
  return { res, pending: cookieOf(res, 'pending')! };
}

async function sessions(staffId: number): Promise<number> {
  const rs = await h.db.client.execute({
    sql: 'SELECT count(*) AS n FROM sessions WHERE staff_id = ? AND revoked_at IS NULL',
    args: [staffId],
  });
  return Number(rs.rows[0]!.n);
}

describe('two steps', () => {
  it('a right password gives a pending state, not a session; the TOTP code gives the session', async () => {
    const a = await account('mfa-one');
    const { res, pending } = await password(a.username);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ next: 'second_factor' });
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(cookieOf(res, 'session')).toBeUndefined();
    expect(res.headers.get('set-cookie')).toMatch(/__Host-gopy_pending=[^;]+;.*HttpOnly.*Secure.*SameSite=Strict/i);
    expect(await sessions(a.id)).toBe(0);
    // The pending cookie opens no staff route, even sent as the session cookie.
    const asSession = pending.replace('pending', 'session');
    expect((await app.request('/api/v1/staff/session', { headers: { Cookie: pending } })).status).toBe(401);
    expect((await app.request('/api/v1/staff/session', { headers: { Cookie: asSession } })).status).toBe(401);
    expect((await app.request('/api/v1/staff/feedback', { headers: { Cookie: pending } })).status).toBe(401);
    const info = await app.request('/api/v1/staff/login/pending', { headers: { Cookie: pending } });
    expect(await info.json()).toEqual({
      stage: 'verify',
      username: 'mfa-one',
      methods: { totp: true, passkey: false, recovery: false },
    });

    const ok = await post('/staff/login/totp', { code: totpCode(a.secret, clock) }, pending);
    expect(ok.status).toBe(204);
    const session = cookieOf(ok, 'session')!;
    expect(ok.headers.get('set-cookie')).toMatch(/__Host-gopy_pending=;/);
    expect((await app.request('/api/v1/staff/session', { headers: { Cookie: session } })).status).toBe(200);
    expect(await sessions(a.id)).toBe(1);
    // Single use: the same pending state cannot open a second session.
    clock = new Date(clock.getTime() + 30_000);
    const again = await post('/staff/login/totp', { code: totpCode(a.secret, clock) }, pending);
    expect(again.status).toBe(401);
    expect(((await again.json()) as { code: string }).code).toBe('pending_invalid');
    const audit = await h.db.client.execute({
      sql: "SELECT action, details FROM audit_log WHERE staff_id = ? AND action LIKE 'login%' ORDER BY id",
      args: [a.id],
    });
    expect(audit.rows.map((r) => r.action)).toEqual(['login_password_ok', 'login_success']);
    expect(JSON.parse(String(audit.rows[1]!.details))).toEqual({ method: 'totp' });
  });

  it('accepts the codes of the previous and next 30 s step, not two steps away', async () => {
    // One account per try: five attempts on a username in 15 minutes is the throttle's limit.
    for (const [i, offset, status] of [
      [1, -60_000, 401],
      [2, 60_000, 401],
      [3, -30_000, 204],
      [4, 30_000, 204],
    ] as const) {
      const a = await account(`mfa-window-${i}`);
      const { pending } = await password(a.username);
      const code = totpCode(a.secret, new Date(clock.getTime() + offset));
      expect((await post('/staff/login/totp', { code }, pending)).status).toBe(status);
    }
  });

  it('refuses a replayed code, and counts wrong and replayed codes in the password throttle', async () => {
    const a = await account('mfa-replay');
    const code = totpCode(a.secret, clock);
    const first = await password(a.username);
    expect((await post('/staff/login/totp', { code }, first.pending)).status).toBe(204);
    const second = await password(a.username);
    const replay = await post('/staff/login/totp', { code }, second.pending);
    expect(replay.status).toBe(401);
    expect(((await replay.json()) as { code: string }).code).toBe('second_factor_replayed');
    // Attempts so far since the last success: password (1) + replay (2). Three wrong codes → 5.
    for (let i = 0; i < 3; i++) {
      const wrong = await post('/staff/login/totp', { code: '000000' === code ? '111111' : '000000' }, second.pending);
      expect(((await wrong.json()) as { code: string }).code).toBe('second_factor_invalid');
    }
    // The 6th attempt on the username, a right and fresh code, is throttled.
    clock = new Date(clock.getTime() + 30_000);
    const throttled = await post('/staff/login/totp', { code: totpCode(a.secret, clock) }, second.pending);
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    // So is the password step: the buckets are shared.
    expect((await password(a.username)).res.status).toBe(429);
    expect(await sessions(a.id)).toBe(1);
    const failures = await h.db.client.execute({
      sql: "SELECT details FROM audit_log WHERE staff_id = ? AND action = 'login_failure'",
      args: [a.id],
    });
    expect(failures.rows.map((r) => JSON.parse(String(r.details)).reason)).toEqual([
      'second_factor_replayed',
      'second_factor_wrong',
      'second_factor_wrong',
      'second_factor_wrong',
    ]);
    clock = new Date(clock.getTime() + 16 * 60_000);
  });

  it('a pending state ends after 5 minutes and with the account', async () => {
    const a = await account('mfa-expiry');
    const { pending } = await password(a.username);
    clock = new Date(clock.getTime() + 5 * 60_000);
    const late = await post('/staff/login/totp', { code: totpCode(a.secret, clock) }, pending);
    expect(((await late.json()) as { code: string }).code).toBe('pending_invalid');
    const fresh = await password(a.username);
    await h.db.client.execute({ sql: 'UPDATE staff SET active = 0 WHERE id = ?', args: [a.id] });
    const off = await post('/staff/login/totp', { code: totpCode(a.secret, clock) }, fresh.pending);
    expect(off.status).toBe(401);
    expect(await sessions(a.id)).toBe(0);
  });
});

describe('enrolment and recovery codes', () => {
  it('an account without a factor enrols TOTP, gets 10 recovery codes once (hashed), each usable once', async () => {
    const a = await account('mfa-new', 'handler', false);
    const { res, pending } = await password(a.username);
    expect(await res.json()).toEqual({ next: 'enrol' });
    // Verification routes refuse an enrolment state, and no factor route gives a session.
    expect((await post('/staff/login/totp', { code: '123456' }, pending)).status).toBe(409);
    const start = await post('/staff/enrol/totp/start', {}, pending);
    const { secret, uri } = (await start.json()) as { secret: string; uri: string };
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(uri).toMatch(/^otpauth:\/\/totp\/.*secret=/);
    // A reload offers the same secret.
    expect(((await (await post('/staff/enrol/totp/start', {}, pending)).json()) as { secret: string }).secret).toBe(
      secret,
    );
    expect((await post('/staff/enrol/totp', { code: '000000' }, pending)).status).toBe(401);
    expect(await sessions(a.id)).toBe(0);
    const done = await post('/staff/enrol/totp', { code: totpCode(secret, clock) }, pending);
    expect(done.status).toBe(200);
    const { recovery_codes: codes } = (await done.json()) as { recovery_codes: string[] };
    expect(codes).toHaveLength(RECOVERY_CODE_COUNT);
    expect(new Set(codes).size).toBe(RECOVERY_CODE_COUNT);
    expect(cookieOf(done, 'session')).toBeDefined();
    const stored = await h.db.client.execute({
      sql: 'SELECT code_hash FROM staff_recovery_codes WHERE staff_id = ?',
      args: [a.id],
    });
    expect(stored.rows).toHaveLength(RECOVERY_CODE_COUNT);
    for (const r of stored.rows) expect(codes.map((c) => c.replaceAll('-', ''))).not.toContain(String(r.code_hash));
    const totp = await h.db.client.execute({ sql: 'SELECT secret FROM staff_totp WHERE staff_id = ?', args: [a.id] });
    expect(openSecret(configWith({}), String(totp.rows[0]!.secret))).toBe(secret);
    // The enrolling code cannot sign in again; the secret is not offered again.
    const next = await password(a.username);
    expect((await post('/staff/login/totp', { code: totpCode(secret, clock) }, next.pending)).status).toBe(401);
    expect((await post('/staff/enrol/totp/start', {}, next.pending)).status).toBe(409);
    // A recovery code: once, in any case and with spaces.
    const rc = codes[3]!;
    const used = await post('/staff/login/recovery', { code: ` ${rc.toUpperCase()} ` }, next.pending);
    expect(used.status).toBe(204);
    const later = await password(a.username);
    const reused = await post('/staff/login/recovery', { code: rc }, later.pending);
    expect(((await reused.json()) as { code: string }).code).toBe('second_factor_invalid');
    expect((await post('/staff/login/recovery', { code: codes[4]! }, later.pending)).status).toBe(204);
  });

  it('seals the TOTP secret with STAFF_MFA_KEY when configured', () => {
    const keyed = configWith({ STAFF_MFA_KEY: Buffer.alloc(32, 7).toString('base64url') });
    const secret = newTotpSecret();
    const sealed = sealSecret(keyed, secret);
    expect(sealed).not.toContain(secret);
    expect(openSecret(keyed, sealed)).toBe(secret);
    expect(() => openSecret(configWith({}), sealed)).toThrow();
  });

  it('roles outside STAFF_MFA_ROLES without a factor sign in with the password alone', async () => {
    const a = await account('mfa-publisher', 'publisher' as never, false);
    const relaxed = h.app({ LOG_LEVEL: 'error', STAFF_MFA_ROLES: 'coordinator,handler,admin' }, () => clock);
    const res = await relaxed.request(
      '/api/v1/staff/login',
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: a.username, password: PW }),
      },
      { clientAddress: '198.18.0.1' },
    );
    expect(res.status).toBe(204);
    // The default requires it for publishers too.
    expect(((await (await password(a.username)).res.json()) as { next: string }).next).toBe('enrol');
  });
});

describe('admin reset', () => {
  it('removes every factor, ends the sessions, is audited, and stays within the admin’s scope', async () => {
    const admin = await staffMember(h, app, 'mfa-admin', [{ role: 'admin', unit: 'phuong-ninh-hoa' }]);
    const outsider = await staffMember(h, app, 'mfa-admin-x', [{ role: 'admin', unit: 'so-y-te' }]);
    const a = await account('mfa-lost-phone');
    const { pending } = await password(a.username);
    clock = new Date(clock.getTime() + 60_000);
    const ok = await post('/staff/login/totp', { code: totpCode(a.secret, clock) }, pending);
    const session = cookieOf(ok, 'session')!;
    expect((await staffPost(app, outsider, `/api/v1/staff/users/${a.id}/reset-second-factor`, {})).status).toBe(403);
    const reset = await staffPost(app, admin, `/api/v1/staff/users/${a.id}/reset-second-factor`, {});
    expect(reset.status).toBe(200);
    expect(await reset.json()).toEqual({ revoked: 1 });
    expect((await app.request('/api/v1/staff/session', { headers: { Cookie: session } })).status).toBe(401);
    const counts = await h.db.client.execute({
      sql: `SELECT (SELECT count(*) FROM staff_totp WHERE staff_id = ?) + (SELECT count(*) FROM staff_recovery_codes WHERE staff_id = ?) AS n`,
      args: [a.id, a.id],
    });
    expect(Number(counts.rows[0]!.n)).toBe(0);
    const row = await h.db.client.execute({
      sql: "SELECT staff_id, target_id FROM audit_log WHERE action = 'staff_reset_second_factor'",
      args: [],
    });
    expect(row.rows.map((r) => [Number(r.staff_id), String(r.target_id)])).toEqual([[admin.staffId, String(a.id)]]);
    // The next sign-in enrols again.
    expect(await (await password(a.username)).res.json()).toEqual({ next: 'enrol' });
  });
});

describe('password strength', () => {
  it('a member changes their own password only to a strong one; other sessions end', async () => {
    const me = await staffMember(h, app, 'mfa-changer', [{ role: 'handler', unit: 'phuong-ninh-hoa' }]);
    const set = (current: string, next: string) =>
      staffPost(app, me, '/api/v1/staff/password', { current_password: current, new_password: next });
    const row = await h.db.client.execute({ sql: 'SELECT password_hash FROM staff WHERE id = ?', args: [me.staffId] });
    const before = String(row.rows[0]!.password_hash);
    expect(((await (await set('wrong', 'x')).json()) as { code: string }).code).toBe('invalid_credentials');
    // The kit's password is not known here: give the account one.
    await h.db.client.execute({
      sql: 'UPDATE staff SET password_hash = ? WHERE id = ?',
      args: [await hashPassword(PW), me.staffId],
    });
    for (const [weak, code] of [
      ['short1!', 'password_too_short'],
      ['password1234', 'password_weak'],
      ['mfa-changer-2026', 'password_weak'],
    ] as const) {
      const res = await set(PW, weak);
      expect(res.status).toBe(422);
      expect(((await res.json()) as { code: string }).code).toBe(code);
    }
    const strong = generatePassword();
    expect((await set(PW, strong)).status).toBe(204);
    const after = await h.db.client.execute({
      sql: 'SELECT password_hash FROM staff WHERE id = ?',
      args: [me.staffId],
    });
    expect(String(after.rows[0]!.password_hash)).not.toBe(before);
    expect((await app.request('/api/v1/staff/session', { headers: { Cookie: me.cookie } })).status).toBe(200);
  });

  it('refuses short and common passwords and accepts every generated one', () => {
    expect(passwordWeakness('short')).toBe('password_too_short');
    for (const p of ['password1234', 'Khanhhoa2026!', 'qwertyuiop123', 'iloveyou1234'])
      expect(passwordWeakness(p)).toBe('password_weak');
    for (let i = 0; i < 200; i++) expect(passwordWeakness(generatePassword())).toBeUndefined();
  });
});
