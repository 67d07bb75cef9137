/**
 * The CSV download of the reform-results tables (issue #2: "the CSV download matches the table").
 * toCsv is imported for real; site/i18n/index.ts loads the locale files with import.meta.glob,
 * which vitest (Vite) provides.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { internalNotes } from '../../e2e/internal-notes.ts';
import { content } from './content.ts';
import { unguardCell } from '../../api/contracts/csv.ts';
import { reformTables, toCsv, type DataTable } from './reform-tables.ts';

const I18N = join(import.meta.dirname, '..', '..', 'content', 'i18n');
const i18nData = (locale: string) => JSON.parse(readFileSync(join(I18N, `${locale}.json`), 'utf8')).data;
const sampleLabel = (locale: string): string => i18nData(locale).sample;
/** The CSV's sample column is a yes/no flag (issue #7), in the reader's language. */
const flag = (locale: string, sample: boolean): string => i18nData(locale)[sample ? 'yes' : 'no'];

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
    expect(lines[1]).toBe(`"Sở ""Nội vụ"", Khánh Hòa",85.37,"Dòng 1\nDòng 2",${flag('vi', true)}`);
    // Plain text stays unquoted.
    expect(csv).toContain('\r\nTỉnh Khánh Hòa,');
  });

  it('round-trips every cell: numbers with a dot decimal, null as empty, a yes/no sample flag', () => {
    const rows = parseCsv(csv.slice(1)).slice(1);
    expect(rows).toEqual([
      ['Sở "Nội vụ", Khánh Hòa', '85.37', 'Dòng 1\nDòng 2', 'Có'],
      ['Tỉnh Khánh Hòa', '1234.5', '', 'Không'],
      ['Phường Ninh Hòa', '', 'không có', 'Không'],
      ['Xã Ninh Xuân', '0', 'a\r\nb', 'Có'],
    ]);
    const en = parseCsv(toCsv(fixture, 'en').slice(1)).slice(1);
    expect(en.map((r) => r.at(-1))).toEqual(['Yes', 'No', 'No', 'Yes']);
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
            flag(locale, row.sample.length > 0),
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

describe('the reform tables speak to citizens (issue #7)', () => {
  for (const locale of ['vi', 'en']) {
    it(`cite documents, not working notes, in every cell and title (${locale})`, () => {
      for (const table of reformTables(locale)) {
        const text = [table.title, ...table.notes, ...(table.chart?.labels ?? [])];
        for (const row of table.rows) text.push(...Object.values(row.cells).map((c) => String(c ?? '')));
        expect(internalNotes(text.join('\n')), table.id).toEqual([]);
      }
    });

    it(`name what each years chart shows and label all nine PAR INDEX bars (${locale})`, () => {
      const tables = reformTables(locale);
      const years = tables.filter((x) => x.id.endsWith('-years'));
      expect(years.map((x) => x.id).sort()).toEqual(['par-index-years', 'sipas-years']);
      expect(tables.find((x) => x.id === 'par-index-years')!.title).toMatch(/PAR INDEX/);
      expect(tables.find((x) => x.id === 'par-index-years')!.title).not.toMatch(/SIPAS/);
      const par = tables.find((x) => x.id === 'par-index-khanh-hoa')!;
      expect(par.chart!.labels).toHaveLength(9);
      // Short enough to sit beside a bar on a 360 px phone; the table keeps the full names.
      for (const label of par.chart!.labels) expect(label.length, label).toBeLessThanOrEqual(24);
    });

    it(`keep another province's targets out of Khánh Hòa's table, as a labelled example (${locale})`, () => {
      const tables = reformTables(locale);
      const own = tables.find((x) => x.id === 'targets')!;
      const foreign = content().targets.filter((x) => x.scope === 'huong-tra');
      expect(foreign.length).toBeGreaterThan(0);
      const texts = foreign.map((x) => (locale === 'vi' ? x.text.vi : x.text.en));
      for (const row of own.rows) expect(texts).not.toContain(row.cells.target);
      const example = tables.find((x) => x.id === 'targets-example-huong-tra')!;
      expect(example.rows).toHaveLength(foreign.length);
      expect(example.title).toMatch(/Hương Trà|Huong Tra/);
      expect(example.title).toMatch(/Thừa Thiên Huế|Thua Thien Hue/);
      expect(example.notes).toHaveLength(1);
      for (const row of example.rows) expect(String(row.cells.scope)).toMatch(/Thừa Thiên Huế|Thua Thien Hue/);
      // Ninh Sơn (Ninh Thuận until the 2025 merger) is Khánh Hòa's today: its targets stay in the table.
      expect(own.rows.some((r) => /Ninh S[ơo]n/.test(String(r.cells.scope)))).toBe(true);
      expect(own.rows.length + example.rows.length).toBe(content().targets.length);
    });
  }
});
