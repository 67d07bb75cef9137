/**
 * The reform office's ranking of units and survey coverage (issue #10 §1–2; docs/reform-office.md).
 *
 * Ranking: every unit below the scope that handles procedures, for one fixed period, with the late
 * share of its returned dossiers and its SIPAS index as published (api/stats/disclosure.ts), and the
 * verdict of api/stats/verdicts.ts under the rule of Khánh Hòa's action programme implementing
 * Kết luận 91-KL/TU: the same verdict the unit gets on /thong-ke/, resting on published figures only.
 *
 * Coverage: for the same units, the dossiers returned (N), the sample the survey method asks for
 * (Slovin, n = N / (1 + N·e²), the formula of the SIPAS surveys of the Ministry of Home Affairs), the
 * one-time invitations issued and redeemed, and whether the unit was measured at all (Kế hoạch số
 * 395/KH-UBND of Ninh Sơn: satisfaction measured at 100 % of the agencies handling procedures).
 */
import type { Client } from '@libsql/client';
import type { Instrument } from '../contracts/instrument.ts';
import type { Figure, Thresholds } from '../contracts/stats.ts';
import {
  DEFAULT_MARGIN,
  levelOfKind,
  type CoverageResult,
  type RankingLevel,
  type RankingResult,
  type RankingSort,
  type RankingTarget,
} from '../contracts/ranking.ts';
import type { Target } from '../contracts/content.ts';
import { ProblemError } from '../problem.ts';
import { resolveInstrument } from '../ratings/instruments.ts';
import { countOrNull, publishRatingSummary, publishTimeliness, spanRange } from './disclosure.ts';
import { dossiersBlock, ratingsBlock } from './blocks.ts';
import { timelinessSummaryOf } from './summaries.ts';
import { verdictOf, type PublishSummary } from './verdicts.ts';
import { loadTargets, thresholdsFor, toStats } from './targets.ts';
import { compareVi } from '../contracts/text.ts';
import { dossierTimelinessByUnit, findUnit, instrumentVersionsOf, ratingCellsByUnit } from '../../db/stats.ts';
import { subtreeCte, unitWithAncestors } from '../../db/units.ts';
import { nextDay, vnDay, vnDayStart } from '../contracts/vn-time.ts';
import { slovin } from '../../db/sample-plans.ts';

/** The first year the portal can hold figures for: earlier periods are outside the data. */
export const FIRST_YEAR = 2015;

export interface RankedUnit {
  id: string;
  parentId: string | null;
  kind: string;
  level: RankingLevel;
  name: { vi: string; en: string };
  validTo: string | null;
}

export interface RankingScope {
  unit: { id: string; name: { vi: string; en: string } };
  span: string;
  year: string;
  from: string;
  to: string;
  units: RankedUnit[];
}

/**
 * Checks the scope's unit and the period (a fixed period inside the data: not before
 * {@link FIRST_YEAR}, not starting after today in Viet Nam) and lists the units ranked: every unit
 * below the scope that existed in the period, sits at a ranked level and handles procedures (named
 * in content/procedures, or with dossiers registered for it). A unit that ended keeps its own name.
 */
export async function rankingScope(
  client: Client,
  q: { unit: string; span?: string | undefined; level: string },
  now: Date,
): Promise<RankingScope> {
  const root = await findUnit(client, q.unit);
  if (!root) throw new ProblemError(422, 'unknown_unit', { errors: [{ path: 'unit', code: 'invalid_value' }] });
  const today = vnDay(now);
  const span = q.span ?? today.slice(0, 4);
  const { year, from, to } = spanRange(span);
  if (Number(year) < FIRST_YEAR || from > today)
    throw new ProblemError(422, 'period_out_of_range', { errors: [{ path: 'span', code: 'invalid_value' }] });
  const cte = subtreeCte([root.id]);
  const rs = await client.execute({
    sql: `${cte.sql}
          SELECT u.id, u.parent_id, u.kind, u.name_vi, u.name_en, u.valid_to FROM units u JOIN scope s ON s.id = u.id
          WHERE u.id <> ? AND u.valid_from <= ? AND (u.valid_to IS NULL OR u.valid_to >= ?)
            AND (EXISTS (SELECT 1 FROM procedure_units p WHERE p.unit_id = u.id)
                 OR EXISTS (SELECT 1 FROM dossier_rollups d WHERE d.unit_id = u.id AND d.day BETWEEN ? AND ?))`,
    args: [...cte.args, root.id, to, from, from, to],
  });
  const units: RankedUnit[] = [];
  for (const r of rs.rows) {
    const level = levelOfKind(String(r.kind));
    if (!level || (q.level !== 'all' && q.level !== level)) continue;
    units.push({
      id: String(r.id),
      parentId: r.parent_id === null ? null : String(r.parent_id),
      kind: String(r.kind),
      level,
      name: { vi: String(r.name_vi), en: String(r.name_en) },
      validTo: r.valid_to === null ? null : String(r.valid_to),
    });
  }
  return { unit: { id: root.id, name: root.name }, span, year, from, to, units };
}

