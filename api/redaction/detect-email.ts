/** E-mail addresses, also written "ten [at] gmail [dot] com" or "ten a còng gmail chấm com". */
import type { Prepared } from './sender.ts';
import { L, NOT_AFTER, NOT_BEFORE, type Doc, type Hit } from './text.ts';

// Lengths are bounded (RFC 5321: 64 for the local part, 63 per label) so a long run of dots and
// letters cannot make the scan quadratic.
/** "@" written out: "[at]", "(a)", " a còng ". */
const AT = `(?:\\s?@\\s?|\\s*[([]\\s*(?:at|@|a|a còng)\\s*[)\\]]\\s*|\\s+(?:at|a còng)\\s+)`;
/** "." written out or spaced: "[dot]", "(.)", " chấm ", " . ". */
const DOT = `(?:\\s?\\.\\s?|\\s*[([]\\s*(?:dot|chấm|\\.)\\s*[)\\]]\\s*|\\s+(?:dot|chấm)\\s+)`;
const EMAIL = new RegExp(
  `${NOT_BEFORE}[${L}._%+-]{1,64}${AT}[${L}-]{1,63}(?:${DOT}[${L}-]{1,63}){0,8}` +
    `${DOT}(?:com|vn|net|org|edu|gov|info|io|me|biz|[a-z]{2,6})` +
    NOT_AFTER,
  'gu',
);

export function findEmails(doc: Doc, hits: Hit[], sender: Prepared): void {
  for (const m of doc.lower.matchAll(EMAIL)) {
    // "x at y dot com" with spelled-out separators only counts for known top-level domains, so a
    // sentence with "at" in it is not taken for an address.
    const spelled = !m[0].includes('@');
    if (spelled && !/(?:com|vn|net|org|edu|gov)$/.test(m[0])) continue;
    hits.push({ start: m.index, end: m.index + m[0].length, kind: 'email' });
  }
  if (sender.email) {
    for (const m of doc.lower.matchAll(sender.email))
      hits.push({ start: m.index, end: m.index + m[0].length, kind: 'email' });
  }
  if (sender.emailLocal) {
    for (const m of doc.flat.matchAll(sender.emailLocal))
      hits.push({ start: m.index, end: m.index + m[0].length, kind: 'email' });
  }
}
