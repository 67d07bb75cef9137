/**
 * Issue #4's hostile attachments: "attachments that lie about their type, polyglots, oversized or
 * empty files, EXIF-laden images, path tricks in file names: rejected or sanitised, never stored as
 * sent". Fixtures are real files made here with sharp and zlib; the last block stores checked files
 * through db/attachments.ts in a real temp libSQL database, in the same batch as the case.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateRawSync, deflateSync, inflateSync } from 'node:zlib';
import fc from 'fast-check';
import { PDFDocument } from 'pdf-lib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InStatement } from '@libsql/client';
import { openDb, type Db } from '../../db/client.ts';
import { migrate } from '../../db/migrate.ts';
import {
  attachmentInsertStatement,
  listAttachments,
  readAttachment,
  type StorableAttachment,
} from '../../db/attachments.ts';
import {
  ATTACHMENT_LIMITS,
  attachmentErrorCodes,
  checkAttachment,
  sanitizeFileName,
  sniffMediaType,
  type AttachmentCheck,
  type CleanAttachment,
} from './attachments.ts';

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1');
const cat = (...parts: (Uint8Array | string)[]): Uint8Array =>
  new Uint8Array(Buffer.concat(parts.map((p) => (typeof p === 'string' ? latin1(p) : p))));
const latin1String = (b: Uint8Array): string => Buffer.from(b).toString('latin1');
const contains = (haystack: Uint8Array, needle: string): boolean => Buffer.from(haystack).includes(latin1(needle));
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** A gradient photo, so JPEG has real scan data to truncate. */
function gradient(width: number, height: number): ReturnType<typeof sharp> {
  const raw = Buffer.alloc(width * height * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 7 + (i >> 9) * 13) & 255;
  return sharp(raw, { raw: { width, height, channels: 3 } });
}

/** A PNG chunk with its CRC, to add what sharp would never write. */
function pngChunk(type: string, data: Uint8Array | string): Buffer {
  const body = Buffer.concat([latin1(type), typeof data === 'string' ? latin1(data) : data]);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length - 4);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** Inserts a chunk right after IHDR (signature 8 bytes + IHDR 25 bytes). */
function withPngChunk(png: Uint8Array, chunk: Buffer): Uint8Array {
  return cat(png.subarray(0, 33), chunk, png.subarray(33));
}

/** A JPEG with a COM segment right after SOI. */
function withJpegComment(jpeg: Uint8Array, text: string): Uint8Array {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(text.length + 2);
  return cat(jpeg.subarray(0, 2), Buffer.from([0xff, 0xfe]), len, text, jpeg.subarray(2));
}

/** A valid PDF: objects numbered from 1, a correct xref table, trailer and %%EOF. */
function pdf(objects: (string | Uint8Array)[], opts: { trailer?: string; tail?: string } = {}): Uint8Array {
  const parts: Uint8Array[] = [latin1('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n')];
  let offset = parts[0]!.length;
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    const part = cat(`${i + 1} 0 obj\n`, body, '\nendobj\n');
    offsets.push(offset);
    parts.push(part);
    offset += part.length;
  });
  const xref =
    `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n` +
    offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('') +
    `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R ${opts.trailer ?? ''}>>\nstartxref\n${offset}\n%%EOF\n`;
  return cat(...parts, xref, opts.tail ?? '');
}

const stream = (dict: string, data: Uint8Array | string): Uint8Array => {
  const bytes = typeof data === 'string' ? latin1(data) : data;
  return cat(`<< ${dict} /Length ${bytes.length} >>\nstream\n`, bytes, '\nendstream');
};

const PAGE_OBJECTS = [
  '<< /Type /Catalog /Pages 2 0 R >>',
  '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
  '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>',
  stream('', 'BT /F1 12 Tf 20 100 Td (Duong hong o phuong Loc Tho) Tj ET'),
];
const MINIMAL_PDF = pdf(PAGE_OBJECTS);

/** A catalog whose /OpenAction points at object 5, and object 5 as given. */
const pdfWithAction = (action: string | Uint8Array): Uint8Array =>
  pdf(['<< /Type /Catalog /Pages 2 0 R /OpenAction 5 0 R >>', ...PAGE_OBJECTS.slice(1), action]);

/** Object 5 is a compressed object stream holding object 6; the catalog opens with object 6. */
function pdfWithObjectStream(inner: string, dictExtra = ''): Uint8Array {
  const body = `6 0 ${inner}`;
  return pdfWithAction(stream(`/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode ${dictExtra}`, deflateSync(body)));
}

