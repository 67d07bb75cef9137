/**
 * What each staff workspace page does before it renders (issue #4): sign-in and sign-out, the
 * form posts handed to the API, the redirects after a successful step (post/redirect/get, so a
 * reload never repeats a step) and the data the template shows. The vi and en pages differ only
 * in their locale, so both call these. Server only.
 */
import type { ApologyLetter, InboxPage, StaffCase } from '../../api/contracts/feedback-actions.ts';
import type { StaffDataRequestList } from '../../api/contracts/data-requests.ts';
import {
  csrfMatches,
  getJson,
  postStaff,
  problemOf,
  seeOther,
  staffPath,
  staffUnits,
  startStaffPage,
  type StaffCtx,
  type StaffProblem,
  type StaffSessionInfo,
  type StaffStart,
  type StaffUnit,
} from './staff.ts';
import {
  actionBody,
  filesOf,
  inboxFilters,
  inboxQueryString,
  isStaffAction,
  keptValues,
  manualEntryBody,
  type InboxFilters,
  type StaffActionName,
} from './staff-forms.ts';

export type SignIn = { kind: 'signin'; state: Extract<StaffStart, { kind: 'signin' }> };

interface Signed {
  session: StaffSessionInfo;
  problem?: StaffProblem | undefined;
}

export interface InboxProps extends Signed {
  kind: 'inbox';
  filters: InboxFilters;
  result?: InboxPage | undefined;
  units: StaffUnit[];
  done?: string | undefined;
  moved?: string | undefined;
  /** Pending requests about contact data (issue #7 part 4), the earliest due first. */
  requests?: StaffDataRequestList['items'] | undefined;
}

export interface CaseProps extends Signed {
  kind: 'case';
  id: number;
  item?: StaffCase | undefined;
  units: StaffUnit[];
  contact?: { name: string; phone: string | null; email: string | null; address: string | null } | undefined;
  /** The step whose form was refused, and what it held, to show it again. */
  failed?: { action: StaffActionName; values: Record<string, string> } | undefined;
  done?: StaffActionName | undefined;
  /** The requests about the sender's contact data (issue #7 part 4), with reason and new values. */
  requests?: StaffDataRequestList['items'] | undefined;
  /** The request whose decision was refused, and the note typed. */
  requestFailed?: { id: number; note: string } | undefined;
  /** A decision on a request was just recorded. */
  decided?: boolean | undefined;
}

export interface PublishProps extends Signed {
  kind: 'publish';
  id: number;
  item?: StaffCase | undefined;
  preview?:
    | { title: string; content: string; answer: string; removed: Record<string, number>; show_name_allowed: boolean }
    | undefined;
  /** Why there is nothing to publish (the preview's refusal). */
  blocked?: StaffProblem | undefined;
  values?: Record<string, string> | undefined;
}

export interface ApologyProps extends Signed {
  kind: 'apology';
  id: number;
  letter?: ApologyLetter | undefined;
}

export interface EntryProps extends Signed {
  kind: 'entry';
  units: StaffUnit[];
  values: Record<string, string>;
  receipt?: { id: number; tracking_code: string; access_key: string } | undefined;
}

function field(form: FormData | undefined, name: string): string {
  const v = form?.get(name);
  return typeof v === 'string' ? v : '';
}

/** A case id from the URL; anything else is a case that does not exist. */
export function caseId(param: string | undefined): number | undefined {
  return param && /^[1-9]\d{0,14}$/.test(param) ? Number(param) : undefined;
}

const notFound: StaffProblem = { status: 404, code: 'feedback_not_found' };

