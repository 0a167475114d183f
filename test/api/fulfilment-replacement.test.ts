import { describe, expect, it } from 'vitest';
import { makeIdNumber } from '../../src/domain/id-number.js';
import { maskCardNo } from '../../src/domain/masking.js';
import type { ApplicationDto } from '../../src/modules/fulfilment/fulfilment.schemas.js';
import { useFulfilmentDriver } from './fulfilment-driver.js';

const f = useFulfilmentDriver({ operator: false });

describe('identity check (seed 000 填写信息)', () => {
  it('shows the card information masked as the app does, and only a lost card is replaceable', async () => {
    const { student, card, parentToken } = await f.family({ name: '张小明' });
    const before = await f.verify(parentToken, student);
    expect(before.studentId).toBe(student.id);
    expect(before.cards).toHaveLength(1);
    // The Beijing-tong number masked as on every other screen; the student's own school whole (not personal data); 类别 explained.
    expect(before.cards[0]).toMatchObject({
      cardId: card.id, nameMasked: '张**', educationId: student.education_id, beijingTongNoMasked: maskCardNo(card.card_no), yikatongNoMasked: null, schoolName: '北京市海淀区实验中学',
      category: '2', categoryLabel: { zh: '初中', en: 'Middle school' }, cardType: { zh: '北京通学生卡' }, transitValidity: { zh: '有效卡' }, replaceable: false, notReplaceableCode: 'FULFILMENT_CARD_NOT_LOST',
    });
    expect(before.cards[0]!.beijingTongNoMasked).toMatch(/^\d{2}\*+\d{3}$/);
    expect(JSON.stringify(before)).not.toContain(card.card_no);
    await f.reportLoss(parentToken, card.id);
    const after = await f.verify(parentToken, student);
    // Lost, and still 有效卡 for transit (seed 000): that is its dates, not its loss.
    expect(after.cards[0]).toMatchObject({ cardStatus: 'lost', holdStatus: { zh: '待补卡' }, transitValidity: { zh: '有效卡' }, replaceable: true, notReplaceableCode: null });
    expect(after.notes[0]!.zh).toContain('挂失、申请、缴费');
    // Expired past its grace period: 无效卡, which the notes say to take to the card manager.
    await f.t.ctx.db.updateTable('cards').set({ valid_until: '2026-08-31' }).where('id', '=', card.id).execute();
    expect((await f.verify(parentToken, student)).cards[0]).toMatchObject({ transitValid: false, transitValidity: { zh: '无效卡' } });
  });

  it('refuses a mismatch without echoing the record: the differing fields and the record masked', async () => {
    const { student, parentToken } = await f.family({ name: '李小红' });
    // A well-formed number (a valid check digit) that is not the student's.
    const otherNumber = makeIdNumber({ areaCode: '110108', birthDate: '2012-05-20', sequence: 7, gender: 'F' });
    expect(otherNumber).not.toBe(student.id_number);
    const res = await f.request('POST', '/fulfilment/verify', parentToken, { ...f.identity(student), name: '李晓红', idNumber: otherNumber });
    expect(res.statusCode).toBe(422);
    const body = res.json() as { error: { code: string; details: { fields: string[]; record: { nameMasked: string; idNumberMasked: string } } } };
    expect(body.error.code).toBe('FULFILMENT_IDENTITY_MISMATCH');
    expect(body.error.details.fields).toEqual(['name', 'idNumber']);
    expect(body.error.details.record).toEqual({ nameMasked: '李**', idNumberMasked: `${student.id_number.slice(0, 3)}***********${student.id_number.slice(-4)}` });
    expect(res.body).not.toContain(student.name);
    expect(res.body).not.toContain(student.id_number);
  });

  it('refuses a resident ID number that is not one (GB 11643 check digit, format) as malformed, before comparing it with the record', async () => {
    const { student, card, parentToken } = await f.family({ name: '赵小兰' });
    await f.reportLoss(parentToken, card.id);
    // The student's own number with its check digit changed: one typo, everything else right.
    const last = student.id_number.at(-1)!;
    const typo = student.id_number.slice(0, 17) + (last === '0' ? '1' : '0');
    const res = await f.request('POST', '/fulfilment/verify', parentToken, { ...f.identity(student), idNumber: typo });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'ID_NUMBER_CHECKSUM', details: { field: 'idNumber' } } });
    expect(res.body).not.toContain('record');
    const short = await f.request('POST', '/fulfilment/verify', parentToken, { ...f.identity(student), idNumber: student.id_number.slice(0, 17) });
    expect(short.json()).toMatchObject({ error: { code: 'ID_NUMBER_FORMAT', details: { field: 'idNumber' } } });
    // The application checks it again, and nothing is written.
    const applied = await f.request('POST', '/fulfilment/applications', parentToken, { ...f.identity(student), idNumber: typo, cardId: card.id, delivery: { method: 'school' } });
    expect(applied.statusCode).toBe(400);
    expect(applied.json()).toMatchObject({ error: { code: 'ID_NUMBER_CHECKSUM' } });
    expect(await f.t.ctx.db.selectFrom('card_applications').select('id').where('student_id', '=', student.id).execute()).toEqual([]);
    // Another document type is compared as typed: a mismatch, not a malformed resident ID number.
    const passport = await f.request('POST', '/fulfilment/verify', parentToken, { ...f.identity(student), idType: 'passport', idNumber: 'E12345678' });
    expect(passport.json()).toMatchObject({ error: { code: 'FULFILMENT_IDENTITY_MISMATCH', details: { fields: ['idNumber'] } } });
    // The right number passes.
    expect((await f.verify(parentToken, student)).cards[0]).toMatchObject({ cardId: card.id, replaceable: true });
  });

  it('refuses an education ID the caller may not act for, revealing nothing', async () => {
    const mine = await f.family();
    const other = await f.family({ name: '王小刚' });
    const res = await f.request('POST', '/fulfilment/verify', mine.parentToken, f.identity(other.student));
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ error: { code: 'FULFILMENT_IDENTITY_MISMATCH', details: { fields: ['educationId'] } } });
    expect(res.body).not.toContain('王');
  });
});

