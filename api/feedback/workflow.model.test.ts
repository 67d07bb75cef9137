/**
 * Model-based test of the feedback lifecycle (issue #4: "a model-based test of ≥ 1,000 random action
 * sequences accepts 0 illegal transitions"), through the real API over a real libSQL file.
 *
 * Each sequence starts from a fresh case sent through POST /feedback. Each command is one of:
 * - a step: a random actor (the province's coordinator, the ward's handler, the province's
 *   publisher, a handler of another ward, the sender with code + key, someone with the code and a
 *   wrong key) takes a random action of ALL actions with a valid-looking or a broken payload;
 * - a guided step: an (actor, action, payload) the model accepts, so sequences reach the deep
 *   states (published, disputed, closed, a second answer) and the API's refusals of legal steps show;
 * - a tick of the injected clock (hours to weeks: the 15-calendar-day dispute window and overdue);
 * - a look at the case as the coordinator and as the sender (status, overdue, allowed actions).
 *
 * The model below is written from the issue text, NOT from api/feedback/workflow.ts: the transition
 * table, who takes which step, consent to publish, one extension, the dispute window, one rating per
 * answer, and unit scoping (a member sees the cases of the units under their grants; others get
 * 404 as for a missing case). It predicts the status code of every request; after a refusal the
 * case row and the row counts of every feedback table must be unchanged, after an acceptance exactly
 * one event is added and the stored status, unit and extension count equal the model's.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { feedbackActions, type FeedbackAction } from './workflow.ts';
import { openHarness, type Harness } from '../test-harness.ts';
import { act, freshAddress, sendFeedback, staffGet, staffMember, type App, type Signed } from './test-kit.ts';

const SEED = 20260302;
const SEQUENCES = 1000;
const MAX_COMMANDS = 15;
/** Monday 2/3/2026 09:00 in Việt Nam; every sequence starts here. */
const BASE = Date.parse('2026-03-02T02:00:00Z');
const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;
/** Ticks stop moving the clock past this, so deadlines stay inside content/calendar/holidays.yaml. */
const CLOCK_CAP = BASE + 150 * DAY;

// ── The model (issue #4) ─────────────────────────────────────────────────────────────────────────

type Status =
  | 'received'
  | 'classified'
  | 'assigned'
  | 'in-progress'
  | 'info-requested'
  | 'answered'
  | 'published'
  | 'closed'
  | 'rejected'
  | 'transferred'
  | 'disputed';
type Role = 'coordinator' | 'handler' | 'publisher';
type StaffActor = 'coordinator' | 'handler' | 'publisher' | 'other';
type Actor = StaffActor | 'sender' | 'stranger';
const ACTORS: readonly Actor[] = ['coordinator', 'handler', 'publisher', 'other', 'sender', 'stranger'];

/**
 * The issue's lifecycle, one line per arrow:
 *   received → classified → assigned → in-progress ⇄ info-requested → … → answered → published → closed
 *   received | classified → rejected (with a reason) | transferred (outside) | received at another unit
 *   answered → closed; answered | published → disputed → in-progress; extend once while handled.
 */
