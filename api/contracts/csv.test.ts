import { describe, expect, it } from 'vitest';
import { parseCsv, parseCsvObjects } from './csv.ts';

describe('parseCsv', () => {
  it('reads quoted commas, doubled quotes, line breaks inside quotes, BOM and CRLF', () => {
    expect(parseCsv('\uFEFFa,b,c\r\n"x, y","say ""hi""","line 1\r\nline 2"\r\n,,\r\n')).toEqual([
      ['a', 'b', 'c'],
      ['x, y', 'say "hi"', 'line 1\r\nline 2'],
      ['', '', ''],
    ]);
  });
  it('accepts LF record ends and a last record without one', () => {
    expect(parseCsv('a,b\n1,2')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });
  it('keys rows by the header', () => {
    expect(parseCsvObjects('n,value\r\n12,84.4\r\n')).toEqual([{ n: '12', value: '84.4' }]);
  });
});
