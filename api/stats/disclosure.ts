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
  const ids = new Map<string, number>();
  const keys: string[] = [];
  const id = (k: string) => {
    let i = ids.get(k);
    if (i === undefined) ids.set(k, (i = keys.push(k) - 1));
    return i;
  };
  for (const k of n.keys()) id(k);
  const rels = relations.map((r) => ({ total: id(r.total), parts: r.parts.map(id) }));
  const count = Float64Array.from(keys, (k) => n.get(k) ?? 0);
  const isPseudo = Uint8Array.from(keys, (k) => (pseudo.has(k) ? 1 : 0));
  const hidden = drain(protectSteps((i) => keys[i]!, keys.length, count, isPseudo, toCsr(rels), minN));
  return new Set(keys.filter((_, i) => hidden[i] === 1));
}

/** Relations as flat arrays: relation r is `members[start[r]]` (its total) followed by its parts up
 * to `start[r + 1]`. */
interface Csr {
  start: Int32Array;
  members: Int32Array;
}

function toCsr(rels: readonly { total: number; parts: readonly number[] }[]): Csr {
  const start = new Int32Array(rels.length + 1);
  for (let r = 0; r < rels.length; r++) start[r + 1] = start[r]! + 1 + rels[r]!.parts.length;
  const members = new Int32Array(start[rels.length]!);
  for (let r = 0, o = 0; r < rels.length; r++) {
    members[o++] = rels[r]!.total;
    for (const p of rels[r]!.parts) members[o++] = p;
  }
  return { start, members };
}

/** How many loop turns between two yields of a step function (a background build gives the event
 * loop back at each yield). */
const SLICE = 4096;

/** Runs a step function to its end at once (the synchronous build). */
export function drain<T>(steps: Generator<void, T, void>): T {
  for (;;) {
    const s = steps.next();
    if (s.done) return s.value;
  }
}

/**
 * The rule of {@link protect} on numbered cells, the same passes in the same order: pass after pass
 * over the relations in their order, a relation with exactly one hidden member (n > 0) gets its
 * partner. The number of hidden members of each relation is kept up to date as cells are hidden,
 * so a pass only looks at relations with exactly one, and a new pass starts at the first relation
 * that got its single hidden member behind the point the previous pass had reached: the relations
 * before it would be skipped by a full pass anyway. Same result, without re-reading every relation
 * on every pass.
 */
