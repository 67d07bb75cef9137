/**
 * What counts as an internal note in public output (issue #7 part 7): references to the seed files
 * and design documents the team works from, and the words of unfinished work. Shared by
 * e2e/internal-notes.spec.ts (pages, CSV, JSON) so every output is held to the same list.
 */
const PATTERNS: RegExp[] = [
  /\bseeds? 0/gi, // "seed 003", "seeds 001, 003"
  /\bDOMAIN\b/g, // "DOMAIN.md §5", "DOMAIN §8"
  /\bENGINEERING\b/g,
  /\bDESIGN(?:\.md|\s§)/gi,
  /placeholder/gi,
  /\bTODO\b/g,
];

/** Each hit with some text around it, for a readable failure ("" when the text is clean). */
export function internalNotes(text: string): string[] {
  const hits: string[] = [];
  for (const re of PATTERNS)
    for (const m of text.matchAll(re))
      hits.push(JSON.stringify(text.slice(Math.max(0, m.index - 40), m.index + m[0].length + 40)));
  return hits;
}

/**
 * The text of an HTML page a reader or a script can see: its text and the values of its attributes
 * (titles, labels, data-* with table values and chart labels), without tag and attribute names, so
 * an input's `placeholder=` attribute is not mistaken for a note while its value is still checked.
 */
export function publicHtmlText(html: string): string {
  return html
    .replace(/<style\b[^>]*>[\s\S]*?<\/style>/gi, ' ')
    .replace(/<[a-zA-Z][^>]*>/g, (tag) =>
      [...tag.matchAll(/=\s*(?:"([^"]*)"|'([^']*)')/g)].map((m) => m[1] ?? m[2] ?? '').join(' '),
    )
    .replace(/<\/[a-zA-Z][^>]*>/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}
