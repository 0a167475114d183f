import { describe, expect, it } from 'vitest';
import type { BatchDto, DeliveryDto } from '../../src/modules/fulfilment/fulfilment.schemas.js';
import { fulfilmentSuiteStart, useFulfilmentDriver } from './fulfilment-driver.js';

/**
 * A home parcel the courier gives up on (the sandbox courier never reaches a phone ending in 0000:
 * it fails after 24 h and is back at the card centre after 48 h) goes out again the way the
 * holder or the school card manager chooses.
 */
const f = useFulfilmentDriver();
const start = Date.parse(fulfilmentSuiteStart);
const hours = (h: number) => new Date(start + h * 3_600_000).toISOString();

const unreachable = { method: 'home', recipient: '张大明', phone: '13900000000', address: '北京市朝阳区建国路88号' };

/** A paid, confirmed replacement to a home nobody answers at, dispatched with the courier booked. */
async function dispatchedHome() {
  const fam = await f.family();
  await f.reportLoss(fam.parentToken, fam.card.id);
  const app = await f.apply(fam.parentToken, fam.student, fam.card.id, { delivery: unreachable });
  await f.pay(fam.parentToken, app.id);
  await f.confirmInfo(fam.parentToken, fam.student.id);
  const batch = (await f.request('POST', '/admin/fulfilment/batches', f.operator, { kind: 'replacement' })).json() as BatchDto;
  for (const step of ['export', 'produced', 'dispatch']) {
    const res = await f.request('POST', `/admin/fulfilment/batches/${batch.id}/${step}`, f.operator);
    expect(res.statusCode, res.body).toBe(200);
  }
  return { ...fam, app, batch };
}

/** Tokens expire with the clock moving on: a fresh parent session. */
const parentNow = (fam: { parent: { phone: string; password: string } }) => f.t.factory.loginAs('parent', fam.parent.phone, fam.parent.password);
const managerNow = (fam: { manager: { username: string; password: string } }) => f.t.factory.loginAs('staff', fam.manager.username, fam.manager.password);

/** Each poll in a 10-minute slot of its own: the recurring tracking job runs once per slot, and the clock goes back between tests. */
let polls = 0;
async function trackAt(h: number) {
  polls++;
  f.t.clock.set(new Date(Date.parse(hours(h)) + polls * 10 * 60_000).toISOString());
  await f.t.ctx.jobs.runDue(100); // the recurring tracking job
  await f.runJobs(); // and the SMS it queued
}

async function parcelsOf(batchId: string): Promise<DeliveryDto[]> {
  return ((await f.request('GET', `/admin/fulfilment/deliveries?batchId=${batchId}`, await f.operatorToken())).json() as { items: DeliveryDto[] }).items;
}

async function smsTo(phone: string): Promise<string[]> {
  return (await f.t.ctx.db.selectFrom('sms_outbox').select('body').where('phone', '=', phone).orderBy('created_at').execute()).map((s) => s.body);
}

