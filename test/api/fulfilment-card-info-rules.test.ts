import { describe, expect, it, vi } from 'vitest';
import { generateCardNo } from '../../src/domain/card-numbers.js';
import type * as CardNumbers from '../../src/domain/card-numbers.js';
import type { ApplicationDto, ConfirmationDto, CreatedBatchDto, DeliveryDto, VerifyResult } from '../../src/modules/fulfilment/fulfilment.schemas.js';
import { useFulfilmentDriver } from './fulfilment-driver.js';

/**
 * 制卡信息确认 and production after the UX walk (docs/cards.md): no confirmation and no printing
 * without the card photo, a report the school can act on, and the sticker (卡贴) a middle or high
 * school student's first card comes with.
 */
const f = useFulfilmentDriver();

/** Numbers the next draws of a card number return, in order (then random again): a collision on demand. */
const forcedNumbers = vi.hoisted(() => [] as string[]);
vi.mock('../../src/domain/card-numbers.js', async (importOriginal) => {
  const real = await importOriginal<typeof CardNumbers>();
  return { ...real, generateCardNo: (...args: Parameters<typeof real.generateCardNo>) => forcedNumbers.shift() ?? real.generateCardNo(...args) };
});

async function confirmationOf(token: string, studentId: string): Promise<ConfirmationDto> {
  const res = await f.request('GET', `/fulfilment/confirmation?studentId=${studentId}`, token);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as ConfirmationDto;
}

/** A pupil of the school without a card, the school's opening gives a first card; the parent's token. */
async function newcomer(stage: 'primary' | 'middle' | 'high', name: string) {
  const school = await f.t.factory.newSchool({ stage, name: `${name}学校` });
  const student = await f.t.factory.newStudent({ schoolId: school.id, name });
  const parent = await f.t.factory.newParent({ children: [student.id] });
  const manager = await f.t.factory.newStaff('school_admin', { schoolId: school.id });
  const managerToken = await f.t.factory.loginAs('staff', manager.username, manager.password);
  const opened = await f.request('POST', '/admin/fulfilment/confirmations/open', managerToken, { schoolId: school.id });
  expect(opened.json()).toEqual({ opened: 1, newCards: 1 });
  return { school, student, managerToken, parentToken: await f.t.factory.loginAs('parent', parent.phone, parent.password) };
}

async function createBatch(kind: 'replacement' | 'new_card', schoolId?: string) {
  return f.request('POST', '/admin/fulfilment/batches', f.operator, { kind, ...(schoolId ? { schoolId } : {}) });
}

type Newcomer = Awaited<ReturnType<typeof newcomer>>;

/** The newcomer's first card put into a batch of its school's: the batch and the numbers reserved for it. */
async function batchFirstCard(n: Newcomer) {
  const res = await createBatch('new_card', n.school.id);
  expect(res.statusCode, res.body).toBe(201);
  const [app] = (await f.request('GET', `/fulfilment/applications?studentId=${n.student.id}`, n.parentToken)).json().items as ApplicationDto[];
  const reserved = await f.t.ctx.db.selectFrom('card_applications').select(['new_card_no', 'new_sticker_no']).where('id', '=', app!.id).executeTakeFirstOrThrow();
  return { batch: res.json() as CreatedBatchDto, applicationId: app!.id, reserved };
}

