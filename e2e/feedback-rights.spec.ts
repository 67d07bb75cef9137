/**
 * The sender's rights on the tracking page (issue #7 part 4, docs/privacy.md) at 360 px, without
 * JavaScript, against the real server: a case entered by staff (through the API, with the accounts
 * scripts/e2e-server.ts writes); the sender looks it up with code and key, downloads their data as
 * JSON (their case and contact data, nothing in the URL), asks for their contact data to be
 * deleted and sees the confirmation with its due date; a handler carries it out (API); the sender
 * sees the contact data gone and the outcome in the timeline. axe and overflow checks on each
 * screen, in Vietnamese and English; the feedback form shows the notice version in force.
 */
import { readFileSync } from 'node:fs';
import { test, expect, type Browser, type Page } from '@playwright/test';
import { expectAccessible } from './axe.ts';
import { apiSignInWithCsrf as signIn } from './staff-login.ts';

test.use({ viewport: { width: 360, height: 740 } });

const NAME = 'Phạm Văn Quyền';
const PHONE = '0905 123 456';
const TITLE = `Đèn đường tổ 7 không sáng ${Date.now().toString(36)}`;

/** A page without JavaScript (or with it, for axe, which runs in the page) in a context of its own. */
async function newPage(browser: Browser, javaScriptEnabled: boolean): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 360, height: 740 }, javaScriptEnabled });
  return ctx.newPage();
}

async function lookUp(page: Page, path: string, code: string, key: string, submit: string): Promise<void> {
  await page.goto(path);
  await page.locator('#code').fill(code);
  await page.locator('#key').fill(key);
  await page.getByRole('button', { name: submit, exact: true }).click();
  await expect(page.getByTestId('track-result')).toBeVisible();
}

test('the feedback form shows the notice in force, with its version', async ({ page }) => {
  await page.goto('/gop-y/');
  const notice = page.getByTestId('privacy');
  await expect(notice).toHaveAttribute('data-notice-version', '2026-01');
  await expect(notice).toContainText('Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15');
  await expect(notice).toContainText('Nghị định 356/2025/NĐ-CP');
  await expect(notice).not.toContainText('13/2023');
  await page.goto('/en/feedback/');
  await expect(page.getByTestId('privacy')).toContainText('Decree 356/2025/NĐ-CP');
});

test('download my data, ask for deletion, see it carried out (no JavaScript)', async ({ browser, request }) => {
  test.setTimeout(180_000);
  const coordinator = await signIn(request, 'e2e-coordinator');
  const entered = await request.post('/api/v1/staff/feedback', {
    headers: { Cookie: coordinator.cookie, 'X-CSRF-Token': coordinator.csrf },
    data: {
      kind: 'phan-anh',
      subject: 'khac',
      unit: 'phuong-ninh-hoa',
      title: TITLE,
      content: 'Đèn đường tổ 7 không sáng từ tuần trước.',
      channel: 'hotline',
      name: NAME,
      phone: PHONE,
      publish_content: false,
      locale: 'vi',
    },
  });
  expect(entered.status(), await entered.text()).toBe(201);
  const {
    id,
    tracking_code: code,
    access_key: key,
  } = (await entered.json()) as {
    id: number;
    tracking_code: string;
    access_key: string;
  };

  const page = await newPage(browser, false);
  await lookUp(page, '/tra-cuu/', code, key, 'Tra cứu');
  const rights = page.getByTestId('rights');
  await expect(rights).toContainText('Dữ liệu cá nhân của Ông/Bà');
  await expect(rights).toContainText('2026-01');

  // The export is a file download answering a POST: code and key never appear in a URL.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('rights-export').click()]);
  expect(download.suggestedFilename()).toBe(`gopy-${code}.json`);
  expect(download.url()).not.toContain(key);
  const exported = JSON.parse(readFileSync(await download.path(), 'utf8')) as {
    case: { tracking_code: string; title: string };
    contact: { name: string; phone: string };
  };
  expect(exported.case).toMatchObject({ tracking_code: code, title: TITLE });
  expect(exported.contact).toMatchObject({ name: NAME, phone: '0905123456' });

  // A request without a reason is refused by the form, what was chosen kept.
  await page.getByRole('radio', { name: 'Xóa thông tin liên hệ' }).check();
  await page.getByTestId('rights-submit').click();
  await expect(page.locator('#rights-reason-error')).toBeVisible();
  await expect(page.getByRole('radio', { name: 'Xóa thông tin liên hệ' })).toBeChecked();

  await page.getByLabel('Lý do (bắt buộc)').fill('Việc đã xong, tôi không muốn lưu số điện thoại.');
  await page.getByTestId('rights-submit').click();
  await expect(page.getByTestId('rights-done')).toContainText('chậm nhất ngày');
  await expect(page.getByTestId('rights-requests')).toContainText('Đang chờ xử lý');
  expect(page.url()).not.toContain(key);

  // The same screens for axe (it runs in the page, so with JavaScript): the section with its
  // pending request, and a refused second request (one of a kind at a time).
  const checked = await newPage(browser, true);
  await lookUp(checked, '/tra-cuu/', code, key, 'Tra cứu');
  await expect(checked.getByTestId('rights-requests')).toContainText('Đang chờ xử lý');
  await expectAccessible(checked);
  await checked.getByRole('radio', { name: 'Xóa thông tin liên hệ' }).check();
  await checked.getByTestId('rights-submit').click();
  await expect(checked.locator('#rights-reason-error')).toBeVisible();
  await expectAccessible(checked);

  // A handler of the unit finds it in the list and carries it out.
  const handler = await signIn(request, 'e2e-handler');
  const list = await request.get('/api/v1/staff/data-requests', { headers: { Cookie: handler.cookie } });
  const items = ((await list.json()) as { items: { id: number; feedback_id: number; kind: string }[] }).items;
  const mine = items.find((i) => i.feedback_id === id)!;
  expect(mine.kind).toBe('delete');
  const decided = await request.post(`/api/v1/staff/data-requests/${mine.id}`, {
    headers: { Cookie: handler.cookie, 'X-CSRF-Token': handler.csrf },
    data: { decision: 'carry-out' },
  });
  expect(decided.status(), await decided.text()).toBe(204);

  // The sender, in English this time: contact data gone, the outcome in the timeline.
  const en = await newPage(browser, true);
  await lookUp(en, '/en/track/', code, key, 'Track');
  await expect(en.getByTestId('rights-contact-gone')).toBeVisible();
  await expect(en.getByTestId('rights-requests')).toContainText('Done');
  await expect(en.getByTestId('track-timeline')).toContainText('Your contact details were deleted as you asked');
  await expect(en.getByTestId('rights-form')).toHaveCount(0);
  await expectAccessible(en);
});
