/**
 * Fixed-window counters in the database, so every API instance sees the same counts (docs/architecture.md §5).
 * The count is read before a rating is written and incremented in the rating's own batch, so only
 * stored ratings count and the check costs no extra commit. Concurrent requests may both pass the
 * read and go one over the limit: acceptable for an anti-abuse limit. The bucket name is a keyed
 * hash, never an address.
 */
import type { Client, InStatement } from '@libsql/client';

export interface RateLimitCheck {
  allowed: boolean;
  /** Seconds until the window resets (for Retry-After). */
  retryAfter: number;
  /** Counts this request; put it in the same batch as the write it limits. */
  hit: InStatement;
}

export async function checkRateLimit(
  client: Client,
  bucket: string,
  max: number,
  windowSeconds: number,
  now: Date,
): Promise<RateLimitCheck> {
  const nowS = Math.floor(now.getTime() / 1000);
  const windowStart = nowS - (nowS % windowSeconds);
  const rs = await client.execute({
    sql: 'SELECT count FROM rate_limits WHERE bucket = ? AND window_start = ?',
    args: [bucket, windowStart],
  });
  const used = Number(rs.rows[0]?.count ?? 0);
  return {
    allowed: used < max,
    retryAfter: windowStart + windowSeconds - nowS,
    hit: {
      sql: `INSERT INTO rate_limits (bucket, window_start, count) VALUES (?, ?, 1)
            ON CONFLICT (bucket) DO UPDATE SET
              count = CASE WHEN window_start = excluded.window_start THEN count + 1 ELSE 1 END,
              window_start = excluded.window_start`,
      args: [bucket, windowStart],
    },
  };
}

/** Drops windows that ended, so the table stays small. */
export async function pruneRateLimits(client: Client, now: Date, windowSeconds: number): Promise<void> {
  await client.execute({
    sql: 'DELETE FROM rate_limits WHERE window_start < ?',
    args: [Math.floor(now.getTime() / 1000) - windowSeconds],
  });
}
