/**
 * The reform office's report pack for a unit subtree and a fixed period (issue #10 §4;
 * docs/reform-office.md "Report packs"): one XLSX workbook (exceljs) and the same tables as CSV files
 * in a ZIP. Every table is read from the public API in-process (`api(path)`), so every cell is the
 * figure the API publishes, suppression included: the pack never tells more than the open data.
 *
 * Reproducible: the same data and period give the same bytes. The workbook's dates are the period's
 * last day, and both archives are written with fixed entry dates, in a fixed order, at a fixed
 * compression level (exceljs's own ZIP stamps the time of writing, so its output is repacked).
 */
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { toCsv } from '../contracts/csv.ts';
import type { CoverageResult, RankingResult } from '../contracts/ranking.ts';
import type { DossiersResult, Figure, RatingsResult } from '../contracts/stats.ts';
import type { FeedbackStatsResult } from '../contracts/published.ts';

/** A column: its machine name (CSV header), its Vietnamese and English headers, its format. */
export interface PackColumn {
  key: string;
  vi: string;
  en: string;
  /** Excel number format of a numeric column; text columns have none. */
  format?: string;
}

export interface PackTable {
  /** File and sheet name (ASCII). */
  id: string;
  sheet: string;
  columns: PackColumn[];
  rows: (string | number | boolean | null)[][];
}

const PCT = '0.0" %"';
const INT = '#,##0';

const fig = (prefix: string, vi: string, en: string): PackColumn[] => [
  { key: `${prefix}_value`, vi: `${vi} (%)`, en: `${en} (%)`, format: PCT },
  { key: `${prefix}_n`, vi: `${vi}: n`, en: `${en}: n`, format: INT },
  { key: `${prefix}_low`, vi: `${vi}: cận dưới KTC 95 %`, en: `${en}: 95 % interval low`, format: PCT },
  { key: `${prefix}_high`, vi: `${vi}: cận trên KTC 95 %`, en: `${en}: 95 % interval high`, format: PCT },
];
const cells = (f: Figure) => [f.value, f.n, f.low, f.high];

const UNIT_COLUMNS: PackColumn[] = [
  { key: 'unit', vi: 'Mã đơn vị', en: 'Unit id' },
  { key: 'name_vi', vi: 'Tên đơn vị', en: 'Unit name (Vietnamese)' },
  { key: 'name_en', vi: 'Tên tiếng Anh', en: 'Unit name (English)' },
];

export interface PackInputs {
  ranking: RankingResult;
  coverage: CoverageResult;
  sipas: RatingsResult;
  evaluation: RatingsResult;
  dossiers: DossiersResult;
  feedback: FeedbackStatsResult;
}

/** Reads what the pack holds from the API (in-process or over HTTP). */
export async function packInputs(
  api: (path: string) => Promise<unknown>,
  unit: string,
  span: string,
): Promise<PackInputs> {
  const q = `unit=${encodeURIComponent(unit)}&span=${encodeURIComponent(span)}`;
  const [ranking, coverage, sipas, evaluation, dossiers, feedback] = await Promise.all([
    api(`/api/v1/stats/ranking?${q}`),
    api(`/api/v1/stats/coverage?${q}`),
    api(`/api/v1/stats/ratings?${q}&instrument=sipas`),
    api(`/api/v1/stats/ratings?${q}&instrument=danh-gia-ho-so`),
    api(`/api/v1/stats/dossiers?${q}`),
    api(`/api/v1/stats/feedback?${q}`),
  ]);
  return { ranking, coverage, sipas, evaluation, dossiers, feedback } as PackInputs;
}

