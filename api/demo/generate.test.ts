/**
 * The demo-data generator on real temp libSQL files with the real content/: deterministic for a
 * seed, rollups equal to a rebuild from the stored answers, the SIPAS feedback factor below the
 * others, some unit late on ≥ 5 % of its dossiers, units only while they exist.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../db/client.ts';
import { migrate } from '../../db/migrate.ts';
import { syncContent } from '../../db/content-sync.ts';
import { unitOnDay, unitSpans, unitWithAncestors } from '../../db/units.ts';
import { loadContent, type Content } from '../contracts/load-content.ts';
import { instrument as instrumentSchema, type Instrument } from '../contracts/instrument.ts';
import { syncInstruments } from '../ratings/instruments.ts';
import { rollupCellsForResponse, sipasIndex, type RollupCell } from '../scoring/scoring.ts';
import { generateDemoData, mulberry32, seedDemoData, type DemoCounts } from './generate.ts';

const CONTENT = join(import.meta.dirname, '..', '..', 'content');
// Six months across the 1 July 2025 reorganisation: quick, and both old and new units appear.
const RANGE = { from: new Date('2025-04-01T03:00:00Z'), to: new Date('2025-10-01T03:00:00Z') };
const SEED = 7;

let tmp: string;
let content: Content;
let a: Db;
let b: Db;
let countsA: DemoCounts;
let countsB: DemoCounts;

async function freshDb(name: string): Promise<Db> {
  const db = await openDb({ url: `file:${join(tmp, name)}` });
  await migrate(db.client);
  await syncContent(db.client, content.units, content.procedures);
  await syncInstruments(db.client, content.instruments);
  return db;
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'gopy-demo-'));
  content = loadContent(CONTENT);
  a = await freshDb('a.db');
  b = await freshDb('b.db');
  countsA = await generateDemoData(a, content, { seed: SEED, ...RANGE });
  countsB = await generateDemoData(b, content, { seed: SEED, ...RANGE });
}, 120_000);

afterAll(() => {
  a?.close();
  b?.close();
  rmSync(tmp, { recursive: true, force: true });
});

async function rollupDigest(db: Db): Promise<string> {
  const rs = await db.client.execute(
    `SELECT unit_id, procedure_code, instrument_version, day, verified, metric, value, n, round(sum, 6) AS s
     FROM rating_rollups ORDER BY unit_id, instrument_version, day, procedure_code, verified, metric, value`,
  );
  return rs.rows.map((r) => Object.values(r).join('|')).join('\n');
}

describe('generateDemoData', () => {
  it('is deterministic for a seed: the same counts and the same figures twice', async () => {
    const { seconds: _sa, ...restA } = countsA;
    const { seconds: _sb, ...restB } = countsB;
    expect(restA).toEqual(restB);
    expect(countsA.responses).toBeGreaterThan(2000);
    expect(countsA.stored.responses).toBe(countsA.responses);
    expect(countsA.stored.verified).toBe(countsA.verifiedEvaluations + countsA.verifiedSipas);
    expect(countsA.stored.dossiers).toBe(countsA.dossiers);
    expect(await rollupDigest(a)).toBe(await rollupDigest(b));
    const keys = await a.client.execute(
      "SELECT count(*) AS n FROM responses WHERE idempotency_key NOT LIKE 'demo-7-%'",
    );
    expect(Number(keys.rows[0]!.n)).toBe(0);
  });

  it('adds officials by code, one kiosk per unit, and shifts naming the counter-1 ratings (issue #10)', async () => {
    expect(countsA.officers.officials).toBe(16);
    expect(countsA.officers.kiosks).toBe(4);
    expect(countsA.officers.shifts).toBeGreaterThan(50);
    const rs = await a.client.execute(
      `SELECT (SELECT count(*) FROM dossiers WHERE official_code IS NOT NULL) AS coded,
              (SELECT count(*) FROM responses WHERE shift_id IS NOT NULL) AS kiosk,
              (SELECT count(*) FROM officials WHERE code NOT GLOB '[A-Z]*-[0-9][0-9]') AS odd`,
    );
    expect(Number(rs.rows[0]!.coded)).toBe(countsA.officers.dossiersWithOfficial);
    expect(Number(rs.rows[0]!.kiosk)).toBe(countsA.officers.kioskRatings);
    expect(Number(rs.rows[0]!.odd)).toBe(0);
  });

  it('rates about 30 % of dossiers with their token', () => {
    const share = countsA.verifiedEvaluations / countsA.dossiers;
    expect(share).toBeGreaterThan(0.22);
    expect(share).toBeLessThan(0.34);
  });

  it('writes rollups equal to a rebuild from the stored answers', async () => {
    const versions = await a.client.execute('SELECT version, definition FROM instrument_versions');
    const byVersion = new Map<string, Instrument>(
      versions.rows.map((r) => [String(r.version), instrumentSchema.parse(JSON.parse(String(r.definition)))]),
    );
    const responses = await a.client.execute(
      'SELECT id, instrument_version, unit_id, procedure_code, day, verified FROM responses ORDER BY id',
    );
    const answers = await a.client.execute('SELECT response_id, question_id, value FROM answers ORDER BY rowid');
    const byResponse = new Map<number, { question: string; value: string }[]>();
    for (const r of answers.rows) {
      const id = Number(r.response_id);
      if (!byResponse.has(id)) byResponse.set(id, []);
      byResponse.get(id)!.push({ question: String(r.question_id), value: String(r.value) });
    }
    const ancestors = new Map<string, string[]>();
    const spans = await unitSpans(a.client);
    const expected = new Map<string, RollupCell>();
    for (const r of responses.rows) {
      const ins = byVersion.get(String(r.instrument_version))!;
      const given: Record<string, string | string[]> = {};
      for (const { question, value } of byResponse.get(Number(r.id)) ?? []) {
        const q = ins.questions.find((x) => x.id === question)!;
        if (q.type === 'multi') given[question] = [...((given[question] as string[] | undefined) ?? []), value];
        else given[question] = value;
      }
      // A response dated after its unit ended counts for the successor (issue #7 §3, db/units.ts).
      const unit = unitOnDay(spans, String(r.unit_id), String(r.day));
      if (!ancestors.has(unit)) ancestors.set(unit, await unitWithAncestors(a.client, unit));
      const procs = r.procedure_code === null ? [''] : [String(r.procedure_code), ''];
      for (const u of ancestors.get(unit)!)
        for (const p of procs)
          for (const c of rollupCellsForResponse(ins, given)) {
            const key = [u, p, r.instrument_version, r.day, r.verified, c.metric, c.value].join('|');
            const seen = expected.get(key);
            if (seen) {
              seen.n += c.n;
              seen.sum += c.sum;
              seen.sumsq += c.sumsq;
            } else expected.set(key, { ...c });
          }
    }
    const stored = await a.client.execute(
      'SELECT unit_id, procedure_code, instrument_version, day, verified, metric, value, n, sum, sumsq FROM rating_rollups',
    );
    expect(stored.rows.length).toBe(expected.size);
    let mismatches = 0;
    for (const s of stored.rows) {
      const key = [s.unit_id, s.procedure_code, s.instrument_version, s.day, s.verified, s.metric, s.value].join('|');
      const e = expected.get(key);
      if (
        !e ||
        e.n !== Number(s.n) ||
        Math.abs(e.sum - Number(s.sum)) > 1e-6 * Math.max(1, e.sum) ||
        Math.abs(e.sumsq - Number(s.sumsq)) > 1e-6 * Math.max(1, e.sumsq)
      )
        mismatches++;
    }
    expect(mismatches).toBe(0);
  });

  it('scores the SIPAS feedback factor around 55–65 % and the others around 85–95 %', async () => {
    const sipas = content.instruments.find((i) => i.id === 'sipas')!;
    const rs = await a.client.execute(
      `SELECT metric, value, sum(n) AS n, sum(sum) AS sum, sum(sumsq) AS sumsq FROM rating_rollups
       WHERE unit_id = 'viet-nam' AND procedure_code = ''
         AND instrument_version IN (SELECT version FROM instrument_versions WHERE instrument_id = 'sipas')
       GROUP BY metric, value`,
    );
    const cells = rs.rows.map((r) => ({
      metric: String(r.metric),
      value: String(r.value),
      n: Number(r.n),
      sum: Number(r.sum),
      sumsq: Number(r.sumsq),
    }));
    const result = sipasIndex(sipas, cells);
    const index = new Map(result.factors.map((f) => [f.id, f.suppressed ? null : f.value.index]));
    const feedback = index.get('phan-anh-kien-nghi')!;
    expect(feedback).toBeGreaterThan(0.5);
    expect(feedback).toBeLessThan(0.7);
    for (const [id, value] of index) {
      if (id === 'phan-anh-kien-nghi') continue;
      expect(value).toBeGreaterThan(0.8);
      expect(value).toBeGreaterThan(feedback + 0.15);
    }
  });

  it('makes some units late on ≥ 5 % of their dossiers and most below', async () => {
    const rs = await a.client.execute(
      `SELECT unit_id, sum(total) AS total, sum(total - on_time) AS late FROM dossier_rollups GROUP BY unit_id`,
    );
    const shares = rs.rows.map((r) => Number(r.late) / Number(r.total));
    expect(shares.filter((s) => s >= 0.05).length).toBeGreaterThanOrEqual(1);
    expect(shares.filter((s) => s < 0.05).length).toBeGreaterThan(shares.length / 2);
  });

  it('gives units data only while they exist (docs/domain.md §3)', async () => {
    const rs = await a.client.execute(
      `SELECT u.id, u.valid_from, u.valid_to, min(d.returned_at) AS first, max(d.returned_at) AS last
       FROM dossiers d JOIN units u ON u.id = d.unit_id GROUP BY u.id`,
    );
    const ids = rs.rows.map((r) => String(r.id));
    // Abolished on 2025-06-30 and created on 2025-07-01: both inside the range.
    expect(ids).toContain('ninh-hoa');
    expect(ids).toContain('phuong-ninh-hoa');
    for (const r of rs.rows) {
      expect(String(r.first).slice(0, 10) >= String(r.valid_from)).toBe(true);
      if (r.valid_to !== null) expect(String(r.last) < `${String(r.valid_to)}T17:00:00Z`).toBe(true);
    }
  });
});

describe('seedDemoData', () => {
  it('leaves a database that already has responses alone', async () => {
    const lines: string[] = [];
    await seedDemoData(a, content, { DATABASE_URL: 'file:unused.db', CONTENT_DIR: CONTENT }, RANGE.to, (l) =>
      lines.push(l),
    );
    expect(lines).toEqual([]);
  });
});

describe('mulberry32', () => {
  it('repeats its sequence for a seed and stays in [0, 1)', () => {
    const x = mulberry32(42);
    const y = mulberry32(42);
    const xs = Array.from({ length: 1000 }, x);
    expect(Array.from({ length: 1000 }, y)).toEqual(xs);
    expect(xs.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(new Set(xs).size).toBe(1000);
  });
});
