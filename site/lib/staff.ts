/**
 * The staff workspace on the server (issue #4): pages rendered on request that call the staff API
 * in-process (Astro.locals.api). Server only.
 *
 * In-process calls carry nothing of the browser by themselves, so every call passes the visitor's
 * Cookie header on, and the sign-in's Set-Cookie is copied onto the page's response. Writes carry
 * the CSRF token the browser posted in the form's hidden `csrf_token` field (never one fetched
 * afresh by the page, which would defeat the check), as `X-CSRF-Token`.
 */
import { timingSafeEqual } from 'node:crypto';
import type { SsrLocals } from '../../api/contracts/ssr.ts';
import { pathFor } from '../i18n/index.ts';
import { keptValues } from './staff-forms.ts';

/** What a page passes in: `Astro` fits. */
export interface StaffCtx {
  request: Request;
  url: URL;
  locals: unknown;
}

export interface StaffSessionInfo {
  username: string;
  display_name: string;
  roles: { role: string; unit: string; unit_name: string }[];
  csrf_token: string;
}

export interface StaffUnit {
  id: string;
  name_vi: string;
  name_en: string;
  parent_id: string | null;
  roles: string[];
}

/** An RFC 9457 problem as the pages show it. */
export interface StaffProblem {
  status: number;
  code: string;
  errors?:
    | { path: string; code: string; params?: Record<string, number> | undefined; kind?: string | undefined }[]
    | undefined;
  /** Seconds, from Retry-After (sign-in throttling). */
  retryAfter?: number | undefined;
}

// ── URLs ─────────────────────────────────────────────────────────────────────────────────────────

/** Sub-pages of the workspace, below the `staff` route of each locale (/quan-tri/, /en/staff/). */
const SLUGS: Record<
  string,
  { case: string; publish: string; apology: string; entry: string; admin: string; audit: string }
> = {
  vi: {
    case: 'ho-so',
    publish: 'cong-bo',
    apology: 'thu-xin-loi',
    entry: 'nhap-tay',
    admin: 'quan-ly',
    audit: 'nhat-ky',
  },
  en: {
    case: 'case',
    publish: 'publish',
    apology: 'apology-letter',
    entry: 'new-entry',
    admin: 'admin',
    audit: 'audit-log',
  },
};

export type StaffPageKind = 'home' | 'case' | 'publish' | 'apology' | 'entry' | 'admin' | 'audit';

/**
 * The path of a workspace page.
 * @example staffPath('vi', 'publish', 12) === '/quan-tri/ho-so/12/cong-bo/'
 * @example staffPath('en', 'audit') === '/en/staff/audit-log/'
 */
export function staffPath(locale: string, kind: StaffPageKind, id?: number): string {
  const home = pathFor(locale, 'staff');
  const s = SLUGS[locale] ?? SLUGS.vi!;
  if (kind === 'home') return home;
  if (kind === 'entry' || kind === 'admin' || kind === 'audit') return `${home}${s[kind]}/`;
  const c = `${home}${s.case}/${id ?? 0}/`;
  return kind === 'case' ? c : `${c}${kind === 'publish' ? s.publish : s.apology}/`;
}

/** The same page in every locale, for the language switcher. */
export function staffLocalePaths(kind: StaffPageKind, id?: number): Record<string, string> {
  return Object.fromEntries(Object.keys(SLUGS).map((code) => [code, staffPath(code, kind, id)]));
}

// ── Calling the API ──────────────────────────────────────────────────────────────────────────────

function apiOf(ctx: StaffCtx): SsrLocals['api'] {
  return (ctx.locals as SsrLocals).api;
}

/** Calls the API as the visitor: their cookie, and the CSRF token they posted when given. */
export async function staffApi(ctx: StaffCtx, path: string, init: RequestInit = {}, csrf?: string): Promise<Response> {
  const headers = new Headers(init.headers);
  const cookie = ctx.request.headers.get('cookie');
  if (cookie) headers.set('cookie', cookie);
  if (csrf) headers.set('x-csrf-token', csrf);
  return apiOf(ctx)(path, { ...init, headers });
}

export async function problemOf(res: Response): Promise<StaffProblem> {
  const json = (await res.json().catch(() => undefined)) as Partial<StaffProblem> | undefined;
  const retry = Number(res.headers.get('retry-after'));
  return {
    status: res.status,
    code: json && typeof json.code === 'string' ? json.code : res.status === 429 ? 'rate_limited' : 'internal_error',
    errors: json?.errors,
    ...(Number.isFinite(retry) && retry > 0 ? { retryAfter: retry } : {}),
  };
}

/** GET a JSON resource; a problem when the API refuses. */
export async function getJson<T>(ctx: StaffCtx, path: string): Promise<{ data: T } | { problem: StaffProblem }> {
  try {
    const res = await staffApi(ctx, path);
    if (res.status === 200) return { data: (await res.json()) as T };
    return { problem: await problemOf(res) };
  } catch {
    return { problem: { status: 500, code: 'internal_error' } };
  }
}

