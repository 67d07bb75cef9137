/**
 * The sender's side of the whole feedback lifecycle (issue #4) at 360 px, against the real server:
 * a case sent without JavaScript with an e-mail, a photo and a PDF; staff (through the API, with
 * the accounts scripts/e2e-server.ts writes to reports/e2e-staff.json) classify, assign, start and
 * answer it with a PDF; the sender opens the e-mailed magic link (the .eml the server wrote), reads
 * the answer, downloads its file, rates it "not satisfied" with a reason, asks for re-examination
 * and sees the case "disputed". axe and overflow checks on the result in Vietnamese and English.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { apiSignInWithCsrf as signIn, type SignedIn as Signed } from './staff-login.ts';
import { test, expect, type APIRequestContext, type Browser, type Page } from '@playwright/test';
import { expectAccessible } from './axe.ts';
import { PDF, jpeg } from './feedback-files.ts';
import { PDFDocument } from 'pdf-lib';

test.use({ viewport: { width: 360, height: 740 } });

const TITLE = `Ổ gà trước trụ sở phường ${Date.now().toString(36)}`;
const ANSWER = 'UBND phường đã cho vá ổ gà ngày 10/3/2026; xem biên bản kèm theo.';
const ANSWER_PDF = Buffer.from(`${PDF.toString('latin1')}% biên bản\n`, 'latin1');

/** A page with JavaScript in a context of its own (axe needs browser.newContext(), not newPage()). */
async function jsPage(browser: Browser): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 360, height: 740 } });
  return ctx.newPage();
}

async function step(
  request: APIRequestContext,
  who: Signed,
  id: number,
  body: Record<string, unknown>,
  files?: { name: string; mimeType: string; buffer: Buffer }[],
): Promise<{ status: string }> {
  const headers = { Cookie: who.cookie, 'X-CSRF-Token': who.csrf };
  const url = `/api/v1/staff/feedback/${id}/actions`;
  const res = files
    ? await request.post(url, { headers, multipart: { data: JSON.stringify(body), attachments: files[0]! } })
    : await request.post(url, { headers, data: body });
  expect(res.status(), await res.text()).toBe(200);
  return (await res.json()) as { status: string };
}

/** The text of the newest .eml whose subject names the code, decoded (quoted-printable or base64). */
async function magicLink(code: string): Promise<string> {
  const dir = readFileSync(join('reports', 'e2e-mail-dir.txt'), 'utf8').trim();
  let link: string | undefined;
  await expect
    .poll(
      () => {
        let files: string[];
        try {
          files = readdirSync(dir).filter((f) => f.endsWith('.eml'));
        } catch {
          return undefined;
        }
        for (const f of files) {
          const raw = readFileSync(join(dir, f), 'utf8');
          const [head, ...rest] = raw.split(/\r?\n\r?\n/);
          const body = rest.join('\n\n');
          const text = /content-transfer-encoding:\s*base64/i.test(head ?? '')
            ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
            : body
                .replace(/=\r?\n/g, '')
                .replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
          if (!text.includes(code)) continue;
          link = /https?:\/\/\S+\/l\/[A-Z0-9]{16}\b/.exec(text)?.[0];
          if (link) return link;
        }
        return undefined;
      },
      { timeout: 15_000 },
    )
    .toBeTruthy();
  return link!;
}

