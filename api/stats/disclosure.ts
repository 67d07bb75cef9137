/**
 * Statistical disclosure control of every published statistic (issue #7; method: docs/statistics.md).
 * Every statistics output (the JSON and CSV of /stats/…, the /thong-ke/ page that reads them, and
 * reports to come) asks this module which cells it may show and rounds what it shows here.
 *
 * The model: a *protection block* holds, for one source (an instrument, dossiers or feedback) and
 * one calendar year, the count n of every cell `item × unit × procedure × trust × period` that any
 * public query can show: units of the whole tree, every procedure and '' (all procedures), the trust
 * levels (all = verified + self-selected), the year, its quarters and its months. Cells add up along
 * four kinds of relation (a parent and its children, '' and the procedures, all and the two trust
 * levels, a period and its sub-periods). Two pseudo-cells make every relation an exact sum: a
 * parent's own responses (`#own`, not in any child) and answers without a procedure (`#none`); they
 * are never published.
 *
 * The rule, iterated until nothing changes:
 * 1. primary: a cell with 0 < n < minN is hidden (pseudo-cells too: a unit's own few answers are
 *    as sensitive as a commune's); a pseudo-cell with n ≥ minN is assumed known to everyone, which
 *    only makes the attacker stronger;
 * 2. complementary: a relation in which exactly one member with n > 0 is hidden gets a second one:
 *    a pseudo part if one has n > 0 (hiding it costs nothing: it is never shown), else the part
 *    (never the total) with the smallest n > 0 that is still shown (ties: the first key in
 *    code-point order), else the total.
 * At the fixpoint no relation has a single unknown, so no subtraction along one relation, or any
 * chain of them, recovers a hidden cell (api/stats/disclosure-audit.test.ts tries them all).
 */
import type { Instrument } from '../contracts/instrument.ts';
import type { FeedbackSummary } from '../contracts/published.ts';
import type { Figure, RatingSummary, TimelinessSummary } from '../contracts/stats.ts';
import { PSEUDO } from '../scoring/scoring.ts';
import { ratingQuestion } from './summaries.ts';

/** A sum: the total's n equals the sum of the parts' n. */
export interface Relation {
  total: string;
  parts: readonly string[];
}

/**
 * The hidden cells of a block: cells with 0 < n < minN, then complementary cells until every
 * relation has 0 or ≥ 2 hidden members with n > 0. `pseudo` cells are never shown, so they are the
 * first choice of a complementary cell.
 * @example protect(new Map([['p', 12], ['a', 3], ['b', 9]]), [{ total: 'p', parts: ['a', 'b'] }], 10, new Set()) // Set {'a', 'b'}
 */
export function protect(
  n: ReadonlyMap<string, number>,
  relations: readonly Relation[],
  minN: number,
  pseudo: ReadonlySet<string>,
): Set<string> {
  const count = (k: string) => n.get(k) ?? 0;
  const hidden = new Set<string>();
  for (const [k, v] of n) if (v > 0 && v < minN) hidden.add(k);
  const byKey = (a: string, b: string) =>
    Number(pseudo.has(b)) - Number(pseudo.has(a)) || count(a) - count(b) || (a < b ? -1 : a > b ? 1 : 0);
  for (let changed = true; changed;) {
    changed = false;
    for (const r of relations) {
      let alone = 0;
      if (hidden.has(r.total) && count(r.total) > 0) alone++;
      for (const p of r.parts) if (hidden.has(p) && count(p) > 0) alone++;
      if (alone !== 1) continue;
      const partner = r.parts.filter((p) => !hidden.has(p) && count(p) > 0).sort(byKey)[0] ?? r.total;
      // With exact sums a lone hidden member always leaves a shown part or the total to hide.
      if (hidden.has(partner)) throw new Error(`disclosure: relation of ${r.total} cannot be protected`);
      hidden.add(partner);
      changed = true;
    }
  }
  return hidden;
}

// ── Blocks ──────────────────────────────────────────────────────────────────────────────────────

