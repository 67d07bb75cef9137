/**
 * The redaction word lists (issue #8 §6): family names, honorifics, cue words, place-name hints and
 * spelled digits live as data in ./words/*.yaml, so a maintainer extends a list without touching
 * the detectors. Read once, when this module is first imported.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { foldUnit } from './text.ts';

function load(name: string): Record<string, unknown> {
  return parse(readFileSync(new URL(`./words/${name}.yaml`, import.meta.url), 'utf8')) as Record<string, unknown>;
}

function list(doc: Record<string, unknown>, key: string): string[] {
  const v = doc[key];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string'))
    throw new Error(`redaction word list "${key}" is not a list of strings`);
  return v.map((x) => x.normalize('NFC'));
}

/** Folds a word list entry the way detectors fold text: no diacritics, đ→d, lower case. */
export function foldWord(s: string): string {
  return [...s.normalize('NFC')].map((c) => foldUnit(c).toLocaleLowerCase('vi')).join('');
}

const family = load('family-names');
const hon = load('honorifics');
const cues = load('name-cues');
const places = load('places');
const spelled = load('spelled-digits');
const addresses = load('addresses');

export const FAMILY_NAMES: ReadonlySet<string> = new Set(list(family, 'common'));
export const AMBIGUOUS_FAMILY_NAMES: ReadonlySet<string> = new Set(list(family, 'ambiguous'));
export const HONORIFICS: readonly string[] = list(hon, 'honorifics');
export const PLAIN_HONORIFICS: ReadonlySet<string> = new Set(list(hon, 'plain'));
export const NOT_NAME_START: ReadonlySet<string> = new Set(list(cues, 'not_name_start'));
export const NOT_NAME_WORD: ReadonlySet<string> = new Set(list(cues, 'not_name_word'));
export const HONORIFIC_PLACES: ReadonlySet<string> = new Set(list(cues, 'honorific_places'));
export const PUBLIC_FIGURES: ReadonlySet<string> = new Set(list(cues, 'public_figures'));
export const NAME_ROLES: readonly string[] = list(cues, 'roles');
export const NAME_TITLES: readonly string[] = list(cues, 'titles');
export const NAME_LABELS: readonly string[] = list(cues, 'labels');
export const PLACE_WORDS: ReadonlySet<string> = new Set(list(places, 'place_words'));
export const PLACE_WORDS_FLAT: ReadonlySet<string> = new Set(list(places, 'place_words').map(foldWord));
export const KNOWN_PLACES: ReadonlySet<string> = new Set([
  ...list(places, 'street_names').map(foldWord),
  ...list(places, 'place_names').map(foldWord),
]);
export const ADMIN_WORDS: readonly string[] = list(places, 'admin_words');

export const NOT_HOUSE_BEFORE: ReadonlySet<string> = new Set(list(addresses, 'not_house_before'));
export const HOUSE_TRIGGER: ReadonlySet<string> = new Set(list(addresses, 'house_trigger'));
export const ALLEY_WORDS: ReadonlySet<string> = new Set(list(addresses, 'alley_words'));
export const LOCALITY_WORDS: ReadonlySet<string> = new Set(list(addresses, 'locality_words'));
export const LOCALITY_NUMBER_ONLY: ReadonlySet<string> = new Set(list(addresses, 'locality_number_only'));
export const ADMIN_UNIT: ReadonlySet<string> = new Set(list(addresses, 'admin_unit'));
export const LOWER_NAME_OK: ReadonlySet<string> = new Set(list(addresses, 'lower_name_ok'));

/** Spelled digit (lower case, with diacritics) → the digit. */
export const SPELLED_DIGITS: ReadonlyMap<string, string> = new Map(
  Object.entries((spelled.digits ?? {}) as Record<string, string[]>).flatMap(([d, ws]) =>
    ws.map((w) => [w.normalize('NFC'), d] as const),
  ),
);
/** The same, folded, for text typed without diacritics. */
export const SPELLED_DIGITS_FLAT: ReadonlyMap<string, string> = new Map(
  [...SPELLED_DIGITS].map(([w, d]) => [foldWord(w), d] as const),
);

/** An alternation of folded phrases, longest first, for a pattern: "chu tich|giam doc". */
export function alternation(phrases: readonly string[]): string {
  return [...phrases]
    .sort((a, b) => b.length - a.length)
    .map((p) => p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&').replace(/ /g, '\\s+'))
    .join('|');
}
