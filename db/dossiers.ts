/**
 * Dossiers returned by the one-stop systems (docs/architecture.md §3, §4.1; issue #3): the API keys those systems
 * use, the dossier rows with their timeliness rollups, and the one-time survey tokens printed on the
 * receipt as a QR code. Keys and tokens are stored as sha256 hex only: a copy of the database never
 * lets anyone register dossiers or rate in a citizen's name.
 *
 * db/ imports nothing from api/ (docs/architecture.md §1): a refused token is a `DossierError` carrying the problem
 * code and status, which the API turns into problem+json.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Client, InStatement } from '@libsql/client';
import { vnDay } from './time.ts';
import { constraintOf } from './constraint.ts';
import { unitWithAncestors } from './units.ts';

/** The instrument a dossier token opens unless the one-stop system says otherwise. */
export const DEFAULT_DOSSIER_INSTRUMENT = 'danh-gia-ho-so';

/** Why a survey token is refused; each is also a problem code of the API. */
export type DossierErrorCode = 'token_invalid' | 'token_expired' | 'token_used';

export class DossierError extends Error {
  readonly code: DossierErrorCode;
  readonly status: 404 | 409 | 410;
  constructor(code: DossierErrorCode, status: 404 | 409 | 410) {
    super(code);
    this.name = 'DossierError';
    this.code = code;
    this.status = status;
  }
}

/** The same class under the name the response writer first used. */
export { DossierError as TokenError };

/** sha256 hex of a key or token, the only form in which either is stored. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** 32 random bytes, base64url: 43 characters, 256 bits, safe in a URL without escaping. */
function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** A survey token as issued: 43 base64url characters. Anything else is refused before a lookup. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** API keys carry a prefix so that a leaked key is recognisable (in logs, by secret scanners). */
export const API_KEY_PREFIX = 'gopy_';
const API_KEY_PATTERN = /^gopy_[A-Za-z0-9_-]{43}$/;

// ── API keys ─────────────────────────────────────────────────────────────────────────────────────

export interface ApiKey {
  id: number;
  unitId: string;
  label: string;
}

/**
 * Creates a key for a unit's one-stop system. The plain key is returned once and never stored.
 * @example
 *   const { id, key } = await createApiKey(db.client, 'so-y-te', 'Một cửa Sở Y tế', new Date());
 */
export async function createApiKey(
  client: Client,
  unitId: string,
  label: string,
  now: Date,
): Promise<{ id: number; key: string }> {
  const unit = await client.execute({ sql: 'SELECT 1 FROM units WHERE id = ?', args: [unitId] });
  if (unit.rows.length === 0) throw new Error(`unknown unit "${unitId}"`);
  const name = label.trim().normalize('NFC');
  if (!name) throw new Error('a key needs a label (which system uses it)');
  const key = API_KEY_PREFIX + randomSecret();
  const rs = await client.execute({
    sql: 'INSERT INTO api_keys (unit_id, key_hash, label, created_at) VALUES (?, ?, ?, ?) RETURNING id',
    args: [unitId, sha256Hex(key), name, now.toISOString()],
  });
  return { id: Number(rs.rows[0]!.id), key };
}

/** The key's row when the key is known and not revoked; `undefined` otherwise. */
export async function findApiKey(client: Client, key: string): Promise<ApiKey | undefined> {
  if (!API_KEY_PATTERN.test(key)) return undefined;
  const rs = await client.execute({
    sql: 'SELECT id, unit_id, label FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL',
    args: [sha256Hex(key)],
  });
  const row = rs.rows[0];
  return row ? { id: Number(row.id), unitId: String(row.unit_id), label: String(row.label) } : undefined;
}

/** Revokes a key by id; returns false when there is no such key or it was already revoked. */
export async function revokeApiKey(client: Client, id: number, now: Date): Promise<boolean> {
  const rs = await client.execute({
    sql: 'UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL',
    args: [now.toISOString(), id],
  });
  return rs.rowsAffected === 1;
}

