/**
 * What the staff of a unit see about their survey this month (issue #10 §2; docs/reform-office.md):
 * how many more invitations to issue to reach the sample the method asks for, and the counters whose
 * self-selected ratings the reform office should look at. Staff only: the flags name counters, and
 * a counter is one official's desk.
 *
 * Invitations: expected N = the larger of last month's returned dossiers and this month's so far;
 * needed n = Slovin's n for N at e = 5 %; response rate r = last month's redeemed / issued when at
 * least 20 were issued and some used, else 1/3 (stated as assumed); invitations needed = ⌈n / r⌉;
 * more to issue = invitations needed − issued so far (never below 0).
 *
 * Flags, by rule (both stated on the page):
 * - burst: at least {@link BURST.ratings} self-selected ratings at one counter within
 *   {@link BURST.minutes} minutes (a queue of citizens rarely rates that fast; a device tapped
 *   repeatedly does);
 * - above verified: a counter's self-selected share of satisfied one-tap ratings is at least
 *   {@link ABOVE_VERIFIED.points} points above the unit's verified SIPAS index and the two 95 %
 *   intervals do not overlap, each with at least min n answers.
 */
import type { Client } from '@libsql/client';
import { wilson } from '../scoring/scoring.ts';
import { SATISFIED_OPTIONS, ratingSummaryOf } from './summaries.ts';
import { instrumentVersionsOf, ratingCells } from '../../db/stats.ts';
import { resolveInstrument } from '../ratings/instruments.ts';
import {
  invitationsOfMonth,
  returnedOfMonth,
  ASSUMED_RESPONSE_RATE,
  MIN_ISSUED_FOR_RATE,
  slovin,
} from '../../db/sample-plans.ts';
import { subtreeCte } from '../../db/units.ts';
import { DEFAULT_MARGIN } from '../contracts/ranking.ts';
import { spanRange } from './disclosure.ts';

export const BURST = { ratings: 10, minutes: 5 } as const;
export const ABOVE_VERIFIED = { points: 15 } as const;

export interface SurveyFlag {
  unit: string;
  counter: string;
  rule: 'burst' | 'above-verified';
  /** burst: ratings in the window; above-verified: the counter's satisfied share (percent). */
  value: number;
  /** burst: when the window started (ISO); above-verified: the unit's verified SIPAS index (percent). */
  detail: string;
}

/** The UTC instants a Viet Nam month starts and ends (UTC+7, no daylight saving). */
export function monthWindow(month: string): { start: string; end: string } {
  const [y, m] = month.split('-').map(Number);
  const at = (mm: number) => new Date(Date.UTC(y!, mm, 1) - 7 * 3_600_000).toISOString();
  return { start: at(m! - 1), end: at(m!) };
}

const previousMonth = (month: string) => {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y!, m! - 2, 1)).toISOString().slice(0, 7);
};

export interface InvitationPlan {
  month: string;
  expected: number;
  returned_so_far: number;
  needed: number;
  response_rate: number;
  response_rate_basis: 'measured' | 'assumed';
  invitations_needed: number;
  issued: number;
  redeemed: number;
  more_to_issue: number;
}

/** How many more invitations the unit should issue this month (see the module comment). */
export async function invitationPlan(client: Client, unitId: string, month: string): Promise<InvitationPlan> {
  const before = previousMonth(month);
  const [lastReturned, soFar, lastInv, inv] = await Promise.all([
    returnedOfMonth(client, unitId, before),
    returnedOfMonth(client, unitId, month),
    invitationsOfMonth(client, unitId, before),
    invitationsOfMonth(client, unitId, month),
  ]);
  const expected = Math.max(lastReturned, soFar);
  const needed = slovin(expected, DEFAULT_MARGIN / 100);
  const measured = lastInv.issued >= MIN_ISSUED_FOR_RATE && lastInv.redeemed > 0;
  const rate = measured ? lastInv.redeemed / lastInv.issued : ASSUMED_RESPONSE_RATE;
  const invitationsNeeded = Math.ceil(needed / rate - 1e-9);
  return {
    month,
    expected,
    returned_so_far: soFar,
    needed,
    response_rate: Math.round(rate * 1000) / 10,
    response_rate_basis: measured ? 'measured' : 'assumed',
    invitations_needed: invitationsNeeded,
    issued: inv.issued,
    redeemed: inv.redeemed,
    more_to_issue: Math.max(0, invitationsNeeded - inv.issued),
  };
}

