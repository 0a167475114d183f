import { describe, expect, it } from 'vitest';
import type { ApplicationDto, BatchDto, DeliveryDto } from '../../src/modules/fulfilment/fulfilment.schemas.js';
import { useFulfilmentDriver } from './fulfilment-driver.js';

/**
 * 新生制卡 whose student is no longer at the school it was made for: a first card already in a
 * batch goes on to that school (giveUpFirstCard only gives up one not yet batched), where pickup is
 * refused and the school's card manager (or an operator) voids it with a reason; the student's new
 * school then opens its own first card.
 */
const f = useFulfilmentDriver();

/** A middle school with its card manager, and a newcomer (with a parent) whose first card is confirmed and in a batch of that school. */
async function batchedFirstCard(name: string) {
  const school = await f.t.factory.newSchool({ stage: 'middle', name: `${name}中学` });
  const manager = await f.t.factory.newStaff('school_admin', { schoolId: school.id });
  const managerToken = await f.t.factory.loginAs('staff', manager.username, manager.password);
  const student = await f.t.factory.newStudent({ schoolId: school.id, name });
  const parent = await f.t.factory.newParent({ children: [student.id] });
  const parentToken = await f.t.factory.loginAs('parent', parent.phone, parent.password);
  const opened = await f.request('POST', '/admin/fulfilment/confirmations/open', managerToken, { schoolId: school.id });
  expect(opened.json()).toMatchObject({ newCards: 1 });
  await f.confirmInfo(parentToken, student.id);
  const created = await f.request('POST', '/admin/fulfilment/batches', f.operator, { kind: 'new_card', schoolId: school.id });
  expect(created.statusCode, created.body).toBe(201);
  const batch = created.json() as BatchDto;
  const app = await f.t.ctx.db.selectFrom('card_applications').selectAll().where('student_id', '=', student.id).where('kind', '=', 'new_card').executeTakeFirstOrThrow();
  expect(app.status).toBe('in_production');
  return { school, manager, managerToken, student, parent, parentToken, batch, applicationId: app.id };
}

/** Export, produced and dispatched: the school's parcel is on its way. */
async function dispatch(batchId: string) {
  for (const step of ['export', 'produced', 'dispatch']) {
    const res = await f.request('POST', `/admin/fulfilment/batches/${batchId}/${step}`, f.operator);
    expect(res.statusCode, res.body).toBe(200);
  }
}

/** The school signs for its parcel: the card waits for pickup (delivered). */
async function receive(batchId: string, managerToken: string) {
  const delivery = ((await f.request('GET', `/admin/fulfilment/deliveries?batchId=${batchId}`, f.operator)).json() as { items: DeliveryDto[] }).items[0]!;
  const res = await f.request('POST', `/admin/fulfilment/deliveries/${delivery.id}/received`, managerToken);
  expect(res.statusCode, res.body).toBe(200);
}

const applicationRow = (id: string) => f.t.ctx.db.selectFrom('card_applications').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const adminList = async (token: string, schoolQuery = '') =>
  ((await f.request('GET', `/admin/fulfilment/applications?kind=new_card${schoolQuery}`, token)).json() as { items: ApplicationDto[] }).items;

