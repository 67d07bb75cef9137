/**
 * Random strings people read aloud and type (issue #11 part 2): tracking codes, access keys and
 * link tokens, from the tracking alphabet without look-alikes (no 0/O, 1/I/L).
 */
import { randomInt } from 'node:crypto';
import { SHORT_SECRET_LENGTH, TRACKING_ALPHABET } from '../contracts/feedback.ts';

/** `n` characters of the unambiguous alphabet, uniformly (randomInt has no modulo bias). */
export function unambiguous(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += TRACKING_ALPHABET[randomInt(TRACKING_ALPHABET.length)];
  return s;
}

/**
 * A new short secret (access key or link token) in its canonical form: 16 characters of the
 * unambiguous alphabet, 16 × log2(31) ≈ 79 bits (docs/feedback.md, "The access key"). Show it
 * with `groupedSecret`; store only its SHA-256.
 */
export function newShortSecret(): string {
  return unambiguous(SHORT_SECRET_LENGTH);
}