/** The tables of the pack, in sheet order. */
export function packTables(p: PackInputs): PackTable[] {
  const cond = (v: RankingResult['units'][number]['verdict'], c: 'late' | 'satisfaction') => {
    const x = v.conditions.find((k) => k.condition === c);
    return x ? (x.reason ? `${x.status}:${x.reason}` : x.status) : '';
  };
  const sipasFactors = p.sipas.summary.kind === 'sipas' ? p.sipas.summary.factors : [];
  const grades = p.evaluation.summary.kind === 'dossier-evaluation' ? p.evaluation.summary.grades : [];
  const sipasRows = [
    { unit: p.sipas.query.unit, name: p.sipas.query.name, summary: p.sipas.summary },
    ...p.sipas.units,
  ];
  const evalRows = [
    { unit: p.evaluation.query.unit, name: p.evaluation.query.name, summary: p.evaluation.summary },
    ...p.evaluation.units,
  ];
  const dossierRows = [
    { unit: p.dossiers.query.unit, name: p.dossiers.query.name, summary: p.dossiers.summary },
    ...p.dossiers.units,
  ];
  const feedbackRows = [
    { unit: p.feedback.query.unit, name: p.feedback.query.name, summary: p.feedback.summary },
    ...p.feedback.units,
  ];
  const targets = new Map<string, RankingResult['units'][number]['targets'][number]>();
  for (const u of p.ranking.units) for (const t of u.targets) targets.set(t.id, t);
  return [
    {
      id: 'xep-loai',
      sheet: 'Xep loai',
      columns: [
        ...UNIT_COLUMNS,
        { key: 'level', vi: 'Cấp', en: 'Level' },
        { key: 'valid_to', vi: 'Ngày kết thúc hoạt động', en: 'Ended on' },
        { key: 'dossiers', vi: 'Hồ sơ trả kết quả', en: 'Dossiers returned', format: INT },
        ...fig('late', 'Quá hạn', 'Late'),
        ...fig('satisfaction', 'Chỉ số SIPAS', 'SIPAS index'),
        { key: 'satisfaction_basis', vi: 'Mẫu của chỉ số', en: 'Sample of the index' },
        { key: 'verdict', vi: 'Kết luận', en: 'Verdict' },
        { key: 'late_condition', vi: 'Điều kiện quá hạn', en: 'Late condition' },
        { key: 'satisfaction_condition', vi: 'Điều kiện hài lòng', en: 'Satisfaction condition' },
      ],
      rows: p.ranking.units.map((u) => [
        u.unit,
        u.name.vi,
        u.name.en,
        u.level,
        u.valid_to,
        u.dossiers,
        ...cells(u.verdict.late),
        ...cells(u.verdict.satisfaction),
        u.verdict.satisfaction_basis,
        u.verdict.verdict,
        cond(u.verdict, 'late'),
        cond(u.verdict, 'satisfaction'),
      ]),
    },
    {
      id: 'do-phu',
      sheet: 'Do phu khao sat',
      columns: [
        ...UNIT_COLUMNS,
        { key: 'measured', vi: 'Đã khảo sát', en: 'Measured' },
        { key: 'dossiers', vi: 'Hồ sơ trả kết quả (N)', en: 'Dossiers returned (N)', format: INT },
        { key: 'sample_needed', vi: 'Cỡ mẫu cần đạt (n)', en: 'Sample needed (n)', format: INT },
        { key: 'tokens_issued', vi: 'Lời mời đã phát', en: 'Invitations issued', format: INT },
        { key: 'tokens_redeemed', vi: 'Lời mời đã dùng', en: 'Invitations used', format: INT },
        { key: 'response_rate', vi: 'Tỷ lệ phản hồi', en: 'Response rate', format: PCT },
        { key: 'progress', vi: 'Tiến độ so với mẫu', en: 'Progress toward the sample', format: PCT },
      ],
      rows: p.coverage.units.map((u) => [
        u.unit,
        u.name.vi,
        u.name.en,
        u.measured,
        u.dossiers,
        u.sample_needed,
        u.tokens_issued,
        u.tokens_redeemed,
        u.response_rate,
        u.progress,
      ]),
    },
    {
      id: 'sipas',
      sheet: 'SIPAS',
      columns: [
        ...UNIT_COLUMNS,
        { key: 'responses', vi: 'Số phiếu', en: 'Responses', format: INT },
        ...fig('sipas_index', 'Chỉ số SIPAS', 'SIPAS index'),
        ...sipasFactors.flatMap((f) => fig(`factor_${f.id}`, f.name.vi, f.name.en ?? f.name.vi)),
      ],
      rows: sipasRows.map((r) => [
        r.unit,
        r.name.vi,
        r.name.en ?? r.name.vi,
        r.summary.responses,
        ...(r.summary.kind === 'sipas'
          ? [...cells(r.summary.index), ...r.summary.factors.flatMap((f) => cells(f.index))]
          : []),
      ]),
    },
    {
      id: 'nd61',
      sheet: 'ND 61',
      columns: [
        ...UNIT_COLUMNS,
        { key: 'responses', vi: 'Số phiếu', en: 'Responses', format: INT },
        { key: 'score_value', vi: 'Điểm trung bình', en: 'Mean score', format: '0.0' },
        { key: 'score_n', vi: 'Điểm: n', en: 'Score: n', format: INT },
        ...grades.flatMap((g) => fig(`grade_${g.id}`, g.name.vi, g.name.en ?? g.name.vi)),
      ],
      rows: evalRows.map((r) => [
        r.unit,
        r.name.vi,
        r.name.en ?? r.name.vi,
        r.summary.responses,
        ...(r.summary.kind === 'dossier-evaluation'
          ? [r.summary.score.value, r.summary.score.n, ...r.summary.grades.flatMap((g) => cells(g.share))]
          : []),
      ]),
    },
    {
      id: 'ho-so',
      sheet: 'Ho so',
      columns: [
        ...UNIT_COLUMNS,
        { key: 'dossiers', vi: 'Hồ sơ trả kết quả', en: 'Dossiers returned', format: INT },
        ...fig('on_time', 'Đúng hạn', 'On time'),
        ...fig('late', 'Quá hạn', 'Late'),
      ],
      rows: dossierRows.map((r) => [
        r.unit,
        r.name.vi,
        r.name.en ?? r.name.vi,
        r.summary.dossiers,
        ...cells(r.summary.on_time),
        ...cells(r.summary.late),
      ]),
    },
    {
      id: 'pakn',
      sheet: 'PAKN',
      columns: [
        ...UNIT_COLUMNS,
        { key: 'received', vi: 'Đã nhận', en: 'Received', format: INT },
        { key: 'answered', vi: 'Đã trả lời', en: 'Answered', format: INT },
        ...fig('on_time', 'Trả lời đúng hạn', 'Answered on time'),
        ...fig('satisfied', 'Người gửi hài lòng', 'Sender satisfied'),
        ...fig('disputed', 'Bị đề nghị xem xét lại', 'Disputed'),
      ],
      rows: feedbackRows.map((r) => [
        r.unit,
        r.name.vi,
        r.name.en ?? r.name.vi,
        r.summary.received,
        r.summary.answered,
        ...cells(r.summary.on_time),
        ...cells(r.summary.satisfied),
        ...cells(r.summary.disputed),
      ]),
    },
    {
      id: 'chi-tieu',
      sheet: 'Chi tieu',
      columns: [
        { key: 'id', vi: 'Mã chỉ tiêu', en: 'Target id' },
        { key: 'scope', vi: 'Đơn vị đặt chỉ tiêu', en: 'Set for unit' },
        { key: 'indicator', vi: 'Chỉ số', en: 'Indicator' },
        { key: 'comparator', vi: 'So sánh', en: 'Comparator' },
        { key: 'value', vi: 'Giá trị', en: 'Value', format: '0.0' },
        { key: 'unit_of_measure', vi: 'Đơn vị đo', en: 'Unit of measure' },
        { key: 'text_vi', vi: 'Nội dung', en: 'Text (Vietnamese)' },
        { key: 'text_en', vi: 'Nội dung tiếng Anh', en: 'Text (English)' },
        { key: 'source', vi: 'Văn bản', en: 'Document' },
      ],
      rows: [
        ...p.ranking.rule_sources.map((t) => ({ ...t, scope: p.ranking.query.unit })),
        ...[...targets.values()].sort((a, b) => (a.id < b.id ? -1 : 1)),
      ].map((t) => [
        t.id,
        t.scope,
        t.indicator,
        t.comparator,
        t.value,
        t.unit_of_measure,
        t.text.vi,
        t.text.en ?? t.text.vi,
        t.source.ref,
      ]),
    },
  ];
}

