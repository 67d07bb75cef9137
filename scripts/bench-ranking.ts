/**
 * Benchmark f of `npm run bench` (issue #10 "Performance"): the ranking of every unit below the
 * province for a year (api/stats/ranking.ts `buildRanking`, what GET /api/v1/stats/ranking answers)
 * with 10,000 and with 1,000,000 stored responses and as many returned dossiers; target p95 ≤ 200 ms
 * at 1M and at most 2 × the p95 at 10k.
 *
 * Responses are written by the demo generator's bulk writer (api/demo/generate.ts, self-selected,
 * spread over two years of working days). Dossiers are written straight into their rollups
 * (dossier_rollups, one row per unit subtree, procedure and day, as db/dossiers.ts keeps them): the
 * ranking reads only the rollups, and writing a million dossier rows through the integration path
 * would take longer than the whole benchmark. Measured twice: "warm" as a server answers within a
 * minute of the previous request (the protection blocks of api/stats/blocks.ts are kept a minute),
 * and "cold" with the blocks built anew for every request.
 *
 * Run alone: node scripts/bench-ranking.ts [--small 10000] [--large 1000000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openDb, type Db } from '../db/client.ts';
import { migrate } from '../db/migrate.ts';
import { syncContent } from '../db/content-sync.ts';
import { loadContent, type Content } from '../api/contracts/load-content.ts';
import { syncInstruments } from '../api/ratings/instruments.ts';
import { demoRange, generateOpenResponses, mulberry32 } from '../api/demo/generate.ts';
import { buildRanking } from '../api/stats/ranking.ts';
import { forgetBlocks } from '../api/stats/blocks.ts';
import { unitWithAncestors } from '../db/units.ts';

export interface RankingFigures {
  count: number;
  warm: { p50: number; p95: number };
  cold: { p50: number; p95: number };
  units: number;
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

/** `count` returned dossiers over the working days of [from, to), as subtree rollups. */
async function writeDossierRollups(db: Db, content: Content, count: number, from: Date, to: Date): Promise<void> {
  const rnd = mulberry32(2);
  const units = new Map<string, string[]>();
  for (const p of content.procedures) for (const u of p.units) units.set(u, [...(units.get(u) ?? []), p.code]);
  const leaves = content.units.filter((u) => units.has(u.id));
  const days: string[] = [];
  for (let t = from.getTime(); t < to.getTime(); t += 86_400_000) {
    const d = new Date(t + 7 * 3_600_000);
    if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) days.push(d.toISOString().slice(0, 10));
  }
  const chains = new Map<string, string[]>();
  for (const u of leaves) chains.set(u.id, await unitWithAncestors(db.client, u.id));
  const acc = new Map<string, { total: number; onTime: number }>();
  for (let i = 0; i < count; i++) {
    const day = days[Math.floor(rnd() * days.length)]!;
    const u = leaves[Math.floor(rnd() * leaves.length)]!;
    if (u.valid_from > day || (u.valid_to !== undefined && u.valid_to < day)) continue;
    const procs = units.get(u.id)!;
    const proc = procs[Math.floor(rnd() * procs.length)]!;
    const onTime = rnd() < 0.96 ? 1 : 0;
    for (const unit of chains.get(u.id)!)
      for (const p of [proc, '']) {
        const k = `${unit}\u0000${p}\u0000${day}`;
        const a = acc.get(k) ?? { total: 0, onTime: 0 };
        a.total++;
        a.onTime += onTime;
        acc.set(k, a);
      }
  }
  const entries = [...acc];
  for (let i = 0; i < entries.length; i += 500) {
    const part = entries.slice(i, i + 500);
    await db.client.execute({
      sql: `INSERT INTO dossier_rollups (unit_id, procedure_code, day, total, on_time) VALUES ${part
        .map(() => '(?, ?, ?, ?, ?)')
        .join(', ')}`,
      args: part.flatMap(([k, v]) => [...k.split('\u0000'), v.total, v.onTime]),
    });
  }
}

