/**
 * The e-mails a sender receives about their case (issue #4: "Status emails to the sender through an
 * outbox table with retries"; "an email with a magic link when an email was given"). They are
 * statements for the batch of the step they report, so a step is never acknowledged without its
 * mail, and the dedupe key (case + state before the step) makes a repeated write a no-op. Since
 * issue #11 the same messages go by SMS when that is the sender's channel (docs/sms.md).
 */
import type { InStatement } from '@libsql/client';
import type { Deps } from '../app-env.ts';
import { publicBaseUrl } from '../env.ts';
import { receiptMail, statusMail } from '../mail/templates.ts';
import { enqueueEmailStatement } from '../../db/outbox.ts';
import { channelOf } from '../contracts/feedback.ts';
import { isStatusSmsKind, receiptSms, statusSms } from '../sms/templates.ts';
import { phoneKeyOf, smsStatement, smsStopUrl } from '../sms/enqueue.ts';
import { linkStatement, readNotifyContact, type CaseRow } from '../../db/feedback-cases.ts';
import { sha256Hex } from '../../db/dossiers.ts';
import { newShortSecret } from './short-secret.ts';

export interface SenderNotice {
  event: 'classified' | 'rejected' | 'transferred' | 'info-requested' | 'extended' | 'answered' | 'published';
  note?: string | undefined;
  /** The new deadline, or the end of the dispute window after an answer. */
  dueAt?: string | undefined;
}

/** Magic links stay valid this long: a case with a re-examination can take months. */
export const LINK_VALID_DAYS = 180;

/** The public origin for links in mails: PUBLIC_BASE_URL, or this server's address in a demo. */
export function publicBase(deps: Deps): string {
  return publicBaseUrl(deps.config);
}

/** The tracking page of the sender's language. */
export function trackPath(locale: string): string {
  return locale === 'en' ? '/en/track/' : '/tra-cuu/';
}

/** Where a case link leads: `/l/<token>` (Vietnamese) or `/en/l/<token>`, redirected by api/app.ts. */
export function caseLinkPath(locale: string, token: string): string {
  return `${locale === 'en' ? '/en' : ''}/l/${token}`;
}

/**
 * A new link that opens the case without typing the key: the receipt's short link, the e-mailed
 * magic link, and the link an SMS carries (issue #11 part 2). The token is a short secret of 16
 * unambiguous characters (about 79 bits, docs/feedback.md), so the whole URL is
 * `<PUBLIC_BASE_URL>/l/<16 characters>`: short enough for a text message. Only its hash is stored,
 * valid LINK_VALID_DAYS. The path redirects to the tracking page with `?lien-ket=<token>`, so the
 * page works without JavaScript; the access log writes neither path parameters nor query strings
 * (api/middleware/access-log.ts), and the link opens only the read view and the sender's actions.
 */
export function newCaseLink(
  deps: Deps,
  at: Date,
  target: { feedbackId: number } | { trackingCode: string },
  locale: string,
): { url: string; statement: InStatement } {
  const token = newShortSecret();
  const expiresAt = new Date(at.getTime() + LINK_VALID_DAYS * 24 * 3600 * 1000);
  return {
    url: `${publicBase(deps)}${caseLinkPath(locale, token)}`,
    statement: linkStatement({ tokenHash: sha256Hex(token), ...target, at, expiresAt }),
  };
}

/** The one-click opt-out page for a number (api/routes/sms.ts): its key, never the number. */
export async function smsStopLink(deps: Pick<Deps, 'db' | 'config'>, phone: string, locale: string): Promise<string> {
  return smsStopUrl(publicBaseUrl(deps.config), await phoneKeyOf(deps, phone), locale);
}

/** The receipt of a new case with its link, by e-mail or by SMS; nothing when the sender chose none. */
export async function receiptStatements(
  deps: Deps,
  f: {
    trackingCode: string;
    locale: string;
    email: string | undefined;
    phone?: string | undefined;
    notify?: string | undefined;
    answerDueAt: Date;
    unitName: string;
  },
  linkUrl: string,
  at: Date,
): Promise<InStatement[]> {
  const channel = channelOf(f);
  if (channel === 'none') return [];
  if (channel === 'sms') {
    const text = receiptSms(deps.config.CONTENT_DIR, {
      locale: f.locale,
      trackingCode: f.trackingCode,
      answerDueAt: f.answerDueAt.toISOString(),
      link: linkUrl,
      stopLink: await smsStopLink(deps, f.phone!, f.locale),
    });
    return [
      await smsStatement(deps, { dedupeKey: `fb:${f.trackingCode}:receipt`, kind: 'receipt', to: f.phone!, text, at }),
    ];
  }
  const mail = receiptMail({
    locale: f.locale === 'en' ? 'en' : 'vi',
    trackingCode: f.trackingCode,
    magicLinkUrl: linkUrl,
    answerDueAt: f.answerDueAt.toISOString(),
    unitName: f.unitName,
  });
  return [enqueueEmailStatement({ dedupeKey: `fb:${f.trackingCode}:receipt`, to: f.email!, ...mail, at })];
}

/** The status message of one step, by the sender's channel; nothing when they chose none. */
export async function notifySender(deps: Deps, c: CaseRow, n: SenderNotice, at: Date): Promise<InStatement[]> {
  const contact = await readNotifyContact(deps.db.client, c.id);
  if (!contact) return [];
  const channel = channelOf(contact);
  if (channel === 'sms') {
    if (!isStatusSmsKind(n.event)) return [];
    const link = newCaseLink(deps, at, { feedbackId: c.id }, c.locale);
    const text = statusSms(deps.config.CONTENT_DIR, {
      locale: c.locale,
      trackingCode: c.trackingCode,
      status: n.event,
      link: link.url,
      dueAt: n.dueAt,
    });
    return [
      link.statement,
      await smsStatement(deps, {
        dedupeKey: `fb:${c.trackingCode}:${c.version}:${n.event}`,
        kind: `status:${n.event}`,
        to: contact.phone!,
        text,
        at,
      }),
    ];
  }
  if (channel !== 'email') return [];
  const mail = statusMail({
    locale: c.locale === 'en' ? 'en' : 'vi',
    trackingCode: c.trackingCode,
    status: n.event,
    note: n.note,
    dueAt: n.dueAt,
    trackUrl: `${publicBase(deps)}${trackPath(c.locale)}`,
  });
  return [
    enqueueEmailStatement({
      dedupeKey: `fb:${c.trackingCode}:${c.version}:${n.event}`,
      to: contact.email!,
      ...mail,
      at,
    }),
  ];
}
