/**
 * Removes personal data from feedback text before it is published (issue #4): the sender's name,
 * phone numbers, e-mail addresses, ID numbers (CCCD, CMND, passport), other long personal numbers
 * (bank accounts, tax codes) and addresses. Each finding is replaced by a visible placeholder such
 * as "[số điện thoại]"; the result lists where each placeholder is and its kind, so the site can
 * show the English label instead (`localizeRedacted`).
 *
 * Policy: when in doubt, redact. A leaked phone number cannot be unpublished; an over-redacted
 * sentence is only harder to read, and staff review the preview before publishing. Numbers that are
 * plainly not personal survive: dates (12/3/2025, 12.03.2025), amounts (1.500.000 đồng), dossier
 * codes (000.00.12.H35-250101-0001), procedure codes (1.001193) and short numbers.
 *
 * Text handling (ENGINEERING.md "Vietnamese text"): the input is normalised to NFC; matching runs
 * on a folded copy of the same length (combining marks stripped, đ→d, lower-cased) so that
 * "Nguyễn Văn An", "NGUYEN VAN AN" and "nguyễn văn an" all match, while the replacement is made on
 * the original span. `redact` is idempotent: redacting its output changes nothing, because
 * placeholders are recognised and left alone, and the function itself repeats until nothing new is
 * found.
 */

export const redactionKinds = ['name', 'phone', 'email', 'id-number', 'other-number', 'address'] as const;
export type RedactionKind = (typeof redactionKinds)[number];

/** Placeholder text per kind and locale. The published text carries the Vietnamese one. */
export const REDACTION_LABELS: Readonly<Record<RedactionKind, { readonly vi: string; readonly en: string }>> = {
  name: { vi: '[họ tên]', en: '[name]' },
  phone: { vi: '[số điện thoại]', en: '[phone number]' },
  email: { vi: '[email]', en: '[email]' },
  'id-number': { vi: '[số CCCD]', en: '[ID number]' },
  'other-number': { vi: '[số cá nhân]', en: '[personal number]' },
  address: { vi: '[địa chỉ]', en: '[address]' },
};

export interface RedactionSpan {
  /** Offsets of the placeholder in the returned text (UTF-16 code units, NFC). */
  start: number;
  end: number;
  kind: RedactionKind;
}

export interface RedactionResult {
  text: string;
  spans: RedactionSpan[];
}

/** What the sender entered in the form; each is looked for in the text besides the patterns. */
export interface SenderDetails {
  senderName?: string;
  senderPhone?: string;
  senderEmail?: string;
  senderAddress?: string;
}

// ---------------------------------------------------------------------------------------------
// Folding: same-length copies of the text, so an index in one is an index in all.
// ---------------------------------------------------------------------------------------------

/** Stands in for placeholders (already redacted text) so no pattern matches inside them; it is
 * neither a letter, a digit nor a space. */
const MASK = '\uE000';
/** Stands in for protected numbers (dates, dossier and procedure codes) in the number scan. */
const SHIELD = '\uE001';

const foldCache = new Map<string, string>();
/** One UTF-16 unit → one unit: strip combining marks, đ→d; keeps case. */
function foldUnit(c: string): string {
  let f = foldCache.get(c);
  if (f !== undefined) return f;
  if (c === 'đ') f = 'd';
  else if (c === 'Đ') f = 'D';
  else if (c >= '\uD800' && c <= '\uDFFF') f = c;
  else {
    const stripped = c.normalize('NFD').replace(/\p{M}/gu, '');
    f = stripped.length === 1 ? stripped : stripped.length === 0 ? '\u0000' : stripped.charAt(0);
  }
  foldCache.set(c, f);
  return f;
}

function lowerUnit(c: string): string {
  const l = c.toLocaleLowerCase('vi');
  return l.length === 1 ? l : c;
}

interface Doc {
  /** NFC text with placeholders masked. */
  text: string;
  /** Lower-cased, diacritics kept. */
  lower: string;
  /** Diacritics stripped, case kept. */
  fold: string;
  /** Diacritics stripped, lower-cased. */
  flat: string;
  /** False for text typed without diacritics ("toi ten la nguyen van an"); then unaccented words
   * may stand for accented ones ("co" for "cô"). */
  accented: boolean;
}

