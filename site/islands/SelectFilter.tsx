/**
 * Typing to narrow a long `<select>` (issue #4: the unit and procedure of feedback are "searchable,
 * diacritics-insensitive"): "ninh hoa" finds "UBND phường Ninh Hòa". Rendered only in the browser
 * (`client:only`), so without JavaScript the plain select, which works on its own, is all there is.
 * It changes the options of the select named by `selectId`, never the value sent: the empty
 * choice and the current choice always stay.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { foldForSearch, matchesQuery } from '../../api/contracts/text.ts';

interface Props {
  selectId: string;
  label: string;
  /** Said to screen readers after each change: "{{n}} matches". */
  countText: string;
}

export default function SelectFilter({ selectId, label, countText }: Props) {
  const all = useRef<{ option: HTMLOptionElement; folded: string }[]>([]);
  const [count, setCount] = useState<number | undefined>(undefined);
  const [ready, setReady] = useState(false);

  useEffect(() => {
    const select = document.getElementById(selectId) as HTMLSelectElement | null;
    if (!select) return;
    all.current = [...select.options].map((option) => ({ option, folded: foldForSearch(option.text) }));
    setReady(true);
  }, [selectId]);

  const filter = (query: string) => {
    const select = document.getElementById(selectId) as HTMLSelectElement | null;
    if (!select) return;
    const chosen = select.value;
    const keep = all.current.filter(
      ({ option, folded }) => option.value === '' || option.value === chosen || matchesQuery(folded, query),
    );
    select.replaceChildren(...keep.map((k) => k.option));
    select.value = chosen;
    setCount(query.trim() ? keep.filter((k) => k.option.value !== '').length : undefined);
  };

  if (!ready) return null;
  const inputId = `${selectId}-filter`;
  return (
    <div class="select-filter">
      <label for={inputId}>{label}</label>
      <input
        id={inputId}
        type="search"
        autocomplete="off"
        aria-controls={selectId}
        onInput={(e) => filter((e.target as HTMLInputElement).value)}
      />
      <p class="visually-hidden" aria-live="polite">
        {count === undefined ? '' : countText.replace('{{n}}', String(count))}
      </p>
    </div>
  );
}