/** POST JSON, or a multipart body (JSON in `data`, files in `attachments`) when there are files. */
export async function postStaff(
  ctx: StaffCtx,
  path: string,
  body: unknown,
  csrf: string,
  files: readonly File[] = [],
): Promise<Response> {
  if (files.length === 0)
    return staffApi(
      ctx,
      path,
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
      csrf,
    );
  const form = new FormData();
  form.set('data', JSON.stringify(body));
  for (const f of files) form.append('attachments', f, f.name);
  return staffApi(ctx, path, { method: 'POST', body: form }, csrf);
}

// ── Every page starts here ───────────────────────────────────────────────────────────────────────

export type StaffStart =
  | { kind: 'response'; response: Response }
  | {
      kind: 'signin';
      problem?: StaffProblem | undefined;
      username?: string | undefined;
      /** A form was posted to a page whose session had ended. */
      expired?: boolean;
      signedOut?: boolean;
    }
  | {
      kind: 'ok';
      session: StaffSessionInfo;
      form?: FormData | undefined;
      /** What the posted form asked for (besides sign-in and sign-out, handled here). */
      intent?: string | undefined;
      /** A problem of sign-out, shown on the page. */
      problem?: StaffProblem | undefined;
    };

async function readForm(request: Request): Promise<FormData | undefined> {
  if (request.method !== 'POST') return undefined;
  try {
    return await request.formData();
  } catch {
    return undefined;
  }
}

function field(form: FormData | undefined, name: string): string {
  const v = form?.get(name);
  return typeof v === 'string' ? v : '';
}

/** A 303 "see other" to a path of this site, with the cookies the API set. */
export function seeOther(location: string, setCookies: readonly string[] = []): Response {
  const headers = new Headers({ location, 'cache-control': 'no-store' });
  for (const c of setCookies) headers.append('set-cookie', c);
  return new Response(null, { status: 303, headers });
}

/**
 * Handles sign-in and sign-out posts, then reads the session. A successful sign-in answers a 303
 * to the same page (post/redirect/get: a reload never posts the password again), so signing in
 * from a bookmarked case page lands on that case.
 */
export async function startStaffPage(ctx: StaffCtx, locale: string): Promise<StaffStart> {
  const form = await readForm(ctx.request);
  const intent = field(form, 'intent');
  const here = `${ctx.url.pathname}${ctx.url.search}`;
  if (intent === 'login') {
    const username = field(form, 'username').trim();
    const password = field(form, 'password');
    // Blank fields never reach the API: they would only count against the throttle.
    if (!username || !password) return { kind: 'signin', username, problem: { status: 422, code: 'signin_missing' } };
    try {
      const res = await staffApi(ctx, '/api/v1/staff/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: username.slice(0, 64), password: password.slice(0, 1024) }),
      });
      if (res.status === 204)
        return {
          kind: 'response',
          response: seeOther(here.replace(/[?&]signed-out=1/, ''), res.headers.getSetCookie()),
        };
      return { kind: 'signin', username, problem: await problemOf(res) };
    } catch {
      return { kind: 'signin', username, problem: { status: 500, code: 'internal_error' } };
    }
  }
  let problem: StaffProblem | undefined;
  if (intent === 'logout') {
    const res = await staffApi(ctx, '/api/v1/staff/logout', { method: 'POST' }, field(form, 'csrf_token'));
    if (res.status === 204)
      return {
        kind: 'response',
        response: seeOther(`${staffPath(locale, 'home')}?signed-out=1`, res.headers.getSetCookie()),
      };
    problem = await problemOf(res);
  }
  const session = await getJson<StaffSessionInfo>(ctx, '/api/v1/staff/session');
  if ('problem' in session)
    return {
      kind: 'signin',
      expired: form !== undefined && intent !== 'logout',
      signedOut: ctx.url.searchParams.get('signed-out') === '1',
    };
  return { kind: 'ok', session: session.data, form, intent: intent || undefined, problem };
}

/**
 * Whether a posted form carries this session's CSRF token. For posts the page answers itself
 * (showing contact data, an audited read): the API checks the token on its own writes.
 */
export function csrfMatches(form: FormData | undefined, session: StaffSessionInfo): boolean {
  const a = Buffer.from(field(form, 'csrf_token'));
  const b = Buffer.from(session.csrf_token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The units for the workspace's lists (all current units, each with the member's roles). */
export async function staffUnits(ctx: StaffCtx): Promise<StaffUnit[]> {
  const r = await getJson<{ units: StaffUnit[] }>(ctx, '/api/v1/staff/units');
  return 'data' in r ? r.data.units : [];
}

export function unitName(u: { name_vi: string; name_en: string }, locale: string): string {
  return locale === 'vi' ? u.name_vi : u.name_en;
}

/** Whether the member holds `role` anywhere. */
export function hasRole(session: StaffSessionInfo, role: string): boolean {
  return session.roles.some((r) => r.role === role);
}

export { keptValues };
