/**
 * Sends a rating from the phone, and keeps it when the network is down (DESIGN §4 flow 1: "if the
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

// ── Waiting ratings in localStorage ──────────────────────────────────────────────────────────────

export function readPending(): PendingRating[] {
  try {
    const list = JSON.parse(localStorage.getItem(PENDING_KEY) ?? '[]') as unknown;
    return Array.isArray(list) ? (list as PendingRating[]).filter((p) => p && typeof p.key === 'string') : [];
  } catch {
    return []; // storage blocked or damaged: nothing to resend
  }
}

function writePending(list: PendingRating[]): void {
  try {
    if (list.length === 0) localStorage.removeItem(PENDING_KEY);
    else localStorage.setItem(PENDING_KEY, JSON.stringify(list));
  } catch {
    // Private mode or full storage: the answer cannot wait; the status still tells the citizen.
  }
}

export function addPending(item: PendingRating): void {
  writePending([...readPending().filter((p) => p.key !== item.key), item]);
}

export function removePending(key: string): void {
  writePending(readPending().filter((p) => p.key !== key));
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
    for (const item of readPending().sort((a, b) => a.createdAt - b.createdAt)) {
      const outcome = await sendRating(item.body, item.key);
      if (outcome.kind === 'offline') {
        result.storage = outcome.storage === true;
        break;
      }
      if (outcome.kind === 'ok') {
        removePending(item.key);
        result.sent.push(item.key);
      } else if (outcome.problem.code !== 'rate_limited') {
        removePending(item.key);
        result.failed.push({ key: item.key, problem: outcome.problem });
      }
    }
    result.waiting = readPending().length;
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
    if (!timer && readPending().length > 0) timer = setInterval(run, 30_000);
  };
  function run(): void {
    if (readPending().length === 0) return disarm();
    void flushPending().then((r) => {
      onResult(r);
      if (r.waiting === 0) disarm();
      else arm();
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
