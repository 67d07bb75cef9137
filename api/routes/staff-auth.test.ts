/**
 * Staff sign-in (issue #4) through `createApp(...).request()` over a real temp libSQL file: the
 * cookie's attributes, one answer for unknown users and wrong passwords, throttling before any
 * argon2, idle and absolute timeouts on an injected clock, revocation, the CSRF token on writes,
 * role and unit-subtree scoping, the append-only audit log, and logs free of secrets.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Hono } from 'hono';
import { openHarness, type Harness } from '../test-harness.ts';
import { configWith } from '../env.ts';
import { problemResponse, ProblemError } from '../problem.ts';
import { problemCodes } from '../contracts/problem.ts';
import { createStaff } from '../../db/staff.ts';
import { hashPassword, kdf, requireStaff, type StaffEnv } from '../staff/auth.ts';
import { seedDemoStaff } from '../staff/demo.ts';
import { signInTwoSteps } from '../feedback/test-kit.ts';
import { main as staffCli } from '../../scripts/staff.ts';

const T0 = new Date('2026-03-02T01:00:00Z');
const MIN = 60 * 1000;

let h: Harness;
let clock = T0;
let app: ReturnType<Harness['app']>;
/** Every password and cookie value the tests use, to look for in logs. */
const secrets: string[] = [];
const PW = { handler: 'handler-password-1', admin: 'admin-password-22', publisher: 'publisher-pw-333' };
const ids: Record<string, number> = {};

beforeAll(async () => {
  h = await openHarness('staff');
  // The password step and sessions alone: these accounts need no second factor here
  // (STAFF_MFA_ROLES=none). The two steps are tested in api/routes/staff-mfa.test.ts.
  app = h.app({ LOG_LEVEL: 'info', STAFF_MFA_ROLES: 'none' }, () => clock);
  const grants = {
    handler: { role: 'handler', unit: 'phuong-ninh-hoa' },
    admin: { role: 'admin', unit: 'khanh-hoa' },
    publisher: { role: 'publisher', unit: 'khanh-hoa' },
  } as const;
  for (const [name, grant] of Object.entries(grants)) {
    ids[name] = await createStaff(h.db.client, {
      username: name === 'handler' ? 'Hòa.Handler' : name,
      displayName: `Test ${name}`,
      passwordHash: await hashPassword(PW[name as keyof typeof PW]),
      roles: [grant],
      now: T0,
    });
  }
  secrets.push(...Object.values(PW));
});

afterAll(() => h.close());

let address = 0;
/** A client address of its own per test, so the per-address limit does not mix tests. */
function newAddress(): string {
  address++;
  return `192.0.2.${address}`;
}

async function login(username: string, password: string, addr = newAddress(), a = app): Promise<Response> {
  return a.request(
    '/api/v1/staff/login',
    { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password }) },
    { clientAddress: addr },
  );
}

function cookieOf(res: Response): string {
  const set = res.headers.get('set-cookie') ?? '';
  const m = /__Host-gopy_session=([^;]*)/.exec(set);
  if (!m?.[1]) throw new Error('no session cookie');
  secrets.push(m[1]);
  return `__Host-gopy_session=${m[1]}`;
}

async function signIn(username: string, password: string, a = app): Promise<{ cookie: string; csrf: string }> {
  const res = await login(username, password, newAddress(), a);
  expect(res.status).toBe(204);
  const cookie = cookieOf(res);
  const s = await a.request('/api/v1/staff/session', { headers: { Cookie: cookie } });
  expect(s.status).toBe(200);
  const { csrf_token } = (await s.json()) as { csrf_token: string };
  secrets.push(csrf_token);
  return { cookie, csrf: csrf_token };
}

async function session(cookie: string, a = app): Promise<Response> {
  return a.request('/api/v1/staff/session', { headers: { Cookie: cookie } });
}

async function auditRows(): Promise<Record<string, unknown>[]> {
  const rs = await h.db.client.execute('SELECT * FROM audit_log ORDER BY id');
  return rs.rows.map((r) => ({ ...r }));
}

