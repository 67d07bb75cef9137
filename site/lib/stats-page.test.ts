/**
 * The statistics page's query, filter choices and tables (site/lib/stats-page.ts), from hand-made
 * API answers: the page words and formats figures, never computes them, and a suppressed figure
 * never shows a value or a bar.
 */
import { describe, expect, it } from 'vitest';
import type { DossiersResult, Figure, RatingsResult } from '../../api/contracts/stats.ts';
import {
  apiPath,
  dossiersTable,
  pageHref,
  periodText,
  readStatsQuery,
  sipasTable,
  unitOptions,
  unitsTable,
  valueText,
  countText,
  spanOptions,
} from './stats-page.ts';

const fig = (n: number | null, value: number | null): Figure =>
  value === null
    ? { n, value: null, low: null, high: null, suppressed: true }
    : { n, value, low: value - 5, high: value + 5, suppressed: false };

const name = (vi: string) => ({ vi, en: `${vi} (en)` });

function ratings(index: Figure, factors: Figure[]): RatingsResult {
  const summary = {
    kind: 'sipas' as const,
    responses: 30,
    label: 'mixed' as const,
    index,
    factors: factors.map((f, i) => ({ id: `f${i}`, name: name(`Yếu tố ${i}`), index: f, satisfaction: null })),
    overall: null,
    criteria: factors.map((f, i) => ({
      id: `c${i}`,
      factor: `f${i}`,
      name: name(`Tiêu chí ${i}`),
      share: f,
      mean: f.value === null ? fig(f.n, null) : fig(f.n, 4.1),
    })),
  };
  return {
    query: {
      unit: 'ninh-hoa',
      name: name('Thị xã Ninh Hòa'),
      valid_to: '2025-06-30',
      procedure: '',
      period: 'year',
      span: '2025',
      from: '2025-01-01',
      to: '2025-12-31',
      instrument: 'sipas',
      instrument_name: name('SIPAS'),
      instrument_versions: ['a'],
      trust: 'all',
    },
    label: 'mixed',
    min_n: 10,
    protection_computed_at: '2025-07-01T00:00:00.000Z',
    summary,
    series: [],
    units: [
      {
        unit: 'phuong-ninh-hiep',
        name: name('Phường Ninh Hiệp'),
        valid_to: '2025-06-30',
        summary,
        late: fig(12, 16.7),
        flag: { flagged: true, reasons: ['late', 'satisfaction'], unknown: [] },
        verdict: {
          verdict: 'cannot-be-good',
          conditions: [
            { condition: 'late', status: 'failed', reason: null },
            { condition: 'satisfaction', status: 'failed', reason: null },
          ],
          late: fig(12, 16.7),
          satisfaction: fig(30, 70),
          satisfaction_basis: 'mixed',
        },
      },
      {
        unit: 'xa-ninh-dong',
        name: name('Xã Ninh Đông'),
        valid_to: null,
        summary: { ...summary, responses: 0, index: fig(0, null) },
        late: fig(0, null),
        flag: { flagged: false, reasons: [], unknown: ['late', 'satisfaction'] },
        verdict: {
          verdict: 'undetermined',
          conditions: [
            { condition: 'late', status: 'undetermined', reason: 'no-data' },
            { condition: 'satisfaction', status: 'undetermined', reason: 'no-data' },
          ],
          late: fig(0, null),
          satisfaction: fig(0, null),
          satisfaction_basis: null,
        },
      },
    ],
    verdict: {
      verdict: 'undetermined',
      conditions: [
        { condition: 'late', status: 'met', reason: null },
        { condition: 'satisfaction', status: 'undetermined', reason: 'straddles' },
      ],
      late: fig(15, 3),
      satisfaction: fig(30, 81),
      satisfaction_basis: 'mixed',
    },
    sipas_samples: { 'verified sample': fig(0, null), 'self-selected': fig(30, 81), all: fig(30, 81) },
    thresholds: { late: { value: 5, target: 'rule-late' }, satisfaction: { value: 80, target: 'rule-sipas' } },
    targets: [
      {
        id: 'rule-sipas',
        indicator: 'sipas',
        comparator: '>',
        value: 80,
        unit_of_measure: 'percent',
        from_year: 2022,
        to_year: 2030,
        text: name('Quy tắc'),
        source: { ref: 'x', sample: false },
      },
      {
        id: 'plan',
        indicator: 'sipas',
        comparator: '>=',
        value: 90,
        unit_of_measure: 'percent',
        from_year: 2025,
        to_year: 2025,
        text: name('Mục tiêu'),
        source: { ref: 'x', sample: false },
      },
    ],
  };
}

