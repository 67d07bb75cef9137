/**
 * The text messages to a sender (issue #11 part 1): the receipt, the status changes a sender should
 * know, "your answer is ready" and the one-time rating invitation of a returned dossier. The words
 * live in the locale files (content/i18n/<locale>.sms.json, section `sms`), so an editor changes
 * them in one file per language; `{{name}}` marks a value. Free text written by staff (a reason, the
 * information asked for) is never put in an SMS: its length is unbounded and the link shows it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatVnDate } from '../mail/templates.ts';

export type SmsLocale = 'vi' | 'en';

/** Status changes told by SMS: the e-mail's list without 'published' (no action for the sender). */
export const STATUS_SMS_KINDS = [
  'classified',
  'rejected',
  'transferred',
  'info-requested',
  'extended',
  'answered',
] as const;
export type StatusSmsKind = (typeof STATUS_SMS_KINDS)[number];

export function isStatusSmsKind(s: string): s is StatusSmsKind {
  return (STATUS_SMS_KINDS as readonly string[]).includes(s);
}

export interface SmsStrings {
  receipt: string;
  status: Record<StatusSmsKind, string>;
  invite: string;
  optOut: { title: string; lead: string; button: string; done: string; invalid: string; home: string };
}

const cache = new Map<string, SmsStrings>();

/** The `sms` section of a locale's file, read once per content directory. */
export function smsStrings(contentDir: string, locale: SmsLocale): SmsStrings {
  const file = join(contentDir, 'i18n', `${locale}.sms.json`);
  let s = cache.get(file);
  if (!s) {
    s = (JSON.parse(readFileSync(file, 'utf8')) as { sms: SmsStrings }).sms;
    cache.set(file, s);
  }
  return s;
}

/**
 * Fills `{{name}}` marks; a mark without a value is an error (a template edited with a typo must
 * fail in the segment test, not send "{{cod}}" to a citizen).
 * @example fill('Mã {{code}}', { code: 'ABCD-EFGH' }) === 'Mã ABCD-EFGH'
 */
export function fill(template: string, values: Record<string, string>): string {
  return template
    .replace(/\{\{\s*([a-z]+)\s*\}\}/gi, (_, name: string) => {
      const v = values[name];
      if (v === undefined) throw new RangeError(`sms template: no value for {{${name}}}`);
      return v;
    })
    .normalize('NFC');
}

export function asSmsLocale(locale: string): SmsLocale {
  return locale === 'en' ? 'en' : 'vi';
}

/** The receipt: tracking code, answer date, the link that opens the case, the opt-out link. */
export function receiptSms(
  contentDir: string,
  p: { locale: string; trackingCode: string; answerDueAt: string; link: string; stopLink: string },
): string {
  return fill(smsStrings(contentDir, asSmsLocale(p.locale)).receipt, {
    code: p.trackingCode,
    date: formatVnDate(p.answerDueAt),
    link: p.link,
    stop: p.stopLink,
  });
}

/** A status change; `dueAt` is the (new) answer date of 'classified' and 'extended'. */
export function statusSms(
  contentDir: string,
  p: { locale: string; trackingCode: string; status: StatusSmsKind; link: string; dueAt?: string | undefined },
): string {
  return fill(smsStrings(contentDir, asSmsLocale(p.locale)).status[p.status], {
    code: p.trackingCode,
    link: p.link,
    date: p.dueAt ? formatVnDate(p.dueAt) : '',
  });
}

/** The one-time rating invitation of a returned dossier (its survey link carries the token). */
export function inviteSms(
  contentDir: string,
  p: { locale: string; dossierCode: string; link: string; stopLink: string },
): string {
  return fill(smsStrings(contentDir, asSmsLocale(p.locale)).invite, {
    dossier: p.dossierCode,
    link: p.link,
    stop: p.stopLink,
  });
}
