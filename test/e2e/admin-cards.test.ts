import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { fund } from '../support/money.js';
import { describeE2E, pressDialogOk, signInToConsole, useE2E } from './support.js';

/**
 * The console's card screens in a real browser: a school card manager finds a card, reports it
 * lost from the console and sees the status history. Needs `npm run build:web` first.
 */
describeE2E('admin console: card search, detail and history', () => {
  const e2e = useE2E();

  const rows = (page: Page, testId: string) => page.getByTestId(testId).locator('tbody tr.ant-table-row');

  it('a card manager finds a card by education ID, reports it lost from the console and sees the history', async () => {
    const school = await e2e.t.factory.newSchool({ name: '端到端卡务中学', stage: 'middle' });
    const student = await e2e.t.factory.newStudent({ schoolId: school.id, name: '赵小雨' });
    const card = await e2e.t.factory.newCard(student.id, { validUntil: '2027-10-31' });
    const elsewhere = await e2e.t.factory.newStudent({ name: '钱多多' });
    const otherCard = await e2e.t.factory.newCard(elsewhere.id);
    const manager = await e2e.t.factory.newStaff('school_admin', { schoolId: school.id });
    const page = await signInToConsole(e2e, manager);

    await page.getByTestId('sider-menu').getByText('卡片查询', { exact: true }).click();
    await page.waitForURL(`${e2e.baseUrl}/admin/cards`);
    // The URL changes before the lazily loaded page replaces the schools page, whose search box
    // looks the same: typing before the card table is there can land in the page going away.
    await page.getByTestId('cards-table').waitFor();

    // Another school's card is not found, even by its exact number.
    await page.getByTestId('table-search').locator('input').fill(otherCard.card_no);
    await page.getByTestId('table-search').locator('input').press('Enter');
    await page.getByTestId('cards-table').getByText('没有符合条件的卡片').waitFor();

    await page.getByTestId('table-search').locator('input').fill(student.education_id);
    await page.getByTestId('table-search').locator('input').press('Enter');
    await expect.poll(() => rows(page, 'cards-table').count()).toBe(1);
    const row = rows(page, 'cards-table').first();
    await row.getByText('赵**').waitFor();
    await row.getByText('正常').waitFor();
    // Masked: neither the full card number nor the name appears in the list.
    expect(await page.getByTestId('cards-table').textContent()).not.toContain(card.card_no);
    expect(await page.getByTestId('cards-table').textContent()).not.toContain('赵小雨');
    await e2e.screenshot(page, 'admin-cards-search');

    await row.click();
    await page.waitForURL(`${e2e.baseUrl}/admin/cards/${card.id}`);
    await page.getByTestId('card-detail-status').getByText('正常').waitFor();
    await page.getByTestId('card-detail').getByText('2027-10-31').waitFor();
    await expect.poll(() => rows(page, 'card-history').count()).toBe(1);

    await page.getByTestId('card-loss').click();
    await pressDialogOk(page, 'card-loss-ok');
    await page.getByTestId('card-detail-status').getByText('已挂失').waitFor();
    await expect.poll(() => rows(page, 'card-history').count()).toBe(2);
    const last = rows(page, 'card-history').nth(1);
    await last.getByText('正常 → 已挂失').waitFor();
    await last.getByText('管理后台').waitFor();
    await last.getByText('学校卡管员').waitFor();
    await page.getByTestId('card-unloss').waitFor();
    await e2e.screenshot(page, 'admin-card-detail-lost');

    const stored = await e2e.t.ctx.db.selectFrom('cards').select('status').where('id', '=', card.id).executeTakeFirstOrThrow();
    expect(stored.status).toBe('lost');
    const event = await e2e.t.ctx.db.selectFrom('card_status_events').selectAll().where('card_id', '=', card.id).orderBy('version', 'desc').executeTakeFirstOrThrow();
    expect(event).toMatchObject({ to_status: 'lost', denied: true, reason: 'console', actor_role: 'school_admin', actor_id: manager.id });

    // The list shows the new status too.
    await page.getByTestId('sider-menu').getByText('卡片查询', { exact: true }).click();
    // A middle school has no campus services: its card manager's menu does not offer them.
    expect(await page.getByTestId('sider-menu').getByText('网上报修', { exact: true }).count()).toBe(0);
    await page.getByTestId('card-status-select').click();
    await page.locator('.ant-select-item-option', { hasText: '已挂失' }).click();
    await expect.poll(() => rows(page, 'cards-table').count()).toBe(1);
  });

  it('an operator sets the extension window; a card manager issues a temporary card and exchanges it for the formal card', async () => {
    const operator = await e2e.t.factory.newStaff('operator');
    const opPage = await signInToConsole(e2e, operator);
    await opPage.getByTestId('sider-menu').getByText('延期办理时间', { exact: true }).click();
    await opPage.waitForURL(`${e2e.baseUrl}/admin/card-extension-window`);
    await opPage.getByTestId('window-start').fill('2026-10-01');
    await opPage.getByTestId('window-end').fill('2026-09-01');
    await opPage.getByTestId('window-save').click();
    await opPage.getByTestId('window-error').getByText('结束日期不能早于开始日期', { exact: false }).waitFor();
    await opPage.getByTestId('window-end').fill('2026-12-31');
    await opPage.getByTestId('window-save').click();
    await expect.poll(() => rows(opPage, 'extension-windows').count()).toBe(1);
    await rows(opPage, 'extension-windows').first().getByText('办理中').waitFor();
    expect(await e2e.t.ctx.db.selectFrom('card_extension_windows').selectAll().execute()).toMatchObject([{ year: 2026, starts_on: '2026-10-01', ends_on: '2026-12-31' }]);

    // Inside the window, the console extends a pupil's card for them, and shows its statement.
    const middle = await e2e.t.factory.newSchool({ name: '端到端延期中学', stage: 'middle' });
    const pupil = await e2e.t.factory.newStudent({ schoolId: middle.id, name: '周延期' });
    const k12Card = await e2e.t.factory.newCard(pupil.id, { validUntil: '2026-12-31' });
    await fund(e2e.t, k12Card.id, 2_500);
    await opPage.goto(`${e2e.baseUrl}/admin/cards/${k12Card.id}`);
    await opPage.getByTestId('card-statement').getByText('+¥25.00').waitFor();
    await opPage.getByTestId('card-statement').getByText('充值').waitFor();
    await opPage.getByTestId('card-extend').click();
    await pressDialogOk(opPage, 'card-extend-ok');
    await opPage.getByTestId('card-extension-blocked').getByText('本年度已延期').waitFor();
    const { valid_until: extendedTo } = await e2e.t.ctx.db.selectFrom('cards').select('valid_until').where('id', '=', k12Card.id).executeTakeFirstOrThrow();
    expect(extendedTo! > '2026-12-31').toBe(true);
    await opPage.getByTestId('card-detail').getByText(extendedTo!).waitFor();
    await e2e.screenshot(opPage, 'admin-card-extended');

    const school = await e2e.t.factory.newSchool({ name: '端到端大学', stage: 'university' });
    const student = await e2e.t.factory.newStudent({ schoolId: school.id, name: '孙新生' });
    const manager = await e2e.t.factory.newStaff('school_admin', { schoolId: school.id });
    const page = await signInToConsole(e2e, manager);
    await page.getByTestId('sider-menu').getByText('临时卡', { exact: true }).click();
    await page.waitForURL(`${e2e.baseUrl}/admin/temporary-cards`);
    await page.getByTestId('temporary-education-id').fill(student.education_id);
    await page.getByTestId('temporary-issue').click();
    await expect.poll(() => rows(page, 'temporary-cards-table').count()).toBe(1);
    await e2e.screenshot(page, 'admin-temporary-cards');
    await rows(page, 'temporary-cards-table').first().click();
    await page.getByTestId('card-exchange').click();
    await pressDialogOk(page, 'card-exchange-ok');
    await page.getByTestId('card-detail').getByText('校园卡').waitFor();
    await page.getByTestId('card-detail-status').getByText('正常').waitFor();
    const cards = await e2e.t.ctx.db.selectFrom('cards').select(['product', 'status']).where('student_id', '=', student.id).orderBy('product').execute();
    expect(cards).toEqual([{ product: 'campus_card', status: 'active' }, { product: 'temporary_card', status: 'closed' }]);
  });
});
