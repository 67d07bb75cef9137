/**
 * Detector coverage on the marked corpus (issue #7 part 4): every personal-data span is gone after
 * redaction and after publishing through the real publish step (on a temp database), and at most
 * 2 % of the must-keep spans are touched. Prints the figures:
 *   npx vitest run api/redaction/corpus.test.ts
 * A span is "left" when any of its letters or digits survives; a must-keep span is "removed" when
 * any of its letters or digits is taken out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCorpus, type CorpusText } from './corpus.ts';
import { findPersonalData, redactTraced } from './redact.ts';
import { openHarness, type Harness } from '../test-harness.ts';
import { act, sendFeedback, staffMember, type App, type Signed } from '../feedback/test-kit.ts';

const corpus = loadCorpus();
const alnum = (c: string): boolean => /[\p{L}\p{N}]/u.test(c);

interface Measured {
  text: CorpusText;
  redacted: string;
  pdLeft: number;
  keepRemoved: number;
}

function measure(t: CorpusText): Measured {
  const r = redactTraced(t.text);
  let pdLeft = 0;
  let keepRemoved = 0;
  for (const s of t.spans) {
    const chars = [...Array(s.end - s.start).keys()].map((k) => s.start + k).filter((i) => alnum(t.text.charAt(i)));
    if (s.kind === 'pd' && chars.some((i) => !r.removed[i])) pdLeft++;
    if (s.kind === 'keep' && chars.some((i) => r.removed[i])) keepRemoved++;
  }
  return { text: t, redacted: r.text, pdLeft, keepRemoved };
}

const measured = corpus.map(measure);
const pdTotal = corpus.reduce((n, t) => n + t.spans.filter((s) => s.kind === 'pd').length, 0);
const keepTotal = corpus.reduce((n, t) => n + t.spans.filter((s) => s.kind === 'keep').length, 0);
const pdLeft = measured.reduce((n, m) => n + m.pdLeft, 0);
const keepRemoved = measured.reduce((n, m) => n + m.keepRemoved, 0);

/** The marked span texts still readable in a published text: the pd spans whose letters and
 * digits (ignoring spacing and punctuation) occur in it. */
function leftIn(published: string, texts: readonly CorpusText[]): number {
  const squash = (s: string): string => s.toLocaleLowerCase('vi').replace(/[^\p{L}\p{N}]+/gu, '');
  const hay = squash(published);
  let n = 0;
  for (const t of texts)
    for (const s of t.spans)
      if (s.kind === 'pd') {
        const needle = squash(t.text.slice(s.start, s.end));
        // Short needles ("Tư", "Năm") occur in ordinary words; they are measured by redaction above.
        if (needle.length >= 6 && hay.includes(needle)) n++;
      }
  return n;
}

describe('the redaction corpus', () => {
  it('is big enough: ≥ 300 texts, ≥ 600 personal-data spans, ≥ 300 must-keep spans', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(300);
    expect(pdTotal).toBeGreaterThanOrEqual(600);
    expect(keepTotal).toBeGreaterThanOrEqual(300);
  });

  it('leaves no personal data after redaction and removes at most 2 % of must-keep spans', () => {
    const misses = measured
      .filter((m) => m.pdLeft > 0 || m.keepRemoved > 0)
      .map((m) => `${m.text.source}: pd left ${m.pdLeft}, keep removed ${m.keepRemoved}\n  ${m.redacted}`);
    if (misses.length > 0) console.log(misses.join('\n'));
    expect(pdLeft).toBe(0);
    expect(keepRemoved / keepTotal).toBeLessThanOrEqual(0.02);
  });
});

describe('the corpus through the real publish step', () => {
  let h: Harness;
  let app: App;
  let coordinator: Signed;
  let handler: Signed;
  let publisher: Signed;
  let pdLeftPublished = 0;

  beforeAll(async () => {
    h = await openHarness('corpus');
    app = h.app({ POW_REQUIRED: '0', RATE_LIMIT_MAX: '1000000', STAFF_IDLE_MINUTES: '1440' });
    coordinator = await staffMember(h, app, 'dp', [{ role: 'coordinator', unit: 'khanh-hoa' }]);
    handler = await staffMember(h, app, 'xl', [{ role: 'handler', unit: 'phuong-ninh-hoa' }]);
    publisher = await staffMember(h, app, 'cb', [{ role: 'publisher', unit: 'khanh-hoa' }]);
  }, 60_000);

  afterAll(async () => {
    const pct = ((keepRemoved / keepTotal) * 100).toFixed(2);
    console.log(
      [
        `redaction corpus: ${corpus.length} texts`,
        `personal-data spans: ${pdTotal} total, ${pdLeft} left after redaction, ${pdLeftPublished} left after publishing`,
        `must-keep spans: ${keepTotal} total, ${keepRemoved} removed (${pct} %)`,
      ].join('\n'),
    );
    await h?.close();
  });

  it('publishes every redacted text (the re-check finds nothing) and no personal data is readable', async () => {
    // Cases of about ten texts each, so the whole corpus goes through the API in a few dozen cases.
    const groups: Measured[][] = [];
    for (let i = 0; i < measured.length; i += 10) groups.push(measured.slice(i, i + 10));
    for (const group of groups) {
      const sent = await sendFeedback(h, app, {
        title: 'Phản ánh tổng hợp',
        content: group
          .map((m) => m.text.text)
          .join('\n\n')
          .slice(0, 5000),
      });
      for (const [who, input] of [
        [coordinator, { action: 'classify' }],
        [coordinator, { action: 'assign', unit: 'phuong-ninh-hoa' }],
        [handler, { action: 'start' }],
        [handler, { action: 'answer', body: 'Đã tiếp nhận và xử lý.' }],
      ] as const)
        expect((await act(app, who, sent.id, input)).status).toBe(200);
      const content = group.map((m) => m.redacted).join('\n\n');
      expect(content.length).toBeLessThanOrEqual(5000);
      const res = await act(app, publisher, sent.id, {
        action: 'publish',
        title: 'Phản ánh tổng hợp',
        content,
        answer: 'Đã tiếp nhận và xử lý.',
      });
      expect(res.status, await res.clone().text()).toBe(200);
      const pub = await h.db.client.execute({
        sql: 'SELECT title, content, answer FROM feedback_publications WHERE feedback_id = ?',
        args: [sent.id],
      });
      // What the public reads is exactly the redacted text (so the per-character count above holds
      // for it too), the re-check finds nothing in it, and no marked span is readable in it.
      expect(pub.rows[0]!.content).toBe(content);
      expect(findPersonalData(content)).toEqual([]);
      const item = await app.request(`/api/v1/published-feedback/${encodeURIComponent(sent.code)}`);
      expect(item.status).toBe(200);
      const published = `${pub.rows[0]!.title}\n${pub.rows[0]!.content}\n${pub.rows[0]!.answer}\n${await item.text()}`;
      pdLeftPublished += leftIn(
        published,
        group.map((m) => m.text),
      );
    }
    expect(pdLeftPublished).toBe(0);
  }, 600_000);
});
