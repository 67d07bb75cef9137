/**
 * The real portal for the Playwright tests: the built site and the API on a fresh temp database,
 * so tests never touch data/ and always start from the same state.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../api/env.ts';
import { startServer } from '../api/server.ts';
import { buildSite } from './site-build.ts';
import { loadAstroHandler } from '../api/ssr.ts';
import { createApiKey } from '../db/dossiers.ts';
import { seedPublicFeedbackDemo } from '../db/demo-feedback-public.ts';

const port = process.argv[2] ?? '4399';
const dir = mkdtempSync(join(tmpdir(), 'gopy-e2e-'));
const config = loadConfig({
  ...process.env,
  DATABASE_URL: `file:${join(dir, 'e2e.db')}`,
  PORT: port,
  LOG_LEVEL: 'error',
});
const info = await buildSite({ root: process.cwd(), distDir: config.SITE_DIR });
const running = await startServer(config, {
  dir: config.SITE_DIR,
  inlineScriptHashes: info.inlineScriptHashes,
  ssr: await loadAstroHandler(config.SITE_DIR),
});
// A one-stop system's key for the tests that register a dossier and rate it with its token, as a
// real one-stop system would (e2e/rating-token.spec.ts). Test infrastructure only: reports/ is
// ignored by git and the database is a temp file.
const { key } = await createApiKey(running.db.client, 'phuong-ninh-hoa', 'e2e one-stop system', new Date());
// A few published feedback cases for e2e/published.spec.ts until the demo data has real ones.
await seedPublicFeedbackDemo(running.db.client, new Date());
mkdirSync('reports', { recursive: true });
writeFileSync(join('reports', 'e2e-api-key.txt'), key);
console.log(`e2e server on ${running.url}`);

const stop = () => {
  void running.stop().finally(() => {
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
