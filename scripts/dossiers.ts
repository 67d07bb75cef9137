/**
 * `npm run dossiers -- <command>`: API keys of the one-stop systems, and an import of returned
 * dossiers from a CSV file for units whose one-stop system cannot call the API itself (issue #3).
 * Uses the database of DATABASE_URL (migrated and filled from content/ first, as on start).
 *
 *   node scripts/dossiers.ts create-key <unit-id> <label>
 *       Prints a new API key for the unit, once (only its hash is stored). The key may register
 *       dossiers of that unit and of the units below it.
 *   node scripts/dossiers.ts revoke-key <key-id>
 *   node scripts/dossiers.ts import <file.csv> [--key-file FILE] [--base-url URL] [--qr-dir DIR]
 *       The API key comes from --key-file (its first line; "-" reads standard input) or else from
 *       DOSSIER_API_KEY, never from the command line, where `ps` and the shell history would show it
 *       (issue #11). The old `--key <api-key>` still works, with a warning, so existing jobs do not
 *       break; it will be removed.
 *       Registers the dossiers through the API's own code (POST /api/v1/integration/dossiers,
 *       in-process): same checks, same tokens, same figures. Prints "code,survey_url" per dossier;
 *       with --qr-dir also writes <code>.svg, the QR code to print on the receipt. The survey links
 *       point at --base-url, else PUBLIC_BASE_URL (one of them is required).
 *
 * CSV format: UTF-8 (a BOM is fine), comma-separated, fields quoted with "…" when needed (RFC 4180),
 * first line a header naming the columns, in any order:
 *   ma_ho_so   the dossier code (mã hồ sơ), e.g. 000.00.31.H42-250801-0001 (required)
 *   thu_tuc    the national procedure code (mã TTHC), e.g. 1.001193 (may be empty)
 *   ngay_nhan  when the dossier was received
 *   hen_tra    when the result was due (ngày hẹn trả)
 *   ngay_tra   when the result was returned
 *   don_vi     optional: the unit id, for a key that registers for the units below its own
 *   so_dien_thoai  optional: the citizen's mobile number, when they agreed to be asked: the
 *              one-time rating invitation goes to it by SMS (docs/sms.md); not stored with the dossier
 * Times: ISO 8601 with an offset (2025-08-04T10:30:00+07:00), or Viet Nam time without one:
 * "2025-08-04 10:30", "2025-08-04T10:30" or "04/08/2025 10:30" (seconds optional), or a date alone ("2025-08-04",
 * "04/08/2025"): then hen_tra means the end of that day (returned any time on the due date is on
 * time), ngay_nhan the start of the day, and ngay_tra that day but not before ngay_nhan.
 *
 * Dossiers go in requests of up to 500 that fit in BODY_LIMIT_BYTES; each request is all or
 * nothing. A file imported again is safe: dossiers registered before are recognised, get no new
 * link (their first one still works) and print as "code," with an empty link.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Config } from '../api/env.ts';
import { commandLine, type Output } from './cli.ts';
import { prepareDatabase } from '../api/server.ts';
import { createApp } from '../api/app.ts';
import { createApiKey, revokeApiKey } from '../db/dossiers.ts';
import { MAX_DOSSIERS_PER_REQUEST, type DossierInput, type DossierResult } from '../api/contracts/integration.ts';
import type { Problem } from '../api/contracts/problem.ts';
import { parseCsv as parseCsvRecords } from '../api/contracts/csv.ts';

const USAGE = `usage:
  node scripts/dossiers.ts create-key <unit-id> <label>
  node scripts/dossiers.ts revoke-key <key-id>
  node scripts/dossiers.ts import <file.csv> [--key-file FILE] [--base-url URL] [--qr-dir DIR]
      the API key: --key-file FILE (first line; - for standard input), else DOSSIER_API_KEY
`;

/**
 * The API key for an import: --key-file, else DOSSIER_API_KEY, else the deprecated --key (warned
 * about). `undefined` with a message when none is given or the file cannot be read.
 */
