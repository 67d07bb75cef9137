/**
 * The CSV downloads of the statistics (docs/architecture.md §4: every chart beside a table and CSV/JSON): one row
 * per unit, period and metric, built from the same JSON the endpoint answers, so the two never
 * disagree. Columns: api/contracts/stats.ts `csvColumns`, explained by GET /stats/dictionary.
 */
import type { Localized } from '../contracts/content.ts';
import { toCsv, type CsvCell } from '../contracts/csv.ts';
import {
  csvColumns,
  type CsvColumn,
  type DossiersResult,
  type Figure,
  type RankingFlag,
  type RatingSummary,
  type RatingsResult,
  type TimelinessSummary,
} from '../contracts/stats.ts';

interface MetricRow {
  metric: string;
  name: Localized;
  /** A figure, or a plain count (responses, dossiers: null when suppressed, docs/statistics.md). */
  figure: Figure | { count: number | null };
  unit: 'percent' | 'points' | 'count';
}

const named = (vi: string, en: string): Localized => ({ vi, en });
const prefixed = (vi: string, en: string, name: Localized): Localized => ({
  vi: `${vi}: ${name.vi}`,
  en: `${en}: ${name.en}`,
});

/** The metrics of one rating summary, in page order. */
export function ratingMetrics(s: RatingSummary): MetricRow[] {
  const rows: MetricRow[] = [
    { metric: 'responses', name: named('Số phiếu', 'Responses'), figure: { count: s.responses }, unit: 'count' },
  ];
  if (s.kind === 'sipas') {
    rows.push({ metric: 'sipas_index', name: named('Chỉ số SIPAS', 'SIPAS index'), figure: s.index, unit: 'percent' });
    for (const f of s.factors) {
      rows.push({
        metric: `factor:${f.id}`,
        name: prefixed('Yếu tố', 'Factor', f.name),
        figure: f.index,
        unit: 'percent',
      });
      if (f.satisfaction)
        rows.push({
          metric: `factor_satisfaction:${f.id}`,
          name: prefixed('Hài lòng với yếu tố', 'Satisfaction with factor', f.name),
          figure: f.satisfaction,
          unit: 'percent',
        });
    }
    if (s.overall)
      rows.push({
        metric: 'overall',
        name: named('Hài lòng chung', 'Overall satisfaction'),
        figure: s.overall,
        unit: 'percent',
      });
    // Per criterion, as the SIPAS method reports it (issue #7 §3): share answering 4–5 and 1–5 mean.
    for (const c of s.criteria) {
      rows.push({
        metric: `criterion:${c.id}`,
        name: prefixed('Tiêu chí (tỷ lệ mức 4–5)', 'Criterion (share 4–5)', c.name),
        figure: c.share,
        unit: 'percent',
      });
      rows.push({
        metric: `criterion_mean:${c.id}`,
        name: prefixed('Tiêu chí (điểm trung bình 1–5)', 'Criterion (mean 1–5)', c.name),
        figure: c.mean,
        unit: 'points',
      });
    }
  } else if (s.kind === 'dossier-evaluation') {
    const { max: _max, ...score } = s.score;
    rows.push({
      metric: 'score_mean',
      name: named('Điểm đánh giá trung bình', 'Mean evaluation score'),
      figure: score,
      unit: 'points',
    });
    for (const g of s.grades)
      rows.push({
        metric: `grade:${g.id}`,
        name: prefixed('Xếp loại', 'Grade', g.name),
        figure: g.share,
        unit: 'percent',
      });
  } else {
    rows.push({
      metric: 'satisfied',
      name: named('Tỷ lệ hài lòng', 'Satisfied'),
      figure: s.satisfied,
      unit: 'percent',
    });
    for (const o of s.options)
      rows.push({
        metric: `option:${o.id}`,
        name: prefixed('Lựa chọn', 'Answer', o.name),
        figure: o.share,
        unit: 'percent',
      });
  }
  return rows;
}

export function timelinessMetrics(s: TimelinessSummary): MetricRow[] {
  return [
    { metric: 'dossiers', name: named('Số hồ sơ', 'Dossiers'), figure: { count: s.dossiers }, unit: 'count' },
    { metric: 'on_time', name: named('Đúng hạn', 'On time'), figure: s.on_time, unit: 'percent' },
    { metric: 'late', name: named('Quá hạn', 'Late'), figure: s.late, unit: 'percent' },
  ];
}

const LATE_DOSSIERS = named('Tỷ lệ hồ sơ quá hạn', 'Late dossiers');

// Figures stay numbers so the formula guard of api/contracts/csv.ts never touches them.
type Line = Record<CsvColumn, CsvCell>;

function line(
  unit: { unit: string; name: Localized },
  period: string,
  instrument: string,
  label: string,
  flag: RankingFlag | undefined,
  m: MetricRow,
): Line {
  const f = m.figure;
  const isCount = 'count' in f;
  return {
    unit: unit.unit,
    unit_name_vi: unit.name.vi,
    unit_name_en: unit.name.en,
    period,
    instrument,
    metric: m.metric,
    metric_name_vi: m.name.vi,
    metric_name_en: m.name.en,
    n: isCount ? f.count : f.n,
    value: isCount ? f.count : f.value,
    low: isCount ? '' : f.low,
    high: isCount ? '' : f.high,
    value_unit: m.unit,
    suppressed: String(isCount ? f.count === null : f.suppressed),
    label,
    flag: flag ? flag.reasons.join(';') : '',
  };
}

/** RFC 4180 with a header row, CRLF and a BOM (api/contracts/csv.ts), as the reform-results
 * downloads; numbers with a dot decimal, rounded as published (api/stats/disclosure.ts); a
 * suppressed figure or count has an empty n and value and suppressed = true. */
function render(lines: Line[]): string {
  return toCsv(
    csvColumns,
    lines.map((l) => csvColumns.map((c) => l[c])),
  );
}

const range = (q: { span: string }) => q.span;

/**
 * Rows: the whole span for the unit (period = the span, e.g. "2025"), each period of the series, then each
 * child unit over the whole range with its late dossiers and its ranking flag.
 */
export function ratingsCsv(r: RatingsResult): string {
  const lines: Line[] = [];
  const scope = { unit: r.query.unit, name: r.query.name };
  const ins = r.query.instrument;
  for (const m of ratingMetrics(r.summary)) lines.push(line(scope, range(r.query), ins, r.summary.label, undefined, m));
  for (const p of r.series)
    for (const m of ratingMetrics(p.summary)) lines.push(line(scope, p.period, ins, p.summary.label, undefined, m));
  for (const u of r.units) {
    const metrics = [
      ...ratingMetrics(u.summary),
      { metric: 'late_dossiers', name: LATE_DOSSIERS, figure: u.late, unit: 'percent' as const },
    ];
    for (const m of metrics)
      lines.push(line(u, range(r.query), ins, m.metric === 'late_dossiers' ? 'records' : u.summary.label, u.flag, m));
  }
  return render(lines);
}

export function dossiersCsv(r: DossiersResult): string {
  const lines: Line[] = [];
  const scope = { unit: r.query.unit, name: r.query.name };
  for (const m of timelinessMetrics(r.summary)) lines.push(line(scope, range(r.query), '', r.label, undefined, m));
  for (const p of r.series)
    for (const m of timelinessMetrics(p.summary)) lines.push(line(scope, p.period, '', r.label, undefined, m));
  for (const u of r.units)
    for (const m of timelinessMetrics(u.summary)) lines.push(line(u, range(r.query), '', r.label, undefined, m));
  return render(lines);
}
