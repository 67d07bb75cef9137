/**
 * Colours of the reform charts, shared by the chart (canvas) and its legend (HTML, so a long label
 * wraps on a 360 px phone instead of being cut off, issue #7). Okabe–Ito based, colour-blind-safe,
 * contrast ≥ 3:1 against white for graphics (WCAG 1.4.11).
 */
export const SERIES_COLOURS = ['#0b4f8a', '#b35900', '#1e6b33', '#7a2e8e', '#8a6d00', '#b3261e'];

/** Target and threshold lines: dashed, in the last colour. */
export const LINE_COLOUR = '#b3261e';

export function seriesColour(i: number): string {
  return SERIES_COLOURS[i % SERIES_COLOURS.length]!;
}