/** Burst windows: for each counter, the largest count within the window, when it reaches the rule. */
export function bursts(
  rows: readonly { unit: string; counter: string; at: string }[],
  rule: { ratings: number; minutes: number } = BURST,
): SurveyFlag[] {
  const out: SurveyFlag[] = [];
  const byCounter = new Map<string, number[]>();
  for (const r of rows) {
    const k = `${r.unit}\u0000${r.counter}`;
    const list = byCounter.get(k) ?? [];
    list.push(Date.parse(r.at));
    byCounter.set(k, list);
  }
  const span = rule.minutes * 60_000;
  for (const [k, times] of byCounter) {
    times.sort((a, b) => a - b);
    let best = 0;
    let bestStart = 0;
    for (let i = 0, j = 0; j < times.length; j++) {
      while (times[j]! - times[i]! > span) i++;
      if (j - i + 1 > best) {
        best = j - i + 1;
        bestStart = times[i]!;
      }
    }
    if (best >= rule.ratings) {
      const [unit, counter] = k.split('\u0000') as [string, string];
      out.push({ unit, counter, rule: 'burst', value: best, detail: new Date(bestStart).toISOString() });
    }
  }
  return out;
}

/** The flags of the unit's subtree in the month (see the module comment). */
export async function surveyFlags(client: Client, unitId: string, month: string, minN: number): Promise<SurveyFlag[]> {
  const { start, end } = monthWindow(month);
  const cte = subtreeCte([unitId]);
  const [times, shares] = await Promise.all([
    client.execute({
      sql: `${cte.sql} SELECT r.unit_id, r.counter, r.created_at FROM responses r
            WHERE r.unit_id IN (SELECT id FROM scope) AND r.verified = 0 AND r.counter IS NOT NULL
              AND r.created_at >= ? AND r.created_at < ?`,
      args: [...cte.args, start, end],
    }),
    client.execute({
      sql: `${cte.sql} SELECT r.unit_id, r.counter, a.value, count(*) AS n FROM responses r
            JOIN answers a ON a.response_id = r.id AND a.question_id = 'rating'
            JOIN instrument_versions v ON v.version = r.instrument_version AND v.kind = 'counter'
            WHERE r.unit_id IN (SELECT id FROM scope) AND r.verified = 0 AND r.counter IS NOT NULL
              AND r.created_at >= ? AND r.created_at < ?
            GROUP BY r.unit_id, r.counter, a.value`,
      args: [...cte.args, start, end],
    }),
  ]);
  const flags = bursts(
    times.rows.map((r) => ({ unit: String(r.unit_id), counter: String(r.counter), at: String(r.created_at) })),
  );
  // Satisfied share per counter, against the unit's verified SIPAS index of the same month.
  const counters = new Map<string, { unit: string; counter: string; n: number; satisfied: number }>();
  for (const r of shares.rows) {
    const k = `${String(r.unit_id)}\u0000${String(r.counter)}`;
    const c = counters.get(k) ?? { unit: String(r.unit_id), counter: String(r.counter), n: 0, satisfied: 0 };
    c.n += Number(r.n);
    if (SATISFIED_OPTIONS.has(String(r.value))) c.satisfied += Number(r.n);
    counters.set(k, c);
  }
  const versions = await instrumentVersionsOf(client, 'sipas');
  const sipas = versions[0] && (await resolveInstrument(client, 'sipas', versions[0].version));
  const verifiedIndex = new Map<string, { value: number; high: number } | null>();
  for (const c of counters.values()) {
    if (c.n < minN || !sipas) continue;
    if (!verifiedIndex.has(c.unit)) {
      const cells = await ratingCells(client, {
        unitId: c.unit,
        instrumentVersions: versions.map((v) => v.version),
        from: spanRange(month).from,
        to: spanRange(month).to,
        procedureCode: '',
        verified: true,
      });
      const s = ratingSummaryOf(sipas, cells, minN, 'verified');
      verifiedIndex.set(
        c.unit,
        s.kind === 'sipas' && !s.index.suppressed && s.index.value !== null && s.index.high !== null
          ? { value: s.index.value, high: s.index.high }
          : null,
      );
    }
    const v = verifiedIndex.get(c.unit);
    if (!v) continue;
    const interval = wilson(c.satisfied, c.n);
    const share = (c.satisfied / c.n) * 100;
    if (share - v.value >= ABOVE_VERIFIED.points && interval && interval.low * 100 > v.high)
      flags.push({
        unit: c.unit,
        counter: c.counter,
        rule: 'above-verified',
        value: Math.round(share * 10) / 10,
        detail: String(Math.round(v.value * 10) / 10),
      });
  }
  return flags.sort((a, b) => (a.unit + a.counter < b.unit + b.counter ? -1 : 1));
}
