/**
 * Self-hosted proof of work for open (self-selected) ratings (docs/architecture.md §7 anti-abuse; altcha).
 * Deterministic mode: the server knows the answer's key signature, so verifying costs one HMAC,
 * while the phone spends about a second finding the counter. No third-party request is made.
 */
import { createChallenge, randomInt, verifySolution, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import type { PowPayload } from '../contracts/rating.ts';

/** Counter range: on a cheap phone with WebCrypto SHA-256, about 0.5–2 s to solve. */
const MIN_COUNTER = 5_000;
const MAX_COUNTER = 40_000;
const VALID_SECONDS = 20 * 60;

export async function newChallenge(secret: string, now: Date): Promise<Challenge> {
  return createChallenge({
    algorithm: 'SHA-256',
    cost: 1,
    counter: randomInt(MIN_COUNTER, MAX_COUNTER),
    deriveKey,
    expiresAt: new Date(now.getTime() + VALID_SECONDS * 1000),
    hmacSignatureSecret: secret,
    hmacKeySignatureSecret: `${secret}:key`,
  });
}

/** True when the payload solves a challenge this server signed and that has not expired. */
export async function verifyPow(payload: PowPayload, secret: string): Promise<boolean> {
  try {
    const result = await verifySolution({
      // Shape checked by the zod schema; altcha checks the signature over the parameters.
      challenge: payload.challenge as unknown as Challenge,
      solution: payload.solution,
      deriveKey,
      hmacSignatureSecret: secret,
      hmacKeySignatureSecret: `${secret}:key`,
    });
    return result.verified;
  } catch {
    return false;
  }
}

/** Seconds a solved challenge stays valid; its signature is remembered that long against replays. */
export const POW_VALID_SECONDS = VALID_SECONDS;
