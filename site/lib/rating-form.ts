/**
 * The rating form's model, shared by the page on the server (plain form post) and the island in the
 * browser: questions already translated, which questions are shown, which answers to send, and how
 * a problem+json answer becomes an error summary. Nothing here may import Node modules, zod or
 * i18next: it ships to the phone.
 */
import type { QuestionType } from '../../api/contracts/instrument.ts';
import type { RatingInput } from '../../api/contracts/rating.ts';

export type Answers = Record<string, string | string[]>;

export interface FormOption {
  value: string;
  label: string;
  /** NĐ 61 criterion points of this answer (score-0-2 questions only). */
  points?: number | undefined;
}

/** One question, translated on the server. */
export interface FormQuestion {
  id: string;
  type: QuestionType;
  required: boolean;
  text: string;
  hint?: string | undefined;
  options: FormOption[];
  showIf?: { question: string; values: string[] } | undefined;
  /** "(answer only if you chose … in question 30)": shown when every question is on one page. */
  condition?: string | undefined;
  maxLength?: number | undefined;
  maxChoices?: number | undefined;
}

/** What the form posts besides the answers (hidden fields, and the JSON body's other members). */
export interface FormMeta {
  instrument: string;
  kind: 'sipas' | 'dossier-evaluation' | 'counter' | 'answer-rating';
  version: string;
  unit: string;
  procedure?: string | undefined;
  counter?: string | undefined;
  token?: string | undefined;
  locale: string;
  /** Idempotency-Key: made when the page is rendered, kept with a rating waiting to be sent. */
  key: string;
  /** Where the plain form posts: the page itself, with its query. */
  action: string;
  thanksHref: string;
  /** The same page without the token, offered when the token is refused. */
  withoutTokenHref?: string | undefined;
}

/** The parts of an RFC 9457 problem the form reads. */
export interface ProblemLike {
  status?: number | undefined;
  code: string;
  errors?: { path: string; code: string; params?: Record<string, number> | undefined }[] | undefined;
}

export const KEY_PATTERN = /^[A-Za-z0-9_-]{8,100}$/;

/** A random UUID, also on plain http (crypto.randomUUID needs a secure context). */
export function newKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** "{{n}} of {{total}}" with values; the strings arrive translated but not interpolated. */
export function fill(template: string, params: Record<string, string | number> = {}): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (all, name: string) =>
    params[name] === undefined ? all : String(params[name]),
  );
}

function given(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter((v) => v.trim() !== '');
}

export function isAnswered(answers: Answers, id: string): boolean {
  return given(answers[id]).length > 0;
}

/** The API's rule (api/ratings/validate.ts): shown when the earlier question has one of the values. */
export function isShown(q: FormQuestion, answers: Answers): boolean {
  if (!q.showIf) return true;
  return given(answers[q.showIf.question]).some((v) => q.showIf!.values.includes(v));
}

/** Questions to show for these answers, in order. */
export function visibleQuestions(questions: FormQuestion[], answers: Answers): FormQuestion[] {
  return questions.filter((q) => isShown(q, answers));
}

/**
 * The answers to send: empty ones dropped, and answers to questions whose condition is not met
 * dropped too (the API refuses them as `unknown_field`; without JavaScript every question is on the
 * page, so a citizen may have answered one that does not apply).
 */
export function answersToSend(questions: FormQuestion[], answers: Answers): Answers {
  const out: Answers = {};
  for (const q of questions) {
    const values = given(answers[q.id]);
    if (values.length === 0 || !isShown(q, out)) continue;
    out[q.id] = q.type === 'multi' ? values : values[0]!;
  }
  return out;
}

/**
 * Where a stored rating lands: the thank-you page, with the total the citizen gave when the survey
 * is scored (the NĐ 61 dossier evaluation, issue #11), so the page can show the total and grade.
 * @example thanksHref(meta, questions, { c1: 'dung-han' }) // '/danh-gia/cam-on/?mau=danh-gia-ho-so&diem=2'
 */
export function thanksHref(meta: FormMeta, questions: FormQuestion[], answers: Answers): string {
  let total: number | undefined;
  for (const q of questions) {
    const chosen = answers[q.id];
    const option = typeof chosen === 'string' ? q.options.find((o) => o.value === chosen) : undefined;
    if (q.options.some((o) => o.points !== undefined)) total = (total ?? 0) + (option?.points ?? 0);
  }
  if (total === undefined) return meta.thanksHref;
  return `${meta.thanksHref}?${new URLSearchParams({ mau: meta.instrument, diem: String(total) })}`;
}

