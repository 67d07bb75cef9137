/**
 * Sends a rating from the phone, and keeps it when the network is down (docs/architecture.md §4 flow 1: "if the
 * network drops, the answer waits in the browser and is sent once when back online"). The
 * Idempotency-Key goes with the waiting answer, so however often it is retried the server stores it
 * once. Open ratings (no dossier token) carry a proof of work, solved in the background with
 * altcha-lib, which is loaded only when needed so it is not part of the page's first JavaScript.
 */
import type { PowPayload, RatingInput } from '../../api/contracts/rating.ts';
import type { ProblemLike } from '../lib/rating-form.ts';

export const PENDING_KEY = 'gopy.pendingRatings';

/** A rating waiting for the network. No name or phone is ever part of a rating. */
export interface PendingRating {
  body: RatingInput;
  key: string;
  createdAt: number;
}

/** `offline` with `storage`: the server answered 503 storage_unavailable (issue #9): it is up but
 * cannot store answers for the moment; the rating waits and is retried like an offline one. */
export type Outcome =
  { kind: 'ok' } | { kind: 'offline'; storage?: boolean } | { kind: 'problem'; problem: ProblemLike };

// ── Waiting ratings ──────────────────────────────────────────────────────────────────────────────
// In IndexedDB, so the service worker (site/sw/service-worker.ts) reads the same queue and sends it
// when any page of the site is next opened (issue #11 part 5): a service worker has no
// localStorage. Where IndexedDB is missing or refused (some private modes), localStorage keeps the
// queue for the rating pages alone, as before.

const DB_NAME = 'gopy';
const STORE = 'pendingRatings';

let opening: Promise<IDBDatabase | undefined> | undefined;

function openDb(): Promise<IDBDatabase | undefined> {
  opening ??= new Promise<IDBDatabase | undefined>((resolve) => {
    if (typeof indexedDB === 'undefined') return resolve(undefined);
    try {
      const req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'key' });
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => resolve(undefined);
      req.onblocked = () => resolve(undefined);
    } catch {
      resolve(undefined);
    }
  });
  return opening;
}

function inStore<T>(db: IDBDatabase, mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const req = fn(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(req.result);
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB'));
  });
}

function readLocal(): PendingRating[] {
  try {
    if (typeof localStorage === 'undefined') return [];
    const list = JSON.parse(localStorage.getItem(PENDING_KEY) ?? '[]') as unknown;
    return Array.isArray(list) ? (list as PendingRating[]).filter((p) => p && typeof p.key === 'string') : [];
  } catch {
    return []; // storage blocked or damaged: nothing to resend
  }
}

function writeLocal(list: PendingRating[]): void {
  try {
    if (typeof localStorage === 'undefined') return;
    if (list.length === 0) localStorage.removeItem(PENDING_KEY);
    else localStorage.setItem(PENDING_KEY, JSON.stringify(list));
  } catch {
    // Private mode or full storage: the answer cannot wait; the status still tells the citizen.
  }
}

let moved = false;
/** Ratings queued in localStorage by an earlier version of the page move to IndexedDB once. */
async function moveLocal(db: IDBDatabase): Promise<void> {
  if (moved) return;
  moved = true;
  const old = readLocal();
  if (old.length === 0) return;
  for (const item of old) await inStore(db, 'readwrite', (s) => s.put(item));
  writeLocal([]);
}

export async function readPending(): Promise<PendingRating[]> {
  const db = await openDb();
  if (!db) return readLocal();
  try {
    await moveLocal(db);
    const all = await inStore<PendingRating[]>(db, 'readonly', (s) => s.getAll() as IDBRequest<PendingRating[]>);
    return all.filter((p) => p && typeof p.key === 'string');
  } catch {
    return [];
  }
}

export async function addPending(item: PendingRating): Promise<void> {
  const db = await openDb();
  if (!db) return writeLocal([...readLocal().filter((p) => p.key !== item.key), item]);
  try {
    await inStore(db, 'readwrite', (s) => s.put(item));
  } catch {
    // Full or refused storage: the answer cannot wait; the status still tells the citizen.
  }
}

export async function removePending(key: string): Promise<void> {
  const db = await openDb();
  if (!db) return writeLocal(readLocal().filter((p) => p.key !== key));
  try {
    await inStore(db, 'readwrite', (s) => s.delete(key));
  } catch {
    // Left in the queue: sent again later with the same key, which the server stores once.
  }
}

// ── Proof of work ────────────────────────────────────────────────────────────────────────────────

let solving: Promise<PowPayload> | undefined;

/** Fetches a challenge and solves it; a solved, unused one is kept for the next submission. */
export function preparePow(): Promise<PowPayload> {
  if (!solving) {
    solving = (async () => {
      const res = await fetch('/api/v1/pow/challenge', { cache: 'no-store', headers: { accept: 'application/json' } });
      if (!res.ok) throw new Error(`challenge ${res.status}`);
      const challenge = (await res.json()) as PowPayload['challenge'];
      const [{ solveChallenge }, { deriveKey }] = await Promise.all([
        import('altcha-lib'),
        import('altcha-lib/algorithms/web/sha'),
      ]);
      const solution = await solveChallenge({
        challenge: challenge as unknown as Parameters<typeof solveChallenge>[0]['challenge'],
        deriveKey,
      });
      if (!solution) throw new Error('challenge not solved');
      return { challenge, solution };
    })();
    // A failure (offline, timeout) must not stick: the next call starts again.
    solving.catch(() => (solving = undefined));
  }
  return solving;
}

