import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  t.clock.set(new Date('2026-11-23T02:00:00Z'));
});
afterAll(async () => t.close());

const get = (url: string, token?: string) => t.app.inject({ method: 'GET', url: `/api/v1${url}`, headers: token ? { authorization: `Bearer ${token}` } : {} });

async function schoolWithCards() {
  const school = await t.factory.newSchool();
  const manager = await t.factory.newStaff('school_admin', { schoolId: school.id });
  const managerToken = await t.factory.loginAs('staff', manager.username, manager.password);
  const a = await t.factory.newStudent({ schoolId: school.id, name: '欧阳娜娜' });
  const b = await t.factory.newStudent({ schoolId: school.id, name: '李小龙' });
  const cardA = await t.factory.newCard(a.id);
  const cardB = await t.factory.newCard(b.id, { product: 'campus_card' });
  return { school, managerToken, a, b, cardA, cardB };
}

describe('admin card search', () => {
  it('finds a card by number, start of number, education ID or name; card number and name masked', async () => {
    const { managerToken, a, cardA } = await schoolWithCards();
    for (const q of [cardA.card_no, cardA.card_no.slice(0, 8), a.education_id, '欧阳']) {
      const res = await get(`/admin/cards?q=${encodeURIComponent(q)}`, managerToken);
      expect(res.statusCode, res.body).toBe(200);
      const page = res.json();
      expect([q, page.items.map((i: { id: string }) => i.id)]).toEqual([q, [cardA.id]]);
      expect(page.items[0]).toMatchObject({ holderNameMasked: '欧***', cardNoMasked: expect.stringContaining('*'), educationId: a.education_id, product: 'k12_card', status: 'active', statusLabel: { zh: '卡正常状态' } });
      expect(res.body).not.toContain(cardA.card_no);
      // The education ID is whole, as on every console screen (web/admin/src/EducationId.tsx): the handle a search takes.
      expect(res.body).not.toContain('欧阳娜娜');
      expect(res.body).not.toContain(a.id_number);
    }
  });

  it('filters by status and product, and pages with a total', async () => {
    const { managerToken, cardA, cardB } = await schoolWithCards();
    await t.app.inject({ method: 'POST', url: `/api/v1/cards/${cardA.id}/loss`, headers: { authorization: `Bearer ${managerToken}` } });
    expect((await get('/admin/cards?status=lost', managerToken)).json()).toMatchObject({ total: 1, items: [{ id: cardA.id, status: 'lost' }] });
    expect((await get('/admin/cards?product=campus_card', managerToken)).json()).toMatchObject({ total: 1, items: [{ id: cardB.id }] });
    const first = (await get('/admin/cards?page=1&pageSize=1', managerToken)).json();
    const second = (await get('/admin/cards?page=2&pageSize=1', managerToken)).json();
    expect([first.total, second.total, first.items.length, second.items.length]).toEqual([2, 2, 1, 1]);
    expect(first.items[0].id).not.toBe(second.items[0].id);
    expect((await get('/admin/cards?status=nonsense', managerToken)).statusCode).toBe(400);
  });

  it('a card manager sees only their own school; an operator sees all and may filter by school', async () => {
    const mine = await schoolWithCards();
    const theirs = await schoolWithCards();
    const items = (await get('/admin/cards?pageSize=200', mine.managerToken)).json().items as { school: { id: string } }[];
    expect(new Set(items.map((i) => i.school.id))).toEqual(new Set([mine.school.id]));
    expect((await get(`/admin/cards?q=${theirs.cardA.card_no}`, mine.managerToken)).json()).toMatchObject({ total: 0, items: [] });
    expect((await get(`/admin/cards?schoolId=${theirs.school.id}`, mine.managerToken)).json()).toMatchObject({ error: { code: 'ACCESS_DENIED' } });
    const operator = await t.factory.operatorToken();
    expect((await get(`/admin/cards?q=${theirs.cardA.card_no}`, operator)).json()).toMatchObject({ total: 1, items: [{ id: theirs.cardA.id }] });
    expect((await get(`/admin/cards?schoolId=${theirs.school.id}`, operator)).json().total).toBe(2);
    const student = await t.factory.loginAs('student', mine.a.education_id, mine.a.password);
    expect((await get('/admin/cards', student)).statusCode).toBe(403);
    expect((await get('/admin/cards')).statusCode).toBe(401);
  });

  it('a student who moved school is found by the new school’s card manager, no longer by the old one’s', async () => {
    const from = await schoolWithCards();
    const to = await schoolWithCards();
    const operator = await t.factory.operatorToken();
    const moved = await t.app.inject({ method: 'PATCH', url: `/api/v1/admin/students/${from.a.id}`, headers: { authorization: `Bearer ${operator}` }, payload: { schoolId: to.school.id } });
    expect(moved.statusCode, moved.body).toBe(200);
    for (const q of ['欧阳', from.a.education_id, from.cardA.card_no]) {
      expect((await get(`/admin/cards?q=${encodeURIComponent(q)}`, from.managerToken)).json(), q).toMatchObject({ total: 0, items: [] });
      const found = (await get(`/admin/cards?q=${encodeURIComponent(q)}`, to.managerToken)).json();
      expect(found.items.map((i: { id: string }) => i.id), q).toContain(from.cardA.id);
      expect(found.items.find((i: { id: string }) => i.id === from.cardA.id), q).toMatchObject({ school: { id: to.school.id } });
    }
    expect((await get(`/admin/cards?schoolId=${to.school.id}`, operator)).json().total).toBe(3);
  });

  it('the detail’s history shows console actions with their channel', async () => {
    const { managerToken, cardA } = await schoolWithCards();
    await t.app.inject({ method: 'POST', url: `/api/v1/cards/${cardA.id}/loss`, headers: { authorization: `Bearer ${managerToken}` } });
    const history = (await get(`/cards/${cardA.id}/history`, managerToken)).json();
    expect(history.items.map((h: { toStatus: string; reason: string }) => [h.toStatus, h.reason])).toEqual([['active', 'test'], ['lost', 'console']]);
  });
});
