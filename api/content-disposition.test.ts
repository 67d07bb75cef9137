import { parse } from 'content-disposition';
import { describe, expect, it } from 'vitest';
import { attachment } from './content-disposition.ts';

describe('attachment', () => {
  it('names a plain ASCII file once', () => {
    expect(attachment('published-feedback.csv')).toBe('attachment; filename=published-feedback.csv');
  });
  it('keeps the Vietnamese name in filename* and an ASCII fallback without marks', () => {
    const header = attachment('Đơn kiến nghị (bản 2).pdf');
    expect(header).toContain('filename="Don kien nghi (ban 2).pdf"');
    expect(parse(header).type).toBe('attachment');
    expect(parse(header).parameters.filename).toBe('Đơn kiến nghị (bản 2).pdf');
  });
  it('cannot be broken out of by quotes, backslashes or line breaks', () => {
    const header = attachment('a"b\\c\r\nSet-Cookie: x=1.pdf');
    expect(header).not.toMatch(/[\r\n]/);
    expect(parse(header).parameters.filename).toBe('a"b\\c\r\nSet-Cookie: x=1.pdf');
  });
});
