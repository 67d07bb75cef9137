/**
 * The service worker of the rating outbox (issue #11 part 5): a rating kept while offline is sent
 * when any page of the site is next opened, or by Background Sync where the browser has it, even
 * after the rating tab was closed. Only the rating pages register it (site/islands/rating-outbox.ts
 * `registerOutboxWorker`); content pages still ship no JavaScript of their own. It reads the queue
 * the rating page writes (IndexedDB) and sends each rating with the Idempotency-Key it was given
 * when first sent, so a rating sent by the page and by this worker at once is still stored once.
 *
 * It caches nothing and answers no request: pages and files come from the network as without it.
 * Built by scripts/site-build.ts into /sw.js (a worker's scope cannot be wider than its folder).
 */
import { SYNC_TAG, flushPending, readPending } from '../islands/rating-outbox.ts';

/** The parts of the service-worker scope used here (the WebWorker lib clashes with the DOM lib). */
interface ExtendableEvent extends Event {
  waitUntil(p: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  request: Request;
}
interface SyncEvent extends ExtendableEvent {
  tag: string;
}
interface WorkerScope {
  addEventListener(type: 'install' | 'activate', fn: (e: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', fn: (e: FetchEvent) => void): void;
  addEventListener(type: 'sync', fn: (e: SyncEvent) => void): void;
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
  location: Location;
}
const scope = self as unknown as WorkerScope;

/** Sends what waits; quietly, since no page may be there to tell. */
async function send(): Promise<number> {
  if ((await readPending()).length === 0) return 0;
  const r = await flushPending();
  return r.waiting;
}

scope.addEventListener('install', (e) => e.waitUntil(scope.skipWaiting()));
scope.addEventListener('activate', (e) => e.waitUntil(scope.clients.claim().then(() => send())));

// Any page of the site opened: send the queue beside it. No respondWith: the page loads as usual.
scope.addEventListener('fetch', (e) => {
  if (e.request.mode !== 'navigate' || new URL(e.request.url).origin !== scope.location.origin) return;
  e.waitUntil(send().catch(() => undefined));
});

// Background Sync: a rejected promise tells the browser to try again later.
scope.addEventListener('sync', (e) => {
  if (e.tag !== SYNC_TAG) return;
  e.waitUntil(
    send().then((waiting) => {
      if (waiting > 0) throw new Error('ratings still waiting');
    }),
  );
});
