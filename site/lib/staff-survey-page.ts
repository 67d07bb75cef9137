/**
 * The workspace's survey page (/quan-tri/khao-sat/, issue #10 §2): for a unit in the member's
 * subtrees, how many more survey invitations to issue this month, the unit's sample plans and the
 * counters flagged for the reform office. Everything comes from GET /api/v1/staff/survey. Server only.
 */
import type { StaffSurveyResult } from '../../api/contracts/ranking.ts';
import {
  getJson,
  staffUnits,
  startStaffPage,
  type StaffCtx,
  type StaffProblem,
  type StaffSessionInfo,
  type StaffUnit,
} from './staff.ts';
import type { SignIn } from './staff-pages.ts';

export interface SurveyProps {
  kind: 'survey';
  session: StaffSessionInfo;
  units: StaffUnit[];
  unit: string;
  month: string;
  result?: StaffSurveyResult | undefined;
  problem?: StaffProblem | undefined;
}

export async function surveyPage(ctx: StaffCtx, locale: string): Promise<Response | SignIn | SurveyProps> {
  const start = await startStaffPage(ctx, locale);
  if (start.kind === 'response') return start.response;
  if (start.kind === 'signin') return { kind: 'signin', state: start };
  const units = (await staffUnits(ctx)).filter((u) => u.roles.length > 0);
  const asked = ctx.url.searchParams.get('don-vi')?.slice(0, 100) ?? '';
  const unit = asked || units[0]?.id || '';
  const month = ctx.url.searchParams.get('thang')?.slice(0, 7) ?? '';
  const out: SurveyProps = { kind: 'survey', session: start.session, units, unit, month, problem: start.problem };
  if (!unit) return out;
  const qs = new URLSearchParams({ unit, ...(month ? { month } : {}) }).toString();
  const r = await getJson<StaffSurveyResult>(ctx, `/api/v1/staff/survey?${qs}`);
  if ('data' in r) out.result = r.data;
  else out.problem = r.problem;
  return out;
}
