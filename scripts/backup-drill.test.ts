/**
 * The restore drill (issue #9 "Backups"), end to end with the real commands: the real server
 * (scripts/bench-server.ts) takes a stream of ratings and feedback while `npm run backup`
 * (scripts/backup.ts, encrypted with BACKUP_KEY) snapshots its database; `npm run restore`
 * refuses the live installation, then restores into a new folder; a server started there replays
 * every rating and case acknowledged before the snapshot began under the id it was acknowledged
 * with; the rollups equal a rebuild from the answers and the audit log is whole and append-only.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from '../db/client.ts';
import { loadContent } from '../api/contracts/load-content.ts';
import { instrumentVersion } from '../api/contracts/instrument.ts';
import { rebuildRatingRollups } from '../api/ratings/rebuild.ts';
import { runBackupChild } from '../api/backup-schedule.ts';
import { LOAD_TEST_ENV, startServerChild, stopServerChild, type ServerChild } from './server-child.ts';

const UNITS = ['phuong-ninh-hoa', 'so-y-te', 'trung-tam-hcc-khanh-hoa', 'so-tai-chinh'];
const RATINGS = ['rat-hai-long', 'hai-long', 'binh-thuong', 'khong-hai-long'];
const quay = loadContent(join(import.meta.dirname, '..', 'content')).instruments.find((i) => i.id === 'quay')!;
const version = instrumentVersion(quay);

interface Item {
  path: 'responses' | 'feedback';
  key: string;
  body: string;
  acked?: string;
  ackedAt?: number;
}

function item(i: number): Item {
  const unit = UNITS[i % UNITS.length]!;
  if (i % 5 === 4)
    return {
      path: 'feedback',
      key: `drill-feedback-${i}`,
      body: JSON.stringify({
        kind: 'kien-nghi',
        subject: 'khac',
        unit,
        title: `Kiến nghị số ${i}`,
        content: 'Nội dung kiến nghị gửi trong lúc sao lưu cơ sở dữ liệu.',
        name: 'Người gửi thử',
        phone: '0901234567',
        publish_content: false,
      }),
    };
  return {
    path: 'responses',
    key: `drill-rating-${i}`,
    body: JSON.stringify({
      instrument: 'quay',
      version,
      unit,
      answers: { rating: RATINGS[i % RATINGS.length] },
      locale: 'vi',
    }),
  };
}

async function send(url: string, it: Item): Promise<{ status: number; id: string; replayed: boolean }> {
  const res = await fetch(`${url}api/v1/${it.path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': it.key },
    body: it.body,
  });
  const body = (await res.json()) as { id?: number; tracking_code?: string; replayed?: boolean };
  return { status: res.status, id: String(body.id ?? body.tracking_code), replayed: body.replayed === true };
}

const run = (script: string, args: string[], env: Record<string, string>) =>
  spawnSync(process.execPath, [join(import.meta.dirname, script), ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });

describe('backup under load, restore into a new folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gopy-drill-'));
  const liveUrl = `file:${join(dir, 'live', 'gopy.db')}`;
  const restoredUrl = `file:${join(dir, 'restored', 'gopy.db')}`;
  const backupDir = join(dir, 'backups');
  const key = randomBytes(32).toString('base64');
  let live: ServerChild | undefined;
  let restored: ServerChild | undefined;

  afterAll(async () => {
    for (const s of [live, restored]) if (s) await stopServerChild(s, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('restores every acknowledged row that preceded the snapshot', async () => {
    const env = { ...LOAD_TEST_ENV, DATABASE_URL: liveUrl, BACKUP_DIR: backupDir, BACKUP_KEY: key };
    // A staff account first: its creation is in the audit log.
    const staff = run('staff.ts', ['create', 'drill-admin', 'Quản trị thử', 'admin:khanh-hoa'], env);
    expect(staff.status, staff.stderr).toBe(0);
    live = await startServerChild(env);

    const items = Array.from({ length: 600 }, (_, i) => item(i));
    let next = 0;
    let acked = 0;
    let failure: string | undefined;
    const client = async () => {
      while (next < items.length) {
        const it = items[next++]!;
        const r = await send(live!.url, it);
        if (r.status !== 201) {
          failure = `${it.key}: HTTP ${r.status}`;
          throw new Error(failure);
        }
        it.acked = r.id;
        it.ackedAt = performance.now();
        acked++;
      }
    };
    const clients = Promise.all(Array.from({ length: 4 }, client));
    clients.catch(() => undefined);
    while (acked < 200 && !failure) await new Promise((r) => setTimeout(r, 5));
    expect(failure).toBeUndefined();
    const backupStarted = performance.now();
    const line = JSON.parse(await runBackupChild({ ...process.env, ...env })) as { file: string; rows: number };
    const backupEnded = performance.now();
    await clients;
    const before = items.filter((i) => i.ackedAt! < backupStarted);
    const during = items.filter((i) => i.ackedAt! >= backupStarted && i.ackedAt! <= backupEnded);
    expect(before.length).toBeGreaterThanOrEqual(200);
    expect(statSync(line.file).mode & 0o777).toBe(0o600);

    // The server runs: a restore over its database is refused and changes nothing.
    const refused = run('restore.ts', [line.file], env);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/is running/);

    const done = run('restore.ts', [line.file], { ...env, DATABASE_URL: restoredUrl });
    expect(done.status, done.stderr).toBe(0);
    expect(done.stdout).toMatch(/integrity:\s+ok/);

    restored = await startServerChild({ ...env, DATABASE_URL: restoredUrl });
    const health = await fetch(`${restored.url}api/v1/health`);
    expect(health.status).toBe(200);
    let replayed = 0;
    for (const it of before) {
      const r = await send(restored.url, it);
      expect([r.status, r.replayed, r.id], it.key).toEqual([200, true, it.acked]);
      replayed++;
    }
    await stopServerChild(restored);
    restored = undefined;
    await stopServerChild(live);
    live = undefined;

    // Rollups of the copy equal a rebuild from its answers; the audit log is the live one, append-only.
    const copy = await openDb({ url: restoredUrl });
    const source = await openDb({ url: liveUrl });
    try {
      const dump = async (t: string) =>
        JSON.stringify((await copy.client.execute(`SELECT * FROM ${t} ORDER BY 1, 2, 3, 4, 5, 6, 7`)).rows);
      const rollups = [await dump('rating_rollups'), await dump('rating_rollups_month')];
      await rebuildRatingRollups(copy);
      expect([await dump('rating_rollups'), await dump('rating_rollups_month')]).toEqual(rollups);
      const audit = async (db: typeof copy) =>
        JSON.stringify((await db.client.execute('SELECT * FROM audit_log ORDER BY id')).rows);
      expect(await audit(copy)).toEqual(await audit(source));
      expect(JSON.parse(await audit(copy))).not.toHaveLength(0);
      await expect(copy.client.execute('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
      const integrity = await copy.client.execute('PRAGMA integrity_check');
      expect(String(Object.values(integrity.rows[0]!)[0])).toBe('ok');
    } finally {
      copy.close();
      source.close();
    }
    console.log(
      `backup drill: ${items.length} sent, ${before.length} acknowledged before the snapshot (all ${replayed} found after restore), ${during.length} during it; backup ${Math.round(backupEnded - backupStarted)} ms`,
    );
  }, 180_000);
});