describe('a failed home delivery goes back to the card centre', () => {
  it('fails, comes back, and the parent has it sent home again to a new address: cash on delivery again, completed when signed for', async () => {
    const a = await dispatchedHome();
    const [first] = await parcelsOf(a.batch.id);
    expect(first).toMatchObject({ method: 'home', status: 'in_transit' });
    expect(first!.trackingNo).toMatch(/^SBX\d{17}$/);

    // The courier gives up: the application says so, and cannot be sent out again before the parcel is back.
    await trackAt(25);
    let parent = await parentNow(a);
    const failed = await f.application(parent, a.app.id);
    expect(failed).toMatchObject({
      status: 'delivery_failed', statusLabel: { zh: '配送失败，退回制卡中心中' },
      delivery: { trackingStatus: 'failed', trackingStatusLabel: { zh: '配送失败，退回中', en: 'Not delivered; being returned' }, courierName: { zh: '模拟快递', en: 'Sandbox courier' } },
    });
    // The courier's scans reach the family in each language; the failed step's note names the courier and says why, in each.
    expect(failed.delivery.events.map((e) => e.description.en)).toEqual(['Picked up by the courier', 'Out for delivery', 'Not delivered: the recipient could not be reached; no fee collected; returning to the sender']);
    expect(failed.delivery.events[0]!.description.zh).toBe('快递员已揽收');
    expect(failed.steps.at(-1)).toMatchObject({
      step: 'delivery_failed',
      note: `模拟快递 ${first!.trackingNo}：派送失败：联系不上收件人，未收取快递费，退回寄件人`,
      noteEn: `Sandbox courier ${first!.trackingNo}: Not delivered: the recipient could not be reached; no fee collected; returning to the sender`,
    });
    const early = await f.request('POST', `/fulfilment/applications/${a.app.id}/redelivery`, parent, { method: 'school' });
    expect(early.statusCode).toBe(409);
    // (A replacement also goes out again from a school its student has left: see fulfilment-replacement-left.test.ts.)
    expect(early.json()).toMatchObject({ error: { code: 'FULFILMENT_STATUS_INVALID', details: { status: 'delivery_failed', expected: ['returned_to_centre', 'delivered'] } } });

    // Back at the card centre: the holder chooses.
    await trackAt(49);
    parent = await parentNow(a);
    const back = await f.application(parent, a.app.id);
    expect(back).toMatchObject({ status: 'returned_to_centre', delivery: { method: 'home', trackingStatus: 'returned' }, newCardId: null });
    expect(back.steps.map((s) => s.step).slice(-3)).toEqual(['dispatched', 'delivery_failed', 'returned_to_centre']);
    const told = (await smsTo(a.parent.phone)).join('\n');
    expect(told).toContain('派送未成功');
    expect(told).toContain('已退回制卡中心，请在北京一卡通App');
    // Nothing was issued: the old card is still the lost one.
    expect(await f.t.ctx.db.selectFrom('cards').select('status').where('student_id', '=', a.student.id).execute()).toEqual([{ status: 'lost' }]);

    // Only the family or the school may choose, and a home address must be complete.
    const stranger = await f.family();
    expect((await f.request('POST', `/fulfilment/applications/${a.app.id}/redelivery`, stranger.parentToken, { method: 'school' })).statusCode).toBe(403);
    expect((await f.request('POST', `/fulfilment/applications/${a.app.id}/redelivery`, parent, { method: 'home', recipient: '张大明', phone: '139', address: '北京' })).statusCode).toBe(400);

    const again = await f.request('POST', `/fulfilment/applications/${a.app.id}/redelivery`, parent, { method: 'home', recipient: '李四', phone: '13911112222', address: '北京市海淀区中关村大街1号' });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toMatchObject({
      status: 'dispatched', feeFen: 1500,
      delivery: { method: 'home', recipientMasked: '李*', phoneMasked: '139****2222', address: '北京市海淀区中关村大街1号', codFeeMaxFen: 1500, courier: 'sandbox' },
    });
    // The courier is booked at once for the new parcel; the returned one keeps its story, without the new contact.
    const parcels = await parcelsOf(a.batch.id);
    expect(parcels.map((p) => [p.status, p.applicationCount]).sort()).toEqual([['in_transit', 1], ['returned', 1]]);
    const returned = parcels.find((p) => p.status === 'returned')!;
    expect(returned).toMatchObject({ id: first!.id, recipientMasked: null, phoneMasked: null });
    expect(returned.events.at(-1)!.description).toEqual({ zh: '退件已由制卡中心签收', en: 'Returned: signed for by the card centre' });
    const second = parcels.find((p) => p.status === 'in_transit')!;
    expect(second.trackingNo).toMatch(/^SB\d{17}$/);
    expect((await f.application(parent, a.app.id)).delivery.trackingNo).toBe(second.trackingNo);

    // Signed for a day later: completed, the new card active, the old one replaced.
    await trackAt(74);
    const done = await f.application(await parentNow(a), a.app.id);
    expect(done.status).toBe('completed');
    expect(done.steps.map((s) => s.step)).toEqual(['applied', 'paid', 'in_production', 'exported', 'produced', 'dispatched', 'delivery_failed', 'returned_to_centre', 'redispatched', 'delivered', 'picked_up']);
    const cards = await f.t.ctx.db.selectFrom('cards').select(['status', 'replaces_card_id']).where('student_id', '=', a.student.id).orderBy('created_at').execute();
    expect(cards).toEqual([{ status: 'replaced', replaces_card_id: null }, { status: 'active', replaces_card_id: a.card.id }]);
    // The new recipient was told the parcel is cash on delivery again.
    expect((await smsTo('13911112222')).join('\n')).toContain('已重新交快递配送到家，快递费到付（不超过15元）');
    await f.d.expectLedgerClean();
  });

  it('the school card manager has it sent to the school instead: free, signed for by the school, handed over', async () => {
    const a = await dispatchedHome();
    // Tracking polled only after the parcel was back: it failed on the way all the same.
    await trackAt(50);
    let manager = await managerNow(a);
    const back = await f.application(manager, a.app.id);
    expect(back.status).toBe('returned_to_centre');
    expect(back.steps.map((s) => s.step).slice(-2)).toEqual(['delivery_failed', 'returned_to_centre']);

    // The card is printed: its information cannot be reopened while it waits at the centre.
    const confirmation = (await f.request('GET', `/fulfilment/confirmation?studentId=${a.student.id}`, await parentNow(a))).json() as { id: string };
    const report = await f.request('POST', `/fulfilment/confirmations/${confirmation.id}/report`, await parentNow(a), { corrections: [{ field: 'name', correctValue: '张晓明' }] });
    expect(report.json()).toMatchObject({ error: { code: 'FULFILMENT_CONFIRMATION_STATUS' } });

    const other = await f.family();
    expect((await f.request('POST', `/fulfilment/applications/${a.app.id}/redelivery`, other.managerToken, { method: 'school' })).statusCode).toBe(403);
    const key = { 'idempotency-key': `redeliver-${a.app.id}` };
    const toSchool = await f.request('POST', `/fulfilment/applications/${a.app.id}/redelivery`, manager, { method: 'school' }, key);
    const replay = await f.request('POST', `/fulfilment/applications/${a.app.id}/redelivery`, manager, { method: 'school' }, key);
    expect(toSchool.statusCode, toSchool.body).toBe(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(toSchool.json()).toMatchObject({ status: 'dispatched', delivery: { method: 'school', codFeeMaxFen: 0, recipientMasked: null, phoneMasked: null, address: null, trackingNo: null } });
    const parcels = await parcelsOf(a.batch.id);
    expect(parcels.map((p) => `${p.method}:${p.status}`).sort()).toEqual(['home:returned', 'school:in_transit']);

    const schoolParcel = ((await f.request('GET', '/admin/fulfilment/deliveries?method=school', manager)).json() as { items: DeliveryDto[] }).items;
    expect(schoolParcel).toHaveLength(1);
    expect(schoolParcel[0]).toMatchObject({ batchId: a.batch.id, status: 'in_transit', applicationCount: 1 });
    expect((await f.request('POST', `/admin/fulfilment/deliveries/${schoolParcel[0]!.id}/received`, manager)).json()).toMatchObject({ status: 'delivered' });
    manager = await managerNow(a);
    const picked = await f.request('POST', `/admin/fulfilment/applications/${a.app.id}/pickup`, manager);
    expect(picked.json()).toMatchObject({ status: 'completed' });
    await f.runJobs();
    const told = (await smsTo(a.parent.phone)).join('\n');
    expect(told).toContain('已改为配送至北京市海淀区实验中学');
    expect(told).toContain('已送达学校');
  });

  it('a re-delivery that fails again comes back again, and each failure is told', async () => {
    const a = await dispatchedHome();
    await trackAt(49);
    const parent = await parentNow(a);
    const again = await f.request('POST', `/fulfilment/applications/${a.app.id}/redelivery`, parent, { ...unreachable, phone: '13700000000' });
    expect(again.statusCode, again.body).toBe(200);
    await trackAt(98);
    const back = await f.application(await parentNow(a), a.app.id);
    expect(back.status).toBe('returned_to_centre');
    expect(back.steps.filter((s) => s.step === 'returned_to_centre')).toHaveLength(2);
    const told = await smsTo(a.parent.phone);
    expect(told.filter((b) => b.includes('派送未成功'))).toHaveLength(2);
    expect(told.filter((b) => b.includes('已退回制卡中心，请在'))).toHaveLength(2);
  });
});

describe('the API surface', () => {
  it('documents the redelivery endpoint and the new statuses in OpenAPI', async () => {
    const doc = (await f.t.app.inject('/openapi.json')).json() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toContain('/api/v1/fulfilment/applications/{applicationId}/redelivery');
    expect(JSON.stringify(doc.paths['/api/v1/fulfilment/applications/{applicationId}'])).toContain('returned_to_centre');
  });
});
