/** The unit tree as stored from content/ (DOMAIN §3: any depth, validity dates, successors). */
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
 * Every unit in the subtrees rooted at `roots` (the roots included): what a role granted on those
 * units covers.
 * @example await unitsInSubtrees(db.client, ['ninh-hoa']) // ['ninh-hoa', 'phuong-ninh-hiep', …]
 */
export async function unitsInSubtrees(client: Client, roots: readonly string[]): Promise<string[]> {
  if (roots.length === 0) return [];
  const rs = await client.execute({
    sql: `WITH RECURSIVE scope(id, depth) AS (
            SELECT id, 0 FROM units WHERE id IN (${roots.map(() => '?').join(', ')})
            UNION SELECT u.id, s.depth + 1 FROM units u JOIN scope s ON u.parent_id = s.id WHERE s.depth < 32)
          SELECT DISTINCT id FROM scope`,
    args: [...roots],
  });
  return rs.rows.map((r) => String(r.id));
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
