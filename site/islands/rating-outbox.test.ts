/**
 * The rating page's queue on a server that cannot store (issue #9): a 503 storage_unavailable
 * keeps the rating with its Idempotency-Key, reports `storage`, and the next flush sends it with
 * the same key. The server is a real HTTP handler (the Fetch API's Response), reached through
 * `fetch`, and localStorage is a plain in-memory store as in a browser.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addPending, flushPending, readPending, sendRating } from './rating-outbox.ts';
import type { RatingInput } from '../../api/contracts/rating.ts';

const store = new Map<string, string>();
const seen: { key: string | null; status: number }[] = [];
let full = true;
const realFetch = globalThis.fetch;

beforeAll(() => {
  Object.assign(globalThis, {
    localStorage: {
      getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => void store.set(k, v),
      removeItem: (k: string) => void store.delete(k),
    },
  });
  globalThis.fetch = (async (_url: string, init: RequestInit) => {
    const key = new Headers(init.headers).get('idempotency-key');
    const status = full ? 503 : 201;
    seen.push({ key, status });
    return full
      ? new Response(JSON.stringify({ status: 503, code: 'storage_unavailable' }), {
          status,
          headers: { 'content-type': 'application/problem+json', 'retry-after': '30' },
        })
      : new Response(JSON.stringify({ id: 1, verified: true, replayed: false }), { status });
  }) as typeof fetch;
});
afterAll(() => {
  globalThis.fetch = realFetch;
});

describe('rating outbox on 503 storage_unavailable', () => {
  it('keeps the rating and sends it later with the same key', async () => {
    // A dossier token: no proof of work to solve.
    const body = {
      instrument: 'quay',
      version: 'v',
      unit: 'so-y-te',
      answers: {},
      locale: 'vi',
      token: 't',
    } as unknown as RatingInput;
    const outcome = await sendRating(body, 'key-storage-1');
    expect(outcome).toEqual({ kind: 'offline', storage: true });
    await addPending({ body, key: 'key-storage-1', createdAt: Date.now() });

    const still = await flushPending();
    expect(still).toMatchObject({ sent: [], failed: [], waiting: 1, storage: true });
    expect((await readPending()).map((p) => p.key)).toEqual(['key-storage-1']);

    full = false;
    const done = await flushPending();
    expect(done).toMatchObject({ sent: ['key-storage-1'], waiting: 0, storage: false });
    expect(await readPending()).toEqual([]);
    expect(seen.map((s) => s.key)).toEqual(['key-storage-1', 'key-storage-1', 'key-storage-1']);
    expect(seen.map((s) => s.status)).toEqual([503, 503, 201]);
  });
});
