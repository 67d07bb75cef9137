/**
 * Backups on real temp files (issue #9 "Backups"): a snapshot is checked, private (0600), plain or
 * AES-256-GCM; a wrong key or a changed byte is refused; the retention rule keeps recent, daily
 * and monthly copies; a restore refuses while a live server holds the pid file.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from './client.ts';
import { migrate } from './migrate.ts';
import { expired, listBackups, localPath, pidFile, restoreBackup, runningServer, takeBackup } from './backup.ts';
import { isEncrypted } from './backup-crypto.ts';

const KEEP = { recent: 24, daily: 14, monthly: 24 };
let tmp: string;
let url: string;
let db: Db;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'gopy-backup-'));
  url = `file:${join(tmp, 'live.db')}`;
  db = await openDb({ url });
  await migrate(db.client);
  await db.client.execute('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  for (let i = 0; i < 50; i++) await db.client.execute({ sql: 'INSERT INTO notes (body) VALUES (?)', args: [`n${i}`] });
});

afterAll(() => {
  db.close();
  rmSync(tmp, { recursive: true, force: true });
});

async function notesIn(file: string): Promise<number> {
  const copy = await openDb({ url: `file:${file}` });
  try {
    return Number((await copy.client.execute('SELECT count(*) AS n FROM notes')).rows[0]!.n);
  } finally {
    copy.close();
  }
}

describe('takeBackup', () => {
  it('writes a checked plain snapshot with mode 0600 while the database is open', async () => {
    const dir = join(tmp, 'plain');
    const r = await takeBackup({ url, dir, keep: KEEP });
    expect(r.encrypted).toBe(false);
    expect(r.counts.notes).toBe(50);
    expect(r.migration).toBeGreaterThan(0);
    expect(statSync(r.file).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(readFileSync(r.file).subarray(0, 15).toString()).toBe('SQLite format 3');
    expect(await notesIn(r.file)).toBe(50);
    // No work files left behind.
    expect(listBackups(dir).map((b) => b.file)).toEqual([r.file]);
  });

  it('encrypts with a raw key and with a passphrase; a wrong key or a changed byte is refused', async () => {
    for (const key of [randomBytes(32).toString('hex'), randomBytes(32).toString('base64'), 'a long passphrase 1234']) {
      const dir = mkdtempSync(join(tmp, 'enc-'));
      const r = await takeBackup({ url, dir, key, keep: KEEP });
      expect(r.encrypted).toBe(true);
      expect(r.file).toMatch(/\.db\.enc$/);
      expect(isEncrypted(r.file)).toBe(true);
      expect(readFileSync(r.file).includes(Buffer.from('SQLite format 3'))).toBe(false);

      const target = `file:${join(dir, 'restored.db')}`;
      await expect(restoreBackup({ file: r.file, url: target })).rejects.toThrow(/BACKUP_KEY/);
      await expect(restoreBackup({ file: r.file, url: target, key: 'another passphrase 1234' })).rejects.toThrow();
      const bytes = readFileSync(r.file);
      bytes[bytes.length - 40]! ^= 1;
      writeFileSync(join(dir, 'tampered.enc'), bytes);
      await expect(restoreBackup({ file: join(dir, 'tampered.enc'), url: target, key })).rejects.toThrow(/decrypt/);
      expect(existsSync(localPath(target))).toBe(false);

      const restored = await restoreBackup({ file: r.file, url: target, key });
      expect(restored.counts.notes).toBe(50);
      expect(restored.previous).toBeUndefined();
      expect(await notesIn(localPath(target))).toBe(50);
    }
  });

  it('refuses a remote libSQL server with a clear message', async () => {
    await expect(takeBackup({ url: 'libsql://db.example:8080', dir: join(tmp, 'x'), keep: KEEP })).rejects.toThrow(
      /sqld/,
    );
  });
});

describe('retention', () => {
  it('keeps the newest N, the newest of each recent day and of each recent month', () => {
    // One backup an hour for 90 days.
    const end = Date.parse('2026-12-07T12:00:00Z');
    const all = Array.from({ length: 90 * 24 }, (_, i) => ({ file: `f${i}`, at: new Date(end - i * 3_600_000) }));
    const gone = new Set(expired(all, { recent: 24, daily: 7, monthly: 3 }));
    const kept = all.filter((b) => !gone.has(b.file)).map((b) => b.at.toISOString());
    const newestOf = (prefix: string) => all.find((b) => b.at.toISOString().startsWith(prefix))!.at.toISOString();
    const expected = new Set([
      ...all.slice(0, 24).map((b) => b.at.toISOString()),
      ...['07', '06', '05', '04', '03', '02', '01'].map((d) => newestOf(`2026-12-${d}`)),
      newestOf('2026-12'),
      newestOf('2026-11'),
      newestOf('2026-10'),
    ]);
    expect(new Set(kept)).toEqual(expected);
    expect(kept).toHaveLength(24 + 5 + 2);
  });
});

describe('restoreBackup', () => {
  it('refuses while the pid file names a live process, and keeps the previous database aside', async () => {
    const dir = join(tmp, 'restore');
    const r = await takeBackup({ url, dir, keep: KEEP });
    const target = `file:${join(dir, 'installed.db')}`;
    writeFileSync(localPath(target), 'old database');
    writeFileSync(pidFile(target)!, `${process.pid}\n`);
    expect(runningServer(target)).toBe(process.pid);
    await expect(restoreBackup({ file: r.file, url: target })).rejects.toThrow(/is running/);
    expect(readFileSync(localPath(target), 'utf8')).toBe('old database');

    // A pid file left by a crashed server (no such process) does not block.
    writeFileSync(pidFile(target)!, '999999999\n');
    expect(runningServer(target)).toBeUndefined();
    const restored = await restoreBackup({ file: r.file, url: target });
    expect(restored.counts.notes).toBe(50);
    expect(readFileSync(restored.previous!, 'utf8')).toBe('old database');
    expect(await notesIn(localPath(target))).toBe(50);
  });

  it('refuses a damaged plain backup before touching the installation', async () => {
    const dir = join(tmp, 'damaged');
    const r = await takeBackup({ url, dir, keep: KEEP });
    const bytes = readFileSync(r.file);
    bytes.fill(0x41, 4096, 8192);
    writeFileSync(r.file, bytes);
    const target = `file:${join(dir, 'installed.db')}`;
    writeFileSync(localPath(target), 'old database');
    await expect(restoreBackup({ file: r.file, url: target })).rejects.toThrow();
    expect(readFileSync(localPath(target), 'utf8')).toBe('old database');
  });
});