function usedPow(): void {
  solving = undefined;
}

// ── Sending ──────────────────────────────────────────────────────────────────────────────────────

const POW_CODES = new Set(['pow_required', 'pow_invalid', 'pow_replayed']);

async function readProblem(res: Response): Promise<ProblemLike> {
  try {
    const p = (await res.json()) as ProblemLike;
    if (p && typeof p.code === 'string') return { ...p, status: res.status };
  } catch {
    // not JSON
  }
  return { status: res.status, code: res.status === 429 ? 'rate_limited' : 'internal_error' };
}

/**
 * Posts one rating. `offline` means it did not reach the server (no network, or a server error):
 * keep it and try again later. A refused proof of work is replaced and the rating resent, with the
 * same key.
 */
export async function sendRating(body: RatingInput, key: string, onSolved?: () => void): Promise<Outcome> {
  for (let attempt = 0; attempt < 3; attempt++) {
    let pow: PowPayload | undefined;
    if (!body.token) {
      try {
        pow = await preparePow();
      } catch {
        return { kind: 'offline' };
      }
    }
    onSolved?.();
    let res: Response;
    try {
      res = await fetch('/api/v1/responses', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'idempotency-key': key },
        body: JSON.stringify(pow ? { ...body, pow } : body),
      });
    } catch {
      return { kind: 'offline' };
    }
    if (res.status >= 500)
      return {
        kind: 'offline',
        storage: res.status === 503 && (await readProblem(res)).code === 'storage_unavailable',
      };
    if (res.ok) {
      usedPow();
      return { kind: 'ok' };
    }
    const problem = await readProblem(res);
    if (POW_CODES.has(problem.code)) {
      usedPow();
      continue;
    }
    return { kind: 'problem', problem };
  }
  return { kind: 'problem', problem: { code: 'pow_invalid' } };
}

let flushing: Promise<FlushResult> | undefined;

export interface FlushResult {
  sent: string[];
  failed: { key: string; problem: ProblemLike }[];
  waiting: number;
  /** The last attempt met 503 storage_unavailable (the server is up, its storage is not). */
  storage: boolean;
}

/**
 * Tries every waiting rating once, oldest first; stops at the first one that still cannot reach the
 * server. A rating the server refuses for good (not a rate limit) is dropped and reported.
 */
export function flushPending(): Promise<FlushResult> {
  flushing ??= (async () => {
    const result: FlushResult = { sent: [], failed: [], waiting: 0, storage: false };
    for (const item of (await readPending()).sort((a, b) => a.createdAt - b.createdAt)) {
      const outcome = await sendRating(item.body, item.key);
      if (outcome.kind === 'offline') {
        result.storage = outcome.storage === true;
        break;
      }
      if (outcome.kind === 'ok') {
        await removePending(item.key);
        result.sent.push(item.key);
      } else if (outcome.problem.code !== 'rate_limited') {
        await removePending(item.key);
        result.failed.push({ key: item.key, problem: outcome.problem });
      }
    }
    result.waiting = (await readPending()).length;
    return result;
  })().finally(() => (flushing = undefined));
  return flushing;
}

/**
 * Retries waiting ratings now (a page of the rating service has just loaded), when the browser comes
 * back online, and every 30 s while any wait. Call `arm()` after adding one.
 */
export function keepFlushing(onResult: (r: FlushResult) => void): { arm(): void; stop(): void } {
  let timer: ReturnType<typeof setInterval> | undefined;
  const disarm = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
  };
  const arm = () => {
    void readPending().then((list) => {
      if (!timer && list.length > 0) timer = setInterval(run, 30_000);
    });
  };
  function run(): void {
    void readPending().then((list) => {
      if (list.length === 0) {
        // Nothing waits, perhaps because the service worker sent it meanwhile: say so.
        onResult({ sent: [], failed: [], waiting: 0, storage: false });
        return disarm();
      }
      void flushPending().then((r) => {
        onResult(r);
        if (r.waiting === 0) disarm();
        else arm();
      });
    });
  }
  window.addEventListener('online', run);
  run();
  arm();
  return {
    arm,
    stop() {
      window.removeEventListener('online', run);
      disarm();
    },
  };
}

// ── The service worker ───────────────────────────────────────────────────────────────────────────

/** The Background Sync tag under which the service worker sends the queue. */
export const SYNC_TAG = 'gopy-ratings';

/**
 * Registers the service worker that sends waiting ratings from any page of the site (issue #11
 * part 5). Only the rating pages call this: content pages ship no JavaScript, yet once registered
 * the worker hears every navigation on the site. Resolves whether it is active.
 */
export async function registerOutboxWorker(): Promise<boolean> {
  if (!('serviceWorker' in navigator)) return false;
  try {
    await navigator.serviceWorker.register('/sw.js', { scope: '/' });
    await navigator.serviceWorker.ready;
    return true;
  } catch {
    return false; // blocked (private mode, policy): the rating pages still send the queue themselves
  }
}

/** Asks for a Background Sync when the browser has it (Chromium); elsewhere the next page visit sends. */
export async function requestOutboxSync(): Promise<void> {
  try {
    const reg = (await navigator.serviceWorker?.ready) as
      (ServiceWorkerRegistration & { sync?: { register(tag: string): Promise<void> } }) | undefined;
    await reg?.sync?.register(SYNC_TAG);
  } catch {
    // No Background Sync, or refused: the next visit to any page sends the queue.
  }
}
