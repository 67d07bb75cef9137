/**
 * What every anonymous write (a rating, a feedback case) checks before it is stored: an
 * Idempotency-Key, and for open submissions a proof of work and a per-client rate limit kept in the
 * database (docs/architecture.md §7 anti-abuse). One piece, so both routes defend the same way.
 */
import type { Context } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import type { InStatement } from '@libsql/client';
import type { AppEnv } from './app-env.ts';
import type { PowPayload } from './contracts/rating.ts';
import { ProblemError } from './problem.ts';
import { verifyPow, POW_VALID_SECONDS } from './ratings/pow.ts';
import { serverSecret } from '../db/secrets.ts';
import { checkRateLimit } from '../db/rate-limits.ts';
import { powUsedStatement } from '../db/responses.ts';
import { sha256Hex } from '../db/dossiers.ts';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{8,100}$/;

/** The Idempotency-Key header, or a 400 when it is missing or malformed. */
export function idempotencyKey(c: Context<AppEnv>): string {
  const key = c.req.header('idempotency-key');
  if (!key || !IDEMPOTENCY_KEY.test(key)) throw new ProblemError(400, 'idempotency_key_required');
  return key;
}

/**
 * The client address: the socket's, or the one a server-rendered form page passes in-process.
 * Behind a reverse proxy every client has the proxy's address (README "Scaled-out mode").
 */
export function clientAddress(c: Context): string {
  const env = c.env as (Partial<HttpBindings> & { clientAddress?: string }) | undefined;
  return env?.clientAddress ?? env?.incoming?.socket.remoteAddress ?? 'unknown';
}

/**
 * Checks an open submission and returns the statements to put in its write batch (the rate-limit
 * hit and the proof-of-work replay guard), so only stored submissions count. The plain HTML form
 * (no JavaScript, so no proof of work) reaches the API through its page on this server, which says
 * so in-process; it still meets the rate limit and the honeypot.
 * @param scope what the limit is per, besides the client: e.g. the unit rated, or 'feedback'
 */
export async function guardOpenSubmission(
  c: Context<AppEnv>,
  opts: { pow: PowPayload | undefined; scope: string; at: Date },
): Promise<InStatement[]> {
  const { db, config } = c.var.deps;
  const statements: InStatement[] = [];
  const fromFormPage = (c.env as { inProcessForm?: boolean } | undefined)?.inProcessForm === true;
  if (config.POW_REQUIRED && !fromFormPage) {
    if (!opts.pow) throw new ProblemError(422, 'pow_required', { errors: [{ path: 'pow', code: 'required' }] });
    if (!(await verifyPow(opts.pow, await serverSecret(db.client, 'pow-hmac'))))
      throw new ProblemError(422, 'pow_invalid', { errors: [{ path: 'pow', code: 'invalid_value' }] });
    statements.push(
      powUsedStatement(opts.pow.challenge.signature, Math.floor(opts.at.getTime() / 1000) + POW_VALID_SECONDS),
    );
  }
  statements.push(await clientRateLimit(c, opts.scope, opts.at));
  return statements;
}

/**
 * The per-client limit of anonymous writes (RATE_LIMIT_MAX per RATE_LIMIT_WINDOW_SECONDS for each
 * scope): 429 rate_limited when spent, else the statement that counts this request, to put in the
 * batch of the write it limits. Also used alone by writes without proof of work
 * (POST /page-usefulness, issue #7 part 6).
 */
export async function clientRateLimit(c: Context<AppEnv>, scope: string, at: Date): Promise<InStatement> {
  const { db, config } = c.var.deps;
  const pepper = await serverSecret(db.client, 'address-pepper');
  const limit = await checkRateLimit(
    db.client,
    sha256Hex(`${pepper}|${scope}|${clientAddress(c)}`),
    config.RATE_LIMIT_MAX,
    config.RATE_LIMIT_WINDOW_SECONDS,
    at,
  );
  if (!limit.allowed)
    throw new ProblemError(429, 'rate_limited', { headers: { 'Retry-After': String(Math.max(1, limit.retryAfter)) } });
  return limit.hit;
}
