/**
 * The opt-out link of a text message (issue #11 part 1, docs/sms.md "Opting out"):
 * GET /sms/ngung/?k=<key> shows one button; POST records the opt-out. A GET never changes
 * anything, because phones and chat apps open links to draw a preview. The key is the number's
 * keyed hash (db/sms-outbox.ts smsPhoneKey): the page never sees or shows the number. Plain HTML,
 * no JavaScript, in the site's stylesheet-free minimum so it works on any phone.
 */
import { Hono } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { optOutStatements } from '../../db/sms-outbox.ts';
import { smsStrings, type SmsLocale } from '../sms/templates.ts';

const KEY = /^[A-Za-z0-9_-]{22}$/;

function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch,
  );
}

function page(locale: SmsLocale, title: string, body: string): string {
  return `<!doctype html>
<html lang="${locale}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title></head>
<body><main><h1>${escapeHtml(title)}</h1>${body}</main></body>
</html>`;
}

export const smsPageRoutes = new Hono<AppEnv>();

smsPageRoutes.on(['GET', 'POST'], '/ngung/', async (c) => {
  const { db, config, now } = c.var.deps;
  const locale: SmsLocale = c.req.query('hl') === 'en' ? 'en' : 'vi';
  const s = smsStrings(config.CONTENT_DIR, locale).optOut;
  c.header('Cache-Control', 'no-store');
  c.header('Referrer-Policy', 'no-referrer');
  const home = `<p><a href="${locale === 'en' ? '/en/' : '/'}">${escapeHtml(s.home)}</a></p>`;
  const key = c.req.query('k') ?? '';
  if (!KEY.test(key)) return c.html(page(locale, s.title, `<p>${escapeHtml(s.invalid)}</p>${home}`), 400);
  if (c.req.method === 'POST') {
    await db.client.batch(optOutStatements(key, now()), 'write');
    return c.html(page(locale, s.title, `<p role="status">${escapeHtml(s.done)}</p>${home}`));
  }
  const action = `?k=${encodeURIComponent(key)}${locale === 'en' ? '&amp;hl=en' : ''}`;
  return c.html(
    page(
      locale,
      s.title,
      `<p>${escapeHtml(s.lead)}</p><form method="post" action="${action}"><button type="submit">${escapeHtml(s.button)}</button></form>${home}`,
    ),
  );
});