describe('applying (申请补卡)', () => {
  it('refuses a card that is not reported lost, and a card of someone else', async () => {
    const { student, card, parentToken } = await f.family();
    const notLost = await f.applyRequest(parentToken, student, card.id);
    expect(notLost.statusCode).toBe(422);
    expect(notLost.json()).toMatchObject({ error: { code: 'FULFILMENT_CARD_NOT_LOST' } });
    const other = await f.family();
    await f.reportLoss(other.parentToken, other.card.id);
    const foreign = await f.applyRequest(parentToken, student, other.card.id);
    expect(foreign.statusCode).toBe(404);
    expect(await f.t.ctx.db.selectFrom('card_applications').select('id').where('student_id', 'in', [student.id, other.student.id]).execute()).toEqual([]);
  });

  it('validates the home delivery: recipient, 11-digit phone and address', async () => {
    const { student, card, parentToken } = await f.family();
    await f.reportLoss(parentToken, card.id);
    const res = await f.applyRequest(parentToken, student, card.id, { delivery: { method: 'home', recipient: '张三', phone: '12345', address: '北京市海淀区' } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
  });

  it('creates the application awaiting the ¥15 fee, with home delivery at most ¥15 cash on delivery, masked', async () => {
    const { student, card, parentToken } = await f.family();
    await f.reportLoss(parentToken, card.id);
    const app = await f.apply(parentToken, student, card.id, { delivery: { method: 'home', recipient: '张大明', phone: '13812345678', address: '北京市海淀区中关村大街1号' } });
    expect(app).toMatchObject({
      kind: 'replacement', status: 'awaiting_payment', feeFen: 1500, feeOrder: null, studentNameMasked: '张**',
      delivery: { method: 'home', recipientMasked: '张**', phoneMasked: '138****5678', codFeeMaxFen: 1500 },
      paymentWindow: { open: true }, expectedReadyDate: null,
    });
    expect(app.steps.map((s) => s.step)).toEqual(['applied']);
    // The card information now waits for the student's confirmation before production.
    const confirmation = await f.request('GET', `/fulfilment/confirmation?studentId=${student.id}`, parentToken);
    expect(confirmation.json()).toMatchObject({ status: 'pending', face: { name: student.name, educationId: student.education_id } });
    // A second application for the same card is refused.
    const again = await f.applyRequest(parentToken, student, card.id);
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ error: { code: 'FULFILMENT_ALREADY_APPLIED' } });
    // The text names the weekdays operators set for fees, not a fixed Monday and Tuesday.
    const operator = await f.operatorToken();
    const setWeekdays = async (weekdays: number[]) => expect((await f.request('PUT', '/admin/settings/payment-weekdays', operator, { weekdays })).statusCode).toBe(200);
    await setWeekdays([3, 4]);
    try {
      await f.runJobs();
    } finally {
      await setWeekdays([1, 2]);
    }
    const sms = await f.t.ctx.db.selectFrom('sms_outbox').select(['phone', 'body']).where('phone', 'in', ['13812345678']).execute();
    expect(sms.map((s) => s.body).join()).toContain('补办申请已提交，请在缴费时间（每周三、周四，节假日除外）内缴纳补卡工本费15元');
  });

  it('two simultaneous applications for one card: exactly one succeeds', async () => {
    const { student, card, parentToken } = await f.family();
    await f.reportLoss(parentToken, card.id);
    const results = await Promise.all([1, 2, 3].map(() => f.applyRequest(parentToken, student, card.id)));
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409, 409]);
    for (const r of results.filter((x) => x.statusCode === 409)) expect(r.json()).toMatchObject({ error: { code: 'FULFILMENT_ALREADY_APPLIED' } });
    const rows = await f.t.ctx.db.selectFrom('card_applications').select('id').where('old_card_id', '=', card.id).execute();
    expect(rows).toHaveLength(1);
  });

  it('the database itself refuses a second open application for a card (the unique index behind the lock)', async () => {
    const { student, card, parentToken } = await f.family();
    await f.reportLoss(parentToken, card.id);
    const app = await f.apply(parentToken, student, card.id);
    const row = await f.t.ctx.db.selectFrom('card_applications').selectAll().where('id', '=', app.id).executeTakeFirstOrThrow();
    await expect(f.t.ctx.db.insertInto('card_applications').values({ ...row, id: crypto.randomUUID(), new_card_no: null }).execute()).rejects.toMatchObject({ constraint: 'card_applications_one_per_card' });
  });
});

