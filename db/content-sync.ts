/**
 * Copies units and procedures from content/ into the database on start, so the API can check
 * references and join figures. content/ stays the truth: rows are upserted, never edited by hand.
 * Rows that disappear from content/ are kept (old responses and votes still point at them).
 */
import type { Client, InStatement } from '@libsql/client';
import { currentParents } from './units.ts';

export interface UnitRow {
  id: string;
  parent?: string | undefined;
  kind: string;
  name: { vi: string; en: string };
  valid_from: string;
  valid_to?: string | undefined;
  successor?: string | undefined;
}

export interface ProcedureRow {
  code: string;
  name: { vi: string; en: string };
  field: string;
  level: string;
  processing_days: number;
  units: string[];
}

export async function syncContent(client: Client, units: UnitRow[], procedures: ProcedureRow[]): Promise<void> {
  const stmts: InStatement[] = [
    // Parents and successors may come later in the file: check foreign keys at commit instead.
    'PRAGMA defer_foreign_keys = ON',
  ];
  // A unit that outlived its parent sits under the parent's successor (db/units.ts `currentParents`).
  const parents = currentParents(units);
  for (const u of units) {
    stmts.push({
      sql: `INSERT INTO units (id, parent_id, kind, name_vi, name_en, valid_from, valid_to, successor_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET parent_id = excluded.parent_id, kind = excluded.kind,
              name_vi = excluded.name_vi, name_en = excluded.name_en, valid_from = excluded.valid_from,
              valid_to = excluded.valid_to, successor_id = excluded.successor_id`,
      args: [
        u.id,
        parents.get(u.id) ?? null,
        u.kind,
        u.name.vi,
        u.name.en,
        u.valid_from,
        u.valid_to ?? null,
        u.successor ?? null,
      ],
    });
  }
  for (const p of procedures) {
    stmts.push({
      sql: `INSERT INTO procedures (code, name_vi, name_en, field, level, processing_days) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (code) DO UPDATE SET name_vi = excluded.name_vi, name_en = excluded.name_en,
              field = excluded.field, level = excluded.level, processing_days = excluded.processing_days`,
      args: [p.code, p.name.vi, p.name.en, p.field, p.level, p.processing_days],
    });
    stmts.push({ sql: 'DELETE FROM procedure_units WHERE procedure_code = ?', args: [p.code] });
    for (const unitId of p.units)
      stmts.push({
        sql: 'INSERT INTO procedure_units (procedure_code, unit_id) VALUES (?, ?)',
        args: [p.code, unitId],
      });
  }
  await client.batch(stmts, 'write');
}
