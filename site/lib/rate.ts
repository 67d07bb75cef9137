/**
 * The rating page on the server (issue #3): what a QR link asks for (`?don-vi=…&thu-tuc=…&quay=…
 * &ma=…&mau=…`), the questionnaire translated for the form, and the plain form post handed to the
 * API in-process. Server only: instrument versions need node:crypto.
 */
import type { Procedure, Unit } from '../../api/contracts/content.ts';
import { gradeFor, instrumentVersion, maxTotal, type Instrument } from '../../api/contracts/instrument.ts';
import type { SsrLocals } from '../../api/contracts/ssr.ts';
import { compareVi } from '../../api/contracts/text.ts';
import { fieldErrorCodes, problemCodes } from '../../api/contracts/problem.ts';
import { l, pathFor, useT } from '../i18n/index.ts';
import { content } from './content.ts';
import {
  KEY_PATTERN,
  answersToSend,
  newKey,
  ratingBody,
  thanksHref,
  type Answers,
  type FormMeta,
  type FormQuestion,
  type ProblemLike,
} from './rating-form.ts';
import type { RatingStrings } from '../islands/RatingForm.tsx';
import { problemOf } from './problem.ts';

/** The instruments a citizen may choose here, quickest first (danh-gia-tra-loi belongs to issue #4). */
export const RATE_INSTRUMENTS = ['quay', 'danh-gia-ho-so', 'sipas'] as const;

const COUNTER = /^[0-9A-Za-z-]{1,16}$/;
const TOKEN = /^[A-Za-z0-9_-]{20,100}$/;
const SLUG = /^[a-z0-9]+(?:[-_][a-z0-9]+)*$/;

/** Today in Việt Nam, "YYYY-MM-DD". */
function vnToday(): string {
  return new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);
}

function isCurrent(u: Unit, today = vnToday()): boolean {
  return u.valid_from <= today && (!u.valid_to || u.valid_to >= today);
}

/** Units a citizen can rate: current ones that handle procedures, communes and wards, departments. */
export function rateUnits(locale: string): Unit[] {
  const withProcedures = new Set(content().procedures.flatMap((p) => p.units));
  const today = vnToday();
  return content()
    .units.filter(
      (u) => isCurrent(u, today) && (withProcedures.has(u.id) || ['xa', 'phuong', 'thi-tran', 'so'].includes(u.kind)),
    )
    .sort((a, b) => compareVi(l(a.name, locale), l(b.name, locale)));
}

export function rateProcedures(locale: string): Procedure[] {
  return [...content().procedures].sort((a, b) => compareVi(l(a.name, locale), l(b.name, locale)));
}

export function rateInstrument(id: string | undefined): Instrument | undefined {
  if (!id || !(RATE_INSTRUMENTS as readonly string[]).includes(id)) return undefined;
  return content().instruments.find((i) => i.id === id);
}

export interface RateQuery {
  unit?: Unit | undefined;
  /** `don-vi` was given but names no current unit. */
  unitUnknown: boolean;
  procedure?: Procedure | undefined;
  procedureUnknown: boolean;
  counter?: string | undefined;
  token?: string | undefined;
  tokenMalformed: boolean;
  instrument?: Instrument | undefined;
  /** The picker was submitted (`chon=1`): missing choices are errors. */
  picked: boolean;
  /** `sua=1`: show the picker filled in, to change unit, procedure or form. */
  change: boolean;
}

export function readRateQuery(url: URL): RateQuery {
  const q = url.searchParams;
  const get = (name: string) => q.get(name)?.trim() || undefined;
  const unitId = get('don-vi');
  const unit = unitId && SLUG.test(unitId) ? content().units.find((u) => u.id === unitId && isCurrent(u)) : undefined;
  const code = get('thu-tuc');
  const procedure = code ? content().procedures.find((p) => p.code === code) : undefined;
  const rawCounter = get('quay');
  const counter = rawCounter && COUNTER.test(rawCounter) ? rawCounter : undefined;
  const rawToken = get('ma');
  const token = rawToken && TOKEN.test(rawToken) ? rawToken : undefined;
  const instrument = rateInstrument(get('mau') ?? (token ? 'danh-gia-ho-so' : counter ? 'quay' : undefined));
  return {
    unit,
    unitUnknown: unitId !== undefined && !unit,
    procedure,
    procedureUnknown: code !== undefined && !procedure,
    counter,
    token,
    tokenMalformed: rawToken !== undefined && !token,
    instrument,
    picked: q.get('chon') === '1',
    change: q.get('sua') === '1',
  };
}

