/**
 * `npm test`: everything CI checks, in order, stopping at the first failure: format, lint, types,
 * content, unit and integration tests, then the end-to-end tests in Debian's Chromium (installed
 * with apt when missing and we are root, as on CI).
 * `npm run test:e2e` (= `--only e2e`) runs only the browser tests.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function run(title: string, cmd: string, args: string[]): void {
  console.log(`\n▶ ${title}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: process.env });
  if (r.status !== 0) {
    console.error(`\n✗ ${title} failed (exit ${r.status ?? r.signal}).`);
    process.exit(r.status ?? 1);
  }
}

function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    console.error(
      `\nThe end-to-end tests need Debian's Chromium at ${CHROMIUM}.\n` +
        `Install it with:  sudo apt-get update && sudo apt-get install -y chromium\n` +
        `(or set CHROMIUM_PATH to another Chromium binary).`,
    );
    process.exit(1);
  }
  run('Installing Chromium (apt)', 'sh', [
    '-c',
    'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null',
  ]);
}

/** Counts from the JSON reports, for one closing line over both runners. */
function counts(): { passed: number; failed: number; skipped: number } {
  const out = { passed: 0, failed: 0, skipped: 0 };
  if (existsSync('reports/unit.json')) {
    const v = JSON.parse(readFileSync('reports/unit.json', 'utf8')) as Record<string, number>;
    out.passed += v.numPassedTests ?? 0;
    out.failed += v.numFailedTests ?? 0;
    out.skipped += (v.numPendingTests ?? 0) + (v.numTodoTests ?? 0);
  }
  if (existsSync('reports/e2e.json')) {
    const p = JSON.parse(readFileSync('reports/e2e.json', 'utf8')) as { stats?: Record<string, number> };
    out.passed += (p.stats?.expected ?? 0) + (p.stats?.flaky ?? 0);
    out.failed += p.stats?.unexpected ?? 0;
    out.skipped += p.stats?.skipped ?? 0;
  }
  return out;
}

// Stale reports would make the closing count lie.
rmSync('reports', { recursive: true, force: true });

if (!only) {
  run('Formatting (prettier)', 'prettier', ['--check', '.']);
  run('Lint (eslint)', 'eslint', ['.']);
  // A clean clone has no .astro/types.d.ts yet (tsconfig includes it for import.meta.glob and
  // astro:* modules); CI runs `npm test` without building first.
  run('Site types (astro sync)', 'astro', ['sync']);
  run('Types (tsc)', 'tsc', ['--noEmit']);
  run('Types of the site (astro check)', 'astro', ['check', '--minimumSeverity', 'warning']);
  run('Content', 'node', ['scripts/check-content.ts']);
  run('Unit and integration tests (vitest)', 'vitest', [
    'run',
    '--reporter=default',
    '--reporter=json',
    '--outputFile.json=reports/unit.json',
  ]);
}
if (!only || only === 'e2e') {
  ensureChromium();
  run('End-to-end tests (Playwright, Chromium)', 'playwright', ['test']);
}
const c = counts();
console.log(`\n${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`);
