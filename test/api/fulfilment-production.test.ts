import { describe, expect, it } from 'vitest';
import type { ApplicationDto, BatchDto, DeliveryDto } from '../../src/modules/fulfilment/fulfilment.schemas.js';
import { sendExpiryReminders } from '../../src/modules/card-services/expiry-reminders.js';
import { useFulfilmentDriver } from './fulfilment-driver.js';

const f = useFulfilmentDriver();

/** A lost card, applied for, paid, with the card information confirmed: ready for a batch. */
async function readyApplication(options: { delivery?: Record<string, string>; confirm?: boolean } = {}) {
  const fam = await f.family();
  await f.reportLoss(fam.parentToken, fam.card.id);
  const app = await f.apply(fam.parentToken, fam.student, fam.card.id, options.delivery ? { delivery: options.delivery } : {});
  await f.pay(fam.parentToken, app.id);
  if (options.confirm !== false) await f.confirmInfo(fam.parentToken, fam.student.id);
  return { ...fam, app };
}

async function batchOf(kind: 'replacement' | 'sticker' | 'new_card' = 'replacement'): Promise<BatchDto> {
  const res = await f.request('POST', '/admin/fulfilment/batches', f.operator, { kind });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as BatchDto;
}

describe('information confirmation (制卡信息确认)', () => {
  it('report errors → the school fixes → the student confirms again; only then production', async () => {
    const fam = await readyApplication({ confirm: false });
    const got = (await f.request('GET', `/fulfilment/confirmation?studentId=${fam.student.id}`, fam.parentToken)).json() as { id: string; status: string };
    expect(got.status).toBe('pending');
    // The application tells its holder what it waits for.
    const progress = async () => ((await f.request('GET', `/fulfilment/applications/${fam.app.id}`, fam.parentToken)).json() as ApplicationDto).infoConfirmation;
    expect(await progress()).toEqual({ status: 'pending', statusLabel: { zh: '待确认', en: expect.any(String) } });
    // Not confirmed: nothing to produce.
    const empty = await f.request('POST', '/admin/fulfilment/batches', f.operator, { kind: 'replacement' });
    expect(empty.json()).toMatchObject({ error: { code: 'FULFILMENT_BATCH_EMPTY' } });

    const report = await f.request('POST', `/fulfilment/confirmations/${got.id}/report`, fam.parentToken, { corrections: [{ field: 'name', correctValue: '张晓明', note: '晓字错了' }] });
    expect(report.json()).toMatchObject({ status: 'reported', corrections: [{ field: 'name', correctValue: '张晓明' }] });
    expect(await progress()).toMatchObject({ status: 'reported' });
    // Confirming while errors wait for the school is refused.
    expect((await f.request('POST', `/fulfilment/confirmations/${got.id}/confirm`, fam.parentToken)).statusCode).toBe(409);

    // The queue: the school's manager sees it (masked); another school's does not.
    const queue = await f.request('GET', '/admin/fulfilment/confirmations?status=reported', fam.managerToken);
    const rows = (queue.json() as { items: { id: string; face: { name: string } }[] }).items;
    expect(rows.map((r) => r.id)).toEqual([got.id]);
    expect(rows[0]!.face.name).toBe('张**');
    const otherSchool = await f.family();
    const foreignFix = await f.request('POST', `/admin/fulfilment/confirmations/${got.id}/fix`, otherSchool.managerToken, { name: '张晓明', note: '已更正' });
    expect(foreignFix.statusCode).toBe(403);

    const fixed = await f.request('POST', `/admin/fulfilment/confirmations/${got.id}/fix`, fam.managerToken, { name: '张晓明', note: '已更正姓名' });
    expect(fixed.json()).toMatchObject({ status: 'pending', round: 1, face: { name: '张晓明' }, fixNote: '已更正姓名' });
    const student = await f.t.ctx.db.selectFrom('students').select('name').where('id', '=', fam.student.id).executeTakeFirstOrThrow();
    expect(student.name).toBe('张晓明');
    // The family is told to confirm again (seed 001: 待错误修改完成后，重新进行制卡信息确认).
    const texts = await f.t.ctx.db.selectFrom('sms_outbox').select('body').where('phone', '=', fam.parent.phone).execute();
    expect(texts.map((m) => m.body)).toContain('【北京通学生卡】学校已更正张**的制卡信息，请在 App 中重新进行制卡信息确认。');
    expect(texts.map((m) => m.body).join()).not.toContain('已更正姓名'); // the school's note stays in the app
    await f.t.factory.givePhoto(fam.student.id);
    const confirmed = await f.request('POST', `/fulfilment/confirmations/${got.id}/confirm`, fam.parentToken);
    expect(confirmed.json()).toMatchObject({ status: 'confirmed' });
    expect(await progress()).toMatchObject({ status: 'confirmed' });
    const batch = await batchOf();
    expect(batch.applicationCount).toBe(1);
    const audit = await f.t.ctx.db.selectFrom('audit_log').select('action').where('entity_id', '=', got.id).orderBy('at').orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['fulfilment.confirmation.reported', 'fulfilment.confirmation.fixed', 'fulfilment.confirmation.confirmed']);
  });

  it('an unpaid replacement never goes to production, even with its information confirmed', async () => {
    const fam = await f.family();
    await f.reportLoss(fam.parentToken, fam.card.id);
    await f.apply(fam.parentToken, fam.student, fam.card.id);
    await f.confirmInfo(fam.parentToken, fam.student.id);
    const res = await f.request('POST', '/admin/fulfilment/batches', f.operator, { kind: 'replacement' });
    expect(res.json()).toMatchObject({ error: { code: 'FULFILMENT_BATCH_EMPTY' } });
  });
});

