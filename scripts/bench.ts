/**
 * `npm run bench`: the performance figures of issue #3, all measured in ONE run on this machine on
 * temp databases, printed as a table with the ratios the targets are stated in (docs/architecture.md §7
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
 *   v. cold /thong-ke/ views: the real server with the site on the databases of (d), each view a
 *      parameter combination not asked before (unit × year/quarter/month × survey × locale), after
 *      the server's protection blocks are built (their build time at each size measured too);
 *      p95 at each size and the ratio;
 *   e. gzipped JavaScript the rating page loads before any interaction (its <script src>,
 *      modulepreload links and islands, and their static imports), from a build of the current
 *      sources in node_modules/.cache/gopy-bench-site (dist/ is left alone);
 *   f. the feedback side at 10,000 and 1,000,000 cases (scripts/bench-feedback.ts): staff inbox,
 *      published list (default and a search) and Open311 requests.json, p95 and ratio, and no full
 *      scan in the lists' query plans;
 *   m. the mixed public load of issue #9 (scripts/mixed-load.ts) at a FIXED rate (default 200/s for
 *      60 s, open loop) on a server with the site and demo data: about 70 % statistics and published
 *      answers (pages, JSON, CSV) over many parameter combinations, the rest rating submits, the
 *      rating page, procedure pages and Open311: errors, p50/p99/max, RSS at start, after the first
 *      minute and at the end. `--soak 600` runs only this, for ten minutes (RSS at the end within
 *      10 % of RSS after the first minute);
 *   r. repeated views of a statistics page, its JSON and the published list (autocannon, 10
 *      connections), with the public cache on and off: requests/s and latency;
 *   k. the ranking of every unit for a year (issue #10) with 10,000 and 1,000,000 responses and
 *      dossiers (scripts/bench-ranking.ts).
 *
 * Options: --only a,b,c,d,e,f,m,r,v   --mixed-seconds 60   --mixed-rate 200   --soak 600   --mixed-data demo|empty
 *          --cold-views 60   --small-db FILE   --large-db FILE   --stats-large 1000000   --stats-small 10000   --saturation-seconds 10
 *          --feedback-small 10000   --feedback-large 1000000
 *          --fixed-seconds 10   --fixed-rate 200   --connections 32   --raw-seconds 3
 *          --server-node-options "--max-semi-space-size=2"   (V8 flags of the server child)
 *          --lighthouse [--lighthouse-runs 3] [--lighthouse-url http://127.0.0.1:4399/]
 *             Lighthouse scores, LCP, CLS and bytes of every public template (scripts/lighthouse.ts)
 * The 1M database takes minutes to generate (progress is printed); `--stats-large 200000` is quicker.
 */
import { execSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
import { feedbackDb, measureFeedback, type FeedbackFigures, type FeedbackView } from './bench-feedback.ts';
import { loadConfig } from '../api/env.ts';
import { vnDay } from '../api/contracts/vn-time.ts';
import { statsInstruments } from '../api/contracts/stats.ts';
import { resolveInstrument } from '../api/ratings/instruments.ts';
import { forgetBlocks, ratingsBlock } from '../api/stats/blocks.ts';
import { prebuildStatsBlocks } from '../api/routes/stats.ts';
import { mulberry32 } from '../api/demo/generate.ts';
import { benchRanking } from './bench-ranking.ts';
import { LOAD_TEST_ENV, startServerChild, stopServerChild, type ServerChild } from './server-child.ts';
import { mixedRequests, runMixed, warmUp, type MixedResult } from './mixed-load.ts';

const { values } = parseArgs({
  options: {
    only: { type: 'string', default: 'a,b,c,d,e,f,k,m,r,v' },
    'mixed-seconds': { type: 'string', default: '60' },
    'mixed-rate': { type: 'string', default: '200' },
    /** `demo` (about 21,000 responses) or `empty` (no stored data: the HTTP layer alone). */
    'mixed-data': { type: 'string', default: 'demo' },
    /** Only the mixed load, for this many seconds (issue #9 "memory that stays flat"). */
    soak: { type: 'string' },
    'stats-large': { type: 'string', default: '1000000' },
    'stats-small': { type: 'string', default: '10000' },
    'saturation-seconds': { type: 'string', default: '10' },
    'fixed-seconds': { type: 'string', default: '10' },
    'fixed-rate': { type: 'string', default: '200' },
    connections: { type: 'string', default: '32' },
    'raw-seconds': { type: 'string', default: '3' },
    'feedback-small': { type: 'string', default: '10000' },
    'feedback-large': { type: 'string', default: '1000000' },
    /** v: how many cold /thong-ke/ views at each size. */
    'cold-views': { type: 'string', default: '60' },
    /** d, v: an existing database of the same generator instead of generating one (copied first). */
    'small-db': { type: 'string' },
    'large-db': { type: 'string' },
    /** NODE_OPTIONS of the server child, to compare V8 settings, e.g. "--max-semi-space-size=2". */
    // The same V8 setting as `npm start` (package.json): a smaller young generation keeps the
    // server's RSS under the 200 MB target at 200 req/s.
    'server-node-options': { type: 'string', default: '--max-semi-space-size=8' },
    /** Lighthouse on every public template in both languages instead (scripts/lighthouse.ts). */
    lighthouse: { type: 'boolean', default: false },
    /** With --lighthouse: runs per page (the median is kept), and a running server to audit. */
    'lighthouse-runs': { type: 'string', default: '1' },
    'lighthouse-url': { type: 'string' },
  },
});
if (values.lighthouse) {
  const { runLighthouse } = await import('./lighthouse.ts');
  await runLighthouse({ url: values['lighthouse-url'], runs: Number(values['lighthouse-runs']) });
  process.exit(0);
}
const only = new Set(values.soak ? ['m'] : values.only.split(','));
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

// ── m. The mixed public load at a fixed rate (issue #9) ───────────────────────────────────────────

if (only.has('m')) {
  const soak = values.soak !== undefined;
  const seconds = Number(soak ? values.soak : values['mixed-seconds']);
  const rate = Number(values['mixed-rate']);
  console.log(
    `\nm. mixed public load at a fixed ${rate} req/s for ${seconds} s${soak ? ' (soak)' : ''}, data: ${values['mixed-data']}`,
  );
  await buildSite({ root: ROOT, distDir: SITE_DIR, log: (l) => console.log(`  ${l}`) });
  // Demo data (two years, about 21,000 responses and published answers), so the statistics and
  // the published list have something to compute; generated on start in a child process.
  const server = await startServerChild(
    {
      ...LOAD_TEST_ENV,
      DEMO_DATA: values['mixed-data'] === 'empty' ? '0' : '1',
      // The site build leaves NODE_ENV=production in this process (inherited by the child), where
      // the server wants its public origin.
      PUBLIC_BASE_URL: 'https://gopy.example',
      DATABASE_URL: `file:${join(tmp, 'mixed.db')}`,
      SITE_DIR,
      CONTENT_DIR,
      NODE_OPTIONS: values['server-node-options'],
    },
    { site: true, timeoutMs: 300_000 },
  );
  try {
    console.log(`  server ${server.url} (pid ${server.pid}), load average ${loadavg()[0]!.toFixed(2)}`);
    const warm = await warmUp(server.url);
    const warmMs = warm.reduce((a, w) => a + w.ms, 0);
    row(
      'm. warm-up: one view of each source and year, in turn',
      `${warm.length} views, ${fmt(warmMs / 1000, 1)} s (slowest ${fmt(Math.max(...warm.map((w) => w.ms)), 0)} ms)`,
    );
    const start = vmStatus(server.pid).rss;
    const every = soak ? 60 : 10;
    let printed = 0;
    const result = await runMixed(server.url, server.pid, mixedRequests(content), rate, seconds, (second, r) => {
      // The tick may skip a second on a busy machine: print on crossing each mark.
      if (second >= printed + every && (printed = second - (second % every)))
        console.log(
          `    ${second} s: ${fmt(r.sent)} sent, RSS ${mb(vmStatus(server.pid).rss)}, errors ${r.errors}, load ${loadavg()[0]!.toFixed(2)}`,
        );
    });
    reportMixed(result, start, rate, soak);
  } finally {
    await stopServerChild(server);
  }
}

// ── r. Repeated public views: from the cache, and with the cache off (issue #9) ──────────────────

if (only.has('r')) {
  console.log(
    `\nr. repeated views (autocannon, 10 connections, 10 s each), cache on and off, data: ${values['mixed-data']}`,
  );
  await buildSite({ root: ROOT, distDir: SITE_DIR, log: (l) => console.log(`  ${l}`) });
  const year = String(new Date().getUTCFullYear() - 1);
  const paths = [
    `thong-ke/?don-vi=khanh-hoa&mau=quay&thoi-gian=${year}`,
    `api/v1/stats/ratings?unit=khanh-hoa&instrument=quay&span=${year}`,
    'cong-khai/',
  ];
  for (const cacheMb of ['32', '0']) {
    const server = await startServerChild(
      {
        ...LOAD_TEST_ENV,
        DEMO_DATA: values['mixed-data'] === 'empty' ? '0' : '1',
        PUBLIC_BASE_URL: 'https://gopy.example',
        PUBLIC_CACHE_MB: cacheMb,
        DATABASE_URL: `file:${join(tmp, `repeat-${cacheMb}.db`)}`,
        SITE_DIR,
        CONTENT_DIR,
        NODE_OPTIONS: values['server-node-options'],
      },
      { site: true, timeoutMs: 300_000 },
    );
    try {
      for (const path of paths) {
        await (await fetch(`${server.url}${path}`, { signal: AbortSignal.timeout(300_000) })).arrayBuffer();
        // As browsers ask: gzip when offered.
        const r = await autocannon({
          url: `${server.url}${path}`,
          connections: 10,
          duration: 10,
          headers: { 'accept-encoding': 'gzip, deflate, br' },
        });
        row(
          `r. /${path.split('?')[0]} repeated, cache ${cacheMb === '0' ? 'off' : 'on'}`,
          `${fmt(r.requests.average, 0)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms (non-2xx ${r.non2xx}, errors ${r.errors}); load ${loadavg()[0]!.toFixed(2)}`,
        );
      }
    } finally {
      await stopServerChild(server);
    }
  }
}

function reportMixed(r: MixedResult, startRss: number, rate: number, soak: boolean): void {
  const sorted = [...r.latencies].sort((x, y) => x - y);
  const answered = sorted.length;
  const fmtMs = (x: number) => `${fmt(x, 0)} ms`;
  row(
    'm. requests sent / answered',
    `${fmt(r.sent)} / ${fmt(answered)} in ${r.seconds} s (${fmt(r.sent / r.seconds, 1)}/s asked at ${rate}/s); status ${JSON.stringify(r.byStatus)}`,
  );
  row(
    'm. errors (5xx, failed or unanswered)',
    `${r.errors}${Object.keys(r.failures).length ? ` (${JSON.stringify(r.failures)})` : ''}`,
    '0',
    r.errors === 0,
  );
  const p99 = percentile(sorted, 99);
  row(
    'm. latency p50 / p99 / max',
    `${fmtMs(percentile(sorted, 50))} / ${fmtMs(p99)} / ${fmtMs(sorted.at(-1) ?? NaN)}`,
  );
  row('m. p99', fmtMs(p99), '≤ 200 ms', p99 <= 200);
  for (const [kind, k] of Object.entries(r.byKind).sort()) {
    const ks = [...k.latencies].sort((x, y) => x - y);
    console.log(
      `    ${kind.padEnd(16)} n ${String(k.n).padStart(6)}  p50 ${fmtMs(percentile(ks, 50)).padStart(7)}  p99 ${fmtMs(percentile(ks, 99)).padStart(7)}  max ${fmtMs(ks.at(-1) ?? NaN).padStart(7)}`,
    );
  }
  const rssAt = (s: number) => r.rss.find((x) => x.at >= s)?.bytes ?? NaN;
  const end = r.rss.at(-1)!.bytes;
  const peak = Math.max(...r.rss.map((x) => x.bytes));
  row('m. server RSS start / after 60 s / end (peak)', `${mb(startRss)} / ${mb(rssAt(60))} / ${mb(end)} (${mb(peak)})`);
  row('m. server RSS peak', mb(peak), '≤ 250 MB', peak <= 250 * 1024 * 1024);
  if (soak) {
    const growth = end / rssAt(60) - 1;
    row(
      'm. soak: RSS end ÷ RSS after the first minute − 1',
      `${fmt(growth * 100, 1)} %`,
      '≤ 10 %',
      Math.abs(growth) <= 0.1,
    );
    const perMinute = r.rss.filter((x) => x.at % 60 === 0).map((x) => `${x.at / 60}′ ${fmt(x.bytes / 1024 / 1024, 0)}`);
    notes.push(`m. RSS by minute (MB): ${perMinute.join(', ')}`);
  }
}

// ── d. Statistics query at 10k and 1M responses ──────────────────────────────────────────────────

async function statsDb(name: string, count: number, existing?: string): Promise<Db> {
  if (existing) {
    // A database written earlier by the same generator (--small-db / --large-db): a copy, so the
    // run leaves it as it was.
    copyFileSync(existing, join(tmp, name));
    const db = await openDb({ url: `file:${join(tmp, name)}` });
    console.log(`    ${name}: ${fmt(await storedCount(db))} responses from ${existing}`);
    return db;
  }
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

interface ColdFigures {
  /** The server's CPU time (user + system) per view: what a view costs, whatever else runs. */
  cpuPerView: number;
  year: string;
  buildAllMs: number;
  buildSipasMs: number;
  views: number;
  p50: number;
  p95: number;
  max: number;
  non200: number;
}

/** A process's CPU time so far (user + system), in ms, from /proc (clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * v. The time to build the protection blocks in process (what a starting server does in the
 * background), then the real server with the site on a copy of the database: once its blocks are
 * built (each year and source asked once with a combination that is not measured), `cold-views`
 * /thong-ke/ views one after the other, each a combination not asked before.
 */
async function measureColdViews(db: Db, name: string, stored: number): Promise<ColdFigures> {
  const now = new Date();
  const thisYear = Number(vnDay(now).slice(0, 4));
  const year = String(thisYear - 1);
  const config = loadConfig({ ...LOAD_TEST_ENV, DATABASE_URL: `file:${join(tmp, name)}`, CONTENT_DIR });
  const deps = { db, config, log: () => undefined, now: () => now };
  let t = performance.now();
  const sipas = content.instruments.find((i) => i.id === 'sipas')!;
  const sipasVersions = (
    await db.client.execute({ sql: "SELECT version FROM instrument_versions WHERE instrument_id = 'sipas'" })
  ).rows.map((r) => String(r.version));
  const sipasIns = (await resolveInstrument(db.client, 'sipas', instrumentVersion(sipas)))!;
  await ratingsBlock(db.client, sipasIns, sipasVersions, year, config.STATS_MIN_N, now, Infinity);
  const buildSipasMs = performance.now() - t;
  forgetBlocks(db.client);
  t = performance.now();
  await prebuildStatsBlocks(deps);
  const buildAllMs = performance.now() - t;
  forgetBlocks(db.client);

  // Rebuilt only when its inputs changed.
  await buildSite({ root: ROOT, distDir: SITE_DIR, log: (l) => console.log(`  ${l}`) });
  const server = await startServerChild(
    {
      ...LOAD_TEST_ENV,
      DATABASE_URL: `file:${join(tmp, name)}`,
      SITE_DIR,
      CONTENT_DIR,
      NODE_OPTIONS: values['server-node-options'],
      // The site build above leaves NODE_ENV=production behind, where the server needs its address.
      PUBLIC_BASE_URL: 'http://127.0.0.1',
    },
    { site: true },
  );
  try {
    // Until every block of both years is built: the prebuild of the start, or these requests.
    const warm = [...statsInstruments.map((id) => `ratings?instrument=${id}`), 'dossiers?', 'feedback?'];
    for (const y of [String(thisYear), year])
      for (const w of warm)
        for (let tries = 0; ; tries++) {
          // 503 stats_computing while the block is built; a kept-alive connection the server
          // closed during that wait is simply tried again.
          const status = await fetch(`${server.url}api/v1/stats/${w}&unit=khanh-hoa&span=${y}`).then(
            async (res) => (await res.arrayBuffer(), res.status),
            () => 0,
          );
          if (status === 200) break;
          if ((status !== 503 && status !== 0) || tries > 120) throw new Error(`warm-up ${w} ${y}: ${status}`);
        }
    // The page's own first render (JIT), with a combination that is not measured.
    await (await fetch(`${server.url}thong-ke/?don-vi=khanh-hoa&thoi-gian=${year}`)).arrayBuffer();

    // Combinations: unit × span × survey × locale (× the series level), shuffled, none repeated.
    const units = [
      'khanh-hoa',
      'ninh-hoa',
      'phuong-ninh-hoa',
      'so-y-te',
      'phuong-ninh-hiep',
      'xa-ninh-xuan',
      'so-tu-phap',
      'trung-tam-hcc-khanh-hoa',
    ];
    const known = new Set(content.units.map((u) => u.id));
    const spans = [
      year,
      ...[1, 2, 3, 4].map((q) => `${year}-Q${q}`),
      ...Array.from({ length: 12 }, (_, m) => `${year}-${String(m + 1).padStart(2, '0')}`),
    ];
    const combos: string[] = [];
    for (const unit of units.filter((u) => known.has(u)))
      for (const span of spans)
        for (const mau of ['sipas', 'quay', 'danh-gia-ho-so'])
          for (const path of ['thong-ke/', 'en/statistics/'])
            for (const ky of ['nam', 'quy', 'thang'])
              if (!(unit === 'khanh-hoa' && span === year && mau === 'sipas' && ky === 'nam'))
                combos.push(`${path}?don-vi=${unit}&thoi-gian=${span}&mau=${mau}&ky=${ky}`);
    const random = mulberry32(stored);
    for (let i = combos.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [combos[i], combos[j]] = [combos[j]!, combos[i]!];
    }
    const views = combos.slice(0, Number(values['cold-views']));
    const times: number[] = [];
    let non200 = 0;
    const cpuBefore = cpuMs(server.pid);
    for (const path of views) {
      const started = performance.now();
      const res = await fetch(`${server.url}${path}`);
      await res.arrayBuffer();
      times.push(performance.now() - started);
      if (res.status !== 200) non200++;
    }
    const cpuPerView = (cpuMs(server.pid) - cpuBefore) / views.length;
    times.sort((x, y) => x - y);
    return {
      cpuPerView,
      year,
      buildAllMs,
      buildSipasMs,
      views: views.length,
      p50: percentile(times, 50),
      p95: percentile(times, 95),
      max: times.at(-1)!,
      non200,
    };
  } finally {
    await stopServerChild(server);
  }
}

async function storedCount(db: Db): Promise<number> {
  return Number((await db.client.execute('SELECT count(*) AS n FROM responses')).rows[0]!.n);
}

if (only.has('d') || only.has('v')) {
  const small = Number(values['stats-small']);
  const large = Number(values['stats-large']);
  console.log(`\nd/v. statistics at ${fmt(small)} and ${fmt(large)} responses`);
  const results: StatsFigures[] = [];
  const cold: ColdFigures[] = [];
  for (const [name, count, existing] of [
    ['stats-small.db', small, values['small-db']],
    ['stats-large.db', large, values['large-db']],
  ] as const) {
    const db = await statsDb(name, count, existing);
    const stored = await storedCount(db);
    if (only.has('d')) {
      const f = await measureStats(db);
      results.push(f);
      row(
        `d. stats query p95 with ${fmt(stored)} responses`,
        `${fmt(f.p95, 2)} ms (p50 ${fmt(f.p50, 2)} ms; slowest: ${f.worst.label} p95 ${fmt(f.worst.p95, 2)} ms; ${fmt(f.rollupRows)} rollup rows)`,
        count >= 1_000_000 ? '≤ 50 ms' : '',
        count >= 1_000_000 ? f.p95 <= 50 : undefined,
      );
    }
    if (only.has('v')) {
      const f = await measureColdViews(db, name, stored);
      cold.push(f);
      row(
        `v. protection blocks built with ${fmt(stored)} responses`,
        `${fmt(f.buildAllMs / 1000, 1)} s for all (2 years × 3 surveys, dossiers, feedback), of which SIPAS ${f.year} ${fmt(f.buildSipasMs / 1000, 1)} s (built in the background, in slices)`,
      );
      row(
        `v. cold /thong-ke/ view p95 with ${fmt(stored)} responses`,
        `${fmt(f.p95, 1)} ms (p50 ${fmt(f.p50, 1)} ms, max ${fmt(f.max, 1)} ms; server CPU ${fmt(f.cpuPerView, 1)} ms per view; ${f.views} views, each a combination not asked before; non-200 ${f.non200})`,
        count >= 1_000_000 ? '≤ 50 ms' : '',
        count >= 1_000_000 ? f.p95 <= 50 : undefined,
      );
    }
    db.close();
    rmSync(join(tmp, name), { force: true });
    rmSync(join(tmp, `${name}-wal`), { force: true });
  }
  if (only.has('d')) {
    const ratio = results[1]!.p95 / results[0]!.p95;
    row('d. p95 ratio large ÷ small', fmt(ratio, 2), '≤ 2', ratio <= 2);
    const plan = results[1]!.plan;
    console.log(`    EXPLAIN QUERY PLAN:\n      ${plan.replaceAll('\n', '\n      ')}`);
    row('d. query plan scans answers', /SCAN answers/i.test(plan) ? 'yes' : 'no', 'no', !/SCAN answers/i.test(plan));
    notes.push(`d. EXPLAIN QUERY PLAN: ${plan.replaceAll('\n', ' | ')}`);
  }
  if (only.has('v')) {
    const ratio = cold[1]!.p95 / cold[0]!.p95;
    row('v. cold view p95 ratio large ÷ small', fmt(ratio, 2), '≤ 2', ratio <= 2);
  }
}

if (only.has('f')) {
  const sizes = [Number(values['feedback-small']), Number(values['feedback-large'])];
  console.log(`\nf. the feedback side (scripts/bench-feedback.ts) at ${sizes.map((n) => fmt(n)).join(' and ')} cases`);
  const figures: FeedbackFigures[] = [];
  for (const [i, count] of sizes.entries()) {
    const db = await feedbackDb(tmp, `feedback-${i}.db`, count, content);
    figures.push(await measureFeedback(db));
    db.close();
  }
  for (const view of Object.keys(figures[0]!.p95) as FeedbackView[]) {
    const [small, large] = [figures[0]!.p95[view], figures[1]!.p95[view]];
    row(`f. ${view} p95 at ${fmt(sizes[1]!)} cases`, `${fmt(large, 1)} ms`, '≤ 50 ms', large <= 50);
    row(
      `f. ${view} p95 ratio ${fmt(sizes[1]!)} ÷ ${fmt(sizes[0]!)}`,
      `${fmt(large / small, 2)} (small ${fmt(small, 1)} ms)`,
      '≤ 2',
      large / small <= 2,
    );
  }
  const scans = figures[1]!.fullScans;
  row('f. full scans in the list plans', scans.length === 0 ? 'none' : scans.join('; '), 'none', scans.length === 0);
}

// ── k. Ranking of every unit (scripts/bench-ranking.ts) ─────────────────────────────────────────

if (only.has('k')) {
  const small = Number(values['stats-small']);
  const large = Number(values['stats-large']);
  console.log(`\nk. ranking of every unit for a year at ${fmt(small)} and ${fmt(large)} responses and dossiers`);
  const [s, l] = await benchRanking(small, large, CONTENT_DIR);
  for (const f of [s!, l!])
    row(
      `k. ranking p95 with ${fmt(f.count)} responses and dossiers (${f.units} units)`,
      `${fmt(f.warm.p95, 1)} ms within a minute of the last request; ${fmt(f.cold.p95, 1)} ms with the protection blocks rebuilt`,
      f.count >= 1_000_000 ? '≤ 200 ms' : '',
      f.count >= 1_000_000 ? f.warm.p95 <= 200 : undefined,
    );
  const ratio = l!.warm.p95 / s!.warm.p95;
  row('k. ranking p95 ratio large ÷ small', fmt(ratio, 2), '≤ 2', ratio <= 2);
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
