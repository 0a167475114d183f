import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { generateCardNo } from '../../src/domain/card-numbers.js';
import { newPhone, purseFen } from '../api/ecards-support.js';
import { fund } from '../support/money.js';
import { describeE2E, signInToApp, useE2E } from './support.js';

/**
 * A parent opens a K-12 NFC e-card for a 12-year-old in the app — the phone check first refuses
 * an old Huawei Wallet and says so, then passes; school, real-name, guardian consent (under 14),
 * the agreement; the physical card is superseded — and after the summer's promotion does the
 * 小升初 upgrade: re-verified, a middle-school card with the balance moved. Needs `npm run build:web`.
 */

describeE2E('K-12 e-card opening and 小升初 upgrade in Chromium', () => {
  const e2e = useE2E();

  const url = (path: string) => `${e2e.baseUrl}${path}`;
  const input = (page: Page, testId: string) => page.getByTestId(testId).locator('input');


  it('a parent opens the e-card for a primary pupil, then does the 小升初 upgrade', async () => {
    const { t } = e2e;
    const primary = await t.factory.newSchool({ stage: 'primary', name: '海淀实验小学' });
    const child = await t.factory.newStudent({ schoolId: primary.id, name: '周小舟', birthDate: '2014-03-15' });
    const physical = await t.factory.newCard(child.id);
    const parent = await t.factory.newParent({ children: [child.id], password: 'Parent2026' });
    await t.ctx.db.updateTable('parents').set({ must_change_password: false }).where('id', '=', parent.id).execute();

    const page = await signInToApp(e2e, { as: 'parent', login: parent.phone, password: 'Parent2026' });
    // The home page's services lead to the e-cards; nothing there says services are "coming soon".
    expect(await page.getByText('即将开放').count()).toBe(0);
    await page.getByTestId('home-ecards').click();
    await page.waitForURL(url('/ecards'));
    await page.getByTestId('ecards-empty').waitFor();
    await page.getByTestId('ecards-open-k12').click();
    await page.waitForURL(url('/ecards/k12/open'));

    // 机型检测: an old Huawei Wallet is refused, with the reason and the version asked for.
    await input(page, 'phone-model').fill('HUAWEI Mate 40 Pro');
    await input(page, 'phone-os-version').fill('3.0.0');
    await input(page, 'phone-wallet-version').fill('9.0.12.1');
    await page.getByTestId('phone-check').click();
    await page.locator('[data-testid="phone-result"][data-eligible="false"]').waitFor();
    const problem = page.getByTestId('phone-problem');
    await expect(problem.getAttribute('data-reason')).resolves.toBe('WALLET_TOO_OLD');
    await expect(problem.textContent()).resolves.toContain('华为钱包版本须为 9.0.13.304 及以上（当前 9.0.12.1）');
    await e2e.screenshot(page, 'ecard-phone-refused');
    await input(page, 'phone-wallet-version').fill('9.0.13.304');
    await page.getByTestId('phone-check').click();
    await page.locator('[data-testid="phone-result"][data-eligible="true"]').waitFor();
    await page.getByTestId('phone-continue').click();

    // 选择学校
    await input(page, 'school-search').fill('海淀实验');
    await page.getByTestId('school-option').filter({ hasText: '海淀实验小学' }).click();

    // 实名认证: a typo first would only be caught by the server; type the roster's details.
    await input(page, 'realname-name').fill('周小舟');
    await input(page, 'realname-id-number').fill(child.id_number);
    await input(page, 'realname-education-id').fill(child.education_id);
    await page.getByTestId('realname-next').click();

    // 监护人同意: the child is 12; the parent consents here.
    await page.locator('[data-testid="consent-step"][data-ok="false"]').waitFor();
    await page.getByTestId('consent-give').click();
    await page.locator('[data-testid="consent-step"][data-ok="true"]').waitFor();
    await page.getByTestId('consent-next').click();

    // 用户协议, then open.
    await page.getByTestId('agreement').getByText('北京市电子学生卡用户协议').waitFor();
    await expect(page.getByTestId('open-submit').isDisabled()).resolves.toBe(true);
    await page.getByTestId('agreement-accept').click();
    await e2e.screenshot(page, 'ecard-agreement');
    await page.getByTestId('open-submit').click();
    await page.getByTestId('open-result').waitFor();
    await page.getByTestId('open-superseded').waitFor();
    await expect(page.getByTestId('card-face').getAttribute('data-status')).resolves.toBe('active');
    await expect(page.getByTestId('face-holder').textContent()).resolves.toBe('周**');
    await e2e.screenshot(page, 'ecard-opened');

    const ecard = await t.ctx.db.selectFrom('cards').selectAll().where('student_id', '=', child.id).where('product', '=', 'k12_ecard').executeTakeFirstOrThrow();
    expect(ecard).toMatchObject({ status: 'active', stage: 'primary', device: { model: 'HUAWEI Mate 40 Pro', walletVersion: '9.0.13.304' } });
    expect((await t.ctx.db.selectFrom('cards').select('status').where('id', '=', physical.id).executeTakeFirstOrThrow()).status).toBe('superseded');

    // The e-card in daily use: money on it (as a settled top-up leaves it).
    await fund(t, ecard.id, 6_600);

    await page.getByTestId('open-done').click();
    await page.waitForURL(url('/ecards'));
    await expect.poll(() => page.getByTestId('ecard-item').count()).toBe(1);
    expect(await page.getByTestId('upgrade-due').count()).toBe(0);
    // Its page names the phone's system as it is written (HarmonyOS), not the code harmonyos.
    await page.goto(url(`/cards/${ecard.id}`));
    await expect.poll(() => page.getByTestId('detail-device').textContent()).toBe('HUAWEI Mate 40 Pro · HarmonyOS 3.0.0');
    await page.goto(url('/ecards'));
    await expect.poll(() => page.getByTestId('ecard-item').count()).toBe(1);

    // Summer: the roster promotes the child to a middle school (小升初).
    const middle = await t.factory.newSchool({ stage: 'middle', name: '海淀实验中学' });
    await t.factory.newSchool({ stage: 'middle', name: '海淀实验第二中学' });
    await t.ctx.db.updateTable('students').set({ school_id: middle.id, stage: 'middle' }).where('id', '=', child.id).execute();
    await page.reload();
    await page.getByTestId('upgrade-due').getByText('已升学，请办理小升初升级').waitFor();
    await e2e.screenshot(page, 'ecard-upgrade-due');
    await page.getByTestId('action-upgrade').click();
    await page.waitForURL(url(`/ecards/${ecard.id}/upgrade`));

    // 选择学校: only middle schools are offered (not the old primary school); one the roster does not name is refused.
    await input(page, 'school-search').fill('海淀实验');
    await page.getByTestId('school-option').filter({ hasText: '海淀实验第二中学' }).waitFor();
    expect(await page.getByTestId('school-option').filter({ hasText: '海淀实验小学' }).count()).toBe(0);
    await page.getByTestId('school-option').filter({ hasText: '海淀实验第二中学' }).click();
    await expect(page.getByTestId('upgrade-school').textContent()).resolves.toBe('海淀实验第二中学');
    await input(page, 'upgrade-name').fill('周小舟');
    await input(page, 'upgrade-id-number').fill(child.id_number);
    await input(page, 'upgrade-education-id').fill(child.education_id);
    await page.getByTestId('upgrade-submit').click();
    await page.locator('.adm-toast-main').getByText('所选学校与学籍信息不一致', { exact: false }).waitFor();
    await page.getByTestId('upgrade-change-school').click();
    await input(page, 'school-search').fill('海淀实验中学');
    await page.getByTestId('school-option').filter({ hasText: '海淀实验中学' }).click();
    await page.locator('.adm-toast-main').waitFor({ state: 'detached' });
    await e2e.screenshot(page, 'ecard-upgrade-form');
    await expect(page.getByTestId('upgrade-kind').textContent()).resolves.toBe('小升初');

    // Re-verified: a wrong education ID is refused by the roster check, the right one passes.
    await input(page, 'upgrade-name').fill('周小舟');
    await input(page, 'upgrade-id-number').fill(child.id_number);
    await input(page, 'upgrade-education-id').fill('99999999');
    await page.getByTestId('upgrade-submit').click();
    await page.locator('.adm-toast-main').getByText('实名信息核验未通过', { exact: false }).waitFor();
    await input(page, 'upgrade-education-id').fill(child.education_id);
    await page.getByTestId('upgrade-submit').click();
    await page.getByTestId('upgrade-result').waitFor();
    await expect(page.getByTestId('upgrade-result').textContent()).resolves.toContain('已升级为初中电子学生卡，余额 ¥66.00 已转入新卡');
    await expect(page.getByTestId('face-school').textContent()).resolves.toBe('海淀实验中学');
    await e2e.screenshot(page, 'ecard-upgraded');

    const cards = await t.ctx.db.selectFrom('cards').selectAll().where('student_id', '=', child.id).where('product', '=', 'k12_ecard').orderBy('created_at').execute();
    expect(cards.map((c) => [c.status, c.stage])).toEqual([['replaced', 'primary'], ['active', 'middle']]);
    expect(cards[1]!.replaces_card_id).toBe(ecard.id);
    expect(await purseFen(t, cards[1]!.id)).toBe(6_600);
    expect(await purseFen(t, ecard.id)).toBe(0);

    await page.getByTestId('upgrade-done').click();
    await page.locator(`[data-testid="ecard-item"][data-stage="middle"][data-status="active"]`).waitFor();
    expect(await page.getByTestId('upgrade-due').count()).toBe(0);
  });

  it('a student reports the phone lost and moves the e-card to a new iPhone, balance and all', async () => {
    const { t } = e2e;
    const school = await t.factory.newSchool({ stage: 'high', name: '北京四中测试' });
    const student = await t.factory.newStudent({ schoolId: school.id, name: '陈一鸣', birthDate: '2009-04-02', password: 'Student2026' });
    await t.ctx.db.updateTable('students').set({ must_change_password: false }).where('id', '=', student.id).execute();
    const opened = await t.app.inject({
      method: 'POST', url: '/api/v1/ecards/k12', headers: { authorization: `Bearer ${await t.factory.loginAs('student', student.education_id, 'Student2026')}` },
      payload: { studentId: student.id, schoolId: school.id, name: student.name, idNumber: student.id_number, educationId: student.education_id, agreementVersion: '2026-09', agreementAccepted: true,
        phone: { brand: 'xiaomi', model: '小米12 Pro', os: 'android', osVersion: '13', nfcEnabled: true, xiaomiChannel: 'stable', walletVersion: '21.08.09.1', appVersion: '6.0.0.1' } },
    });
    expect(opened.statusCode, opened.body).toBe(201);
    const cardId = opened.json().card.id as string;
    await fund(t, cardId, 2_345);

    const page = await signInToApp(e2e, { as: 'student', login: student.education_id, password: 'Student2026' });
    await page.goto(url('/ecards'));
    await page.getByTestId('action-lost').click();
    await page.locator('.adm-dialog').getByText('立即挂失').click();
    await page.getByTestId('ecard-suspended').waitFor();
    await page.getByTestId('action-move').click();
    await page.waitForURL(url(`/ecards/${cardId}/move`));

    await page.getByTestId('phone-brand').getByText('苹果').click();
    await input(page, 'phone-model').fill('iPhone 6s');
    await input(page, 'phone-os-version').fill('15.8');
    await page.getByTestId('phone-check').click();
    await expect(page.getByTestId('phone-problem').getAttribute('data-reason')).resolves.toBe('MODEL_NOT_SUPPORTED');
    await input(page, 'phone-model').fill('iPhone 13 mini');
    await page.getByTestId('phone-check').click();
    await page.locator('[data-testid="phone-result"][data-eligible="true"]').waitFor();
    await page.getByTestId('phone-continue').click();
    await page.getByTestId('move-result').getByText('余额 ¥23.45 已转入新卡').waitFor();
    await e2e.screenshot(page, 'ecard-moved');

    const cards = await t.ctx.db.selectFrom('cards').selectAll().where('student_id', '=', student.id).orderBy('created_at').execute();
    expect(cards.map((c) => c.status)).toEqual(['replaced', 'active']);
    expect(cards[1]!.device).toMatchObject({ model: 'Apple iPhone 13 mini', os: 'ios' });
    expect(await purseFen(t, cards[1]!.id)).toBe(2_345);
  });

  it('a university student links the interoperable card, then returns it with a refund at the outlet', async () => {
    const { t } = e2e;
    const school = await t.factory.newSchool({ stage: 'university', name: '北京交通大学测试' });
    await t.ctx.db.insertInto('ecard_partner_schools').values({ school_id: school.id, partnered_since: t.clock.now(), added_by: null }).execute();
    const student = await t.factory.newStudent({ schoolId: school.id, name: '林书言', birthDate: '2004-10-10', password: 'Student2026' });
    await t.ctx.db.updateTable('students').set({ must_change_password: false, student_no: '21251234' }).where('id', '=', student.id).execute();
    const page = await signInToApp(e2e, { as: 'student', login: student.education_id, password: 'Student2026' });
    await page.goto(url('/ecards/university/link'));

    await input(page, 'phone-model').fill('HUAWEI Mate 50 Pro');
    await input(page, 'phone-os-version').fill('3.0.0');
    await input(page, 'phone-wallet-version').fill('12.0.1.300');
    await page.getByTestId('phone-check').click();
    await page.getByTestId('phone-continue').click();
    const interop = generateCardNo('interoperable');
    // Typed as printed, in groups of four: the spaces are dropped, not the last digits.
    await input(page, 'link-interop').fill(interop.replace(/(\d{4})(?=\d)/g, '$1 '));
    expect(await input(page, 'link-interop').inputValue()).toContain(' ');
    // Their own school is chosen already (no 请选择学校 for a school drawn but not picked).
    await expect.poll(() => page.getByTestId('link-school').locator('.adm-selector-item-active').allTextContents()).toEqual(['北京交通大学测试']);
    await input(page, 'link-name').fill('林书言');
    await input(page, 'link-student-no').fill('21251234');
    await input(page, 'link-id-number').fill(student.id_number);
    await page.getByTestId('link-submit').click();
    await page.getByTestId('link-result').getByText('电子学生卡有效期至 2027-09-30').waitFor();
    await expect(page.getByTestId('face-school').textContent()).resolves.toBe('北京交通大学测试');
    await e2e.screenshot(page, 'ecard-university-linked');

    const card = await t.ctx.db.selectFrom('cards').selectAll().where('student_id', '=', student.id).executeTakeFirstOrThrow();
    expect(card).toMatchObject({ product: 'university_ecard', linked_card_no: interop, valid_until: '2027-09-30' });
    await fund(t, card.id, 30_000);
    await page.goto(url(`/ecards/university/${card.id}`));
    await page.getByTestId('extension').getByText('2027-07-30 起可办理延期').waitFor();

    // The phone is lost: reported, then a new phone links its own interoperable card (seed 003).
    await page.goto(url('/ecards'));
    await page.getByTestId('action-lost').click();
    await page.locator('.adm-dialog').getByText('立即挂失').click();
    await page.getByTestId('ecard-suspended-hint').getByText('找回手机可点', { exact: false }).waitFor();
    const relinked = await t.app.inject({
      method: 'POST', url: '/api/v1/ecards/university', headers: { authorization: `Bearer ${await t.factory.loginAs('student', student.education_id, 'Student2026')}` },
      payload: { studentId: student.id, schoolId: school.id, interopCardNo: generateCardNo('interoperable'), name: '林书言', studentNo: '21251234', idNumber: student.id_number,
        phone: newPhone },
    });
    expect(relinked.statusCode, relinked.body).toBe(201);
    await page.reload();
    // The old card cannot be found again; its balance comes back by returning it.
    const old = page.locator(`[data-testid="ecard-item"][data-card-id="${card.id}"]`);
    await old.getByTestId('ecard-suspended-hint').getByText('本卡余额 ¥300.00 请通过', { exact: false }).waitFor();
    expect(await old.getByTestId('action-found').count()).toBe(0);
    await e2e.screenshot(page, 'ecard-university-relinked');
    await old.getByTestId('action-university').click();
    await page.waitForURL(url(`/ecards/university/${card.id}`));
    await page.getByTestId('return-submit').click();
    await page.locator('.adm-dialog').getByText('确定', { exact: true }).click();
    await page.getByTestId('return-result').getByText('余额 ¥300.00 超过 200 元，请到北京一卡通自营服务网点办理退资').waitFor();
    await e2e.screenshot(page, 'ecard-university-returned');
    expect((await t.ctx.db.selectFrom('cards').select('status').where('id', '=', card.id).executeTakeFirstOrThrow()).status).toBe('returned');

    // Later, the returned card's page still says where the balance stands and what to bring.
    await page.goto(url(`/cards/${card.id}`));
    await expect(page.getByTestId('balance-refund-amount').textContent()).resolves.toBe('¥300.00');
    await expect(page.getByTestId('balance-refund-status').getAttribute('data-status')).resolves.toBe('awaiting_outlet');
    await expect(page.getByTestId('balance-refund-note').textContent()).resolves.toContain('身份证件到服务网点领取');
    await e2e.screenshot(page, 'ecard-university-balance-refund');
  });
});
