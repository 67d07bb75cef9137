/**
 * Periodic upkeep of the running portal: the retention purge of personal data (db/retention.ts,
 * NĐ 13/2023: keep it no longer than needed) and old rate-limit windows. Once at start, then every
 * few hours; a failure is logged as a code and retried next time, never stopping the server.
 */
import type { Deps } from './app-env.ts';
import { closedFeedbackStatuses } from './contracts/feedback.ts';
import { purgeExpiredPersonalData, type PurgeCounts } from '../db/retention.ts';
import { pruneRateLimits } from '../db/rate-limits.ts';

const EVERY_MS = 6 * 3600 * 1000;
/** The longest rate-limit window in use (feedback look-ups: 15 minutes). */
const LONGEST_WINDOW_SECONDS = 3600;

export async function runMaintenance(deps: Pick<Deps, 'db' | 'now'>): Promise<PurgeCounts> {
  const now = deps.now();
  const purged = await purgeExpiredPersonalData(deps.db.client, now, closedFeedbackStatuses);
  await pruneRateLimits(deps.db.client, now, LONGEST_WINDOW_SECONDS);
  return purged;
}

export function startMaintenance(deps: Pick<Deps, 'db' | 'now' | 'log'>): { stop(): Promise<void> } {
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
