/**
 * The retention purge (db/retention.ts) on a real libSQL file, with cases made through the real API: finished cases
 * past their date lose the sender's contact data and files; open cases and recent ones keep them.
 */
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openHarness, type Harness } from './test-harness.ts';
import { sendFeedback, type App } from './feedback/test-kit.ts';
import { runMaintenance } from './maintenance.ts';

let h: Harness;
let app: App;

beforeAll(async () => {
  h = await openHarness('retention');
  app = h.app({ POW_REQUIRED: '0', RATE_LIMIT_MAX: '100000' });
});
afterAll(() => h.close());

const PNG = Uint8Array.from(
  Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
    'base64',
  ),
);

it('deletes contact data and files of finished cases past their date, and expired links; keeps the rest', async () => {
  const done = await sendFeedback(h, app, { email: 'a@example.vn' }, [new File([PNG], 'a.png', { type: 'image/png' })]);
  const open = await sendFeedback(h, app, {}, [new File([PNG], 'b.png', { type: 'image/png' })]);
  await h.db.client.execute({ sql: "UPDATE feedback SET status = 'closed' WHERE id = ?", args: [done.id] });
  const count = async (table: string, id: number) =>
    Number(
      (await h.db.client.execute({ sql: `SELECT count(*) AS n FROM ${table} WHERE feedback_id = ?`, args: [id] }))
        .rows[0]!.n,
    );

  // Before the date nothing goes.
  expect(await runMaintenance({ db: h.db, now: () => new Date() })).toMatchObject({
    contacts: 0,
  });
  const later = new Date(Date.now() + 4 * 365 * 24 * 3600 * 1000);
  const purged = await runMaintenance({ db: h.db, now: () => later });
  expect(purged).toEqual({ contacts: 1, files: 1, links: 2, mailFiles: 0 });
  expect(await count('feedback_contacts', done.id)).toBe(0);
  expect(await count('feedback_attachments', done.id)).toBe(0);
  // The open case keeps everything, however old.
  expect(await count('feedback_contacts', open.id)).toBe(1);
  expect(await count('feedback_attachments', open.id)).toBe(1);
});

it('deletes .eml files older than 30 days when there is no SMTP server, and only those', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gopy-mail-'));
  try {
    writeFileSync(join(dir, 'old.eml'), 'x');
    writeFileSync(join(dir, 'new.eml'), 'x');
    writeFileSync(join(dir, 'keep.txt'), 'x');
    const old = new Date(Date.now() - 31 * 24 * 3600 * 1000);
    utimesSync(join(dir, 'old.eml'), old, old);
    const r = await runMaintenance({ db: h.db, now: () => new Date(), config: { MAIL_DIR: dir, SMTP_URL: undefined } });
    expect(r.mailFiles).toBe(1);
    expect(readdirSync(dir).sort()).toEqual(['keep.txt', 'new.eml']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
