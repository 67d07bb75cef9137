/**
 * The suppression audit of issue #7 extended to officer cells (issue #10 part 3). The attacker is a
 * supervisor of the province: it reads the officer results of every unit for a month through the
 * real API and knows, besides, every unit's totals (dossiers of the unit, verified ratings and kiosk
 * ratings: the strongest reading of the public statistics) and which units have no dossiers or
 * ratings without an official's code. It subtracts along every sum (unit total = its officials +
 * the part without an official), chaining what it learns. Over generated data with many small
 * cells and two minimum n, 0 hidden officer cells may be recoverable; with primary suppression only
 * (no complementary cells), the same attacker must find some, so the test can fail.
 *
 * Written from the API's numbers and the database's totals only: it does not use `protect`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answersFor, openHarness, seeded, type Harness } from '../test-harness.ts';
import { staffGet, staffMember, type App, type Signed } from '../feedback/test-kit.ts';
import { upsertOfficialStatement } from '../../db/officers.ts';

const MONTH = '2026-02';
const NOW = new Date('2026-03-05T02:00:00Z');
const UNITS = ['phuong-ninh-hoa', 'phuong-hoa-thang', 'xa-tan-dinh', 'so-y-te', 'benh-vien-da-khoa-khanh-hoa'];
const MEASURES = ['dossiers', 'verified', 'kiosk'] as const;
type Measure = (typeof MEASURES)[number];

let h: Harness;
let app: App;
let sup: Signed;
/** True counts per measure, unit and official ('#none' for the part without an official). */
const truth = new Map<string, number>();
const tkey = (m: Measure, unit: string, code: string) => `${m}|${unit}|${code}`;
const officials: { unit: string; code: string }[] = [];

async function fill(seed: number): Promise<void> {
  const random = seeded(seed);
  const c = h.db.client;
  const ver = h.versions.quay!;
  const sipasVer = h.versions['danh-gia-ho-so']!;
  const evaluation = answersFor(h.instruments['danh-gia-ho-so']!);
  let seq = 0;
  for (const unit of UNITS) {
    const device = await c.execute({
      sql: `INSERT INTO kiosk_devices (unit_id, counter, label, secret_hash, created_at)
            VALUES (?, '1', 'q', ?, ?) RETURNING id`,
      args: [unit, `hash-${unit}`, NOW.toISOString()],
    });
    const deviceId = Number(device.rows[0]!.id);
    const count = 3 + Math.floor(random() * 5);
    for (let i = 0; i <= count; i++) {
      const none = i === count;
      // Some units have no part without an official (the attacker then knows it is 0).
      if (none && random() < 0.4) continue;
      const code = none ? '#none' : `CB-${unit.slice(0, 3).toUpperCase()}${i}`;
      let officialId: number | null = null;
      if (!none) {
        const rs = await c.execute(
          upsertOfficialStatement({ unitId: unit, code, pinHash: `p-${unit}-${i}`, staffId: null, now: NOW }),
        );
        officialId = Number(rs.rows[0]!.id);
        officials.push({ unit, code });
      }
      // Many small cells: a third below 5, a third between 5 and 12, the rest up to 30.
      const draw = () => {
        const r = random();
        return r < 0.33
          ? Math.floor(random() * 5)
          : r < 0.66
            ? 5 + Math.floor(random() * 8)
            : 13 + Math.floor(random() * 18);
      };
      const dossiers = draw();
      const verified = Math.min(dossiers, draw());
      const kiosk = none ? 0 : draw();
      truth.set(tkey('dossiers', unit, code), dossiers);
      truth.set(tkey('verified', unit, code), verified);
      truth.set(tkey('kiosk', unit, code), kiosk);
      const stmts = [];
      for (let d = 0; d < dossiers; d++) {
        seq++;
        stmts.push({
          sql: `INSERT INTO dossiers (unit_id, code, received_at, due_at, returned_at, on_time, created_at, official_code)
                VALUES (?, ?, '2026-02-02T02:00:00.000Z', '2026-02-09T02:00:00.000Z', '2026-02-06T02:00:00.000Z', ?, ?, ?)`,
          args: [unit, `D${seq}`, d % 7 === 0 ? 0 : 1, NOW.toISOString(), none ? null : code],
        });
        if (d < verified) {
          stmts.push({
            sql: `INSERT INTO responses (instrument_version, unit_id, dossier_id, verified, locale, day, created_at, idempotency_key, request_hash)
                  VALUES (?, ?, (SELECT id FROM dossiers WHERE unit_id = ? AND code = ?), 1, 'vi', '2026-02-10', ?, ?, 'h')`,
            args: [sipasVer, unit, unit, `D${seq}`, NOW.toISOString(), `k-${seq}-verified`],
          });
          for (const [q, a] of Object.entries(evaluation))
            for (const v of Array.isArray(a) ? a : [a])
              stmts.push({
                sql: `INSERT INTO answers (response_id, question_id, value)
                      SELECT id, ?, ? FROM responses WHERE idempotency_key = ?`,
                args: [q, v, `k-${seq}-verified`],
              });
        }
      }
      if (officialId !== null && kiosk > 0) {
        const shift = await c.execute({
          sql: `INSERT INTO kiosk_shifts (public_id, device_id, official_id, started_at) VALUES (?, ?, ?, ?) RETURNING id`,
          args: [`s${String(officialId).padStart(21, '0')}`, deviceId, officialId, NOW.toISOString()],
        });
        for (let k = 0; k < kiosk; k++) {
          seq++;
          stmts.push({
            sql: `INSERT INTO responses (instrument_version, unit_id, counter, verified, locale, day, created_at, idempotency_key, request_hash, shift_id)
                  VALUES (?, ?, '1', 0, 'vi', '2026-02-11', ?, ?, 'h', ?)`,
            args: [ver, unit, NOW.toISOString(), `k-${seq}-kiosk`, Number(shift.rows[0]!.id)],
          });
          stmts.push({
            sql: `INSERT INTO answers (response_id, question_id, value) SELECT id, 'rating', 'hai-long' FROM responses WHERE idempotency_key = ?`,
            args: [`k-${seq}-kiosk`],
          });
        }
      }
      if (stmts.length > 0) await c.batch(stmts, 'write');
    }
  }
}

