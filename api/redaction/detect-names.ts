/** People's names: the sender's own, and anyone's after an honorific, a role, a title or a label. */
import type { Prepared } from './sender.ts';
import type { RedactionKind } from './kinds.ts';
import { foldUnit, wordBefore, type Doc, type Hit } from './text.ts';
import {
  FAMILY_NAMES,
  HONORIFIC_PLACES,
  HONORIFICS,
  NAME_LABELS,
  NAME_ROLES,
  NAME_TITLES,
  NOT_NAME_START,
  NOT_NAME_WORD,
  PLACE_WORDS,
  PLACE_WORDS_FLAT,
  PLAIN_HONORIFICS,
  PUBLIC_FIGURES,
  AMBIGUOUS_FAMILY_NAMES,
  KNOWN_PLACES,
  alternation,
} from './wordlists.ts';

const HONORIFIC_FLAT = new Set(HONORIFICS.map((h) => [...h].map(foldUnit).join('')));

/** Roles written before a name: "cán bộ Phạm Minh Tuấn", "đồng chí Lê Văn Hùng", "công dân Lưu Văn Tám". */
const NAME_ROLE = new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternation(NAME_ROLES)})\\s+`, 'gu');

/** Titles written before an official's name: "Chủ tịch UBND xã Nguyễn Văn Bình". Capitalised
 * words after a title are often an agency ("Chủ tịch Quốc hội"), so the name must start with a
 * common family name. */
const NAME_TITLE = new RegExp(
  `(?<![\\p{L}\\p{N}])(?:${alternation(NAME_TITLES)})(?:\\s+(?:ubnd|hdnd|xa|phuong|thi tran|huyen|quan|tinh|thanh pho|tp))*\\s+`,
  'gu',
);

/** Labels that introduce a name: "Họ và tên:", "Tôi là", "Em tên là", "Người gửi:". */
const NAME_LABEL = new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternation(NAME_LABELS)})\\s*[:-]?\\s*`, 'gu');

/** A Vietnamese syllable, folded: optional initial consonant(s), vowels, optional final. */
const SYLLABLE = /^(?:ngh|ng|nh|ch|tr|th|kh|gh|gi|ph|qu|[bcdghklmnpqrstvx])?[aeiouy]{1,3}(?:ng|nh|ch|[cmnpt])?$/;

/** Reads capitalised name syllables at `pos` (in `fold`): "Nguyễn Văn An", "NGUYEN VAN AN", and a
 * final initial as in "Nguyễn Văn A". Returns the end offset and the folded syllables. */
function readNameRun(doc: Doc, pos: number, max = 4): { end: number; syllables: string[] } {
  const re = /([A-Z][a-z]{0,6}|[A-Z]{1,7})(?![\p{L}\p{N}])/uy;
  const syllables: string[] = [];
  let end = pos;
  let p = pos;
  while (syllables.length < max) {
    re.lastIndex = p;
    const m = re.exec(doc.fold);
    if (!m) break;
    const s = m[1]!.toLowerCase();
    const initial = s.length === 1 && syllables.length > 0;
    if (!initial && !SYLLABLE.test(s)) break;
    syllables.push(s);
    end = p + m[0].length;
    if (initial) break;
    const gap = /[ \t\u00a0]+/y;
    gap.lastIndex = end;
    if (!gap.exec(doc.fold)) break;
    p = gap.lastIndex;
  }
  return { end, syllables };
}

function isNameRun(doc: Doc, pos: number, syllables: string[]): boolean {
  if (syllables.length === 0) return false;
  // Titles and agencies are often capitalised only on their first word ("Công an", "Chủ tịch").
  const next = /\p{L}+(?:[ \t\u00a0]+\p{L}+)?/uy;
  next.lastIndex = pos;
  const two = (next.exec(doc.flat)?.[0] ?? '').replace(/\s+/g, ' ');
  if (NOT_NAME_START.has(two) || NOT_NAME_START.has(syllables.slice(0, 2).join(' '))) return false;
  const firstWord = /\p{L}+/uy;
  firstWord.lastIndex = pos;
  const w = firstWord.exec(doc.lower)?.[0] ?? '';
  if (NOT_NAME_WORD.has(w)) return false;
  return true;
}

/** Honorifics at word boundaries; the check on diacritics keeps "có" (has) apart from "cô". */
function* honorifics(doc: Doc): Generator<{ start: number; end: number; flat: string }> {
  for (const m of doc.lower.matchAll(/\p{L}+/gu)) {
    const w = m[0];
    const flatWord = doc.flat.slice(m.index, m.index + w.length);
    if (!HONORIFIC_FLAT.has(flatWord)) continue;
    const unaccented = flatWord === w;
    const ok = HONORIFICS.includes(w) || (unaccented && (PLAIN_HONORIFICS.has(w) || !doc.accented));
    if (ok) yield { start: m.index, end: m.index + w.length, flat: flatWord };
  }
}

