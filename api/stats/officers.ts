/**
 * Officer results of one month (issue #10 part 3; method: docs/kiosk-and-officers.md): for each
 * official of the asked units, the dossiers handled and their late share, satisfaction from verified
 * ratings and, labelled apart, from kiosk ratings, each with n and a 95 % interval, and the verdict of
 * the province's rule for officials (Kết luận 91-KL/TU action programme: an official with ≥ 10 %
 * late dossiers, 5 % from 2025, cannot be rated "hoàn thành tốt nhiệm vụ").
 *
 * Disclosure: each measure is a sum over the unit's officials plus a never-shown part (dossiers or
 * ratings without an official); `protect` of api/stats/disclosure.ts hides every cell below the
 * minimum n and the complementary cells, so that a supervisor who sees every shown cell and knows
 * the unit's total cannot subtract their way to a hidden one (api/stats/officers-audit.test.ts).
 */
import type { Client } from '@libsql/client';
import type { Instrument } from '../contracts/instrument.ts';
import type { Figure } from '../contracts/stats.ts';
import { respondentSipas, dossierScore, timeliness } from '../scoring/scoring.ts';
import { SATISFIED_OPTIONS, indexInterval } from './summaries.ts';
import { protect, rounded, type Relation } from './disclosure.ts';
import { resolveInstrument } from '../ratings/instruments.ts';
import { findInstrumentVersion } from '../../db/instruments.ts';
import { dossierCounts, officerRatings, type Official, type OfficerRating } from '../../db/officers.ts';

export const MEASURES = ['dossiers', 'verified', 'kiosk'] as const;
export type Measure = (typeof MEASURES)[number];

/** The late-share threshold for officials in a year: 10 %, 5 % from 2025 (docs/kiosk-and-officers.md). */
export function officialLateThreshold(year: number): number {
  return year >= 2025 ? 0.05 : 0.1;
}

/** Shares computed along different float paths can land one ulp off a boundary such as 5 %. */
const EPS = 1e-9;

export type OfficerVerdict = 'cannot-be-good' | 'meets' | 'undetermined';

export interface OfficerCell {
  unit: string;
  official: string;
  month: string;
  dossiers: Figure;
  late: Figure;
  verified_satisfaction: Figure;
  kiosk_satisfaction: Figure;
  verdict: OfficerVerdict;
  verdict_reason: 'late' | 'too-few' | 'no-data' | null;
  late_threshold: number;
}

/** Whether one respondent was satisfied, as a value in [0, 1]; null when the form does not say. */
export function respondentSatisfaction(ins: Instrument, answers: OfficerRating['answers']): number | null {
  if (ins.kind === 'sipas') return respondentSipas(ins, answers);
  if (ins.kind === 'counter') {
    const q = ins.questions.find((x) => x.role === 'rating');
    const a = q ? answers[q.id] : undefined;
    if (typeof a !== 'string' || a === '') return null;
    return SATISFIED_OPTIONS.has(a) ? 1 : 0;
  }
  if (ins.kind === 'dossier-evaluation') {
    // The two best grades of NĐ 61's bands, as SIPAS counts its two best answers (top-2 box).
    const score = dossierScore(ins, answers);
    if (score.answered === 0 || score.grade === null) return null;
    const best = [...ins.grade_bands].sort((a, b) => b.min - a.min).slice(0, 2);
    return best.some((b) => b.id === score.grade) ? 1 : 0;
  }
  return null;
}

interface Sums {
  n: number;
  sum: number;
}

const key = (unit: string, code: string, m: Measure) => `${m}\u0001${unit}\u0001${code}`;
const totalKey = (unit: string, m: Measure) => `${m}\u0001${unit}\u0001#total`;
const noneKey = (unit: string, m: Measure) => `${m}\u0001${unit}\u0001#none`;

const hiddenFigure: Figure = { n: null, value: null, low: null, high: null, suppressed: true };

function shareFigure(n: number, p: number, interval: { low: number; high: number } | null): Figure {
  return {
    n,
    value: rounded(p * 100),
    low: interval ? rounded(interval.low * 100) : null,
    high: interval ? rounded(interval.high * 100) : null,
    suppressed: false,
  };
}

async function instrumentOf(client: Client, version: string, cache: Map<string, Instrument | null>) {
  if (!cache.has(version)) {
    const row = await findInstrumentVersion(client, version);
    cache.set(version, row ? ((await resolveInstrument(client, row.instrument_id, version)) ?? null) : null);
  }
  return cache.get(version) ?? null;
}

/**
 * The protected officer cells of `officials` (all of the given units) for a month. Cells are
 * protected per unit over ALL its officials, whoever asks, so a view of one official hides exactly
 * what the supervisor's view hides.
 */
export async function officerResults(
  client: Client,
  officials: readonly Official[],
  month: string,
  minN: number,
): Promise<OfficerCell[]> {
  return (await officerBlock(client, officials, month, minN)).cells;
}

