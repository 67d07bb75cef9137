/**
 * Whether the portal can keep what it acknowledges (issue #9 "Faults"): the database answers, a
 * write reaches it (a probe), its filesystem has room, and the newest backup is recent. The health
 * route reports these checks; a storage error met by any request (api/app.ts onError) marks the
 * database degraded at once. Entering and leaving the degraded state each log one alert line
 * (codes and check names only, no data); while degraded, a timer probes until the checks pass, so
 * the "recovered" line comes without anyone calling /health.
 */
import { existsSync, statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Deps } from './app-env.ts';
import { currentVersion } from '../db/migrate.ts';
import { storageFault } from '../db/storage-error.ts';
import { localPath, newestBackup } from '../db/backup.ts';

export interface HealthChecks {
  database: { ok: boolean };
  write_probe: { ok: boolean; code: string | null };
  free_space: { ok: boolean; free_mb: number | null; min_mb: number };
  backup_age_hours: { ok: boolean; value: number | null; max: number | null };
}

export interface HealthReport {
  status: 'ok' | 'degraded';
  database: { reachable: boolean; migration: number | null };
  checks: HealthChecks;
}

interface State {
  degraded: boolean;
  since: number;
  timer: NodeJS.Timeout | undefined;
}
const states = new WeakMap<object, State>();
function stateOf(deps: Deps): State {
  let s = states.get(deps.db);
  if (!s) {
    s = { degraded: false, since: 0, timer: undefined };
    states.set(deps.db, s);
  }
  return s;
}

/** What the backup scheduler of this process last saw (api/backup-schedule.ts), for the backup check. */
export const backupSchedule: { startedAt: number | undefined; lastError: string | undefined } = {
  startedAt: undefined,
  lastError: undefined,
};

const RECHECK_MS = 5_000;

function alert(deps: Deps, state: State, degraded: boolean, detail: Record<string, unknown>): void {
  if (state.degraded === degraded) return;
  state.degraded = degraded;
  const now = deps.now();
  const line: Record<string, unknown> = {
    t: now.toISOString(),
    alert: degraded ? 'storage_degraded' : 'storage_recovered',
    ...detail,
  };
  if (!degraded) line.after_s = Math.round((now.getTime() - state.since) / 1000);
  state.since = now.getTime();
  deps.log(JSON.stringify(line));
  if (degraded && !state.timer) {
    state.timer = setInterval(() => void checkHealth(deps).catch(() => undefined), RECHECK_MS);
    state.timer.unref();
  }
  if (!degraded && state.timer) {
    clearInterval(state.timer);
    state.timer = undefined;
  }
}

const reopening = new WeakMap<object, Promise<void>>();
/** A lock error leaves the connection unusable (db/client.ts `reopen`): one reopen at a time. */
function reopenAfter(deps: Deps, code: string): Promise<void> {
  if (!/BUSY|LOCKED/.test(code)) return Promise.resolve();
  let p = reopening.get(deps.db);
  if (!p) {
    p = deps.db
      .reopen()
      .catch(() => undefined)
      .finally(() => reopening.delete(deps.db));
    reopening.set(deps.db, p);
  }
  return p;
}

/** Called by the error handler when a request met a storage fault. */
export async function noteStorageFault(deps: Deps, code: string): Promise<void> {
  alert(deps, stateOf(deps), true, { failing: ['write_probe'], code });
  await reopenAfter(deps, code);
}

function freeMb(url: string): number | null {
  try {
    // The database's folder, or its nearest existing parent (a fresh install before the first start).
    let dir = dirname(localPath(url));
    while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
    const s = statfsSync(dir);
    return Math.floor((s.bavail * s.bsize) / (1024 * 1024));
  } catch {
    return null;
  }
}

/** Runs the checks, logs a change of state, and returns the report the health route sends. */
export async function checkHealth(deps: Deps): Promise<HealthReport> {
  const { db, config } = deps;
  let migration: number | null = null;
  let reachable = true;
  try {
    migration = await currentVersion(db.client);
  } catch {
    reachable = false;
  }
  // A write that changes nothing but must reach the file: SQLite writes the page (and syncs) even
  // when the value is the same, so a full disk or a read-only file fails it.
  let probeCode: string | null = null;
  if (reachable) {
    try {
      await db.client.batch(
        [
          'UPDATE schema_migrations SET applied_at = applied_at WHERE version = (SELECT max(version) FROM schema_migrations)',
        ],
        'write',
      );
    } catch (err) {
      probeCode = storageFault(err)?.code ?? 'error';
      await reopenAfter(deps, probeCode);
    }
  }
  const local = config.DATABASE_URL.startsWith('file:');
  const free = local ? freeMb(config.DATABASE_URL) : null;
  const freeOk = free === null || free >= config.HEALTH_MIN_FREE_MB;

  // Backups are checked where this process schedules them (npm start): the newest good one must be
  // younger than two intervals, and the last attempt must have worked.
  const every = config.BACKUP_EVERY_HOURS;
  const newest = local ? newestBackup(config.BACKUP_DIR, deps.now()) : undefined;
  const age = newest ? Math.round(newest.ageHours * 100) / 100 : null;
  const max = every > 0 && local ? 2 * every : null;
  let backupOk = true;
  if (max !== null && backupSchedule.startedAt !== undefined) {
    const since = (deps.now().getTime() - backupSchedule.startedAt) / 3_600_000;
    backupOk = backupSchedule.lastError === undefined && (age ?? since) <= max;
  }

  const checks: HealthChecks = {
    database: { ok: reachable },
    write_probe: { ok: reachable && probeCode === null, code: probeCode },
    free_space: { ok: freeOk, free_mb: free, min_mb: config.HEALTH_MIN_FREE_MB },
    backup_age_hours: { ok: backupOk, value: age, max },
  };
  const failing = Object.entries(checks)
    .filter(([, c]) => !c.ok)
    .map(([name]) => name);
  const degraded = failing.length > 0;
  alert(deps, stateOf(deps), degraded, degraded ? { failing, ...(probeCode ? { code: probeCode } : {}) } : {});
  return {
    status: degraded ? 'degraded' : 'ok',
    database: { reachable, migration: reachable ? migration : null },
    checks,
  };
}
