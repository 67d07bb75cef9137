/**
 * Lighthouse on every public template in both languages (issue #11 part 6): performance,
 * accessibility, best practices and SEO, with Lighthouse's defaults (a mobile phone, simulated
 * slow 4G and a 4× slower CPU), and the page's LCP, CLS and bytes. Run by `npm run bench --
 * --lighthouse`, or alone:
 *
 *   node scripts/lighthouse.ts                  its own build and server (temp database, demo data)
 *   node scripts/lighthouse.ts --url http://127.0.0.1:4399/   a running server (e.g. the e2e one)
 *   node scripts/lighthouse.ts --only home,statistics        some pages (names in the table)
 *   node scripts/lighthouse.ts --runs 3                      the median run of three per page
 *
 * Its own server listens on 127.0.0.1:LIGHTHOUSE_PORT (default 4480).
 * Chromium is Debian's (CHROME_PATH, default /usr/bin/chromium) with no network beyond loopback.
 * The table goes to stdout (Markdown, for docs/performance.md "Lighthouse"); a page under 100 in a
 * category also lists the audits that cost it points.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import lighthouse from 'lighthouse';
import { loadConfig } from '../api/env.ts';
import { prepareDatabase } from '../api/server.ts';
import { seedPublicFeedbackDemo } from '../db/demo-feedback-public.ts';
import { buildSite } from './site-build.ts';
import { startServerChild, stopServerChild, type ServerChild } from './server-child.ts';

const ROOT = join(import.meta.dirname, '..');
/** Its own build: the origin is part of the pages (hreflang), so it is not the bench's or dist/. */
const SITE_DIR = join(ROOT, 'node_modules', '.cache', 'gopy-lighthouse-site');
const CHROME = process.env.CHROME_PATH ?? '/usr/bin/chromium';
const CHROME_FLAGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'] as const;

/** A public template and a page of it, in each locale (route slugs from content/i18n/<locale>.json). */
interface PageCase {
  name: string;
  route: string;
  params?: Record<string, string>;
  query?: string;
}

/** A published case seeded with a known code (db/demo-feedback-public.ts). */
const PUBLISHED_CODE = 'DEMA-2345';

export const PAGES: PageCase[] = [
  { name: 'home', route: 'home' },
  { name: 'procedures', route: 'procedures' },
  { name: 'procedures by field', route: 'proceduresByField', params: { field: 'ho-tich' } },
  { name: 'procedure', route: 'procedure', params: { code: '1.001193' } },
  { name: 'hotline', route: 'hotline' },
  { name: 'reform results', route: 'reform' },
  { name: 'rate: choose', route: 'rate' },
  // The page a counter's QR code opens.
  { name: 'rate: QR counter', route: 'rate', query: '?don-vi=phuong-ninh-hoa&mau=quay' },
  { name: 'rate: thank you', route: 'rateThanks' },
  { name: 'feedback form', route: 'feedback' },
  { name: 'track', route: 'track' },
  { name: 'published list', route: 'published' },
  { name: 'published case', route: 'publishedItem', params: { code: PUBLISHED_CODE } },
  { name: 'statistics', route: 'stats' },
  { name: 'accessibility', route: 'accessibility' },
];

interface LocaleFile {
  meta: { prefix: string };
  routes: Record<string, string>;
}

function pathOf(locale: string, page: PageCase): string {
  const file = JSON.parse(readFileSync(join(ROOT, 'content', 'i18n', `${locale}.json`), 'utf8')) as LocaleFile;
  const slug = file.routes[page.route]!.replace(/\{(\w+)\}/g, (_, k: string) => encodeURIComponent(page.params![k]!));
  const parts = [file.meta.prefix, slug].filter(Boolean).join('/');
  return `${parts ? `/${parts}/` : '/'}${page.query ?? ''}`;
}

export interface LighthouseRow {
  page: string;
  locale: string;
  path: string;
  scores: Record<(typeof CATEGORIES)[number], number>;
  lcpMs: number;
  cls: number;
  bytes: number;
  /** Audits below a full score in a category below 100: "category: audit id (score)". */
  losses: string[];
}

