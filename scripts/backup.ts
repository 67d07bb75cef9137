/**
 * `npm run backup`: one checked online snapshot of the local database into BACKUP_DIR, encrypted
 * when BACKUP_KEY is set, then the retention rule (BACKUP_KEEP_*) (issue #9, docs/operations.md).
 * Safe while the server runs. Prints one JSON line; exits 1 with a message when it fails.
 */
import { loadConfig } from '../api/env.ts';
import { takeBackup } from '../db/backup.ts';

try {
  const config = loadConfig();
  const r = await takeBackup({
    url: config.DATABASE_URL,
    dir: config.BACKUP_DIR,
    key: config.BACKUP_KEY,
    keep: { recent: config.BACKUP_KEEP_RECENT, daily: config.BACKUP_KEEP_DAILY, monthly: config.BACKUP_KEEP_MONTHLY },
  });
  const rows = Object.values(r.counts).reduce((a, b) => a + b, 0);
  console.log(
    JSON.stringify({
      t: new Date().toISOString(),
      backup: 'ok',
      file: r.file,
      bytes: r.bytes,
      encrypted: r.encrypted,
      ms: Math.round(r.ms),
      migration: r.migration,
      tables: Object.keys(r.counts).length,
      rows,
      removed: r.removed.length,
    }),
  );
} catch (err) {
  console.error(`backup failed: ${(err as Error).message}`);
  process.exit(1);
}
