/**
 * What the admin pages of the staff workspace do before they render (issue #4: "admin (users,
 * rules)"; the append-only audit log): sign-in, the admin check (others get a 403 page without a
 * single admin call), the account forms handed to the API, and the data the templates show. The
 * vi and en pages differ only in their locale, so both call these. Server only.
 *
 * Generated passwords (a new account, a reset) are shown in the response to the POST and nowhere
 * else: never redirected (they would have to travel in a URL), never kept in a cookie or a file.
 */
import {
  getJson,
  hasRole,
  postStaff,
  problemOf,
  seeOther,
  staffPath,
  staffUnits,
  startStaffPage,
  unitName,
  type StaffCtx,
  type StaffProblem,
  type StaffSessionInfo,
  type StaffUnit,
} from './staff.ts';
import { keptValues } from './staff-forms.ts';
import {
  AUDIT_PAGE_SIZE,
  accountId,
  auditFilters,
  auditQueryString,
  newStaffBody,
  type AuditFilters,
} from './staff-admin-forms.ts';
import type { SignIn } from './staff-pages.ts';

/** An account as GET /api/v1/staff/users lists it. */
export interface StaffAccount {
  id: number;
  username: string;
  display_name: string;
  active: boolean;
  created_at: string;
  last_seen_at: string | null;
  roles: { role: string; unit: string; unit_name: string }[];
}

/** One row of GET /api/v1/staff/audit. */
export interface AuditEntry {
  id: number;
  at: string;
  staff_id: number | null;
  staff_username: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  unit_id: string | null;
  details: Record<string, unknown> | null;
}

interface Signed {
  session: StaffSessionInfo;
  problem?: StaffProblem | undefined;
  /** Signed in without an admin role: the page is a 403. */
  forbidden?: boolean | undefined;
}

export type AccountDone = 'activate' | 'deactivate' | 'revoke' | 'resetFactor';

export interface AdminProps extends Signed {
  kind: 'admin';
  users: StaffAccount[];
  /** The units where the member may grant roles (their admin subtrees). */
  grantUnits: StaffUnit[];
  /** Unit id → its name in the page's language (the list's `unit_name` is Vietnamese only). */
  unitNames: Record<string, string>;
  /** What a refused "new account" form held, and which form row each role sent came from. */
  values: Record<string, string>;
  rows: number[];
  /** Which form the problem belongs to: the "new account" form or an account's buttons. */
  failed?: 'create' | 'account' | undefined;
  created?: { id: number; username: string; password: string } | undefined;
  reset?: { id: number; username: string; password: string } | undefined;
  done?: { what: AccountDone; username: string } | undefined;
}

export interface AuditProps extends Signed {
  kind: 'audit';
  filters: AuditFilters;
  entries?: AuditEntry[] | undefined;
  /** Whether a next page may exist (the API does not count: a full page means "maybe"). */
  more: boolean;
  unitNames: Record<string, string>;
  /** Account id → username, for rows about an account. */
  usernames: Record<number, string>;
}

function field(form: FormData | undefined, name: string): string {
  const v = form?.get(name);
  return typeof v === 'string' ? v : '';
}

function namesOf(units: readonly StaffUnit[], locale: string): Record<string, string> {
  return Object.fromEntries(units.map((u) => [u.id, unitName(u, locale)]));
}

const forbidden: StaffProblem = { status: 403, code: 'forbidden_role' };

