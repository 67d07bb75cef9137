import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { openDb } from './client.ts';
import { oncePerDatabase } from './per-database.ts';

it('reads once per database, and reads again after a failed read', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gopy-once-'));
  const a = await openDb({ url: `file:${join(dir, 'a.db')}` });
  const b = await openDb({ url: `file:${join(dir, 'b.db')}` });
  try {
    let reads = 0;
    let fail = true;
    const read = oncePerDatabase(async () => {
      reads++;
      if (fail) throw new Error('storage fault');
      return reads;
    });
    await expect(read(a.client)).rejects.toThrow('storage fault');
    fail = false;
    expect(await read(a.client)).toBe(2); // the failure was not kept
    expect(await read(a.client)).toBe(2); // kept from now on
    expect(await read(b.client)).toBe(3); // another database reads its own
    expect(reads).toBe(3);
  } finally {
    a.close();
    b.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
