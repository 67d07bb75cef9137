/** Server secrets kept in the database so every API instance shares them (docs/architecture.md §5). */
import { randomBytes } from 'node:crypto';
import type { Client } from '@libsql/client';

/**
 * Returns the named secret, creating a random one on first use; concurrent first calls from
 * several processes agree because the insert is ignored when the row exists.
 * @example const key = await serverSecret(db.client, 'pow-hmac');
 */
const cache = new WeakMap<Client, Map<string, string>>();

export async function serverSecret(client: Client, name: string): Promise<string> {
  // A secret never changes once created: read it once per process, not once per request.
  let known = cache.get(client);
  if (!known) cache.set(client, (known = new Map()));
  const hit = known.get(name);
  if (hit !== undefined) return hit;
  const [, rs] = await client.batch(
    [
      {
        sql: 'INSERT OR IGNORE INTO server_secrets (name, value) VALUES (?, ?)',
        args: [name, randomBytes(32).toString('base64url')],
      },
      { sql: 'SELECT value FROM server_secrets WHERE name = ?', args: [name] },
    ],
    'write',
  );
  const value = String(rs!.rows[0]!.value);
  known.set(name, value);
  return value;
}
