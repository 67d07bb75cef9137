/**
 * Personal numbers: phone numbers, CCCD/CMND, passports, bank accounts, tax and insurance codes,
 * however they are grouped. Numbers that are plainly not personal (dates, amounts, dossier and
 * procedure codes, legal references) are shielded first.
 */
import type { RedactionKind } from './kinds.ts';
import { sameNumber, type Prepared } from './sender.ts';
import { SHIELD, type Doc, type Hit } from './text.ts';

/** Things that look like numbers but are not personal; they are shielded from the number scan. */
const PROTECTED: readonly RegExp[] = [
  // Dossier codes of the one-stop system: 000.00.12.H35-250101-0001, H35.12-250101-0001.
  /(?<![\p{L}\p{N}.])(?=[\p{L}\p{N}.]*\p{L})[\p{L}\p{N}]+(?:\.[\p{L}\p{N}]+)*-\d{6}-\d{4,6}(?![\p{L}\p{N}])/gu,
  // Dossier codes written with dots: H37.240101.0001.
  /(?<![\p{L}\p{N}.])[A-Z]\d{2}\.\d{6}\.\d{4,6}(?![\p{L}\p{N}])/gu,
  // Procedure codes (mã TTHC): 1.001193, 2.000123.
  /(?<![\d.])\d\.\d{6}(?![\d]|[.,]\d)/g,
  // Dates: 12/3/2025, 12.03.2025, 12-03-2025, 2025-03-12.
  /(?<![\d./-])(?:0?[1-9]|[12]\d|3[01])([./-])(?:0?[1-9]|1[0-2])\1(?:19|20)\d{2}(?!\d|[./-]\d)/g,
  /(?<![\d./-])(?:19|20)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?!\d|[./-]\d)/g,
];

/** Units after a number (or after a range "… đến 300.000.000") that make it an amount. */
const CURRENCY_AFTER =
  /^\s*(?:(?:-|–|đến|tới|và)\s*[\d.,]+\s*)?(?:đồng|đ(?![\p{L}])|vnđ|vnd|triệu|tỷ|tỉ|nghìn|ngàn|usd|%|\$)/u;
/** Words shortly before a number that make a thousands-grouped number an amount ("mức phạt từ
 * 200.000.000", "chi trả 123.456.789"). */
const MONEY_BEFORE =
  /(?<![\p{L}])(?:tiền|phí|giá|phạt|nộp|thu|chi|bồi thường|hỗ trợ|lương|kinh phí|ngân sách)(?:\s+\p{L}+){0,2}\s*:?\s*$/u;

/** Context words just before a number (folded); the nearest one decides the kind. */
const NUMBER_CONTEXT: readonly [RegExp, RedactionKind][] = [
  [/(?:cccd|cmnd|cmt|can cuoc|chung minh|dinh danh|ho chieu|passport)/g, 'id-number'],
  [/(?:dien thoai|sdt|dt|di dong|goi|lien he|lien lac|zalo|hotline|so may|phone|tel|mobile|nhan tin|sms)/g, 'phone'],
  [/(?:tai khoan|stk|so tk|ma so thue|mst|bhxh|bhyt|so the)/g, 'other-number'],
];

function contextKind(doc: Doc, start: number): RedactionKind | undefined {
  const head = doc.flat.slice(Math.max(0, start - 40), start);
  let best: { at: number; kind: RedactionKind } | undefined;
  for (const [re, kind] of NUMBER_CONTEXT) {
    for (const m of head.matchAll(re)) {
      const before = head.charAt(m.index - 1);
      const after = head.charAt(m.index + m[0].length);
      if (/[a-z0-9]/.test(before) || /[a-z0-9]/.test(after)) continue;
      if (!best || m.index > best.at) best = { at: m.index, kind };
    }
  }
  return best?.kind;
}

const PHONE_SHAPES: readonly RegExp[] = [
  /^0[1-9]\d{8,9}$/, // 0901234567 (mobile), 02583822000 (landline), 01681234567 (old mobile)
  /^84[1-9]\d{8,9}$/, // 84901234567, +84 258 3822 000
  /^840[1-9]\d{8,9}$/, // +84 (0) 90 123 4567
];
const isPhoneShape = (d: string): boolean => PHONE_SHAPES.some((re) => re.test(d));
const isIdShape = (d: string): boolean => d.length === 9 || d.length === 12;

interface Group {
  start: number;
  end: number;
  digits: string;
}

/** Gap text that still joins two digit groups into one number: "090 123", "0901.234", "(0258) 3",
 * "+84 (0) 90". A comma, a slash or two separators do not. */
const JOIN_GAP = /^(?:[ \u00a0]?[.-][ \u00a0]?|[ \u00a0]{1,2}|\)[ \u00a0]?|[ \u00a0]?\(|\)[ \u00a0]?\()$/;

