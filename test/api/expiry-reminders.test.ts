import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardServicesRepository } from '../../src/modules/card-services/card-services.repository.js';
import { expiryReminderText, sendExpiryReminders } from '../../src/modules/card-services/expiry-reminders.js';
import { newId } from '../../src/platform/ids.js';
import { createTestApp, type TestApp } from '../support/app.js';

/** 到期提醒 (domain rules, "What users ask for" 3): parents texted once when a child's card is due for its extension. */

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const textsTo = async (phone: string) => (await t.ctx.db.selectFrom('sms_outbox').select('body').where('phone', '=', phone).orderBy('created_at').execute()).map((m) => m.body);
const openWindow = (year: number, startsOn: string, endsOn: string) =>
  cardServicesRepository.upsertWindow(t.ctx.db, { year, starts_on: startsOn, ends_on: endsOn, updated_by: null, updated_at: t.clock.now() });

/** A child in `grade` (null: class unknown) at a school of `stage`, with a card valid until `validUntil`, and a bound parent. */
async function child(validUntil: string, options: { stage?: 'primary' | 'university'; grade?: number | null; product?: 'k12_card' | 'k12_ecard' | 'university_ecard' } = {}) {
  const school = await t.factory.newSchool({ stage: options.stage ?? 'primary' });
  const student = await t.factory.newStudent({ schoolId: school.id, name: '到期测试生' });
  if (options.grade) {
    const classId = newId();
    await t.ctx.db.insertInto('classes').values({ id: classId, school_id: school.id, grade: options.grade, class_no: '1' }).execute();
    await t.ctx.db.updateTable('students').set({ class_id: classId }).where('id', '=', student.id).execute();
  }
  const card = await t.factory.newCard(student.id, { product: options.product ?? 'k12_card', validUntil });
  const parent = await t.factory.newParent({ children: [student.id] });
  return { student, card, parent };
}

