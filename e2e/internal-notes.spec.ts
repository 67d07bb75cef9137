/**
 * No public output carries our working notes (issue #7 part 7: "the public face speaks to citizens,
 * not to us"). Against the real built site and API: every public page reachable from the two home
 * pages and the other entry points (both languages), every reform CSV, the statistics JSON and CSV,
 * the published feedback JSON and CSV, Open311, the data dictionary and the OpenAPI document. A
 * source shown to the public is a citation a citizen can follow (document number, date, issuer),
 * never "seed 003 line 11" or a note about our own design documents.
 */
import { test, expect, type APIRequestContext } from '@playwright/test';
import { loadContent } from '../api/contracts/load-content.ts';
import { pages } from './site-map.ts';
import { internalNotes, publicHtmlText } from './internal-notes.ts';

/** Staff pages are not public (they sit behind sign-in); the API is checked by name below. */
const PRIVATE = [/^\/quan-tri(\/|$)/, /^\/en\/staff(\/|$)/, /^\/api\//, /^\/open311\//, /^\/_astro\//];

const ENTRY_POINTS = [
  ...pages.flatMap((p) => [p.vi, p.en]),
  '/thong-ke/',
  '/en/statistics/',
  '/gop-y/',
  '/en/feedback/',
  '/tra-cuu/',
  '/en/track/',
  // The rating forms (server-rendered from the survey files) are reached through a GET form, not links.
  ...['sipas', 'danh-gia-ho-so', 'quay'].flatMap((mau) => [
    `/danh-gia/?don-vi=phuong-ninh-hoa&mau=${mau}`,
    `/en/rate/?don-vi=phuong-ninh-hoa&mau=${mau}`,
  ]),
];

function links(html: string, from: string): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(/\bhref="([^"#]*)(?:#[^"]*)?"/g)) {
    const raw = m[1]!.replace(/&amp;/g, '&');
    if (!raw) continue;
    const url = new URL(raw, `http://x${from}`);
    if (url.host !== 'x') continue;
    out.push(url.pathname);
  }
  return out;
}

async function body(request: APIRequestContext, path: string): Promise<{ status: number; text: string; type: string }> {
  const res = await request.get(path);
  return { status: res.status(), text: await res.text(), type: res.headers()['content-type'] ?? '' };
}

test('the scanner finds the notes it is meant to find', () => {
  expect(internalNotes('Nguồn: seed 003 §B.5.1')).toHaveLength(1);
  expect(internalNotes('see DOMAIN.md §5; ENGINEERING.md; DESIGN.md')).toHaveLength(3);
  expect(internalNotes('phone is a placeholder; TODO')).toHaveLength(2);
  expect(internalNotes('Kế hoạch số 7860/KH-UBND ngày 17/8/2022 của UBND tỉnh Khánh Hòa')).toEqual([]);
  // An input's placeholder attribute is markup, not text; its value is text.
  expect(internalNotes(publicHtmlText('<input placeholder="Họ và tên"><p>Xin chào</p>'))).toEqual([]);
  expect(internalNotes(publicHtmlText('<td data-value="seed 003 line 7">x</td>'))).toHaveLength(1);
});

test('no public page shows an internal note (every page reachable from the entry points, both languages)', async ({
  request,
}) => {
  test.setTimeout(240_000);
  const seen = new Set<string>();
  const queue = [...ENTRY_POINTS];
  const found: string[] = [];
  let csvs = 0;
  let forms = 0;
  while (queue.length > 0) {
    const path = queue.shift()!;
    if (seen.has(path) || PRIVATE.some((r) => r.test(path))) continue;
    seen.add(path);
    const { status, text, type } = await body(request, path);
    if (status >= 500) found.push(`${path}: HTTP ${status}`);
    if (type.includes('text/html')) {
      if (text.includes('data-testid="rate-about"')) forms++;
      for (const hit of internalNotes(publicHtmlText(text))) found.push(`${path}: ${hit}`);
      for (const next of links(text, path)) if (!seen.has(next)) queue.push(next);
    } else if (type.includes('csv') || type.includes('json')) {
      if (type.includes('csv')) csvs++;
      for (const hit of internalNotes(text)) found.push(`${path}: ${hit}`);
    }
  }
  expect(found).toEqual([]);
  // Both home pages, every procedure in both languages and the reform CSVs were reached.
  const procedures = loadContent('content').procedures.length;
  expect(seen.size).toBeGreaterThan(2 * procedures);
  expect(csvs).toBeGreaterThanOrEqual(8);
  expect(forms).toBe(6);
});

test('no public API output shows an internal note (statistics, dictionary, published feedback, Open311, OpenAPI)', async ({
  request,
}) => {
  test.setTimeout(120_000);
  const content = loadContent('content');
  const scopes = [...new Set(['khanh-hoa', ...content.targets.map((t) => t.scope)])];
  const paths = [
    '/api/v1/openapi.json',
    '/api/v1/stats/dictionary',
    '/api/v1/published-feedback',
    '/api/v1/published-feedback.csv',
    '/open311/v2/services.json',
    '/open311/v2/requests.json',
  ];
  const range = 'from=2021-01-01';
  for (const unit of scopes) {
    for (const instrument of ['sipas', 'quay', 'danh-gia-ho-so']) {
      paths.push(`/api/v1/stats/ratings?unit=${unit}&instrument=${instrument}&${range}`);
      paths.push(`/api/v1/stats/ratings.csv?unit=${unit}&instrument=${instrument}&${range}`);
    }
    for (const kind of ['dossiers', 'feedback']) {
      paths.push(`/api/v1/stats/${kind}?unit=${unit}&${range}`);
      paths.push(`/api/v1/stats/${kind}.csv?unit=${unit}&${range}`);
    }
  }
  const found: string[] = [];
  let answered = 0;
  for (const path of paths) {
    const { status, text } = await body(request, path);
    if (status === 200) answered++;
    for (const hit of internalNotes(text)) found.push(`${path}: ${hit}`);
  }
  expect(found).toEqual([]);
  expect(answered).toBeGreaterThanOrEqual(6);
});
