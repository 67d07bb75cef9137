/** Instrument versions: every definition a citizen has seen, kept forever (issue #3). */
import type { Client } from '@libsql/client';

export interface InstrumentVersionRow {
  version: string;
  instrument_id: string;
  kind: string;
  definition: string;
}

/** Records the current versions; existing versions are never rewritten. */
export async function saveInstrumentVersions(client: Client, rows: InstrumentVersionRow[], at: Date): Promise<void> {
  await client.batch(
    rows.map((r) => ({
      sql: `INSERT OR IGNORE INTO instrument_versions (version, instrument_id, kind, definition, created_at)
            VALUES (?, ?, ?, ?, ?)`,
      args: [r.version, r.instrument_id, r.kind, r.definition, at.toISOString()],
    })),
    'write',
  );
}

export async function findInstrumentVersion(
  client: Client,
  version: string,
): Promise<InstrumentVersionRow | undefined> {
  const rs = await client.execute({
    sql: 'SELECT version, instrument_id, kind, definition FROM instrument_versions WHERE version = ?',
    args: [version],
  });
  const row = rs.rows[0];
  if (!row) return undefined;
  return {
    version: String(row.version),
    instrument_id: String(row.instrument_id),
    kind: String(row.kind),
    definition: String(row.definition),
  };
}
