/**
 * The rating form's rules, shared by the plain form post and the island: which conditional answers
 * are dropped before sending (the API refuses them as `unknown_field`), the checks made before the
 * API sees the answers, and how a problem becomes the error summary.
 */
import { describe, expect, it } from 'vitest';
import {
  answersToSend,
  checkAnswers,
  errorView,
  fill,
  newKey,
  ratingBody,
  thanksHref,
  KEY_PATTERN,
  type ErrorStrings,
  type FormMeta,
  type FormQuestion,
} from './rating-form.ts';

const q = (over: Partial<FormQuestion> & Pick<FormQuestion, 'id' | 'type'>): FormQuestion => ({
  required: false,
  text: over.id,
  options: [],
  ...over,
});

const counter: FormQuestion[] = [
  q({
    id: 'rating',
    type: 'choice',
    required: true,
    options: ['good', 'ok', 'bad'].map((v) => ({ value: v, label: v })),
  }),
  q({
    id: 'reasons',
    type: 'multi',
    options: ['wait', 'staff', 'fees'].map((v) => ({ value: v, label: v })),
    showIf: { question: 'rating', values: ['ok', 'bad'] },
    maxChoices: 2,
  }),
  q({ id: 'follow', type: 'text', showIf: { question: 'reasons', values: ['staff'] }, maxLength: 5 }),
  q({ id: 'comment', type: 'text', maxLength: 10 }),
];

const strings: ErrorStrings = {
  errorItem: 'Câu {{n}}: {{message}}',
  chooseOne: 'Vui lòng chọn một câu trả lời.',
  maxChoices: 'Chọn tối đa {{max}} ý.',
  tokenProblem: 'Mã có vấn đề.',
  problems: { validation_failed: 'Một số ô chưa đúng.', token_used: 'Mã đã dùng.', internal_error: 'Sự cố.' },
  fieldErrors: { required: 'Vui lòng điền ô này.', too_long: 'Tối đa {{max}} ký tự.', invalid_value: 'Sai.' },
};

describe('answersToSend', () => {
  it('drops answers to questions whose condition is not met, in order (a chain of conditions too)', () => {
    expect(answersToSend(counter, { rating: 'good', reasons: ['staff'], follow: 'rude', comment: 'x' })).toEqual({
      rating: 'good',
      comment: 'x',
    });
    expect(answersToSend(counter, { rating: 'bad', reasons: ['staff'], follow: 'rude' })).toEqual({
      rating: 'bad',
      reasons: ['staff'],
      follow: 'rude',
    });
  });

  it('drops empty answers and keeps a single ticked box as a list', () => {
    expect(answersToSend(counter, { rating: 'ok', reasons: 'wait', comment: '  ' })).toEqual({
      rating: 'ok',
      reasons: ['wait'],
    });
  });
});

describe('checkAnswers', () => {
  it('reports a missing required answer, too many choices and too long a text', () => {
    expect(checkAnswers(counter, {})).toEqual([{ path: 'answers.rating', code: 'required' }]);
    expect(
      checkAnswers(counter, { rating: 'bad', reasons: ['wait', 'staff', 'fees'], comment: 'x'.repeat(11) }),
    ).toEqual([
      { path: 'answers.reasons', code: 'too_large', params: { max: 2 } },
      { path: 'answers.comment', code: 'too_long', params: { max: 10 } },
    ]);
  });

  it('counts characters, not UTF-16 units', () => {
    expect(checkAnswers(counter, { rating: 'good', comment: '😀'.repeat(10) })).toEqual([]);
  });
});

