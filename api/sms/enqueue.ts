/**
 * One text message as an outbox statement, for the batch of the step it reports (docs/sms.md):
 * the text prepared for the configured encoding (UCS-2, or unaccented GSM-7 with SMS_UNACCENTED=1),
 * its parts counted, a concatenation reference drawn, and the number keyed for the opt-out check.
 */
import { randomInt } from 'node:crypto';
import type { InStatement } from '@libsql/client';
import type { Deps } from '../app-env.ts';
import { serverSecret } from '../../db/secrets.ts';
import { enqueueSmsStatement, smsPhoneKey } from '../../db/sms-outbox.ts';
import { prepareText, segmentCount } from './encoding.ts';

/** The server secret that keys phone numbers (db/sms-outbox.ts smsPhoneKey). */
export const PHONE_SECRET = 'sms-phone';

export async function phoneKeyOf(deps: Pick<Deps, 'db'>, phone: string): Promise<string> {
  return smsPhoneKey(await serverSecret(deps.db.client, PHONE_SECRET), phone);
}

/**
 * The opt-out link of a number (api/routes/sms.ts): its key, never the number.
 * @example smsStopUrl('https://gopy.example', 'k'.repeat(22), 'vi') === 'https://gopy.example/sms/ngung/?k=kkk…'
 */
export function smsStopUrl(base: string, phoneKey: string, locale: string): string {
  return `${base}/sms/ngung/?k=${phoneKey}${locale === 'en' ? '&hl=en' : ''}`;
}

/**
 * The same with the phone secret already read (serverSecret(client, PHONE_SECRET)), for callers that
 * build statements synchronously.
 */
export function smsStatementWith(
  config: Pick<Deps['config'], 'SMS_UNACCENTED'>,
  phoneSecret: string,
  m: { dedupeKey: string; kind: string; to: string; text: string; at: Date },
): InStatement {
  const { text, encoding } = prepareText(m.text, config.SMS_UNACCENTED);
  return enqueueSmsStatement({
    dedupeKey: m.dedupeKey,
    kind: m.kind,
    to: m.to,
    phoneKey: smsPhoneKey(phoneSecret, m.to),
    text,
    encoding,
    parts: segmentCount(text, encoding),
    concatRef: randomInt(256),
    at: m.at,
  });
}

/**
 * @example
 *   const stmt = await smsStatement(deps, { dedupeKey: `fb:${code}:receipt`, kind: 'receipt', to: '0901234567', text, at });
 */
export async function smsStatement(
  deps: Pick<Deps, 'db' | 'config'>,
  m: { dedupeKey: string; kind: string; to: string; text: string; at: Date },
): Promise<InStatement> {
  return smsStatementWith(deps.config, await serverSecret(deps.db.client, PHONE_SECRET), m);
}