async function rankingDb(dir: string, name: string, content: Content, count: number, log: (l: string) => void) {
  const db = await openDb({ url: `file:${join(dir, name)}` });
  await migrate(db.client);
  await syncContent(db.client, content.units, content.procedures);
  await syncInstruments(db.client, content.instruments);
  await db.client.execute('PRAGMA cache_size = -262144');
  const range = demoRange(new Date());
  const started = performance.now();
  let reported = 0;
  await generateOpenResponses(db, content, {
    seed: 1,
    count,
    ...range,
    // SIPAS carries the satisfaction condition: a realistic share of it.
    mix: { counter: 0.8, evaluation: 0.1, sipas: 0.1 },
    onBatch: (n) => {
      if (n - reported < 100_000 && n < count) return;
      reported = n;
      log(
        `    ${name}: ${n.toLocaleString('en-US')} of ${count.toLocaleString('en-US')} responses (${Math.round((performance.now() - started) / 1000)} s)`,
      );
    },
  });
  await writeDossierRollups(db, content, count, range.from, range.to);
  log(`    ${name}: ${count.toLocaleString('en-US')} dossiers written to the rollups`);
  await db.client.execute('PRAGMA cache_size = -2000');
  await db.client.execute('ANALYZE');
  return db;
}

async function measure(db: Db, contentDir: string, year: string): Promise<Omit<RankingFigures, 'count'>> {
  const q = { unit: 'khanh-hoa', span: year, level: 'all', sort: 'verdict' as const };
  const opts = (now: Date) => ({ minN: 10, contentDir, now });
  const now = new Date();
  const first = await buildRanking(db.client, q, opts(now)); // warm-up: page cache, blocks
  const warm: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    await buildRanking(db.client, q, opts(now));
    warm.push(performance.now() - t);
  }
  const cold: number[] = [];
  for (let i = 0; i < 5; i++) {
    forgetBlocks(db.client);
    const t = performance.now();
    await buildRanking(db.client, q, opts(now));
    cold.push(performance.now() - t);
  }
  warm.sort((a, b) => a - b);
  cold.sort((a, b) => a - b);
  return {
    warm: { p50: percentile(warm, 50), p95: percentile(warm, 95) },
    cold: { p50: percentile(cold, 50), p95: percentile(cold, 95) },
    units: first.units.length,
  };
}

/** Both sizes, in one temp folder removed afterwards. */
export async function benchRanking(
  small: number,
  large: number,
  contentDir: string,
  log: (l: string) => void = console.log,
): Promise<RankingFigures[]> {
  const content = loadContent(contentDir);
  const dir = mkdtempSync(join(tmpdir(), 'gopy-bench-ranking-'));
  const year = String(new Date().getUTCFullYear() - 1);
  const out: RankingFigures[] = [];
  try {
    for (const [name, count] of [
      ['ranking-small.db', small],
      ['ranking-large.db', large],
    ] as const) {
      const db = await rankingDb(dir, name, content, count, log);
      const f = { count, ...(await measure(db, contentDir, year)) };
      log(
        `    ${name}: warm p95 ${f.warm.p95.toFixed(1)} ms (p50 ${f.warm.p50.toFixed(1)}), cold p95 ${f.cold.p95.toFixed(1)} ms (p50 ${f.cold.p50.toFixed(1)}), ${f.units} units`,
      );
      out.push(f);
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: { small: { type: 'string', default: '10000' }, large: { type: 'string', default: '1000000' } },
  });
  const figures = await benchRanking(
    Number(values.small),
    Number(values.large),
    join(import.meta.dirname, '..', 'content'),
  );
  const [s, l] = figures;
  for (const f of figures)
    console.log(
      `f. ranking of ${f.units} units, one year, ${f.count.toLocaleString('en-US')} responses and dossiers: warm p95 ${f.warm.p95.toFixed(1)} ms (p50 ${f.warm.p50.toFixed(1)}), cold p95 ${f.cold.p95.toFixed(1)} ms (p50 ${f.cold.p50.toFixed(1)})`,
    );
  if (s && l)
    console.log(
      `f. warm p95 large ÷ small: ${(l.warm.p95 / s.warm.p95).toFixed(2)} (target ≤ 2); large warm p95 ≤ 200 ms: ${l.warm.p95 <= 200 ? 'met' : 'NOT met'}; large cold p95 ≤ 200 ms: ${l.cold.p95 <= 200 ? 'met' : 'NOT met'}`,
    );
}
