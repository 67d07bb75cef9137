/**
 * Numbers spelled in words (issue #7 part 4): "không chín không năm một hai ba bốn năm sáu",
 * "zero nine one …". Each word is one digit (./words/spelled-digits.yaml); a run of at least 7
 * such words, separated by spaces, commas, dots or dashes, is read as one number and classified
 * like a written one: 10–11 digits from 0 a phone, 9 or 12 an ID number, else a personal number.
 */
import type { RedactionKind } from './kinds.ts';
import type { Doc, Hit } from './text.ts';
import { SPELLED_DIGITS, SPELLED_DIGITS_FLAT } from './wordlists.ts';

const MIN_WORDS = 7;

export function findSpelledNumbers(doc: Doc, hits: Hit[]): void {
  const table = doc.accented ? SPELLED_DIGITS : SPELLED_DIGITS_FLAT;
  const source = doc.accented ? doc.lower : doc.flat;
  let run: { start: number; end: number; digits: string } | undefined;
  const flush = (): void => {
    if (run && run.digits.length >= MIN_WORDS) hits.push({ start: run.start, end: run.end, kind: kindOf(run.digits) });
    run = undefined;
  };
  for (const m of source.matchAll(/\p{L}+/gu)) {
    const d = table.get(m[0]);
    const gap = run ? source.slice(run.end, m.index) : '';
    if (d === undefined || (run && !/^[\s,.;–-]{1,4}$/u.test(gap))) flush();
    if (d === undefined) continue;
    if (run) {
      run.end = m.index + m[0].length;
      run.digits += d;
    } else run = { start: m.index, end: m.index + m[0].length, digits: d };
  }
  flush();
}

function kindOf(digits: string): RedactionKind {
  if (/^0\d{9,10}$/.test(digits) || /^84\d{9,10}$/.test(digits)) return 'phone';
  if (digits.length === 9 || digits.length === 12) return 'id-number';
  return 'other-number';
}
