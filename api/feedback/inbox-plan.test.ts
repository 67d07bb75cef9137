/**
 * The inbox reads a page in the order of its index (migration 0015 `feedback_inbox_order`), not by
 * sorting every case in scope: if the finished statuses of api/contracts/feedback.ts change, the
 * index must change with them, and this test says so.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { refreshPlannerStatistics, type Db } from '../../db/client.ts';
import { feedbackDb } from '../../scripts/bench-feedback.ts';
import { loadContent } from '../contracts/load-content.ts';
import { CONTENT_DIR } from '../test-harness.ts';
import { inboxStatements } from '../../db/feedback-cases.ts';
import { FINISHED } from './workflow.ts';

let dir: string;
let db: Db;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gopy-inbox-'));
  // Cases spread over every unit, and the planner's statistics as the upkeep refreshes them.
  db = await feedbackDb(dir, 'inbox.db', 5000, loadContent(CONTENT_DIR));
  await refreshPlannerStatistics(db.client);
});
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

it('reads a large scope in the order of feedback_inbox_order, with no sort of the cases', async () => {
  const [, page] = inboxStatements({
    scope: ['khanh-hoa'],
    redactedScope: [],
    finished: FINISHED,
    limit: 20,
    offset: 0,
  });
  const plan = await db.client.execute({ sql: `EXPLAIN QUERY PLAN ${page.sql}`, args: page.args });
  const details = plan.rows.map((r) => String(r.detail));
  expect(details).toContain('SCAN f USING INDEX feedback_inbox_order');
  // The only sort is of the page's own rows (the outer ORDER BY), never inside the page subquery.
  const coroutine = details.findIndex((d) => d.startsWith('CO-ROUTINE page'));
  const inner = details.slice(
    coroutine,
    details.findIndex((d, i) => i > coroutine && d.startsWith('SCAN page')),
  );
  expect(inner.filter((d) => d.includes('TEMP B-TREE'))).toEqual([]);
});

it('refuses a finished status that is not a status name (the statuses are SQL literals)', () => {
  expect(() =>
    inboxStatements({ scope: ['x'], redactedScope: [], finished: ["closed') OR 1=1 --"], limit: 1, offset: 0 }),
  ).toThrow();
});
