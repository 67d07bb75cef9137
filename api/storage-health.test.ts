/**
 * Storage faults through the real app over a real temp file (issue #9 "Faults"): a read-only
 * database and a lock held past busy_timeout answer 503 storage_unavailable with Retry-After and
 * write nothing; /health names the failing check and the log gets one line on entering and one
 * on leaving the degraded state. (The full disk under load: scripts/storage-fault.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, readPragmas } from '../db/client.ts';
import { storageFault } from '../db/storage-error.ts';
import { openHarness, type Harness } from './test-harness.ts';

let h: Harness;
let app: ReturnType<Harness['app']>;

beforeAll(async () => {
  h = await openHarness('storage');
  app = h.app({ POW_REQUIRED: '0', RATE_LIMIT_MAX: '1000', HEALTH_MIN_FREE_MB: '1' });
});
afterAll(() => h.close());

let n = 0;
function rate(): Promise<Response> {
  return Promise.resolve(
    app.request('/api/v1/responses', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': `storage-test-${n++}` },
      body: JSON.stringify({
        instrument: 'quay',
        version: h.versions.quay,
        unit: 'so-y-te',
        answers: { rating: 'hai-long' },
        locale: 'vi',
      }),
    }),
  );
}

async function responses(): Promise<number> {
  return (await h.counts(['responses'])).responses!;
}

describe('storageFault', () => {
  it('knows the storage codes and nothing else', () => {
    for (const code of [
      'SQLITE_FULL',
      'SQLITE_READONLY_DBMOVED',
      'SQLITE_IOERR_WRITE',
      'SQLITE_BUSY',
      'SQLITE_CANTOPEN',
    ])
      expect(storageFault({ code })?.code).toBe(code);
    expect(storageFault({ code: 'SQLITE_BUSY' })?.retryAfter).toBe(5);
    expect(storageFault(new Error('x', { cause: { code: 'ENOSPC' } }))?.code).toBe('ENOSPC');
    for (const code of ['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_ERROR', 'SQLITE_FULLX', undefined])
      expect(storageFault({ code })).toBeUndefined();
  });
});

describe('a read-only database', () => {
  it('answers 503 with Retry-After, degrades /health, logs entering and leaving once', async () => {
    expect((await rate()).status).toBe(201);
    const before = await responses();
    h.lines.length = 0;
    await h.db.client.execute('PRAGMA query_only = 1');
    try {
      for (let i = 0; i < 3; i++) {
        const res = await rate();
        expect(res.status).toBe(503);
        expect(res.headers.get('retry-after')).toBe('30');
        expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(await res.json()).toMatchObject({ status: 503, code: 'storage_unavailable' });
      }
      const health = await app.request('/api/v1/health');
      expect(health.status).toBe(503);
      expect(await health.json()).toMatchObject({
        status: 'degraded',
        database: { reachable: true },
        checks: { write_probe: { ok: false, code: 'SQLITE_READONLY' }, free_space: { ok: true } },
      });
    } finally {
      await h.db.client.execute('PRAGMA query_only = 0');
    }
    expect(await responses()).toBe(before);
    expect((await app.request('/api/v1/health')).status).toBe(200);
    expect((await rate()).status).toBe(201);
    const alerts = h.lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => 'alert' in l);
    expect(alerts).toMatchObject([
      { alert: 'storage_degraded', code: 'SQLITE_READONLY' },
      { alert: 'storage_recovered', after_s: expect.any(Number) },
    ]);
    expect(h.lines.join('\n')).not.toContain('hai-long');
  });
});

describe('a lock held past busy_timeout', () => {
  it('answers 503 with a short Retry-After and writes nothing', async () => {
    const other = await openDb({ url: h.url });
    const before = await responses();
    await other.client.execute('PRAGMA busy_timeout = 0');
    const tx = await other.client.transaction('write');
    try {
      const res = await rate();
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(await res.json()).toMatchObject({ code: 'storage_unavailable' });
    } finally {
      await tx.rollback();
      other.close();
    }
    expect(await responses()).toBe(before);
    // The connection that met the lock was replaced, with the same settings (db/client.ts reopen).
    expect(await readPragmas(h.db.client)).toMatchObject({ busy_timeout: 5000, foreign_keys: 1, journal_mode: 'wal' });
    expect((await rate()).status).toBe(201);
    expect((await rate()).status).toBe(201);
  }, 30_000);
});
