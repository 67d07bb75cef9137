/**
 * Data read once per database and kept while the process runs: the unit tree, the procedures and
 * their names are copied from content/ at start only (db/content-sync.ts), yet every statistics and
 * search request needs them (issue #9: no repeated per-request reads). A failed read is not kept,
 * so a storage fault is retried by the next request.
 */
import type { Client } from '@libsql/client';

/**
 * Wraps `load` so it runs once per client; later calls share its promise.
 * @example const parents = oncePerDatabase((client) => client.execute('SELECT id FROM units'));
 */
export function oncePerDatabase<T>(load: (client: Client) => Promise<T>): (client: Client) => Promise<T> {
  const kept = new WeakMap<Client, Promise<T>>();
  return (client) => {
    let value = kept.get(client);
    if (!value) {
      value = load(client);
      kept.set(client, value);
      value.catch(() => kept.delete(client));
    }
    return value;
  };
}
