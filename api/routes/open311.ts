/**
 * Open311 GeoReport v2, read side (docs/architecture.md §2 `/open311/v2/...`, §6 "Open311 and CSV/JSON open
 * data"; spec: https://wiki.open311.org/GeoReport_v2). Mounted at /open311/v2 in api/app.ts.
 *
 * Decisions (README should summarise them; not yet done):
 * - Services are the six feedback kinds × subjects (phản ánh / kiến nghị × quy định hành chính /
 *   hành vi hành chính / khác), not procedure fields: each is one deadline rule of
 *   content/calendar/deadline-rules.yaml, so its description can state the answer period, and a
 *   request has exactly one service. The procedure a case concerns, when there is one, is named
 *   at the end of the request's description.
 * - Requests are PUBLISHED cases only (feedback_publications), with the redacted texts. status is
 *   'open' while the sender disputes the answer (re-examination) and 'closed' otherwise (answered).
 *   status_notes carries the published answer; service_notice the answer deadline, days taken and
 *   the sender's rating. We have no geography: address is '' and lat, long and media_url are
 *   omitted, as the spec allows.
 * - JSON only (.xml is not offered). `lang=en` gives English names; Vietnamese is the default.
 * - Errors: our RFC 9457 problem+json (400 `invalid_query` with `errors[]`, 404
 *   `published_not_found`) rather than the spec's bare error array, so every client of the portal
 *   reads one error format.
 * - requests.json without dates returns the last 90 days of receipt (the spec's default); at most
 *   1,000 requests, newest first.
 */
import { vnIsoDateTime } from '../contracts/vn-time.ts';
import { Hono } from 'hono';
import { z } from 'zod';
import { feedbackKinds, feedbackSubjects, loadDeadlineRules, type DeadlineRules } from '../contracts/calendar.ts';
import type { PublishedItem } from '../contracts/published.ts';
import { TRACKING_CODE } from '../contracts/feedback.ts';
import type { FieldError } from '../contracts/problem.ts';
import { ProblemError } from '../problem.ts';
import { toItem } from './published.ts';
import { publishedCase, publishedPage } from '../../db/published.ts';
import type { AppEnv } from '../app-env.ts';

/** The spec's default window and our page cap for requests.json. */
export const DEFAULT_WINDOW_DAYS = 90;
export const MAX_REQUESTS = 1000;

const CACHE = 'public, max-age=60';

const rulesCache = new Map<string, DeadlineRules>();
function rulesOf(contentDir: string): DeadlineRules {
  let r = rulesCache.get(contentDir);
  if (!r) rulesCache.set(contentDir, (r = loadDeadlineRules(contentDir)));
  return r;
}

type Lang = 'vi' | 'en';

const TEXT = {
  kind: {
    'phan-anh': { vi: 'Phản ánh', en: 'Report' },
    'kien-nghi': { vi: 'Kiến nghị', en: 'Petition' },
  },
  subject: {
    'quy-dinh': { vi: 'quy định hành chính', en: 'administrative regulation' },
    'hanh-vi': { vi: 'hành vi hành chính', en: 'conduct of an agency or official' },
    khac: { vi: 'việc khác', en: 'other matter' },
  },
  describe: {
    vi: (name: string, classify: number, answer: number) =>
      `${name}. Phân loại trong ${classify} ngày làm việc, trả lời trong ${answer} ngày làm việc sau khi phân loại. Chỉ những trường hợp đã trả lời và được công khai (đã xóa thông tin cá nhân) mới có ở đây.`,
    en: (name: string, classify: number, answer: number) =>
      `${name}. Classified within ${classify} working days, answered within ${answer} working days of classification. Only answered cases published with personal data removed are listed.`,
  },
  disputed: {
    vi: 'Người gửi đề nghị xem xét lại câu trả lời; đang xem xét lại. Câu trả lời đã công khai: ',
    en: 'The sender disputed the answer; it is being re-examined. Published answer: ',
  },
  notice: {
    vi: (days: number | null, onTime: boolean | null, satisfied: boolean | null) =>
      [
        days === null
          ? 'Chưa trả lời.'
          : `${days === 0 ? 'Trả lời trong ngày' : `Trả lời sau ${days} ngày làm việc`}${onTime ? ', đúng hạn' : ', quá hạn'}.`,
        satisfied === null
          ? 'Người gửi chưa đánh giá câu trả lời.'
          : satisfied
            ? 'Người gửi hài lòng với câu trả lời.'
            : 'Người gửi chưa hài lòng với câu trả lời.',
      ].join(' '),
    en: (days: number | null, onTime: boolean | null, satisfied: boolean | null) =>
      [
        days === null
          ? 'Not answered yet.'
          : `${days === 0 ? 'Answered the same day' : `Answered in ${days} working days`}${onTime ? ', on time' : ', late'}.`,
        satisfied === null
          ? 'The sender has not rated the answer.'
          : satisfied
            ? 'The sender was satisfied with the answer.'
            : 'The sender was not satisfied with the answer.',
      ].join(' '),
  },
  procedure: { vi: 'Thủ tục', en: 'Procedure' },
} as const;