export function importKey(
  values: { key?: string | undefined; 'key-file'?: string | undefined },
  config: Config,
  err: Output,
  readFile: (path: string) => string = (p) => readFileSync(p === '-' ? 0 : p, 'utf8'),
): string | undefined {
  if (values['key-file'] !== undefined) {
    let text: string;
    try {
      text = readFile(values['key-file']);
    } catch (e) {
      err.write(`--key-file: ${e instanceof Error ? e.message : String(e)}\n`);
      return undefined;
    }
    const key = text.split(/\r?\n/)[0]!.trim();
    if (!key) err.write(`--key-file ${values['key-file']}: the first line is empty\n`);
    return key || undefined;
  }
  if (config.DOSSIER_API_KEY) return config.DOSSIER_API_KEY.trim();
  if (values.key) {
    err.write(
      'warning: --key puts the API key on the command line (visible in ps and the shell history) and ' +
        'will be removed; use DOSSIER_API_KEY or --key-file instead\n',
    );
    return values.key;
  }
  err.write('no API key: set DOSSIER_API_KEY or give --key-file FILE\n');
  return undefined;
}

// ── CSV ──────────────────────────────────────────────────────────────────────────────────────────

/**
 * The CSV as records (api/contracts/csv.ts), without blank lines (a trailing newline, an empty last
 * line, a line of empty fields a spreadsheet left behind).
 * @example parseCsv('a,b\n1,"x, y"\n') // [['a','b'],['1','x, y']]
 */
export function parseCsv(text: string): string[][] {
  return parseCsvRecords(text).filter((r) => r.some((f) => f.trim() !== ''));
}

type DateRole = 'start' | 'end';

/**
 * One CSV time as an ISO instant with the Viet Nam offset; `undefined` when unreadable.
 * A date alone is the start of the day, or its last millisecond with role 'end'.
 */
export function csvInstant(value: string, role: DateRole = 'start'): string | undefined {
  const v = value.trim();
  if (/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(v))
    return Number.isNaN(Date.parse(v)) ? undefined : v;
  const m =
    /^(\d{4})-(\d\d)-(\d\d)(?:[ T](\d\d?):(\d\d)(?::(\d\d))?)?$/.exec(v) ??
    /^(\d\d?)\/(\d\d?)\/(\d{4})(?:\s+(\d\d?):(\d\d)(?::(\d\d))?)?$/.exec(v);
  if (!m) return undefined;
  const [year, month, day] = v.includes('/') ? [m[3]!, m[2]!, m[1]!] : [m[1]!, m[2]!, m[3]!];
  const pad = (s: string) => s.padStart(2, '0');
  const time =
    m[4] !== undefined ? `${pad(m[4])}:${m[5]}:${m[6] ?? '00'}.000` : role === 'end' ? '23:59:59.999' : '00:00:00.000';
  const iso = `${year}-${pad(month)}-${pad(day)}T${time}+07:00`;
  const at = new Date(iso);
  // Reject 31/02 and 25:00 rather than let Date roll them over.
  if (Number.isNaN(at.getTime())) return undefined;
  const back = new Date(at.getTime() + 7 * 3_600_000).toISOString();
  if (back.slice(0, 10) !== iso.slice(0, 10) || back.slice(11, 19) !== iso.slice(11, 19)) return undefined;
  return iso;
}

export interface CsvDossier {
  /** Line in the file (1 = header), for messages. */
  line: number;
  dossier: DossierInput;
}

const COLUMNS = ['ma_ho_so', 'thu_tuc', 'ngay_nhan', 'hen_tra', 'ngay_tra'] as const;

