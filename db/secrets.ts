/** Server secrets kept in the database so every API instance shares them (DESIGN §5). */
import { randomBytes } from 'node:crypto';
import type { Client } from '@libsql/client';

/**
 * Returns the named secret, creating a random one on first use; concurrent first calls from
 * several processes agree because the insert is ignored when the row exists.
 * @example const key = await serverSecret(db.client, 'pow-hmac');
 */
export async function serverSecret(client: Client, name: string): Promise<string> {
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
  return String(rs!.rows[0]!.value);
}
