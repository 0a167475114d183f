import { expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { maskCardNo } from '../../src/domain/masking.js';
import { accountCodes, ensureAccount, findAccountByCode, postTransaction } from '../../src/modules/ledger/ledger.js';
import { systemActor } from '../../src/platform/audit.js';
import { inTransaction } from '../../src/platform/db/database.js';
import { newId } from '../../src/platform/ids.js';
import { enqueueCardAction } from '../../src/modules/transit/action-list.js';
import { describeE2E, signInToApp, useE2E } from './support.js';

/**
 * Fixes from walking the app as real users (the UX review): a page opened for one card acts on
 * that card only, a campus card's page says nothing of transit, siblings are told apart, the
 * English app has no Chinese left in it, single choices stay chosen. Needs `npm run build:web` first.
 */
describeE2E('app: the UX review’s fixes in Chromium', () => {
  const e2e = useE2E();
  const url = (path: string) => `${e2e.baseUrl}${path}`;

  /** A parent (password changed) of two children at two schools, each with an active card. */
  async function siblings() {
    const east = await e2e.t.factory.newSchool({ stage: 'primary', name: '北京市朝阳区实验小学' });
    const west = await e2e.t.factory.newSchool({ stage: 'middle', name: '北京市海淀区第一中学' });
    const older = await e2e.t.factory.newStudent({ name: '张小明', birthDate: '2012-05-01', schoolId: west.id });
    const younger = await e2e.t.factory.newStudent({ name: '张小红', birthDate: '2016-06-01', schoolId: east.id });
    for (const [student, grade, classNo] of [[older, 8, '03'], [younger, 3, '02']] as const) {
      const classId = newId();
      await e2e.t.ctx.db.insertInto('classes').values({ id: classId, school_id: student.school_id, grade, class_no: classNo }).execute();
      await e2e.t.ctx.db.updateTable('students').set({ class_id: classId }).where('id', '=', student.id).execute();
    }
    const olderCard = await e2e.t.factory.newCard(older.id, { validUntil: '2029-08-31' });
    const youngerCard = await e2e.t.factory.newCard(younger.id, { validUntil: '2029-08-31' });
    const parent = await e2e.t.factory.newParent({ children: [older.id, younger.id], password: 'Parent2026' });
    await e2e.t.ctx.db.updateTable('parents').set({ must_change_password: false }).where('id', '=', parent.id).execute();
    return { east, west, older, younger, olderCard, youngerCard, parent };
  }
  const signInParent = (parent: { phone: string }) => signInToApp(e2e, { as: 'parent', login: parent.phone, password: 'Parent2026' });

  it('a lost card’s top-up page says it cannot be topped up and what to do, never the sibling’s card; the lost card offers no extension', async () => {
    const { olderCard, youngerCard, parent } = await siblings();
    await e2e.t.ctx.db.updateTable('cards').set({ status: 'lost' }).where('id', '=', olderCard.id).execute();
    const page = await signInParent(parent);

    await page.goto(url(`/cards/${olderCard.id}/top-up`));
    const blocked = page.locator('[data-testid="topup-card-blocked"][data-reason="lost"]');
    await blocked.getByText('挂失中不能充值').first().waitFor();
    await expect(page.getByTestId('topup-card-blocked-todo').textContent()).resolves.toContain('解挂');
    // Only the lost card is on the page, and nothing can be paid.
    await expect(page.getByTestId('topup-card').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-card-id')))).resolves.toEqual([olderCard.id]);
    expect(await page.getByTestId('topup-submit').count()).toBe(0);
    await e2e.screenshot(page, 'app-ux-topup-lost');
    await page.getByTestId('topup-back-to-card').click();
    await page.waitForURL(url(`/cards/${olderCard.id}`));

    // The card page: 公交有效性 as the replacement wizard says it; no 卡片延期 for a lost card.
    await expect.poll(() => page.getByTestId('detail-status').textContent()).toBe('已挂失');
    await expect(page.getByTestId('detail-transit').textContent()).resolves.toBe('有效卡');
    await page.getByTestId('action-unloss').waitFor();
    expect(await page.getByTestId('action-extend').count()).toBe(0);

    // The sibling's own page tops up that card, and only it.
    await page.goto(url(`/cards/${youngerCard.id}/top-up`));
    await page.getByTestId('topup-submit').waitFor();
    await expect(page.getByTestId('topup-card').evaluateAll((cards) => cards.map((c) => [c.getAttribute('data-card-id'), c.getAttribute('aria-pressed')]))).resolves.toEqual([[youngerCard.id, 'true']]);
    await page.goto(url(`/cards/${youngerCard.id}`));
    await page.getByTestId('action-extend').waitFor();
  });
  it('a campus card’s page says nothing of transit: no 公交有效性, no amount waiting for a terminal, no trips', async () => {
    const school = await e2e.t.factory.newSchool({ stage: 'university', name: '端到端交通大学' });
    const student = await e2e.t.factory.newStudent({ name: '周晓东', schoolId: school.id, password: 'Student2026' });
    await e2e.t.ctx.db.updateTable('students').set({ must_change_password: false }).where('id', '=', student.id).execute();
    const card = await e2e.t.factory.newCard(student.id, { product: 'campus_card' });
    // Even an action-list entry left from before (campus top-ups no longer make them) is not talked about.
    await inTransaction(e2e.t.ctx.db, (tx) => enqueueCardAction(tx, e2e.t.clock, { cardId: card.id, kind: 'top_up', amountFen: 20_000, source: 'test:left-over' }));
    const page = await signInToApp(e2e, { as: 'student', login: student.education_id, password: 'Student2026' });
    await page.goto(url(`/cards/${card.id}`));
    await expect.poll(() => page.getByTestId('detail-status').textContent()).toBe('正常');
    await page.getByTestId('action-transactions').waitFor();
    await expect(page.getByTestId('face-valid-until').textContent()).resolves.toBe('长期有效');
    expect(await page.getByTestId('detail-transit').count()).toBe(0);
    expect(await page.getByTestId('detail-pending-top-up').count()).toBe(0);
    expect(await page.getByTestId('action-trips').count()).toBe(0);
    const text = (await page.locator('body').textContent()) ?? '';
    for (const word of ['公交', '地铁', '乘车', '无效卡']) expect(text).not.toContain(word);
    await e2e.screenshot(page, 'app-ux-campus-card');
  });
  it('siblings whose masked names are alike are told apart by school, class and card wherever the parent sees or picks one', async () => {
    const { olderCard, youngerCard, parent } = await siblings();
    const mingTag = '北京市海淀区第一中学 · 8年级03班';
    const hongTag = '北京市朝阳区实验小学 · 3年级02班';
    const page = await signInParent(parent);

    // 待办: both cards are low; each line says whose.
    const todos = page.locator('[data-testid="todo"][data-kind="low_balance"]');
    await expect.poll(() => todos.count()).toBe(2);
    const todoTexts = await todos.allTextContents();
    expect(todoTexts.some((text) => text.includes(mingTag) && text.includes(olderCard.card_no.slice(-3)))).toBe(true);
    expect(todoTexts.some((text) => text.includes(hongTag) && text.includes(youngerCard.card_no.slice(-3)))).toBe(true);

    // 卡片: each child's group.
    await page.goto(url('/cards'));
    await expect.poll(() => page.getByTestId('child-cards-holder').allTextContents()).toEqual([` · ${mingTag}`, ` · ${hongTag}`]);

    // 充值's chooser: school, class and the masked number on each card.
    await page.goto(url('/top-up'));
    await expect.poll(async () => (await page.getByTestId('topup-card-holder').allTextContents()).sort()).toEqual([`${mingTag} · ${maskCardNo(olderCard.card_no)}`, `${hongTag} · ${maskCardNo(youngerCard.card_no)}`].sort());

    // 我的订单: whose order, for which card.
    const token = await e2e.t.factory.loginAs('parent', parent.phone, 'Parent2026');
    for (const card of [olderCard, youngerCard]) {
      const placed = await e2e.t.app.inject({ method: 'POST', url: '/api/v1/orders/top-up', headers: { authorization: `Bearer ${token}` }, payload: { cardId: card.id, amountFen: 5_000 } });
      expect(placed.statusCode, placed.body).toBe(201);
    }
    await page.goto(url('/orders'));
    await expect.poll(async () => (await page.getByTestId('order-holder').allTextContents()).sort()).toEqual(
      [`张** · ${mingTag} · ${maskCardNo(olderCard.card_no)}`, `张** · ${hongTag} · ${maskCardNo(youngerCard.card_no)}`].sort(),
    );

    // 开通中小学电子学生卡's 为谁办理.
    await page.goto(url('/ecards/k12/open'));
    const choice = page.getByTestId('ecard-holder');
    await choice.getByText(mingTag).waitFor();
    await choice.getByText(hongTag).waitFor();
    await e2e.screenshot(page, 'app-ux-siblings-ecard');
  });
  it('the English app shows order names and transaction memos in English, and no 小升初 in the services intro', async () => {
    const { olderCard, parent } = await siblings();
    const clearing = await ensureAccount(e2e.t.ctx.db, e2e.t.clock, { code: accountCodes.clearing('test'), type: 'gateway_clearing', actor: systemActor });
    const purse = await findAccountByCode(e2e.t.ctx.db, accountCodes.purse(olderCard.id));
    await postTransaction(e2e.t.ctx.db, e2e.t.clock, {
      idempotencyKey: `test-fund:${randomUUID()}`, type: 'top_up', actor: systemActor, memo: '充值 P20260101',
      postings: [{ accountId: clearing.id, debitFen: 1_000 }, { accountId: purse.id, creditFen: 1_000 }],
    });
    const token = await e2e.t.factory.loginAs('parent', parent.phone, 'Parent2026');
    const placed = await e2e.t.app.inject({ method: 'POST', url: '/api/v1/orders/top-up', headers: { authorization: `Bearer ${token}` }, payload: { cardId: olderCard.id, amountFen: 5_000 } });
    expect(placed.statusCode, placed.body).toBe(201);
    const page = await signInParent(parent);
    await page.evaluate(() => localStorage.setItem('onecard.lang', 'en'));

    await page.goto(url('/orders'));
    // The right single quote of "child’s" is drawn narrow by a Latin face, not full-width by a CJK one (as wide as 中).
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('en');
    const widths = await page.evaluate(() => Object.fromEntries(['’', '中', 's'].map((text) => {
      const span = document.createElement('span');
      span.textContent = text;
      document.body.append(span);
      const width = span.getBoundingClientRect().width;
      span.remove();
      return [text, width];
    })));
    expect(widths['’']!).toBeLessThan(widths['中']! * 0.5);
    expect(widths['’']!).toBeLessThan(widths.s!);
    await expect.poll(() => page.getByTestId('order-row-name').allTextContents()).toEqual(['Student card top-up']);
    await page.goto(url(`/orders/${placed.json().id}`));
    await expect.poll(() => page.getByTestId('order-item').textContent()).toBe('Student card top-up');
    await page.goto(url(`/cards/${olderCard.id}/transactions`));
    await expect.poll(() => page.getByTestId('tx-memo').allTextContents()).toEqual(['Top-up P20260101']);
    await page.goto(url('/k12-services'));
    await page.getByText('Pick a card', { exact: false }).waitFor();
    expect(await page.locator('body').textContent()).not.toMatch(/小升初|初升高/);
  });
  it('a university student is offered only the university e-card, and its page never asks for a parent’s children', async () => {
    const school = await e2e.t.factory.newSchool({ stage: 'university', name: '端到端高校' });
    await e2e.t.ctx.db.insertInto('ecard_partner_schools').values({ school_id: school.id, partnered_since: e2e.t.clock.now(), added_by: null }).execute();
    const student = await e2e.t.factory.newStudent({ name: '周晓东', schoolId: school.id, password: 'Student2026' });
    await e2e.t.ctx.db.updateTable('students').set({ must_change_password: false }).where('id', '=', student.id).execute();
    const page = await signInToApp(e2e, { as: 'student', login: student.education_id, password: 'Student2026' });
    const asked: string[] = [];
    page.on('request', (r) => asked.push(new URL(r.url()).pathname));

    await page.goto(url('/ecards'));
    await page.getByTestId('ecards-link-university').waitFor();
    expect(await page.getByTestId('ecards-open-k12').count()).toBe(0);
    await page.getByTestId('ecards-link-university').click();
    await page.waitForURL(url('/ecards/university/link'));
    // Eligible (a partner school): the phone check comes first.
    await page.locator('.adm-notice-bar').waitFor();
    expect(await page.getByTestId('university-ineligible').count()).toBe(0);
    expect(asked.filter((path) => path.endsWith('/me/children'))).toEqual([]);
  });
  it('tapping the chosen option of a single choice keeps it: the top-up amount, the replacement’s ID type', async () => {
    const { olderCard, parent } = await siblings();
    await e2e.t.ctx.db.updateTable('cards').set({ status: 'lost' }).where('id', '=', olderCard.id).execute();
    const page = await signInParent(parent);
    await page.goto(url('/top-up'));
    const fifty = page.getByTestId('topup-presets').getByText('¥50.00', { exact: true });
    await fifty.waitFor();
    await expect.poll(() => page.getByTestId('topup-submit').textContent()).toBe('确认充值 ¥50.00');
    await fifty.click();
    await expect.poll(() => page.getByTestId('topup-presets').locator('.adm-selector-item-active').allTextContents()).toEqual(['¥50.00']);
    await expect(page.getByTestId('topup-submit').textContent()).resolves.toBe('确认充值 ¥50.00');

    await page.goto(url(`/cards/${olderCard.id}/replace`));
    const resident = page.getByTestId('wizard-id-type').getByText('居民身份证', { exact: true });
    await resident.waitFor();
    await resident.click();
    await expect.poll(() => page.getByTestId('wizard-id-type').locator('.adm-selector-item-active').allTextContents()).toEqual(['居民身份证']);
  });
  it('smaller fixes: the chosen gateway survives the cashier, the e-card wizard’s phone step and child, no photo 404s, units and titles', async () => {
    const { olderCard, parent } = await siblings();
    const token = await e2e.t.factory.loginAs('parent', parent.phone, 'Parent2026');
    const placed = await e2e.t.app.inject({ method: 'POST', url: '/api/v1/orders/top-up', headers: { authorization: `Bearer ${token}` }, payload: { cardId: olderCard.id, amountFen: 5_000 } });
    expect(placed.statusCode, placed.body).toBe(201);
    const page = await signInParent(parent);
    const photoAnswers: number[] = [];
    page.on('response', (r) => { if (r.url().endsWith('/photo')) photoAnswers.push(r.status()); });

    // 微信 chosen, off to its cashier and back without paying: the order page still says 微信.
    await page.goto(url(`/orders/${placed.json().id}`));
    await page.getByTestId('gateway-choice').getByText('微信', { exact: true }).click();
    await page.getByTestId('pay-order').click();
    await page.waitForURL(/\/api\/v1\/sandbox\/wechat\/cashier\//);
    await page.goto(url(`/orders/${placed.json().id}`));
    await page.getByTestId('pay-order').waitFor();
    await expect.poll(() => page.getByTestId('gateway-choice').locator('.adm-list-item').filter({ has: page.locator('.adm-radio-checked') }).textContent()).toBe('微信');

    // The e-card wizard: the brand's label above its buttons, a HarmonyOS example version, the child fixed after the first step.
    await page.goto(url('/ecards/k12/open'));
    const brandItem = page.locator('.adm-list-item').filter({ has: page.getByTestId('phone-brand') });
    const [labelBox, buttonsBox] = [await brandItem.getByText('手机品牌').boundingBox(), await page.getByTestId('phone-brand').boundingBox()];
    expect(labelBox!.y).toBeLessThan(buttonsBox!.y);
    await expect(page.getByTestId('phone-os-version').locator('input').getAttribute('placeholder')).resolves.not.toBe('13.4');
    await page.getByTestId('ecard-holder').waitFor();
    await page.getByTestId('phone-model').locator('input').fill('HUAWEI Mate 40 Pro');
    await page.getByTestId('phone-os-version').locator('input').fill('3.0.0');
    await page.getByTestId('phone-wallet-version').locator('input').fill('9.0.13.304');
    await page.getByTestId('phone-check').click();
    await page.locator('[data-testid="phone-result"][data-eligible="true"]').waitFor();
    await page.getByTestId('phone-continue').click();
    await page.locator('[data-testid="open-steps"][data-step="school"]').waitFor();
    expect(await page.getByTestId('ecard-holder').count()).toBe(0);
    await page.getByTestId('ecard-holder-chosen').waitFor();

    // Pages with the children's photos: none yet, and no request fails for it.
    await page.goto(url('/me'));
    await page.getByTestId('children-list').getByTestId('photo-placeholder').first().waitFor();
    await page.goto(url(`/cards/${olderCard.id}`));
    await page.getByTestId('photo-placeholder').waitFor();
    expect(photoAnswers.length).toBeGreaterThan(0);
    expect(photoAnswers.filter((status) => status >= 400)).toEqual([]);

    // 余额提醒's amount says its unit; 自动充值's intro is in the descriptions' size.
    await page.goto(url(`/children/${olderCard.student_id}`));
    await page.getByTestId('balance-alert-switch').click();
    await page.getByTestId('balance-alert-unit').getByText('元').waitFor();
    const size = (testId: string) => page.getByTestId(testId).evaluate((el) => getComputedStyle(el).fontSize);
    const introSize = await size('auto-top-up-intro');
    expect(introSize).toBe(await page.locator('.adm-list-item-description').first().evaluate((el) => getComputedStyle(el).fontSize));
  });
  it('the extension page tells the card’s validity from the graduation date it is bounded by', async () => {
    const { olderCard, parent } = await siblings();
    const page = await signInParent(parent);
    await page.goto(url(`/cards/${olderCard.id}/extend`));
    await expect.poll(() => page.getByTestId('extension-valid-until').textContent()).toBe('2029-08-31');
    const current = page.locator('.adm-list-item').filter({ has: page.getByTestId('extension-valid-until') });
    await expect(current.textContent()).resolves.toContain('卡片当前有效期');
    // 张小明, grade 8 of a middle school: graduates (leaves the stage) on 31 August after grade 9.
    const graduation = page.locator('.adm-list-item').filter({ has: page.getByTestId('extension-graduation') });
    await expect(graduation.textContent()).resolves.toContain('最晚到毕业时间');
  });
});
