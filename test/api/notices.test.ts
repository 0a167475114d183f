import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/platform/ids.js';
import { createTestApp, type TestApp } from '../support/app.js';

/**
 * 消息公告 (seeds 001, 004): the card centre's city-wide notices and a school's, read by students
 * and parents in the app, written by operators and school card managers in the console.
 */

let t: TestApp;
let operator: string;
beforeAll(async () => {
  t = await createTestApp();
  operator = await t.factory.operatorToken();
});
afterAll(async () => t.close());

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
type Json = Record<string, unknown>;
interface Listed { id: string; read: boolean; pinned: boolean; cityWide: boolean; issuerName: string; title: string; excerpt: string; publishedAt: string }

const create = (token: string, body: Json, headers: Record<string, string> = {}) => t.app.inject({ method: 'POST', url: '/api/v1/admin/notices', headers: { ...auth(token), ...headers }, payload: body });
const act = (token: string, id: string, event: 'publish' | 'withdraw') => t.app.inject({ method: 'POST', url: `/api/v1/admin/notices/${id}/${event}`, headers: auth(token) });
const edit = (token: string, id: string, body: Json) => t.app.inject({ method: 'PUT', url: `/api/v1/admin/notices/${id}`, headers: auth(token), payload: body });
const list = async (token: string, query = 'pageSize=200') => {
  const res = await t.app.inject({ url: `/api/v1/notices?${query}`, headers: auth(token) });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { items: Listed[]; total: number; unreadCount: number; page: number; pageSize: number };
};
const open = (token: string, id: string) => t.app.inject({ url: `/api/v1/notices/${id}`, headers: auth(token) });
const ids = (items: { id: string }[]) => items.map((i) => i.id);

