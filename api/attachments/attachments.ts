/**
 * Attachment checks for feedback (issue #4: "up to 5 attachments (JPEG, PNG, PDF; ≤ 10 MB each;
 * checked by magic bytes; images re-encoded without EXIF)"; ENGINEERING.md "Security baseline" →
 * Uploads). Pure: bytes in, a clean file or a machine code out; nothing here touches the database or
 * the request. What is stored is never the file as sent: images are re-encoded, PDFs are only kept
 * once they pass the content checks below, and the name is rebuilt from scratch.
 */
import { createHash } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import sharp from 'sharp';

export const ATTACHMENT_LIMITS = { maxFiles: 5, maxBytes: 10 * 1024 * 1024 } as const;

export type AttachmentMediaType = 'image/jpeg' | 'image/png' | 'application/pdf';

/** The problem codes of api/contracts/problem.ts that checkAttachment can return. */
export const attachmentErrorCodes = [
  'attachment_empty',
  'attachment_too_large',
  'attachment_type_not_allowed',
  'attachment_type_mismatch',
  'attachment_polyglot',
  'attachment_unreadable',
] as const;
export type AttachmentErrorCode = (typeof attachmentErrorCodes)[number];

/** What may be stored (db/attachments.ts takes the same shape structurally). */
export interface CleanAttachment {
  fileName: string;
  mediaType: AttachmentMediaType;
  bytes: Uint8Array;
  size: number;
  sha256: string;
}

export type AttachmentCheck = { ok: true; file: CleanAttachment } | { ok: false; code: AttachmentErrorCode };

const EXTENSIONS: Record<AttachmentMediaType, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'application/pdf': 'pdf',
};

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const PDF_SIGNATURE = [0x25, 0x50, 0x44, 0x46, 0x2d]; // "%PDF-"

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);
}

/**
 * The type by magic bytes only: the name and the declared Content-Type are the sender's claims.
 * `%PDF-` must be at offset 0 (readers accept it within the first 1024 bytes, which is exactly the
 * room an HTML or ZIP prefix needs to make a polyglot).
 */
export function sniffMediaType(bytes: Uint8Array): AttachmentMediaType | undefined {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, PNG_SIGNATURE)) return 'image/png';
  if (startsWith(bytes, PDF_SIGNATURE)) return 'application/pdf';
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// File names
// ---------------------------------------------------------------------------------------------

const MAX_NAME_CHARS = 100;
const FALLBACK_BASE = 'tep-dinh-kem';
// Device names Windows reserves whatever the extension ("CON.png" opens the console).
const WINDOWS_RESERVED = /^(?:con|prn|aux|nul|conin\$|conout\$|com[0-9¹²³]|lpt[0-9¹²³])$/i;
// An extension is a short ASCII run with at least one letter, so "Báo cáo 12.2024" keeps its date.
const EXTENSION = /\.(?=[a-z0-9]*[a-z])[a-z0-9]{1,5}$/i;

/**
 * A display name that is safe on any disk and in any header: the issue asks that "path tricks in
 * file names" be "rejected or sanitised, never stored as sent". Vietnamese letters are kept (NFC, so
 * "ả" is one character whatever the sender's keyboard produced); the extension always tells the
 * sniffed type, so a PNG called "x.pdf" is stored as "x.png".
 */