describe('the fee (补卡缴费) and the progress query (补卡进度)', () => {
  it('refuses the fee order outside the payment window and shows the next window', async () => {
    f.t.clock.set('2026-11-25T02:00:00Z'); // Wednesday
    const { student, card, parentToken } = await f.family();
    await f.reportLoss(parentToken, card.id);
    const app = await f.apply(parentToken, student, card.id);
    expect(app.paymentWindow).toMatchObject({ open: false, next: { startDate: '2026-11-30', endDate: '2026-12-01' } });
    const res = await f.request('POST', `/fulfilment/applications/${app.id}/fee-order`, parentToken);
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ error: { code: 'PAYMENT_WINDOW_CLOSED', details: { next: { startDate: '2026-11-30' } } } });
    expect((await f.application(parentToken, app.id)).feeOrder).toBeNull();
  });

  it('hands back the pending order instead of a second one; paying moves the application on', async () => {
    const { student, card, parentToken } = await f.family();
    await f.reportLoss(parentToken, card.id);
    const app = await f.apply(parentToken, student, card.id);
    const first = (await f.request('POST', `/fulfilment/applications/${app.id}/fee-order`, parentToken)).json() as ApplicationDto;
    const second = (await f.request('POST', `/fulfilment/applications/${app.id}/fee-order`, parentToken)).json() as ApplicationDto;
    expect(first.feeOrder).toMatchObject({ amountFen: 1500, item: { feeCode: '174011', payee: '北京教育网络信息中心' }, status: 'created' });
    expect(second.feeOrder!.id).toBe(first.feeOrder!.id);
    // 项目状态 on the fee sheet (seed 000): where the application it pays for stands.
    const projectStatus = async () => (await f.request('GET', `/orders/${first.feeOrder!.id}`, parentToken)).json().projectStatus;
    expect(await projectStatus()).toEqual({ zh: '已购买补卡申请', en: 'Replacement applied for' });
    const cancel = await f.request('POST', `/fulfilment/applications/${app.id}/cancel`, parentToken);
    expect(cancel.json()).toMatchObject({ error: { code: 'FULFILMENT_ORDER_PENDING' } });
    const paid = await f.pay(parentToken, app.id);
    expect(paid).toMatchObject({ status: 'ready_for_production', feeOrder: { status: 'fulfilled', projectStatus: { zh: '补卡申请已缴费' } } });
    expect(await projectStatus()).toMatchObject({ zh: '补卡申请已缴费' });
    expect(paid.paidAt).not.toBeNull();
    expect(paid.steps.map((s) => s.step)).toEqual(['applied', 'paid']);
    expect(paid.expectedReadyDate).toBe('2026-12-21'); // 20 working days after Monday 23 Nov
  });

  it('a fee order whose time ran out while it was being paid is settled before any new one: paid late, the application is paid, once', async () => {
    const { student, card, parentToken } = await f.family();
    await f.reportLoss(parentToken, card.id);
    const app = await f.apply(parentToken, student, card.id);
    const first = ((await f.request('POST', `/fulfilment/applications/${app.id}/fee-order`, parentToken)).json() as ApplicationDto).feeOrder!;
    // Paid at the cashier, but the gateway's notification will not come for a day.
    await f.d.payAtCashier(parentToken, first.id, 'alipay', { lateMs: 24 * 3600_000 });
    f.t.clock.advance(31 * 60_000);
    const again = await f.request('POST', `/fulfilment/applications/${app.id}/fee-order`, parentToken);
    // The old order was asked about first: it was paid, so the application is paid and no new order exists.
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toMatchObject({ status: 'ready_for_production', feeOrder: { id: first.id, status: 'fulfilled' } });
    expect((await f.request('POST', `/fulfilment/applications/${app.id}/fee-order`, parentToken)).json()).toMatchObject({ error: { code: 'FULFILMENT_STATUS_INVALID' } });
    const orders = await f.t.ctx.db.selectFrom('payment_orders').select('id').where('student_id', '=', student.id).where('kind', '=', 'fee').execute();
    expect(orders).toEqual([{ id: first.id }]);
  });

  it('an unpaid fee order whose time ran out is closed, and a new one takes its place', async () => {
    const { student, card, parentToken } = await f.family();
    await f.reportLoss(parentToken, card.id);
    const app = await f.apply(parentToken, student, card.id);
    const first = ((await f.request('POST', `/fulfilment/applications/${app.id}/fee-order`, parentToken)).json() as ApplicationDto).feeOrder!;
    await f.d.cashierUrl(parentToken, first.id, 'wechat');
    f.t.clock.advance(31 * 60_000);
    const again = await f.request('POST', `/fulfilment/applications/${app.id}/fee-order`, parentToken);
    expect(again.statusCode, again.body).toBe(201);
    expect((again.json() as ApplicationDto).feeOrder!.id).not.toBe(first.id);
    expect((await f.d.order(parentToken, first.id)).status).toBe('expired');
  });

  it.each([
    ['National Day (Oct 1–7 off, Saturday 10 Oct a make-up working day)', '2026-09-28T02:00:00Z', '2026-10-30'],
    ['the Spring Festival (Feb 15–23 off, Saturdays 14 and 28 Feb working days)', '2026-02-09T02:00:00Z', '2026-03-13'],
  ])('the ready date is 20 working days from payment across %s', async (_label, paidAt, ready) => {
    f.t.clock.set(paidAt);
    const { student, card, parentToken } = await f.family();
    await f.reportLoss(parentToken, card.id);
    const app = await f.apply(parentToken, student, card.id);
    const paid = await f.pay(parentToken, app.id);
    expect(paid.expectedReadyDate).toBe(ready);
    expect(paid.readyDateError).toBeNull();
  });

  it('a ready date in a year the calendar does not hold is a clear error, not a guess', async () => {
    f.t.clock.set('2026-12-08T02:00:00Z'); // Tuesday; 20 working days run into 2027
    const { student, card, parentToken } = await f.family();
    await f.reportLoss(parentToken, card.id);
    const paid = await f.pay(parentToken, (await f.apply(parentToken, student, card.id)).id);
    expect(paid.status).toBe('ready_for_production');
    expect(paid.expectedReadyDate).toBeNull();
    expect(paid.readyDateError).toMatchObject({ code: 'CALENDAR_YEAR_NOT_LOADED' });
  });

  it('lets only the family (and the school) see an application', async () => {
    const { student, card, parentToken } = await f.family();
    await f.reportLoss(parentToken, card.id);
    const app = await f.apply(parentToken, student, card.id);
    const stranger = await f.family();
    const res = await f.request('GET', `/fulfilment/applications/${app.id}`, stranger.parentToken);
    expect(res.statusCode).toBe(403);
    const list = await f.request('GET', '/fulfilment/applications', stranger.parentToken);
    expect((list.json() as { items: unknown[] }).items).toEqual([]);
    const mine = await f.request('GET', '/fulfilment/applications', parentToken);
    expect((mine.json() as { items: { id: string }[] }).items.map((a) => a.id)).toEqual([app.id]);
  });

  it('cancelling before the fee frees the card for a new application', async () => {
    const { student, card, parentToken } = await f.family();
    await f.reportLoss(parentToken, card.id);
    const app = await f.apply(parentToken, student, card.id);
    const cancelled = await f.request('POST', `/fulfilment/applications/${app.id}/cancel`, parentToken);
    expect(cancelled.json()).toMatchObject({ status: 'cancelled' });
    await f.apply(parentToken, student, card.id);
  });
});

