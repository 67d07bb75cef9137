/**
 * Demo data (issue #3): two years of returned dossiers and ratings for the units in content/, so the
 * statistics pages mean something on first start. Deterministic for a seed (mulberry32), written
 * through the API's own pieces: answers checked by `validateAnswers`, cells from
 * `rollupCellsForResponse`, rows from `responseStatements`, rollups fanned out to
 * `unitWithAncestors` like `responseStatements` does, summed per batch and written as multi-row
 * upserts with the same effect as `rollupStatement` (db/demo-data.ts; the test rebuilds them),
 * dossiers and one-time tokens from `registerDossiers`, verified answers redeemed with `redeemToken`
 * in the same batch as their response, exactly as POST /api/v1/responses does.
 *
 * What it shows (docs/domain.md §1, §3):
 * - every unit that has procedures gets dossiers on working days while it exists (valid_from …
 *   valid_to), so a district abolished on 2025-06-30 keeps its results under its own name and its
 *   successor starts on 2025-07-01;
 * - late dossiers: most units 1–4 %, about one in five 6–9 % (the ranking flag, ≥ 5 %);
 * - ~30 % of dossiers rated with the NĐ 61 evaluation through their token (verified);
 * - one-tap counter ratings (self-selected) and SIPAS answers, a part of them verified, where the
 *   feedback factor (phản ánh, kiến nghị) scores 55–65 % top-2-box and the others 85–95 %.
 */
import { generateDemoSamplePlans } from './sample-plans.ts';
import { generateDemoFeedback } from './feedback.ts';
import { generateDemoOfficers, type DemoOfficerCounts } from './officers.ts';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { InStatement } from '@libsql/client';
import type { Db } from '../../db/client.ts';
import { RollupAccumulator, responseCount, storedCounts, type StoredDemoCounts } from '../../db/demo-data.ts';
import { registerDossiers, redeemToken, type DossierInput } from '../../db/dossiers.ts';
import { responseStatements } from '../../db/responses.ts';
import { vnDay } from '../../db/time.ts';
import { unitOnDay, unitSpans, unitWithAncestors } from '../../db/units.ts';
import { instrumentVersion, type Instrument, type Question } from '../contracts/instrument.ts';
import type { Content } from '../contracts/load-content.ts';
import type { Config } from '../env.ts';
import { syncInstruments } from '../ratings/instruments.ts';
import { validateAnswers, type Answers } from '../ratings/validate.ts';
import { rollupCellsForResponse } from '../scoring/scoring.ts';

/** The seed of the data `npm start` puts into an empty database. */
export const DEMO_SEED = 1;

/** Instruments and the factor the generator knows by id (content/surveys/). */
const COUNTER = 'quay';
const EVALUATION = 'danh-gia-ho-so';
const SIPAS = 'sipas';
const FEEDBACK_FACTOR = 'phan-anh-kien-nghi';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const VN_OFFSET_MS = 7 * HOUR_MS;
/** Statements per client.batch: one transaction, one fsync, for thousands of responses. */
const BATCH_STATEMENTS = 10_000;
/** Rollup rows summed in memory before a flush (a few tens of MB at most). */
const BATCH_ROLLUP_ROWS = 150_000;

export type DemoContent = Pick<Content, 'units' | 'procedures' | 'instruments'>;

export interface DemoOptions {
  seed: number;
  /** First day (its calendar day in Viet Nam). */
  from: Date;
  /** The reference date: data ends the day before its calendar day in Viet Nam. */
  to: Date;
  /** SURVEY_TOKEN_TTL_DAYS of the generated tokens. */
  tokenTtlDays?: number;
  /** CONTENT_DIR, for the feedback deadline rules and calendar. */
  contentDir?: string;
}

export interface DemoCounts {
  seed: number;
  from: string;
  /** Last day with data. */
  to: string;
  units: number;
  workingDays: number;
  dossiers: number;
  lateDossiers: number;
  verifiedEvaluations: number;
  verifiedSipas: number;
  openSipas: number;
  counterRatings: number;
  /** Feedback cases by status at the end. */
  feedback: Record<string, number>;
  /** Officials, kiosks and shifts (issue #10, ./officers.ts). */
  officers: DemoOfficerCounts;
  responses: number;
  /** What the database holds afterwards. */
  stored: StoredDemoCounts;
  seconds: number;
}

