import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from './client.ts';
import { groupCommitter } from './group-commit.ts';

let dir: string;
let db: Db;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gopy-gc-'));
  db = await openDb({ url: `file:${join(dir, 'gc.db')}` });
  await db.client.execute('CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER NOT NULL)');
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function count(): Promise<number> {
  return Number((await db.client.execute('SELECT count(*) AS n FROM t')).rows[0]!.n);
}

describe('groupCommitter', () => {
  it('joins concurrent batches into fewer transactions and commits all of them', async () => {
    const c = groupCommitter(db.client);
    let transactions = 0;
    const batch = db.client.batch.bind(db.client);
    db.client.batch = ((stmts: Parameters<typeof batch>[0], mode: Parameters<typeof batch>[1]) => {
      transactions++;
      return batch(stmts, mode);
    }) as typeof db.client.batch;
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        c.write([{ sql: 'INSERT INTO t (k, v) VALUES (?, ?)', args: [`k${i}`, i] }]),
      ),
    );
    expect(await count()).toBe(200);
    expect(transactions).toBeLessThan(200);
  });

  it('fails only the batch that breaks a constraint, keeping the others', async () => {
    const c = groupCommitter(db.client);
    const results = await Promise.allSettled([
      c.write([{ sql: 'INSERT INTO t (k, v) VALUES (?, ?)', args: ['a', 1] }]),
      c.write([{ sql: 'INSERT INTO t (k, v) VALUES (?, ?)', args: ['b', 2] }]),
      c.write([
        { sql: 'INSERT INTO t (k, v) VALUES (?, ?)', args: ['c', 3] },
        { sql: 'INSERT INTO t (k, v) VALUES (?, ?)', args: ['a', 4] },
      ]),
      c.write([{ sql: 'INSERT INTO t (k, v) VALUES (?, ?)', args: ['d', 5] }]),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    // The failed batch left nothing behind: no 'c'.
    const keys = (await db.client.execute('SELECT k FROM t ORDER BY k')).rows.map((r) => r.k);
    expect(keys).toEqual(['a', 'b', 'd']);
  });

  it('returns each caller its own results', async () => {
    const c = groupCommitter(db.client);
    const [r1, r2] = await Promise.all([
      c.write([{ sql: 'INSERT INTO t (k, v) VALUES (?, ?) RETURNING v', args: ['x', 10] }]),
      c.write([{ sql: 'INSERT INTO t (k, v) VALUES (?, ?) RETURNING v', args: ['y', 20] }]),
    ]);
    expect(r1![0]!.rows[0]!.v).toBe(10);
    expect(r2![0]!.rows[0]!.v).toBe(20);
  });
});
