/**
 * Dossier queries over a real temp libSQL file, migrated and filled from the real content/: API keys
 * stored hashed, registration with its rollup in one batch, duplicates, tokens stored hashed with
 * their expiry, and a token redeemed at most once under 100 concurrent attempts.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client, InStatement } from '@libsql/client';
import { openDb, type Db } from './client.ts';
import { migrate } from './migrate.ts';
import { syncContent, type UnitRow } from './content-sync.ts';
import {
  DossierError,
  createApiKey,
  findApiKey,
  isTokenUsedError,
  redeemToken,
  registerDossiers,
  revokeApiKey,
  sha256Hex,
  type DossierInput,
  type RegisteredDossier,
} from './dossiers.ts';
import { unitWithin } from './units.ts';

const PROCEDURE = '1.001193';
const NOW = new Date('2025-08-10T03:00:00Z');

let tmp: string;
let db: Db;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'gopy-dossiers-'));
  db = await openDb({ url: `file:${join(tmp, 'dossiers.db')}` });
  await migrate(db.client);
  // A small tree (db/ does not read content/ itself): province → departments → a hospital.
  const unit = (id: string, parent?: string): UnitRow => ({
    id,
    parent,
    kind: parent ? 'so' : 'tinh',
    name: { vi: id, en: id },
    valid_from: '2000-01-01',
  });
  await syncContent(
    db.client,
    [
      unit('khanh-hoa'),
      unit('so-y-te', 'khanh-hoa'),
      unit('so-tai-chinh', 'khanh-hoa'),
      unit('benh-vien-da-khoa-khanh-hoa', 'so-y-te'),
    ],
    [
      {
        code: PROCEDURE,
        name: { vi: 'Thủ tục', en: 'Procedure' },
        field: 'y-te',
        level: 'tinh',
        processing_days: 5,
        units: ['so-y-te'],
      },
    ],
  );
});

afterAll(() => {
  db.close();
  rmSync(tmp, { recursive: true, force: true });
});

async function count(table: string): Promise<number> {
  const rs = await db.client.execute(`SELECT count(*) AS n FROM ${table}`);
  return Number(rs.rows[0]!.n);
}

let seq = 0;
function dossier(overrides: Partial<DossierInput> = {}): DossierInput {
  seq++;
  return {
    unitId: 'so-y-te',
    code: `000.00.31.H42-250801-${String(seq).padStart(4, '0')}`,
    procedureCode: PROCEDURE,
    receivedAt: new Date('2025-08-01T01:00:00Z'),
    dueAt: new Date('2025-08-05T10:00:00Z'),
    returnedAt: new Date('2025-08-04T03:30:00Z'),
    ...overrides,
  };
}

function created(r: RegisteredDossier | undefined): Extract<RegisteredDossier, { status: 'created' }> {
  expect(r?.status).toBe('created');
  return r as Extract<RegisteredDossier, { status: 'created' }>;
}

const register = (list: DossierInput[], ttl = 30) => registerDossiers(db.client, list, { now: NOW, tokenTtlDays: ttl });

describe('API keys', () => {
  it('returns the plain key once and stores only its sha256', async () => {
    const { id, key } = await createApiKey(db.client, 'so-y-te', '  Một cửa Sở Y tế ', NOW);
    expect(key).toMatch(/^gopy_[A-Za-z0-9_-]{43}$/);
    const rs = await db.client.execute({ sql: 'SELECT * FROM api_keys WHERE id = ?', args: [id] });
    const row = rs.rows[0]!;
    expect(row.key_hash).toBe(sha256Hex(key));
    expect(row.label).toBe('Một cửa Sở Y tế');
    expect(row.unit_id).toBe('so-y-te');
    expect(row.revoked_at).toBeNull();
    for (const value of Object.values(row)) expect(String(value)).not.toContain(key.slice(5));
    // Not anywhere in the database files either (main file and write-ahead log).
    await db.client.execute('PRAGMA wal_checkpoint(PASSIVE)');
    for (const f of readdirSync(tmp).filter((n) => n.startsWith('dossiers.db')))
      expect(readFileSync(join(tmp, f)).includes(key.slice(5))).toBe(false);
  });

  it('finds an active key by its plain text, and nothing else', async () => {
    const { id, key } = await createApiKey(db.client, 'khanh-hoa', 'Một cửa tỉnh', NOW);
    expect(await findApiKey(db.client, key)).toEqual({ id, unitId: 'khanh-hoa', label: 'Một cửa tỉnh' });
    expect(await findApiKey(db.client, `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`)).toBeUndefined();
    expect(await findApiKey(db.client, sha256Hex(key))).toBeUndefined();
    expect(await findApiKey(db.client, '')).toBeUndefined();
    expect(await revokeApiKey(db.client, id, NOW)).toBe(true);
    expect(await findApiKey(db.client, key)).toBeUndefined();
    expect(await revokeApiKey(db.client, id, NOW)).toBe(false);
  });

  it('refuses an unknown unit and an empty label', async () => {
    await expect(createApiKey(db.client, 'khong-co', 'x', NOW)).rejects.toThrow(/unknown unit/);
    await expect(createApiKey(db.client, 'so-y-te', '   ', NOW)).rejects.toThrow(/label/);
  });
});

describe('unitWithin', () => {
  it('is the unit itself or below it in the tree', async () => {
    expect(await unitWithin(db.client, 'so-y-te', 'so-y-te')).toBe(true);
    expect(await unitWithin(db.client, 'so-y-te', 'benh-vien-da-khoa-khanh-hoa')).toBe(true);
    expect(await unitWithin(db.client, 'khanh-hoa', 'benh-vien-da-khoa-khanh-hoa')).toBe(true);
    expect(await unitWithin(db.client, 'so-y-te', 'so-tai-chinh')).toBe(false);
    expect(await unitWithin(db.client, 'so-y-te', 'khanh-hoa')).toBe(false);
    expect(await unitWithin(db.client, 'so-y-te', 'khong-co')).toBe(false);
  });
});

describe('registerDossiers', () => {
  it('writes the dossier, its hashed token and the rollup of the Viet Nam day of return', async () => {
    // 17:30 UTC on 4 August is 00:30 on 5 August in Viet Nam.
    const late = dossier({ returnedAt: new Date('2025-08-05T17:30:00Z') });
    const onTime = dossier({ returnedAt: new Date('2025-08-05T10:00:00Z') }); // exactly due: on time
    const noProc = dossier({ procedureCode: undefined, returnedAt: new Date('2025-08-04T17:30:00Z') });
    const before = await count('dossiers');
    const [a, b, c] = await register([late, onTime, noProc], 30);
    expect(await count('dossiers')).toBe(before + 3);
    expect(created(a).onTime).toBe(false);
    expect(created(b).onTime).toBe(true);
    expect(created(c).onTime).toBe(true);

    const rs = await db.client.execute({
      sql: 'SELECT code, on_time, returned_at FROM dossiers WHERE code IN (?, ?, ?) ORDER BY id',
      args: [late.code, onTime.code, noProc.code],
    });
    expect(rs.rows.map((r) => [r.code, r.on_time, r.returned_at])).toEqual([
      [late.code, 0, '2025-08-05T17:30:00.000Z'],
      [onTime.code, 1, '2025-08-05T10:00:00.000Z'],
      [noProc.code, 1, '2025-08-04T17:30:00.000Z'],
    ]);

    const rollups = await db.client.execute(
      "SELECT procedure_code, day, total, on_time FROM dossier_rollups WHERE unit_id = 'so-y-te' ORDER BY day, procedure_code",
    );
    // Every dossier also counts under '' (all procedures), so that row holds onTime and noProc.
    expect(rollups.rows.map((r) => [r.procedure_code, r.day, r.total, r.on_time])).toEqual(
      expect.arrayContaining([
        ['', '2025-08-05', 2, 2],
        ['', '2025-08-06', 1, 0],
        [PROCEDURE, '2025-08-05', 1, 1],
        [PROCEDURE, '2025-08-06', 1, 0],
      ]),
    );
    // And for every ancestor (subtree totals, as the rating rollups): one key range per figure.
    const up = await db.client.execute(
      "SELECT unit_id, sum(total) AS total FROM dossier_rollups WHERE procedure_code = '' AND day IN ('2025-08-05', '2025-08-06') GROUP BY unit_id ORDER BY unit_id",
    );
    expect(Object.fromEntries(up.rows.map((r) => [r.unit_id, r.total]))).toEqual({ 'so-y-te': 3, 'khanh-hoa': 3 });
  });

  it('stores the token as sha256 only, expiring TTL days after the return', async () => {
    const d = dossier({ returnedAt: new Date('2025-08-04T03:30:00Z') });
    const r = created((await register([d], 7))[0]);
    expect(r.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(r.token, 'base64url')).toHaveLength(32);
    expect(r.expiresAt.toISOString()).toBe('2025-08-11T03:30:00.000Z');
    const rs = await db.client.execute({
      sql: `SELECT t.* FROM survey_tokens t JOIN dossiers d ON d.id = t.dossier_id WHERE d.code = ?`,
      args: [d.code],
    });
    expect(rs.rows).toHaveLength(1);
    const row = rs.rows[0]!;
    expect(row.token_hash).toBe(sha256Hex(r.token));
    expect(row.expires_at).toBe('2025-08-11T03:30:00.000Z');
    expect(row.instrument_id).toBe('danh-gia-ho-so');
    expect(row.redeemed_at).toBeNull();
    const all = await db.client.execute('SELECT * FROM survey_tokens');
    expect(JSON.stringify(all.rows)).not.toContain(r.token);
  });

  it('a dossier registered again writes nothing and issues no token', async () => {
    const d = dossier();
    created((await register([d]))[0]);
    const counts = async () =>
      Promise.all(['dossiers', 'survey_tokens'].map(count)).then(async (n) => [
        ...n,
        Number((await db.client.execute('SELECT sum(total) AS n FROM dossier_rollups')).rows[0]!.n),
      ]);
    const before = await counts();
    const [again] = await register([d]);
    expect(again).toEqual({ status: 'existing', input: d, onTime: true });
    expect(await counts()).toEqual(before);

    // With other data: a conflict, and the new dossier sent beside it is not written either.
    const other = dossier();
    const results = await register([other, { ...d, dueAt: new Date('2025-08-02T00:00:00Z') }]);
    expect(results.map((r) => r.status)).toEqual(['created', 'conflict']);
    expect(await counts()).toEqual(before);
    expect(
      (await db.client.execute({ sql: 'SELECT 1 FROM dossiers WHERE code = ?', args: [other.code] })).rows,
    ).toHaveLength(0);
  });

  it('two registrations of one code at once: one creates, the other finds it', async () => {
    const d = dossier();
    const before = await count('dossiers');
    const results = await Promise.all([register([d]), register([d]), register([d])]);
    const statuses = results.map((r) => r[0]!.status).sort();
    expect(statuses).toEqual(['created', 'existing', 'existing']);
    expect(await count('dossiers')).toBe(before + 1);
  });

  it('is one batch: a failing statement leaves no dossier, token or rollup', async () => {
    const before = await Promise.all(['dossiers', 'survey_tokens', 'dossier_rollups'].map(count));
    // An unknown procedure breaks the foreign key of the second dossier's row.
    await expect(register([dossier(), dossier({ procedureCode: '9.999999' })])).rejects.toThrow();
    expect(await Promise.all(['dossiers', 'survey_tokens', 'dossier_rollups'].map(count))).toEqual(before);
  });
});

/** An INSERT with the given values plus a placeholder for every other NOT NULL column, so the test
 * keeps working when a migration adds columns. */
