/**
 * Locales, UI strings (i18next) and the URL table. A locale is `content/i18n/<code>.json` (display
 * name, URL prefix, route slugs, common strings) plus any `<code>.<section>.json` holding one
 * feature's strings; adding the files adds the locale to every page, the language switcher and the
 * 404 page (README "Adding a locale"). Content text missing in a locale falls back to Vietnamese.
 */
import i18next, { type TFunction } from 'i18next';
import type { Localized } from '../../api/contracts/content.ts';

export interface LocaleFile {
  meta: { name: string; htmlLang: string; prefix: string; numberLocale: string };
  routes: Record<RouteKey, string>;
  [section: string]: unknown;
}

export const routeKeys = [
  'home',
  'procedures',
  'procedure',
  'proceduresByField',
  'proceduresByLevel',
  'proceduresByUnit',
  'hotline',
  'reform',
  'rate',
  'rateThanks',
  'feedback',
  'track',
  'published',
  'publishedItem',
  'stats',
  'ranking',
  'staff',
  'accessibility',
  'notFound',
] as const;
export type RouteKey = (typeof routeKeys)[number];

export const defaultLocale = 'vi';

const files = import.meta.glob<LocaleFile>('../../content/i18n/*.json', { eager: true, import: 'default' });

export const localeFiles: Record<string, LocaleFile> = {};
for (const [path, file] of Object.entries(files).sort(([a], [b]) => a.localeCompare(b))) {
  const code = path.replace(/^.*\//, '').split('.')[0]!;
  localeFiles[code] = { ...localeFiles[code], ...file } as LocaleFile;
}

/** Vietnamese first, then the others in code order. */
export const locales: string[] = Object.keys(localeFiles).sort((a, b) =>
  a === defaultLocale ? -1 : b === defaultLocale ? 1 : a.localeCompare(b),
);

const translators = new Map<string, TFunction>();

/** The i18next `t` of a locale; missing keys fall back to Vietnamese. */
export function useT(locale: string): TFunction {
  let t = translators.get(locale);
  if (!t) {
    const instance = i18next.createInstance();
    void instance.init({
      lng: locale,
      fallbackLng: defaultLocale,
      initAsync: false,
      resources: Object.fromEntries(Object.entries(localeFiles).map(([code, file]) => [code, { translation: file }])),
      interpolation: { escapeValue: false }, // Astro and Preact escape on output
      returnNull: false,
    });
    t = instance.t.bind(instance) as TFunction;
    translators.set(locale, t);
  }
  return t;
}

export function localeMeta(locale: string): LocaleFile['meta'] {
  const file = localeFiles[locale] ?? localeFiles[defaultLocale];
  if (!file) throw new Error(`no locale file for ${locale}`);
  return file.meta;
}

/**
 * The path of a page in a locale, always with a trailing slash.
 * @example pathFor('en', 'procedure', { code: '1.001193' }) === '/en/procedures/1.001193/'
 */
export function pathFor(locale: string, key: RouteKey, params: Record<string, string> = {}): string {
  const file = localeFiles[locale] ?? localeFiles[defaultLocale]!;
  const pattern = file.routes[key] ?? localeFiles[defaultLocale]!.routes[key];
  const slug = pattern.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`pathFor(${key}): missing ${name}`);
    return encodeURIComponent(value);
  });
  const parts = [file.meta.prefix, slug].filter(Boolean).join('/');
  return parts ? `/${parts}/` : '/';
}

/** Content text in a locale, falling back to Vietnamese. */
export function l(text: Localized, locale: string): string {
  return text[locale] ?? text.vi;
}

export function formatNumber(value: number, locale: string, fractionDigits = 2): string {
  return new Intl.NumberFormat(localeMeta(locale).numberLocale, {
    minimumFractionDigits: fractionDigits,
    maximumFractionDigits: fractionDigits,
  }).format(value);
}

export function formatVnd(value: number, locale: string): string {
  return `${new Intl.NumberFormat(localeMeta(locale).numberLocale).format(value)} đ`;
}

export function formatDate(iso: string, locale: string): string {
  const [y, m, d] = iso.split('-').map(Number);
  return new Intl.DateTimeFormat(localeMeta(locale).numberLocale, {
    day: 'numeric',
    month: locale === defaultLocale ? '2-digit' : 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(Date.UTC(y!, m! - 1, d!)));
}