/** The definitions sheet: every column of every table, in both languages. */
function definitions(tables: readonly PackTable[], p: PackInputs): PackTable {
  const rows: (string | number | null)[][] = [
    ['_', 'period', 'Kỳ', 'Period', p.ranking.query.span],
    ['_', 'min_n', 'Số tối thiểu để công bố', 'Minimum n to publish', p.ranking.min_n],
    ['_', 'formula', 'Công thức cỡ mẫu (Slovin)', 'Sample size formula (Slovin)', p.coverage.formula],
    ['_', 'margin', 'Sai số e (%)', 'Margin of error e (%)', p.coverage.query.margin],
    [
      '_',
      'rule',
      `Không xếp loại tốt khi quá hạn từ ${p.ranking.thresholds.late.value}% trở lên hoặc chỉ số hài lòng từ ${p.ranking.thresholds.satisfaction.value}% trở xuống`,
      `Cannot be ranked good with late ≥ ${p.ranking.thresholds.late.value} % or satisfaction ≤ ${p.ranking.thresholds.satisfaction.value} %`,
      p.ranking.rule_sources.map((s) => s.source.ref).join('; '),
    ],
    [
      '_',
      'suppressed',
      'Ô trống: dưới số tối thiểu hoặc ẩn để bảo vệ số liệu khác',
      'Empty cell: fewer than the minimum or hidden to protect another figure',
      null,
    ],
  ];
  for (const t of tables) for (const c of t.columns) rows.push([t.id, c.key, c.vi, c.en, null]);
  return {
    id: 'dinh-nghia',
    sheet: 'Dinh nghia',
    columns: [
      { key: 'table', vi: 'Bảng', en: 'Table' },
      { key: 'column', vi: 'Cột', en: 'Column' },
      { key: 'vi', vi: 'Nghĩa', en: 'Meaning (Vietnamese)' },
      { key: 'en', vi: 'Nghĩa tiếng Anh', en: 'Meaning (English)' },
      { key: 'value', vi: 'Giá trị', en: 'Value' },
    ],
    rows,
  };
}