// ── Randomness ───────────────────────────────────────────────────────────────────────────────────

/** mulberry32: a tiny seeded PRNG, uniform in [0, 1). Same seed, same sequence, on every machine. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type Rnd = () => number;

function between(rnd: Rnd, low: number, high: number): number {
  return low + (high - low) * rnd();
}

function pick<T>(rnd: Rnd, items: readonly T[]): T {
  return items[Math.floor(rnd() * items.length)]!;
}

/** Knuth's method: fine for the small daily rates here. */
function poisson(rnd: Rnd, lambda: number): number {
  const limit = Math.exp(-lambda);
  let k = 0;
  let p = rnd();
  while (p > limit) {
    k++;
    p *= rnd();
  }
  return k;
}

function weighted<T>(rnd: Rnd, items: readonly T[], weight: (item: T, index: number) => number): T {
  const weights = items.map(weight);
  let r = rnd() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < items.length; i++) {
    r -= weights[i]!;
    if (r < 0) return items[i]!;
  }
  return items[items.length - 1]!;
}

/** k distinct items, weighted. */
function weightedDistinct<T>(rnd: Rnd, items: readonly T[], k: number, weight: (item: T) => number): T[] {
  const left = [...items];
  const out: T[] = [];
  while (out.length < k && left.length > 0) {
    const item = weighted(rnd, left, weight);
    out.push(item);
    left.splice(left.indexOf(item), 1);
  }
  return out;
}

// ── Calendar ─────────────────────────────────────────────────────────────────────────────────────

/** Midnight in Viet Nam of a calendar day 'YYYY-MM-DD', as an instant. */
function vnMidnight(day: string): number {
  return Date.parse(`${day}T00:00:00Z`) - VN_OFFSET_MS;
}

function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

function isWorkingDay(day: string): boolean {
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  return weekday !== 0 && weekday !== 6;
}

/**
 * The default range: two years back from a reference date (the start script passes today).
 * @example demoRange(new Date('2026-11-21T09:00:00Z')) // { from: 2024-11-21…, to: 2026-11-21… }
 */
export function demoRange(today: Date, years = 2): { from: Date; to: Date } {
  const from = new Date(today);
  from.setUTCFullYear(from.getUTCFullYear() - years);
  return { from, to: today };
}

// ── The units and how they behave ────────────────────────────────────────────────────────────────

interface UnitPlan {
  id: string;
  kind: string;
  validFrom: string;
  validTo: string | undefined;
  procedures: { code: string; days: number }[];
  dossiersPerDay: number;
  lateRate: number;
  /** Top-2-box probability of the good factors, the counter rating and NĐ 61 criteria. */
  quality: number;
  /** Top-2-box probability of the SIPAS feedback factor (docs/domain.md §1: 58.57 % in 2021). */
  feedbackQuality: number;
  countersPerDay: number;
  openSipasPerDay: number;
}

function dossiersPerDay(rnd: Rnd, kind: string): number {
  switch (kind) {
    case 'xa':
    case 'phuong':
    case 'thi-tran':
      return between(rnd, 3, 5);
    case 'huyen':
    case 'thi-xa':
    case 'thanh-pho':
      return between(rnd, 2.5, 4);
    case 'so':
      return between(rnd, 1.5, 3);
    case 'su-nghiep':
      return between(rnd, 1, 2);
    default:
      // The provincial public administration centre takes many departments' dossiers.
      return between(rnd, 5, 7);
  }
}

