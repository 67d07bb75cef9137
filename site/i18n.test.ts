/**
 * The locale files (content/i18n/<code>.json) are complete and consistent: same keys as Vietnamese,
 * every route, every problem and field-error code the API returns, every literal `t('…')` key the
 * site uses, and no empty strings. Read with fs: site/i18n/index.ts needs Vite's import.meta.glob.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fieldErrorCodes, problemCodes } from '../api/contracts/problem.ts';
import { onlineLevels, procedureLevels, unitKinds } from '../api/contracts/content.ts';

const ROOT = join(import.meta.dirname, '..');
const I18N = join(ROOT, 'content', 'i18n');

type Tree = { [key: string]: string | Tree };

const localeFiles = readdirSync(I18N)
  .filter((f) => f.endsWith('.json'))
  .sort();
/** A locale is `<code>.json` plus any `<code>.<section>.json`, merged (site/i18n/index.ts). */
const locales: Record<string, Tree> = {};
for (const f of localeFiles) {
  const code = f.split('.')[0]!;
  Object.assign((locales[code] ??= {}), JSON.parse(readFileSync(join(I18N, f), 'utf8')) as Tree);
}

/** Flattens nested keys to "a.b.c" → value. */
function flatten(tree: Tree, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (value && typeof value === 'object' && !Array.isArray(value))
      for (const [k, v] of flatten(value, path)) out.set(k, v);
    else out.set(path, value);
  }
  return out;
}

const flat = Object.fromEntries(Object.entries(locales).map(([code, tree]) => [code, flatten(tree)]));
const vi = flat.vi!;
const others = Object.keys(flat).filter((c) => c !== 'vi');

/** i18next resolves t('a.count', { count }) to a.count_one / a.count_other. */
function has(keys: Map<string, unknown>, key: string): boolean {
  return ['', '_zero', '_one', '_other'].some((suffix) => typeof keys.get(key + suffix) === 'string');
}

/** routeKeys from site/i18n/index.ts, read as text (the module itself needs import.meta.glob). */
function routeKeys(): string[] {
  const src = readFileSync(join(ROOT, 'site', 'i18n', 'index.ts'), 'utf8');
  const list = /export const routeKeys = \[([^\]]*)\]/.exec(src)?.[1];
  expect(list, 'routeKeys list in site/i18n/index.ts').toBeDefined();
  return [...list!.matchAll(/'([A-Za-z]+)'/g)].map((m) => m[1]!);
}

function siteSources(dir = join(ROOT, 'site')): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'public') out.push(...siteSources(path));
    } else if (/\.(astro|ts|tsx)$/.test(name) && !/\.test\.ts$/.test(name)) out.push(path);
  }
  return out;
}

