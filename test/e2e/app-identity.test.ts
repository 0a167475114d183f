import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { initialCampusPassword } from '../../src/domain/passwords.js';
import { newId } from '../../src/platform/ids.js';
import { changeAppPassword, describeE2E, settled, signInToApp, submitAppSignIn, useE2E } from './support.js';

/**
 * The app's identity screens in Chromium against the real server: first sign-in with the
 * initial password and the forced change, a student binding a parent who then signs in,
 * parents binding and unbinding children with guardian consent, forgot password, and
 * "find my education ID". Needs `npm run build:web` first.
 */

/** A 1×1 PNG: enough for the card photo endpoint to serve a real image. */
const onePixelPng = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

let phoneSequence = 0;
/** A mobile number no factory parent has (those start 139). */
const freshPhone = () => `137${String(process.pid % 10_000).padStart(4, '0')}${String(++phoneSequence).padStart(4, '0')}`;
const maskedPhone = (phone: string) => `${phone.slice(0, 3)}****${phone.slice(-4)}`;
/** Where the app keeps its session's token (web/app/src/main.tsx). */
const appTokenKey = 'onecard.app.token';

describeE2E('app identity screens in Chromium', () => {
  const e2e = useE2E();

  const url = (path: string) => `${e2e.baseUrl}${path}`;
  const fieldError = (page: Page) => page.locator('.adm-form-item-feedback-error');

  async function signOut(page: Page) {
    await page.getByTestId('tab-bar').getByText('我的', { exact: true }).click();
    await page.getByRole('button', { name: '退出登录' }).click();
    await page.getByRole('button', { name: '确定' }).click();
    await page.waitForURL(url('/login'));
  }

  /** A student whose own password is not set, so the birth date is in force, as in real life. */
  async function studentWithInitialPassword(options: { name: string; birthDate: string; schoolId?: string }) {
    const student = await e2e.t.factory.newStudent(options);
    await e2e.t.ctx.db.updateTable('students').set({ password_hash: null, must_change_password: true }).where('id', '=', student.id).execute();
    return student;
  }

  it("a student's first sign-in forces a password change; a weak one is refused, a good one works", async () => {
    const school = await e2e.t.factory.newSchool({ stage: 'primary', name: '端到端第一小学' });
    const student = await studentWithInitialPassword({ name: '李小花', birthDate: '2015-03-12', schoolId: school.id });
    await e2e.t.ctx.db.insertInto('student_photos').values({ student_id: student.id, content_type: 'image/png', bytes: onePixelPng, updated_at: e2e.t.clock.now() }).execute();
    const page = await e2e.newPage();

    await submitAppSignIn(e2e, page, { as: 'student', login: student.education_id, password: '20150312' });
    await page.getByTestId('must-change-password').waitFor();
    expect(await page.getByTestId('tab-bar').count()).toBe(0);
    // No way round it: another address shows the same screen.
    await page.goto(url('/me'));
    await page.getByTestId('must-change-password').waitFor();
    expect(await page.getByTestId('tab-bar').count()).toBe(0);
    await page.getByText('8–64 位，须同时包含字母和数字').waitFor();

    // The confirmation must match.
    await page.getByPlaceholder('请输入当前密码').fill('20150312');
    await page.getByPlaceholder('请输入新密码').fill('Spring2026');
    await page.getByPlaceholder('请再次输入新密码').fill('Spring2027');
    await page.getByTestId('change-password-submit').click();
    await fieldError(page).getByText('两次输入的新密码不一致').waitFor();

    // Digits only: the server refuses it, and its reason shows under the field.
    await changeAppPassword(page, '20150312', '20260101');
    await fieldError(page).getByText('密码须同时包含字母和数字').waitFor();
    await e2e.screenshot(page, 'app-identity-forced-change-refused');

    await changeAppPassword(page, '20150312', 'Spring2026');
    const tabBar = page.getByTestId('tab-bar');
    await tabBar.waitFor();
    await page.getByText('密码已修改').waitFor();
    expect(await page.getByTestId('must-change-password').count()).toBe(0);

    // 我的: the masked profile and the card photo, fetched with the token.
    await tabBar.getByText('我的', { exact: true }).click();
    await expect(page.getByTestId('me-name').textContent()).resolves.toBe('李**');
    await page.getByText('端到端第一小学').waitFor();
    const photo = page.getByTestId('student-photo');
    await photo.waitFor();
    await expect.poll(() => photo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(1);
    expect(await photo.getAttribute('src')).toMatch(/^blob:/);
    const html = await page.content();
    expect(html).not.toContain('李小花');
    expect(html).not.toContain(student.id_number);
    await settled(page);
    await e2e.screenshot(page, 'app-identity-me-student');

    // The old password is gone, the new one works and nothing is forced any more.
    await signOut(page);
    await submitAppSignIn(e2e, page, { as: 'student', login: student.education_id, password: '20150312' });
    await page.getByText('账号或密码错误').waitFor();
    await page.getByPlaceholder('请输入密码').fill('Spring2026');
    await page.getByTestId('login-submit').click();
    await tabBar.waitFor();
    expect(await page.getByTestId('must-change-password').count()).toBe(0);
  });

  it('a student binds a parent; the parent signs in with 123456, must change it, then sees the child', async () => {
    const school = await e2e.t.factory.newSchool({ stage: 'primary', name: '端到端实验小学' });
    const student = await e2e.t.factory.newStudent({ name: '赵小强', birthDate: '2016-09-01', schoolId: school.id, password: 'Student2026' });
    await e2e.t.ctx.db.updateTable('students').set({ must_change_password: false }).where('id', '=', student.id).execute();
    const phone = freshPhone();

    const studentPage = await signInToApp(e2e, { as: 'student', login: student.education_id, password: 'Student2026' });
    await studentPage.getByTestId('tab-bar').getByText('我的', { exact: true }).click();
    // No photo on file: a placeholder, not a broken image.
    await studentPage.getByTestId('photo-placeholder').waitFor();
    await studentPage.getByTestId('bind-parent-entry').click();
    await studentPage.waitForURL(url('/me/parents'));
    await studentPage.getByText('还没有绑定家长').waitFor();

    await studentPage.getByPlaceholder('请输入手机号').fill(phone);
    // The relation is optional: a second tap clears it (SingleSelector allowClear), another option replaces it.
    const relation = studentPage.getByTestId('parent-relation');
    const chosenRelation = () => relation.locator('.adm-selector-item-active').allTextContents();
    await relation.getByText('父亲', { exact: true }).click();
    await expect.poll(chosenRelation).toEqual(['父亲']);
    await relation.getByText('父亲', { exact: true }).click();
    await expect.poll(chosenRelation).toEqual([]);
    await relation.getByText('母亲', { exact: true }).click();
    await expect.poll(chosenRelation).toEqual(['母亲']);
    await studentPage.getByTestId('bind-parent-submit').click();
    const told = studentPage.getByTestId('parent-bound');
    await told.waitFor();
    expect(await told.textContent()).toBe(`已绑定 ${maskedPhone(phone)}。请告诉家长：用这个手机号登录，初始密码 123456，首次登录后须修改。`);
    await e2e.screenshot(studentPage, 'app-identity-parent-bound');
    await studentPage.getByRole('button', { name: '知道了' }).click();
    const parentItem = studentPage.getByTestId('parent-item');
    await parentItem.getByText(maskedPhone(phone)).waitFor();
    await parentItem.getByText(/母亲 · \d{4}-\d{2}-\d{2} 绑定/).waitFor();
    // The form is cleared: the full number is nowhere on the page any more.
    await expect.poll(() => studentPage.getByPlaceholder('请输入手机号').inputValue()).toBe('');
    expect(await studentPage.content()).not.toContain(phone);
    // …and so is the relation: no option stays highlighted once the form's value is empty.
    await expect.poll(chosenRelation).toEqual([]);

    // Binding the same phone again is refused, next to the field.
    await studentPage.getByPlaceholder('请输入手机号').fill(phone);
    await studentPage.getByTestId('bind-parent-submit').click();
    await fieldError(studentPage).getByText('该家长已绑定此学生').waitFor();

    const parentPage = await e2e.newPage();
    await submitAppSignIn(e2e, parentPage, { as: 'parent', login: phone, password: '123456' });
    await parentPage.getByTestId('must-change-password').waitFor();
    await changeAppPassword(parentPage, '123456', '1234567');
    await fieldError(parentPage).getByText('密码至少 8 位').waitFor();
    await changeAppPassword(parentPage, '123456', 'Parent2026');
    const tabBar = parentPage.getByTestId('tab-bar');
    await tabBar.waitFor();

    await tabBar.getByText('我的', { exact: true }).click();
    const child = parentPage.getByTestId('child-item');
    await expect.poll(() => child.count()).toBe(1);
    await expect(child.getByTestId('child-name').textContent()).resolves.toBe('赵**');
    await child.getByText('端到端实验小学').waitFor();
    await child.getByText('母亲').waitFor();
    expect(await parentPage.content()).not.toContain('赵小强');
    await settled(parentPage);
    await e2e.screenshot(parentPage, 'app-identity-parent-children');

    // The child's page: details and guardian consent (the child is under 14).
    await child.click();
    await parentPage.waitForURL(url(`/children/${student.id}`));
    await parentPage.getByText('根据《个人信息保护法》', { exact: false }).waitFor();
    const nfc = parentPage.getByTestId('consent-nfc_ecard');
    await expect(nfc.getAttribute('aria-checked')).resolves.toBe('false');
    await nfc.click();
    await parentPage.getByText('已同意').waitFor();
    await expect.poll(() => nfc.getAttribute('aria-checked')).toBe('true');
    const consent = await e2e.t.ctx.db.selectFrom('guardian_consents').selectAll().where('student_id', '=', student.id).executeTakeFirstOrThrow();
    expect(consent).toMatchObject({ purpose: 'nfc_ecard', revoked_at: null });
    await settled(parentPage);
    await e2e.screenshot(parentPage, 'app-identity-child');
  });

  it('a parent unbinds a child and binds it again by proving who the child is', async () => {
    const school = await e2e.t.factory.newSchool({ stage: 'middle', name: '端到端第二中学' });
    const student = await e2e.t.factory.newStudent({ name: '钱多多', birthDate: '2011-04-30', schoolId: school.id });
    const parent = await e2e.t.factory.newParent({ children: [student.id], password: 'Parent2026' });
    await e2e.t.ctx.db.updateTable('parents').set({ must_change_password: false }).where('id', '=', parent.id).execute();
    const page = await signInToApp(e2e, { as: 'parent', login: parent.phone, password: 'Parent2026' });
    await page.getByTestId('tab-bar').getByText('我的', { exact: true }).click();
    await page.getByTestId('child-item').click();
    await page.getByText('孩子已满 14 周岁，无需监护人同意。').waitFor();
    await page.getByTestId('unbind-child').click();
    await page.getByText('解除后将不能再查看钱**的信息和办理业务，确定解除绑定吗？').waitFor();
    await page.getByRole('button', { name: '确定' }).click();
    await page.waitForURL(url('/me'));
    await page.getByText('还没有绑定孩子').waitFor();
    await settled(page);
    await e2e.screenshot(page, 'app-identity-no-children');

    await page.getByTestId('bind-child').click();
    await page.waitForURL(url('/children/bind'));
    await page.getByPlaceholder('请输入8位教育ID').fill(student.education_id);
    await page.getByPlaceholder('与学籍一致的完整姓名').fill('钱多朵');
    await page.locator('input[type="date"]').fill('2011-04-30');
    await page.getByTestId('bind-child-submit').click();
    await page.getByTestId('identity-not-verified').getByText('最常见的原因是姓名有错别字', { exact: false }).waitFor();
    await e2e.screenshot(page, 'app-identity-bind-child-typo');

    await page.getByPlaceholder('与学籍一致的完整姓名').fill('钱多多');
    await page.getByText('身份证号后 6 位', { exact: true }).click();
    await page.getByPlaceholder('如 12345X').fill(student.id_number.slice(-6));
    await page.getByTestId('bind-child-submit').click();
    await page.waitForURL(url(`/children/${student.id}`));
    await expect(page.getByTestId('child-name').textContent()).resolves.toBe('钱**');
  });

  it('导出我的数据: a parent downloads a copy of their data after their password', async () => {
    const school = await e2e.t.factory.newSchool({ stage: 'middle', name: '端到端导出中学' });
    const student = await e2e.t.factory.newStudent({ name: '孙导出', birthDate: '2011-05-20', schoolId: school.id });
    const card = await e2e.t.factory.newCard(student.id);
    const parent = await e2e.t.factory.newParent({ children: [student.id], password: 'Parent2026' });
    await e2e.t.ctx.db.updateTable('parents').set({ must_change_password: false }).where('id', '=', parent.id).execute();
    const page = await signInToApp(e2e, { as: 'parent', login: parent.phone, password: 'Parent2026' });
    await page.getByTestId('tab-bar').getByText('我的', { exact: true }).click();
    await page.getByTestId('data-export-entry').click();
    await page.waitForURL(url('/me/data-export'));
    await page.getByTestId('data-export-password').locator('input').fill('Wrong2026');
    await page.getByTestId('data-export-submit').click();
    await page.getByText('原密码不正确').waitFor();
    await page.getByTestId('data-export-password').locator('input').fill('Parent2026');
    const download = page.waitForEvent('download');
    await page.getByTestId('data-export-submit').click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^onecard-parent-data-\d{4}-\d{2}-\d{2}\.json$/);
    const saved = JSON.parse(await readFile((await file.path())!, 'utf8')) as { format: string; profile: { phone: string }; children: { cards: { card: { id: string } }[] }[] };
    expect(saved).toMatchObject({ format: 'onecard-personal-data/1', profile: { phone: parent.phone }, children: [{ cards: [{ card: { id: card.id } }] }] });
    await page.getByTestId('data-export-done').waitFor();
    await settled(page);
    await e2e.screenshot(page, 'app-identity-data-export');
  });

  it('forgot password: a student resets it with name, ID number and birth date', async () => {
    const student = await studentWithInitialPassword({ name: '孙悟空', birthDate: '2012-07-15' });
    const page = await e2e.newPage();

    await page.goto(url('/login'));
    await page.getByRole('link', { name: '忘记密码' }).click();
    await page.waitForURL(url('/forgot-password'));
    await page.getByPlaceholder('与学籍一致的完整姓名').fill('孙悟功');
    await page.getByPlaceholder('18 位身份证号').fill(student.id_number);
    await page.locator('input[type="date"]').fill('2012-07-15');
    await page.getByPlaceholder('请输入新密码').fill('Monkey2026');
    await page.getByPlaceholder('请再次输入新密码').fill('Monkey2026');
    await page.getByTestId('reset-submit').click();
    await page.getByTestId('identity-not-verified').getByText('最常见的原因是姓名有错别字', { exact: false }).waitFor();
    await e2e.screenshot(page, 'app-identity-reset-typo');

    await page.getByPlaceholder('与学籍一致的完整姓名').fill('孙悟空');
    await page.getByTestId('reset-submit').click();
    await page.getByTestId('reset-done').waitFor();
    expect(await page.content()).not.toContain(student.id_number);
    await e2e.screenshot(page, 'app-identity-reset-done');

    await page.getByRole('button', { name: '去登录' }).click();
    await page.waitForURL(url('/login'));
    await page.getByPlaceholder('请输入8位教育ID').fill(student.education_id);
    await page.getByPlaceholder('请输入密码').fill('Monkey2026');
    await page.getByTestId('login-submit').click();
    await page.getByTestId('tab-bar').waitFor();
  });

  it('forgot password: a parent resets it with a text-message code', async () => {
    const parent = await e2e.t.factory.newParent();
    const page = await e2e.newPage();

    await page.goto(url('/login'));
    await page.getByRole('tab', { name: '家长' }).click();
    await page.getByRole('link', { name: '忘记密码' }).click();
    await page.getByRole('tab', { name: '家长', selected: true }).waitFor();
    await page.getByPlaceholder('请输入手机号').fill(parent.phone);
    await page.getByTestId('send-code').click();
    await page.getByText('验证码已发送', { exact: false }).waitFor();
    await expect.poll(() => page.getByTestId('send-code').textContent()).toMatch(/^\d+ 秒后重发$/);
    expect(await page.getByTestId('send-code').isDisabled()).toBe(true);

    const sms = await e2e.t.ctx.db.selectFrom('sms_outbox').select('body').where('phone', '=', parent.phone).orderBy('created_at', 'desc').executeTakeFirstOrThrow();
    const code = /验证码 (\d{6})/.exec(sms.body)![1]!;
    await page.getByPlaceholder('6 位短信验证码').fill(code === '000000' ? '111111' : '000000');
    await page.getByPlaceholder('请输入新密码').fill('Parent-2026');
    await page.getByPlaceholder('请再次输入新密码').fill('Parent-2026');
    await page.getByTestId('reset-submit').click();
    await fieldError(page).getByText('验证码错误或已过期').waitFor();
    await e2e.screenshot(page, 'app-identity-parent-reset');

    await page.getByPlaceholder('6 位短信验证码').fill(code);
    await page.getByTestId('reset-submit').click();
    await page.getByTestId('reset-done').waitFor();
    await signInToApp(e2e, { as: 'parent', login: parent.phone, password: 'Parent-2026' }, { page });
  });

  it('find my education ID: pick the school, prove who you are, sign in with the ID', async () => {
    const school = await e2e.t.factory.newSchool({ stage: 'high', name: '端到端查询高级中学' });
    const student = await e2e.t.factory.newStudent({ name: '周小舟', birthDate: '2009-02-28', schoolId: school.id });
    const page = await e2e.newPage();

    await page.goto(url('/login'));
    await page.getByRole('link', { name: '找回教育ID' }).click();
    await page.waitForURL(url('/find-education-id'));
    await page.getByTestId('school-picker').click();
    await page.getByPlaceholder('搜索学校名称').fill('没有这所学校');
    await page.getByText('没有找到学校').waitFor();
    await page.getByPlaceholder('搜索学校名称').fill('端到端查询');
    const option = page.getByTestId('school-options').getByText('端到端查询高级中学', { exact: true });
    await option.waitFor();
    await page.getByTestId('school-options').getByText('高中 · 海淀区').waitFor();
    await e2e.screenshot(page, 'app-identity-school-picker');
    await option.click();
    await expect(page.getByTestId('school-picker').textContent()).resolves.toBe('端到端查询高级中学');

    await page.getByPlaceholder('与学籍一致的完整姓名').fill('周小舟');
    await page.getByPlaceholder('18 位身份证号').fill(student.id_number);
    await page.locator('input[type="date"]').fill('2009-02-28');
    await page.getByTestId('lookup-submit').click();
    await expect(page.getByTestId('education-id').textContent()).resolves.toBe(student.education_id);
    expect(await page.content()).not.toContain(student.id_number);
    await e2e.screenshot(page, 'app-identity-education-id');

    await page.getByRole('button', { name: '用此教育ID登录' }).click();
    await page.waitForURL(url('/login'));
    await expect(page.getByPlaceholder('请输入8位教育ID').inputValue()).resolves.toBe(student.education_id);
  });

  it('campus card: sign in with the ID number and the initial query password, then change it under the 6-digit rule', async () => {
    const university = await e2e.t.factory.newSchool({ stage: 'university', name: '端到端大学' });
    const student = await e2e.t.factory.newStudent({ name: '吴大学', birthDate: '2005-06-21', schoolId: university.id });
    const initial = initialCampusPassword(student.id_number);
    const page = await e2e.newPage();

    await page.goto(url('/login'));
    await page.getByRole('tab', { name: '校园卡' }).click();
    await page.getByText('初始查询密码为身份证号后 6 位数字', { exact: false }).waitFor();
    await e2e.screenshot(page, 'app-identity-login-campus');
    await submitAppSignIn(e2e, page, { as: 'campus', login: student.id_number, password: initial });
    await page.getByTestId('must-change-password').waitFor();
    await page.getByText('6 位数字；不能含 123、987 这样的连续数字', { exact: false }).waitFor();
    await changeAppPassword(page, initial, '123790');
    await fieldError(page).getByText('密码不能包含连续数字（如 123、987）').waitFor();
    await changeAppPassword(page, initial, '135790');
    await page.getByTestId('tab-bar').waitFor();
    await page.getByTestId('tab-bar').getByText('我的', { exact: true }).click();
    await page.getByText('修改查询密码').waitFor();

    // After a reload with nothing remembered but the session's token, the app still knows it is a
    // campus session: it asks the server (GET /me loginKind), not the browser.
    await page.evaluate((key) => {
      const token = localStorage.getItem(key);
      localStorage.clear();
      if (token !== null) localStorage.setItem(key, token);
    }, appTokenKey);
    expect(await page.evaluate(() => Object.keys(localStorage))).toEqual([appTokenKey]);
    await page.reload();
    await page.getByTestId('tab-bar').waitFor();
    await page.getByText('修改查询密码').click();
    await page.waitForURL(url('/me/password'));
    await page.getByText('6 位数字；不能含 123、987 这样的连续数字', { exact: false }).waitFor();
    expect(await page.getByText('8–64 位，须同时包含字母和数字').count()).toBe(0);
  });

  it('English throughout, and a throttled sign-in says when to try again', async () => {
    const student = await e2e.t.factory.newStudent();
    const page = await e2e.newPage();
    await page.goto(url('/login'));
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('tab', { name: 'Campus card' }).waitFor();
    await page.getByRole('link', { name: 'Forgot password' }).waitFor();

    // Eight failures in a row from this place: the next try must wait 2^(8-5) = 8 s.
    for (let i = 0; i < 8; i++) {
      await e2e.t.ctx.db.insertInto('auth_attempts').values({ id: newId(), account_key: `student:${student.education_id}`, source: '127.0.0.1', succeeded: false, at: e2e.t.clock.now() }).execute();
    }
    await page.getByPlaceholder('8-digit education ID').fill(student.education_id);
    await page.getByPlaceholder('Password').fill(student.password);
    await page.getByTestId('login-submit').click();
    await page.locator('.adm-toast-main').getByText(/Too many attempts; wait a moment and try again \(try again in 8 s\)/).waitFor();
    await e2e.screenshot(page, 'app-identity-throttled-en');
  });
});
