/**
 * Ratings (issue #3). POST /responses stores one rating exactly once (Idempotency-Key), verified
 * when it carries a dossier's one-time token, self-selected otherwise (then rate-limited per client
 * and unit, with a proof of work and a honeypot). GET /pow/challenge hands out a challenge.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { powChallenge, ratingInput, ratingResult, type PowPayload } from '../contracts/rating.ts';
import { ProblemError } from '../problem.ts';
import { problems } from '../openapi.ts';
import { onlyMediaTypes } from '../middleware/media-type.ts';
import { resolveInstrument } from '../ratings/instruments.ts';
import { validateAnswers } from '../ratings/validate.ts';
import { newChallenge } from '../ratings/pow.ts';
import { rollupCellsForResponse } from '../scoring/scoring.ts';
import { canonicalJson } from '../contracts/instrument.ts';
import { serverSecret } from '../../db/secrets.ts';
import { findResponseByKey, responseStatements } from '../../db/responses.ts';
import { vnDay } from '../../db/time.ts';
import { knownCodes, rollupUnitsOn } from '../../db/units.ts';
import { committerFor } from '../../db/group-commit.ts';
import { redeemToken, DossierError, sha256Hex } from '../../db/dossiers.ts';
import type { AppEnv } from '../app-env.ts';
import { constraintOf } from '../../db/constraint.ts';
import { guardOpenSubmission, idempotencyKey } from '../open-submission.ts';
import { checkDevice, kioskOfRequest } from '../kiosk.ts';
import { findShift } from '../../db/officers.ts';

const submitRoute = createRoute({
  method: 'post',
  path: '/responses',
  summary: 'Submit a rating',
  description:
    'Stores one rating for the exact instrument version shown. Send an Idempotency-Key header: a retry with the same key and body returns the stored rating (200) instead of writing another.',
  middleware: [onlyMediaTypes(['application/json'])] as const,
  request: {
    headers: z.object({ 'idempotency-key': z.string().optional() }),
    body: { content: { 'application/json': { schema: ratingInput } } },
  },
  responses: {
    200: { content: { 'application/json': { schema: ratingResult } }, description: 'Already stored (a retry)' },
    201: { content: { 'application/json': { schema: ratingResult } }, description: 'Stored' },
    400: problems('Malformed JSON or missing Idempotency-Key'),
    401: problems('A kiosk cookie of no known device'),
    403: problems('A revoked kiosk link, or one of another unit or counter'),
    404: problems('Unknown token'),
    409: problems('Token already used, key reused for other answers, or proof of work replayed'),
    410: problems('Token expired'),
    413: problems('Body too large'),
    415: problems('Not JSON'),
    422: problems('Invalid fields'),
    429: problems('Too many open ratings from this client for this unit'),
  },
});

const challengeRoute = createRoute({
  method: 'get',
  path: '/pow/challenge',
  summary: 'A proof-of-work challenge for an open rating',
  responses: { 200: { content: { 'application/json': { schema: powChallenge } }, description: 'Challenge' } },
});

/** Maps a failed batch to what the citizen did: a retry, a used token or a replayed proof. */
function conflictOf(err: unknown): 'idempotency' | 'token' | 'pow' | undefined {
  const text = constraintOf(err);
  if (text === undefined) return undefined;
  if (text.includes('responses.idempotency_key')) return 'idempotency';
  if (text.includes('responses.dossier_id')) return 'token';
  if (text.includes('pow_used')) return 'pow';
  return undefined;
}

const tokenCheckRoute = createRoute({
  method: 'post',
  path: '/survey-tokens/check',
  summary: 'Whether a dossier survey token can still be used, without using it',
  description:
    'For the rating page a QR code opens (issue #11 part 3): a used or expired token is said on opening, before any question. The token travels in the body. 200 when it can be used; otherwise the problem the submission would get.',
  middleware: [onlyMediaTypes(['application/json'])] as const,
  request: {
    body: { content: { 'application/json': { schema: z.strictObject({ token: z.string().max(100) }) } } },
  },
  responses: {
    200: {
      content: { 'application/json': { schema: z.object({ instrument: z.string(), unit: z.string() }) } },
      description: 'Usable',
    },
    404: problems('token_invalid'),
    409: problems('token_used'),
    410: problems('token_expired'),
  },
});