/** The cells with the counts, relations and hidden set behind them (the audit test reads these). */
export interface OfficerBlock {
  counts: Map<string, number>;
  relations: Relation[];
  pseudo: Set<string>;
  hidden: Set<string>;
  cells: OfficerCell[];
}

export async function officerBlock(
  client: Client,
  officials: readonly Official[],
  month: string,
  minN: number,
): Promise<OfficerBlock> {
  const units = [...new Set(officials.map((o) => o.unitId))];
  const known = new Set(officials.map((o) => `${o.unitId}\u0001${o.code}`));
  const isOfficial = (unit: string, code: string | null) => code !== null && known.has(`${unit}\u0001${code}`);
  const counts = new Map<string, number>();
  const add = (k: string, v: number) => counts.set(k, (counts.get(k) ?? 0) + v);

  // Dossiers: handled and late.
  const late = new Map<string, { total: number; late: number }>();
  for (const d of await dossierCounts(client, units, month)) {
    add(totalKey(d.unitId, 'dossiers'), d.total);
    if (isOfficial(d.unitId, d.code)) {
      add(key(d.unitId, d.code!, 'dossiers'), d.total);
      late.set(`${d.unitId}\u0001${d.code}`, { total: d.total, late: d.late });
    } else add(noneKey(d.unitId, 'dossiers'), d.total);
  }

  // Ratings: one satisfaction value per respondent, by source.
  const sums = new Map<string, Sums>();
  const cache = new Map<string, Instrument | null>();
  for (const r of await officerRatings(client, units, month)) {
    const ins = await instrumentOf(client, r.instrumentVersion, cache);
    let x: number | null = null;
    try {
      x = ins ? respondentSatisfaction(ins, r.answers) : null;
    } catch {
      // Answers are checked against their version when stored; a row that no longer fits (edited
      // by hand) says nothing about satisfaction and must not break the page.
    }
    if (x === null) continue;
    const m: Measure = r.source;
    add(totalKey(r.unitId, m), 1);
    if (isOfficial(r.unitId, r.code)) {
      const k = key(r.unitId, r.code!, m);
      add(k, 1);
      const s = sums.get(k) ?? { n: 0, sum: 0 };
      sums.set(k, { n: s.n + 1, sum: s.sum + x });
    } else add(noneKey(r.unitId, m), 1);
  }

  const relations: Relation[] = [];
  const pseudo = new Set<string>();
  for (const unit of units)
    for (const m of MEASURES) {
      const parts = officials.filter((o) => o.unitId === unit).map((o) => key(unit, o.code, m));
      pseudo.add(noneKey(unit, m));
      relations.push({ total: totalKey(unit, m), parts: [...parts, noneKey(unit, m)] });
    }
  // The unit's total is the supervisor's to know (published statistics): never hidden here.
  const hidden = protect(counts, relations, minN, pseudo);
  const shown = (k: string) => (counts.get(k) ?? 0) > 0 && !hidden.has(k);

  const year = Number(month.slice(0, 4));
  const threshold = officialLateThreshold(year);
  const cells = officials.map((o): OfficerCell => {
    const dk = key(o.unitId, o.code, 'dossiers');
    const t = late.get(`${o.unitId}\u0001${o.code}`);
    let dossiers: Figure = hiddenFigure;
    let lateFig: Figure = hiddenFigure;
    if (shown(dk) && t) {
      dossiers = { n: t.total, value: t.total, low: null, high: null, suppressed: false };
      const p = timeliness({ total: t.total, onTime: t.total - t.late }, minN);
      if (!p.suppressed) lateFig = shareFigure(t.total, p.value.late.share, p.value.late.interval);
    }
    const sat = (m: Measure): Figure => {
      const k = key(o.unitId, o.code, m);
      const s = sums.get(k);
      if (!s || !shown(k)) return hiddenFigure;
      const p = s.sum / s.n;
      return shareFigure(s.n, p, indexInterval(p, s.n));
    };
    // Dossier records are a census: the share itself is compared with the threshold.
    let verdict: OfficerVerdict;
    let reason: OfficerCell['verdict_reason'];
    if (lateFig.suppressed || lateFig.value === null || !t) {
      verdict = 'undetermined';
      reason = (counts.get(dk) ?? 0) === 0 ? 'no-data' : 'too-few';
    } else if (t.late / t.total >= threshold - EPS) {
      verdict = 'cannot-be-good';
      reason = 'late';
    } else {
      verdict = 'meets';
      reason = null;
    }
    return {
      unit: o.unitId,
      official: o.code,
      month,
      dossiers,
      late: lateFig,
      verified_satisfaction: sat('verified'),
      kiosk_satisfaction: sat('kiosk'),
      verdict,
      verdict_reason: reason,
      late_threshold: threshold * 100,
    };
  });
  return { counts, relations, pseudo, hidden, cells };
}

/** The key of an official's cell of a measure in {@link OfficerBlock} `counts`. */
export const officerCellKey = key;
