/**
 * Small inline instruments for the scoring tests, validated by the real `instrument` schema so they
 * cannot drift from what content/surveys/*.yaml may hold. Not imported by production code.
 */
import { instrument, type Instrument } from '../contracts/instrument.ts';

const t = (s: string) => ({ vi: s, en: s });
const provenance = { method: 'test fixture', source: { ref: 'api/scoring tests', sample: true } };
const opt = (id: string, points?: number) => (points === undefined ? { id, text: t(id) } : { id, text: t(id), points });

/** SIPAS with 2 factors × 2 criteria, a factor-satisfaction question, an overall question, a profile
 * choice, an expectation multi and a free-text comment (docs/domain.md §5, shrunk). */
export const sipas2x2: Instrument = instrument.parse({
  id: 'sipas-test',
  kind: 'sipas',
  name: t('SIPAS test'),
  description: t('two factors, two criteria each'),
  provenance,
  factors: [
    { id: 'tiep-can', name: t('Access') },
    { id: 'cong-chuc', name: t('The official') },
  ],
  questions: [
    { id: 'a1', type: 'likert5', role: 'criterion', factor: 'tiep-can', text: t('enough seats') },
    { id: 'a2', type: 'likert5', role: 'criterion', factor: 'tiep-can', text: t('equipment adequate') },
    { id: 'a-hl', type: 'likert5', role: 'factor-satisfaction', factor: 'tiep-can', text: t('satisfied with access') },
    { id: 'b1', type: 'likert5', role: 'criterion', factor: 'cong-chuc', text: t('polite') },
    { id: 'b2', type: 'likert5', role: 'criterion', factor: 'cong-chuc', text: t('listens') },
    { id: 'tong-the', type: 'likert5', role: 'overall', text: t('overall') },
    {
      id: 'mong-doi',
      type: 'multi',
      role: 'expectation',
      text: t('what to improve'),
      options: [opt('thoi-gian'), opt('thai-do'), opt('co-so-vat-chat')],
    },
    {
      id: 'gioi-tinh',
      type: 'choice',
      role: 'profile',
      text: t('gender'),
      options: [opt('nam'), opt('nu'), opt('khac')],
    },
    { id: 'y-kien', type: 'text', role: 'comment', text: t('comment'), max_length: 1000 },
  ],
});

/** The NĐ 61 evaluation: 9 criteria of 0/1/2 points, and the grade bands of docs/domain.md §6 written as
 * integer data ("> 15 excellent, 12–15 good, 9–12 fair, 6–9 average, < 6 weak"), so 12 and 9 sit
 * on shared boundaries. */
export const nd61: Instrument = instrument.parse({
  id: 'nd61-test',
  kind: 'dossier-evaluation',
  name: t('NĐ 61 test'),
  description: t('nine criteria'),
  provenance,
  questions: [
    ...Array.from({ length: 9 }, (_, i) => ({
      id: `c${i + 1}`,
      type: 'score-0-2',
      role: 'criterion',
      text: t(`criterion ${i + 1}`),
      options: [opt('khong-dat', 0), opt('mot-phan', 1), opt('dat', 2)],
    })),
    { id: 'y-kien', type: 'text', role: 'comment', text: t('comment'), max_length: 500 },
  ],
  grade_bands: [
    { id: 'xuat-sac', name: t('excellent'), min: 16, max: 18 },
    { id: 'tot', name: t('good'), min: 12, max: 15 },
    { id: 'kha', name: t('fair'), min: 9, max: 12 },
    { id: 'trung-binh', name: t('average'), min: 6, max: 9 },
    { id: 'yeu', name: t('weak'), min: 0, max: 5 },
  ],
});

/** One-tap counter rating, then reason chips shown after a low rating. */
export const counter: Instrument = instrument.parse({
  id: 'counter-test',
  kind: 'counter',
  name: t('Counter test'),
  description: t('one tap'),
  provenance,
  questions: [
    {
      id: 'rating',
      type: 'choice',
      role: 'rating',
      required: true,
      text: t('how was it'),
      options: [opt('hai-long'), opt('binh-thuong'), opt('khong-hai-long')],
    },
    {
      id: 'reasons',
      type: 'multi',
      role: 'reason',
      text: t('why'),
      show_if: { question: 'rating', values: ['khong-hai-long'] },
      options: [opt('cho-lau'), opt('thai-do'), opt('huong-dan-kho-hieu')],
    },
  ],
});

/** The answers of an NĐ 61 evaluation that total `total` points: 2 on the first ⌊total/2⌋
 * criteria, 1 on the next if total is odd, 0 on the rest. */
export function nd61Answers(total: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < 9; i++) {
    const left = total - 2 * i;
    out[`c${i + 1}`] = left >= 2 ? 'dat' : left === 1 ? 'mot-phan' : 'khong-dat';
  }
  return out;
}