/** The codes among `codes` that are not in the procedures table. */
export async function unknownProcedures(client: Client, codes: readonly string[]): Promise<Set<string>> {
  const distinct = [...new Set(codes)];
  if (distinct.length === 0) return new Set();
  const rs = await client.execute({
    sql: `SELECT code FROM procedures WHERE code IN (${distinct.map(() => '?').join(', ')})`,
    args: distinct,
  });
  const known = new Set(rs.rows.map((r) => String(r.code)));
  return new Set(distinct.filter((c) => !known.has(c)));
}

// ── Dossiers ─────────────────────────────────────────────────────────────────────────────────────

export interface DossierInput {
  unitId: string;
  /** Mã hồ sơ: the code the one-stop system gave the dossier, unique per unit. */
  code: string;
  procedureCode?: string | undefined;
  receivedAt: Date;
  dueAt: Date;
  returnedAt: Date;
  /** Pseudonymous code of the official who handled it (db/officials.ts), never a name. */
  officialCode?: string | undefined;
  /** Only for the invitation statements of `RegisterOptions.onCreated`; never stored here. */
  phone?: string | undefined;
  locale?: string | undefined;
}

export interface RegisterOptions {
  now: Date;
  /** More statements for the batch of a new dossier, given its plain token (the SMS invitation). */
  onCreated?: ((d: DossierInput, token: string) => InStatement[]) | undefined;
  /** SURVEY_TOKEN_TTL_DAYS: the token expires this many days after the dossier is returned. */
  tokenTtlDays: number;
  instrumentId?: string | undefined;
  /** Which new dossiers get a survey token (db/sample-plans.ts); every one when absent. */
  invite?: ((d: DossierInput) => boolean) | undefined;
}

export type RegisteredDossier =
  | {
      status: 'created';
      input: DossierInput;
      onTime: boolean;
      /** The plain survey token: shown once, stored only as its hash. */
      token: string;
      expiresAt: Date;
    }
  | {
      /** Registered, but not drawn into the survey sample (issue #10 §2): no token. */
      status: 'created-uninvited';
      input: DossierInput;
      onTime: boolean;
    }
  | {
      /** Registered before with the same data: nothing written, no new token. */
      status: 'existing';
      input: DossierInput;
      onTime: boolean;
    }
  | {
      /** Registered before with other data: the whole request must be refused. */
      status: 'conflict';
      input: DossierInput;
    };

interface StoredDossier {
  procedure_code: string | null;
  received_at: string;
  due_at: string;
  returned_at: string;
  on_time: number;
  official_code: string | null;
}

function sameDossier(stored: StoredDossier, d: DossierInput): boolean {
  return (
    (stored.procedure_code ?? undefined) === d.procedureCode &&
    stored.received_at === d.receivedAt.toISOString() &&
    stored.due_at === d.dueAt.toISOString() &&
    stored.returned_at === d.returnedAt.toISOString() &&
    (stored.official_code ?? undefined) === d.officialCode
  );
}

async function existingDossiers(
  client: Client,
  dossiers: readonly DossierInput[],
): Promise<Map<string, StoredDossier>> {
  const out = new Map<string, StoredDossier>();
  // One query per 200 dossiers keeps the statement far below SQLite's variable limit.
  for (let i = 0; i < dossiers.length; i += 200) {
    const part = dossiers.slice(i, i + 200);
    const rs = await client.execute({
      sql: `SELECT unit_id, code, procedure_code, received_at, due_at, returned_at, on_time, official_code FROM dossiers
            WHERE ${part.map(() => '(unit_id = ? AND code = ?)').join(' OR ')}`,
      args: part.flatMap((d) => [d.unitId, d.code]),
    });
    for (const r of rs.rows)
      out.set(`${String(r.unit_id)}\n${String(r.code)}`, {
        procedure_code: r.procedure_code === null ? null : String(r.procedure_code),
        received_at: String(r.received_at),
        due_at: String(r.due_at),
        returned_at: String(r.returned_at),
        on_time: Number(r.on_time),
        official_code: r.official_code === null ? null : String(r.official_code),
      });
  }
  return out;
}

