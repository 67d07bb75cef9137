/**
 * `npm run posters -- --out posters/ [--base-url URL] [--counters N]`: one printable A4 poster
 * (SVG) per unit and counter, with the QR code of the one-tap counter rating
 * (`/danh-gia/?don-vi=<unit>&quay=<n>&mau=quay`, docs/architecture.md §4), the unit's name in Vietnamese and
 * English and the provincial hotline (the primary contact of content/hotline.yaml).
 *
 * Units: those that currently exist and handle at least one procedure in content/procedures;
 * counters 1–3 each unless --counters says otherwise. The links point at --base-url, else
 * PUBLIC_BASE_URL (one of them is required: a poster with a localhost link is no use).
 * Files: <out>/<unit-id>-quay-<n>.svg. Print at 100 % on A4; the QR code is 12 cm wide.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadContent, type Content } from '../api/contracts/load-content.ts';
import type { ContactPoint, Unit } from '../api/contracts/content.ts';
import { loadConfig } from '../api/env.ts';
import { qrSvg, surveyUrl } from '../api/qr.ts';
import { vnDay } from '../db/time.ts';

const USAGE = 'usage: node scripts/qr-posters.ts --out <folder> [--base-url URL] [--counters N]\n';

function esc(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Splits text into lines of about `max` characters at spaces (SVG text does not wrap). */
export function wrap(text: string, max: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > max) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** The units that get posters: existing on `today` and named in at least one procedure. */
export function posterUnits(content: Content, today: string): Unit[] {
  const serving = new Set(content.procedures.flatMap((p) => p.units));
  return content.units.filter((u) => serving.has(u.id) && (!u.valid_to || u.valid_to >= today));
}

export interface PosterInput {
  unit: Unit;
  counter: number;
  url: string;
  hotline: ContactPoint;
}

const WIDTH = 210;
const HEIGHT = 297;
const QR_SIZE = 120;
const FONT = "'Noto Sans', 'Be Vietnam Pro', Arial, Helvetica, sans-serif";

