/**
 * Issue #4 "Done when", once per language, all through the pages a person uses: a citizen files
 * feedback with a photo on a 360 px phone; a coordinator classifies and assigns it; a handler
 * answers it; a publisher publishes it without personal data; the citizen sees the answer, rates
 * it and disputes it; the public page shows the answer and the dispute, and the statistics count
 * it. Staff accounts come from scripts/e2e-server.ts (reports/e2e-staff.json).
 */
import { pageSignIn } from './staff-login.ts';
import { test, expect, type Browser, type Page } from '@playwright/test';
import { expectAccessible } from './axe.ts';
import { jpeg } from './feedback-files.ts';

// One language after the other: both add a case to the same ward's statistics.
test.describe.configure({ mode: 'serial' });

const PHONE = { width: 360, height: 740 };

const L = {
  vi: {
    feedback: '/gop-y/',
    track: '/tra-cuu/',
    staff: '/quan-tri/',
    published: '/cong-khai/',
    stats: '/thong-ke/',
    statsUnit: 'don-vi',
    trackButton: 'Tra cứu',
    notSatisfied: 'Chưa hài lòng',
    reason: 'Trả lời chung chung, không giải quyết vấn đề',
    disputed: 'Người gửi chưa đồng ý, đang xem xét lại',
  },
  en: {
    feedback: '/en/feedback/',
    track: '/en/track/',
    staff: '/en/staff/',
    published: '/en/published/',
    stats: '/en/statistics/',
    statsUnit: 'don-vi',
    trackButton: 'Track',
    notSatisfied: 'Not satisfied yet',
    reason: 'Too general; it does not solve the problem',
    disputed: 'Disputed by the sender, being re-examined',
  },
} as const;

type Account = 'e2e-coordinator' | 'e2e-handler' | 'e2e-publisher';

async function staff(browser: Browser, who: Account, path: string): Promise<Page> {
  const page = await (await browser.newContext({ viewport: PHONE })).newPage();
  await page.goto(path);
  // Both factors (issue #7 part 4b): e2e/staff-login.ts.
  await pageSignIn(page, who);
  return page;
}

async function act(page: Page, action: string, fill?: () => Promise<void>): Promise<void> {
  await expect(page.getByTestId(`action-${action}`)).toBeVisible();
  if (fill) await fill();
  await page.getByTestId(`submit-${action}`).click();
  await expect(page.getByTestId('done')).toBeVisible();
}

