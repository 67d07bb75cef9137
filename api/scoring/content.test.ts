/**
 * The real instruments of content/surveys/*.yaml go through scoring: a sample response rolls up and
 * scores within range, and every possible NĐ 61 total has a grade band. Skipped while the folder has
 * no instrument; written not to depend on wording, ids or the number of questions.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadContent } from '../contracts/load-content.ts';
import type { Instrument } from '../contracts/instrument.ts';
import {
  PSEUDO,
  distribution,
  dossierScore,
  gradeFor,
  mergeCells,
  rollupCellsForResponse,
  scoreSummary,
  sipasIndex,
} from './scoring.ts';

const CONTENT = join(import.meta.dirname, '..', '..', 'content');
const SURVEYS = join(CONTENT, 'surveys');
const hasSurveys = existsSync(SURVEYS) && readdirSync(SURVEYS).some((f) => /\.ya?ml$/.test(f));

/** A response answering every question: the best scale point / option (`best`) or the first. */
function sample(ins: Instrument, best: boolean): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const q of ins.questions) {
    if (q.type === 'likert5') out[q.id] = best ? '5' : '1';
    else if (q.type === 'score-0-2') {
      const sorted = [...q.options].sort((a, b) => (a.points ?? 0) - (b.points ?? 0));
      out[q.id] = (best ? sorted.at(-1) : sorted[0])!.id;
    } else if (q.type === 'choice') out[q.id] = q.options[0]!.id;
    else if (q.type === 'multi') out[q.id] = [q.options[0]!.id];
    else out[q.id] = 'x';
  }
  return out;
}

describe.skipIf(!hasSurveys)('scoring the instruments of content/surveys', () => {
  const instruments = hasSurveys ? loadContent(CONTENT).instruments : [];

  it('each instrument rolls up a full response and scores it within range', () => {
    expect(instruments.length).toBeGreaterThan(0);
    for (const ins of instruments) {
      const best = rollupCellsForResponse(ins, sample(ins, true));
      const worst = rollupCellsForResponse(ins, sample(ins, false));
      const cells = mergeCells([...best, ...worst]);
      expect(cells.find((c) => c.metric === PSEUDO.responses)?.n, ins.id).toBe(2);
      // free text never becomes a cell
      for (const q of ins.questions.filter((x) => x.type === 'text'))
        expect(cells.some((c) => c.metric === q.id)).toBe(false);

      if (ins.kind === 'sipas') {
        const r = sipasIndex(ins, cells, 1);
        // one respondent all 5s (index 1), one all 1s (index 0)
        expect(r.index).toMatchObject({ n: 2, suppressed: false, value: { index: 0.5 } });
        expect(r.respondents).toMatchObject({ n: 2, suppressed: false, value: { mean: 0.5 } });
        expect(r.factors).toHaveLength(ins.factors.length);
      }
      if (ins.kind === 'dossier-evaluation') {
        const top = dossierScore(ins, sample(ins, true));
        expect(top.total).toBe(top.max);
        expect(top.grade).not.toBeNull();
        const s = scoreSummary(ins, cells, 1);
        expect(s.score).toMatchObject({ n: 2, suppressed: false, value: { mean: top.max / 2 } });
      }
      for (const q of ins.questions.filter((x) => x.type === 'choice' || x.type === 'multi')) {
        const d = distribution(cells, q.id, q.options, 1);
        expect(d.n, `${ins.id} ${q.id}`).toBe(2);
      }
    }
  });

  it('every possible NĐ 61 total falls in a grade band', () => {
    for (const ins of instruments.filter((x) => x.kind === 'dossier-evaluation')) {
      const { max } = dossierScore(ins, {});
      for (let total = 0; total <= max; total++)
        expect(gradeFor(ins.grade_bands, total), `${ins.id} ${total}`).not.toBeNull();
    }
  });
});
