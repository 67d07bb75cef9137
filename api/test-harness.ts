/**
 * Shared by the rating tests (api/routes/responses.test.ts, api/ratings/rebuild.test.ts,
 * api/fuzz.test.ts): a real temp libSQL file, migrated and filled from the real content/ with the
 * instruments stored by version, as on start (api/server.ts `prepareDatabase`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb, type Db } from '../db/client.ts';
import { migrate } from '../db/migrate.ts';
import { syncContent } from '../db/content-sync.ts';
import { loadContent, type Content } from './contracts/load-content.ts';
import { instrumentVersion, type Instrument } from './contracts/instrument.ts';
import { syncInstruments } from './ratings/instruments.ts';
import { configWith, type Config } from './env.ts';
import { createApp } from './app.ts';
import type { Deps } from './app-env.ts';
import { mulberry32 } from './demo/generate.ts';

export const CONTENT_DIR = join(import.meta.dirname, '..', 'content');

export interface Harness {
  db: Db;
  /** DATABASE_URL of the temp file, for a second connection or a script. */
  url: string;
  content: Content;
  /** Instruments of content/surveys by id. */
  instruments: Record<string, Instrument>;
  /** Their current versions by id. */
  versions: Record<string, string>;
  /** Log lines written by the apps made with `app()`. */
  lines: string[];
  /** An app over this database; `now` defaults to the real clock. */
  app(overrides?: Partial<Record<keyof Config, string>>, now?: () => Date): ReturnType<typeof createApp>;
  /** Row count of each table. */
  counts(tables: readonly string[]): Promise<Record<string, number>>;
  close(): void;
}

export async function openHarness(prefix: string): Promise<Harness> {
  const tmp = mkdtempSync(join(tmpdir(), `gopy-${prefix}-`));
  const url = `file:${join(tmp, 'test.db')}`;
  const db = await openDb({ url });
  await migrate(db.client);
  const content = loadContent(CONTENT_DIR);
  await syncContent(db.client, content.units, content.procedures);
  await syncInstruments(db.client, content.instruments);
  const instruments = Object.fromEntries(content.instruments.map((i) => [i.id, i]));
  const versions = Object.fromEntries(content.instruments.map((i) => [i.id, instrumentVersion(i)]));
  const lines: string[] = [];
  return {
    db,
    url,
    content,
    instruments,
    versions,
    lines,
    app(overrides = {}, now = () => new Date()) {
      // Tests write rows directly and read them back at once: no public response cache unless a
      // test asks for one (PUBLIC_CACHE_MB; api/public-cache.test.ts).
      const config = configWith({ PUBLIC_CACHE_MB: '0', ...overrides });
      const deps: Deps = { db, config, log: (l) => lines.push(l), now };
      return createApp(deps);
    },
    async counts(tables) {
      const out: Record<string, number> = {};
      for (const t of tables) {
        const rs = await db.client.execute(`SELECT count(*) AS n FROM ${t}`);
        out[t] = Number(rs.rows[0]!.n);
      }
      return out;
    },
    close() {
      db.close();
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/** A deterministic pseudo-random generator (the demo data's mulberry32), so a failing run can be repeated. */
export const seeded: (seed: number) => () => number = mulberry32;

/**
 * Answers that pass validation: every shown required question answered, each optional one with
 * probability `optional`. With the default `random` (always 0) that is the first option of each
 * required question and nothing else.
 */
export function answersFor(
  ins: Instrument,
  random: () => number = () => 0,
  optional = 0,
): Record<string, string | string[]> {
  const answers: Record<string, string | string[]> = {};
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  for (const q of ins.questions) {
    if (q.show_if) {
      const given = answers[q.show_if.question];
      const values = Array.isArray(given) ? given : given === undefined ? [] : [given];
      if (!values.some((v) => q.show_if!.values.includes(v))) continue;
    }
    if (!q.required && random() >= optional) continue;
    switch (q.type) {
      case 'likert5':
        answers[q.id] = pick(['1', '2', '3', '4', '5']);
        break;
      case 'choice':
      case 'score-0-2':
        answers[q.id] = pick(q.options).id;
        break;
      case 'multi': {
        const max = Math.min(q.max_choices ?? q.options.length, q.options.length);
        const n = 1 + Math.floor(random() * max);
        const ids = q.options.map((o) => o.id);
        const chosen: string[] = [];
        while (chosen.length < n) {
          const id = pick(ids);
          if (!chosen.includes(id)) chosen.push(id);
        }
        answers[q.id] = chosen;
        break;
      }
      case 'text':
        answers[q.id] = pick(['Nhanh, gọn.', 'Cán bộ hướng dẫn tận tình', 'ok']);
        break;
    }
  }
  return answers;
}
