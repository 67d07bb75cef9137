import type { InValue } from '@libsql/client';

/** A statement with its arguments, as lists build them (EXPLAIN QUERY PLAN reads them in tests). */
export interface SqlStatement {
  sql: string;
  args: InValue[];
}

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

/**
 * Lists count their matches up to this many, then say "more than": an exact count of a million
 * cases reads a million index entries on every page view, while a person pages through a few
 * hundred at most and narrows the search beyond that (issue #8 §8).
 */
export const LIST_COUNT_CAP = 10_000;

/** `SELECT count(*) AS n` of the rows a `FROM … WHERE …` finds, counting at most one past the cap. */
export function cappedCountSql(fromWhere: string): string {
  return `SELECT count(*) AS n FROM (SELECT 1 ${fromWhere} LIMIT ${LIST_COUNT_CAP + 1})`;
}

/** The total a list shows: exact up to the cap, else the cap with `capped`. */
export function cappedTotal(n: number): { total: number; capped: boolean } {
  return n > LIST_COUNT_CAP ? { total: LIST_COUNT_CAP, capped: true } : { total: n, capped: false };
}