export async function inboxPage(ctx: StaffCtx, locale: string): Promise<Response | SignIn | InboxProps> {
  const start = await startStaffPage(ctx, locale);
  if (start.kind === 'response') return start.response;
  if (start.kind === 'signin') return { kind: 'signin', state: start };
  const filters = inboxFilters(ctx.url.searchParams);
  const personal = start.session.roles.some((g) => g.role === 'coordinator' || g.role === 'handler');
  const [list, units, requests] = await Promise.all([
    getJson<InboxPage>(ctx, `/api/v1/staff/feedback${inboxQueryString(filters)}`),
    staffUnits(ctx),
    personal ? getJson<StaffDataRequestList>(ctx, '/api/v1/staff/data-requests') : undefined,
  ]);
  const done = ctx.url.searchParams.get('done') ?? '';
  const moved = ctx.url.searchParams.get('moved') ?? '';
  return {
    kind: 'inbox',
    session: start.session,
    filters,
    result: 'data' in list ? list.data : undefined,
    problem: start.problem ?? ('problem' in list ? list.problem : undefined),
    units: units.filter((u) => u.roles.length > 0),
    done: isStaffAction(done) ? done : undefined,
    moved: /^[A-Z0-9]{4}-[A-Z0-9]{4}$/.test(moved) ? moved : undefined,
    requests: requests && 'data' in requests ? requests.data.items : undefined,
  };
}

export async function casePage(
  ctx: StaffCtx,
  locale: string,
  param: string | undefined,
): Promise<Response | SignIn | CaseProps> {
  const start = await startStaffPage(ctx, locale);
  if (start.kind === 'response') return start.response;
  if (start.kind === 'signin') return { kind: 'signin', state: start };
  const id = caseId(param);
  const base: CaseProps = { kind: 'case', session: start.session, id: id ?? 0, units: [], problem: start.problem };
  if (id === undefined) return { ...base, problem: notFound };
  const form = start.form;
  if (start.intent === 'action' && form) {
    const body = actionBody(form);
    const action = body?.action;
    if (!body || typeof action !== 'string' || !isStaffAction(action))
      base.problem = { status: 400, code: 'invalid_body' };
    else {
      try {
        const res = await postStaff(
          ctx,
          `/api/v1/staff/feedback/${id}/actions`,
          body,
          field(form, 'csrf_token'),
          action === 'answer' ? filesOf(form) : [],
        );
        if (res.status === 200) {
          const after = (await res.json()) as StaffCase;
          // After a transfer the case may have left the member's units: its page would be a 404.
          if (after.title === '' && after.allowed_actions.length === 0)
            return seeOther(`${staffPath(locale, 'home')}?moved=${encodeURIComponent(after.tracking_code)}`);
          return seeOther(`${staffPath(locale, 'case', id)}?done=${action}`);
        }
        base.problem = await problemOf(res);
      } catch {
        base.problem = { status: 500, code: 'internal_error' };
      }
      base.failed = { action, values: keptValues(form) };
    }
  } else if (start.intent === 'data-request' && form) {
    // A decision on a sender's request about contact data (issue #7 part 4).
    const rid = caseId(field(form, 'request'));
    const decision = field(form, 'decision');
    const note = field(form, 'note').trim();
    if (rid === undefined || (decision !== 'carry-out' && decision !== 'refuse'))
      base.problem = { status: 400, code: 'invalid_body' };
    else {
      try {
        const res = await postStaff(
          ctx,
          `/api/v1/staff/data-requests/${rid}`,
          { decision, ...(note ? { note: note.slice(0, 1000) } : {}) },
          field(form, 'csrf_token'),
        );
        if (res.status === 204) return seeOther(`${staffPath(locale, 'case', id)}?decided=1`);
        base.problem = await problemOf(res);
      } catch {
        base.problem = { status: 500, code: 'internal_error' };
      }
      base.requestFailed = { id: rid, note };
    }
  } else if (start.intent === 'contact') {
    // Each view is an audited read of personal data: only on an explicit post from this session.
    if (!csrfMatches(form, start.session)) base.problem = { status: 403, code: 'csrf_invalid' };
    else {
      const c = await getJson<NonNullable<CaseProps['contact']>>(ctx, `/api/v1/staff/feedback/${id}/contact`);
      if ('data' in c) base.contact = c.data;
      else base.problem = c.problem;
    }
  }
  const item = await getJson<StaffCase>(ctx, `/api/v1/staff/feedback/${id}`);
  if ('problem' in item) return { ...base, problem: item.problem };
  const requests = item.data.can_view_contact
    ? await getJson<StaffDataRequestList>(ctx, `/api/v1/staff/data-requests?status=all&feedback=${id}`)
    : undefined;
  const needsUnits = item.data.allowed_actions.some((a) => a === 'assign' || a === 'transfer');
  const done = ctx.url.searchParams.get('done') ?? '';
  return {
    ...base,
    item: item.data,
    units: needsUnits ? await staffUnits(ctx) : [],
    done: ctx.request.method === 'GET' && isStaffAction(done) ? done : undefined,
    requests: requests && 'data' in requests ? requests.data.items : undefined,
    decided: ctx.request.method === 'GET' && ctx.url.searchParams.get('decided') === '1',
  };
}