function isUniqueViolation(err: unknown, column: string): boolean {
  const text = constraintOf(err);
  return text !== undefined && /UNIQUE/i.test(text) && text.includes(column);
}

/**
 * Registers returned dossiers: for each new one a `dossiers` row, its survey token (hashed) and the
 * timeliness rollups of its day of return, all in ONE batch, so the figures never disagree with the
 * rows. Like the rating rollups (db/responses.ts), a dossier is counted for its unit AND every
 * ancestor, under its procedure AND under '' (all procedures): every timeliness figure of a subtree
 * is then one range of the primary key (db/stats.ts). Registering the same (unit, code) again writes nothing and issues no new
 * token (a one-stop system that retries after a lost answer must not create a second rating
 * right); the item comes back as `existing`, or as `conflict` when the data differs, in which case
 * nothing at all is written and the caller refuses the request.
 *
 * Callers validate first: the units exist, the procedures exist, dates are in order.
 * @example
 *   const [r] = await registerDossiers(db.client, [dossier], { now: new Date(), tokenTtlDays: 30 });
 *   if (r.status === 'created') print(r.token);
 */
export async function registerDossiers(
  client: Client,
  dossiers: readonly DossierInput[],
  options: RegisterOptions,
): Promise<RegisteredDossier[]> {
  // Two systems (or a retry racing its original) may register the same code at once: the loser's
  // batch fails on UNIQUE (unit_id, code) and writes nothing; looking again then finds the winner's.
  for (let attempt = 0; ; attempt++) {
    try {
      return await registerOnce(client, dossiers, options);
    } catch (err) {
      if (attempt < 2 && isUniqueViolation(err, 'dossiers.')) continue;
      throw err;
    }
  }
}

