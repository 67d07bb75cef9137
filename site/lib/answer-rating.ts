/**
 * The sender's rating of an answer (content/surveys/danh-gia-tra-loi.yaml) as words: the tracking
 * page and the staff case page both show the reasons a sender gave, never their ids.
 */
import { l } from '../i18n/index.ts';
import { content } from './content.ts';

/** The survey and its questions by id (satisfied, reasons, comment). */
export function answerRatingSurvey() {
  const survey = content().instruments.find((i) => i.id === 'danh-gia-tra-loi');
  return {
    survey,
    question: (id: string) => survey?.questions.find((q) => q.id === id),
  };
}

/**
 * The label of a reason option in the locale; the id itself when the survey no longer has it.
 * @example answerReasonText('chung-chung', 'vi') // 'Trả lời chung chung, không giải quyết vấn đề'
 */
export function answerReasonText(id: string, locale: string): string {
  const option = answerRatingSurvey()
    .question('reasons')
    ?.options.find((o) => o.id === id);
  return option ? l(option.text, locale) : id;
}
