/**
 * Caching headers on the real built site and server (issue #9; docs/performance.md "Public response
 * cache"): the statistics and published-answer pages are public with a strong ETag (304 on
 * If-None-Match) and say when they were computed; staff, tracking and form pages are no-store.
 */
import { test, expect } from '@playwright/test';

test('public pages revalidate with an ETag and state their freshness; private pages are no-store', async ({
  request,
  page,
}) => {
  for (const path of ['/thong-ke/?thoi-gian=2025', '/en/statistics/?thoi-gian=2025', '/cong-khai/', '/en/published/']) {
    const first = await request.get(path);
    expect(first.status(), path).toBe(200);
    expect(first.headers()['cache-control'], path).toMatch(/^public, max-age=\d+, stale-while-revalidate=\d+$/);
    const etag = first.headers()['etag'];
    expect(etag, path).toMatch(/^"[\w-]+"$/);
    const again = await request.get(path, { headers: { 'if-none-match': etag! } });
    expect(again.status(), path).toBe(304);
  }
  await page.goto('/thong-ke/?thoi-gian=2025');
  await expect(page.getByTestId('stats-computed')).toContainText('60 giây');
  await page.goto('/en/published/');
  await expect(page.getByTestId('published-computed')).toContainText('60 seconds');

  for (const path of [
    '/quan-tri/',
    '/en/staff/',
    '/tra-cuu/',
    '/en/track/',
    '/gop-y/',
    '/en/feedback/',
    '/danh-gia/',
  ]) {
    const res = await request.get(path, { maxRedirects: 0 });
    expect(res.headers()['cache-control'], `${path} (${res.status()})`).toBe('no-store');
  }
});
