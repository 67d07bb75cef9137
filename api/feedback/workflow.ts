/**
 * The lifecycle of a feedback case (issue #4, docs/domain.md §7) as data: which action moves a case from
 * which status to which, and who may take it. The API refuses everything this table does not
 * allow (api/routes/staff-feedback.ts, api/routes/feedback.ts); the staff pages only show what
 * `allowedActions` returns, so the UI and the API cannot disagree.
 *
 *   received → classified → assigned → in-progress ⇄ info-requested
 *   in-progress → answered → published → closed        (answered → closed too)
 *   received | classified → rejected (with reason)
 *   received | classified → transferred (to an agency outside the portal), or back to received at
 *                           another unit of the portal (a transfer inside the province)
 *   answered | published → disputed (the sender asks for re-examination) → in-progress
 *   extend: once, while the case is being handled; the status stays.
 */
import { closedFeedbackStatuses, type FeedbackStatus } from '../contracts/feedback.ts';
import {
  citizenActions,
  staffActions,
  type CitizenAction,
  type FeedbackAction,
  type StaffAction,
} from '../contracts/feedback-actions.ts';
import type { StaffRole } from '../../db/staff.ts';

// The action names are contracts (the staff pages name their forms by them); re-exported here.
export { citizenActions, feedbackActions, staffActions } from '../contracts/feedback-actions.ts';
export type { CitizenAction, FeedbackAction, StaffAction } from '../contracts/feedback-actions.ts';

interface Rule {
  from: readonly FeedbackStatus[];
  /** 'same': the status does not change (an extension, a rating). */
  to: FeedbackStatus | 'same';
  /** Staff roles that may take it; empty for the sender's actions. */
  roles: readonly StaffRole[];
}

/** Statuses in which the unit is still working on the case (an extension is possible). */
const HANDLING: readonly FeedbackStatus[] = ['classified', 'assigned', 'in-progress', 'info-requested'];

export const RULES: Readonly<Record<FeedbackAction, Rule>> = {
  // The coordinator (bộ phận tiếp nhận) checks the case is feedback on an administrative matter.
  classify: { from: ['received'], to: 'classified', roles: ['coordinator'] },
  reject: { from: ['received', 'classified'], to: 'rejected', roles: ['coordinator'] },
  // Inside the portal the case is received again by the other unit (see `transferTarget`).
  transfer: { from: ['received', 'classified'], to: 'transferred', roles: ['coordinator'] },
  assign: { from: ['classified'], to: 'assigned', roles: ['coordinator'] },
  start: { from: ['assigned'], to: 'in-progress', roles: ['handler'] },
  'request-info': { from: ['in-progress'], to: 'info-requested', roles: ['handler'] },
  // The sender answered by phone or in person, or the handler goes on without the information.
  resume: { from: ['info-requested'], to: 'in-progress', roles: ['handler'] },
  'provide-info': { from: ['info-requested'], to: 'in-progress', roles: [] },
  answer: { from: ['in-progress'], to: 'answered', roles: ['handler'] },
  extend: { from: HANDLING, to: 'same', roles: ['coordinator', 'handler'] },
  publish: { from: ['answered'], to: 'published', roles: ['publisher'] },
  close: { from: ['answered', 'published'], to: 'closed', roles: ['coordinator'] },
  dispute: { from: ['answered', 'published'], to: 'disputed', roles: [] },
  reopen: { from: ['disputed'], to: 'in-progress', roles: ['coordinator', 'handler'] },
  rate: { from: ['answered', 'published', 'closed'], to: 'same', roles: [] },
};

/** Statuses in which no handling deadline runs. */
export const FINISHED = closedFeedbackStatuses;

/**
 * The status after `action` taken on a case in `status`, or undefined when the action is not
 * allowed from there. A transfer to another unit of the portal returns the case to 'received'.
 * @example nextStatus('received', 'classify') === 'classified'
 */
export function nextStatus(
  status: FeedbackStatus,
  action: FeedbackAction,
  opts: { insidePortal?: boolean } = {},
): FeedbackStatus | undefined {
  const rule = RULES[action];
  if (!rule.from.includes(status)) return undefined;
  if (action === 'transfer' && opts.insidePortal) return 'received';
  return rule.to === 'same' ? status : rule.to;
}

/** The case facts beyond its status that decide whether an action is possible now. */
export interface CaseFacts {
  status: FeedbackStatus;
  publishContent: boolean;
  extensionCount: number;
  maxExtensions: number;
  /** ISO instant until which the sender may dispute the answer, or null before any answer. */
  disputeUntil: string | null;
  /** Whether the sender has rated the latest answer as satisfying. */
  senderSatisfied: boolean;
  /** Whether the latest answer has been rated at all. */
  answerRated: boolean;
}

/** Why an action that the status allows is refused anyway; machine codes of api/contracts/problem.ts. */
export type Refusal =
  | 'transition_not_allowed'
  | 'publish_not_consented'
  | 'extension_limit'
  | 'dispute_window_open'
  | 'dispute_window_closed'
  | 'already_rated';

/**
 * Undefined when `action` may be taken on the case at `now`, else the refusal code. Roles and
 * units are checked by the caller (they depend on the staff member, not on the case).
 */
export function refusal(facts: CaseFacts, action: FeedbackAction, now: Date): Refusal | undefined {
  if (!RULES[action].from.includes(facts.status)) return 'transition_not_allowed';
  const windowOpen = facts.disputeUntil !== null && now.getTime() <= new Date(facts.disputeUntil).getTime();
  switch (action) {
    case 'publish':
      // Nothing is published without the sender's consent (issue #4).
      return facts.publishContent ? undefined : 'publish_not_consented';
    case 'extend':
      return facts.extensionCount < facts.maxExtensions ? undefined : 'extension_limit';
    case 'close':
      // Closing ends the sender's right to dispute: only once they are satisfied or the window passed.
      return facts.senderSatisfied || !windowOpen ? undefined : 'dispute_window_open';
    case 'dispute':
      return windowOpen ? undefined : 'dispute_window_closed';
    case 'rate':
      return facts.answerRated ? 'already_rated' : undefined;
    default:
      return undefined;
  }
}

/** The staff actions a member with `roles` (already scoped to the case's unit) may take now. */
export function allowedStaffActions(facts: CaseFacts, roles: readonly StaffRole[], now: Date): StaffAction[] {
  return staffActions.filter(
    (a) => RULES[a].roles.some((r) => roles.includes(r)) && refusal(facts, a, now) === undefined,
  );
}

/** The sender's actions possible now (shown on the tracking page). */
export function allowedCitizenActions(facts: CaseFacts, now: Date): CitizenAction[] {
  return citizenActions.filter((a) => refusal(facts, a, now) === undefined);
}

/** Whether the deadline of the current step has passed on a case still being handled. */
export function isCaseOverdue(
  c: { status: FeedbackStatus; classifyDueAt: string; answerDueAt: string },
  now: Date,
): boolean {
  if (FINISHED.includes(c.status)) return false;
  const due = c.status === 'received' ? c.classifyDueAt : c.answerDueAt;
  return now.getTime() > new Date(due).getTime();
}

/** The deadline of the current step (what the inbox sorts by). */
export function currentDue(c: { status: FeedbackStatus; classifyDueAt: string; answerDueAt: string }): string {
  return c.status === 'received' ? c.classifyDueAt : c.answerDueAt;
}
