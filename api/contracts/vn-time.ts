/**
 * Việt Nam time, one module for the API, the database layer and the site (issue #8 §1). Times are
 * stored in UTC; days, months and periods are those of Asia/Ho_Chi_Minh (UTC+7, no daylight saving
 * time since 1975), so a fixed offset is exact and needs no time-zone data.
 */
import { VN_OFFSET_MS, vnDay } from '../../db/time.ts';

/**
 * The Việt Nam calendar day of an instant (the database layer's own helper, which cannot import
 * from api/: one implementation).
 * @example vnDay(new Date('2026-03-01T18:30:00Z')) === '2026-03-02'
 */
export { vnDay };

/**
 * The Việt Nam day of an ISO instant string.
 * @example vnDayOf('2025-08-31T17:30:00.000Z') === '2025-09-01'
 */
export function vnDayOf(iso: string): string {
  return new Date(Date.parse(iso) + VN_OFFSET_MS).toISOString().slice(0, 10);
}

/**
 * Start of a Việt Nam day as a UTC instant.
 * @example vnDayStart('2025-01-01') === '2024-12-31T17:00:00.000Z'
 */
export function vnDayStart(day: string): string {
  return new Date(`${day}T00:00:00+07:00`).toISOString();
}

/**
 * The calendar day after a 'YYYY-MM-DD' day.
 * @example nextDay('2025-12-31') === '2026-01-01'
 */
export function nextDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/**
 * An instant in Việt Nam time as ISO 8601 with its offset, as Open311's examples write them.
 * @example vnIsoDateTime('2025-08-31T02:15:00.000Z') === '2025-08-31T09:15:00+07:00'
 */
export function vnIsoDateTime(iso: string): string {
  return `${new Date(Date.parse(iso) + VN_OFFSET_MS).toISOString().slice(0, 19)}+07:00`;
}

/**
 * An instant as dd/mm/yyyy in Việt Nam time, with hh:mm or hh:mm:ss (24-hour) when asked. `intl` is
 * the locale's number and date convention (content/i18n `meta.numberLocale`).
 * @example formatVnInstant('2025-08-31T02:15:00Z', 'vi-VN', 'minute') === '31/08/2025 09:15'
 */
export function formatVnInstant(iso: string, intl: string, precision: 'day' | 'minute' | 'second' = 'day'): string {
  return new Intl.DateTimeFormat(intl, {
    timeZone: 'Asia/Ho_Chi_Minh',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    ...(precision === 'day' ? {} : { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' as const }),
    ...(precision === 'second' ? { second: '2-digit' as const } : {}),
  }).format(new Date(iso));
}
