/**
 * Reads the protection blocks of api/stats/disclosure.ts (issue #7; docs/statistics.md): for one
 * source and one calendar year, the monthly count of every item in every unit's subtree, procedure
 * and trust level, from the same tables the figures come from.
 *
 * A block is built off the request path (issue #9, "a cold view cheap"): the first request of a
 * source and year (or the start of the server, `prebuildStatsBlocks` in api/routes/stats.ts)
 * starts a build, which gives the event loop back every few milliseconds; once a block exists it
 * is served as it is, and a request
 * that finds it older than {@link REFRESH_MS} starts a new build in the background and is answered
 * with the last complete block meanwhile (stale-while-revalidate). Each block says when it was
 * computed. On a server that builds its blocks at start ({@link limitFirstWait}), a request that
 * finds no block yet waits for the build at most {@link FIRST_WAIT_MS}, then gets 503
 * `stats_computing` with Retry-After: never a long wait, never a 500. Elsewhere (tests, scripts)
 * the first request waits for its build.
 */
import type { Client } from '@libsql/client';
import type { Instrument } from '../contracts/instrument.ts';
import { PSEUDO } from '../scoring/scoring.ts';
import { ProblemError } from '../problem.ts';
import { ratingQuestion } from './summaries.ts';
import { buildBlockInSlices, type Block, type LeafCount } from './disclosure.ts';
import { caseFacts, unitParents } from '../../db/published.ts';
import { vnDayOf, vnDayStart } from '../contracts/vn-time.ts';
import { unitOnDay, unitSpans } from '../../db/units.ts';
import { timelinessOf } from './feedback-timeliness.ts';

/** A block is rebuilt when a request finds it this old (the answers' Cache-Control is a minute). */
export const REFRESH_MS = 60_000;
/** How long a request waits for a block that was never built before it is told to come back. */
export const FIRST_WAIT_MS = 5_000;

/** A protection block and when its data was read. */
export interface ComputedBlock {
  block: Block;
  computedAt: Date;
}

interface Entry {
  /** The last complete block. */
  current?: ComputedBlock;
  /** When it was complete (ms, on the requests' clock: its start plus the build's duration): the
   * next build starts a minute after this at the earliest, so a build that takes long never runs
   * back to back with the next one. */
  doneAt?: number;
  /** The build under way, if any. */
  building?: Promise<ComputedBlock>;
}

/** A build gives the event loop back every 3 ms (a request waits at most that long behind it) and
 * keeps only what it shows. */
const SLICES = { sliceMs: 3, detail: false };

/** Gives the event loop back between two reads of a build (a local libSQL read runs on it). */
const breathe = () => new Promise<void>((resolve) => setImmediate(resolve));

const cache = new WeakMap<Client, Map<string, Entry>>();
const firstWait = new WeakMap<Client, number>();

/** From now on a request on this database that finds no block waits `ms` at most (503 after). */
export function limitFirstWait(client: Client, ms = FIRST_WAIT_MS): void {
  firstWait.set(client, ms);
}