/** The admin's accounts page: the list, a new account, and each account's buttons. */
export async function adminPage(ctx: StaffCtx, locale: string): Promise<Response | SignIn | AdminProps> {
  const start = await startStaffPage(ctx, locale);
  if (start.kind === 'response') return start.response;
  if (start.kind === 'signin') return { kind: 'signin', state: start };
  const out: AdminProps = {
    kind: 'admin',
    session: start.session,
    users: [],
    grantUnits: [],
    unitNames: {},
    values: {},
    rows: [],
    problem: start.problem,
  };
  if (!hasRole(start.session, 'admin')) return { ...out, forbidden: true, problem: forbidden };
  const here = staffPath(locale, 'admin');
  const form = start.form;
  const csrf = field(form, 'csrf_token');
  const intent = start.intent;
  try {
    if (intent === 'create' && form) {
      const { body, rows } = newStaffBody(form);
      const res = await postStaff(ctx, '/api/v1/staff/users', body, csrf);
      if (res.status === 201) {
        const r = (await res.json()) as { id: number; password: string };
        out.created = { id: r.id, username: body.username, password: r.password };
      } else {
        out.problem = await problemOf(res);
        out.failed = 'create';
        out.values = keptValues(form);
        out.rows = rows;
      }
    } else if (
      intent === 'activate' ||
      intent === 'deactivate' ||
      intent === 'reset' ||
      intent === 'revoke' ||
      intent === 'resetFactor'
    ) {
      const id = accountId(form?.get('account'));
      if (id === undefined) {
        out.problem = { status: 400, code: 'invalid_body' };
        out.failed = 'account';
      } else {
        const path =
          intent === 'reset'
            ? `/api/v1/staff/users/${id}/reset-password`
            : intent === 'revoke'
              ? `/api/v1/staff/users/${id}/revoke-sessions`
              : intent === 'resetFactor'
                ? `/api/v1/staff/users/${id}/reset-second-factor`
                : `/api/v1/staff/users/${id}/active`;
        const res = await postStaff(
          ctx,
          path,
          intent === 'activate' || intent === 'deactivate' ? { active: intent === 'activate' } : {},
          csrf,
        );
        if (res.status === 200 && intent === 'reset') {
          const r = (await res.json()) as { password: string };
          out.reset = { id, username: '', password: r.password };
        } else if (res.status === 200) {
          // Post/redirect/get: a reload shows the result instead of repeating the step.
          return seeOther(`${here}?done=${intent}&account=${id}`);
        } else {
          out.problem = await problemOf(res);
          out.failed = 'account';
        }
      }
    }
  } catch {
    out.problem = { status: 500, code: 'internal_error' };
  }
  const [list, units] = await Promise.all([
    getJson<{ users: StaffAccount[] }>(ctx, '/api/v1/staff/users'),
    staffUnits(ctx),
  ]);
  if ('problem' in list) {
    // Roles changed since sign-in: the API's refusal decides, shown as the same 403 page.
    if (list.problem.status === 403) return { ...out, forbidden: true, problem: forbidden };
    return { ...out, problem: out.problem ?? list.problem };
  }
  out.users = list.data.users;
  out.grantUnits = units.filter((u) => u.roles.includes('admin'));
  out.unitNames = namesOf(units, locale);
  const nameOf = (id: number) => out.users.find((u) => u.id === id)?.username ?? `#${id}`;
  if (out.created) out.created.username = nameOf(out.created.id);
  if (out.reset) out.reset.username = nameOf(out.reset.id);
  const done = ctx.url.searchParams.get('done') ?? '';
  const doneId = accountId(ctx.url.searchParams.get('account'));
  if (
    ctx.request.method === 'GET' &&
    doneId !== undefined &&
    ['activate', 'deactivate', 'revoke', 'resetFactor'].includes(done)
  )
    out.done = { what: done as AccountDone, username: nameOf(doneId) };
  return out;
}

/** The audit log of the admin's units and accounts, newest first, 50 a page. */
export async function auditPage(ctx: StaffCtx, locale: string): Promise<Response | SignIn | AuditProps> {
  const start = await startStaffPage(ctx, locale);
  if (start.kind === 'response') return start.response;
  if (start.kind === 'signin') return { kind: 'signin', state: start };
  const filters = auditFilters(ctx.url.searchParams);
  const out: AuditProps = {
    kind: 'audit',
    session: start.session,
    filters,
    more: false,
    unitNames: {},
    usernames: {},
    problem: start.problem,
  };
  if (!hasRole(start.session, 'admin')) return { ...out, forbidden: true, problem: forbidden };
  const [log, users, units] = await Promise.all([
    getJson<{ page: number; entries: AuditEntry[] }>(ctx, `/api/v1/staff/audit${auditQueryString(filters)}`),
    getJson<{ users: StaffAccount[] }>(ctx, '/api/v1/staff/users'),
    staffUnits(ctx),
  ]);
  if ('problem' in log) {
    if (log.problem.status === 403) return { ...out, forbidden: true, problem: forbidden };
    return { ...out, problem: out.problem ?? log.problem };
  }
  return {
    ...out,
    entries: log.data.entries,
    more: log.data.entries.length === AUDIT_PAGE_SIZE,
    unitNames: namesOf(units, locale),
    usernames: 'data' in users ? Object.fromEntries(users.data.users.map((u) => [u.id, u.username])) : {},
  };
}