describe('errorView', () => {
  const numberOf = (id: string) => counter.findIndex((x) => x.id === id) + 1;

  it('lists field errors in page order with the question number, and inline messages', () => {
    const view = errorView(
      {
        code: 'validation_failed',
        errors: [
          { path: 'answers.comment', code: 'too_long', params: { max: 10 } },
          { path: 'answers.rating', code: 'required' },
        ],
      },
      counter,
      numberOf,
      strings,
    );
    // A choice left empty asks to choose, not to "fill in this field" (issue #11).
    expect(view.items.map((i) => i.text)).toEqual(['Câu 1: Vui lòng chọn một câu trả lời.', 'Câu 4: Tối đa 10 ký tự.']);
    expect(view.fields).toEqual({ rating: 'Vui lòng chọn một câu trả lời.', comment: 'Tối đa 10 ký tự.' });
  });

  it('says "choose up to" for too many choices', () => {
    const view = errorView(
      { code: 'validation_failed', errors: [{ path: 'answers.reasons', code: 'too_large', params: { max: 2 } }] },
      counter,
      numberOf,
      strings,
    );
    expect(view.fields.reasons).toBe('Chọn tối đa 2 ý.');
  });

  it('uses the problem sentence when no field is named, and a generic one for an unknown token code', () => {
    expect(errorView({ code: 'token_used' }, counter, numberOf, strings).items).toEqual([
      { text: 'Mã đã dùng.', token: true },
    ]);
    expect(errorView({ code: 'token_revoked' }, counter, numberOf, strings).items[0]!.text).toBe('Mã có vấn đề.');
    expect(errorView({ code: 'something_new' }, counter, numberOf, strings).items[0]!.text).toBe('Sự cố.');
    const honeypot = errorView(
      { code: 'validation_failed', errors: [{ path: 'website', code: 'invalid_value' }] },
      counter,
      numberOf,
      strings,
    );
    expect(honeypot.items.map((i) => i.text)).toEqual(['Một số ô chưa đúng.']);
  });
});

describe('ratingBody and keys', () => {
  it('leaves out what was not given, so the strict API schema accepts it', () => {
    const meta = {
      instrument: 'quay',
      kind: 'counter' as const,
      version: '0123456789abcdef',
      unit: 'so-y-te',
      counter: '2',
      locale: 'vi',
      key: newKey(),
      action: '/danh-gia/',
      thanksHref: '/danh-gia/cam-on/',
    };
    expect(ratingBody(meta, { rating: 'good' })).toEqual({
      instrument: 'quay',
      version: '0123456789abcdef',
      unit: 'so-y-te',
      counter: '2',
      answers: { rating: 'good' },
      locale: 'vi',
    });
    expect(ratingBody(meta, {}, 'spam').website).toBe('spam');
    expect(meta.key).toMatch(KEY_PATTERN);
  });

  it('fills placeholders and leaves unknown ones', () => {
    expect(fill('Câu {{n}}/{{total}}', { n: 3, total: 34 })).toBe('Câu 3/34');
    expect(fill('{{x}}')).toBe('{{x}}');
  });
});

describe('thanksHref', () => {
  const meta = { instrument: 'danh-gia-ho-so', thanksHref: '/danh-gia/cam-on/' } as FormMeta;
  const scored = [
    q({ id: 'c1', type: 'score-0-2', options: [0, 1, 2].map((p) => ({ value: `p${p}`, label: `${p}`, points: p })) }),
    q({ id: 'c2', type: 'score-0-2', options: [0, 1, 2].map((p) => ({ value: `p${p}`, label: `${p}`, points: p })) }),
    q({ id: 'comment', type: 'text' }),
  ];

  it('carries the total of a scored survey, so the thank-you page shows it (issue #11)', () => {
    expect(thanksHref(meta, scored, { c1: 'p2', c2: 'p1', comment: 'x' })).toBe(
      '/danh-gia/cam-on/?mau=danh-gia-ho-so&diem=3',
    );
    // An unanswered criterion adds nothing, as in the scoring.
    expect(thanksHref(meta, scored, { c1: 'p2' })).toBe('/danh-gia/cam-on/?mau=danh-gia-ho-so&diem=2');
  });

  it('is the plain page for a survey without points', () => {
    expect(thanksHref({ ...meta, instrument: 'quay' }, counter, { rating: 'good' })).toBe('/danh-gia/cam-on/');
  });
});