const ARROWS: Record<FeedbackAction, { from: readonly Status[]; by: readonly Role[] | 'sender' }> = {
  classify: { from: ['received'], by: ['coordinator'] },
  reject: { from: ['received', 'classified'], by: ['coordinator'] },
  transfer: { from: ['received', 'classified'], by: ['coordinator'] },
  assign: { from: ['classified'], by: ['coordinator'] },
  start: { from: ['assigned'], by: ['handler'] },
  'request-info': { from: ['in-progress'], by: ['handler'] },
  resume: { from: ['info-requested'], by: ['handler'] },
  'provide-info': { from: ['info-requested'], by: 'sender' },
  answer: { from: ['in-progress'], by: ['handler'] },
  // "While the case is being handled": after classification and before the answer.
  extend: { from: ['classified', 'assigned', 'in-progress', 'info-requested'], by: ['coordinator', 'handler'] },
  publish: { from: ['answered'], by: ['publisher'] },
  close: { from: ['answered', 'published'], by: ['coordinator'] },
  dispute: { from: ['answered', 'published'], by: 'sender' },
  reopen: { from: ['disputed'], by: ['coordinator', 'handler'] },
  rate: { from: ['answered', 'published', 'closed'], by: 'sender' },
};
const SIMPLE_TARGET: Partial<Record<FeedbackAction, Status>> = {
  classify: 'classified',
  reject: 'rejected',
  assign: 'assigned',
  start: 'in-progress',
  'request-info': 'info-requested',
  resume: 'in-progress',
  'provide-info': 'in-progress',
  answer: 'answered',
  publish: 'published',
  close: 'closed',
  dispute: 'disputed',
  reopen: 'in-progress',
};
/** No deadline runs in these (so nothing is overdue). */
const NO_DEADLINE: readonly Status[] = ['answered', 'published', 'closed', 'rejected', 'transferred'];
const MAX_EXTENSIONS = 1;
const MAX_EXTENSION_DAYS = 10;
const DISPUTE_CALENDAR_DAYS = 15;

const GRANTS: Record<StaffActor, { role: Role; unit: string }> = {
  coordinator: { role: 'coordinator', unit: 'khanh-hoa' },
  handler: { role: 'handler', unit: 'phuong-ninh-hoa' },
  publisher: { role: 'publisher', unit: 'khanh-hoa' },
  other: { role: 'handler', unit: 'phuong-hoa-thang' },
};

/** Transfer and assignment targets: wards, a department, a unit of another province, an unknown id. */
const TARGETS = ['phuong-ninh-hoa', 'phuong-hoa-thang', 'so-y-te', 'xa-tan-dinh', 'thanh-pho-hue', 'khong-co-don-vi'];

interface Model {
  status: Status;
  unit: string;
  publishContent: boolean;
  showName: boolean;
  extensions: number;
  answers: number;
  /** The latest answer has been rated; and whether as satisfying. */
  rated: boolean;
  satisfied: boolean;
  /** The last instant of the dispute window of the latest answer, or null before any answer. */
  disputeEnd: number | null;
}

interface Real {
  id: number;
  code: string;
  key: string;
}

/** The end of the 15th calendar day (Việt Nam time, UTC+7) after the day of the answer. */
function disputeEndAfter(answeredAt: number): number {
  const vn = 7 * HOUR;
  const day = Math.floor((answeredAt + vn) / DAY) + DISPUTE_CALENDAR_DAYS;
  return (day + 1) * DAY - vn - 1;
}

let parents: Map<string, string | undefined>;
function covers(grantUnit: string, unit: string): boolean {
  for (let u: string | undefined = unit; u !== undefined; u = parents.get(u)) if (u === grantUnit) return true;
  return false;
}
const known = (unit: string) => parents.has(unit);

/** A payload: the body, whether the contract refuses it, and whether its content is refused for this case. */
interface Payload {
  body: Record<string, unknown>;
  schemaBad?: true;
  semanticBad?: (m: Model) => boolean;
  /** What an accepted step does beyond the plain arrow. */
  apply?: (m: Model) => void;
}

const NOTE = 'Ghi chú của cán bộ về hồ sơ';
const LONG_NOTE = 'ă'.repeat(2001);
const PROCEDURE = '1.001193';

