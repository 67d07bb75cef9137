/**
 * How soon a change (a rating, a dossier, a case step, a publication) shows on the public
 * statistics and published-answer pages, stated on them (issue #9): the server recomputes a page
 * at most PUBLIC_CACHE_STALE_SECONDS (default 10) after a change, and a browser or a proxy may keep
 * it max-age + stale-while-revalidate more (api/middleware/public-cache.ts).
 */
export const PUBLIC_MAX_AGE = 20;
export const PUBLIC_STALE_WHILE_REVALIDATE = 30;
/** 10 + 20 + 30 seconds, rounded to what the pages say: one minute. */
export const PUBLIC_FRESHNESS_SECONDS = 60;