export function findNames(doc: Doc, hits: Hit[], sender: Prepared): void {
  const push = (m: RegExpMatchArray, kind: RedactionKind): void => {
    hits.push({ start: m.index!, end: m.index! + m[0].length, kind });
  };
  // The sender's own name: full name in any case and with or without diacritics; partial forms
  // ("Nguyễn An", "Văn An") only when capitalised, so "đô thị hóa" does not match "Thị Hoa".
  for (const re of sender.nameFull) for (const m of doc.flat.matchAll(re)) push(m, 'name');
  for (const re of sender.namePartial)
    for (const m of doc.flat.matchAll(re)) if (capitalised(doc, m.index, m[0].length)) push(m, 'name');
  if (sender.nameJoined)
    for (const m of doc.flat.matchAll(sender.nameJoined)) {
      // "nguyenvanan" in a handle or link: take the whole token.
      let s = m.index;
      let e = m.index + m[0].length;
      while (s > 0 && !/\s/.test(doc.text.charAt(s - 1))) s--;
      while (e < doc.text.length && !/\s/.test(doc.text.charAt(e))) e++;
      while (e > s && /[.,;:!?)]/.test(doc.text.charAt(e - 1))) e--;
      hits.push({ start: s, end: e, kind: 'name' });
    }

  for (const h of honorifics(doc)) {
    const gap = /[ \t\u00a0]+/y;
    gap.lastIndex = h.end;
    if (!gap.exec(doc.text)) continue;
    const at = gap.lastIndex;
    // The sender's given name after an honorific, in any case: "anh An", "chị an", "bà Văn An".
    let matched = false;
    for (const re of sender.nameAfterHonorific) {
      re.lastIndex = at;
      const m = re.exec(doc.flat);
      if (m) {
        hits.push({ start: at, end: at + m[0].length, kind: 'name' });
        matched = true;
        break;
      }
    }
    if (matched) continue;
    // Anyone else's name after an honorific, when capitalised: "ông Trần Văn Bình", "chị Lan".
    const run = readNameRun(doc, at);
    if (!isNameRun(doc, at, run.syllables)) continue;
    if (
      doc.accented ? PLACE_WORDS.has(wordBefore(doc, h.start, 1, true)) : PLACE_WORDS_FLAT.has(wordBefore(doc, h.start))
    )
      continue;
    if (HONORIFIC_PLACES.has(`${h.flat} ${run.syllables[0]}`)) continue;
    hits.push({ start: at, end: run.end, kind: 'name' });
  }

  for (const m of doc.flat.matchAll(NAME_ROLE)) {
    const at = m.index + m[0].length;
    const run = readNameRun(doc, at);
    if (isNameRun(doc, at, run.syllables)) hits.push({ start: at, end: run.end, kind: 'name' });
  }

  for (const m of doc.flat.matchAll(NAME_TITLE)) {
    const at = m.index + m[0].length;
    const run = readNameRun(doc, at);
    const first = run.syllables[0];
    if (run.syllables.length >= 2 && first && FAMILY_NAMES.has(first) && !PUBLIC_FIGURES.has(run.syllables.join(' ')))
      hits.push({ start: at, end: run.end, kind: 'name' });
  }

  for (const m of doc.flat.matchAll(NAME_LABEL)) {
    const at = m.index + m[0].length;
    // "Tôi là Hoa": the sender's given name alone after a label.
    const own = sender.nameAfterHonorific.find((re) => {
      re.lastIndex = at;
      return re.test(doc.flat);
    });
    // Capitalised in accented text, so "tôi là an tâm" stays; any case in unaccented text.
    if (own && (!doc.accented || /^[A-Z]/.test(doc.fold.charAt(at)))) {
      own.lastIndex = at;
      const mm = own.exec(doc.flat)!;
      hits.push({ start: at, end: at + mm[0].length, kind: 'name' });
      continue;
    }
    const label = m[0].replace(/[\s:-]+$/, '');
    // "họ" (family name) and not "hồ" (lake) or "hộ" (household) in accented text.
    if (
      FAMILY_LABELS.has(label) &&
      doc.accented &&
      !/^(?:tôi )?họ$/.test(doc.lower.slice(m.index, m.index + label.length))
    )
      continue;
    let run = readNameRun(doc, at, 5);
    // Typed without diacritics and in lower case: "toi ten la nguyen van an", "ho ten: tran thi be".
    if (run.syllables.length === 0 && !doc.accented) run = readLowerNameRun(doc, at);
    // "Tôi là Thảo." names one person; "Tôi là Việt kiều" does not: a single word after "là"
    // counts only before punctuation or the end. "Tôi họ Huỳnh": a family name.
    const single =
      run.syllables.length === 1 &&
      (SINGLE_WORD_LABELS.has(label) ||
        (label.endsWith(' la') && /^\s*(?:[,.;:!?)]|$)/.test(doc.text.slice(run.end))) ||
        (FAMILY_LABELS.has(label) && FAMILY_NAMES.has(run.syllables[0]!)));
    if ((run.syllables.length >= 2 || single) && isNameRun(doc, at, run.syllables))
      hits.push({ start: at, end: run.end, kind: 'name' });
  }

  findBareNames(doc, hits);
}

