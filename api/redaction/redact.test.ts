/**
 * Redaction of personal data before publishing (issue #4), on a corpus of realistic feedback
 * snippets with the expected published text, on canaries that must never survive in any form,
 * on numbers that must survive, and on idempotence.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REDACTION_LABELS, localizeRedacted, redact, redactionKinds, type SenderDetails } from './redact.ts';

/** The sender of most snippets. The canaries are these values and the CCCD below. */
const SENDER: SenderDetails = {
  senderName: 'Nguyễn Văn An',
  senderPhone: '0905 123 456',
  senderEmail: 'an.nguyen1985@gmail.com',
  senderAddress: 'Số 12 Trần Phú, phường Lộc Thọ, thành phố Nha Trang',
};
const CANARY_PHONE = '905123456';
const CANARY_CCCD = '079085001234';

/** [what it shows, input, expected published text] */
type Case = [string, string, string];

const PERSONAL: Case[] = [
  [
    'self-introduction with name and address',
    'Tôi là Nguyễn Văn An, trú tại số 12 Trần Phú, phường Lộc Thọ, thành phố Nha Trang, xin phản ánh việc chậm trả kết quả.',
    'Tôi là [họ tên], trú tại [địa chỉ], xin phản ánh việc chậm trả kết quả.',
  ],
  [
    'form-like header in capitals',
    'Họ và tên: NGUYỄN VĂN AN. Điện thoại: 0905 123 456.',
    'Họ và tên: [họ tên]. Điện thoại: [số điện thoại].',
  ],
  [
    'typed without diacritics',
    'toi ten nguyen van an, sdt 0905123456, email an.nguyen1985@gmail.com',
    'toi ten [họ tên], sdt [số điện thoại], email [email]',
  ],
  [
    'given name after an honorific, international phone',
    'Liên hệ anh An: +84 905 123 456 (Zalo).',
    'Liên hệ anh [họ tên]: [số điện thoại] (Zalo).',
  ],
  [
    'CCCD written whole, date kept',
    'Số CCCD của tôi là 079085001234, cấp ngày 10/5/2021.',
    'Số CCCD của tôi là [số CCCD], cấp ngày 10/5/2021.',
  ],
  [
    'CMND in groups of three',
    'CMND số 225 123 456 do Công an tỉnh Khánh Hòa cấp.',
    'CMND số [số CCCD] do Công an tỉnh Khánh Hòa cấp.',
  ],
  [
    'CCCD in groups, in the middle of a complaint',
    'Cán bộ một cửa yêu cầu tôi nộp thêm bản sao CCCD 079 085 001 234 dù đã có trên hệ thống.',
    'Cán bộ một cửa yêu cầu tôi nộp thêm bản sao CCCD [số CCCD] dù đã có trên hệ thống.',
  ],
  ['e-mail in capitals', 'Email của tôi: AN.NGUYEN1985@GMAIL.COM', 'Email của tôi: [email]'],
  [
    'e-mail spelt out to dodge filters',
    'Gửi kết quả về an.nguyen1985 (at) gmail (dot) com giúp tôi.',
    'Gửi kết quả về [email] giúp tôi.',
  ],
  [
    'landline with area code',
    'Tôi đã gọi số 0258 3822 000 nhiều lần nhưng không ai nghe.',
    'Tôi đã gọi số [số điện thoại] nhiều lần nhưng không ai nghe.',
  ],
  [
    'landline in brackets with dots, mobile with dots',
    'Số điện thoại bàn nhà tôi (0258) 3.822.111, di động 0905.123.456.',
    'Số điện thoại bàn nhà tôi [số điện thoại], di động [số điện thoại].',
  ],
  [
    'a family member named after "tôi là"',
    'Vợ tôi là Trần Thị Bích cũng bị yêu cầu như vậy.',
    'Vợ tôi là [họ tên] cũng bị yêu cầu như vậy.',
  ],
  [
    'an official named after "Ông", a count kept',
    'Ông Lê Văn Hùng, công chức địa chính – xây dựng xã, hẹn tôi 3 lần.',
    'Ông [họ tên], công chức địa chính – xây dựng xã, hẹn tôi 3 lần.',
  ],
  [
    'a given name after "Chị"',
    'Chị Hoa ở bộ phận một cửa rất nhiệt tình.',
    'Chị [họ tên] ở bộ phận một cửa rất nhiệt tình.',
  ],
  [
    'an official named after "cán bộ"',
    'Cán bộ Phạm Minh Tuấn hẹn lại nhiều lần mà không nêu lý do.',
    'Cán bộ [họ tên] hẹn lại nhiều lần mà không nêu lý do.',
  ],
  [
    'kiệt and tổ; the ward is kept',
    'Nhà tôi ở kiệt 45 Lê Lợi, tổ 7, phường Xuân Phú.',
    'Nhà tôi ở [địa chỉ], phường Xuân Phú.',
  ],
  [
    'hẻm with a slash after an address label',
    'Địa chỉ: hẻm 12/3 Nguyễn Trãi, khu phố 4, phường 5, quận 3.',
    'Địa chỉ: [địa chỉ].',
  ],
  [
    'hamlet; commune and district kept',
    'Gia đình tôi ở thôn Phú Lộc, xã Diên Phú, huyện Diên Khánh.',
    'Gia đình tôi ở [địa chỉ], xã Diên Phú, huyện Diên Khánh.',
  ],
  ['street named after a date', 'Nhà số 5 đường 2 Tháng 4 bị ngập.', 'Nhà [địa chỉ] bị ngập.'],
  [
    'house number without "số"',
    'Sống tại 27 Hùng Vương, tôi thấy đèn đường hỏng đã lâu.',
    'Sống tại [địa chỉ], tôi thấy đèn đường hỏng đã lâu.',
  ],
  [
    'the sender\'s own address, written without "số"',
    'Đề nghị gửi văn bản trả lời về 12 Trần Phú.',
    'Đề nghị gửi văn bản trả lời về [địa chỉ].',
  ],
  [
    'the name run together in a social-media handle',
    'Tài khoản nguyenvanan1985 trên Facebook đã đăng bài này.',
    'Tài khoản [họ tên] trên Facebook đã đăng bài này.',
  ],
  ['initials and a dash', 'Zalo: 0905 123 456 – N.V. An', 'Zalo: [số điện thoại] – [họ tên]'],
  [
    'a bank account number',
    'Tài khoản nhận hỗ trợ: 0071000123456 tại Vietcombank.',
    'Tài khoản nhận hỗ trợ: [số cá nhân] tại Vietcombank.',
  ],
  ['a personal tax code', 'Mã số thuế cá nhân 8012345678.', 'Mã số thuế cá nhân [số cá nhân].'],
  ['a passport number', 'Hộ chiếu số C1234567 đã hết hạn.', 'Hộ chiếu số [số CCCD] đã hết hạn.'],
  ['an old 11-digit mobile number', 'Số cũ của tôi là 0168 123 4567.', 'Số cũ của tôi là [số điện thoại].'],
  [
    'an honorific before the given name, lower case',
    'Em An (con tôi) chưa được cấp giấy khai sinh; chị an cũng vậy.',
    'Em [họ tên] (con tôi) chưa được cấp giấy khai sinh; chị [họ tên] cũng vậy.',
  ],
  [
    'family name and given name only, capitalised',
    'Nguyễn An là tôi, người đã gửi phản ánh trước đây.',
    '[họ tên] là tôi, người đã gửi phản ánh trước đây.',
  ],
  [
    'an official named after a title and an agency',
    'Ông Chủ tịch UBND xã Nguyễn Văn Bình chưa trả lời đơn của tôi.',
    'Ông Chủ tịch UBND xã [họ tên] chưa trả lời đơn của tôi.',
  ],
  ['a child named after "tên là"', 'Cháu tên là Phạm Ngọc Ánh, học lớp 12A1.', 'Cháu tên là [họ tên], học lớp 12A1.'],
  [
    'the sender\'s given name alone after "Tôi là"',
    'Tôi là An, ở phường Lộc Thọ.',
    'Tôi là [họ tên], ở phường Lộc Thọ.',
  ],
  [
    'a head of household ("hộ" is not "hồ", a lake)',
    'Chi trả hỗ trợ cho hộ ông Tư chưa đúng.',
    'Chi trả hỗ trợ cho hộ ông [họ tên] chưa đúng.',
  ],
  [
    'a bank account number in groups, none left behind',
    'Số tài khoản 1903 5678 9012 34 tại Techcombank.',
    'Số tài khoản [số cá nhân] tại Techcombank.',
  ],
  [
    'a citizen named after "Công dân"',
    'Công dân Lưu Văn Tám đã gửi đơn ba lần.',
    'Công dân [họ tên] đã gửi đơn ba lần.',
  ],
  [
    'a long letter with every kind and numbers to keep',
    'Kính gửi UBND phường Lộc Thọ. Tôi là Nguyễn Văn An (CCCD 079085001234), ngày 02/01/2026 tôi nộp hồ sơ ' +
      '000.00.12.H35-260102-0007 nhưng cán bộ Phạm Minh Tuấn hẹn lại nhiều lần. Lệ phí đã nộp 50.000 đồng. ' +
      'Mọi liên hệ xin gọi 0905 123 456.',
    'Kính gửi UBND phường Lộc Thọ. Tôi là [họ tên] (CCCD [số CCCD]), ngày 02/01/2026 tôi nộp hồ sơ ' +
      '000.00.12.H35-260102-0007 nhưng cán bộ [họ tên] hẹn lại nhiều lần. Lệ phí đã nộp 50.000 đồng. ' +
      'Mọi liên hệ xin gọi [số điện thoại].',
  ],
];

