/**
 * The feedback side at 10,000 and 1,000,000 cases (issue #8 §8), part of `npm run bench`
 * (scripts/bench.ts, letter f). For each size, a temp libSQL file is filled in SQL (one
 * INSERT … SELECT over a counter, so the FTS5 triggers of migration 0015 index every row as
 * production writes would), then the real app (createApp, in process, no socket) answers:
 *   - the staff inbox of a province-wide coordinator: default view, and a search of one word;
 *   - the published list: default page, and a search;
 *   - Open311 `requests.json` (the last 90 days, at most 1,000 requests).
 * Each is asked `repeats` times with varying pages and words; p95 is printed with the ratio to
 * the small database, and EXPLAIN QUERY PLAN of the list's SQL shows no full scan.
 */
import { join } from 'node:path';
import { openDb, type Db } from '../db/client.ts';
import { migrate } from '../db/migrate.ts';
import { syncContent } from '../db/content-sync.ts';
import { publishedPageStatements } from '../db/published.ts';
import { inboxStatements } from '../db/feedback-cases.ts';
import { createApp } from '../api/app.ts';
import { configWith } from '../api/env.ts';
import { staffMember } from '../api/feedback/test-kit.ts';
import type { Harness } from '../api/test-harness.ts';
import type { Content } from '../api/contracts/load-content.ts';
import { FINISHED } from '../api/feedback/workflow.ts';

/** Words of the generated titles: some frequent, some rare, as real feedback has. */
const VOCABULARY = [
  'dat dai',
  'ho tich',
  'khai sinh',
  'giay phep xay dung',
  'dang ky kinh doanh',
  'bao hiem xa hoi',
  'chung thuc',
  'duong giao thong',
  'ngap nuoc',
  'den duong',
  'rac thai',
  'tre hen',
  'thai do can bo',
  'phi le phi',
  'mang internet',
  'nuoc sach',
];

const STATUSES = ['received', 'classified', 'assigned', 'in-progress', 'answered', 'closed', 'published'];

/**
 * Fills a new database with `count` cases over the last two years, a third of them published. Texts
 * are short and folded as intake folds them; the FTS5 index is written by the triggers.
 */
export async function feedbackDb(dir: string, name: string, count: number, content: Content): Promise<Db> {
  const db = await openDb({ url: `file:${join(dir, name)}` });
  await migrate(db.client);
  await syncContent(db.client, content.units, content.procedures);
  await db.client.execute('PRAGMA cache_size = -262144');
  await db.client.execute(
    `INSERT INTO staff (username, display_name, password_hash, created_at)
     VALUES ('bench-publisher', 'Bench', '$argon2id$bench', '2025-01-01T00:00:00Z')`,
  );
  const units = (await db.client.execute('SELECT id FROM units ORDER BY id')).rows.map((r) => String(r.id));
  const now = Date.now();
  const span = 730 * 86_400_000;
  const words = VOCABULARY.map((w) => `'${w}'`).join(', ');
  const statuses = STATUSES.map((s) => `'${s}'`).join(', ');
  const chunk = 100_000;
  for (let first = 0; first < count; first += chunk) {
    const last = Math.min(count, first + chunk);
    await db.client.batch(
      [
        {
          sql: `WITH RECURSIVE n(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?),
                words(k, w) AS (SELECT row_number() OVER () - 1, value FROM json_each(json_array(${words}))),
                statuses(k, s) AS (SELECT row_number() OVER () - 1, value FROM json_each(json_array(${statuses}))),
                units(k, id) AS (SELECT row_number() OVER () - 1, value FROM json_each(?)),
                rows AS (SELECT i,
                  printf('B%04d-%04d', i / 10000, i % 10000) AS code,
                  (SELECT w FROM words WHERE k = (i * 7) % ${VOCABULARY.length}) AS w1,
                  (SELECT w FROM words WHERE k = (i * 13 + 5) % ${VOCABULARY.length}) AS w2,
                  (SELECT s FROM statuses WHERE k = i % ${STATUSES.length}) AS status,
                  (SELECT id FROM units WHERE k = (i * 31) % ${units.length}) AS unit,
                  strftime('%Y-%m-%dT%H:%M:%fZ', (? - (i * 7919 % ${span}) ) / 1000.0, 'unixepoch') AS received
                  FROM n)
              INSERT INTO feedback (tracking_code, access_key_hash, kind, subject, unit_id, title, content, channel,
                status, publish_content, received_at, classify_due_at, answer_due_at, locale, updated_at,
                search_text, title_redacted, search_redacted)
              SELECT code, 'bench', CASE WHEN i % 3 = 0 THEN 'kien-nghi' ELSE 'phan-anh' END, 'khac', unit,
                'Phan anh ve ' || w1, 'Noi dung ve ' || w1 || ' va ' || w2 || ' so ' || i, 'web', status, 1,
                received, received, strftime('%Y-%m-%dT%H:%M:%fZ', received, '+14 days'), 'vi', received,
                lower(code) || ' phan anh ve ' || w1 || ' noi dung ve ' || w1 || ' va ' || w2 || ' so ' || i,
                'Phan anh ve ' || w1,
                lower(code) || ' phan anh ve ' || w1 || ' noi dung ve ' || w1 || ' va ' || w2
              FROM rows`,
          args: [first, last, JSON.stringify(units), now],
        },
        {
          sql: `INSERT INTO feedback_publications (feedback_id, published_at, staff_id, title, content, answer, search_folded)
                SELECT f.id, strftime('%Y-%m-%dT%H:%M:%fZ', f.received_at, '+10 days'), 1, f.title, f.content,
                  'Tra loi: da xu ly', lower(f.tracking_code) || ' ' || lower(f.title) || ' ' || lower(f.content) || ' tra loi da xu ly'
                FROM feedback f WHERE f.status = 'published' AND f.id > (SELECT coalesce(max(feedback_id), 0) FROM feedback_publications)`,
          args: [],
        },
      ],
      'write',
    );
    if (count >= 200_000)
      console.log(`    ${name}: ${last.toLocaleString('en-US')} of ${count.toLocaleString('en-US')} cases`);
  }
  await db.client.execute('PRAGMA cache_size = -2000');
  await db.client.execute('ANALYZE');
  return db;
}

