/**
 * The Vietnamese a citizen reads speaks as a provincial office (issue #11 part 4), and stays so: every
 * Vietnamese string of the locale files (content/i18n/vi*.json) and of the content citizens read
 * (surveys, hotline, reform results, units, procedures, the privacy notice in force) is scanned for
 * the patterns an editor from the administration struck out. Archived privacy-notice versions are
 * left out: they are the text senders saw then and are never edited (content/privacy/notice.yaml).
 * The rules and their reasons: docs/wording.md.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = join(import.meta.dirname, '..');
const CONTENT = join(ROOT, 'content');

/** What must not appear in a Vietnamese sentence, and why. */
const FORBIDDEN: { pattern: RegExp; why: string }[] = [
  { pattern: / [,:;]/u, why: 'a space before a comma, colon or semicolon' },
  { pattern: /(^|[^\p{L}])bạn([^\p{L}]|$)/iu, why: '"bạn": address a citizen as "Ông/Bà", or with no pronoun' },
  { pattern: /(^|[^\p{L}])nó([^\p{L}]|$)/iu, why: '"nó" for a thing: name the thing' },
  { pattern: /trễ hạn/iu, why: '"quá hạn", one word for late' },
  { pattern: /thụ lý/iu, why: '"tiếp nhận, xử lý" (NĐ 20/2008); "thụ lý" is for complaints and courts' },
  { pattern: /trợ năng/iu, why: '"Hỗ trợ tiếp cận"' },
  { pattern: /khóa bí mật/iu, why: '"mã bảo mật", one name for the secret' },
  { pattern: /hộp hồ sơ/iu, why: 'a "hồ sơ" is a procedure dossier, not a feedback case' },
  { pattern: /[≥≤]/u, why: 'a condition in words ("từ 5% trở lên"), not a symbol' },
  { pattern: /\d[ \u00a0]%/u, why: 'the percent sign right after the number, "80%"' },
];

/**
 * Known exceptions, each with its reason. The privacy notice in force may not be edited (cases point
 * to its version; a wording change is a new version, content/privacy/notice.yaml): its next version
 * must say "mã bảo mật".
 */
const ALLOWED = new Set(['content/privacy/notice.yaml [0].sections[2].items[1].vi khóa bí mật']);

type Tree = string | number | boolean | null | Tree[] | { [key: string]: Tree };

/** The strings of a tree with where they are: values under a `vi` key, or all of them with `all` (a locale file). */
function stringsOf(tree: Tree, path: string, all: boolean, out: [string, string][]): [string, string][] {
  if (typeof tree === 'string') {
    if (all) out.push([path, tree]);
  } else if (Array.isArray(tree)) {
    tree.forEach((x, i) => stringsOf(x, `${path}[${i}]`, all, out));
  } else if (tree && typeof tree === 'object') {
    for (const [k, v] of Object.entries(tree)) stringsOf(v, `${path}.${k}`, all || k === 'vi', out);
  }
  return out;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? yamlFiles(join(dir, e.name)) : e.name.endsWith('.yaml') ? [join(dir, e.name)] : [],
  );
}

function sources(): { file: string; strings: [string, string][] }[] {
  const out: { file: string; strings: [string, string][] }[] = [];
  const i18n = join(CONTENT, 'i18n');
  for (const f of readdirSync(i18n).filter((x) => /^vi(\.|$)/.test(x) && x.endsWith('.json'))) {
    const tree = JSON.parse(readFileSync(join(i18n, f), 'utf8')) as Tree;
    // Route slugs are URLs, not sentences.
    const strings = stringsOf(tree, '', true, []).filter(([p]) => !p.startsWith('.routes.'));
    out.push({ file: `content/i18n/${f}`, strings });
  }
  for (const path of yamlFiles(CONTENT)) {
    let tree = parse(readFileSync(path, 'utf8')) as Tree;
    if (path.endsWith(join('privacy', 'notice.yaml'))) {
      const notice = tree as { current: string; versions: { id: string }[] };
      tree = notice.versions.filter((v) => v.id === notice.current) as Tree;
    }
    out.push({ file: relative(ROOT, path), strings: stringsOf(tree, '', false, []) });
  }
  return out;
}

describe('Vietnamese wording (issue #11)', () => {
  const all = sources();

  it('finds the strings it scans', () => {
    const count = all.reduce((n, s) => n + s.strings.length, 0);
    expect(count).toBeGreaterThan(1500);
    expect(all.map((s) => s.file)).toEqual(
      expect.arrayContaining(['content/i18n/vi.json', 'content/i18n/vi.rate.json', 'content/surveys/sipas.yaml']),
    );
  });

  for (const { pattern, why } of FORBIDDEN)
    it(`${String(pattern)}: ${why}`, () => {
      const hits = all.flatMap(({ file, strings }) =>
        strings
          .filter(([path, text]) => pattern.test(text) && !ALLOWED.has(`${file} ${path} ${pattern.source}`))
          .map(([path, text]) => `${file} ${path}: ${text}`),
      );
      expect(hits).toEqual([]);
    });

  it('English: "recommendation" for kiến nghị, "access key" for the secret, "Same day"', () => {
    const i18n = join(CONTENT, 'i18n');
    const hits = readdirSync(i18n)
      .filter((f) => /^en(\.|$)/.test(f) && f.endsWith('.json'))
      .flatMap((f) =>
        stringsOf(JSON.parse(readFileSync(join(i18n, f), 'utf8')) as Tree, '', true, [])
          .filter(([, text]) => /petition|secret key|within the day/i.test(text))
          .map(([path, text]) => `${f} ${path}: ${text}`),
      );
    expect(hits).toEqual([]);
  });

  it('says "Không có mã hồ sơ" / "Có mã hồ sơ" for the trust labels, not "Tự nguyện" / "Mẫu xác thực"', () => {
    const stats = JSON.parse(readFileSync(join(CONTENT, 'i18n', 'vi.stats.json'), 'utf8')) as {
      stats: { labels: Record<string, string> };
    };
    expect(stats.stats.labels['verified sample']).toBe('Có mã hồ sơ');
    expect(stats.stats.labels['self-selected']).toBe('Không có mã hồ sơ');
  });
});
