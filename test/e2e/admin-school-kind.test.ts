import { expect, it } from 'vitest';
import { describeE2E, signInToConsole, useE2E } from './support.js';

/**
 * A card manager's console has their kind of school's pages only: a K-12 school's manager has no
 * campus services, tuition bills or temporary cards (not in the menu, and refused by address); a
 * university's manager has no K-12 extension window.
 */
describeE2E('admin console: pages of one kind of school', () => {
  const e2e = useE2E();

  it('a middle school’s manager has no university pages: not in the menu, refused when opened by address', async () => {
    const school = await e2e.t.factory.newSchool({ stage: 'middle', name: '端到端中学' });
    const page = await signInToConsole(e2e, await e2e.t.factory.newStaff('school_admin', { schoolId: school.id }));
    const sider = page.getByTestId('sider-menu');
    await sider.getByText('卡片查询', { exact: true }).waitFor(); // the menu is drawn: an absent entry means something
    await sider.getByText('延期办理时间', { exact: true }).waitFor();
    for (const item of ['临时卡', '学费缴费', '网上报修', '宿舍电费', '图书借阅']) expect(await sider.getByText(item, { exact: true }).count(), item).toBe(0);

    for (const path of ['campus/bills', 'temporary-cards', 'campus/repairs']) {
      await page.goto(`${e2e.baseUrl}/admin/${path}`);
      await page.getByTestId('school-kind-only').getByText('此页面只适用于高校和职业院校，您所在的学校（中小学）不使用').waitFor();
      await sider.waitFor(); // the layout stays
    }
    await page.goto(`${e2e.baseUrl}/admin/campus/bills`);
    await page.getByTestId('school-kind-only').waitFor();
    expect(await page.getByText('批量开具', { exact: false }).count()).toBe(0);
    expect(await page.getByTestId('bill-issue').count()).toBe(0);
    await e2e.screenshot(page, 'admin-k12-manager-campus-bills');
  });

  it('a university’s manager has temporary cards and tuition bills, but not the K-12 extension window', async () => {
    const school = await e2e.t.factory.newSchool({ stage: 'university', name: '端到端工学院' });
    const page = await signInToConsole(e2e, await e2e.t.factory.newStaff('school_admin', { schoolId: school.id }));
    const sider = page.getByTestId('sider-menu');
    await sider.getByText('临时卡', { exact: true }).waitFor();
    await sider.getByText('学费缴费', { exact: true }).waitFor();
    expect(await sider.getByText('延期办理时间', { exact: true }).count()).toBe(0);
    await page.goto(`${e2e.baseUrl}/admin/card-extension-window`);
    await page.getByTestId('school-kind-only').getByText('此页面只适用于中小学，您所在的高校不使用').waitFor();
    await page.goto(`${e2e.baseUrl}/admin/campus/bills`);
    await page.getByTestId('bill-issue').waitFor();
  });

  it('an operator has every page', async () => {
    const page = await signInToConsole(e2e, await e2e.t.factory.newStaff('operator'));
    const sider = page.getByTestId('sider-menu');
    for (const item of ['临时卡', '延期办理时间', '学费缴费']) await sider.getByText(item, { exact: true }).waitFor();
  });
});