/** Units with procedures, each with its rates drawn from the seed, in id order (stable). */
function planUnits(rnd: Rnd, content: DemoContent): UnitPlan[] {
  const procs = new Map<string, { code: string; days: number }[]>();
  for (const p of content.procedures)
    for (const u of p.units) {
      if (!procs.has(u)) procs.set(u, []);
      procs.get(u)!.push({ code: p.code, days: p.processing_days });
    }
  const units = content.units.filter((u) => procs.has(u.id)).sort((a, b) => (a.id < b.id ? -1 : 1));
  // About one unit in five is late on 6–9 % of its dossiers, at least one of them.
  const slow = new Set<string>();
  const shuffled = [...units];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
  }
  for (const u of shuffled.slice(0, Math.max(1, Math.round(units.length / 5)))) slow.add(u.id);
  return units.map((u) => ({
    id: u.id,
    kind: u.kind,
    validFrom: u.valid_from,
    validTo: u.valid_to,
    procedures: procs.get(u.id)!.sort((a, b) => (a.code < b.code ? -1 : 1)),
    dossiersPerDay: dossiersPerDay(rnd, u.kind),
    lateRate: slow.has(u.id) ? between(rnd, 0.06, 0.09) : between(rnd, 0.01, 0.04),
    quality: between(rnd, 0.86, 0.94),
    feedbackQuality: between(rnd, 0.55, 0.65),
    countersPerDay: between(rnd, 1.5, 3),
    openSipasPerDay: between(rnd, 0.15, 0.35),
  }));
}

function activeOn(u: UnitPlan, day: string): boolean {
  return u.validFrom <= day && (u.validTo === undefined || day <= u.validTo);
}

// ── Answers ──────────────────────────────────────────────────────────────────────────────────────

function clamp01(x: number): number {
  return Math.min(0.99, Math.max(0.01, x));
}

/** A 1–5 answer that is 4 or 5 with probability p. */
function likert(rnd: Rnd, p: number): string {
  if (rnd() < p) return rnd() < 0.45 ? '5' : '4';
  const r = rnd();
  return r < 0.6 ? '3' : r < 0.9 ? '2' : '1';
}

/** Shares of the profile options, in the order of content/surveys/sipas.yaml; uniform otherwise. */
const PROFILE_WEIGHTS: Record<string, number[]> = {
  gender: [0.48, 0.48, 0.01, 0.03],
  age: [0.12, 0.24, 0.32, 0.22, 0.1],
  education: [0.12, 0.25, 0.3, 0.15, 0.18],
  occupation: [0.18, 0.2, 0.2, 0.08, 0.14, 0.08, 0.05, 0.07],
};

/** What people most often ask to improve: the weakest factor first (docs/domain.md §1). */
const EXPECT_WEIGHTS: Record<string, number> = { 'phan-anh': 4, 'rut-ngan-thoi-gian': 2.5, 'bot-giay-to': 2 };
const REASON_WEIGHTS: Record<string, number> = { 'cho-lau': 3, 'thoi-gian': 2, 'huong-dan': 2 };

function shown(q: Question, answers: Answers): boolean {
  if (!q.show_if) return true;
  const given = answers[q.show_if.question];
  const values = Array.isArray(given) ? given : given === undefined ? [] : [given];
  return values.some((v) => q.show_if!.values.includes(v));
}

function profileAnswer(rnd: Rnd, q: Question): string {
  const w = PROFILE_WEIGHTS[q.id];
  return weighted(rnd, q.options, (_o, i) => (w && w.length === q.options.length ? w[i]! : 1)).id;
}

function sipasAnswers(rnd: Rnd, ins: Instrument, u: UnitPlan): Answers {
  const mood = (rnd() - 0.5) * 0.12;
  // Each factor a little above or below the unit's level; the feedback factor far below.
  const factorP = new Map(
    ins.factors.map((f) => [
      f.id,
      clamp01((f.id === FEEDBACK_FACTOR ? u.feedbackQuality : u.quality + (rnd() - 0.5) * 0.04) + mood),
    ]),
  );
  const answers: Answers = {};
  for (const q of ins.questions) {
    if (!shown(q, answers)) continue;
    const gates = ins.questions.some((later) => later.show_if?.question === q.id);
    if (q.type === 'likert5') {
      const p = q.factor ? factorP.get(q.factor)! : clamp01(u.quality - 0.02 + mood);
      answers[q.id] = likert(rnd, p);
    } else if (q.type === 'choice' && gates) {
      // "Have you ever given feedback?": about a third have, and then rate how it was handled.
      const open = q.options.filter((o) => ins.questions.some((l) => l.show_if?.values.includes(o.id)));
      const closed = q.options.filter((o) => !open.includes(o));
      answers[q.id] = (rnd() < 0.35 || closed.length === 0 ? pick(rnd, open) : pick(rnd, closed)).id;
    } else if (q.type === 'choice') {
      if (q.required || rnd() < 0.9) answers[q.id] = profileAnswer(rnd, q);
    } else if (q.type === 'multi') {
      if (rnd() < 0.7) {
        const k = 1 + Math.floor(rnd() * Math.min(3, q.max_choices ?? 3));
        answers[q.id] = weightedDistinct(rnd, q.options, k, (o) => EXPECT_WEIGHTS[o.id] ?? 1).map((o) => o.id);
      }
    }
    // Free text is left empty: generated comments would read as real citizens' words.
  }
  return answers;
}

