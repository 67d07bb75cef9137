/**
 * Counter kiosks and officer results (issue #10 part 3), through the real API over a real libSQL
 * file: device links (claim, revoke, another unit), shifts by 6-digit code (wrong code, throttle),
 * kiosk ratings attributed to their shift exactly once, officials' codes on registered dossiers,
 * and the isolation of officer results over every pair of official and unit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHarness, type Harness } from '../test-harness.ts';
import { sendFeedback, staffGet, staffMember, staffPost, type App, type Signed } from '../feedback/test-kit.ts';
import { createApiKey } from '../../db/dossiers.ts';
import { KIOSK_COOKIE, PIN_THROTTLE } from '../kiosk.ts';
import { unitsInSubtrees } from '../../db/units.ts';

let h: Harness;
let app: App;
/** 20/3/2026 09:00 in Việt Nam; the data are of March 2026. */
const clock = new Date('2026-03-20T02:00:00Z');
const MONTH = '2026-03';
let admin: Signed;
let apiKey: string;

/** Units of the officials: two wards, a department and the hospital below it. */
const UNITS = ['phuong-ninh-hoa', 'phuong-hoa-thang', 'so-y-te', 'benh-vien-da-khoa-khanh-hoa'];
const PER_UNIT = 3;
interface Made {
  unit: string;
  code: string;
  pin: string;
  account?: Signed;
  staffId?: number;
}
const officials: Made[] = [];

function kioskReq(path: string, cookie: string | undefined, init: RequestInit & { json?: unknown } = {}) {
  const headers: Record<string, string> = { ...(init.headers as Record<string, string>) };
  if (cookie) headers.Cookie = `${KIOSK_COOKIE}=${cookie}`;
  if (init.json !== undefined) headers['Content-Type'] = 'application/json';
  return app.request(path, {
    method: init.method ?? (init.json !== undefined ? 'POST' : 'GET'),
    headers,
    body: init.json !== undefined ? JSON.stringify(init.json) : undefined,
  });
}

async function newDevice(unit: string, counter: string): Promise<{ id: number; secret: string }> {
  const res = await staffPost(app, admin, '/api/v1/staff/kiosks', { unit, counter, label: `Quầy ${counter}` });
  expect(res.status).toBe(201);
  const body = (await res.json()) as { id: number; link: string };
  const secret = new URL(body.link).searchParams.get('thiet-bi')!;
  expect(body.link).toContain(`/danh-gia/quay/${unit}/${counter}/`);
  return { id: body.id, secret };
}

let keySeq = 0;
function rate(secret: string | undefined, body: Record<string, unknown>, key = `kiosk-${++keySeq}-abcdef`) {
  return app.request('/api/v1/responses', {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'Idempotency-Key': key,
      ...(secret ? { Cookie: `${KIOSK_COOKIE}=${secret}` } : {}),
    },
    body: JSON.stringify({ instrument: 'quay', version: h.versions.quay, locale: 'vi', ...body }),
  });
}

async function startShift(secret: string, unit: string, counter: string, pin: string): Promise<string> {
  const res = await kioskReq('/api/v1/kiosk/shifts', secret, { json: { unit, counter, pin } });
  expect(res.status).toBe(201);
  return ((await res.json()) as { shift: string }).shift;
}

async function registerDossiers(unit: string, code: string | undefined, n: number, late: number, tag: string) {
  const dossiers = Array.from({ length: n }, (_, i) => ({
    code: `HS-${tag}-${i}`,
    unit,
    received_at: '2026-03-02T02:00:00Z',
    due_at: '2026-03-09T10:00:00Z',
    returned_at: i < late ? '2026-03-12T03:00:00Z' : '2026-03-05T03:00:00Z',
    ...(code ? { official: code } : {}),
  }));
  return app.request('/api/v1/integration/dossiers?qr=none', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ dossiers }),
  });
}

