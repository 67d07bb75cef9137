/** The unit tree as stored from content/ (docs/domain.md §3: any depth, validity dates, successors). */
import type { Client } from '@libsql/client';

/**
 * The unit and its ancestors, nearest first. Statistics are kept per subtree: a rating counts for
 * its commune, the district it belonged to that day, and the province, so reading a subtree's
 * figures never sums over its members (issue #3 performance target).
 * @example await unitWithAncestors(db.client, 'phuong-ninh-hiep') // ['phuong-ninh-hiep', 'ninh-hoa', 'khanh-hoa', 'viet-nam']
 */
export async function unitWithAncestors(client: Client, unitId: string): Promise<string[]> {
  // The tree is copied from content/ at start and does not change while the process runs.
  let known = ancestorCache.get(client);
  if (!known) ancestorCache.set(client, (known = new Map()));
  const hit = known.get(unitId);
  if (hit) return hit;
  const rs = await client.execute({
    sql: `WITH RECURSIVE up(id, parent_id, depth) AS (
            SELECT id, parent_id, 0 FROM units WHERE id = ?
            UNION ALL
            SELECT u.id, u.parent_id, up.depth + 1 FROM units u JOIN up ON u.id = up.parent_id WHERE up.depth < 32)
          SELECT id FROM up ORDER BY depth`,
    args: [unitId],
  });
  const chain = rs.rows.map((r) => String(r.id));
  if (chain.length > 0) known.set(unitId, chain);
  return chain;
}

const ancestorCache = new WeakMap<Client, Map<string, string[]>>();

/** Whether a unit and a procedure exist, from sets read once per process (see above). */
export async function knownCodes(client: Client): Promise<{ units: Set<string>; procedures: Set<string> }> {
  let known = codeCache.get(client);
  if (!known) {
    const [units, procedures] = await client.batch(['SELECT id FROM units', 'SELECT code FROM procedures'], 'read');
    known = {
      units: new Set(units!.rows.map((r) => String(r.id))),
      procedures: new Set(procedures!.rows.map((r) => String(r.code))),
    };
    codeCache.set(client, known);
  }
  return known;
}

const codeCache = new WeakMap<Client, { units: Set<string>; procedures: Set<string> }>();

/**
 * The one recursive walk down the unit tree (issue #8 §1): a `WITH RECURSIVE <name>(id, depth)`
 * clause holding every unit in the subtrees rooted at `roots` (the roots included). UNION stops on a
 * loop; depth bounds a broken tree. Callers append their own `SELECT … FROM <name>`.
 * @example const cte = subtreeCte(['ninh-hoa']); await client.execute({ sql: `${cte.sql} SELECT id FROM scope`, args: cte.args })
 */
export function subtreeCte(roots: readonly string[], name = 'scope'): { sql: string; args: string[] } {
  const table = subtreeTable(roots, name);
  return { sql: `WITH RECURSIVE ${table.sql}`, args: table.args };
}

/** The same subtree as one more table of a `WITH RECURSIVE` list (`, ${sql}` after another). */
export function subtreeTable(roots: readonly string[], name: string): { sql: string; args: string[] } {
  return {
    sql: `${name}(id, depth) AS (
            SELECT id, 0 FROM units WHERE id IN (${roots.map(() => '?').join(', ')})
            UNION SELECT u.id, s.depth + 1 FROM units u JOIN ${name} s ON u.parent_id = s.id WHERE s.depth < 32)`,
    args: [...roots],
  };
}

/**
 * Every unit in the subtrees rooted at `roots` (the roots included): what a role granted on those
 * units covers, and the units a subtree's cases are read from.
 * @example await unitsInSubtrees(db.client, ['ninh-hoa']) // ['ninh-hoa', 'phuong-ninh-hiep', …]
 */
export async function unitsInSubtrees(client: Client, roots: readonly string[]): Promise<string[]> {
  if (roots.length === 0) return [];
  const cte = subtreeCte(roots);
  const rs = await client.execute({ sql: `${cte.sql} SELECT DISTINCT id FROM scope`, args: cte.args });
  return rs.rows.map((r) => String(r.id));
}

/**
 * Whether `unitId` is `ancestorId` or below it in the units tree (parent_id). A key of a province
 * or a department may register dossiers of the units under it; a key of a commune only its own.
 */
