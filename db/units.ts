/** The unit tree as stored from content/ (DOMAIN §3: any depth, validity dates, successors). */
import type { Client } from '@libsql/client';

/**
 * The unit and its ancestors, nearest first. Statistics are kept per subtree: a rating counts for
 * its commune, the district it belonged to that day, and the province, so reading a subtree's
 * figures never sums over its members (issue #3 performance target).
 * @example await unitWithAncestors(db.client, 'phuong-ninh-hiep') // ['phuong-ninh-hiep', 'ninh-hoa', 'khanh-hoa', 'viet-nam']
 */
export async function unitWithAncestors(client: Client, unitId: string): Promise<string[]> {
  const rs = await client.execute({
    sql: `WITH RECURSIVE up(id, parent_id, depth) AS (
            SELECT id, parent_id, 0 FROM units WHERE id = ?
            UNION ALL
            SELECT u.id, u.parent_id, up.depth + 1 FROM units u JOIN up ON u.id = up.parent_id WHERE up.depth < 32)
          SELECT id FROM up ORDER BY depth`,
    args: [unitId],
  });
  return rs.rows.map((r) => String(r.id));
}