/** Debian's Chromium with a DevTools port, in a throwaway profile. */
async function startChrome(): Promise<{ port: number; child: ChildProcess; profile: string }> {
  const profile = mkdtempSync(join(tmpdir(), 'gopy-lh-chrome-'));
  const child = spawn(CHROME, [...CHROME_FLAGS, '--remote-debugging-port=0', `--user-data-dir=${profile}`], {
    stdio: 'ignore',
  });
  const file = join(profile, 'DevToolsActivePort');
  for (let i = 0; i < 300; i++) {
    if (existsSync(file)) {
      const port = Number(readFileSync(file, 'utf8').split('\n')[0]);
      if (port > 0) return { port, child, profile };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`${CHROME} did not open its DevTools port in 30 s`);
}

async function audit(url: string, port: number): Promise<Omit<LighthouseRow, 'page' | 'locale' | 'path'>> {
  const result = await lighthouse(url, { port, output: 'json', logLevel: 'error', onlyCategories: [...CATEGORIES] });
  if (!result) throw new Error(`Lighthouse returned nothing for ${url}`);
  const lhr = result.lhr;
  if (lhr.runtimeError) throw new Error(`${url}: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
  const scores = Object.fromEntries(
    CATEGORIES.map((c) => [c, Math.round((lhr.categories[c]?.score ?? 0) * 100)]),
  ) as LighthouseRow['scores'];
  const losses: string[] = [];
  for (const c of CATEGORIES) {
    if (scores[c] === 100) continue;
    for (const ref of lhr.categories[c]!.auditRefs) {
      const a = lhr.audits[ref.id]!;
      if (ref.weight > 0 && a.score !== null && a.score < 1)
        losses.push(`${c}: ${ref.id} (${a.score.toFixed(2)}${a.displayValue ? `, ${a.displayValue}` : ''})`);
    }
  }
  return {
    scores,
    lcpMs: lhr.audits['largest-contentful-paint']?.numericValue ?? NaN,
    cls: lhr.audits['cumulative-layout-shift']?.numericValue ?? NaN,
    bytes: lhr.audits['total-byte-weight']?.numericValue ?? NaN,
    losses,
  };
}

/** Lighthouse's own advice for a failed trace (NO_NAVSTART and the like) is to run it again. */
async function auditWithRetry(url: string, port: number): Promise<Awaited<ReturnType<typeof audit>>> {
  for (let attempt = 1; ; attempt++)
    try {
      return await audit(url, port);
    } catch (err) {
      if (attempt >= 3) throw err;
      console.log(`    (${(err as Error).message.split('\n')[0]}; again)`);
    }
}

/** Its own server: a fresh temp database with the demo data and the published demo cases. */
async function startOwnServer(log: (l: string) => void): Promise<{ url: string; stop: () => Promise<void> }> {
  const tmp = mkdtempSync(join(tmpdir(), 'gopy-lh-'));
  // A fixed port (LIGHTHOUSE_PORT, default 4480): the origin is built into the pages, so the
  // same port reuses the last build.
  const port = Number(process.env.LIGHTHOUSE_PORT ?? 4480);
  const origin = `http://127.0.0.1:${port}`;
  const env = {
    PUBLIC_BASE_URL: origin,
    DATABASE_URL: `file:${join(tmp, 'lh.db')}`,
    HOST: '127.0.0.1',
    PORT: String(port),
    SITE_DIR,
    LOG_LEVEL: 'error',
    DEMO_DATA: '1',
  };
  await buildSite({ root: ROOT, distDir: SITE_DIR, site: origin, log });
  const { db } = await prepareDatabase(loadConfig({ ...process.env, ...env }));
  await seedPublicFeedbackDemo(db.client, new Date());
  db.close();
  log('Starting the server (the demo data takes a minute on a busy machine)…');
  const server: ServerChild = await startServerChild(env, { site: true, timeoutMs: 600_000 });
  return {
    url: origin,
    stop: async () => {
      await stopServerChild(server);
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

const fmt = (x: number, digits = 0) =>
  x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Audits every page in both locales and prints the table; returns the rows. */
export async function runLighthouse(
  opts: { url?: string; only?: string[]; runs?: number; log?: (l: string) => void } = {},
): Promise<LighthouseRow[]> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const own = opts.url ? undefined : await startOwnServer(log);
  const base = (opts.url ?? own!.url).replace(/\/$/, '');
  const chrome = await startChrome();
  const rows: LighthouseRow[] = [];
  try {
    const pages = opts.only ? PAGES.filter((p) => opts.only!.includes(p.name)) : PAGES;
    for (const page of pages)
      for (const locale of ['vi', 'en']) {
        const path = pathOf(locale, page);
        // Lighthouse's advice for variable machines: the median of several runs (by performance,
        // which moves most: total blocking time follows the load of a shared 2-core machine).
        const runs: Awaited<ReturnType<typeof audit>>[] = [];
        for (let i = 0; i < Math.max(1, opts.runs ?? 1); i++)
          runs.push(await auditWithRetry(`${base}${path}`, chrome.port));
        runs.sort((a, b) => a.scores.performance - b.scores.performance);
        const r = runs[Math.floor(runs.length / 2)]!;
        const row = { page: page.name, locale, path, ...r };
        rows.push(row);
        log(
          `  ${page.name} (${locale}) ${path}: ${CATEGORIES.map((c) => row.scores[c]).join(' / ')}, ` +
            `LCP ${fmt(row.lcpMs)} ms, CLS ${fmt(row.cls, 3)}, ${fmt(row.bytes / 1024, 1)} KiB` +
            (row.losses.length ? `\n      ${row.losses.join('\n      ')}` : ''),
        );
      }
  } finally {
    chrome.child.kill('SIGTERM');
    await new Promise((r) => chrome.child.once('exit', r));
    rmSync(chrome.profile, { recursive: true, force: true });
    await own?.stop();
  }
  console.log(
    '\n| Page | Lang | Performance | Accessibility | Best practices | SEO | LCP | CLS | Bytes |\n' +
      '| --- | --- | --: | --: | --: | --: | --: | --: | --: |',
  );
  for (const r of rows)
    console.log(
      `| ${r.page} | ${r.locale} | ${r.scores.performance} | ${r.scores.accessibility} | ` +
        `${r.scores['best-practices']} | ${r.scores.seo} | ${fmt(r.lcpMs)} ms | ${fmt(r.cls, 3)} | ` +
        `${fmt(r.bytes / 1024, 1)} KiB |`,
    );
  const below = rows.filter((r) => CATEGORIES.some((c) => r.scores[c] < 100));
  console.log(
    `\nLoad average at the end: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')} (${availableParallelism()} cores).`,
  );
  console.log(
    below.length === 0
      ? `\nAll ${rows.length} pages score 100 in all four categories.`
      : `\n${below.length} of ${rows.length} pages score under 100 somewhere (their audits are listed above).`,
  );
  return rows;
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: { url: { type: 'string' }, only: { type: 'string' }, runs: { type: 'string', default: '1' } },
  });
  const rows = await runLighthouse({ url: values.url, only: values.only?.split(','), runs: Number(values.runs) });
  process.exitCode = rows.every((r) => CATEGORIES.every((c) => r.scores[c] === 100)) ? 0 : 1;
}
