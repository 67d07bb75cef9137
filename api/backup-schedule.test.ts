/**
 * The backup schedule of `npm start` (issue #9): with no recent backup the first one runs at
 * start, in a child process (scripts/backup.ts), and /health then reports its age; a failing
 * backup turns the backup check red and is logged.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../db/client.ts';
import { migrate } from '../db/migrate.ts';
import { listBackups } from '../db/backup.ts';
import { configWith } from './env.ts';
import { startBackups } from './backup-schedule.ts';
import { backupSchedule, checkHealth } from './storage-health.ts';

let tmp: string;
let db: Db;
let url: string;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'gopy-schedule-'));
  url = `file:${join(tmp, 'gopy.db')}`;
  db = await openDb({ url });
  await migrate(db.client);
});
afterAll(() => {
  db.close();
  rmSync(tmp, { recursive: true, force: true });
});

async function until(test: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('startBackups', () => {
  it('takes the first backup at start and /health reports its age', async () => {
    const dir = join(tmp, 'backups');
    const lines: string[] = [];
    const config = configWith({ DATABASE_URL: url, BACKUP_DIR: dir, BACKUP_EVERY_HOURS: '1', HEALTH_MIN_FREE_MB: '1' });
    process.env.DATABASE_URL = url;
    process.env.BACKUP_DIR = dir;
    const deps = { db, config, log: (l: string) => lines.push(l), now: () => new Date() };
    const schedule = startBackups(deps);
    try {
      await until(() => lines.some((l) => l.includes('"backup"')));
      expect(JSON.parse(lines.find((l) => l.includes('"backup"'))!)).toMatchObject({
        backup: 'ok',
        tables: expect.any(Number),
      });
      expect(listBackups(dir)).toHaveLength(1);
      const report = await checkHealth(deps);
      expect(report.status).toBe('ok');
      expect(report.checks.backup_age_hours).toMatchObject({ ok: true, max: 2 });
      expect(report.checks.backup_age_hours.value).toBeLessThan(0.1);
    } finally {
      await schedule.stop();
    }

    // A backup that fails (BACKUP_DIR is a file) is logged and turns the check red.
    const blocked = join(tmp, 'not-a-folder');
    writeFileSync(blocked, 'x');
    process.env.BACKUP_DIR = blocked;
    const failing = startBackups({ ...deps, config: { ...config, BACKUP_DIR: blocked } });
    try {
      await until(() => lines.some((l) => l.includes('"backup":"error"')));
      expect(backupSchedule.lastError).toBeDefined();
      const failed = await checkHealth({ ...deps, config: { ...config, BACKUP_DIR: blocked } });
      expect(failed.status).toBe('degraded');
      expect(failed.checks.backup_age_hours).toMatchObject({ ok: false, value: null });
      expect(lines.filter((l) => l.includes('"alert":"storage_degraded"'))).toHaveLength(1);
    } finally {
      await failing.stop();
      backupSchedule.lastError = undefined;
      backupSchedule.startedAt = undefined;
      delete process.env.DATABASE_URL;
      delete process.env.BACKUP_DIR;
    }
  }, 40_000);
});