function payloads(action: FeedbackAction): Payload[] {
  const bad = (body: Record<string, unknown>): Payload => ({ body: { action, ...body }, schemaBad: true });
  const unknownField = bad({ ghost: 1 });
  switch (action) {
    case 'classify':
      return [
        { body: { action } },
        { body: { action, kind: 'kien-nghi', subject: 'quy-dinh', note: NOTE } },
        { body: { action, procedure: PROCEDURE } },
        { body: { action, procedure: '9.999999' }, semanticBad: () => true },
        bad({ kind: 'khieu-nai' }),
        unknownField,
      ];
    case 'reject':
      return [
        { body: { action, note: 'Không thuộc phạm vi' } },
        bad({}),
        bad({ note: '   ' }),
        bad({ note: LONG_NOTE }),
      ];
    case 'transfer':
      return [
        ...TARGETS.map((unit): Payload => ({
          body: { action, unit, note: NOTE },
          semanticBad: (m) => !known(unit) || unit === m.unit,
          apply: (m) => {
            m.status = 'received';
            m.unit = unit;
          },
        })),
        {
          body: { action, outside_agency: 'Công an tỉnh', note: NOTE },
          apply: (m) => {
            m.status = 'transferred';
          },
        },
        { body: { action, note: NOTE }, semanticBad: () => true },
        { body: { action, unit: 'so-y-te', outside_agency: 'Công an tỉnh', note: NOTE }, semanticBad: () => true },
        bad({ unit: 'so-y-te' }),
        bad({ unit: 'Sở Y tế', note: NOTE }),
      ];
    case 'assign':
      return [
        ...TARGETS.map((unit): Payload => ({
          body: { action, unit },
          // Only within the coordinator's own subtree (the province here).
          semanticBad: () => !known(unit) || !covers(GRANTS.coordinator.unit, unit),
          apply: (m) => {
            m.unit = unit;
          },
        })),
        bad({}),
        bad({ unit: '../so-y-te' }),
      ];
    case 'start':
    case 'resume':
    case 'close':
    case 'reopen':
      return [{ body: { action } }, { body: { action, note: NOTE } }, { body: { action, note: '' } }, unknownField];
    case 'request-info':
      return [{ body: { action, note: 'Đề nghị bổ sung bản sao giấy tờ' } }, bad({}), bad({ note: LONG_NOTE })];
    case 'answer':
      return [{ body: { action, body: 'Trả lời: hồ sơ đã được giải quyết.' } }, bad({}), bad({ body: '' })];
    case 'extend':
      return [
        { body: { action, days: 5, note: NOTE } },
        { body: { action, days: MAX_EXTENSION_DAYS, note: NOTE } },
        { body: { action, days: '3', note: NOTE } },
        { body: { action, days: 11, note: NOTE }, semanticBad: () => true },
        bad({ days: 0, note: NOTE }),
        bad({ days: 61, note: NOTE }),
        bad({ days: 5 }),
        bad({ days: 'năm', note: NOTE }),
      ];
    case 'publish': {
      const texts = { title: 'Tiêu đề', content: 'Nội dung đã ẩn thông tin cá nhân', answer: 'Trả lời' };
      return [
        { body: { action, ...texts } },
        { body: { action, ...texts, show_name: false } },
        { body: { action, ...texts, show_name: true }, semanticBad: (m) => !m.showName },
        bad({ title: 'Tiêu đề' }),
        bad({ ...texts, show_name: 'maybe' }),
      ];
    }
    case 'provide-info':
      return [{ body: { action, body: 'Tôi gửi bổ sung thông tin.' } }, bad({}), bad({ body: 'ă'.repeat(5001) })];
    case 'dispute':
      return [{ body: { action, body: 'Tôi chưa đồng ý với câu trả lời.' } }, bad({}), bad({ body: LONG_NOTE })];
    case 'rate':
      return [
        { body: { action, satisfied: true }, apply: (m) => void (m.satisfied = true) },
        { body: { action, satisfied: 'on' }, apply: (m) => void (m.satisfied = true) },
        {
          body: { action, satisfied: false, reasons: ['chung-chung', 'cham'] },
          apply: (m) => void (m.satisfied = false),
        },
        { body: { action, satisfied: false, comment: 'Chưa rõ' }, apply: (m) => void (m.satisfied = false) },
        bad({ satisfied: 'maybe' }),
        bad({ satisfied: false, reasons: ['khong-co-ly-do-nay'] }),
        bad({ satisfied: true, comment: 'c'.repeat(1001) }),
        bad({}),
      ];
  }
}

const PAYLOADS = Object.fromEntries(feedbackActions.map((a) => [a, payloads(a)])) as Record<FeedbackAction, Payload[]>;