describe('card sticker replacement (补换卡贴)', () => {
  it('is the same flow without a fee, straight to production', async () => {
    const { student, card, parentToken } = await f.family({ stage: 'high', product: 'k12_sticker' });
    await f.reportLoss(parentToken, card.id);
    const verified = await f.verify(parentToken, student, 'sticker');
    expect(verified.cards[0]).toMatchObject({ product: 'k12_sticker', cardType: { zh: '学生卡贴' }, replaceable: true });
    const app = await f.apply(parentToken, student, card.id, { kind: 'sticker' });
    expect(app).toMatchObject({ kind: 'sticker', status: 'ready_for_production', feeFen: 0, paymentWindow: null });
    expect(app.expectedReadyDate).toBe('2026-12-21'); // from the application
    const fee = await f.request('POST', `/fulfilment/applications/${app.id}/fee-order`, parentToken);
    expect(fee.json()).toMatchObject({ error: { code: 'FULFILMENT_NO_FEE' } });
  });

  it('is only for middle and high school students, and only for a sticker', async () => {
    const primary = await f.family({ stage: 'primary', product: 'k12_sticker' });
    await f.reportLoss(primary.parentToken, primary.card.id);
    const res = await f.applyRequest(primary.parentToken, primary.student, primary.card.id, { kind: 'sticker' });
    expect(res.json()).toMatchObject({ error: { code: 'FULFILMENT_STICKER_STAGE' } });
    const middle = await f.family({ stage: 'middle' });
    await f.reportLoss(middle.parentToken, middle.card.id);
    const wrong = await f.applyRequest(middle.parentToken, middle.student, middle.card.id, { kind: 'sticker' });
    expect(wrong.json()).toMatchObject({ error: { code: 'FULFILMENT_WRONG_PRODUCT' } });
  });
});