function makeDoc(text: string): Doc {
  let lower = '';
  let fold = '';
  let flat = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    const f = foldUnit(c);
    lower += lowerUnit(c);
    fold += f;
    flat += lowerUnit(f);
  }
  let words = 0;
  let withMarks = 0;
  for (const m of text.matchAll(/\p{L}+/gu)) {
    words++;
    if (fold.slice(m.index, m.index + m[0].length) !== m[0]) withMarks++;
  }
  return { text, lower, fold, flat, accented: words > 0 && withMarks / words >= 0.1 };
}

// ---------------------------------------------------------------------------------------------
// Findings
// ---------------------------------------------------------------------------------------------

interface Hit {
  start: number;
  end: number;
  kind: RedactionKind;
}

/** On overlap the merged span takes the kind earliest in this list. */
const PRIORITY: readonly RedactionKind[] = ['email', 'id-number', 'phone', 'other-number', 'address', 'name'];

const L = '\\p{L}\\p{N}';
const NOT_BEFORE = `(?<![${L}])`;
const NOT_AFTER = `(?![${L}])`;

/** Escapes text for a pattern compiled with the `u` flag (which refuses needless escapes like
 * "\\-", so "-" is left as it is: it only has a meaning inside a class). */
function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function words(flat: string): string[] {
  return flat.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

/** The folded word just before `pos` (skipping spaces and punctuation), or ''. */
function wordBefore(doc: Doc, pos: number, maxWords = 1, accented = false): string {
  const head = (accented ? doc.lower : doc.flat).slice(Math.max(0, pos - 60), pos);
  const ws = head.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  return ws.slice(-maxWords).join(' ');
}

// ----- e-mail --------------------------------------------------------------------------------

// Lengths are bounded (RFC 5321: 64 for the local part, 63 per label) so a long run of dots and
// letters cannot make the scan quadratic.
const EMAIL = new RegExp(
  `${NOT_BEFORE}[${L}._%+-]{1,64}` +
    `(?:\\s?@\\s?|\\s*[([]\\s*(?:at|@|a còng)\\s*[)\\]]\\s*|\\s+(?:at|a còng)\\s+)` +
    `[${L}-]{1,63}(?:(?:\\.|\\s*[([]\\s*(?:dot|chấm)\\s*[)\\]]\\s*|\\s+(?:dot|chấm)\\s+)[${L}-]{1,63}){0,8}` +
    `(?:\\.|\\s*[([]\\s*(?:dot|chấm)\\s*[)\\]]\\s*|\\s+(?:dot|chấm)\\s+)(?:com|vn|net|org|edu|gov|info|io|me|biz|[a-z]{2,6})` +
    NOT_AFTER,
  'gu',
);

function findEmails(doc: Doc, hits: Hit[], sender: Prepared): void {
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

// ----- numbers -------------------------------------------------------------------------------

/** Things that look like numbers but are not personal; they are shielded from the number scan. */
const PROTECTED: readonly RegExp[] = [
  // Dossier codes of the one-stop system: 000.00.12.H35-250101-0001, H35.12-250101-0001.
  /(?<![\p{L}\p{N}.])(?=[\p{L}\p{N}.]*\p{L})[\p{L}\p{N}]+(?:\.[\p{L}\p{N}]+)*-\d{6}-\d{4,6}(?![\p{L}\p{N}])/gu,
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

function findNumbers(doc: Doc, hits: Hit[], sender: Prepared): void {
  let text = doc.text;
  for (const re of PROTECTED)
    for (const m of text.matchAll(re))
      text = text.slice(0, m.index) + SHIELD.repeat(m[0].length) + text.slice(m.index + m[0].length);

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
      for (let j = Math.min(last, i + 6); j >= i; j--) {
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
      for (let j = Math.min(last, i + 6); j >= i; j--) {
        if (!free(i, j)) continue;
        const d = digitsOf(i, j);
        const groupsOk = i === j || cluster.slice(i, j + 1).every((g) => g.digits.length >= 2 && g.digits.length <= 6);
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

/** Same phone number written nationally or internationally: 0901234567 = 84901234567. */
function sameNumber(a: string, b: string): boolean {
  return nationalDigits(a) === nationalDigits(b);
}

function nationalDigits(d: string): string {
  if (d.startsWith('840')) return d.slice(2);
  if (d.startsWith('84') && d.length >= 11) return '0' + d.slice(2);
  return d;
}

// ----- names ---------------------------------------------------------------------------------

/** Kinship words Vietnamese put before a given name ("anh An", "chị Lan", "bác Tư"). */
const HONORIFICS = [
  'ông',
  'bà',
  'anh',
  'chị',
  'em',
  'cô',
  'chú',
  'bác',
  'cháu',
  'cụ',
  'con',
  'dì',
  'cậu',
  'mợ',
  'thím',
  'dượng',
  'bạn',
];
/** Honorifics written the same with or without diacritics; safe in accented text too. */
const PLAIN_HONORIFICS = new Set(['anh', 'em', 'con']);
const HONORIFIC_FLAT = new Set(HONORIFICS.map((h) => [...h].map(foldUnit).join('')));

/** Words that follow an honorific but start a title or an agency, not a name (folded). */
const NOT_NAME_START = new Set([
  'chu tich',
  'pho chu',
  'giam doc',
  'pho giam',
  'bi thu',
  'pho bi',
  'cong an',
  'cong ty',
  'uy ban',
  'thanh tra',
  'van phong',
  'trung tam',
  'benh vien',
  'toa an',
  'hoi dong',
  'ngan hang',
  'kho bac',
  'bao hiem',
  'canh sat',
  'can bo',
  'cong chuc',
  'vien chuc',
  'truong phong',
  'pho phong',
  'truong thon',
  'to truong',
  'truong ban',
  'hieu truong',
  'giao vien',
  'bac si',
  'nha nuoc',
  'chinh phu',
  'thu tuong',
  'chu nhiem',
  'ke toan',
  'thu ky',
  'dai bieu',
  'dia chinh',
  'tu phap',
  'mat tran',
  'doan thanh',
  'quan ly',
  'phu trach',
  'nhan vien',
  'bo phan',
  'tiep nhan',
  'mot cua',
  'van hoa',
  'tai nguyen',
  'lao dong',
  'xay dung',
  'giao duc',
  'y te',
  'tai chinh',
  'ke hoach',
  'noi vu',
  'nong nghiep',
  'giao thong',
  'quan su',
  'thong tin',
]);
/** Single words (lower-case, accented) that follow an honorific but are not names. */
const NOT_NAME_WORD = new Set([
  'sở',
  'phòng',
  'ban',
  'bộ',
  'đảng',
  'đoàn',
  'viện',
  'ubnd',
  'hđnd',
  'tòa',
  'xã',
  'phường',
]);
/** Place names and public figures that begin with an honorific (folded). */
const HONORIFIC_PLACES = new Set([
  'bac ho',
  'ba ria',
  'ba chieu',
  'ba den',
  'ba diem',
  'ba trieu',
  'ba huyen',
  'ba hom',
  'ba queo',
  'ong lanh',
  'ong ich',
  'co to',
  'co loa',
  'chu se',
  'chu pah',
  'chu prong',
  'chu pung',
]);
/** Words before an honorific that make the phrase a place: "đường Bà Triệu", "chợ Bà Chiểu".
 * Compared with diacritics (in accented text) so "hộ ông Tư" (Mr Tư's household) is not "hồ". */
const PLACE_WORDS = new Set([
  'đường',
  'phố',
  'cầu',
  'chợ',
  'núi',
  'đảo',
  'xã',
  'phường',
  'huyện',
  'quận',
  'tỉnh',
  'tp',
  'trường',
  'chùa',
  'đền',
  'miếu',
  'bến',
  'sông',
  'hồ',
  'thôn',
  'ấp',
  'xóm',
  'hẻm',
  'kiệt',
  'ngõ',
]);
const PLACE_WORDS_FLAT = new Set([...PLACE_WORDS].map((w) => [...w].map(foldUnit).join('')));

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

/** Roles written before a name: "cán bộ Phạm Minh Tuấn", "đồng chí Lê Văn Hùng", "công dân Lưu Văn Tám". */
const NAME_ROLE =
  /(?<![\p{L}\p{N}])(?:cong dan|nguoi dan|can bo|cong chuc|vien chuc|chuyen vien|dong chi|d\/c|nhan vien|bac si|giao vien|co giao|thay giao|kiem sat vien|tham phan|luat su)\s+/gu;

/** Titles written before an official's name: "Chủ tịch UBND xã Nguyễn Văn Bình". Capitalised
 * words after a title are often an agency ("Chủ tịch Quốc hội"), so the name must start with a
 * common family name. */
const NAME_TITLE =
  /(?<![\p{L}\p{N}])(?:pho chu tich|chu tich|pho giam doc|giam doc|pho truong phong|truong phong|pho bi thu|bi thu|chanh van phong|chanh thanh tra|truong thon|truong ban|to truong|truong cong an|hieu truong|thanh tra vien)(?:\s+(?:ubnd|hdnd|xa|phuong|thi tran|huyen|quan|tinh|thanh pho|tp))*\s+/gu;
const FAMILY_NAMES = new Set([
  'nguyen',
  'tran',
  'le',
  'pham',
  'hoang',
  'huynh',
  'phan',
  'vu',
  'vo',
  'dang',
  'bui',
  'do',
  'ho',
  'ngo',
  'duong',
  'ly',
  'dinh',
  'doan',
  'truong',
  'lam',
  'mai',
  'trinh',
  'cao',
  'luu',
  'ta',
  'ha',
  'lai',
  'kieu',
  'quach',
  'tong',
  'thai',
  'chau',
  'chu',
  'tat',
  'khuc',
  'luong',
  'la',
  'dam',
  'van',
  'ton',
  'au',
  'lu',
]);
/** Public figures whose names follow titles and honorifics (folded). */
const PUBLIC_FIGURES = new Set(['ho chi minh']);

/** Labels that introduce a name: "Họ và tên:", "Tôi là", "Em tên là", "Người gửi:". */
const NAME_LABEL =
  /(?<![\p{L}\p{N}])(?:ho va ten|ho ten|ho & ten|ten toi la|toi ten la|ten la|toi ten|toi la|nguoi gui|nguoi phan anh|nguoi kien nghi|nguoi lien he|nguoi viet|ky ten|nguoi ky)\s*[:-]?\s*/gu;

function findNames(doc: Doc, hits: Hit[], sender: Prepared): void {
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
    const run = readNameRun(doc, at, 5);
    const label = m[0].trim();
    const min = label.startsWith('ho') ? 1 : 2;
    if (run.syllables.length >= min && isNameRun(doc, at, run.syllables))
      hits.push({ start: at, end: run.end, kind: 'name' });
  }
}

function capitalised(doc: Doc, start: number, length: number): boolean {
  const ws = doc.fold.slice(start, start + length).match(/\p{L}+/gu) ?? [];
  return ws.length > 0 && ws.every((w) => /^[A-Z]/.test(w));
}

// ----- addresses -----------------------------------------------------------------------------

/** Words before "số 12 …" that make it a document or parcel number, not a house number (folded). */
const NOT_HOUSE_BEFORE = new Set([
  'dinh',
  'van',
  'ban',
  'bao',
  'tu',
  'trinh',
  'so',
  'nhan',
  'phieu',
  'giay',
  'ma',
  'thoai',
  'khoan',
  'hieu',
  'an',
  'hoach',
  'thi',
  'quyet',
  'luat',
  'dieu',
  'dong',
  'don',
  'dat',
  'do',
  'thua',
  'to',
  'lan',
  'trang',
  'muc',
  'cccd',
  'cmnd',
  'xe',
  'bien',
  'phong',
  'ho',
  'bang',
]);
/** Words before a bare "số 12 Trần Phú" that make it an address (or nothing: start of a clause). */
const HOUSE_TRIGGER = new Set(['nha', 'tai', 'o', 'chi', 'tru', 'ngu', 'song', 'den', 've', 'tu']);

const STREET_KEYWORD = /(?:duong|pho|dg|d\.)\s+(?:so\s+)?/y;

const WORD_AT = /[A-Z][A-Za-z]*(?![\p{L}\p{N}])/uy;
const NUMBER_AT = /\d+[A-Za-z]?(?:\/\d+[A-Za-z]?)*(?![\p{L}\p{N}])/uy;

/** Reads a street or place name at `pos`: capitalised words, with numbers only where a street
 * name has them ("3 Tháng 2", "Tháng 2", "đường số 5", "12/3 Nguyễn Trãi"), so "số 225 123 456"
 * is not read as a street. `numberFirst` allows a leading number on its own ("phường 5"). */
function readStreet(doc: Doc, pos: number, numberFirst = true): number {
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
const ALLEY = /(?<![\p{L}\p{N}])(hem|kiet|ngo|ngach)\s+(\d+[a-z]?(?:\s*\/\s*\d+[a-z]?)*)(?![\p{L}\p{N}])/gu;
const ALLEY_WORDS = new Set(['hẻm', 'kiệt', 'ngõ', 'ngách']);
/** Hamlets, residential groups, quarters: "tổ 3", "tổ dân phố 5", "thôn Phú Lộc", "ấp 2", "KP 6". */
const LOCALITY = /(?<![\p{L}\p{N}])(to dan pho|to|khu pho|kp|khom|thon|xom|ap|buon|ban|lang)\s*\.?\s+/gu;
const LOCALITY_WORDS = new Set([
  'tổ dân phố',
  'tổ',
  'khu phố',
  'kp',
  'khóm',
  'thôn',
  'xóm',
  'ấp',
  'buôn',
  'bản',
  'làng',
]);
const LOCALITY_NUMBER_ONLY = new Set(['to', 'to dan pho']);
/** Labels that introduce the sender's address; what follows, clause by clause, is redacted while
 * each clause looks like part of an address. */
const ADDRESS_LABEL =
  /(?<![\p{L}\p{N}])(?:dia chi|tru tai|ngu tai|cu tru tai|thuong tru tai|thuong tru|tam tru tai|tam tru|noi o|o tai|cho o|que quan)\s*[:-]?\s*/gu;
/** One part of an address: a keyword and what it names ("số 12", "đường Trần Phú", "phường 5",
 * "tỉnh Khánh Hòa"), or a bare house number ("12 Trần Phú"). */
const ADDRESS_UNIT =
  /(?:so nha|nha so|so|sn|nha|duong|pho|ngo|ngach|hem|kiet|to dan pho|to|khu pho|kp|khom|thon|xom|ap|buon|ban|lang|phuong|xa|thi tran|thi xa|quan|huyen|thanh pho|tp|tinh|p|q|tt|tx|khu|lo|can ho|chung cu|toa|block)(?![\p{L}\p{N}])\s*\.?\s*/uy;

/** Address keywords that name only an administrative unit: not personal on their own. */
const ADMIN_UNIT = new Set([
  'phuong',
  'xa',
  'thi tran',
  'thi xa',
  'quan',
  'huyen',
  'thanh pho',
  'tp',
  'tinh',
  'p',
  'q',
  'tt',
  'tx',
]);
/** Keywords whose name may be typed in lower case ("thon phu loc"); up to three words are taken. */
const LOWER_NAME_OK = new Set([
  'duong',
  'pho',
  'ngo',
  'ngach',
  'hem',
  'kiet',
  'khu pho',
  'khom',
  'thon',
  'xom',
  'ap',
  'buon',
  'ban',
  'lang',
]);

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
function keywordOk(doc: Doc, start: number, end: number, accentedWords: Set<string>): boolean {
  if (!doc.accented) return true;
  const w = doc.lower.slice(start, end);
  return accentedWords.has(w) || w === doc.flat.slice(start, end);
}

function findAddresses(doc: Doc, hits: Hit[], sender: Prepared): void {
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
    const streetEnd = readStreet(doc, gap.lastIndex, false);
    push(m.index, streetEnd > gap.lastIndex ? streetEnd : end);
  }

  for (const m of doc.flat.matchAll(LOCALITY)) {
    const kw = m[1]!;
    const kwEnd = m.index + kw.length;
    if (!keywordOk(doc, m.index, kwEnd, LOCALITY_WORDS)) continue;
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

function trimEnd(doc: Doc, end: number): number {
  while (end > 0 && /\s/.test(doc.text.charAt(end - 1))) end--;
  return end;
}

// ---------------------------------------------------------------------------------------------
// Sender details, compiled once per call
// ---------------------------------------------------------------------------------------------

interface Prepared {
  nameFull: RegExp[];
  namePartial: RegExp[];
  nameAfterHonorific: RegExp[];
  nameJoined?: RegExp;
  phoneDigits?: string;
  email?: RegExp;
  emailLocal?: RegExp;
  address: RegExp[];
}

const NAME_SEP = '[\\s._-]{1,3}';

function flatOf(s: string): string {
  return [...s.normalize('NFC')].map((c) => lowerUnit(foldUnit(c))).join('');
}

function prepare(sender: SenderDetails): Prepared {
  const p: Prepared = { nameFull: [], namePartial: [], nameAfterHonorific: [], address: [] };
  const name = words(flatOf(sender.senderName ?? ''));
  if (name.length > 0) {
    const tok = name.map(escapeRe);
    const given = tok.at(-1)!;
    if (name.length >= 2) {
      // Full name; any leading word may be an initial: "N. V. An", "Nguyễn V. An".
      const full = tok.map((t, i) => (i === tok.length - 1 ? t : `(?:${t}|${t.charAt(0)}\\.?)`)).join(NAME_SEP);
      p.nameFull.push(new RegExp(`${NOT_BEFORE}${full}${NOT_AFTER}`, 'gu'));
      const partial: string[] = [];
      if (name.length >= 3) {
        partial.push(`${tok[0]}${NAME_SEP}${given}`); // family + given: "Nguyễn An"
        partial.push(tok.slice(1).join(NAME_SEP)); // middle + given: "Văn An"
      }
      for (const x of partial) p.namePartial.push(new RegExp(`${NOT_BEFORE}${x}${NOT_AFTER}`, 'gu'));
      const joined = name.join('');
      if (joined.length >= 6) p.nameJoined = new RegExp(escapeRe(joined), 'gu');
      // After an honorific, any ending of the name: "ông Văn An", "chị Minh Khai", "anh An".
      for (let i = 1; i < tok.length - 1; i++)
        p.nameAfterHonorific.push(new RegExp(`${tok.slice(i).join(NAME_SEP)}${NOT_AFTER}`, 'uy'));
    } else {
      // Only one word given: the name itself, when capitalised, is handled as a partial form.
      p.namePartial.push(new RegExp(`${NOT_BEFORE}${given}${NOT_AFTER}`, 'gu'));
    }
    p.nameAfterHonorific.push(new RegExp(`${given}${NOT_AFTER}`, 'uy'));
  }

  const phone = (sender.senderPhone ?? '').replace(/\D/g, '');
  if (phone.length >= 6) p.phoneDigits = phone;

  const email = (sender.senderEmail ?? '').trim().toLocaleLowerCase('vi');
  if (email.includes('@')) {
    p.email = new RegExp(escapeRe(email), 'gu');
    const local = flatOf(email.split('@')[0]!);
    if (local.length >= 5) p.emailLocal = new RegExp(`${NOT_BEFORE}${escapeRe(local)}${NOT_AFTER}`, 'gu');
  }

  const address = flatOf(sender.senderAddress ?? '');
  const addrRe = (part: string): RegExp | undefined => {
    const ws = words(part);
    if (ws.length === 0) return undefined;
    // "Số 12 Trần Phú" also matches "12 Trần Phú" and "số12 tran phu".
    const body = ws.map(escapeRe);
    const optionalSo = ws[0] === 'so' && ws.length > 1 && /^\d/.test(ws[1]!) ? `(?:so[^\\p{L}\\p{N}]*)?` : '';
    const rest = optionalSo ? body.slice(1) : body;
    return new RegExp(`${NOT_BEFORE}${optionalSo}${rest.join('[^\\p{L}\\p{N}]{0,3}')}${NOT_AFTER}`, 'gu');
  };
  if (words(address).length >= 2) {
    const whole = addrRe(address);
    if (whole) p.address.push(whole);
    // Parts that point at one house or hamlet: "số 12 Trần Phú", "tổ 3", "thôn Phú Lộc". Parts
    // that name only a ward, district or province are not personal on their own.
    for (const part of address.split(/[,;]/)) {
      const ws = words(part);
      if (ws.length === 0) continue;
      const admin = /^(?:phuong|xa|thi|quan|huyen|thanh|tp|tinh|p|q|tt|tx|viet)$/.test(ws[0]!);
      const specific =
        /\d/.test(part) || /^(?:thon|xom|ap|buon|ban|lang|to|khu|kp|khom|hem|kiet|ngo|ngach)$/.test(ws[0]!);
      const re = !admin && specific ? addrRe(part) : undefined;
      if (re) p.address.push(re);
    }
  }
  return p;
}

// ---------------------------------------------------------------------------------------------
// Putting it together
// ---------------------------------------------------------------------------------------------

const PLACEHOLDERS = new Map<string, RedactionKind>(redactionKinds.map((k) => [REDACTION_LABELS[k].vi, k]));
const PLACEHOLDER_RE = new RegExp([...PLACEHOLDERS.keys()].map(escapeRe).join('|'), 'g');

function merge(hits: Hit[], text: string): Hit[] {
  const sorted = hits.filter((h) => h.end > h.start).sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Hit[] = [];
  for (const h of sorted) {
    const last = out.at(-1);
    const touching =
      last &&
      (h.start < last.end ||
        // "số 12 Trần Phú, tổ 3, thôn Phú Lộc" becomes one "[địa chỉ]".
        (last.kind === 'address' && h.kind === 'address' && /^[\s,–-]{0,3}$/.test(text.slice(last.end, h.start))) ||
        (last.kind === 'name' && h.kind === 'name' && /^\s?$/.test(text.slice(last.end, h.start))));
    if (last && touching) {
      last.end = Math.max(last.end, h.end);
      if (PRIORITY.indexOf(h.kind) < PRIORITY.indexOf(last.kind)) last.kind = h.kind;
    } else out.push({ ...h });
  }
  return out;
}

function onePass(text: string, sender: Prepared): string {
  const masked = text.replace(PLACEHOLDER_RE, (m) => MASK.repeat(m.length));
  const doc = makeDoc(masked);
  const hits: Hit[] = [];
  findEmails(doc, hits, sender);
  findNumbers(doc, hits, sender);
  findNames(doc, hits, sender);
  findAddresses(doc, hits, sender);
  const merged = merge(hits, masked);
  let out = '';
  let at = 0;
  for (const h of merged) {
    out += text.slice(at, h.start) + REDACTION_LABELS[h.kind].vi;
    at = h.end;
  }
  return out + text.slice(at);
}

/**
 * Replaces personal data in feedback text by placeholders.
 * @example
 *   redact('Tôi là Nguyễn Văn An, SĐT 0901 234 567, nhà số 12 đường Trần Phú.', { senderName: 'Nguyễn Văn An' }).text
 *   // 'Tôi là [họ tên], SĐT [số điện thoại], nhà [địa chỉ].'
 */
export function redact(text: string, sender: SenderDetails = {}): RedactionResult {
  const prepared = prepare(sender);
  let current = text.normalize('NFC');
  // A replacement can expose a pattern that spanned it (rare); repeat until nothing changes, so
  // that the result is a fixed point and redacting it again is a no-op.
  for (let i = 0; i < 5; i++) {
    const next = onePass(current, prepared);
    if (next === current) break;
    current = next;
  }
  const spans: RedactionSpan[] = [];
  for (const m of current.matchAll(PLACEHOLDER_RE))
    spans.push({ start: m.index, end: m.index + m[0].length, kind: PLACEHOLDERS.get(m[0])! });
  return { text: current, spans };
}

/**
 * The redacted text with placeholders in another locale, for the English site.
 * @example localizeRedacted(redact('Gọi 0901234567'), 'en') === 'Gọi [phone number]'
 */
export function localizeRedacted(result: RedactionResult, locale: 'vi' | 'en'): string {
  let out = '';
  let at = 0;
  for (const s of result.spans) {
    out += result.text.slice(at, s.start) + REDACTION_LABELS[s.kind][locale];
    at = s.end;
  }
  return out + result.text.slice(at);
}