async function insertRow(client: Client, table: string, values: Record<string, unknown>): Promise<InStatement> {
  const info = await client.execute(`PRAGMA table_info(${table})`);
  const row: Record<string, unknown> = { ...values };
  for (const c of info.rows)
    if (Number(c.notnull) === 1 && c.dflt_value === null && Number(c.pk) === 0 && !(String(c.name) in row))
      row[String(c.name)] = 'x';
  const cols = Object.keys(row);
  return {
    sql: `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`,
    args: cols.map((c) => row[c] as string | number | null),
  };
}

describe('redeemToken', () => {
  let version: string;

  beforeAll(async () => {
    version = 'test000000000001';
    await db.client.execute(
      await insertRow(db.client, 'instrument_versions', {
        version,
        instrument_id: 'danh-gia-ho-so',
        kind: 'dossier-evaluation',
        definition: '{}',
        created_at: NOW.toISOString(),
      }),
    );
  });

  /** What the response writer does: redeem, then one batch with the response. */
  async function respond(token: string, key: string, at = NOW): Promise<'ok' | string> {
    try {
      const t = await redeemToken(db.client, token, at);
      await db.client.batch(
        [
          ...t.statements,
          await insertRow(db.client, 'responses', {
            instrument_version: version,
            unit_id: t.unitId,
            procedure_code: t.procedureCode ?? null,
            dossier_id: t.dossierId,
            verified: 1,
            locale: 'vi',
            day: '2025-08-10',
            created_at: at.toISOString(),
            idempotency_key: key,
          }),
        ],
        'write',
      );
      return 'ok';
    } catch (err) {
      if (err instanceof DossierError) return err.code;
      // Redeemed by another request between our check and our batch: the batch guard caught it.
      if (isTokenUsedError(err)) return 'token_used (batch)';
      throw err;
    }
  }

  it('refuses unknown, malformed and expired tokens', async () => {
    const r = created((await register([dossier()], 30))[0]);
    const fail = async (token: string, at = NOW) => {
      try {
        await redeemToken(db.client, token, at);
        return 'ok';
      } catch (err) {
        expect(err).toBeInstanceOf(DossierError);
        return `${(err as DossierError).status} ${(err as DossierError).code}`;
      }
    };
    expect(await fail('A'.repeat(43))).toBe('404 token_invalid');
    expect(await fail('short')).toBe('404 token_invalid');
    expect(await fail(`${r.token}'; --`)).toBe('404 token_invalid');
    expect(await fail(sha256Hex(r.token))).toBe('404 token_invalid');
    // Valid up to the expiry instant, expired one millisecond later.
    expect(await fail(r.token, r.expiresAt)).toBe('ok');
    expect(await fail(r.token, new Date(r.expiresAt.getTime() + 1))).toBe('410 token_expired');
  });

  it('returns the dossier, unit and procedure, and a used token is 409', async () => {
    const d = dossier({ unitId: 'benh-vien-da-khoa-khanh-hoa' });
    const r = created((await register([d]))[0]);
    const t = await redeemToken(db.client, r.token, NOW);
    const id = (await db.client.execute({ sql: 'SELECT id FROM dossiers WHERE code = ?', args: [d.code] })).rows[0]!.id;
    expect(t).toMatchObject({
      dossierId: Number(id),
      unitId: 'benh-vien-da-khoa-khanh-hoa',
      procedureCode: PROCEDURE,
      instrumentId: 'danh-gia-ho-so',
    });
    expect(t.statements).toEqual([
      {
        sql: 'UPDATE survey_tokens SET redeemed_at = ? WHERE token_hash = ? AND redeemed_at IS NULL',
        args: [NOW.toISOString(), sha256Hex(r.token)],
      },
    ]);
    expect(await respond(r.token, 'single-1')).toBe('ok');
    expect(await respond(r.token, 'single-2')).toBe('token_used');
    expect(await respond(r.token, 'single-3')).toBe('token_used');
    const row = await db.client.execute({
      sql: 'SELECT redeemed_at FROM survey_tokens WHERE token_hash = ?',
      args: [sha256Hex(r.token)],
    });
    expect(row.rows[0]!.redeemed_at).toBe(NOW.toISOString());
  });

  it('100 concurrent redemptions of one token: exactly one response, 99 token_used', async () => {
    const r = created((await register([dossier()]))[0]);
    const before = await count('responses');
    const outcomes = await Promise.all(Array.from({ length: 100 }, (_, i) => respond(r.token, `race-${i}`)));
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(1);
    expect(outcomes.filter((o) => o.startsWith('token_used'))).toHaveLength(99);
    // The race really happened: some attempts passed the check and were stopped by the batch.
    expect(outcomes.filter((o) => o === 'token_used (batch)').length).toBeGreaterThan(0);
    expect(await count('responses')).toBe(before + 1);
  });

  it('the batch guard: a second response for a redeemed dossier fails on UNIQUE', async () => {
    const r = created((await register([dossier()]))[0]);
    const t = await redeemToken(db.client, r.token, NOW);
    expect(await respond(r.token, 'guard-1')).toBe('ok');
    // The statements taken before the first redemption now update nothing; the insert fails the batch.
    const stmt = await insertRow(db.client, 'responses', {
      instrument_version: version,
      unit_id: t.unitId,
      dossier_id: t.dossierId,
      verified: 1,
      locale: 'vi',
      day: '2025-08-10',
      created_at: NOW.toISOString(),
      idempotency_key: 'guard-2',
    });
    const err = await db.client.batch([...t.statements, stmt], 'write').catch((e: unknown) => e);
    expect(isTokenUsedError(err)).toBe(true);
    expect(
      (await db.client.execute({ sql: 'SELECT 1 FROM responses WHERE idempotency_key = ?', args: ['guard-2'] })).rows,
    ).toHaveLength(0);
  });
});