/** The SIPAS instrument as the statistics read it: the newest definition, every stored version. */
async function sipasInstrument(client: Client): Promise<{ ins: Instrument; versions: string[] } | undefined> {
  const versions = await instrumentVersionsOf(client, 'sipas');
  const ins = versions[0] && (await resolveInstrument(client, 'sipas', versions[0].version));
  return ins ? { ins, versions: versions.map((v) => v.version) } : undefined;
}

/** The indicators of content/reform.yaml a ranking row sets beside its figures. */
export const RANKING_INDICATORS = ['late-dossiers', 'on-time-dossiers', 'sipas', 'sipas-procedures'] as const;

/**
 * The targets of the plans for a unit: for each indicator, those of the nearest unit in its chain
 * (itself, then its ancestors) whose plan sets one for a year of the period. The ranking rule's own
 * targets are the thresholds, shown once for the table, not as targets.
 */
export function unitTargets(
  targets: readonly Target[],
  chain: readonly string[],
  year: number,
  th: Thresholds,
): RankingTarget[] {
  const rule = new Set([th.late.target, th.satisfaction.target]);
  const out: RankingTarget[] = [];
  for (const indicator of RANKING_INDICATORS)
    for (const scope of chain) {
      const found = targets.filter(
        (t) =>
          t.scope === scope && t.indicator === indicator && !rule.has(t.id) && t.from_year <= year && t.to_year >= year,
      );
      if (found.length === 0) continue;
      for (const t of found) out.push({ ...toStats(t), scope });
      break;
    }
  return out;
}

const VERDICT_ORDER = { 'cannot-be-good': 0, undetermined: 1, 'meets-both': 2 } as const;

/**
 * Sorts the rows. Default order: the worst first (cannot be good first, highest late share, lowest
 * satisfaction) or A–Z for names; withheld figures always last; ties by name in Vietnamese order.
 */
export function sortRanking(
  rows: RankingResult['units'],
  sort: RankingSort,
  order: 'asc' | 'desc' | undefined,
): { rows: RankingResult['units']; order: 'asc' | 'desc' } {
  const dir = order ?? (sort === 'late' ? 'desc' : 'asc');
  const sign = dir === 'asc' ? 1 : -1;
  const byName = (a: RankingResult['units'][number], b: RankingResult['units'][number]) =>
    compareVi(a.name.vi, b.name.vi) || (a.unit < b.unit ? -1 : a.unit > b.unit ? 1 : 0);
  const value = (r: RankingResult['units'][number]): number | null => {
    if (sort === 'verdict') return VERDICT_ORDER[r.verdict.verdict];
    if (sort === 'late') return r.verdict.late.value;
    if (sort === 'satisfaction') return r.verdict.satisfaction.value;
    return null;
  };
  const sorted = [...rows].sort((a, b) => {
    if (sort === 'name') return sign * byName(a, b);
    const x = value(a);
    const y = value(b);
    if (x === null || y === null) return x === y ? byName(a, b) : x === null ? 1 : -1;
    return sign * (x - y) || byName(a, b);
  });
  return { rows: sorted, order: dir };
}

