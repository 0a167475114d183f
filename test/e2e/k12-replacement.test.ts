import { expect, it } from 'vitest';
import { purseFen } from '../api/ecards-support.js';
import { fund } from '../support/money.js';
import { describeE2E, pressDialogOk, signInToApp, signInToConsole, useE2E } from './support.js';

/**
 * The whole K-12 card replacement in Chromium against the real server and its sandbox gateway:
 * the parent reports the loss, applies (identity check, masked card information, delivery to
 * school), pays the ¥15 fee at the sandbox cashier and confirms the card information in the app;
 * the operator makes the production batch, downloads the printer's file, marks it produced and
 * dispatches it in the console; the school card manager confirms the parcel and the pickup. The
 * new card is active, the old one replaced, and after the settlement window the old balance is on
 * the new card. Needs `npm run build:web` first.
 */
describeE2E('K-12 card replacement, app and console', () => {
  const e2e = useE2E();

  const url = (path: string) => `${e2e.baseUrl}${path}`;

  it('loss → apply → pay in the sandbox → batch → delivery → pickup → new card active, balance moved', async () => {
    const { t } = e2e;
    const school = await t.factory.newSchool({ stage: 'middle', name: '端到端补卡中学' });
    const student = await t.factory.newStudent({ schoolId: school.id, name: '补小卡' });
    const card = await t.factory.newCard(student.id);
    const parent = await t.factory.newParent({ children: [student.id], password: 'Parent2026' });
    await t.ctx.db.updateTable('parents').set({ must_change_password: false }).where('id', '=', parent.id).execute();
    const manager = await t.factory.newStaff('school_admin', { schoolId: school.id });
    const operator = await t.factory.newStaff('operator');
    await t.ctx.db.updateTable('staff_users').set({ must_change_password: false }).where('id', 'in', [manager.id, operator.id]).execute();
    // ¥42.00 on the old card, as a top-up would have put it there.
    await fund(t, card.id, 4_200);

    // The app: 挂失 on the card's page.
    const parentAccount = { as: 'parent', login: parent.phone, password: 'Parent2026' } as const;
    const app = await signInToApp(e2e, parentAccount);
    await app.goto(url(`/cards/${card.id}`));
    await app.getByTestId('action-loss').click();
    await app.locator('.adm-dialog-button-bold').click();
    await expect.poll(() => app.getByTestId('detail-status').textContent()).toContain('挂失');

    // 卡片补办: 填写信息 → the masked card information → 配送到校 → the application.
    await app.getByTestId('action-replace').click();
    await app.waitForURL(url(`/cards/${card.id}/replace`));
    await app.getByTestId('wizard-name').locator('input').fill('补小卡');
    await app.getByTestId('wizard-education-id').locator('input').fill(student.education_id);
    // A typo in the ID number's check digit is caught in the app (GB 11643), before any identity check is sent.
    const verifyCalls: string[] = [];
    app.on('request', (request) => { if (request.url().endsWith('/api/v1/fulfilment/verify')) verifyCalls.push(request.url()); });
    const typo = student.id_number.slice(0, 17) + (student.id_number.endsWith('0') ? '1' : '0');
    await app.getByTestId('wizard-id-number').locator('input').fill(typo);
    await app.getByTestId('wizard-verify').click();
    await app.getByText('身份证号校验位不正确', { exact: false }).waitFor();
    expect(verifyCalls).toEqual([]);
    await app.getByTestId('wizard-id-number').locator('input').fill(student.id_number);
    await app.getByTestId('wizard-verify').click();
    await app.getByTestId('wizard-card-info').waitFor();
    expect(verifyCalls).toHaveLength(1);
    await expect(app.getByTestId('wizard-card-name').textContent()).resolves.toBe('补**');
    await expect(app.getByTestId('wizard-hold-status').textContent()).resolves.toBe('待补卡');
    // The Beijing-tong number masked as everywhere else; the child's own school whole; 类别 explained; no empty 一卡通号 row.
    await expect(app.getByTestId('wizard-card-no').textContent()).resolves.toBe(`${card.card_no.slice(0, 2)}${'*'.repeat(card.card_no.length - 5)}${card.card_no.slice(-3)}`);
    await expect(app.getByTestId('wizard-school').textContent()).resolves.toBe('端到端补卡中学');
    await expect(app.getByTestId('wizard-category').textContent()).resolves.toBe('2（初中）');
    expect(await app.getByTestId('wizard-yikatong-no').count()).toBe(0);
    expect(await app.getByTestId('wizard-card-info').textContent()).not.toContain(card.card_no);
    await e2e.screenshot(app, 'k12-replacement-card-info');
    await app.getByTestId('wizard-apply').click();
    await app.getByTestId('delivery-school').click();
    await app.getByTestId('delivery-submit').click();
    await app.waitForURL(/\/card-applications\/[0-9a-f-]{36}$/);
    const applicationId = app.url().split('/').pop()!;
    await app.locator('[data-testid="application"][data-status="awaiting_payment"]').waitFor();

    // 中小学生服务 no longer offers 补办 for this card, but its progress.
    await app.goto(url('/k12-services'));
    const cardServices = app.locator(`[data-testid="k12-services-card"][data-card-id="${card.id}"]`);
    await cardServices.getByTestId('k12-service-replace-progress').click();
    await app.waitForURL(url(`/card-applications/${applicationId}`));
    await app.goBack();
    await cardServices.getByTestId('k12-service-replace-progress').waitFor();
    expect(await cardServices.getByTestId('k12-service-replace').count()).toBe(0);
    await app.goto(url(`/card-applications/${applicationId}`));
    await app.locator('[data-testid="application"][data-status="awaiting_payment"]').waitFor();

    // 补卡缴费 at the sandbox's Alipay cashier.
    await app.getByTestId('application-pay').click();
    await app.waitForURL(/\/orders\/[0-9a-f-]{36}$/);
    await app.getByTestId('pay-order').click();
    await app.waitForURL(/\/api\/v1\/sandbox\/alipay\/cashier\//);
    await app.getByRole('button', { name: '确认支付' }).click();
    await app.getByRole('heading', { name: '支付成功' }).waitFor();
    await app.getByRole('link', { name: '返回商户' }).click();
    await app.locator('[data-testid="pay-result"][data-outcome="paid"]').waitFor();
    // The fee's result page leads to the application it paid for (办理进度).
    await app.getByTestId('result-application').click();
    await app.waitForURL(url(`/card-applications/${applicationId}`));
    await app.locator('[data-testid="application"][data-status="ready_for_production"]').waitFor();
    // The delivery section is headed 配送信息, not 配送方式 again above its 配送方式 line.
    await app.locator('.adm-list-header').getByText('配送信息', { exact: true }).waitFor();
    expect(await app.locator('.adm-list-header').getByText('配送方式', { exact: true }).count()).toBe(0);
    await expect(app.getByTestId('application-ready-date').textContent()).resolves.toBe('2026-12-21');

    // 制卡信息确认 in the app, once the school has taken the photo.
    await t.factory.givePhoto(student.id);
    await app.goto(url(`/students/${student.id}/card-info`));
    await app.getByTestId('confirmation-confirm').click();
    await app.locator('.adm-dialog-button-bold').click();
    await app.locator('[data-testid="confirmation"][data-status="confirmed"]').waitFor();

    // The console, operator: batch → printer's file → produced → dispatched.
    const ops = await signInToConsole(e2e, operator);
    await ops.getByTestId('sider-menu').getByText('制卡批次').click();
    await ops.waitForURL(url('/admin/fulfilment/batches'));
    await ops.getByTestId('batch-create').click();
    const batchRow = ops.getByTestId('batches-table').locator('tbody tr.ant-table-row').first();
    await batchRow.getByTestId('batch-export').waitFor();
    const download = ops.waitForEvent('download');
    await batchRow.getByTestId('batch-export').click();
    const file = await download;
    const csv = await new Promise<string>((resolve, reject) => {
      void file.createReadStream().then((stream) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        stream.on('error', reject);
      });
    });
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv).toContain('补小卡');
    expect(csv).toContain(student.education_id);
    expect(csv).toContain('端到端补卡中学');
    // 制卡完成 and 配送 cannot be taken back: each asks first, naming the batch, its cards and where they go.
    const batchNo = (await batchRow.locator('td').first().textContent())!;
    await batchRow.getByTestId('batch-produced').click();
    const produced = ops.locator('.ant-modal-confirm');
    await expect.poll(() => produced.locator('.ant-modal-confirm-title').textContent()).toBe(`确认批次 ${batchNo} 制卡完成？`);
    await expect(produced.getByTestId('batch-confirm-count').textContent()).resolves.toBe('卡数：1 张');
    await expect(produced.getByTestId('batch-confirm-methods').textContent()).resolves.toBe('配送方式：配送到校 1 张（1 所学校），配送到家 0 张');
    await e2e.screenshot(ops, 'k12-replacement-console-produced-confirm');
    await pressDialogOk(ops, 'batch-confirm-ok');
    await expect.poll(() => batchRow.textContent()).toContain('已制卡');
    // Cancelling the dispatch's dialog does nothing.
    await batchRow.getByTestId('batch-dispatch').click();
    await expect.poll(() => ops.locator('.ant-modal-confirm .ant-modal-confirm-title').textContent()).toBe(`确认配送批次 ${batchNo}？`);
    await ops.locator('.ant-modal-confirm').getByRole('button', { name: /取\s*消/ }).click();
    await ops.locator('.ant-modal-confirm').waitFor({ state: 'detached' });
    expect((await t.ctx.db.selectFrom('production_batches').select('status').where('batch_no', '=', batchNo).executeTakeFirstOrThrow()).status).toBe('produced');
    await batchRow.getByTestId('batch-dispatch').click();
    await expect.poll(() => ops.getByTestId('batch-confirm').getAttribute('data-step')).toBe('dispatch');
    await pressDialogOk(ops, 'batch-confirm-ok');
    await expect.poll(() => batchRow.textContent()).toContain('已配送');
    await e2e.screenshot(ops, 'k12-replacement-console-batches');

    // The console, school card manager: the parcel arrived, the card handed over.
    const desk = await signInToConsole(e2e, manager);
    await desk.goto(url('/admin/fulfilment/deliveries'));
    await desk.getByTestId('delivery-received').click();
    await expect.poll(() => desk.getByTestId('deliveries-table').textContent()).toContain('已送达');
    await desk.goto(url('/admin/fulfilment/applications'));
    await desk.getByTestId('application-pickup').click();
    await expect.poll(() => desk.getByTestId('applications-table').textContent()).toContain('已领取');
    await e2e.screenshot(desk, 'k12-replacement-console-pickup');

    const cards = await t.ctx.db.selectFrom('cards').select(['id', 'status', 'replaces_card_id', 'card_no']).where('student_id', '=', student.id).orderBy('created_at').execute();
    expect(cards.map((c) => c.status)).toEqual(['replaced', 'active']);
    expect(cards[1]!.replaces_card_id).toBe(card.id);
    expect(csv).toContain(cards[1]!.card_no);
    await app.goto(url(`/card-applications/${applicationId}`));
    await app.locator('[data-testid="application"][data-status="completed"]').waitFor();

    // After the settlement window the old balance is on the new card.
    expect(await purseFen(t, cards[1]!.id)).toBe(0);
    t.clock.advance(3 * 86_400_000);
    for (let round = 0; round < 5 && (await t.ctx.jobs.runDue(100)) > 0; round++);
    expect(await purseFen(t, card.id)).toBe(0);
    expect(await purseFen(t, cards[1]!.id)).toBe(4_200);
    const fresh = await signInToApp(e2e, parentAccount);
    await fresh.goto(url(`/cards/${cards[1]!.id}`));
    await expect.poll(() => fresh.getByTestId('detail-balance').textContent()).toBe('¥42.00');
    await e2e.screenshot(fresh, 'k12-replacement-new-card');
  });
});
