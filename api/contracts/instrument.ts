/**
 * Survey instruments are data (issue #3): `content/surveys/<id>.yaml`, validated by this schema,
 * versioned by the hash of their canonical JSON. Every response stores the version the citizen saw,
 * so editing an instrument never changes what stored answers mean.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { localized, source } from './content.ts';

const id = z.string().regex(/^[a-z0-9]+(?:[-_][a-z0-9]+)*$/, 'id');

export const instrumentKinds = [
  'sipas', // SIPAS satisfaction survey (QĐ 1001/QĐ-BNV lineage), docs/domain.md §5
  'dossier-evaluation', // nine criteria of NĐ 61/2018 (amended by NĐ 107/2021), 0–2 points each, docs/domain.md §6
  'counter', // one-tap rating at a counter
  'answer-rating', // the sender rates the answer to their feedback (issue #4)
] as const;
export type InstrumentKind = (typeof instrumentKinds)[number];

export const questionTypes = [
  'likert5', // 1 Rất không hài lòng … 5 Rất hài lòng
  'score-0-2', // NĐ 61 criterion points, each option carries its points
  'choice', // one option
  'multi', // several options
  'text', // free text
] as const;
export type QuestionType = (typeof questionTypes)[number];

/**
 * What a question is for in the statistics: SIPAS criteria feed their factor index, the factor
 * satisfaction and overall questions are reported beside it, profile questions only describe
 * the sample. Scoring reads roles, never question ids.
 */
export const questionRoles = [
  'criterion',
  'factor-satisfaction',
  'overall',
  'expectation',
  'profile',
  'comment',
  'rating',
  'reason',
] as const;

export const option = z.object({
  id,
  text: localized,
  /** Points of a score-0-2 option (NĐ 61: 0, 1 or 2). */
  points: z.number().int().min(0).max(2).optional(),
});

export const question = z
  .object({
    id,
    type: z.enum(questionTypes),
    role: z.enum(questionRoles),
    /** SIPAS factor (criteria and factor satisfaction). */
    factor: id.optional(),
    required: z.boolean().default(false),
    text: localized,
    hint: localized.optional(),
    options: z.array(option).default([]),
    /** Shown only when this question was answered with one of these values (e.g. reason chips
     * after a low one-tap rating). */
    show_if: z.object({ question: id, values: z.array(z.string()).min(1) }).optional(),
    max_length: z.number().int().min(1).max(5000).optional(),
    max_choices: z.number().int().min(1).optional(),
  })
  .superRefine((q, ctx) => {
    const needsOptions = q.type === 'choice' || q.type === 'multi' || q.type === 'score-0-2';
    if (needsOptions && q.options.length < 2)
      ctx.addIssue({ code: 'custom', path: ['options'], message: `a ${q.type} question needs at least two options` });
    if (!needsOptions && q.options.length > 0)
      ctx.addIssue({ code: 'custom', path: ['options'], message: `a ${q.type} question has no options` });
    if (q.type === 'score-0-2' && q.options.some((o) => o.points === undefined))
      ctx.addIssue({ code: 'custom', path: ['options'], message: 'every score-0-2 option needs points' });
    if (q.type === 'text' && q.max_length === undefined)
      ctx.addIssue({ code: 'custom', path: ['max_length'], message: 'a text question needs max_length' });
  });
export type Question = z.infer<typeof question>;

export const instrument = z
  .object({
    id,
    kind: z.enum(instrumentKinds),
    name: localized,
    description: localized,
    /** Which method the wording follows and where it comes from (docs/domain.md: verify wording). */
    provenance: z.object({ method: z.string().min(1), source }),
    /** SIPAS factors, in order (docs/domain.md §5). */
    factors: z.array(z.object({ id, name: localized })).default([]),
    questions: z.array(question).min(1),
    /** Dossier evaluation grades over the total 0–18 (docs/domain.md §6: keep as editable data). */
    grade_bands: z.array(z.object({ id, name: localized, min: z.number().min(0), max: z.number().min(0) })).default([]),
  })
  .superRefine((ins, ctx) => {
    const ids = new Set<string>();
    ins.questions.forEach((q, i) => {
      if (ids.has(q.id))
        ctx.addIssue({ code: 'custom', path: ['questions', i, 'id'], message: 'duplicate question id' });
      ids.add(q.id);
      if (q.factor && !ins.factors.some((f) => f.id === q.factor))
        ctx.addIssue({ code: 'custom', path: ['questions', i, 'factor'], message: `unknown factor "${q.factor}"` });
      if (q.show_if && !ins.questions.slice(0, i).some((p) => p.id === q.show_if!.question))
        ctx.addIssue({
          code: 'custom',
          path: ['questions', i, 'show_if'],
          message: 'must refer to an earlier question',
        });
    });
    if (ins.kind === 'sipas') {
      if (ins.factors.length === 0) ctx.addIssue({ code: 'custom', path: ['factors'], message: 'SIPAS needs factors' });
      for (const f of ins.factors)
        if (!ins.questions.some((q) => q.role === 'criterion' && q.factor === f.id))
          ctx.addIssue({ code: 'custom', path: ['factors'], message: `factor "${f.id}" has no criteria` });
    }
    if (ins.kind === 'dossier-evaluation' && ins.grade_bands.length === 0)
      ctx.addIssue({ code: 'custom', path: ['grade_bands'], message: 'needs grade bands' });
  });
export type Instrument = z.infer<typeof instrument>;

/** Keys in a stable order, so the same definition (or request) always hashes the same. */
export function canonicalJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonicalJson);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .map((k) => [k, canonicalJson((value as Record<string, unknown>)[k])]),
    );
  return value;
}

/**
 * The version of an instrument: sha256 of its canonical JSON, first 16 hex digits.
 * @example instrumentVersion(sipas) === '3f2a…' (changes whenever any wording or option changes)
 */
export function instrumentVersion(ins: Instrument): string {
  return createHash('sha256')
    .update(JSON.stringify(canonicalJson(ins)))
    .digest('hex')
    .slice(0, 16);
}

/** The scored criteria of a dossier evaluation: role criterion, type score-0-2. */
export function scoredCriteria(ins: Instrument): Question[] {
  return ins.questions.filter((q) => q.role === 'criterion' && q.type === 'score-0-2');
}

/** Highest total the instrument allows: the sum of each criterion's best option (9 × 2 = 18). */
export function maxTotal(ins: Instrument): number {
  return scoredCriteria(ins).reduce((acc, q) => acc + Math.max(0, ...q.options.map((o) => o.points ?? 0)), 0);
}

/**
 * The grade band of a total (docs/domain.md §6: the bands are editable data, "verify"). A total is in a
 * band when min ≤ total ≤ max (both inclusive). Where bands share a boundary, as in the source's
 * "12–15 good, 9–12 fair", the band with the higher min wins (12 is "good"), so the better grade
 * takes the boundary. null when no band holds the total.
 * @example
 *   gradeFor([{ id: 'tot', min: 12, max: 15 }, { id: 'kha', min: 9, max: 12 }], 12); // 'tot'
 */
export function gradeFor(bands: readonly { id: string; min: number; max: number }[], total: number): string | null {
  let best: { id: string; min: number } | null = null;
  for (const b of bands) if (b.min <= total && total <= b.max && (best === null || b.min > best.min)) best = b;
  return best?.id ?? null;
}