/** The ranking of the scope's units (see the module comment). */
export async function buildRanking(
  client: Client,
  q: { unit: string; span?: string | undefined; level: string; sort: RankingSort; order?: 'asc' | 'desc' | undefined },
  opts: { minN: number; contentDir: string; now: Date },
): Promise<RankingResult> {
  const scope = await rankingScope(client, q, opts.now);
  const ids = scope.units.map((u) => u.id);
  const sipas = await sipasInstrument(client);
  const period = { from: scope.from, to: scope.to, procedureCode: '' };
  const [late, cells, dossierBlock, sipasBlock, chains] = await Promise.all([
    dossierTimelinessByUnit(client, ids, period),
    sipas
      ? ratingCellsByUnit(client, ids, { ...period, instrumentVersions: sipas.versions })
      : Promise.resolve(new Map()),
    dossiersBlock(client, scope.year, opts.minN, opts.now),
    sipas ? ratingsBlock(client, sipas.ins, sipas.versions, scope.year, opts.minN, opts.now) : undefined,
    Promise.all(ids.map((id) => unitWithAncestors(client, id))),
  ]);
  const targets = loadTargets(opts.contentDir);
  const year = Number(scope.year);
  const rootChain = await unitWithAncestors(client, scope.unit.id);
  const rootThresholds = thresholdsFor(targets, rootChain, year);
  const rows: RankingResult['units'] = scope.units.map((u, i) => {
    const chain = chains[i]!;
    const th = thresholdsFor(targets, chain, year);
    const shown = dossierBlock.block.shown('dossiers', u.id, '', 'all', scope.span);
    const timeliness = publishTimeliness(
      timelinessSummaryOf(late.get(u.id) ?? { total: 0, onTime: 0 }, opts.minN),
      shown,
    );
    const publish: PublishSummary = (s, t) =>
      sipas && sipasBlock
        ? publishRatingSummary(s, sipas.ins, (item) => sipasBlock.block.shown(item, u.id, '', t, scope.span))
        : s;
    const verdict = sipas
      ? verdictOf(timeliness.late, sipas.ins, cells.get(u.id) ?? [], opts.minN, th, publish)
      : noSurveyVerdict(timeliness.late, th);
    return {
      unit: u.id,
      name: u.name,
      kind: u.kind,
      level: u.level,
      parent: u.parentId,
      valid_to: u.validTo,
      dossiers: timeliness.dossiers,
      verdict,
      targets: unitTargets(targets, chain, year, th),
    };
  });
  const sorted = sortRanking(rows, q.sort, q.order);
  const ruleIds = new Set([rootThresholds.late.target, rootThresholds.satisfaction.target]);
  return {
    query: {
      unit: scope.unit.id,
      name: scope.unit.name,
      span: scope.span,
      from: scope.from,
      to: scope.to,
      level: q.level as RankingResult['query']['level'],
      sort: q.sort,
      order: sorted.order,
    },
    min_n: opts.minN,
    thresholds: rootThresholds,
    rule_sources: targets.filter((t) => ruleIds.has(t.id)).map(toStats),
    units: sorted.rows,
  };
}

/** Without any SIPAS instrument stored, the satisfaction condition has no data. */
function noSurveyVerdict(late: Figure, th: Thresholds): RankingResult['units'][number]['verdict'] {
  const none: Figure = { n: 0, value: null, low: null, high: null, suppressed: true };
  const lateFailed = !late.suppressed && late.value !== null && late.value >= th.late.value;
  return {
    verdict: lateFailed ? 'cannot-be-good' : 'undetermined',
    conditions: [
      { condition: 'late', status: lateFailed ? 'failed' : 'undetermined', reason: lateFailed ? null : 'no-data' },
      { condition: 'satisfaction', status: 'undetermined', reason: 'no-data' },
    ],
    late,
    satisfaction: none,
    satisfaction_basis: null,
  };
}

// ── Coverage ────────────────────────────────────────────────────────────────────────────────────

/** Slovin's n = N / (1 + N·e²), rounded up (db/sample-plans.ts, shared with the sample plans). */
export { slovin };

/**
 * The margin of error from the query: percent, 1–20, at most two decimals; anything else is a 422
 * `margin_out_of_range` (issue #10: a sample planned at e = 50 % means nothing).
 */
export function parseMargin(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULT_MARGIN;
  const ok = /^\d{1,2}(?:\.\d{1,2})?$/.test(raw.trim());
  const value = ok ? Number(raw.trim()) : NaN;
  if (!(value >= 1 && value <= 20))
    throw new ProblemError(422, 'margin_out_of_range', { errors: [{ path: 'margin', code: 'invalid_value' }] });
  return value;
}

