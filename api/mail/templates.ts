/**
 * The mails to a feedback sender (issue #4: a receipt with a magic link on submit, then the status
 * changes the sender is told about). Plain UTF-8 text in the sender's language ('vi' | 'en').
 *
 * The site's UI strings live in content/i18n, but these are written on the server, into the outbox,
 * and must not change when the site's wording is edited: they are kept here, in one table per
 * language. Words follow the site's (content/i18n/vi.feedback.json: "mã tra cứu", "mã bảo mật",
 * "phản ánh, kiến nghị"). The access key (mã bảo mật) is never in a mail: a mailbox is not a safe place
 * for it, and the magic link (a second, expiring secret) is what the sender follows instead.
 */

export type MailLocale = 'vi' | 'en';

export interface MailText {
  subject: string;
  bodyText: string;
}

/** Status changes the sender is told about by e-mail (the workflow's target statuses). */
export const STATUS_MAIL_KINDS = [
  'classified',
  'rejected',
  'transferred',
  'info-requested',
  'extended',
  'answered',
  'published',
] as const;
export type StatusMailKind = (typeof STATUS_MAIL_KINDS)[number];

export function isStatusMailKind(s: string): s is StatusMailKind {
  return (STATUS_MAIL_KINDS as readonly string[]).includes(s);
}

/**
 * dd/mm/yyyy of the calendar day in Asia/Ho_Chi_Minh (UTC+7, no DST; docs/architecture.md §7 "Times"), the
 * format Vietnamese readers expect, in both languages (the deadlines are Vietnamese working days).
 * @example formatVnDate('2026-03-01T18:30:00Z') === '02/03/2026'
 */
export function formatVnDate(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new RangeError('formatVnDate: not an ISO date');
  const [y, m, d] = new Date(t + 7 * 60 * 60 * 1000).toISOString().slice(0, 10).split('-');
  return `${d}/${m}/${y}`;
}

interface Strings {
  greeting: string;
  signature: string;
  automatic: string;
  receiptSubject: (code: string) => string;
  receiptReceived: (code: string, unit: string) => string;
  receiptFollow: string;
  receiptPrivate: string;
  answerDue: (date: string) => string;
  /** On the receipt before classification: the answer period counts from it (issue #11 part 3). */
  answerDueProvisional: (date: string) => string;
  statusSubject: Record<StatusMailKind, (code: string) => string>;
  statusLead: Record<StatusMailKind, (code: string) => string>;
  reason: (note: string) => string;
  requested: (note: string) => string;
  newUnit: (unit: string) => string;
  replyBy: string;
  rate: string;
  disputeUntil: (date: string) => string;
  trackAt: string;
  /** The outcome of a request about contact data (issue #7 part 4, docs/privacy.md). */
  dataSubject: (code: string) => string;
  dataOutcome: Record<'correct-done' | 'delete-done' | 'correct-refused' | 'delete-refused', (code: string) => string>;
}

