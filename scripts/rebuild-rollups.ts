/**
 * `npm run rollups:rebuild`: recomputes the rating statistics (`rating_rollups`) from the stored
 * responses and answers of the database of DATABASE_URL, and swaps them in in one transaction
 * (api/ratings/rebuild.ts). Safe while the portal is running: pages keep showing the old figures
 * until the new ones are complete, and ratings sent meanwhile are counted.
 *
 * Run it after repairing the database by hand, or to check that the figures match the answers
 * (a rebuild of a healthy database changes nothing).
 */
import { loadConfig } from '../api/env.ts';
import { openDb } from '../db/client.ts';
import { rebuildRatingRollups } from '../api/ratings/rebuild.ts';

interface Output {
  write(text: string): unknown;
}

/** Rebuilds and prints a one-line summary; returns the exit code. Tests call this in-process. */
export async function main(
  env: Record<string, string | undefined> = process.env,
  out: Output = process.stdout,
): Promise<number> {
  const config = loadConfig(env);
  const db = await openDb({ url: config.DATABASE_URL, authToken: config.DATABASE_AUTH_TOKEN });
  try {
    const started = performance.now();
    const { responses, rows } = await rebuildRatingRollups(db);
    const ms = Math.round(performance.now() - started);
    out.write(`rating_rollups rebuilt from ${responses} response(s): ${rows} row(s) in ${ms} ms\n`);
    return 0;
  } finally {
    db.close();
  }
}

if (import.meta.main) process.exitCode = await main();
