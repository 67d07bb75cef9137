/**
 * PDF attachments that cannot carry active content (issue #7 part 5; docs/attachments.md).
 *
 * A byte scan can be fooled (a dictionary padded past its window, a name spelt with #xx escapes,
 * an object a reader finds through the xref but a scanner never sees), so PDFs are parsed with
 * pdf-lib, every object is inspected (object streams included), and an accepted PDF is REWRITTEN
 * by the same library: what is stored and served is exactly the objects that were checked. Bytes
 * outside parsed objects, earlier revisions of incremental updates and anything after %%EOF are
 * gone, and pdf-lib writes fresh cross-references, so no reader can find an object we did not see.
 *
 * Refused (attachment_polyglot): JavaScript anywhere, an /OpenAction other than a destination or a
 * GoTo action (both only choose the first view), additional actions (/AA), a stream shaped like an
 * object stream that the library did not expand, any action other than
 * GoTo, Named and URI, a URI (or URI base) that is not http:, https: or mailto:, Launch, GoToR,
 * GoToE, SubmitForm, ImportData, embedded files, RichMedia, media (Rendition, Movie, Sound) and XFA
 * forms. Names are compared after #xx escapes are decoded the way readers do (pdf-lib decodes only
 * upper-case hex). Refused (attachment_unreadable): encrypted PDFs (their strings cannot be checked
 * and the library cannot rewrite them), objects the library cannot parse, an unreadable page tree.
 *
 * Memory: pdf-lib inflates object and cross-reference streams while it parses. Each such stream is
 * inflated first by node:zlib against a budget shared by the whole file (64 MiB), so a zip bomb is
 * refused before the library ever decodes it; only FlateDecode (or no filter) is accepted there.
 * In production the check runs in a worker with a heap limit and a deadline (pdf-check.ts), so even
 * a file that gets past that budget costs a worker, never the server.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { inflateSync } from 'node:zlib';
import {
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFHexString,
  PDFName,
  PDFObjectStreamParser,
  PDFRawStream,
  PDFRef,
  PDFStream,
  PDFString,
  PDFXRefStreamParser,
  type PDFObject,
} from 'pdf-lib';

export type PdfProblem = 'attachment_polyglot' | 'attachment_unreadable';
export type PdfCheck = { ok: true; bytes: Uint8Array } | { ok: false; code: PdfProblem };

/** What object and cross-reference streams of one file may inflate to, together. */
export const PDF_INFLATE_BUDGET = 64 * 1024 * 1024;

// Names that make a reader run code, open or send other files, carry files or media along.
const FORBIDDEN_NAMES = new Set([
  'JavaScript',
  'JS',
  'AA',
  'Launch',
  'GoToR',
  'GoToE',
  'SubmitForm',
  'ImportData',
  'EmbeddedFile',
  'EmbeddedFiles',
  'RichMedia',
  'RichMediaExecute',
  'Rendition',
  'Movie',
  'Sound',
  'XFA',
]);
// Actions a reader runs only when the person clicks, and that stay inside the document or open a
// web or mail link the reader asks about first.
const ALLOWED_ACTIONS = new Set(['GoTo', 'Named', 'URI']);
const ALLOWED_SCHEMES = new Set(['http', 'https', 'mailto']);
// Keys whose value is an action (ISO 32000-1 §12.6): link and outline /A, the chain /Next.
const ACTION_KEYS = new Set(['A', 'Next']);

class Refused extends Error {
  readonly code: PdfProblem;
  constructor(code: PdfProblem) {
    super(code);
    this.code = code;
  }
}

// ── Inflate budget ──────────────────────────────────────────────────────────────────────────────

const budget = new AsyncLocalStorage<{ left: number }>();

/** Charges one stream pdf-lib is about to decode against the file's budget, or refuses the file. */
function charge(raw: PDFRawStream): void {
  const store = budget.getStore();
  // Outside inspectPdf (tests reading what was stored) pdf-lib parses as it always does.
  if (!store) return;
  const filter = raw.dict.lookup(PDFName.of('Filter'));
  const filters = filter instanceof PDFArray ? filter.asArray() : filter === undefined ? [] : [filter];
  if (filters.length === 0) return; // Stored as is: no bigger than the file.
  if (filters.length !== 1 || filters[0] !== PDFName.of('FlateDecode')) throw new Refused('attachment_unreadable');
  let inflated: Buffer;
  try {
    inflated = inflateSync(raw.contents, { maxOutputLength: Math.max(1, store.left) });
  } catch {
    throw new Refused('attachment_unreadable');
  }
  store.left -= inflated.length;
  if (store.left <= 0) throw new Refused('attachment_unreadable');
}

// pdf-lib's parser reaches these two static methods for every object and xref stream it expands.
type ForStream = (raw: PDFRawStream, ...rest: unknown[]) => unknown;
for (const parser of [PDFObjectStreamParser, PDFXRefStreamParser] as unknown as { forStream: ForStream }[]) {
  const original = parser.forStream.bind(parser);
  parser.forStream = (raw, ...rest) => {
    charge(raw);
    return original(raw, ...rest);
  };
}

