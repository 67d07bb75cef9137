/**
 * The reform-results figures as tables. One model feeds the HTML table, the chart beside it and
 * the CSV download, so the three can never disagree (issue #2: "the CSV download matches the table").
 */
import type { ReformIndex, Target } from '../../api/contracts/content.ts';
import { toCsv as writeCsv } from '../../api/contracts/csv.ts';
import { comparatorText, formatNumber, formatPercent, l, useT } from '../i18n/index.ts';
import { content, provinceOf, unitById } from './content.ts';

/** The province this portal serves: its results and targets are the page's own. */
const HOME = 'khanh-hoa';

export type Cell = number | string | null;

export interface Column {
  key: string;
  label: string;
  numeric: boolean;
  /** Long notes (sources) fold away on the page; the CSV keeps them whole. */
  folded?: boolean;
}

export interface Row {
  cells: Record<string, Cell>;
  /** Keys of the cells that hold sample data (docs/domain.md §8: mark any figure not from a public source). */
  sample: string[];
}

export interface ChartSpec {
  type: 'bar' | 'line';
  /** Short enough for a 360 px phone (the table beside the chart has the full names). */
  labels: string[];
  datasets: { label: string; data: (number | null)[] }[];
  /** Horizontal reference lines (targets, the 80 % ranking threshold of the Khánh Hòa programme on KL 91-KL/TU). */
  lines: { label: string; value: number }[];
  yMin: number;
  yMax: number;
  title: string;
}

export interface DataTable {
  id: string;
  title: string;
  columns: Column[];
  rows: Row[];
  chart?: ChartSpec;
  notes: string[];
}

export function latestResult(index: ReformIndex, scope: string) {
  return index.results.filter((r) => r.scope === scope).sort((a, b) => b.year - a.year)[0];
}

function unitName(id: string, locale: string): string {
  return l(unitById(id).name, locale);
}

/** Field (PAR INDEX) or factor (SIPAS) values of one unit, one column per year. */
export function partsTable(index: ReformIndex, scope: string, locale: string): DataTable | undefined {
  const t = useT(locale);
  const results = index.results.filter((r) => r.scope === scope && r.parts.length > 0).sort((a, b) => a.year - b.year);
  const latest = results.at(-1);
  if (!latest) return undefined;
  const columns: Column[] = [
    { key: 'part', label: t('reform.part'), numeric: false },
    ...results.map((r) => ({ key: String(r.year), label: `${t('reform.year')} ${r.year} (%)`, numeric: true })),
  ];
  const overall: Row = {
    cells: { part: t('reform.overall'), ...Object.fromEntries(results.map((r) => [String(r.year), r.value])) },
    sample: results.filter((r) => r.source.sample).map((r) => String(r.year)),
  };
  const rows: Row[] = index.parts.map((part) => ({
    cells: {
      part: l(part.name, locale),
      ...Object.fromEntries(results.map((r) => [String(r.year), r.parts.find((p) => p.id === part.id)?.value ?? null])),
    },
    sample: results
      .filter((r) => r.source.sample && r.parts.some((p) => p.id === part.id && p.value !== null))
      .map((r) => String(r.year)),
  }));
  const title = `${t(index.id === 'par-index' ? 'reform.parTitle' : 'reform.sipasTitle', { year: latest.year })}: ${unitName(scope, locale)}`;
  const notes: string[] = [];
  const known = latest.parts.filter((p) => p.value !== null);
  const lowest = known.sort((a, b) => a.value! - b.value!)[0];
  if (lowest) {
    const name = index.parts.find((p) => p.id === lowest.id)!.name;
    notes.push(t('reform.lowest', { name: l(name, locale), value: formatPercent(lowest.value!, locale, 2) }));
  }
  return {
    id: `${index.id}-${scope}`,
    title,
    columns,
    rows: [overall, ...rows],
    notes,
    chart: {
      type: 'bar',
      title,
      labels: [t('reform.overall'), ...index.parts.map((part) => l(part.short ?? part.name, locale))],
      datasets: results.map((r) => ({
        label: String(r.year),
        data: [overall, ...rows].map((row) => {
          const v = row.cells[String(r.year)];
          return typeof v === 'number' ? v : null;
        }),
      })),
      lines: rankingThreshold(index, locale),
      yMin: 0,
      yMax: 100,
    },
  };
}