describe('query', () => {
  it('maps the page names and values to the API, leaving empty fields out', () => {
    const q = readStatsQuery(
      new URL('https://x/thong-ke/?don-vi=ninh-hoa&thu-tuc=&ky=quy&nguon=xac-thuc&tu=&mau=quay'),
    );
    expect(q).toEqual({ unit: 'ninh-hoa', period: 'quarter', trust: 'verified', instrument: 'quay' });
    // An unknown value goes to the API as is, which refuses it.
    expect(readStatsQuery(new URL('https://x/?ky=tuan')).period).toBe('tuan');
    expect(apiPath('ratings', q)).toBe(
      '/api/v1/stats/ratings?unit=ninh-hoa&instrument=quay&period=quarter&trust=verified',
    );
    expect(apiPath('dossiers.csv', q)).toBe('/api/v1/stats/dossiers.csv?unit=ninh-hoa&period=quarter');
    expect(apiPath('ratings', {})).toBe('/api/v1/stats/ratings');
    expect(pageHref('vi', q, { unit: 'xa-ninh-dong' })).toBe(
      '/thong-ke/?don-vi=xa-ninh-dong&mau=quay&ky=quy&nguon=xac-thuc',
    );
    expect(pageHref('en', {})).toBe('/en/statistics/');
  });
});

describe('filter choices', () => {
  it('lists the unit tree without the national level, historical units marked with their end', () => {
    const vi = unitOptions('vi');
    expect(vi.map((o) => o.value)).not.toContain('viet-nam');
    expect(vi[0]).toEqual({ value: 'khanh-hoa', label: 'Tỉnh Khánh Hòa' });
    const ninhHoa = vi.find((o) => o.value === 'ninh-hoa')!;
    expect(ninhHoa.label).toBe('\u00a0\u00a0\u00a0Thị xã Ninh Hòa (đến 30/06/2025)');
    const commune = vi.find((o) => o.value === 'phuong-ninh-hiep')!;
    expect(commune.label.startsWith('\u00a0'.repeat(6))).toBe(true);
    // Children follow their parent.
    expect(vi.findIndex((o) => o.value === 'phuong-ninh-hiep')).toBeGreaterThan(vi.indexOf(ninhHoa));
    expect(unitOptions('en').find((o) => o.value === 'ninh-hoa')!.label).toContain('(until 30 June 2025)');
  });
});

describe('formatting', () => {
  it('says why a figure is missing, and formats the others in the locale', () => {
    // Fewer than min n, or hidden to protect another cell (issue #7): the reader is not told which.
    expect(valueText(fig(7, null), 'percent', 10, 'vi')).toBe(
      'Chưa đủ phiếu để công bố (cần ít nhất 10) hoặc ẩn để bảo vệ số liệu khác',
    );
    expect(valueText(fig(7, null), 'percent', 10, 'en')).toBe(
      'Too few responses to publish (at least 10 needed), or hidden to protect another figure',
    );
    // Issue #11: feedback cases and dossiers are not "phiếu".
    expect(valueText(fig(7, null), 'percent', 10, 'vi', 'cases')).toBe(
      'Chưa đủ phản ánh, kiến nghị để công bố (cần ít nhất 10) hoặc ẩn để bảo vệ số liệu khác',
    );
    expect(valueText(fig(7, null), 'percent', 10, 'vi', 'dossiers')).toBe(
      'Chưa đủ hồ sơ để công bố (cần ít nhất 10) hoặc ẩn để bảo vệ số liệu khác',
    );
    expect(countText(null, 10, 'vi')).toBe('Dưới 10 hoặc ẩn');
    expect(countText(1234, 10, 'en')).toBe('1,234');
    expect(valueText(fig(30, 84.44), 'percent', 10, 'vi')).toBe('84,4%');
    expect(valueText(fig(30, 12.25), 'points', 10, 'en')).toBe('12.3\u00a0points');
    expect(periodText('2025-Q3', 'vi')).toBe('Quý 3/2025');
    expect(periodText('2025-08', 'vi')).toBe('Tháng 8/2025');
    expect(periodText('2025-08', 'en')).toBe('August 2025');
    expect(periodText('2025', 'en')).toBe('2025');
    // The period select: fixed periods only, newest year first, a chosen older year kept.
    const spans = spanOptions('vi', 2026, 2, '2015-Q3');
    expect(spans.map((g) => g.label)).toEqual(['2026', '2025', '2015']);
    expect(spans[0]!.options.slice(0, 6).map((o) => o.label)).toEqual([
      'Năm 2026',
      'Quý 1/2026',
      'Quý 2/2026',
      'Quý 3/2026',
      'Quý 4/2026',
      'Tháng 1/2026',
    ]);
    expect(spans[2]!.options.map((o) => o.value)).toContain('2015-Q3');
  });
});