describe('the API surface', () => {
  it('documents the fulfilment endpoints in OpenAPI', async () => {
    const doc = (await f.t.app.inject('/openapi.json')).json() as { paths: Record<string, unknown> };
    for (const path of ['/api/v1/fulfilment/verify', '/api/v1/fulfilment/applications', '/api/v1/fulfilment/applications/{applicationId}/fee-order', '/api/v1/admin/fulfilment/batches/{batchId}/export', '/api/v1/admin/fulfilment/deliveries']) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
  });

  it('a retried application with the same Idempotency-Key is answered once, not applied twice', async () => {
    const { student, card, parentToken } = await f.family();
    await f.reportLoss(parentToken, card.id);
    const body = { ...f.identity(student), cardId: card.id, delivery: { method: 'school' } };
    const first = await f.request('POST', '/fulfilment/applications', parentToken, body, { 'idempotency-key': 'apply-once-1' });
    const second = await f.request('POST', '/fulfilment/applications', parentToken, body, { 'idempotency-key': 'apply-once-1' });
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect((second.json() as ApplicationDto).id).toBe((first.json() as ApplicationDto).id);
    expect(await f.t.ctx.db.selectFrom('card_applications').select('id').where('old_card_id', '=', card.id).execute()).toHaveLength(1);
  });
});

