/**
 * The protection blocks as the server builds them (issue #9, api/stats/blocks.ts): in slices, off
 * the request path, cached and refreshed in the background. They must be exactly the blocks of the
 * rule (docs/statistics.md): a block built in the background equals a fresh synchronous build, and
 * both equal the rule as first written (pass after pass over every relation, string keys), kept
 * below as the reference. Real libSQL files with generated data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHarness, type Harness } from '../test-harness.ts';
import { generateDemoData } from '../demo/generate.ts';
import {
  ALL_PROCEDURES,
  NO_PROCEDURE,
  OWN,
  buildBlock,
  buildBlockInSlices,
  cellKey,
  type Block,
  type LeafCount,
  type Relation,
  type Trust,
} from './disclosure.ts';
import {
  blocksSettled,
  dossierLeaves,
  feedbackLeaves,
  forgetBlocks,
  ratingLeaves,
  ratingsBlock,
  REFRESH_MS,
  type BlockInput,
} from './blocks.ts';
import { CONTENT_DIR } from '../test-harness.ts';

// ── The rule as first written (the reference) ──────────────────────────────────────────────────

function referenceProtect(
  n: ReadonlyMap<string, number>,
  relations: readonly Relation[],
  minN: number,
  pseudo: ReadonlySet<string>,
): Set<string> {
  const count = (k: string) => n.get(k) ?? 0;
  const hidden = new Set<string>();
  for (const [k, v] of n) if (v > 0 && v < minN) hidden.add(k);
  const byKey = (a: string, b: string) =>
    Number(pseudo.has(b)) - Number(pseudo.has(a)) || count(a) - count(b) || (a < b ? -1 : a > b ? 1 : 0);
  for (let changed = true; changed;) {
    changed = false;
    for (const r of relations) {
      let alone = 0;
      if (hidden.has(r.total) && count(r.total) > 0) alone++;
      for (const p of r.parts) if (hidden.has(p) && count(p) > 0) alone++;
      if (alone !== 1) continue;
      const partner = r.parts.filter((p) => !hidden.has(p) && count(p) > 0).sort(byKey)[0] ?? r.total;
      if (hidden.has(partner)) throw new Error('cannot be protected');
      hidden.add(partner);
      changed = true;
    }
  }
  return hidden;
}

function referenceBlock(
  year: string,
  leaves: readonly LeafCount[],
  parents: ReadonlyMap<string, string | null>,
  minN: number,
  withTrust: boolean,
): { hidden: Set<string>; counts: Map<string, number>; relations: Relation[] } {
  const quarterOf = (m: string) => `${year}-Q${Math.ceil(Number(m.slice(5, 7)) / 3)}`;
  const n = new Map<string, number>();
  const add = (k: string, v: number) => n.set(k, (n.get(k) ?? 0) + v);
  for (const l of leaves) {
    if (l.month.slice(0, 4) !== year || l.n === 0) continue;
    const trusts: Trust[] = withTrust && l.trust !== 'all' ? [l.trust, 'all'] : ['all'];
    for (const t of trusts)
      for (const p of [l.month, quarterOf(l.month), year]) add(cellKey(l.item, l.unit, l.procedure, t, p), l.n);
  }
  const split = (k: string) => k.split('\u0001') as [string, string, string, Trust, string];
  const children = new Set([...parents.values()].filter((p) => p !== null));
  const pseudo = new Set<string>();
  const addTo = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  const codeSum = new Map<string, number>();
  for (const [k, v] of n) {
    const [i, u, p, t, per] = split(k);
    if (p !== ALL_PROCEDURES) addTo(codeSum, cellKey(i, u, ALL_PROCEDURES, t, per), v);
  }
  for (const [k, v] of [...n]) {
    const [i, u, p, t, per] = split(k);
    if (p !== ALL_PROCEDURES) continue;
    const none = cellKey(i, u, NO_PROCEDURE, t, per);
    pseudo.add(none);
    if (v - (codeSum.get(k) ?? 0) > 0) n.set(none, v - (codeSum.get(k) ?? 0));
  }
  const childSum = new Map<string, number>();
  for (const [k, v] of n) {
    const [i, u, p, t, per] = split(k);
    const parent = parents.get(u);
    if (parent) addTo(childSum, cellKey(i, parent, p, t, per), v);
  }
  for (const [k, v] of [...n]) {
    const [i, u, p, t, per] = split(k);
    if (!children.has(u)) continue;
    const own = cellKey(i, `${u}${OWN}`, p, t, per);
    pseudo.add(own);
    if (v - (childSum.get(k) ?? 0) > 0) n.set(own, v - (childSum.get(k) ?? 0));
  }
  const groups = new Map<string, string[]>();
  const group = (cls: string, total: string, part: string) => {
    const g = `${cls}\u0002${total}`;
    groups.set(g, [...(groups.get(g) ?? []), part]);
  };
  for (const [k, v] of n) {
    if (v <= 0) continue;
    const [i, u, p, t, per] = split(k);
    if (p !== ALL_PROCEDURES) group('p', cellKey(i, u, ALL_PROCEDURES, t, per), k);
    const parent = u.endsWith(OWN) ? u.slice(0, -OWN.length) : parents.get(u);
    if (parent && n.has(cellKey(i, parent, p, t, per))) group('u', cellKey(i, parent, p, t, per), k);
    if (withTrust && t !== 'all') group('t', cellKey(i, u, p, 'all', per), k);
    if (per.length === 7 && per[4] === '-' && per[5] !== 'Q') {
      group('q', cellKey(i, u, p, t, quarterOf(per)), k);
      group('ym', cellKey(i, u, p, t, year), k);
    } else if (per.includes('-Q')) group('yq', cellKey(i, u, p, t, year), k);
  }
  const relations = [...groups].map(([g, parts]) => ({ total: g.slice(g.indexOf('\u0002') + 1), parts }));
  return { hidden: referenceProtect(n, relations, minN, pseudo), counts: n, relations };
}

// ── Data ────────────────────────────────────────────────────────────────────────────────────────

let h: Harness;
const YEAR = '2025';

beforeAll(async () => {
  h = await openHarness('blocks');
  // Across the 1 July 2025 reorganisation: units that end and units that begin, many small cells.
  await generateDemoData(h.db, h.content, {
    seed: 5,
    from: new Date('2025-05-20T03:00:00Z'),
    to: new Date('2025-07-20T03:00:00Z'),
  });
}, 300_000);

afterAll(() => h?.close());

async function inputs(): Promise<{ name: string; input: BlockInput; withTrust: boolean }[]> {
  const out: { name: string; input: BlockInput; withTrust: boolean }[] = [];
  for (const id of ['sipas', 'quay', 'danh-gia-ho-so']) {
    const ins = h.instruments[id]!;
    out.push({ name: id, input: await ratingLeaves(h.db.client, ins, [h.versions[id]!], YEAR), withTrust: true });
  }
  out.push({ name: 'dossiers', input: await dossierLeaves(h.db.client, YEAR), withTrust: false });
  out.push({ name: 'feedback', input: await feedbackLeaves(h.db.client, YEAR, CONTENT_DIR), withTrust: false });
  return out;
}

/** Every cell of the reference, hidden or shown, asked of a block through `shown`. */
function expectSameShown(
  block: Block,
  reference: { hidden: ReadonlySet<string>; counts: ReadonlyMap<string, number> },
) {
  let hidden = 0;
  for (const k of new Set([...reference.counts.keys(), ...reference.hidden])) {
    const [i, u, p, t, per] = k.split('\u0001') as [string, string, string, Trust, string];
    expect(block.shown(i, u, p, t, per), k).toBe(!reference.hidden.has(k));
    if (reference.hidden.has(k)) hidden++;
  }
  return hidden;
}