/** Polite official register: "Kính gửi Ông/Bà", "Trân trọng". */
const VI: Strings = {
  greeting: 'Kính gửi Ông/Bà,',
  signature: 'Trân trọng,\nCổng Góp ý Khánh Hòa\nỦy ban nhân dân tỉnh Khánh Hòa',
  automatic: 'Đây là thư tự động, vui lòng không trả lời thư này.',
  receiptSubject: (code) => `Đã tiếp nhận phản ánh, kiến nghị ${code}`,
  receiptReceived: (code, unit) =>
    `Cổng Góp ý Khánh Hòa đã tiếp nhận phản ánh, kiến nghị của Ông/Bà với mã tra cứu ${code}. Cơ quan tiếp nhận: ${unit}.`,
  receiptFollow: 'Ông/Bà có thể theo dõi kết quả xử lý tại đường dẫn sau:',
  receiptPrivate:
    'Đường dẫn này mở trực tiếp phản ánh, kiến nghị của Ông/Bà mà không cần mã bảo mật. Vui lòng giữ kín, không chuyển tiếp thư này cho người khác.',
  answerDue: (date) => `Hạn trả lời: chậm nhất ngày ${date}.`,
  answerDueProvisional: (date) =>
    `Hạn trả lời dự kiến: ngày ${date}. Thời hạn trả lời tính từ ngày phân loại, nên ngày này được tính lại khi cơ quan phân loại; Ông/Bà sẽ được báo ngày mới.`,
  statusSubject: {
    classified: (c) => `Phản ánh, kiến nghị ${c} đã được tiếp nhận xử lý`,
    rejected: (c) => `Phản ánh, kiến nghị ${c} không được tiếp nhận xử lý`,
    transferred: (c) => `Phản ánh, kiến nghị ${c} đã được chuyển cơ quan khác`,
    'info-requested': (c) => `Phản ánh, kiến nghị ${c}: cần bổ sung thông tin`,
    extended: (c) => `Phản ánh, kiến nghị ${c}: gia hạn thời hạn trả lời`,
    answered: (c) => `Phản ánh, kiến nghị ${c} đã có trả lời`,
    published: (c) => `Phản ánh, kiến nghị ${c} đã được công khai`,
  },
  statusLead: {
    classified: (c) => `Phản ánh, kiến nghị ${c} của Ông/Bà đã được phân loại và tiếp nhận để xem xét, xử lý.`,
    rejected: (c) => `Phản ánh, kiến nghị ${c} của Ông/Bà không được tiếp nhận xử lý.`,
    transferred: (c) => `Phản ánh, kiến nghị ${c} của Ông/Bà đã được chuyển đến cơ quan có thẩm quyền giải quyết.`,
    'info-requested': (c) => `Để giải quyết phản ánh, kiến nghị ${c}, cơ quan xử lý đề nghị Ông/Bà bổ sung thông tin.`,
    extended: (c) => `Thời hạn trả lời phản ánh, kiến nghị ${c} của Ông/Bà đã được gia hạn.`,
    answered: (c) =>
      `Cơ quan xử lý đã trả lời phản ánh, kiến nghị ${c} của Ông/Bà. Nội dung trả lời có trên trang tra cứu phản ánh, kiến nghị.`,
    published: (c) =>
      `Phản ánh, kiến nghị ${c} và nội dung trả lời đã được công khai trên Cổng, theo sự đồng ý của Ông/Bà. Thông tin cá nhân của Ông/Bà đã được lược bỏ.`,
  },
  reason: (note) => `Lý do: ${note}`,
  requested: (note) => `Thông tin cần bổ sung: ${note}`,
  newUnit: (unit) => `Cơ quan xử lý: ${unit}.`,
  replyBy: 'Ông/Bà vui lòng bổ sung thông tin trên trang tra cứu phản ánh, kiến nghị.',
  rate: 'Mời Ông/Bà đánh giá mức độ hài lòng với nội dung trả lời trên trang tra cứu phản ánh, kiến nghị.',
  disputeUntil: (date) => `Nếu chưa đồng ý với nội dung trả lời, Ông/Bà có thể gửi ý kiến đến hết ngày ${date}.`,
  trackAt: 'Tra cứu phản ánh, kiến nghị:',
  dataSubject: (c) => `Kết quả yêu cầu về dữ liệu cá nhân, phản ánh, kiến nghị ${c}`,
  dataOutcome: {
    'correct-done': (c) => `Thông tin liên hệ của Ông/Bà trong phản ánh, kiến nghị ${c} đã được sửa theo yêu cầu.`,
    'delete-done': (c) =>
      `Thông tin liên hệ của Ông/Bà trong phản ánh, kiến nghị ${c} đã được xóa theo yêu cầu. Đây là thư cuối cùng gửi đến địa chỉ này về phản ánh, kiến nghị này. Nội dung phản ánh, kiến nghị và bản đã công khai (đã lược bỏ thông tin cá nhân) vẫn được lưu giữ theo quy định.`,
    'correct-refused': (c) =>
      `Yêu cầu sửa thông tin liên hệ trong phản ánh, kiến nghị ${c} của Ông/Bà không được chấp nhận.`,
    'delete-refused': (c) =>
      `Yêu cầu xóa thông tin liên hệ trong phản ánh, kiến nghị ${c} của Ông/Bà không được chấp nhận.`,
  },
};