interface Cell {
  unit: string;
  official: string;
  dossiers: { n: number | null };
  verified_satisfaction: { n: number | null };
  kiosk_satisfaction: { n: number | null };
}

/** What the attacker reads and knows: shown n of every cell, unit totals, the zero parts. */
async function attackerKnowledge(minN: string): Promise<{ value: Map<string, number>; hidden: string[] }> {
  const appN = h.app({ STATS_MIN_N: minN }, () => NOW);
  const value = new Map<string, number>();
  const hidden: string[] = [];
  for (const unit of UNITS) {
    const res = await staffGet(appN, sup, `/api/v1/staff/officers/results?month=${MONTH}&unit=${unit}`);
    expect(res.status, h.lines.join('\n')).toBe(200);
    const body = (await res.json()) as { officials: Cell[] };
    for (const cell of body.officials.filter((x) => x.unit === unit))
      for (const m of MEASURES) {
        const n = (
          m === 'dossiers' ? cell.dossiers : m === 'verified' ? cell.verified_satisfaction : cell.kiosk_satisfaction
        ).n;
        const k = tkey(m, unit, cell.official);
        if (n === null) {
          // A hidden cell with n = 0 hides nothing.
          if ((truth.get(k) ?? 0) > 0) hidden.push(k);
        } else value.set(k, n);
      }
    for (const m of MEASURES) {
      const parts = [...truth.keys()].filter((k) => k.startsWith(`${m}|${unit}|`));
      value.set(
        `${m}|${unit}|#total`,
        parts.reduce((a, k) => a + truth.get(k)!, 0),
      );
      if ((truth.get(tkey(m, unit, '#none')) ?? 0) === 0) value.set(tkey(m, unit, '#none'), 0);
    }
  }
  return { value, hidden };
}

function subtract(value: Map<string, number>): number {
  let solved = 0;
  for (let changed = true; changed;) {
    changed = false;
    for (const unit of UNITS)
      for (const m of MEASURES) {
        const parts = [
          ...officials.filter((o) => o.unit === unit).map((o) => tkey(m, unit, o.code)),
          tkey(m, unit, '#none'),
        ];
        const unknown = parts.filter((p) => !value.has(p));
        if (unknown.length !== 1) continue;
        const rest = parts.filter((p) => p !== unknown[0]).reduce((a, p) => a + value.get(p)!, 0);
        value.set(unknown[0]!, value.get(`${m}|${unit}|#total`)! - rest);
        solved++;
        changed = true;
      }
  }
  return solved;
}

beforeAll(async () => {
  h = await openHarness('officers-audit');
  app = h.app({}, () => NOW);
  sup = await staffMember(h, app, 'gs-tinh', [{ role: 'supervisor', unit: 'khanh-hoa' }]);
  await fill(20260207);
}, 120_000);

afterAll(() => h.close());

describe('officer cells: no suppressed cell can be recovered by subtraction', () => {
  for (const minN of ['5', '10'])
    it(`min n ${minN}: 0 recoverable`, async () => {
      const { value, hidden } = await attackerKnowledge(minN);
      const before = new Set(value.keys());
      subtract(value);
      const recovered = hidden.filter((k) => value.has(k) && !before.has(k));
      console.log(
        `officer audit, min n ${minN}: ${officials.length} officials, ${hidden.length} hidden cells, ${recovered.length} recovered`,
      );
      expect(hidden.length).toBeGreaterThan(5);
      expect(recovered).toEqual([]);
      // Every shown count is the true one.
      for (const [k, v] of value) if (!k.endsWith('#total') && before.has(k)) expect(v).toBe(truth.get(k) ?? 0);
    });

  it('the attacker finds what it should: with primary suppression only, hidden cells come out', async () => {
    const { value } = await attackerKnowledge('1');
    // Hide only the cells below 10, as a table without complementary suppression would.
    const primary = [...value.keys()].filter(
      (k) => !k.endsWith('#total') && !k.endsWith('#none') && value.get(k)! > 0 && value.get(k)! < 10,
    );
    for (const k of primary) value.delete(k);
    subtract(value);
    const recovered = primary.filter((k) => value.get(k) === truth.get(k));
    expect(recovered.length).toBeGreaterThan(0);
  });
});
