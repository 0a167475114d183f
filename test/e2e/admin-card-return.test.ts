import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { networkAccount } from '../../src/modules/campus/network-account.js';
import { accountCodes, ensureAccount, postTransaction } from '../../src/modules/ledger/ledger.js';
import { systemActor } from '../../src/platform/audit.js';
import { fund } from '../support/money.js';
import { apiAs } from './fulfilment-support.js';
import { describeE2E, loseFirstAnswer, signInToConsole, useE2E } from './support.js';

/**
 * 退卡 at a service outlet, in the console, in Chromium against the real server: an operator opens
 * a card, sees what comes back and where it goes, checks the holder and returns the card; a
 * balance above ¥200 becomes an outlet balance refund the operator goes on to pay out. A card
 * whose replacement is under way is not returned, and only operators get the button at all.
 * Needs `npm run build:web` first.
 */
describeE2E('admin console: 退卡 at a service outlet', () => {
  const e2e = useE2E();
  const url = (path: string) => `${e2e.baseUrl}${path}`;
  const returnKeys = (page: Page, cardId: string) => {
    const keys: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith(`/api/v1/cards/${cardId}/return`)) keys.push(request.headers()['idempotency-key'] ?? '');
    });
    return keys;
  };

  it('an operator returns a card holding ¥350: the quote says 线下退款, and the result leads to the outlet payout', async () => {
    const { t } = e2e;
    t.clock.set('2026-11-23T02:00:00Z');
    const school = await t.factory.newSchool({ name: '退卡测试中学', stage: 'middle' });
    const student = await t.factory.newStudent({ schoolId: school.id, name: '钱退卡' });
    const card = await t.factory.newCard(student.id, { validUntil: '2027-10-31' });
    await fund(t, card.id, 35_000);
    const operator = await t.factory.newStaff('operator');
    const page = await signInToConsole(e2e, operator);
    const keys = returnKeys(page, card.id);

    await page.goto(url(`/admin/cards/${card.id}`));
    await page.getByTestId('card-detail-status').getByText('正常').waitFor();
    await page.getByTestId('card-return').click();
    await page.locator('[data-testid="return-modal"][data-returnable="true"]').waitFor();
    const quote = page.getByTestId('return-quote');
    // The masked number, never the full one.
    await page.locator('.ant-modal-title').getByText(/^退卡 · /).waitFor();
    expect(await page.locator('.ant-modal').textContent()).not.toContain(card.card_no);
    await expect.poll(() => page.getByTestId('return-purse').textContent()).toBe('¥350.00');
    expect(await page.getByTestId('return-total').textContent()).toBe('¥350.00');
    // A K-12 card has no campus network balance to bring along.
    expect(await quote.getByTestId('return-network').count()).toBe(0);
    expect(await page.getByTestId('return-route').getAttribute('data-route')).toBe('outlet');
    await page.getByTestId('return-route').getByText('线下退款').waitFor();
    await page.getByTestId('return-route').getByText('余额超过 ¥200.00：退卡后在本网点当场退给持卡人').waitFor();

    // Not before the operator has the card and has checked the holder.
    const submit = page.getByTestId('return-submit');
    expect(await submit.isDisabled()).toBe(true);
    await page.getByTestId('return-checked').click();
    expect(await submit.isDisabled()).toBe(false);
    await e2e.screenshot(page, 'admin-card-return');

    // The answer is lost on the way back: the modal says so, and pressing again replays the same return.
    const lost = await loseFirstAnswer(page, `**/api/v1/cards/${card.id}/return`);
    await submit.click();
    await page.getByTestId('return-modal').getByText('退卡失败').waitFor();
    await page.getByTestId('return-modal').getByText('网络连接失败', { exact: false }).waitFor();
    await submit.click();
    await page.getByTestId('return-result').waitFor();
    await page.unroute(`**/api/v1/cards/${card.id}/return`);
    expect(lost).toHaveLength(2);
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
    expect(keys[0]).toMatch(/\S{16,}/);

    const result = page.getByTestId('return-result');
    expect(await result.getAttribute('data-route')).toBe('outlet');
    expect(await page.getByTestId('return-result-status').getAttribute('data-status')).toBe('returned');
    await page.getByTestId('return-result-status').getByText('已退卡，终端将拒绝此卡', { exact: false }).waitFor();
    expect(await page.getByTestId('return-refund-amount').textContent()).toBe('¥350.00');
    expect(await page.getByTestId('return-refund-route').textContent()).toBe('线下退款');
    await result.getByText('待网点办理').waitFor();
    await result.getByText('请在本网点将 ¥350.00 退给持卡人', { exact: false }).waitFor();
    // The page behind already shows the card returned, without the button.
    await page.getByTestId('card-detail-status').getByText('已退卡').waitFor();
    expect(await page.getByTestId('card-return').count()).toBe(0);
    await e2e.screenshot(page, 'admin-card-return-done');

    // Once, by this operator, at the console; the balance waits at the outlet.
    const stored = await t.ctx.db.selectFrom('card_returns').selectAll().where('card_id', '=', card.id).execute();
    expect(stored).toMatchObject([{ refund_fen: 35_000, refund_route: 'outlet', returned_by_role: 'operator', returned_by: operator.id }]);
    const refundId = stored[0]!.balance_refund_id!;
    expect(await t.ctx.db.selectFrom('balance_refunds').select(['route', 'status', 'amount_fen']).where('id', '=', refundId).executeTakeFirstOrThrow()).toEqual({ route: 'outlet', status: 'awaiting_outlet', amount_fen: 35_000 });
    const audit = await t.ctx.db.selectFrom('audit_log').select(['actor_role', 'actor_id']).where('action', '=', 'card_services.return').where('entity_id', '=', card.id).execute();
    expect(audit).toEqual([{ actor_role: 'operator', actor_id: operator.id }]);
    const event = await t.ctx.db.selectFrom('card_status_events').selectAll().where('card_id', '=', card.id).orderBy('version', 'desc').executeTakeFirstOrThrow();
    expect(event).toMatchObject({ to_status: 'returned', denied: true, reason: 'console', actor_role: 'operator', actor_id: operator.id });

    // On to the payout: the balance refund opens with the outlet form.
    await page.getByTestId('return-refund-link').click();
    await page.waitForURL(url(`/admin/balance-refunds?refund=${refundId}`));
    await page.getByTestId('outlet-form').waitFor();
    await page.getByTestId('balance-refund-summary').getByText('¥350.00').waitFor();
  });

  it('a campus card brings the campus network balance with it: both shown, both refunded', async () => {
    const { t } = e2e;
    t.clock.set('2026-11-23T03:00:00Z');
    const school = await t.factory.newSchool({ name: '退卡测试大学', stage: 'university' });
    const student = await t.factory.newStudent({ schoolId: school.id, name: '吴网费' });
    const card = await t.factory.newCard(student.id, { product: 'campus_card' });
    await fund(t, card.id, 8_000);
    // ¥30 on the student's campus network account, as a network top-up would leave it.
    const network = await networkAccount(t.ctx.db, t.clock, student.id, systemActor);
    const clearing = await ensureAccount(t.ctx.db, t.clock, { code: accountCodes.clearing('test'), type: 'gateway_clearing', actor: systemActor });
    await postTransaction(t.ctx.db, t.clock, { idempotencyKey: `test-network:${card.id}`, type: 'top_up', actor: systemActor, postings: [{ accountId: clearing.id, debitFen: 3_000 }, { accountId: network.id, creditFen: 3_000 }] });

    const page = await signInToConsole(e2e, await t.factory.newStaff('operator'));
    await page.goto(url(`/admin/cards/${card.id}`));
    await page.getByTestId('card-return').click();
    await page.locator('[data-testid="return-modal"][data-returnable="true"]').waitFor();
    expect(await page.getByTestId('return-purse').textContent()).toBe('¥80.00');
    expect(await page.getByTestId('return-network').textContent()).toBe('¥30.00');
    expect(await page.getByTestId('return-total').textContent()).toBe('¥110.00');
    // Under ¥200 but not topped up online: it cannot go back through a gateway.
    expect(await page.getByTestId('return-route').getAttribute('data-route')).toBe('outlet');
    await page.getByTestId('return-route').getByText('余额并非全部经在线充值所得', { exact: false }).waitFor();
    await page.getByTestId('return-checked').click();
    await page.getByTestId('return-submit').click();
    await page.getByTestId('return-result').waitFor();
    expect(await page.getByTestId('return-refund-amount').textContent()).toBe('¥110.00');
    expect(await t.ctx.db.selectFrom('card_returns').select(['refund_fen', 'refund_route']).where('card_id', '=', card.id).execute()).toEqual([{ refund_fen: 11_000, refund_route: 'outlet' }]);
    await page.getByTestId('return-close').click();
    await page.getByTestId('return-modal').waitFor({ state: 'detached' });
    await page.getByTestId('card-detail-status').getByText('已退卡').waitFor();
  });

  it('a card whose replacement is under way is not returned, in Chinese and English; card managers and returned cards get no button', async () => {
    const { t } = e2e;
    t.clock.set('2026-11-23T04:00:00Z');
    const school = await t.factory.newSchool({ name: '补换退卡高中', stage: 'high' });
    const student = await t.factory.newStudent({ schoolId: school.id, name: '孙补换' });
    await t.ctx.db.updateTable('students').set({ must_change_password: false }).where('id', '=', student.id).execute();
    const sticker = await t.factory.newCard(student.id, { product: 'k12_sticker' });
    await fund(t, sticker.id, 1_200);
    const studentToken = await t.factory.loginAs('student', student.education_id, student.password);
    await apiAs(e2e, studentToken, 'POST', '/fulfilment/applications', {
      kind: 'sticker', reason: 'damaged', name: '孙补换', idType: 'resident_id', idNumber: student.id_number, educationId: student.education_id, cardId: sticker.id, delivery: { method: 'school' },
    });

    // A card manager of the school: the card is theirs to see, but 退卡 is not theirs to do.
    const manager = await t.factory.newStaff('school_admin', { schoolId: school.id });
    const managerPage = await signInToConsole(e2e, manager);
    await managerPage.goto(url(`/admin/cards/${sticker.id}`));
    await managerPage.getByTestId('card-detail-status').getByText('正常').waitFor();
    await managerPage.getByTestId('card-loss').waitFor(); // the actions are drawn
    expect(await managerPage.getByTestId('card-return').count()).toBe(0);

    const operator = await t.factory.newStaff('operator');
    const page = await signInToConsole(e2e, operator);
    const keys = returnKeys(page, sticker.id);
    await page.goto(url(`/admin/cards/${sticker.id}`));
    // The quote does not load (the connection drops, each automatic retry too): the modal says so and offers a retry.
    let dropped = 0;
    await page.route(`**/api/v1/cards/${sticker.id}/return`, (route) => (route.request().method() === 'GET' && dropped++ < 3 ? route.abort('connectionreset') : route.continue()));
    await page.getByTestId('card-return').click();
    const modal = page.getByTestId('return-modal');
    await modal.getByTestId('load-error').getByText('网络连接失败', { exact: false }).waitFor();
    expect(await page.getByTestId('return-submit').isDisabled()).toBe(true);
    await modal.getByRole('button', { name: /重\s*试/ }).click();
    const blocked = page.getByTestId('return-blocked');
    await blocked.waitFor();
    expect(await blocked.getAttribute('data-code')).toBe('FULFILMENT_APPLICATION_OPEN');
    await blocked.getByText('该卡有办理中的补卡（补换卡贴）申请，不能退卡', { exact: false }).waitFor();
    expect(await page.getByTestId('return-modal').getAttribute('data-returnable')).toBe('false');
    expect(await page.getByTestId('return-total').textContent()).toBe('¥12.00');
    expect(await page.getByTestId('return-checked').count()).toBe(0);
    expect(await page.getByTestId('return-submit').isDisabled()).toBe(true);
    await page.unroute(`**/api/v1/cards/${sticker.id}/return`);
    expect(dropped).toBe(4);
    await e2e.screenshot(page, 'admin-card-return-blocked');
    await page.locator('.ant-modal-close').click();
    await page.getByTestId('return-modal').waitFor({ state: 'detached' });

    await page.getByText('English', { exact: true }).click();
    await page.getByTestId('card-return').getByText('Return card').waitFor();
    await page.getByTestId('card-return').click();
    await page.getByTestId('return-blocked').getByText('This card has a replacement application in progress, so it cannot be returned', { exact: false }).waitFor();
    // Not topped up online: it would be paid at the outlet, and the console says why.
    await page.getByTestId('return-route').getByText('Paid at the outlet').waitFor();
    await page.getByTestId('return-route').getByText('Not all of it was topped up online', { exact: false }).waitFor();
    await page.locator('.ant-modal-close').click();
    expect(keys).toEqual([]);
    expect(await t.ctx.db.selectFrom('cards').select('status').where('id', '=', sticker.id).executeTakeFirstOrThrow()).toEqual({ status: 'active' });

    // Returned at another counter while this modal was open: the refusal says why, the quote follows,
    // and the page no longer offers the button.
    const other = await t.factory.newStudent({ schoolId: school.id, name: '周已退' });
    const returned = await t.factory.newCard(other.id);
    await page.goto(url(`/admin/cards/${returned.id}`));
    await page.getByTestId('card-return').click();
    await page.locator('[data-testid="return-modal"][data-returnable="true"]').waitFor();
    await apiAs(e2e, await t.factory.operatorToken(), 'POST', `/cards/${returned.id}/return`);
    await page.getByTestId('return-checked').click();
    await page.getByTestId('return-submit').click();
    await page.getByTestId('return-modal').getByText('The card was not returned').waitFor();
    await page.locator('[data-testid="return-modal"][data-returnable="false"]').waitFor();
    await page.getByTestId('return-blocked').getByText('The card’s status (Returned) does not allow a return').waitFor();
    expect(await page.getByTestId('return-submit').isDisabled()).toBe(true);
    await page.getByTestId('card-detail-status').getByText('Returned').waitFor();
    await page.locator('.ant-modal-close').click();
    await page.getByTestId('return-modal').waitFor({ state: 'detached' });
    expect(await page.getByTestId('card-return').count()).toBe(0);
    expect(await t.ctx.db.selectFrom('card_returns').select('returned_by_role').where('card_id', '=', returned.id).execute()).toHaveLength(1);
  });
});