beforeAll(async () => {
  h = await openHarness('kiosk');
  app = h.app({}, () => clock);
  admin = await staffMember(h, app, 'admin-tinh', [{ role: 'admin', unit: 'khanh-hoa' }]);
  apiKey = (await createApiKey(h.db.client, 'khanh-hoa', 'Một cửa tỉnh', clock)).key;
  for (const [u, unit] of UNITS.entries())
    for (let i = 0; i < PER_UNIT; i++) {
      const code = `CB-${u}${i}`;
      const account = await staffMember(h, app, `cb-${u}-${i}`, []);
      const res = await staffPost(app, admin, '/api/v1/staff/officials', { unit, code, staff_id: account.staffId });
      expect(res.status).toBe(201);
      const { pin } = (await res.json()) as { pin: string };
      expect(pin).toMatch(/^\d{6}$/);
      officials.push({ unit, code, pin, account, staffId: account.staffId });
    }
  // Dossiers: officials 0 and 1 of each unit handle ≥ min n (official 1 with 2 of 12 late); official
  // 2 handles 3 (suppressed, with a complement); a few dossiers carry no code.
  for (const [u, unit] of UNITS.entries()) {
    expect((await registerDossiers(unit, `CB-${u}0`, 20, 0, `${u}a`)).status).toBe(201);
    expect((await registerDossiers(unit, `CB-${u}1`, 12, 2, `${u}b`)).status).toBe(201);
    expect((await registerDossiers(unit, `CB-${u}2`, 3, 1, `${u}c`)).status).toBe(201);
    expect((await registerDossiers(unit, undefined, 4, 0, `${u}d`)).status).toBe(201);
  }
}, 240_000);

afterAll(() => h.close());

describe('device links', () => {
  it('claims a link into an HttpOnly __Host- cookie; a revoked link and another unit’s are refused', async () => {
    const { id, secret } = await newDevice('phuong-ninh-hoa', '1');
    const claim = await kioskReq('/api/v1/kiosk/device', undefined, {
      json: { unit: 'phuong-ninh-hoa', counter: '1', secret },
    });
    expect(claim.status).toBe(204);
    const cookie = claim.headers.get('set-cookie') ?? '';
    expect(cookie).toContain(`${KIOSK_COOKIE}=${secret}`);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/Secure/i);
    expect(cookie).toMatch(/SameSite=Strict/i);

    const status = await kioskReq('/api/v1/kiosk/device?unit=phuong-ninh-hoa&counter=1', secret);
    expect(status.status).toBe(200);
    expect(await status.json()).toEqual({ unit: 'phuong-ninh-hoa', counter: '1', shift: null });

    // Another unit, another counter: the link names one counter.
    for (const [unit, counter] of [
      ['phuong-hoa-thang', '1'],
      ['phuong-ninh-hoa', '2'],
    ]) {
      const other = await kioskReq(`/api/v1/kiosk/device?unit=${unit}&counter=${counter}`, secret);
      expect(other.status).toBe(403);
      expect(other.headers.get('content-type')).toContain('application/problem+json');
      expect(((await other.json()) as { code: string }).code).toBe('kiosk_wrong_unit');
      const claimOther = await kioskReq('/api/v1/kiosk/device', undefined, { json: { unit, counter, secret } });
      expect(((await claimOther.json()) as { code: string }).code).toBe('kiosk_wrong_unit');
    }
    const before = await h.counts(['responses']);
    const wrongUnitRating = await rate(secret, {
      unit: 'phuong-hoa-thang',
      counter: '1',
      answers: { rating: 'hai-long' },
    });
    expect(wrongUnitRating.status).toBe(403);

    const revoke = await staffPost(app, admin, `/api/v1/staff/kiosks/${id}/revoke`, {});
    expect(revoke.status).toBe(200);
    for (const res of [
      await kioskReq('/api/v1/kiosk/device?unit=phuong-ninh-hoa&counter=1', secret),
      await kioskReq('/api/v1/kiosk/device', undefined, { json: { unit: 'phuong-ninh-hoa', counter: '1', secret } }),
      await rate(secret, { unit: 'phuong-ninh-hoa', counter: '1', answers: { rating: 'hai-long' } }),
      await kioskReq('/api/v1/kiosk/shifts', secret, {
        json: { unit: 'phuong-ninh-hoa', counter: '1', pin: officials[0]!.pin },
      }),
    ]) {
      expect(res.status).toBe(403);
      expect(((await res.json()) as { code: string }).code).toBe('kiosk_revoked');
    }
    // An unknown secret, and none at all.
    const unknown = await kioskReq('/api/v1/kiosk/device?unit=phuong-ninh-hoa&counter=1', 'x'.repeat(43));
    expect(((await unknown.json()) as { code: string }).code).toBe('kiosk_unauthorized');
    expect((await kioskReq('/api/v1/kiosk/device?unit=phuong-ninh-hoa&counter=1', undefined)).status).toBe(401);
    expect(await h.counts(['responses'])).toEqual(before);
  });

  it('an admin of another unit can neither make nor revoke a link there', async () => {
    const other = await staffMember(h, app, 'admin-hue', [{ role: 'admin', unit: 'thanh-pho-hue' }]);
    const made = await staffPost(app, other, '/api/v1/staff/kiosks', {
      unit: 'phuong-ninh-hoa',
      counter: '9',
      label: 'x',
    });
    expect(made.status).toBe(403);
    const { id } = await newDevice('phuong-ninh-hoa', '8');
    const revoke = await staffPost(app, other, `/api/v1/staff/kiosks/${id}/revoke`, {});
    expect(revoke.status).toBe(404);
    const list = (await (await staffGet(app, other, '/api/v1/staff/kiosks')).json()) as { devices: unknown[] };
    expect(list.devices).toEqual([]);
    const official = await staffPost(app, other, '/api/v1/staff/officials', { unit: 'phuong-ninh-hoa', code: 'CB-X1' });
    expect(official.status).toBe(403);
  });
});