function counterAnswers(rnd: Rnd, ins: Instrument, u: UnitPlan): Answers {
  const answers: Answers = {};
  for (const q of ins.questions) {
    if (!shown(q, answers)) continue;
    if (q.type === 'choice' && q.role === 'rating') {
      // Options run from best to worst: rất hài lòng, hài lòng, bình thường, không hài lòng.
      const r = rnd();
      const ids = q.options.map((o) => o.id);
      const last = ids.length - 1;
      answers[q.id] =
        r < u.quality * 0.55
          ? ids[0]!
          : r < u.quality
            ? ids[Math.min(1, last)]!
            : r < u.quality + (1 - u.quality) * 0.6
              ? ids[Math.min(2, last)]!
              : ids[last]!;
    } else if (q.type === 'multi' && rnd() < 0.7) {
      const k = 1 + Math.floor(rnd() * 2);
      answers[q.id] = weightedDistinct(rnd, q.options, k, (o) => REASON_WEIGHTS[o.id] ?? 1).map((o) => o.id);
    }
  }
  return answers;
}

function optionWithPoints(q: Question, points: number): string {
  return (q.options.find((o) => o.points === points) ?? q.options[0]!).id;
}

/** NĐ 61 evaluation of one dossier: the time criteria follow whether it was late. */
function evaluationAnswers(rnd: Rnd, ins: Instrument, u: UnitPlan, late: boolean): Answers {
  const answers: Answers = {};
  for (const q of ins.questions) {
    if (q.type !== 'score-0-2') continue;
    let points: number;
    if (q.id === 'tong-thoi-gian') points = late ? (rnd() < 0.5 ? 1 : 0) : 2;
    else if (q.id === 'thoi-gian-tung-co-quan') points = late ? (rnd() < 0.3 ? 2 : rnd() < 0.6 ? 1 : 0) : 2;
    else {
      const r = rnd();
      const p2 = clamp01(u.quality + 0.03 - (late ? 0.15 : 0));
      points = r < p2 ? 2 : r < p2 + (1 - p2) * 0.75 ? 1 : 0;
    }
    answers[q.id] = optionWithPoints(q, points);
  }
  return answers;
}

// ── Writing ──────────────────────────────────────────────────────────────────────────────────────

let collect: (() => void) | undefined;

/**
 * Frees the native memory of the statements run so far. @libsql/client prepares a statement for
 * every call and the statement is finalised only when V8 collects its small JS wrapper, which a
 * heap this small rarely does: without this, generating the demo data took the process to 3.3 GB
 * RSS (measured 2026-11-21; libsql 0.5.29, tursodatabase/libsql-client-ts#333). So after every
 * batch: a full collection, then one turn of the event loop for the finalisers.
 */
async function releaseStatements(): Promise<void> {
  if (!collect) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  collect();
  await new Promise((resolve) => setImmediate(resolve));
}

interface NewDemoResponse {
  ins: Instrument;
  version: string;
  unitId: string;
  procedureCode: string | undefined;
  counter?: string | undefined;
  dossierId?: number | undefined;
  at: Date;
  answers: Answers;
  extra?: InStatement[];
}