describe('POST /staff/login', () => {
  it('signs in with a __Host- cookie that is Secure, HttpOnly and SameSite=Strict', async () => {
    clock = T0;
    const res = await login('hòa.handler', PW.handler);
    expect(res.status).toBe(204);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const set = res.headers.get('set-cookie')!;
    expect(set).toMatch(/^__Host-gopy_session=[A-Za-z0-9_-]{43};/);
    expect(set).toContain('Path=/');
    expect(set).toContain('Secure');
    expect(set).toContain('HttpOnly');
    expect(set).toContain('SameSite=Strict');
    expect(set).not.toMatch(/Domain=/i);
    const cookie = cookieOf(res);
    // Only the hash of the session id is stored.
    const stored = await h.db.client.execute('SELECT id_hash FROM sessions');
    expect(stored.rows.map((r) => String(r.id_hash))).not.toContain(cookie.split('=')[1]);

    const s = await session(cookie);
    expect(s.status).toBe(200);
    expect(s.headers.get('cache-control')).toBe('no-store');
    const body = (await s.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      username: 'hòa.handler',
      display_name: 'Test handler',
      roles: [{ role: 'handler', unit: 'phuong-ninh-hoa', unit_name: 'UBND phường Ninh Hòa' }],
    });
    expect(body.csrf_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const rows = await auditRows();
    expect(rows.at(-1)).toMatchObject({ action: 'login_success', staff_id: ids.handler });
  });

  it('accepts the username in either Unicode form and any case', async () => {
    const res = await login('HÒA.HANDLER'.normalize('NFD'), PW.handler);
    expect(res.status).toBe(204);
  });

  it('gives an unknown user and a wrong password the same 401', async () => {
    const wrong = await login('hòa.handler', 'not-the-password');
    const unknown = await login('nobody-here', 'not-the-password');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const strip = (b: Record<string, unknown>) => ({ ...b, request_id: undefined });
    const [a, b] = [(await wrong.json()) as Record<string, unknown>, (await unknown.json()) as Record<string, unknown>];
    expect(a.code).toBe('invalid_credentials');
    expect(strip(a)).toEqual(strip(b));
    expect([...wrong.headers.keys()].sort()).toEqual([...unknown.headers.keys()].sort());
    expect(wrong.headers.get('set-cookie')).toBeNull();
    const rows = (await auditRows()).filter((r) => r.action === 'login_failure').slice(-2);
    expect(rows[0]).toMatchObject({ staff_id: ids.handler });
    expect(rows[1]).toMatchObject({ staff_id: null });
    for (const r of rows) expect(String(r.details)).not.toMatch(/handler|nobody|not-the-password/i);
  });

  it('refuses a missing field with 422 and a form post with 415', async () => {
    const res = await app.request('/api/v1/staff/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'x' }),
    });
    expect(res.status).toBe(422);
    const form = await app.request('/api/v1/staff/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'username=x&password=y',
    });
    expect(form.status).toBe(415);
  });
});

