/**
 * The FTS5 match expressions (migration 0015) against a real libSQL file: what a search finds is
 * what the inbox and the published list used to find by scanning, every word in any order, accents
 * ignored (the texts are folded by foldForSearch before they are stored and searched).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../db/client.ts';
import { ftsMatch } from '../../db/fts.ts';
import { foldForSearch } from '../contracts/text.ts';

let dir: string;
let db: Db;

const texts = [
  'Đăng ký khai sinh có yếu tố nước ngoài',
  'ABCD-EFGH Cấp lại giấy chứng nhận quyền sử dụng đất',
  'Đường Lê Lợi ngập nước',
];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gopy-fts-'));
  db = await openDb({ url: `file:${join(dir, 'fts.db')}` });
  // The tokenizer of migration 0015.
  await db.client.execute("CREATE VIRTUAL TABLE t USING fts5(a, b, tokenize='unicode61')");
  await db.client.batch(
    texts.map((text, i) => ({
      sql: 'INSERT INTO t (rowid, a, b) VALUES (?, ?, ?)',
      args: [i + 1, foldForSearch(text), i === 0 ? foldForSearch('Trẻ em') : null],
    })),
    'write',
  );
});
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function find(query: string, column?: string): Promise<number[]> {
  const match = ftsMatch(foldForSearch(query).split(' ').filter(Boolean), column);
  if (match === undefined) return [1, 2, 3];
  if (match === null) return [];
  const rs = await db.client.execute({ sql: 'SELECT rowid FROM t WHERE t MATCH ? ORDER BY rowid', args: [match] });
  return rs.rows.map((r) => Number(r.rowid));
}

describe('ftsMatch', () => {
  it('finds every word in any order, without diacritics, đ as d', async () => {
    expect(await find('dang ky khai sinh')).toEqual([1]);
    expect(await find('nuoc ngoai khai sinh')).toEqual([1]);
    expect(await find('Đăng ký')).toEqual([1]);
    expect(await find('duong le loi')).toEqual([3]);
    expect(await find('nước')).toEqual([1, 3]);
  });
  it('takes a word as the beginning of a word', async () => {
    expect(await find('chung nh')).toEqual([2]);
    expect(await find('hung')).toEqual([]);
  });
  it('finds a tracking code typed in any case, its parts adjacent', async () => {
    expect(await find('abcd-efgh')).toEqual([2]);
    expect(await find('efgh')).toEqual([2]);
    expect(await find('efgh-abcd')).toEqual([]);
  });
  it('rejects when a word is missing', async () => {
    expect(await find('ket hon')).toEqual([]);
  });
  it('matches nothing for punctuation only, and everything for no words', async () => {
    expect(await find('-- %')).toEqual([]);
    expect(await find('   ')).toEqual([1, 2, 3]);
  });
  it('keeps to one column when asked', async () => {
    expect(await find('tre em', 'b')).toEqual([1]);
    expect(await find('tre em', 'a')).toEqual([]);
    expect(await find('khai sinh', 'b')).toEqual([]);
  });
  it('cannot be steered by FTS5 syntax in the words', async () => {
    expect(await find('khai OR ket')).toEqual([]);
    expect(await find('"khai" sinh*')).toEqual([1]);
    expect(await find('NEAR("khai" "sinh")')).toEqual([]);
    expect(await find('{a} : khai')).toEqual([]); // "a" is a searched word like any other
    expect(await find('{khai} : sinh')).toEqual([1]);
  });
});