/** Collects responses into big batches; one client.batch (one transaction) per flush. */
class BatchWriter {
  private stmts: InStatement[] = [];
  private readonly rollups = new RollupAccumulator();
  private readonly ancestors = new Map<string, string[]>();
  private seq = 0;
  written = 0;
  private readonly db: Db;
  private readonly keyPrefix: string;
  private readonly rnd: Rnd;

  private readonly afterFlush: ((written: number) => void | Promise<void>) | undefined;

  constructor(db: Db, keyPrefix: string, rnd: Rnd, afterFlush?: (written: number) => void | Promise<void>) {
    this.db = db;
    this.keyPrefix = keyPrefix;
    this.rnd = rnd;
    this.afterFlush = afterFlush;
  }

  async prepareUnits(ids: readonly string[]): Promise<void> {
    for (const id of ids)
      if (!this.ancestors.has(id)) this.ancestors.set(id, await unitWithAncestors(this.db.client, id));
  }

  async add(r: NewDemoResponse): Promise<void> {
    const checked = validateAnswers(r.ins, r.answers);
    if (!checked.ok) throw new Error(`demo answers invalid for ${r.ins.id}: ${JSON.stringify(checked.errors)}`);
    const cells = rollupCellsForResponse(r.ins, checked.answers);
    const locale = this.rnd() < 0.03 ? 'en' : 'vi';
    const verified = r.dossierId !== undefined;
    const day = vnDay(r.at);
    const meaning = {
      instrument: r.ins.id,
      version: r.version,
      unit: r.unitId,
      procedure: r.procedureCode,
      counter: r.counter,
      answers: checked.answers,
      locale,
    };
    this.stmts.push(
      ...(r.extra ?? []),
      ...responseStatements({
        instrumentVersion: r.version,
        unitId: r.unitId,
        procedureCode: r.procedureCode,
        counter: r.counter,
        dossierId: r.dossierId,
        verified,
        locale,
        day,
        at: r.at,
        idempotencyKey: `${this.keyPrefix}-${++this.seq}`,
        requestHash: createHash('sha256').update(JSON.stringify(meaning)).digest('hex'),
        answers: checked.answers,
        cells,
        // Rollups are summed for the whole batch and written once per key (below).
        rollupUnits: [],
      }),
    );
    // As POST /responses does: after its unit ended a rating counts for the successor.
    const target = unitOnDay(await unitSpans(this.db.client), r.unitId, day);
    let units = this.ancestors.get(target);
    if (!units) {
      units = await unitWithAncestors(this.db.client, target);
      this.ancestors.set(target, units);
    }
    this.rollups.add(units, r.procedureCode, r.version, day, verified, cells);
    this.written++;
    if (this.stmts.length >= BATCH_STATEMENTS || this.rollups.size >= BATCH_ROLLUP_ROWS) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.stmts.length === 0) return;
    await this.db.client.batch([...this.stmts, ...this.rollups.statements()], 'write');
    this.stmts = [];
    this.rollups.clear();
    await releaseStatements();
    await this.afterFlush?.(this.written);
  }
}

function instrumentsById(content: DemoContent): Map<string, { ins: Instrument; version: string }> {
  return new Map(content.instruments.map((ins) => [ins.id, { ins, version: instrumentVersion(ins) }]));
}

function need(map: Map<string, { ins: Instrument; version: string }>, id: string) {
  const found = map.get(id);
  if (!found) throw new Error(`demo data needs the instrument content/surveys/${id}.yaml`);
  return found;
}

/** A moment during office hours (07:30–17:00 in Viet Nam) of a calendar day. */
function officeHours(rnd: Rnd, day: string): Date {
  return new Date(vnMidnight(day) + 7.5 * HOUR_MS + Math.floor(rnd() * 9.5 * HOUR_MS));
}

interface PlannedDossier {
  input: DossierInput;
  late: boolean;
  unit: UnitPlan;
  /** When the citizen rates it with its token; undefined: never. */
  ratedAt: Date | undefined;
}

/**
 * Writes demo dossiers and ratings for [from, to) into a database that has the content and
 * migrations (prepareDatabase). Deterministic for a seed: the same counts and the same answers.
 * @example
 *   const counts = await generateDemoData(db, content, { seed: 1, ...demoRange(new Date()) });
 *   console.log(formatDemoCounts(counts));
 */