export async function publishPage(
  ctx: StaffCtx,
  locale: string,
  param: string | undefined,
): Promise<Response | SignIn | PublishProps> {
  const start = await startStaffPage(ctx, locale);
  if (start.kind === 'response') return start.response;
  if (start.kind === 'signin') return { kind: 'signin', state: start };
  const id = caseId(param);
  const base: PublishProps = { kind: 'publish', session: start.session, id: id ?? 0, problem: start.problem };
  if (id === undefined) return { ...base, problem: notFound };
  const form = start.form;
  if (start.intent === 'action' && form && field(form, 'action') === 'publish') {
    try {
      const res = await postStaff(
        ctx,
        `/api/v1/staff/feedback/${id}/actions`,
        actionBody(form),
        field(form, 'csrf_token'),
      );
      if (res.status === 200) return seeOther(`${staffPath(locale, 'case', id)}?done=publish`);
      base.problem = await problemOf(res);
    } catch {
      base.problem = { status: 500, code: 'internal_error' };
    }
    base.values = keptValues(form);
  }
  const item = await getJson<StaffCase>(ctx, `/api/v1/staff/feedback/${id}`);
  if ('problem' in item) return { ...base, problem: item.problem };
  base.item = item.data;
  if (!item.data.allowed_actions.includes('publish'))
    return {
      ...base,
      blocked:
        item.data.status === 'answered' && !item.data.publish_content
          ? { status: 409, code: 'publish_not_consented' }
          : { status: 409, code: 'transition_not_allowed' },
    };
  const preview = await getJson<NonNullable<PublishProps['preview']>>(
    ctx,
    `/api/v1/staff/feedback/${id}/publication-preview`,
  );
  if ('problem' in preview) return { ...base, blocked: preview.problem };
  return { ...base, preview: preview.data };
}

export async function apologyPage(
  ctx: StaffCtx,
  locale: string,
  param: string | undefined,
): Promise<Response | SignIn | ApologyProps> {
  const start = await startStaffPage(ctx, locale);
  if (start.kind === 'response') return start.response;
  if (start.kind === 'signin') return { kind: 'signin', state: start };
  const id = caseId(param);
  const base: ApologyProps = { kind: 'apology', session: start.session, id: id ?? 0, problem: start.problem };
  if (id === undefined) return { ...base, problem: notFound };
  const letter = await getJson<ApologyLetter>(
    ctx,
    `/api/v1/staff/feedback/${id}/apology-letter?locale=${locale === 'en' ? 'en' : 'vi'}`,
  );
  return 'data' in letter ? { ...base, letter: letter.data } : { ...base, problem: letter.problem };
}

export async function entryPage(ctx: StaffCtx, locale: string): Promise<Response | SignIn | EntryProps> {
  const start = await startStaffPage(ctx, locale);
  if (start.kind === 'response') return start.response;
  if (start.kind === 'signin') return { kind: 'signin', state: start };
  const units = (await staffUnits(ctx)).filter((u) => u.roles.includes('coordinator'));
  const out: EntryProps = { kind: 'entry', session: start.session, units, values: {}, problem: start.problem };
  const form = start.form;
  if (start.intent === 'entry' && form) {
    try {
      const res = await postStaff(
        ctx,
        '/api/v1/staff/feedback',
        manualEntryBody(form, locale),
        field(form, 'csrf_token'),
        filesOf(form),
      );
      // Shown in this response, never redirected: the access key appears once and never in a URL.
      if (res.status === 201) return { ...out, receipt: (await res.json()) as EntryProps['receipt'] };
      out.problem = await problemOf(res);
    } catch {
      out.problem = { status: 500, code: 'internal_error' };
    }
    out.values = keptValues(form);
  }
  return out;
}
