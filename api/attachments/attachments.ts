/**
 * Attachment checks for feedback (issue #4: "up to 5 attachments (JPEG, PNG, PDF; ≤ 10 MB each;
 * checked by magic bytes; images re-encoded without EXIF)"; docs/architecture.md §7 "Security baseline" →
 * Uploads). Pure: bytes in, a clean file or a machine code out; nothing here touches the database or
 * the request. What is stored is never the file as sent: images are re-encoded, PDFs are parsed,
 * checked and rewritten by pdf-lib (pdf.ts; docs/attachments.md), and the name is rebuilt from scratch.
 */
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { checkPdfIsolated } from './pdf-check.ts';

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
  'attachment_pixels_exceeded',
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

// Markup a browser or mail client would render if it ever sniffed the file as HTML.
const HTML_MARKERS = /<(?:script|html|iframe|svg|!doctype\s+html)/i;
const ZIP_LOCAL_HEADER = 'PK\x03\x04';
// The spec's and Acrobat's rule: the last %%EOF within the last 1024 bytes.
const EOF_WINDOW = 1024;

/**
 * Decision (issue #7 part 5): a PDF is parsed with pdf-lib, refused if any object could make a
 * reader run code, open or send other files or carry files along, and otherwise stored as the
 * library REWRITES it, so what is served is exactly what was checked (api/attachments/pdf.ts;
 * docs/attachments.md). Before that, the bytes as sent are refused if they are also a ZIP/JAR or
 * HTML (a reader that sniffs would render them) or do not end like a PDF.
 */
async function checkPdf(bytes: Uint8Array): Promise<Uint8Array | AttachmentErrorCode> {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  if (text.includes(ZIP_LOCAL_HEADER) || HTML_MARKERS.test(text)) return 'attachment_polyglot';
  if (!text.slice(-EOF_WINDOW).includes('%%EOF')) return 'attachment_unreadable';
  await heavySlot.acquire();
  try {
    const result = await checkPdfIsolated(bytes);
    return result.ok ? result.bytes : result.code;
  } finally {
    heavySlot.release();
  }
}

// ---------------------------------------------------------------------------------------------
// Images
// ---------------------------------------------------------------------------------------------

// A 50 MP phone photo fits; a decompression bomb declaring 100k × 100k pixels does not.
const MAX_INPUT_PIXELS = 50_000_000;
/**
 * Decoded pixels one request may spend, all its images together (issue #7 part 5: decoding a
 * 49-megapixel PNG costs about a second, so five of them must not tie the server up). Two 50 MP
 * photos or five 20 MP ones fit; more is refused with attachment_pixels_exceeded before decoding,
 * from the sizes the headers declare.
 */
export const REQUEST_PIXEL_BUDGET = 100_000_000;

/** The pixels a request has left; one per request, shared by its files (api/feedback/submission-body.ts). */
export interface PixelBudget {
  left: number;
}
export const pixelBudget = (): PixelBudget => ({ left: REQUEST_PIXEL_BUDGET });

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
  pixels: PixelBudget,
): Promise<Uint8Array | AttachmentErrorCode> {
  await heavySlot.acquire();
  try {
    // The header alone, without the pixel limit, so a bomb is told apart from a broken file.
    const meta = await sharp(bytes, { failOn: SHARP_INPUT.failOn, limitInputPixels: false }).metadata();
    if (meta.format !== (mediaType === 'image/png' ? 'png' : 'jpeg')) return 'attachment_unreadable';
    if (!meta.width || !meta.height) return 'attachment_unreadable';
    if (meta.width * meta.height > MAX_INPUT_PIXELS) return 'attachment_too_large';
    if (meta.width * meta.height > pixels.left) return 'attachment_pixels_exceeded';
    pixels.left -= meta.width * meta.height;
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
    heavySlot.release();
  }
}

/**
 * At most two images or PDFs decode at once in this process: a 50-megapixel photo takes ~150 MB while it
 * is decoded, so many at once would exhaust a small server's memory (security review, issue #4).
 * Others wait their turn, in order.
 */
const heavySlot = (() => {
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
export async function checkAttachment(
  input: {
    name: string;
    bytes: Uint8Array;
    declaredType?: string;
  },
  pixels: PixelBudget = pixelBudget(),
): Promise<AttachmentCheck> {
  const { bytes } = input;
  if (bytes.byteLength === 0) return { ok: false, code: 'attachment_empty' };
  if (bytes.byteLength > ATTACHMENT_LIMITS.maxBytes) return { ok: false, code: 'attachment_too_large' };
  const mediaType = sniffMediaType(bytes);
  if (!mediaType) return { ok: false, code: 'attachment_type_not_allowed' };
  if (declaredContradicts(input.declaredType)) return { ok: false, code: 'attachment_type_mismatch' };

  let stored: Uint8Array;
  if (mediaType === 'application/pdf') {
    // Rewritten by the library that checked it, so what is stored is what was checked.
    const out = await checkPdf(bytes);
    if (typeof out === 'string') return { ok: false, code: out };
    stored = out;
  } else {
    const out = await reencodeImage(bytes, mediaType, pixels);
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
