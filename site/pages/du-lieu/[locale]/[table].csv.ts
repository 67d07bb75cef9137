/** CSV downloads of every reform-results table, per locale (headers in the page's language). */
import type { APIRoute, GetStaticPaths } from 'astro';
import { locales } from '../../../i18n/index.ts';
import { reformTables, toCsv } from '../../../lib/reform-tables.ts';

export const getStaticPaths = (() =>
  locales.flatMap((locale) =>
    reformTables(locale).map((table) => ({ params: { locale, table: table.id }, props: { table, locale } })),
  )) satisfies GetStaticPaths;

export const GET: APIRoute = ({ props }) => {
  const { table, locale } = props as { table: ReturnType<typeof reformTables>[number]; locale: string };
  return new Response(toCsv(table, locale), { headers: { 'Content-Type': 'text/csv; charset=utf-8' } });
};