function* protectSteps(
  key: (cell: number) => string,
  cells: number,
  count: Float64Array,
  pseudo: Uint8Array,
  rel: Csr,
  minN: number,
): Generator<void, Uint8Array, void> {
  const relations = rel.start.length - 1;
  const hidden = new Uint8Array(cells);
  for (let i = 0; i < cells; i++) if (count[i]! > 0 && count[i]! < minN) hidden[i] = 1;
  // The relations each cell is a member of.
  const degree = new Int32Array(cells + 1);
  for (let j = 0; j < rel.members.length; j++) degree[rel.members[j]! + 1]!++;
  for (let i = 0; i < cells; i++) degree[i + 1]! += degree[i]!;
  const memberOf = new Int32Array(rel.members.length);
  const fill = degree.slice(0, cells);
  for (let r = 0; r < relations; r++) {
    for (let j = rel.start[r]!; j < rel.start[r + 1]!; j++) memberOf[fill[rel.members[j]!]!++] = r;
    if ((r & (SLICE - 1)) === 0) yield;
  }
  const alone = new Int32Array(relations);
  for (let r = 0; r < relations; r++)
    for (let j = rel.start[r]!; j < rel.start[r + 1]!; j++) {
      const m = rel.members[j]!;
      if (hidden[m] === 1 && count[m]! > 0) alone[r]!++;
    }
  // byKey of the rule: pseudo first, then the smallest n, then the key (UTF-16 order, as `<`).
  const before = (a: number, b: number) =>
    pseudo[a] !== pseudo[b] ? pseudo[a] === 1 : count[a] !== count[b] ? count[a]! < count[b]! : key(a) < key(b);
  let from = 0;
  let work = 0;
  while (from < relations) {
    let next = relations;
    for (let r = from; r < relations; r++) {
      if ((++work & (SLICE - 1)) === 0) yield;
      if (alone[r] !== 1) continue;
      let partner = -1;
      for (let j = rel.start[r]! + 1; j < rel.start[r + 1]!; j++) {
        const p = rel.members[j]!;
        if (hidden[p] === 0 && count[p]! > 0 && (partner < 0 || before(p, partner))) partner = p;
      }
      if (partner < 0) partner = rel.members[rel.start[r]!]!;
      // With exact sums a lone hidden member always leaves a shown part or the total to hide; a
      // total of n = 0 would leave the relation alone for ever (the full passes would fail on it).
      if (hidden[partner] === 1 || count[partner] === 0)
        throw new Error(`disclosure: relation of ${key(rel.members[rel.start[r]!]!)} cannot be protected`);
      hidden[partner] = 1;
      for (let j = degree[partner]!; j < degree[partner + 1]!; j++) {
        const q = memberOf[j]!;
        if (++alone[q]! === 1 && q < r && q < next) next = q;
      }
    }
    from = next;
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
  return drain(blockSteps(year, leaves, parents, minN, withTrust, true));
}

/**
 * {@link buildBlock} in slices: the same steps, giving the event loop back every `sliceMs`, for a
 * build that runs beside the requests (api/stats/blocks.ts). Same result. Without `detail` the block
 * keeps only `shown` (a cached block need not hold its counts and relations).
 */
export async function buildBlockInSlices(
  year: string,
  leaves: readonly LeafCount[],
  parents: ReadonlyMap<string, string | null>,
  minN: number,
  withTrust: boolean,
  options: { sliceMs?: number; detail?: boolean } = {},
): Promise<Block> {
  const sliceMs = options.sliceMs ?? 8;
  const steps = blockSteps(year, leaves, parents, minN, withTrust, options.detail ?? true);
  for (;;) {
    const until = performance.now() + sliceMs;
    for (;;) {
      const s = steps.next();
      if (s.done) return s.value;
      if (performance.now() >= until) break;
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** Coordinates as numbers: item, unit, procedure, trust and period each numbered in the block; a
 * cell is the pair (item and unit, procedure and trust and period), each pair member a small
 * integer, which V8 hashes much faster than a string or a large double. */
const RADIX = [1024, 65536, 65536, 4, 32] as const;
type Place = readonly [number, number];

/** The place of a cell's coordinates; undefined when one was never seen (`peek`: nothing added,
 * as for a query's coordinates). */
function place(codes: readonly Map<string, number>[], names: readonly string[], peek: boolean): Place | undefined {
  const x = [0, 0];
  for (let d = 0; d < 5; d++) {
    const dim = codes[d]!;
    let code = dim.get(names[d]!);
    if (code === undefined) {
      if (peek) return undefined;
      code = dim.size;
      if (code >= RADIX[d]!) throw new Error(`disclosure: more than ${RADIX[d]} values in one dimension`);
      dim.set(names[d]!, code);
    }
    const half = d < 2 ? 0 : 1;
    x[half] = x[half]! * RADIX[d]! + code;
  }
  return x as unknown as Place;
}

/** A map keyed by a {@link Place}. */
class Grid<V> {
  private readonly rows = new Map<number, Map<number, V>>();
  get(p: Place): V | undefined {
    return this.rows.get(p[0])?.get(p[1]);
  }
  set(p: Place, v: V): void {
    let row = this.rows.get(p[0]);
    if (!row) this.rows.set(p[0], (row = new Map()));
    row.set(p[1], v);
  }
}

/**
 * The cells of a block, numbered in the order they were first counted (the order the relations,
 * and so the protection, follow). A cell is found by the numbers of its coordinates, so building a
 * block never joins or splits a key; the key string is made once per cell, at the end.
 */
class Cells {
  readonly codes = RADIX.map(() => new Map<string, number>());
  readonly ids = new Grid<number>();
  readonly n: number[] = [];
  readonly item: string[] = [];
  readonly unit: string[] = [];
  readonly procedure: string[] = [];
  readonly trust: Trust[] = [];
  readonly period: string[] = [];
  /** Cells that are only the total of a relation, with no count of their own (n = 0). */
  readonly virtual: boolean[] = [];

  place(item: string, unit: string, procedure: string, trust: Trust, period: string, peek = false): Place | undefined {
    return place(this.codes, [item, unit, procedure, trust, period], peek);
  }

  id(item: string, unit: string, procedure: string, trust: Trust, period: string, virtual = false): number {
    const x = this.place(item, unit, procedure, trust, period)!;
    let i = this.ids.get(x);
    if (i === undefined) {
      i = this.n.push(0) - 1;
      this.ids.set(x, i);
      this.item.push(item);
      this.unit.push(unit);
      this.procedure.push(procedure);
      this.trust.push(trust);
      this.period.push(period);
      this.virtual.push(virtual);
    }
    return i;
  }

  find(item: string, unit: string, procedure: string, trust: Trust, period: string): number | undefined {
    const x = this.place(item, unit, procedure, trust, period, true);
    const i = x === undefined ? undefined : this.ids.get(x);
    return i === undefined || this.virtual[i] ? undefined : i;
  }

  key(i: number): string {
    return cellKey(this.item[i]!, this.unit[i]!, this.procedure[i]!, this.trust[i]!, this.period[i]!);
  }
}

function* blockSteps(
  year: string,
  leaves: readonly LeafCount[],
  parents: ReadonlyMap<string, string | null>,
  minN: number,
  withTrust: boolean,
  detail: boolean,
): Generator<void, Block, void> {
  const quarterOf = (m: string) => `${year}-Q${Math.ceil(Number(m.slice(5, 7)) / 3)}`;
  const c = new Cells();
  let work = 0;
  const tick = () => (++work & (SLICE - 1)) === 0;
  for (const l of leaves) {
    if (l.month.slice(0, 4) !== year || l.n === 0) continue;
    const trusts: Trust[] = withTrust && l.trust !== 'all' ? [l.trust, 'all'] : ['all'];
    for (const t of trusts)
      for (const p of [l.month, quarterOf(l.month), year]) c.n[c.id(l.item, l.unit, l.procedure, t, p)]! += l.n;
    if (tick()) yield;
  }
  const hasChildren = new Set<string>();
  for (const parent of parents.values()) if (parent) hasChildren.add(parent);

  // Answers without a procedure code: '' minus every code.
  const codeSum = new Map<number, number>();
  for (let i = 0, end = c.n.length; i < end; i++) {
    if (c.procedure[i] === ALL_PROCEDURES) continue;
    const all = c.find(c.item[i]!, c.unit[i]!, ALL_PROCEDURES, c.trust[i]!, c.period[i]!);
    if (all !== undefined) codeSum.set(all, (codeSum.get(all) ?? 0) + c.n[i]!);
    if (tick()) yield;
  }
  for (let i = 0, end = c.n.length; i < end; i++) {
    if (c.procedure[i] !== ALL_PROCEDURES) continue;
    const rest = c.n[i]! - (codeSum.get(i) ?? 0);
    if (rest > 0) c.n[c.id(c.item[i]!, c.unit[i]!, NO_PROCEDURE, c.trust[i]!, c.period[i]!)] = rest;
    if (tick()) yield;
  }
  // A parent's own answers: the parent minus its children.
  const childSum = new Grid<number>();
  for (let i = 0, end = c.n.length; i < end; i++) {
    const parent = parents.get(c.unit[i]!);
    const x = parent ? c.place(c.item[i]!, parent, c.procedure[i]!, c.trust[i]!, c.period[i]!) : undefined;
    if (x !== undefined) childSum.set(x, (childSum.get(x) ?? 0) + c.n[i]!);
    if (tick()) yield;
  }
  for (let i = 0, end = c.n.length; i < end; i++) {
    if (!hasChildren.has(c.unit[i]!)) continue;
    const x = c.place(c.item[i]!, c.unit[i]!, c.procedure[i]!, c.trust[i]!, c.period[i]!)!;
    const rest = c.n[i]! - (childSum.get(x) ?? 0);
    if (rest > 0) c.n[c.id(c.item[i]!, `${c.unit[i]}${OWN}`, c.procedure[i]!, c.trust[i]!, c.period[i]!)] = rest;
    if (tick()) yield;
  }

  // Every relation, with the parts that have n > 0 (a zero part is never hidden nor chosen), in
  // the order of their first part.
  // The relation of each class (0–5) and total cell: slot 6 × total + class, -1 when none yet.
  let byTotal = new Int32Array(6 * 2 * c.n.length).fill(-1);
  const rels: { total: number; parts: number[] }[] = [];
  const group = (cls: number, total: number, part: number) => {
    if (6 * total + cls >= byTotal.length) {
      const grown = new Int32Array(2 * byTotal.length + 6 * (total + 1)).fill(-1);
      grown.set(byTotal);
      byTotal = grown;
    }
    const r = byTotal[6 * total + cls]!;
    if (r < 0) {
      byTotal[6 * total + cls] = rels.length;
      rels.push({ total, parts: [part] });
    } else rels[r]!.parts.push(part);
  };
  for (let k = 0, end = c.n.length; k < end; k++) {
    if (c.n[k]! <= 0) continue;
    const [i, u, p, t, per] = [c.item[k]!, c.unit[k]!, c.procedure[k]!, c.trust[k]!, c.period[k]!];
    if (p !== ALL_PROCEDURES) group(0, c.id(i, u, ALL_PROCEDURES, t, per, true), k);
    const parent = u.endsWith(OWN) ? u.slice(0, -OWN.length) : parents.get(u);
    const up = parent ? c.find(i, parent, p, t, per) : undefined;
    if (up !== undefined) group(1, up, k);
    if (withTrust && t !== 'all') group(2, c.id(i, u, p, 'all', per, true), k);
    if (per.length === 7 && per[4] === '-' && per[5] !== 'Q') {
      group(3, c.id(i, u, p, t, quarterOf(per), true), k);
      group(4, c.id(i, u, p, t, year, true), k);
    } else if (per.includes('-Q')) group(5, c.id(i, u, p, t, year, true), k);
    if (tick()) yield;
  }

  const count = Float64Array.from(c.n);
  // The never-published cells: answers without a procedure, a parent's own answers.
  const isPseudo = Uint8Array.from(c.n, (_, i) =>
    c.procedure[i] === NO_PROCEDURE || c.unit[i]!.endsWith(OWN) ? 1 : 0,
  );
  const csr = toCsr(rels);
  // Keys are compared only on ties in the protection; each is made once, when first needed.
  const keyOf: string[] = [];
  const key = (i: number) => (keyOf[i] ??= c.key(i));
  const hiddenIds = yield* protectSteps(key, c.n.length, count, isPseudo, csr, minN);
  const hiddenAt = new Grid<true>();
  for (let i = 0; i < c.n.length; i++)
    if (hiddenIds[i] === 1)
      hiddenAt.set(c.place(c.item[i]!, c.unit[i]!, c.procedure[i]!, c.trust[i]!, c.period[i]!)!, true);
  const shown = shownOf(c, hiddenAt);
  if (!detail)
    return {
      minN,
      shown,
      get hidden(): never {
        throw new Error('disclosure: a block built without detail keeps only what it shows');
      },
      get counts(): never {
        throw new Error('disclosure: a block built without detail keeps only what it shows');
      },
      get relations(): never {
        throw new Error('disclosure: a block built without detail keeps only what it shows');
      },
    };
  return {
    minN,
    shown,
    hidden: new Set(
      Array.from(hiddenIds.keys())
        .filter((i) => hiddenIds[i] === 1)
        .map(key),
    ),
    counts: new Map(c.n.flatMap((v, i) => (c.virtual[i] ? [] : [[key(i), v] as const]))),
    relations: Array.from({ length: csr.start.length - 1 }, (_, r) => ({
      total: key(csr.members[csr.start[r]!]!),
      parts: Array.from(csr.members.subarray(csr.start[r]! + 1, csr.start[r + 1]!), key),
    })),
  };
}

/** `shown` of a block, keeping only the numbering of the coordinates and the hidden cells (in its
 * own scope, so a cached block does not hold the build's arrays). */
function shownOf(c: Cells, hiddenAt: Grid<true>): Block['shown'] {
  const codes = c.codes;
  return (item, unit, procedure, trust, period) => {
    const x = place(codes, [item, unit, procedure, trust, period], true);
    return x === undefined || hiddenAt.get(x) === undefined;
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
