/**
 * Issue #11 part 1 "Encoding … templates per locale, counted in segments by a test": the
 * segmentation rules (3GPP TS 23.038 / 23.040), and every SMS template of every locale filled with
 * its longest values, counted in both encodings against the budget docs/sms.md states.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Deps } from '../app-env.ts';
import { configWith } from '../env.ts';
import { CONTENT_DIR } from '../test-harness.ts';
import { newCaseLink } from '../feedback/notify.ts';
import { newTrackingCode } from '../feedback/intake.ts';
import { surveyUrl } from '../qr.ts';
import {
  decodePayload,
  encodePayload,
  prepareText,
  segmentCount,
  splitParts,
  toGsm7Text,
  type SmsEncoding,
} from './encoding.ts';
import { smsStopUrl } from './enqueue.ts';
import { fill, inviteSms, receiptSms, smsStrings, statusSms, STATUS_SMS_KINDS, type SmsLocale } from './templates.ts';

describe('segmentation', () => {
  it('UCS-2: 70 units in one message, 67 per part beyond', () => {
    expect(segmentCount('ă'.repeat(70), 'ucs2')).toBe(1);
    expect(segmentCount('ă'.repeat(71), 'ucs2')).toBe(2);
    expect(segmentCount('ă'.repeat(134), 'ucs2')).toBe(2);
    expect(segmentCount('ă'.repeat(135), 'ucs2')).toBe(3);
    expect(splitParts('ă'.repeat(135), 'ucs2').map((p) => p.length)).toEqual([67, 67, 1]);
  });

  it('UCS-2 never cuts a surrogate pair', () => {
    const text = `${'a'.repeat(66)}😀${'b'.repeat(10)}`;
    const parts = splitParts(text, 'ucs2');
    expect(parts.map((p) => p.length)).toEqual([66, 12]);
    expect(parts.join('')).toBe(text);
  });

  it('GSM-7: 160 septets in one, 153 per part; an extension character costs two and is never split from its escape', () => {
    expect(segmentCount('a'.repeat(160), 'gsm7')).toBe(1);
    expect(segmentCount('a'.repeat(161), 'gsm7')).toBe(2);
    expect(segmentCount('a'.repeat(306), 'gsm7')).toBe(2);
    expect(segmentCount('a'.repeat(307), 'gsm7')).toBe(3);
    expect(segmentCount(`${'a'.repeat(159)}€`, 'gsm7')).toBe(2);
    expect(segmentCount(`${'a'.repeat(158)}€`, 'gsm7')).toBe(1);
    const parts = splitParts(`${'a'.repeat(152)}[${'b'.repeat(10)}`, 'gsm7');
    expect(parts[0]).toBe('a'.repeat(152));
    expect(parts[1]!.startsWith('[')).toBe(true);
    expect(encodePayload('a€[', 'gsm7')).toEqual(Buffer.from([0x61, 0x1b, 0x65, 0x1b, 0x3c]));
  });

  it('unaccented form: Vietnamese marks dropped, đ → d, typographic marks made plain, the rest "?"', () => {
    expect(toGsm7Text('Phản ánh “ABCD-EFGH” đã có trả lời – Đà Nẵng…')).toBe(
      'Phan anh "ABCD-EFGH" da co tra loi - Da Nang...',
    );
    expect(toGsm7Text('漢')).toBe('?');
    const { text, encoding } = prepareText('Khánh Hòa', true);
    expect([text, encoding]).toEqual(['Khanh Hoa', 'gsm7']);
    expect(decodePayload(encodePayload(text, 'gsm7'), 'gsm7')).toBe(text);
    expect(decodePayload(encodePayload('Khánh Hòa', 'ucs2'), 'ucs2')).toBe('Khánh Hòa');
  });

  it('a template mark without a value is an error, not a message with "{{…}}" in it', () => {
    expect(() => fill('Mã {{cod}}', { code: 'x' })).toThrow(/cod/);
  });
});

// ── Every template, longest values ───────────────────────────────────────────────────────────────

const BASE = 'https://gopy.khanhhoa.gov.vn';
const config = configWith({ PUBLIC_BASE_URL: BASE, CONTENT_DIR });
const deps = { config } as Deps;
const locales = [
  ...new Set(
    readdirSync(join(CONTENT_DIR, 'i18n'))
      .filter((f) => f.endsWith('.sms.json'))
      .map((f) => f.split('.')[0]!),
  ),
] as SmsLocale[];
/** A dossier code at the API's limit (api/contracts/integration.ts dossierCode, 64 characters). */
const LONGEST_DOSSIER = `000.00.31.H42-250801-${'9'.repeat(64 - 21)}`;
/** The longest unit id and procedure code of the survey link, as generous as real ones get. */
const LONG_UNIT = 'trung-tam-phuc-vu-hanh-chinh-cong-tinh-khanh-hoa';
const PROCEDURE = '1.001193';