/** The batch exported (the printer's row of the card, by column), made, sent to the school and handed over by its card manager; the student's cards. */
async function makeAndPickUp(n: Newcomer, made: Awaited<ReturnType<typeof batchFirstCard>>) {
  const exported = await f.request('POST', `/admin/fulfilment/batches/${made.batch.id}/export`, f.operator);
  expect(exported.statusCode).toBe(200);
  const [header, row] = exported.rawPayload.toString('utf8').slice(1).trim().split('\r\n').map((l) => l.split(','));
  const printed = Object.fromEntries(header!.map((column, i) => [column, row![i]]));
  for (const step of ['produced', 'dispatch']) expect((await f.request('POST', `/admin/fulfilment/batches/${made.batch.id}/${step}`, f.operator)).statusCode).toBe(200);
  const delivery = ((await f.request('GET', `/admin/fulfilment/deliveries?batchId=${made.batch.id}`, f.operator)).json() as { items: DeliveryDto[] }).items[0]!;
  expect((await f.request('POST', `/admin/fulfilment/deliveries/${delivery.id}/received`, n.managerToken)).statusCode).toBe(200);
  const picked = await f.request('POST', `/admin/fulfilment/applications/${made.applicationId}/pickup`, n.managerToken);
  expect(picked.statusCode, picked.body).toBe(200);
  const cards = await f.t.ctx.db.selectFrom('cards').select(['id', 'card_no', 'product', 'status', 'valid_until', 'replaces_card_id']).where('student_id', '=', n.student.id).orderBy('product').execute();
  return { cards, printed };
}

/** The first card made, sent to the school and handed over: its cards, the numbers the batch reserved, the printer's row. */
async function produceAndPickUp(n: Newcomer) {
  const made = await batchFirstCard(n);
  return { ...(await makeAndPickUp(n, made)), reserved: made.reserved };
}

describe('确认无误 needs the card photo', () => {
  it('is refused while no photo is taken (422 FULFILMENT_PHOTO_MISSING, zh/en, nothing written); once the school takes it, it goes through', async () => {
    const n = await newcomer('primary', '无照片');
    const record = await confirmationOf(n.parentToken, n.student.id);
    expect(record.face.hasPhoto).toBe(false);
    const refused = await f.request('POST', `/fulfilment/confirmations/${record.id}/confirm`, n.parentToken);
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error).toMatchObject({
      code: 'FULFILMENT_PHOTO_MISSING', message: '照片尚未采集，请联系学校卡管员采集照片后再确认', messageEn: expect.stringContaining('No photo has been taken yet'),
    });
    expect((await confirmationOf(n.parentToken, n.student.id)).status).toBe('pending');
    expect(await f.t.ctx.db.selectFrom('audit_log').select('id').where('entity_id', '=', record.id).execute()).toEqual([]);

    await f.t.factory.givePhoto(n.student.id);
    const confirmed = await f.request('POST', `/fulfilment/confirmations/${record.id}/confirm`, n.parentToken);
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    expect(confirmed.json()).toMatchObject({ status: 'confirmed', face: { hasPhoto: true } });
  });
});

describe('a production batch holds back applications whose student has no photo', () => {
  it('makes the others, says how many it held; held alone is FULFILMENT_BATCH_PHOTOS_MISSING; the photo taken, the next batch makes it', async () => {
    const withPhoto = await newcomer('primary', '有照片');
    const without = await newcomer('primary', '缺照片');
    await f.confirmInfo(withPhoto.parentToken, withPhoto.student.id);
    await f.confirmInfo(without.parentToken, without.student.id);
    // Confirmed before the photo rule (or the photo removed since): the printer would get an empty 照片文件.
    await f.t.ctx.db.deleteFrom('student_photos').where('student_id', '=', without.student.id).execute();

    const res = await createBatch('new_card');
    expect(res.statusCode, res.body).toBe(201);
    const batch = res.json() as CreatedBatchDto;
    expect(batch).toMatchObject({ applicationCount: 1, heldWithoutPhoto: 1 });
    const detail = (await f.request('GET', `/admin/fulfilment/batches/${batch.id}`, f.operator)).json() as { applications: ApplicationDto[] };
    expect(detail.applications.map((a) => a.studentId)).toEqual([withPhoto.student.id]);
    const csv = (await f.request('POST', `/admin/fulfilment/batches/${batch.id}/export`, f.operator)).rawPayload.toString('utf8');
    expect(csv).toContain(`${withPhoto.student.education_id}.jpg`);
    expect(csv).not.toContain(without.student.education_id);
    const audit = await f.t.ctx.db.selectFrom('audit_log').select('after').where('action', '=', 'fulfilment.batch.created').where('entity_id', '=', batch.id).executeTakeFirstOrThrow();
    const [held] = (await f.request('GET', `/fulfilment/applications?studentId=${without.student.id}`, without.parentToken)).json().items as ApplicationDto[];
    expect(held).toMatchObject({ status: 'ready_for_production', batchId: null });
    expect(audit.after).toMatchObject({ heldWithoutPhoto: [held!.id] });

    const allHeld = await createBatch('new_card');
    expect(allHeld.statusCode).toBe(422);
    expect(allHeld.json().error).toMatchObject({ code: 'FULFILMENT_BATCH_PHOTOS_MISSING', details: { heldWithoutPhoto: 1 }, message: expect.stringContaining('尚未采集照片') });

    await f.t.factory.givePhoto(without.student.id);
    expect((await createBatch('new_card')).json()).toMatchObject({ applicationCount: 1, heldWithoutPhoto: 0 });
  });
});

