/**
 * The real portal for the Playwright tests: the built site and the API on a fresh temp database,
 * so tests never touch data/ and always start from the same state.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, publicBaseUrl } from '../api/env.ts';
import { startServer } from '../api/server.ts';
import { buildSite } from './site-build.ts';
import { loadAstroHandler } from '../api/ssr.ts';
import { createApiKey } from '../db/dossiers.ts';
import { seedPublicFeedbackDemo } from '../db/demo-feedback-public.ts';
import { createStaff } from '../db/staff.ts';
import { generatePassword, hashPassword } from '../api/staff/auth.ts';
import { newTotpSecret, sealSecret } from '../api/staff/second-factor.ts';
import { insertTotpStatement } from '../db/staff-mfa.ts';
import { startMailWorker, type MailWorker } from '../api/mail/worker.ts';

const port = process.argv[2] ?? '4399';
const dir = mkdtempSync(join(tmpdir(), 'gopy-e2e-'));
const config = loadConfig({
  ...process.env,
  DATABASE_URL: `file:${join(dir, 'e2e.db')}`,
  PORT: port,
  LOG_LEVEL: 'error',
  // Every spec sends from 127.0.0.1: the per-client limit of 5 would make specs depend on each other.
  RATE_LIMIT_MAX: '50',
  // Specs write (a rating, a publication) and look at the public pages at once: a write makes the
  // next view current here, while caching still serves repeats (docs/performance.md).
  PUBLIC_CACHE_STALE_SECONDS: process.env.PUBLIC_CACHE_STALE_SECONDS ?? '0',
});
const info = await buildSite({ root: process.cwd(), distDir: config.SITE_DIR, site: publicBaseUrl(config) });
const running = await startServer(config, {
  dir: config.SITE_DIR,
  inlineScriptHashes: info.inlineScriptHashes,
  ssr: await loadAstroHandler(config.SITE_DIR),
});
// A one-stop system's key for the tests that register a dossier and rate it with its token, as a
// real one-stop system would (e2e/rating-token.spec.ts). Test infrastructure only: reports/ is
// ignored by git and the database is a temp file.
const { key } = await createApiKey(running.db.client, 'phuong-ninh-hoa', 'e2e one-stop system', new Date());
// Published cases with known codes and texts for e2e/published.spec.ts (the demo data's are random).
await seedPublicFeedbackDemo(running.db.client, new Date());
// Staff accounts with known passwords for e2e/staff*.spec.ts (one per role), written
// beside the API key; fresh random passwords each run, only their hashes in the temp database.
const staffAccounts = [
  { username: 'e2e-coordinator', role: 'coordinator', unit: 'khanh-hoa' },
  { username: 'e2e-handler', role: 'handler', unit: 'phuong-ninh-hoa' },
  { username: 'e2e-publisher', role: 'publisher', unit: 'khanh-hoa' },
  // e2e/staff-admin.spec.ts: accounts and the audit log of the whole province.
  { username: 'e2e-admin', role: 'admin', unit: 'khanh-hoa' },
  // e2e/kiosk.spec.ts: officer results of the province (issue #10).
  { username: 'e2e-supervisor', role: 'supervisor', unit: 'khanh-hoa' },
] as const;
const passwords: Record<string, string> = {};
// Every role needs a second factor (issue #7 part 4b): each account gets a TOTP secret, written to
// reports/e2e-staff-totp.json so the specs compute codes (e2e/staff-login.ts).
const totpSecrets: Record<string, string> = {};
for (const a of staffAccounts) {
  const password = generatePassword();
  const id = await createStaff(running.db.client, {
    username: a.username,
    displayName: `Cán bộ ${a.username}`,
    passwordHash: await hashPassword(password),
    roles: [{ role: a.role, unit: a.unit }],
    now: new Date(),
  });
  passwords[a.username] = password;
  const secret = newTotpSecret();
  totpSecrets[a.username] = secret;
  await running.db.client.execute(insertTotpStatement(id, sealSecret(config, secret), new Date(), null));
}
mkdirSync('reports', { recursive: true });
writeFileSync(join('reports', 'e2e-api-key.txt'), key);
writeFileSync(join('reports', 'e2e-staff.json'), `${JSON.stringify(passwords, null, 2)}\n`);
writeFileSync(join('reports', 'e2e-staff-totp.json'), `${JSON.stringify(totpSecrets, null, 2)}\n`);
// The TOTP steps the specs used, per account (a step is accepted once): a fresh run starts empty.
rmSync(join('reports', 'e2e-totp-steps'), { recursive: true, force: true });
const mail = startE2eMail();
console.log(`e2e server on ${running.url}`);

/**
 * The outbox mail of the e2e server (e2e/feedback-flow.spec.ts opens the magic link of the receipt
 * mail): written as .eml files into a folder of the temp directory, polled often so a test waits
 * a second, not five; the folder is named in reports/e2e-mail-dir.txt.
 */
function startE2eMail(): MailWorker {
  const mailDir = join(dir, 'mail');
  writeFileSync(join('reports', 'e2e-mail-dir.txt'), mailDir);
  return startMailWorker(
    {
      db: running.db,
      config: { ...config, SMTP_URL: undefined, MAIL_DIR: mailDir },
      now: () => new Date(),
      log: () => {},
    },
    { intervalMs: 300 },
  );
}

const stop = () => {
  void mail
    .stop()
    .then(() => running.stop())
    .finally(() => {
      rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    });
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