export interface Open311Service {
  service_code: string;
  service_name: string;
  description: string;
  metadata: false;
  type: 'batch';
  keywords: string;
  group: string;
}

/** "phan-anh.hanh-vi": one service per kind × subject. */
export const serviceCode = (kind: string, subject: string) => `${kind}.${subject}`;

export function services(rules: DeadlineRules, lang: Lang): Open311Service[] {
  return feedbackKinds.flatMap((kind) =>
    feedbackSubjects.map((subject) => {
      const rule = rules.rules.find((r) => r.kind === kind && r.subject === subject);
      const name = rule
        ? (rule.name[lang] ?? rule.name.vi)
        : `${TEXT.kind[kind][lang]}: ${TEXT.subject[subject][lang]}`;
      return {
        service_code: serviceCode(kind, subject),
        service_name: name,
        description: TEXT.describe[lang](name, rule?.classify_working_days ?? 3, rule?.answer_working_days ?? 10),
        metadata: false as const,
        type: 'batch' as const,
        keywords: [kind, subject, TEXT.kind[kind][lang], TEXT.subject[subject][lang]].join(','),
        group: TEXT.kind[kind][lang],
      };
    }),
  );
}

export interface Open311Request {
  service_request_id: string;
  status: 'open' | 'closed';
  status_notes: string;
  service_name: string;
  service_code: string;
  description: string;
  agency_responsible: string;
  service_notice: string;
  requested_datetime: string;
  updated_datetime: string;
  expected_datetime: string;
  address: string;
}

export function toRequest(item: PublishedItem, svc: readonly Open311Service[], lang: Lang): Open311Request {
  const code = serviceCode(item.kind, item.subject);
  const disputed = item.status === 'disputed';
  const procedure = item.procedure
    ? `\n\n${TEXT.procedure[lang]}: ${item.procedure.name[lang] ?? item.procedure.name.vi} (${item.procedure.code})`
    : '';
  const updated = [item.answered_at, item.published_at, item.closed_at]
    .filter((x): x is string => x !== null)
    .sort()
    .at(-1)!;
  return {
    service_request_id: item.tracking_code,
    status: disputed ? 'open' : 'closed',
    status_notes: `${disputed ? TEXT.disputed[lang] : ''}${item.answer}`,
    service_name: svc.find((s) => s.service_code === code)?.service_name ?? code,
    service_code: code,
    description: `${item.title}\n\n${item.question}${procedure}`,
    agency_responsible: item.unit.name[lang] ?? item.unit.name.vi,
    service_notice: TEXT.notice[lang](item.working_days, item.on_time, item.satisfied),
    requested_datetime: vnIsoDateTime(item.received_at),
    updated_datetime: vnIsoDateTime(updated),
    expected_datetime: vnIsoDateTime(item.answer_due_at),
    address: '',
  };
}

/** A date or date-time with an offset (the spec: W3C format), or a plain day taken in Việt Nam time. */
const DATE_PARAM = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;
const instantOf = (s: string) => new Date(s.length === 10 ? `${s}T00:00:00+07:00` : s);

function validDateParam(s: string): boolean {
  if (!DATE_PARAM.test(s) || Number.isNaN(instantOf(s).getTime())) return false;
  // Date.parse rolls 2026-02-30 over to 2 March: the day must be a calendar day.
  const day = new Date(`${s.slice(0, 10)}T00:00:00Z`);
  return !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10) === s.slice(0, 10);
}

const dateParam = z.string().max(40).refine(validDateParam).transform(instantOf);

function bad(errors: FieldError[]): ProblemError {
  return new ProblemError(400, 'invalid_query', { errors });
}

