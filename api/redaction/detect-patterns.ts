/**
 * Personal data with a shape of its own (issue #7 part 4): dates of birth (after "sinh ngày",
 * "năm sinh"…; other dates are events and stay), vehicle plates ("79A-123.45", "79C1 234.56"),
 * social-media profile links, health-insurance card numbers ("GD4797931234567") and passport
 * numbers written without the word "hộ chiếu" ("C1234567").
 */
import type { Doc, Hit } from './text.ts';

/** Words before a date of birth (folded). */
const BIRTH_CUE =
  /(?<![\p{L}\p{N}])(?:ngay thang nam sinh|ngay sinh|sinh ngay|nam sinh|sinh nam|sinh thang|dob|ns)\s*[:.]?\s*/gu;
/** A date right after the cue: 12/3/1985, 05-11-1979, 21.09.2001, "3 tháng 7 năm 1958", or a year. */
const BIRTH_DATE =
  /(?:\d{1,2}\s*[./-]\s*\d{1,2}\s*[./-]\s*(?:19|20)?\d{2}|\d{1,2}\s+thang\s+\d{1,2}(?:\s*(?:nam|,)?\s*(?:19|20)\d{2})?|\d{1,2}\s*[./-]\s*(?:19|20)\d{2}|(?:19|20)\d{2})(?![\p{L}\p{N}])/uy;

function findBirthDates(doc: Doc, hits: Hit[]): void {
  for (const m of doc.flat.matchAll(BIRTH_CUE)) {
    const at = m.index + m[0].length;
    BIRTH_DATE.lastIndex = at;
    const d = BIRTH_DATE.exec(doc.flat);
    if (d) hits.push({ start: at, end: at + d[0].length, kind: 'birth-date' });
  }
}

/** Vietnamese plates: province code, series (1–2 letters, maybe a digit), then 4–5 digits. */
const PLATE = /(?<![\p{L}\p{N}.])\d{2}[ -]?[A-Z]{1,2}\d?[ -]?(?:\d{3}[. ]?\d{2}|\d{4})(?![\p{L}\p{N}]|[.,]\d)/gu;

function findPlates(doc: Doc, hits: Hit[]): void {
  for (const m of doc.fold.matchAll(PLATE))
    hits.push({ start: m.index, end: m.index + m[0].length, kind: 'vehicle-plate' });
}

/** Profile pages on social networks; a path after the host names a person. */
const PROFILE_LINK =
  /(?<![\p{L}\p{N}@.])(?:https?:\/\/)?(?:(?:www|m|web|vn)\.)?(?:facebook\.com|fb\.com|fb\.me|zalo\.me|tiktok\.com|instagram\.com|youtube\.com|youtu\.be|twitter\.com|x\.com|threads\.net|linkedin\.com)\/[^\s,;()<>"']+/gu;

function findProfileLinks(doc: Doc, hits: Hit[]): void {
  for (const m of doc.lower.matchAll(PROFILE_LINK)) {
    let end = m.index + m[0].length;
    while (/[.!?:]/.test(doc.text.charAt(end - 1))) end--;
    hits.push({ start: m.index, end, kind: 'profile-link' });
  }
}

/** Health-insurance card numbers: 2 letters, then 13 digits (object, benefit level, province, id),
 * possibly grouped: "GD4797931234567", "HS 4 79 7912345678". */
const BHYT = /(?<![\p{L}\p{N}])[A-Z]{2}[ ]?\d[ ]?\d{2}[ ]?\d{10}(?![\p{L}\p{N}])/gu;
/** Passport numbers: one letter and 7 or 8 digits. */
const PASSPORT = /(?<![\p{L}\p{N}.-])[A-Z]\d{7,8}(?![\p{L}\p{N}]|[.-]\d)/gu;

function findCardNumbers(doc: Doc, hits: Hit[]): void {
  for (const m of doc.fold.matchAll(BHYT))
    hits.push({ start: m.index, end: m.index + m[0].length, kind: 'other-number' });
  for (const m of doc.fold.matchAll(PASSPORT))
    hits.push({ start: m.index, end: m.index + m[0].length, kind: 'id-number' });
}

export function findPatterns(doc: Doc, hits: Hit[]): void {
  findBirthDates(doc, hits);
  findPlates(doc, hits);
  findProfileLinks(doc, hits);
  findCardNumbers(doc, hits);
}
