/**
 * The staff workspace's plain HTML forms (issue #4) turned into API requests, and the small texts
 * the pages compute. Pure functions (no I/O), so every mapping is unit-tested; the pages and
 * site/lib/staff.ts do the calls.
 */
import { localeMeta } from '../i18n/index.ts';
import { feedbackChannels, feedbackStatuses } from '../../api/contracts/feedback.ts';
import { feedbackKinds } from '../../api/contracts/calendar.ts';
import { staffActions, type StaffAction } from '../../api/contracts/feedback-actions.ts';

/** The workflow steps a staff member takes (api/feedback/workflow.ts says when, and by whom). */
export const STAFF_ACTIONS = staffActions;
export type StaffActionName = StaffAction;

export function isStaffAction(v: unknown): v is StaffActionName {
  return typeof v === 'string' && (STAFF_ACTIONS as readonly string[]).includes(v);
}

/**
 * The form fields of each step, named as the API names them (api/contracts/feedback-actions.ts
 * is strict: an unknown field is refused, so nothing else is sent).
 */
export const ACTION_FIELDS: Readonly<Record<StaffActionName, readonly string[]>> = {
  classify: ['kind', 'subject', 'procedure', 'note'],
  reject: ['note'],
  transfer: ['unit', 'outside_agency', 'note'],
  assign: ['unit', 'note'],
  start: ['note'],
  'request-info': ['note'],
  resume: ['note'],
  answer: ['body'],
  extend: ['days', 'note'],
  publish: ['title', 'content', 'answer', 'show_name'],
  close: ['note'],
  reopen: ['note'],
};

/** Checkboxes: present ("yes") or absent; sent as JSON booleans. */
const CHECKBOXES = new Set(['show_name', 'publish_content']);

function text(form: FormData, name: string): string {
  const v = form.get(name);
  return typeof v === 'string' ? v : '';
}

/**
 * The JSON body of a step from its form, or undefined for an unknown step. Blank optional fields
 * are sent blank: the API treats a blank as absent and refuses a blank required one with a field
 * error, so the rules live in one place.
 * @example actionBody(formOf({ action: 'reject', note: 'Ngoài phạm vi' })) // { action: 'reject', note: 'Ngoài phạm vi' }
 */
export function actionBody(form: FormData): Record<string, string | boolean> | undefined {
  const action = form.get('action');
  if (!isStaffAction(action)) return undefined;
  const body: Record<string, string | boolean> = { action };
  for (const f of ACTION_FIELDS[action]) body[f] = CHECKBOXES.has(f) ? text(form, f) === 'yes' : text(form, f);
  // The status the page showed: the API refuses the step as stale if the case moved meanwhile.
  const expected = text(form, 'expected_status');
  if (expected) body.expected_status = expected;
  return body;
}

/** The values a refused form is shown again with (never files, never the CSRF token). */
export function keptValues(form: FormData | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!form) return out;
  for (const [k, v] of form.entries()) if (typeof v === 'string' && k !== 'csrf_token' && k !== 'password') out[k] = v;
  return out;
}

/** Files of a file input; an empty input sends one nameless, empty part, which is "no file". */
export function filesOf(form: FormData, name = 'attachments'): File[] {
  return form.getAll(name).filter((p): p is File => typeof p !== 'string' && !(p.size === 0 && p.name === ''));
}

/**
 * A `<input type="date">` value as the instant the API expects. A letter is counted from its day
 * of receipt; 08:00 Việt Nam time is the start of office hours (the API never lets it be later
 * than now). Anything that is not a date goes through unchanged, for the API to refuse.
 * @example receivedAt('2026-03-02') === '2026-03-02T08:00:00+07:00'
 */
