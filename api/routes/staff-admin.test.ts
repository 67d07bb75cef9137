/**
 * Staff administration (issue #4 "admin (users, rules)") through the real API over a real libSQL
 * file: an admin creates accounts only with roles inside their subtrees, deactivation ends
 * sessions at once, a reset password is shown once, and the audit log shows what happened in the
 * admin's units — including every read of personal data — and nothing of other units.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHarness, type Harness } from '../test-harness.ts';
import {
  freshAddress,
  sendFeedback,
  staffGet,
  staffMember,
  staffPost,
  type App,
  type Signed,
} from '../feedback/test-kit.ts';

let h: Harness;
let app: App;
let provinceAdmin: Signed;
let districtAdmin: Signed;

beforeAll(async () => {
  h = await openHarness('staff-admin');
  app = h.app({ POW_REQUIRED: '0', RATE_LIMIT_MAX: '100000' });
  provinceAdmin = await staffMember(h, app, 'qt-tinh', [{ role: 'admin', unit: 'khanh-hoa' }]);
  districtAdmin = await staffMember(h, app, 'qt-ninh-hoa', [{ role: 'admin', unit: 'phuong-ninh-hoa' }]);
});

afterAll(() => h.close());

async function signInWith(username: string, password: string): Promise<Response> {
  return app.request(
    '/api/v1/staff/login',
    { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password }) },
    freshAddress(),
  );
}

describe('staff accounts', () => {
  it('an admin creates accounts only inside their units; the password is returned once and works', async () => {
    const res = await staffPost(app, districtAdmin, '/api/v1/staff/users', {
      username: 'Hòa.Xu-Ly',
      display_name: 'Nguyễn Thị Hòa',
      roles: [{ role: 'handler', unit: 'phuong-ninh-hoa' }],
    });
    expect(res.status).toBe(201);
    const { id, password } = (await res.json()) as { id: number; password: string };
    // Issue #7 part 4b: the password works, and a handler must enrol a second factor before any session.
    const first = await signInWith('hòa.xu-ly', password);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ next: 'enrol' });

    const outside = await staffPost(app, districtAdmin, '/api/v1/staff/users', {
      username: 'ngoai-pham-vi',
      display_name: 'X',
      roles: [{ role: 'handler', unit: 'khanh-hoa' }],
    });
    expect(outside.status).toBe(403);
    const taken = await staffPost(app, provinceAdmin, '/api/v1/staff/users', {
      username: 'HÒA.XU-LY',
      display_name: 'Y',
      roles: [{ role: 'handler', unit: 'phuong-ninh-hoa' }],
    });
    expect(((await taken.json()) as { code: string }).code).toBe('username_taken');
    const bad = await staffPost(app, provinceAdmin, '/api/v1/staff/users', {
      username: 'a b',
      display_name: 'Y',
      roles: [{ role: 'boss', unit: 'nowhere' }],
    });
    expect(bad.status).toBe(422);

    // The district admin lists their own account and the new one, not the province admin.
    const list = (await (await staffGet(app, districtAdmin, '/api/v1/staff/users')).json()) as {
      users: { id: number; username: string }[];
    };
    expect(list.users.map((u) => u.username).sort()).toEqual(['hòa.xu-ly', 'qt-ninh-hoa']);
    expect(list.users.some((u) => u.id === id)).toBe(true);
  });

  it('deactivation ends the sessions at once; a reset password replaces the old one', async () => {
    const member = await staffMember(h, app, 'tam-thoi', [{ role: 'handler', unit: 'phuong-ninh-hoa' }]);
    expect((await staffGet(app, member, '/api/v1/staff/session')).status).toBe(200);
    const off = await staffPost(app, districtAdmin, `/api/v1/staff/users/${member.staffId}/active`, { active: false });
    expect(off.status).toBe(200);
    expect((await staffGet(app, member, '/api/v1/staff/session')).status).toBe(401);
    await staffPost(app, districtAdmin, `/api/v1/staff/users/${member.staffId}/active`, { active: true });
    const reset = await staffPost(app, districtAdmin, `/api/v1/staff/users/${member.staffId}/reset-password`, {});
    const { password } = (await reset.json()) as { password: string };
    // The new password works; the enrolled second factor still follows it (issue #7 part 4b).
    const again = await signInWith('tam-thoi', password);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ next: 'second_factor' });
    // An admin cannot lock themselves out (they are their own peer), nor touch an account outside their units.
    expect(
      (await staffPost(app, districtAdmin, `/api/v1/staff/users/${districtAdmin.staffId}/active`, { active: false }))
        .status,
    ).toBe(403);
    expect(
      (await staffPost(app, districtAdmin, `/api/v1/staff/users/${provinceAdmin.staffId}/reset-password`, {})).status,
    ).toBe(403);
  });

  it('an admin cannot take over a peer (same unit) nor grant admin at their own unit; the unit above can', async () => {
    const peer = await staffMember(h, app, 'qt-ninh-hoa-2', [{ role: 'admin', unit: 'phuong-ninh-hoa' }]);
    for (const path of ['reset-password', 'revoke-sessions'])
      expect((await staffPost(app, districtAdmin, `/api/v1/staff/users/${peer.staffId}/${path}`, {})).status).toBe(403);
    expect(
      (await staffPost(app, districtAdmin, `/api/v1/staff/users/${peer.staffId}/active`, { active: false })).status,
    ).toBe(403);
    const sameLevel = await staffPost(app, districtAdmin, '/api/v1/staff/users', {
      username: 'qt-moi',
      display_name: 'Quản trị mới',
      roles: [{ role: 'admin', unit: 'phuong-ninh-hoa' }],
    });
    expect(sameLevel.status).toBe(403);
    // The province admin manages the ward's admins.
    expect((await staffPost(app, provinceAdmin, `/api/v1/staff/users/${peer.staffId}/reset-password`, {})).status).toBe(
      200,
    );
    // An account with no role is the root's: not the ward admin's.
    const bare = await h.db.client.execute({
      sql: "INSERT INTO staff (username, display_name, password_hash, active, created_at) VALUES ('khong-vai-tro', 'X', '$argon2id$x', 1, ?) RETURNING id",
      args: [new Date().toISOString()],
    });
    const bareId = Number(bare.rows[0]!.id);
    expect((await staffPost(app, districtAdmin, `/api/v1/staff/users/${bareId}/reset-password`, {})).status).toBe(403);
  });

  it('non-admins are refused', async () => {
    const handler = await staffMember(h, app, 'chi-xu-ly', [{ role: 'handler', unit: 'phuong-ninh-hoa' }]);
    expect((await staffGet(app, handler, '/api/v1/staff/users')).status).toBe(403);
    expect((await staffGet(app, handler, '/api/v1/staff/audit')).status).toBe(403);
  });
});

describe('audit log', () => {
  it('shows every read of personal data in the admin’s units, and nothing of other units', async () => {
    const coordinator = await staffMember(h, app, 'dp-tinh', [{ role: 'coordinator', unit: 'khanh-hoa' }]);
    const mine = await sendFeedback(h, app, { unit: 'phuong-ninh-hoa' });
    const other = await sendFeedback(h, app, { unit: 'so-y-te' });
    expect((await staffGet(app, coordinator, `/api/v1/staff/feedback/${mine.id}/contact`)).status).toBe(200);
    expect((await staffGet(app, coordinator, `/api/v1/staff/feedback/${other.id}/contact`)).status).toBe(200);

    type Page = { entries: { action: string; target_id: string | null; unit_id: string | null }[] };
    const district = (await (
      await staffGet(app, districtAdmin, '/api/v1/staff/audit?action=view_personal_data')
    ).json()) as Page;
    expect(district.entries.map((e) => e.target_id)).toEqual([String(mine.id)]);
    const province = (await (
      await staffGet(app, provinceAdmin, '/api/v1/staff/audit?action=view_personal_data')
    ).json()) as Page;
    expect(province.entries.map((e) => e.target_id).sort()).toEqual([String(mine.id), String(other.id)].sort());
    const all = (await (await staffGet(app, provinceAdmin, '/api/v1/staff/audit')).json()) as Page;
    expect(all.entries.map((e) => e.action)).toEqual(
      expect.arrayContaining(['staff_create', 'staff_deactivate', 'staff_reset_password', 'login_success']),
    );
  });
});