interface Prediction {
  status: 200 | 403 | 404 | 409 | 422;
  code?: string;
}

/** What the API must answer to `actor` taking `action` with `p` on the case the model describes, at `now`. */
function predict(m: Model, actor: Actor, action: FeedbackAction, p: Payload, now: number): Prediction {
  const rule = ARROWS[action];
  if (actor === 'sender' || actor === 'stranger') {
    // The contract is checked before the credentials; a wrong key is 404 like an unknown code.
    if (rule.by !== 'sender' || p.schemaBad) return { status: 422 };
    if (actor === 'stranger') return { status: 404, code: 'feedback_not_found' };
  } else {
    const grant = GRANTS[actor];
    // Outside the member's units the case does not exist for them.
    if (!covers(grant.unit, m.unit)) return { status: 404, code: 'feedback_not_found' };
    if (rule.by === 'sender' || p.schemaBad) return { status: 422 };
    if (!rule.by.includes(grant.role)) return { status: 403, code: 'forbidden_role' };
  }
  if (!rule.from.includes(m.status)) return { status: 409, code: 'transition_not_allowed' };
  const windowOpen = m.disputeEnd !== null && now <= m.disputeEnd;
  if (action === 'publish' && !m.publishContent) return { status: 409, code: 'publish_not_consented' };
  if (action === 'extend' && m.extensions >= MAX_EXTENSIONS) return { status: 409, code: 'extension_limit' };
  if (action === 'close' && windowOpen && !(m.rated && m.satisfied))
    return { status: 409, code: 'dispute_window_open' };
  if (action === 'dispute' && !windowOpen) return { status: 409, code: 'dispute_window_closed' };
  if (action === 'rate' && m.rated) return { status: 409, code: 'already_rated' };
  if (p.semanticBad?.(m)) return { status: 422 };
  return { status: 200 };
}

/** The model after an accepted step. */
function apply(m: Model, action: FeedbackAction, p: Payload, now: number): void {
  const simple = SIMPLE_TARGET[action];
  if (simple) m.status = simple;
  if (action === 'extend') m.extensions++;
  if (action === 'answer') {
    m.answers++;
    m.rated = false;
    m.satisfied = false;
    m.disputeEnd = disputeEndAfter(now);
  }
  if (action === 'rate') m.rated = true;
  p.apply?.(m);
}

/** The actions the model lets `actor` take now with some well-formed payload (for the "allowed" lists). */
function allowedFor(m: Model, actor: Actor, now: number, actions: readonly FeedbackAction[]): string[] {
  return actions
    .filter((a) => PAYLOADS[a].some((p) => !p.schemaBad && predict(m, actor, a, p, now).status === 200))
    .sort();
}

// ── The real side ────────────────────────────────────────────────────────────────────────────────

let clock = BASE;
let h: Harness;
let app: App;
let staff: Record<StaffActor, Signed>;

const TABLES = [
  'feedback',
  'feedback_events',
  'feedback_messages',
  'feedback_attachments',
  'feedback_publications',
  'answer_ratings',
  'feedback_links',
  'email_outbox',
  'sms_outbox',
  'audit_log',
] as const;

async function snapshot(id: number): Promise<{ counts: Record<string, number>; row: string }> {
  const [counts, row] = await h.db.client.batch(
    [
      `SELECT ${TABLES.map((t) => `(SELECT count(*) FROM ${t}) AS "${t}"`).join(', ')}`,
      { sql: 'SELECT * FROM feedback WHERE id = ?', args: [id] },
    ],
    'read',
  );
  const c = counts!.rows[0]!;
  return {
    counts: Object.fromEntries(TABLES.map((t) => [t, Number(c[t])])),
    row: JSON.stringify(row!.rows[0]),
  };
}

/** Sessions end after 24 h idle or 7 days; the clock here jumps weeks (and back), so keep them alive. */
async function setClock(t: number): Promise<void> {
  clock = t;
  await h.db.client.execute({
    sql: 'UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE revoked_at IS NULL',
    args: [new Date(t).toISOString(), new Date(t + 30 * DAY).toISOString()],
  });
}

