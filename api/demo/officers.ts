/**
 * Demo officials and counter kiosks (issue #10 part 3; docs/kiosk-and-officers.md), added after the
 * ratings and dossiers of api/demo/generate.ts: in the four units with the most dossiers, four
 * officials each (pseudonymous codes, never names), most of the unit's dossiers carrying the code
 * of the official who handled them (one official gets more of the late ones, so the supervisor's
 * page shows one who falls short), one kiosk at counter 1, and a shift every working day whose
 * counter-1 ratings name it. Nobody knows the demo officials' sign-in codes: a unit admin issues
 * new ones (POST /api/v1/staff/officials).
 */
import { randomBytes } from 'node:crypto';
import type { InStatement } from '@libsql/client';
import type { Db } from '../../db/client.ts';
import { sha256Hex } from '../../db/dossiers.ts';
import { pinHash } from '../kiosk.ts';
import { newPin } from '../../db/officers.ts';
import { mulberry32 } from './generate.ts';

export const DEMO_OFFICIALS_PER_UNIT = 4;
export const DEMO_OFFICIAL_UNITS = 4;

export interface DemoOfficerCounts {
  officials: number;
  kiosks: number;
  shifts: number;
  dossiersWithOfficial: number;
  kioskRatings: number;
}

/** A code from the unit's id: "phuong-ninh-hoa" → "PNH-01". */
function codeOf(unit: string, i: number): string {
  const initials = unit
    .split('-')
    .map((w) => w[0]!.toUpperCase())
    .join('')
    .slice(0, 6);
  return `${initials}-${String(i + 1).padStart(2, '0')}`;
}

export async function generateDemoOfficers(db: Db, options: { seed: number; now: Date }): Promise<DemoOfficerCounts> {
  const rnd = mulberry32(options.seed * 7919 + 11);
  const c = db.client;
  const top = await c.execute({
    sql: `SELECT unit_id, count(*) AS n FROM dossiers GROUP BY unit_id ORDER BY n DESC, unit_id LIMIT ?`,
    args: [DEMO_OFFICIAL_UNITS],
  });
  const counts: DemoOfficerCounts = { officials: 0, kiosks: 0, shifts: 0, dossiersWithOfficial: 0, kioskRatings: 0 };
  const at = options.now.toISOString();
  for (const row of top.rows) {
    const unit = String(row.unit_id);
    const ids: number[] = [];
    const codes: string[] = [];
    for (let i = 0; i < DEMO_OFFICIALS_PER_UNIT; i++) {
      const code = codeOf(unit, i);
      const rs = await c.execute({
        sql: `INSERT INTO officials (unit_id, code, pin_hash, created_at) VALUES (?, ?, ?, ?)
              ON CONFLICT (unit_id, code) DO UPDATE SET pin_hash = excluded.pin_hash RETURNING id`,
        args: [unit, code, await pinHash(c, unit, `${newPin()}-${randomBytes(8).toString('hex')}`), at],
      });
      ids.push(Number(rs.rows[0]!.id));
      codes.push(code);
      counts.officials++;
    }

    // Nine in ten dossiers carry a code; late ones go to the last official twice as often.
    const dossiers = await c.execute({
      sql: 'SELECT id, on_time FROM dossiers WHERE unit_id = ? ORDER BY id',
      args: [unit],
    });
    const byCode = new Map<string, number[]>();
    for (const d of dossiers.rows) {
      if (rnd() < 0.1) continue;
      const late = Number(d.on_time) === 0;
      const k = late && rnd() < 0.5 ? DEMO_OFFICIALS_PER_UNIT - 1 : Math.floor(rnd() * DEMO_OFFICIALS_PER_UNIT);
      const list = byCode.get(codes[k]!) ?? [];
      list.push(Number(d.id));
      byCode.set(codes[k]!, list);
    }
    const stmts: InStatement[] = [];
    for (const [code, list] of byCode)
      for (let i = 0; i < list.length; i += 500) {
        const part = list.slice(i, i + 500);
        stmts.push({
          sql: `UPDATE dossiers SET official_code = ? WHERE id IN (${part.map(() => '?').join(', ')})`,
          args: [code, ...part],
        });
        counts.dossiersWithOfficial += part.length;
      }

    // One kiosk at counter 1; a shift each day it was used, its ratings naming the shift.
    const device = await c.execute({
      sql: `INSERT INTO kiosk_devices (unit_id, counter, label, secret_hash, created_at) VALUES (?, '1', ?, ?, ?)
            RETURNING id`,
      args: [unit, 'Quầy 1 (demo)', sha256Hex(randomBytes(32).toString('base64url')), at],
    });
    const deviceId = Number(device.rows[0]!.id);
    counts.kiosks++;
    const days = await c.execute({
      sql: `SELECT day, count(*) AS n FROM responses WHERE unit_id = ? AND counter = '1' AND dossier_id IS NULL
            GROUP BY day ORDER BY day`,
      args: [unit],
    });
    for (const d of days.rows) {
      const day = String(d.day);
      const official = ids[Math.floor(rnd() * ids.length)]!;
      const publicId = randomBytes(16).toString('base64url');
      // 07:30 in Việt Nam; the shift ends at 17:00.
      stmts.push(
        {
          sql: `INSERT INTO kiosk_shifts (public_id, device_id, official_id, started_at, ended_at) VALUES (?, ?, ?, ?, ?)`,
          args: [publicId, deviceId, official, `${day}T00:30:00.000Z`, `${day}T10:00:00.000Z`],
        },
        {
          sql: `UPDATE responses SET shift_id = (SELECT id FROM kiosk_shifts WHERE public_id = ?)
                WHERE unit_id = ? AND counter = '1' AND dossier_id IS NULL AND day = ?`,
          args: [publicId, unit, day],
        },
      );
      counts.shifts++;
      counts.kioskRatings += Number(d.n);
    }
    for (let i = 0; i < stmts.length; i += 400) await c.batch(stmts.slice(i, i + 400), 'write');
  }
  return counts;
}