export const responseRoutes = new OpenAPIHono<AppEnv>()
  .openapi(tokenCheckRoute, async (c) => {
    c.header('Cache-Control', 'no-store');
    try {
      // Only reads: the statements that would redeem the token are not run.
      const t = await redeemToken(c.var.deps.db.client, c.req.valid('json').token, c.var.deps.now());
      return c.json({ instrument: t.instrumentId, unit: t.unitId }, 200);
    } catch (err) {
      if (err instanceof DossierError) throw new ProblemError(err.status, err.code);
      throw err as Error;
    }
  })
  .openapi(challengeRoute, async (c) => {
    const { db, now } = c.var.deps;
    c.header('Cache-Control', 'no-store');
    const challenge = await newChallenge(await serverSecret(db.client, 'pow-hmac'), now());
    return c.json({ parameters: { ...challenge.parameters }, signature: challenge.signature ?? '' }, 200);
  })
  .openapi(submitRoute, async (c) => {
    const { db, now } = c.var.deps;
    const input = c.req.valid('json');
    c.header('Cache-Control', 'no-store');
    const key = idempotencyKey(c);
    if (input.website)
      throw new ProblemError(422, 'validation_failed', { errors: [{ path: 'website', code: 'invalid_value' }] });

    // The same answers sent again are a retry, whatever the key order or empty answers; the proof
    // of work may differ between tries.
    const { pow, website: _website, ...meaning } = input;
    const answered = Object.fromEntries(
      Object.entries(meaning.answers).filter(([, v]) => (Array.isArray(v) ? v.length > 0 : v.trim() !== '')),
    );
    const requestHash = sha256Hex(JSON.stringify(canonicalJson({ ...meaning, answers: answered })));
    const existing = await findResponseByKey(db.client, key);
    if (existing) {
      if (existing.requestHash !== requestHash) throw new ProblemError(409, 'idempotency_conflict');
      return c.json({ id: existing.id, verified: existing.verified, replayed: true }, 200);
    }

    const ins = await resolveInstrument(db.client, input.instrument, input.version);
    if (!ins)
      throw new ProblemError(422, 'unknown_instrument', { errors: [{ path: 'version', code: 'invalid_value' }] });
    const checked = validateAnswers(ins, input.answers);
    if (!checked.ok) throw new ProblemError(422, 'validation_failed', { errors: checked.errors });

    const at = now();
    let unitId = input.unit;
    let procedureCode = input.procedure;
    let dossierId: number | undefined;
    let shiftId: number | undefined;
    const extra = [];
    // A counter kiosk (issue #10, docs/kiosk-and-officers.md): the device's cookie stands in for the
    // proof of work and the per-client limit (one tablet rates for a whole queue of citizens); the
    // rating is self-selected and names the shift of the official on duty when it was given.
    const device = await kioskOfRequest(c);
    if (device !== undefined || input.shift !== undefined) {
      const kiosk = checkDevice(device, input.unit, input.counter ?? '');
      if (input.token)
        throw new ProblemError(422, 'validation_failed', { errors: [{ path: 'token', code: 'invalid_value' }] });
      if (input.shift !== undefined) {
        const shift = await findShift(db.client, input.shift);
        if (!shift || shift.deviceId !== kiosk.id)
          throw new ProblemError(422, 'shift_unknown', { errors: [{ path: 'shift', code: 'invalid_value' }] });
        shiftId = shift.id;
      }
      if (procedureCode && !(await knownCodes(db.client)).procedures.has(procedureCode))
        throw new ProblemError(422, 'unknown_procedure', { errors: [{ path: 'procedure', code: 'invalid_value' }] });
    } else if (input.token) {
      // Verified: the dossier, not the link, says which unit and procedure were served.
      try {
        const redeemed = await redeemToken(db.client, input.token, at);
        // A dossier token verifies the survey it was issued for, not any other.
        if (redeemed.instrumentId !== input.instrument)
          throw new ProblemError(422, 'unknown_instrument', {
            errors: [{ path: 'instrument', code: 'invalid_value' }],
          });
        unitId = redeemed.unitId;
        procedureCode = redeemed.procedureCode ?? undefined;
        dossierId = redeemed.dossierId;
        extra.push(...redeemed.statements);
      } catch (err) {
        if (err instanceof DossierError) throw new ProblemError(err.status, err.code);
        throw err as Error;
      }
    } else {
      const known = await knownCodes(db.client);
      if (!known.units.has(unitId))
        throw new ProblemError(422, 'unknown_unit', { errors: [{ path: 'unit', code: 'invalid_value' }] });
      if (procedureCode && !known.procedures.has(procedureCode))
        throw new ProblemError(422, 'unknown_procedure', { errors: [{ path: 'procedure', code: 'invalid_value' }] });
      extra.push(...(await guardOpenSubmission(c, { pow: pow as PowPayload | undefined, scope: unitId, at })));
    }

    const day = vnDay(at);
    const statements = [
      ...extra,
      ...responseStatements({
        instrumentVersion: input.version,
        unitId,
        procedureCode,
        counter: input.counter,
        dossierId,
        shiftId,
        verified: dossierId !== undefined,
        locale: input.locale,
        day,
        at,
        idempotencyKey: key,
        requestHash,
        answers: checked.answers,
        cells: rollupCellsForResponse(ins, checked.answers),
        // After its unit ended a rating counts for the successor (db/units.ts `unitOnDay`).
        rollupUnits: await rollupUnitsOn(db.client, unitId, day),
      }),
    ];
    let id: number;
    try {
      // Joined with other ratings arriving meanwhile: one fsync for many (db/group-commit.ts).
      const results = await committerFor(db.client).write(statements);
      id = Number(results[extra.length]!.rows[0]!.id);
    } catch (err) {
      const conflict = conflictOf(err);
      if (conflict === 'idempotency') {
        // Two copies of one submission raced; the other one won.
        const stored = await findResponseByKey(db.client, key);
        if (stored && stored.requestHash === requestHash)
          return c.json({ id: stored.id, verified: stored.verified, replayed: true }, 200);
        throw new ProblemError(409, 'idempotency_conflict');
      }
      if (conflict === 'token') throw new ProblemError(409, 'token_used');
      if (conflict === 'pow') throw new ProblemError(409, 'pow_replayed');
      throw err as Error;
    }
    return c.json({ id, verified: dossierId !== undefined, replayed: false }, 201);
  });
