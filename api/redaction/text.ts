/**
 * Text handling shared by the redaction detectors: NFC text and same-length folded copies
 * (combining marks stripped, đ→d, lower-cased), so an index in one is an index in all and a match
 * found on the folded copy is replaced on the original span (docs/redaction.md).
 */
import type { RedactionKind } from './kinds.ts';

/** Stands in for placeholders (already redacted text) so no pattern matches inside them; it is
 * neither a letter, a digit nor a space. */
export const MASK = '\uE000';
/** Stands in for protected numbers (dates, dossier and procedure codes) in the number scan. */
export const SHIELD = '\uE001';

const foldCache = new Map<string, string>();
/** One UTF-16 unit → one unit: strip combining marks, đ→d; keeps case. */
export function foldUnit(c: string): string {
  let f = foldCache.get(c);
  if (f !== undefined) return f;
  if (c === 'đ') f = 'd';
  else if (c === 'Đ') f = 'D';
  else if (c >= '\uD800' && c <= '\uDFFF') f = c;
  else {
    const stripped = c.normalize('NFD').replace(/\p{M}/gu, '');
    f = stripped.length === 1 ? stripped : stripped.length === 0 ? '\u0000' : stripped.charAt(0);
  }
  foldCache.set(c, f);
  return f;
}

export function lowerUnit(c: string): string {
  const l = c.toLocaleLowerCase('vi');
  return l.length === 1 ? l : c;
}

export interface Doc {
  /** NFC text with placeholders masked. */
  text: string;
  /** Lower-cased, diacritics kept. */
  lower: string;
  /** Diacritics stripped, case kept. */
  fold: string;
  /** Diacritics stripped, lower-cased. */
  flat: string;
  /** False for text typed without diacritics ("toi ten la nguyen van an"); then unaccented words
   * may stand for accented ones ("co" for "cô"). */
  accented: boolean;
}

export function makeDoc(text: string): Doc {
  let lower = '';
  let fold = '';
  let flat = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    const f = foldUnit(c);
    lower += lowerUnit(c);
    fold += f;
    flat += lowerUnit(f);
  }
  let words = 0;
  let withMarks = 0;
  for (const m of text.matchAll(/\p{L}+/gu)) {
    words++;
    if (fold.slice(m.index, m.index + m[0].length) !== m[0]) withMarks++;
  }
  return { text, lower, fold, flat, accented: words > 0 && withMarks / words >= 0.1 };
}

export interface Hit {
  start: number;
  end: number;
  kind: RedactionKind;
}

/** On overlap the merged span takes the kind earliest in this list. */
export const PRIORITY: readonly RedactionKind[] = [
  'email',
  'profile-link',
  'id-number',
  'phone',
  'vehicle-plate',
  'birth-date',
  'other-number',
  'address',
  'name',
];

export const L = '\\p{L}\\p{N}';
export const NOT_BEFORE = `(?<![${L}])`;
export const NOT_AFTER = `(?![${L}])`;

/** Escapes text for a pattern compiled with the `u` flag (which refuses needless escapes like
 * "\\-", so "-" is left as it is: it only has a meaning inside a class). */
export function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

export function words(flat: string): string[] {
  return flat.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

/** The folded word just before `pos` (skipping spaces and punctuation), or ''. */
export function wordBefore(doc: Doc, pos: number, maxWords = 1, accented = false): string {
  const head = (accented ? doc.lower : doc.flat).slice(Math.max(0, pos - 60), pos);
  const ws = head.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  return ws.slice(-maxWords).join(' ');
}

/** NFC, folded and lower-cased, like `Doc.flat`. */
export function flatOf(s: string): string {
  return [...s.normalize('NFC')].map((c) => lowerUnit(foldUnit(c))).join('');
}

/** `end` moved back over trailing white space. */
export function trimEnd(doc: Doc, end: number): number {
  while (end > 0 && /\s/.test(doc.text.charAt(end - 1))) end--;
  return end;
}