export interface FeedbackFigures {
  /** p95 in ms of each view. */
  p95: Record<FeedbackView, number>;
  /** EXPLAIN QUERY PLAN lines of the inbox and published-list SQL that scan a whole table. */
  fullScans: string[];
}

export type FeedbackView = 'inbox' | 'inbox search' | 'published' | 'published search' | 'open311';

function p95(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)]!;
}

/** Times each view `repeats` times on the real app over `db`. */
export async function measureFeedback(db: Db, repeats = 100): Promise<FeedbackFigures> {
  const app = createApp({ db, config: configWith({}), log: () => {}, now: () => new Date() });
  const province = String(
    (await db.client.execute('SELECT id FROM units WHERE parent_id IS NULL LIMIT 1')).rows[0]!.id,
  );
  const who = await staffMember({ db } as Harness, app, `bench-${Date.now()}`, [
    { role: 'coordinator', unit: province },
  ]);
  const views: Record<FeedbackView, (i: number) => [string, RequestInit?]> = {
    inbox: (i) => [`/api/v1/staff/feedback?page=${1 + (i % 5)}`, { headers: { Cookie: who.cookie } }],
    'inbox search': (i) => [
      `/api/v1/staff/feedback?q=${encodeURIComponent(VOCABULARY[i % VOCABULARY.length]!)}`,
      { headers: { Cookie: who.cookie } },
    ],
    published: (i) => [`/api/v1/published-feedback?page=${1 + (i % 5)}`],
    'published search': (i) => [
      `/api/v1/published-feedback?q=${encodeURIComponent(VOCABULARY[i % VOCABULARY.length]!)}`,
    ],
    open311: (i) => [`/open311/v2/requests.json${i % 2 ? '?status=closed' : ''}`],
  };
  const figures = {} as Record<FeedbackView, number>;
  for (const [view, request] of Object.entries(views) as [FeedbackView, (i: number) => [string, RequestInit?]][]) {
    const samples: number[] = [];
    for (let i = 0; i < repeats + 5; i++) {
      const [path, init] = request(i);
      const started = performance.now();
      const res = await app.request(path, init);
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`${view}: ${path} answered ${res.status}`);
      if (i >= 5) samples.push(performance.now() - started); // the first few warm the caches
    }
    figures[view] = p95(samples);
  }
  const plans: string[] = [];
  const statements = [
    ...inboxStatements({
      scope: [province],
      redactedScope: [],
      finished: FINISHED,
      limit: 20,
      offset: 0,
    }),
    ...inboxStatements({
      scope: [province],
      redactedScope: [],
      finished: FINISHED,
      words: ['dat'],
      limit: 20,
      offset: 0,
    }),
    ...publishedPageStatements({}, { by: 'published', limit: 20 }),
    ...publishedPageStatements(
      { words: [{ word: 'dat', unitIds: [], procedureCodes: [] }] },
      { by: 'published', limit: 20 },
    ),
  ];
  for (const s of statements) {
    const rs = await db.client.execute({ sql: `EXPLAIN QUERY PLAN ${s.sql}`, args: s.args });
    for (const r of rs.rows) plans.push(String(r.detail));
  }
  // A scan of a table without an index, or of a whole index with no range (the units and
  // procedures tables are a few hundred rows from content/ and do not count).
  const fullScans = plans.filter(
    (d) => /^SCAN (?!.*USING)/.test(d) && !/\b(u|pr|units|procedures|scope|rscope|sub|n|words|statuses)\b/.test(d),
  );
  return { p95: figures, fullScans };
}