describe('信息有误: every reported field with what the school needs to fix it', () => {
  it('a text field needs its correct value, a gender M or F, the photo a note; each once; the education ID is not reportable; nothing is written when refused', async () => {
    const n = await newcomer('middle', '报错生');
    const record = await confirmationOf(n.parentToken, n.student.id);
    const report = (corrections: unknown[]) => f.request('POST', `/fulfilment/confirmations/${record.id}/report`, n.parentToken, { corrections });
    const refusal = async (corrections: unknown[]) => {
      const res = await report(corrections);
      expect(res.statusCode, res.body).toBe(422);
      return res.json().error as { code: string; message: string; messageEn: string; details: Record<string, unknown> };
    };

    for (const field of ['name', 'schoolName', 'validUntil', 'gender']) {
      expect(await refusal([{ field }])).toMatchObject({ code: 'FULFILMENT_CORRECTION_INCOMPLETE', details: { field, missing: 'correctValue' } });
      expect(await refusal([{ field, correctValue: '   ', note: '说明' }])).toMatchObject({ details: { field, missing: 'correctValue' } });
    }
    const photo = await refusal([{ field: 'name', correctValue: '报错学生' }, { field: 'photo', note: '  ' }]);
    expect(photo).toMatchObject({ code: 'FULFILMENT_CORRECTION_INCOMPLETE', details: { field: 'photo', missing: 'note' }, message: expect.stringContaining('照片有误请填写说明'), messageEn: expect.stringContaining('a note for the photo') });
    expect(await refusal([{ field: 'gender', correctValue: '男' }])).toMatchObject({ details: { field: 'gender' } });
    expect(await refusal([{ field: 'name', correctValue: '甲' }, { field: 'name', correctValue: '乙' }])).toMatchObject({ details: { field: 'name', reason: 'repeated' } });
    expect(await refusal([{ field: 'educationId', correctValue: '20219999' }])).toMatchObject({ code: 'FULFILMENT_FIELD_NOT_REPORTABLE', details: { field: 'educationId' } });
    expect((await confirmationOf(n.parentToken, n.student.id)).status).toBe('pending');

    const sent = await report([{ field: 'gender', correctValue: 'M' }, { field: 'photo', note: '照片模糊，请重拍' }, { field: 'validUntil', correctValue: '2028-08-31', note: '现读八年级' }]);
    expect(sent.statusCode, sent.body).toBe(200);
    expect(sent.json()).toMatchObject({
      status: 'reported',
      corrections: [{ field: 'gender', correctValue: 'M', note: null }, { field: 'photo', correctValue: null, note: '照片模糊，请重拍' }, { field: 'validUntil', correctValue: '2028-08-31', note: '现读八年级' }],
    });
  });
});

