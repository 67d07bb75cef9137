/**
 * The access key and link token a person reads aloud and types (issue #11 part 2): its alphabet,
 * grouping, entropy, how typed forms are read, and that keys issued before keep their exact form.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  SHORT_SECRET_LENGTH,
  TRACKING_ALPHABET,
  accessKeyInput,
  canonicalSecret,
  groupedSecret,
  isShortSecret,
  linkTokenInput,
} from './feedback.ts';
import { newShortSecret } from '../feedback/short-secret.ts';
import { LOOKUP_FAILURES_MAX, LOOKUP_WINDOW_SECONDS } from '../routes/feedback.ts';

describe('the alphabet', () => {
  it('has 31 characters and none that look alike (0/O, 1/I/L)', () => {
    expect(TRACKING_ALPHABET).toHaveLength(31);
    expect(new Set(TRACKING_ALPHABET).size).toBe(31);
    for (const c of '01OIL') expect(TRACKING_ALPHABET).not.toContain(c);
  });
});

describe('a new key', () => {
  it('is 16 characters of the alphabet, shown in four groups of four', () => {
    for (let i = 0; i < 200; i++) {
      const k = newShortSecret();
      expect(k).toMatch(new RegExp(`^[${TRACKING_ALPHABET}]{16}$`));
      expect(groupedSecret(k)).toMatch(/^[^-]{4}-[^-]{4}-[^-]{4}-[^-]{4}$/);
      expect(canonicalSecret(groupedSecret(k))).toBe(k);
    }
  });

  it('uses every character about equally often (no modulo bias)', () => {
    const counts = new Map<string, number>();
    const n = 2000;
    for (let i = 0; i < n; i++) for (const c of newShortSecret()) counts.set(c, (counts.get(c) ?? 0) + 1);
    const expected = (n * SHORT_SECRET_LENGTH) / 31;
    expect(counts.size).toBe(31);
    // χ² with 30 degrees of freedom: above 70 happens by chance far less than once in 10^5 runs.
    const chi2 = [...counts.values()].reduce((s, o) => s + (o - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(70);
  });

  it('carries enough entropy that the per-client throttle makes guessing hopeless (docs/feedback.md)', () => {
    const bits = SHORT_SECRET_LENGTH * Math.log2(TRACKING_ALPHABET.length);
    expect(bits).toBeGreaterThan(79);
    // One client's guesses per year at the limit of failed look-ups.
    const perYear = LOOKUP_FAILURES_MAX * ((365 * 24 * 3600) / LOOKUP_WINDOW_SECONDS);
    expect(perYear).toBe(350_400);
    // Even a million addresses guessing for a year find one given case's key with odds below 1e-12.
    const odds = (1e6 * perYear) / 2 ** bits;
    expect(odds).toBeLessThan(1e-12);
  });
});

describe('reading a typed key', () => {
  const key = '7KQMX2RD9HWETB4N';
  it('accepts any case, with or without spaces and dashes', () => {
    for (const typed of [
      key,
      '7KQM-X2RD-9HWE-TB4N',
      '7kqm-x2rd-9hwe-tb4n',
      ' 7kqm x2rd 9hwe tb4n ',
      '7KQM X2RD-9hwe tb4n',
      '7kqmx2rd9hwetb4n',
    ]) {
      expect(accessKeyInput.parse(typed)).toBe(key);
      expect(linkTokenInput.parse(typed)).toBe(key);
    }
    expect(isShortSecret(key)).toBe(true);
  });

  it('refuses a key with a character outside the alphabet or of the wrong length', () => {
    for (const bad of ['7KQM-X2RD-9HWE-TB40', '7KQM-X2RD-9HWE-TB4', '7KQM-X2RD-9HWE-TB4NN', 'bad key!', '']) {
      expect(accessKeyInput.safeParse(bad).success).toBe(false);
    }
  });

  it('keeps a key issued before (32 base64url characters) exactly as it is: case and "-" matter there', () => {
    for (let i = 0; i < 200; i++) {
      const old = randomBytes(24).toString('base64url');
      expect(accessKeyInput.parse(old)).toBe(old);
      expect(accessKeyInput.parse(`  ${old} `)).toBe(old);
      expect(groupedSecret(old)).toBe(old);
    }
    // Even an old key that happens to be letters and digits of the alphabet keeps its case.
    const lettersOnly = 'abcdefghjkmnpqrstuvwxyz23456789A';
    expect(accessKeyInput.parse(lettersOnly)).toBe(lettersOnly);
    expect(linkTokenInput.parse(randomBytes(32).toString('base64url'))).toHaveLength(43);
  });
});
