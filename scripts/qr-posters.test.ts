/**
 * `node scripts/qr-posters.ts`: one A4 SVG per unit and counter from the real content/, with the QR
 * code of the counter link, the unit's names and the provincial hotline.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadContent, type Content } from '../api/contracts/load-content.ts';
import { qrSvg } from '../api/qr.ts';
import { main, posterUnits, wrap, writePosters } from './qr-posters.ts';

const ROOT = join(import.meta.dirname, '..');
const BASE = 'https://gopy.khanhhoa.gov.vn';

let tmp: string;
let content: Content;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'gopy-posters-'));
  content = loadContent(join(ROOT, 'content'));
});

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The `d` attributes of the paths in an SVG: the QR modules. */
function pathData(svg: string): string[] {
  return [...svg.matchAll(/<path [^>]*\bd="([^"]+)"/g)].map((m) => m[1]!);
}

describe('posters', () => {
  it('one file per current unit with procedures and counter; each has the QR of its link, names and hotline', async () => {
    const out = join(tmp, 'a');
    const files = await writePosters(content, { out, base: BASE, counters: 3, today: '2026-01-15' });
    const units = posterUnits(content, '2026-01-15');
    expect(units.length).toBeGreaterThan(0);
    // Units that ended (districts abolished on 1 July 2025) get none.
    expect(units.map((u) => u.id)).not.toContain('ninh-hoa');
    expect(units.map((u) => u.id)).toContain('so-y-te');
    expect(files).toHaveLength(units.length * 3);
    expect(readdirSync(out).sort()).toEqual(units.flatMap((u) => [1, 2, 3].map((n) => `${u.id}-quay-${n}.svg`)).sort());

    const hotline = content.contacts.find((c) => c.primary)!;
    const unit = content.units.find((u) => u.id === 'so-y-te')!;
    const svg = readFileSync(join(out, 'so-y-te-quay-2.svg'), 'utf8');
    expect(svg).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('width="210mm" height="297mm" viewBox="0 0 210 297"');
    expect(svg).toContain(unit.name.vi);
    expect(svg).toContain(unit.name.en);
    expect(svg).toContain('Quét mã để đánh giá');
    expect(svg).toContain('Scan to rate this service');
    expect(svg).toContain('Quầy số 2');
    expect(svg).toContain(hotline.phones[0]);

    // The QR code is that of the counter link: the same modules as a code made from the URL.
    const url = `${BASE}/danh-gia/?don-vi=so-y-te&quay=2&mau=quay`;
    expect(svg).toContain(url.replace(/&/g, '&amp;'));
    const expected = pathData(await qrSvg(url));
    expect(expected.length).toBeGreaterThan(0);
    for (const d of expected) expect(svg).toContain(`d="${d}"`);
    expect(svg).toMatch(
      /<svg x="[\d.]+" y="[\d.]+" width="120.0" height="120.0" xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 \d+ \d+"/,
    );
    // Another counter is another code.
    const other = readFileSync(join(out, 'so-y-te-quay-1.svg'), 'utf8');
    expect(pathData(other)).not.toEqual(pathData(svg));

    // Well-formed enough to print: no bare ampersands, as many <svg> as </svg>.
    expect(svg).not.toMatch(/&(?!amp;|lt;|gt;|quot;|apos;)/);
    expect(svg.match(/<svg[\s>]/g)).toHaveLength(2);
    expect(svg.match(/<\/svg>/g)).toHaveLength(2);
  });

  it('--counters N and the command line', async () => {
    const out = join(tmp, 'b');
    const written: string[] = [];
    const code = await main(
      ['--out', out, '--base-url', `${BASE}/`, '--counters', '1'],
      { CONTENT_DIR: join(ROOT, 'content') },
      { write: (t: string) => written.push(t) },
    );
    expect(code).toBe(0);
    const files = readdirSync(out);
    expect(files.every((f) => f.endsWith('-quay-1.svg'))).toBe(true);
    expect(written.join('')).toContain(`${files.length} poster(s) written`);
    const svg = readFileSync(join(out, files[0]!), 'utf8');
    expect(svg).toContain(`${BASE}/danh-gia/?`);

    const errors: string[] = [];
    const err = { write: (t: string) => errors.push(t) };
    expect(await main(['--out', out], { CONTENT_DIR: join(ROOT, 'content') }, undefined, err)).toBe(2);
    expect(await main(['--out', out, '--base-url', BASE, '--counters', '0'], {}, undefined, err)).toBe(2);
    expect(errors.join('')).toContain('--base-url');
  });

  it('wraps long names at spaces', () => {
    expect(wrap('Trung tâm Phục vụ hành chính công tỉnh Khánh Hòa', 20)).toEqual([
      'Trung tâm Phục vụ',
      'hành chính công tỉnh',
      'Khánh Hòa',
    ]);
  });
});