describe('shifts and kiosk ratings', () => {
  it('signs an official in with the code, attributes each rating to its shift once, throttles guesses', async () => {
    const o = officials.find((x) => x.unit === 'phuong-hoa-thang')!;
    const { secret } = await newDevice('phuong-hoa-thang', '2');
    const wrong = await kioskReq('/api/v1/kiosk/shifts', secret, {
      json: { unit: 'phuong-hoa-thang', counter: '2', pin: o.pin === '000000' ? '000001' : '000000' },
    });
    expect(wrong.status).toBe(403);
    expect(((await wrong.json()) as { code: string }).code).toBe('pin_invalid');
    // A code of another unit's official does not open this counter.
    const foreign = officials.find((x) => x.unit === 'phuong-ninh-hoa')!;
    if (foreign.pin !== o.pin) {
      const res = await kioskReq('/api/v1/kiosk/shifts', secret, {
        json: { unit: 'phuong-hoa-thang', counter: '2', pin: foreign.pin },
      });
      expect(res.status).toBe(403);
    }
    const shift = await startShift(secret, 'phuong-hoa-thang', '2', o.pin);
    const status = (await (await kioskReq('/api/v1/kiosk/device?unit=phuong-hoa-thang&counter=2', secret)).json()) as {
      shift: { shift: string };
    };
    expect(status.shift.shift).toBe(shift);

    // No proof of work at a kiosk; the same key sent three times (a queue flushed again) is one rating.
    const body = { unit: 'phuong-hoa-thang', counter: '2', shift, answers: { rating: 'rat-hai-long' } };
    const first = await rate(secret, body, 'queued-once-123456');
    expect(first.status).toBe(201);
    for (let i = 0; i < 2; i++) expect((await rate(secret, body, 'queued-once-123456')).status).toBe(200);
    const rows = await h.db.client.execute({
      sql: `SELECT r.verified, s.public_id FROM responses r JOIN kiosk_shifts s ON s.id = r.shift_id
            WHERE r.idempotency_key = 'queued-once-123456'`,
    });
    expect(rows.rows.map((r) => [Number(r.verified), String(r.public_id)])).toEqual([[0, shift]]);

    // A shift is a device's own: another device's shift id, or a shift without a device, is refused.
    const { secret: second } = await newDevice('phuong-hoa-thang', '3');
    const stolen = await rate(second, { ...body, counter: '3' });
    expect(stolen.status).toBe(422);
    expect(((await stolen.json()) as { code: string }).code).toBe('shift_unknown');
    const noDevice = await rate(undefined, body);
    expect(noDevice.status).toBe(401);

    // Ending the shift: later ratings name none.
    expect(
      (await kioskReq('/api/v1/kiosk/shifts/end', secret, { json: { unit: 'phuong-hoa-thang', counter: '2' } })).status,
    ).toBe(204);

    // Guesses: the limit per device holds whatever the code.
    let last = 0;
    for (let i = 0; i < PIN_THROTTLE.perDevice + 1; i++)
      last = (
        await kioskReq('/api/v1/kiosk/shifts', second, {
          json: { unit: 'phuong-hoa-thang', counter: '3', pin: '999999' },
        })
      ).status;
    expect(last).toBe(429);
  });
});