const EN: Strings = {
  greeting: 'Dear Sir or Madam,',
  signature: 'Yours faithfully,\nGóp ý Khánh Hòa portal\nPeople’s Committee of Khánh Hòa Province',
  automatic: 'This is an automatic message; please do not reply to it.',
  receiptSubject: (code) => `We received your feedback ${code}`,
  receiptReceived: (code, unit) =>
    `The Góp ý Khánh Hòa portal has received your feedback with tracking code ${code}. Receiving agency: ${unit}.`,
  receiptFollow: 'You can follow its progress at this link:',
  receiptPrivate:
    'This link opens your case without the access key. Please keep it private and do not forward this message to anyone.',
  answerDue: (date) => `Answer due by ${date} (dd/mm/yyyy).`,
  answerDueProvisional: (date) =>
    `Provisional answer date: ${date} (dd/mm/yyyy). The answer period counts from classification, so this date is recomputed then; you will be told the new one.`,
  statusSubject: {
    classified: (c) => `Your feedback ${c} has been accepted`,
    rejected: (c) => `Your feedback ${c} was not accepted`,
    transferred: (c) => `Your feedback ${c} has been transferred to another agency`,
    'info-requested': (c) => `Your feedback ${c}: more information needed`,
    extended: (c) => `Your feedback ${c}: the answer deadline was extended`,
    answered: (c) => `Your feedback ${c} has been answered`,
    published: (c) => `Your feedback ${c} has been published`,
  },
  statusLead: {
    classified: (c) => `Your feedback ${c} has been classified and accepted for handling.`,
    rejected: (c) => `Your feedback ${c} was not accepted for handling.`,
    transferred: (c) => `Your feedback ${c} has been transferred to the agency competent to handle it.`,
    'info-requested': (c) => `To handle your feedback ${c}, the agency asks you for more information.`,
    extended: (c) => `The deadline for answering your feedback ${c} has been extended.`,
    answered: (c) => `The agency has answered your feedback ${c}. The answer is on your case page.`,
    published: (c) =>
      `Your feedback ${c} and its answer have been published on the portal, as you agreed. Your personal data has been removed.`,
  },
  reason: (note) => `Reason: ${note}`,
  requested: (note) => `Information requested: ${note}`,
  newUnit: (unit) => `Now handled by: ${unit}.`,
  replyBy: 'Please add the information on your case page.',
  rate: 'Please rate how satisfied you are with the answer on your case page.',
  disputeUntil: (date) => `If you disagree with the answer, you can say so until ${date} (dd/mm/yyyy).`,
  trackAt: 'Your case:',
  dataSubject: (c) => `Your request about your personal data, case ${c}`,
  dataOutcome: {
    'correct-done': (c) => `Your contact details in case ${c} have been corrected as you asked.`,
    'delete-done': (c) =>
      `Your contact details in case ${c} have been deleted as you asked. This is the last message sent to this address about the case. The feedback itself and its published version (personal data removed) are kept as the law requires.`,
    'correct-refused': (c) => `Your request to correct your contact details in case ${c} was refused.`,
    'delete-refused': (c) => `Your request to delete your contact details in case ${c} was refused.`,
  },
};

const STRINGS: Record<MailLocale, Strings> = { vi: VI, en: EN };

function compose(s: Strings, subject: string, paragraphs: (string | undefined | false)[]): MailText {
  const body = [s.greeting, ...paragraphs.filter((p): p is string => typeof p === 'string' && p !== ''), s.signature];
  // NFC, as everything stored (docs/architecture.md §7 "Vietnamese text"); a staff note may arrive decomposed.
  return {
    subject: subject.normalize('NFC'),
    bodyText: `${body.join('\n\n')}\n\n--\n${s.automatic}\n`.normalize('NFC'),
  };
}

