/**
 * The thank-you page after a dossier evaluation shows the total and grade the citizen gave (issue
 * #11), read back from its link against the real survey (content/surveys/danh-gia-ho-so.yaml).
 */
import { describe, expect, it } from 'vitest';
import { thanksResult } from './rate.ts';

const at = (query: string) => new URL(`https://gopy.example/danh-gia/cam-on/${query}`);

describe('thanksResult', () => {
  it('gives the total, the maximum and the grade of the survey’s own bands', () => {
    expect(thanksResult(at('?mau=danh-gia-ho-so&diem=14'), 'vi')).toEqual({ total: 14, max: 18, grade: 'Tốt' });
    expect(thanksResult(at('?mau=danh-gia-ho-so&diem=18'), 'en')).toEqual({ total: 18, max: 18, grade: 'Excellent' });
  });

  it('shows nothing for a link that is not a total the survey can give', () => {
    for (const q of [
      '',
      '?mau=danh-gia-ho-so',
      '?mau=danh-gia-ho-so&diem=19',
      '?mau=danh-gia-ho-so&diem=-1',
      '?mau=danh-gia-ho-so&diem=1.5',
      '?mau=sipas&diem=10',
      '?mau=khong-co&diem=3',
    ])
      expect(thanksResult(at(q), 'vi'), q).toBeUndefined();
  });
});
