/**
 * The counter kiosk page on the server (issue #10 part 3; docs/kiosk-and-officers.md): the device
 * link's secret moved into the device cookie, the kiosk's state read from the API, and the plain
 * form posts (a rating, an official's sign-in at the start of a shift, the end of a shift) handed
 * to the API in-process with the device cookie. Server only.
 */
import type { SsrLocals } from '../../api/contracts/ssr.ts';
import { instrumentVersion } from '../../api/contracts/instrument.ts';
import { KEY_PATTERN, newKey, type FormQuestion, type ProblemLike } from './rating-form.ts';
import { formQuestions, rateInstrument } from './rate.ts';
import { useT } from '../i18n/index.ts';

export const KIOSK_INSTRUMENT = 'quay';
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const COUNTER = /^[0-9A-Za-z-]{1,16}$/;

/** The kiosk page of a counter in a locale. */
export function kioskPath(locale: string, unit: string, counter: string): string {
  const tail = `${encodeURIComponent(unit)}/${encodeURIComponent(counter)}/`;
  return locale === 'en' ? `/en/rate/counter/${tail}` : `/danh-gia/quay/${tail}`;
}

export interface KioskState {
  unit: string;
  counter: string;
  shift: { shift: string; started_at: string } | null;
}

export type KioskView =
  | { kind: 'redirect'; location: string; setCookie: string | null }
  | { kind: 'problem'; status: number; problem: ProblemLike }
  | { kind: 'ready'; state: KioskState; notice?: 'shiftStarted' | 'shiftEnded' | undefined; problem?: ProblemLike }
  | { kind: 'thanks'; state: KioskState; queued: false };

async function problemOf(res: Response): Promise<ProblemLike> {
  const json = (await res.json().catch(() => undefined)) as ProblemLike | undefined;
  return json && typeof json.code === 'string'
    ? { status: res.status, code: json.code, errors: json.errors }
    : { status: res.status, code: 'internal_error' };
}

/** Only the device cookie goes to the API: the page never forwards a staff session. */
function deviceCookie(request: Request): Record<string, string> {
  const m = /(?:^|;\s*)(__Host-gopy_kiosk=[A-Za-z0-9_-]{1,100})/.exec(request.headers.get('cookie') ?? '');
  return m ? { cookie: m[1]! } : {};
}

async function readState(request: Request, locals: SsrLocals, unit: string, counter: string) {
  const res = await locals.api(
    `/api/v1/kiosk/device?unit=${encodeURIComponent(unit)}&counter=${encodeURIComponent(counter)}`,
    { headers: deviceCookie(request) },
  );
  if (res.status !== 200) return { problem: await problemOf(res) };
  return { state: (await res.json()) as KioskState };
}

/** What the kiosk page shows or does for this request. */
export async function kioskView(
  request: Request,
  url: URL,
  locals: SsrLocals,
  locale: string,
  unit: string,
  counter: string,
): Promise<KioskView> {
  if (!SLUG.test(unit) || !COUNTER.test(counter))
    return { kind: 'problem', status: 404, problem: { status: 404, code: 'not_found' } };
  const here = kioskPath(locale, unit, counter);

  // Opening the device link: the secret goes into the cookie and out of the address bar at once.
  const secret = url.searchParams.get('thiet-bi');
  if (request.method === 'GET' && secret !== null) {
    const res = await locals.api('/api/v1/kiosk/device', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ unit, counter, secret }),
    });
    if (res.status !== 204) return { kind: 'problem', status: res.status, problem: await problemOf(res) };
    return { kind: 'redirect', location: here, setCookie: res.headers.get('set-cookie') };
  }

  if (request.method === 'POST') {
    let form: FormData;
    try {
      form = await request.formData();
    } catch {
      return { kind: 'problem', status: 400, problem: { status: 400, code: 'invalid_body' } };
    }
    const text = (name: string) => {
      const v = form.get(name);
      return typeof v === 'string' ? v.trim() : '';
    };
    const action = text('action');
    if (action === 'shift-start' || action === 'shift-end') {
      const res = await locals.api(action === 'shift-start' ? '/api/v1/kiosk/shifts' : '/api/v1/kiosk/shifts/end', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...deviceCookie(request) },
        body: JSON.stringify(action === 'shift-start' ? { unit, counter, pin: text('pin') } : { unit, counter }),
      });
      const read = await readState(request, locals, unit, counter);
      if (!read.state) return { kind: 'problem', status: read.problem.status ?? 403, problem: read.problem };
      if (res.status >= 400) return { kind: 'ready', state: read.state, problem: await problemOf(res) };
      return { kind: 'ready', state: read.state, notice: action === 'shift-start' ? 'shiftStarted' : 'shiftEnded' };
    }
    // A rating from the plain form (no JavaScript): one tap is one post.
    const read = await readState(request, locals, unit, counter);
    if (!read.state) return { kind: 'problem', status: read.problem.status ?? 403, problem: read.problem };
    const ins = rateInstrument(KIOSK_INSTRUMENT)!;
    const key = KEY_PATTERN.test(text('idempotency_key')) ? text('idempotency_key') : newKey();
    const rating = text('a.rating');
    const shift = text('shift');
    const res = await locals.api('/api/v1/responses', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key, ...deviceCookie(request) },
      body: JSON.stringify({
        instrument: ins.id,
        version: instrumentVersion(ins),
        unit,
        counter,
        ...(shift ? { shift } : {}),
        locale,
        answers: rating ? { rating } : {},
      }),
    });
    if (res.status === 200 || res.status === 201) return { kind: 'thanks', state: read.state, queued: false };
    return { kind: 'ready', state: read.state, problem: await problemOf(res) };
  }

  const read = await readState(request, locals, unit, counter);
  if (!read.state) return { kind: 'problem', status: read.problem.status ?? 403, problem: read.problem };
  return { kind: 'ready', state: read.state };
}

/** The one question of the kiosk, and what the island needs to send it. */
export function kioskForm(locale: string): { question: FormQuestion; version: string } {
  const ins = rateInstrument(KIOSK_INSTRUMENT)!;
  const question = formQuestions(ins, locale).find((q) => q.id === 'rating')!;
  return { question, version: instrumentVersion(ins) };
}

/** Every sentence the kiosk shows, translated (the island gets them as props). */
export function kioskStrings(locale: string) {
  const t = useT(locale);
  const k = (key: string) => t(`kiosk.${key}`);
  return {
    question: k('question'),
    thanks: k('thanks'),
    thanksQueued: k('thanksQueued'),
    waiting: k('waiting'),
    fullscreen: k('fullscreen'),
    reset: k('reset'),
  };
}
export type KioskStrings = ReturnType<typeof kioskStrings>;