describe('tables', () => {
  it('SIPAS: one row per figure with its CSV place and raw values, the targets and the threshold as lines', () => {
    const table = sipasTable(ratings(fig(30, 84.4), [fig(30, 90), fig(13, null)]), { locale: 'vi', query: {} })!;
    expect(table.rows.map((r) => [r.unit, r.period, r.metric])).toEqual([
      ['ninh-hoa', '2025', 'sipas_index'],
      ['ninh-hoa', '2025', 'factor:f0'],
      ['ninh-hoa', '2025', 'factor:f1'],
      // Issue #7 §3: each criterion's share 4–5 and its 1–5 mean.
      ['ninh-hoa', '2025', 'criterion:c0'],
      ['ninh-hoa', '2025', 'criterion_mean:c0'],
      ['ninh-hoa', '2025', 'criterion:c1'],
      ['ninh-hoa', '2025', 'criterion_mean:c1'],
    ]);
    const [value, n, interval, label] = table.rows[0]!.cells;
    expect(value).toMatchObject({ text: '84,4%', data: { value: '84.4' } });
    expect(n).toMatchObject({ text: '30', data: { value: '30' } });
    expect(interval).toMatchObject({ data: { low: '79.4', high: '89.4' } });
    expect(label).toMatchObject({ text: 'Có và không có mã hồ sơ', data: { value: 'mixed' } });
    expect(table.rows[2]!.cells[0]).toMatchObject({
      text: 'Chưa đủ phiếu để công bố (cần ít nhất 10) hoặc ẩn để bảo vệ số liệu khác',
      data: { value: '' },
    });
    expect(table.chart!.datasets[0]!.data).toEqual([84.4, 90, null]);
    // The rule's own target is the threshold line; the plan's target is a line of its own.
    expect(table.chart!.lines.map((l) => l.value)).toEqual([80, 90]);
    // Issue #11: conditions in words, the percent sign right after the number.
    expect(table.chart!.lines.map((l) => l.label)).toEqual([
      'Để xếp loại tốt: hài lòng trên 80%',
      'Mục tiêu 2025: từ 90% trở lên',
    ]);
    expect(table.downloads.map((d) => d.href)).toEqual([
      '/api/v1/stats/ratings.csv?instrument=sipas',
      '/api/v1/stats/ratings?instrument=sipas',
    ]);
  });

  it('draws no chart when every figure is suppressed', () => {
    const table = sipasTable(ratings(fig(3, null), [fig(3, null)]), { locale: 'en', query: {} })!;
    expect(table.chart).toBeUndefined();
    expect(table.chartEmpty).toBe(true);
  });

  it('units: each child links to its own figures and says why it cannot be ranked "good"', () => {
    const table = unitsTable(ratings(fig(30, 84.4), [fig(30, 90)]), { locale: 'vi', query: { period: 'quarter' } });
    const [a, b] = table.rows;
    expect(a!.header).toEqual({
      text: 'Phường Ninh Hiệp (đến 30/06/2025)',
      href: '/thong-ke/?ky=quy&don-vi=phuong-ninh-hiep',
    });
    expect(a!.cells.at(-1)).toMatchObject({
      // Issue #7 §3: the satisfaction condition names the sample it was judged on.
      text: 'Không đủ điều kiện xếp loại tốt: quá hạn từ 5% trở lên / hài lòng từ 80% trở xuống. Điều kiện hài lòng xét theo chỉ số SIPAS (nguồn phiếu: Có và không có mã hồ sơ).',
      tag: 'flag',
    });
    expect(b!.cells.at(-2)!.text).toBe('Chưa có hồ sơ');
    expect(b!.cells.at(-1)).toMatchObject({
      text: 'Chưa xác định được: chưa có hồ sơ trả kết quả; chưa có phiếu SIPAS',
      tag: 'unknown',
    });
  });

  it('dossiers: no dossiers is said as such, not as "not enough responses"', () => {
    const d: DossiersResult = {
      query: {
        unit: 'ninh-hoa',
        name: name('x'),
        valid_to: null,
        procedure: '',
        span: '2025',
        period: 'year',
        from: 'a',
        to: 'b',
      },
      label: 'records',
      min_n: 1,
      protection_computed_at: '2025-07-01T00:00:00.000Z',
      summary: { dossiers: 0, label: 'records', on_time: fig(0, null), late: fig(0, null) },
      series: [],
      units: [],
      thresholds: { late: { value: 5, target: null }, satisfaction: { value: 80, target: null } },
      targets: [],
    };
    const table = dossiersTable(d, { locale: 'en', query: {} });
    expect(table.rows.map((r) => r.cells[0]!.text)).toEqual(['No dossiers yet', 'No dossiers yet']);
    expect(table.chart).toBeUndefined();
  });
});
