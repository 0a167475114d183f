import { describe, expect, it } from 'vitest';
import type { ApplicationDto, BatchDto, DeliveryDto } from '../../src/modules/fulfilment/fulfilment.schemas.js';
import { useFulfilmentDriver } from './fulfilment-driver.js';

/**
 * 补换卡贴 for a damaged sticker (seed 000: "卡贴丢失、损坏"): no loss report; the damaged sticker
 * keeps working until the new one is picked up, then it is replaced (and denied at terminals).
 */
const f = useFulfilmentDriver();

const damaged = { kind: 'sticker' as const, reason: 'damaged' };
const stickerFamily = () => f.family({ stage: 'high', product: 'k12_sticker' });

async function applyDamaged(fam: Awaited<ReturnType<typeof stickerFamily>>) {
  const res = await f.request('POST', '/fulfilment/applications', fam.parentToken, { ...f.identity(fam.student, 'sticker'), ...damaged, cardId: fam.card.id, delivery: { method: 'school' } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as ApplicationDto;
}

async function cardStatus(cardId: string) {
  return (await f.t.ctx.db.selectFrom('cards').select('status').where('id', '=', cardId).executeTakeFirstOrThrow()).status;
}

describe('a damaged sticker (补换卡贴, 损坏)', () => {
  it('is offered for replacement while in use, without a loss report', async () => {
    const fam = await stickerFamily();
    const verified = await f.verify(fam.parentToken, fam.student, 'sticker');
    expect(verified.cards[0]).toMatchObject({ cardStatus: 'active', replaceable: true, replaceReasons: ['damaged'], notReplaceableCode: null, holdStatus: { zh: '卡正常状态' } });
    // Applied for as lost, an unreported sticker is refused as always.
    const asLost = await f.applyRequest(fam.parentToken, fam.student, fam.card.id, { kind: 'sticker' });
    expect(asLost.json()).toMatchObject({ error: { code: 'FULFILMENT_CARD_NOT_LOST' } });

    const app = await applyDamaged(fam);
    expect(app).toMatchObject({ kind: 'sticker', reason: 'damaged', reasonLabel: { zh: '损坏' }, status: 'ready_for_production', feeFen: 0 });
    // The sticker is untouched: still active, no status event, not on the deny-list.
    expect(await cardStatus(fam.card.id)).toBe('active');
    const events = await f.t.ctx.db.selectFrom('card_status_events').select(['to_status', 'denied']).where('card_id', '=', fam.card.id).orderBy('version').execute();
    expect(events).toEqual([{ to_status: 'active', denied: false }]);
    const view = await f.request('GET', `/cards/${fam.card.id}`, fam.parentToken);
    expect(view.json()).toMatchObject({ status: 'active' });
    // Once applied for, the app says so instead of offering it again.
    const after = await f.verify(fam.parentToken, fam.student, 'sticker');
    expect(after.cards[0]).toMatchObject({ replaceable: false, replaceReasons: [], notReplaceableCode: 'FULFILMENT_ALREADY_APPLIED', holdStatus: { zh: '补卡中' } });
    const again = await f.request('POST', '/fulfilment/applications', fam.parentToken, { ...f.identity(fam.student, 'sticker'), ...damaged, cardId: fam.card.id, delivery: { method: 'school' } });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ error: { code: 'FULFILMENT_ALREADY_APPLIED' } });
  });

  it('refuses damaged for a K-12 card (loss report first) and for a sticker reported lost or void', async () => {
    const card = await f.family({ stage: 'middle' });
    const k12 = await f.request('POST', '/fulfilment/applications', card.parentToken, { ...f.identity(card.student), reason: 'damaged', cardId: card.card.id, delivery: { method: 'school' } });
    expect(k12.statusCode).toBe(422);
    expect(k12.json()).toMatchObject({ error: { code: 'FULFILMENT_DAMAGED_CARD' } });

    const lost = await stickerFamily();
    await f.reportLoss(lost.parentToken, lost.card.id);
    expect((await f.verify(lost.parentToken, lost.student, 'sticker')).cards[0]).toMatchObject({ replaceReasons: ['lost'] });
    const res = await f.request('POST', '/fulfilment/applications', lost.parentToken, { ...f.identity(lost.student, 'sticker'), ...damaged, cardId: lost.card.id, delivery: { method: 'school' } });
    expect(res.json()).toMatchObject({ error: { code: 'FULFILMENT_STICKER_NOT_IN_USE', details: { cardStatus: 'lost', reason: 'damaged' } } });
    expect(await f.t.ctx.db.selectFrom('card_applications').select('id').where('old_card_id', 'in', [card.card.id, lost.card.id]).execute()).toEqual([]);
  });

  it('stays usable until the new sticker is picked up, which replaces it', async () => {
    const fam = await stickerFamily();
    const app = await applyDamaged(fam);
    await f.confirmInfo(fam.parentToken, fam.student.id);
    const batch = (await f.request('POST', '/admin/fulfilment/batches', f.operator, { kind: 'sticker' })).json() as BatchDto;
    for (const step of ['export', 'produced', 'dispatch']) expect((await f.request('POST', `/admin/fulfilment/batches/${batch.id}/${step}`, f.operator)).statusCode).toBe(200);
    const parcel = ((await f.request('GET', `/admin/fulfilment/deliveries?batchId=${batch.id}`, f.operator)).json() as { items: DeliveryDto[] }).items[0]!;
    await f.request('POST', `/admin/fulfilment/deliveries/${parcel.id}/received`, fam.managerToken);
    // Printed, sent and waiting at school: the damaged sticker still works.
    expect(await cardStatus(fam.card.id)).toBe('active');

    const done = (await f.request('POST', `/admin/fulfilment/applications/${app.id}/pickup`, fam.managerToken)).json() as ApplicationDto;
    expect(done.status).toBe('completed');
    expect(await cardStatus(fam.card.id)).toBe('replaced');
    expect(await cardStatus(done.newCardId!)).toBe('active');
    // Replaced where it stood: no loss was ever reported for it (the sticker machine replaces a sticker in use).
    const history = await f.t.ctx.db.selectFrom('card_status_events').select(['from_status', 'to_status', 'denied']).where('card_id', '=', fam.card.id).orderBy('version').execute();
    expect(history.at(-1)).toEqual({ from_status: 'active', to_status: 'replaced', denied: true });
    expect(history.map((e) => e.to_status)).not.toContain('lost');
    const shown = (await f.request('GET', `/cards/${fam.card.id}/history`, fam.parentToken)).json() as { items: { toStatus: string }[] };
    expect(shown.items.map((e) => e.toStatus)).toEqual(history.map((e) => e.to_status));
  });

  it('the database keeps damaged for stickers only', async () => {
    const fam = await f.family({ stage: 'middle' });
    await f.reportLoss(fam.parentToken, fam.card.id);
    const app = await f.apply(fam.parentToken, fam.student, fam.card.id);
    await expect(f.t.ctx.db.updateTable('card_applications').set({ reason: 'damaged' }).where('id', '=', app.id).execute()).rejects.toMatchObject({ constraint: 'card_applications_damaged_sticker_only' });
  });
});