/** A query string for this page; empty values left out. */
export function rateQuery(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** The questionnaire, translated, with the "answer only if" note for conditional questions. */
export function formQuestions(ins: Instrument, locale: string): FormQuestion[] {
  const t = useT(locale);
  const list: FormQuestion[] = ins.questions.map((q) => ({
    id: q.id,
    type: q.type,
    required: q.required,
    text: l(q.text, locale),
    hint: q.hint ? l(q.hint, locale) : undefined,
    options:
      q.type === 'likert5'
        ? ['1', '2', '3', '4', '5'].map((v) => ({ value: v, label: t(`rate.likert.${v}`) }))
        : q.options.map((o) => ({ value: o.id, label: l(o.text, locale), points: o.points })),
    showIf: q.show_if,
    maxLength: q.max_length,
    maxChoices: q.max_choices,
  }));
  for (const q of list) {
    if (!q.showIf) continue;
    const gate = list.findIndex((x) => x.id === q.showIf!.question);
    const labels = q.showIf.values.map((v) => `“${list[gate]!.options.find((o) => o.value === v)?.label ?? v}”`);
    q.condition = t('rate.conditional', { n: gate + 1, answer: labels.join(t('rate.or')) });
  }
  return list;
}

/** Every sentence the form needs, translated (the island gets them as props). */
export function rateStrings(locale: string): RatingStrings {
  const t = useT(locale);
  // Called without values, i18next leaves the {{placeholders}} for the island to fill.
  const raw = (key: string) => t(key);
  return {
    question: raw('rate.question'),
    required: t('rate.required'),
    optional: t('rate.optional'),
    maxLength: raw('rate.maxLength'),
    maxChoicesHint: raw('rate.maxChoices'),
    maxChoices: raw('rate.maxChoices'),
    charsLeft: raw('rate.charsLeft'),
    honeypot: t('rate.honeypot'),
    send: t('rate.send'),
    requiredNote: t('rate.requiredNote'),
    chooseOne: t('rate.chooseOne'),
    next: t('rate.next'),
    back: t('rate.back'),
    progress: raw('rate.progress'),
    checkTitle: t('rate.checkTitle'),
    checkLead: t('rate.checkLead'),
    checkChange: t('rate.checkChange'),
    checkChangeHidden: raw('rate.checkChangeHidden'),
    notAnswered: t('rate.notAnswered'),
    errorTitle: t('rate.errorTitle'),
    errorPrefix: t('rate.errorPrefix'),
    errorItem: raw('rate.errorItem'),
    tokenProblem: t('rate.tokenProblem'),
    withoutToken: t('rate.withoutToken'),
    sending: t('rate.sending'),
    checking: t('rate.checking'),
    pending: t('rate.pending'),
    pendingStorage: t('rate.pendingStorage'),
    pendingSent: t('rate.pendingSent'),
    pendingAnyPage: t('rate.pendingAnyPage'),
    problems: Object.fromEntries(problemCodes.map((c) => [c, t(`problem.${c}`)])),
    fieldErrors: Object.fromEntries(fieldErrorCodes.map((c) => [c, raw(`fieldError.${c}`)])),
  };
}

export interface RateForm {
  meta: FormMeta;
  questions: FormQuestion[];
}

/** The form for a resolved query: hidden fields, version, key, where it posts and lands. */
export function rateForm(locale: string, url: URL, query: RateQuery, key = newKey()): RateForm {
  const ins = query.instrument!;
  const withoutToken = new URL(url);
  withoutToken.searchParams.delete('ma');
  if (!withoutToken.searchParams.get('mau')) withoutToken.searchParams.set('mau', ins.id);
  return {
    meta: {
      instrument: ins.id,
      kind: ins.kind,
      version: instrumentVersion(ins),
      unit: query.unit!.id,
      procedure: query.procedure?.code,
      counter: query.counter,
      token: query.token,
      locale,
      key,
      action: `${url.pathname}${url.search}`,
      thanksHref: pathFor(locale, 'rateThanks'),
      withoutTokenHref: query.token ? `${withoutToken.pathname}${withoutToken.search}` : undefined,
    },
    questions: formQuestions(ins, locale),
  };
}

/**
 * The total and grade a citizen just gave in a dossier evaluation (NĐ 61, issue #11), read back from
 * the thank-you link (`?mau=danh-gia-ho-so&diem=14`, made by thanksHref): undefined unless the survey
 * is scored and the total is one it can give. The grade comes from the survey's own bands.
 */
export function thanksResult(
  url: URL,
  locale: string,
): { total: number; max: number; grade: string | undefined } | undefined {
  const id = url.searchParams.get('mau');
  const ins = content().instruments.find((i) => i.id === id && i.kind === 'dossier-evaluation');
  const raw = url.searchParams.get('diem') ?? '';
  if (!ins || !/^\d{1,3}$/.test(raw)) return undefined;
  const total = Number(raw);
  const max = maxTotal(ins);
  if (total > max) return undefined;
  const band = ins.grade_bands.find((b) => b.id === gradeFor(ins.grade_bands, total));
  return { total, max, grade: band ? l(band.name, locale) : undefined };
}

export interface PostState {
  answers: Answers;
  problem: ProblemLike;
  key: string;
}

/**
 * The plain form post (no JavaScript): the answers as the form sent them, minus those to questions
 * whose condition is not met, go to the API in-process. Stored → the thank-you page (303); refused →
 * the same form again with the citizen's answers and the problem.
 */
export async function handleRatingPost(
  request: Request,
  locale: string,
  locals: SsrLocals,
): Promise<{ redirect: string } | { state: PostState }> {
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    return { state: { answers: {}, problem: { status: 400, code: 'invalid_body' }, key: newKey() } };
  }
  const text = (name: string) => {
    const v = form.get(name);
    return typeof v === 'string' ? v.trim() : '';
  };
  const submittedKey = text('idempotency_key');
  const key = KEY_PATTERN.test(submittedKey) ? submittedKey : newKey();
  const ins = rateInstrument(text('instrument'));
  if (!ins) return { state: { answers: {}, problem: { status: 422, code: 'unknown_instrument' }, key } };
  const questions = formQuestions(ins, locale);
  const answers: Answers = {};
  for (const q of questions) {
    const values = form
      .getAll(`a.${q.id}`)
      .filter((v): v is string => typeof v === 'string')
      .filter((v) => v.trim() !== '');
    if (values.length > 0) answers[q.id] = q.type === 'multi' ? values : values[0]!;
  }
  const meta = {
    instrument: ins.id,
    version: text('version'),
    unit: text('unit'),
    procedure: text('procedure') || undefined,
    counter: text('counter') || undefined,
    token: text('token') || undefined,
    locale: text('locale') || locale,
    thanksHref: pathFor(locale, 'rateThanks'),
  } as FormMeta;
  const sent = answersToSend(questions, answers);
  const body = ratingBody(meta, sent, text('website'));
  let problem: ProblemLike;
  try {
    const res = await locals.api('/api/v1/responses', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify(body),
    });
    if (res.status === 200 || res.status === 201) return { redirect: thanksHref(meta, questions, sent) };
    const json = (await res.json().catch(() => undefined)) as ProblemLike | undefined;
    problem =
      json && typeof json.code === 'string'
        ? { status: res.status, code: json.code, errors: json.errors }
        : { status: res.status, code: res.status === 429 ? 'rate_limited' : 'internal_error' };
  } catch {
    problem = { status: 500, code: 'internal_error' };
  }
  // A key already used for other answers cannot be used again; any other refusal stored nothing.
  return { state: { answers, problem, key: problem.code === 'idempotency_conflict' ? newKey() : key } };
}

/**
 * Whether the dossier token of a QR link can still be used (issue #11 part 3: "an already-used or
 * expired token link says so on opening, before any question"): the problem code the submission
 * would get, or undefined when it can be used or the check itself failed (the form then decides).
 */
export async function tokenProblemOnOpening(
  locals: SsrLocals,
  token: string,
): Promise<'token_used' | 'token_expired' | 'token_invalid' | undefined> {
  try {
    const res = await locals.api('/api/v1/survey-tokens/check', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
    });
    if (res.ok) return undefined;
    const code = (await problemOf(res)).code;
    return code === 'token_used' || code === 'token_expired' || code === 'token_invalid' ? code : undefined;
  } catch {
    return undefined;
  }
}