async function registerOnce(
  client: Client,
  dossiers: readonly DossierInput[],
  options: RegisterOptions,
): Promise<RegisteredDossier[]> {
  const existing = await existingDossiers(client, dossiers);
  const results: RegisteredDossier[] = [];
  const stmts: InStatement[] = [];
  const createdAt = options.now.toISOString();
  const instrument = options.instrumentId ?? DEFAULT_DOSSIER_INSTRUMENT;
  const ancestry = new Map<string, string[]>();
  for (const unitId of new Set(dossiers.map((d) => d.unitId)))
    ancestry.set(unitId, await unitWithAncestors(client, unitId));
  for (const d of dossiers) {
    const stored = existing.get(`${d.unitId}\n${d.code}`);
    if (stored) {
      results.push(
        sameDossier(stored, d)
          ? { status: 'existing', input: d, onTime: stored.on_time === 1 }
          : { status: 'conflict', input: d },
      );
      continue;
    }
    const onTime = d.returnedAt.getTime() <= d.dueAt.getTime();
    const invite = options.invite?.(d) ?? true;
    const token = randomSecret();
    const expiresAt = new Date(d.returnedAt.getTime() + options.tokenTtlDays * 86_400_000);
    stmts.push(
      {
        sql: `INSERT INTO dossiers (unit_id, code, procedure_code, received_at, due_at, returned_at, on_time, created_at,
                official_code)
              VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        args: [
          d.unitId,
          d.code,
          d.procedureCode ?? null,
          d.receivedAt.toISOString(),
          d.dueAt.toISOString(),
          d.returnedAt.toISOString(),
          onTime ? 1 : 0,
          createdAt,
          d.officialCode ?? null,
        ],
      },
      ...(invite
        ? [
            {
              sql: `INSERT INTO survey_tokens (token_hash, dossier_id, instrument_id, expires_at)
                    VALUES (?, (SELECT id FROM dossiers WHERE unit_id = ? AND code = ?), ?, ?)`,
              args: [sha256Hex(token), d.unitId, d.code, instrument, expiresAt.toISOString()],
            },
          ]
        : []),
    );
    const day = vnDay(d.returnedAt);
    const units = ancestry.get(d.unitId)?.length ? ancestry.get(d.unitId)! : [d.unitId];
    for (const unitId of units)
      for (const procedureCode of d.procedureCode ? [d.procedureCode, ''] : [''])
        stmts.push({
          sql: `INSERT INTO dossier_rollups (unit_id, procedure_code, day, total, on_time) VALUES (?, ?, ?, 1, ?)
                ON CONFLICT (unit_id, day, procedure_code) DO UPDATE SET total = total + 1,
                  on_time = on_time + excluded.on_time`,
          args: [unitId, procedureCode, day, onTime ? 1 : 0],
        });
    if (invite) {
      if (options.onCreated) stmts.push(...options.onCreated(d, token));
      results.push({ status: 'created', input: d, onTime, token, expiresAt });
    } else results.push({ status: 'created-uninvited', input: d, onTime });
  }
  if (results.some((r) => r.status === 'conflict')) return results;
  if (stmts.length > 0) await client.batch(stmts, 'write');
  return results;
}

// ── Survey tokens ────────────────────────────────────────────────────────────────────────────────

export interface RedeemedToken {
  dossierId: number;
  unitId: string;
  procedureCode: string | undefined;
  instrumentId: string;
  /**
   * Put these into the batch that writes the response, BEFORE the `INSERT INTO responses` with
   * `dossier_id = dossierId`. The update marks the token used; it matches no row when another
   * request redeemed the token in between, and that request's response already holds the
   * dossier's `responses.dossier_id` (UNIQUE), so this batch then fails on that constraint and
   * writes nothing: map the error with `isTokenUsedError` to 409 token_used.
   */
  statements: InStatement[];
}

/**
 * Checks a survey token and returns the statements that redeem it inside the response's batch.
 * Throws `DossierError` token_invalid (404) for an unknown or malformed token, token_expired (410)
 * after `expires_at`, token_used (409) once redeemed.
 * @example
 *   const t = await redeemToken(db.client, token, now);
 *   try {
 *     await db.client.batch([...t.statements, insertResponse(t.dossierId), ...answers], 'write');
 *   } catch (err) {
 *     if (isTokenUsedError(err)) throw new ProblemError(409, 'token_used');
 *     throw err;
 *   }
 */
export async function redeemToken(client: Client, tokenPlain: string, now: Date): Promise<RedeemedToken> {
  if (!TOKEN_PATTERN.test(tokenPlain)) throw new DossierError('token_invalid', 404);
  const hash = sha256Hex(tokenPlain);
  const rs = await client.execute({
    sql: `SELECT t.dossier_id, t.instrument_id, t.expires_at, t.redeemed_at, d.unit_id, d.procedure_code
          FROM survey_tokens t JOIN dossiers d ON d.id = t.dossier_id WHERE t.token_hash = ?`,
    args: [hash],
  });
  const row = rs.rows[0];
  if (!row) throw new DossierError('token_invalid', 404);
  if (row.redeemed_at !== null) throw new DossierError('token_used', 409);
  if (now.getTime() > Date.parse(String(row.expires_at))) throw new DossierError('token_expired', 410);
  return {
    dossierId: Number(row.dossier_id),
    unitId: String(row.unit_id),
    procedureCode: row.procedure_code === null ? undefined : String(row.procedure_code),
    instrumentId: String(row.instrument_id),
    statements: [
      {
        sql: 'UPDATE survey_tokens SET redeemed_at = ? WHERE token_hash = ? AND redeemed_at IS NULL',
        args: [now.toISOString(), hash],
      },
    ],
  };
}

/** Whether a failed batch failed because the dossier already has a response (token used). */
export function isTokenUsedError(err: unknown): boolean {
  return isUniqueViolation(err, 'responses.dossier_id');
}
