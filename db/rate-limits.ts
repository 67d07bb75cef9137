/**
 * Fixed-window counters in the database, so every API instance sees the same counts (DESIGN §5).
 * One statement counts and reads atomically; the bucket name is a keyed hash, never an address.
 */
import type { Client } from '@libsql/client';

export interface RateLimitResult {
  allowed: boolean;
  count: number;
  /** Seconds until the window resets (for Retry-After). */
  retryAfter: number;
}

export async function hitRateLimit(
  client: Client,
  bucket: string,
  max: number,
  windowSeconds: number,
  now: Date,
): Promise<RateLimitResult> {
  const nowS = Math.floor(now.getTime() / 1000);
  const windowStart = nowS - (nowS % windowSeconds);
  const rs = await client.execute({
    sql: `INSERT INTO rate_limits (bucket, window_start, count) VALUES (?, ?, 1)
          ON CONFLICT (bucket) DO UPDATE SET
            count = CASE WHEN window_start = excluded.window_start THEN count + 1 ELSE 1 END,
            window_start = excluded.window_start
          RETURNING count`,
    args: [bucket, windowStart],
  });
  const count = Number(rs.rows[0]?.count ?? 1);
  return { allowed: count <= max, count, retryAfter: windowStart + windowSeconds - nowS };
}

/** Drops windows that ended, so the table stays small. */
export async function pruneRateLimits(client: Client, now: Date, windowSeconds: number): Promise<void> {
  await client.execute({
    sql: 'DELETE FROM rate_limits WHERE window_start < ?',
    args: [Math.floor(now.getTime() / 1000) - windowSeconds],
  });
}