describe('到期提醒 (expiry reminders)', () => {
  it('texts each bound parent once when a K-12 card expires within 30 days while the extension window is open', async () => {
    t.clock.set('2026-12-06T02:00:00Z');
    await openWindow(2026, '2026-10-01', '2026-12-31');
    const soon = await child('2026-12-31');
    const later = await child('2027-01-06');
    const secondParent = await t.factory.newParent({ children: [soon.student.id] });
    expect(await sendExpiryReminders(t.ctx)).toMatchObject({ failed: 0 });
    expect(await textsTo(soon.parent.phone)).toEqual([`【北京学生卡】您孩子到****的北京通学生卡（尾号 ${soon.card.card_no.slice(-4)}）将于 2026-12-31 到期，请在北京学生卡 App 中办理延期。`]);
    expect(await textsTo(secondParent.phone)).toHaveLength(1);
    expect(await textsTo(later.parent.phone)).toEqual([]);
    // Once per card and date: the next runs send nothing more.
    await sendExpiryReminders(t.ctx);
    expect(await textsTo(soon.parent.phone)).toHaveLength(1);
  });

  it('says nothing while the window is closed, nor of a card already valid until graduation, a lost card or a graduate', async () => {
    t.clock.set('2027-08-10T02:00:00Z');
    await openWindow(2027, '2027-10-01', '2027-12-31');
    const closed = await child('2027-08-31', { grade: 5 });
    await sendExpiryReminders(t.ctx);
    expect(await textsTo(closed.parent.phone)).toEqual([]);

    await openWindow(2027, '2027-08-01', '2027-12-31');
    // Grade 6 in 2026/27: graduation is 2027-08-31, and the card is valid until then already.
    const graduating = await child('2027-08-31', { grade: 6 });
    const lost = await child('2027-08-31', { grade: 5 });
    await t.ctx.db.updateTable('cards').set({ status: 'lost' }).where('id', '=', lost.card.id).execute();
    const graduate = await child('2027-08-31', { grade: 5 });
    await t.ctx.db.updateTable('students').set({ status: 'graduated' }).where('id', '=', graduate.student.id).execute();
    await sendExpiryReminders(t.ctx);
    expect(await textsTo(graduating.parent.phone)).toEqual([]);
    expect(await textsTo(lost.parent.phone)).toEqual([]);
    expect(await textsTo(graduate.parent.phone)).toEqual([]);
    // Grade 5 goes on to grade 6: told.
    expect(await textsTo(closed.parent.phone)).toHaveLength(1);
  });

  it('tells a university e-card from 30 July, when its extension opens, by day, and again for its next expiry; never a graduate', async () => {
    t.clock.set('2027-07-29T02:00:00Z');
    const u = await child('2027-09-30', { stage: 'university', product: 'university_ecard' });
    const graduate = await child('2027-09-30', { stage: 'university', product: 'university_ecard' });
    await t.ctx.db.updateTable('students').set({ status: 'graduated' }).where('id', '=', graduate.student.id).execute();
    await sendExpiryReminders(t.ctx);
    expect(await textsTo(u.parent.phone)).toEqual([]);
    // 30 July has begun in Beijing (00:30), but texts wait for the day.
    t.clock.set('2027-07-29T16:30:00Z');
    expect(await sendExpiryReminders(t.ctx)).toEqual({ sent: 0, failed: 0 });
    t.clock.set('2027-07-30T00:00:00Z');
    await sendExpiryReminders(t.ctx);
    expect(await textsTo(u.parent.phone)).toEqual([expect.stringContaining('电子学生交通卡（尾号')]);
    expect(await textsTo(graduate.parent.phone)).toEqual([]);
    // Extended to next September: told again next July, not before.
    await t.ctx.db.updateTable('cards').set({ valid_until: '2028-09-30' }).where('id', '=', u.card.id).execute();
    await sendExpiryReminders(t.ctx);
    t.clock.set('2028-07-30T02:00:00Z');
    await sendExpiryReminders(t.ctx);
    expect(await textsTo(u.parent.phone)).toHaveLength(2);
  });

  it('masks the name and shows only the last four digits of the card', () => {
    expect(expiryReminderText({ name: '王小明', product: 'k12_ecard', card_no: '10007654321', valid_until: '2026-12-31' }, '2026-12-06'))
      .toBe('【北京学生卡】您孩子王**的电子学生卡（尾号 4321）将于 2026-12-31 到期，请在北京学生卡 App 中办理延期。');
  });

  it('texts once more when the card has expired and is in its grace period, while it can still be extended', async () => {
    t.clock.set('2029-10-10T02:00:00Z');
    await openWindow(2029, '2029-10-01', '2029-10-31');
    const university = await child('2029-09-30', { stage: 'university', product: 'university_ecard' });
    const k12 = await child('2029-10-31', { grade: 3 });
    const graduate = await child('2029-10-31', { grade: 3 });
    await t.ctx.db.updateTable('students').set({ status: 'graduated' }).where('id', '=', graduate.student.id).execute();
    await sendExpiryReminders(t.ctx);
    expect(await textsTo(university.parent.phone)).toEqual([expect.stringContaining('已于 2029-09-30 到期，宽限期至 2029-10-30')]);
    expect(await textsTo(k12.parent.phone)).toEqual([expect.stringContaining('将于 2029-10-31 到期')]);

    t.clock.set('2029-11-05T02:00:00Z');
    const pastGrace = await child('2029-10-05', { grade: 3 }); // its grace ended on 4 November
    // In grace but already extended in the 2029 window (its date set back by hand): the late extension would be refused, so no text.
    const extended = await child('2029-10-31', { grade: 3 });
    await t.ctx.db.insertInto('card_extensions').values({
      id: newId(), card_id: extended.card.id, window_year: 2029, from_valid_until: '2028-10-31', to_valid_until: '2029-10-31', requested_by_role: 'operator', requested_by: null, created_at: t.clock.now(),
    }).execute();
    await sendExpiryReminders(t.ctx);
    expect(await textsTo(extended.parent.phone)).toEqual([]);
    expect(await textsTo(k12.parent.phone)).toEqual([
      expect.stringContaining('将于 2029-10-31 到期'),
      `【北京学生卡】您孩子到****的北京通学生卡（尾号 ${k12.card.card_no.slice(-4)}）已于 2029-10-31 到期，宽限期至 2029-11-30，期满后将不能乘车，请尽快在北京学生卡 App 中办理延期。`,
    ]);
    expect(await textsTo(pastGrace.parent.phone)).toEqual([]);
    expect(await textsTo(graduate.parent.phone)).toEqual([]);
    // Once each: the next runs send nothing more.
    t.clock.set('2029-11-06T02:00:00Z');
    await sendExpiryReminders(t.ctx);
    expect(await textsTo(k12.parent.phone)).toHaveLength(2);
    expect(await textsTo(university.parent.phone)).toHaveLength(1);
  });
});
