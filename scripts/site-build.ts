/**
 * Builds the static site when its inputs changed, then measures what the server needs from it:
 * the sha256 of every inline script (for the CSP) and gzip/brotli copies of text files (cheap
 * phones on weak connections get compressed files without per-request CPU).
 */
import { pathToFileURL } from 'node:url';
import { inlineScriptHashesOf } from '../api/middleware/security.ts';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

export const BUILD_INFO = '.gopy-build.json';

export interface BuildInfo {
  inputsHash: string;
  inlineScriptHashes: string[];
  builtAt: string;
}

/** Files whose change requires a new build. */
const INPUTS = ['site', 'content', 'api/contracts', 'astro.config.mjs', 'package-lock.json', 'scripts/site-build.ts'];

function walk(path: string, out: string[]): void {
  if (!existsSync(path)) return;
  const st = statSync(path);
  if (st.isFile()) {
    out.push(path);
    return;
  }
  for (const name of readdirSync(path).sort()) walk(join(path, name), out);
}

export function inputsHash(root: string): string {
  const files: string[] = [];
  for (const p of INPUTS) walk(join(root, p), files);
  const h = createHash('sha256');
  for (const f of files) h.update(relative(root, f)).update('\0').update(readFileSync(f)).update('\0');
  return h.digest('hex');
}

export function readBuildInfo(distDir: string): BuildInfo | undefined {
  const file = join(distDir, BUILD_INFO);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as BuildInfo;
}

/**
 * The inline scripts Astro may write into any page, static or rendered on request: the island
 * runtime and one loader per hydration directive (astro/dist/runtime/server/scripts.js inlines
 * these exact texts). Listing all of them lets pages rendered on request hydrate their islands
 * under a CSP without 'unsafe-inline', and with no script allowed that Astro did not ship.
 */
export async function astroRuntimeScriptHashes(root: string): Promise<string[]> {
  const runtime = join(root, 'node_modules', 'astro', 'dist', 'runtime');
  const files = [
    join(runtime, 'server', 'astro-island.prebuilt.js'),
    ...['load', 'idle', 'visible', 'media', 'only'].map((d) => join(runtime, 'client', `${d}.prebuilt.js`)),
  ];
  const hashes: string[] = [];
  for (const file of files) {
    const text = ((await import(pathToFileURL(file).href)) as { default: string }).default;
    hashes.push(`sha256-${createHash('sha256').update(text).digest('base64')}`);
  }
  return hashes;
}

/** The sha256 CSP sources of inline <script> elements in the built HTML. */
export function inlineScriptHashes(distDir: string): string[] {
  const files: string[] = [];
  walk(distDir, files);
  const hashes = new Set<string>();
  for (const f of files.filter((x) => x.endsWith('.html')))
    for (const h of inlineScriptHashesOf(readFileSync(f, 'utf8'))) hashes.add(h);
  return [...hashes].sort();
}

const COMPRESSIBLE = /\.(html|css|js|mjs|json|csv|svg|txt|xml)$/;

export function precompress(distDir: string): void {
  const files: string[] = [];
  walk(distDir, files);
  for (const f of files.filter((x) => COMPRESSIBLE.test(x))) {
    const data = readFileSync(f);
    if (data.length < 512) continue;
    writeFileSync(`${f}.gz`, gzipSync(data, { level: 9 }));
    writeFileSync(
      `${f}.br`,
      brotliCompressSync(data, {
        params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length },
      }),
    );
  }
}

/**
 * The rating outbox's service worker (site/sw/service-worker.ts, issue #11 part 5) as one file at
 * the site's root, /sw.js: a worker controls only pages at or below its own path. Bundled with the
 * esbuild Astro already uses, so the worker shares the page's outbox code (and its proof-of-work
 * solver) instead of a copy.
 */
export async function buildServiceWorker(root: string, distDir: string): Promise<void> {
  const { build } = await import('esbuild');
  await build({
    entryPoints: [join(root, 'site', 'sw', 'service-worker.ts')],
    outfile: join(distDir, 'client', 'sw.js'),
    bundle: true,
    format: 'iife',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
}

/**
 * Builds dist/ if the inputs changed since the last build (or `force`), and returns its info.
 * @example const info = await buildSite({ root: process.cwd(), distDir: 'dist' });
 */
export async function buildSite(opts: {
  root: string;
  distDir: string;
  /** The public origin (api/env.ts publicBaseUrl): pages name their other-language versions with
   * absolute URLs, as hreflang requires (issue #11 part 6), so a new origin means a new build. */
  site?: string;
  force?: boolean;
  log?: (s: string) => void;
}): Promise<BuildInfo> {
  const log = opts.log ?? console.log;
  const hash = createHash('sha256')
    .update(inputsHash(opts.root))
    .update(`\0site=${opts.site ?? ''}`)
    .digest('hex');
  const existing = readBuildInfo(opts.distDir);
  if (!opts.force && existing?.inputsHash === hash) return existing;
  log('Building the site (first start, or content changed)…');
  const { build } = await import('astro');
  await build({ root: opts.root, outDir: opts.distDir, logLevel: 'warn', ...(opts.site ? { site: opts.site } : {}) });
  await buildServiceWorker(opts.root, opts.distDir);
  const info: BuildInfo = {
    inputsHash: hash,
    inlineScriptHashes: [
      ...new Set([...inlineScriptHashes(opts.distDir), ...(await astroRuntimeScriptHashes(opts.root))]),
    ].sort(),
    builtAt: new Date().toISOString(),
  };
  precompress(opts.distDir);
  mkdirSync(opts.distDir, { recursive: true });
  writeFileSync(join(opts.distDir, BUILD_INFO), JSON.stringify(info, null, 2));
  log('Site built.');
  return info;
}
