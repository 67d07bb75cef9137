/**
 * Targets and the ranking rule for the statistics, from content/reform.yaml (docs/domain.md §1: the plans'
 * targets are editable data, never constants). Read once per content folder.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { reform, type Target } from '../contracts/content.ts';
import type { StatsTarget, Thresholds } from '../contracts/stats.ts';
import { DEFAULT_THRESHOLDS } from './summaries.ts';

const cache = new Map<string, Target[]>();

/** The targets of content/reform.yaml (validated at start by loadContent; parsed again here). */
export function loadTargets(contentDir: string): Target[] {
  let targets = cache.get(contentDir);
  if (!targets) {
    targets = reform.parse(parse(readFileSync(join(contentDir, 'reform.yaml'), 'utf8'))).targets;
    cache.set(contentDir, targets);
  }
  return targets;
}

const overlaps = (t: Target, fromYear: number, toYear: number) => t.from_year <= toYear && t.to_year >= fromYear;

/** A target as the statistics and the ranking publish it: the citation, never the working notes. */
export function toStats(t: Target): StatsTarget {
  return {
    id: t.id,
    indicator: t.indicator,
    comparator: t.comparator,
    value: t.value,
    unit_of_measure: t.unit_of_measure,
    from_year: t.from_year,
    to_year: t.to_year,
    text: t.text,
    source: { ref: t.source.ref, sample: t.source.sample },
  };
}

/** The unit's own targets for these indicators that apply in some year of the range. */
export function targetsFor(
  targets: readonly Target[],
  unitId: string,
  indicators: readonly string[],
  fromYear: number,
  toYear: number,
): StatsTarget[] {
  return targets
    .filter((t) => t.scope === unitId && indicators.includes(t.indicator) && overlaps(t, fromYear, toYear))
    .map(toStats);
}

/**
 * The ranking rule of the Khánh Hòa programme on KL 91-KL/TU as the data states it: the nearest scope among the unit and
 * its ancestors that sets a `late-dossiers` target ("< 5 %": flagged at 5 % or more) for the year,
 * with that scope's `sipas` target of comparator ">" ("> 80 %": flagged at 80 % or less). A plan's
 * own higher aim (e.g. Ninh Hòa's "> 83 %") is a target, not the rule, so only the rule's scope is
 * read. Without such targets, api/scoring's defaults (5 %, 80 %).
 */
export function thresholdsFor(targets: readonly Target[], unitChain: readonly string[], year: number): Thresholds {
  for (const scope of unitChain) {
    const late = targets.find(
      (t) => t.scope === scope && t.indicator === 'late-dossiers' && t.comparator === '<' && overlaps(t, year, year),
    );
    if (!late) continue;
    const sat = targets.find(
      (t) => t.scope === scope && t.indicator === 'sipas' && t.comparator === '>' && overlaps(t, year, year),
    );
    return {
      late: { value: late.value, target: late.id },
      satisfaction: sat ? { value: sat.value, target: sat.id } : DEFAULT_THRESHOLDS.satisfaction,
    };
  }
  return DEFAULT_THRESHOLDS;
}