/** A ZIP with fixed entry dates, in the given order: the same entries give the same bytes. */
async function fixedZip(entries: readonly [string, Uint8Array | string][], date: Date): Promise<Buffer> {
  const zip = new JSZip();
  for (const [name, data] of entries) zip.file(name, data, { date, createFolders: false });
  return zip.generateAsync({
    type: 'nodebuffer',
    compression: 'DEFLATE',
    compressionOptions: { level: 6 },
    platform: 'UNIX',
  });
}

export interface Pack {
  tables: PackTable[];
  xlsx: Buffer;
  zip: Buffer;
}

/**
 * The pack of one unit subtree and period.
 * @example const pack = await buildPack(await packInputs(api, 'khanh-hoa', '2026-Q3'));
 */
export async function buildPack(p: PackInputs): Promise<Pack> {
  const data = packTables(p);
  const tables = [...data, definitions(data, p)];
  // The period's last day, noon UTC: the same for every run, meaningful to a reader.
  const date = new Date(`${p.ranking.query.to}T12:00:00Z`);
  const wb = new ExcelJS.Workbook();
  wb.creator = 'gopy';
  wb.lastModifiedBy = 'gopy';
  wb.created = date;
  wb.modified = date;
  for (const t of tables) {
    const ws = wb.addWorksheet(t.sheet);
    ws.addRow(t.columns.map((c) => c.vi)).font = { bold: true };
    ws.addRow(t.columns.map((c) => c.en)).font = { italic: true };
    for (const r of t.rows) ws.addRow(r.map((v) => (v === null ? null : typeof v === 'boolean' ? String(v) : v)));
    t.columns.forEach((c, i) => {
      const col = ws.getColumn(i + 1);
      col.width = Math.min(40, Math.max(10, c.vi.length + 2));
      if (c.format) col.numFmt = c.format;
    });
    ws.views = [{ state: 'frozen', ySplit: 2 }];
  }
  const raw = await wb.xlsx.writeBuffer();
  const inner = await JSZip.loadAsync(raw);
  const names = Object.keys(inner.files)
    .filter((n) => !inner.files[n]!.dir)
    .sort((a, b) => (a === '[Content_Types].xml' ? -1 : b === '[Content_Types].xml' ? 1 : a < b ? -1 : a > b ? 1 : 0));
  const xlsx = await fixedZip(
    await Promise.all(names.map(async (n) => [n, await inner.file(n)!.async('uint8array')] as [string, Uint8Array])),
    date,
  );
  const zip = await fixedZip(
    tables.map(
      (t) =>
        [
          `${t.id}.csv`,
          toCsv(
            t.columns.map((c) => c.key),
            t.rows,
          ),
        ] as [string, string],
    ),
    date,
  );
  return { tables, xlsx, zip };
}
