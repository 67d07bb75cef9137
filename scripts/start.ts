/**
 * `npm start`: builds the site if needed, prepares the database (migrations, content, demo data)
 * and serves everything from one process. Ctrl-C stops it cleanly.
 */
import { loadConfig, publicBaseUrl } from '../api/env.ts';
import { startServer } from '../api/server.ts';
import { buildSite } from './site-build.ts';
import { seedDemoStaff } from '../api/staff/demo.ts';
import { loadAstroHandler } from '../api/ssr.ts';
import { startMailWorker } from '../api/mail/worker.ts';
import { startSmsWorker } from '../api/sms/worker.ts';
import { startMaintenance } from '../api/maintenance.ts';
import { startBackups } from '../api/backup-schedule.ts';

const config = loadConfig();
const info = await buildSite({ root: process.cwd(), distDir: config.SITE_DIR, site: publicBaseUrl(config) });
const running = await startServer(config, {
  dir: config.SITE_DIR,
  inlineScriptHashes: info.inlineScriptHashes,
  ssr: await loadAstroHandler(config.SITE_DIR),
});

// E-mail to feedback senders leaves through the outbox (api/mail/): SMTP_URL, or .eml files.
const mail = startMailWorker({
  db: running.db,
  config,
  now: () => new Date(),
  log: (line) => process.stdout.write(`${line}\n`),
});

// Text messages leave through their own outbox (api/sms/): an SMPP gateway (SMPP_URL), or files.
const sms = startSmsWorker({
  db: running.db,
  config,
  now: () => new Date(),
  log: (line) => process.stdout.write(`${line}\n`),
});

// The retention purge of personal data and other upkeep, at start and every six hours.
const upkeep = startMaintenance({
  db: running.db,
  config,
  now: () => new Date(),
  log: (line) => process.stdout.write(`${line}\n`),
});

// A checked snapshot every BACKUP_EVERY_HOURS into BACKUP_DIR (docs/operations.md "Backups").
const backups = startBackups({ config, now: () => new Date(), log: (line) => process.stdout.write(`${line}\n`) });

// Demo mode only: one staff account per role, new passwords each start, printed here and never logged.
// seedDemoStaff does nothing once a real staff account exists.
// Each also gets a new TOTP secret: the demo asks for the second factor like production does
// (docs/staff-security.md); add the secret or the otpauth URI to an authenticator app.
const demoStaff = config.DEMO_DATA ? await seedDemoStaff(running.db, config) : [];
if (demoStaff.length > 0) {
  console.log('\nDemo staff accounts (demo data only; new passwords and TOTP secrets at every start):');
  for (const a of demoStaff) {
    console.log(`  ${a.username} (${a.role}, ${a.unit}): password ${a.password}`);
    console.log(`    TOTP secret ${a.totpSecret}  (${a.totpUri})`);
  }
  console.log(
    '  The sign-in asks for a 6-digit code: add a secret to an authenticator app (or oathtool --totp -b SECRET).',
  );
}

console.log(`
gopy is running: ${running.url}
  database: ${config.DATABASE_URL.startsWith('file:') ? config.DATABASE_URL : '(remote libSQL)'} (migration ${running.migration})
  English:  ${running.url}en/
  API:      ${running.url}api/v1/openapi.json
  e-mail:   ${config.SMTP_URL ? 'SMTP (SMTP_URL)' : `written as .eml files into ${config.MAIL_DIR}/ (SMTP_URL is not set)`}
  SMS:      ${config.SMPP_URL ? `SMPP gateway (SMPP_URL)${config.SMS_UNACCENTED ? ', unaccented GSM-7' : ', UCS-2'}` : `written as text files into ${config.SMS_DIR}/ (SMPP_URL is not set)`}
  staff:    ${running.url}quan-tri/
  backups:  ${config.BACKUP_EVERY_HOURS > 0 && config.DATABASE_URL.startsWith('file:') ? `every ${config.BACKUP_EVERY_HOURS} h into ${config.BACKUP_DIR}/${config.BACKUP_KEY ? ' (encrypted)' : ''}` : 'off'}
Press Ctrl-C to stop.`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping…');
    // The worker first: it uses the database that running.stop() closes. Unsent mail stays queued.
    Promise.all([mail.stop(), sms.stop(), upkeep.stop(), backups.stop()])
      .then(() => running.stop())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  });
}