export function receivedAt(value: string): string | undefined {
  const v = value.trim();
  if (!v) return undefined;
  return /^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T08:00:00+07:00` : v;
}

export const MANUAL_CHANNELS = feedbackChannels.filter((c) => c !== 'web');

/** The JSON body of a manual entry (QĐ 31/2021 art. 43) from its form. */
export function manualEntryBody(form: FormData, locale: string): Record<string, string | boolean | undefined> {
  const fields = ['channel', 'kind', 'subject', 'unit', 'procedure', 'title', 'content', 'name', 'phone', 'email'];
  const body: Record<string, string | boolean | undefined> = {};
  for (const f of [...fields, 'address']) body[f] = text(form, f);
  body.received_at = receivedAt(text(form, 'received_at'));
  body.publish_content = text(form, 'publish_content') === 'yes';
  // Showing the name only makes sense when the content is published at all.
  body.show_name = body.publish_content && text(form, 'show_name') === 'yes';
  body.locale = locale === 'en' ? 'en' : 'vi';
  return body;
}

export interface InboxFilters {
  status?: string;
  unit?: string;
  kind?: string;
  channel?: string;
  overdue?: boolean;
  q?: string;
  page: number;
}

const UNIT_ID = /^[a-z0-9]+(?:[-_][a-z0-9]+)*$/;

/**
 * The inbox filters of a page URL, keeping only values the API accepts (a hand-edited URL gives
 * the unfiltered inbox, not an error page).
 */
export function inboxFilters(params: URLSearchParams): InboxFilters {
  const pick = (name: string, allowed: readonly string[]) => {
    const v = params.get(name) ?? '';
    return allowed.includes(v) ? v : undefined;
  };
  const unit = params.get('unit') ?? '';
  const q = (params.get('q') ?? '').trim().slice(0, 200);
  const page = Number(params.get('page') ?? '1');
  const f: InboxFilters = { page: Number.isInteger(page) && page >= 1 && page <= 10000 ? page : 1 };
  const status = pick('status', feedbackStatuses);
  const kind = pick('kind', feedbackKinds);
  const channel = pick('channel', feedbackChannels);
  if (status) f.status = status;
  if (UNIT_ID.test(unit) && unit.length <= 100) f.unit = unit;
  if (kind) f.kind = kind;
  if (channel) f.channel = channel;
  if (params.get('overdue') === '1') f.overdue = true;
  if (q) f.q = q;
  return f;
}

/**
 * The query string of the filters ("" when none), for the API and for the page's own links.
 * @example inboxQueryString({ status: 'received', page: 2 }) === '?status=received&page=2'
 */
export function inboxQueryString(f: InboxFilters, page = f.page): string {
  const p = new URLSearchParams();
  for (const k of ['status', 'unit', 'kind', 'channel'] as const) if (f[k]) p.set(k, f[k]);
  if (f.overdue) p.set('overdue', '1');
  if (f.q) p.set('q', f.q);
  if (page > 1) p.set('page', String(page));
  const s = p.toString();
  return s ? `?${s}` : '';
}

/**
 * A Retry-After in words, rounded up to whole minutes past one minute.
 * @example waitInWords(600, 'vi') === '10 phút'
 */
export function waitInWords(seconds: number, locale: string): string {
  const s = Math.max(1, Math.ceil(seconds));
  const [value, unit] = s < 60 ? [s, 'second'] : [Math.ceil(s / 60), 'minute'];
  return new Intl.NumberFormat(localeMeta(locale).numberLocale, {
    style: 'unit',
    unit,
    unitDisplay: 'long',
  }).format(value);
}

/** The parts of a date in Việt Nam time, for "ngày … tháng … năm …" in a letter. */
export function vnDateParts(iso: string): { day: string; month: string; year: string } {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Asia/Ho_Chi_Minh',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
  }).formatToParts(new Date(iso));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return { day: get('day'), month: get('month'), year: get('year') };
}

/**
 * The ARIA attributes of a staff form field: its hint and, when the API refused it, its error
 * message (by id) and aria-invalid, as the citizen forms have them (issue #11 part 3).
 * @example fieldAria('note-hint', 'note-error', 'Required') // { 'aria-describedby': 'note-hint note-error', 'aria-invalid': 'true' }
 */
export function fieldAria(
  hintId: string | undefined,
  errorId: string,
  error: string | undefined,
): { 'aria-describedby'?: string; 'aria-invalid'?: 'true' } {
  const ids = [hintId, error ? errorId : undefined].filter(Boolean).join(' ');
  return { ...(ids ? { 'aria-describedby': ids } : {}), ...(error ? { 'aria-invalid': 'true' as const } : {}) };
}