async function cached(
  client: Client,
  key: string,
  now: Date,
  wait: number | undefined,
  build: () => Promise<Block>,
): Promise<ComputedBlock> {
  const firstWaitMs = wait ?? firstWait.get(client) ?? Infinity;
  let byKey = cache.get(client);
  if (!byKey) cache.set(client, (byKey = new Map()));
  let entry = byKey.get(key);
  if (!entry) byKey.set(key, (entry = {}));
  const e = entry;
  const start = () => {
    const computedAt = new Date(now.getTime());
    const started = performance.now();
    const building = build().then((block) => {
      const done = { block, computedAt };
      e.current = done;
      e.doneAt = computedAt.getTime() + (performance.now() - started);
      return done;
    });
    e.building = building;
    // A failed rebuild keeps the last block; a failed first build lets the next request try again.
    void building.then(
      () => {
        if (e.building === building) e.building = undefined;
      },
      () => {
        if (e.building === building) e.building = undefined;
        if (!e.current) byKey.delete(key);
      },
    );
    return building;
  };
  const current = e.current;
  if (current) {
    const age = now.getTime() - current.computedAt.getTime();
    const rested = now.getTime() - (e.doneAt ?? 0) >= REFRESH_MS;
    if (!e.building && ((age >= REFRESH_MS && rested) || age < 0)) start().catch(() => undefined);
    return current;
  }
  const building = e.building ?? start();
  if (!Number.isFinite(firstWaitMs)) return building;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new ProblemError(503, 'stats_computing', {
            headers: { 'Retry-After': String(Math.ceil(firstWaitMs / 1000)) },
          }),
        ),
      firstWaitMs,
    );
  });
  try {
    return await Promise.race([building, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Forgets every block of a database (tests that write and read in the same minute). */
export function forgetBlocks(client: Client): void {
  cache.delete(client);
}

/** Waits for the builds under way of a database (tests). */
export async function blocksSettled(client: Client): Promise<void> {
  const byKey = cache.get(client);
  if (byKey) await Promise.allSettled([...byKey.values()].map((e) => e.building));
}

/** The items of an instrument: the responses, and each question a published figure rests on. */
export function ratingItems(ins: Instrument): string[] {
  const items: string[] = [PSEUDO.responses];
  if (ins.kind === 'sipas')
    for (const q of ins.questions)
      if (q.type === 'likert5' && ['criterion', 'factor-satisfaction', 'overall'].includes(q.role ?? ''))
        items.push(q.id);
  if (ins.kind === 'dossier-evaluation') items.push(PSEUDO.score);
  if (ins.kind === 'counter') {
    const q = ratingQuestion(ins);
    if (q) items.push(q.id);
  }
  return items;
}

const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/** What a block is built from: the monthly counts of a source's year, and the unit tree. */
export interface BlockInput {
  leaves: LeafCount[];
  parents: Map<string, string | null>;
}

/** The counts of one instrument (every stored version) and year, from the monthly rollups. */
export async function ratingLeaves(
  client: Client,
  ins: Instrument,
  versions: readonly string[],
  year: string,
): Promise<BlockInput> {
  const items = ratingItems(ins);
  const parents = await unitParents(client);
  // One read per unit (the first column of the key): a local libSQL read holds the event loop, so
  // the year of a large database is read in pieces with the requests served between them. The
  // cells are numbered, and so the relations passed over, in one stated order (unit, procedure,
  // trust level, month, item), whatever plan SQLite picks (docs/statistics.md).
  const rows: Record<string, unknown>[] = [];
  if (versions.length > 0)
    for (const unit of [...parents.keys()].sort()) {
      const rs = await client.execute({
        sql: `SELECT unit_id, procedure_code, verified, month, metric, value, sum(n) AS n
              FROM rating_rollups_month
              WHERE unit_id = ? AND instrument_version IN (${marks(versions.length)}) AND month BETWEEN ? AND ?
                AND metric IN (${marks(items.length)})
              GROUP BY unit_id, procedure_code, verified, month, metric, value
              ORDER BY procedure_code, verified, month, metric, value`,
        args: [unit, ...versions, `${year}-01`, `${year}-12`, ...items],
      });
      for (const r of rs.rows) rows.push(r as unknown as Record<string, unknown>);
      await breathe();
    }
  // n of an item: its '' cell (respondents) when it has one, else the sum of its answer buckets.
  const acc = new Map<string, { leaf: LeafCount; whole: number; buckets: number }>();
  for (const r of rows) {
    const leaf: LeafCount = {
      item: String(r.metric),
      unit: String(r.unit_id),
      procedure: String(r.procedure_code),
      trust: Number(r.verified) === 1 ? 'verified' : 'self-selected',
      month: String(r.month),
      n: 0,
    };
    const k = [leaf.item, leaf.unit, leaf.procedure, leaf.trust, leaf.month].join('\u0001');
    let a = acc.get(k);
    if (!a) acc.set(k, (a = { leaf, whole: 0, buckets: 0 }));
    if (String(r.value) === '') a.whole += Number(r.n);
    else a.buckets += Number(r.n);
  }
  return { leaves: [...acc.values()].map((a) => ({ ...a.leaf, n: a.whole > 0 ? a.whole : a.buckets })), parents };
}

/** The block of one instrument (every stored version) and year. */
export function ratingsBlock(
  client: Client,
  ins: Instrument,
  versions: readonly string[],
  year: string,
  minN: number,
  now: Date,
  wait?: number,
): Promise<ComputedBlock> {
  return cached(client, `ratings:${ins.id}:${versions.join(',')}:${year}:${minN}`, now, wait, async () => {
    const { leaves, parents } = await ratingLeaves(client, ins, versions, year);
    return buildBlockInSlices(year, leaves, parents, minN, true, SLICES);
  });
}

/** The counts of dossier timeliness (item "dossiers": returned dossiers) for a year. */
export async function dossierLeaves(client: Client, year: string): Promise<BlockInput> {
  const parents = await unitParents(client);
  const leaves: LeafCount[] = [];
  // One read per unit, in order, as for the ratings.
  for (const unit of [...parents.keys()].sort()) {
    const rs = await client.execute({
      sql: `SELECT unit_id, procedure_code, substr(day, 1, 7) AS month, sum(total) AS n FROM dossier_rollups
            WHERE unit_id = ? AND day BETWEEN ? AND ? GROUP BY unit_id, procedure_code, month
            ORDER BY procedure_code, month`,
      args: [unit, `${year}-01-01`, `${year}-12-31`],
    });
    for (const r of rs.rows)
      leaves.push({
        item: 'dossiers',
        unit: String(r.unit_id),
        procedure: String(r.procedure_code),
        trust: 'all',
        month: String(r.month),
        n: Number(r.n),
      });
    await breathe();
  }
  return { leaves, parents };
}

/** The block of dossier timeliness for a year. */
export function dossiersBlock(
  client: Client,
  year: string,
  minN: number,
  now: Date,
  wait?: number,
): Promise<ComputedBlock> {
  return cached(client, `dossiers:${year}:${minN}`, now, wait, async () => {
    const { leaves, parents } = await dossierLeaves(client, year);
    return buildBlockInSlices(year, leaves, parents, minN, false, SLICES);
  });
}

/** Feedback items: cases received, answered (base of on time, days, disputed), rated, and answered
 * again after a re-examination request (base of `reexamined_on_time`). */
export const FEEDBACK_ITEMS = ['received', 'answered', 'rated', 'reexamined'] as const;

/** The counts of feedback handling for a year, by the Việt Nam month of receipt. */
export async function feedbackLeaves(client: Client, year: string, contentDir: string): Promise<BlockInput> {
  const [parents, spans] = await Promise.all([unitParents(client), unitSpans(client)]);
  const start = (y: number) => vnDayStart(`${y}-01-01`);
  const facts = await caseFacts(client, [...parents.keys()], start(Number(year)), start(Number(year) + 1));
  const leaves: LeafCount[] = [];
  for (const f of facts) {
    const month = vnDayOf(f.receivedAt).slice(0, 7);
    const items: string[] = ['received'];
    if (f.answeredAt !== null) items.push('answered');
    if (f.answeredAt !== null && f.satisfied !== null) items.push('rated');
    if (timelinessOf(f, contentDir)?.reexamination) items.push('reexamined');
    const procedures = f.procedureCode ? ['', f.procedureCode] : [''];
    // Counted for the unit and each ancestor, as the rollups are (subtree totals).
    // The unit the statistics count it for: the successor when it was received after its unit ended.
    const owner = unitOnDay(spans, f.unitId, vnDayOf(f.receivedAt));
    for (let u: string | null | undefined = owner, i = 0; u && i < 64; u = parents.get(u), i++)
      for (const procedure of procedures)
        for (const item of items) leaves.push({ item, unit: u, procedure, trust: 'all', month, n: 1 });
  }
  return { leaves, parents };
}

/** The block of feedback handling for a year. */
export function feedbackBlock(
  client: Client,
  year: string,
  minN: number,
  now: Date,
  contentDir: string,
  wait?: number,
): Promise<ComputedBlock> {
  return cached(client, `feedback:${year}:${minN}`, now, wait, async () => {
    const { leaves, parents } = await feedbackLeaves(client, year, contentDir);
    return buildBlockInSlices(year, leaves, parents, minN, false, SLICES);
  });
}