/** A published notice made by the operator; returns its id. */
async function published(body: Json): Promise<string> {
  const res = await create(operator, { title: '测试公告', body: '正文', publish: true, ...body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

async function studentAt(schoolId: string) {
  const student = await t.factory.newStudent({ schoolId });
  return { student, token: await t.factory.loginAs('student', student.education_id, student.password) };
}

async function parentOf(...studentIds: string[]) {
  const parent = await t.factory.newParent({ children: studentIds });
  return { parent, token: await t.factory.loginAs('parent', parent.phone, parent.password) };
}

async function managerOf(schoolId: string) {
  const staff = await t.factory.newStaff('school_admin', { schoolId });
  return { staff, token: await t.factory.loginAs('staff', staff.username, staff.password) };
}

describe('who sees which notice', () => {
  it('a student who graduated or left, and their parent, read only the notices for everyone', async () => {
    const school = await t.factory.newSchool({ stage: 'high', name: '公告测试毕业中学' });
    const leaver = await studentAt(school.id);
    const parent = await parentOf(leaver.student.id);
    const forAll = await published({ audience: 'all', title: '全市公告（毕业生）' });
    const forK12 = await published({ audience: 'k12', title: '中小学公告（毕业生）' });
    const ofSchool = await published({ schoolId: school.id, title: '本校公告（毕业生）' });
    expect(ids((await list(leaver.token)).items)).toEqual(expect.arrayContaining([forAll, forK12, ofSchool]));

    await t.ctx.db.updateTable('students').set({ status: 'graduated' }).where('id', '=', leaver.student.id).execute();
    for (const reader of [leaver, parent]) {
      const seen = ids((await list(reader.token)).items);
      expect(seen).toContain(forAll);
      expect(seen).not.toContain(forK12);
      expect(seen).not.toContain(ofSchool);
      expect((await open(reader.token, ofSchool)).statusCode).toBe(404);
    }
  });

  it('a student sees their school’s and the city-wide ones for everyone and their stage; not another school’s, drafts or withdrawn ones', async () => {
    const schoolA = await t.factory.newSchool({ stage: 'middle', name: '公告测试中学甲' });
    const schoolB = await t.factory.newSchool({ stage: 'primary', name: '公告测试小学乙' });
    const university = await t.factory.newSchool({ stage: 'vocational', name: '公告测试职业学院' });
    const a = await studentAt(schoolA.id);
    const b = await studentAt(schoolB.id);
    const u = await studentAt(university.id);

    const forAll = await published({ audience: 'all', title: '全市公告' });
    const forK12 = await published({ audience: 'k12', title: '中小学缴费时间' });
    const forUniversity = await published({ audience: 'university', title: '高校电子学生卡延期' });
    const ofA = await published({ schoolId: schoolA.id, title: '甲校公告' });
    const ofB = await published({ schoolId: schoolB.id, title: '乙校公告' });
    const draft = (await create(operator, { schoolId: schoolA.id, title: '甲校草稿', body: '未发布' })).json().id as string;
    const withdrawn = await published({ schoolId: schoolA.id, title: '甲校撤回' });
    expect((await act(operator, withdrawn, 'withdraw')).statusCode).toBe(200);

    const seenByA = ids((await list(a.token)).items);
    expect(seenByA).toEqual(expect.arrayContaining([forAll, forK12, ofA]));
    for (const hidden of [forUniversity, ofB, draft, withdrawn]) expect(seenByA).not.toContain(hidden);
    const seenByB = ids((await list(b.token)).items);
    expect(seenByB).toEqual(expect.arrayContaining([forAll, forK12, ofB]));
    for (const hidden of [forUniversity, ofA]) expect(seenByB).not.toContain(hidden);
    // A vocational college's students are 'university' for city-wide notices.
    const seenByU = ids((await list(u.token)).items);
    expect(seenByU).toEqual(expect.arrayContaining([forAll, forUniversity]));
    for (const hidden of [forK12, ofA, ofB]) expect(seenByU).not.toContain(hidden);

    // What is not theirs is not found, exactly as an id that never existed: nothing leaks.
    const missing = (await open(a.token, newId())).json();
    expect(missing).toMatchObject({ error: { code: 'NOTICE_NOT_FOUND' } });
    for (const hidden of [ofB, draft, withdrawn, forUniversity]) {
      const res = await open(a.token, hidden);
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('NOTICE_NOT_FOUND');
      expect(res.json().error.details.noticeId).toBe(hidden);
    }
    expect(await t.ctx.db.selectFrom('notice_reads').select('notice_id').where('reader_id', '=', a.student.id).execute()).toEqual([]);
  });

  it('a parent sees every bound child’s school and the city-wide ones reaching any child; another family’s school stays hidden', async () => {
    const primary = await t.factory.newSchool({ stage: 'primary' });
    const university = await t.factory.newSchool({ stage: 'university' });
    const other = await t.factory.newSchool({ stage: 'high' });
    const child1 = await t.factory.newStudent({ schoolId: primary.id });
    const child2 = await t.factory.newStudent({ schoolId: university.id });
    const family = await parentOf(child1.id, child2.id);
    const k12Family = await parentOf((await t.factory.newStudent({ schoolId: other.id })).id);
    const childless = await parentOf();

    const forAll = await published({ audience: 'all' });
    const forK12 = await published({ audience: 'k12' });
    const forUniversity = await published({ audience: 'university' });
    const ofPrimary = await published({ schoolId: primary.id });
    const ofUniversity = await published({ schoolId: university.id });
    const ofOther = await published({ schoolId: other.id });

    const seen = ids((await list(family.token)).items);
    expect(seen).toEqual(expect.arrayContaining([forAll, forK12, forUniversity, ofPrimary, ofUniversity]));
    expect(seen).not.toContain(ofOther);
    expect((await open(family.token, ofOther)).json()).toMatchObject({ error: { code: 'NOTICE_NOT_FOUND' } });
    expect((await open(family.token, ofUniversity)).statusCode).toBe(200);

    const k12Seen = ids((await list(k12Family.token)).items);
    expect(k12Seen).toEqual(expect.arrayContaining([forAll, forK12, ofOther]));
    for (const hidden of [forUniversity, ofPrimary, ofUniversity]) expect(k12Seen).not.toContain(hidden);
    // A parent with no child bound yet reads the notices for everyone only.
    const lone = ids((await list(childless.token)).items);
    expect(lone).toContain(forAll);
    for (const hidden of [forK12, forUniversity, ofPrimary]) expect(lone).not.toContain(hidden);
  });

  it('lists pinned first, then newest, with the issuer; pages; the console and terminals have no reader list', async () => {
    const school = await t.factory.newSchool({ stage: 'high', name: '公告排序中学' });
    const s = await studentAt(school.id);
    const older = await published({ schoolId: school.id, title: '较早' });
    t.clock.advance(60_000);
    const newer = await published({ schoolId: school.id, title: '较新' });
    t.clock.advance(60_000);
    const pinnedOld = await published({ schoolId: school.id, title: '置顶', pinned: true });
    t.clock.advance(60_000);
    const cityWide = await published({ audience: 'k12', title: '全市较新', body: '第一段\n第二段' });

    const all = await list(s.token);
    const mine = all.items.filter((i) => [older, newer, pinnedOld, cityWide].includes(i.id));
    expect(ids(mine)).toEqual([pinnedOld, cityWide, newer, older]);
    expect(all.items.findIndex((i) => i.id === pinnedOld)).toBeLessThan(all.items.findIndex((i) => !i.pinned));
    expect(mine[0]).toMatchObject({ pinned: true, cityWide: false, issuerName: '公告排序中学', read: false });
    expect(mine[1]).toMatchObject({ cityWide: true, issuerName: '北京市学生卡管理中心', excerpt: '第一段 第二段' });

    const first = await list(s.token, 'page=1&pageSize=2');
    const second = await list(s.token, 'page=2&pageSize=2');
    expect(first.items).toHaveLength(2);
    expect(first.total).toBe(all.total);
    expect(ids(second.items)).toEqual(ids(all.items.slice(2, 4)));
    expect((await t.app.inject({ url: '/api/v1/notices?pageSize=0', headers: auth(s.token) })).json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });

    expect((await t.app.inject({ url: '/api/v1/notices', headers: auth(operator) })).statusCode).toBe(403);
    expect((await t.app.inject({ url: '/api/v1/notices' })).statusCode).toBe(401);
    expect((await open(operator, older)).statusCode).toBe(403);
  });
});

describe('reading', () => {
  it('opening a notice marks it read for that reader only, once; the unread count falls by one', async () => {
    const school = await t.factory.newSchool({ stage: 'university', name: '公告阅读大学' });
    const s = await studentAt(school.id);
    const family = await parentOf(s.student.id);
    const id = await published({ schoolId: school.id, title: '学生宿舍控水器取水常见问题', body: '一、热水目前不计费。\n\n二、校园卡账户余额不能低于0.10元。' });

    const before = await list(s.token);
    expect(before.items.find((i) => i.id === id)).toMatchObject({ read: false });
    const parentBefore = (await list(family.token)).unreadCount;

    const opened = await open(s.token, id);
    expect(opened.statusCode, opened.body).toBe(200);
    expect(opened.json()).toMatchObject({ id, read: true, issuerName: '公告阅读大学', cityWide: false, body: '一、热水目前不计费。\n\n二、校园卡账户余额不能低于0.10元。' });
    const after = await list(s.token);
    expect(after.items.find((i) => i.id === id)).toMatchObject({ read: true });
    expect(after.unreadCount).toBe(before.unreadCount - 1);

    // Again: nothing more is recorded and the first reading's time stays.
    const firstRead = await t.ctx.db.selectFrom('notice_reads').selectAll().where('notice_id', '=', id).execute();
    t.clock.advance(60_000);
    expect((await open(s.token, id)).statusCode).toBe(200);
    expect(await t.ctx.db.selectFrom('notice_reads').selectAll().where('notice_id', '=', id).execute()).toEqual(firstRead);
    expect((await list(s.token)).unreadCount).toBe(after.unreadCount);

    // The parent's mark is their own.
    expect((await list(family.token)).unreadCount).toBe(parentBefore);
    expect((await open(family.token, id)).statusCode).toBe(200);
    expect((await list(family.token)).unreadCount).toBe(parentBefore - 1);
    expect(firstRead).toEqual([expect.objectContaining({ reader_role: 'student', reader_id: s.student.id })]);

    // The console counts both readers.
    const row = (await t.app.inject({ url: `/api/v1/admin/notices?schoolId=${school.id}`, headers: auth(operator) })).json().items.find((n: { id: string }) => n.id === id);
    expect(row).toMatchObject({ readCount: 2, status: 'published' });

    // A withdrawn notice leaves the list and the unread count, read or not.
    const unreadOne = await published({ schoolId: school.id, title: '将撤回' });
    const withOne = (await list(s.token)).unreadCount;
    await act(operator, unreadOne, 'withdraw');
    expect((await list(s.token)).unreadCount).toBe(withOne - 1);
    expect((await open(s.token, unreadOne)).json()).toMatchObject({ error: { code: 'NOTICE_NOT_FOUND' } });
  });
});

describe('what counts as unread', () => {
  it('a new account counts only what was published since it was made, and the pinned notices of before', async () => {
    const school = await t.factory.newSchool({ stage: 'middle', name: '公告新账号中学' });
    const earlier = await studentAt(school.id); // there before the notices
    const old = await published({ schoolId: school.id, title: '开学前的公告' });
    const oldPinned = await published({ schoolId: school.id, title: '开学前的置顶公告', pinned: true });
    const oldCity = await published({ audience: 'all', title: '开学前的全市公告' });
    t.clock.advance(5 * 60_000); // the operator's session outlives it
    const s = await studentAt(school.id);
    const family = await parentOf(s.student.id);
    t.clock.advance(60_000);
    const fresh = await published({ schoolId: school.id, title: '开学后的公告' });

    for (const reader of [s, family]) {
      const listed = await list(reader.token);
      const flag = (id: string) => listed.items.find((i) => i.id === id)?.read;
      // Listed all the same, but only the new and the pinned ones are marked unread.
      expect([flag(old), flag(oldCity), flag(oldPinned), flag(fresh)]).toEqual([true, true, false, false]);
      expect(listed.unreadCount).toBe(listed.items.filter((i) => !i.read).length);
      expect(listed.items.filter((i) => !i.read).every((i) => i.pinned || i.id === fresh)).toBe(true);
    }
    const before = (await list(s.token)).unreadCount;
    // Opening an old one changes no count; opening the new one does.
    expect((await open(s.token, old)).statusCode).toBe(200);
    expect((await list(s.token)).unreadCount).toBe(before);
    expect((await open(s.token, fresh)).statusCode).toBe(200);
    expect((await list(s.token)).unreadCount).toBe(before - 1);

    // The student who was there before counts them all until opened.
    const theirs = await list(earlier.token);
    expect([old, oldCity, oldPinned, fresh].map((id) => theirs.items.find((i) => i.id === id)?.read)).toEqual([false, false, false, false]);
  });
});

describe('the data export', () => {
  it('lists the notices the student or parent has opened, and when', async () => {
    const school = await t.factory.newSchool({ stage: 'middle' });
    const s = await studentAt(school.id);
    await t.ctx.db.updateTable('students').set({ must_change_password: false }).where('id', '=', s.student.id).execute();
    const id = await published({ schoolId: school.id, title: '导出测试公告' });
    await published({ schoolId: school.id, title: '未读公告' });
    await open(s.token, id);
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/me/data-export', headers: auth(s.token), payload: { password: s.student.password } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().noticesRead).toEqual([{ noticeId: id, title: '导出测试公告', readAt: t.clock.now().toISOString() }]);
  });
});

describe('the console', () => {
  it('a school card manager writes and lists only their own school’s notices', async () => {
    const school = await t.factory.newSchool({ stage: 'middle', name: '卡管员中学' });
    const otherSchool = await t.factory.newSchool({ stage: 'middle' });
    const manager = await managerOf(school.id);
    const theirs = await published({ schoolId: otherSchool.id, title: '别校公告' });
    const cityWide = await published({ audience: 'all', title: '全市' });

    expect((await create(manager.token, { audience: 'all', title: '全市', body: '正文' })).json()).toMatchObject({ error: { code: 'NOTICE_CITY_WIDE_OPERATORS_ONLY' } });
    expect((await create(manager.token, { audience: 'k12', title: '全市', body: '正文' })).statusCode).toBe(403);
    const elsewhere = await create(manager.token, { schoolId: otherSchool.id, title: '别校', body: '正文' });
    expect(elsewhere.statusCode).toBe(403);
    expect(elsewhere.json()).toMatchObject({ error: { code: 'ACCESS_DENIED' } });
    expect((await create(manager.token, { schoolId: school.id, audience: 'k12', title: '两者', body: '正文' })).json()).toMatchObject({ error: { code: 'NOTICE_SCOPE_INVALID' } });

    // Left out, the school is their own.
    const made = await create(manager.token, { title: '期末离校注意事项', body: '请保管好学生卡。', pinned: true });
    expect(made.statusCode, made.body).toBe(201);
    expect(made.json()).toMatchObject({ schoolId: school.id, schoolName: '卡管员中学', audience: null, status: 'draft', pinned: true, publishedAt: null, readCount: 0 });
    const mine = made.json().id as string;
    const named = await create(manager.token, { schoolId: school.id, title: '明确本校', body: '正文', publish: true });
    expect(named.json()).toMatchObject({ status: 'published', publishedAt: expect.any(String) });

    // Their list is their school's whatever school the query names; city-wide notices are not in it (an empty list for scope=city).
    expect((await t.app.inject({ url: '/api/v1/admin/notices?scope=city', headers: auth(manager.token) })).json()).toMatchObject({ items: [], total: 0 });
    for (const query of ['', `?schoolId=${otherSchool.id}`, '?scope=school']) {
      const listed = await t.app.inject({ url: `/api/v1/admin/notices${query}`, headers: auth(manager.token) });
      expect(listed.statusCode).toBe(200);
      const seen = listed.json().items as { id: string; schoolId: string | null }[];
      expect(ids(seen)).toEqual(expect.arrayContaining([mine, named.json().id]));
      expect(seen.every((n) => n.schoolId === school.id)).toBe(true);
      expect(ids(seen)).not.toContain(theirs);
      expect(ids(seen)).not.toContain(cityWide);
    }

    // Another school's notice and the card centre's are not theirs to touch (not found, as in their list).
    for (const id of [theirs, cityWide]) {
      expect((await edit(manager.token, id, { title: '改', body: '改', pinned: false })).json()).toMatchObject({ error: { code: 'NOTICE_NOT_FOUND' } });
      expect((await act(manager.token, id, 'withdraw')).json()).toMatchObject({ error: { code: 'NOTICE_NOT_FOUND' } });
    }
    const untouched = await t.ctx.db.selectFrom('notices').select(['title', 'status']).where('id', 'in', [theirs, cityWide]).execute();
    expect(untouched.every((n) => n.status === 'published' && n.title !== '改')).toBe(true);

    // Their own: edited, published, withdrawn.
    expect((await edit(manager.token, mine, { title: '期末离校注意事项（更新）', body: '请保管好学生卡。\n遗失请及时挂失。', pinned: false })).json()).toMatchObject({ title: '期末离校注意事项（更新）', pinned: false, status: 'draft' });
    expect((await act(manager.token, mine, 'publish')).json()).toMatchObject({ status: 'published' });
    expect((await act(manager.token, mine, 'withdraw')).json()).toMatchObject({ status: 'withdrawn', withdrawnAt: expect.any(String) });

    // Students, parents and kiosks have no console.
    const s = await studentAt(school.id);
    expect((await t.app.inject({ url: '/api/v1/admin/notices', headers: auth(s.token) })).statusCode).toBe(403);
    expect((await create(s.token, { title: '学生', body: '正文' })).statusCode).toBe(403);
  });

  it('an operator writes city-wide or any school’s notices and filters the list', async () => {
    const school = await t.factory.newSchool({ stage: 'primary', name: '运营筛选小学' });
    expect((await create(operator, { title: '无范围', body: '正文' })).json()).toMatchObject({ error: { code: 'NOTICE_SCOPE_INVALID' } });
    expect((await create(operator, { schoolId: null, audience: null, title: '无范围', body: '正文' })).statusCode).toBe(400);
    expect((await create(operator, { schoolId: newId(), title: '无此校', body: '正文' })).json()).toMatchObject({ error: { code: 'NOTICE_SCHOOL_UNKNOWN' } });
    const city = await create(operator, { audience: 'k12', title: '2027年元旦、春节期间学生卡缴费时间安排', body: '缴费时间为每周一和周二。' });
    expect(city.json()).toMatchObject({ schoolId: null, schoolName: null, audience: 'k12', status: 'draft' });
    const ofSchool = await published({ schoolId: school.id });

    const cityOnly = (await t.app.inject({ url: '/api/v1/admin/notices?scope=city&pageSize=200', headers: auth(operator) })).json().items as { id: string; schoolId: string | null }[];
    expect(ids(cityOnly)).toContain(city.json().id);
    expect(cityOnly.every((n) => n.schoolId === null)).toBe(true);
    const schoolsOnly = (await t.app.inject({ url: '/api/v1/admin/notices?scope=school&pageSize=200', headers: auth(operator) })).json().items as { id: string; schoolId: string | null }[];
    expect(ids(schoolsOnly)).toContain(ofSchool);
    expect(schoolsOnly.every((n) => n.schoolId !== null)).toBe(true);
    const one = (await t.app.inject({ url: `/api/v1/admin/notices?schoolId=${school.id}`, headers: auth(operator) })).json();
    expect(ids(one.items)).toEqual([ofSchool]);
    expect(one.total).toBe(1);
    const draftId = (await create(operator, { schoolId: school.id, title: '草稿', body: '正文' })).json().id as string;
    const drafts = (await t.app.inject({ url: '/api/v1/admin/notices?status=draft&pageSize=200', headers: auth(operator) })).json().items as { id: string; status: string }[];
    expect(ids(drafts)).toContain(draftId);
    expect(drafts.every((n) => n.status === 'draft')).toBe(true);
    expect((await t.app.inject({ url: '/api/v1/admin/notices?scope=everywhere', headers: auth(operator) })).json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
  });

  it('combines a school and a scope as they say: a school’s and city-wide is none; a card manager’s city-wide list is empty', async () => {
    const school = await t.factory.newSchool({ stage: 'middle', name: '公告筛选中学' });
    const ofSchool = await published({ schoolId: school.id, title: '筛选：本校公告' });
    const city = await published({ audience: 'all', title: '筛选：全市公告' });
    const consoleList = async (token: string, query: string) => {
      const res = await t.app.inject({ url: `/api/v1/admin/notices?pageSize=200&${query}`, headers: auth(token) });
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as { items: { id: string; schoolId: string | null }[]; total: number };
    };
    expect(await consoleList(operator, `schoolId=${school.id}&scope=city`)).toMatchObject({ items: [], total: 0 });
    expect(ids((await consoleList(operator, `schoolId=${school.id}&scope=school`)).items)).toEqual([ofSchool]);
    expect(ids((await consoleList(operator, `schoolId=${school.id}`)).items)).toEqual([ofSchool]);
    const cityOnly = await consoleList(operator, 'scope=city');
    expect(ids(cityOnly.items)).toContain(city);
    expect(cityOnly.items.every((n) => n.schoolId === null)).toBe(true);

    const manager = await managerOf(school.id);
    expect(await consoleList(manager.token, 'scope=city')).toMatchObject({ items: [], total: 0 });
    expect(ids((await consoleList(manager.token, 'scope=school')).items)).toEqual([ofSchool]);
    expect(ids((await consoleList(manager.token, '')).items)).toEqual([ofSchool]);
  });

  it('refuses moves the status does not allow, with their codes, and changes nothing', async () => {
    const school = await t.factory.newSchool();
    const draft = (await create(operator, { schoolId: school.id, title: '草稿', body: '正文' })).json().id as string;
    expect((await act(operator, draft, 'withdraw')).json()).toMatchObject({ error: { code: 'NOTICE_TRANSITION_INVALID', details: { status: 'draft', event: 'withdraw' } } });
    expect((await act(operator, draft, 'publish')).statusCode).toBe(200);
    const again = await act(operator, draft, 'publish');
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ error: { code: 'NOTICE_TRANSITION_INVALID', message: '公告当前状态不能进行此操作', messageEn: 'The notice cannot do that in its present status' } });
    // A published notice is corrected in place, and keeps its publication time.
    const before = await t.ctx.db.selectFrom('notices').select('published_at').where('id', '=', draft).executeTakeFirstOrThrow();
    t.clock.advance(60_000);
    expect((await edit(operator, draft, { title: '更正', body: '更正后的正文', pinned: true })).json()).toMatchObject({ title: '更正', status: 'published', pinned: true, publishedAt: before.published_at!.toISOString() });
    expect((await act(operator, draft, 'withdraw')).statusCode).toBe(200);
    const edited = await edit(operator, draft, { title: '再改', body: '正文', pinned: false });
    expect(edited.statusCode).toBe(409);
    expect(edited.json()).toMatchObject({ error: { code: 'NOTICE_WITHDRAWN', message: '公告已撤回，不能再修改' } });
    expect((await act(operator, draft, 'publish')).json()).toMatchObject({ error: { code: 'NOTICE_TRANSITION_INVALID' } });
    expect((await act(operator, draft, 'withdraw')).json()).toMatchObject({ error: { code: 'NOTICE_TRANSITION_INVALID' } });
    expect(await t.ctx.db.selectFrom('notices').select(['title', 'status', 'pinned']).where('id', '=', draft).executeTakeFirstOrThrow()).toEqual({ title: '更正', status: 'withdrawn', pinned: true });
    expect((await act(operator, newId(), 'publish')).json()).toMatchObject({ error: { code: 'NOTICE_NOT_FOUND' } });
    expect((await edit(operator, newId(), { title: '无', body: '无', pinned: false })).statusCode).toBe(404);
  });

  it('refuses bad input with 400 VALIDATION_FAILED and writes nothing', async () => {
    const school = await t.factory.newSchool();
    const count = async () => Number((await t.ctx.db.selectFrom('notices').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
    const before = await count();
    const bad: Json[] = [
      { schoolId: school.id, title: '', body: '正文' },
      { schoolId: school.id, title: '   ', body: '正文' },
      { schoolId: school.id, title: '题'.repeat(81), body: '正文' },
      { schoolId: school.id, title: '两行\n标题', body: '正文' },
      { schoolId: school.id, title: '标题', body: '' },
      { schoolId: school.id, title: '标题', body: '字'.repeat(5001) },
      { schoolId: school.id, title: '标题', body: '含\u0000空字符' },
      { schoolId: school.id, title: '标题', body: '含\u0007响铃' },
      { schoolId: 'not-a-uuid', title: '标题', body: '正文' },
      { audience: 'parents', title: '标题', body: '正文' },
      { schoolId: school.id, title: '标题', body: '正文', pinned: 'yes' },
      { schoolId: school.id, title: 42, body: '正文' },
    ];
    for (const body of bad) {
      const res = await create(operator, body);
      expect(res.statusCode, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.any(String), messageEn: expect.any(String) });
    }
    expect(await count()).toBe(before);
    // At the limits: 80 characters of title, 5000 of body (a CRLF is one newline).
    const atLimit = await create(operator, { schoolId: school.id, title: '题'.repeat(80), body: `${'字'.repeat(4998)}\r\n字` });
    expect(atLimit.statusCode, atLimit.body).toBe(201);
    expect(atLimit.json().body).toBe(`${'字'.repeat(4998)}\n字`);
    const id = atLimit.json().id as string;
    expect((await edit(operator, id, { title: '标题', body: '正文' })).json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    expect((await t.app.inject({ method: 'PUT', url: '/api/v1/admin/notices/not-a-uuid', headers: auth(operator), payload: { title: '标题', body: '正文', pinned: false } })).statusCode).toBe(400);
    expect((await t.app.inject({ url: '/api/v1/notices/not-a-uuid', headers: auth(operator) })).statusCode).toBe(400);
  });

  it('audits every change, and a retried create with its Idempotency-Key makes one notice', async () => {
    const school = await t.factory.newSchool();
    const manager = await managerOf(school.id);
    const headers = { 'idempotency-key': `notice-${newId()}` };
    const body = { title: '学生卡延期通知', body: '请于10月底前完成延期。', publish: true };
    const first = await create(manager.token, body, headers);
    const retry = await create(manager.token, body, headers);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.json().id).toBe(first.json().id);
    const id = first.json().id as string;
    expect(await t.ctx.db.selectFrom('notices').select('id').where('school_id', '=', school.id).execute()).toHaveLength(1);
    expect((await create(manager.token, { ...body, title: '另一条' }, headers)).json()).toMatchObject({ error: { code: 'IDEMPOTENCY_KEY_REUSED' } });

    await edit(manager.token, id, { title: '学生卡延期通知（更正）', body: '请于10月31日前完成延期。', pinned: true });
    await act(manager.token, id, 'withdraw');
    await act(manager.token, id, 'publish'); // refused: not audited
    const audit = await t.ctx.db.selectFrom('audit_log').selectAll().where('entity_type', '=', 'notice').where('entity_id', '=', id).execute();
    expect(audit.map((a) => a.action).sort()).toEqual(['notice.created', 'notice.edited', 'notice.published', 'notice.withdrawn']);
    expect(audit.every((a) => a.actor_role === 'school_admin' && a.actor_id === manager.staff.id)).toBe(true);
    const edited = audit.find((a) => a.action === 'notice.edited')!;
    expect(edited.before).toMatchObject({ title: '学生卡延期通知', pinned: false, status: 'published' });
    expect(edited.after).toMatchObject({ title: '学生卡延期通知（更正）', body: '请于10月31日前完成延期。', pinned: true });
    expect(audit.find((a) => a.action === 'notice.withdrawn')).toMatchObject({ before: { status: 'published' }, after: { status: 'withdrawn' } });
    const row = await t.ctx.db.selectFrom('notices').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ created_by_role: 'school_admin', created_by_id: manager.staff.id, updated_by_role: 'school_admin', updated_by_id: manager.staff.id });
  });
});

