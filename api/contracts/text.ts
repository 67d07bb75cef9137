/**
 * Vietnamese text helpers shared by the site and the API (ENGINEERING.md "Vietnamese text").
 */

/**
 * Folds text for diacritic-insensitive search: "Đăng ký khai sinh" → "dang ky khai sinh".
 * NFD + strip combining marks misses đ/Đ (a separate letter, not a base letter with a mark).
 * @example foldForSearch('ĐĂNG KÝ Khai sinh') === 'dang ky khai sinh'
 */
export function foldForSearch(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLocaleLowerCase('vi')
    .replace(/\s+/g, ' ')
    .trim();
}

/** True when every word of the query occurs in the folded haystack, in any order. */
export function matchesQuery(foldedHaystack: string, query: string): boolean {
  const words = foldForSearch(query).split(' ').filter(Boolean);
  return words.every((w) => foldedHaystack.includes(w));
}

const collators = new Map<string, Intl.Collator>();
/** Sorts by Vietnamese alphabetical order (a ă â b c d đ e ê …), not by code point. */
export function compareVi(a: string, b: string): number {
  let c = collators.get('vi');
  if (!c) {
    c = new Intl.Collator('vi');
    collators.set('vi', c);
  }
  return c.compare(a, b);
}
