/**
 * The sender's rights over their data, citizen side (issue #7 part 4; docs/privacy.md). With the
 * tracking code and key (or the e-mailed link), in the body, never in a URL:
 * - POST /feedback/export: everything gopy holds about the sender, as a JSON download: the case as
 *   they wrote it and as they see it (history, messages, ratings), their contact data, the list of
 *   files (each downloaded by POST /feedback/attachment) and their requests. Audited.
 * - POST /feedback/data-request: a request to correct (with the new values) or delete their
 *   contact data, with a reason. Stored for staff to decide, never applied silently.
 * Both count failed look-ups towards the same per-client limit as /feedback/track.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { citizenCredentials } from '../contracts/feedback-actions.ts';
import { feedbackTrack } from '../contracts/feedback.ts';
import { dataRequestOut } from '../contracts/privacy.ts';
import { dataRequestInput, dataRequestReceipt } from '../contracts/data-requests.ts';
import { ProblemError, fieldErrors } from '../problem.ts';
import { problems } from '../openapi.ts';
import { onlyMediaTypes } from '../middleware/media-type.ts';
import type { AppEnv } from '../app-env.ts';
import { citizenView } from '../feedback/citizen-view.ts';
import { senderCase } from './feedback.ts';
import { fileRequest, requestOut } from '../privacy/requests.ts';
import { readContact } from '../../db/feedback-cases.ts';
import { requestsOfCase } from '../../db/data-requests.ts';
import { auditStatement } from '../../db/staff.ts';

const senderExport = z.object({
  format: z.literal('gopy-sender-export/1'),
  exported_at: z.string(),
  notice_version: z.string(),
  case: z.object({
    tracking_code: z.string(),
    channel: z.string(),
    title: z.string(),
    content: z.string(),
    publish_content: z.boolean(),
    show_name: z.boolean(),
    locale: z.string(),
  }),
  contact: z
    .object({
      name: z.string(),
      phone: z.string().nullable(),
      email: z.string().nullable(),
      address: z.string().nullable(),
    })
    .nullable(),
  history: feedbackTrack,
  files_note: z.string(),
  data_requests: z.array(
    dataRequestOut.extend({ reason: z.string(), corrections: z.record(z.string(), z.string()).nullable() }),
  ),
});

const exportRoute = createRoute({
  method: 'post',
  path: '/feedback/export',
  summary: 'Download everything gopy holds about the sender of a case (JSON)',
  description:
    'Code and key (or the e-mailed link) in the body. The case as sent and as the sender sees it, the contact data, the list of files (download each with POST /feedback/attachment) and the requests about personal data. Sent as an attachment, never cached.',
  middleware: [onlyMediaTypes(['application/json', 'application/x-www-form-urlencoded'])] as const,
  request: {
    body: {
      content: {
        'application/json': { schema: citizenCredentials },
        'application/x-www-form-urlencoded': { schema: citizenCredentials },
      },
    },
  },
  responses: {
    200: { content: { 'application/json': { schema: senderExport } }, description: 'The export' },
    404: problems('Unknown code or wrong key'),
    415: problems('Not JSON nor a form'),
    422: problems('Malformed code or key'),
    429: problems('Too many failed look-ups from this client'),
  },
});

const requestRoute = createRoute({
  method: 'post',
  path: '/feedback/data-request',
  summary: 'Ask to correct or delete the contact data of a case',
  description:
    'A correction names the new values (name, phone, email, address; at least one); a deletion none. A reason is required. Answered by staff within the period of content/privacy/rights.yaml, counted in working days (`due_at`).',
  middleware: [onlyMediaTypes(['application/json'])] as const,
  request: { body: { content: { 'application/json': { schema: dataRequestInput } } } },
  responses: {
    201: { content: { 'application/json': { schema: dataRequestReceipt } }, description: 'Filed' },
    404: problems('Unknown code or wrong key'),
    409: problems(
      'The same request is already open (data_request_pending), or the contact data is gone (contact_deleted)',
    ),
    415: problems('Not JSON'),
    422: problems('Invalid fields, or a correction without new values'),
    429: problems('Too many failed look-ups from this client'),
  },
});

export const feedbackRightsRoutes = new OpenAPIHono<AppEnv>({
  defaultHook: (result) => {
    if (!result.success)
      throw new ProblemError(422, 'validation_failed', {
        errors: fieldErrors(result.error.issues, (result as { data?: unknown }).data),
      });
  },
})
  .openapi(exportRoute, async (c) => {
    const deps = c.var.deps;
    c.header('Cache-Control', 'no-store');
    const essence = c.req.header('content-type')?.split(';')[0]?.trim().toLowerCase();
    const raw: unknown =
      essence === 'application/json' ? await c.req.json().catch(() => null) : await c.req.parseBody();
    const parsed = citizenCredentials.safeParse(raw);
    if (!parsed.success)
      throw new ProblemError(422, 'validation_failed', { errors: fieldErrors(parsed.error.issues, raw) });
    const found = await senderCase(c, parsed.data);
    const at = deps.now();
    const [history, contact, requests] = await Promise.all([
      citizenView(deps, found),
      readContact(deps.db.client, found.id),
      requestsOfCase(deps.db.client, found.id, { withPersonal: true }),
    ]);
    await deps.db.client.execute(
      auditStatement({
        at,
        staffId: null,
        action: 'sender_export',
        targetType: 'feedback',
        targetId: String(found.id),
        unitId: found.unitId,
      }),
    );
    const body = {
      format: 'gopy-sender-export/1' as const,
      exported_at: at.toISOString(),
      notice_version: found.noticeVersion,
      case: {
        tracking_code: found.trackingCode,
        channel: found.channel,
        title: found.title,
        content: found.content,
        publish_content: found.publishContent,
        show_name: found.showName,
        locale: found.locale,
      },
      contact: contact ?? null,
      history,
      files_note:
        'history.attachments lists every file of the case; download each with POST /api/v1/feedback/attachment (code and key, or link, and the file id) or from the tracking page.',
      data_requests: requests.map((r) => ({ ...requestOut(r), reason: r.reason, corrections: r.corrections })),
    };
    return new Response(JSON.stringify(body, null, 2), {
      status: 200,
      headers: {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Disposition': `attachment; filename="gopy-${found.trackingCode}.json"`,
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
      },
    }) as never;
  })
  .openapi(requestRoute, async (c) => {
    const deps = c.var.deps;
    c.header('Cache-Control', 'no-store');
    const input = c.req.valid('json');
    const fix =
      input.kind === 'correct'
        ? Object.fromEntries(
            (['name', 'phone', 'email', 'address'] as const)
              .filter((k) => input[k] !== undefined)
              .map((k) => [k, input[k] as string]),
          )
        : null;
    if (fix && Object.keys(fix).length === 0)
      throw new ProblemError(422, 'correction_empty', {
        errors: (['name', 'phone', 'email', 'address'] as const).map((path) => ({ path, code: 'required' as const })),
      });
    if (!fix && (['name', 'phone', 'email', 'address'] as const).some((k) => input[k] !== undefined))
      throw new ProblemError(422, 'validation_failed', {
        errors: (['name', 'phone', 'email', 'address'] as const)
          .filter((k) => input[k] !== undefined)
          .map((path) => ({ path, code: 'unknown_field' as const })),
      });
    const found = await senderCase(c, input);
    await fileRequest(deps, found, { kind: input.kind, reason: input.reason, corrections: fix });
    const filed = (await requestsOfCase(deps.db.client, found.id, { withPersonal: false })).at(-1)!;
    return c.json({ request: requestOut(filed) }, 201);
  });
