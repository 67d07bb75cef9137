/** Times are stored in UTC and bucketed by the calendar day in Asia/Ho_Chi_Minh (UTC+7, no DST). */
export const VN_OFFSET_MS = 7 * 60 * 60 * 1000;

/**
 * @example vnDay(new Date('2026-03-01T18:30:00Z')) === '2026-03-02'
 */
export function vnDay(at: Date): string {
  return new Date(at.getTime() + VN_OFFSET_MS).toISOString().slice(0, 10);
}
