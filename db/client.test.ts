/**
 * The database client and migrations on real temp files (docs/architecture.md §7 "libSQL facts": a
 * transaction hands its connection away, so the pragmas must be checked after one).
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, readPragmas, type Db } from './client.ts';
import { currentVersion, listMigrations, migrate } from './migrate.ts';

const MIGRATIONS = join(import.meta.dirname, 'migrations');
const EXPECTED_PRAGMAS = { journal_mode: 'wal', synchronous: 2, busy_timeout: 5000, foreign_keys: 1 };

let dir: string;
let url: string;
const opened: Db[] = [];

async function open(): Promise<Db> {
  const db = await openDb({ url });
  opened.push(db);
  return db;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gopy-db-'));
  url = `file:${join(dir, 'test.db')}`;
});
afterEach(() => {
  for (const db of opened.splice(0)) db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function seedUnitAndProcedure(db: Db): Promise<void> {
  await db.client.batch(
    [
      `INSERT INTO units (id, kind, name_vi, name_en, valid_from) VALUES ('xa-a', 'xa', 'Xã A', 'A Commune', '2025-07-01')`,
      `INSERT INTO procedures (code, name_vi, name_en, field, level, processing_days) VALUES ('1.000001', 'Thủ tục', 'Procedure', 'ho-tich', 'xa', 1)`,
    ],
    'write',
  );
}

describe('openDb pragmas', () => {
  it('opens a local file with WAL, synchronous=FULL, busy_timeout=5000 and foreign keys on', async () => {
    const db = await open();
    expect(db.isLocal).toBe(true);
    expect(await readPragmas(db.client)).toEqual(EXPECTED_PRAGMAS);
  });

  it('keeps the pragmas after a committed transaction', async () => {
    const db = await open();
    await db.client.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
    const out = await db.transaction('write', async (tx) => {
      await tx.execute({ sql: 'INSERT INTO t (v) VALUES (?)', args: ['một'] });
      const rs = await tx.execute('SELECT count(*) AS n FROM t');
      return Number(rs.rows[0]!.n);
    });
    expect(out).toBe(1);
    expect(await readPragmas(db.client)).toEqual(EXPECTED_PRAGMAS);
    const rs = await db.client.execute('SELECT v FROM t');
    expect(rs.rows.map((r) => r.v)).toEqual(['một']);
  });

  it('keeps the pragmas after a transaction that throws, and rolls it back', async () => {
    const db = await open();
    await db.client.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
    await expect(
      db.transaction('write', async (tx) => {
        await tx.execute({ sql: 'INSERT INTO t (v) VALUES (?)', args: ['hai'] });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await readPragmas(db.client)).toEqual(EXPECTED_PRAGMAS);
    const rs = await db.client.execute('SELECT count(*) AS n FROM t');
    expect(Number(rs.rows[0]!.n)).toBe(0);
    // The file is not left locked by the abandoned transaction: a second client can write.
    const other = await open();
    await other.client.execute({ sql: 'INSERT INTO t (v) VALUES (?)', args: ['ba'] });
  });

  it('never runs a statement on a connection without the pragmas, even while a transaction is open', async () => {
    const db = await open();
    await db.transaction('write', async (tx) => {
      await tx.execute('SELECT 1');
      // Either the client refuses (its single connection is held) or it answers with the settings.
      const during = await readPragmas(db.client).catch((err: unknown) => err);
      if (during instanceof Error) expect((during as Error & { code?: string }).code).toBe('TRANSACTION_ACTIVE');
      else expect(during).toEqual(EXPECTED_PRAGMAS);
    });
    for (let i = 0; i < 3; i++) expect(await readPragmas(db.client)).toEqual(EXPECTED_PRAGMAS);
  });

  it('enforces foreign keys, also after a transaction', async () => {
    const db = await open();
    await migrate(db.client);
    await seedUnitAndProcedure(db);
    await expect(
      db.client.execute(`INSERT INTO procedure_units (procedure_code, unit_id) VALUES ('1.000001', 'xa-khong-co')`),
    ).rejects.toThrow(/FOREIGN KEY/i);
    await db.transaction('read', async (tx) => tx.execute('SELECT 1'));
    await expect(
      db.client.execute(`INSERT INTO procedure_units (procedure_code, unit_id) VALUES ('9.999999', 'xa-a')`),
    ).rejects.toThrow(/FOREIGN KEY/i);
    // The valid pair is accepted, so the failures above are about the references only.
    await db.client.execute(`INSERT INTO procedure_units (procedure_code, unit_id) VALUES ('1.000001', 'xa-a')`);
    const rs = await db.client.execute('SELECT count(*) AS n FROM procedure_units');
    expect(Number(rs.rows[0]!.n)).toBe(1);
  });

  it('enforces foreign keys on a second connection to the same file', async () => {
    const first = await open();
    await migrate(first.client);
    const second = await open();
    await expect(
      second.client.execute(
        `INSERT INTO page_usefulness (procedure_code, useful, locale, created_at) VALUES ('9.999999', 1, 'vi', '2025-01-01')`,
      ),
    ).rejects.toThrow(/FOREIGN KEY/i);
  });
});

describe('migrate', () => {
  const latest = Math.max(...listMigrations().map((m) => m.version));

  it('lists the migration files in order with checksums', () => {
    const list = listMigrations();
    expect(list.length).toBeGreaterThanOrEqual(1);
    expect(list[0]!.version).toBe(1);
    expect(list.map((m) => m.version)).toEqual([...list.map((m) => m.version)].sort((a, b) => a - b));
    for (const m of list) expect(m.checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is idempotent and returns the latest version', async () => {
    const db = await open();
    expect(await migrate(db.client)).toBe(latest);
    expect(await migrate(db.client)).toBe(latest);
    expect(await currentVersion(db.client)).toBe(latest);
    const rs = await db.client.execute('SELECT count(*) AS n FROM schema_migrations');
    expect(Number(rs.rows[0]!.n)).toBe(listMigrations().length);
    const tables = await db.client.execute(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`);
    expect(tables.rows.map((r) => r.name)).toEqual(
      expect.arrayContaining(['page_usefulness', 'page_usefulness_rollup', 'procedure_units', 'procedures', 'units']),
    );
  });

  it('refuses a migration changed after it was applied', async () => {
    const db = await open();
    await migrate(db.client);
    const copy = join(dir, 'migrations');
    cpSync(MIGRATIONS, copy, { recursive: true });
    const first = listMigrations()[0]!;
    const file = join(copy, `${String(first.version).padStart(4, '0')}_${first.name}.sql`);
    writeFileSync(file, `${readFileSync(file, 'utf8')}\nCREATE INDEX edited ON units (kind);\n`);
    const changed = listMigrations(`${copy}/`);
    expect(changed[0]!.checksum).not.toBe(first.checksum);
    await expect(migrate(db.client, changed)).rejects.toThrow(/changed after it was applied/);
    // The edit was not applied either.
    const rs = await db.client.execute(`SELECT count(*) AS n FROM sqlite_master WHERE name = 'edited'`);
    expect(Number(rs.rows[0]!.n)).toBe(0);
  });

  it('applies a new migration once, in its own batch with its row', async () => {
    const db = await open();
    await migrate(db.client);
    const copy = join(dir, 'migrations');
    cpSync(MIGRATIONS, copy, { recursive: true });
    const next = String(latest + 1).padStart(4, '0');
    writeFileSync(join(copy, `${next}_extra.sql`), '-- test\nCREATE TABLE extra (id INTEGER PRIMARY KEY);\n');
    const list = listMigrations(`${copy}/`);
    expect(await migrate(db.client, list)).toBe(latest + 1);
    expect(await migrate(db.client, list)).toBe(latest + 1);
    expect(await currentVersion(db.client)).toBe(latest + 1);
  });

  it('rolls back a failing migration entirely', async () => {
    const db = await open();
    await migrate(db.client);
    const copy = join(dir, 'migrations');
    cpSync(MIGRATIONS, copy, { recursive: true });
    const next = String(latest + 1).padStart(4, '0');
    writeFileSync(
      join(copy, `${next}_broken.sql`),
      'CREATE TABLE half (id INTEGER PRIMARY KEY);\nINSERT INTO no_such_table VALUES (1);\n',
    );
    await expect(migrate(db.client, listMigrations(`${copy}/`))).rejects.toThrow();
    expect(await currentVersion(db.client)).toBe(latest);
    const rs = await db.client.execute(`SELECT count(*) AS n FROM sqlite_master WHERE name = 'half'`);
    expect(Number(rs.rows[0]!.n)).toBe(0);
  });
});

describe('two clients on one file', () => {
  it('both write; 200 interleaved inserts all land (busy_timeout)', async () => {
    const a = await open();
    await a.client.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, who TEXT NOT NULL, n INTEGER NOT NULL)');
    const b = await open();
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 100; i++) {
      writes.push(a.client.execute({ sql: 'INSERT INTO t (who, n) VALUES (?, ?)', args: ['a', i] }));
      writes.push(
        i % 2 === 0
          ? b.client.execute({ sql: 'INSERT INTO t (who, n) VALUES (?, ?)', args: ['b', i] })
          : b.client.batch([{ sql: 'INSERT INTO t (who, n) VALUES (?, ?)', args: ['b', i] }], 'write'),
      );
    }
    const results = await Promise.allSettled(writes);
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    for (const db of [a, b]) {
      const rs = await db.client.execute(
        'SELECT who, count(*) AS n, count(DISTINCT n) AS d FROM t GROUP BY who ORDER BY who',
      );
      expect(rs.rows.map((r) => [r.who, Number(r.n), Number(r.d)])).toEqual([
        ['a', 100, 100],
        ['b', 100, 100],
      ]);
    }
  });

  it('a writer waits for another process holding the write lock instead of failing', async () => {
    const a = await open();
    await a.client.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
    // The local client is synchronous: its busy wait blocks this thread, so the lock holder has to be
    // another process (as with several API processes sharing one file).
    const holder = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { createClient } from '@libsql/client';
         const c = createClient({ url: process.argv[1] });
         await c.execute('PRAGMA journal_mode = WAL');
         const tx = await c.transaction('write');
         await tx.execute("INSERT INTO t (v) VALUES ('holder')");
         process.stdout.write('locked\\n');
         await new Promise((r) => setTimeout(r, 400));
         await tx.commit();
         c.close();`,
        url,
      ],
      { cwd: join(import.meta.dirname, '..'), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise<number | null>((r) => holder.on('exit', (code) => r(code)));
    await new Promise<void>((resolve, reject) => {
      holder.stdout.on('data', (d: Buffer) => {
        if (d.toString().includes('locked')) resolve();
      });
      holder.on('exit', () => reject(new Error('holder exited before taking the lock')));
    });
    const t0 = performance.now();
    await a.client.execute({ sql: 'INSERT INTO t (v) VALUES (?)', args: ['waiter'] });
    const waited = performance.now() - t0;
    expect(await exited).toBe(0);
    // It really waited for the holder (not an unlocked file), and well within busy_timeout.
    expect(waited).toBeGreaterThan(150);
    expect(waited).toBeLessThan(5000);
    const rs = await a.client.execute('SELECT v FROM t ORDER BY id');
    expect(rs.rows.map((r) => r.v)).toEqual(['holder', 'waiter']);
  });
});