async function request(actor: Actor, real: Real, body: Record<string, unknown>): Promise<Response> {
  if (actor === 'sender' || actor === 'stranger') {
    const key = actor === 'sender' ? real.key : randomBytes(24).toString('base64url');
    return app.request(
      '/api/v1/feedback/action',
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ code: real.code, key, ...body }),
      },
      freshAddress(),
    );
  }
  return act(app, staff[actor], real.id, body);
}

/** Tallies shown at the end: how far the sequences got. */
const stats = {
  sequences: 0,
  commands: 0,
  accepted: 0,
  refused: 0,
  acceptedIllegal: 0,
  refusedLegal: 0,
  transitions: new Map<string, number>(),
  refusals: new Map<string, number>(),
  looks: 0,
};
const bump = (map: Map<string, number>, k: string) => map.set(k, (map.get(k) ?? 0) + 1);

async function runStep(m: Model, real: Real, actor: Actor, action: FeedbackAction, p: Payload): Promise<void> {
  stats.commands++;
  const now = clock;
  const expected = predict(m, actor, action, p, now);
  const before = await snapshot(real.id);
  const res = await request(actor, real, p.body);
  const text = await res.text();
  const what = `${actor} ${action} ${JSON.stringify(p.body)} on ${m.status}@${m.unit} at ${new Date(now).toISOString()}: got ${res.status} ${text.slice(0, 200)}`;
  const ok = res.status >= 200 && res.status < 300;
  if (ok && expected.status !== 200) stats.acceptedIllegal++;
  if (!ok && expected.status === 200) stats.refusedLegal++;
  if (res.status !== expected.status) throw new Error(`expected ${expected.status} ${expected.code ?? ''}; ${what}`);
  const after = await snapshot(real.id);
  if (!ok) {
    stats.refused++;
    const body = JSON.parse(text) as { code: string };
    if (!/^application\/problem\+json/.test(res.headers.get('content-type') ?? ''))
      throw new Error(`not problem+json: ${what}`);
    if (expected.code && body.code !== expected.code) throw new Error(`expected code ${expected.code}; ${what}`);
    bump(stats.refusals, `${res.status} ${body.code}`);
    // A refused step writes nothing at all.
    if (after.row !== before.row) throw new Error(`refused step changed the case row: ${what}`);
    if (JSON.stringify(after.counts) !== JSON.stringify(before.counts))
      throw new Error(
        `refused step changed row counts ${JSON.stringify(before.counts)} → ${JSON.stringify(after.counts)}: ${what}`,
      );
    return;
  }
  stats.accepted++;
  const from = m.status;
  apply(m, action, p, now);
  bump(stats.transitions, `${from} -${action}→ ${m.status}`);
  const shown = JSON.parse(text) as { status: string };
  if (shown.status !== m.status) throw new Error(`answered status ${shown.status}, model ${m.status}: ${what}`);
  const row = JSON.parse(after.row) as { status: string; unit_id: string; extension_count: number };
  if (row.status !== m.status || row.unit_id !== m.unit || Number(row.extension_count) !== m.extensions)
    throw new Error(
      `stored ${row.status}@${row.unit_id} ext ${row.extension_count}, model ${m.status}@${m.unit} ext ${m.extensions}: ${what}`,
    );
  if (after.counts.feedback_events !== (before.counts.feedback_events ?? 0) + 1)
    throw new Error(`an accepted step must add exactly one event: ${what}`);
  if (after.counts.feedback !== before.counts.feedback) throw new Error(`a step created a case: ${what}`);
}

class Step implements fc.AsyncCommand<Model, Real> {
  readonly actor: Actor;
  readonly action: FeedbackAction;
  readonly pick: number;
  constructor(actor: Actor, action: FeedbackAction, pick: number) {
    this.actor = actor;
    this.action = action;
    this.pick = pick;
  }
  check = () => true;
  async run(m: Model, real: Real): Promise<void> {
    const list = PAYLOADS[this.action];
    await runStep(m, real, this.actor, this.action, list[this.pick % list.length]!);
  }
  toString = () => `Step(${this.actor}, ${this.action}, ${this.pick})`;
}