describe('OpenAPI', () => {
  it('documents the notice routes with their limits', async () => {
    const spec = (await t.app.inject('/openapi.json')).json() as { paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties: Record<string, { maxLength?: number }> } }> } }>> };
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/api/v1/notices', '/api/v1/notices/{noticeId}', '/api/v1/admin/notices', '/api/v1/admin/notices/{noticeId}', '/api/v1/admin/notices/{noticeId}/publish', '/api/v1/admin/notices/{noticeId}/withdraw']));
    const create = spec.paths['/api/v1/admin/notices']!.post!.requestBody!.content['application/json']!.schema.properties;
    expect(create.title?.maxLength).toBe(80);
    expect(create.body?.maxLength).toBe(5000);
  });
});

describe('the table’s own checks', () => {
  const base = () => {
    const now = t.clock.now();
    return { id: newId(), title: '约束', body: '正文', status: 'draft' as const, published_at: null, withdrawn_at: null, created_by_role: 'operator' as const, created_by_id: newId(), updated_by_role: 'operator' as const, updated_by_id: newId(), created_at: now, updated_at: now };
  };
  it('hold a notice to one scope, its times to its status, and card managers to schools', async () => {
    const school = await t.factory.newSchool();
    const insert = (row: Json) => t.ctx.db.insertInto('notices').values({ ...base(), ...row } as never).execute();
    await expect(insert({ school_id: null, audience: null })).rejects.toThrow(/notices_scope/);
    await expect(insert({ school_id: school.id, audience: 'k12' })).rejects.toThrow(/notices_scope/);
    await expect(insert({ school_id: school.id, audience: null, status: 'published' })).rejects.toThrow(/notices_published/);
    await expect(insert({ school_id: school.id, audience: null, status: 'withdrawn', published_at: t.clock.now() })).rejects.toThrow(/notices_withdrawn/);
    await expect(insert({ school_id: null, audience: 'all', created_by_role: 'school_admin' })).rejects.toThrow(/notices_school_admin_own_school/);
    await expect(insert({ school_id: school.id, audience: null, title: '题'.repeat(81) })).rejects.toThrow(/check/);
    await insert({ school_id: school.id, audience: null });
  });
});
