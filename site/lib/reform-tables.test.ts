/**
 * The CSV download of the reform-results tables (issue #2: "the CSV download matches the table").
 * toCsv is imported for real; site/i18n/index.ts loads the locale files with import.meta.glob,
 * which vitest (Vite) provides.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unguardCell } from '../../api/contracts/csv.ts';
import { reformTables, toCsv, type DataTable } from './reform-tables.ts';

const I18N = join(import.meta.dirname, '..', '..', 'content', 'i18n');
const sampleLabel = (locale: string): string =>
  JSON.parse(readFileSync(join(I18N, `${locale}.json`), 'utf8')).data.sample;

/** A strict RFC 4180 reader (CRLF records, quoted fields may hold commas, quotes and newlines). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (ch === '"') {
        quoted = false;
        i++;
        if (i < text.length && text[i] !== ',' && text[i] !== '\r')
          throw new Error(`text after a closing quote at ${i}`);
      } else {
        field += ch;
        i++;
      }
    } else if (ch === '"') {
      if (field !== '') throw new Error(`quote inside an unquoted field at ${i}`);
      quoted = true;
      i++;
    } else if (ch === ',') {
      row.push(field);
      field = '';
      i++;
    } else if (ch === '\r') {
      if (text[i + 1] !== '\n') throw new Error(`bare CR at ${i}`);
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 2;
    } else if (ch === '\n') {
      throw new Error(`bare LF at ${i}`);
    } else {
      field += ch;
      i++;
    }
  }
  if (quoted) throw new Error('unterminated quote');
  if (field !== '' || row.length > 0) throw new Error('last record not ended by CRLF');
  return rows;
}

const fixture: DataTable = {
  id: 'fixture',
  title: 'Fixture',
  columns: [
    { key: 'unit', label: 'Đơn vị, cơ quan', numeric: false },
    { key: 'value', label: 'Giá trị "%"', numeric: true },
    { key: 'note', label: 'Ghi chú', numeric: false },
  ],
  rows: [
    { cells: { unit: 'Sở "Nội vụ", Khánh Hòa', value: 85.37, note: 'Dòng 1\nDòng 2' }, sample: ['value'] },
    { cells: { unit: 'Tỉnh Khánh Hòa', value: 1234.5, note: null }, sample: [] },
    { cells: { unit: 'Phường Ninh Hòa', value: null, note: 'không có' }, sample: [] },
    { cells: { unit: 'Xã Ninh Xuân', value: 0, note: 'a\r\nb' }, sample: ['value', 'note'] },
  ],
  notes: [],
};

describe('toCsv', () => {
  const csv = toCsv(fixture, 'vi');

  it('starts with one BOM so Excel reads UTF-8', () => {
    expect(csv.startsWith('\uFEFF')).toBe(true);
    expect(csv.slice(1)).not.toContain('\uFEFF');
  });

  it('ends every record with CRLF and has no bare LF or CR outside quotes', () => {
    expect(csv.endsWith('\r\n')).toBe(true);
    const rows = parseCsv(csv.slice(1));
    expect(rows).toHaveLength(fixture.rows.length + 1);
    for (const row of rows) expect(row).toHaveLength(fixture.columns.length + 1);
  });

  it('has a header of the column labels plus the sample column, in the locale', () => {
    const [header] = parseCsv(csv.slice(1));
    expect(header).toEqual(['Đơn vị, cơ quan', 'Giá trị "%"', 'Ghi chú', sampleLabel('vi')]);
    const [enHeader] = parseCsv(toCsv(fixture, 'en').slice(1));
    expect(enHeader!.at(-1)).toBe(sampleLabel('en'));
    expect(sampleLabel('en')).not.toBe(sampleLabel('vi'));
  });

  it('quotes fields with commas, quotes and line breaks, doubling inner quotes', () => {
    const lines = csv.slice(1).split('\r\n');
    expect(lines[0]).toBe(`"Đơn vị, cơ quan","Giá trị ""%""",Ghi chú,${sampleLabel('vi')}`);
    expect(lines[1]).toBe('"Sở ""Nội vụ"", Khánh Hòa",85.37,"Dòng 1\nDòng 2","Giá trị ""%"""');
    // Plain text stays unquoted.
    expect(csv).toContain('\r\nTỉnh Khánh Hòa,');
  });

  it('round-trips every cell: numbers with a dot decimal, null as empty, sample columns named', () => {
    const rows = parseCsv(csv.slice(1)).slice(1);
    expect(rows).toEqual([
      ['Sở "Nội vụ", Khánh Hòa', '85.37', 'Dòng 1\nDòng 2', 'Giá trị "%"'],
      ['Tỉnh Khánh Hòa', '1234.5', '', ''],
      ['Phường Ninh Hòa', '', 'không có', ''],
      ['Xã Ninh Xuân', '0', 'a\r\nb', 'Giá trị "%"; Ghi chú'],
    ]);
  });

  it('writes numbers the same in every locale (no "85,37", no thousands separator)', () => {
    const vi = parseCsv(toCsv(fixture, 'vi').slice(1)).slice(1);
    const en = parseCsv(toCsv(fixture, 'en').slice(1)).slice(1);
    expect(vi.map((r) => r[1])).toEqual(en.map((r) => r[1]));
    expect(csv).not.toContain('85,37');
    expect(csv).not.toMatch(/1[.,]234[.,]5/);
  });
});

describe('toCsv on the real reform tables', () => {
  for (const locale of ['vi', 'en']) {
    it(`matches each table cell by cell (${locale})`, () => {
      const tables = reformTables(locale);
      expect(tables.length).toBeGreaterThan(0);
      for (const table of tables) {
        const rows = parseCsv(toCsv(table, locale).slice(1));
        expect(rows[0]).toEqual([...table.columns.map((c) => c.label), sampleLabel(locale)]);
        expect(rows).toHaveLength(table.rows.length + 1);
        table.rows.forEach((row, i) => {
          const expected = [
            ...table.columns.map((c) => {
              const v = row.cells[c.key];
              return v === null || v === undefined ? '' : String(v);
            }),
            table.columns
              .filter((c) => row.sample.includes(c.key))
              .map((c) => c.label)
              .join('; '),
          ];
          // Text such as "= 100 %" comes back behind the formula guard of api/contracts/csv.ts.
          expect(rows[i + 1]!.map(unguardCell), `${table.id} row ${i + 1}`).toEqual(expected);
          for (const c of table.columns)
            if (typeof row.cells[c.key] === 'number')
              expect(rows[i + 1]![table.columns.indexOf(c)]).toMatch(/^-?\d+(\.\d+)?$/);
        });
      }
    });
  }
});
