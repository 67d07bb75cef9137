/**
 * `node scripts/dossiers.ts`: the CSV reader, and create-key + import end to end as real processes
 * on a temp database (the import goes through the API's own code in-process).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../db/client.ts';
import { sha256Hex } from '../db/dossiers.ts';
import { loadConfig } from '../api/env.ts';
import {
  chunkDossiers,
  csvInstant,
  importKey,
  parseCsv,
  qrFileName,
  readDossierCsv,
  type CsvDossier,
} from './dossiers.ts';

const ROOT = join(import.meta.dirname, '..');

describe('CSV reading', () => {
  it('parses quotes, commas, doubled quotes, CRLF, a BOM and blank lines', () => {
    expect(parseCsv('\uFEFFa,b,c\r\n1,"x, y","say ""hi"""\r\n\r\n2,,"multi\nline"\n')).toEqual([
      ['a', 'b', 'c'],
      ['1', 'x, y', 'say "hi"'],
      ['2', '', 'multi\nline'],
    ]);
    expect(parseCsv('a,b')).toEqual([['a', 'b']]);
  });

  it('reads times with an offset, Viet Nam local times and dates alone', () => {
    expect(csvInstant('2025-08-04T10:30:00+07:00')).toBe('2025-08-04T10:30:00+07:00');
    expect(csvInstant('2025-08-04T03:30:00Z')).toBe('2025-08-04T03:30:00Z');
    expect(csvInstant('2025-08-04 10:30')).toBe('2025-08-04T10:30:00.000+07:00');
    expect(csvInstant('4/8/2025 9:05:30')).toBe('2025-08-04T09:05:30.000+07:00');
    expect(csvInstant('04/08/2025')).toBe('2025-08-04T00:00:00.000+07:00');
    expect(csvInstant('2025-08-04', 'end')).toBe('2025-08-04T23:59:59.999+07:00');
    expect(csvInstant('2025-08-04T10:30:00')).toBe('2025-08-04T10:30:00.000+07:00');
    for (const bad of ['', '31/02/2025', '2025-13-01', '2025-08-04 25:00', 'hôm qua', '2025-08-04T10:30+7'])
      expect(csvInstant(bad), bad).toBeUndefined();
  });

  it('maps columns by name, treats a due date alone as the end of the day, and reports bad lines', () => {
    const ok = readDossierCsv(
      'thu_tuc,ma_ho_so,ngay_nhan,hen_tra,ngay_tra,don_vi\n' +
        '1.001193,HS-1,01/08/2025 08:00,05/08/2025,05/08/2025,\n' +
        ',HS-2,2025-08-01 08:00,2025-08-05,2025-08-01,benh-vien-da-khoa-khanh-hoa\n',
    );
    expect(ok.problems).toEqual([]);
    expect(ok.dossiers).toEqual([
      {
        line: 2,
        dossier: {
          code: 'HS-1',
          procedure: '1.001193',
          received_at: '2025-08-01T08:00:00.000+07:00',
          due_at: '2025-08-05T23:59:59.999+07:00',
          returned_at: '2025-08-05T00:00:00.000+07:00',
        },
      },
      {
        line: 3,
        dossier: {
          code: 'HS-2',
          unit: 'benh-vien-da-khoa-khanh-hoa',
          received_at: '2025-08-01T08:00:00.000+07:00',
          due_at: '2025-08-05T23:59:59.999+07:00',
          // Returned "on 1 August", the day it was received at 08:00: not before that.
          returned_at: '2025-08-01T08:00:00.000+07:00',
        },
      },
    ]);
    const bad = readDossierCsv('ma_ho_so,thu_tuc,ngay_nhan,hen_tra,ngay_tra\nHS-1,,hôm qua,2025-08-05,2025-08-05\n');
    expect(bad.problems).toEqual(['line 2: ngay_nhan: not a date or time ("hôm qua")']);
    expect(readDossierCsv('ma_ho_so,ngay_nhan\n').problems).toEqual([
      'line 1: missing column(s) thu_tuc, hen_tra, ngay_tra',
    ]);
  });

  it('splits into requests of at most 500 dossiers within the body limit', () => {
    const items: CsvDossier[] = Array.from({ length: 1200 }, (_, i) => ({
      line: i + 2,
      dossier: {
        code: `HS-${i}`,
        received_at: '2025-08-01T08:00:00+07:00',
        due_at: '2025-08-05T17:00:00+07:00',
        returned_at: '2025-08-04T10:30:00+07:00',
      },
    }));
    expect(chunkDossiers(items, 1024 * 1024).map((c) => c.length)).toEqual([500, 500, 200]);
    const small = chunkDossiers(items, 16 * 1024);
    expect(small.flat()).toHaveLength(1200);
    for (const c of small)
      expect(JSON.stringify({ dossiers: c.map((x) => x.dossier) }).length).toBeLessThanOrEqual(16 * 1024);
  });

  it('turns a code into a safe file name', () => {
    expect(qrFileName('000.00.31.H42-250801-0001')).toBe('000.00.31.H42-250801-0001.svg');
    expect(qrFileName('HS/2025/01')).toBe('HS_2025_01.svg');
  });
});

describe('the API key of an import (issue #11: never on the command line)', () => {
  const sink = () => {
    const lines: string[] = [];
    return { lines, write: (s: string) => lines.push(s) };
  };
  const none = loadConfig({});
  const withEnv = loadConfig({ DOSSIER_API_KEY: 'gopy_env' });

  it('reads --key-file first (its first line), then DOSSIER_API_KEY', () => {
    const err = sink();
    expect(importKey({ 'key-file': 'k.txt' }, withEnv, err, () => 'gopy_file\nrest\n')).toBe('gopy_file');
    expect(importKey({}, withEnv, err)).toBe('gopy_env');
    expect(err.lines).toEqual([]);
  });

  it('still takes the old --key, with a warning', () => {
    const err = sink();
    expect(importKey({ key: 'gopy_cli' }, none, err)).toBe('gopy_cli');
    expect(err.lines.join('')).toContain('warning: --key puts the API key on the command line');
  });

  it('says where to put the key when there is none, or the file cannot be read or is empty', () => {
    const err = sink();
    expect(importKey({}, none, err)).toBeUndefined();
    expect(
      importKey({ 'key-file': 'missing.txt' }, none, err, () => {
        throw new Error('ENOENT: missing.txt');
      }),
    ).toBeUndefined();
    expect(importKey({ 'key-file': 'empty.txt' }, none, err, () => '\n')).toBeUndefined();
    expect(err.lines).toEqual([
      'no API key: set DOSSIER_API_KEY or give --key-file FILE\n',
      '--key-file: ENOENT: missing.txt\n',
      '--key-file empty.txt: the first line is empty\n',
    ]);
  });
});

// Real processes: slower than the rest, more so on a busy CI machine.
describe('create-key and import, end to end', { timeout: 60_000 }, () => {
  let tmp: string;
  let env: Record<string, string>;

  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'gopy-cli-'));
    env = {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: `file:${join(tmp, 'cli.db')}`,
      CONTENT_DIR: join(ROOT, 'content'),
    };
  });

  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  function cli(...args: string[]) {
    return cliWith({}, ...args);
  }

  /** The command with more environment, e.g. the API key in DOSSIER_API_KEY. */
  function cliWith(more: Record<string, string>, ...args: string[]) {
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'dossiers.ts'), ...args], {
      cwd: ROOT,
      env: { ...env, ...more },
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  it('prints a key once, registers a CSV, writes QR codes, and a second import adds nothing', async () => {
    const created = cli('create-key', 'so-y-te', 'Một', 'cửa', 'Sở', 'Y', 'tế');
    expect(created.status, created.stderr).toBe(0);
    const key = created.stdout.trim();
    expect(key).toMatch(/^gopy_[A-Za-z0-9_-]{43}$/);
    expect(created.stderr).toContain('shown only now');

    const csv = join(tmp, 'tra-ket-qua.csv');
    writeFileSync(
      csv,
      '\uFEFFma_ho_so,thu_tuc,ngay_nhan,hen_tra,ngay_tra\r\n' +
        '000.00.31.H42-250801-0001,1.001193,01/08/2025 08:00,05/08/2025,04/08/2025 10:30\r\n' +
        '000.00.31.H42-250801-0002,,2025-08-01T08:00:00+07:00,2025-08-05T17:00:00+07:00,2025-08-06T09:00:00+07:00\r\n' +
        'HS/2025/3,1.001193,2025-08-02,2025-08-02,2025-08-02\r\n',
    );
    const qrDir = join(tmp, 'qr');
    // The key from a file, never on the command line (issue #11).
    const keyFile = join(tmp, 'api-key.txt');
    writeFileSync(keyFile, `${key}\n`, { mode: 0o600 });
    const run = cli(
      'import',
      csv,
      '--key-file',
      keyFile,
      '--base-url',
      'https://gopy.khanhhoa.gov.vn/',
      '--qr-dir',
      qrDir,
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).not.toContain('warning');
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    const tokens: string[] = [];
    lines.forEach((line, i) => {
      const [code, url] = line.split(',');
      expect(code).toBe(['000.00.31.H42-250801-0001', '000.00.31.H42-250801-0002', 'HS/2025/3'][i]);
      expect(url).toMatch(
        /^https:\/\/gopy\.khanhhoa\.gov\.vn\/danh-gia\/\?don-vi=so-y-te&(thu-tuc=1\.001193&)?ma=[A-Za-z0-9_-]{43}$/,
      );
      tokens.push(new URL(url!).searchParams.get('ma')!);
    });
    expect(run.stderr).toContain('3 dossier(s) registered');
    expect(readdirSync(qrDir).sort()).toEqual([
      '000.00.31.H42-250801-0001.svg',
      '000.00.31.H42-250801-0002.svg',
      'HS_2025_3.svg',
    ]);
    expect(readFileSync(join(qrDir, 'HS_2025_3.svg'), 'utf8')).toMatch(/^<svg [\s\S]*<path [^>]*d="M/);

    const db = await openDb({ url: env.DATABASE_URL! });
    try {
      const rows = await db.client.execute(
        `SELECT d.code, d.on_time, d.due_at, t.token_hash FROM dossiers d JOIN survey_tokens t ON t.dossier_id = d.id
         ORDER BY d.id`,
      );
      expect(rows.rows.map((r) => [r.code, r.on_time])).toEqual([
        ['000.00.31.H42-250801-0001', 1],
        ['000.00.31.H42-250801-0002', 0],
        ['HS/2025/3', 1],
      ]);
      // "05/08/2025" as hen_tra is the end of that day in Viet Nam.
      expect(rows.rows[0]!.due_at).toBe('2025-08-05T16:59:59.999Z');
      expect(rows.rows.map((r) => r.token_hash)).toEqual(tokens.map(sha256Hex));
      // Rollups hold subtree totals (every ancestor, each procedure and ''): the root's '' row counts each dossier once.
      const rollups = await db.client.execute(
        "SELECT sum(total) AS t, sum(on_time) AS o FROM dossier_rollups WHERE unit_id = 'viet-nam' AND procedure_code = ''",
      );
      expect([Number(rollups.rows[0]!.t), Number(rollups.rows[0]!.o)]).toEqual([3, 2]);
    } finally {
      db.close();
    }

    // Again: recognised, no new links, nothing written.
    const again = cliWith({ DOSSIER_API_KEY: key }, 'import', csv, '--base-url', 'https://gopy.khanhhoa.gov.vn');
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout.trim().split('\n')).toEqual([
      '000.00.31.H42-250801-0001,',
      '000.00.31.H42-250801-0002,',
      'HS/2025/3,',
    ]);
    expect(again.stderr).toContain('0 dossier(s) registered, 3 registered before');
  });

  it('refuses a bad file before sending anything, and reports API refusals by line', async () => {
    const key = cli('create-key', 'so-y-te', 'Thử').stdout.trim();
    const bad = join(tmp, 'bad.csv');
    writeFileSync(bad, 'ma_ho_so,thu_tuc,ngay_nhan,hen_tra,ngay_tra\nX-1,,01/08/2025,hôm nay,02/08/2025\n');
    // The old --key still works, with a warning that it shows the key to `ps` and the history.
    const r1 = cli('import', bad, '--key', key, '--base-url', 'https://gopy.example');
    expect(r1.status).toBe(1);
    expect(r1.stderr).toContain('warning: --key puts the API key on the command line');
    expect(r1.stderr).toContain('line 2: hen_tra: not a date or time');

    const unknown = join(tmp, 'unknown.csv');
    writeFileSync(
      unknown,
      'ma_ho_so,thu_tuc,ngay_nhan,hen_tra,ngay_tra\nY-1,1.001193,01/08/2025,05/08/2025,02/08/2025\nY-2,9.999999,01/08/2025,05/08/2025,02/08/2025\n',
    );
    const r2 = cliWith({ DOSSIER_API_KEY: key }, 'import', unknown, '--base-url', 'https://gopy.example');
    expect(r2.status).toBe(1);
    expect(r2.stderr).toContain('refused: unknown_procedure');
    expect(r2.stderr).toContain('line 3: procedure: invalid_value');
    expect(r2.stdout).toBe('');

    const r3 = cliWith({ DOSSIER_API_KEY: 'gopy_wrong' }, 'import', unknown, '--base-url', 'https://gopy.example');
    expect(r3.status).toBe(1);
    expect(r3.stderr).toContain('refused: unauthorized');

    // No base URL: refused, since links to localhost would be useless on a receipt.
    const r4 = cliWith({ DOSSIER_API_KEY: key }, 'import', unknown);
    expect(r4.status).toBe(2);
    expect(cli('create-key', 'khong-co', 'x').status).toBe(1);
    expect(cli('nonsense').status).toBe(2);

    const db = await openDb({ url: env.DATABASE_URL! });
    try {
      const rs = await db.client.execute("SELECT count(*) AS n FROM dossiers WHERE code IN ('X-1', 'Y-1', 'Y-2')");
      expect(Number(rs.rows[0]!.n)).toBe(0);
    } finally {
      db.close();
    }
    expect(existsSync(join(tmp, 'qr-unused'))).toBe(false);
  });
});