/**
 * A step the status allows, by a random actor with a random payload: the refusals that depend on
 * more than the status (role, scope, consent, extension limit, dispute window, rating once).
 */
class Probe implements fc.AsyncCommand<Model, Real> {
  readonly actor: Actor;
  readonly pick: number;
  constructor(actor: Actor, pick: number) {
    this.actor = actor;
    this.pick = pick;
  }
  check = () => true;
  async run(m: Model, real: Real): Promise<void> {
    const near = feedbackActions.filter((a) => ARROWS[a].from.includes(m.status));
    const action =
      near.length > 0 ? near[this.pick % near.length]! : feedbackActions[this.pick % feedbackActions.length]!;
    const list = PAYLOADS[action];
    await runStep(m, real, this.actor, action, list[Math.floor(this.pick / 16) % list.length]!);
  }
  toString = () => `Probe(${this.actor}, ${this.pick})`;
}

/** Steps off the main path weigh less in guided picks, so more sequences go the whole way. */
const SIDE_STEPS: readonly FeedbackAction[] = ['reject', 'transfer', 'extend'];

/** A step the model accepts now, when there is one (else a random one): reaches the deep states. */
class Guided implements fc.AsyncCommand<Model, Real> {
  readonly pick: number;
  constructor(pick: number) {
    this.pick = pick;
  }
  check = () => true;
  async run(m: Model, real: Real): Promise<void> {
    const legal = new Map<FeedbackAction, [Actor, Payload][]>();
    for (const action of feedbackActions)
      for (const actor of ACTORS)
        for (const p of PAYLOADS[action])
          if (predict(m, actor, action, p, clock).status === 200)
            legal.set(action, [...(legal.get(action) ?? []), [actor, p]]);
    if (legal.size === 0) {
      const action = feedbackActions[this.pick % feedbackActions.length]!;
      const actor = ACTORS[this.pick % ACTORS.length]!;
      const list = PAYLOADS[action];
      return runStep(m, real, actor, action, list[this.pick % list.length]!);
    }
    const weighted = [...legal.keys()].flatMap((a) => Array<FeedbackAction>(SIDE_STEPS.includes(a) ? 1 : 6).fill(a));
    const action = weighted[this.pick % weighted.length]!;
    const options = legal.get(action)!;
    const [actor, p] = options[Math.floor(this.pick / weighted.length) % options.length]!;
    await runStep(m, real, actor, action, p);
  }
  toString = () => `Guided(${this.pick})`;
}

class Tick implements fc.AsyncCommand<Model, Real> {
  readonly hours: number;
  constructor(hours: number) {
    this.hours = hours;
  }
  check = () => true;
  async run(): Promise<void> {
    if (clock + this.hours * HOUR <= CLOCK_CAP) await setClock(clock + this.hours * HOUR);
  }
  toString = () => `Tick(${this.hours}h)`;
}

/** The coordinator's and the sender's views agree with the model: status, overdue, allowed actions. */
class Look implements fc.AsyncCommand<Model, Real> {
  check = () => true;
  async run(m: Model, real: Real): Promise<void> {
    stats.looks++;
    const res = await staffGet(app, staff.coordinator, `/api/v1/staff/feedback/${real.id}`);
    if (!covers(GRANTS.coordinator.unit, m.unit)) {
      expect(res.status).toBe(404);
    } else {
      expect(res.status).toBe(200);
      const c = (await res.json()) as {
        status: string;
        due_at: string;
        overdue: boolean;
        extension_count: number;
        allowed_actions: string[];
      };
      expect(c.status).toBe(m.status);
      expect(c.extension_count).toBe(m.extensions);
      expect(c.overdue).toBe(!NO_DEADLINE.includes(m.status) && clock > Date.parse(c.due_at));
      expect([...c.allowed_actions].sort()).toEqual(allowedFor(m, 'coordinator', clock, feedbackActions));
    }
    const track = await app.request(
      '/api/v1/feedback/track',
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ code: real.code, key: real.key }),
      },
      freshAddress(),
    );
    expect(track.status).toBe(200);
    const t = (await track.json()) as { status: string; allowed_actions: string[] };
    expect(t.status).toBe(m.status);
    expect([...t.allowed_actions].sort()).toEqual(allowedFor(m, 'sender', clock, feedbackActions));
  }
  toString = () => 'Look';
}

