/**
 * Vietnamese text helpers shared by the site and the API (docs/architecture.md §7 "Vietnamese text").
 */

/**
 * Folds text for diacritic-insensitive search: "Đăng ký khai sinh" → "dang ky khai sinh".
 * NFD + strip combining marks misses đ/Đ (a separate letter, not a base letter with a mark).
 * @example foldForSearch('ĐĂNG KÝ Khai sinh') === 'dang ky khai sinh'
 */
export function foldForSearch(text: string): string {
  return withoutMarks(text).toLocaleLowerCase('vi').replace(/\s+/g, ' ').trim();
}

/**
 * Vietnamese letters without their marks, case kept: "Đơn kiến nghị" → "Don kien nghi". NFD and
 * stripping combining marks misses đ/Đ (a separate letter, not a base letter with a mark).
 */
export function withoutMarks(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D');
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

// C0 controls, DEL and C1 controls. Tab, LF and CR are text in a multi-line field.
/* eslint-disable no-control-regex -- matching control characters is the point */
const CONTROL_SINGLE_LINE = /[\u0000-\u001F\u007F-\u009F]/u;
const CONTROL_MULTI_LINE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/u;
/* eslint-enable no-control-regex */

/**
 * Whether text holds a character no person types (issue #7 part 6): a control character (NUL, ESC,
 * C1…; line breaks and tabs too in a single-line field such as a title or a name), or half of a
 * surrogate pair, which no UTF-8 encoder can write. Such text is refused with the field error
 * `control_character`, never stored.
 * @example hasControlCharacter('Đường\u0000hỏng') === true
 * @example hasControlCharacter('dòng 1\r\ndòng 2', 'multi') === false
 */
export function hasControlCharacter(text: string, lines: 'single' | 'multi' = 'single'): boolean {
  return (lines === 'single' ? CONTROL_SINGLE_LINE : CONTROL_MULTI_LINE).test(text) || !text.isWellFormed();
}