/** Every object of a PDF as pdf-lib prints it, object streams expanded. */
async function objectsText(bytes: Uint8Array): Promise<string> {
  const doc = await PDFDocument.load(bytes);
  return doc.context
    .enumerateIndirectObjects()
    .map(([, o]) => o.toString())
    .join('\n');
}

const ZIP = cat('PK\x03\x04\x14\x00\x00\x00\x08\x00', 'payload.class', 'PK\x05\x06', '\x00'.repeat(18));

let exifJpeg: Uint8Array;
let rotatedJpeg: Uint8Array;
let textPng: Uint8Array;
let plainPng: Uint8Array;

beforeAll(async () => {
  exifJpeg = await gradient(320, 240)
    .jpeg({ quality: 90 })
    .withExifMerge({
      IFD0: { Make: 'Canon', Model: 'EOS 5D Mark IV', Software: 'Firmware 1.2' },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '12/1 14/1 3000/100',
        GPSLongitudeRef: 'E',
        GPSLongitude: '109/1 11/1 2400/100',
      },
    })
    .toBuffer();
  // 200 × 100 stored, orientation 6: shown as 100 × 200 (a phone held upright).
  rotatedJpeg = await gradient(200, 100).jpeg().withMetadata({ orientation: 6 }).toBuffer();
  plainPng = await sharp({ create: { width: 64, height: 32, channels: 4, background: '#2060a080' } })
    .png()
    .toBuffer();
  textPng = withPngChunk(plainPng, pngChunk('tEXt', 'Comment\0GPS 12.2417N 109.1967E Nguyen Van A'));
});

async function expectOk(result: Promise<AttachmentCheck>): Promise<CleanAttachment> {
  const r = await result;
  if (!r.ok) expect.fail(`expected ok, got ${r.code}`);
  expect(r.file.size).toBe(r.file.bytes.byteLength);
  expect(r.file.sha256).toBe(sha256(r.file.bytes));
  return r.file;
}

async function expectCode(result: Promise<AttachmentCheck>, code: string): Promise<void> {
  const r = await result;
  expect(r.ok ? 'ok' : r.code).toBe(code);
}

// ---------------------------------------------------------------------------------------------
// Sniffing
// ---------------------------------------------------------------------------------------------