/** The same checks as the API, for the questions on screen, so the citizen hears of them at once. */
export function checkAnswers(questions: FormQuestion[], answers: Answers): NonNullable<ProblemLike['errors']> {
  const errors: NonNullable<ProblemLike['errors']> = [];
  for (const q of questions) {
    if (!isShown(q, answers)) continue;
    const values = given(answers[q.id]);
    const path = `answers.${q.id}`;
    if (values.length === 0) {
      if (q.required) errors.push({ path, code: 'required' });
    } else if (q.type === 'multi' && q.maxChoices !== undefined && values.length > q.maxChoices) {
      errors.push({ path, code: 'too_large', params: { max: q.maxChoices } });
    } else if (q.type === 'text' && q.maxLength !== undefined && [...values[0]!].length > q.maxLength) {
      errors.push({ path, code: 'too_long', params: { max: q.maxLength } });
    }
  }
  return errors;
}

/** The JSON body of POST /api/v1/responses (api/contracts/rating.ts), without the proof of work. */
export function ratingBody(meta: FormMeta, answers: Answers, website = ''): RatingInput {
  const body: RatingInput = {
    instrument: meta.instrument,
    version: meta.version,
    unit: meta.unit,
    answers,
    locale: meta.locale,
  };
  if (meta.procedure) body.procedure = meta.procedure;
  if (meta.counter) body.counter = meta.counter;
  if (meta.token) body.token = meta.token;
  if (website) body.website = website;
  return body;
}

/** The id of the first input of a question: where an error link takes the citizen. */
export function inputId(q: FormQuestion): string {
  return q.type === 'text' ? `a-${q.id}` : `a-${q.id}-0`;
}

/** Translated sentences the error summary needs. */
export interface ErrorStrings {
  errorItem: string;
  /** A required choice left empty: "Vui lòng chọn một câu trả lời", not "điền ô này" (issue #11). */
  chooseOne: string;
  maxChoices: string;
  tokenProblem: string;
  problems: Record<string, string>;
  fieldErrors: Record<string, string>;
}

export interface ErrorView {
  /** Sentences of the summary; `questionId` when the sentence is about one question. */
  items: { text: string; questionId?: string | undefined; token?: boolean | undefined }[];
  /** Inline message per question id. */
  fields: Record<string, string>;
}

/**
 * Turns a problem (from the API, or from the checks above) into the summary and inline messages.
 * `numberOf` gives the number the citizen sees beside a question.
 */
export function errorView(
  problem: ProblemLike,
  questions: FormQuestion[],
  numberOf: (id: string) => number,
  s: ErrorStrings,
): ErrorView {
  const view: ErrorView = { items: [], fields: {} };
  const byId = new Map(questions.map((q) => [q.id, q]));
  let unplaced = false;
  for (const e of problem.errors ?? []) {
    const id = e.path.startsWith('answers.') ? e.path.slice('answers.'.length) : undefined;
    const q = id ? byId.get(id) : undefined;
    if (!q) {
      unplaced = true;
      continue;
    }
    const message =
      q.type === 'multi' && e.code === 'too_large'
        ? fill(s.maxChoices, e.params ?? {})
        : q.type !== 'text' && e.code === 'required'
          ? s.chooseOne
          : fill(s.fieldErrors[e.code] ?? s.fieldErrors.invalid_value ?? e.code, e.params ?? {});
    if (view.fields[q.id]) continue;
    view.fields[q.id] = message;
    view.items.push({ text: fill(s.errorItem, { n: numberOf(q.id), message }), questionId: q.id });
  }
  if (view.items.length === 0 || unplaced) {
    const token = problem.code.startsWith('token_');
    const text = s.problems[problem.code] ?? (token ? s.tokenProblem : (s.problems.internal_error ?? problem.code));
    view.items.unshift({ text, token });
  }
  // Follow the page's order, not the API's.
  const order = new Map(questions.map((q, i) => [q.id, i]));
  view.items.sort(
    (a, b) => (a.questionId ? order.get(a.questionId)! : -1) - (b.questionId ? order.get(b.questionId)! : -1),
  );
  return view;
}
