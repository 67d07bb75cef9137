/**
 * `npm run bench`: the performance figures of issue #3, all measured in ONE run on this machine on
 * temp databases, printed as a table with the ratios the targets are stated in (ENGINEERING.md
 * "Measuring": absolute numbers move between runs and machines, ratios much less).
 *
 *   a. raw libSQL durable single-row inserts/s: openDb (WAL, synchronous=FULL), one INSERT per commit;
 *   b. the real server (scripts/bench-server.ts, a child process with a temp database,
 *      POW_REQUIRED=0, RATE_LIMIT_MAX=1e9, LOG_LEVEL=silent, DEMO_DATA=0) loaded over HTTP on
 *      127.0.0.1 by autocannon at saturation with one-tap ratings, each with its own
 *      Idempotency-Key: durable submits/s (2xx/s), ÷ (a);
 *   c. the same server at a fixed 200 req/s: p50/p99 latency and the server's RSS (its own process);
 *   d. the statistics query (db/stats.ts ratingCells: one unit subtree, one instrument, one year)
 *      p95 with 10,000 and with 1,000,000 stored responses, the ratio, and EXPLAIN QUERY PLAN
 *      (no scan of `answers`);
 *   e. gzipped JavaScript the rating page loads before any interaction (its <script src>,
 *      modulepreload links and islands, and their static imports), from a build of the current
 *      sources in node_modules/.cache/gopy-bench-site (dist/ is left alone);
 *   f. the ranking of every unit for a year (issue #10) with 10,000 and 1,000,000 responses and
 *      dossiers (scripts/bench-ranking.ts).
 *
 * Options: --only a,b,c,d,e   --stats-large 1000000   --stats-small 10000   --saturation-seconds 10
 *          --fixed-seconds 10   --fixed-rate 200   --connections 32   --raw-seconds 3
 *          --server-node-options "--max-semi-space-size=2"   (V8 flags of the server child)
 * The 1M database takes minutes to generate (progress is printed); `--stats-large 200000` is quicker.
 */
import { execSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import autocannon from 'autocannon';
import type { InValue } from '@libsql/client';
import { openDb, readPragmas, type Db } from '../db/client.ts';
import { migrate } from '../db/migrate.ts';
import { syncContent } from '../db/content-sync.ts';
import { ratingCells, ratingCellsStatements, type RatingQuery } from '../db/stats.ts';
import { loadContent } from '../api/contracts/load-content.ts';
import { instrumentVersion } from '../api/contracts/instrument.ts';
import { syncInstruments } from '../api/ratings/instruments.ts';
import { demoRange, generateOpenResponses } from '../api/demo/generate.ts';
import { buildSite } from './site-build.ts';
import { benchRanking } from './bench-ranking.ts';
import { LOAD_TEST_ENV, startServerChild, stopServerChild, type ServerChild } from './server-child.ts';

const { values } = parseArgs({
  options: {
    only: { type: 'string', default: 'a,b,c,d,e,f' },
    'stats-large': { type: 'string', default: '1000000' },
    'stats-small': { type: 'string', default: '10000' },
    'saturation-seconds': { type: 'string', default: '10' },
    'fixed-seconds': { type: 'string', default: '10' },
    'fixed-rate': { type: 'string', default: '200' },
    connections: { type: 'string', default: '32' },
    'raw-seconds': { type: 'string', default: '3' },
    /** NODE_OPTIONS of the server child, to compare V8 settings, e.g. "--max-semi-space-size=2". */
    // The same V8 setting as `npm start` (package.json): a smaller young generation keeps the
    // server's RSS under the 200 MB target at 200 req/s.
    'server-node-options': { type: 'string', default: '--max-semi-space-size=8' },
  },
});
const only = new Set(values.only.split(','));
const ROOT = join(import.meta.dirname, '..');
const CONTENT_DIR = join(ROOT, 'content');
const SITE_DIR = join(ROOT, 'node_modules', '.cache', 'gopy-bench-site');
const content = loadContent(CONTENT_DIR);
const tmp = mkdtempSync(join(tmpdir(), 'gopy-bench-'));
const rows: { figure: string; value: string; target: string; ok: boolean | undefined }[] = [];
const notes: string[] = [];

function row(figure: string, value: string, target = '', ok?: boolean): void {
  rows.push({ figure, value, target, ok });
  console.log(
    `  ${figure}: ${value}${target ? `   (target ${target}: ${ok === undefined ? '?' : ok ? 'met' : 'NOT met'})` : ''}`,
  );
}

const fmt = (x: number, digits = 0) =>
  x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

// ── Machine ──────────────────────────────────────────────────────────────────────────────────────

const machine = {
  date: new Date().toISOString(),
  node: process.version,
  nproc: availableParallelism(),
  cpu: cpus()[0]?.model ?? 'unknown',
  memory: (() => {
    try {
      return execSync('free -h', { encoding: 'utf8' }).trim();
    } catch {
      return 'free -h unavailable';
    }
  })(),
  load: loadavg()
    .map((x) => x.toFixed(2))
    .join(' '),
};
console.log(`gopy benchmark, ${machine.date}\nnode ${machine.node}, nproc ${machine.nproc}, ${machine.cpu}
load average at start: ${machine.load}\n${machine.memory}\n`);

// ── a. Raw libSQL durable single-row inserts ─────────────────────────────────────────────────────

let rawPerSecond = NaN;
if (only.has('a')) {
  console.log('a. raw libSQL durable single-row inserts (WAL, synchronous=FULL, one INSERT per commit)');
  const db = await openDb({ url: `file:${join(tmp, 'raw.db')}` });
  const p = await readPragmas(db.client);
  await db.client.execute(
    'CREATE TABLE t (id INTEGER PRIMARY KEY, unit_id TEXT NOT NULL, value TEXT NOT NULL, created_at TEXT NOT NULL)',
  );
  const seconds = Number(values['raw-seconds']);
  const started = performance.now();
  let n = 0;
  while (performance.now() - started < seconds * 1000) {
    await db.client.execute({
      sql: 'INSERT INTO t (unit_id, value, created_at) VALUES (?, ?, ?)',
      args: ['phuong-ninh-hoa', 'hai-long', new Date().toISOString()],
    });
    n++;
  }
  rawPerSecond = n / ((performance.now() - started) / 1000);
  db.close();
  row(
    'a. raw durable inserts/s',
    `${fmt(rawPerSecond)} (journal_mode=${String(p.journal_mode)}, synchronous=${String(p.synchronous)})`,
  );
}

// ── b, c, e. The real server ─────────────────────────────────────────────────────────────────────

function vmStatus(pid: number): { rss: number; hwm: number } {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  return { rss: kb('VmRSS') * 1024, hwm: kb('VmHWM') * 1024 };
}

const mb = (bytes: number) => `${fmt(bytes / 1024 / 1024, 1)} MB`;

async function storedResponses(dbFile: string): Promise<number> {
  const db = await openDb({ url: `file:${dbFile}` });
  try {
    const rs = await db.client.execute('SELECT count(*) AS n FROM responses');
    return Number(rs.rows[0]!.n);
  } finally {
    db.close();
  }
}

if (only.has('b') || only.has('c') || only.has('e')) {
  let site = false;
  if (only.has('e')) {
    try {
      // Its own build of the current sources, so the figure is not that of a stale dist/ and a
      // running `npm start` or e2e run keeps its dist/ untouched (rebuilt only when inputs change).
      await buildSite({ root: ROOT, distDir: SITE_DIR, log: (l) => console.log(`  ${l}`) });
      site = existsSync(join(SITE_DIR, 'client'));
    } catch (err) {
      notes.push(`e. site build failed, so the rating page was not measured: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  const dbFile = join(tmp, 'server.db');
  const server: ServerChild = await startServerChild(
    {
      ...LOAD_TEST_ENV,
      DATABASE_URL: `file:${dbFile}`,
      SITE_DIR,
      CONTENT_DIR,
      NODE_OPTIONS: values['server-node-options'],
    },
    { site },
  );
  console.log(
    `\nServer: ${server.url} (pid ${server.pid}; POW_REQUIRED=0, RATE_LIMIT_MAX=${LOAD_TEST_ENV.RATE_LIMIT_MAX}, LOG_LEVEL=silent, DEMO_DATA=0${values['server-node-options'] ? `, NODE_OPTIONS=${values['server-node-options']}` : ''})`,
  );
  const quay = content.instruments.find((i) => i.id === 'quay')!;
  const body = JSON.stringify({
    instrument: 'quay',
    version: instrumentVersion(quay),
    unit: 'phuong-ninh-hoa',
    procedure: content.procedures.find((p) => p.units.includes('phuong-ninh-hoa'))?.code,
    answers: { rating: 'hai-long' },
    locale: 'vi',
  });
  let seq = 0;
  const run = Date.now().toString(36);
  const load = (opts: Partial<autocannon.Options>) =>
    autocannon({
      url: `${server.url}api/v1/responses`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      connections: Number(values.connections),
      // One new Idempotency-Key per request, as from as many citizens.
      requests: [
        {
          setupRequest: (req) => {
            req.headers = { ...req.headers, 'idempotency-key': `bench-${run}-${++seq}` };
            return req;
          },
        },
      ],
      ...opts,
    });

  try {
    // A first rating by hand: the load below must be 2xx, not a wall of 4xx.
    const probe = await fetch(`${server.url}api/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': `bench-${run}-probe` },
      body,
    });
    if (probe.status !== 201) throw new Error(`probe rating got ${probe.status}: ${await probe.text()}`);
    row('server RSS idle after start', mb(vmStatus(server.pid).rss));

    // Before the saturation run, on the fresh server: the RSS target is about this load alone, and
    // V8 keeps the heap that saturation grew.
    if (only.has('c')) {
      const rate = Number(values['fixed-rate']);
      console.log(`\nc. API at a fixed ${rate} req/s`);
      let peak = 0;
      const sampler = setInterval(() => {
        peak = Math.max(peak, vmStatus(server.pid).rss);
      }, 100);
      const r = await load({ duration: Number(values['fixed-seconds']), overallRate: rate, connections: 20 });
      clearInterval(sampler);
      const vm = vmStatus(server.pid);
      row(`c. achieved rate`, `${fmt(r['2xx'] / r.duration, 1)} 2xx/s (non-2xx ${r.non2xx}, errors ${r.errors})`);
      row(`c. p50 latency at ${rate} req/s`, `${r.latency.p50} ms`);
      row(`c. p99 latency at ${rate} req/s`, `${r.latency.p99} ms`, '≤ 100 ms', r.latency.p99 <= 100);
      row('c. server RSS during that load (max of 100 ms samples)', mb(peak), '≤ 200 MB', peak <= 200 * 1024 * 1024);
      row('c. server peak RSS since start (VmHWM)', mb(vm.hwm));
    }

    if (only.has('b')) {
      console.log('\nb. API at saturation (one-tap ratings, unique Idempotency-Keys)');
      await load({ duration: 2 }); // warm-up: JIT, page cache
      const before = await storedResponses(dbFile);
      const r = await load({ duration: Number(values['saturation-seconds']) });
      const after = await storedResponses(dbFile);
      const ok2xx = r['2xx'];
      const perSecond = ok2xx / r.duration;
      row(
        'b. API durable submits/s (2xx/s)',
        `${fmt(perSecond)} (${fmt(ok2xx)} in ${fmt(r.duration, 1)} s, ${r.connections} connections, non-2xx ${r.non2xx}, errors ${r.errors}; rows stored ${fmt(after - before)})`,
      );
      row('b. latency at saturation p50 / p99', `${r.latency.p50} / ${r.latency.p99} ms`);
      if (Number.isFinite(rawPerSecond)) {
        const ratio = perSecond / rawPerSecond;
        row('b÷a API submits/s ÷ raw inserts/s', fmt(ratio, 2), '≥ 1.0', ratio >= 1);
      }
      if (after - before < ok2xx) notes.push(`b. ${ok2xx} acknowledged but only ${after - before} rows stored`);
    }

    if (only.has('e')) {
      console.log('\ne. JavaScript of the rating page before interaction');
      if (!site) row('e. rating page JS (gzip)', 'not measured (no built site)');
      else await measurePageJs(server.url);
    }
  } finally {
    await stopServerChild(server);
  }
}

/** Follows the scripts a page loads before interaction and sums their gzip sizes. */
async function measurePageJs(base: string): Promise<void> {
  const unit = 'phuong-ninh-hoa';
  const path = `danh-gia/?don-vi=${unit}&mau=quay`;
  const res = await fetch(`${base}${path}`);
  const html = await res.text();
  if (res.status !== 200) {
    row('e. rating page JS (gzip)', `not measured (/${path} answered ${res.status})`);
    return;
  }
  const client = join(SITE_DIR, 'client');
  const entries = new Set<string>();
  const attr = (tag: string, name: string) => new RegExp(`\\b${name}="([^"]+)"`).exec(tag)?.[1];
  for (const [tag] of html.matchAll(/<script\b[^>]*>/g)) {
    const src = attr(tag, 'src');
    if (src) entries.add(src);
  }
  for (const [tag] of html.matchAll(/<link\b[^>]*>/g))
    if (/\brel="modulepreload"/.test(tag) && attr(tag, 'href')) entries.add(attr(tag, 'href')!);
  // Astro islands load their component and renderer on load, idle or visible: before a tap.
  for (const [tag] of html.matchAll(/<astro-island\b[^>]*>/g))
    for (const name of ['component-url', 'renderer-url']) {
      const url = attr(tag, name);
      if (url) entries.add(url.replaceAll('&amp;', '&'));
    }
  const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)]
    .map((m) => m[1]!)
    .filter((s) => s.trim() && !/^\s*[[{]/.test(s)); // JSON data blocks are not code
  const files = new Map<string, number>();
  const queue = [...entries].map((u) => new URL(u, `${base}${path}`).pathname);
  while (queue.length > 0) {
    const p = queue.shift()!;
    if (files.has(p)) continue;
    const file = join(client, decodeURIComponent(p));
    if (!existsSync(file)) {
      notes.push(`e. ${p} is referenced by the page but missing from the built client files`);
      files.set(p, 0);
      continue;
    }
    const code = readFileSync(file);
    files.set(p, gzipSync(code, { level: 9 }).length);
    // Static imports only: import … from "x", import "x", export … from "x" (not import("x")).
    for (const m of code
      .toString('utf8')
      .matchAll(/(?:^|[;\s}])(?:import|export)\s*(?:[\w$*{},\s]+?\s*from\s*)?["']([^"']+)["']/g))
      queue.push(new URL(m[1]!, `${base}${p.slice(1)}`).pathname);
  }
  const inlineGzip = inline.length > 0 ? gzipSync(inline.join('\n'), { level: 9 }).length : 0;
  const total = [...files.values()].reduce((a, b) => a + b, 0) + inlineGzip;
  for (const [p, size] of [...files.entries()].sort((x, y) => y[1] - x[1]))
    console.log(`    ${fmt(size / 1024, 1).padStart(6)} KB  ${p}`);
  if (inline.length > 0)
    console.log(`    ${fmt(inlineGzip / 1024, 1).padStart(6)} KB  ${inline.length} inline script(s)`);
  const pow = [...files.keys()].filter((p) => /altcha|pow/i.test(p));
  if (pow.length > 0) notes.push(`e. proof-of-work code loads before interaction: ${pow.join(', ')}`);
  row(
    `e. rating page JS before interaction (gzip, ${files.size} file(s)${inline.length ? ' + inline' : ''})`,
    `${fmt(total / 1024, 1)} KB`,
    '≤ 30 KB',
    total <= 30 * 1024,
  );
}