describe('sniffMediaType', () => {
  it('knows the three allow-listed types by their magic bytes only', () => {
    expect(sniffMediaType(exifJpeg)).toBe('image/jpeg');
    expect(sniffMediaType(plainPng)).toBe('image/png');
    expect(sniffMediaType(MINIMAL_PDF)).toBe('application/pdf');
    expect(sniffMediaType(new Uint8Array([0xff, 0xd8]))).toBeUndefined();
    expect(sniffMediaType(latin1('<html><body>'))).toBeUndefined();
    expect(sniffMediaType(latin1('GIF89a'))).toBeUndefined();
    expect(sniffMediaType(new Uint8Array())).toBeUndefined();
    // %PDF- must be at offset 0: an HTML prefix is how a PDF/HTML polyglot starts.
    expect(sniffMediaType(cat('<html>', MINIMAL_PDF))).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------
// Images
// ---------------------------------------------------------------------------------------------

describe('images are re-encoded without metadata', () => {
  it('drops EXIF GPS and camera data from a JPEG', async () => {
    const before = await sharp(exifJpeg).metadata();
    expect(before.exif).toBeDefined();
    expect(contains(exifJpeg, 'Canon')).toBe(true);

    const file = await expectOk(checkAttachment({ name: 'ổ gà.jpg', bytes: exifJpeg, declaredType: 'image/jpeg' }));
    expect(file.mediaType).toBe('image/jpeg');
    expect(file.fileName).toBe('ổ gà.jpg');
    expect(Buffer.from(file.bytes).equals(Buffer.from(exifJpeg))).toBe(false);
    const after = await sharp(file.bytes).metadata();
    expect(after.format).toBe('jpeg');
    expect(after.exif).toBeUndefined();
    expect(after.xmp).toBeUndefined();
    expect(after.iptc).toBeUndefined();
    expect(after.icc).toBeUndefined();
    expect(contains(file.bytes, 'Canon')).toBe(false);
    expect(contains(file.bytes, 'Exif')).toBe(false);
    expect([after.width, after.height]).toEqual([320, 240]);
  });

  it('drops PNG text chunks', async () => {
    expect((await sharp(textPng).metadata()).comments).toEqual([
      { keyword: 'Comment', text: 'GPS 12.2417N 109.1967E Nguyen Van A' },
    ]);
    const file = await expectOk(checkAttachment({ name: 'sơ đồ.png', bytes: textPng, declaredType: 'image/png' }));
    expect(file.mediaType).toBe('image/png');
    expect(Buffer.from(file.bytes).equals(Buffer.from(textPng))).toBe(false);
    const after = await sharp(file.bytes).metadata();
    expect(after.comments).toBeUndefined();
    expect(after.exif).toBeUndefined();
    expect(after.hasAlpha).toBe(true);
    expect(contains(file.bytes, 'Nguyen Van A')).toBe(false);
    expect(contains(file.bytes, 'tEXt')).toBe(false);
  });

  it('applies the EXIF orientation to the pixels, then drops the tag', async () => {
    expect((await sharp(rotatedJpeg).metadata()).orientation).toBe(6);
    const file = await expectOk(checkAttachment({ name: 'dung.jpg', bytes: rotatedJpeg }));
    const after = await sharp(file.bytes).metadata();
    expect([after.width, after.height]).toEqual([100, 200]);
    expect(after.orientation).toBeUndefined();
    expect(after.exif).toBeUndefined();
  });

  it('shrinks to 2560 px on the long side, never enlarges', async () => {
    const big = await sharp({ create: { width: 3000, height: 1000, channels: 3, background: '#888' } })
      .jpeg()
      .toBuffer();
    const file = await expectOk(checkAttachment({ name: 'duong.jpg', bytes: big }));
    const after = await sharp(file.bytes).metadata();
    expect(after.width).toBe(2560);
    expect(after.height).toBe(853);
  });

  it('neutralises a JPEG with a ZIP appended: re-encoded, the ZIP does not survive', async () => {
    const polyglot = cat(exifJpeg, ZIP);
    const file = await expectOk(checkAttachment({ name: 'anh.jpg', bytes: polyglot, declaredType: 'image/jpeg' }));
    expect(contains(file.bytes, 'PK\x03\x04')).toBe(false);
    expect(contains(file.bytes, 'payload.class')).toBe(false);
    expect(file.bytes.byteLength).toBeLessThan(polyglot.byteLength);
  });

  it('neutralises HTML and %PDF- hidden in image metadata', async () => {
    const jpeg = withJpegComment(exifJpeg, '<html><script>alert(1)</script>%PDF-1.4');
    const j = await expectOk(checkAttachment({ name: 'a.jpg', bytes: jpeg }));
    expect(contains(j.bytes, '<script')).toBe(false);
    expect(contains(j.bytes, '%PDF-')).toBe(false);
    const png = withPngChunk(plainPng, pngChunk('tEXt', 'x\0<script>alert(1)</script>'));
    const p = await expectOk(checkAttachment({ name: 'a.png', bytes: png }));
    expect(contains(p.bytes, '<script')).toBe(false);
  });

  it('refuses truncated and undecodable images', async () => {
    await expectCode(
      checkAttachment({ name: 'cut.jpg', bytes: exifJpeg.subarray(0, Math.floor(exifJpeg.length * 0.6)) }),
      'attachment_unreadable',
    );
    const png = await gradient(200, 100).png().toBuffer();
    await expectCode(
      checkAttachment({ name: 'cut.png', bytes: png.subarray(0, Math.floor(png.length * 0.6)) }),
      'attachment_unreadable',
    );
    await expectCode(
      checkAttachment({ name: 'x.jpg', bytes: cat('\xff\xd8\xff', 'not a jpeg') }),
      'attachment_unreadable',
    );
    await expectCode(checkAttachment({ name: 'x.png', bytes: plainPng.subarray(0, 8) }), 'attachment_unreadable');
  });

  it('refuses a decompression bomb by its declared pixel count', async () => {
    // IHDR declares 10000 × 10000 (100 MP) in a file of a few dozen bytes.
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(10_000, 0);
    ihdr.writeUInt32BE(10_000, 4);
    ihdr.set([8, 2, 0, 0, 0], 8);
    const bomb = cat(
      plainPng.subarray(0, 8),
      pngChunk('IHDR', ihdr),
      pngChunk('IDAT', deflateSync(Buffer.alloc(1000))),
      pngChunk('IEND', ''),
    );
    await expectCode(checkAttachment({ name: 'bomb.png', bytes: bomb }), 'attachment_too_large');
  });
});

// ---------------------------------------------------------------------------------------------
// Type, size, declared type
// ---------------------------------------------------------------------------------------------

describe('type and size', () => {
  it('refuses empty files and files over 10 MB, at the exact boundary', async () => {
    await expectCode(checkAttachment({ name: 'x.pdf', bytes: new Uint8Array() }), 'attachment_empty');
    const over = new Uint8Array(ATTACHMENT_LIMITS.maxBytes + 1);
    over.set(MINIMAL_PDF);
    await expectCode(checkAttachment({ name: 'x.pdf', bytes: over }), 'attachment_too_large');
    // Exactly 10 MB is allowed: a PDF padded with a comment line before its last object.
    const pad = ATTACHMENT_LIMITS.maxBytes - MINIMAL_PDF.length - 2;
    const exact = cat(MINIMAL_PDF.subarray(0, 15), '%', 'a'.repeat(pad), '\n', MINIMAL_PDF.subarray(15));
    expect(exact.byteLength).toBe(ATTACHMENT_LIMITS.maxBytes);
    const file = await expectOk(checkAttachment({ name: 'x.pdf', bytes: exact }));
    // Changed with issue #7 part 5: the rewrite drops the comment, so the stored file is small.
    expect(file.size).toBe(file.bytes.byteLength);
    expect(file.size).toBeLessThan(1024);
  });

  it('refuses what is not JPEG, PNG or PDF whatever its name and declared type say', async () => {
    const html = latin1('<!doctype html><html><script>alert(document.cookie)</script></html>');
    await expectCode(
      checkAttachment({ name: 'photo.jpg', bytes: html, declaredType: 'image/jpeg' }),
      'attachment_type_not_allowed',
    );
    const gif = await sharp({ create: { width: 2, height: 2, channels: 3, background: '#000' } })
      .gif()
      .toBuffer();
    await expectCode(
      checkAttachment({ name: 'a.png', bytes: gif, declaredType: 'image/png' }),
      'attachment_type_not_allowed',
    );
    await expectCode(checkAttachment({ name: 'a.pdf', bytes: ZIP }), 'attachment_type_not_allowed');
  });

  it('trusts the bytes over an allow-listed declared type: a PNG named .pdf is stored as PNG', async () => {
    const file = await expectOk(
      checkAttachment({ name: 'bien-ban.pdf', bytes: plainPng, declaredType: 'application/pdf' }),
    );
    expect(file.mediaType).toBe('image/png');
    expect(file.fileName).toBe('bien-ban.png');
    expect((await sharp(file.bytes).metadata()).format).toBe('png');
    // A generic or missing declared type is no claim at all.
    await expectOk(checkAttachment({ name: 'a', bytes: plainPng, declaredType: 'application/octet-stream' }));
    await expectOk(checkAttachment({ name: 'a', bytes: plainPng, declaredType: 'IMAGE/PNG; charset=binary' }));
  });

  it('refuses bytes that look allow-listed under a declared type that is not', async () => {
    for (const declaredType of [
      'text/html',
      'image/svg+xml',
      'application/zip',
      'application/javascript',
      'constructor',
    ]) {
      await expectCode(checkAttachment({ name: 'a.png', bytes: plainPng, declaredType }), 'attachment_type_mismatch');
    }
    await expectCode(
      checkAttachment({ name: 'a.pdf', bytes: MINIMAL_PDF, declaredType: 'text/html; charset=utf-8' }),
      'attachment_type_mismatch',
    );
  });
});

// ---------------------------------------------------------------------------------------------
// PDF
// ---------------------------------------------------------------------------------------------

describe('PDFs are checked and stored as the library rewrote them', () => {
  // Changed with issue #7 part 5: a PDF is no longer kept byte for byte but rewritten by pdf-lib,
  // so what is served is what was checked (api/attachments/pdf.ts).
  it('keeps a plain PDF as a rewritten copy with the same page', async () => {
    const input = new Uint8Array(MINIMAL_PDF);
    const file = await expectOk(
      checkAttachment({ name: 'Đơn kiến nghị.pdf', bytes: input, declaredType: 'application/pdf' }),
    );
    expect(file.mediaType).toBe('application/pdf');
    expect(file.fileName).toBe('Đơn kiến nghị.pdf');
    expect(latin1String(file.bytes.subarray(0, 5))).toBe('%PDF-');
    const doc = await PDFDocument.load(file.bytes);
    expect(doc.getPageCount()).toBe(1);
    input[0] = 0;
    expect(file.bytes[0]).toBe(0x25);
  });

  it('allows an /OpenAction that only sets the first view', async () => {
    await expectOk(checkAttachment({ name: 'a.pdf', bytes: pdfWithAction('<< /S /GoTo /D [3 0 R /Fit] >>') }));
  });

  it.each([
    ['JavaScript open action', '<< /S /JavaScript /JS (app.alert(1)) >>'],
    ['JS as a stream', '<< /S /JavaScript /JS 6 0 R >>'],
    ['hex-escaped name', '<< /S /J#61vaScript /J#53 (app.alert(1)) >>'],
    ['Launch', '<< /S /Launch /F (cmd.exe) >>'],
    ['embedded file', '<< /Type /EmbeddedFile /Subtype /application#2Fx-msdownload >>'],
    ['embedded files tree', '<< /EmbeddedFiles << /Names [] >> >>'],
    ['go to an embedded file', '<< /S /GoToE /T << /R /C /N (x) >> >>'],
    ['XFA form', '<< /Fields [] /XFA 7 0 R >>'],
  ])('refuses a PDF with %s', async (_, action) => {
    await expectCode(checkAttachment({ name: 'a.pdf', bytes: pdfWithAction(action) }), 'attachment_polyglot');
  });

  it('finds JavaScript hidden in a compressed object stream', async () => {
    const evil = pdfWithObjectStream('<< /S /JavaScript /JS (app.launchURL("http://x")) >>');
    expect(contains(evil, 'JavaScript')).toBe(false);
    await expectCode(checkAttachment({ name: 'a.pdf', bytes: evil }), 'attachment_polyglot');
    // Without /Type, as pdf.js would still read it through /N and /First.
    const untyped = pdfWithAction(
      stream('/N 1 /First 4 /Filter /FlateDecode', deflateSync('6 0 << /S /Launch /F (x.exe) >>')),
    );
    await expectCode(checkAttachment({ name: 'a.pdf', bytes: untyped }), 'attachment_polyglot');
  });

  it('is not fooled by a literal "endstream" planted inside the compressed data', async () => {
    // A zlib stream of two blocks: a stored block holding "endstream", then a compressed final block
    // with the action. A reader going by /Length inflates both.
    const head = latin1('6 0 << /S /GoTo /D [3 0 R /Fit] >> % endstream\n');
    const tail = latin1(' << /S /JavaScript /JS (app.alert(1)) >>');
    const stored = Buffer.alloc(5);
    stored.writeUInt16LE(head.length, 1);
    stored.writeUInt16LE(~head.length & 0xffff, 3);
    let a = 1;
    let b = 0;
    for (const byte of Buffer.concat([head, tail])) {
      a = (a + byte) % 65521;
      b = (b + a) % 65521;
    }
    const adler = Buffer.alloc(4);
    adler.writeUInt32BE(((b << 16) | a) >>> 0);
    const data = Buffer.concat([Buffer.from([0x78, 0x01]), stored, head, deflateRawSync(tail), adler]);
    expect(inflateSync(data).toString('latin1')).toContain('/JavaScript');
    expect(contains(data, 'JavaScript')).toBe(false);
    const evil = pdfWithAction(stream('/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode', data));
    // Was attachment_unreadable with the byte scanner. pdf-lib reads the stream by /Length, and the
    // tail is no object (N is 1): accepted, and the rewrite leaves it behind.
    const file = await expectOk(checkAttachment({ name: 'a.pdf', bytes: evil }));
    expect(await objectsText(file.bytes)).not.toContain('JavaScript');
  });

  it('accepts a clean compressed object stream', async () => {
    await expectOk(checkAttachment({ name: 'a.pdf', bytes: pdfWithObjectStream('<< /S /GoTo /D [3 0 R /Fit] >>') }));
    // Changed with issue #7 part 5: a predictor no longer makes the stream unreadable to us, since
    // what is stored is pdf-lib's reading of it, rewritten.
    const predictor = pdfWithObjectStream('<< /S /GoTo /D [3 0 R /Fit] >>', '/DecodeParms << /Predictor 12 >>');
    await expectOk(checkAttachment({ name: 'a.pdf', bytes: predictor }));
  });

  it('refuses object streams it cannot decode well enough to vouch for', async () => {
    const lzw = pdfWithAction(stream('/Type /ObjStm /N 1 /First 4 /Filter /LZWDecode', 'garbage'));
    await expectCode(checkAttachment({ name: 'a.pdf', bytes: lzw }), 'attachment_unreadable');
    const indirect = pdfWithAction(stream('/Type /ObjStm /N 1 /First 4 /Filter 8 0 R', 'garbage'));
    await expectCode(checkAttachment({ name: 'a.pdf', bytes: indirect }), 'attachment_unreadable');
    const broken = pdfWithAction(stream('/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode', 'not zlib'));
    await expectCode(checkAttachment({ name: 'a.pdf', bytes: broken }), 'attachment_unreadable');
    const encrypted = pdf(PAGE_OBJECTS, { trailer: '/Encrypt << /Filter /Standard /V 2 /R 3 >> ' });
    await expectCode(checkAttachment({ name: 'a.pdf', bytes: encrypted }), 'attachment_unreadable');
  });

  it('refuses a compressed object stream that inflates past the budget (zip bomb)', async () => {
    const bomb = deflateSync(Buffer.alloc(80 * 1024 * 1024, 0x20), { level: 9 });
    const pdfBomb = pdfWithAction(stream('/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode', bomb));
    expect(pdfBomb.byteLength).toBeLessThan(ATTACHMENT_LIMITS.maxBytes);
    await expectCode(checkAttachment({ name: 'a.pdf', bytes: pdfBomb }), 'attachment_unreadable');
  });

  it('refuses PDF polyglots: a ZIP/JAR or HTML inside or appended', async () => {
    await expectCode(checkAttachment({ name: 'a.pdf', bytes: cat(MINIMAL_PDF, ZIP) }), 'attachment_polyglot');
    await expectCode(
      checkAttachment({ name: 'a.pdf', bytes: pdf(PAGE_OBJECTS, { tail: '%<html>' }) }),
      'attachment_polyglot',
    );
    await expectCode(
      checkAttachment({ name: 'a.pdf', bytes: pdf([...PAGE_OBJECTS, '(<SCRIPT src=//x></script>)']) }),
      'attachment_polyglot',
    );
  });

  it('refuses a PDF without %%EOF at its end', async () => {
    const cut = MINIMAL_PDF.subarray(0, MINIMAL_PDF.length - 7);
    await expectCode(checkAttachment({ name: 'a.pdf', bytes: cut }), 'attachment_unreadable');
    await expectCode(checkAttachment({ name: 'a.pdf', bytes: latin1('%PDF-1.4\n') }), 'attachment_unreadable');
    const trailing = cat(MINIMAL_PDF, '%'.repeat(2000));
    await expectCode(checkAttachment({ name: 'a.pdf', bytes: trailing }), 'attachment_unreadable');
  });
});

// ---------------------------------------------------------------------------------------------
// File names
// ---------------------------------------------------------------------------------------------

describe('sanitizeFileName', () => {
  it.each([
    ['../../etc/passwd.jpg', 'image/jpeg', 'passwd.jpg'],
    ['C:\\x\\ảnh chụp.jpg', 'image/jpeg', 'ảnh chụp.jpg'],
    ['\\\\server\\share\\..\\bien ban.pdf', 'application/pdf', 'bien ban.pdf'],
    ['\u202Egpj.exe', 'image/jpeg', 'gpj.jpg'],
    ['invoice\u202Efdp.exe', 'application/pdf', 'invoicefdp.pdf'],
    ['.htaccess', 'image/png', 'htaccess.png'],
    ['..', 'image/png', 'tep-dinh-kem.png'],
    ['CON.png', 'image/png', 'tep-dinh-kem.png'],
    ['lpt1', 'image/jpeg', 'tep-dinh-kem.jpg'],
    ['nul.tar.gz', 'application/pdf', 'tar.pdf'],
    ['Console.png', 'image/png', 'Console.png'],
    ['a\0b\u0007c\u200Bd.pdf', 'application/pdf', 'abcd.pdf'],
    ['  ảnh \t\n  chụp   ổ gà  .JPEG', 'image/jpeg', 'ảnh chụp ổ gà.jpg'],
    ['what?<is>:this*|".png', 'image/png', 'what is this.png'],
    ['shell.php.jpg', 'image/jpeg', 'shell.php.jpg'],
    ['Báo cáo 12.2024', 'application/pdf', 'Báo cáo 12.2024.pdf'],
    ['photo.jpg. . .', 'image/png', 'photo.png'],
    ['', 'application/pdf', 'tep-dinh-kem.pdf'],
    ['/', 'image/jpeg', 'tep-dinh-kem.jpg'],
    ['\uD800broken.jpg', 'image/jpeg', 'broken.jpg'],
  ] as const)('%j → %s', (name, type, expected) => {
    expect(sanitizeFileName(name, type)).toBe(expected);
  });

  it('composes Vietnamese to NFC whatever the keyboard sent', () => {
    const nfd = 'ảnh chụp đường.jpg'.normalize('NFD');
    const out = sanitizeFileName(nfd, 'image/jpeg');
    expect(out).toBe('ảnh chụp đường.jpg');
    expect(out).toBe(out.normalize('NFC'));
  });

  it('caps very long names at 100 characters, keeping the extension and whole letters', () => {
    const long = sanitizeFileName(`${'phản ánh '.repeat(40)}.pdf`, 'application/pdf');
    expect([...long].length).toBeLessThanOrEqual(100);
    expect(long.endsWith('.pdf')).toBe(true);
    expect(long.startsWith('phản ánh phản ánh')).toBe(true);
    // Decomposed letters that do not compose stay with their marks.
    const marks = sanitizeFileName('e\u0301\u0323'.repeat(60), 'image/png');
    expect(marks).toBe(`${'e\u0323\u0301'.normalize('NFC').repeat(48)}.png`);
    // One grapheme longer than the cap is cut hard rather than dropped.
    expect(sanitizeFileName(`a${'\u0301'.repeat(300)}`, 'image/png').length).toBe(100);
    expect(sanitizeFileName('x'.repeat(100_000), 'image/jpeg')).toBe(`${'x'.repeat(96)}.jpg`);
  });

  it('never yields a path, a control character, a hidden file or a wrong extension (property)', () => {
    const types = ['image/jpeg', 'image/png', 'application/pdf'] as const;
    const ext = { 'image/jpeg': '.jpg', 'image/png': '.png', 'application/pdf': '.pdf' };
    const hostile = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 200 }),
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc
        .array(fc.constantFrom('..', '/', '\\', '.', ' ', 'CON', 'ả', '\u202E', '\0', 'x', '.jpg', ':', '\u0301'), {
          maxLength: 40,
        })
        .map((a) => a.join('')),
    );
    fc.assert(
      fc.property(hostile, fc.constantFrom(...types), (name, type) => {
        const out = sanitizeFileName(name, type);
        expect(out.endsWith(ext[type])).toBe(true);
        expect([...out].length).toBeGreaterThanOrEqual(5);
        expect([...out].length).toBeLessThanOrEqual(100);
        expect(out).not.toMatch(/[/\\<>:"|?*\p{Cc}\p{Cf}]/u);
        expect(out).not.toMatch(/^[. ]/);
        expect(out).toBe(out.normalize('NFC'));
        expect(out.split('.')[0]!.trim()).not.toMatch(/^(con|prn|aux|nul|com\d|lpt\d)$/i);
        expect(out.isWellFormed()).toBe(true);
      }),
      { numRuns: 2000 },
    );
    // Each PDF that ends in %%EOF is parsed in its own worker (pdf-check.ts): slower than a scan.
  }, 180_000);
});

// ---------------------------------------------------------------------------------------------
// Any bytes
// ---------------------------------------------------------------------------------------------

describe('any bytes (property)', () => {
  const known = new Set<string>(attachmentErrorCodes);
  const okOrKnown = (r: AttachmentCheck): boolean => (r.ok ? r.file.size > 0 : known.has(r.code));

  it('arbitrary bytes never throw, only ok or a known code', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 64 }), fc.string({ maxLength: 20 }), async (bytes, name) => {
        expect(okOrKnown(await checkAttachment({ name, bytes }))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('bytes behind each magic number never throw either', async () => {
    const magic = fc.constantFrom(
      [0xff, 0xd8, 0xff],
      [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
      [...latin1('%PDF-1.7\n')],
    );
    const tail = fc.oneof(
      fc.uint8Array({ maxLength: 256 }),
      fc
        .array(
          fc.constantFrom(
            'stream\n',
            'endstream',
            '/ObjStm',
            '/First',
            '/N',
            '/Filter',
            '/FlateDecode',
            '%%EOF',
            '1 0 obj',
            ' ',
          ),
        )
        .map((a) => [...latin1(a.join(''))]),
    );
    await fc.assert(
      fc.asyncProperty(magic, tail, fc.option(fc.string(), { nil: undefined }), async (m, t, declaredType) => {
        const bytes = new Uint8Array([...m, ...t]);
        expect(okOrKnown(await checkAttachment({ name: 'x', bytes, declaredType }))).toBe(true);
      }),
      { numRuns: 2000 },
    );
    // Each PDF that ends in %%EOF is parsed in its own worker (pdf-check.ts): slower than a scan.
  }, 180_000);
});

// ---------------------------------------------------------------------------------------------
// Storage
// ---------------------------------------------------------------------------------------------

describe('db/attachments.ts', () => {
  let tmp: string;
  let db: Db;
  const at = new Date('2025-08-11T02:00:00Z');

  // The case row written by hand (db/feedback.ts has its own tests); the attachment finds it by
  // tracking code within the same batch, as the submission route does.
  const caseInsert = (trackingCode: string): InStatement => ({
    sql: `INSERT INTO feedback (tracking_code, access_key_hash, kind, subject, unit_id, title, content, channel,
            publish_content, received_at, classify_due_at, answer_due_at, locale, updated_at)
          VALUES (?, ?, 'phan-anh', 'khac', 'khanh-hoa', 'Ổ gà trên đường', 'Ổ gà lớn trước số 12.', 'web', 0,
            ?, ?, ?, 'vi', ?)`,
    args: [trackingCode, 'a'.repeat(64), ...Array<string>(4).fill(at.toISOString())],
  });

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'gopy-attachments-'));
    db = await openDb({ url: `file:${join(tmp, 'attachments.db')}` });
    await migrate(db.client);
    await db.client.execute(
      "INSERT INTO units (id, kind, name_vi, name_en, valid_from) VALUES ('khanh-hoa', 'tinh', 'Khánh Hòa', 'Khanh Hoa', '2000-01-01')",
    );
  });

  afterAll(() => {
    db.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('stores checked files in the batch that stores the case, lists metadata only, reads within the case', async () => {
    const photo = await expectOk(checkAttachment({ name: 'C:\\x\\ảnh chụp.jpg', bytes: exifJpeg }));
    const doc = await expectOk(checkAttachment({ name: 'đơn.pdf', bytes: MINIMAL_PDF }));
    // CleanAttachment is assignable to the structural type db/ declares.
    const storable: StorableAttachment = photo;
    await db.client.batch(
      [
        caseInsert('ABCD-EFGH'),
        attachmentInsertStatement({ feedbackByTrackingCode: 'ABCD-EFGH', author: 'citizen', file: storable, at }),
        attachmentInsertStatement({ feedbackByTrackingCode: 'ABCD-EFGH', author: 'citizen', file: doc, at }),
      ],
      'write',
    );
    await db.client.execute(caseInsert('JKLM-NPQR'));
    const ids = await db.client.execute('SELECT id, tracking_code FROM feedback ORDER BY id');
    const first = Number(ids.rows[0]!.id);
    const second = Number(ids.rows[1]!.id);
    // A staff answer and its file in one batch: the file names the message through a subquery.
    await db.client.batch(
      [
        {
          sql: `INSERT INTO feedback_messages (feedback_id, at, purpose, author, body)
                VALUES (?, ?, 'answer', 'staff', 'Đã vá ổ gà.')`,
          args: [second, at.toISOString()],
        },
        attachmentInsertStatement({
          feedbackId: second,
          messageId: { sql: 'SELECT max(id) FROM feedback_messages WHERE feedback_id = ?', args: [second] },
          author: 'staff',
          file: doc,
          at,
        }),
      ],
      'write',
    );
    const messageId = Number((await db.client.execute('SELECT max(id) AS id FROM feedback_messages')).rows[0]!.id);

    const list = await listAttachments(db.client, first);
    expect(list).toEqual([
      {
        id: expect.any(Number),
        messageId: null,
        author: 'citizen',
        fileName: 'ảnh chụp.jpg',
        mediaType: 'image/jpeg',
        size: photo.size,
        createdAt: at.toISOString(),
      },
      {
        id: expect.any(Number),
        messageId: null,
        author: 'citizen',
        fileName: 'đơn.pdf',
        mediaType: 'application/pdf',
        size: doc.size,
        createdAt: at.toISOString(),
      },
    ]);
    expect(Object.keys(list[0]!)).not.toContain('data');

    const read = await readAttachment(db.client, first, list[0]!.id);
    expect(read?.fileName).toBe('ảnh chụp.jpg');
    expect(read?.mediaType).toBe('image/jpeg');
    expect(sha256(read!.data)).toBe(photo.sha256);
    const stored = await db.client.execute({
      sql: 'SELECT sha256 FROM feedback_attachments WHERE id = ?',
      args: [list[0]!.id],
    });
    expect(stored.rows[0]!.sha256).toBe(photo.sha256);

    // An attachment id from another case returns nothing.
    const [other] = await listAttachments(db.client, second);
    expect(other?.author).toBe('staff');
    expect(other?.messageId).toBe(messageId);
    expect(await readAttachment(db.client, first, other!.id)).toBeUndefined();
    expect(await readAttachment(db.client, second, list[0]!.id)).toBeUndefined();
    expect(await readAttachment(db.client, first, 999_999)).toBeUndefined();
  });

  it('needs exactly one way to name the case', () => {
    const file = { fileName: 'a.pdf', mediaType: 'application/pdf', bytes: MINIMAL_PDF, size: 1, sha256: '' } as const;
    expect(() => attachmentInsertStatement({ author: 'citizen', file, at } as never)).toThrow();
    expect(() =>
      attachmentInsertStatement({ feedbackId: 1, feedbackByTrackingCode: 'X', author: 'citizen', file, at } as never),
    ).toThrow();
  });
});