/** Invitations issued and redeemed per unit subtree, for dossiers returned in [from, to] (Viet Nam days). */
export async function tokenCounts(
  client: Client,
  from: string,
  to: string,
): Promise<Map<string, { issued: number; redeemed: number }>> {
  const [rs, parents] = await Promise.all([
    client.execute({
      sql: `SELECT d.unit_id, count(*) AS issued, count(t.redeemed_at) AS redeemed
            FROM survey_tokens t JOIN dossiers d ON d.id = t.dossier_id
            WHERE d.returned_at >= ? AND d.returned_at < ? GROUP BY d.unit_id`,
      args: [vnDayStart(from), vnDayStart(nextDay(to))],
    }),
    client.execute('SELECT id, parent_id FROM units'),
  ]);
  const parentOf = new Map(parents.rows.map((r) => [String(r.id), r.parent_id === null ? null : String(r.parent_id)]));
  const out = new Map<string, { issued: number; redeemed: number }>();
  for (const r of rs.rows) {
    // Subtree totals, like the rollups: the unit and each ancestor.
    for (let u: string | null | undefined = String(r.unit_id), i = 0; u && i < 32; u = parentOf.get(u), i++) {
      const acc = out.get(u) ?? { issued: 0, redeemed: 0 };
      acc.issued += Number(r.issued);
      acc.redeemed += Number(r.redeemed);
      out.set(u, acc);
    }
  }
  return out;
}

/** Units with at least one rating of any survey in the months of [from, to] (subtree totals). */
export async function measuredUnits(client: Client, from: string, to: string): Promise<Set<string>> {
  const rs = await client.execute({
    sql: `SELECT DISTINCT unit_id FROM rating_rollups_month
          WHERE metric = '_responses' AND value = '' AND procedure_code = '' AND month BETWEEN ? AND ? AND n > 0`,
    args: [from.slice(0, 7), to.slice(0, 7)],
  });
  return new Set(rs.rows.map((r) => String(r.unit_id)));
}

const share = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 1000) / 10 : null);

/** A count as published: 0 and counts of at least min n; anything between reads "fewer than min n". */
const smallCount = (n: number, minN: number, shown: boolean) => countOrNull(n, shown && (n === 0 || n >= minN));

/** Coverage of the scope's units (see the module comment): unmeasured units first, then by name. */
export async function buildCoverage(
  client: Client,
  q: { unit: string; span?: string | undefined; level: string; margin?: string | undefined },
  opts: { minN: number; now: Date },
): Promise<CoverageResult> {
  const margin = parseMargin(q.margin);
  const scope = await rankingScope(client, q, opts.now);
  const ids = scope.units.map((u) => u.id);
  const [late, tokens, measured, dossierBlock] = await Promise.all([
    dossierTimelinessByUnit(client, ids, { from: scope.from, to: scope.to, procedureCode: '' }),
    tokenCounts(client, scope.from, scope.to),
    measuredUnits(client, scope.from, scope.to),
    dossiersBlock(client, scope.year, opts.minN, opts.now),
  ]);
  const e = margin / 100;
  const rows: CoverageResult['units'] = scope.units.map((u) => {
    const total = late.get(u.id)?.total ?? 0;
    const shown = total === 0 || dossierBlock.block.shown('dossiers', u.id, '', 'all', scope.span);
    const t = tokens.get(u.id) ?? { issued: 0, redeemed: 0 };
    const issued = smallCount(t.issued, opts.minN, shown);
    const redeemed = smallCount(t.redeemed, opts.minN, shown);
    const needed = shown ? slovin(total, e) : null;
    return {
      unit: u.id,
      name: u.name,
      kind: u.kind,
      level: u.level,
      parent: u.parentId,
      valid_to: u.validTo,
      dossiers: shown ? total : null,
      sample_needed: needed,
      tokens_issued: issued,
      tokens_redeemed: redeemed,
      response_rate: issued !== null && redeemed !== null ? share(redeemed, issued) : null,
      progress:
        needed !== null && redeemed !== null ? (needed === 0 ? null : Math.min(100, share(redeemed, needed)!)) : null,
      measured: measured.has(u.id),
    };
  });
  rows.sort(
    (a, b) => Number(a.measured) - Number(b.measured) || compareVi(a.name.vi, b.name.vi) || (a.unit < b.unit ? -1 : 1),
  );
  return {
    query: {
      unit: scope.unit.id,
      name: scope.unit.name,
      span: scope.span,
      from: scope.from,
      to: scope.to,
      level: q.level as CoverageResult['query']['level'],
      margin,
    },
    min_n: opts.minN,
    formula: 'n = N / (1 + N·e²)',
    units: rows,
  };
}
