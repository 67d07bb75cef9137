/**
 * `npm run restore FILE`: puts a backup (plain or encrypted with BACKUP_KEY) back as the database
 * of DATABASE_URL (issue #9, docs/operations.md "Restore drill"). Refuses while a server runs on
 * that database (its pid file names a live process). The copy is checked (integrity_check, row
 * counts) before it replaces anything; the database that was there is renamed aside, not deleted.
 */
import { loadConfig } from '../api/env.ts';
import { restoreBackup } from '../db/backup.ts';

const file = process.argv[2];
if (!file || process.argv.length > 3) {
  console.error('usage: npm run restore -- FILE   (DATABASE_URL says where; BACKUP_KEY when the file is encrypted)');
  process.exit(2);
}
try {
  const config = loadConfig();
  const r = await restoreBackup({ file, url: config.DATABASE_URL, key: config.BACKUP_KEY });
  console.log(`Restored ${file}
  into:        ${r.target}
  previous:    ${r.previous ?? '(none)'}
  integrity:   ok
  migration:   ${r.migration}
  rows:        ${Object.entries(r.counts)
    .filter(([, n]) => n > 0)
    .map(([t, n]) => `${t} ${n}`)
    .join(', ')}
Start the server (npm start) to serve it.`);
} catch (err) {
  console.error(`restore refused: ${(err as Error).message}`);
  process.exit(1);
}