/** One A4 poster (millimetres) as an SVG document. */
export async function posterSvg({ unit, counter, url, hotline }: PosterInput): Promise<string> {
  const parts: string[] = [];
  let y = 0;
  /** Centred lines of text; about 0.55 em per character decides the wrapping. */
  const text = (value: string, size: number, opts: { bold?: boolean; lang?: string; fill?: string } = {}) => {
    for (const line of wrap(value, Math.floor(180 / (size * 0.55)))) {
      y += size * 1.2;
      parts.push(
        `<text x="${WIDTH / 2}" y="${y.toFixed(1)}" font-size="${size}" text-anchor="middle"` +
          `${opts.bold ? ' font-weight="700"' : ''}${opts.lang ? ` xml:lang="${opts.lang}"` : ''}` +
          ` fill="${opts.fill ?? '#1a1a1a'}">${esc(line)}</text>`,
      );
    }
  };

  parts.push(`<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`);
  parts.push(`<rect width="${WIDTH}" height="34" fill="#a50e0e"/>`);
  y = 6;
  text('ĐÁNH GIÁ SỰ HÀI LÒNG', 9, { bold: true, fill: '#ffffff' });
  text('Rate our service', 6, { lang: 'en', fill: '#ffffff' });
  y = 44;
  text(unit.name.vi, 8.5, { bold: true });
  y += 1;
  text(unit.name.en, 5.5, { lang: 'en', fill: '#444444' });
  y += 3;
  text(`Quầy số ${counter}`, 7, { bold: true });
  text(`Counter ${counter}`, 5, { lang: 'en', fill: '#444444' });

  const qrTop = Math.max(y + 5, 100);
  // Very long names push the code down; it shrinks rather than run into the hotline band.
  const size = Math.min(QR_SIZE, HEIGHT - 30 - 34 - qrTop);
  const qr = await qrSvg(url);
  parts.push(
    `<g role="img" aria-label="QR">${qr.replace(
      '<svg ',
      `<svg x="${((WIDTH - size) / 2).toFixed(1)}" y="${qrTop.toFixed(1)}" width="${size.toFixed(1)}" height="${size.toFixed(1)}" `,
    )}</g>`,
  );
  y = qrTop + size + 2;
  text('Quét mã để đánh giá', 11, { bold: true });
  text('Scan to rate this service', 6.5, { lang: 'en' });
  y += 1;
  parts.push(
    `<text x="${WIDTH / 2}" y="${(y + 5).toFixed(1)}" font-size="3.2" text-anchor="middle" fill="#444444" ` +
      `font-family="'DejaVu Sans Mono', monospace">${esc(url)}</text>`,
  );

  // The hotline sits at the foot of the page, whatever the length of the names above.
  const phone = hotline.phones[0]!;
  parts.push(`<rect y="${HEIGHT - 30}" width="${WIDTH}" height="30" fill="#f3f3f3"/>`);
  y = HEIGHT - 27;
  text(`Đường dây nóng: ${phone}`, 7, { bold: true });
  text(`Hotline: ${phone}`, 5, { lang: 'en' });
  text(hotline.name.vi, 3.6, { fill: '#444444' });

  const title = `${unit.name.vi}, quầy số ${counter}: quét mã để đánh giá`;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<svg xmlns="http://www.w3.org/2000/svg" xml:lang="vi" width="${WIDTH}mm" height="${HEIGHT}mm" ` +
    `viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="${esc(FONT)}">\n` +
    `<title>${esc(title)}</title>\n${parts.join('\n')}\n</svg>\n`
  );
}

export interface PostersOptions {
  out: string;
  /** Origin of the portal in the links, e.g. https://gopy.khanhhoa.gov.vn. */
  base: string;
  counters: number;
  /** YYYY-MM-DD: units that ended before this day get no poster. */
  today: string;
}

/** Writes every poster; returns the paths written. */
export async function writePosters(content: Content, options: PostersOptions): Promise<string[]> {
  const hotline = content.contacts.find((c) => c.primary);
  if (!hotline) throw new Error('content/hotline.yaml has no primary contact');
  mkdirSync(options.out, { recursive: true });
  const written: string[] = [];
  for (const unit of posterUnits(content, options.today)) {
    for (let counter = 1; counter <= options.counters; counter++) {
      const url = surveyUrl(options.base, { 'don-vi': unit.id, quay: String(counter), mau: 'quay' });
      const file = join(options.out, `${unit.id}-quay-${counter}.svg`);
      writeFileSync(file, await posterSvg({ unit, counter, url, hotline }));
      written.push(file);
    }
  }
  return written;
}

/** Runs the command; returns the exit code. */
export async function main(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
  out: { write(text: string): unknown } = process.stdout,
  err: { write(text: string): unknown } = process.stderr,
): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { out: { type: 'string' }, 'base-url': { type: 'string' }, counters: { type: 'string' } },
  });
  const config = loadConfig(env);
  const base = (values['base-url'] ?? config.PUBLIC_BASE_URL)?.replace(/\/+$/, '');
  const counters = Number(values.counters ?? 3);
  if (!values.out || !Number.isInteger(counters) || counters < 1 || counters > 99) {
    err.write(USAGE);
    return 2;
  }
  if (!base || !/^https?:\/\/[^/]+$/.test(base)) {
    err.write('give --base-url https://… (the portal address in the QR codes) or set PUBLIC_BASE_URL\n');
    return 2;
  }
  const content = loadContent(config.CONTENT_DIR);
  // Today in Viet Nam, to leave out units that no longer exist.
  const files = await writePosters(content, { out: values.out, base, counters, today: vnDay(new Date()) });
  out.write(`${files.length} poster(s) written to ${values.out}\n`);
  return 0;
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