const KNOWN_PARAMS = new Set(['service_code', 'start_date', 'end_date', 'status', 'lang', 'jurisdiction_id']);

function langOf(raw: string | undefined): Lang {
  if (raw === undefined || raw === 'vi') return 'vi';
  if (raw === 'en') return 'en';
  throw bad([{ path: 'lang', code: 'invalid_value' }]);
}

/** One value or a comma-separated list (the spec allows both for service_code and status). */
function list(raw: string | undefined, allowed: readonly string[], path: string): string[] | undefined {
  if (raw === undefined) return undefined;
  const values = raw.split(',').map((s) => s.trim());
  if (raw.length > 500 || values.some((v) => !allowed.includes(v))) throw bad([{ path, code: 'invalid_value' }]);
  return values;
}

export const open311Routes = new Hono<AppEnv>()
  .get('/services.json', (c) => {
    const lang = langOf(c.req.query('lang'));
    c.header('Cache-Control', CACHE);
    return c.json(services(rulesOf(c.var.deps.config.CONTENT_DIR), lang), 200);
  })
  .get('/requests.json', async (c) => {
    const query = c.req.query();
    const unknown = Object.keys(query).filter((k) => !KNOWN_PARAMS.has(k));
    if (unknown.length > 0) throw bad(unknown.slice(0, 10).map((path) => ({ path, code: 'unknown_field' as const })));
    const { config, db, now } = c.var.deps;
    const lang = langOf(query.lang);
    const svc = services(rulesOf(config.CONTENT_DIR), lang);
    const codes = list(
      query.service_code,
      svc.map((s) => s.service_code),
      'service_code',
    );
    const statuses = list(query.status, ['open', 'closed'], 'status');
    const errors: FieldError[] = [];
    const parse = (name: 'start_date' | 'end_date') => {
      if (query[name] === undefined) return undefined;
      const r = dateParam.safeParse(query[name]);
      if (!r.success) errors.push({ path: name, code: 'invalid_format' });
      return r.success ? r.data : undefined;
    };
    let start = parse('start_date');
    let end = parse('end_date');
    if (errors.length > 0) throw bad(errors);
    if (start && end && start > end) throw bad([{ path: 'start_date', code: 'invalid_value' }]);
    // The spec: without dates, the last 90 days; with one date, 90 days from or to it.
    const window = DEFAULT_WINDOW_DAYS * 86_400_000;
    if (!start && !end) end = now();
    if (!start) start = new Date(end!.getTime() - window);
    if (!end) end = new Date(start.getTime() + window);
    // Newest receipt first, read in pages from SQL until MAX_REQUESTS pass the service and status
    // filters: a 90-day window at a million cases is never read whole (issue #8 §8).
    const out: Open311Request[] = [];
    const received = { fromAt: start.toISOString(), toAt: end.toISOString() };
    for (let offset = 0; out.length < MAX_REQUESTS; offset += MAX_REQUESTS) {
      const { rows } = await publishedPage(db.client, received, {
        by: 'received',
        limit: MAX_REQUESTS,
        offset,
        count: false,
      });
      for (const row of rows) {
        const request = toRequest(toItem(row, config.CONTENT_DIR), svc, lang);
        if (codes && !codes.includes(request.service_code)) continue;
        if (statuses && !statuses.includes(request.status)) continue;
        out.push(request);
        if (out.length >= MAX_REQUESTS) break;
      }
      if (rows.length < MAX_REQUESTS) break;
    }
    c.header('Cache-Control', CACHE);
    return c.json(out, 200);
  })
  .get('/requests/:file', async (c) => {
    const file = c.req.param('file');
    const m = /^(.+)\.json$/.exec(file);
    const code = m?.[1]?.toUpperCase();
    const { config, db } = c.var.deps;
    const lang = langOf(c.req.query('lang'));
    const row = code && TRACKING_CODE.test(code) ? await publishedCase(db.client, code) : undefined;
    if (!row) throw new ProblemError(404, 'published_not_found');
    const svc = services(rulesOf(config.CONTENT_DIR), lang);
    c.header('Cache-Control', CACHE);
    // The spec answers a single request as an array of one.
    return c.json([toRequest(toItem(row, config.CONTENT_DIR), svc, lang)], 200);
  })
  .all('*', () => {
    throw new ProblemError(404, 'not_found');
  });