describe('新生制卡: a school’s new students get their first cards', () => {
  it('opening confirmations texts each family and opens a first card for each pupil without one; confirmed, it is made, sent to the school, handed over inactive and activated by the holder', async () => {
    const fam = await f.family(); // has a card: a confirmation only
    const newcomer = await f.t.factory.newStudent({ schoolId: fam.school.id, name: '李新生' });
    const newcomerParent = await f.t.factory.newParent({ children: [newcomer.id] });
    const parentToken = await f.t.factory.loginAs('parent', newcomerParent.phone, newcomerParent.password);
    const open = async () => (await f.request('POST', '/admin/fulfilment/confirmations/open', fam.managerToken, { schoolId: fam.school.id })).json();
    expect(await open()).toEqual({ opened: 2, newCards: 1 });
    expect(await open()).toEqual({ opened: 0, newCards: 0 }); // once each
    await f.runJobs();
    const textsTo = async (phone: string) => (await f.t.ctx.db.selectFrom('sms_outbox').select('body').where('phone', '=', phone).orderBy('created_at').execute()).map((m) => m.body);
    expect(await textsTo(newcomerParent.phone)).toEqual(['【北京通学生卡】请在 App「制卡信息确认」中核对李**的制卡信息和照片，确认无误后点击确认；有误请点击信息有误。']);
    expect(await textsTo(fam.parent.phone)).toEqual([]); // a card already: nothing is made, nothing to check now

    const [app] = (await f.request('GET', `/fulfilment/applications?studentId=${newcomer.id}`, parentToken)).json().items as ApplicationDto[];
    expect(app).toMatchObject({ kind: 'new_card', status: 'ready_for_production', feeFen: 0, oldCardId: null, oldCardNoMasked: null, reason: 'new', delivery: { method: 'school' } });
    // Not produced before the family confirms the card information; nor can the holder apply for one.
    expect((await f.request('POST', '/admin/fulfilment/batches', f.operator, { kind: 'new_card' })).json()).toMatchObject({ error: { code: 'FULFILMENT_BATCH_EMPTY' } });
    expect((await f.request('POST', '/fulfilment/verify', parentToken, { ...f.identity(newcomer), kind: 'new_card' })).statusCode).toBe(400);
    await f.confirmInfo(parentToken, newcomer.id);

    const batch = await batchOf('new_card');
    expect(batch).toMatchObject({ kind: 'new_card', applicationCount: 1 });
    const exported = await f.request('POST', `/admin/fulfilment/batches/${batch.id}/export`, f.operator);
    const row = exported.rawPayload.toString('utf8').slice(1).trim().split('\r\n')[1]!.split(',');
    const cardNo = row[3]!;
    const stickerNo = row[15]!; // a middle-school student's first card comes with its sticker, its own number printed
    expect(stickerNo).toMatch(/^32\d{9}$/);
    expect(row).toEqual([batch.batchNo, app!.id, '北京通学生卡', cardNo, '北京市海淀区实验中学', '李新生', '女', newcomer.education_id, '2029-08-31', '2', '', '', `${newcomer.education_id}.jpg`, '配送到校', '', stickerNo]);
    await f.request('POST', `/admin/fulfilment/batches/${batch.id}/produced`, f.operator);
    await f.request('POST', `/admin/fulfilment/batches/${batch.id}/dispatch`, f.operator);
    const delivery = ((await f.request('GET', `/admin/fulfilment/deliveries?batchId=${batch.id}`, f.operator)).json() as { items: DeliveryDto[] }).items[0]!;
    expect((await f.request('POST', `/admin/fulfilment/deliveries/${delivery.id}/received`, fam.managerToken)).json()).toMatchObject({ status: 'delivered' });
    const picked = await f.request('POST', `/admin/fulfilment/applications/${app!.id}/pickup`, fam.managerToken);
    expect(picked.statusCode, picked.body).toBe(200);
    expect(picked.json()).toMatchObject({ status: 'completed', balanceTransferDueAt: null });

    // The card is the one printed, not active until its holder activates it (seed 000: 卡片激活).
    // Its face says graduation (2029-08-31, the printer's file above); its transit validity is the
    // yearly cycle's: picked up after 2026's window, it runs until next year's window ends.
    const card = await f.t.ctx.db.selectFrom('cards').selectAll().where('student_id', '=', newcomer.id).where('product', '=', 'k12_card').executeTakeFirstOrThrow();
    expect(card).toMatchObject({ card_no: cardNo, product: 'k12_card', status: 'inactive', replaces_card_id: null, valid_until: '2027-10-31' });
    const sticker = await f.t.ctx.db.selectFrom('cards').select(['card_no', 'status']).where('student_id', '=', newcomer.id).where('product', '=', 'k12_sticker').executeTakeFirstOrThrow();
    expect(sticker).toEqual({ card_no: stickerNo, status: 'inactive' });
    await f.runJobs();
    expect((await textsTo(newcomerParent.phone)).join('\n')).toContain('【北京通学生卡】北京通学生卡已领取，请在 App「卡片激活」中激活后使用。');
    const activated = await f.request('POST', `/cards/${card.id}/activate`, parentToken);
    expect(activated.json()).toMatchObject({ status: 'active' });
    // A student with a card in use gets no first card: the school opens nothing more.
    expect(await open()).toEqual({ opened: 0, newCards: 0 });
    const audit = await f.t.ctx.db.selectFrom('audit_log').select('action').where('entity_id', '=', app!.id).execute();
    expect(audit.map((x) => x.action)).toEqual(expect.arrayContaining(['fulfilment.application.applied', 'fulfilment.application.picked_up']));
  });

  it('two openings at once open each first card once and text each family once; a university’s students get none', async () => {
    const fam = await f.family();
    const newcomers = await Promise.all([1, 2, 3].map((i) => f.t.factory.newStudent({ schoolId: fam.school.id, name: `并发生${i}` })));
    const parents = await Promise.all(newcomers.map((s) => f.t.factory.newParent({ children: [s.id] })));
    const opens = await Promise.all([1, 2].map(() => f.request('POST', '/admin/fulfilment/confirmations/open', fam.managerToken, { schoolId: fam.school.id })));
    expect(opens.map((r) => r.statusCode)).toEqual([200, 200]);
    expect(opens.map((r) => r.json().newCards).sort()).toEqual([0, 3]);
    const open = await f.t.ctx.db.selectFrom('card_applications').select('student_id').where('kind', '=', 'new_card').where('school_id', '=', fam.school.id).execute();
    expect(open).toHaveLength(3);
    for (const p of parents) expect(await f.t.ctx.db.selectFrom('sms_outbox').select('body').where('phone', '=', p.phone).execute()).toHaveLength(1);

    const university = await f.t.factory.newSchool({ stage: 'university' });
    await f.t.factory.newStudent({ schoolId: university.id });
    // No Beijing-tong cards at a university: its confirmations are not opened at all (FULFILMENT_NOT_K12).
    expect((await f.request('POST', '/admin/fulfilment/confirmations/open', f.operator, { schoolId: university.id })).json()).toMatchObject({ error: { code: 'FULFILMENT_NOT_K12' } });
    expect(await f.t.ctx.db.selectFrom('card_applications').select('id').where('school_id', '=', university.id).execute()).toEqual([]);
  });

  it('a first card not yet printed is given up when its student leaves or changes school; never printed for a leaver', async () => {
    const fam = await f.family();
    const leaver = await f.t.factory.newStudent({ schoolId: fam.school.id, name: '离校生' });
    const mover = await f.t.factory.newStudent({ schoolId: fam.school.id, name: '转学生' });
    const leaverParent = await f.t.factory.newParent({ children: [leaver.id] });
    const moverParent = await f.t.factory.newParent({ children: [mover.id] });
    expect((await f.request('POST', '/admin/fulfilment/confirmations/open', fam.managerToken, { schoolId: fam.school.id })).json()).toMatchObject({ newCards: 2 });
    await f.confirmInfo(await f.t.factory.loginAs('parent', leaverParent.phone, leaverParent.password), leaver.id);
    await f.confirmInfo(await f.t.factory.loginAs('parent', moverParent.phone, moverParent.password), mover.id);
    const other = await f.t.factory.newSchool({ stage: 'middle' });
    expect((await f.request('PATCH', `/admin/students/${leaver.id}`, f.operator, { status: 'left' })).statusCode).toBe(200);
    expect((await f.request('PATCH', `/admin/students/${mover.id}`, f.operator, { schoolId: other.id, classId: null })).statusCode).toBe(200);
    const firstCards = await f.t.ctx.db.selectFrom('card_applications').select(['student_id', 'status']).where('kind', '=', 'new_card').where('student_id', 'in', [leaver.id, mover.id]).execute();
    expect(firstCards.map((a) => a.status)).toEqual(['cancelled', 'cancelled']);
    const steps = await f.t.ctx.db.selectFrom('card_application_steps as s').innerJoin('card_applications as a', 'a.id', 's.application_id').select(['a.student_id', 's.step', 's.note'])
      .where('a.student_id', 'in', [leaver.id, mover.id]).where('s.step', '=', 'cancelled').execute();
    expect(steps.map((s) => s.note).sort()).toEqual(['left', 'transferred']);
    // The family is told the first card was given up, not that a replacement was.
    await f.runJobs();
    const texts = await f.t.ctx.db.selectFrom('sms_outbox').select('body').where('phone', '=', leaverParent.phone).execute();
    expect(texts.map((t) => t.body)).toContain(`【北京通学生卡】在${fam.school.name}的新生制卡（北京通学生卡）已取消：学生已不在该校就读。已转入其他学校的，由现在的学校办理新生制卡。`);
    expect((await f.request('POST', '/admin/fulfilment/batches', f.operator, { kind: 'new_card', schoolId: fam.school.id })).json()).toMatchObject({ error: { code: 'FULFILMENT_BATCH_EMPTY' } });
    // The mover's card information goes to the new school, to be confirmed again (the school is on the card).
    const moved = await f.t.ctx.db.selectFrom('card_confirmations').select(['school_id', 'status', 'confirmed_at']).where('student_id', '=', mover.id).executeTakeFirstOrThrow();
    expect(moved).toEqual({ school_id: other.id, status: 'pending', confirmed_at: null });
    const transferred = await f.t.ctx.db.selectFrom('audit_log').select(['before', 'after']).where('action', '=', 'fulfilment.confirmation.transferred').where('actor_role', '=', 'operator').execute();
    expect(transferred).toContainEqual({ before: { status: 'confirmed', schoolId: fam.school.id }, after: { status: 'pending', schoolId: other.id } });
    // The new school opens its own, which waits for that confirmation.
    expect((await f.request('POST', '/admin/fulfilment/confirmations/open', f.operator, { schoolId: other.id })).json()).toMatchObject({ newCards: 1 });
    expect((await f.request('POST', '/admin/fulfilment/batches', f.operator, { kind: 'new_card', schoolId: other.id })).json()).toMatchObject({ error: { code: 'FULFILMENT_BATCH_EMPTY' } });
  });
});