export function sanitizeFileName(name: string, mediaType: AttachmentMediaType): string {
  const ext = EXTENSIONS[mediaType];
  let s = String(name).toWellFormed().normalize('NFC');
  // Tabs, line breaks and exotic spaces become plain spaces before control characters go.
  s = s.replace(/\s+/gu, ' ');
  // Cc: NUL and other controls; Cf: bidi overrides (U+202E makes "gpj.exe" read "exe.jpg"), zero
  // widths and the BOM; Co: private use; U+FFFD: what toWellFormed left of a lone surrogate.
  s = s.replace(/[\p{Cc}\p{Cf}\p{Co}\uFFFD]/gu, '');
  // Removing a character can bring a combining mark next to a letter it composes with.
  s = s.normalize('NFC');
  // Only the last path segment, whichever OS wrote it (browsers on Windows once sent "C:\...").
  s = s.slice(Math.max(s.lastIndexOf('/'), s.lastIndexOf('\\')) + 1);
  // Characters Windows refuses in names.
  s = s.replace(/[<>:"|?*]/g, ' ');
  s = s.replace(/ {2,}/g, ' ').trim();
  // Leading dots hide files and ".." is a path; trailing dots and spaces are dropped by Windows.
  s = s.replace(/^[. ]+/, '').replace(/[. ]+$/, '');
  s = s.replace(EXTENSION, '').replace(/[. ]+$/, '');
  for (;;) {
    const dot = s.indexOf('.');
    const first = (dot === -1 ? s : s.slice(0, dot)).trim();
    if (!WINDOWS_RESERVED.test(first)) break;
    s = (dot === -1 ? '' : s.slice(dot + 1)).replace(/^[. ]+/, '');
  }
  s = truncateGraphemes(s, MAX_NAME_CHARS - ext.length - 1).replace(/[. ]+$/, '');
  return `${s === '' ? FALLBACK_BASE : s}.${ext}`;
}

/** At most `max` code points (what SQLite's length() counts), without splitting a letter from its mark. */
function truncateGraphemes(s: string, max: number): string {
  if ([...s].length <= max) return s;
  let out = '';
  let used = 0;
  for (const { segment } of new Intl.Segmenter('vi', { granularity: 'grapheme' }).segment(s)) {
    const n = [...segment].length;
    if (used + n > max) break;
    out += segment;
    used += n;
  }
  // A single grapheme longer than the cap (stacked combining marks) is cut hard.
  return out === '' ? [...s].slice(0, max).join('') : out;
}

// ---------------------------------------------------------------------------------------------
// Declared type
// ---------------------------------------------------------------------------------------------

const DECLARED_ALLOWED = new Set([
  'image/jpeg',
  'image/jpg',
  'image/pjpeg',
  'image/png',
  'image/x-png',
  'application/pdf',
  'application/x-pdf',
]);
const DECLARED_UNKNOWN = new Set(['', 'application/octet-stream', 'binary/octet-stream']);

/**
 * Decision: when the part claims one allow-listed type and the bytes are another, the bytes win and
 * the file is stored under its real type and extension. Browsers derive the part's Content-Type from
 * the file extension, and phones and chat apps routinely save a PNG screenshot as ".jpg"; rejecting
 * those would turn away honest citizens while adding nothing, since the file is re-encoded or checked
 * as what it really is. A part that claims a type outside the allow-list (text/html, image/svg+xml,
 * application/zip...) while its bytes look like an image or a PDF was built to be both: rejected.
 */
function declaredContradicts(declaredType: string | undefined): boolean {
  const declared = (declaredType ?? '').split(';')[0]!.trim().toLowerCase();
  return !DECLARED_UNKNOWN.has(declared) && !DECLARED_ALLOWED.has(declared);
}

// ---------------------------------------------------------------------------------------------
// PDF
// ---------------------------------------------------------------------------------------------

// Names that make a reader run code, open other files or carry files along. Readers execute
// /JavaScript and /JS actions (also from /OpenAction and /AA), /Launch starts programs, /GoToE and
// /EmbeddedFile(s) reach attached files, /RichMedia embeds Flash/video, /XFA forms carry scripts,
// /ImportData loads form data from another file.
const FORBIDDEN_PDF_NAMES = new Set([
  'JavaScript',
  'JS',
  'Launch',
  'EmbeddedFile',
  'EmbeddedFiles',
  'GoToE',
  'RichMedia',
  'XFA',
  'ImportData',
]);
// Markup a browser or mail client would render if it ever sniffed the file as HTML.
const HTML_MARKERS = /<(?:script|html|iframe|svg|!doctype\s+html)/i;
const ZIP_LOCAL_HEADER = 'PK\x03\x04';
// The spec's and Acrobat's rule: the last %%EOF within the last 1024 bytes.
const EOF_WINDOW = 1024;
// PDF whitespace (ISO 32000-1 §7.2.2) and delimiters; names end at either.
const PDF_NAME = /\/([^\0\t\n\f\r ()<>[\]{}/%]*)/g;
const OBJ_HEADER = /\d+[\0\t\n\f\r ]+\d+[\0\t\n\f\r ]+obj/g;
const STREAM_KEYWORD = /(?<!end)stream(?:\r\n|\n|\r)/g;
const DICT_WINDOW = 16 * 1024;
// Decompressed object streams are bounded so a zip bomb is refused rather than inflated.
const INFLATE_BUDGET = 64 * 1024 * 1024;
const FLATE_NAMES = new Set(['FlateDecode', 'Fl']);
const FILTER_NAMES = new Set([
  'ASCIIHexDecode',
  'ASCII85Decode',
  'LZWDecode',
  'FlateDecode',
  'RunLengthDecode',
  'CCITTFaxDecode',
  'JBIG2Decode',
  'DCTDecode',
  'JPXDecode',
  'Crypt',
  'AHx',
  'A85',
  'LZW',
  'Fl',
  'RL',
  'CCF',
  'DCT',
]);

/**
 * The names among `wanted` that occur as name tokens, with #xx escapes decoded as a reader does
 * ("/J#53" is "/JS"). Only wanted names are kept, so a file of a million distinct names costs no
 * memory.
 */
function pdfNames(text: string, wanted: ReadonlySet<string>): Set<string> {
  const found = new Set<string>();
  for (const m of text.matchAll(PDF_NAME)) {
    const raw = m[1]!;
    const name = raw.includes('#')
      ? raw.replace(/#([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)))
      : raw;
    if (wanted.has(name)) found.add(name);
  }
  return found;
}

const hasForbiddenName = (names: Set<string>): boolean => [...names].some((n) => FORBIDDEN_PDF_NAMES.has(n));
const TOP_LEVEL_NAMES = new Set([...FORBIDDEN_PDF_NAMES, 'Encrypt']);
const STREAM_DICT_NAMES = new Set(['ObjStm', 'First', 'N', 'Filter', 'DecodeParms', 'DP', ...FILTER_NAMES]);

/**
 * Decision: PDFs are stored as sent once they pass these checks, because the allow-listed stack has
 * no PDF rewriter we would trust with hostile input (sharp's bundled libvips has no PDF loader, and
 * rasterising would lose the text staff must copy). They are only ever served
 * as downloads with nosniff (ENGINEERING.md, Uploads), so what remains is what a PDF reader could be
 * made to do: scripts, launches, embedded files, or bytes that are also a ZIP/JAR or HTML.
 * Dictionaries are scanned in the raw bytes and inside compressed object streams, where a modern
 * writer puts most of them; anything we cannot decode well enough to vouch for is refused.
 */
function checkPdf(bytes: Uint8Array): AttachmentErrorCode | undefined {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  if (text.includes(ZIP_LOCAL_HEADER) || HTML_MARKERS.test(text)) return 'attachment_polyglot';
  if (!text.slice(-EOF_WINDOW).includes('%%EOF')) return 'attachment_unreadable';
  const names = pdfNames(text, TOP_LEVEL_NAMES);
  if (hasForbiddenName(names)) return 'attachment_polyglot';
  // Encrypted object streams cannot be scanned (names inside them are ciphertext).
  if (names.has('Encrypt')) return 'attachment_unreadable';
  return checkObjectStreams(bytes, text);
}

function checkObjectStreams(bytes: Uint8Array, text: string): AttachmentErrorCode | undefined {
  let budget = INFLATE_BUDGET;
  let windowFloor = 0;
  let nextEnd = -1;
  for (const m of text.matchAll(STREAM_KEYWORD)) {
    const at = m.index;
    const dataStart = at + m[0].length;
    // Windows never overlap, so a file of nothing but "stream" keywords costs one pass.
    let dict = text.slice(Math.max(windowFloor, at - DICT_WINDOW), at);
    windowFloor = dataStart;
    let header: RegExpMatchArray | undefined;
    for (const h of dict.matchAll(OBJ_HEADER)) header = h;
    if (header) dict = dict.slice(header.index! + header[0].length);
    const names = pdfNames(dict, STREAM_DICT_NAMES);
    // pdf.js finds an object stream through the xref and reads /N and /First without looking at
    // /Type, so either sign counts.
    if (!names.has('ObjStm') && !(names.has('First') && names.has('N'))) continue;
    if (!names.has('Filter')) continue; // Not compressed: already scanned as raw bytes.
    const filters = [...names].filter((n) => FILTER_NAMES.has(n));
    // Only Flate is decoded here: another filter, an indirect one or a predictor (which inserts a
    // byte per row, splitting names) leaves bytes we cannot read, so the file is refused.
    if (filters.length === 0 || !filters.every((f) => FLATE_NAMES.has(f))) return 'attachment_unreadable';
    if (names.has('DecodeParms') || names.has('DP')) return 'attachment_unreadable';
    if (nextEnd < dataStart) nextEnd = text.indexOf('endstream', dataStart);
    if (nextEnd === -1) return 'attachment_unreadable';
    let inflated: Buffer;
    try {
      // The data must hold a complete zlib stream: a literal "endstream" planted in a stored block
      // would otherwise end our view early while the reader, going by /Length, reads on.
      inflated = inflateSync(bytes.subarray(dataStart, nextEnd), { maxOutputLength: Math.max(1, budget) });
    } catch {
      return 'attachment_unreadable';
    }
    budget -= inflated.length;
    if (budget <= 0) return 'attachment_unreadable';
    if (hasForbiddenName(pdfNames(inflated.toString('latin1'), FORBIDDEN_PDF_NAMES))) return 'attachment_polyglot';
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Images
// ---------------------------------------------------------------------------------------------

// A 50 MP phone photo fits; a decompression bomb declaring 100k × 100k pixels does not.
const MAX_INPUT_PIXELS = 50_000_000;
// A photo of a broken road stays legible at 2560 px on the long side.
const MAX_EDGE = 2560;
const SHARP_INPUT = {
  limitInputPixels: MAX_INPUT_PIXELS,
  // 'error' still refuses truncated files and decoder errors, but tolerates libjpeg warnings such as
  // "extraneous bytes before marker" that phone cameras and chat apps produce; the output is fresh
  // pixels either way, so a warning carries nothing into storage.
  failOn: 'error',
} as const;

/**
 * Decode and re-encode: `rotate()` bakes in the EXIF orientation, and sharp writes no metadata
 * (EXIF with GPS and camera, XMP, IPTC, ICC, PNG text chunks) unless asked to, which is the point of
 * "images re-encoded without EXIF". Anything appended or smuggled (a ZIP after the JPEG end marker,
 * HTML in a comment segment) is not pixels and does not survive, so image polyglots are neutralised
 * here rather than rejected.
 */
async function reencodeImage(
  bytes: Uint8Array,
  mediaType: 'image/jpeg' | 'image/png',
): Promise<Uint8Array | AttachmentErrorCode> {
  await imageSlot.acquire();
  try {
    // The header alone, without the pixel limit, so a bomb is told apart from a broken file.
    const meta = await sharp(bytes, { failOn: SHARP_INPUT.failOn, limitInputPixels: false }).metadata();
    if (meta.format !== (mediaType === 'image/png' ? 'png' : 'jpeg')) return 'attachment_unreadable';
    if (!meta.width || !meta.height) return 'attachment_unreadable';
    if (meta.width * meta.height > MAX_INPUT_PIXELS) return 'attachment_too_large';
    const pipeline = sharp(bytes, SHARP_INPUT)
      .rotate()
      .resize({ width: MAX_EDGE, height: MAX_EDGE, fit: 'inside', withoutEnlargement: true });
    const out =
      mediaType === 'image/png'
        ? await pipeline.png().toBuffer()
        : await pipeline.jpeg({ quality: 82, mozjpeg: false }).toBuffer();
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch {
    return 'attachment_unreadable';
  } finally {
    imageSlot.release();
  }
}

/**
 * At most two images decode at once in this process: a 50-megapixel photo takes ~150 MB while it
 * is decoded, so many at once would exhaust a small server's memory (security review, issue #4).
 * Others wait their turn, in order.
 */
const imageSlot = (() => {
  const MAX = 2;
  let busy = 0;
  const waiting: (() => void)[] = [];
  return {
    acquire(): Promise<void> {
      if (busy < MAX) {
        busy++;
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => waiting.push(resolve));
    },
    release(): void {
      const next = waiting.shift();
      if (next) next();
      else busy--;
    },
  };
})();

// ---------------------------------------------------------------------------------------------
// The check
// ---------------------------------------------------------------------------------------------

/**
 * One attachment as received, to a clean file or the reason it is refused. Never throws on any
 * bytes (see the property test): a hostile file is an answer, not an exception.
 */
export async function checkAttachment(input: {
  name: string;
  bytes: Uint8Array;
  declaredType?: string;
}): Promise<AttachmentCheck> {
  const { bytes } = input;
  if (bytes.byteLength === 0) return { ok: false, code: 'attachment_empty' };
  if (bytes.byteLength > ATTACHMENT_LIMITS.maxBytes) return { ok: false, code: 'attachment_too_large' };
  const mediaType = sniffMediaType(bytes);
  if (!mediaType) return { ok: false, code: 'attachment_type_not_allowed' };
  if (declaredContradicts(input.declaredType)) return { ok: false, code: 'attachment_type_mismatch' };

  let stored: Uint8Array;
  if (mediaType === 'application/pdf') {
    const problem = checkPdf(bytes);
    if (problem) return { ok: false, code: problem };
    // A copy, so a caller reusing its buffer cannot change what was checked.
    stored = new Uint8Array(bytes);
  } else {
    const out = await reencodeImage(bytes, mediaType);
    if (typeof out === 'string') return { ok: false, code: out };
    stored = out;
  }
  // Re-encoding a small paletted PNG as full colour can grow it past the cap the table enforces.
  if (stored.byteLength === 0) return { ok: false, code: 'attachment_unreadable' };
  if (stored.byteLength > ATTACHMENT_LIMITS.maxBytes) return { ok: false, code: 'attachment_too_large' };
  return {
    ok: true,
    file: {
      fileName: sanitizeFileName(input.name, mediaType),
      mediaType,
      bytes: stored,
      size: stored.byteLength,
      sha256: createHash('sha256').update(stored).digest('hex'),
    },
  };
}