// ── d. Statistics query at 10k and 1M responses ──────────────────────────────────────────────────

async function statsDb(name: string, count: number): Promise<Db> {
  const db = await openDb({ url: `file:${join(tmp, name)}` });
  await migrate(db.client);
  await syncContent(db.client, content.units, content.procedures);
  await syncInstruments(db.client, content.instruments);
  // Generation only: a big page cache keeps the rollup upserts in memory. Reset before measuring.
  await db.client.execute('PRAGMA cache_size = -262144');
  const started = performance.now();
  let reported = 0;
  await generateOpenResponses(db, content, {
    seed: 1,
    count,
    ...demoRange(new Date()),
    onBatch: (n) => {
      if (n - reported < 50_000 && n < count) return;
      reported = n;
      console.log(
        `    ${name}: ${fmt(n)} of ${fmt(count)} responses (${fmt((performance.now() - started) / 1000, 0)} s)`,
      );
    },
  });
  await db.client.execute('PRAGMA cache_size = -2000');
  await db.client.execute('ANALYZE');
  return db;
}

interface StatsFigures {
  p50: number;
  p95: number;
  worst: { label: string; p95: number };
  rollupRows: number;
  plan: string;
}

async function measureStats(db: Db): Promise<StatsFigures> {
  const versions = async (id: string) =>
    (
      await db.client.execute({ sql: 'SELECT version FROM instrument_versions WHERE instrument_id = ?', args: [id] })
    ).rows.map((r) => String(r.version));
  const year = String(new Date().getUTCFullYear() - 1);
  const queries: { label: string; q: RatingQuery }[] = [];
  for (const unitId of ['khanh-hoa', 'ninh-hoa', 'phuong-ninh-hoa', 'so-y-te'])
    for (const ins of ['quay', 'danh-gia-ho-so', 'sipas'])
      queries.push({
        label: `${unitId} / ${ins} / ${year}`,
        q: {
          unitId,
          instrumentVersions: await versions(ins),
          from: `${year}-01-01`,
          to: `${year}-12-31`,
          procedureCode: '',
        },
      });
  // Warm up (the page cache, as on a running server), then time every query 20 times.
  for (const { q } of queries) await ratingCells(db.client, q);
  const all: number[] = [];
  let worst = { label: '', p95: 0 };
  for (const { label, q } of queries) {
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      await ratingCells(db.client, q);
      times.push(performance.now() - t);
    }
    times.sort((x, y) => x - y);
    all.push(...times);
    const p95 = percentile(times, 95);
    if (p95 > worst.p95) worst = { label, p95 };
  }
  all.sort((x, y) => x - y);
  const plans: string[] = [];
  for (const statement of ratingCellsStatements(queries[0]!.q) as { sql: string; args: InValue[] }[]) {
    const rs = await db.client.execute({ sql: `EXPLAIN QUERY PLAN ${statement.sql}`, args: statement.args });
    plans.push(...rs.rows.map((r) => String(r.detail)));
  }
  const rollupRows = Number((await db.client.execute('SELECT count(*) AS n FROM rating_rollups')).rows[0]!.n);
  return {
    p50: percentile(all, 50),
    p95: percentile(all, 95),
    worst,
    rollupRows,
    plan: plans.join('\n'),
  };
}