/** The ranking rule of Khánh Hòa's action programme for Conclusion 91-KL/TU (§III.1.c):
 * satisfaction of 80% or less keeps an agency from being ranked "tốt". */
function rankingThreshold(index: ReformIndex, locale: string): ChartSpec['lines'] {
  if (index.id !== 'sipas') return [];
  const rule = content().targets.find((x) => x.indicator === 'sipas' && x.scope === 'khanh-hoa');
  return rule
    ? [
        {
          label: `${useT(locale)('reform.targetLine')}: ${comparatorText(rule.comparator, formatPercent(rule.value, locale, String(rule.value).split('.')[1]?.length ?? 0), locale)}`,
          value: rule.value,
        },
      ]
    : [];
}

/** The index over the years for every scope, one chart line per scope and method: a line never
 * joins two years measured with different methods (docs/domain.md §5). */
export function yearsTable(index: ReformIndex, locale: string): DataTable {
  const t = useT(locale);
  const methods = content().methods;
  const results = [...index.results].sort((a, b) => a.scope.localeCompare(b.scope) || a.year - b.year);
  const years = [...new Set(results.map((r) => r.year))].sort((a, b) => a - b);
  const series = new Map<string, { label: string; data: (number | null)[] }>();
  for (const r of results) {
    const method = methods.find((m) => m.id === r.method);
    const key = `${r.scope}|${r.method ?? ''}`;
    if (!series.has(key))
      series.set(key, {
        label: `${unitName(r.scope, locale)}${method ? ` (${l(method.name, locale).replace(/^.*?(\d+\/QĐ-BNV).*$/, 'QĐ $1')})` : ''}`,
        data: years.map(() => null),
      });
    series.get(key)!.data[years.indexOf(r.year)] = r.value;
  }
  const notes: string[] = [];
  const used = methods.filter((m) => results.some((r) => r.method === m.id)).sort((a, b) => a.from_year - b.from_year);
  for (const m of used.slice(1)) notes.push(t('reform.methodChange', { year: m.from_year, name: l(m.name, locale) }));
  const title = t('reform.yearsTitle', { name: l(index.name, locale) });
  return {
    id: `${index.id}-years`,
    title,
    columns: [
      { key: 'scope', label: t('reform.scope'), numeric: false },
      { key: 'year', label: t('reform.year'), numeric: false },
      { key: 'value', label: t('reform.value'), numeric: true },
      { key: 'rank', label: t('reform.rank'), numeric: false },
      { key: 'method', label: t('reform.method'), numeric: false },
      { key: 'source', label: t('reform.source'), numeric: false, folded: true },
    ],
    rows: results.map((r) => ({
      cells: {
        scope: unitName(r.scope, locale),
        year: String(r.year),
        value: r.value,
        rank: r.rank && r.of ? `${r.rank}/${r.of}` : null,
        method: r.method ? l(methods.find((m) => m.id === r.method)!.name, locale) : null,
        source: r.source.ref,
      },
      sample: r.source.sample ? ['value'] : [],
    })),
    notes,
    chart: {
      type: 'line',
      title,
      labels: years.map(String),
      datasets: [...series.values()],
      lines: rankingThreshold(index, locale),
      yMin: 50,
      yMax: 100,
    },
  };
}

function targetValue(x: Target, locale: string): string {
  const digits = String(x.value).split('.')[1]?.length ?? 0; // as the plan writes it: 2, 0,5
  const value =
    x.unit_of_measure === 'percent' ? formatPercent(x.value, locale, digits) : formatNumber(x.value, locale, digits);
  return comparatorText(x.comparator, value, locale);
}