export async function generateDemoData(db: Db, content: DemoContent, options: DemoOptions): Promise<DemoCounts> {
  const started = performance.now();
  const rnd = mulberry32(options.seed);
  const ttl = options.tokenTtlDays ?? 30;
  await syncInstruments(db.client, content.instruments, options.from);
  const instruments = instrumentsById(content);
  const counter = need(instruments, COUNTER);
  const evaluation = need(instruments, EVALUATION);
  const sipas = need(instruments, SIPAS);
  const units = planUnits(rnd, content);
  const end = options.to.getTime();
  const writer = new BatchWriter(db, `demo-${options.seed}`, rnd);
  await writer.prepareUnits(units.map((u) => u.id));

  const counts = {
    workingDays: 0,
    dossiers: 0,
    lateDossiers: 0,
    verifiedEvaluations: 0,
    verifiedSipas: 0,
    openSipas: 0,
    counterRatings: 0,
  };
  const first = vnDay(options.from);
  const stop = vnDay(options.to);
  let lastDay = first;
  let day = first;
  while (day < stop) {
    // One month at a time: register its dossiers, then write its ratings in big batches.
    const month = day.slice(0, 7);
    const planned: { evaluation: PlannedDossier[]; sipas: PlannedDossier[] } = { evaluation: [], sipas: [] };
    const open: NewDemoResponse[] = [];
    for (; day < stop && day.startsWith(month); day = addDays(day, 1)) {
      if (!isWorkingDay(day)) continue;
      counts.workingDays++;
      lastDay = day;
      const ymd = day.slice(2).replaceAll('-', '');
      for (const u of units) {
        if (!activeOn(u, day)) continue;
        const n = poisson(rnd, u.dossiersPerDay);
        for (let i = 1; i <= n; i++) {
          const proc = pick(rnd, u.procedures);
          const late = rnd() < u.lateRate;
          const returnedAt = officeHours(rnd, day);
          const dueAt = late
            ? new Date(returnedAt.getTime() - (1 + Math.floor(rnd() * 5)) * DAY_MS)
            : new Date(returnedAt.getTime() + Math.floor(rnd() * 4) * DAY_MS + HOUR_MS);
          // Working days to calendar days, roughly; never after the return.
          const receivedAt = new Date(
            Math.min(dueAt.getTime() - proc.days * 1.4 * DAY_MS - 2 * HOUR_MS, returnedAt.getTime() - HOUR_MS),
          );
          const toSipas = rnd() < 0.06;
          const rates = rnd() < (toSipas ? 0.5 : 0.3);
          const ratedAt = new Date(returnedAt.getTime() + Math.floor(between(rnd, 0.02, 3) * DAY_MS));
          const d: PlannedDossier = {
            input: {
              unitId: u.id,
              code: `DEMO-${ymd}-${String(i).padStart(4, '0')}`,
              procedureCode: proc.code,
              receivedAt,
              dueAt,
              returnedAt,
            },
            late,
            unit: u,
            ratedAt: rates && ratedAt.getTime() < end ? ratedAt : undefined,
          };
          (toSipas ? planned.sipas : planned.evaluation).push(d);
          counts.dossiers++;
          if (late) counts.lateDossiers++;
        }
        for (let i = poisson(rnd, u.countersPerDay); i > 0; i--) {
          open.push({
            ...counter,
            unitId: u.id,
            procedureCode: rnd() < 0.6 ? pick(rnd, u.procedures).code : undefined,
            counter: String(1 + Math.floor(rnd() * 4)),
            at: officeHours(rnd, day),
            answers: counterAnswers(rnd, counter.ins, u),
          });
          counts.counterRatings++;
        }
        for (let i = poisson(rnd, u.openSipasPerDay); i > 0; i--) {
          open.push({
            ...sipas,
            unitId: u.id,
            procedureCode: rnd() < 0.7 ? pick(rnd, u.procedures).code : undefined,
            at: officeHours(rnd, day),
            answers: sipasAnswers(rnd, sipas.ins, u),
          });
          counts.openSipas++;
        }
      }
    }

    // Dossiers as a one-stop system registers them: rows, hashed tokens, timeliness rollups.
    const registered: { d: PlannedDossier; token: string; ins: typeof evaluation }[] = [];
    for (const [list, target] of [
      [planned.evaluation, evaluation],
      [planned.sipas, sipas],
    ] as const) {
      if (list.length === 0) continue;
      const results = await registerDossiers(
        db.client,
        list.map((d) => d.input),
        {
          now: new Date(Math.min(end, vnMidnight(addDays(lastDay, 1)))),
          tokenTtlDays: ttl,
          instrumentId: target.ins.id,
        },
      );
      results.forEach((r, i) => {
        if (r.status !== 'created') throw new Error(`demo dossier ${r.input.unitId}/${r.input.code} was ${r.status}`);
        if (list[i]!.ratedAt) registered.push({ d: list[i]!, token: r.token, ins: target });
      });
    }

    await releaseStatements();

    // Verified ratings: the token is redeemed in the response's own batch, as the API does.
    for (const { d, token, ins } of registered) {
      const redeemed = await redeemToken(db.client, token, d.ratedAt!);
      const isSipas = ins.ins.id === SIPAS;
      await writer.add({
        ...ins,
        unitId: redeemed.unitId,
        procedureCode: redeemed.procedureCode,
        dossierId: redeemed.dossierId,
        at: d.ratedAt!,
        answers: isSipas ? sipasAnswers(rnd, ins.ins, d.unit) : evaluationAnswers(rnd, ins.ins, d.unit, d.late),
        extra: redeemed.statements,
      });
      if (isSipas) counts.verifiedSipas++;
      else counts.verifiedEvaluations++;
    }
    for (const r of open) await writer.add(r);
  }
  await writer.flush();
  // Random survey sample plans of the last two months (./sample-plans.ts).
  await generateDemoSamplePlans(db, options.seed, options.to);
  // Feedback cases of the same period, through the real lifecycle (./feedback.ts).
  const feedback = await generateDemoFeedback(
    db,
    content,
    { CONTENT_DIR: options.contentDir ?? 'content' },
    {
      seed: options.seed,
      from: options.from,
      to: options.to,
    },
  );

  // Officials' codes on the dossiers and kiosk shifts over the counter ratings (./officers.ts).
  const officers = await generateDemoOfficers(db, { seed: options.seed, now: options.to });

  return {
    seed: options.seed,
    from: first,
    to: lastDay,
    units: units.filter((u) => u.validFrom <= lastDay && (u.validTo === undefined || u.validTo >= first)).length,
    ...counts,
    feedback,
    officers,
    responses: writer.written,
    stored: await storedCounts(db.client),
    seconds: Math.round((performance.now() - started) / 100) / 10,
  };
}