export const OWN = '#own';
export const NO_PROCEDURE = '#none';
export const ALL_PROCEDURES = '';
export type Trust = 'all' | 'verified' | 'self-selected';

/** One count of the source, for one unit's subtree (rollups are already subtree totals). */
export interface LeafCount {
  item: string;
  unit: string;
  /** A procedure code or '' (all procedures: every answer, with or without a code). */
  procedure: string;
  /** 'all' for sources without trust levels (dossiers, feedback). */
  trust: Trust;
  /** 'YYYY-MM'. */
  month: string;
  n: number;
}

export const cellKey = (item: string, unit: string, procedure: string, trust: Trust, period: string) =>
  `${item}\u0001${unit}\u0001${procedure}\u0001${trust}\u0001${period}`;

/** The year, its quarters and its months, as db/stats.ts `periodsBetween` writes them. */
export function periodsOfYear(year: string): { quarters: string[]; months: string[] } {
  const months = Array.from({ length: 12 }, (_, i) => `${year}-${String(i + 1).padStart(2, '0')}`);
  return { quarters: [1, 2, 3, 4].map((q) => `${year}-Q${q}`), months };
}

export interface Block {
  minN: number;
  hidden: ReadonlySet<string>;
  /** Whether the cell is published as a figure ("fewer than minN" otherwise). */
  shown(item: string, unit: string, procedure: string, trust: Trust, period: string): boolean;
  /** Cells, relations and hidden cells, for the audit and the tests. */
  counts: ReadonlyMap<string, number>;
  relations: readonly Relation[];
}

/**
 * Builds and protects the block of one source and year from its monthly subtree counts.
 * @param parents every unit's parent (the whole tree: a parent = its children + its own)
 */
export function buildBlock(
  year: string,
  leaves: readonly LeafCount[],
  parents: ReadonlyMap<string, string | null>,
  minN: number,
  withTrust: boolean,
): Block {
  const quarterOf = (m: string) => `${year}-Q${Math.ceil(Number(m.slice(5, 7)) / 3)}`;
  const n = new Map<string, number>();
  const add = (k: string, v: number) => n.set(k, (n.get(k) ?? 0) + v);
  const items = new Set<string>();
  const units = new Set<string>();
  const procedures = new Set<string>([ALL_PROCEDURES]);
  for (const l of leaves) {
    if (l.month.slice(0, 4) !== year || l.n === 0) continue;
    items.add(l.item);
    units.add(l.unit);
    procedures.add(l.procedure);
    const trusts: Trust[] = withTrust && l.trust !== 'all' ? [l.trust, 'all'] : ['all'];
    for (const t of trusts)
      for (const p of [l.month, quarterOf(l.month), year]) add(cellKey(l.item, l.unit, l.procedure, t, p), l.n);
  }
  const split = (k: string) => k.split('\u0001') as [string, string, string, Trust, string];
  const children = new Map<string, string[]>();
  for (const [id, parent] of parents) if (parent) children.set(parent, [...(children.get(parent) ?? []), id]);
  const pseudo = new Set<string>();
  const addTo = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);

  // Answers without a procedure code: '' minus every code.
  const codeSum = new Map<string, number>();
  for (const [k, v] of n) {
    const [i, u, p, t, per] = split(k);
    if (p !== ALL_PROCEDURES) addTo(codeSum, cellKey(i, u, ALL_PROCEDURES, t, per), v);
  }
  for (const [k, v] of [...n]) {
    const [i, u, p, t, per] = split(k);
    if (p !== ALL_PROCEDURES) continue;
    const none = cellKey(i, u, NO_PROCEDURE, t, per);
    pseudo.add(none);
    if (v - (codeSum.get(k) ?? 0) > 0) n.set(none, v - (codeSum.get(k) ?? 0));
  }
  // A parent's own answers: the parent minus its children.
  const childSum = new Map<string, number>();
  for (const [k, v] of n) {
    const [i, u, p, t, per] = split(k);
    const parent = parents.get(u);
    if (parent) addTo(childSum, cellKey(i, parent, p, t, per), v);
  }
  for (const [k, v] of [...n]) {
    const [i, u, p, t, per] = split(k);
    if (!children.has(u)) continue;
    const own = cellKey(i, `${u}${OWN}`, p, t, per);
    pseudo.add(own);
    if (v - (childSum.get(k) ?? 0) > 0) n.set(own, v - (childSum.get(k) ?? 0));
  }

  // Every relation, with the parts that have n > 0 (a zero part is never hidden nor chosen).
  const groups = new Map<string, string[]>();
  const group = (cls: string, total: string, part: string) => {
    const g = `${cls}\u0002${total}`;
    const list = groups.get(g);
    if (list) list.push(part);
    else groups.set(g, [part]);
  };
  for (const [k, v] of n) {
    if (v <= 0) continue;
    const [i, u, p, t, per] = split(k);
    if (p !== ALL_PROCEDURES) group('p', cellKey(i, u, ALL_PROCEDURES, t, per), k);
    const parent = u.endsWith(OWN) ? u.slice(0, -OWN.length) : parents.get(u);
    if (parent && n.has(cellKey(i, parent, p, t, per))) group('u', cellKey(i, parent, p, t, per), k);
    if (withTrust && t !== 'all') group('t', cellKey(i, u, p, 'all', per), k);
    if (per.length === 7 && per[4] === '-' && per[5] !== 'Q') {
      group('q', cellKey(i, u, p, t, quarterOf(per)), k);
      group('ym', cellKey(i, u, p, t, year), k);
    } else if (per.includes('-Q')) group('yq', cellKey(i, u, p, t, year), k);
  }
  const relations: Relation[] = [...groups].map(([g, parts]) => ({ total: g.slice(g.indexOf('\u0002') + 1), parts }));

  const hidden = protect(n, relations, minN, pseudo);
  return {
    minN,
    hidden,
    counts: n,
    relations,
    shown: (item, unit, procedure, trust, period) => !hidden.has(cellKey(item, unit, procedure, trust, period)),
  };
}