const NOT_PERSONAL: string[] = [
  'Ngày 12/3/2025 tôi nộp hồ sơ, đến ngày 15.04.2025 vẫn chưa có kết quả.',
  'Mã hồ sơ 000.00.12.H35-250101-0001, thủ tục 1.001193 (đăng ký khai sinh).',
  'Lệ phí 1.500.000 đồng là quá cao; có nơi chỉ thu 500.000đ.',
  'Dự án bồi thường 150.000.000 đồng cho 12 hộ dân, tổng 1.250.000.000 VNĐ.',
  'Theo Nghị định 61/2018/NĐ-CP và Quyết định số 1291/QĐ-UBND ngày 20/5/2024 của UBND tỉnh.',
  'Thời hạn giải quyết 15 ngày làm việc nhưng tôi chờ 23 ngày.',
  'Đường Trần Phú đoạn trước số 45 bị ngập sau mưa.',
  'Phường 5 và phường 6 đã sáp nhập từ ngày 1/7/2025.',
  'Công an phường làm CCCD gắn chip rất nhanh, anh em Công an nhiệt tình.',
  'Tổng đài 1022 và đường dây nóng 1900 1234 hoạt động tốt.',
  'Năm 2024 có 1.234 hồ sơ trễ hạn, chiếm 12,5%.',
  'Chủ tịch UBND xã đã ký công văn số 245/UBND-VP.',
  'Giá đất tại đường Lê Lợi tăng 30% trong năm 2025.',
  'Đô thị hóa nhanh nhưng an toàn giao thông chưa bảo đảm.',
  'Tờ bản đồ số 12, thửa đất số 345 chưa được cấp sổ.',
  'Bà Rịa – Vũng Tàu đã sáp nhập vào TP. Hồ Chí Minh.',
  'Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh; Bác Hồ kính yêu.',
  'Giờ làm việc 7h30–17h00, thứ Hai đến thứ Sáu; thứ Bảy 26/4/2025 làm bù.',
  'Có 3 cán bộ, 2 máy lấy số, hàng chờ 45 phút vào ngày 2025-03-12.',
  'Đăng ký tạm trú tại phường 5 mất 10 ngày.',
  'Cán bộ Tư pháp – Hộ tịch và cán bộ Địa chính rất tận tình; bà con hài lòng.',
  'Chỉ số SIPAS năm 2024 đạt 85,6 điểm, xếp thứ 12/63.',
  'Đường số 5 khu dân cư mới chưa có đèn chiếu sáng.',
  'Mức phạt từ 200.000.000 đến 300.000.000 đồng.',
  'Kinh phí chi trả 123.456.789 đã được duyệt.',
  'Bài học từ Chủ tịch Hồ Chí Minh và Chủ tịch Quốc hội về tiếp dân.',
];

