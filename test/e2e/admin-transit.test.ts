import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { maskCardNo } from '../../src/domain/masking.js';
import { computeTac, deriveCardKey } from '../../src/domain/transit-crypto.js';
import type { BatchResponse, TapRecord } from '../../src/modules/transit/protocol.js';
import { fund } from '../support/money.js';
import { describeE2E, expectOperatorsOnly, signInToConsole, useE2E } from './support.js';

/**
 * The console's transit screens in Chromium: an operator registers a terminal and sees its secret
 * once (it signs the terminal in; closing the dialog drops it), sees the terminal's upload and
 * deny-list version in the list, and finds a card whose purse was short in the reconciliation
 * report, with filters and the "无异常" state. Card managers have neither screen. Needs `npm run build:web`.
 */
describeE2E('admin console: terminals and transit reconciliation', () => {
  const e2e = useE2E();

  it('an operator registers a terminal, sees the secret once, sees its upload in the list and a short purse in the reconciliation', async () => {
    const operator = await e2e.t.factory.newStaff('operator');
    const page = await signInToConsole(e2e, operator);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: e2e.baseUrl });

    // Before any tap the reconciliation has nothing to say.
    await page.getByTestId('sider-menu').getByText('乘车对账', { exact: true }).click();
    await page.waitForURL(`${e2e.baseUrl}/admin/transit/reconciliation`);
    await page.getByTestId('transit-recon-empty').getByText('无异常', { exact: true }).waitFor();

    await page.getByTestId('sider-menu').getByText('终端管理', { exact: true }).click();
    await page.waitForURL(`${e2e.baseUrl}/admin/transit/terminals`);
    await page.getByTestId('terminals-table').getByText('还没有登记终端').waitFor();

    // Register: a bad code is refused on the form, a good one gets the secret.
    await page.getByTestId('terminal-register').click();
    const modal = page.locator('.ant-modal');
    await modal.getByTestId('terminal-code').fill('bus 300');
    await modal.getByTestId('terminal-operator').fill('北京公交');
    await modal.getByTestId('terminal-location').fill('300路');
    await modal.getByRole('button', { name: '登记终端' }).click();
    await modal.getByText('3–32 位字母、数字或连字符，如 BUS-300-01').first().waitFor();
    expect(await e2e.t.ctx.db.selectFrom('terminals').select('id').execute()).toEqual([]);
    await modal.getByTestId('terminal-code').fill('BUS-300-E2E');
    await modal.getByRole('button', { name: '登记终端' }).click();

    const secretInput = page.getByTestId('terminal-secret');
    await secretInput.waitFor();
    const secret = await secretInput.inputValue();
    expect(secret.length).toBeGreaterThanOrEqual(16);
    await page.getByTestId('terminal-secret-warning').getByText('关闭此窗口后密钥无法再次查看').waitFor();
    await page.getByTestId('terminal-secret-copy').click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    await e2e.screenshot(page, 'admin-terminal-secret');

    // The secret signs the terminal in.
    const login = await e2e.t.app.inject({ method: 'POST', url: '/api/v1/terminal-sessions', payload: { code: 'BUS-300-E2E', secret } });
    expect(login.statusCode, login.body).toBe(201);
    const { token, terminalId } = login.json() as { token: string; terminalId: string };
    const stored = await e2e.t.ctx.db.selectFrom('terminals').select(['code', 'kind', 'operator', 'location']).execute();
    expect(stored).toEqual([{ code: 'BUS-300-E2E', kind: 'bus_validator', operator: '北京公交', location: '300路' }]);

    // Closed, it is gone from the page for good; the list shows the terminal, not yet heard from.
    await page.getByTestId('terminal-secret-done').click();
    await expect.poll(() => page.getByTestId('terminal-secret').count()).toBe(0);
    expect(await page.content()).not.toContain(secret);
    const row = page.getByTestId('terminals-table').locator('tbody tr.ant-table-row').filter({ hasText: 'BUS-300-E2E' });
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain('公交验票机');
    await expect(row.getByTestId('terminal-last-upload').textContent()).resolves.toBe('从未');
    await row.getByTestId('deny-list-never').waitFor();

    // The terminal polls its deny-list and uploads two taps of a card loaded outside Onecard:
    // the card reports ¥10.00 before them, but its shadow purse holds ¥1.00.
    const student = await e2e.t.factory.newStudent();
    const card = await e2e.t.factory.newCard(student.id);
    await fund(e2e.t, card.id, 100);
    const deny = await e2e.t.app.inject({ method: 'GET', url: `/api/v1/terminals/${terminalId}/deny-list?since=0`, headers: { authorization: `Bearer ${token}` } });
    expect(deny.statusCode, deny.body).toBe(200);
    const headVersion = (deny.json() as { version: number }).version;
    const key = deriveCardKey(e2e.t.ctx.config.secrets.cardMasterKey, card.card_no);
    const record = (seq: number, amountFen: number, balanceAfterFen: number, at: string): TapRecord => ({
      seq, cardNo: card.card_no, cardCounter: seq, kind: 'bus', amountFen, balanceAfterFen, at, appliedActionIds: [],
      fare: { mode: 'bus', category: 'student', lineType: 'ordinary', distanceKm: 30, fullFareFen: amountFen * 4, fareFen: amountFen, rule: 'BUS_STUDENT' },
      tac: computeTac(key, { terminalCode: 'BUS-300-E2E', cardNo: card.card_no, cardCounter: seq, amountFen, balanceAfterFen, at }),
    });
    const upload = await e2e.t.app.inject({
      method: 'POST', url: `/api/v1/terminals/${terminalId}/batches`, headers: { authorization: `Bearer ${token}` },
      payload: { batchId: randomUUID(), records: [record(1, 200, 800, '2026-11-23T00:30:00.000Z'), record(2, 100, 700, '2026-11-23T01:30:00.000Z')] },
    });
    expect(upload.statusCode, upload.body).toBe(200);
    expect(upload.json() as BatchResponse).toMatchObject({ ackSeq: 2, accepted: 2, rejected: [] });

    await page.getByTestId('terminals-refresh').click();
    await expect.poll(() => row.getByTestId('terminal-last-upload').textContent()).not.toBe('从未');
    await expect(row.getByTestId('terminal-ack-seq').textContent()).resolves.toBe('2');
    await expect(row.getByTestId('terminal-settled').textContent()).resolves.toBe('2');
    await expect(row.getByTestId('deny-list-version').textContent()).resolves.toBe(`v${headVersion} / v${headVersion}最新`);
    await expect(page.getByTestId('deny-list-head').textContent()).resolves.toBe(`当前黑名单版本 v${headVersion}`);
    await e2e.screenshot(page, 'admin-terminals');

    // The reconciliation: the purse gave its ¥1.00, suspense covered ¥2.00, the card says ¥7.00 is left.
    await page.getByTestId('sider-menu').getByText('乘车对账', { exact: true }).click();
    await page.waitForURL(`${e2e.baseUrl}/admin/transit/reconciliation`);
    const rows = page.getByTestId('transit-recon-table').locator('tbody tr.ant-table-row');
    const short = rows.filter({ hasText: maskCardNo(card.card_no) });
    await short.waitFor();
    await expect(short.getByTestId('transit-recon-shortfall').textContent()).resolves.toBe('¥2.00');
    await expect(short.getByTestId('transit-recon-difference').textContent()).resolves.toBe('-¥7.00');
    await short.getByTestId('transit-recon-reason-BALANCE_DIFFERS').getByText('余额不符').waitFor();
    await short.getByTestId('transit-recon-reason-SHORTFALL').getByText('余额不足垫付').waitFor();
    expect(await short.getByTestId('transit-recon-reason-TAPS_STOPPED').count()).toBe(0);
    await expect(page.getByTestId('transit-recon-summary').textContent()).resolves.toContain('共 1 张卡异常，垫付合计 ¥2.00');
    await expect(short.textContent()).resolves.not.toContain(card.card_no);
    await e2e.screenshot(page, 'admin-transit-reconciliation');

    // Filters: by exception type, and by card number.
    await page.getByTestId('transit-recon-reason').click();
    await page.locator('.ant-select-item-option').getByText('长时间无刷卡', { exact: true }).click();
    await page.getByTestId('transit-recon-empty').getByText('没有符合筛选条件的异常').waitFor();
    await page.getByTestId('transit-recon-reason').click();
    await page.locator('.ant-select-item-option').getByText('余额不足垫付', { exact: true }).click();
    await short.waitFor();
    const search = page.getByTestId('transit-recon-search').locator('input');
    await search.fill('99999999999');
    await search.press('Enter');
    await page.getByTestId('transit-recon-empty').getByText('没有符合筛选条件的异常').waitFor();
    await search.fill(card.card_no.slice(-6));
    await search.press('Enter');
    await expect.poll(() => rows.count()).toBe(1);

    // The card number opens the card's page.
    await short.getByTestId('transit-recon-card').click();
    await page.waitForURL(`${e2e.baseUrl}/admin/cards/${card.id}`);
  });

  it('a canteen POS is registered for its university: the school is asked for, and stored', async () => {
    const school = await e2e.t.factory.newSchool({ name: '端到端食堂大学', stage: 'university' });
    const operator = await e2e.t.factory.newStaff('operator');
    const page = await signInToConsole(e2e, operator);
    await page.getByTestId('sider-menu').getByText('终端管理', { exact: true }).click();
    await page.waitForURL(`${e2e.baseUrl}/admin/transit/terminals`);
    await page.getByTestId('terminal-register').click();
    const modal = page.locator('.ant-modal');
    await modal.getByTestId('terminal-code').fill('CANTEEN-E2E-01');
    await modal.getByTestId('terminal-operator').fill('一食堂');
    expect(await modal.getByTestId('school-select').count()).toBe(0); // a bus validator has no school
    await modal.getByTestId('terminal-kind').click();
    await page.locator('.ant-select-item-option').getByText('消费机', { exact: true }).click();
    await modal.getByRole('button', { name: '登记终端' }).click();
    await modal.getByText('必填').first().waitFor();
    await modal.getByTestId('school-select').click();
    await page.keyboard.type('端到端食堂');
    await page.locator('.ant-select-item-option').getByText('端到端食堂大学', { exact: false }).click();
    await e2e.screenshot(page, 'admin-terminal-pos-school');
    await modal.getByRole('button', { name: '登记终端' }).click();
    await page.getByTestId('terminal-secret').waitFor();
    const stored = await e2e.t.ctx.db.selectFrom('terminals').select(['kind', 'school_id']).where('code', '=', 'CANTEEN-E2E-01').execute();
    expect(stored).toEqual([{ kind: 'pos', school_id: school.id }]);
  });

  it('a school card manager has neither menu entry, and the pages say operators only', async () => {
    await expectOperatorsOnly(e2e, { menu: ['终端管理', '乘车对账'], paths: ['transit/terminals', 'transit/reconciliation'] });
  });
});
