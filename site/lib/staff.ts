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
import { problemOf, type ApiProblem } from './problem.ts';

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
export type StaffProblem = ApiProblem;

// ── URLs ─────────────────────────────────────────────────────────────────────────────────────────

/** Sub-pages of the workspace, below the `staff` route of each locale (/quan-tri/, /en/staff/). */
const SLUGS: Record<
  string,
  {
    case: string;
    publish: string;
    apology: string;
    entry: string;
    admin: string;
    audit: string;
    officers: string;
    survey: string;
  }
> = {
  vi: {
    case: 'ho-so',
    publish: 'cong-bo',
    apology: 'thu-xin-loi',
    entry: 'nhap-tay',
    admin: 'quan-ly',
    audit: 'nhat-ky',
    officers: 'can-bo',
    survey: 'khao-sat',
  },
  en: {
    case: 'case',
    publish: 'publish',
    apology: 'apology-letter',
    entry: 'new-entry',
    admin: 'admin',
    audit: 'audit-log',
    officers: 'officials',
    survey: 'survey',
  },
};

export type StaffPageKind =
  'home' | 'case' | 'publish' | 'apology' | 'entry' | 'admin' | 'audit' | 'officers' | 'survey';

/**
 * The path of a workspace page.
 * @example staffPath('vi', 'publish', 12) === '/quan-tri/ho-so/12/cong-bo/'
 * @example staffPath('en', 'audit') === '/en/staff/audit-log/'
 */
export function staffPath(locale: string, kind: StaffPageKind, id?: number): string {
  const home = pathFor(locale, 'staff');
  const s = SLUGS[locale] ?? SLUGS.vi!;
  if (kind === 'home') return home;
  if (kind === 'entry' || kind === 'admin' || kind === 'audit' || kind === 'officers' || kind === 'survey')
    return `${home}${s[kind]}/`;
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

export { problemOf };

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
      /** After a right password (issue #7 part 4b): the second factor, its enrolment, or the codes. */
      second?: SecondFactorState | undefined;
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

/** The sign-in between the password and the session (docs/staff-security.md). */
export type SecondFactorState =
  | { step: 'verify'; username: string; methods: { totp: boolean; passkey: boolean; recovery: boolean } }
  | { step: 'enrol'; username: string; secret: string; uri: string }
  /** Enrolled: the recovery codes, shown in this response only, with the session cookies to set. */
  | { step: 'codes'; codes: string[]; setCookies: string[] };

const PENDING_CLEAR = '__Host-gopy_pending=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Strict';

/** The pending sign-in of the visitor's cookie, or undefined. */
async function pendingState(ctx: StaffCtx): Promise<SecondFactorState | undefined> {
  const r = await getJson<{
    stage: 'verify' | 'enrol';
    username: string;
    methods: { totp: boolean; passkey: boolean; recovery: boolean };
  }>(ctx, '/api/v1/staff/login/pending');
  if ('problem' in r) return undefined;
  if (r.data.stage === 'verify') return { step: 'verify', username: r.data.username, methods: r.data.methods };
  const res = await staffApi(ctx, '/api/v1/staff/enrol/totp/start', { method: 'POST' });
  if (res.status !== 200) return undefined;
  const { secret, uri } = (await res.json()) as { secret: string; uri: string };
  return { step: 'enrol', username: r.data.username, secret, uri };
}

/**
 * The forms of the second step (plain posts, no JavaScript needed): a TOTP or recovery code, the
 * first TOTP code of an enrolment, or starting again. undefined when `intent` is none of them.
 */
async function secondFactorPost(
  ctx: StaffCtx,
  intent: string,
  form: FormData | undefined,
  here: string,
): Promise<StaffStart | undefined> {
  if (intent === 'restart') return { kind: 'response', response: seeOther(here, [PENDING_CLEAR]) };
  const path =
    intent === 'totp'
      ? '/api/v1/staff/login/totp'
      : intent === 'recovery'
        ? '/api/v1/staff/login/recovery'
        : intent === 'enrol-totp'
          ? '/api/v1/staff/enrol/totp'
          : undefined;
  if (!path) return undefined;
  const code = field(form, 'code').trim().slice(0, 64);
  let problem: StaffProblem;
  if (!code) problem = { status: 422, code: 'code_missing' };
  else {
    try {
      const res = await staffApi(ctx, path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code }),
      });
      if (res.status === 204) return { kind: 'response', response: seeOther(here, res.headers.getSetCookie()) };
      if (res.status === 200) {
        const { recovery_codes } = (await res.json()) as { recovery_codes: string[] };
        return {
          kind: 'signin',
          second: { step: 'codes', codes: recovery_codes, setCookies: res.headers.getSetCookie() },
        };
      }
      problem = await problemOf(res);
    } catch {
      problem = { status: 500, code: 'internal_error' };
    }
  }
  // An ended pending state goes back to the password; otherwise the same step, with the problem.
  const second = await pendingState(ctx);
  return second ? { kind: 'signin', second, problem } : { kind: 'signin', problem };
}

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
  const secondPost = await secondFactorPost(ctx, intent, form, here);
  if (secondPost) return secondPost;
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
      // 204: signed in. 200: a second factor follows; the page then shows its form (below).
      if (res.status === 204 || res.status === 200)
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
  const second = 'problem' in session ? await pendingState(ctx) : undefined;
  if (second) return { kind: 'signin', second };
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