if (only.has('d')) {
  const small = Number(values['stats-small']);
  const large = Number(values['stats-large']);
  console.log(`\nd. statistics query (db/stats.ts ratingCells) at ${fmt(small)} and ${fmt(large)} responses`);
  const results: StatsFigures[] = [];
  for (const [name, count] of [
    ['stats-small.db', small],
    ['stats-large.db', large],
  ] as const) {
    const db = await statsDb(name, count);
    const f = await measureStats(db);
    results.push(f);
    db.close();
    rmSync(join(tmp, name), { force: true });
    rmSync(join(tmp, `${name}-wal`), { force: true });
    row(
      `d. stats query p95 with ${fmt(count)} responses`,
      `${fmt(f.p95, 2)} ms (p50 ${fmt(f.p50, 2)} ms; slowest: ${f.worst.label} p95 ${fmt(f.worst.p95, 2)} ms; ${fmt(f.rollupRows)} rollup rows)`,
      count >= 1_000_000 ? '≤ 50 ms' : '',
      count >= 1_000_000 ? f.p95 <= 50 : undefined,
    );
  }
  const ratio = results[1]!.p95 / results[0]!.p95;
  row('d. p95 ratio large ÷ small', fmt(ratio, 2), '≤ 2', ratio <= 2);
  const plan = results[1]!.plan;
  console.log(`    EXPLAIN QUERY PLAN:\n      ${plan.replaceAll('\n', '\n      ')}`);
  row('d. query plan scans answers', /SCAN answers/i.test(plan) ? 'yes' : 'no', 'no', !/SCAN answers/i.test(plan));
  notes.push(`d. EXPLAIN QUERY PLAN: ${plan.replaceAll('\n', ' | ')}`);
}