describe('a first card delivered to a school its student no longer attends', () => {
  it('moved after batching: pickup is refused, another school’s manager cannot void it, the school’s manager voids it once (idempotent), the number is never issued, and the new school opens its own', async () => {
    const first = await batchedFirstCard('转出生');
    const newSchool = await f.t.factory.newSchool({ stage: 'middle', name: '转入中学' });
    const newManager = await f.t.factory.newStaff('school_admin', { schoolId: newSchool.id });
    const newManagerToken = await f.t.factory.loginAs('staff', newManager.username, newManager.password);
    // The move after the batch: the card is printed, so it goes on to the school it was made for.
    expect((await f.request('PATCH', `/admin/students/${first.student.id}`, f.operator, { schoolId: newSchool.id, classId: null })).statusCode).toBe(200);
    expect((await applicationRow(first.applicationId)).status).toBe('in_production');
    await dispatch(first.batch.id);
    // Not voided on its way: it must reach the school first.
    const early = await f.request('POST', `/admin/fulfilment/applications/${first.applicationId}/void`, first.managerToken, { reason: '学生已转学' });
    expect(early.statusCode).toBe(409);
    expect(early.json()).toMatchObject({ error: { code: 'FULFILMENT_STATUS_INVALID' } });
    await receive(first.batch.id, first.managerToken);
    const { new_card_no: cardNo } = await applicationRow(first.applicationId);
    expect(cardNo).toMatch(/^\d+$/);

    // The console shows the card manager that the student has moved.
    const [listed] = await adminList(first.managerToken);
    expect(listed).toMatchObject({ id: first.applicationId, status: 'delivered', studentEnrolment: 'moved' });

    // Pickup is refused, with the messages in both languages; nothing is issued.
    const pickup = await f.request('POST', `/admin/fulfilment/applications/${first.applicationId}/pickup`, first.managerToken);
    expect(pickup.statusCode).toBe(409);
    expect(pickup.json()).toMatchObject({ error: { code: 'FULFILMENT_HOLDER_NOT_ENROLLED', message: expect.stringContaining('已不在本校就读'), messageEn: expect.stringContaining('no longer enrolled') } });
    expect(await f.t.ctx.db.selectFrom('cards').select('id').where('student_id', '=', first.student.id).execute()).toEqual([]);

    // The new school cannot open another while this one is under way.
    expect((await f.request('POST', '/admin/fulfilment/confirmations/open', newManagerToken, { schoolId: newSchool.id })).json()).toMatchObject({ newCards: 0 });

    // Another school's manager (even the student's new one) cannot void it; a reason is required.
    const foreign = await f.request('POST', `/admin/fulfilment/applications/${first.applicationId}/void`, newManagerToken, { reason: '学生已转入本校' });
    expect(foreign.statusCode).toBe(403);
    const blank = await f.request('POST', `/admin/fulfilment/applications/${first.applicationId}/void`, first.managerToken, { reason: ' ' });
    expect(blank.statusCode).toBe(400);
    expect((await applicationRow(first.applicationId)).status).toBe('delivered');

    // The school's manager voids it; a retry with the same key answers the same, once.
    const key = { 'idempotency-key': `void-${first.applicationId}` };
    const voided = await f.request('POST', `/admin/fulfilment/applications/${first.applicationId}/void`, first.managerToken, { reason: '学生已转学至转入中学' }, key);
    expect(voided.statusCode, voided.body).toBe(200);
    expect(voided.json()).toMatchObject({ status: 'cancelled', studentEnrolment: 'moved', newCardId: null });
    const steps = (voided.json() as ApplicationDto).steps;
    expect(steps.at(-1)).toMatchObject({ step: 'voided', note: '学生已转学至转入中学', label: { zh: expect.stringContaining('作废') } });
    const replay = await f.request('POST', `/admin/fulfilment/applications/${first.applicationId}/void`, first.managerToken, { reason: '学生已转学至转入中学' }, key);
    expect(replay.statusCode).toBe(200);
    expect(replay.json()).toEqual(voided.json());
    const again = await f.request('POST', `/admin/fulfilment/applications/${first.applicationId}/void`, first.managerToken, { reason: '学生已转学至转入中学' });
    expect(again.json()).toMatchObject({ error: { code: 'FULFILMENT_STATUS_INVALID' } });
    const stepRows = await f.t.ctx.db.selectFrom('card_application_steps').select(['step', 'actor_role', 'actor_id']).where('application_id', '=', first.applicationId).where('step', '=', 'voided').execute();
    expect(stepRows).toEqual([{ step: 'voided', actor_role: 'school_admin', actor_id: first.manager.id }]);

    // The audit row: who, why, and where the student stands.
    const audit = await f.t.ctx.db.selectFrom('audit_log').selectAll().where('entity_id', '=', first.applicationId).where('action', '=', 'fulfilment.application.voided').execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_role: 'school_admin', actor_id: first.manager.id, entity_type: 'card_application' });
    expect(audit[0]!.before).toEqual({ status: 'delivered' });
    expect(audit[0]!.after).toMatchObject({ step: 'voided', status: 'cancelled', reason: '学生已转学至转入中学', studentEnrolment: 'moved', studentSchoolId: newSchool.id });

    // Never picked up now, and its printed number is never issued.
    expect((await f.request('POST', `/admin/fulfilment/applications/${first.applicationId}/pickup`, first.managerToken)).json()).toMatchObject({ error: { code: 'FULFILMENT_STATUS_INVALID' } });
    expect(await f.t.ctx.db.selectFrom('cards').select('id').where('card_no', '=', cardNo!).execute()).toEqual([]);

    // The family is told.
    await f.runJobs();
    const texts = (await f.t.ctx.db.selectFrom('sms_outbox').select('body').where('phone', '=', first.parent.phone).execute()).map((m) => m.body);
    expect(texts).toContain('【北京通学生卡】在转出生中学办理的新生制卡（北京通学生卡）已作废：学生已不在该校就读，该卡不会发放。已转入其他学校的，请由现在的学校办理新生制卡。');

    // The new school opens its own first card (the voided one no longer counts as under way).
    expect((await f.request('POST', '/admin/fulfilment/confirmations/open', newManagerToken, { schoolId: newSchool.id })).json()).toMatchObject({ newCards: 1 });
    const firstCards = await f.t.ctx.db.selectFrom('card_applications').select(['school_id', 'status']).where('student_id', '=', first.student.id).where('kind', '=', 'new_card').orderBy('created_at').execute();
    expect(firstCards).toEqual([{ school_id: first.school.id, status: 'cancelled' }, { school_id: newSchool.id, status: 'ready_for_production' }]);
    const [own] = await adminList(newManagerToken);
    expect(own).toMatchObject({ schoolId: newSchool.id, status: 'ready_for_production', studentEnrolment: 'enrolled' });
  });

  it('still enrolled there: voiding is refused and the card is handed over', async () => {
    const first = await batchedFirstCard('在校生');
    await dispatch(first.batch.id);
    await receive(first.batch.id, first.managerToken);
    const [listed] = await adminList(first.managerToken);
    expect(listed).toMatchObject({ status: 'delivered', studentEnrolment: 'enrolled' });

    for (const token of [first.managerToken, f.operator]) {
      const refused = await f.request('POST', `/admin/fulfilment/applications/${first.applicationId}/void`, token, { reason: '误操作' });
      expect(refused.statusCode).toBe(409);
      expect(refused.json()).toMatchObject({ error: { code: 'FULFILMENT_HOLDER_STILL_ENROLLED', message: expect.stringContaining('仍在本校就读'), messageEn: expect.stringContaining('still enrolled') } });
    }
    expect(await f.t.ctx.db.selectFrom('audit_log').select('id').where('entity_id', '=', first.applicationId).where('action', '=', 'fulfilment.application.voided').execute()).toEqual([]);
    const picked = await f.request('POST', `/admin/fulfilment/applications/${first.applicationId}/pickup`, first.managerToken);
    expect(picked.statusCode, picked.body).toBe(200);
    expect(picked.json()).toMatchObject({ status: 'completed' });
  });

  it('left the city’s schools while the card was on its way: pickup refused, an operator voids it; a replacement is never voided', async () => {
    const first = await batchedFirstCard('离校生');
    await dispatch(first.batch.id);
    expect((await f.request('PATCH', `/admin/students/${first.student.id}`, f.operator, { status: 'left' })).statusCode).toBe(200);
    expect((await applicationRow(first.applicationId)).status).toBe('dispatched');
    await receive(first.batch.id, first.managerToken);
    expect((await adminList(f.operator, `&schoolId=${first.school.id}`))[0]).toMatchObject({ studentEnrolment: 'left' });
    expect((await f.request('POST', `/admin/fulfilment/applications/${first.applicationId}/pickup`, first.managerToken)).json()).toMatchObject({ error: { code: 'FULFILMENT_HOLDER_NOT_ENROLLED' } });
    const voided = await f.request('POST', `/admin/fulfilment/applications/${first.applicationId}/void`, f.operator, { reason: '学生已离校' });
    expect(voided.statusCode, voided.body).toBe(200);
    expect(voided.json()).toMatchObject({ status: 'cancelled', studentEnrolment: 'left' });
    const audit = await f.t.ctx.db.selectFrom('audit_log').select(['actor_role', 'after']).where('entity_id', '=', first.applicationId).where('action', '=', 'fulfilment.application.voided').executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ actor_role: 'operator', after: { reason: '学生已离校', studentEnrolment: 'left' } });

    // A replacement delivered to school is not a first card: nothing to void.
    const fam = await f.family();
    await f.reportLoss(fam.parentToken, fam.card.id);
    const app = await f.apply(fam.parentToken, fam.student, fam.card.id);
    const refused = await f.request('POST', `/admin/fulfilment/applications/${app.id}/void`, fam.managerToken, { reason: '试一下' });
    expect(refused.json()).toMatchObject({ error: { code: 'FULFILMENT_STATUS_INVALID' } });
  });
});
