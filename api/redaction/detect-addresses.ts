/** Addresses: house numbers with a street, alleys (hẻm, ngõ, kiệt), hamlets and residential
 * groups, and what follows an address label ("trú tại …"). A ward or a province alone is kept. */
import type { Prepared } from './sender.ts';
import { trimEnd, wordBefore, type Doc, type Hit } from './text.ts';
import {
  ADMIN_UNIT,
  ALLEY_WORDS,
  HOUSE_TRIGGER,
  LOCALITY_NUMBER_ONLY,
  LOCALITY_WORDS,
  LOWER_NAME_OK,
  NOT_HOUSE_BEFORE,
  PLACE_WORDS_FLAT,
} from './wordlists.ts';

/** Words before "số 12 …" that make it a document or parcel number, not a house number (folded). */
/** Words before a bare "số 12 Trần Phú" that make it an address (or nothing: start of a clause). */

const STREET_KEYWORD = /(?:duong|pho|dg|d\.)\s+(?:so\s+)?/y;

const WORD_AT = /[A-Z][A-Za-z]*(?![\p{L}\p{N}])/uy;
const NUMBER_AT = /\d+[A-Za-z]?(?:\/\d+[A-Za-z]?)*(?![\p{L}\p{N}])/uy;

/** Reads a street or place name at `pos`: capitalised words, with numbers only where a street
 * name has them ("3 Tháng 2", "Tháng 2", "đường số 5", "12/3 Nguyễn Trãi"), so "số 225 123 456"
 * is not read as a street. `numberFirst` allows a leading number on its own ("phường 5"). */
export function readStreet(doc: Doc, pos: number, numberFirst = true): number {
  let end = pos;
  let p = pos;
  const kw = new RegExp(STREET_KEYWORD.source, 'y');
  kw.lastIndex = p;
  const k = kw.exec(doc.flat);
  if (k) p = end = kw.lastIndex;
  let previousWasWord = false;
  for (let n = 0; n < 6; n++) {
    WORD_AT.lastIndex = p;
    NUMBER_AT.lastIndex = p;
    const word = WORD_AT.exec(doc.fold);
    const num = word ? null : NUMBER_AT.exec(doc.fold);
    if (!word && !num) break;
    if (num) {
      const followedByWord = /^[ \t\u00a0]+[A-Z]/.test(doc.fold.slice(p + num[0].length));
      const alone = n === 0 && (numberFirst || k !== null);
      if (!previousWasWord && !followedByWord && !alone) break;
    }
    previousWasWord = word !== null;
    end = p + (word ?? num)![0].length;
    const gap = /[ \t\u00a0]+/y;
    gap.lastIndex = end;
    if (!gap.exec(doc.fold)) break;
    p = gap.lastIndex;
  }
  return end;
}

const HOUSE_NUMBER =
  /(?<![\p{L}\p{N}])(so nha|nha so|sn|so|nha|tai|o)\s*\.?\s*(\d+[a-z]?(?:\s*\/\s*\d+[a-z]?)*)(?![\p{L}\p{N}/])/gu;
const ALLEY = /(?<![\p{L}\p{N}])(hem|kiet|ngo|ngach)\s+(?:so\s*)?(\d+[a-z]?(?:\s*\/\s*\d+[a-z]?)*)(?![\p{L}\p{N}])/gu;
/** Hamlets, residential groups, quarters: "tổ 3", "tổ dân phố 5", "thôn Phú Lộc", "ấp 2", "KP 6". */
const LOCALITY = /(?<![\p{L}\p{N}])(to dan pho|to|khu pho|kp|khom|thon|xom|ap|buon|ban|lang)\s*\.?\s+/gu;
/** Labels that introduce the sender's address; what follows, clause by clause, is redacted while
 * each clause looks like part of an address. */
const ADDRESS_LABEL =
  /(?<![\p{L}\p{N}])(?:dia chi|tru tai|ngu tai|cu tru tai|thuong tru tai|thuong tru|tam tru tai|tam tru|noi o|o tai|cho o|que quan)\s*[:-]?\s*/gu;
/** One part of an address: a keyword and what it names ("số 12", "đường Trần Phú", "phường 5",
 * "tỉnh Khánh Hòa"), or a bare house number ("12 Trần Phú"). */
const ADDRESS_UNIT =
  /(?:so nha|nha so|so|sn|nha|duong|pho|ngo|ngach|hem|kiet|to dan pho|to|khu pho|kp|khom|thon|xom|ap|buon|ban|lang|phuong|xa|thi tran|thi xa|quan|huyen|thanh pho|tp|tinh|p|q|tt|tx|khu|lo|can ho|chung cu|toa|block)(?![\p{L}\p{N}])\s*\.?\s*/uy;

/** Address keywords that name only an administrative unit: not personal on their own. */
/** Keywords whose name may be typed in lower case ("thon phu loc"); up to three words are taken. */

/** Reads address parts from `pos` for as long as they look like one: "số 12 Trần Phú, phường Lộc
 * Thọ, TP. Nha Trang" stops before ", phản ánh việc…". Returns the end, or `pos` when nothing was
 * read or only administrative units were (a ward or a province alone points at nobody). */
function readAddressUnits(doc: Doc, pos: number): number {
  let end = pos;
  let p = pos;
  let specific = false;
  for (let n = 0; n < 8; n++) {
    ADDRESS_UNIT.lastIndex = p;
    const kw = ADDRESS_UNIT.exec(doc.flat);
    const q = kw ? ADDRESS_UNIT.lastIndex : p;
    if (!kw && !/\d/.test(doc.flat.charAt(q))) break;
    const keyword = kw ? kw[0].replace(/[\s.]+$/, '') : '';
    let e = readStreet(doc, q);
    if (e === q && LOWER_NAME_OK.has(keyword)) e = readLowerName(doc, q);
    if (e === q) break;
    if (!ADMIN_UNIT.has(keyword)) specific = true;
    end = e;
    const sep = /[\s,;–-]*/y;
    sep.lastIndex = end;
    sep.exec(doc.flat);
    p = sep.lastIndex;
  }
  return specific ? end : pos;
}