export function formatDemoCounts(c: DemoCounts): string {
  return (
    `Demo data (seed ${c.seed}, ${c.from} … ${c.to}, ${c.units} units, ${c.workingDays} working days): ` +
    `${c.dossiers} dossiers (${c.lateDossiers} late), ${c.responses} responses = ` +
    `${c.verifiedEvaluations} verified dossier evaluations + ${c.counterRatings} counter ratings + ` +
    `${c.verifiedSipas + c.openSipas} SIPAS (${c.verifiedSipas} verified), ${c.stored.answers} answers, ` +
    `${c.stored.rollupRows} rollup rows, ${Object.values(c.feedback).reduce((a, b) => a + b, 0)} feedback cases, ` +
    `${c.officers.officials} officials, ${c.officers.shifts} kiosk shifts, ` +
    `in ${c.seconds} s`
  );
}

/**
 * On start (api/server.ts, DEMO_DATA=1): fills a database that has no responses yet with two years
 * up to `today`, and says so; a database with any response is left alone. A local file is filled
 * by a child process (api/demo/seed-child.ts): the native memory of the statements it runs then
 * goes back to the system when it exits, instead of staying in the server for its whole life.
 */
export async function seedDemoData(
  db: Db,
  content: DemoContent,
  config: Pick<Config, 'DATABASE_URL' | 'DATABASE_AUTH_TOKEN' | 'CONTENT_DIR'>,
  today: Date,
  log: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
): Promise<void> {
  if ((await responseCount(db.client)) > 0) return;
  if (!db.isLocal) {
    const counts = await generateDemoData(db, content, { seed: DEMO_SEED, ...demoRange(today) });
    log(`${formatDemoCounts(counts)} (DEMO_DATA=0 turns this off)`);
    return;
  }
  const child = spawn(process.execPath, [join(import.meta.dirname, 'seed-child.ts'), today.toISOString()], {
    env: { ...process.env, DATABASE_URL: config.DATABASE_URL, CONTENT_DIR: config.CONTENT_DIR },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`demo data generation failed (exit ${String(code)})`);
  for (const line of out.split('\n')) if (line.trim()) log(`${line} (DEMO_DATA=0 turns this off)`);
}

// ── Bulk open responses (the benchmark's large databases) ─────────────────────────────────────────

export interface BulkOptions {
  seed: number;
  count: number;
  from: Date;
  to: Date;
  /** Shares of the instruments; the default is mostly one-tap counter ratings, as at real desks. */
  mix?: { counter: number; evaluation: number; sipas: number };
  /**
   * Called after every batch with the number written so far, and awaited. The benchmark collects
   * garbage there: @libsql/client prepares a statement per call and frees it only when V8 collects
   * its small wrapper, so millions of statements between collections hold gigabytes of native memory.
   */
  onBatch?: (written: number) => void | Promise<void>;
}

/**
 * Writes `count` self-selected responses spread evenly over the working days of [from, to), in day
 * order, at the units open on each day, through the same writer as the demo data. For the
 * statistics benchmark at 10k and 1M responses; no dossiers, so evaluations are unverified. Keys:
 * `bulk-<seed>-<n>`.
 */
export async function generateOpenResponses(db: Db, content: DemoContent, options: BulkOptions): Promise<number> {
  const rnd = mulberry32(options.seed);
  const mix = options.mix ?? { counter: 0.9, evaluation: 0.08, sipas: 0.02 };
  await syncInstruments(db.client, content.instruments, options.from);
  const instruments = instrumentsById(content);
  const counter = need(instruments, COUNTER);
  const evaluation = need(instruments, EVALUATION);
  const sipas = need(instruments, SIPAS);
  const units = planUnits(rnd, content);
  const writer = new BatchWriter(db, `bulk-${options.seed}`, rnd, options.onBatch);
  await writer.prepareUnits(units.map((u) => u.id));
  const days: { day: string; units: UnitPlan[] }[] = [];
  for (let d = vnDay(options.from); d < vnDay(options.to); d = addDays(d, 1))
    if (isWorkingDay(d)) days.push({ day: d, units: units.filter((u) => activeOn(u, d)) });
  // In day order, so each batch touches neighbouring rollup keys (the table is keyed by unit and day).
  for (let i = 0; i < days.length; i++) {
    const { day, units: open } = days[i]!;
    const n = Math.floor(((i + 1) * options.count) / days.length) - Math.floor((i * options.count) / days.length);
    for (let j = 0; j < n; j++) {
      const u = weighted(rnd, open, (x) => x.dossiersPerDay);
      const r = rnd() * (mix.counter + mix.evaluation + mix.sipas);
      const procedureCode = rnd() < 0.7 ? pick(rnd, u.procedures).code : undefined;
      const at = officeHours(rnd, day);
      if (r < mix.counter)
        await writer.add({ ...counter, unitId: u.id, procedureCode, at, answers: counterAnswers(rnd, counter.ins, u) });
      else if (r < mix.counter + mix.evaluation)
        await writer.add({
          ...evaluation,
          unitId: u.id,
          procedureCode,
          at,
          answers: evaluationAnswers(rnd, evaluation.ins, u, rnd() < u.lateRate),
        });
      else await writer.add({ ...sipas, unitId: u.id, procedureCode, at, answers: sipasAnswers(rnd, sipas.ins, u) });
    }
  }
  await writer.flush();
  return writer.written;
}
