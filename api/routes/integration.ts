/**
 * POST /api/v1/integration/dossiers (issue #3): a unit's one-stop system registers the dossiers it
 * has returned and gets, for each, the survey link with a one-time token and its QR code to print
 * on the receipt. The dossiers feed the on-time/late figures; the token makes the citizen's rating
 * "verified" and allows one rating per dossier (docs/architecture.md §4, §6).
 *
 * Authenticated with `Authorization: Bearer <API key>` (`npm run dossiers create-key`). A key may
 * register dossiers of its own unit and of the units below it. The request is all or nothing:
 * any refused dossier refuses the whole request and writes nothing.
 *
 * Registering a (unit, code) again is answered, not refused: the item comes back with
 * `created: false` and no token (only the token's hash is stored, so it cannot be shown again, and
 * a second token would allow a second rating). A one-stop system that lost an answer can thus
 * safely send the same dossiers again. Sent again with different dates or procedure, it is a
 * 409 dossier_conflict: the stored record is never changed behind the figures' back.
 */
import { OpenAPIHono, createRoute } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import {
  dossierBatchInput,
  dossierInput,
  registerInput,
  registerQuery,
  registerResult,
  type DossierInput,
  type DossierResult,
} from '../contracts/integration.ts';
import type { FieldError } from '../contracts/problem.ts';
import { ProblemError, fieldErrors } from '../problem.ts';
import { problems } from '../openapi.ts';
import { onlyMediaTypes } from '../middleware/media-type.ts';
import { qrSvg, surveyUrl } from '../qr.ts';
import {
  findApiKey,
  registerDossiers,
  unknownProcedures,
  type ApiKey,
  type DossierInput as DossierRow,
} from '../../db/dossiers.ts';
import { unitWithin } from '../../db/units.ts';
import { officialsByCode } from '../../db/officers.ts';
import { invited, samplePlanFor, type SamplePlan } from '../../db/sample-plans.ts';
import { parseMargin } from '../stats/ranking.ts';
import { vnDay } from '../contracts/vn-time.ts';
import type { AppEnv } from '../app-env.ts';
import { publicBaseUrl } from '../env.ts';
import type { InStatement } from '@libsql/client';
import { inviteSms } from '../sms/templates.ts';
import { PHONE_SECRET, smsStatementWith, smsStopUrl } from '../sms/enqueue.ts';
import { serverSecret } from '../../db/secrets.ts';
import { smsPhoneKey } from '../../db/sms-outbox.ts';

/** A dossier returned a little "in the future" is a clock difference; more is a wrong date. */
const CLOCK_SKEW_MS = 5 * 60_000;

type IntegrationEnv = { Variables: AppEnv['Variables'] & { apiKey: ApiKey } };

/** 401 with a Bearer challenge when the key is missing, malformed, unknown or revoked. */
const requireApiKey: MiddlewareHandler<IntegrationEnv> = async (c, next) => {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(c.req.header('authorization') ?? '');
  const key = match ? await findApiKey(c.var.deps.db.client, match[1]!) : undefined;
  if (!key) throw new ProblemError(401, 'unauthorized', { headers: { 'WWW-Authenticate': 'Bearer' } });
  c.set('apiKey', key);
  await next();
};

const route = createRoute({
  method: 'post',
  path: '/integration/dossiers',
  summary: 'Register returned dossiers and get their survey links',
  description:
    'For one-stop systems. Send one dossier, or `{ "dossiers": [...] }` with up to 500 (within the body size limit). ' +
    'Each new dossier gets a one-time survey token, its link and a QR code (SVG) to print on the receipt; ' +
    'the token is shown only in this answer. A dossier sent again (same unit and code, same data) comes back with ' +
    '`created: false` and no token; with different data the request is refused (409). All or nothing.',
  security: [{ apiKey: [] }],
  middleware: [requireApiKey, onlyMediaTypes(['application/json'])] as const,
  request: {
    query: registerQuery,
    body: { content: { 'application/json': { schema: registerInput } }, required: true },
  },
  responses: {
    200: {
      content: { 'application/json': { schema: registerResult } },
      description: 'Every dossier was registered before: nothing written',
    },
    201: { content: { 'application/json': { schema: registerResult } }, description: 'Registered' },
    400: problems('Malformed JSON'),
    401: problems('Missing, unknown or revoked API key'),
    403: problems('A dossier of a unit outside the key’s unit, or an official’s code of another unit'),
    409: problems('A dossier registered before with other data'),
    413: problems('Body too large'),
    415: problems('Not JSON'),
    422: problems('Invalid fields, unknown procedure or unknown official’s code'),
  },
});