describe('protection blocks', () => {
  it('the fast build equals the rule as first written, cell for cell and relation for relation', async () => {
    for (const { name, input, withTrust } of await inputs())
      for (const minN of [10, 30]) {
        const reference = referenceBlock(YEAR, input.leaves, input.parents, minN, withTrust);
        const block = buildBlock(YEAR, input.leaves, input.parents, minN, withTrust);
        expect(block.counts, name).toEqual(reference.counts);
        expect(block.relations, name).toEqual(reference.relations);
        expect([...block.hidden].sort(), name).toEqual([...reference.hidden].sort());
        if (name === 'sipas') expect(reference.hidden.size, 'the data has hidden cells').toBeGreaterThan(100);
      }
  }, 120_000);

  it('a block built in the background (in slices, kept without detail) equals a fresh synchronous build', async () => {
    for (const { name, input, withTrust } of await inputs()) {
      const sync = buildBlock(YEAR, input.leaves, input.parents, 10, withTrust);
      const sliced = await buildBlockInSlices(YEAR, input.leaves, input.parents, 10, withTrust, {
        sliceMs: 0,
        detail: false,
      });
      expectSameShown(sliced, sync);
      expect(() => sliced.counts, name).toThrow();
    }
    // And the cached block the routes read, for the survey with the most cells.
    const ins = h.instruments.sipas!;
    const served = await ratingsBlock(h.db.client, ins, [h.versions.sipas!], YEAR, 10, new Date());
    const { leaves, parents } = await ratingLeaves(h.db.client, ins, [h.versions.sipas!], YEAR);
    expect(expectSameShown(served.block, buildBlock(YEAR, leaves, parents, 10, true))).toBeGreaterThan(100);
    // Coordinates the block never saw are shown as nothing is known about them (n = 0).
    expect(served.block.shown('nope', 'khanh-hoa', '', 'all', YEAR)).toBe(true);
    forgetBlocks(h.db.client);
  }, 120_000);

  it('serves the last complete block while a newer one is built, and says when each was computed', async () => {
    const ins = h.instruments.quay!;
    const versions = [h.versions.quay!];
    const t0 = new Date('2025-12-01T03:00:00Z');
    const first = await ratingsBlock(h.db.client, ins, versions, YEAR, 10, t0);
    expect(first.computedAt.toISOString()).toBe(t0.toISOString());
    // Within the minute: the same block, no build.
    const again = await ratingsBlock(h.db.client, ins, versions, YEAR, 10, new Date(t0.getTime() + 1000));
    expect(again).toBe(first);
    // Older than a minute (and a minute after its build completed): still the same block at once,
    // and a build in the background…
    const later = new Date(t0.getTime() + 2 * REFRESH_MS);
    const stale = await ratingsBlock(h.db.client, ins, versions, YEAR, 10, later);
    expect(stale).toBe(first);
    await blocksSettled(h.db.client);
    // …whose block the next request gets.
    const fresh = await ratingsBlock(h.db.client, ins, versions, YEAR, 10, later);
    expect(fresh).not.toBe(first);
    expect(fresh.computedAt.toISOString()).toBe(later.toISOString());
    forgetBlocks(h.db.client);
  }, 120_000);
});