/** Reads the CSV into API inputs, or the list of what is wrong, with line and column. */
export function readDossierCsv(text: string): { dossiers: CsvDossier[]; problems: string[] } {
  let rows: string[][];
  try {
    rows = parseCsv(text);
  } catch (e) {
    // csv-parse says where the file stops making sense (an unclosed quote, most often).
    const at = (e as { lines?: number }).lines;
    return { dossiers: [], problems: [`${at ? `line ${at}: ` : ''}${(e as Error).message}`] };
  }
  const header = (rows[0] ?? []).map((h) => h.trim().toLowerCase());
  const missing = COLUMNS.filter((c) => !header.includes(c));
  if (missing.length > 0) return { dossiers: [], problems: [`line 1: missing column(s) ${missing.join(', ')}`] };
  const col = (name: string) => header.indexOf(name);
  const dossiers: CsvDossier[] = [];
  const problems: string[] = [];
  rows.slice(1).forEach((r, i) => {
    const line = i + 2;
    const get = (name: string) => (col(name) >= 0 ? (r[col(name)] ?? '').trim() : '');
    const received = csvInstant(get('ngay_nhan'), 'start');
    const due = csvInstant(get('hen_tra'), 'end');
    let returned = csvInstant(get('ngay_tra'), 'start');
    for (const [name, value] of [
      ['ngay_nhan', received],
      ['hen_tra', due],
      ['ngay_tra', returned],
    ] as const)
      if (value === undefined) problems.push(`line ${line}: ${name}: not a date or time ("${get(name)}")`);
    if (!get('ma_ho_so')) problems.push(`line ${line}: ma_ho_so: empty`);
    if (received === undefined || due === undefined || returned === undefined) return;
    // "Returned on that day" is never before the dossier was received on the same day.
    const dateOnly = !/\d:\d\d/.test(get('ngay_tra'));
    const gap = Date.parse(received) - Date.parse(returned);
    if (dateOnly && gap > 0 && gap < 86_400_000) returned = received;
    dossiers.push({
      line,
      dossier: {
        code: get('ma_ho_so'),
        ...(get('don_vi') ? { unit: get('don_vi') } : {}),
        ...(get('thu_tuc') ? { procedure: get('thu_tuc') } : {}),
        ...(get('so_dien_thoai') ? { phone: get('so_dien_thoai') } : {}),
        received_at: received,
        due_at: due,
        returned_at: returned,
      },
    });
  });
  return { dossiers, problems };
}