// ── Publishing ──────────────────────────────────────────────────────────────────────────────────

/** What the tables show: one decimal (percent to 0.1, points and days to 0.1). */
export const DECIMALS = 1;

/** Rounds a published value to what the table shows, in JSON and CSV alike. */
export function rounded(x: number | null): number | null {
  if (x === null) return null;
  const f = 10 ** DECIMALS;
  return Math.round(x * f) / f;
}

/** A published count: the number, or null when it must read "fewer than min n". */
export function countOrNull(n: number, shown: boolean): number | null {
  return shown ? n : null;
}

/**
 * A figure as published: rounded to the table's decimals; hidden (value, interval and n withheld,
 * read as "fewer than min n") when its cell is hidden or it was below min n itself. n = 0 stays 0:
 * nobody is behind it.
 */
export function publishFigure(f: Figure, shown: boolean): Figure {
  if (!shown || f.suppressed || f.value === null)
    return { n: f.n === 0 ? 0 : null, value: null, low: null, high: null, suppressed: true };
  return { n: f.n, value: rounded(f.value), low: rounded(f.low), high: rounded(f.high), suppressed: false };
}

/** The items behind each SIPAS figure: its criteria, or its own question. */
function sipasItems(ins: Instrument) {
  const likert = (role: string) => ins.questions.filter((q) => q.type === 'likert5' && q.role === role);
  const criteria = likert('criterion');
  return {
    index: criteria.map((q) => q.id),
    factor: (id: string) => criteria.filter((q) => q.factor === id).map((q) => q.id),
    satisfaction: (id: string) =>
      likert('factor-satisfaction')
        .filter((q) => q.factor === id)
        .map((q) => q.id),
    overall: likert('overall').map((q) => q.id),
  };
}

/**
 * A rating summary as published: every figure shown only when the cell's responses and every item
 * it rests on are shown in the block (`shown(item)` for this cell's coordinates).
 */
