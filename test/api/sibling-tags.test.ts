import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskCardNo } from '../../src/domain/masking.js';
import { newId } from '../../src/platform/ids.js';
import { createTestApp, type TestApp } from '../support/app.js';

/**
 * Siblings' masked names are alike (张** and 张**): the card view and the orders carry what tells
 * them apart, the school, the grade and class and the card's masked number (UX review).
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const call = (method: 'GET' | 'POST', url: string, token: string, payload?: Record<string, unknown>) =>
  t.app.inject({ method, url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}`, 'idempotency-key': newId() }, ...(payload ? { payload } : {}) });

async function pupil(name: string, schoolName: string, grade: number, classNo: string) {
  const school = await t.factory.newSchool({ stage: 'primary', name: schoolName });
  const classId = newId();
  await t.ctx.db.insertInto('classes').values({ id: classId, school_id: school.id, grade, class_no: classNo }).execute();
  const student = await t.factory.newStudent({ name, schoolId: school.id });
  await t.ctx.db.updateTable('students').set({ class_id: classId }).where('id', '=', student.id).execute();
  return { student, card: await t.factory.newCard(student.id) };
}

describe('what tells siblings apart', () => {
  it('each card and each order says the child’s school, grade and class, and an order its card, masked', async () => {
    const ming = await pupil('张小明', '北京市海淀区第一小学', 5, '03');
    const hong = await pupil('张小红', '北京市朝阳区实验小学', 2, '01');
    const parent = await t.factory.newParent({ children: [ming.student.id, hong.student.id] });
    const token = await t.factory.loginAs('parent', parent.phone, parent.password);

    const cards = (await call('GET', '/cards', token)).json().items as { id: string; holderNameMasked: string; holderGrade: number | null; holderClassNo: string | null; school: { name: string } }[];
    expect(cards.map((c) => [c.id, c.holderNameMasked, c.school.name, c.holderGrade, c.holderClassNo]).sort()).toEqual([
      [ming.card.id, '张**', '北京市海淀区第一小学', 5, '03'],
      [hong.card.id, '张**', '北京市朝阳区实验小学', 2, '01'],
    ].sort());

    const placed = await call('POST', '/orders/top-up', token, { cardId: hong.card.id, amountFen: 5_000 });
    expect(placed.statusCode, placed.body).toBe(201);
    const order = (await call('GET', `/orders/${placed.json().id}`, token)).json();
    expect(order).toMatchObject({ studentName: '张**', holder: { schoolName: '北京市朝阳区实验小学', grade: 2, classNo: '01' }, cardNoMasked: maskCardNo(hong.card.card_no) });
    expect(JSON.stringify(order)).not.toContain(hong.card.card_no);
    const listed = (await call('GET', '/orders', token)).json().items;
    expect(listed).toEqual([expect.objectContaining({ id: order.id, holder: order.holder, cardNoMasked: order.cardNoMasked })]);
  });
});
