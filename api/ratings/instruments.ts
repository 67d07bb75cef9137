/**
 * Resolves the instrument version a rating answers. Versions are content hashes, so a definition
 * never changes under its version and can be cached for the life of the process; an answer queued
 * offline before an instrument was edited still validates against the version its citizen saw.
 */
import type { Client } from '@libsql/client';
import { instrument, instrumentVersion, type Instrument } from '../contracts/instrument.ts';
import { findInstrumentVersion, saveInstrumentVersions } from '../../db/instruments.ts';

const cache = new Map<string, Instrument>();

/** Stores the versions of the instruments in content/ (on start, and in tests). */
export async function syncInstruments(client: Client, instruments: Instrument[], at = new Date()): Promise<void> {
  await saveInstrumentVersions(
    client,
    instruments.map((ins) => ({
      version: instrumentVersion(ins),
      instrument_id: ins.id,
      kind: ins.kind,
      definition: JSON.stringify(ins),
    })),
    at,
  );
}

export async function resolveInstrument(client: Client, id: string, version: string): Promise<Instrument | undefined> {
  let ins = cache.get(version);
  if (!ins) {
    const row = await findInstrumentVersion(client, version);
    if (!row) return undefined;
    ins = instrument.parse(JSON.parse(row.definition));
    cache.set(version, ins);
  }
  return ins.id === id ? ins : undefined;
}