const stepArb = fc
  .tuple(fc.constantFrom(...ACTORS), fc.constantFrom(...feedbackActions), fc.nat())
  .map(([a, x, n]) => new Step(a, x, n));
const probeArb = fc.tuple(fc.constantFrom(...ACTORS), fc.nat()).map(([a, n]) => new Probe(a, n));
const guidedArb = fc.nat().map((n) => new Guided(n));
const tickArb = fc.constantFrom(1, 24, 72, 24 * 8, 24 * 14, 24 * 16, 24 * 20).map((hrs) => new Tick(hrs));
const lookArb = fc.constant(null).map(() => new Look());
/** A sequence: 8 to 15 commands (fc.array shrinks a failing one to its shortest form). */
const commandsArb = fc.array(
  fc.oneof(
    { arbitrary: stepArb, weight: 2 },
    { arbitrary: probeArb, weight: 3 },
    { arbitrary: guidedArb, weight: 7 },
    { arbitrary: tickArb, weight: 3 },
    { arbitrary: lookArb, weight: 1 },
  ),
  { minLength: 8, maxLength: MAX_COMMANDS },
);
const caseArb = fc.record({
  publish: fc.boolean(),
  showName: fc.boolean(),
  email: fc.boolean(),
  unit: fc.constantFrom('phuong-ninh-hoa', 'phuong-ninh-hoa', 'phuong-hoa-thang', 'so-y-te'),
  start: fc.integer({ min: 0, max: 7 * 24 }),
});

/** Hand-written walks first: the whole way, with the refusals at the end of the dispute window. */
const S = (actor: Actor, action: FeedbackAction, pick = 0) => new Step(actor, action, pick);
const MAIN_PATH = [
  S('coordinator', 'classify'),
  S('coordinator', 'assign'),
  S('handler', 'start'),
  S('handler', 'answer'),
];
type Cmd = Step | Probe | Guided | Tick | Look;
const CONSENTED = { publish: true, showName: false, email: true, unit: 'phuong-ninh-hoa', start: 0 };
const WALKTHROUGHS: [typeof CONSENTED, Cmd[]][] = [
  [
    CONSENTED,
    [
      ...MAIN_PATH,
      S('publisher', 'publish'),
      S('coordinator', 'close'),
      S('sender', 'rate', 2),
      S('sender', 'rate', 0),
      new Tick(24 * 16),
      S('sender', 'dispute'),
      S('coordinator', 'close'),
      S('sender', 'rate'),
    ],
  ],
  [
    { ...CONSENTED, publish: false },
    [
      ...MAIN_PATH,
      S('publisher', 'publish'),
      S('sender', 'rate', 0),
      S('coordinator', 'close'),
      S('sender', 'rate', 0),
    ],
  ],
  [
    CONSENTED,
    [
      ...MAIN_PATH,
      S('sender', 'dispute'),
      S('handler', 'reopen'),
      S('handler', 'answer'),
      S('publisher', 'publish'),
      new Tick(24 * 20),
      S('sender', 'dispute'),
      S('coordinator', 'close'),
      S('sender', 'rate', 2),
    ],
  ],
];