describe('production, delivery to school and pickup', () => {
  it('batch → export for the printer → produced → dispatched → received → picked up: new card active, old one replaced, balance moved after the window', async () => {
    const a = await readyApplication();
    const b = await readyApplication();
    await f.fund(a.card.id, 3_250);
    const batch = await batchOf();
    expect(batch).toMatchObject({ status: 'created', applicationCount: 2, kind: 'replacement' });
    const detail = (await f.request('GET', `/admin/fulfilment/batches/${batch.id}`, f.operator)).json() as BatchDto & { applications: ApplicationDto[] };
    expect(detail.applications.map((x) => x.status)).toEqual(['in_production', 'in_production']);
    // Only operators run batches.
    expect((await f.request('POST', '/admin/fulfilment/batches', a.managerToken, { kind: 'replacement' })).statusCode).toBe(403);

    // Produced before export is refused.
    expect((await f.request('POST', `/admin/fulfilment/batches/${batch.id}/produced`, f.operator)).json()).toMatchObject({ error: { code: 'FULFILMENT_BATCH_STATUS' } });

    const exported = await f.request('POST', `/admin/fulfilment/batches/${batch.id}/export`, f.operator);
    expect(exported.statusCode).toBe(200);
    expect(exported.headers['content-type']).toContain('text/csv');
    expect(exported.headers['content-disposition']).toContain(`${batch.batchNo}.csv`);
    const raw = exported.rawPayload;
    expect([...raw.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // UTF-8 BOM
    const lines = raw.toString('utf8').slice(1).trim().split('\r\n');
    expect(lines[0]).toBe('批次号,申请编号,卡种,北京通号,学校名称,姓名,性别,教育ID,有效期,类别,年级,班级,照片文件,配送方式,补办原卡号,随卡卡贴北京通号');
    expect(lines).toHaveLength(3);
    const rowA = lines.find((l) => l.includes(a.app.id))!.split(',');
    const newCardNoA = rowA[3]!;
    expect(newCardNoA).toMatch(/^32\d{9}$/);
    expect(rowA).toEqual([batch.batchNo, a.app.id, '北京通学生卡', newCardNoA, '北京市海淀区实验中学', '张小明', '女', a.student.education_id, '2029-08-31', '2', '', '', `${a.student.education_id}.jpg`, '配送到校', a.card.card_no, '']);
    expect(((await f.request('GET', `/admin/fulfilment/batches/${batch.id}`, f.operator)).json() as BatchDto).status).toBe('exported');

    expect((await f.request('POST', `/admin/fulfilment/batches/${batch.id}/produced`, f.operator)).json()).toMatchObject({ status: 'produced' });
    expect((await f.request('POST', `/admin/fulfilment/batches/${batch.id}/dispatch`, f.operator)).json()).toMatchObject({ status: 'dispatched' });
    expect(await f.application(a.parentToken, a.app.id)).toMatchObject({ status: 'dispatched', newCardNoMasked: `32******${newCardNoA.slice(-3)}` });

    // Each school gets its own parcel; a card manager sees only their school's.
    const mine = (await f.request('GET', '/admin/fulfilment/deliveries', a.managerToken)).json() as { items: DeliveryDto[] };
    expect(mine.items).toHaveLength(1);
    expect(mine.items[0]).toMatchObject({ method: 'school', status: 'in_transit', applicationCount: 1, schoolId: a.school.id });
    // Pickup before the parcel arrived is refused.
    const early = await f.request('POST', `/admin/fulfilment/applications/${a.app.id}/pickup`, a.managerToken);
    expect(early.json()).toMatchObject({ error: { code: 'FULFILMENT_STATUS_INVALID' } });
    // Another school's manager cannot confirm this parcel.
    expect((await f.request('POST', `/admin/fulfilment/deliveries/${mine.items[0]!.id}/received`, b.managerToken)).statusCode).toBe(403);
    expect((await f.request('POST', `/admin/fulfilment/deliveries/${mine.items[0]!.id}/received`, a.managerToken)).json()).toMatchObject({ status: 'delivered' });
    expect(await f.application(a.parentToken, a.app.id)).toMatchObject({ status: 'delivered', statusLabel: { zh: '待领取' } });

    // Only the student's own school hands the card over.
    expect((await f.request('POST', `/admin/fulfilment/applications/${a.app.id}/pickup`, b.managerToken)).statusCode).toBe(403);
    const picked = await f.request('POST', `/admin/fulfilment/applications/${a.app.id}/pickup`, a.managerToken);
    expect(picked.statusCode, picked.body).toBe(200);
    const done = picked.json() as ApplicationDto;
    expect(done.status).toBe('completed');
    expect(done.balanceTransferDueAt).toBe('2026-11-26T02:00:00.000Z'); // the default 3-day settlement window
    const cards = await f.t.ctx.db.selectFrom('cards').selectAll().where('student_id', '=', a.student.id).orderBy('created_at').execute();
    expect(cards.map((c) => [c.card_no, c.status, c.replaces_card_id])).toEqual([[a.card.card_no, 'replaced', null], [newCardNoA, 'active', a.card.id]]);
    expect(cards[1]!.product).toBe('k12_card');
    // Picked up after 2026's usual October window: valid until 2027's closes, extended in it (not to graduation, the face's 2029-08-31).
    expect(cards[1]!.valid_until).toBe('2027-10-31');
    const events = await f.t.ctx.db.selectFrom('card_status_events').select(['card_id', 'to_status', 'denied']).where('card_id', '=', a.card.id).orderBy('version').execute();
    expect(events.map((e) => [e.to_status, e.denied])).toEqual([['active', false], ['lost', true], ['replaced', true]]);

    // The old balance stays until the window has passed…
    await f.runJobs();
    expect(await f.purse(a.card.id)).toBe(3_250);
    expect(await f.purse(done.newCardId!)).toBe(0);
    f.t.clock.set('2026-11-26T01:59:00Z');
    await f.runJobs();
    expect(await f.purse(a.card.id)).toBe(3_250);
    // …then moves once.
    f.t.clock.set('2026-11-26T02:00:00Z');
    await f.runJobs();
    await f.runJobs();
    expect(await f.purse(a.card.id)).toBe(0);
    expect(await f.purse(done.newCardId!)).toBe(3_250);
    const parentAgain = await f.t.factory.loginAs('parent', a.parent.phone, a.parent.password); // the clock moved past the first session
    const final = await f.application(parentAgain, a.app.id);
    expect(final).toMatchObject({ balanceTransferredFen: 3_250 });
    expect(final.steps.map((s) => s.step)).toEqual(['applied', 'paid', 'in_production', 'exported', 'produced', 'dispatched', 'delivered', 'picked_up', 'balance_moved']);
    await f.d.expectLedgerClean();

    // The parents were told at each step.
    const sms = await f.t.ctx.db.selectFrom('sms_outbox').select('body').where('phone', '=', a.parent.phone).orderBy('created_at').execute();
    const bodies = sms.map((s) => s.body).join('\n');
    for (const text of ['补办申请已提交', '已缴纳', '已进入制卡批次', '已制作完成', '已配送至', '已送达学校', '已领取并启用', '余额已转入']) expect(bodies).toContain(text);
    const audit = await f.t.ctx.db.selectFrom('audit_log').select('action').where('entity_id', '=', a.app.id).execute();
    expect(audit.map((x) => x.action)).toEqual(expect.arrayContaining(['fulfilment.application.applied', 'fulfilment.application.paid', 'fulfilment.application.picked_up', 'fulfilment.application.balance_moved']));
  });

  it('the settlement window is an operator setting', async () => {
    const bad = await f.request('PUT', '/admin/fulfilment/settings', f.operator, { settlementWindowDays: -1 });
    expect(bad.statusCode).toBe(400);
    const put = await f.request('PUT', '/admin/fulfilment/settings', f.operator, { settlementWindowDays: 7 });
    expect(put.json()).toEqual({ settlementWindowDays: 7 });
    const a = await readyApplication();
    const batch = await batchOf();
    await f.request('POST', `/admin/fulfilment/batches/${batch.id}/export`, f.operator);
    await f.request('POST', `/admin/fulfilment/batches/${batch.id}/produced`, f.operator);
    await f.request('POST', `/admin/fulfilment/batches/${batch.id}/dispatch`, f.operator);
    const delivery = ((await f.request('GET', `/admin/fulfilment/deliveries?batchId=${batch.id}`, f.operator)).json() as { items: DeliveryDto[] }).items[0]!;
    await f.request('POST', `/admin/fulfilment/deliveries/${delivery.id}/received`, a.managerToken);
    // A school parcel: its story and the steps' notes in each language, and no courier.
    const atSchool = await f.application(a.parentToken, a.app.id);
    expect(atSchool.delivery).toMatchObject({ courierName: null, events: [{ description: { zh: '已发往学校', en: 'Sent to the school' } }, { description: { zh: '学校已签收', en: 'Received by the school' } }] });
    expect(atSchool.steps.filter((s) => s.step === 'dispatched' || s.step === 'delivered').map((s) => [s.note, s.noteEn])).toEqual([
      ['配送到校', 'Sent to the school'], ['已送达学校，请到卡管员处领取', 'At the school: collect it from the school card manager'],
    ]);
    const done = (await f.request('POST', `/admin/fulfilment/applications/${a.app.id}/pickup`, a.managerToken)).json() as ApplicationDto;
    expect(done.balanceTransferDueAt).toBe('2026-11-30T02:00:00.000Z');
    await f.request('PUT', '/admin/fulfilment/settings', f.operator, { settlementWindowDays: 3 });
  });
});

describe('a card found again after the application', () => {
  it('is retired at pickup all the same: the new card replaces it', async () => {
    const a = await readyApplication();
    const unloss = await f.request('POST', `/cards/${a.card.id}/unloss`, a.parentToken);
    expect(unloss.json()).toMatchObject({ status: 'active' });
    const batch = await batchOf();
    await f.request('POST', `/admin/fulfilment/batches/${batch.id}/export`, f.operator);
    await f.request('POST', `/admin/fulfilment/batches/${batch.id}/produced`, f.operator);
    await f.request('POST', `/admin/fulfilment/batches/${batch.id}/dispatch`, f.operator);
    const delivery = ((await f.request('GET', `/admin/fulfilment/deliveries?batchId=${batch.id}`, f.operator)).json() as { items: DeliveryDto[] }).items[0]!;
    await f.request('POST', `/admin/fulfilment/deliveries/${delivery.id}/received`, a.managerToken);
    const picked = await f.request('POST', `/admin/fulfilment/applications/${a.app.id}/pickup`, a.managerToken);
    expect(picked.statusCode, picked.body).toBe(200);
    const cards = await f.t.ctx.db.selectFrom('cards').select('status').where('student_id', '=', a.student.id).orderBy('created_at').execute();
    expect(cards.map((c) => c.status)).toEqual(['replaced', 'active']);
  });
});

describe('home delivery through the courier', () => {
  it('books the sandbox courier, tracks the parcel, and completes when it is signed for', async () => {
    const a = await readyApplication({ delivery: { method: 'home', recipient: '张大明', phone: '13900001111', address: '北京市朝阳区建国路88号' } });
    const batch = await batchOf();
    await f.request('POST', `/admin/fulfilment/batches/${batch.id}/export`, f.operator);
    await f.request('POST', `/admin/fulfilment/batches/${batch.id}/produced`, f.operator);
    await f.request('POST', `/admin/fulfilment/batches/${batch.id}/dispatch`, f.operator);
    const list = (await f.request('GET', `/admin/fulfilment/deliveries?batchId=${batch.id}`, f.operator)).json() as { items: DeliveryDto[] };
    expect(list.items).toHaveLength(1);
    const parcel = list.items[0]!;
    expect(parcel).toMatchObject({ method: 'home', courier: 'sandbox', courierName: { zh: '模拟快递', en: 'Sandbox courier' }, status: 'in_transit', applicationId: a.app.id, phoneMasked: '139****1111', recipientMasked: '张**' });
    expect(parcel.trackingNo).toMatch(/^SB\d{17}$/);
    // The console's tracking text in each language, not one 'zh / en' string.
    expect(parcel.events.map((e) => e.description)).toEqual([{ zh: '快递员已揽收', en: 'Picked up by the courier' }]);
    // The family reads the courier's name, the status in words, the courier's scans and each step's note in their language.
    const tracked = await f.application(a.parentToken, a.app.id);
    expect(tracked).toMatchObject({
      status: 'dispatched',
      delivery: {
        trackingNo: parcel.trackingNo, courier: 'sandbox', courierName: { zh: '模拟快递', en: 'Sandbox courier' },
        trackingStatus: 'in_transit', trackingStatusLabel: { zh: '运输中', en: 'In transit' }, events: [{ description: { zh: '快递员已揽收', en: 'Picked up by the courier' } }],
      },
    });
    expect(tracked.steps.find((s) => s.step === 'dispatched')).toMatchObject({ note: '配送到家', noteEn: 'Sent home by courier' });
    // A batch number reads the same in both.
    expect(tracked.steps.find((s) => s.step === 'produced')).toMatchObject({ note: batch.batchNo, noteEn: batch.batchNo });
    // Home parcels are not handed over by the school.
    expect((await f.request('POST', `/admin/fulfilment/deliveries/${parcel.id}/received`, a.managerToken)).statusCode).toBe(409);

    f.t.clock.set('2026-11-23T08:00:00Z');
    const moving = (await f.request('POST', `/admin/fulfilment/deliveries/${parcel.id}/refresh`, f.operator)).json() as DeliveryDto;
    expect(moving.status).toBe('in_transit');
    expect(moving.events.map((e) => e.description)).toHaveLength(2);

    f.t.clock.set('2026-11-24T03:00:00Z');
    await f.t.ctx.jobs.runDue(100); // the recurring tracking job
    await f.runJobs();
    const done = await f.application(await f.t.factory.loginAs('parent', a.parent.phone, a.parent.password), a.app.id);
    expect(done.status).toBe('completed');
    expect(done.steps.map((s) => s.step)).toContain('picked_up');
    const cards = await f.t.ctx.db.selectFrom('cards').select(['status', 'replaces_card_id']).where('student_id', '=', a.student.id).orderBy('created_at').execute();
    expect(cards).toEqual([{ status: 'replaced', replaces_card_id: null }, { status: 'active', replaces_card_id: a.card.id }]);
    const sms = await f.t.ctx.db.selectFrom('sms_outbox').select('body').where('phone', '=', '13900001111').execute();
    expect(sms.map((s) => s.body).join()).toContain('快递费到付');
  });
});

describe('card stickers in production', () => {
  it('produce a k12_sticker card at pickup', async () => {
    const fam = await f.family({ stage: 'high', product: 'k12_sticker' });
    await f.reportLoss(fam.parentToken, fam.card.id);
    const app = await f.apply(fam.parentToken, fam.student, fam.card.id, { kind: 'sticker' });
    await f.confirmInfo(fam.parentToken, fam.student.id);
    const batch = await batchOf('sticker');
    const csv = (await f.request('POST', `/admin/fulfilment/batches/${batch.id}/export`, f.operator)).body;
    expect(csv).toContain('学生卡贴');
    await f.request('POST', `/admin/fulfilment/batches/${batch.id}/produced`, f.operator);
    await f.request('POST', `/admin/fulfilment/batches/${batch.id}/dispatch`, f.operator);
    const delivery = ((await f.request('GET', `/admin/fulfilment/deliveries?batchId=${batch.id}`, f.operator)).json() as { items: DeliveryDto[] }).items[0]!;
    await f.request('POST', `/admin/fulfilment/deliveries/${delivery.id}/received`, fam.managerToken);
    const done = (await f.request('POST', `/admin/fulfilment/applications/${app.id}/pickup`, fam.managerToken)).json() as ApplicationDto;
    const card = await f.t.ctx.db.selectFrom('cards').select(['product', 'status', 'valid_until']).where('id', '=', done.newCardId!).executeTakeFirstOrThrow();
    // No extension renews a sticker: it keeps the graduation date printed for it.
    expect(card).toEqual({ product: 'k12_sticker', status: 'active', valid_until: '2029-08-31' });
  });
});

describe('a new card’s transit validity follows the yearly extension (its face says graduation)', () => {
  const setWindow = (year: number, startsOn: string, endsOn: string) => f.request('PUT', `/admin/card-extension-windows/${year}`, f.operator, { startsOn, endsOn });

  it('picked up inside a window: valid until that window’s end a year on, extended in next year’s window, and reminded before it', async () => {
    try {
      expect((await setWindow(2026, '2026-11-01', '2026-11-30')).statusCode).toBe(200);
      const a = await readyApplication();
      const batch = await batchOf();
      const exported = await f.request('POST', `/admin/fulfilment/batches/${batch.id}/export`, f.operator);
      const row = exported.rawPayload.toString('utf8').slice(1).trim().split('\r\n').find((l) => l.includes(a.app.id))!.split(',');
      expect(row[8]).toBe('2029-08-31'); // the face: graduation
      await f.request('POST', `/admin/fulfilment/batches/${batch.id}/produced`, f.operator);
      await f.request('POST', `/admin/fulfilment/batches/${batch.id}/dispatch`, f.operator);
      const delivery = ((await f.request('GET', `/admin/fulfilment/deliveries?batchId=${batch.id}`, f.operator)).json() as { items: DeliveryDto[] }).items[0]!;
      await f.request('POST', `/admin/fulfilment/deliveries/${delivery.id}/received`, a.managerToken);
      const done = (await f.request('POST', `/admin/fulfilment/applications/${a.app.id}/pickup`, a.managerToken)).json() as ApplicationDto;

      // Picked up on 2026-11-23, inside 2026's window: what an extension that day would give.
      const card = (await f.request('GET', `/cards/${done.newCardId}`, a.parentToken)).json() as { validUntil: string; canExtend: boolean };
      expect(card).toMatchObject({ validUntil: '2027-11-30', canExtend: true });
      expect((await f.request('GET', `/cards/${done.newCardId}/extension`, a.parentToken)).json()).toMatchObject({ eligible: false, blockedBy: 'CARD_EXTENSION_DONE' });

      // In 2027's window it is due: the parent is texted, and the extension runs it a year further.
      expect((await setWindow(2027, '2027-11-01', '2027-11-30')).statusCode).toBe(200);
      f.t.clock.set('2027-11-05T02:00:00Z');
      expect(await sendExpiryReminders(f.t.ctx)).toMatchObject({ failed: 0 });
      const texts = (await f.t.ctx.db.selectFrom('sms_outbox').select('body').where('phone', '=', a.parent.phone).execute()).map((m) => m.body);
      expect(texts.filter((b) => b.includes('将于 2027-11-30 到期'))).toHaveLength(1);
      const parentAgain = await f.t.factory.loginAs('parent', a.parent.phone, a.parent.password);
      const extended = await f.request('POST', `/cards/${done.newCardId}/extend`, parentAgain);
      expect(extended.statusCode, extended.body).toBe(200);
      expect(extended.json()).toMatchObject({ card: { validUntil: '2028-11-30' } });
    } finally {
      await f.t.ctx.db.deleteFrom('card_extension_windows').where('year', 'in', [2026, 2027]).execute();
    }
  });
});
