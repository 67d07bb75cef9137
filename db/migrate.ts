/**
 * Versioned SQL migrations: `db/migrations/NNNN_name.sql`, applied in order, each in one batch with
 * its row in `schema_migrations`, so a crash never leaves a half-applied version. Applied on every
 * start and in every test database.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Client } from '@libsql/client';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => {
      const sql = readFileSync(dir + f, 'utf8');
      return {
        version: Number(f.slice(0, 4)),
        name: f.slice(5, -4),
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    });
}

/** Splits a migration file into statements (our migrations hold no triggers with inner `;`). */
function statements(sql: string): string[] {
  return sql
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
    .filter((s) => s.length > 0);
}

/**
 * Applies pending migrations and returns the current version.
 * @example
 *   const version = await migrate(db.client);
 */
export async function migrate(client: Client, migrations = listMigrations()): Promise<number> {
  await client.execute(
    `CREATE TABLE IF NOT EXISTS schema_migrations (
       version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)`,
  );
  const rs = await client.execute('SELECT version, checksum FROM schema_migrations ORDER BY version');
  const applied = new Map(rs.rows.map((r) => [Number(r.version), String(r.checksum)]));
  let current = 0;
  for (const m of migrations) {
    const done = applied.get(m.version);
    if (done !== undefined) {
      // An edited migration that already ran would leave databases that differ silently.
      if (done !== m.checksum) throw new Error(`migration ${m.version}_${m.name} was changed after it was applied`);
      current = m.version;
      continue;
    }
    await client.batch(
      [
        ...statements(m.sql),
        {
          sql: 'INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)',
          args: [m.version, m.name, m.checksum, new Date().toISOString()],
        },
      ],
      'write',
    );
    current = m.version;
  }
  return current;
}

export async function currentVersion(client: Client): Promise<number> {
  const rs = await client.execute('SELECT coalesce(max(version), 0) AS v FROM schema_migrations');
  return Number(rs.rows[0]?.v ?? 0);
}
