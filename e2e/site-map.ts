/** The page templates to check, in both languages (issue #2 proof: every template, both languages). */
export interface PageCase {
  name: string;
  vi: string;
  en: string;
  /** Content pages must ship no JavaScript at all. */
  contentPage: boolean;
}

export const BIRTH_REGISTRATION = '1.001193';

export const pages: PageCase[] = [
  { name: 'home', vi: '/', en: '/en/', contentPage: true },
  { name: 'procedure catalogue', vi: '/thu-tuc/', en: '/en/procedures/', contentPage: false },
  {
    name: 'procedures by field',
    vi: '/thu-tuc/linh-vuc/ho-tich/',
    en: '/en/procedures/field/ho-tich/',
    contentPage: false,
  },
  {
    name: 'procedure',
    vi: `/thu-tuc/${BIRTH_REGISTRATION}/`,
    en: `/en/procedures/${BIRTH_REGISTRATION}/`,
    contentPage: true,
  },
  { name: 'hotline', vi: '/duong-day-nong/', en: '/en/hotline/', contentPage: true },
  { name: 'reform results', vi: '/ket-qua-cai-cach/', en: '/en/reform-results/', contentPage: false },
  // The rating picker sends ratings still waiting in the browser (an island), so it has JavaScript.
  { name: 'rate: choose where you were served', vi: '/danh-gia/', en: '/en/rate/', contentPage: false },
  { name: 'rate: thank you', vi: '/danh-gia/cam-on/', en: '/en/rate/thank-you/', contentPage: true },
  { name: 'published answers', vi: '/cong-khai/', en: '/en/published/', contentPage: true },
  { name: 'accessibility', vi: '/tro-nang-tiep-can/', en: '/en/accessibility/', contentPage: true },
  { name: 'not found', vi: '/khong-co-trang-nay/', en: '/en/no-such-page/', contentPage: true },
];

export const viewports = [
  { name: 'phone 360', width: 360, height: 740 },
  { name: 'desktop', width: 1280, height: 900 },
];
