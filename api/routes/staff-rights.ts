/**
 * The senders' requests about their contact data, staff side (issue #7 part 4; docs/privacy.md):
 * the list for the inbox, the earliest legal due date first (working days, content/privacy/
 * rights.yaml), and the step that carries a request out or refuses it with a reason the sender
 * reads. Only the roles that may read contact data today (coordinator, handler: PERSONAL_DATA_ROLES)
 * see and decide them, for cases in their unit subtrees; a case outside them answers 404.
 */
import type { Context } from 'hono';
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import {
  dataRequestDecision,
  staffDataRequestList,
  staffDataRequestQuery,
  type StaffDataRequest,
} from '../contracts/data-requests.ts';
import { ProblemError, fieldErrors } from '../problem.ts';
import { problems } from '../openapi.ts';
import { grantsCovering, noStore, requireStaff, type StaffEnv } from '../staff/auth.ts';
import { PERSONAL_DATA_ROLES } from './staff-feedback.ts';
import { decideRequest, requestOut } from '../privacy/requests.ts';
import { findCase } from '../../db/feedback-cases.ts';
import { findRequest, requestsInScope, requestsOfCase } from '../../db/data-requests.ts';
import { auditStatement } from '../../db/staff.ts';

const listRoute = createRoute({
  method: 'get',
  path: '/staff/data-requests',
  summary: 'Requests to correct or delete contact data, the earliest due first (coordinators and handlers)',
  description:
    '`status` (pending by default, or done, refused, all). With `feedback=<id>` the list of that case, with the sender’s reason and new values: an audited read of personal data.',
  request: { query: staffDataRequestQuery },
  responses: {
    200: { content: { 'application/json': { schema: staffDataRequestList } }, description: 'The requests' },
    401: problems('Not signed in'),
    422: problems('Invalid filter'),
  },
});

const decideRoute = createRoute({
  method: 'post',
  path: '/staff/data-requests/{id}',
  summary: 'Carry out or refuse a request (a refusal needs a reason the sender reads)',
  request: {
    params: z.object({ id: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) }),
    body: { content: { 'application/json': { schema: dataRequestDecision } } },
  },
  responses: {
    204: { description: 'Decided' },
    401: problems('Not signed in'),
    403: problems('Role without access to personal data, or missing CSRF token'),
    404: problems('No such request in the staff member’s units'),
    409: problems('Already decided, or the contact data is already gone'),
    422: problems('Invalid fields (a refusal without a reason)'),
  },
});

function personalRoots(c: Context<StaffEnv>): string[] {
  return [...new Set(c.var.staff.roles.filter((g) => PERSONAL_DATA_ROLES.includes(g.role)).map((g) => g.unit))];
}

export const staffRightsRoutes = new OpenAPIHono<StaffEnv>({
  defaultHook: (result) => {
    if (!result.success)
      throw new ProblemError(422, 'validation_failed', {
        errors: fieldErrors(result.error.issues, (result as { data?: unknown }).data),
      });
  },
});
staffRightsRoutes.use('/staff/data-requests', noStore);
staffRightsRoutes.use('/staff/data-requests/*', noStore);
staffRightsRoutes.use('/staff/data-requests', requireStaff(undefined, undefined, { audit: false }));
staffRightsRoutes.use('/staff/data-requests/*', requireStaff(undefined, undefined, { audit: false }));

staffRightsRoutes.openapi(listRoute, async (c) => {
  const deps = c.var.deps;
  const q = c.req.valid('query');
  const now = deps.now();
  const rows = await requestsInScope(deps.db.client, {
    roots: personalRoots(c),
    status: q.status === 'all' ? undefined : q.status,
    feedbackId: q.feedback,
  });
  // The reason and the new values are personal data: only in one case's list, and audited.
  const personal = q.feedback !== undefined && rows.length > 0;
  const full = personal ? await requestsOfCase(deps.db.client, q.feedback!, { withPersonal: true }) : [];
  if (personal)
    await deps.db.client.execute(
      auditStatement({
        at: now,
        staffId: c.var.staff.staffId,
        action: 'view_personal_data',
        targetType: 'feedback',
        targetId: String(q.feedback),
        unitId: rows[0]!.unitId,
        details: { data_requests: rows.length },
      }),
    );
  const items: StaffDataRequest[] = rows.map((r) => {
    const f = full.find((x) => x.id === r.id);
    return {
      ...requestOut(r),
      feedback_id: r.feedbackId,
      tracking_code: r.trackingCode,
      unit: { id: r.unitId, name_vi: r.unitNameVi, name_en: r.unitNameEn },
      overdue: r.status === 'pending' && new Date(r.dueAt).getTime() < now.getTime(),
      reason: f ? f.reason : null,
      corrections: f ? f.corrections : null,
    };
  });
  return c.json({ items }, 200);
});

staffRightsRoutes.openapi(decideRoute, async (c) => {
  const deps = c.var.deps;
  const { id } = c.req.valid('param');
  const body = c.req.valid('json');
  const request = await findRequest(deps.db.client, id);
  const row = request ? await findCase(deps.db.client, request.feedbackId) : undefined;
  if (!request || !row) throw new ProblemError(404, 'not_found');
  const grants = await grantsCovering(deps.db.client, c.var.staff.roles, row.unitId);
  if (grants.length === 0) throw new ProblemError(404, 'not_found');
  if (!grants.some((g) => PERSONAL_DATA_ROLES.includes(g.role))) throw new ProblemError(403, 'forbidden_role');
  if (body.decision === 'refuse' && body.note === undefined)
    throw new ProblemError(422, 'validation_failed', { errors: [{ path: 'note', code: 'required' }] });
  await decideRequest(deps, row, request, {
    staffId: c.var.staff.staffId,
    decision: body.decision,
    note: body.note ?? null,
  });
  return c.body(null, 204);
});