/** Labels after which one capitalised word is a name ("tên Hạnh", "Họ tên: AN"). */
const SINGLE_WORD_LABELS = new Set([
  'ho va ten',
  'ho ten',
  'ho & ten',
  'ten',
  'ten la',
  'toi ten',
  'ten toi la',
  'toi ten la',
  'em ten',
  'minh ten',
  'ky ten',
]);
/** Labels after which one word is a name only when it is a family name ("Tôi họ Huỳnh"). */
const FAMILY_LABELS = new Set(['ho', 'toi ho']);

/** Lower-case name syllables (text typed without diacritics): 2 to 4, the first a family name. */
function readLowerNameRun(doc: Doc, pos: number): { end: number; syllables: string[] } {
  const re = /([a-z]{1,7})(?![\p{L}\p{N}])/uy;
  const syllables: string[] = [];
  let end = pos;
  let p = pos;
  while (syllables.length < 4) {
    re.lastIndex = p;
    const m = re.exec(doc.flat);
    if (!m || !SYLLABLE.test(m[1]!)) break;
    syllables.push(m[1]!);
    end = p + m[0].length;
    const gap = /[ \t\u00a0]+/y;
    gap.lastIndex = end;
    if (!gap.exec(doc.flat)) break;
    p = gap.lastIndex;
  }
  if (syllables.length < 2 || !FAMILY_NAMES.has(syllables[0]!)) return { end: pos, syllables: [] };
  return { end, syllables };
}

/** The capitalised word just before `pos` (only spaces between), or ''. */
function capitalWordBefore(doc: Doc, pos: number): string {
  const m = /(\p{L}+)[ \t\u00a0]+$/u.exec(doc.fold.slice(Math.max(0, pos - 30), pos));
  return m && /^\p{Lu}/u.test(m[1]!) ? m[1]! : '';
}

/**
 * Full names with no cue word (issue #7 part 4): a capitalised run of 2 to 4 syllables that starts
 * with a Vietnamese family name (./words/family-names.yaml) — "Hôm qua Nguyễn Thị Hoa ở cùng xóm".
 * Not when the words before make it a place ("đường Trần Phú bị ngập"), when it is a known street,
 * place or public figure used as a place name, or when it is part of a longer capitalised phrase
 * (titles written in capitals, agency names): "ĐỀ NGHỊ GIẢI QUYẾT HỒ SƠ" is no name.
 */
function findBareNames(doc: Doc, hits: Hit[]): void {
  for (const w of doc.fold.matchAll(/(?<![\p{L}\p{N}])\p{Lu}/gu)) {
    const at = w.index;
    const run = readNameRun(doc, at);
    const s = run.syllables;
    if (s.length < 2) continue;
    // "Đường Lê Lợi", "Trường Lê Quý Đôn" at the start of a sentence: the place word folds like a
    // family name (Dương, Trương); the name after it is looked at from its own start.
    const firstWord = /\p{L}+/uy.exec(doc.lower.slice(at))?.[0] ?? '';
    if (doc.accented && firstWord !== 'hồ' && PLACE_WORDS.has(firstWord)) continue;
    // "Ông Lê Văn Hùng": the honorific is not part of the name (the honorific rule takes it).
    if (doc.accented ? HONORIFICS.includes(firstWord) : HONORIFIC_FLAT.has(s[0]!)) continue;
    if (!FAMILY_NAMES.has(s[0]!) || (AMBIGUOUS_FAMILY_NAMES.has(s[0]!) && s.length < 3)) continue;
    // A run that continues a capitalised phrase, or is followed by one, is a title or an agency.
    const before = capitalWordBefore(doc, at);
    if (before && !/^(?:Toi|Em|Con|Chau|Minh)$/.test(before)) continue;
    if (/^[ \t\u00a0]+\p{Lu}/u.test(doc.fold.slice(run.end, run.end + 3))) continue;
    if (placeBefore(doc, at)) continue;
    const joined = s.join(' ');
    if ([2, 3, 4].some((n) => n <= s.length && KNOWN_PLACES.has(s.slice(0, n).join(' ')))) continue;
    if (PUBLIC_FIGURES.has(joined) || NOT_NAME_START.has(s.slice(0, 2).join(' '))) continue;
    if (!isNameRun(doc, at, s)) continue;
    hits.push({ start: at, end: run.end, kind: 'name' });
  }
}

/** One or two words before `pos` name a kind of place ("đường", "ngã tư", "tượng đài"). */
function placeBefore(doc: Doc, pos: number): boolean {
  if (doc.accented) {
    return PLACE_WORDS.has(wordBefore(doc, pos, 1, true)) || PLACE_WORDS.has(wordBefore(doc, pos, 2, true));
  }
  return PLACE_WORDS_FLAT.has(wordBefore(doc, pos)) || PLACE_WORDS_FLAT.has(wordBefore(doc, pos, 2));
}

function capitalised(doc: Doc, start: number, length: number): boolean {
  const ws = doc.fold.slice(start, start + length).match(/\p{L}+/gu) ?? [];
  return ws.length > 0 && ws.every((w) => /^[A-Z]/.test(w));
}
