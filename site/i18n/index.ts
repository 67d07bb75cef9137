/**
 * Locales, UI strings (i18next) and the URL table. A locale is `content/i18n/<code>.json` (display
 * name, URL prefix, route slugs, common strings) plus any `<code>.<section>.json` holding one
 * feature's strings; adding the files adds the locale to every page, the language switcher and the
 * 404 page (README "Adding a locale"). Content text missing in a locale falls back to Vietnamese.
 */
import { formatVnInstant } from '../../api/contracts/vn-time.ts';
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
  'procedureSearch',
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

// A formatter costs far more to make than to use (the statistics page formats thousands of numbers
// per view, issue #9): one per locale and number of decimals.
const numberFormats = new Map<string, Intl.NumberFormat>();

export function formatNumber(value: number, locale: string, fractionDigits = 2): string {
  const key = `${locale}:${fractionDigits}`;
  let f = numberFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(localeMeta(locale).numberLocale, {
      minimumFractionDigits: fractionDigits,
      maximumFractionDigits: fractionDigits,
    });
    numberFormats.set(key, f);
  }
  return f.format(value);
}

/**
 * A percentage as Vietnamese administrative texts write it: the sign right after the number,
 * "84,4%" (the province's plans and the Ministry's decisions write "84,40%"); English the same.
 * The one place a percent sign is put after a number (issue #11).
 */
export function formatPercent(value: number, locale: string, fractionDigits = 1): string {
  return `${formatNumber(value, locale, fractionDigits)}%`;
}

const COMPARATOR_KEYS = { '>': 'gt', '>=': 'gte', '<': 'lt', '<=': 'lte', '=': 'eq' } as const;

/**
 * A target's condition in words, "từ 90% trở lên" / "90% or more", not "≥ 90 %": a citizen reads
 * a sentence, not a formula (issue #11).
 */
export function comparatorText(comparator: keyof typeof COMPARATOR_KEYS, value: string, locale: string): string {
  return useT(locale)(`data.compare.${COMPARATOR_KEYS[comparator]}`, { value });
}

/** An instant as dd/mm/yyyy (with the time when asked) in Việt Nam time, in both languages. */
export function formatInstant(iso: string, locale: string, precision: 'day' | 'minute' | 'second' = 'day'): string {
  return formatVnInstant(iso, localeMeta(locale).numberLocale, precision);
}

/** A file size people read: "840 B", "12 KB", "1,4 MB". */
export function formatFileSize(bytes: number, locale: string): string {
  if (bytes < 1024) return `${formatNumber(bytes, locale, 0)} B`;
  if (bytes < 1024 * 1024) return `${formatNumber(Math.round(bytes / 1024), locale, 0)} KB`;
  return `${new Intl.NumberFormat(localeMeta(locale).numberLocale, { maximumFractionDigits: 1 }).format(bytes / (1024 * 1024))} MB`;
}

export function formatVnd(value: number, locale: string): string {
  return `${new Intl.NumberFormat(localeMeta(locale).numberLocale).format(value)} đ`;
}

/** "30/06/2025" in Vietnamese (dd/mm/yyyy, the one date format: issue #11), "30 June 2025" in English. */
export function formatDate(iso: string, locale: string): string {
  const [y, m, d] = iso.split('-').map(Number);
  return new Intl.DateTimeFormat(localeMeta(locale).numberLocale, {
    day: locale === defaultLocale ? '2-digit' : 'numeric',
    month: locale === defaultLocale ? '2-digit' : 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(Date.UTC(y!, m! - 1, d!)));
}
