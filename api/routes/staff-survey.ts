/**
 * GET /api/v1/staff/survey (issue #10 §2; docs/reform-office.md): for a unit in the member's
 * subtrees and a month, how many more survey invitations to issue, the unit's sample plans (the
 * seed of a month only once it is over, so the selection can be checked), and the counters flagged
 * for the reform office with the rules. Staff only (counters are officials' desks); every read is
 * audited like other staff reads of unit data.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { problems } from '../openapi.ts';
import { staffSurveyResult } from '../contracts/ranking.ts';
import { ProblemError } from '../problem.ts';
import { noStore, requireStaff, type StaffEnv } from '../staff/auth.ts';
import { audit } from '../../db/staff.ts';
import { findUnit } from '../../db/stats.ts';
import { samplePlansOf } from '../../db/sample-plans.ts';
import { vnDay } from '../contracts/vn-time.ts';
import { ABOVE_VERIFIED, BURST, invitationPlan, surveyFlags } from '../stats/survey-plan.ts';

const query = z.object({
  unit: z.string().min(1).max(100),
  month: z
    .string()
    .regex(/^\d{4}-(?:0[1-9]|1[0-2])$/)
    .optional()
    .describe('YYYY-MM, Viet Nam time; default this month'),
});

const route = createRoute({
  method: 'get',
  path: '/staff/survey',
  summary: 'Survey invitations to issue this month, sample plans and counter flags of a unit (staff)',
  request: { query },
  responses: {
    200: { content: { 'application/json': { schema: staffSurveyResult } }, description: 'Survey plan' },
    401: problems('Not signed in'),
    403: problems('The unit is outside the member’s subtrees'),
    422: problems('validation_failed or unknown_unit'),
  },
});

export const staffSurveyRoutes = new OpenAPIHono<StaffEnv>();
staffSurveyRoutes.use('/staff/survey', noStore);
staffSurveyRoutes.use(
  '/staff/survey',
  requireStaff(undefined, async (c) => {
    const unit = c.req.query('unit') ?? '';
    if (!unit || unit.length > 100 || !(await findUnit(c.var.deps.db.client, unit)))
      throw new ProblemError(422, 'unknown_unit', { errors: [{ path: 'unit', code: 'invalid_value' }] });
    return unit;
  }),
);

staffSurveyRoutes.openapi(route, async (c) => {
  const { db, now, config } = c.var.deps;
  const q = c.req.valid('query');
  const unit = (await findUnit(db.client, q.unit))!;
  const month = q.month ?? vnDay(now()).slice(0, 7);
  const [plan, plans, flags] = await Promise.all([
    invitationPlan(db.client, unit.id, month),
    samplePlansOf(db.client, unit.id, vnDay(now()).slice(0, 7)),
    surveyFlags(db.client, unit.id, month, config.STATS_MIN_N),
  ]);
  await audit(db.client, {
    at: now(),
    staffId: c.var.staff.staffId,
    action: 'read',
    unitId: unit.id,
    details: { route: '/staff/survey', month },
  });
  return c.json(
    {
      unit: unit.id,
      name: unit.name,
      plan,
      sample_plans: plans.map((p) => ({
        month: p.month,
        margin: p.margin,
        expected: p.expected,
        needed: p.needed,
        response_rate: p.responseRate,
        rate: p.rate,
        created_at: p.createdAt,
        seed: p.seed,
      })),
      flags,
      rules: { burst: { ...BURST }, above_verified: { ...ABOVE_VERIFIED } },
    },
    200,
  );
});