/**
 * The receipt sent on submit when the sender gave an e-mail address.
 * @example
 *   receiptMail({ locale: 'vi', trackingCode: 'ABCD-EFGH', magicLinkUrl: 'https://…/theo-doi/#t=…',
 *                 answerDueAt: '2026-03-20T10:00:00.000Z', unitName: 'Sở Nội vụ' }).subject
 *   // 'Đã tiếp nhận phản ánh, kiến nghị ABCD-EFGH'
 */
export function receiptMail(p: {
  locale: MailLocale;
  trackingCode: string;
  magicLinkUrl: string;
  answerDueAt: string;
  unitName: string;
  /** Not yet classified (the default, for a new case): the answer date is said to be provisional. */
  provisional?: boolean;
}): MailText {
  const s = STRINGS[p.locale];
  const due = formatVnDate(p.answerDueAt);
  return compose(s, s.receiptSubject(p.trackingCode), [
    s.receiptReceived(p.trackingCode, p.unitName),
    `${s.receiptFollow}\n${p.magicLinkUrl}`,
    s.receiptPrivate,
    p.provisional === false ? s.answerDue(due) : s.answerDueProvisional(due),
  ]);
}

/**
 * A status change the sender is told about. `note` is the reason (rejected, transferred, extended)
 * or what is requested (info-requested), as the staff wrote it for the sender; `dueAt` (ISO) the
 * (new) answer deadline (classified, extended) or the end of the dispute window (answered);
 * `unitName` the new agency (transferred). A missing optional part leaves its sentence out.
 * @example statusMail({ locale: 'en', trackingCode: 'ABCD-EFGH', status: 'rejected', note: 'Duplicate', trackUrl })
 */
export function statusMail(p: {
  locale: MailLocale;
  trackingCode: string;
  status: StatusMailKind;
  trackUrl: string;
  note?: string | undefined;
  dueAt?: string | undefined;
  unitName?: string | undefined;
}): MailText {
  const s = STRINGS[p.locale];
  const note = p.note?.trim();
  const parts: (string | undefined | false)[] = [s.statusLead[p.status](p.trackingCode)];
  switch (p.status) {
    case 'classified':
      parts.push(p.dueAt && s.answerDue(formatVnDate(p.dueAt)));
      break;
    case 'rejected':
      parts.push(note && s.reason(note));
      break;
    case 'transferred':
      parts.push(p.unitName && s.newUnit(p.unitName), note && s.reason(note));
      break;
    case 'info-requested':
      parts.push(note && s.requested(note), s.replyBy);
      break;
    case 'extended':
      parts.push(p.dueAt && s.answerDue(formatVnDate(p.dueAt)), note && s.reason(note));
      break;
    case 'answered':
      parts.push(s.rate, p.dueAt && s.disputeUntil(formatVnDate(p.dueAt)));
      break;
    case 'published':
      break;
  }
  parts.push(`${s.trackAt}\n${p.trackUrl}`);
  return compose(s, s.statusSubject[p.status](p.trackingCode), parts);
}

/**
 * The outcome of a sender's request to correct or delete their contact data. `note` is the reason
 * of a refusal (or a note on what was done), as written for the sender.
 * @example dataRequestMail({ locale: 'vi', trackingCode: 'ABCD-EFGH', kind: 'delete', done: true, trackUrl }).subject
 */
export function dataRequestMail(p: {
  locale: MailLocale;
  trackingCode: string;
  kind: 'correct' | 'delete';
  done: boolean;
  trackUrl: string;
  note?: string | null | undefined;
}): MailText {
  const s = STRINGS[p.locale];
  const note = p.note?.trim();
  return compose(s, s.dataSubject(p.trackingCode), [
    s.dataOutcome[`${p.kind}-${p.done ? 'done' : 'refused'}`](p.trackingCode),
    note && s.reason(note),
    `${s.trackAt}\n${p.trackUrl}`,
  ]);
}