describe('the corpus: personal data is replaced', () => {
  it.each(PERSONAL)('%s', (_what, input, expected) => {
    expect(redact(input, SENDER).text).toBe(expected);
  });
});

describe('the corpus: ordinary numbers and words survive', () => {
  it.each(NOT_PERSONAL.map((t) => [t]))('%s', (input) => {
    expect(redact(input, SENDER)).toEqual({ text: input, spans: [] });
  });
});

it('the corpus has at least 40 snippets', () => {
  expect(PERSONAL.length + NOT_PERSONAL.length).toBeGreaterThanOrEqual(40);
});

// ---------------------------------------------------------------------------------------------
// Canaries: never in the output, whatever the form
// ---------------------------------------------------------------------------------------------

const fold = (s: string): string =>
  s.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();
/** Digits with the usual separators removed, to find a number however it was grouped. */
const squeeze = (s: string): string => s.replace(/[\s.()+-]/g, '');

function expectNoCanary(output: string): void {
  expect(fold(output)).not.toMatch(/nguyen[\s._-]*van[\s._-]*an(?![a-z])/);
  expect(squeeze(output)).not.toContain(CANARY_PHONE);
  expect(squeeze(output)).not.toContain(CANARY_CCCD.slice(3));
  expect(fold(output)).not.toContain('an.nguyen1985');
}