test('send with files, staff answer, open the e-mailed link, download, rate, dispute', async ({ browser, request }) => {
  test.setTimeout(90_000);
  const ctx = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 360, height: 740 } });
  const page = await ctx.newPage();

  // ── The sender, without JavaScript ──
  await page.goto('/gop-y/');
  await page.getByRole('radio', { name: 'Phản ánh', exact: true }).check();
  await page.getByRole('radio', { name: 'Việc khác', exact: true }).check();
  await page.locator('#unit').selectOption('phuong-ninh-hoa');
  await page.locator('#title').fill(TITLE);
  await page.locator('#content').fill('Ổ gà sâu trước cổng trụ sở, xe máy dễ ngã khi trời mưa.');
  await page.locator('#name').fill('Trần Thị Bình');
  await page.locator('#email').fill('binh.tran@example.vn');
  await page.getByRole('button', { name: 'Tiếp tục', exact: true }).click();
  await page.locator('#attachments').setInputFiles([
    { name: 'ổ gà.jpg', mimeType: 'image/jpeg', buffer: await jpeg() },
    { name: 'đơn.pdf', mimeType: 'application/pdf', buffer: PDF },
  ]);
  await page.getByRole('button', { name: 'Gửi phản ánh, kiến nghị', exact: true }).click();
  await expect(page.getByTestId('receipt')).toBeVisible();
  await expect(page.getByTestId('receipt-mail')).toContainText('binh.tran@example.vn');
  const code = (await page.getByTestId('tracking-code').innerText()).trim();
  const key = (await page.getByTestId('access-key').innerText()).trim();

  // ── Staff, through the API ──
  const coordinator = await signIn(request, 'e2e-coordinator');
  const found = await request.get(`/api/v1/staff/feedback?q=${encodeURIComponent(TITLE)}`, {
    headers: { Cookie: coordinator.cookie },
  });
  const items = ((await found.json()) as { items: { id: number; tracking_code: string }[] }).items;
  const id = items.find((i) => i.tracking_code === code)!.id;
  expect((await step(request, coordinator, id, { action: 'classify' })).status).toBe('classified');
  expect((await step(request, coordinator, id, { action: 'assign', unit: 'phuong-ninh-hoa' })).status).toBe('assigned');
  const handler = await signIn(request, 'e2e-handler');
  expect((await step(request, handler, id, { action: 'start' })).status).toBe('in-progress');
  const answered = await step(request, handler, id, { action: 'answer', body: ANSWER }, [
    { name: 'Biên bản.pdf', mimeType: 'application/pdf', buffer: ANSWER_PDF },
  ]);
  expect(answered.status).toBe('answered');

  // ── axe on the answered case with its forms, Vietnamese (by code + key) and English ──
  for (const [path, button] of [
    ['/tra-cuu/', 'Tra cứu'],
    ['/en/track/', 'Track'],
  ] as const) {
    const js = await jsPage(browser);
    await js.goto(path);
    await js.locator('#code').fill(code);
    await js.locator('#key').fill(key);
    await js.getByRole('button', { name: button, exact: true }).click();
    await expect(js.getByTestId('message-answer')).toContainText(ANSWER);
    await expect(js.getByTestId('rate-answer')).toBeVisible();
    await expectAccessible(js);
    await js.context().close();
  }

  // ── The sender opens the e-mailed link, without JavaScript ──
  // The short link (/l/<token>) leads to the tracking page, which opens the case from the token.
  const link = new URL(await magicLink(code));
  expect(link.pathname).toMatch(/^\/l\/[2-9A-HJKMNP-Z]{16}$/);
  const opened = await page.goto(link.pathname);
  expect(new URL(page.url()).pathname).toBe('/tra-cuu/');
  expect(opened!.headers()['referrer-policy']).toBe('same-origin');
  expect(opened!.headers()['cache-control']).toBe('no-store');
  await expect(page.getByTestId('track-code')).toHaveText(code);
  await expect(page.getByTestId('track-status')).toHaveText('Đã trả lời');
  await expect(page.getByTestId('message-answer')).toContainText(ANSWER);
  await expect(page.getByTestId('track-timeline').locator('li')).toHaveCount(5);
  await expect(page.getByTestId('track-timeline')).toContainText('UBND phường Ninh Hòa');
  await expect(page.getByTestId('track-dispute-until')).toHaveText(/^\d{2}\/\d{2}\/\d{4}$/);

  // The answer's file: a form post, the file as an attachment, the key never in a URL.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('message-answer').getByTestId('download').click(),
  ]);
  expect(download.suggestedFilename()).toBe('Biên bản.pdf');
  // Stored as rewritten by the PDF check (docs/attachments.md): a PDF with the same pages.
  const served = readFileSync((await download.path())!);
  expect(served.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  expect((await PDFDocument.load(served)).getPageCount()).toBe((await PDFDocument.load(ANSWER_PDF)).getPageCount());

  // Not satisfied, with a reason and a comment.
  const rate = page.getByTestId('rate-answer');
  await rate.getByRole('radio', { name: 'Chưa hài lòng', exact: true }).check();
  await rate.getByRole('checkbox', { name: 'Trả lời chung chung, không giải quyết vấn đề' }).check();
  await rate.getByLabel('Ông/Bà muốn nói thêm gì?').fill('Ổ gà vẫn còn ở làn bên phải.');
  await page.getByTestId('rate-submit').click();
  await expect(page.getByTestId('action-done')).toContainText('Trân trọng cảm ơn Ông/Bà đã đánh giá');
  await expect(page.getByTestId('rating-given')).toContainText('Trả lời chung chung');
  await expect(page.getByTestId('rate-answer')).toHaveCount(0);
  // Not satisfied does not reopen the case by itself; re-examination is offered right there.
  await expect(page.getByTestId('not-satisfied-note')).toContainText('không tự mở lại');
  await expect(page.getByTestId('not-satisfied-note').getByRole('link')).toHaveAttribute('href', '#dispute-title');
  // The rating keeps the status: the timeline names it, never "Đã trả lời → Đã trả lời".
  await expect(page.getByTestId('track-timeline')).toContainText('Người gửi đánh giá câu trả lời');
  await expect(page.getByTestId('track-timeline')).not.toContainText('Đã trả lời → Đã trả lời');

  // Re-examination: the case becomes "disputed" and goes back to the unit.
  await page.locator('#dispute-body').fill('Câu trả lời nói đã vá nhưng ổ gà vẫn còn.');
  await page.getByTestId('dispute-submit').click();
  await expect(page.getByTestId('action-done')).toContainText('Đã gửi đề nghị xem xét lại');
  await expect(page.getByTestId('track-status')).toHaveText('Người gửi chưa đồng ý, đang xem xét lại');
  await expect(page.getByTestId('message-dispute')).toContainText('ổ gà vẫn còn');
  await expect(page.getByTestId('dispute')).toHaveCount(0);
  expect(page.url()).not.toContain(key);
  await ctx.close();

  // The disputed case passes axe too (with JavaScript), in English, by code + key.
  const js = await jsPage(browser);
  await js.goto('/en/track/');
  await js.locator('#code').fill(code);
  await js.locator('#key').fill(key);
  await js.getByRole('button', { name: 'Track', exact: true }).click();
  await expect(js.getByTestId('track-status')).toHaveText('Disputed by the sender, being re-examined');
  await expectAccessible(js);
  await js.context().close();
});
