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
 * Text handling (./text.ts): the input is normalised to NFC; matching runs
 * on a folded copy of the same length (combining marks stripped, đ→d, lower-cased) so that
 * "Nguyễn Văn An", "NGUYEN VAN AN" and "nguyễn văn an" all match, while the replacement is made on
 * the original span. `redact` is idempotent: redacting its output changes nothing, because
 * placeholders are recognised and left alone, and the function itself repeats until nothing new is
 * found.
 */
import {
  REDACTION_LABELS,
  redactionKinds,
  type RedactionKind,
  type RedactionResult,
  type RedactionSpan,
  type SenderDetails,
} from './kinds.ts';
import { prepare, type Prepared } from './sender.ts';
import { MASK, PRIORITY, escapeRe, makeDoc, type Doc, type Hit } from './text.ts';
import { findEmails } from './detect-email.ts';
import { findNumbers } from './detect-numbers.ts';
import { findNames } from './detect-names.ts';
import { findAddresses } from './detect-addresses.ts';
import { findPatterns } from './detect-patterns.ts';
import { findSpelledNumbers } from './detect-spelled.ts';

export {
  REDACTION_LABELS,
  redactionKinds,
  type RedactionKind,
  type RedactionResult,
  type RedactionSpan,
  type SenderDetails,
} from './kinds.ts';

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

/** The detectors, one module each; on overlap the kinds' PRIORITY decides (./text.ts). */
const DETECTORS: readonly ((doc: Doc, hits: Hit[], sender: Prepared) => void)[] = [
  findEmails,
  findPatterns,
  findNumbers,
  findSpelledNumbers,
  findNames,
  findAddresses,
];

/** Personal data still in `text` (placeholders already there are left alone), merged. */
function findings(text: string, sender: Prepared): Hit[] {
  const masked = text.replace(PLACEHOLDER_RE, (m) => MASK.repeat(m.length));
  const doc = makeDoc(masked);
  const hits: Hit[] = [];
  for (const detect of DETECTORS) detect(doc, hits, sender);
  return merge(hits, masked);
}

/** One pass over `text`, with `origin[i]` the index in the input of character i (-1 inside a
 * placeholder written by an earlier pass); `removed` collects input indices taken out. */
function onePass(text: string, origin: number[], sender: Prepared, removed: boolean[]): [string, number[]] {
  const merged = findings(text, sender);
  let out = '';
  const outOrigin: number[] = [];
  let at = 0;
  for (const h of merged) {
    out += text.slice(at, h.start);
    outOrigin.push(...origin.slice(at, h.start));
    for (let i = h.start; i < h.end; i++) if (origin[i]! >= 0) removed[origin[i]!] = true;
    const label = REDACTION_LABELS[h.kind].vi;
    out += label;
    for (let i = 0; i < label.length; i++) outOrigin.push(-1);
    at = h.end;
  }
  out += text.slice(at);
  outOrigin.push(...origin.slice(at));
  return [out, outOrigin];
}

/**
 * `redact`, also telling which characters of the (NFC) input were taken out: `removed[i]` is true
 * when character i of `text.normalize('NFC')` is not in the output. For measuring the detectors
 * against a marked corpus (api/redaction/corpus.test.ts).
 */
export function redactTraced(text: string, sender: SenderDetails = {}): RedactionResult & { removed: boolean[] } {
  const prepared = prepare(sender);
  let current = text.normalize('NFC');
  let origin = Array.from({ length: current.length }, (_, i) => i);
  const removed = new Array<boolean>(current.length).fill(false);
  // A replacement can expose a pattern that spanned it (rare); repeat until nothing changes, so
  // that the result is a fixed point and redacting it again is a no-op.
  for (let i = 0; i < 5; i++) {
    const [next, nextOrigin] = onePass(current, origin, prepared, removed);
    if (next === current) break;
    current = next;
    origin = nextOrigin;
  }
  const spans: RedactionSpan[] = [];
  for (const m of current.matchAll(PLACEHOLDER_RE))
    spans.push({ start: m.index, end: m.index + m[0].length, kind: PLACEHOLDERS.get(m[0])! });
  return { text: current, spans, removed };
}

/**
 * Replaces personal data in feedback text by placeholders.
 * @example
 *   redact('Tôi là Nguyễn Văn An, SĐT 0901 234 567, nhà số 12 đường Trần Phú.', { senderName: 'Nguyễn Văn An' }).text
 *   // 'Tôi là [họ tên], SĐT [số điện thoại], nhà [địa chỉ].'
 */
export function redact(text: string, sender: SenderDetails = {}): RedactionResult {
  const { text: out, spans } = redactTraced(text, sender);
  return { text: out, spans };
}

/**
 * Where personal data remains in text that is about to be published (issue #7 part 4: the publish
 * step refuses it). Offsets are in the NFC form of `text` (UTF-16 code units); the text of a span
 * is personal data, so callers report offsets and kinds only. Placeholders left by `redact` are not
 * findings, so the redaction preview, published unchanged, passes.
 * @example findPersonalData('Gọi 0901234567') // [{ start: 4, end: 14, kind: 'phone' }]
 */
export function findPersonalData(text: string, sender: SenderDetails = {}): RedactionSpan[] {
  return findings(text.normalize('NFC'), prepare(sender)).map((h) => ({ start: h.start, end: h.end, kind: h.kind }));
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
