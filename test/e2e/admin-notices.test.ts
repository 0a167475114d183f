import { expect, it } from 'vitest';
import { describeE2E, pressDialogOk, signInToApp, signInToConsole, useE2E } from './support.js';

/**
 * 公告管理 in the console, in Chromium against the real server: a school card manager writes a
 * notice, publishes it after confirming, and a student of the school reads it in the app; an
 * operator publishes a city-wide one at once and withdraws it. Needs `npm run build:web`.
 */
describeE2E('notices in the console', () => {
  const e2e = useE2E();

  async function studentPage(schoolId: string) {
    const s = await e2e.t.factory.newStudent({ schoolId, password: 'Student2026' });
    await e2e.t.ctx.db.updateTable('students').set({ must_change_password: false }).where('id', '=', s.id).execute();
    return signInToApp(e2e, { as: 'student', login: s.education_id, password: 'Student2026' });
  }

  it('a card manager writes and publishes a notice that a student of the school then reads', async () => {
    const { t } = e2e;
    const school = await t.factory.newSchool({ stage: 'middle', name: '端到端公告中学' });
    const manager = await t.factory.newStaff('school_admin', { schoolId: school.id });

    const console = await signInToConsole(e2e, manager);
    await console.getByTestId('sider-menu').getByText('公告管理', { exact: true }).click();
    await console.waitForURL(`${e2e.baseUrl}/admin/notices`);
    const table = console.getByTestId('notices-table');
    await table.getByText('暂无公告').waitFor();

    await console.getByTestId('notice-new').click();
    await console.getByTestId('notice-scope-text').getByText('本校：端到端公告中学').waitFor();
    await console.getByTestId('notice-save').click();
    await console.getByText('请输入标题（不超过 80 字）').waitFor();
    await console.getByTestId('notice-title-input').fill('期末学生卡使用提示');
    await console.getByTestId('notice-body-input').fill('寒假期间学生卡照常乘车。\n遗失请及时在APP挂失。');
    await console.getByTestId('notice-pinned-input').click();
    await console.getByTestId('notice-save').click();
    const row = table.locator('tbody tr.ant-table-row').filter({ hasText: '期末学生卡使用提示' });
    await expect.poll(() => row.getByTestId('notice-status').textContent()).toBe('草稿');
    await row.getByTestId('notice-pinned').waitFor();
    await expect(row.textContent()).resolves.toContain('本校学生及家长');

    // Not yet published: the student sees nothing.
    const page = await studentPage(school.id);
    await expect.poll(() => page.getByTestId('home-notices-badge').getAttribute('data-count')).toBe('0');

    await row.getByTestId('notice-publish').click();
    await pressDialogOk(console, 'notice-publish-ok');
    await expect.poll(() => row.getByTestId('notice-status').textContent()).toBe('已发布');
    await e2e.screenshot(console, 'admin-notices');

    await page.reload();
    await expect.poll(() => page.getByTestId('home-notices-badge').getAttribute('data-count')).toBe('1');
    await page.getByTestId('home-notices').click();
    const item = page.getByTestId('notice-item').filter({ hasText: '期末学生卡使用提示' });
    await expect(item.textContent()).resolves.toContain('端到端公告中学');
    await item.click();
    await expect.poll(() => page.getByTestId('notice-body').locator('p').count()).toBe(2);

    // The console counts the reading.
    await console.reload();
    await expect.poll(() => row.getByTestId('notice-reads').textContent()).toBe('1');

    // A correction keeps it published.
    await row.getByTestId('notice-edit').click();
    await console.getByTestId('notice-title-input').fill('期末学生卡使用提示（更新）');
    await console.getByTestId('notice-save').click();
    await table.locator('tbody tr.ant-table-row').filter({ hasText: '期末学生卡使用提示（更新）' }).getByTestId('notice-status').getByText('已发布').waitFor();
  });

  it('an operator publishes a city-wide notice at once and withdraws it; students no longer see it', async () => {
    const { t } = e2e;
    const operator = await t.factory.newStaff('operator');
    const school = await t.factory.newSchool({ stage: 'primary', name: '端到端撤回小学' });

    const console = await signInToConsole(e2e, operator);
    await console.goto(`${e2e.baseUrl}/admin/notices`);
    await console.getByTestId('notice-new').click();
    await console.getByTestId('notice-scope').getByText('全市').waitFor();
    await console.getByTestId('notice-audience').click();
    await console.locator('.ant-select-item-option').filter({ hasText: '中小学生及家长' }).click();
    await console.getByTestId('notice-title-input').fill('2027年元旦学生卡缴费时间安排');
    await console.getByTestId('notice-body-input').fill('缴费时间为每周一和周二，节假日不予缴费。');
    await console.getByTestId('notice-publish-now').click();
    await e2e.screenshot(console, 'admin-notices-new');
    await console.getByTestId('notice-save').click();
    const row = console.getByTestId('notices-table').locator('tbody tr.ant-table-row').filter({ hasText: '2027年元旦学生卡缴费时间安排' });
    await expect.poll(() => row.getByTestId('notice-status').textContent()).toBe('已发布');
    await expect(row.textContent()).resolves.toContain('全市');
    await expect(row.textContent()).resolves.toContain('中小学生及家长');

    const page = await studentPage(school.id);
    await page.getByTestId('home-notices').click();
    await page.getByTestId('notice-item').filter({ hasText: '2027年元旦学生卡缴费时间安排' }).getByText('北京市学生卡管理中心', { exact: false }).waitFor();

    await row.getByTestId('notice-withdraw').click();
    await pressDialogOk(console, 'notice-withdraw-ok');
    await expect.poll(() => row.getByTestId('notice-status').textContent()).toBe('已撤回');
    expect(await row.getByTestId('notice-edit').count()).toBe(0);

    await page.reload();
    await page.getByTestId('notices-empty').waitFor();
  });
});
