import { describe, expect, it } from 'vitest';
import type { ApplicationDto, BatchDto, DeliveryDto } from '../../src/modules/fulfilment/fulfilment.schemas.js';
import { fulfilmentSuiteStart, useFulfilmentDriver } from './fulfilment-driver.js';

/**
 * 补卡 / 补换卡贴 delivered to a school its student no longer attends (left, graduated, moved): the
 * school's card manager cannot hand it over there (FULFILMENT_HOLDER_LEFT_SCHOOL), as a first card
 * cannot; it was paid for, so it is not voided but sent home by courier (改为快递到家), which
 * completes it when signed for. A card sent home from the start is signed for whoever the student
 * is enrolled with. docs/cards.md, "Replacement and fulfilment".
 */
const f = useFulfilmentDriver();
const start = Date.parse(fulfilmentSuiteStart);

const home = { method: 'home', recipient: '张大明', phone: '13912345678', address: '北京市朝阳区建国路88号' };

/** A paid (or free, a sticker), confirmed application of the family, its batch dispatched; the school signs for its parcel when it goes there. */
async function delivered(kind: 'replacement' | 'sticker', delivery: Record<string, string> = { method: 'school' }, beforeReceived?: (studentId: string) => Promise<void>) {
  const fam = await f.family(kind === 'sticker' ? { product: 'k12_sticker' } : {});
  await f.reportLoss(fam.parentToken, fam.card.id);
  let app = await f.apply(fam.parentToken, fam.student, fam.card.id, { kind, delivery });
  if (kind === 'replacement') app = await f.pay(fam.parentToken, app.id);
  await f.confirmInfo(fam.parentToken, fam.student.id);
  const created = await f.request('POST', '/admin/fulfilment/batches', f.operator, { kind });
  expect(created.statusCode, created.body).toBe(201);
  const batch = created.json() as BatchDto;
  for (const step of ['export', 'produced', 'dispatch']) {
    const res = await f.request('POST', `/admin/fulfilment/batches/${batch.id}/${step}`, f.operator);
    expect(res.statusCode, res.body).toBe(200);
  }
  if (beforeReceived) await beforeReceived(fam.student.id);
  if (delivery.method === 'school') {
    const parcel = ((await f.request('GET', `/admin/fulfilment/deliveries?batchId=${batch.id}&method=school`, f.operator)).json() as { items: DeliveryDto[] }).items[0]!;
    const received = await f.request('POST', `/admin/fulfilment/deliveries/${parcel.id}/received`, fam.managerToken);
    expect(received.statusCode, received.body).toBe(200);
    expect((await f.application(fam.parentToken, app.id)).status).toBe('delivered');
  }
  return { ...fam, app, batch };
}

const pickup = (applicationId: string, token: string) => f.request('POST', `/admin/fulfilment/applications/${applicationId}/pickup`, token);
const redeliver = (applicationId: string, token: string, choice: Record<string, string>) => f.request('POST', `/fulfilment/applications/${applicationId}/redelivery`, token, choice);
const cardsOf = (studentId: string) => f.t.ctx.db.selectFrom('cards').select(['id', 'status']).where('student_id', '=', studentId).orderBy('created_at').execute();

/** The courier's tracking, a day and more after `from`, in a slot of its own (the recurring job runs once per slot). */
let polls = 0;
async function courierDeliversAfter(hoursFromStart: number) {
  polls++;
  f.t.clock.set(new Date(start + hoursFromStart * 3_600_000 + polls * 10 * 60_000).toISOString());
  await f.t.ctx.jobs.runDue(100);
  await f.runJobs();
}