// ── Inspection ──────────────────────────────────────────────────────────────────────────────────

/** A name as a reader sees it: #xx escapes decoded whatever the case of the hex digits. */
const nameOf = (n: PDFName): string =>
  n.decodeText().replace(/#([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));

const textOf = (s: PDFString | PDFHexString): string => Buffer.from(s.asBytes()).toString('latin1');

function checkUri(s: PDFObject | undefined): void {
  if (s === undefined) return;
  if (!(s instanceof PDFString || s instanceof PDFHexString)) throw new Refused('attachment_polyglot');
  // Readers and browsers skip leading blanks and controls before the scheme.
  const scheme = /^[\0- ]*([a-z][a-z0-9+.-]*):/i.exec(textOf(s))?.[1]?.toLowerCase();
  if (!scheme || !ALLOWED_SCHEMES.has(scheme)) throw new Refused('attachment_polyglot');
}

function checkAction(doc: PDFDocument, value: PDFObject | undefined): void {
  const resolved = value instanceof PDFRef ? doc.context.lookup(value) : value;
  if (resolved instanceof PDFArray) {
    for (const v of resolved.asArray()) checkAction(doc, v);
    return;
  }
  if (!(resolved instanceof PDFDict)) return;
  const s = resolved.get(PDFName.of('S'));
  if (!(s instanceof PDFName) || !ALLOWED_ACTIONS.has(nameOf(s))) throw new Refused('attachment_polyglot');
}

/** Every object reachable from `root` without following references (each indirect object is visited on its own). */
function inspect(doc: PDFDocument, root: PDFObject): void {
  const stack: PDFObject[] = [root];
  while (stack.length > 0) {
    const o = stack.pop()!;
    if (o instanceof PDFName) {
      if (FORBIDDEN_NAMES.has(nameOf(o))) throw new Refused('attachment_polyglot');
    } else if (o instanceof PDFArray) {
      stack.push(...o.asArray());
    } else if (o instanceof PDFStream) {
      // A stream a reader could take for an object stream (pdf.js goes by /N and /First) that
      // pdf-lib did not expand, because its /Type is missing or indirect: its objects were not seen.
      if (o.dict.has(PDFName.of('N')) && o.dict.has(PDFName.of('First'))) throw new Refused('attachment_polyglot');
      stack.push(o.dict);
    } else if (o instanceof PDFDict) {
      for (const [key, value] of o.entries()) {
        const k = nameOf(key);
        if (FORBIDDEN_NAMES.has(k)) throw new Refused('attachment_polyglot');
        if (ACTION_KEYS.has(k)) checkAction(doc, value);
        if (k === 'OpenAction') {
          const v = value instanceof PDFRef ? doc.context.lookup(value) : value;
          // A destination array, or a GoTo action, only chooses the first view; any other action
          // would run by itself when the file is opened.
          if (v instanceof PDFStream) throw new Refused('attachment_polyglot');
          const s = v instanceof PDFDict ? v.get(PDFName.of('S')) : undefined;
          if (v instanceof PDFDict && !(s instanceof PDFName && nameOf(s) === 'GoTo'))
            throw new Refused('attachment_polyglot');
        }
        if (k === 'URI' || k === 'Base') {
          const v = value instanceof PDFRef ? doc.context.lookup(value) : value;
          if (!(v instanceof PDFDict)) checkUri(v);
        }
        if (k === 'S' && value instanceof PDFName && nameOf(value) === 'URI') checkUri(o.get(PDFName.of('URI')));
        stack.push(key, value);
      }
    }
  }
}

/**
 * Parses, inspects and rewrites one PDF. Never throws: a hostile file is an answer. Runs on the
 * calling thread; the server goes through pdf-check.ts, which runs this in a bounded worker.
 */
export async function inspectPdf(bytes: Uint8Array): Promise<PdfCheck> {
  try {
    return await budget.run({ left: PDF_INFLATE_BUDGET }, async () => {
      const doc = await PDFDocument.load(bytes, {
        ignoreEncryption: false,
        throwOnInvalidObject: true,
        updateMetadata: false,
      });
      for (const [, object] of doc.context.enumerateIndirectObjects()) inspect(doc, object);
      for (const value of Object.values(doc.context.trailerInfo))
        if (value !== undefined) inspect(doc, value as PDFObject);
      // The page tree must be readable (a document of no pages is allowed by the format).
      doc.getPageCount();
      const out = await doc.save({ useObjectStreams: true, addDefaultPage: false, updateFieldAppearances: false });
      return { ok: true as const, bytes: out };
    });
  } catch (e) {
    return { ok: false, code: e instanceof Refused ? e.code : 'attachment_unreadable' };
  }
}