export function publishRatingSummary(
  s: RatingSummary,
  ins: Instrument,
  shown: (item: string) => boolean,
): RatingSummary {
  const cell = shown(PSEUDO.responses);
  const all = (items: readonly string[]) => cell && items.every(shown);
  const base = { responses: countOrNull(s.responses ?? 0, cell), label: s.label };
  if (s.kind === 'sipas') {
    const it = sipasItems(ins);
    return {
      ...s,
      ...base,
      index: publishFigure(s.index, all(it.index)),
      factors: s.factors.map((f) => ({
        ...f,
        index: publishFigure(f.index, all(it.factor(f.id))),
        satisfaction: f.satisfaction && publishFigure(f.satisfaction, all(it.satisfaction(f.id))),
      })),
      overall: s.overall && publishFigure(s.overall, all(it.overall)),
    };
  }
  if (s.kind === 'dossier-evaluation') {
    const ok = all([PSEUDO.score]);
    return {
      ...s,
      ...base,
      score: { ...publishFigure(s.score, ok), max: s.score.max },
      grades: s.grades.map((g) => ({ ...g, share: publishFigure(g.share, ok) })),
    };
  }
  const q = ratingQuestion(ins);
  const ok = all(q ? [q.id] : []);
  return {
    ...s,
    ...base,
    satisfied: publishFigure(s.satisfied, ok),
    options: s.options.map((o) => ({ ...o, share: publishFigure(o.share, ok) })),
  };
}

/** Dossier timeliness as published (item "dossiers"). */
export function publishTimeliness(s: TimelinessSummary, shown: boolean): TimelinessSummary {
  return {
    ...s,
    dossiers: countOrNull(s.dossiers ?? 0, shown || s.dossiers === 0),
    on_time: publishFigure(s.on_time, shown),
    late: publishFigure(s.late, shown),
  };
}

/** Feedback handling as published: counts and the figures resting on them. */
export function publishFeedback(s: FeedbackSummary, shown: (item: string) => boolean): FeedbackSummary {
  const count = (n: number | null, item: string) => countOrNull(n ?? 0, n === 0 || shown(item));
  const answered = shown('answered');
  return {
    ...s,
    received: count(s.received, 'received'),
    answered: count(s.answered, 'answered'),
    rated: count(s.rated, 'rated'),
    on_time: publishFigure(s.on_time, answered),
    days_to_answer: publishFigure(s.days_to_answer, answered),
    satisfied: publishFigure(s.satisfied, shown('rated')),
    disputed: publishFigure(s.disputed, answered),
    reexamined_on_time: publishFigure(s.reexamined_on_time, shown('reexamined')),
  };
}

// ── Fixed periods ───────────────────────────────────────────────────────────────────────────────

export type SpanLevel = 'year' | 'quarter' | 'month';
const LEVELS: readonly SpanLevel[] = ['month', 'quarter', 'year'];

/**
 * The days and level of a fixed period ('2025', '2025-Q3', '2025-07').
 * @example spanRange('2025-Q3') // { level: 'quarter', year: '2025', from: '2025-07-01', to: '2025-09-30' }
 */
export function spanRange(span: string): { level: SpanLevel; year: string; from: string; to: string } {
  const year = span.slice(0, 4);
  const last = (m: number) => new Date(Date.UTC(Number(year), m, 0)).getUTCDate();
  const pad = (m: number) => String(m).padStart(2, '0');
  const q = /-Q([1-4])$/.exec(span);
  if (q) {
    const m = Number(q[1]) * 3;
    return { level: 'quarter', year, from: `${year}-${pad(m - 2)}-01`, to: `${year}-${pad(m)}-${last(m)}` };
  }
  if (span.length === 7) {
    const m = Number(span.slice(5, 7));
    return { level: 'month', year, from: `${span}-01`, to: `${span}-${last(m)}` };
  }
  return { level: 'year', year, from: `${year}-01-01`, to: `${year}-12-31` };
}

/** The series bucket inside a span: never coarser than the span itself. */
export function seriesLevel(asked: SpanLevel, span: SpanLevel): SpanLevel {
  return LEVELS.indexOf(asked) > LEVELS.indexOf(span) ? span : asked;
}
