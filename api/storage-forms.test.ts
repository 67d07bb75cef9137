/**
 * The forms without JavaScript (site/lib/rate.ts, site/lib/feedback.ts; tested here because site/
 * imports only api/contracts) when the server cannot store (issue #9 "Faults"): the rating and the
 * feedback form posts reach the real API (in-process, as the pages do) over a database made
 * read-only; the API answers 503 storage_unavailable, and the page state keeps every answer and
 * the same Idempotency-Key, so pressing Send again once storage is back stores the answer once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHarness, type Harness } from './test-harness.ts';
import { handleFeedbackPost } from '../site/lib/feedback.ts';
import { handleRatingPost } from '../site/lib/rate.ts';

let h: Harness;
let api: { api(path: string, init?: RequestInit): Promise<Response> };

beforeAll(async () => {
  h = await openHarness('storage-forms');
  const app = h.app({ POW_REQUIRED: '0', RATE_LIMIT_MAX: '1000', HEALTH_MIN_FREE_MB: '1' });
  api = { api: async (path, init) => app.request(path, init) };
});
afterAll(() => h.close());

function post(fields: Record<string, string>): Request {
  return new Request('http://localhost/gop-y/', { method: 'POST', body: new URLSearchParams(fields) });
}

describe('plain forms on a read-only database', () => {
  it('keep the answers and the key, show storage_unavailable, and store once afterwards', async () => {
    const rating = {
      instrument: 'quay',
      version: h.versions.quay!,
      unit: 'so-y-te',
      locale: 'vi',
      idempotency_key: 'plain-rating-storage-1',
      'a.rating': 'hai-long',
    };
    const feedback = {
      step: 'confirm',
      idempotency_key: 'plain-feedback-storage-1',
      kind: 'phan-anh',
      subject: 'khac',
      unit: 'so-y-te',
      title: 'Chờ lâu',
      content: 'Tôi chờ hai giờ ở quầy.',
      name: 'Nguyễn Văn An',
      phone: '0901234567',
    };
    await h.db.client.execute('PRAGMA query_only = 1');
    try {
      const r = await handleRatingPost(post(rating), 'vi', api);
      expect(r).toMatchObject({
        state: {
          answers: { rating: 'hai-long' },
          problem: { status: 503, code: 'storage_unavailable' },
          key: 'plain-rating-storage-1',
        },
      });
      const f = await handleFeedbackPost(post(feedback), 'vi', api);
      expect(f).toMatchObject({
        screen: 'check',
        answers: { title: 'Chờ lâu', content: 'Tôi chờ hai giờ ở quầy.', name: 'Nguyễn Văn An' },
        key: 'plain-feedback-storage-1',
        problem: { status: 503, code: 'storage_unavailable' },
        // The API's Retry-After (30 s for a read-only or full database): the page answers 503 with
        // it and, with JavaScript, sends the kept answers again after it (site/public/feedback-resend.js).
        retryAfter: 30,
        fileNames: [],
      });
    } finally {
      await h.db.client.execute('PRAGMA query_only = 0');
    }
    expect(await h.counts(['responses', 'feedback'])).toEqual({ responses: 0, feedback: 0 });

    // Storage is back: the same posts (same keys) are stored, once each even when sent twice.
    for (let i = 0; i < 2; i++) {
      expect(await handleRatingPost(post(rating), 'vi', api)).toHaveProperty('redirect');
      expect(await handleFeedbackPost(post(feedback), 'vi', api)).toHaveProperty('receipt');
    }
    expect(await h.counts(['responses', 'feedback'])).toEqual({ responses: 1, feedback: 1 });
  });
});
