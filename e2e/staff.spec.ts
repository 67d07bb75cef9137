/**
 * The staff workspace (issue #4) on a 360 px phone against the real server and API, without
 * JavaScript needs: sign-in (a wrong password, the same sentence for any account), the inbox with
 * filters and accent-free search, a case taken by three members from manual entry through
 * classify → assign → start → answer with a PDF → publish (the redaction preview edited) to its
 * public page, a stale form refused by the API, the audited contact data, the apology letter of an
 * overdue case, sign-out; axe and no horizontal overflow on every page type in both languages.
 * The accounts come from scripts/e2e-server.ts (reports/e2e-staff.json).
 */
import { test, expect, type Browser, type Page } from '@playwright/test';
import { expectAccessible } from './axe.ts';
import { pageSignIn } from './staff-login.ts';

test.use({ viewport: { width: 360, height: 740 } });

type Account = 'e2e-coordinator' | 'e2e-handler' | 'e2e-publisher';

const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);
const CODE = /^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}$/;

/** Signs in on `path` (any workspace page shows the form when signed out) and lands on it. */
async function signIn(page: Page, who: Account, path = '/quan-tri/'): Promise<void> {
  await page.goto(path);
  await pageSignIn(page, who);
}

async function member(browser: Browser, who: Account, path?: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  await signIn(page, who, path);
  return page;
}

/** A date N days ago in Việt Nam, as a date input wants it. */
function daysAgo(n: number): string {
  return new Date(Date.now() + 7 * 3600 * 1000 - n * 24 * 3600 * 1000).toISOString().slice(0, 10);
}

interface Entry {
  title: string;
  content: string;
  name: string;
  phone: string;
  channel?: string;
  unit?: string;
  received?: string;
  publish?: boolean;
}

/** Manual entry by the coordinator; returns the code, the key and the case page's path. */
async function enter(page: Page, e: Entry, base = '/quan-tri/'): Promise<{ code: string; key: string; path: string }> {
  await page.goto(`${base}${base.startsWith('/en/') ? 'new-entry' : 'nhap-tay'}/`);
  await page.locator('#e-channel').selectOption(e.channel ?? 'hotline');
  await page.locator('#e-kind').selectOption('phan-anh');
  await page.locator('#e-subject').selectOption('hanh-vi');
  await page.locator('#e-unit').selectOption(e.unit ?? 'phuong-ninh-hoa');
  await page.locator('#e-title').fill(e.title);
  await page.locator('#e-content').fill(e.content);
  if (e.received) await page.locator('#e-received').fill(e.received);
  await page.locator('#e-name').fill(e.name);
  await page.locator('#e-phone').fill(e.phone);
  if (e.publish) await page.locator('#e-publish').check();
  await page.getByTestId('entry-submit').click();
  await expect(page.getByTestId('entry-receipt')).toBeVisible();
  const code = (await page.getByTestId('tracking-code').innerText()).trim();
  const key = (await page.getByTestId('access-key').innerText()).trim();
  expect(code).toMatch(CODE);
  expect(key).toMatch(/^[A-Za-z0-9_-]{16,64}$/);
  const path = (await page.getByTestId('open-case').getAttribute('href'))!;
  return { code, key, path };
}

async function act(page: Page, action: string, fill?: (page: Page) => Promise<void>): Promise<void> {
  const form = page.getByTestId(`action-${action}`);
  await expect(form).toBeVisible();
  if (fill) await fill(page);
  await page.getByTestId(`submit-${action}`).click();
}