describe('throttling', () => {
  it('refuses the 6th attempt on a username with 429 before any argon2', async () => {
    clock = new Date(T0.getTime() + 60 * MIN);
    const spy = vi.spyOn(kdf, 'derive');
    try {
      for (let i = 0; i < 5; i++) expect((await login('publisher', `wrong-${i}`)).status).toBe(401);
      const before = spy.mock.calls.length;
      expect(before).toBeGreaterThanOrEqual(5);
      // Even the right password, from another address.
      const sixth = await login('publisher', PW.publisher);
      expect(sixth.status).toBe(429);
      expect(spy.mock.calls.length).toBe(before);
      expect(((await sixth.json()) as { code: string }).code).toBe('login_throttled');
      expect(Number(sixth.headers.get('retry-after'))).toBe(15 * 60);
      clock = new Date(clock.getTime() + 5 * MIN);
      expect(Number((await login('publisher', PW.publisher)).headers.get('retry-after'))).toBe(10 * 60);
      // A new window after 15 minutes.
      clock = new Date(clock.getTime() + 10 * MIN);
      expect((await login('publisher', PW.publisher)).status).toBe(204);
    } finally {
      spy.mockRestore();
    }
  });

  it('lets at most 5 of 12 concurrent attempts on one username reach argon2', async () => {
    const spy = vi.spyOn(kdf, 'derive');
    try {
      const all = await Promise.all(Array.from({ length: 12 }, () => login('nobody-concurrent', 'wrong')));
      const statuses = all.map((r) => r.status).sort();
      expect(statuses.filter((s) => s === 401)).toHaveLength(5);
      expect(statuses.filter((s) => s === 429)).toHaveLength(7);
      expect(spy.mock.calls.length).toBeLessThanOrEqual(6); // 5, plus the dummy hash made once
    } finally {
      spy.mockRestore();
    }
  });

  it('refuses the 21st attempt from one client address, whatever the username', async () => {
    const addr = newAddress();
    for (let i = 0; i < 20; i++) expect((await login(`someone-${i}`, 'wrong', addr)).status).toBe(401);
    const spy = vi.spyOn(kdf, 'derive');
    try {
      const res = await login('admin', PW.admin, addr);
      expect(res.status).toBe(429);
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
    expect((await login('admin', PW.admin)).status).toBe(204);
  });

  it('a successful sign-in clears the failures of that username', async () => {
    for (let i = 0; i < 4; i++) expect((await login('admin', 'wrong')).status).toBe(401);
    expect((await login('admin', PW.admin)).status).toBe(204);
    for (let i = 0; i < 5; i++) expect((await login('admin', 'wrong')).status).toBe(401);
    expect((await login('admin', PW.admin)).status).toBe(429);
    clock = new Date(clock.getTime() + 16 * MIN);
  });

  it('stores keyed hashes, never the username or the address', async () => {
    const rs = await h.db.client.execute('SELECT bucket FROM login_attempts');
    for (const r of rs.rows) expect(String(r.bucket)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('sessions', () => {
  it('ends after STAFF_IDLE_MINUTES without a request, and stays alive while used', async () => {
    clock = new Date(T0.getTime() + 10 * 60 * MIN);
    const { cookie } = await signIn('hòa.handler', PW.handler);
    clock = new Date(clock.getTime() + 29 * MIN);
    expect((await session(cookie)).status).toBe(200);
    clock = new Date(clock.getTime() + 29 * MIN);
    expect((await session(cookie)).status).toBe(200);
    clock = new Date(clock.getTime() + 30 * MIN);
    const res = await session(cookie);
    expect(res.status).toBe(401);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(((await res.json()) as { code: string }).code).toBe('unauthorized');
  });

  it('ends STAFF_SESSION_HOURS after sign-in, however active', async () => {
    clock = new Date(T0.getTime() + 24 * 60 * MIN);
    const start = clock;
    const { cookie } = await signIn('hòa.handler', PW.handler);
    for (let t = 20; t < 12 * 60; t += 20) {
      clock = new Date(start.getTime() + t * MIN);
      expect((await session(cookie)).status).toBe(200);
    }
    clock = new Date(start.getTime() + 12 * 60 * MIN);
    expect((await session(cookie)).status).toBe(401);
  });

  it('follows the configured timeouts', async () => {
    clock = new Date(T0.getTime() + 48 * 60 * MIN);
    const short = h.app({ STAFF_IDLE_MINUTES: '5', STAFF_SESSION_HOURS: '1', STAFF_MFA_ROLES: 'none' }, () => clock);
    const { cookie } = await signIn('hòa.handler', PW.handler, short);
    clock = new Date(clock.getTime() + 6 * MIN);
    expect((await session(cookie, short)).status).toBe(401);
  });

  it('a new sign-in ends the session presented with it', async () => {
    const first = await signIn('hòa.handler', PW.handler);
    const res = await app.request(
      '/api/v1/staff/login',
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Cookie: first.cookie },
        body: JSON.stringify({ username: 'hòa.handler', password: PW.handler }),
      },
      { clientAddress: newAddress() },
    );
    expect(res.status).toBe(204);
    const second = cookieOf(res);
    expect(second).not.toBe(first.cookie);
    expect((await session(first.cookie)).status).toBe(401);
    expect((await session(second)).status).toBe(200);
  });

  it('refuses missing, malformed and unknown cookies', async () => {
    expect((await session('')).status).toBe(401);
    expect((await session('__Host-gopy_session=abc')).status).toBe(401);
    expect((await session(`__Host-gopy_session=${'A'.repeat(43)}`)).status).toBe(401);
  });

  it('logout needs the CSRF token, then revokes the session and clears the cookie', async () => {
    clock = new Date(T0.getTime() + 72 * 60 * MIN);
    const { cookie, csrf } = await signIn('hòa.handler', PW.handler);
    const logout = (headers: Record<string, string>) =>
      app.request('/api/v1/staff/logout', { method: 'POST', headers: { Cookie: cookie, ...headers } });
    const none = await logout({});
    expect(none.status).toBe(403);
    expect(((await none.json()) as { code: string }).code).toBe('csrf_invalid');
    expect((await logout({ 'X-CSRF-Token': 'x'.repeat(43) })).status).toBe(403);
    expect((await session(cookie)).status).toBe(200);
    const ok = await logout({ 'X-CSRF-Token': csrf });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('set-cookie')).toMatch(/__Host-gopy_session=;.*Max-Age=0/);
    expect((await session(cookie)).status).toBe(401);
    expect((await auditRows()).at(-1)).toMatchObject({ action: 'logout', staff_id: ids.handler });
  });

  it('an admin revokes every session of a staff member of their subtree', async () => {
    const a = await signIn('hòa.handler', PW.handler);
    const b = await signIn('hòa.handler', PW.handler);
    const admin = await signIn('admin', PW.admin);
    const url = `/api/v1/staff/users/${ids.handler}/revoke-sessions`;
    const noToken = await app.request(url, { method: 'POST', headers: { Cookie: admin.cookie } });
    expect(noToken.status).toBe(403);
    const res = await app.request(url, {
      method: 'POST',
      headers: { Cookie: admin.cookie, 'X-CSRF-Token': admin.csrf },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { revoked: number }).revoked).toBeGreaterThanOrEqual(2);
    expect((await session(a.cookie)).status).toBe(401);
    expect((await session(b.cookie)).status).toBe(401);
    expect((await session(admin.cookie)).status).toBe(200);
    expect((await auditRows()).at(-1)).toMatchObject({
      action: 'revoke_sessions',
      staff_id: ids.admin,
      target_type: 'staff',
      target_id: String(ids.handler),
    });
  });

  it('only an admin may revoke', async () => {
    const handler = await signIn('hòa.handler', PW.handler);
    const res = await app.request(`/api/v1/staff/users/${ids.admin}/revoke-sessions`, {
      method: 'POST',
      headers: { Cookie: handler.cookie, 'X-CSRF-Token': handler.csrf },
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { code: string }).code).toBe('forbidden_role');
  });
});

describe('requireStaff', () => {
  /** A later staff route: POST /scoped/:unit for handlers of that unit's subtree. */
  function scopedApp(role?: 'handler' | 'publisher') {
    const deps = { db: h.db, config: configWith({}), log: (l: string) => h.lines.push(l), now: () => clock };
    const a = new Hono<StaffEnv>();
    a.use('*', async (c, next) => {
      c.set('deps', deps);
      c.set('requestId', 'test');
      await next();
    });
    a.use(
      '/scoped/:unit',
      requireStaff(role, (c) => c.req.param('unit') ?? ''),
    );
    a.post('/scoped/:unit', (c) => c.json({ by: c.get('staff').staffId }));
    a.get('/scoped/:unit', (c) => c.json({ by: c.get('staff').staffId }));
    a.onError((err, c) => (err instanceof ProblemError ? problemResponse(c, err) : c.text('bug', 500)));
    return a;
  }

  it('lets a handler write in their unit, with an audit row, and refuses other subtrees', async () => {
    const a = scopedApp('handler');
    const { cookie, csrf } = await signIn('hòa.handler', PW.handler);
    const post = (unit: string, headers: Record<string, string> = { 'X-CSRF-Token': csrf }) =>
      a.request(`/scoped/${unit}`, { method: 'POST', headers: { Cookie: cookie, ...headers } });
    const before = (await auditRows()).length;
    const ok = await post('phuong-ninh-hoa');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('cache-control')).toBe('no-store');
    const rows = await auditRows();
    expect(rows.length).toBe(before + 1);
    expect(rows.at(-1)).toMatchObject({ action: 'write', staff_id: ids.handler, unit_id: 'phuong-ninh-hoa' });
    expect(JSON.parse(String(rows.at(-1)!.details))).toEqual({ method: 'POST', route: '/scoped/:unit', status: 200 });

    for (const other of ['phuong-dong-ninh-hoa', 'khanh-hoa', 'ninh-thuan', 'no-such-unit']) {
      const res = await post(other);
      expect(res.status).toBe(403);
      expect(((await res.json()) as { code: string }).code).toBe('forbidden_unit');
    }
    const noCsrf = await post('phuong-ninh-hoa', {});
    expect(noCsrf.status).toBe(403);
    expect(((await noCsrf.json()) as { code: string }).code).toBe('csrf_invalid');
    // A read needs no token and writes no audit row here.
    expect((await a.request('/scoped/phuong-ninh-hoa', { headers: { Cookie: cookie } })).status).toBe(200);
    expect((await auditRows()).length).toBe(before + 1);
    expect((await a.request('/scoped/phuong-ninh-hoa', { method: 'POST' })).status).toBe(401);
  });

  it('accepts the CSRF token as a hidden field of an HTML form post', async () => {
    const a = scopedApp('handler');
    const { cookie, csrf } = await signIn('hòa.handler', PW.handler);
    const res = await a.request('/scoped/phuong-ninh-hoa', {
      method: 'POST',
      headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `csrf_token=${encodeURIComponent(csrf)}`,
    });
    expect(res.status).toBe(200);
  });

  it('a province-wide role covers the units below; a missing role is forbidden_role', async () => {
    const admin = await signIn('publisher', PW.publisher);
    const pub = scopedApp('publisher');
    const res = await pub.request('/scoped/phuong-ninh-hoa', {
      method: 'POST',
      headers: { Cookie: admin.cookie, 'X-CSRF-Token': admin.csrf },
    });
    expect(res.status).toBe(200);
    const handlerOnly = scopedApp('handler');
    const refused = await handlerOnly.request('/scoped/phuong-ninh-hoa', {
      method: 'POST',
      headers: { Cookie: admin.cookie, 'X-CSRF-Token': admin.csrf },
    });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { code: string }).code).toBe('forbidden_role');
  });
});