/** The path of a field of dossier `i` as the client sent it (one dossier or a list). */
function pathOf(single: boolean, i: number, field: string): string {
  return single ? field : `dossiers.${i}.${field}`;
}

/** Zod's union error says nothing useful; validate again against the shape the client meant. */
function validationHook(result: { success: boolean; error?: { issues: unknown[] } }): undefined {
  if (result.success) return undefined;
  const data = (result as { data?: unknown }).data;
  const meant =
    data !== null && typeof data === 'object' && !Array.isArray(data) && 'dossiers' in data
      ? dossierBatchInput
      : dossierInput;
  const again = meant.safeParse(data);
  const issues = again.success ? (result.error?.issues ?? []) : again.error.issues;
  throw new ProblemError(422, 'validation_failed', {
    errors: fieldErrors(issues as Parameters<typeof fieldErrors>[0], data),
  });
}

const app = new OpenAPIHono<IntegrationEnv>();
app.openAPIRegistry.registerComponent('securitySchemes', 'apiKey', {
  type: 'http',
  scheme: 'bearer',
  description: 'API key of a unit’s one-stop system (npm run dossiers create-key <unit> <label>)',
});

export const integrationRoutes = app.openapi(
  route,
  async (c) => {
    const { db, config, now } = c.var.deps;
    c.header('Cache-Control', 'no-store');
    const key = c.var.apiKey;
    const { qr, sample, margin: marginText } = c.req.valid('query');
    const margin = parseMargin(marginText);
    const input = c.req.valid('json');
    const single = !('dossiers' in input);
    const items: DossierInput[] = 'dossiers' in input ? input.dossiers : [input];
    const at = now();

    // Dates in order, no return in the future, each (unit, code) once in the request.
    const errors: FieldError[] = [];
    const rows: DossierRow[] = [];
    const seen = new Set<string>();
    items.forEach((d, i) => {
      const row: DossierRow = {
        unitId: d.unit ?? key.unitId,
        code: d.code,
        procedureCode: d.procedure,
        receivedAt: new Date(d.received_at),
        dueAt: new Date(d.due_at),
        returnedAt: new Date(d.returned_at),
        officialCode: d.official,
        phone: d.phone,
        locale: d.locale,
      };
      if (row.dueAt < row.receivedAt) errors.push({ path: pathOf(single, i, 'due_at'), code: 'invalid_value' });
      if (row.returnedAt < row.receivedAt || row.returnedAt.getTime() > at.getTime() + CLOCK_SKEW_MS)
        errors.push({ path: pathOf(single, i, 'returned_at'), code: 'invalid_value' });
      const id = `${row.unitId}\n${row.code}`;
      if (seen.has(id)) errors.push({ path: pathOf(single, i, 'code'), code: 'invalid_value' });
      seen.add(id);
      rows.push(row);
    });
    if (errors.length > 0) throw new ProblemError(422, 'validation_failed', { errors });

    // The key's unit or below it; an unknown unit is outside every key's subtree.
    const allowed = new Map<string, boolean>();
    for (const unit of new Set(rows.map((r) => r.unitId)))
      allowed.set(unit, await unitWithin(db.client, key.unitId, unit));
    const outside = rows.flatMap((r, i) =>
      allowed.get(r.unitId) ? [] : [{ path: pathOf(single, i, 'unit'), code: 'invalid_value' as const }],
    );
    if (outside.length > 0) throw new ProblemError(403, 'forbidden_unit', { errors: outside });

    const unknown = await unknownProcedures(
      db.client,
      rows.flatMap((r) => (r.procedureCode ? [r.procedureCode] : [])),
    );
    if (unknown.size > 0)
      throw new ProblemError(422, 'unknown_procedure', {
        errors: rows.flatMap((r, i) =>
          r.procedureCode && unknown.has(r.procedureCode)
            ? [{ path: pathOf(single, i, 'procedure'), code: 'invalid_value' as const }]
            : [],
        ),
      });

    // An official's code names an official of the dossier's own unit (issue #10 "officer codes of
    // another unit"): a code registered only elsewhere is refused, as is one never registered.
    const officialErrors: { path: string; code: 'invalid_value' }[] = [];
    let otherUnit = false;
    const byCode = new Map<string, Awaited<ReturnType<typeof officialsByCode>>>();
    for (const [i, r] of rows.entries()) {
      if (!r.officialCode) continue;
      if (!byCode.has(r.officialCode)) byCode.set(r.officialCode, await officialsByCode(db.client, r.officialCode));
      const known = byCode.get(r.officialCode)!;
      if (known.some((o) => o.unitId === r.unitId)) continue;
      if (known.length > 0) otherUnit = true;
      officialErrors.push({ path: pathOf(single, i, 'official'), code: 'invalid_value' });
    }
    if (officialErrors.length > 0)
      throw otherUnit
        ? new ProblemError(403, 'official_other_unit', { errors: officialErrors })
        : new ProblemError(422, 'unknown_official', { errors: officialErrors });

    // Never the request's origin: the Host header is the client's to choose (issue #7 part 6).
    const base = publicBaseUrl(config);
    const phoneSecret = rows.some((r) => r.phone) ? await serverSecret(db.client, PHONE_SECRET) : '';
    // The one-time rating invitation by SMS, in the batch of the dossier it invites to rate.
    const onCreated = (d: DossierRow, token: string): InStatement[] => {
      if (!d.phone) return [];
      const locale = d.locale ?? 'vi';
      const text = inviteSms(config.CONTENT_DIR, {
        locale,
        dossierCode: d.code,
        link: surveyUrl(base, { 'don-vi': d.unitId, 'thu-tuc': d.procedureCode, ma: token }),
        stopLink: smsStopUrl(base, smsPhoneKey(phoneSecret, d.phone), locale),
      });
      return [
        smsStatementWith(config, phoneSecret, {
          dedupeKey: `dossier:${d.unitId}:${d.code}:invite`,
          kind: 'invite',
          to: d.phone,
          text,
          at,
        }),
      ];
    };
    // The unit's random sample of the month of return (db/sample-plans.ts), when asked for.
    const plans = new Map<string, SamplePlan>();
    if (sample === 'plan')
      for (const r of rows) {
        const key = `${r.unitId}\n${vnDay(r.returnedAt).slice(0, 7)}`;
        if (!plans.has(key))
          plans.set(
            key,
            await samplePlanFor(db.client, r.unitId, key.slice(key.indexOf('\n') + 1), { margin, now: at }),
          );
      }
    const invite =
      sample === 'plan'
        ? (d: DossierRow) => invited(plans.get(`${d.unitId}\n${vnDay(d.returnedAt).slice(0, 7)}`)!, d.code)
        : undefined;
    const registered = await registerDossiers(db.client, rows, {
      now: at,
      tokenTtlDays: config.SURVEY_TOKEN_TTL_DAYS,
      onCreated,
      invite,
    });
    const conflicts = registered.flatMap((r, i) =>
      r.status === 'conflict' ? [{ path: pathOf(single, i, 'code'), code: 'invalid_value' as const }] : [],
    );
    if (conflicts.length > 0) throw new ProblemError(409, 'dossier_conflict', { errors: conflicts });

    const results: DossierResult[] = [];
    for (const r of registered) {
      const d = r.input;
      const common = { code: d.code, unit: d.unitId, procedure: d.procedureCode ?? null };
      if (r.status === 'created') {
        const url = surveyUrl(base, { 'don-vi': d.unitId, 'thu-tuc': d.procedureCode, ma: r.token });
        results.push({
          ...common,
          on_time: r.onTime,
          created: true,
          survey_url: url,
          token: r.token,
          token_expires_at: r.expiresAt.toISOString(),
          qr_svg: qr === 'svg' ? await qrSvg(url) : null,
          ...(sample === 'plan' ? { invited: true } : {}),
        });
      } else if (r.status === 'created-uninvited') {
        results.push({
          ...common,
          on_time: r.onTime,
          created: true,
          survey_url: null,
          token: null,
          token_expires_at: null,
          qr_svg: null,
          invited: false,
        });
      } else if (r.status === 'existing') {
        results.push({
          ...common,
          on_time: r.onTime,
          created: false,
          survey_url: null,
          token: null,
          token_expires_at: null,
          qr_svg: null,
        });
      }
    }
    const status = results.some((r) => r.created) ? 201 : 200;
    return c.json(single ? results[0]! : { dossiers: results }, status);
  },
  validationHook,
);