test('sign-in: a wrong password is refused with one sentence; pages are no-store and noindex', async ({ page }) => {
  const res = await page.goto('/quan-tri/');
  expect(res!.headers()['cache-control']).toBe('no-store');
  await expect(page.locator('meta[name="robots"]')).toHaveAttribute('content', /noindex/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Đăng nhập cho cán bộ');
  await expectAccessible(page);

  await page.getByTestId('sign-in').click();
  await expect(page.getByTestId('problem')).toHaveText('Nhập tên đăng nhập và mật khẩu.');
  await page.locator('#username').fill('e2e-coordinator');
  await page.locator('#password').fill('not the password');
  await page.getByTestId('sign-in').click();
  await expect(page.getByTestId('problem')).toHaveText('Tên đăng nhập hoặc mật khẩu không đúng.');
  // An unknown account reads the same: no way to tell which usernames exist.
  await page.locator('#username').fill('khong-co-ai');
  await page.locator('#password').fill('not the password');
  await page.getByTestId('sign-in').click();
  await expect(page.getByTestId('problem')).toHaveText('Tên đăng nhập hoặc mật khẩu không đúng.');
  await expect(page.locator('#username')).toHaveValue('khong-co-ai');
  await expectAccessible(page);

  // The password, then the second factor (issue #7 part 4b): no session cookie in between.
  await pageSignIn(page, 'e2e-coordinator');
  await expect(page).toHaveURL(/\/quan-tri\/$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Phản ánh, kiến nghị cần xử lý');
  const cookie = (await page.context().cookies()).find((c) => c.name === '__Host-gopy_session');
  expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict' });

  // Sign-out ends the session: the inbox asks for a sign-in again.
  await page.getByTestId('sign-out').click();
  await expect(page.getByTestId('signed-out')).toHaveText('Đã đăng xuất.');
  await page.goto('/quan-tri/');
  await expect(page.getByTestId('sign-in-form')).toBeVisible();
  await expect(page.getByTestId('staff-bar')).toHaveCount(0);
});

test('a whole case: manual entry → classify → assign → start → answer with a PDF → publish, public page', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const coordinator = await member(browser, 'e2e-coordinator');
  await expectAccessible(coordinator);
  const stamp = Date.now().toString(36);
  const entry = await enter(coordinator, {
    title: `Cán bộ một cửa thu thêm phí sao y ${stamp}`,
    content: 'Tôi là Trần Thị Bình, số điện thoại 0905 123 456. Ngày 3/3 tôi bị thu 20.000 đồng không có biên lai.',
    name: 'Trần Thị Bình',
    phone: '0905 123 456',
    channel: 'hotline',
    publish: true,
  });
  await expectAccessible(coordinator);

  // Inbox: the filters and a search without accents find it; the channel is shown in words.
  await coordinator.goto('/quan-tri/');
  await coordinator.locator('#f-status').selectOption('received');
  await coordinator.locator('#f-channel').selectOption('hotline');
  await coordinator.locator('#f-q').fill(`can bo mot cua thu them phi ${stamp}`);
  await coordinator.getByTestId('apply-filters').click();
  await expect(coordinator).toHaveURL(/status=received/);
  const rows = coordinator.getByTestId('inbox-row');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute('data-code', entry.code);
  await expect(rows.first()).toContainText('Đường dây nóng');
  await expect(rows.first()).toContainText('Đã tiếp nhận');
  await expectAccessible(coordinator);
  await coordinator.locator('#f-status').selectOption('closed');
  await coordinator.getByTestId('apply-filters').click();
  await expect(coordinator.getByTestId('inbox-empty')).toBeVisible();

  // The case page; the contact data only on request (each view is audited).
  await coordinator.goto(entry.path);
  await expect(coordinator.getByTestId('case-status')).toHaveText('Đã tiếp nhận');
  await expect(coordinator.getByTestId('contact')).toHaveCount(0);
  await expectAccessible(coordinator);
  await coordinator.getByTestId('show-contact').click();
  await expect(coordinator.getByTestId('contact')).toContainText('Trần Thị Bình');
  await expect(coordinator.getByTestId('contact')).toContainText('0905123456');

  // A stale form: the same classify form open in a second tab is refused by the API afterwards.
  const stale = await coordinator.context().newPage();
  await stale.goto(entry.path);
  await act(coordinator, 'classify');
  await expect(coordinator.getByTestId('done')).toHaveText('Đã phân loại, tiếp nhận xử lý.');
  await expect(coordinator.getByTestId('case-status')).toHaveText('Đã phân loại, tiếp nhận xử lý');
  await act(stale, 'classify');
  await expect(stale.getByTestId('problem')).toHaveText(
    'Phản ánh, kiến nghị này vừa được người khác cập nhật. Hãy tải lại trang rồi thử lại.',
  );
  await expect(stale.getByTestId('action-classify')).toHaveCount(0);
  await expectAccessible(stale);
  await stale.close();

  await act(coordinator, 'assign', async (p) => {
    await p.locator('#assign-unit').selectOption('phuong-ninh-hoa');
    await p.locator('#assign-note').fill('Giao Bộ phận một cửa phường xác minh.');
  });
  await expect(coordinator.getByTestId('case-status')).toHaveText('Đã giao xử lý');
  await expect(coordinator.getByTestId('history')).toContainText('Giao Bộ phận một cửa phường xác minh.');
  await expect(coordinator.getByTestId('history')).toContainText('Cán bộ e2e-coordinator');

  // The handler of the commune starts and answers with a PDF.
  const handler = await member(browser, 'e2e-handler', entry.path);
  await act(handler, 'start');
  await expect(handler.getByTestId('case-status')).toHaveText('Đang xử lý');
  await expectAccessible(handler);
  // An empty answer is refused with the field named.
  await act(handler, 'answer');
  await expect(handler.getByTestId('error-summary')).toContainText('Nội dung trả lời');
  await act(handler, 'answer', async (p) => {
    await p
      .locator('#answer-body')
      .fill(
        'Kính gửi bà Trần Thị Bình: UBND phường đã kiểm tra, hoàn trả 20.000 đồng và nhắc nhở cán bộ. Liên hệ 0905 123 456 đã được ghi nhận.',
      );
    await p
      .locator('#answer-attachments')
      .setInputFiles({ name: 'Công văn trả lời.pdf', mimeType: 'application/pdf', buffer: PDF });
  });
  await expect(handler.getByTestId('done')).toHaveText('Đã gửi câu trả lời.');
  await expect(handler.getByTestId('files')).toContainText('Công văn trả lời.pdf');
  const fileHref = await handler.getByTestId('files').getByRole('link').first().getAttribute('href');
  const file = await handler.request.get(fileHref!);
  expect(file.status()).toBe(200);
  expect(
    Buffer.from(await file.body())
      .subarray(0, 5)
      .toString(),
  ).toBe('%PDF-');

  // The publisher checks the redaction preview, edits it and publishes.
  const publisher = await member(browser, 'e2e-publisher', entry.path);
  await expect(
    publisher.getByText('Vai trò được phân quyền không được xem dữ liệu cá nhân của người gửi.'),
  ).toBeVisible();
  await publisher.getByTestId('publish-link').click();
  await expect(publisher.getByTestId('removed')).toBeVisible();
  const content = await publisher.locator('#pub-content').inputValue();
  const answer = await publisher.locator('#pub-answer').inputValue();
  expect(`${content} ${answer}`).not.toMatch(/Trần Thị Bình|0905|123 456/);
  expect(content).toContain('[số điện thoại]');
  await expectAccessible(publisher);
  await publisher.locator('#pub-answer').fill(`${answer} (Đã biên tập ${stamp})`);
  await publisher.getByTestId('publish-submit').click();
  await expect(publisher.getByTestId('done')).toHaveText('Đã công khai câu trả lời.');
  await expect(publisher.getByTestId('case-status')).toHaveText('Đã trả lời và công khai');

  await publisher.getByTestId('public-link').click();
  await expect(publisher).toHaveURL(new RegExp(`/cong-khai/${entry.code}/$`));
  await expect(publisher.locator('main')).toContainText(`(Đã biên tập ${stamp})`);
  await expect(publisher.locator('main')).not.toContainText('0905');
  await expect(publisher.locator('main')).not.toContainText('Trần Thị Bình');
});

test('an overdue case is flagged and gets an apology letter, in Vietnamese and English', async ({ browser }) => {
  test.setTimeout(90_000);
  const coordinator = await member(browser, 'e2e-coordinator');
  await coordinator.goto('/quan-tri/nhap-tay/');
  await expectAccessible(coordinator);
  const stamp = Date.now().toString(36);
  const entry = await enter(coordinator, {
    title: `Thư phản ánh chậm cấp giấy phép ${stamp}`,
    content: 'Thư tay gửi UBND phường, chưa được trả lời.',
    name: 'Lê Văn Cường',
    phone: '0912 345 678',
    channel: 'letter',
    received: daysAgo(60),
  });
  await coordinator.goto(`/quan-tri/?overdue=1&q=${stamp}`);
  const row = coordinator.getByTestId('inbox-row');
  await expect(row).toHaveCount(1);
  await expect(row).toHaveAttribute('data-overdue', 'true');
  await expect(row).toContainText('Quá hạn');

  await coordinator.goto(entry.path);
  await expect(coordinator.getByTestId('case-overdue')).toHaveText('Quá hạn');
  await coordinator.getByTestId('apology-link').click();
  const letter = coordinator.getByTestId('letter');
  await expect(letter).toContainText('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
  await expect(letter).toContainText('Độc lập - Tự do - Hạnh phúc');
  await expect(letter).toContainText('Kính gửi: Ông/Bà Lê Văn Cường');
  await expect(letter).toContainText('THƯ XIN LỖI');
  await expect(letter).toContainText(/chậm \d+ ngày làm việc/);
  await expect(letter).toContainText('UBND phường Ninh Hòa');
  await expectAccessible(coordinator);

  // The language switcher keeps the same letter.
  await coordinator.getByTestId('lang-switch').click();
  await expect(coordinator).toHaveURL(/\/en\/staff\/case\/\d+\/apology-letter\/$/);
  await expect(coordinator.getByTestId('letter')).toContainText('SOCIALIST REPUBLIC OF VIET NAM');
  await expect(coordinator.getByTestId('letter')).toContainText('To: Lê Văn Cường');
  await expect(coordinator.getByTestId('letter')).toContainText(/\d+ working days late/);
  await expectAccessible(coordinator);

  // A case on time has no letter: the API refuses and the page says why.
  const onTime = await enter(coordinator, {
    title: `Kiến nghị mới ${stamp}`,
    content: 'Đề nghị niêm yết phí.',
    name: 'Phạm Thu',
    phone: '0987 000 111',
  });
  await coordinator.goto(onTime.path);
  await expect(coordinator.getByTestId('apology-link')).toHaveCount(0);
  await coordinator.goto(`${onTime.path}thu-xin-loi/`);
  await expect(coordinator.getByTestId('problem')).toHaveText(
    'Phản ánh, kiến nghị này chưa quá hạn nên không cần thư xin lỗi.',
  );
});

test('English workspace: every page type passes axe at 360 px; entry shows the key once', async ({ browser }) => {
  test.setTimeout(90_000);
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  await page.goto('/en/staff/');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Staff sign-in');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expectAccessible(page);
  await page.locator('#username').fill('e2e-coordinator');
  await page.locator('#password').fill('wrong');
  await page.getByTestId('sign-in').click();
  await expect(page.getByTestId('problem')).toHaveText(/Incorrect|wrong|not correct/i);
  await signIn(page, 'e2e-coordinator', '/en/staff/');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Feedback inbox');
  await expectAccessible(page);

  await page.goto('/en/staff/new-entry/');
  await expectAccessible(page);
  // Refused without a way to reach the sender: the answers are kept.
  await page.locator('#e-title').fill('Hotline call about queue numbers');
  await page.locator('#e-content').fill('The caller waited two hours.');
  await page.locator('#e-name').fill('Nguyễn Văn Dũng');
  await page.getByTestId('entry-submit').click();
  await expect(page.getByTestId('error-summary')).toBeVisible();
  await expect(page.locator('#e-title')).toHaveValue('Hotline call about queue numbers');
  await expectAccessible(page);
  const entry = await enter(
    page,
    {
      title: 'Hotline call about queue numbers',
      content: 'The caller waited two hours.',
      name: 'Nguyễn Văn Dũng',
      phone: '0903 222 333',
      channel: 'in-person',
    },
    '/en/staff/',
  );
  await expect(page.getByTestId('entry-receipt')).toContainText('shown this once');
  await expectAccessible(page);
  expect(entry.path).toMatch(/^\/en\/staff\/case\/\d+\/$/);

  await page.goto(entry.path);
  await expect(page.getByTestId('case-status')).toHaveText(/received/i);
  await expect(page.getByTestId('case-facts')).toContainText('In person');
  await expectAccessible(page);
  // Not answered yet: the publish page explains instead of offering a form.
  await page.goto(`${entry.path}publish/`);
  await expect(page.getByTestId('publish-blocked')).toBeVisible();
  await expectAccessible(page);

  // A case the sender did not agree to publish: nothing to publish, once answered.
  await page.getByTestId('sign-out').click();
  await expect(page.getByTestId('signed-out')).toHaveText('You have signed out.');
  await expectAccessible(page);
});
