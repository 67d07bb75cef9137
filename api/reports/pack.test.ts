/**
 * The report pack (issue #10 §4) over a real temp libSQL file filled through the real rating and
 * dossier paths: the same data give the same bytes, every cell read back from the workbook (exceljs)
 * and from the CSV ZIP equals the API's figure, numbers are numbers, headers are Vietnamese then
 * English, and `npm run reports` writes both files.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHarness, type Harness } from '../test-harness.ts';
import { DISTRICT, SPAN, STATS_CONFIG, seedStats } from '../stats/fixtures.ts';
import { parseCsv } from '../contracts/csv.ts';
import { buildPack, packInputs, type PackInputs } from './pack.ts';
import { main } from '../../scripts/reports.ts';

let h: Harness;
let app: ReturnType<Harness['app']>;
let inputs: PackInputs;
const api = async (path: string) => {
  const res = await app.request(path);
  expect(res.status, path).toBe(200);
  return res.json();
};

beforeAll(async () => {
  h = await openHarness('report-pack');
  await seedStats(h);
  app = h.app({ ...STATS_CONFIG, STATS_MIN_N: '3' }, () => new Date('2026-01-15T03:00:00Z'));
  inputs = await packInputs(api, DISTRICT, SPAN);
});

afterAll(() => h.close());

/** A cell as exceljs reads it: null for empty. */
const cellValue = (ws: ExcelJS.Worksheet, row: number, col: number) => {
  const v = ws.getRow(row).getCell(col).value;
  return v === undefined ? null : v;
};

describe('report pack', () => {
  it('gives the same bytes for the same data', async () => {
    const a = await buildPack(inputs);
    const b = await buildPack(await packInputs(api, DISTRICT, SPAN));
    expect(a.xlsx.equals(b.xlsx)).toBe(true);
    expect(a.zip.equals(b.zip)).toBe(true);
  });

  it('holds the API’s figures in every cell of the workbook, as numbers, under two header rows', async () => {
    const pack = await buildPack(inputs);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(pack.xlsx as never);
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      'Xep loai',
      'Do phu khao sat',
      'SIPAS',
      'ND 61',
      'Ho so',
      'PAKN',
      'Chi tieu',
      'Dinh nghia',
    ]);
    for (const table of pack.tables) {
      const ws = wb.getWorksheet(table.sheet)!;
      table.columns.forEach((c, i) => {
        expect(cellValue(ws, 1, i + 1)).toBe(c.vi);
        expect(cellValue(ws, 2, i + 1)).toBe(c.en);
      });
      table.rows.forEach((r, j) =>
        r.forEach((v, i) =>
          expect(cellValue(ws, j + 3, i + 1), `${table.id} row ${j} col ${table.columns[i]?.key}`).toEqual(
            typeof v === 'boolean' ? String(v) : v,
          ),
        ),
      );
      expect(ws.rowCount).toBe(table.rows.length + 2);
    }
    // The ranking sheet against the JSON itself, not only against the pack's own tables.
    const ws = wb.getWorksheet('Xep loai')!;
    const col = (key: string) => pack.tables[0]!.columns.findIndex((c) => c.key === key) + 1;
    expect(inputs.ranking.units.length).toBeGreaterThan(1);
    inputs.ranking.units.forEach((u, j) => {
      expect(cellValue(ws, j + 3, col('unit'))).toBe(u.unit);
      expect(cellValue(ws, j + 3, col('late_value'))).toBe(u.verdict.late.value);
      expect(cellValue(ws, j + 3, col('satisfaction_value'))).toBe(u.verdict.satisfaction.value);
      expect(cellValue(ws, j + 3, col('verdict'))).toBe(u.verdict.verdict);
    });
    const late = inputs.ranking.units.find((u) => u.verdict.late.value !== null)!;
    expect(typeof cellValue(ws, inputs.ranking.units.indexOf(late) + 3, col('late_value'))).toBe('number');
    expect(ws.getColumn(col('late_value')).numFmt).toBe('0.0" %"');
  });

  it('holds the same tables as CSV files in the ZIP', async () => {
    const pack = await buildPack(inputs);
    const zip = await JSZip.loadAsync(pack.zip);
    for (const table of pack.tables) {
      const rows = parseCsv(await zip.file(`${table.id}.csv`)!.async('string'));
      expect(rows[0]).toEqual(table.columns.map((c) => c.key));
      expect(rows.length - 1).toBe(table.rows.length);
      rows.slice(1).forEach((r, j) =>
        r.forEach((cell, i) => {
          const v = table.rows[j]![i];
          expect(cell).toBe(v === null || v === undefined ? '' : String(v));
        }),
      );
    }
  });

  it('GET /stats/report.xlsx and .zip answer the same bytes; a bad unit or period is a 422', async () => {
    const pack = await buildPack(inputs);
    const x = await app.request(`/api/v1/stats/report.xlsx?unit=${DISTRICT}&span=${SPAN}`);
    expect(x.status).toBe(200);
    expect(x.headers.get('content-type')).toContain('spreadsheetml');
    expect(Buffer.from(await x.arrayBuffer()).equals(pack.xlsx)).toBe(true);
    const z = await app.request(`/api/v1/stats/report.zip?unit=${DISTRICT}&span=${SPAN}`);
    expect(Buffer.from(await z.arrayBuffer()).equals(pack.zip)).toBe(true);
    for (const [q, code] of [
      [`unit=khong-co&span=${SPAN}`, 'unknown_unit'],
      [`unit=${DISTRICT}&span=2014`, 'period_out_of_range'],
      [`unit=${DISTRICT}`, 'validation_failed'],
    ] as const) {
      const res = await app.request(`/api/v1/stats/report.xlsx?${q}`);
      expect(res.status, q).toBe(422);
      expect(((await res.json()) as { code: string }).code, q).toBe(code);
    }
  });

  it('npm run reports writes the workbook and the ZIP; a bad period writes nothing', async () => {
    const out = mkdtempSync(join(tmpdir(), 'gopy-reports-'));
    try {
      const lines: string[] = [];
      const env = { ...process.env, DATABASE_URL: h.url, STATS_MIN_N: '3', DEMO_DATA: '0', LOG_LEVEL: 'silent' };
      const sink = { write: (s: string) => lines.push(s) };
      expect(await main(['--period', SPAN, '--out', out, '--unit', DISTRICT], env, sink, sink)).toBe(0);
      const xlsx = readFileSync(join(out, `gopy-${DISTRICT}-${SPAN}.xlsx`));
      expect(xlsx.equals((await buildPack(inputs)).xlsx)).toBe(true);
      expect(await main(['--period', '2014', '--out', join(out, 'bad'), '--unit', DISTRICT], env, sink, sink)).toBe(1);
      expect(lines.join('')).toContain('period_out_of_range');
      expect(await main(['--out', out], env, sink, sink)).toBe(2);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