export async function unitWithin(client: Client, ancestorId: string, unitId: string): Promise<boolean> {
  const cte = subtreeCte([ancestorId]);
  const rs = await client.execute({
    sql: `${cte.sql} SELECT 1 FROM scope WHERE id = ? LIMIT 1`,
    args: [...cte.args, unitId],
  });
  return rs.rows.length > 0;
}

/** What {@link currentParents} reads of a unit of content/units.yaml. */
interface TreeUnit {
  id: string;
  parent?: string | undefined;
  valid_to?: string | undefined;
  successor?: string | undefined;
}

/**
 * The parent each unit sits under in every total (issue #7 §3): its own parent, unless that parent
 * ended before the unit did (a unit still valid whose department or province was merged away), then
 * the parent's successor, followed as far as needed. So Trung tâm Y tế huyện Ninh Sơn, still
 * operating, sits under Sở Y tế Khánh Hòa after Sở Y tế Ninh Thuận ended on 2025-06-30, for its
 * whole history; a commune that ended with its district stays under that district.
 * @example currentParents(units).get('trung-tam-y-te-ninh-son') // 'so-y-te'
 */
export function currentParents(units: readonly TreeUnit[]): Map<string, string | undefined> {
  const byId = new Map(units.map((u) => [u.id, u]));
  const out = new Map<string, string | undefined>();
  for (const u of units) {
    let parent = u.parent;
    for (let i = 0; parent && i < 32; i++) {
      const p = byId.get(parent);
      const endedFirst = p?.valid_to !== undefined && (u.valid_to === undefined || p.valid_to < u.valid_to);
      if (!p || !endedFirst || !p.successor) break;
      parent = p.successor;
    }
    out.set(u.id, parent);
  }
  return out;
}

/**
 * Whether a unit exists on a day (Việt Nam date "YYYY-MM-DD"): feedback goes only to units that
 * still exist; an abolished district's cases go to its successor, which the sender picks.
 */
export async function unitExistsOn(client: Client, unitId: string, day: string): Promise<boolean> {
  const rs = await client.execute({
    sql: 'SELECT 1 FROM units WHERE id = ? AND valid_from <= ? AND (valid_to IS NULL OR valid_to >= ?)',
    args: [unitId, day, day],
  });
  return rs.rows.length > 0;
}

/** A unit's last day and successor, as stored from content/units.yaml. */
export interface UnitSpan {
  validTo: string | null;
  successor: string | null;
}

const spanCache = new WeakMap<Client, Map<string, UnitSpan>>();

/** Every unit's last day and successor, read once per process (the tree changes only with a deploy). */
export async function unitSpans(client: Client): Promise<Map<string, UnitSpan>> {
  let spans = spanCache.get(client);
  if (!spans) {
    const rs = await client.execute('SELECT id, valid_to, successor_id FROM units');
    spans = new Map(
      rs.rows.map((r) => [
        String(r.id),
        {
          validTo: r.valid_to === null ? null : String(r.valid_to),
          successor: r.successor_id === null ? null : String(r.successor_id),
        },
      ]),
    );
    spanCache.set(client, spans);
  }
  return spans;
}

/**
 * The unit a rating or case of `unitId` dated `day` counts for (issue #7 §3): the unit itself while
 * it exists, its successor (followed as far as needed) once it has ended, so nothing dated after a
 * unit ended is counted only in a parent that no longer shows it.
 * @example unitOnDay(spans, 'xa-lam-son', '2025-08-01') // 'xa-lam-son-2025'
 */
export function unitOnDay(spans: ReadonlyMap<string, UnitSpan>, unitId: string, day: string): string {
  let id = unitId;
  for (let i = 0; i < 32; i++) {
    const s = spans.get(id);
    if (!s || s.validTo === null || s.validTo >= day || !s.successor) break;
    id = s.successor;
  }
  return id;
}

/** The units a rating of `unitId` on `day` is added to: {@link unitOnDay} and its ancestors. */
export async function rollupUnitsOn(client: Client, unitId: string, day: string): Promise<string[]> {
  return unitWithAncestors(client, unitOnDay(await unitSpans(client), unitId, day));
}
