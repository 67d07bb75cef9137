/**
 * The second step of a staff sign-in and the enrolment of a first factor (issue #7 part 4b;
 * docs/staff-security.md). Every route here needs the pending cookie a right password set
 * (POST /staff/login answering 200), never a session; a session is issued only when a factor passes.
 * Every attempt counts against the same throttle as passwords.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { InStatement } from '@libsql/client';
import { ProblemError, fieldErrors } from '../problem.ts';
import { problems } from '../openapi.ts';
import { onlyMediaTypes } from '../middleware/media-type.ts';
import { noStore, type StaffEnv } from '../staff/auth.ts';
import {
  checkTotp,
  hashRecoveryCode,
  newRecoveryCodes,
  newTotpSecret,
  openSecret,
  sealSecret,
  totpStep,
  totpUri,
} from '../staff/second-factor.ts';
import { authenticationOptions, registrationOptions, verifyAssertion, verifyRegistration } from '../staff/passkeys.ts';
import { issueSession, refuseFactor, requirePending, throttleSecondFactor, type Pending } from '../staff/sign-in.ts';
import {
  factorsOf,
  insertPasskeyStatement,
  insertTotpStatement,
  offerTotpSecret,
  passkeysOf,
  replaceRecoveryCodesStatements,
  setPasskeyCounterStatement,
  setPendingChallenge,
  useRecoveryCodeStatement,
} from '../../db/staff-mfa.ts';
import { auditStatement, findStaffById } from '../../db/staff.ts';

const codeInput = z.strictObject({ code: z.string().min(1).max(64) });
const passkeyInput = z.strictObject({ response: z.looseObject({ id: z.string().max(1024) }) });
const json = () => [onlyMediaTypes(['application/json'])];

const PENDING = 'Needs the pending cookie of a right password (401 `pending_invalid` without it).';

const pendingRoute = createRoute({
  method: 'get',
  path: '/staff/login/pending',
  summary: 'What the pending sign-in waits for',
  description: PENDING,
  responses: {
    200: {
      content: {
        'application/json': {
          schema: z.object({
            stage: z.enum(['verify', 'enrol']),
            username: z.string(),
            methods: z.object({ totp: z.boolean(), passkey: z.boolean(), recovery: z.boolean() }),
          }),
        },
      },
      description: 'The pending state',
    },
    401: problems('No live pending sign-in'),
  },
});

const factorResponses = {
  204: { description: 'Signed in; Set-Cookie carries the session and clears the pending cookie' },
  401: problems('No live pending sign-in, a wrong code (`second_factor_invalid`) or a replayed one'),
  409: problems('The pending sign-in is at the other stage'),
  415: problems('Not JSON'),
  422: problems('Invalid fields'),
  429: problems('Too many failed attempts (passwords and codes together)'),
};

const totpRoute = createRoute({
  method: 'post',
  path: '/staff/login/totp',
  summary: 'Second factor: a TOTP code (RFC 6238, 30 s, ±1 step, each step once)',
  description: PENDING,
  middleware: json(),
  request: { body: { content: { 'application/json': { schema: codeInput } } } },
  responses: factorResponses,
});

const recoveryRoute = createRoute({
  method: 'post',
  path: '/staff/login/recovery',
  summary: 'Second factor: a one-time recovery code',
  description: PENDING,
  middleware: json(),
  request: { body: { content: { 'application/json': { schema: codeInput } } } },
  responses: factorResponses,
});

const optionsOut = z.looseObject({ challenge: z.string() });

const passkeyOptionsRoute = createRoute({
  method: 'post',
  path: '/staff/login/passkey/options',
  summary: 'WebAuthn assertion options for the pending account’s passkeys',
  description: PENDING,
  responses: {
    200: {
      content: { 'application/json': { schema: optionsOut } },
      description: 'PublicKeyCredentialRequestOptionsJSON',
    },
    401: problems('No live pending sign-in'),
    409: problems('The account has no passkey, or the pending sign-in is at the other stage'),
  },
});

const passkeyRoute = createRoute({
  method: 'post',
  path: '/staff/login/passkey',
  summary: 'Second factor: a WebAuthn assertion',
  description: PENDING,
  middleware: json(),
  request: { body: { content: { 'application/json': { schema: passkeyInput } } } },
  responses: factorResponses,
});

const enrolled = z.object({ recovery_codes: z.array(z.string()) });
const enrolResponses = {
  200: {
    content: { 'application/json': { schema: enrolled } },
    description: 'Enrolled and signed in; the ten recovery codes are returned this once',
  },
  401: factorResponses[401],
  409: factorResponses[409],
  415: factorResponses[415],
  422: factorResponses[422],
  429: factorResponses[429],
};

const totpStartRoute = createRoute({
  method: 'post',
  path: '/staff/enrol/totp/start',
  summary: 'A TOTP secret to add to an authenticator app (the same one until enrolled)',
  description: `${PENDING} Only during enrolment; the secret is never returned again once enrolled.`,
  responses: {
    200: {
      content: { 'application/json': { schema: z.object({ secret: z.string(), uri: z.string() }) } },
      description: 'Base32 secret and otpauth:// URI',
    },
    401: problems('No live pending sign-in'),
    409: problems('Not at the enrolment stage'),
  },
});

const totpEnrolRoute = createRoute({
  method: 'post',
  path: '/staff/enrol/totp',
  summary: 'Enrol TOTP with a first code from the app',
  description: PENDING,
  middleware: json(),
  request: { body: { content: { 'application/json': { schema: codeInput } } } },
  responses: enrolResponses,
});

const passkeyEnrolOptionsRoute = createRoute({
  method: 'post',
  path: '/staff/enrol/passkey/options',
  summary: 'WebAuthn registration options for a first passkey',
  description: PENDING,
  responses: {
    200: {
      content: { 'application/json': { schema: optionsOut } },
      description: 'PublicKeyCredentialCreationOptionsJSON',
    },
    401: problems('No live pending sign-in'),
    409: problems('Not at the enrolment stage'),
  },
});

const passkeyEnrolRoute = createRoute({
  method: 'post',
  path: '/staff/enrol/passkey',
  summary: 'Enrol a passkey with a WebAuthn attestation (none)',
  description: PENDING,
  middleware: json(),
  request: { body: { content: { 'application/json': { schema: passkeyInput } } } },
  responses: enrolResponses,
});

export const staffMfaRoutes = new OpenAPIHono<StaffEnv>({
  defaultHook: (result) => {
    if (!result.success)
      throw new ProblemError(422, 'validation_failed', {
        errors: fieldErrors(result.error.issues, (result as { data?: unknown }).data),
      });
  },
});

staffMfaRoutes.use('/staff/login/*', noStore);
staffMfaRoutes.use('/staff/enrol/*', noStore);

staffMfaRoutes.openapi(pendingRoute, async (c) => {
  const deps = c.var.deps;
  const p = await requirePending(c, deps);
  const f = await factorsOf(deps.db.client, p.staffId);
  return c.json(
    {
      stage: p.stage,
      username: p.username,
      methods: { totp: f.totp, passkey: f.passkeys > 0, recovery: f.recoveryCodes > 0 },
    },
    200,
  );
});

staffMfaRoutes.openapi(totpRoute, async (c) => {
  const deps = c.var.deps;
  const p = await requirePending(c, deps, 'verify');
  const buckets = await throttleSecondFactor(c, deps, p);
  const result = await checkTotp(deps.db.client, deps.config, p.staffId, c.req.valid('json').code, deps.now());
  if (result !== 'ok') return refuseFactor(deps, p, 'totp', result);
  await issueSession(c, deps, p.staffId, buckets, { method: 'totp' }, { consume: p.idHash });
  return c.body(null, 204);
});

staffMfaRoutes.openapi(recoveryRoute, async (c) => {
  const deps = c.var.deps;
  const p = await requirePending(c, deps, 'verify');
  const buckets = await throttleSecondFactor(c, deps, p);
  const hash = await hashRecoveryCode(deps.db.client, c.req.valid('json').code);
  const now = deps.now();
  const rs = await deps.db.client.execute(useRecoveryCodeStatement(p.staffId, hash, now));
  if (rs.rowsAffected !== 1) return refuseFactor(deps, p, 'recovery', 'wrong');
  await issueSession(c, deps, p.staffId, buckets, { method: 'recovery_code' }, { consume: p.idHash });
  return c.body(null, 204);
});

staffMfaRoutes.openapi(passkeyOptionsRoute, async (c) => {
  const deps = c.var.deps;
  const p = await requirePending(c, deps, 'verify');
  const keys = await passkeysOf(deps.db.client, p.staffId);
  if (keys.length === 0) throw new ProblemError(409, 'pending_invalid');
  const options = await authenticationOptions(deps.config, keys);
  await setPendingChallenge(deps.db.client, p.idHash, options.challenge);
  return c.json(options, 200);
});

staffMfaRoutes.openapi(passkeyRoute, async (c) => {
  const deps = c.var.deps;
  const p = await requirePending(c, deps, 'verify');
  const buckets = await throttleSecondFactor(c, deps, p);
  const keys = await passkeysOf(deps.db.client, p.staffId);
  const ok = p.challenge
    ? await verifyAssertion(deps.config, c.req.valid('json').response, p.challenge, keys)
    : undefined;
  if (!ok) return refuseFactor(deps, p, 'passkey', 'wrong');
  await issueSession(
    c,
    deps,
    p.staffId,
    buckets,
    { method: 'passkey' },
    { consume: p.idHash, statements: [setPasskeyCounterStatement(ok.credentialId, ok.counter)] },
  );
  return c.body(null, 204);
});

// ── Enrolment ────────────────────────────────────────────────────────────────────────────────────

/** Ends an enrolment: the factor stored, ten recovery codes (hashes kept), a session, one batch. */
async function finishEnrolment(
  c: Context<StaffEnv>,
  p: Pending,
  buckets: Awaited<ReturnType<typeof throttleSecondFactor>>,
  method: string,
  factor: InStatement[],
) {
  const deps = c.var.deps;
  const codes = newRecoveryCodes();
  const hashes = await Promise.all(codes.map((code) => hashRecoveryCode(deps.db.client, code)));
  await issueSession(
    c,
    deps,
    p.staffId,
    buckets,
    { method },
    {
      consume: p.idHash,
      statements: [
        ...factor,
        ...replaceRecoveryCodesStatements(p.staffId, hashes),
        auditStatement({
          at: deps.now(),
          staffId: p.staffId,
          action: 'second_factor_enrol',
          targetType: 'staff',
          targetId: String(p.staffId),
          details: { method },
        }),
      ],
    },
  );
  return c.json({ recovery_codes: codes }, 200);
}

