/**
 * Reads the protection blocks of api/stats/disclosure.ts (issue #7; docs/statistics.md): for one
 * source and one calendar year, the monthly count of every item in every unit's subtree, procedure
 * and trust level, from the same tables the figures come from. A block is kept for a minute (the
 * answers' own Cache-Control), so the JSON, the CSV and the page of one moment hide the same cells.
 */
import type { Client } from '@libsql/client';
import type { Instrument } from '../contracts/instrument.ts';
import { PSEUDO } from '../scoring/scoring.ts';
import { ratingQuestion } from './summaries.ts';
import { buildBlock, type Block, type LeafCount } from './disclosure.ts';
import { caseFacts, unitParents } from '../../db/published.ts';
import { vnDayOf, vnDayStart } from '../contracts/vn-time.ts';
import { unitOnDay, unitSpans } from '../../db/units.ts';
import { timelinessOf } from './feedback-timeliness.ts';

const TTL_MS = 60_000;

const cache = new WeakMap<Client, Map<string, { at: number; block: Promise<Block> }>>();

async function cached(client: Client, key: string, now: Date, build: () => Promise<Block>): Promise<Block> {
  let byKey = cache.get(client);
  if (!byKey) cache.set(client, (byKey = new Map()));
  const hit = byKey.get(key);
  if (hit && now.getTime() - hit.at < TTL_MS && now.getTime() >= hit.at) return hit.block;
  const block = build();
  byKey.set(key, { at: now.getTime(), block });
  block.catch(() => byKey.delete(key));
  return block;
}

/** Forgets every block of a database (tests that write and read in the same minute). */
export function forgetBlocks(client: Client): void {
  cache.delete(client);
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

/** The block of one instrument (every stored version) and year. */
export function ratingsBlock(
  client: Client,
  ins: Instrument,
  versions: readonly string[],
  year: string,
  minN: number,
  now: Date,
): Promise<Block> {
  return cached(client, `ratings:${ins.id}:${versions.join(',')}:${year}:${minN}`, now, async () => {
    const items = ratingItems(ins);
    const [rs, parents] = await Promise.all([
      versions.length === 0
        ? Promise.resolve({ rows: [] as Record<string, unknown>[] })
        : client.execute({
            sql: `SELECT unit_id, procedure_code, verified, month, metric, value, sum(n) AS n
                  FROM rating_rollups_month
                  WHERE instrument_version IN (${marks(versions.length)}) AND month BETWEEN ? AND ?
                    AND metric IN (${marks(items.length)})
                  GROUP BY unit_id, procedure_code, verified, month, metric, value`,
            args: [...versions, `${year}-01`, `${year}-12`, ...items],
          }),
      unitParents(client),
    ]);
    // n of an item: its '' cell (respondents) when it has one, else the sum of its answer buckets.
    const acc = new Map<string, { leaf: LeafCount; whole: number; buckets: number }>();
    for (const r of rs.rows as unknown as Record<string, unknown>[]) {
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
    const leaves = [...acc.values()].map((a) => ({ ...a.leaf, n: a.whole > 0 ? a.whole : a.buckets }));
    return buildBlock(year, leaves, parents, minN, true);
  });
}

/** The block of dossier timeliness (item "dossiers": returned dossiers) for a year. */
export function dossiersBlock(client: Client, year: string, minN: number, now: Date): Promise<Block> {
  return cached(client, `dossiers:${year}:${minN}`, now, async () => {
    const [rs, parents] = await Promise.all([
      client.execute({
        sql: `SELECT unit_id, procedure_code, substr(day, 1, 7) AS month, sum(total) AS n FROM dossier_rollups
              WHERE day BETWEEN ? AND ? GROUP BY unit_id, procedure_code, month`,
        args: [`${year}-01-01`, `${year}-12-31`],
      }),
      unitParents(client),
    ]);
    const leaves: LeafCount[] = rs.rows.map((r) => ({
      item: 'dossiers',
      unit: String(r.unit_id),
      procedure: String(r.procedure_code),
      trust: 'all',
      month: String(r.month),
      n: Number(r.n),
    }));
    return buildBlock(year, leaves, parents, minN, false);
  });
}

/** Feedback items: cases received, answered (base of on time, days, disputed), rated, and answered
 * again after a re-examination request (base of `reexamined_on_time`). */
export const FEEDBACK_ITEMS = ['received', 'answered', 'rated', 'reexamined'] as const;

/** The block of feedback handling for a year, by the Việt Nam month of receipt. */
export function feedbackBlock(
  client: Client,
  year: string,
  minN: number,
  now: Date,
  contentDir: string,
): Promise<Block> {
  return cached(client, `feedback:${year}:${minN}`, now, async () => {
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
    return buildBlock(year, leaves, parents, minN, false);
  });
}
