/**
 * FTS5 match expressions for the folded search columns (migration 0015, issue #8 §8). Callers pass
 * words already folded by api/contracts/text.ts `foldForSearch` (db/ imports nothing from api/).
 */

/**
 * The MATCH expression that finds rows holding every word, each as a word prefix, in any order;
 * a word with punctuation ("abcd-efgh", a tracking code) is a phrase of its parts. `undefined`
 * when there are no words; `null` when words were given but none holds a letter or digit, which
 * matches nothing.
 * @example ftsMatch(['giay', 'khai']) // '"giay"* AND "khai"*'
 * @example ftsMatch(['abcd-efgh'], 'search_text') // 'search_text : ("abcd efgh"*)'
 */
export function ftsMatch(words: readonly string[] | undefined, column?: string): string | null | undefined {
  if (!words || words.length === 0) return undefined;
  const phrases = words
    .map((w) => w.split(/[^\p{L}\p{N}]+/u).filter(Boolean))
    .filter((tokens) => tokens.length > 0)
    .map((tokens) => `"${tokens.join(' ')}"*`);
  if (phrases.length === 0) return null;
  const all = phrases.join(' AND ');
  return column ? `${column} : (${all})` : all;
}