const FILLER = [
  'Tôi phản ánh',
  'việc chậm trễ',
  'ở bộ phận một cửa',
  'ngày 12/3/2025',
  'xin cảm ơn',
  'hồ sơ 000.00.12.H35-250101-0001',
  'lệ phí 50.000 đồng',
  'vui lòng liên hệ',
  '',
];

describe('canaries never survive', () => {
  const phoneForms = [
    '0905123456',
    '0905 123 456',
    '0905.123.456',
    '0905-123-456',
    '090 512 3456',
    '+84 905 123 456',
    '+84905123456',
    '84905123456',
    '(+84) 905 123 456',
    '+84 (0) 905 123 456',
    '0905 12 34 56',
  ];
  const cccdForms = ['079085001234', '079 085 001 234', '079.085.001.234', '0790 8500 1234', '079085 001234'];
  const nameForms = [
    'Nguyễn Văn An',
    'NGUYỄN VĂN AN',
    'nguyễn văn an',
    'Nguyen Van An',
    'NGUYEN VAN AN',
    'nguyen  van   an',
    'Nguyễn\u00a0Văn\u00a0An',
    'Nguye\u0303n Va\u0306n An', // decomposed (NFD) input
    'N. V. An',
    'nguyenvanan',
  ];
  const emailForms = [
    'an.nguyen1985@gmail.com',
    'AN.NGUYEN1985@GMAIL.COM',
    'an.nguyen1985 @ gmail.com',
    'an.nguyen1985 [at] gmail [dot] com',
  ];

  it.each(phoneForms)('phone %s', (form) => {
    for (const sender of [SENDER, {}]) {
      const out = redact(`Số của tôi: ${form}, gọi giờ hành chính.`, sender).text;
      expect(out).toBe('Số của tôi: [số điện thoại], gọi giờ hành chính.');
      expectNoCanary(out);
    }
  });

  it.each(cccdForms)('CCCD %s', (form) => {
    const out = redact(`Căn cước công dân ${form} cấp năm 2021.`, {}).text;
    expect(out).toBe('Căn cước công dân [số CCCD] cấp năm 2021.');
    expectNoCanary(out);
  });

  it.each(nameForms)('name %s', (form) => {
    const out = redact(`Người phản ánh ${form} đề nghị trả lời sớm.`, SENDER).text;
    expect(out).toBe('Người phản ánh [họ tên] đề nghị trả lời sớm.');
    expectNoCanary(out);
  });

  it.each(emailForms)('e-mail %s', (form) => {
    const out = redact(`Liên hệ ${form} nhé.`, {}).text;
    expect(out).toBe('Liên hệ [email] nhé.');
    expectNoCanary(out);
  });

  it('in any sentence around them (property)', () => {
    const piece = fc.constantFrom(...FILLER);
    const canary = fc.constantFrom(...phoneForms, ...cccdForms, ...nameForms, ...emailForms);
    const sep = fc.constantFrom(' ', ', ', ': ', '. ', '\n', ' (', ') ');
    fc.assert(
      fc.property(piece, sep, canary, sep, piece, (a, s1, c, s2, b) => {
        expectNoCanary(redact(`${a}${s1}${c}${s2}${b}`, SENDER).text);
      }),
      { numRuns: 400 },
    );
  });

  it('in the sender details the form collected, even in unusual formats', () => {
    const out = redact('Gọi cho tôi theo số 0905 12 3456 hoặc viết cho an.nguyen1985', SENDER).text;
    expectNoCanary(out);
    expect(out).toBe('Gọi cho tôi theo số [số điện thoại] hoặc viết cho [email]');
  });
});