/** Up to three lower-case words, stopping at punctuation or at the next address keyword. */
function readLowerName(doc: Doc, pos: number): number {
  let end = pos;
  let p = pos;
  for (let n = 0; n < 3; n++) {
    ADDRESS_UNIT.lastIndex = p;
    if (ADDRESS_UNIT.exec(doc.flat)) break;
    const w = /\p{L}+(?![\p{L}\p{N}])/uy;
    w.lastIndex = p;
    if (!w.exec(doc.flat)) break;
    end = w.lastIndex;
    const gap = /[ \t\u00a0]+/y;
    gap.lastIndex = end;
    if (!gap.exec(doc.flat)) break;
    p = gap.lastIndex;
  }
  return end;
}

/** True when the word at `pos` is one of `accentedWords` in accented text (so "tờ" is not "tổ"),
 * or its folded form in text typed without diacritics. */
function keywordOk(doc: Doc, start: number, end: number, accentedWords: ReadonlySet<string>): boolean {
  if (!doc.accented) return true;
  const w = doc.lower.slice(start, end);
  return accentedWords.has(w) || w === doc.flat.slice(start, end);
}

export function findAddresses(doc: Doc, hits: Hit[], sender: Prepared): void {
  const push = (start: number, end: number): void => {
    hits.push({ start, end: trimEnd(doc, end), kind: 'address' });
  };
  for (const re of sender.address) for (const m of doc.flat.matchAll(re)) push(m.index, m.index + m[0].length);

  for (const m of doc.flat.matchAll(HOUSE_NUMBER)) {
    const trigger = m[1]!;
    const numberEnd = m.index + m[0].length;
    const gap = /[ \t\u00a0,]*/y;
    gap.lastIndex = numberEnd;
    gap.exec(doc.flat);
    const streetEnd = readStreet(doc, gap.lastIndex, false);
    const hasStreet = streetEnd > gap.lastIndex;
    if (trigger === 'so nha' || trigger === 'nha so' || trigger === 'sn') {
      // "nhà số 12 …" keeps "nhà": "nhà [địa chỉ]".
      push(trigger === 'nha so' ? m.index + 4 : m.index, hasStreet ? streetEnd : numberEnd);
      continue;
    }
    if (!hasStreet) continue;
    const before = wordBefore(doc, m.index);
    if (trigger === 'so') {
      const keyword = /(?:duong|pho)\s/y;
      keyword.lastIndex = gap.lastIndex;
      const strong = keyword.test(doc.flat);
      if (NOT_HOUSE_BEFORE.has(before)) continue;
      if (!strong && before !== '' && !HOUSE_TRIGGER.has(before) && !/[,.;:\n(]\s*$/.test(doc.text.slice(0, m.index)))
        continue;
    } else {
      // "nhà 12 Trần Phú", "tại 45 Lê Lợi", "ở 7 Hùng Vương": a number then a street name.
      if (trigger === 'o' && doc.accented && doc.lower.slice(m.index, m.index + 1) !== 'ở') continue;
    }
    const numberStart = m.index + m[0].length - m[2]!.length;
    push(trigger === 'so' ? m.index : numberStart, streetEnd);
  }

  for (const m of doc.flat.matchAll(ALLEY)) {
    const kwEnd = m.index + m[1]!.length;
    if (!keywordOk(doc, m.index, kwEnd, ALLEY_WORDS)) continue;
    const end = m.index + m[0].length;
    const gap = /[ \t\u00a0,]*/y;
    gap.lastIndex = end;
    gap.exec(doc.flat);
    let streetEnd = readStreet(doc, gap.lastIndex, false);
    // Typed without diacritics, the street is often in lower case too: "hem 12 tran quy cap".
    if (streetEnd === gap.lastIndex && !doc.accented && /^[ \t\u00a0]/.test(doc.flat.charAt(end)))
      streetEnd = readLowerName(doc, gap.lastIndex);
    push(m.index, streetEnd > gap.lastIndex ? streetEnd : end);
  }

  for (const m of doc.flat.matchAll(LOCALITY)) {
    const kw = m[1]!;
    const kwEnd = m.index + kw.length;
    if (!keywordOk(doc, m.index, kwEnd, LOCALITY_WORDS)) continue;
    // "Trưởng thôn" is a title; "chợ Xóm Mới", "cầu Xóm Bóng" are places named after a hamlet.
    const before = wordBefore(doc, m.index);
    if (before === 'truong' || PLACE_WORDS_FLAT.has(before)) continue;
    const at = m.index + m[0].length;
    const num = /\d+[a-z]?(?![\p{L}\p{N}])/uy;
    num.lastIndex = at;
    if (num.exec(doc.flat)) {
      push(m.index, num.lastIndex);
      continue;
    }
    if (LOCALITY_NUMBER_ONLY.has(kw)) continue;
    const run = readStreet(doc, at, false);
    if (run > at && /^[A-Z]/.test(doc.fold.charAt(at)) && !/^[A-Z]{2,}(?![a-z])/.test(doc.fold.slice(at)))
      push(m.index, run);
  }

  for (const m of doc.flat.matchAll(ADDRESS_LABEL)) {
    const at = m.index + m[0].length;
    const end = readAddressUnits(doc, at);
    if (end > at) push(at, end);
  }
}