describe('audit log', () => {
  it('cannot be changed or deleted (the triggers abort)', async () => {
    expect((await auditRows()).length).toBeGreaterThan(0);
    await expect(h.db.client.execute("UPDATE audit_log SET action = 'x'")).rejects.toThrow(/append-only/);
    await expect(h.db.client.execute('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
    await expect(h.db.client.execute('UPDATE audit_log SET staff_id = NULL WHERE id = 1')).rejects.toThrow(
      /append-only/,
    );
  });

  it('holds no password, username, cookie or token', async () => {
    const text = JSON.stringify(await auditRows());
    for (const s of secrets) expect(text).not.toContain(s);
    expect(text.toLowerCase()).not.toContain('hòa.handler');
  });
});

describe('logs', () => {
  it('no log line holds a password, a cookie value or a CSRF token', () => {
    expect(h.lines.length).toBeGreaterThan(20);
    expect(secrets.length).toBeGreaterThan(10);
    const all = h.lines.join('\n');
    for (const s of secrets) expect(all).not.toContain(s);
    expect(all.toLowerCase()).not.toContain('handler-password');
  });
});

describe('problem codes', () => {
  it('lists the staff codes', () => {
    for (const code of ['invalid_credentials', 'login_throttled', 'csrf_invalid', 'forbidden_role'])
      expect(problemCodes).toContain(code);
  });
});

describe('demo accounts and the staff script', () => {
  it('seedDemoStaff creates one account per role and renews the passwords on the next start', async () => {
    // A database of its own: seedDemoStaff leaves databases with real accounts alone.
    const d = await openHarness('staff-demo');
    try {
      const demoApp = d.app({}, () => clock);
      clock = new Date(T0.getTime() + 96 * 60 * MIN);
      const first = await seedDemoStaff(d.db, configWith({}));
      expect(first.map((a) => `${a.role}:${a.unit}`)).toEqual([
        'coordinator:khanh-hoa',
        'handler:phuong-ninh-hoa',
        'publisher:khanh-hoa',
        'admin:khanh-hoa',
        'supervisor:khanh-hoa',
      ]);
      secrets.push(...first.map((a) => a.password));
      // Issue #7 part 4b: demo accounts sign in with the printed TOTP secret as a second factor.
      const both = await signInTwoSteps(d, demoApp, first[0]!.username, first[0]!.password, first[0]!.totpSecret);
      expect(both.status).toBe(204);
      const cookie = cookieOf(both);
      const second = await seedDemoStaff(d.db, configWith({}));
      secrets.push(...second.map((a) => a.password));
      expect(second[0]!.password).not.toBe(first[0]!.password);
      expect((await session(cookie, demoApp)).status).toBe(401);
      expect((await login(first[1]!.username, first[1]!.password, newAddress(), demoApp)).status).toBe(401);
      expect((await login(second[1]!.username, second[1]!.password, newAddress(), demoApp)).status).toBe(200);
      // Last start's TOTP secret opens nothing either.
      expect(
        (await signInTwoSteps(d, demoApp, second[2]!.username, second[2]!.password, first[2]!.totpSecret)).status,
      ).toBe(401);
      expect(
        (await signInTwoSteps(d, demoApp, second[2]!.username, second[2]!.password, second[2]!.totpSecret)).status,
      ).toBe(204);
    } finally {
      d.close();
    }
    // This database holds real accounts: no demo accounts are added.
    expect(await seedDemoStaff(h.db, configWith({}))).toEqual([]);
    expect((await h.db.client.execute("SELECT count(*) AS n FROM staff WHERE username LIKE 'demo-%'")).rows[0]!.n).toBe(
      0,
    );
  });

  it('npm run staff -- create prints a password once; revoke-sessions ends the sessions', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const sink = (xs: string[]) => ({ write: (s: string) => xs.push(s) });
    const env = { DATABASE_URL: h.url, LOG_LEVEL: 'silent' };
    const code = await staffCli(
      ['create', 'Lan.Nguyen', 'Nguyễn Thị Lan', 'coordinator:phuong-ninh-hoa', 'handler:phuong-ninh-hoa'],
      env,
      sink(out),
      sink(err),
    );
    expect(err.join('')).toContain('created');
    expect(code).toBe(0);
    const password = out.join('').trim();
    expect(password).toMatch(/^[A-Za-z0-9]{20}$/);
    const s = await signIn('lan.nguyen', password);
    const body = (await (await session(s.cookie)).json()) as { roles: unknown[] };
    expect(body.roles).toHaveLength(2);
    expect(await staffCli(['create', 'lan.nguyen', 'Again', 'handler:phuong-ninh-hoa'], env, sink([]), sink([]))).toBe(
      1,
    );
    expect(await staffCli(['create', 'x-y-z', 'Bad', 'boss:phuong-ninh-hoa'], env, sink([]), sink([]))).toBe(2);
    expect(await staffCli(['create', 'x-y-z', 'Bad', 'handler:nowhere'], env, sink([]), sink([]))).toBe(1);
    const revoked: string[] = [];
    expect(await staffCli(['revoke-sessions', 'LAN.NGUYEN'], env, sink(revoked), sink([]))).toBe(0);
    expect(revoked.join('')).toContain('1 session(s) revoked');
    expect((await session(s.cookie)).status).toBe(401);
    // reset-second-factor: the TOTP secret goes, with an audit row (issue #7 part 4b).
    await h.db.client.execute({
      sql: "INSERT INTO staff_totp (staff_id, secret, created_at) SELECT id, 'plain:AAAA', '2026-01-01' FROM staff WHERE username = 'lan.nguyen'",
      args: [],
    });
    expect(await staffCli(['reset-second-factor', 'lan.nguyen'], env, sink([]), sink([]))).toBe(0);
    const left = await h.db.client.execute(
      "SELECT (SELECT count(*) FROM staff_totp) AS t, (SELECT count(*) FROM audit_log WHERE action = 'staff_reset_second_factor') AS a",
    );
    expect([Number(left.rows[0]!.t), Number(left.rows[0]!.a)]).toEqual([0, 1]);
  });
});
