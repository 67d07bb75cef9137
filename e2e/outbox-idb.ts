/**
 * The rating outbox as the browser keeps it (site/islands/rating-outbox.ts): IndexedDB database
 * "gopy", store "pendingRatings", one record per waiting rating keyed by its Idempotency-Key.
 */
import type { Page } from '@playwright/test';

export interface Waiting {
  key: string;
  body: Record<string, unknown>;
}

/** The ratings waiting in this browser profile, read from any page of the site. */
export function waitingRatings(page: Page): Promise<Waiting[]> {
  return page.evaluate(
    () =>
      new Promise<Waiting[]>((resolve, reject) => {
        const open = indexedDB.open('gopy', 1);
        open.onupgradeneeded = () => open.result.createObjectStore('pendingRatings', { keyPath: 'key' });
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const req = open.result.transaction('pendingRatings').objectStore('pendingRatings').getAll();
          req.onsuccess = () => {
            open.result.close();
            resolve(req.result as Waiting[]);
          };
          req.onerror = () => reject(req.error);
        };
      }),
  );
}
