import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { describeE2E, signInToConsole, useE2E } from './support.js';

/**
 * One rule for education IDs in the console (web/admin/src/EducationId.tsx): whole, the same on
 * 卡片查询 as on 学生, and found by the whole ID; names and card numbers stay masked in lists.
 */
describeE2E('admin console: education IDs', () => {
  const e2e = useE2E();
  const rows = (page: Page, testId: string) => page.getByTestId(testId).locator('tbody tr.ant-table-row');

  async function search(page: Page, menuItem: string, table: string, text: string) {
    await page.getByTestId('sider-menu').getByText(menuItem, { exact: true }).click();
    await page.getByTestId(table).waitFor();
    await page.getByTestId('table-search').locator('input').fill(text);
    await page.getByTestId('table-search').locator('input').press('Enter');
    await expect.poll(() => rows(page, table).count()).toBe(1);
    return rows(page, table).first();
  }

  it('the card search and the students list show the same whole education ID, found by it', async () => {
    const school = await e2e.t.factory.newSchool({ name: '端到端教育号中学', stage: 'middle' });
    const student = await e2e.t.factory.newStudent({ schoolId: school.id, name: '周一鸣' });
    const card = await e2e.t.factory.newCard(student.id, { validUntil: '2027-10-31' });
    const page = await signInToConsole(e2e, await e2e.t.factory.newStaff('school_admin', { schoolId: school.id }));

    const cardRow = await search(page, '卡片查询', 'cards-table', student.education_id);
    expect(await cardRow.getByTestId('education-id').textContent()).toBe(student.education_id);
    expect(await cardRow.textContent()).not.toContain(card.card_no);
    expect(await cardRow.textContent()).not.toContain('周一鸣');

    const studentRow = await search(page, '学生', 'students-table', student.education_id);
    expect(await studentRow.getByTestId('education-id').textContent()).toBe(student.education_id);
    expect(await studentRow.textContent()).not.toContain('周一鸣');
    await e2e.screenshot(page, 'admin-education-ids');
  });
});
