/**
 * How a text becomes SMS parts (issue #11 part 1, docs/sms.md "Encoding"). Vietnamese letters are
 * not in the GSM 03.38 alphabet, so a text with accents goes as UCS-2 (data_coding 8): 70 UTF-16
 * units in one message, 67 per part of a concatenated one (the 6-byte UDH takes 3 units). With
 * SMS_UNACCENTED=1 the accents are dropped and the text goes in the GSM 7-bit default alphabet
 * (data_coding 0): 160 septets, 153 per part, and each character of the extension table (`^{}\[~]|€`
 * and form feed) costs two septets (an escape and the character). 3GPP TS 23.038 (alphabet),
 * 3GPP TS 23.040 §9.2.3.24.1 (concatenation UDH).
 */
import { withoutMarks } from '../contracts/text.ts';

export type SmsEncoding = 'ucs2' | 'gsm7';

/** SMPP 3.4 data_coding of each encoding (§5.2.19): 0 = SMSC default alphabet (GSM 03.38), 8 = UCS-2. */
export const DATA_CODING: Record<SmsEncoding, number> = { gsm7: 0x00, ucs2: 0x08 };

/** Capacity of one message and of one part of a concatenated message, in UTF-16 units or septets. */
export const LIMITS: Record<SmsEncoding, { single: number; part: number }> = {
  ucs2: { single: 70, part: 67 },
  gsm7: { single: 160, part: 153 },
};

/** The GSM 03.38 default alphabet, at its code positions (0x1B is the escape to the extension table). */
const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
/** The extension table: character → code after the escape. */
const GSM7_EXT: Record<string, number> = {
  '\f': 0x0a,
  '^': 0x14,
  '{': 0x28,
  '}': 0x29,
  '\\': 0x2f,
  '[': 0x3c,
  '~': 0x3d,
  ']': 0x3e,
  '|': 0x40,
  '€': 0x65,
};
const GSM7_CODE = new Map([...GSM7_BASIC].map((ch, i) => [ch, i] as const));

/** Septets a character takes in GSM-7, or undefined when it is not in the alphabet. */
function septets(ch: string): 1 | 2 | undefined {
  if (ch !== '\x1b' && GSM7_CODE.has(ch)) return 1;
  if (ch in GSM7_EXT) return 2;
  return undefined;
}

/** Typographic characters our texts may hold, as the GSM alphabet writes them. */
const GSM7_SUBSTITUTES: Record<string, string> = {
  '‘': "'",
  '’': "'",
  '“': '"',
  '”': '"',
  '–': '-',
  '—': '-',
  '…': '...',
  '\u00a0': ' ',
  '•': '-',
};

/**
 * The unaccented GSM-7 form of a text: marks dropped (đ → d), typographic quotes and dashes made
 * plain, anything else outside the alphabet made "?". Letters of the GSM alphabet that carry a mark
 * (é, à…) are dropped too: a Vietnamese reader of an unaccented message expects none.
 * @example toGsm7Text('Phản ánh “ABCD-EFGH” đã có trả lời') === 'Phan anh "ABCD-EFGH" da co tra loi'
 */
export function toGsm7Text(text: string): string {
  let out = '';
  for (const ch of withoutMarks(text.normalize('NFC'))) {
    const sub = GSM7_SUBSTITUTES[ch] ?? ch;
    for (const c of sub) out += septets(c) !== undefined ? c : '?';
  }
  return out;
}

/**
 * The text as it will be sent, and how: unaccented GSM-7 (`toGsm7Text`) when asked; else GSM-7 when
 * every character is in its alphabet (an English text: less than half the cost), else UCS-2 (NFC).
 */
export function prepareText(text: string, unaccented: boolean): { text: string; encoding: SmsEncoding } {
  if (unaccented) return { text: toGsm7Text(text), encoding: 'gsm7' };
  const nfc = text.normalize('NFC');
  if ([...nfc].every((ch) => septets(ch) !== undefined)) return { text: nfc, encoding: 'gsm7' };
  return { text: nfc, encoding: 'ucs2' };
}

/**
 * Splits a prepared text into the payloads of its parts (without UDH), never cutting a UTF-16
 * surrogate pair (UCS-2) or an escape from its character (GSM-7).
 * @example splitParts('a'.repeat(71), 'ucs2').length === 2
 */
export function splitParts(text: string, encoding: SmsEncoding): string[] {
  const { single, part } = LIMITS[encoding];
  const units = encoding === 'ucs2' ? [...text].map((ch) => ({ ch, n: ch.length })) : gsmUnits(text);
  const total = units.reduce((a, u) => a + u.n, 0);
  if (total <= single) return [text];
  const parts: string[] = [];
  let cur = '';
  let n = 0;
  for (const u of units) {
    if (n + u.n > part) {
      parts.push(cur);
      cur = '';
      n = 0;
    }
    cur += u.ch;
    n += u.n;
  }
  if (cur) parts.push(cur);
  return parts;
}

function gsmUnits(text: string): { ch: string; n: number }[] {
  return [...text].map((ch) => {
    const n = septets(ch);
    if (n === undefined) throw new RangeError('splitParts: character outside the GSM-7 alphabet');
    return { ch, n };
  });
}

/** Number of messages the phone company counts (and bills) for a prepared text. */
export function segmentCount(text: string, encoding: SmsEncoding): number {
  return splitParts(text, encoding).length;
}

/** One part's payload in bytes: UTF-16BE, or GSM-7 unpacked (one septet per octet, as SMPP carries it). */
export function encodePayload(text: string, encoding: SmsEncoding): Buffer {
  if (encoding === 'ucs2') return Buffer.from(text, 'utf16le').swap16();
  const bytes: number[] = [];
  for (const ch of text) {
    const ext = GSM7_EXT[ch];
    if (ext !== undefined) bytes.push(0x1b, ext);
    else {
      const code = GSM7_CODE.get(ch);
      if (code === undefined) throw new RangeError('encodePayload: character outside the GSM-7 alphabet');
      bytes.push(code);
    }
  }
  return Buffer.from(bytes);
}

/** Decodes what encodePayload wrote (tests and the test gateway read parts back with it). */
export function decodePayload(bytes: Buffer, encoding: SmsEncoding): string {
  if (encoding === 'ucs2') return Buffer.from(bytes).swap16().toString('utf16le');
  const extBack = new Map(Object.entries(GSM7_EXT).map(([ch, code]) => [code, ch] as const));
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x1b && i + 1 < bytes.length) out += extBack.get(bytes[++i]!) ?? ' ';
    else out += GSM7_BASIC[b] ?? ' ';
  }
  return out;
}

/**
 * The 6-byte concatenation header: IEI 00 (8-bit reference), length 3, reference, total, sequence
 * (1-based).
 */
export function concatUdh(ref: number, total: number, seq: number): Buffer {
  return Buffer.from([0x05, 0x00, 0x03, ref & 0xff, total, seq]);
}
