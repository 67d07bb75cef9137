/**
 * The workspace page of counter kiosks and officials (issue #10 part 3; docs/kiosk-and-officers.md):
 * officer results for the month (one's own, or a supervisor's unit), and for unit admins the kiosk
 * device links (make, revoke) and the officials' counter sign-in codes. Plain forms; the device link
 * and the sign-in code are shown once, on the page that made them. Server only.
 */
import {
  getJson,
  hasRole,
  postStaff,
  problemOf,
  startStaffPage,
  type StaffCtx,
  type StaffProblem,
  type StaffSessionInfo,
} from './staff.ts';
import type { SignIn } from './staff-pages.ts';

export interface Figure {
  n: number | null;
  value: number | null;
  low: number | null;
  high: number | null;
  suppressed: boolean;
}

export interface OfficerCell {
  unit: string;
  official: string;
  dossiers: Figure;
  late: Figure;
  verified_satisfaction: Figure;
  kiosk_satisfaction: Figure;
  verdict: 'cannot-be-good' | 'meets' | 'undetermined';
  verdict_reason: string | null;
  late_threshold: number;
}

export interface Device {
  id: number;
  unit: string;
  counter: string;
  label: string;
  created_at: string;
  revoked_at: string | null;
}

export interface OfficersProps {
  kind: 'officers';
  session: StaffSessionInfo;
  month: string;
  unit: string;
  /** Units the member supervises (the choices of the unit field). */
  supervised: { id: string; name: string }[];
  /** Units the member administers. */
  administered: { id: string; name: string }[];
  results?: OfficerCell[] | undefined;
  devices: Device[];
  /** Shown once: a new device link, or a new sign-in code. */
  made?: { link: string } | { code: string; pin: string } | undefined;
  problem?: StaffProblem | undefined;
}

/** The month before this one in Việt Nam ("YYYY-MM"): the last complete month. */
export function lastMonth(now = new Date()): string {
  const vn = new Date(now.getTime() + 7 * 3600_000);
  const d = new Date(Date.UTC(vn.getUTCFullYear(), vn.getUTCMonth() - 1, 1));
  return d.toISOString().slice(0, 7);
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

function text(form: FormData | undefined, name: string): string {
  const v = form?.get(name);
  return typeof v === 'string' ? v.trim() : '';
}

export async function officersPage(ctx: StaffCtx, locale: string): Promise<Response | SignIn | OfficersProps> {
  const start = await startStaffPage(ctx, locale);
  if (start.kind === 'response') return start.response;
  if (start.kind === 'signin') return { kind: 'signin', state: start };
  const session = start.session;
  const q = ctx.url.searchParams;
  const month = MONTH.test(q.get('thang') ?? '') ? q.get('thang')! : lastMonth();
  const unitName = (id: string) => session.roles.find((r) => r.unit === id)?.unit_name ?? id;
  const of = (role: string) => [...new Set(session.roles.filter((r) => r.role === role).map((r) => r.unit))];
  const supervised = of('supervisor').map((id) => ({ id, name: unitName(id) }));
  const administered = of('admin').map((id) => ({ id, name: unitName(id) }));
  const unit = supervised.some((u) => u.id === q.get('don-vi')) ? q.get('don-vi')! : '';
  const out: OfficersProps = {
    kind: 'officers',
    session,
    month,
    unit,
    supervised,
    administered,
    devices: [],
    problem: start.problem,
  };

  // Admin writes: a device link, its revocation, an official's sign-in code.
  const form = start.form;
  const csrf = text(form, 'csrf_token');
  if (start.intent === 'kiosk-create' || start.intent === 'kiosk-revoke' || start.intent === 'official') {
    let res: Response;
    if (start.intent === 'kiosk-create')
      res = await postStaff(
        ctx,
        '/api/v1/staff/kiosks',
        { unit: text(form, 'unit'), counter: text(form, 'counter'), label: text(form, 'label') },
        csrf,
      );
    else if (start.intent === 'kiosk-revoke')
      res = await postStaff(ctx, `/api/v1/staff/kiosks/${encodeURIComponent(text(form, 'device'))}/revoke`, {}, csrf);
    else
      res = await postStaff(
        ctx,
        '/api/v1/staff/officials',
        { unit: text(form, 'unit'), code: text(form, 'code') },
        csrf,
      );
    if (res.status >= 400) out.problem = await problemOf(res);
    else if (start.intent === 'kiosk-create') out.made = { link: ((await res.json()) as { link: string }).link };
    else if (start.intent === 'official') {
      const body = (await res.json()) as { code: string; pin: string };
      out.made = { code: body.code, pin: body.pin };
    }
  }

  const results = await getJson<{ officials: OfficerCell[] }>(
    ctx,
    `/api/v1/staff/officers/results?month=${month}${unit ? `&unit=${encodeURIComponent(unit)}` : ''}`,
  );
  if ('data' in results) out.results = results.data.officials;
  else out.problem ??= results.problem;
  if (hasRole(session, 'admin')) {
    const devices = await getJson<{ devices: Device[] }>(ctx, '/api/v1/staff/kiosks');
    if ('data' in devices) out.devices = devices.data.devices;
  }
  return out;
}