/** Segments allowed per template and encoding (docs/sms.md "What is sent" states the same). */
const BUDGET: Record<string, Record<SmsEncoding, number>> = {
  receipt: { ucs2: 4, gsm7: 2 },
  status: { ucs2: 3, gsm7: 2 },
  // The survey link is the printed QR code's (unit, procedure, 43-character token) and the dossier
  // code may be 64 characters: 6 parts at worst, 5 with a usual 25-character code.
  invite: { ucs2: 6, gsm7: 3 },
};

function texts(locale: SmsLocale): { name: string; budget: string; text: string }[] {
  const code = newTrackingCode();
  const link = newCaseLink(deps, new Date(), { trackingCode: code }, locale).url;
  const stopLink = smsStopUrl(BASE, 'k'.repeat(22), locale);
  const due = '2026-12-31T10:00:00.000Z';
  return [
    {
      name: 'receipt',
      budget: 'receipt',
      text: receiptSms(CONTENT_DIR, { locale, trackingCode: code, answerDueAt: due, link, stopLink }),
    },
    ...STATUS_SMS_KINDS.map((status) => ({
      name: `status.${status}`,
      budget: 'status',
      text: statusSms(CONTENT_DIR, { locale, trackingCode: code, status, link, dueAt: due }),
    })),
    {
      name: 'invite',
      budget: 'invite',
      text: inviteSms(CONTENT_DIR, {
        locale,
        dossierCode: LONGEST_DOSSIER,
        link: surveyUrl(BASE, { 'don-vi': LONG_UNIT, 'thu-tuc': PROCEDURE, ma: 'T'.repeat(43) }),
        stopLink,
      }),
    },
  ];
}

describe('every SMS template fits its segment budget with the longest values', () => {
  it('every locale has the same templates', () => {
    expect(locales).toContain('vi');
    expect(locales).toContain('en');
    for (const l of locales)
      expect(Object.keys(smsStrings(CONTENT_DIR, l).status).sort()).toEqual([...STATUS_SMS_KINDS].sort());
  });

  for (const locale of ['vi', 'en'] as const)
    it(`${locale}: segments per template (UCS-2 and unaccented GSM-7)`, () => {
      const table: string[] = [];
      for (const t of texts(locale)) {
        const counts = {} as Record<SmsEncoding, number>;
        for (const unaccented of [false, true]) {
          const p = prepareText(t.text, unaccented);
          counts[unaccented ? 'gsm7' : 'ucs2'] = segmentCount(p.text, p.encoding);
          // The parts put back together are the text, and each part fits its encoding's capacity.
          expect(splitParts(p.text, p.encoding).join('')).toBe(p.text);
        }
        table.push(
          `${locale} ${t.name.padEnd(22)} ${String([...t.text].length).padStart(4)} chars  accented ${counts.ucs2}  unaccented ${counts.gsm7}`,
        );
      }
      console.log(table.join('\n'));
      for (const t of texts(locale)) {
        const counts = {} as Record<SmsEncoding, number>;
        for (const unaccented of [false, true]) {
          const p = prepareText(t.text, unaccented);
          counts[unaccented ? 'gsm7' : 'ucs2'] = segmentCount(p.text, p.encoding);
        }
        expect(counts.ucs2, `${locale} ${t.name} UCS-2`).toBeLessThanOrEqual(BUDGET[t.budget]!.ucs2);
        expect(counts.gsm7, `${locale} ${t.name} GSM-7`).toBeLessThanOrEqual(BUDGET[t.budget]!.gsm7);
      }
    });
});
