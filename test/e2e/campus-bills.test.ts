import { expect, it } from 'vitest';
import { purseFen } from '../api/ecards-support.js';
import { fund } from '../support/money.js';
import { describeE2E, payAtSandboxCashier, settled, signInToApp, signInToConsole, useE2E } from './support.js';

/**
 * 学费及重修费缴费 in Chromium against the real server (seed 004): the university's card manager
 * issues a bill in the console and a file of them (refused whole while a row is wrong), the student
 * pays one from the campus card and one at the sandbox Alipay cashier, and the console sees them
 * paid; an unpaid one is cancelled with a reason the student reads. Needs `npm run build:web`.
 */
describeE2E('tuition and retake fees in Chromium', () => {
  const e2e = useE2E();
  const url = (path: string) => `${e2e.baseUrl}${path}`;
  const queryPassword = '246813';

  it('a card manager bills a student, who pays from the campus card and by Alipay; a cancelled bill shows its reason', async () => {
    const { t } = e2e;
    const school = await t.factory.newSchool({ stage: 'university', name: '端到端缴费大学' });
    const student = await t.factory.newStudent({ schoolId: school.id, name: '缴费测试生', password: 'Student2026', queryPassword });
    await t.ctx.db.updateTable('students').set({ must_change_password: false, student_no: '2026990001' }).where('id', '=', student.id).execute();
    const card = await t.factory.newCard(student.id, { product: 'campus_card' });
    await fund(t, card.id, 30_000);
    const manager = await t.factory.newStaff('school_admin', { schoolId: school.id });

    // The console: one bill by the form.
    const console = await signInToConsole(e2e, manager);
    await console.getByTestId('sider-menu').getByText('学费缴费', { exact: true }).click();
    await console.waitForURL(url('/admin/campus/bills'));
    await console.getByTestId('bills-table').getByText('暂无账单').waitFor();
    await console.getByTestId('bill-issue').click();
    await console.getByTestId('bill-student-no').fill('2026990001');
    await console.getByTestId('bill-kind').click();
    await console.locator('.ant-select-item-option').getByText('重修费', { exact: true }).click();
    await console.getByTestId('bill-year').fill('2026-2027');
    await console.getByTestId('bill-course').fill('和声学基础');
    await console.getByTestId('bill-amount').fill('240');
    await console.getByTestId('bill-due').fill('2026-12-31');
    await console.getByTestId('bill-issue-ok').click();
    await console.locator('.ant-message').getByText('已开具 1 张账单，合计 ¥240.00').waitFor();
    const retakeRow = console.getByTestId('bills-table').locator('tbody tr.ant-table-row').filter({ hasText: '和声学基础' });
    await retakeRow.waitFor();
    await expect(retakeRow.textContent()).resolves.toContain('缴***');

    // A file with a wrong row issues nothing and lists the row; the corrected file issues both.
    const header = '学号,类别,学年,课程,金额（元）,截止日期';
    const fileInput = console.locator('input[type=file]');
    await fileInput.setInputFiles({ name: '学费.csv', mimeType: 'application/vnd.ms-excel', buffer: Buffer.from([header, '2026990001,学费,2026-2027,,5000,2026-12-31', '2026990099,学费,2026-2027,,5000,2026-12-31'].join('\r\n')) });
    const problems = console.getByTestId('bill-file-problems');
    await problems.getByText('文件中有 1 行错误，未开具任何账单').waitFor();
    await problems.getByTestId('bill-file-problem').getByText('第 3 行 · 学号：本校没有该学号的在读学生').waitFor();
    await fileInput.setInputFiles({ name: '学费.csv', mimeType: 'application/vnd.ms-excel', buffer: Buffer.from([header, '2026990001,学费,2026-2027,,"5,000.00",2026/12/31', '2026990001,学费,2027-2028,,5000,2027-12-31'].join('\r\n')) });
    await console.locator('.ant-message').getByText('已开具 2 张账单，合计 ¥10000.00').waitFor();
    await expect(problems.count()).resolves.toBe(0);

    // Next year's tuition was billed early: cancelled, with the reason the student will read.
    const nextYear = console.getByTestId('bills-table').locator('tbody tr.ant-table-row').filter({ hasText: '2027-2028' });
    await nextYear.getByTestId('bill-cancel').click();
    await console.getByTestId('bill-cancel-reason').fill('下学年账单开具过早，将于明年开具');
    await console.getByTestId('bill-cancel-ok').click();
    await expect.poll(() => nextYear.getByTestId('bill-status').textContent()).toBe('已撤销');
    await e2e.screenshot(console, 'admin-campus-bills');

    // The app: two bills to pay, ¥5,240.00 in all.
    const page = await signInToApp(e2e, { as: 'student', login: student.education_id, password: 'Student2026' });
    await page.getByTestId('home-bills').click();
    await page.waitForURL(url('/campus/bills'));
    await expect.poll(() => page.getByTestId('bills-unpaid-total').textContent()).toBe('¥5240.00');
    await page.getByTestId('bills-history').getByText('已撤销：下学年账单开具过早，将于明年开具').waitFor();
    await e2e.screenshot(page, 'app-campus-bills');

    // The retake fee from the campus card, with the query password.
    const unpaid = page.getByTestId('bills-unpaid').getByTestId('bill-item');
    await unpaid.filter({ hasText: '和声学基础' }).getByTestId('bill-pay').click();
    const sheet = page.getByTestId('bill-pay-sheet');
    // The card holds enough: its balance is shown and it is the way offered first.
    await expect.poll(() => sheet.getByTestId('bill-card-balance').textContent()).toBe('¥300.00');
    expect(await sheet.getByTestId('bill-card-short').count()).toBe(0);
    await sheet.getByTestId('bill-password').locator('input').fill('975310');
    await sheet.getByTestId('bill-pay-card').click();
    await page.locator('.adm-toast-main').getByText('查询密码不正确').waitFor();
    await settled(page);
    await sheet.getByTestId('bill-password').locator('input').fill(queryPassword);
    await sheet.getByTestId('bill-pay-card').click();
    await page.locator('.adm-toast-main').getByText('已缴清，校园卡余额 ¥60.00').waitFor();
    await expect.poll(() => page.getByTestId('bills-unpaid-total').textContent()).toBe('¥5000.00');
    expect(await purseFen(t, card.id)).toBe(6_000);

    // The tuition at the sandbox Alipay cashier: the university is the payee.
    await unpaid.filter({ hasText: '2026-2027学年学费' }).getByTestId('bill-pay').click();
    // ¥60 left for ¥5000: the card is not offered (no bare 余额不足 after the password), it says by how much, leads to a top-up, and a wallet is chosen.
    await sheet.getByTestId('bill-card-short').getByText('余额 ¥60.00，不足 ¥5000.00', { exact: false }).waitFor();
    expect(await sheet.getByTestId('bill-card-top-up').getAttribute('href')).toBe(`/cards/${card.id}/top-up`);
    expect(await sheet.getByTestId('bill-source').locator('.adm-selector-item-disabled').textContent()).toBe('校园卡账户');
    expect(await sheet.getByTestId('bill-source').locator('.adm-selector-item-active').textContent()).toBe('支付宝');
    expect(await sheet.getByTestId('bill-password').count()).toBe(0);
    await e2e.screenshot(page, 'app-campus-bill-card-short');
    await sheet.getByTestId('bill-source').getByText('支付宝', { exact: true }).click();
    await sheet.getByTestId('bill-pay-wallet').click();
    await page.waitForURL(/\/api\/v1\/sandbox\/alipay\/cashier\//);
    await page.getByText('¥5000.00').first().waitFor();
    // Left the cashier without paying: the bill says an order waits, and leads to it (继续支付).
    await page.goto(url('/campus/bills'));
    const tuitionBill = unpaid.filter({ hasText: '2026-2027学年学费' });
    await tuitionBill.getByTestId('bill-order-waiting').waitFor();
    await tuitionBill.getByTestId('bill-to-order').click();
    await page.waitForURL(/\/orders\/[0-9a-f-]+$/);
    await page.getByTestId('pay-order').click();
    await payAtSandboxCashier(page, 'alipay');
    await page.getByTestId('result-bills').click();
    await page.waitForURL(url(`/campus/bills?studentId=${student.id}`));
    await expect.poll(() => page.getByTestId('bills-unpaid-total').textContent()).toBe('¥0.00');
    await expect.poll(() => page.locator('[data-testid="bill-item"][data-status="paid"]').count()).toBe(2);

    await console.reload();
    await expect.poll(() => console.getByTestId('bill-totals').textContent()).toContain('¥5240.00 · 2 张');
  });

  it('a parent pays a university child’s tuition by WeChat Pay: no campus card option, the child’s bill paid', async () => {
    const { t } = e2e;
    const school = await t.factory.newSchool({ stage: 'university', name: '端到端家长缴费大学' });
    const student = await t.factory.newStudent({ schoolId: school.id, name: '家长缴费生' });
    await t.ctx.db.updateTable('students').set({ student_no: '2026990101' }).where('id', '=', student.id).execute();
    const parent = await t.factory.newParent({ children: [student.id], password: 'Parent2026' });
    await t.ctx.db.updateTable('parents').set({ must_change_password: false }).where('id', '=', parent.id).execute();
    const operator = await t.factory.operatorToken();
    const issued = await t.app.inject({
      method: 'POST', url: '/api/v1/admin/campus/bills', headers: { authorization: `Bearer ${operator}`, 'idempotency-key': 'e2e-parent-bill' },
      payload: { schoolId: school.id, studentNo: '2026990101', kind: 'tuition', academicYear: '2026-2027', amountFen: 450_000, dueDate: '2026-12-31' },
    });
    expect(issued.statusCode, issued.body).toBe(201);

    const page = await signInToApp(e2e, { as: 'parent', login: parent.phone, password: 'Parent2026' });
    // 待办 reminds the parent of the child's bill and leads to it.
    const reminder = page.locator('[data-testid="todo"][data-kind="bills_due"]');
    // The child is told apart from a sibling by school (and class, when known), under the masked name.
    await expect.poll(() => reminder.textContent()).toMatch(/^家\*+：1 张学费账单待缴，合计 ¥4500\.00端到端家长缴费大学$/);
    await reminder.click();
    await page.waitForURL(url(`/campus/bills?studentId=${student.id}`));
    await expect.poll(() => page.getByTestId('bills-unpaid-total').textContent()).toBe('¥4500.00');
    await page.getByTestId('bills-unpaid').getByTestId('bill-pay').click();
    const sheet = page.getByTestId('bill-pay-sheet');
    await expect(sheet.getByTestId('bill-source').getByText('校园卡账户', { exact: true }).count()).resolves.toBe(0);
    await sheet.getByTestId('bill-source').getByText('微信', { exact: true }).click();
    await sheet.getByTestId('bill-pay-wallet').click();
    await payAtSandboxCashier(page, 'wechat');
    await page.getByTestId('result-bills').click();
    await page.waitForURL(url(`/campus/bills?studentId=${student.id}`));
    await expect.poll(() => page.getByTestId('bills-unpaid-total').textContent()).toBe('¥0.00');
    await page.locator('[data-testid="bill-item"][data-status="paid"]').waitFor();
  });
});
