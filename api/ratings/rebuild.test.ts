/**
 * The rollup rebuild (api/ratings/rebuild.ts, `npm run rollups:rebuild`): after ~300 mixed ratings
 * written through the API (SIPAS and one-tap open ratings, dossier evaluations with tokens; several
 * units, procedures and days), rebuilding from the raw answers gives the same table row for row
 * (rebuild = incremental), repairs lost or damaged rows, and counts ratings written while it runs.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDossiers } from '../../db/dossiers.ts';
import { main as rebuildScript } from '../../scripts/rebuild-rollups.ts';
import { answersFor, openHarness, seeded, type Harness } from '../test-harness.ts';
import { rebuildRatingRollups } from './rebuild.ts';

const URL_ = '/api/v1/responses';
const UNITS = [
  'so-y-te',
  'tram-y-te-ninh-xuan',
  'trung-tam-y-te-ninh-hoa',
  'phuong-ninh-hiep',
  'xa-ninh-xuan',
  'so-tu-phap',
  'khanh-hoa',
  'xa-quang-son',
];
const PROCEDURES = [undefined, '1.001193', '1.002809', '1.001776', '2.000815'];
const TOTAL = 300;
const ROOT = join(import.meta.dirname, '..', '..');

let h: Harness;
let clock = new Date('2025-07-01T00:00:00Z');
let app: ReturnType<Harness['app']>;
let seq = 0;
/** Responses stored so far (grows in the test that writes during a rebuild). */
let total = TOTAL;

beforeAll(async () => {
  h = await openHarness('rebuild');
  app = h.app({ POW_REQUIRED: '0', RATE_LIMIT_MAX: '100000' }, () => clock);
});

afterAll(() => h.close());

/** The whole table in primary-key order. */
async function snapshot(client = h.db.client): Promise<unknown[][]> {
  const rs = await client.execute(
    `SELECT unit_id, instrument_version, day, procedure_code, verified, metric, value, n, sum, sumsq
     FROM rating_rollups ORDER BY unit_id, instrument_version, day, procedure_code, verified, metric, value`,
  );
  return rs.rows.map((r) => [...Object.values(r)]);
}

async function submit(body: Record<string, unknown>): Promise<number> {
  seq++;
  const res = await app.request(URL_, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': `rebuild-${seq}` },
    body: JSON.stringify(body),
  });
  return res.status;
}

/** One rating of a random kind, unit, procedure and moment (some right at a Viet Nam midnight). */
async function randomRating(random: () => number): Promise<void> {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const dayOffset = Math.floor(random() * 12);
  // 16:59:59Z is 23:59:59 in Viet Nam, 17:00:00Z the next day.
  const time = pick(['T16:59:59Z', 'T17:00:00Z', 'T02:15:00Z', 'T08:40:00Z']);
  const day = new Date(Date.parse(`2025-07-01${time}`) + dayOffset * 86_400_000);
  clock = day;
  const unit = pick(UNITS);
  const procedure = pick(PROCEDURES);
  const kind = pick(['sipas', 'quay', 'quay', 'danh-gia-ho-so']);
  const ins = h.instruments[kind]!;
  const body: Record<string, unknown> = {
    instrument: kind,
    version: h.versions[kind],
    unit,
    ...(procedure ? { procedure } : {}),
    answers: answersFor(ins, random, 0.5),
    locale: pick(['vi', 'en']),
  };
  if (kind === 'danh-gia-ho-so') {
    const [r] = await registerDossiers(
      h.db.client,
      [
        {
          unitId: unit,
          code: `DOSSIER-${seq}-${Math.floor(random() * 1e9)}`,
          procedureCode: procedure,
          receivedAt: new Date(day.getTime() - 5 * 86_400_000),
          dueAt: new Date(day.getTime() - 2 * 86_400_000),
          returnedAt: new Date(day.getTime() - 3 * 86_400_000),
        },
      ],
      { now: day, tokenTtlDays: 30 },
    );
    if (r?.status !== 'created') throw new Error('dossier not created');
    // The body names another unit and no procedure: the dossier's count.
    Object.assign(body, { token: r.token, unit: 'so-tai-chinh' });
    delete body.procedure;
  }
  if (kind === 'quay' && random() < 0.5) body.counter = String(1 + Math.floor(random() * 9));
  const status = await submit(body);
  if (status !== 201) throw new Error(`rating refused: ${status} ${JSON.stringify(body)}`);
}