staffMfaRoutes.openapi(totpStartRoute, async (c) => {
  const deps = c.var.deps;
  const p = await requirePending(c, deps, 'enrol');
  const sealed = await offerTotpSecret(deps.db.client, p.idHash, sealSecret(deps.config, newTotpSecret()));
  const secret = openSecret(deps.config, sealed);
  return c.json({ secret, uri: totpUri(secret, p.username) }, 200);
});

staffMfaRoutes.openapi(totpEnrolRoute, async (c) => {
  const deps = c.var.deps;
  const p = await requirePending(c, deps, 'enrol');
  const buckets = await throttleSecondFactor(c, deps, p);
  const now = deps.now();
  const step = p.totpSecret
    ? totpStep(openSecret(deps.config, p.totpSecret), c.req.valid('json').code.replace(/\s/g, ''), now)
    : undefined;
  if (step === undefined) return refuseFactor(deps, p, 'totp', 'wrong');
  // The enrolling code's step counts as used: it cannot sign in again.
  return finishEnrolment(c, p, buckets, 'totp', [insertTotpStatement(p.staffId, p.totpSecret!, now, step)]);
});

staffMfaRoutes.openapi(passkeyEnrolOptionsRoute, async (c) => {
  const deps = c.var.deps;
  const p = await requirePending(c, deps, 'enrol');
  const staff = (await findStaffById(deps.db.client, p.staffId))!;
  const options = await registrationOptions(
    deps.config,
    { id: staff.id, username: staff.username, displayName: staff.display_name },
    await passkeysOf(deps.db.client, p.staffId),
  );
  await setPendingChallenge(deps.db.client, p.idHash, options.challenge);
  return c.json(options, 200);
});

staffMfaRoutes.openapi(passkeyEnrolRoute, async (c) => {
  const deps = c.var.deps;
  const p = await requirePending(c, deps, 'enrol');
  const buckets = await throttleSecondFactor(c, deps, p);
  const key = p.challenge
    ? await verifyRegistration(deps.config, c.req.valid('json').response, p.challenge)
    : undefined;
  if (!key) return refuseFactor(deps, p, 'passkey', 'wrong');
  return finishEnrolment(c, p, buckets, 'passkey', [insertPasskeyStatement(p.staffId, key, deps.now())]);
});
