import { describe, expect, it } from 'vitest';
import type { ApplicationDto, BatchDto, DeliveryDto } from '../../src/modules/fulfilment/fulfilment.schemas.js';
import { fulfilmentSuiteStart, useFulfilmentDriver } from './fulfilment-driver.js';

/**
 * A card whose replacement is under way cannot be returned (退卡): completing the application
 * replaces the old card, which a returned card cannot be. And should such a card exist (returned
 * before this rule), the home parcel that fails to complete holds up no other parcel's tracking.
 */
const f = useFulfilmentDriver();
const start = Date.parse(fulfilmentSuiteStart);
const hourMs = 3_600_000;
const hours = (h: number) => new Date(start + h * hourMs).toISOString();

const stickerFamily = () => f.family({ stage: 'high', product: 'k12_sticker' });
const home = (phone: string) => ({ method: 'home', recipient: '张大明', phone, address: '北京市朝阳区建国路88号' });

async function applyDamaged(fam: Awaited<ReturnType<typeof stickerFamily>>, delivery: Record<string, string> = { method: 'school' }) {
  const res = await f.request('POST', '/fulfilment/applications', fam.parentToken, { ...f.identity(fam.student, 'sticker'), reason: 'damaged', cardId: fam.card.id, delivery });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as ApplicationDto;
}

async function cardStatus(cardId: string) {
  return (await f.t.ctx.db.selectFrom('cards').select('status').where('id', '=', cardId).executeTakeFirstOrThrow()).status;
}

async function dispatch(kind: 'replacement' | 'sticker') {
  const batch = (await f.request('POST', '/admin/fulfilment/batches', f.operator, { kind })).json() as BatchDto;
  for (const step of ['export', 'produced', 'dispatch']) {
    const res = await f.request('POST', `/admin/fulfilment/batches/${batch.id}/${step}`, f.operator);
    expect(res.statusCode, res.body).toBe(200);
  }
  return batch;
}

describe('退卡 while the card is being replaced', () => {
  it('is refused, in the quote and the return, until the application is withdrawn', async () => {
    const fam = await stickerFamily();
    const app = await applyDamaged(fam);

    const quote = await f.request('GET', `/cards/${fam.card.id}/return`, fam.parentToken);
    expect(quote.json()).toMatchObject({ returnable: false, blockedBy: 'FULFILMENT_APPLICATION_OPEN' });
    const refused = await f.request('POST', `/cards/${fam.card.id}/return`, fam.parentToken);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ error: { code: 'FULFILMENT_APPLICATION_OPEN', message: expect.stringContaining('不能退卡'), details: { applicationId: app.id, status: 'ready_for_production' } } });
    expect(await cardStatus(fam.card.id)).toBe('active');
    expect(await f.t.ctx.db.selectFrom('card_returns').select('id').where('card_id', '=', fam.card.id).execute()).toEqual([]);

    // Withdrawn (a sticker before production): the card may be returned.
    const cancelled = await f.request('POST', `/fulfilment/applications/${app.id}/cancel`, fam.parentToken);
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect((await f.request('GET', `/cards/${fam.card.id}/return`, fam.parentToken)).json()).toMatchObject({ returnable: true, blockedBy: null });
    const returned = await f.request('POST', `/cards/${fam.card.id}/return`, fam.parentToken);
    expect(returned.statusCode, returned.body).toBe(200);
    expect(await cardStatus(fam.card.id)).toBe('returned');
  });

  it('an operator at an outlet is refused too while the new sticker is on its way', async () => {
    const fam = await stickerFamily();
    await applyDamaged(fam);
    await f.confirmInfo(fam.parentToken, fam.student.id);
    await dispatch('sticker');
    const res = await f.request('POST', `/cards/${fam.card.id}/return`, await f.operatorToken());
    expect(res.json()).toMatchObject({ error: { code: 'FULFILMENT_APPLICATION_OPEN', details: { status: 'dispatched' } } });
    expect(await cardStatus(fam.card.id)).toBe('active');
  });
});

describe('tracking, one parcel at a time', () => {
  it('a parcel whose application cannot complete is recorded on the parcel, and the next parcel is still delivered', async () => {
    // Dispatched first: a damaged sticker sent home, the sticker returned before returns checked for open applications.
    const broken = await stickerFamily();
    const brokenApp = await applyDamaged(broken, home('13911110001'));
    await f.confirmInfo(broken.parentToken, broken.student.id);
    const brokenBatch = await dispatch('sticker');
    await f.t.ctx.db.updateTable('cards').set({ status: 'returned' }).where('id', '=', broken.card.id).execute();

    // Dispatched an hour later: a replacement card sent home.
    f.t.clock.set(hours(1));
    const fine = await f.family();
    await f.reportLoss(fine.parentToken, fine.card.id);
    const fineApp = await f.apply(fine.parentToken, fine.student, fine.card.id, { delivery: home('13911110002') });
    await f.pay(fine.parentToken, fineApp.id);
    await f.confirmInfo(fine.parentToken, fine.student.id);
    await dispatch('replacement');

    // Both signed for by now: the tracking job's round completes the second although the first fails.
    f.t.clock.set(hours(26));
    await f.t.ctx.jobs.runDue(100);
    const parentNow = await f.t.factory.loginAs('parent', fine.parent.phone, fine.parent.password);
    expect((await f.application(parentNow, fineApp.id)).status).toBe('completed');
    const round = await f.t.ctx.db.selectFrom('jobs').select('status').where('kind', '=', 'fulfilment.track-deliveries').orderBy('created_at', 'desc').executeTakeFirstOrThrow();
    expect(round.status).toBe('done');

    // The first is left as it was, its failure on the parcel for the console; the next round tries again.
    const [parcel] = ((await f.request('GET', `/admin/fulfilment/deliveries?batchId=${brokenBatch.id}`, await f.operatorToken())).json() as { items: DeliveryDto[] }).items;
    expect(parcel).toMatchObject({ status: 'in_transit' });
    expect(parcel!.trackingError).toMatch(/^CARD_TRANSITION_INVALID/);
    expect((await f.t.ctx.db.selectFrom('card_applications').select('status').where('id', '=', brokenApp.id).executeTakeFirstOrThrow()).status).toBe('dispatched');
  });
});
