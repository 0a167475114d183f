import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { recordAudit } from '../../src/platform/audit.js';
import { describeE2E, signInToConsole, useE2E } from './support.js';

/**
 * The audit log says what happened in words (zh and en), each action in its group, with the raw
 * code on hover and a filter by action (web/admin/src/audit/actionLabels.ts), and what it
 * happened to in words (audit/entityTypeLabels.ts) beside the object's shortened id.
 */
describeE2E('admin console: the audit log in words', () => {
  const e2e = useE2E();
  const rows = (page: Page) => page.getByTestId('audit-table').locator('tbody tr.ant-table-row');

  it('shows 登录成功 and 报修 (Repair reported in English), not the codes, and filters by action', async () => {
    const student = await e2e.t.factory.newStudent();
    await recordAudit(e2e.t.ctx.db, e2e.t.clock, { actor: { role: 'student', id: student.id }, action: 'campus.repair.reported', entityType: 'campus_repair', entityId: student.id });
    const page = await signInToConsole(e2e, await e2e.t.factory.newStaff('operator'));
    await page.getByTestId('sider-menu').getByText('审计日志', { exact: true }).click();
    const table = page.getByTestId('audit-table');
    await table.getByText('登录成功').first().waitFor();
    await table.getByText('报修', { exact: true }).waitFor();
    expect(await table.textContent()).not.toContain('login.succeeded');
    expect(await table.textContent()).not.toContain('campus.repair.reported');
    await table.getByText('账号与登录').first().waitFor();
    // What the row is about in words too (报修单, not campus_repair), its id still there, shortened.
    const repairRow = rows(page).filter({ hasText: '报修' });
    expect(await repairRow.getByTestId('audit-entity-type').textContent()).toBe('报修单');
    expect(await repairRow.textContent()).toContain(`…${student.id.slice(-8)}`);
    expect(await table.textContent()).not.toContain('campus_repair');

    // The code is still there, on hover.
    await table.getByText('报修', { exact: true }).hover();
    await page.getByRole('tooltip').getByText('campus.repair.reported').waitFor();

    // Filtered by one action, only its rows are left.
    await page.getByTestId('audit-action-filter').click();
    await page.keyboard.type('campus.repair.reported');
    await page.locator('.ant-select-item-option').filter({ hasText: 'campus.repair.reported' }).click();
    await expect.poll(() => rows(page).count()).toBe(1);
    expect(page.url()).toContain('action=campus.repair.reported');
    await e2e.screenshot(page, 'admin-audit-log-filtered');

    await page.getByText('English', { exact: true }).click();
    await table.getByText('Repair reported').waitFor();
    await table.getByText('Campus services').waitFor();
    await table.getByText('Repair request', { exact: true }).waitFor();
  });
});