describe('rebuildRatingRollups', () => {
  let incremental: unknown[][];

  beforeAll(async () => {
    const random = seeded(20250701);
    for (let i = 0; i < TOTAL; i++) await randomRating(random);
    incremental = await snapshot();
  }, 60_000);

  it('the data set is mixed: all three instruments, verified and open, many units, procedures and days', async () => {
    const rs = await h.db.client.execute(
      `SELECT count(*) AS n, count(DISTINCT instrument_version) AS versions, count(DISTINCT unit_id) AS units,
              count(DISTINCT coalesce(procedure_code, '')) AS procedures, count(DISTINCT day) AS days,
              sum(verified) AS verified FROM responses`,
    );
    const s = rs.rows[0]!;
    expect(Number(s.n)).toBe(TOTAL);
    expect(Number(s.versions)).toBe(3);
    expect(Number(s.units)).toBeGreaterThanOrEqual(6);
    expect(Number(s.procedures)).toBe(PROCEDURES.length);
    expect(Number(s.days)).toBeGreaterThanOrEqual(10);
    expect(Number(s.verified)).toBeGreaterThan(30);
    expect(Number(s.verified)).toBeLessThan(TOTAL - 100);
    // Fractional SIPAS sums are in the table, so "identical" covers REAL arithmetic too.
    const frac = await h.db.client.execute(
      `SELECT count(*) AS n FROM rating_rollups WHERE metric = '_sipas' AND sum != CAST(sum AS INTEGER)`,
    );
    expect(Number(frac.rows[0]!.n)).toBeGreaterThan(0);
    expect(incremental.length).toBeGreaterThan(1000);
  });

  it('gives the table the writes built, row for row', async () => {
    const result = await rebuildRatingRollups(h.db);
    expect(result).toEqual({ responses: TOTAL, rows: incremental.length });
    expect(await snapshot()).toEqual(incremental);
  });

  it('restores a row deleted by hand, a damaged row and an emptied table', async () => {
    // A table WITHOUT ROWID: delete one row by its key.
    const first = await h.db.client.execute(
      `SELECT unit_id, instrument_version, day, procedure_code, verified, metric, value FROM rating_rollups
       WHERE metric = '_sipas' LIMIT 1`,
    );
    const r = first.rows[0]!;
    const gone = await h.db.client.execute({
      sql: `DELETE FROM rating_rollups WHERE unit_id = ? AND instrument_version = ? AND day = ? AND procedure_code = ?
            AND verified = ? AND metric = ? AND value = ?`,
      args: [r.unit_id!, r.instrument_version!, r.day!, r.procedure_code!, r.verified!, r.metric!, r.value!],
    });
    expect(gone.rowsAffected).toBe(1);
    await h.db.client.execute(
      `UPDATE rating_rollups SET n = n + 5, sum = sum + 0.5 WHERE metric = '_responses' AND unit_id = 'khanh-hoa'`,
    );
    await h.db.client.execute({
      sql: 'INSERT INTO rating_rollups VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      args: ['so-y-te', '', h.versions.quay!, '2030-01-01', 0, 'rating', 'hai-long', 3, 0, 0],
    });
    expect((await snapshot()).length).toBe(incremental.length);
    expect(await snapshot()).not.toEqual(incremental);

    await rebuildRatingRollups(h.db);
    expect(await snapshot()).toEqual(incremental);

    await h.db.client.execute('DELETE FROM rating_rollups');
    await rebuildRatingRollups(h.db);
    expect(await snapshot()).toEqual(incremental);
  });

  it('counts ratings written while it runs (the script in its own process beside the portal)', async () => {
    // A second process, as in production: libSQL's local driver waits for a lock synchronously, so
    // a rebuild on a second connection in THIS process could not progress while a write here waits.
    const child = spawn(process.execPath, [join(ROOT, 'scripts', 'rebuild-rollups.ts')], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: h.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let running = true;
    const exited = new Promise<number | null>((resolve) =>
      child.on('close', (code) => {
        running = false;
        resolve(code);
      }),
    );
    // Keep writing until the rebuild is over, so ratings land before, during and after its swap.
    const random = seeded(42);
    let written = 0;
    while (running && written < 2000) {
      await randomRating(random);
      written++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await exited, stderr).toBe(0);
    expect(written).toBeGreaterThan(0);
    const reported = Number(/from (\d+) response/.exec(stdout)?.[1]);
    expect(reported).toBeGreaterThanOrEqual(TOTAL);
    expect(reported).toBeLessThanOrEqual(TOTAL + written);

    // Whatever the interleaving, the table matches the raw answers.
    const live = await snapshot();
    await rebuildRatingRollups(h.db);
    expect(await snapshot()).toEqual(live);
    const rs = await h.db.client.execute(
      `SELECT sum(n) AS n FROM rating_rollups WHERE metric = '_responses' AND unit_id = 'viet-nam' AND procedure_code = ''`,
    );
    // Every unit used here is under viet-nam: its '' rows count every response.
    expect(Number(rs.rows[0]!.n)).toBe(TOTAL + written);
    total = TOTAL + written;
  }, 60_000);

  it('changes nothing when the database has no responses', async () => {
    const empty = await openHarness('rebuild-empty');
    try {
      expect(await rebuildRatingRollups(empty.db)).toEqual({ responses: 0, rows: 0 });
      expect(await snapshot(empty.db.client)).toEqual([]);
    } finally {
      empty.close();
    }
  });

  it('`npm run rollups:rebuild` (scripts/rebuild-rollups.ts) rebuilds the database of DATABASE_URL', async () => {
    const before = await snapshot();
    await h.db.client.execute(`DELETE FROM rating_rollups WHERE metric = '_responses'`);
    const out: string[] = [];
    const code = await rebuildScript({ DATABASE_URL: h.url }, { write: (t: string) => out.push(t) });
    expect(code).toBe(0);
    expect(out.join('')).toMatch(
      new RegExp(`^rating_rollups rebuilt from ${total} response\\(s\\): ${before.length} row\\(s\\) in \\d+ ms\n$`),
    );
    expect(await snapshot()).toEqual(before);
  });
});
