import { expect, it } from 'vitest';
import { describeE2E, expectOperatorsOnly, signInToConsole, useE2E } from './support.js';

/**
 * The console's e-card data in a real browser: an operator raises a minimum version and the
 * phone check (the same one the app runs) changes through the API; partner schools for the
 * university e-card; card managers do not get these screens. Needs `npm run build:web` first.
 */
describeE2E('admin console: e-card phones and partner schools', () => {
  const e2e = useE2E();

  /** A Huawei phone exactly at seed 003's minimums (Huawei Wallet 9.0.13.304). */
  const phone = { brand: 'huawei', model: 'HUAWEI Mate 40 Pro', os: 'harmonyos', osVersion: '3.0.0', nfcEnabled: true, walletVersion: '9.0.13.304', appVersion: '6.0.0.1' };
  async function apiPhoneCheck() {
    const res = await e2e.t.app.inject({ method: 'POST', url: '/api/v1/ecards/phone-check', payload: phone });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { eligible: boolean; problems: { reason: string; required?: string }[] };
  }

  it('an operator raises the Huawei Wallet minimum version and the phone check refuses the phone that passed before', async () => {
    expect(await apiPhoneCheck()).toMatchObject({ eligible: true, problems: [] });
    const operator = await e2e.t.factory.newStaff('operator');
    const page = await signInToConsole(e2e, operator);

    await page.getByTestId('sider-menu').getByText('电子卡支持机型', { exact: true }).click();
    await page.waitForURL(`${e2e.baseUrl}/admin/ecards/phones`);
    await page.getByTestId('requirement-value-huaweiWallet').getByText('9.0.13.304').waitFor();
    // The model list from seed 003 is there.
    await expect.poll(() => page.getByTestId('phone-models').locator('tbody tr.ant-table-row').count()).toBeGreaterThan(0);

    // A malformed version cannot be saved.
    await page.getByTestId('requirement-edit-huaweiWallet').click();
    await page.getByTestId('requirement-input-huaweiWallet').fill('9.0.x');
    await page.getByText('请输入以点分隔的版本号，如 9.0.13.304').waitFor();
    expect(await page.getByTestId('requirement-save-huaweiWallet').isDisabled()).toBe(true);

    await page.getByTestId('requirement-input-huaweiWallet').fill('9.0.14.100');
    await page.getByTestId('requirement-save-huaweiWallet').click();
    await page.getByTestId('requirement-value-huaweiWallet').getByText('9.0.14.100').waitFor();
    await e2e.screenshot(page, 'admin-ecards-phones');

    // Stored, and the phone check (as the app runs it) now refuses the same phone, saying what to update.
    const stored = await e2e.t.app.inject({ method: 'GET', url: '/api/v1/ecards/phone-support' });
    expect((stored.json() as { requirements: Record<string, string> }).requirements.huaweiWallet).toBe('9.0.14.100');
    const after = await apiPhoneCheck();
    expect(after.eligible).toBe(false);
    expect(after.problems).toEqual([expect.objectContaining({ reason: 'WALLET_TOO_OLD', required: '9.0.14.100' })]);
    const audit = await e2e.t.ctx.db.selectFrom('audit_log').select(['action', 'actor_id']).where('action', '=', 'ecards.phone_support.updated').execute();
    expect(audit).toEqual([{ action: 'ecards.phone_support.updated', actor_id: operator.id }]);

    // The console's own phone check says the same.
    await page.getByTestId('check-model').fill(phone.model);
    await page.getByTestId('check-os-version').fill(phone.osVersion);
    await page.getByTestId('check-wallet-version').fill(phone.walletVersion);
    await page.getByTestId('check-app-version').fill(phone.appVersion);
    await page.getByTestId('phone-check').click();
    await page.getByTestId('phone-check-result').getByText('不能开通电子学生卡').waitFor();
    await page.getByTestId('problem-WALLET_TOO_OLD').getByText(/9\.0\.14\.100/).waitFor();

    // A model added to the list is matched by the check.
    await page.getByTestId('model-name').fill('端到端测试机 X1');
    await page.getByTestId('model-add').click();
    await page.getByTestId('model-filter').locator('input').fill('端到端');
    await expect.poll(() => page.getByTestId('phone-models').locator('tbody tr.ant-table-row').count()).toBe(1);
    const models = await e2e.t.ctx.db.selectFrom('ecard_phone_models').select(['brand', 'name']).where('name', '=', '端到端测试机 X1').execute();
    expect(models).toEqual([{ brand: 'huawei', name: '端到端测试机 X1' }]);
  });

  it('an operator adds and removes a partner school for the university e-card', async () => {
    const school = await e2e.t.factory.newSchool({ name: '端到端合作大学', stage: 'university' });
    const operator = await e2e.t.factory.newStaff('operator');
    const page = await signInToConsole(e2e, operator);
    await page.getByTestId('sider-menu').getByText('合作院校', { exact: true }).click();
    await page.waitForURL(`${e2e.baseUrl}/admin/ecards/partners`);
    const rows = page.getByTestId('partner-schools').locator('tbody tr.ant-table-row');

    await page.getByTestId('school-select').click();
    await page.keyboard.type('端到端合作');
    await page.locator('.ant-select-item-option').getByText('端到端合作大学', { exact: false }).click();
    await page.getByTestId('partner-add-button').click();
    await rows.filter({ hasText: '端到端合作大学' }).first().waitFor();
    const listed = await e2e.t.app.inject({ method: 'GET', url: '/api/v1/ecards/university/partner-schools' });
    expect((listed.json() as { items: { id: string }[] }).items.map((s) => s.id)).toContain(school.id);
    await e2e.screenshot(page, 'admin-ecards-partners');

    await rows.filter({ hasText: '端到端合作大学' }).getByRole('button', { name: /删\s*除/ }).click();
    await page.locator('.ant-popconfirm').getByRole('button', { name: /确\s*定|OK/ }).click();
    await expect.poll(() => rows.filter({ hasText: '端到端合作大学' }).count()).toBe(0);
    const after = await e2e.t.app.inject({ method: 'GET', url: '/api/v1/ecards/university/partner-schools' });
    expect((after.json() as { items: { id: string }[] }).items.map((s) => s.id)).not.toContain(school.id);
  });

  it('a school card manager has neither menu entry, and the pages say operators only', async () => {
    const page = await expectOperatorsOnly(e2e, { menu: ['电子卡支持机型', '合作院校'], paths: ['ecards/partners', 'ecards/phones'] });
    expect(await page.getByTestId('phone-requirements').count()).toBe(0);
  });
});
