import { expect, it } from 'vitest';
import { newId } from '../../src/platform/ids.js';
import { describeE2E, signInToApp, useE2E } from './support.js';

/**
 * 消息公告 in the app, in Chromium against the real server (seeds 001, 004): the home page's entry
 * shows how many notices are unread; the list puts the pinned one first and marks the unread; a
 * notice opens with its paragraphs, and reading it clears its mark and lowers the count. Needs
 * `npm run build:web`.
 */
describeE2E('notices in the app', () => {
  const e2e = useE2E();
  const url = (path: string) => `${e2e.baseUrl}${path}`;

  /** A student past their first password (their account made now: what is published later is new to them). */
  async function account(schoolId: string) {
    const s = await e2e.t.factory.newStudent({ schoolId, name: '公告测试生', password: 'Student2026' });
    await e2e.t.ctx.db.updateTable('students').set({ must_change_password: false }).where('id', '=', s.id).execute();
    return s;
  }

  /** The student signed in on a phone page. */
  async function signedIn(s: Awaited<ReturnType<typeof account>>) {
    return { student: s, page: await signInToApp(e2e, { as: 'student', login: s.education_id, password: 'Student2026' }) };
  }

  const student = async (schoolId: string) => signedIn(await account(schoolId));

  async function publish(operator: string, body: Record<string, unknown>): Promise<string> {
    const res = await e2e.t.app.inject({ method: 'POST', url: '/api/v1/admin/notices', headers: { authorization: `Bearer ${operator}` }, payload: { publish: true, ...body } });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as string;
  }

  it('a student opens the notices from home, reads one, and the badge count falls', async () => {
    const { t } = e2e;
    const operator = await t.factory.operatorToken();
    const school = await t.factory.newSchool({ stage: 'university', name: '端到端公告大学' });

    // No notice yet: the list says so.
    const lonely = await student(school.id);
    const reader = await account(school.id);
    await lonely.page.getByTestId('home-notices').click();
    await lonely.page.waitForURL(url('/notices'));
    await lonely.page.getByTestId('notices-empty').getByText('暂无公告').waitFor();

    const water = await publish(operator, {
      schoolId: school.id, title: '学生宿舍控水器取水常见问题',
      body: '一、目前学校热水不计费，但校园卡账户余额不能低于0.10元。\n二、控水器故障请通过校园卡APP网上报修。',
    });
    t.clock.advance(60_000);
    await publish(operator, { schoolId: school.id, title: '寒假离校注意事项', body: '请保管好校园卡。', pinned: true });
    t.clock.advance(60_000);
    await publish(operator, { audience: 'university', title: '高校学生电子卡延期提示', body: '电子学生卡每年9月30日到期。' });
    await publish(operator, { audience: 'k12', title: '中小学缴费时间', body: '缴费时间为每周一和周二。' }); // not for a university student

    const { page } = await signedIn(reader);
    const badge = page.getByTestId('home-notices-badge');
    await expect.poll(() => badge.getAttribute('data-count')).toBe('3');
    await badge.getByText('3', { exact: true }).waitFor();
    await e2e.screenshot(page, 'app-notices-home');

    await page.getByTestId('home-notices').click();
    await page.waitForURL(url('/notices'));
    const items = page.getByTestId('notice-item');
    await expect.poll(() => items.count()).toBe(3);
    // Pinned first, then newest; the city-wide one is from the card centre.
    await expect(items.nth(0).textContent()).resolves.toContain('寒假离校注意事项');
    await items.nth(0).getByTestId('notice-pinned').getByText('置顶').waitFor();
    await expect(items.nth(1).textContent()).resolves.toContain('北京市学生卡管理中心');
    await expect(items.nth(2).textContent()).resolves.toContain('端到端公告大学');
    expect(await page.getByTestId('notice-unread').count()).toBe(3);
    expect(await page.getByText('中小学缴费时间').count()).toBe(0);
    await e2e.screenshot(page, 'app-notices-list');

    await page.locator(`[data-testid="notice-item"][data-notice-id="${water}"]`).click();
    await page.waitForURL(url(`/notices/${water}`));
    await page.getByTestId('notice-title').getByText('学生宿舍控水器取水常见问题').waitFor();
    await expect(page.getByTestId('notice-issuer').textContent()).resolves.toBe('端到端公告大学');
    // Paragraphs as written.
    const paragraphs = page.getByTestId('notice-body').locator('p');
    await expect.poll(() => paragraphs.count()).toBe(2);
    await expect(paragraphs.nth(0).textContent()).resolves.toBe('一、目前学校热水不计费，但校园卡账户余额不能低于0.10元。');
    await e2e.screenshot(page, 'app-notices-detail');

    // Back in the list it is read; at home the count has fallen.
    await page.locator('.adm-nav-bar-back').click();
    await page.waitForURL(url('/notices'));
    await expect.poll(() => page.locator(`[data-testid="notice-item"][data-notice-id="${water}"]`).getAttribute('data-read')).toBe('true');
    await expect.poll(() => page.getByTestId('notice-unread').count()).toBe(2);
    await page.locator('.adm-nav-bar-back').click();
    await page.waitForURL(url('/'));
    await expect.poll(() => page.getByTestId('home-notices-badge').getAttribute('data-count')).toBe('2');

    // A notice that is not theirs (or not there) says so, without telling which.
    await page.goto(url(`/notices/${newId()}`));
    await page.getByTestId('notice-missing').getByText('公告不存在或已撤回').waitFor();
  });

  it('the fee screen’s payment times lead to the notices, where the holiday times are announced (seed 001)', async () => {
    const { t } = e2e;
    const school = await t.factory.newSchool({ stage: 'primary', name: '端到端缴费公告小学' });
    const child = await t.factory.newStudent({ schoolId: school.id, birthDate: '2015-06-01' });
    await t.factory.newCard(child.id);
    const parent = await t.factory.newParent({ children: [child.id], password: 'Parent2026' });
    await t.ctx.db.updateTable('parents').set({ must_change_password: false }).where('id', '=', parent.id).execute();
    const token = await t.factory.loginAs('parent', parent.phone, 'Parent2026');
    const fee = await t.app.inject({ method: 'POST', url: '/api/v1/orders/fee', headers: { authorization: `Bearer ${token}` }, payload: { studentId: child.id, feeCode: '174011' } });
    expect(fee.statusCode, fee.body).toBe(201);
    await publish(await t.factory.operatorToken(), { audience: 'k12', title: '2027年元旦、春节期间学生卡缴费时间安排', body: '缴费时间为每周一和周二，节假日不予缴费。' });

    const page = await signInToApp(e2e, { as: 'parent', login: parent.phone, password: 'Parent2026' });
    await page.goto(url(`/orders/${fee.json().id as string}`));
    await page.getByTestId('payment-window').getByTestId('see-notices').click();
    await page.waitForURL(url('/notices'));
    await page.getByTestId('notice-item').filter({ hasText: '2027年元旦、春节期间学生卡缴费时间安排' }).waitFor();
  });

  it('reads in English too', async () => {
    const { t } = e2e;
    const operator = await t.factory.operatorToken();
    const school = await t.factory.newSchool({ stage: 'middle', name: '英文公告中学' });
    await publish(operator, { audience: 'all', title: 'City notice', body: 'Hello' });
    const { page } = await student(school.id);
    await page.evaluate(() => localStorage.setItem('onecard.lang', 'en'));
    await page.goto(url('/notices'));
    await page.getByText('Notices', { exact: true }).first().waitFor();
    await page.getByTestId('notice-item').filter({ hasText: 'City notice' }).getByText('Beijing Student Card Management Centre', { exact: false }).waitFor();
  });
});
