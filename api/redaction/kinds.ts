/** The kinds of personal data the redaction finds, their placeholders, and the result types. */

export const redactionKinds = [
  'name',
  'phone',
  'email',
  'id-number',
  'other-number',
  'address',
  'birth-date',
  'vehicle-plate',
  'profile-link',
] as const;
export type RedactionKind = (typeof redactionKinds)[number];

/** Placeholder text per kind and locale. The published text carries the Vietnamese one. */
export const REDACTION_LABELS: Readonly<Record<RedactionKind, { readonly vi: string; readonly en: string }>> = {
  name: { vi: '[họ tên]', en: '[name]' },
  phone: { vi: '[số điện thoại]', en: '[phone number]' },
  email: { vi: '[email]', en: '[email]' },
  'id-number': { vi: '[số CCCD]', en: '[ID number]' },
  'other-number': { vi: '[số cá nhân]', en: '[personal number]' },
  address: { vi: '[địa chỉ]', en: '[address]' },
  'birth-date': { vi: '[ngày sinh]', en: '[date of birth]' },
  'vehicle-plate': { vi: '[biển số xe]', en: '[licence plate]' },
  'profile-link': { vi: '[liên kết cá nhân]', en: '[personal link]' },
};

export interface RedactionSpan {
  /** Offsets of the placeholder in the returned text (UTF-16 code units, NFC). */
  start: number;
  end: number;
  kind: RedactionKind;
}

export interface RedactionResult {
  text: string;
  spans: RedactionSpan[];
}

/** What the sender entered in the form; each is looked for in the text besides the patterns. */
export interface SenderDetails {
  senderName?: string;
  senderPhone?: string;
  senderEmail?: string;
  senderAddress?: string;
}
