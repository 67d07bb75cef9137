/**
 * Content-Disposition of every download the API serves (RFC 6266), written by the content-disposition
 * package: always `attachment`, the name in `filename*` (RFC 8187, UTF-8), and a plain-ASCII
 * `filename` for old clients with Vietnamese marks dropped ("Đơn kiến nghị.pdf" → "Don kien
 * nghi.pdf") rather than turned into question marks.
 * @example attachment('báo cáo.csv') // attachment; filename="bao cao.csv"; filename*=UTF-8''b%C3%A1o%20c%C3%A1o.csv
 */
import { create } from 'content-disposition';
import { withoutMarks } from './contracts/text.ts';

export function attachment(fileName: string): string {
  return create(fileName, { fallback: withoutMarks(fileName).replace(/[^\x20-\x7e]/g, '_') });
}
