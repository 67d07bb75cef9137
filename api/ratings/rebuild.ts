/**
 * Rebuilds `rating_rollups` from the raw responses and answers (issue #3): the repair when a rollup
 * row was lost or damaged by hand, and the proof that the figures can always be recomputed. Every
 * cell comes from the builders of the write path (resolveInstrument, rollupCellsForResponse,
 * unitWithAncestors, RollupAccumulator), so a rebuild gives exactly the table that the writes built.
 *
 * Readers never see an empty or half-built table and writers are held up only briefly:
 * 1. without any lock, responses are read page by page in id order and their cells summed in memory,
 *    one entry per rollup row (as much memory as the table itself, not as the responses);
 * 2. then, in ONE write transaction, the responses committed meanwhile are added, and the old rows
 *    are replaced by the new ones. Readers (WAL) see the old table until the commit.
 *
 * Sums are added in response id order, which is commit order, the same order in which the write
 * path added them, so REAL sums come out bit for bit the same.
 *
 * The unit tree used is today's (db/units.ts): after a unit moved to another parent, the rebuilt
 * subtree totals follow the new tree, as new responses do.
 *
 * Run it in its own process (`npm run rollups:rebuild`) or on a Db that nothing else uses: on a
 * local file the transaction holds the Db's only connection, and libSQL's local driver waits for a
 * lock synchronously, so a second connection in the same process would stall the rebuild.
 */
import type { Client, InStatement, ResultSet } from '@libsql/client';
import type { Db } from '../../db/client.ts';
import { RollupAccumulator, type RollupCellRow, type RollupKey } from '../../db/rollups.ts';
import { unitOnDay, unitSpans, unitWithAncestors, type UnitSpan } from '../../db/units.ts';
import type { Instrument } from '../contracts/instrument.ts';
import { rollupCellsForResponse } from '../scoring/scoring.ts';
import { resolveInstrument } from './instruments.ts';

/** Responses read per query. */
const PAGE = 1000;
/** Rows inserted per batch inside the swap transaction. */
const INSERTS_PER_BATCH = 500;

/** What both a client and a transaction can do: run one statement. */
interface Reader {
  execute(stmt: InStatement): Promise<ResultSet>;
}

interface Lookups {
  instrument(version: string): Promise<Instrument>;
  /** The units a rating of `unitId` on `day` is added to (db/units.ts `rollupUnitsOn`). */
  units(unitId: string, day: string): Promise<string[]>;
}

interface Folded {
  rows: Map<string, { key: RollupKey; cell: RollupCellRow }>;
  /** Highest response id folded in, 0 before any. */
  lastId: number;
  responses: number;
}

export interface RebuildResult {
  /** Responses the table was rebuilt from. */
  responses: number;
  /** Rows of `rating_rollups` after the rebuild. */
  rows: number;
}

/** Thrown when the responses changed in a way a rebuild cannot follow; nothing was changed. */
export class RebuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RebuildError';
  }
}

/** Adds one cell to its row, exactly as the rollup upsert does. */
function add(folded: Folded, key: RollupKey, cell: RollupCellRow): void {
  const id = JSON.stringify([
    key.unitId,
    key.instrumentVersion,
    key.day,
    key.procedureCode,
    key.verified,
    cell.metric,
    cell.value,
  ]);
  const row = folded.rows.get(id);
  if (!row) folded.rows.set(id, { key, cell: { ...cell } });
  else {
    row.cell.n += cell.n;
    row.cell.sum += cell.sum;
    row.cell.sumsq += cell.sumsq;
  }
}

/**
 * Folds every response with id > `folded.lastId`, in id order, into `folded`. The answers of a
 * response are written in the same batch as the response, so a committed response always comes
 * with all of them.
 */
async function foldResponses(reader: Reader, lookups: Lookups, folded: Folded): Promise<void> {
  for (;;) {
    const page = await reader.execute({
      sql: `SELECT id, instrument_version, unit_id, procedure_code, day, verified
            FROM responses WHERE id > ? ORDER BY id LIMIT ?`,
      args: [folded.lastId, PAGE],
    });
    if (page.rows.length === 0) return;
    const first = Number(page.rows[0]!.id);
    const last = Number(page.rows[page.rows.length - 1]!.id);
    const stored = await reader.execute({
      // rowid order is insertion order: the options of a multi answer come back as sent.
      sql: `SELECT response_id, question_id, value FROM answers
            WHERE response_id BETWEEN ? AND ? ORDER BY response_id, rowid`,
      args: [first, last],
    });
    const byResponse = new Map<number, { question: string; value: string }[]>();
    for (const a of stored.rows) {
      const id = Number(a.response_id);
      let list = byResponse.get(id);
      if (!list) byResponse.set(id, (list = []));
      list.push({ question: String(a.question_id), value: String(a.value) });
    }

    for (const r of page.rows) {
      const id = Number(r.id);
      const version = String(r.instrument_version);
      const ins = await lookups.instrument(version);
      // Rebuild the answers as validateAnswers handed them to the writer: multi as a list.
      const types = new Map(ins.questions.map((q) => [q.id, q.type]));
      const answers: Record<string, string | string[]> = {};
      for (const { question, value } of byResponse.get(id) ?? []) {
        const type = types.get(question);
        if (type === undefined)
          throw new RebuildError(`response ${id}: answer to "${question}", not a question of ${ins.id} ${version}`);
        const had = answers[question];
        if (type === 'multi') answers[question] = [...((had as string[] | undefined) ?? []), value];
        else if (had !== undefined) throw new RebuildError(`response ${id}: several answers to "${question}"`);
        else answers[question] = value;
      }
      const cells = rollupCellsForResponse(ins, answers);
      const procedure = r.procedure_code === null ? '' : String(r.procedure_code);
      const procedures = procedure ? [procedure, ''] : [''];
      const verified = Number(r.verified) === 1;
      for (const unitId of await lookups.units(String(r.unit_id), String(r.day)))
        for (const procedureCode of procedures) {
          const key = { unitId, procedureCode, instrumentVersion: version, day: String(r.day), verified };
          for (const cell of cells) add(folded, key, cell);
        }
      folded.responses++;
      folded.lastId = id;
    }
  }
}

