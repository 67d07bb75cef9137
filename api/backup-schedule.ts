/**
 * `npm start` takes a backup every BACKUP_EVERY_HOURS (issue #9: a dead disk loses at most that
 * much). Each run is `scripts/backup.ts` in a child process: VACUUM INTO runs synchronously in
 * libSQL and would stall the server's event loop for the length of the copy. The first run comes
 * at start when the newest backup is older than one interval. The result feeds the health check
 * (api/storage-health.ts `backupSchedule`); a failure is logged and retried at the next interval.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Config } from './env.ts';
import { newestBackup } from '../db/backup.ts';
import { backupSchedule } from './storage-health.ts';

const SCRIPT = join(import.meta.dirname, '..', 'scripts', 'backup.ts');

/** Runs one backup in a child process; resolves with its JSON line, rejects with its message. */
export function runBackupChild(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SCRIPT], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-2000)));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(err.trim() || `exit ${code}`))));
  });
}

export function startBackups(deps: { config: Config; now: () => Date; log: (line: string) => void }): {
  stop(): Promise<void>;
} {
  const { config } = deps;
  const hours = config.BACKUP_EVERY_HOURS;
  if (hours <= 0 || !config.DATABASE_URL.startsWith('file:')) return { stop: async () => {} };
  const everyMs = hours * 3_600_000;
  backupSchedule.startedAt = deps.now().getTime();
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    running = runBackupChild().then(
      (line) => {
        backupSchedule.lastError = undefined;
        deps.log(line);
      },
      (err: unknown) => {
        // The message names a path or a SQLite code, never data.
        backupSchedule.lastError = (err as Error).message;
        deps.log(JSON.stringify({ t: deps.now().toISOString(), backup: 'error', message: (err as Error).message }));
      },
    );
  };
  const newest = newestBackup(config.BACKUP_DIR, deps.now());
  const first = newest === undefined || newest.ageHours >= hours ? 0 : everyMs - newest.ageHours * 3_600_000;
  let interval: NodeJS.Timeout | undefined;
  const timeout = setTimeout(() => {
    tick();
    interval = setInterval(tick, everyMs);
  }, first);
  return {
    async stop() {
      clearTimeout(timeout);
      clearInterval(interval);
      await running;
    },
  };
}