export function findNumbers(doc: Doc, hits: Hit[], sender: Prepared): void {
  let text = doc.text;
  for (const re of PROTECTED)
    for (const m of text.matchAll(re))
      text = text.slice(0, m.index) + SHIELD.repeat(m[0].length) + text.slice(m.index + m[0].length);

  // "o9o5 222 333": a letter o typed for a zero, next to a digit and not part of a word.
  text = text.replace(/(?<=\d)[oO](?!\p{L})|(?<!\p{L})[oO](?=\d)/gu, '0');
  const groups: Group[] = [...text.matchAll(/\d+/g)].map((m) => ({
    start: m.index,
    end: m.index + m[0].length,
    digits: m[0],
  }));
  const clusters: Group[][] = [];
  for (const g of groups) {
    const last = clusters.at(-1);
    const prev = last?.at(-1);
    if (last && prev && JOIN_GAP.test(text.slice(prev.end, g.start))) last.push(g);
    else clusters.push([g]);
  }

  for (const cluster of clusters) {
    const used = new Array<boolean>(cluster.length).fill(false);
    const digitsOf = (i: number, j: number): string =>
      cluster
        .slice(i, j + 1)
        .map((g) => g.digits)
        .join('');
    const emit = (i: number, j: number, shapeKind: RedactionKind): void => {
      let start = cluster[i]!.start;
      let end = cluster[j]!.end;
      const digits = digitsOf(i, j);
      // Amounts: "150.000.000 đồng", "số tiền 150.000.000".
      const after = doc.lower.slice(end, end + 30);
      const ctx = contextKind(doc, start);
      const own = sender.phoneDigits !== undefined && sameNumber(digits, sender.phoneDigits);
      if (ctx !== 'id-number' && ctx !== 'phone' && !own) {
        if (CURRENCY_AFTER.test(after)) return;
        const grouped = /^\d{1,3}(?:\.\d{3})+$/.test(doc.text.slice(start, end));
        if (grouped && MONEY_BEFORE.test(doc.lower.slice(Math.max(0, start - 30), start))) return;
      }
      for (let k = i; k <= j; k++) used[k] = true;
      if (doc.text.charAt(start - 1) === '+') start--;
      if (doc.text.charAt(start - 1) === '(') start--;
      const opened = (doc.text.slice(start, end).match(/\(/g) ?? []).length;
      const closed = (doc.text.slice(start, end).match(/\)/g) ?? []).length;
      if (opened > closed && doc.text.charAt(end) === ')') end++;
      hits.push({ start, end, kind: ctx ?? shapeKind });
    };
    const free = (i: number, j: number): boolean => used.slice(i, j + 1).every((u) => !u);
    const last = cluster.length - 1;

    // 0. After "số tài khoản", "CCCD", "mã số thuế"…, the whole grouped number is the one meant:
    // "STK 1903 5678 9012 34" must not leave "34" behind.
    const ctx = contextKind(doc, cluster[0]!.start);
    const total = digitsOf(0, last).length;
    if ((ctx === 'other-number' || ctx === 'id-number') && last > 0 && total >= 8 && total <= 20) {
      emit(0, last, ctx);
      continue;
    }

    // 1. Phone numbers first, longest from the left, so "2024 0901 234 567" keeps the year.
    for (let i = 0; i <= last; i++)
      for (let j = Math.min(last, i + 13); j >= i; j--) {
        if (!free(i, j)) continue;
        const d = digitsOf(i, j);
        if (isPhoneShape(d) || (sender.phoneDigits !== undefined && sameNumber(d, sender.phoneDigits))) {
          emit(i, j, 'phone');
          i = j;
          break;
        }
      }
    // 2. ID numbers: 12 digits (CCCD) or 9 (CMND), written whole or in groups of 2 to 6 digits.
    for (let i = 0; i <= last; i++)
      for (let j = Math.min(last, i + 13); j >= i; j--) {
        if (!free(i, j)) continue;
        const d = digitsOf(i, j);
        // Groups of 2 to 6 digits, or one digit at a time ("0 7 9 0 8 5 …").
        const gs = cluster.slice(i, j + 1);
        const groupsOk =
          i === j ||
          gs.every((g) => g.digits.length >= 2 && g.digits.length <= 6) ||
          gs.every((g) => g.digits.length === 1);
        if (isIdShape(d) && groupsOk) {
          emit(i, j, 'id-number');
          i = j;
          break;
        }
      }
    // 3. Any other unbroken run of 9 to 20 digits: bank accounts, tax codes, insurance numbers.
    cluster.forEach((g, i) => {
      if (!used[i] && g.digits.length >= 9 && g.digits.length <= 20) emit(i, i, 'other-number');
    });
  }

  // Passports: a letter and 7 or 8 digits after the word "hộ chiếu".
  for (const m of doc.flat.matchAll(/(?:ho chieu|passport)\s*(?:so|no\.?)?\s*:?\s*([a-z]\d{7,8})(?![a-z0-9])/g)) {
    const code = m[1]!;
    const at = m.index + m[0].length - code.length;
    hits.push({ start: at, end: at + code.length, kind: 'id-number' });
  }
}
