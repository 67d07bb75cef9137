/**
 * The redaction corpus (issue #7 part 4 "Detector coverage"): realistic feedback texts with the
 * personal data ([[pd:…]]) and the words that must survive ([[keep:…]]) marked inline, from
 * corpus/handwritten.yaml and from corpus/templates.yaml filled with corpus/slots.yaml by a seeded
 * generator, so the corpus is the same on every run. Tests only.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { mulberry32 } from '../demo/generate.ts';

export interface MarkedSpan {
  start: number;
  end: number;
  kind: 'pd' | 'keep';
}

export interface CorpusText {
  /** Where it comes from: "handwritten #3" or "template #5/2". */
  source: string;
  /** NFC text without markers. */
  text: string;
  spans: MarkedSpan[];
}

function load(name: string): unknown {
  return parse(readFileSync(new URL(`./corpus/${name}.yaml`, import.meta.url), 'utf8'));
}

/** Strips the markers, returning the text and where each marked span is in it. */
export function unmark(marked: string): { text: string; spans: MarkedSpan[] } {
  const spans: MarkedSpan[] = [];
  let text = '';
  const re = /\[\[(pd|keep):((?:(?!\]\]).)*)\]\]/gsu;
  let at = 0;
  for (const m of marked.normalize('NFC').matchAll(re)) {
    text += marked.normalize('NFC').slice(at, m.index);
    const start = text.length;
    text += m[2]!;
    spans.push({ start, end: text.length, kind: m[1] as 'pd' | 'keep' });
    at = m.index + m[0].length;
  }
  text += marked.normalize('NFC').slice(at);
  if (/\[\[|\]\]/.test(text)) throw new Error(`unbalanced marker in corpus text: ${marked.slice(0, 60)}`);
  return { text, spans };
}

/** Upper-cases the first letter of the text and of each sentence, skipping an opening marker. */
function sentenceCase(s: string): string {
  return s.replace(/(^|[.!?]\s+)((?:\[\[(?:pd|keep):)?)(\p{Ll})/gu, (_, lead: string, mark: string, c: string) => {
    return `${lead}${mark}${c.toLocaleUpperCase('vi')}`;
  });
}

export function loadCorpus(): CorpusText[] {
  const out: CorpusText[] = [];
  const hand = (load('handwritten') as { texts: string[] }).texts;
  hand.forEach((t, i) => out.push({ source: `handwritten #${i + 1}`, ...unmark(t) }));
  const slots = load('slots') as Record<string, string[]>;
  const { count, templates } = load('templates') as { count: number; templates: string[] };
  const rnd = mulberry32(7);
  templates.forEach((tpl, i) => {
    for (let n = 0; n < count; n++) {
      const filled = tpl.replace(/\{(\w+)\}/g, (_, slot: string) => {
        const pool = slots[slot];
        if (!pool) throw new Error(`corpus template #${i + 1} names an unknown slot {${slot}}`);
        return pool[Math.floor(rnd() * pool.length)]!;
      });
      out.push({ source: `template #${i + 1}/${n + 1}`, ...unmark(sentenceCase(filled)) });
    }
  });
  return out;
}