describe('a replacement or sticker waiting at a school its student no longer attends', () => {
  it('left: pickup is refused and nothing is issued; not sent back to that school; the parent has it sent home, completed when signed for', async () => {
    const fam = await delivered('replacement');
    const left = await f.request('PATCH', `/admin/students/${fam.student.id}`, f.operator, { status: 'left' });
    expect(left.statusCode, left.body).toBe(200);
    const listed = ((await f.request('GET', '/admin/fulfilment/applications?kind=replacement', fam.managerToken)).json() as { items: ApplicationDto[] }).items.find((a) => a.id === fam.app.id);
    expect(listed).toMatchObject({ status: 'delivered', studentEnrolment: 'left' });

    const refused = await pickup(fam.app.id, fam.managerToken);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ error: { code: 'FULFILMENT_HOLDER_LEFT_SCHOOL', message: expect.stringContaining('补办的卡不能在本校领取'), messageEn: expect.stringContaining('no longer enrolled') } });
    // Nothing moved: the old card still lost, no new card, the application still waiting at the school.
    expect(await cardsOf(fam.student.id)).toEqual([{ id: fam.card.id, status: 'lost' }]);
    expect((await f.application(fam.parentToken, fam.app.id)).status).toBe('delivered');

    // Not to that school again; home it goes, by the parent's choice.
    expect((await redeliver(fam.app.id, fam.parentToken, { method: 'school' })).json()).toMatchObject({ error: { code: 'FULFILMENT_HOLDER_LEFT_SCHOOL' } });
    const sent = await redeliver(fam.app.id, fam.parentToken, home);
    expect(sent.statusCode, sent.body).toBe(200);
    expect(sent.json()).toMatchObject({ status: 'dispatched', delivery: { method: 'home', codFeeMaxFen: 1500, courier: expect.any(String) } });
    expect((sent.json() as ApplicationDto).steps.at(-1)).toMatchObject({ step: 'redispatched', note: '学生已不在该校就读，改为快递配送到家' });
    await f.runJobs();
    const texts = (await f.t.ctx.db.selectFrom('sms_outbox').select('body').where('phone', '=', fam.parent.phone).execute()).map((m) => m.body);
    expect(texts).toContain('【北京通学生卡】您的北京通学生卡已重新交快递配送到家，快递费到付（不超过15元），请注意查收。');

    // Signed for at home: completed, whatever school the student is at.
    await courierDeliversAfter(30);
    const parentToken = await f.t.factory.loginAs('parent', fam.parent.phone, fam.parent.password);
    expect((await f.application(parentToken, fam.app.id)).status).toBe('completed');
    expect((await cardsOf(fam.student.id)).map((c) => c.status)).toEqual(['replaced', 'active']);
  });

  it('moved school: a sticker is refused at the old school too; a card for a student still there is picked up, never sent home from school', async () => {
    const moved = await delivered('sticker');
    const newSchool = await f.t.factory.newSchool({ stage: 'middle', name: '卡贴转入中学' });
    expect((await f.request('PATCH', `/admin/students/${moved.student.id}`, f.operator, { schoolId: newSchool.id, classId: null })).statusCode).toBe(200);
    expect((await pickup(moved.app.id, moved.managerToken)).json()).toMatchObject({ error: { code: 'FULFILMENT_HOLDER_LEFT_SCHOOL' } });
    expect((await pickup(moved.app.id, f.operator)).json()).toMatchObject({ error: { code: 'FULFILMENT_HOLDER_LEFT_SCHOOL' } });
    // The old school's card manager may send it home for the family.
    expect((await redeliver(moved.app.id, moved.managerToken, home)).json()).toMatchObject({ status: 'dispatched', delivery: { method: 'home' } });
    // Once it has left their school it is not theirs: back at the centre, the old school's card manager cannot send it anywhere (nor read the family's address).
    await f.t.ctx.db.updateTable('card_applications').set({ status: 'returned_to_centre' }).where('id', '=', moved.app.id).execute();
    const notTheirs = await redeliver(moved.app.id, moved.managerToken, home);
    expect(notTheirs.statusCode).toBe(403);
    expect(notTheirs.body).not.toContain(home.address);

    const stays = await delivered('replacement');
    const notHome = await redeliver(stays.app.id, stays.parentToken, home);
    expect(notHome.statusCode).toBe(409);
    expect(notHome.json()).toMatchObject({ error: { code: 'FULFILMENT_STATUS_INVALID' } });
    const handed = await pickup(stays.app.id, stays.managerToken);
    expect(handed.statusCode, handed.body).toBe(200);
    expect(handed.json()).toMatchObject({ status: 'completed' });
  });

  it('graduated before the school signed for the parcel: the family’s text says to have it sent home, not to collect it', async () => {
    const fam = await delivered('replacement', { method: 'school' }, async (studentId) => {
      expect((await f.request('PATCH', `/admin/students/${studentId}`, f.operator, { status: 'graduated' })).statusCode).toBe(200);
    });
    await f.runJobs();
    const texts = (await f.t.ctx.db.selectFrom('sms_outbox').select('body').where('phone', '=', fam.parent.phone).execute()).map((m) => m.body);
    expect(texts).toContain(`【北京通学生卡】您的北京通学生卡已送达${fam.school.name}。学生已不在该校就读，卡片不能在该校领取，请在北京一卡通App“办理进度”中改为快递配送到家（快递费到付，不超过15元）。`);
    expect(texts.some((b) => b.includes('请联系学校卡管员领取'))).toBe(false);
    expect((await pickup(fam.app.id, fam.managerToken)).json()).toMatchObject({ error: { code: 'FULFILMENT_HOLDER_LEFT_SCHOOL' } });
  });

  it('a card sent home from the start is signed for whatever became of the student at school', async () => {
    const fam = await delivered('replacement', home);
    expect((await f.request('PATCH', `/admin/students/${fam.student.id}`, f.operator, { status: 'left' })).statusCode).toBe(200);
    await courierDeliversAfter(30);
    const parentToken = await f.t.factory.loginAs('parent', fam.parent.phone, fam.parent.password);
    expect((await f.application(parentToken, fam.app.id)).status).toBe('completed');
  });
});
