/**
 * Backups of the embedded database (issue #9 "Backups"; how to run them: docs/operations.md).
 * A snapshot is `VACUUM INTO` on a connection of its own: one read transaction, so the copy is
 * consistent while the server keeps writing (WAL readers do not block the writer). The copy is
 * checked (integrity_check, row counts) before it counts, optionally encrypted (./backup-crypto.ts),
 * fsynced and renamed into place with mode 0600: a file named gopy-*.db[.enc] in the folder is a
 * good backup. A remote libSQL server is backed up by the server (sqld), not here.
 */
import {
  chmodSync,
  closeSync,
  copyFileSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { openDb } from './client.ts';
import { decryptFile, encryptFile, isEncrypted } from './backup-crypto.ts';

const NAME = /^gopy-(\d{8}T\d{6}(?:\d{3})?Z)\.db(\.enc)?$/;

export interface Verified {
  /** Rows of each table of the copy. */
  counts: Record<string, number>;
  /** Newest applied migration of the copy. */
  migration: number;
}

export interface BackupResult extends Verified {
  file: string;
  bytes: number;
  encrypted: boolean;
  ms: number;
  /** Older backups removed by the retention rule. */
  removed: string[];
}

export interface Retention {
  recent: number;
  daily: number;
  monthly: number;
}

/** The file of a `file:` DATABASE_URL; throws for a remote server, whose backups are its own job. */
export function localPath(url: string): string {
  if (!url.startsWith('file:'))
    throw new Error(
      'DATABASE_URL is a libSQL server: back it up on the server (sqld snapshots, docs/operations.md), not with npm run backup',
    );
  const path = url.slice('file:'.length).split('?')[0]!;
  if (!path || path === ':memory:') throw new Error('an in-memory database has nothing to back up');
  return resolve(path);
}

function stamp(at: Date): string {
  return at.toISOString().replace(/[-:]/g, '').replace('.', '');
}

function atOf(name: string): Date | undefined {
  const m = NAME.exec(name);
  if (!m) return undefined;
  const s = m[1]!;
  return new Date(
    `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(9, 11)}:${s.slice(11, 13)}:${s.slice(13, 15)}.${s.length > 16 ? s.slice(15, 18) : '000'}Z`,
  );
}

/** Backups in `dir`, newest first. */
export function listBackups(dir: string): { file: string; at: Date }[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .map((n) => ({ file: join(dir, n), at: atOf(n) }))
    .filter((b): b is { file: string; at: Date } => b.at !== undefined)
    .sort((a, b) => b.at.getTime() - a.at.getTime());
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** integrity_check and row counts of a plain SQLite file; throws when it is damaged. */
export async function verifySnapshot(file: string): Promise<Verified> {
  const db = await openDb({ url: `file:${file}` });
  try {
    const check = await db.client.execute('PRAGMA integrity_check');
    const result = check.rows.map((r) => String(Object.values(r)[0])).join('; ');
    if (result !== 'ok') throw new Error(`integrity_check of the snapshot: ${result}`);
    const tables = await db.client.execute(
      "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    );
    const counts: Record<string, number> = {};
    for (const row of tables.rows) {
      const name = String(row.name);
      const rs = await db.client.execute(`SELECT count(*) AS n FROM "${name.replace(/"/g, '""')}"`);
      counts[name] = Number(rs.rows[0]!.n);
    }
    const mig = await db.client.execute('SELECT max(version) AS v FROM schema_migrations');
    return { counts, migration: Number(mig.rows[0]!.v ?? 0) };
  } finally {
    db.close();
    // The check opened it in WAL mode: leave one self-contained file.
    for (const suffix of ['-wal', '-shm']) rmSync(file + suffix, { force: true });
  }
}

/** Which backups the retention rule keeps: the newest `recent`, and the newest of each of the last
 * `daily` days and `monthly` months (UTC). The others are returned for deletion. */
export function expired(backups: { file: string; at: Date }[], keep: Retention): string[] {
  const sorted = [...backups].sort((a, b) => b.at.getTime() - a.at.getTime());
  const kept = new Set(sorted.slice(0, keep.recent).map((b) => b.file));
  for (const [len, count] of [
    [10, keep.daily],
    [7, keep.monthly],
  ] as const) {
    const seen = new Set<string>();
    for (const b of sorted) {
      const period = b.at.toISOString().slice(0, len);
      if (seen.has(period)) continue;
      if (seen.size >= count) break;
      seen.add(period);
      kept.add(b.file);
    }
  }
  return sorted.filter((b) => !kept.has(b.file)).map((b) => b.file);
}

/**
 * Takes one checked snapshot of the database at `url` into `dir` and applies the retention rule.
 * @example
 *   await takeBackup({ url: 'file:data/gopy.db', dir: 'data/backups', keep: { recent: 24, daily: 14, monthly: 24 } });
 */
export async function takeBackup(options: {
  url: string;
  dir: string;
  key?: string | undefined;
  keep: Retention;
  now?: Date;
}): Promise<BackupResult> {
  const started = performance.now();
  const source = localPath(options.url);
  if (!existsSync(source)) throw new Error(`no database at ${source}`);
  mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  // A private work folder inside the backup folder: same filesystem, so the final rename is atomic.
  const work = mkdtempSync(join(options.dir, '.tmp-'));
  try {
    const plain = join(work, 'snapshot.db');
    const db = await openDb({ url: `file:${source}` });
    try {
      await db.client.execute({ sql: 'VACUUM INTO ?', args: [plain] });
    } finally {
      db.close();
    }
    chmodSync(plain, 0o600);
    const verified = await verifySnapshot(plain);
    const at = options.now ?? new Date();
    const encrypted = options.key !== undefined;
    const name = `gopy-${stamp(at)}.db${encrypted ? '.enc' : ''}`;
    let ready = plain;
    if (options.key !== undefined) {
      ready = join(work, 'snapshot.db.enc');
      await encryptFile(plain, ready, options.key);
    }
    chmodSync(ready, 0o600);
    fsyncPath(ready);
    const file = join(options.dir, name);
    renameSync(ready, file);
    fsyncPath(options.dir);
    const removed = expired(listBackups(options.dir), options.keep);
    for (const old of removed) rmSync(old, { force: true });
    return { ...verified, file, bytes: statSync(file).size, encrypted, ms: performance.now() - started, removed };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

// ── The running server's pid file, so a restore can refuse while it runs ───────────────────────

/** `<database file>.pid`, written by the server while it serves a local database. */
export function pidFile(url: string): string | undefined {
  try {
    return `${localPath(url)}.pid`;
  } catch {
    return undefined;
  }
}

export function writePidFile(url: string): void {
  const file = pidFile(url);
  if (file) writeFileSync(file, `${process.pid}\n`, { mode: 0o600 });
}

export function removePidFile(url: string): void {
  const file = pidFile(url);
  if (file && existsSync(file) && readFileSync(file, 'utf8').trim() === String(process.pid)) rmSync(file);
}

/** The pid of a live server on this database, or undefined (no pid file, or its process is gone). */
export function runningServer(url: string): number | undefined {
  const file = pidFile(url);
  if (!file || !existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (err) {
    // EPERM: alive but another user's.
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}

export interface RestoreResult extends Verified {
  target: string;
  /** Where the database that was there before went (kept, never deleted), if there was one. */
  previous: string | undefined;
}

/**
 * Restores a backup file into the database of `url`, which must not be served meanwhile. The
 * copy is decrypted and checked next to the target first; the existing database, if any, is
 * renamed aside (with its -wal), never deleted.
 */
export async function restoreBackup(options: {
  file: string;
  url: string;
  key?: string | undefined;
  now?: Date;
}): Promise<RestoreResult> {
  const target = localPath(options.url);
  const pid = runningServer(options.url);
  if (pid !== undefined)
    throw new Error(
      `the server (pid ${pid}) is running on ${target}: stop it first (if it is not running, delete ${pidFile(options.url)})`,
    );
  if (!existsSync(options.file)) throw new Error(`no backup file ${options.file}`);
  mkdirSync(dirname(target), { recursive: true });
  const work = mkdtempSync(join(dirname(target), '.restore-'));
  try {
    const plain = join(work, 'restored.db');
    if (isEncrypted(options.file)) {
      if (options.key === undefined) throw new Error('the backup is encrypted: set BACKUP_KEY');
      await decryptFile(options.file, plain, options.key);
    } else {
      copyFileSync(options.file, plain);
      chmodSync(plain, 0o600);
    }
    const verified = await verifySnapshot(plain);
    fsyncPath(plain);
    let previous: string | undefined;
    if (existsSync(target)) {
      previous = `${target}.before-restore-${stamp(options.now ?? new Date())}`;
      renameSync(target, previous);
      for (const suffix of ['-wal', '-shm'])
        if (existsSync(target + suffix)) renameSync(target + suffix, previous + suffix);
    }
    renameSync(plain, target);
    fsyncPath(dirname(target));
    return { ...verified, target, previous };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The newest backup in `dir` and its age in hours at `now`, if any. */
export function newestBackup(dir: string, now: Date): { file: string; ageHours: number } | undefined {
  const b = listBackups(dir)[0];
  return b ? { file: basename(b.file), ageHours: (now.getTime() - b.at.getTime()) / 3_600_000 } : undefined;
}