describe('content/i18n', () => {
  it('has Vietnamese and English at least', () => {
    expect(Object.keys(locales)).toEqual(expect.arrayContaining(['vi', 'en']));
  });

  it('every value is a string (no arrays, numbers or nulls)', () => {
    for (const [code, keys] of Object.entries(flat))
      for (const [key, value] of keys) expect(typeof value, `${code}.json ${key}`).toBe('string');
  });

  it.each(others)('%s.json has exactly the keys of vi.json', (code) => {
    const keys = flat[code]!;
    const missing = [...vi.keys()].filter((k) => !keys.has(k));
    const extra = [...keys.keys()].filter((k) => !vi.has(k));
    expect({ missing, extra }).toEqual({ missing: [], extra: [] });
  });

  it('no value is empty, except the default locale prefix and the home route', () => {
    // vi has no URL prefix (it is the default locale) and the home page is the bare prefix.
    const mayBeEmpty = (code: string, key: string) => key === 'routes.home' || (code === 'vi' && key === 'meta.prefix');
    for (const [code, keys] of Object.entries(flat))
      for (const [key, value] of keys)
        if (!mayBeEmpty(code, key)) expect(String(value).trim(), `${code}.json ${key}`).not.toBe('');
    for (const code of others)
      expect(flat[code]!.get('meta.prefix'), `${code}.json meta.prefix`).toMatch(/^[a-z]+(?:-[a-z]+)*$/);
  });

  it('every route key is present in every locale, and routes are unique within a locale', () => {
    const keys = routeKeys();
    expect(keys.length).toBeGreaterThan(5);
    for (const [code, tree] of Object.entries(locales)) {
      const routes = tree.routes as Record<string, string>;
      for (const key of keys) expect(routes, `${code}.json routes.${key}`).toHaveProperty(key);
      expect(Object.keys(routes).sort(), `${code}.json routes`).toEqual([...keys].sort());
      const slugs = Object.values(routes);
      expect(new Set(slugs).size, `${code}.json duplicate route`).toBe(slugs.length);
      for (const slug of slugs) expect(slug).toMatch(/^(?:[a-z0-9{}-]+(?:\/[a-z0-9{}-]+)*)?$/);
    }
  });

  it('routes have the same parameters in every locale', () => {
    const params = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    const viRoutes = locales.vi!.routes as Record<string, string>;
    for (const code of others) {
      const routes = locales[code]!.routes as Record<string, string>;
      for (const [key, slug] of Object.entries(viRoutes))
        expect(params(routes[key] ?? ''), `${code} routes.${key}`).toEqual(params(slug));
    }
  });

  it('every route key the site passes to pathFor() exists', () => {
    const keys = new Set(routeKeys());
    const used = new Set<string>();
    for (const file of siteSources())
      for (const m of readFileSync(file, 'utf8').matchAll(/pathFor\(\s*[^,()]+,\s*'([A-Za-z]+)'/g)) used.add(m[1]!);
    expect(used.size).toBeGreaterThan(0);
    for (const key of used) expect(keys, `pathFor(…, '${key}')`).toContain(key);
  });

  it("every literal t('…') key the site uses exists", () => {
    const used = new Map<string, string>();
    for (const file of siteSources())
      for (const m of readFileSync(file, 'utf8').matchAll(/\bt\(\s*'([a-zA-Z][\w-]*(?:\.[\w-]+)+)'/g))
        used.set(m[1]!, relative(ROOT, file));
    expect(used.size).toBeGreaterThan(20);
    for (const [code, keys] of Object.entries(flat))
      for (const [key, file] of used) expect(has(keys, key), `${code}.json lacks ${key} (used in ${file})`).toBe(true);
  });

  it('every problem code and field-error code has a sentence in every locale', () => {
    for (const [code, keys] of Object.entries(flat)) {
      for (const p of problemCodes)
        expect(keys.get(`problem.${p}`), `${code}.json problem.${p}`).toEqual(expect.any(String));
      for (const f of fieldErrorCodes)
        expect(keys.get(`fieldError.${f}`), `${code}.json fieldError.${f}`).toEqual(expect.any(String));
    }
  });

  it('every level, online level and unit kind of the content schema has a label', () => {
    for (const [code, keys] of Object.entries(flat)) {
      for (const x of procedureLevels) expect(keys.has(`levels.${x}`), `${code}.json levels.${x}`).toBe(true);
      for (const x of onlineLevels) expect(keys.has(`online.${x}`), `${code}.json online.${x}`).toBe(true);
      for (const x of unitKinds) expect(keys.has(`unitKinds.${x}`), `${code}.json unitKinds.${x}`).toBe(true);
    }
  });

  it('translations keep the {{placeholders}} of the Vietnamese text', () => {
    const placeholders = (s: unknown) => [...String(s).matchAll(/\{\{\s*(\w+)/g)].map((m) => m[1]).sort();
    // Plural forms are grouped by base key: a language may have more forms than Vietnamese.
    const base = (k: string) => k.replace(/_(zero|one|two|few|many|other)$/, '');
    for (const code of others) {
      for (const [key, value] of vi) {
        const theirs = flat[code]!.get(key);
        if (theirs === undefined) continue; // reported by the key-set test
        if (base(key) !== key) continue;
        expect(placeholders(theirs), `${code}.json ${key}`).toEqual(placeholders(value));
      }
    }
  });
});