beforeAll(async () => {
  h = await openHarness('workflow-model');
  parents = new Map(h.content.units.map((u) => [u.id, u.parent ?? undefined]));
  app = h.app(
    {
      POW_REQUIRED: '0',
      RATE_LIMIT_MAX: '10000000',
      STAFF_IDLE_MINUTES: '1440',
      STAFF_SESSION_HOURS: '168',
      LOG_LEVEL: 'error',
    },
    () => new Date(clock),
  );
  staff = {
    coordinator: await staffMember(h, app, 'mo-dieu-phoi', [GRANTS.coordinator]),
    handler: await staffMember(h, app, 'mo-xu-ly', [GRANTS.handler]),
    publisher: await staffMember(h, app, 'mo-cong-bo', [GRANTS.publisher]),
    other: await staffMember(h, app, 'mo-xu-ly-khac', [GRANTS.other]),
  };
});

afterAll(() => h.close());

describe('the feedback lifecycle against an independent model', () => {
  it(`${SEQUENCES} random sequences of up to ${MAX_COMMANDS} steps: the API accepts exactly what the model accepts`, async () => {
    const started = performance.now();
    await fc.assert(
      fc.asyncProperty(caseArb, commandsArb, async (opts, cmds) => {
        stats.sequences++;
        await setClock(BASE + opts.start * HOUR);
        const sent = await sendFeedback(h, app, {
          unit: opts.unit,
          publish_content: opts.publish,
          show_name: opts.showName,
          ...(opts.email ? {} : { email: undefined }),
        });
        const model: Model = {
          status: 'received',
          unit: opts.unit,
          publishContent: opts.publish,
          showName: opts.showName,
          extensions: 0,
          answers: 0,
          rated: false,
          satisfied: false,
          disputeEnd: null,
        };
        for (const cmd of cmds) await cmd.run(model, sent);
        const stored = await h.db.client.execute({
          sql: 'SELECT status, unit_id FROM feedback WHERE id = ?',
          args: [sent.id],
        });
        expect({ ...stored.rows[0] }).toEqual({ status: model.status, unit_id: model.unit });
      }),
      {
        numRuns: SEQUENCES,
        seed: SEED,
        examples: WALKTHROUGHS,
        reporter: (out) => {
          if (out.failed) throw new Error(`seed ${SEED}: ${fc.defaultReportMessage(out)}`);
        },
      },
    );
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.info(
      `workflow model: ${stats.sequences} sequences, ${stats.commands} steps (${stats.accepted} accepted, ${stats.refused} refused), ${stats.looks} looks, ${seconds} s`,
    );
    console.info(`transitions: ${JSON.stringify(Object.fromEntries([...stats.transitions].sort()))}`);
    console.info(`refusals: ${JSON.stringify(Object.fromEntries([...stats.refusals].sort()))}`);

    expect(stats.sequences).toBeGreaterThanOrEqual(SEQUENCES);
    expect(stats.acceptedIllegal).toBe(0);
    expect(stats.refusedLegal).toBe(0);
    // The sequences reached every arrow of the lifecycle and every kind of refusal.
    const arrows = [...stats.transitions.keys()].join('\n');
    for (const a of [
      'received -classify→ classified',
      'received -transfer→ received',
      'received -transfer→ transferred',
      'classified -reject→ rejected',
      'classified -assign→ assigned',
      'assigned -start→ in-progress',
      'in-progress -request-info→ info-requested',
      'info-requested -resume→ in-progress',
      'info-requested -provide-info→ in-progress',
      'in-progress -answer→ answered',
      'answered -publish→ published',
      'answered -close→ closed',
      'published -close→ closed',
      'answered -dispute→ disputed',
      'published -dispute→ disputed',
      'disputed -reopen→ in-progress',
      'answered -rate→ answered',
      'closed -rate→ closed',
    ])
      expect(arrows).toContain(a);
    expect([...stats.transitions.keys()].some((k) => k.includes('-extend→'))).toBe(true);
    for (const r of [
      '403 forbidden_role',
      '404 feedback_not_found',
      '409 transition_not_allowed',
      '409 publish_not_consented',
      '409 extension_limit',
      '409 dispute_window_open',
      '409 dispute_window_closed',
      '409 already_rated',
      '422 validation_failed',
      '422 unknown_unit',
      '422 unknown_procedure',
    ])
      expect([...stats.refusals.keys()]).toContain(r);
  }, 300_000);
});