/** The targets of the plans of the home province and its units (a unit that belonged to a merged
 * province, e.g. Ninh Sơn of Ninh Thuận, counts: the province's successor is the home province). */
export function targetsTable(locale: string): DataTable {
  const t = useT(locale);
  const own = content().targets.filter((x) => provinceOf(x.scope).today === HOME);
  return targetRows(own, 'targets', t('reform.targetsTitle'), [], locale);
}

/**
 * Targets of a unit of another province (Hương Trà, Thừa Thiên Huế) are never shown as the home
 * province's (issue #7): each such unit gets its own table, titled and noted as an example.
 */
export function exampleTargetsTables(locale: string): DataTable[] {
  const t = useT(locale);
  const others = content().targets.filter((x) => provinceOf(x.scope).today !== HOME);
  return [...new Set(others.map((x) => x.scope))].map((scope) => {
    const names = { unit: unitName(scope, locale), province: unitName(provinceOf(scope).then, locale) };
    const table = targetRows(
      others.filter((x) => x.scope === scope),
      `targets-example-${scope}`,
      t('reform.exampleTitle', names),
      [t('reform.exampleNote', names)],
      locale,
    );
    // The CSV has no title: its scope column names the province too.
    for (const row of table.rows) row.cells.scope = `${names.unit} (${names.province})`;
    return table;
  });
}

function targetRows(list: Target[], id: string, title: string, notes: string[], locale: string): DataTable {
  const t = useT(locale);
  const targets = [...list].sort((a, b) => a.scope.localeCompare(b.scope) || a.from_year - b.from_year);
  return {
    id,
    title,
    columns: [
      { key: 'scope', label: t('reform.scope'), numeric: false },
      { key: 'target', label: t('reform.target'), numeric: false },
      { key: 'value', label: t('reform.value'), numeric: false },
      { key: 'period', label: t('reform.period'), numeric: false },
      { key: 'source', label: t('reform.source'), numeric: false, folded: true },
    ],
    rows: targets.map((x) => ({
      cells: {
        scope: unitName(x.scope, locale),
        target: l(x.text, locale),
        value: targetValue(x, locale),
        period: x.from_year === x.to_year ? String(x.from_year) : `${x.from_year}–${x.to_year}`,
        source: x.source.ref,
      },
      sample: x.source.sample ? ['value'] : [],
    })),
    notes,
  };
}

/** Every table of the reform-results page, in page order. */
export function reformTables(locale: string): DataTable[] {
  const out: DataTable[] = [];
  for (const index of content().indices) {
    const parts = partsTable(index, HOME, locale);
    if (parts) out.push(parts);
  }
  for (const index of content().indices) if (index.id === 'sipas') out.push(yearsTable(index, locale));
  for (const index of content().indices) if (index.id !== 'sipas') out.push(yearsTable(index, locale));
  out.push(targetsTable(locale), ...exampleTargetsTables(locale));
  return out;
}

/** How a cell reads in the HTML table. */
export function displayCell(cell: Cell, locale: string): string {
  if (cell === null) return useT(locale)('reform.notStated');
  if (typeof cell === 'number') return formatNumber(cell, locale);
  return cell;
}

/** The CSV's last column (issue #7): "Có"/"Yes" when some figure of the row is sample data. */
export function sampleFlag(row: Row, locale: string): string {
  return useT(locale)(row.sample.length > 0 ? 'data.yes' : 'data.no');
}

/**
 * RFC 4180 CSV with a header row of the column labels (written by api/contracts/csv.ts: BOM, CRLF,
 * formula guard); numbers with a dot decimal so spreadsheets and scripts read them the same in every
 * locale; a last column flags (yes/no) the rows that hold sample data.
 */
export function toCsv(table: DataTable, locale: string): string {
  const t = useT(locale);
  const header = [...table.columns.map((c) => c.label), t('data.sample')];
  return writeCsv(
    header,
    table.rows.map((row) => [...table.columns.map((c) => row.cells[c.key]), sampleFlag(row, locale)]),
  );
}