describe('K-12 services only (FULFILMENT_NOT_K12)', () => {
  it('a university student and their parent reach neither the replacement nor the card information confirmation', async () => {
    const university = await f.t.factory.newSchool({ stage: 'university' });
    const student = await f.t.factory.newStudent({ schoolId: university.id, name: '周大学' });
    const parent = await f.t.factory.newParent({ children: [student.id] });
    const parentToken = await f.t.factory.loginAs('parent', parent.phone, parent.password);
    const card = await f.t.factory.newCard(student.id, { product: 'campus_card' });
    await f.reportLoss(parentToken, card.id);
    const notK12 = (res: { statusCode: number; json: () => unknown }) => {
      expect(res.statusCode).toBe(422);
      expect(res.json()).toMatchObject({ error: { code: 'FULFILMENT_NOT_K12', message: expect.stringContaining('中小学生'), details: { stage: 'university' } } });
    };
    notK12(await f.request('POST', '/fulfilment/verify', parentToken, f.identity(student)));
    notK12(await f.request('POST', '/fulfilment/verify', parentToken, f.identity(student, 'sticker')));
    notK12(await f.applyRequest(parentToken, student, card.id));
    notK12(await f.request('GET', `/fulfilment/confirmation?studentId=${student.id}`, parentToken));
    // A record made before the gate (a university's confirmations were opened) is neither shown nor confirmed.
    const now = f.t.clock.now();
    const record = { id: crypto.randomUUID(), student_id: student.id, school_id: university.id, status: 'pending' as const, corrections: '[]', created_at: now, updated_at: now };
    await f.t.ctx.db.insertInto('card_confirmations').values(record).execute();
    notK12(await f.request('GET', `/fulfilment/confirmation?studentId=${student.id}`, parentToken));
    notK12(await f.request('POST', `/fulfilment/confirmations/${record.id}/confirm`, parentToken));
    notK12(await f.request('POST', `/fulfilment/confirmations/${record.id}/report`, parentToken, { corrections: [{ field: 'name', correctValue: '周小学' }] }));
    expect(await f.t.ctx.db.selectFrom('card_confirmations').select('status').where('id', '=', record.id).executeTakeFirstOrThrow()).toEqual({ status: 'pending' });
    expect(await f.t.ctx.db.selectFrom('card_applications').select('id').where('student_id', '=', student.id).execute()).toEqual([]);
  });

  it('a university’s confirmations are not opened, by an operator either', async () => {
    const university = await f.t.factory.newSchool({ stage: 'university' });
    const student = await f.t.factory.newStudent({ schoolId: university.id });
    const operatorToken = await f.operatorToken();
    const res = await f.request('POST', '/admin/fulfilment/confirmations/open', operatorToken, { schoolId: university.id });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ error: { code: 'FULFILMENT_NOT_K12' } });
    expect(await f.t.ctx.db.selectFrom('card_confirmations').select('id').where('student_id', '=', student.id).execute()).toEqual([]);
  });
});
