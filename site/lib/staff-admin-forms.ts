/**
 * The admin pages' plain HTML forms (issue #4: "admin (users, rules)"; "every staff action and
 * every view of personal data is written to an append-only audit log") turned into API requests,
 * and the small texts those pages compute. Pure functions (no I/O), unit-tested beside; the pages
 * and site/lib/staff-admin.ts do the calls.
 */
import { STAFF_ACTIONS } from './staff-forms.ts';

/** The roles an admin may grant (db/staff.ts `staffRoles`). */
export const STAFF_ROLES = ['coordinator', 'handler', 'publisher', 'admin', 'supervisor'] as const;
export type StaffRoleName = (typeof STAFF_ROLES)[number];

/**
 * Role rows of the "new account" form. Without JavaScript a form cannot add rows, so it offers a
 * few; blank rows are ignored, and an account needing more roles than this is rare enough to be
 * made in two steps (the API takes up to 20).
 */
export const ROLE_ROWS = 3;

export interface NewStaffBody {
  username: string;
  display_name: string;
  roles: { role: string; unit: string }[];
}

function text(form: FormData, name: string): string {
  const v = form.get(name);
  return typeof v === 'string' ? v : '';
}

/**
 * The JSON body of POST /api/v1/staff/users from the form, and for each role sent the form row it
 * came from (so `roles.1.unit` in a refusal points at the right select). A row with only one of
 * role and unit chosen is sent as it is, for the API to refuse with a field error: silently
 * dropping half a grant would create an account without a role the admin meant to give.
 * @example newStaffBody(formOf({ username: 'lan', display_name: 'Lan', role_0: 'handler', unit_0: 'khanh-hoa' }))
 *   // { body: { username: 'lan', display_name: 'Lan', roles: [{ role: 'handler', unit: 'khanh-hoa' }] }, rows: [0] }
 */
export function newStaffBody(form: FormData): { body: NewStaffBody; rows: number[] } {
  const roles: NewStaffBody['roles'] = [];
  const rows: number[] = [];
  for (let i = 0; i < ROLE_ROWS; i++) {
    const role = text(form, `role_${i}`).trim();
    const unit = text(form, `unit_${i}`).trim();
    if (!role && !unit) continue;
    roles.push({ role, unit });
    rows.push(i);
  }
  return {
    body: { username: text(form, 'username').trim(), display_name: text(form, 'display_name'), roles },
    rows,
  };
}

/**
 * The id of the input an API field path refers to on the "new account" form, or undefined.
 * @example createFieldId('roles.1.unit', [0, 2]) === 'a-unit-2'
 */
export function createFieldId(path: string, rows: readonly number[]): string | undefined {
  if (path === 'username') return 'a-username';
  if (path === 'display_name') return 'a-display-name';
  if (path === 'roles') return 'a-role-0';
  const m = /^roles\.(\d+)(?:\.(role|unit))?$/.exec(path);
  if (!m) return undefined;
  const row = rows[Number(m[1])] ?? 0;
  return `a-${m[2] ?? 'role'}-${row}`;
}

/** An account id posted by a per-account form; anything else is no account. */
export function accountId(value: unknown): number | undefined {
  return typeof value === 'string' && /^[1-9]\d{0,14}$/.test(value) ? Number(value) : undefined;
}

/**
 * Every action the API writes to the audit log (api/routes/staff-*.ts, api/staff/auth.ts,
 * api/feedback/service.ts), for the filter and for their names in words.
 */
export const AUDIT_ACTIONS: readonly string[] = [
  'login_success',
  'login_failure',
  'login_throttled',
  'logout',
  'view_case',
  'view_personal_data',
  'redaction_preview',
  'apology_letter',
  ...STAFF_ACTIONS.map((a) => `feedback_${a}`),
  'feedback_enter',
  'feedback_search',
  'staff_create',
  'staff_activate',
  'staff_deactivate',
  'staff_reset_password',
  'revoke_sessions',
  'login_password_ok',
  'second_factor_enrol',
  'staff_reset_second_factor',
  'password_change',
  'kiosk_create',
  'kiosk_revoke',
  'official_register',
  'officer_results_view',
  'write',
];

/** The actions the filter offers: every action the log names (GET /api/v1/staff/audit accepts them all). */
export const AUDIT_FILTER_ACTIONS: readonly string[] = AUDIT_ACTIONS;

export interface AuditFilters {
  action?: string;
  page: number;
}

/** The audit filters of a page URL, keeping only values the API accepts. */
export function auditFilters(params: URLSearchParams): AuditFilters {
  const action = params.get('action') ?? '';
  const page = Number(params.get('page') ?? '1');
  const f: AuditFilters = { page: Number.isInteger(page) && page >= 1 && page <= 10000 ? page : 1 };
  if (AUDIT_FILTER_ACTIONS.includes(action)) f.action = action;
  return f;
}

/**
 * The query string of the filters ("" when none), for the API and the page's own links.
 * @example auditQueryString({ action: 'logout', page: 2 }) === '?action=logout&page=2'
 */
export function auditQueryString(f: AuditFilters, page = f.page): string {
  const p = new URLSearchParams();
  if (f.action) p.set('action', f.action);
  if (page > 1) p.set('page', String(page));
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** The API's page size for the audit log. */
export const AUDIT_PAGE_SIZE = 50;

/** The feedback step of a `feedback_<step>` action, or undefined. */
export function feedbackStepOf(action: string): string | undefined {
  const step = action.startsWith('feedback_') ? action.slice('feedback_'.length) : '';
  return (STAFF_ACTIONS as readonly string[]).includes(step) ? step : undefined;
}

/**
 * The details of an audit row as a flat list of scalar pairs, in a stable order (the API writes
 * codes and ids only, never names or free text; anything nested is left out rather than shown as
 * "[object Object]").
 */
export function detailPairs(details: Record<string, unknown> | null): [string, string | number | boolean][] {
  if (!details) return [];
  const out: [string, string | number | boolean][] = [];
  for (const [k, v] of Object.entries(details))
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out.push([k, v]);
  return out;
}
