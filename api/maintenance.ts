/**
 * Periodic upkeep of the running portal: the retention purge of personal data (db/retention.ts,
 * Luật 91/2025/QH15: keep it no longer than needed), mail written as .eml files when there is no SMTP
 * server (they hold addresses and magic links), old rate-limit windows, and the planner's statistics. Once at start, then every
 * few hours; a failure is logged as a code and retried next time, never stopping the server.
 */
import type { Deps } from './app-env.ts';
import { closedFeedbackStatuses } from './contracts/feedback.ts';
import { purgeExpiredPersonalData, type PurgeCounts } from '../db/retention.ts';
import { pruneRateLimits } from '../db/rate-limits.ts';
import { refreshPlannerStatistics } from '../db/client.ts';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './env.ts';

const EVERY_MS = 6 * 3600 * 1000;
/** The longest rate-limit window in use (feedback look-ups: 15 minutes). */
const LONGEST_WINDOW_SECONDS = 3600;

/** .eml files (no SMTP server configured) are kept this long: enough to read a demo's mail. */
export const MAIL_FILE_DAYS = 30;

/** Deletes .eml files older than MAIL_FILE_DAYS from MAIL_DIR; returns how many. */
function purgeMailFiles(config: Pick<Config, 'MAIL_DIR' | 'SMTP_URL'>, now: Date): number {
  if (config.SMTP_URL) return 0;
  let names: string[];
  try {
    names = readdirSync(config.MAIL_DIR);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names.filter((n) => n.endsWith('.eml'))) {
    const file = join(config.MAIL_DIR, name);
    if (now.getTime() - statSync(file).mtimeMs > MAIL_FILE_DAYS * 24 * 3600 * 1000) {
      rmSync(file, { force: true });
      removed++;
    }
  }
  return removed;
}

export async function runMaintenance(
  deps: Pick<Deps, 'db' | 'now'> & { config?: Pick<Config, 'MAIL_DIR' | 'SMTP_URL'> },
): Promise<PurgeCounts & { mailFiles: number }> {
  const now = deps.now();
  const purged = await purgeExpiredPersonalData(deps.db.client, now, closedFeedbackStatuses);
  await pruneRateLimits(deps.db.client, now, LONGEST_WINDOW_SECONDS);
  await refreshPlannerStatistics(deps.db.client);
  return { ...purged, mailFiles: deps.config ? purgeMailFiles(deps.config, now) : 0 };
}

export function startMaintenance(deps: Pick<Deps, 'db' | 'now' | 'log' | 'config'>): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    running = runMaintenance(deps).then(
      (p) => deps.log(JSON.stringify({ t: deps.now().toISOString(), maintenance: 'purge', ...p })),
      (err: unknown) =>
        deps.log(JSON.stringify({ t: deps.now().toISOString(), maintenance: 'error', error: (err as Error).name })),
    );
  };
  tick();
  const timer = setInterval(tick, EVERY_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