// ---------------------------------------------------------------------------------------------
// Spans, placeholders, idempotence
// ---------------------------------------------------------------------------------------------

describe('spans and placeholders', () => {
  it('points each span at its placeholder, with its kind', () => {
    const r = redact('Tôi là Nguyễn Văn An, SĐT 0905 123 456, email an.nguyen1985@gmail.com.', SENDER);
    expect(r.text).toBe('Tôi là [họ tên], SĐT [số điện thoại], email [email].');
    expect(r.spans.map((s) => s.kind)).toEqual(['name', 'phone', 'email']);
    for (const s of r.spans) expect(r.text.slice(s.start, s.end)).toBe(REDACTION_LABELS[s.kind].vi);
  });

  it('gives the English text for the English site', () => {
    const r = redact('Ông Trần Văn Bình, SĐT 0905 123 456, CCCD 079085001234, nhà số 5 Lê Lợi.', {});
    expect(localizeRedacted(r, 'en')).toBe('Ông [name], SĐT [phone number], CCCD [ID number], nhà [address].');
    expect(localizeRedacted(r, 'vi')).toBe(r.text);
  });

  it('has a Vietnamese and an English label for every kind', () => {
    for (const k of redactionKinds) {
      expect(REDACTION_LABELS[k].vi).toMatch(/^\[.+\]$/);
      expect(REDACTION_LABELS[k].en).toMatch(/^\[.+\]$/);
    }
  });

  it('works on NFC: decomposed input comes out composed', () => {
    const nfd = 'Tôi là Nguyễn Văn An.'.normalize('NFD');
    expect(redact(nfd, SENDER).text).toBe('Tôi là [họ tên].');
    expect(redact('Phản ánh về thủ tục'.normalize('NFD')).text).toBe('Phản ánh về thủ tục');
  });

  it('takes sender details with characters that mean something in a pattern', () => {
    const sender = { senderEmail: 'an-nguyen_85+pakn@mail.khanhhoa.gov.vn', senderName: 'Lê (Hoa)' };
    expect(redact('Thư từ an-nguyen_85+pakn@mail.khanhhoa.gov.vn, tài khoản an-nguyen_85+pakn.', sender).text).toBe(
      'Thư từ [email], tài khoản [email].',
    );
  });

  it('stays fast on long and hostile input (no quadratic scan)', () => {
    const hostile = 'a.'.repeat(20_000) + ' ' + '1 '.repeat(20_000) + ' at '.repeat(5_000);
    const r = redact(hostile, SENDER);
    expect(r.text.length).toBeGreaterThan(0);
  });

  it('leaves empty text and text without findings alone', () => {
    expect(redact('')).toEqual({ text: '', spans: [] });
    expect(redact('Cảm ơn cán bộ một cửa.', SENDER)).toEqual({ text: 'Cảm ơn cán bộ một cửa.', spans: [] });
  });
});

describe('idempotence: redacting twice is redacting once', () => {
  const all = [...PERSONAL.map(([, input]) => input), ...NOT_PERSONAL];
  it.each(all.map((t) => [t]))('%s', (input) => {
    const once = redact(input, SENDER);
    expect(redact(once.text, SENDER)).toEqual(once);
    expect(redact(once.text)).toEqual(once);
  });

  it('for random text mixing the corpus (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...all, ...FILLER), { minLength: 1, maxLength: 4 }), (parts) => {
        const once = redact(parts.join(' '), SENDER);
        const twice = redact(once.text, SENDER);
        return twice.text === once.text && JSON.stringify(twice.spans) === JSON.stringify(once.spans);
      }),
      { numRuns: 200 },
    );
  });
});
