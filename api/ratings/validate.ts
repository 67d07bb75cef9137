/**
 * Checks answers against the exact instrument version the citizen saw: unknown questions, missing
 * required ones, values outside the scale or the options, oversized text. Returns normalised
 * answers (text trimmed and NFC, empty answers dropped) or field errors with machine codes.
 */
import type { Instrument, Question } from '../contracts/instrument.ts';
import type { FieldError } from '../contracts/problem.ts';

export type Answers = Record<string, string | string[]>;

const LIKERT = new Set(['1', '2', '3', '4', '5']);

function isShown(q: Question, answers: Answers): boolean {
  if (!q.show_if) return true;
  const given = answers[q.show_if.question];
  const values = Array.isArray(given) ? given : given === undefined ? [] : [given];
  return values.some((v) => q.show_if!.values.includes(v));
}

/**
 * @example
 *   validateAnswers(counterInstrument, { rating: 'hai-long' }) // → { ok: true, answers: {...} }
 *   validateAnswers(counterInstrument, { rating: '9' })        // → { ok: false, errors: [{ path: 'answers.rating', code: 'invalid_value' }] }
 */
export function validateAnswers(
  ins: Instrument,
  raw: Answers,
): { ok: true; answers: Answers } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const byId = new Map(ins.questions.map((q) => [q.id, q]));
  const answers: Answers = {};

  // Drop empty answers first: an untouched radio group or text box means "not answered".
  for (const [key, value] of Object.entries(raw)) {
    const trimmed = Array.isArray(value) ? value.filter((v) => v !== '') : value.trim();
    if (trimmed.length === 0) continue;
    if (!byId.has(key)) {
      errors.push({ path: `answers.${key}`, code: 'unknown_field' });
      continue;
    }
    answers[key] = trimmed;
  }

  for (const q of ins.questions) {
    const path = `answers.${q.id}`;
    const value = answers[q.id];
    if (!isShown(q, answers)) {
      if (value !== undefined) errors.push({ path, code: 'unknown_field' });
      continue;
    }
    if (value === undefined) {
      if (q.required) errors.push({ path, code: 'required' });
      continue;
    }
    const optionIds = new Set(q.options.map((o) => o.id));
    switch (q.type) {
      case 'likert5':
        if (typeof value !== 'string') errors.push({ path, code: 'wrong_type' });
        else if (!LIKERT.has(value)) errors.push({ path, code: 'invalid_value' });
        break;
      case 'choice':
      case 'score-0-2':
        if (typeof value !== 'string') errors.push({ path, code: 'wrong_type' });
        else if (!optionIds.has(value)) errors.push({ path, code: 'invalid_value' });
        break;
      case 'multi': {
        // A form with one box ticked sends a single value.
        const list = Array.isArray(value) ? value : [value];
        if (list.some((v) => !optionIds.has(v)) || new Set(list).size !== list.length)
          errors.push({ path, code: 'invalid_value' });
        else if (q.max_choices !== undefined && list.length > q.max_choices)
          errors.push({ path, code: 'too_large', params: { max: q.max_choices } });
        else answers[q.id] = list;
        break;
      }
      case 'text': {
        if (typeof value !== 'string') {
          errors.push({ path, code: 'wrong_type' });
          break;
        }
        const text = value.normalize('NFC');
        if (q.max_length !== undefined && [...text].length > q.max_length)
          errors.push({ path, code: 'too_long', params: { max: q.max_length } });
        else answers[q.id] = text;
        break;
      }
    }
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, answers };
}