// ── f. Ranking of every unit (scripts/bench-ranking.ts) ─────────────────────────────────────────

if (only.has('f')) {
  const small = Number(values['stats-small']);
  const large = Number(values['stats-large']);
  console.log(`\nf. ranking of every unit for a year at ${fmt(small)} and ${fmt(large)} responses and dossiers`);
  const [s, l] = await benchRanking(small, large, CONTENT_DIR);
  for (const f of [s!, l!])
    row(
      `f. ranking p95 with ${fmt(f.count)} responses and dossiers (${f.units} units)`,
      `${fmt(f.warm.p95, 1)} ms within a minute of the last request; ${fmt(f.cold.p95, 1)} ms with the protection blocks rebuilt`,
      f.count >= 1_000_000 ? '≤ 200 ms' : '',
      f.count >= 1_000_000 ? f.warm.p95 <= 200 : undefined,
    );
  const ratio = l!.warm.p95 / s!.warm.p95;
  row('f. ranking p95 ratio large ÷ small', fmt(ratio, 2), '≤ 2', ratio <= 2);
}

// ── Summary ──────────────────────────────────────────────────────────────────────────────────────

rmSync(tmp, { recursive: true, force: true });
console.log(`\n| Figure | Value | Target |\n| --- | --- | --- |`);
for (const r of rows)
  console.log(`| ${r.figure} | ${r.value} | ${r.target ? `${r.target}: ${r.ok ? 'met' : '**not met**'}` : ''} |`);
if (notes.length > 0) console.log(`\nNotes:\n- ${notes.join('\n- ')}`);
console.log(
  `\nload average at end: ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