/** Instruments and unit chains through the write path's own functions, cached. */
function clientLookups(client: Client): Lookups & { loadAll(): Promise<void>; cacheOnly(): Lookups } {
  const instruments = new Map<string, Instrument>();
  const chains = new Map<string, string[]>();
  async function instrument(version: string): Promise<Instrument> {
    const cached = instruments.get(version);
    if (cached) return cached;
    const rs = await client.execute({
      sql: 'SELECT instrument_id FROM instrument_versions WHERE version = ?',
      args: [version],
    });
    const id = rs.rows[0]?.instrument_id;
    const ins = id === undefined ? undefined : await resolveInstrument(client, String(id), version);
    if (!ins) throw new RebuildError(`instrument version ${version} is not in instrument_versions`);
    instruments.set(version, ins);
    return ins;
  }
  let spans: Map<string, UnitSpan> | undefined;
  async function chainOf(unitId: string): Promise<string[]> {
    let chain = chains.get(unitId);
    if (!chain) {
      chain = await unitWithAncestors(client, unitId);
      // The write path stores a response only for a known unit, so its chain is never empty.
      if (chain.length === 0) throw new RebuildError(`unit "${unitId}" is not in units`);
      chains.set(unitId, chain);
    }
    return chain;
  }
  async function units(unitId: string, day: string): Promise<string[]> {
    spans ??= await unitSpans(client);
    return chainOf(unitOnDay(spans, unitId, day));
  }
  return {
    instrument,
    units,
    /** Every version and unit, so the transaction needs no other connection. */
    async loadAll() {
      const versions = await client.execute('SELECT version FROM instrument_versions');
      for (const v of versions.rows) await instrument(String(v.version));
      const all = await client.execute('SELECT id FROM units');
      for (const u of all.rows) await chainOf(String(u.id));
      spans = await unitSpans(client);
    },
    cacheOnly: () => ({
      async instrument(version) {
        const ins = instruments.get(version);
        if (!ins) throw new RebuildError(`instrument version ${version} appeared during the rebuild; run it again`);
        return ins;
      },
      async units(unitId, day) {
        const chain = chains.get(spans ? unitOnDay(spans, unitId, day) : unitId);
        if (!chain) throw new RebuildError(`unit "${unitId}" appeared during the rebuild; run it again`);
        return chain;
      },
    }),
  };
}

/**
 * Recomputes `rating_rollups` from `responses` and `answers` and swaps it in atomically. Safe while
 * the API is running: new ratings committed during the rebuild are included.
 * @example
 *   const { responses, rows } = await rebuildRatingRollups(db);
 */
export async function rebuildRatingRollups(db: Db): Promise<RebuildResult> {
  const lookups = clientLookups(db.client);
  const folded: Folded = { rows: new Map(), lastId: 0, responses: 0 };
  await foldResponses(db.client, lookups, folded);
  await lookups.loadAll();

  return db.transaction('write', async (tx) => {
    // Responses are never deleted; if some were, the sums read so far are wrong: stop, change nothing.
    const seen = await tx.execute({ sql: 'SELECT count(*) AS n FROM responses WHERE id <= ?', args: [folded.lastId] });
    if (Number(seen.rows[0]!.n) !== folded.responses)
      throw new RebuildError('responses were deleted during the rebuild; run it again');
    await foldResponses(tx, lookups.cacheOnly(), folded);

    await tx.execute('DELETE FROM rating_rollups');
    await tx.execute('DELETE FROM rating_rollups_month');
    const rows = [...folded.rows.values()];
    // The same builder as the write path: daily rows and the monthly rows summed from them.
    const acc = new RollupAccumulator();
    for (const { key, cell } of rows) acc.addRow(key, cell);
    const statements = acc.statements();
    for (let i = 0; i < statements.length; i += INSERTS_PER_BATCH)
      await tx.batch(statements.slice(i, i + INSERTS_PER_BATCH));
    return { responses: folded.responses, rows: rows.length };
  });
}