describe('卡贴: a middle or high school student’s first card comes with a sticker', () => {
  it('the batch reserves the sticker its own number, the printer’s file carries it, and pickup issues the sticker (inactive, graduation date) under exactly that number; 补换卡贴 then finds it; a primary pupil gets none', async () => {
    const middle = await newcomer('middle', '初中新生');
    await f.confirmInfo(middle.parentToken, middle.student.id);
    const { cards, reserved, printed } = await produceAndPickUp(middle);
    expect(reserved.new_sticker_no).toMatch(/^32\d{9}$/);
    expect(reserved.new_sticker_no).not.toBe(reserved.new_card_no);
    expect(printed).toMatchObject({ 北京通号: reserved.new_card_no, 随卡卡贴北京通号: reserved.new_sticker_no });
    expect(cards.map((c) => [c.product, c.card_no, c.status, c.replaces_card_id])).toEqual([['k12_card', reserved.new_card_no, 'inactive', null], ['k12_sticker', reserved.new_sticker_no, 'inactive', null]]);
    // The card is on the yearly cycle; the sticker, which no extension renews, keeps the graduation printed for it.
    expect(cards.map((c) => c.valid_until)).toEqual(['2027-10-31', '2029-08-31']);
    const steps = await f.t.ctx.db.selectFrom('audit_log').select('after').where('action', '=', 'fulfilment.application.picked_up').where('actor_role', '=', 'school_admin').execute();
    expect(steps.map((s) => (s.after as { stickerCardId: string | null }).stickerCardId)).toContain(cards[1]!.id);
    // 补换卡贴 can be used: the sticker is listed for a damaged sticker's replacement.
    const verified = (await f.request('POST', '/fulfilment/verify', middle.parentToken, f.identity(middle.student, 'sticker'))).json() as VerifyResult;
    expect(verified.cards.map((c) => [c.cardId, c.product, c.replaceReasons])).toEqual([[cards[1]!.id, 'k12_sticker', ['damaged']]]);

    const primary = await newcomer('primary', '小学新生');
    await f.confirmInfo(primary.parentToken, primary.student.id);
    const none = await produceAndPickUp(primary);
    expect(none.reserved).toEqual({ new_card_no: expect.stringMatching(/^32\d{9}$/), new_sticker_no: null });
    expect(none.printed.随卡卡贴北京通号).toBe('');
    expect(none.cards.map((c) => c.product)).toEqual(['k12_card']);
  });

  it('a sticker’s number is never one another application reserved (its card’s or its sticker’s) nor its own card’s; both pickups go through', async () => {
    const first = await newcomer('high', '高中新生甲');
    await f.confirmInfo(first.parentToken, first.student.id);
    const second = await newcomer('high', '高中新生乙');
    await f.confirmInfo(second.parentToken, second.student.id);
    const firstBatch = await batchFirstCard(first);
    const taken = firstBatch.reserved;
    // The second batch draws its card a fresh number, then offers the sticker the first application's
    // card and sticker numbers and its own card's before a fresh one.
    const own = generateCardNo('beijing_tong');
    forcedNumbers.push(own, taken.new_card_no!, taken.new_sticker_no!, own);
    const made = await produceAndPickUp(second);
    expect(forcedNumbers).toEqual([]);
    expect(made.reserved.new_card_no).toBe(own);
    expect([taken.new_card_no, taken.new_sticker_no, own]).not.toContain(made.reserved.new_sticker_no);
    expect(made.cards.map((c) => [c.product, c.card_no])).toEqual([['k12_card', own], ['k12_sticker', made.reserved.new_sticker_no]]);
    // The database refuses a sticker number reserved twice, and one equal to its own card's.
    await expect(f.t.ctx.db.updateTable('card_applications').set({ new_sticker_no: made.reserved.new_sticker_no }).where('student_id', '=', first.student.id).execute()).rejects.toThrow();
    await expect(f.t.ctx.db.updateTable('card_applications').set({ new_sticker_no: taken.new_card_no }).where('student_id', '=', first.student.id).execute()).rejects.toThrow();
    const firstCards = (await makeAndPickUp(first, firstBatch)).cards;
    expect(firstCards.map((c) => [c.product, c.card_no])).toEqual([['k12_card', taken.new_card_no], ['k12_sticker', taken.new_sticker_no]]);
  });
});
