/**
 * What the sender typed in the form (name, phone, e-mail, address), compiled once per call into
 * patterns the detectors look for besides their own: "Tôi là Hoa" is only a name when the sender
 * is called Hoa; "0905 123 456" is the sender's phone however it is written.
 */
import type { SenderDetails } from './kinds.ts';
import { NOT_AFTER, NOT_BEFORE, escapeRe, flatOf, words } from './text.ts';

export interface Prepared {
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

export function prepare(sender: SenderDetails): Prepared {
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

/** Same phone number written nationally or internationally: 0901234567 = 84901234567. */
export function sameNumber(a: string, b: string): boolean {
  return nationalDigits(a) === nationalDigits(b);
}

export function nationalDigits(d: string): string {
  if (d.startsWith('840')) return d.slice(2);
  if (d.startsWith('84') && d.length >= 11) return '0' + d.slice(2);
  return d;
}

/** The sender details of a stored contact row (null fields left out). */
export function senderDetailsOf(
  contact: { name: string | null; phone: string | null; email: string | null; address: string | null } | undefined,
): SenderDetails {
  return {
    ...(contact?.name ? { senderName: contact.name } : {}),
    ...(contact?.phone ? { senderPhone: contact.phone } : {}),
    ...(contact?.email ? { senderEmail: contact.email } : {}),
    ...(contact?.address ? { senderAddress: contact.address } : {}),
  };
}