describe('officials’ codes on dossiers', () => {
  it('refuses a code of another unit (403), an unknown code and a name (422), writing nothing', async () => {
    const before = await h.counts(['dossiers']);
    const other = await registerDossiers('phuong-ninh-hoa', 'CB-10', 1, 0, 'x1');
    expect(other.status).toBe(403);
    expect(((await other.json()) as { code: string }).code).toBe('official_other_unit');
    const unknown = await registerDossiers('phuong-ninh-hoa', 'CB-ZZZ', 1, 0, 'x2');
    expect(unknown.status).toBe(422);
    expect(((await unknown.json()) as { code: string }).code).toBe('unknown_official');
    for (const name of ['Nguyễn Văn A', 'nguyen.van.a', 'NGUYEN VAN A'])
      expect((await registerDossiers('phuong-ninh-hoa', name, 1, 0, 'x3')).status).toBe(422);
    expect(await h.counts(['dossiers'])).toEqual(before);
  });
});

describe('officer results', () => {
  it('shows an official their own month: counts, late share with interval, verdict; suppressed below min n', async () => {
    const o1 = officials.find((x) => x.code === 'CB-01')!;
    const res = await staffGet(app, o1.account!, `/api/v1/staff/officers/results?month=${MONTH}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      officials: {
        official: string;
        dossiers: { n: number };
        late: { value: number; low: number; high: number };
        verdict: string;
        late_threshold: number;
      }[];
    };
    expect(body.officials.map((x) => x.official)).toEqual(['CB-01']);
    const cell = body.officials[0]!;
    expect(cell.dossiers.n).toBe(12);
    expect(cell.late.value).toBeCloseTo(16.7, 1);
    expect(cell.late.low).toBeLessThan(cell.late.value);
    // 2 of 12 late ≥ 5 % (the threshold from 2025): cannot be "hoàn thành tốt nhiệm vụ".
    expect(cell.late_threshold).toBe(5);
    expect(cell.verdict).toBe('cannot-be-good');

    const o2 = officials.find((x) => x.code === 'CB-02')!;
    const small = (await (
      await staffGet(app, o2.account!, `/api/v1/staff/officers/results?month=${MONTH}`)
    ).json()) as {
      officials: { dossiers: { suppressed: boolean; n: number | null }; verdict: string; verdict_reason: string }[];
    };
    expect(small.officials[0]!.dossiers).toMatchObject({ suppressed: true, n: null });
    expect(small.officials[0]).toMatchObject({ verdict: 'undetermined', verdict_reason: 'too-few' });

    const audit = await h.db.client.execute({
      sql: "SELECT count(*) AS n FROM audit_log WHERE action = 'officer_results_view' AND staff_id = ?",
      args: [o1.staffId!],
    });
    expect(Number(audit.rows[0]!.n)).toBe(1);
  });

  it('refuses months in the future or malformed, and units outside the tree', async () => {
    const sup = await staffMember(h, app, 'gs-tinh', [{ role: 'supervisor', unit: 'khanh-hoa' }]);
    for (const q of ['month=2026-04', 'month=2026-13', 'month=1999-12', 'month=2026-03&unit=khong-co', 'month=x'])
      expect((await staffGet(app, sup, `/api/v1/staff/officers/results?${q}`)).status).toBe(422);
    expect((await app.request(`/api/v1/staff/officers/results?month=${MONTH}`)).status).toBe(401);
  });

  it('isolation: over every pair of officials and units, no figure of another official is visible', async () => {
    // Supervisors of a province, a department, a ward, and of another province.
    const SUPERVISED = ['khanh-hoa', 'so-y-te', 'phuong-ninh-hoa', 'thanh-pho-hue'];
    const supervisors = new Map<string, Signed>();
    for (const unit of SUPERVISED)
      supervisors.set(unit, await staffMember(h, app, `gs-${unit}`, [{ role: 'supervisor', unit }]));
    const queried = [...UNITS, 'khanh-hoa', 'thanh-pho-hue'];
    let checks = 0;
    let leaks = 0;

    // Each official: only their own cell, and no supervisor view of any unit.
    for (const o of officials) {
      const own = (await (await staffGet(app, o.account!, `/api/v1/staff/officers/results?month=${MONTH}`)).json()) as {
        officials: { unit: string; official: string }[];
      };
      for (const other of officials) {
        checks++;
        const visible = own.officials.some((x) => x.unit === other.unit && x.official === other.code);
        if (visible !== (other === o)) leaks++;
      }
      for (const unit of queried) {
        checks++;
        const res = await staffGet(app, o.account!, `/api/v1/staff/officers/results?month=${MONTH}&unit=${unit}`);
        if (res.status !== 403) leaks++;
      }
    }
    // Each supervisor × each unit asked: officials of that unit's subtree only, and only when the
    // unit lies in the supervisor's own subtree.
    for (const [sUnit, sup] of supervisors) {
      const mine = new Set(await unitsInSubtrees(h.db.client, [sUnit]));
      for (const unit of queried) {
        const res = await staffGet(app, sup, `/api/v1/staff/officers/results?month=${MONTH}&unit=${unit}`);
        const allowed = mine.has(unit);
        checks++;
        if ((res.status === 200) !== allowed) leaks++;
        if (res.status !== 200) {
          expect(res.status).toBe(403);
          continue;
        }
        const text = await res.text();
        const subtree = new Set(await unitsInSubtrees(h.db.client, [unit]));
        for (const other of officials) {
          checks++;
          const listed = (JSON.parse(text) as { officials: { unit: string; official: string }[] }).officials.some(
            (x) => x.unit === other.unit && x.official === other.code,
          );
          if (listed !== subtree.has(other.unit)) leaks++;
        }
      }
      // Own results of a supervisor with no official linked: none.
      const own = (await (await staffGet(app, sup, `/api/v1/staff/officers/results?month=${MONTH}`)).json()) as {
        officials: unknown[];
      };
      checks++;
      if (own.officials.length !== 0) leaks++;
    }
    expect(checks).toBeGreaterThan(officials.length * officials.length);
    expect(leaks).toBe(0);
    // The supervisor role opens officer results only, not the feedback of its units.
    await sendFeedback(
      h,
      h.app({ POW_REQUIRED: '0' }, () => clock),
    );
    const inbox = await staffGet(app, supervisors.get('khanh-hoa')!, '/api/v1/staff/feedback');
    expect(((await inbox.json()) as { items: unknown[] }).items).toEqual([]);
    const adminInbox = await staffGet(app, admin, '/api/v1/staff/feedback');
    expect(((await adminInbox.json()) as { items: unknown[] }).items.length).toBeGreaterThan(0);
  }, 120_000);

  it('kiosk ratings count for the official of the shift, labelled apart from verified ratings', async () => {
    const o = officials.find((x) => x.code === 'CB-00')!;
    const { secret } = await newDevice('phuong-ninh-hoa', '5');
    const shift = await startShift(secret, 'phuong-ninh-hoa', '5', o.pin);
    for (let i = 0; i < 12; i++)
      expect(
        (
          await rate(secret, {
            unit: 'phuong-ninh-hoa',
            counter: '5',
            shift,
            answers: { rating: i < 9 ? 'hai-long' : 'khong-hai-long' },
          })
        ).status,
      ).toBe(201);
    const body = (await (await staffGet(app, o.account!, `/api/v1/staff/officers/results?month=${MONTH}`)).json()) as {
      officials: { kiosk_satisfaction: { n: number; value: number }; verified_satisfaction: { suppressed: boolean } }[];
    };
    expect(body.officials[0]!.kiosk_satisfaction).toMatchObject({ n: 12, value: 75 });
    expect(body.officials[0]!.verified_satisfaction.suppressed).toBe(true);
  });
});
