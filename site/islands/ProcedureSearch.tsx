/**
 * Enhances the static procedure list: type (with or without diacritics) and filter by field,
 * level and unit, all on the phone, no request to the server. Without JavaScript the same list is
 * rendered by the server and the filters are plain links (issue #2).
 * Strings arrive already translated so i18next never ships to the browser.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { matchesQuery } from '../../api/contracts/text.ts';

export interface SearchItem {
  code: string;
  name: string;
  href: string;
  field: string;
  level: string;
  units: string[];
  meta: string;
  /** Folded name, code, field and units: the haystack for diacritic-insensitive search. */
  key: string;
}

export interface Option {
  value: string;
  label: string;
}

export interface SearchStrings {
  searchLabel: string;
  searchHint: string;
  fieldLabel: string;
  levelLabel: string;
  unitLabel: string;
  all: string;
  none: string;
  clear: string;
  /** "{{count}}" is replaced by the number of results. */
  resultsCount: { one: string; other: string };
}

interface Props {
  items: SearchItem[];
  fields: Option[];
  levels: Option[];
  units: Option[];
  strings: SearchStrings;
  locale: string;
  /** The words searched, when the server rendered the list for `?q=` (it works without JavaScript). */
  query?: string;
  /** Where the form goes without JavaScript: the catalogue, rendered on request for `?q=`. */
  action: string;
}

function readParams(): { q: string; field: string; level: string; unit: string } {
  const p = new URLSearchParams(globalThis.location?.search ?? '');
  return {
    q: p.get('q') ?? '',
    field: p.get('linh-vuc') ?? '',
    level: p.get('cap') ?? '',
    unit: p.get('don-vi') ?? '',
  };
}

export default function ProcedureSearch({ items, fields, levels, units, strings, locale, query = '', action }: Props) {
  const [ready, setReady] = useState(false);
  const [q, setQ] = useState(query);
  const [field, setField] = useState('');
  const [level, setLevel] = useState('');
  const [unit, setUnit] = useState('');

  useEffect(() => {
    const p = readParams();
    // The form is on the page before the island starts: what was typed or chosen meanwhile wins.
    const typed = (id: string) => (document.getElementById(id) as HTMLInputElement | HTMLSelectElement | null)?.value;
    setQ(typed('q') || p.q);
    setField(typed('f-field') || p.field);
    setLevel(typed('f-level') || p.level);
    setUnit(typed('f-unit') || p.unit);
    setReady(true);
  }, []);

  // Keep the filters in the address so a result can be shared or bookmarked.
  useEffect(() => {
    if (!ready) return;
    const p = new URLSearchParams();
    if (q) p.set('q', q);
    if (field) p.set('linh-vuc', field);
    if (level) p.set('cap', level);
    if (unit) p.set('don-vi', unit);
    const qs = p.toString();
    history.replaceState(null, '', `${location.pathname}${qs ? `?${qs}` : ''}`);
  }, [ready, q, field, level, unit]);

  const shown = useMemo(
    () =>
      items.filter(
        (it) =>
          (!field || it.field === field) &&
          (!level || it.level === level) &&
          (!unit || it.units.includes(unit)) &&
          (!q.trim() || matchesQuery(it.key, q)),
      ),
    [items, q, field, level, unit],
  );

  const count = shown.length;
  const plural =
    new Intl.PluralRules(locale).select(count) === 'one' ? strings.resultsCount.one : strings.resultsCount.other;

  const select = (id: string, label: string, value: string, set: (v: string) => void, options: Option[]) =>
    options.length > 0 && (
      <div class="field">
        <label for={id}>{label}</label>
        <select id={id} value={value} onChange={(e) => set((e.target as HTMLSelectElement).value)}>
          <option value="">{strings.all}</option>
          {options.map((o) => (
            <option value={o.value}>{o.label}</option>
          ))}
        </select>
      </div>
    );

  return (
    <div class="procedure-search">
      {/* Rendered on the server too (not only once hydrated): the list below must not move when the
          island starts (Lighthouse counted a layout shift of 0.2-0.3, issue #11 part 6). */}
      <form role="search" class="filters" method="get" action={action} onSubmit={(e) => e.preventDefault()}>
        <div class="field">
          <label for="q">{strings.searchLabel}</label>
          <p class="hint" id="q-hint">
            {strings.searchHint}
          </p>
          <input
            id="q"
            type="search"
            name="q"
            value={q}
            aria-describedby="q-hint"
            autocomplete="off"
            onInput={(e) => setQ((e.target as HTMLInputElement).value)}
          />
        </div>
        {select('f-field', strings.fieldLabel, field, setField, fields)}
        {select('f-level', strings.levelLabel, level, setLevel, levels)}
        {select('f-unit', strings.unitLabel, unit, setUnit, units)}
      </form>
      <p role="status" aria-live="polite" data-testid="results-count">
        {plural.replace('{{count}}', String(count))}{' '}
        {(q || field || level || unit) && (
          <button
            type="button"
            class="button-secondary"
            onClick={() => {
              setQ('');
              setField('');
              setLevel('');
              setUnit('');
            }}
          >
            {strings.clear}
          </button>
        )}
      </p>
      {count === 0 ? (
        <p class="note">{strings.none}</p>
      ) : (
        <ul class="procedure-list" data-testid="procedure-list">
          {shown.map((it) => (
            <li key={it.code}>
              <a href={it.href}>{it.name}</a>
              <span class="procedure-meta">{it.meta}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