for (const [locale, l] of Object.entries(L)) {
  test(`the whole lifecycle through the pages (${locale})`, async ({ browser, request }) => {
    test.setTimeout(180_000);
    const stamp = `${locale}-${Date.now().toString(36)}`;
    const title = locale === 'vi' ? `Đèn đường hỏng trước chợ ${stamp}` : `Broken street light at the market ${stamp}`;
    const statsBefore = (await (await request.get('/api/v1/stats/feedback?unit=phuong-ninh-hoa')).json()) as {
      summary: { received: number; answered: number };
    };

    // ── The citizen, on a phone, with a photo ──
    const citizen = await (await browser.newContext({ viewport: PHONE })).newPage();
    await citizen.goto(l.feedback);
    await citizen.locator('input[name="kind"][value="phan-anh"]').check();
    await citizen.locator('input[name="subject"][value="khac"]').check();
    await citizen.locator('#unit').selectOption('phuong-ninh-hoa');
    await citizen.locator('#title').fill(title);
    await citizen
      .locator('#content')
      .fill('Tôi là Phạm Thị Hạnh, điện thoại 0934 567 890. Đèn đường trước chợ hỏng hai tuần, tối rất nguy hiểm.');
    await citizen.locator('#name').fill('Phạm Thị Hạnh');
    await citizen.locator('#phone').fill('0934 567 890');
    await citizen.locator('input[name="publish_content"]').check();
    await citizen.getByTestId('feedback-continue').click();
    await expect(citizen.getByTestId('check-answers')).toBeVisible();
    await expectAccessible(citizen);
    await citizen
      .locator('#attachments')
      .setInputFiles([{ name: 'đèn hỏng.jpg', mimeType: 'image/jpeg', buffer: await jpeg() }]);
    await citizen.getByTestId('feedback-send').click();
    await expect(citizen.getByTestId('receipt')).toBeVisible();
    await expectAccessible(citizen);
    const code = (await citizen.getByTestId('tracking-code').innerText()).trim();
    const key = (await citizen.getByTestId('access-key').innerText()).trim();

    // ── The coordinator finds it in the inbox, classifies and assigns it ──
    const coordinator = await staff(browser, 'e2e-coordinator', l.staff);
    await coordinator.locator('#f-q').fill(stamp);
    await coordinator.getByTestId('apply-filters').click();
    const row = coordinator.getByTestId('inbox-row');
    await expect(row).toHaveCount(1);
    await expect(row.first()).toHaveAttribute('data-code', code);
    await row.first().getByRole('link').first().click();
    await expect(coordinator.getByTestId('files')).toContainText('đèn hỏng.jpg');
    await act(coordinator, 'classify');
    await act(coordinator, 'assign', async () => {
      await coordinator.locator('#assign-unit').selectOption('phuong-ninh-hoa');
    });
    const casePath = new URL(coordinator.url()).pathname;
    await expectAccessible(coordinator);

    // ── The handler of the ward answers ──
    const handler = await staff(browser, 'e2e-handler', casePath);
    await act(handler, 'start');
    await act(handler, 'answer', async () => {
      await handler
        .locator('#answer-body')
        .fill(`Kính gửi bà Phạm Thị Hạnh (0934 567 890): UBND phường đã thay bóng đèn ngày 12/3. ${stamp}`);
    });
    await expectAccessible(handler);

    // ── The publisher publishes the redacted preview ──
    const publisher = await staff(browser, 'e2e-publisher', casePath);
    await publisher.getByTestId('publish-link').click();
    const answer = await publisher.locator('#pub-answer').inputValue();
    const content = await publisher.locator('#pub-content').inputValue();
    expect(`${answer} ${content}`).not.toMatch(/Hạnh|0934|567 890/);
    await expectAccessible(publisher);
    await publisher.getByTestId('publish-submit').click();
    await expect(publisher.getByTestId('done')).toBeVisible();

    // ── The citizen sees the answer, rates it, disputes it ──
    await citizen.goto(l.track);
    await citizen.locator('#code').fill(code);
    await citizen.locator('#key').fill(key);
    await citizen.getByRole('button', { name: l.trackButton, exact: true }).click();
    await expect(citizen.getByTestId('message-answer')).toContainText(stamp);
    await expectAccessible(citizen);
    const rate = citizen.getByTestId('rate-answer');
    await rate.getByRole('radio', { name: l.notSatisfied, exact: true }).check();
    await rate.getByRole('checkbox', { name: l.reason }).check();
    await citizen.getByTestId('rate-submit').click();
    await expect(citizen.getByTestId('rating-given')).toBeVisible();
    await citizen.locator('#dispute-body').fill('Đèn mới lắp đã hỏng lại sau hai ngày.');
    await citizen.getByTestId('dispute-submit').click();
    await expect(citizen.getByTestId('track-status')).toHaveText(l.disputed);
    await expectAccessible(citizen);
    expect(citizen.url()).not.toContain(key);

    // ── Back at the unit: the case is disputed, with the sender's reason in words ──
    await coordinator.goto(casePath);
    await expect(coordinator.getByTestId('case-status')).toHaveText(l.disputed);
    await expect(coordinator.locator('main')).toContainText(l.reason);

    // ── The public page: the answer without personal data, and the dispute said plainly ──
    const reader = await (await browser.newContext({ viewport: PHONE })).newPage();
    await reader.goto(`${l.published}${code}/`);
    await expect(reader.getByTestId('answer')).toContainText(stamp);
    await expect(reader.getByTestId('disputed')).toBeVisible();
    await expect(reader.locator('main')).not.toContainText('0934');
    await expect(reader.locator('main')).not.toContainText('Phạm Thị Hạnh');
    await expectAccessible(reader);

    // ── The statistics count it, on the page as in the API ──
    const statsAfter = (await (await request.get('/api/v1/stats/feedback?unit=phuong-ninh-hoa')).json()) as {
      summary: { received: number; answered: number };
    };
    expect(statsAfter.summary.received).toBe(statsBefore.summary.received + 1);
    expect(statsAfter.summary.answered).toBe(statsBefore.summary.answered + 1);
    await reader.goto(`${l.stats}?${l.statsUnit}=phuong-ninh-hoa`);
    await expect(reader.locator('#table-phan-anh tr[data-metric="received"] td').first()).toHaveAttribute(
      'data-value',
      String(statsAfter.summary.received),
    );
    await expectAccessible(reader);
    for (const p of [citizen, coordinator, handler, publisher, reader]) await p.context().close();
  });
}
