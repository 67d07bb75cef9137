/**
 * The one CSV module of the project (issue #8 §1): every download the portal writes goes through
 * `toCsv`, every CSV it reads through `parseCsv`, both thin wrappers over csv-stringify / csv-parse.
 *
 * Written files are RFC 4180 with a header row, CRLF record ends and a UTF-8 BOM (so Excel opens
 * Vietnamese text as UTF-8), and they are safe to open in a spreadsheet: a text cell that starts with
 * `=`, `+`, `-`, `@`, a tab or a carriage return (or their full-width forms) is prefixed with `'`, so
 * a citizen's title `=HYPERLINK("…")` is shown as text, never run as a formula (issue #7 part 4,
 * OWASP "CSV Injection"). Numbers passed as numbers are left alone, so `-3.5` stays a number; the
 * same text passed as a string is prefixed like any other text, which is why writers pass figures
 * as numbers. See docs/open-data.md.
 */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';

/** A cell as the writers hand it over; null and undefined are empty cells. */
export type CsvCell = string | number | boolean | null | undefined;

/**
 * A CSV file: the header, then one record per row (cells in header order).
 * @example toCsv(['title', 'n'], [['=1+1', 2]]) // "\uFEFFtitle,n\r\n'=1+1,2\r\n"
 */
export function toCsv(header: readonly string[], rows: Iterable<readonly CsvCell[]>): string {
  return stringify([header, ...rows] as CsvCell[][], {
    bom: true,
    record_delimiter: 'windows',
    escape_formulas: true,
    // With CRLF record ends csv-stringify quotes a cell holding "\r\n" but not a bare LF or CR,
    // which every reader (ours included) takes as the end of the record.
    quoted_match: /[\r\n]/,
    // csv-stringify writes true as "1" and false as "" by default; our dictionaries say true/false.
    cast: { boolean: (b) => String(b) },
  });
}

/**
 * Reads RFC 4180 CSV (quoted fields may hold commas, doubled quotes and line breaks; CRLF or LF; a
 * leading BOM is dropped; empty lines are skipped). Records may differ in length. Throws on malformed input (an unclosed
 * quote); readers of files people typed catch that and say where (scripts/dossiers.ts).
 * @example parseCsv('\uFEFFa,b\r\n"x, y",2\r\n') // [['a', 'b'], ['x, y', '2']]
 */
export function parseCsv(text: string): string[][] {
  return parse(text, {
    bom: true,
    // Files typed or exported by people mix line ends; csv-parse otherwise settles on the first.
    record_delimiter: ['\r\n', '\n', '\r'],
    skip_empty_lines: true,
    relax_column_count: true,
    // A quote inside an unquoted field (`ống 5" `) is a character, as spreadsheets write it.
    relax_quotes: true,
  }) as string[][];
}

/** Rows keyed by the header: `[{ column: value }]`. */
export function parseCsvObjects(text: string): Record<string, string>[] {
  const [header, ...body] = parseCsv(text);
  return body.map((r) => Object.fromEntries((header ?? []).map((h, i) => [h, r[i] ?? ''])));
}

/** The text a neutralised cell showed before the `'` guard, for readers comparing with the source. */
export function unguardCell(cell: string): string {
  return /^'[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/.test(cell) ? cell.slice(1) : cell;
}