/** Requests of at most 500 dossiers whose JSON fits in `maxBytes`. */
export function chunkDossiers(items: CsvDossier[], maxBytes: number): CsvDossier[][] {
  const chunks: CsvDossier[][] = [];
  let current: CsvDossier[] = [];
  let size = '{"dossiers":[]}'.length;
  for (const item of items) {
    const bytes = Buffer.byteLength(JSON.stringify(item.dossier)) + 1;
    if (current.length > 0 && (current.length >= MAX_DOSSIERS_PER_REQUEST || size + bytes > maxBytes)) {
      chunks.push(current);
      current = [];
      size = '{"dossiers":[]}'.length;
    }
    current.push(item);
    size += bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** A dossier code as a file name: the characters other than letters, digits, . _ - become _. */
export function qrFileName(code: string): string {
  return `${code.replace(/[^A-Za-z0-9._-]/g, '_')}.svg`;
}

// ── Commands ─────────────────────────────────────────────────────────────────────────────────────

async function createKey(config: Config, args: string[], out: Output, err: Output): Promise<number> {
  const [unitId, ...labelWords] = args;
  const label = labelWords.join(' ');
  if (!unitId || !label) {
    err.write(USAGE);
    return 2;
  }
  const { db } = await prepareDatabase(config);
  try {
    const { id, key } = await createApiKey(db.client, unitId, label, new Date());
    err.write(`API key #${id} for ${unitId} (${label}). It is shown only now: store it in the one-stop system.\n`);
    out.write(`${key}\n`);
    return 0;
  } catch (e) {
    err.write(`${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  } finally {
    db.close();
  }
}

async function revokeKey(config: Config, args: string[], out: Output, err: Output): Promise<number> {
  const id = Number(args[0]);
  if (!Number.isInteger(id) || id <= 0) {
    err.write(USAGE);
    return 2;
  }
  const { db } = await prepareDatabase(config);
  try {
    if (!(await revokeApiKey(db.client, id, new Date()))) {
      err.write(`no active API key #${id}\n`);
      return 1;
    }
    out.write(`API key #${id} revoked\n`);
    return 0;
  } finally {
    db.close();
  }
}

function explain(problem: Problem, chunk: CsvDossier[]): string {
  const lines = [`refused: ${problem.code} (${problem.title})`];
  for (const e of problem.errors ?? []) {
    const m = /^dossiers\.(\d+)\.(.+)$/.exec(e.path);
    const where = m ? `line ${chunk[Number(m[1])]?.line ?? '?'}: ${m[2]}` : e.path;
    lines.push(`  ${where}: ${e.code}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

async function importCsv(config: Config, args: string[], out: Output, err: Output): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      key: { type: 'string' },
      'key-file': { type: 'string' },
      'base-url': { type: 'string' },
      'qr-dir': { type: 'string' },
    },
  });
  const file = positionals[0];
  if (!file || positionals.length > 1) {
    err.write(USAGE);
    return 2;
  }
  const key = importKey(values, config, err);
  if (!key) return 2;
  const base = (values['base-url'] ?? config.PUBLIC_BASE_URL)?.replace(/\/+$/, '');
  if (!base || !/^https?:\/\/[^/]+$/.test(base)) {
    err.write('give --base-url https://… (the portal address in the survey links) or set PUBLIC_BASE_URL\n');
    return 2;
  }
  const { dossiers, problems } = readDossierCsv(readFileSync(file, 'utf8'));
  if (problems.length > 0) {
    err.write(`${file}: nothing sent:\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
    return 1;
  }
  const qrDir = values['qr-dir'];
  if (qrDir) mkdirSync(qrDir, { recursive: true });

  const { db } = await prepareDatabase(config);
  const app = createApp({
    db,
    // Survey links on the configured address; only failures are logged.
    config: { ...config, PUBLIC_BASE_URL: base, LOG_LEVEL: 'error' },
    log: (line) => err.write(`${line}\n`),
    now: () => new Date(),
  });
  let created = 0;
  let existing = 0;
  try {
    for (const chunk of chunkDossiers(dossiers, config.BODY_LIMIT_BYTES - 256)) {
      const res = await app.request(`/api/v1/integration/dossiers?qr=${qrDir ? 'svg' : 'none'}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ dossiers: chunk.map((c) => c.dossier) }),
      });
      if (res.status !== 200 && res.status !== 201) {
        err.write(explain((await res.json()) as Problem, chunk));
        if (created + existing > 0)
          err.write(
            `${created + existing} dossier(s) before line ${chunk[0]!.line} were registered; fix the file and ` +
              'import it again: those are recognised and skipped.\n',
          );
        return 1;
      }
      const body = (await res.json()) as { dossiers: DossierResult[] };
      for (const d of body.dossiers) {
        out.write(`${d.code},${d.survey_url ?? ''}\n`);
        if (d.created) created++;
        else existing++;
        if (qrDir && d.qr_svg) writeFileSync(join(qrDir, qrFileName(d.code)), d.qr_svg);
      }
    }
  } finally {
    db.close();
  }
  err.write(
    `${created} dossier(s) registered` +
      (existing > 0 ? `, ${existing} registered before (no new link; their first link still works)` : '') +
      '\n',
  );
  return 0;
}

/** Runs one command; returns the exit code. Tests call this in-process. */
export const main = commandLine({ 'create-key': createKey, 'revoke-key': revokeKey, import: importCsv }, USAGE);

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
