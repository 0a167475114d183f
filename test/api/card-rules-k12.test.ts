import { describe, expect, it } from 'vitest';
import type { ApplicationDto, DeliveryDto } from '../../src/modules/fulfilment/fulfilment.schemas.js';
import { openBody } from './ecards-support.js';
import { useFulfilmentDriver, type FulfilmentDriver } from './fulfilment-driver.js';

/**
 * Card rules across modules (docs/cards.md, "Replacement and fulfilment"): one ACTIVE student
 * transit card per identity while a physical K-12 card is replaced, found again or given transit
 * back when the K-12 e-card is returned; and withdrawing a sticker application.
 */
const f = useFulfilmentDriver();

type Family = Awaited<ReturnType<FulfilmentDriver['family']>>;

async function openEcard(fam: Family) {
  const res = await f.request('POST', '/ecards/k12', fam.parentToken, openBody(fam));
  expect(res.statusCode, res.body).toBe(201);
  return (res.json() as { card: { id: string } }).card.id;
}

async function statuses(studentId: string) {
  const rows = await f.t.ctx.db.selectFrom('cards').select(['id', 'product', 'status', 'replaces_card_id']).where('student_id', '=', studentId).orderBy('id').execute();
  return rows;
}

async function status(cardId: string) {
  return (await f.t.ctx.db.selectFrom('cards').select('status').where('id', '=', cardId).executeTakeFirstOrThrow()).status;
}

/** Applied, paid, confirmed, batched, produced, dispatched, received at school, picked up. */
async function replaceThroughPickup(fam: Family) {
  const app = await f.apply(fam.parentToken, fam.student, fam.card.id);
  await f.pay(fam.parentToken, app.id);
  await f.confirmInfo(fam.parentToken, fam.student.id);
  const batch = await f.request('POST', '/admin/fulfilment/batches', f.operator, { kind: 'replacement' });
  expect(batch.statusCode, batch.body).toBe(201);
  const batchId = (batch.json() as { id: string }).id;
  for (const step of ['export', 'produced', 'dispatch']) {
    const res = await f.request('POST', `/admin/fulfilment/batches/${batchId}/${step}`, f.operator);
    expect(res.statusCode, res.body).toBe(200);
  }
  const delivery = ((await f.request('GET', `/admin/fulfilment/deliveries?batchId=${batchId}`, f.operator)).json() as { items: DeliveryDto[] }).items[0]!;
  expect((await f.request('POST', `/admin/fulfilment/deliveries/${delivery.id}/received`, fam.managerToken)).statusCode).toBe(200);
  return { app, picked: await f.request('POST', `/admin/fulfilment/applications/${app.id}/pickup`, fam.managerToken) };
}

describe('replacement pickup while the K-12 e-card holds transit', () => {
  it.each([
    ['lost after the e-card was opened', 'after'],
    ['already lost when the e-card was opened', 'before'],
  ] as const)('physical card %s: the new card is issued superseded, the old one replaced, the balance moved; returning the e-card restores the new card', async (_label, lossWhen) => {
    const fam = await f.family();
    await f.fund(fam.card.id, 1_800);
    if (lossWhen === 'before') await f.reportLoss(fam.parentToken, fam.card.id);
    const ecardId = await openEcard(fam);
    // Opened over a lost card: it stays lost (nothing to supersede); over a usable one: superseded, then reported lost.
    expect(await status(fam.card.id)).toBe(lossWhen === 'before' ? 'lost' : 'superseded');
    if (lossWhen === 'after') await f.reportLoss(fam.parentToken, fam.card.id);

    const { app, picked } = await replaceThroughPickup(fam);
    expect(picked.statusCode, picked.body).toBe(200);
    const done = picked.json() as ApplicationDto;
    expect(done.status).toBe('completed');
    const newCardId = done.newCardId!;
    expect(await statuses(fam.student.id)).toEqual([
      { id: fam.card.id, product: 'k12_card', status: 'replaced', replaces_card_id: null },
      { id: ecardId, product: 'k12_ecard', status: 'active', replaces_card_id: null },
      { id: newCardId, product: 'k12_card', status: 'superseded', replaces_card_id: fam.card.id },
    ]);
    const issued = await f.t.ctx.db.selectFrom('card_status_events').select(['from_status', 'to_status', 'denied']).where('card_id', '=', newCardId).execute();
    expect(issued).toEqual([{ from_status: null, to_status: 'superseded', denied: false }]);
    // The superseded card shows why it cannot be topped up.
    const view = await f.request('GET', `/cards/${newCardId}`, fam.parentToken);
    expect(view.json()).toMatchObject({ status: 'superseded' });

    // The balance still moves after the settlement window.
    f.t.clock.set('2026-11-26T02:00:00Z');
    await f.runJobs();
    expect(await f.purse(fam.card.id)).toBe(0);
    expect(await f.purse(newCardId)).toBe(1_800);
    const parent = await f.t.factory.loginAs('parent', fam.parent.phone, fam.parent.password);
    expect(await f.application(parent, app.id)).toMatchObject({ balanceTransferredFen: 1_800 });

    // Returning the e-card gives transit back to the new physical card, in the same transaction.
    const returned = await f.request('POST', `/cards/${ecardId}/return`, parent);
    expect(returned.statusCode, returned.body).toBe(200);
    expect(await status(ecardId)).toBe('returned');
    expect(await status(newCardId)).toBe('active');
    const restore = await f.t.ctx.db.selectFrom('card_status_events').select(['from_status', 'to_status', 'reason']).where('card_id', '=', newCardId).orderBy('version').execute();
    expect(restore.at(-1)).toEqual({ from_status: 'superseded', to_status: 'active', reason: 'ecard:k12_return' });
    await f.d.expectLedgerClean();
  });
});

describe('returning the K-12 e-card gives transit back to the physical card', () => {
  it('the superseded physical card is restored active; it can be topped up again', async () => {
    const fam = await f.family();
    const ecardId = await openEcard(fam);
    expect(await status(fam.card.id)).toBe('superseded');
    const res = await f.request('POST', `/cards/${ecardId}/return`, fam.parentToken);
    expect(res.statusCode, res.body).toBe(200);
    expect(await status(fam.card.id)).toBe('active');
    const card = await f.request('GET', `/cards/${fam.card.id}`, fam.parentToken);
    expect(card.json()).toMatchObject({ status: 'active', topUpBlockedReason: null });
    // And the student may open an e-card again: the physical card is superseded again.
    await openEcard(fam);
    expect(await status(fam.card.id)).toBe('superseded');
  });

  it('a physical card never activated is restored inactive (its holder still activates it)', async () => {
    const fam = await f.family();
    const unactivated = await f.t.factory.newCard(fam.student.id, { active: false });
    await f.t.ctx.db.updateTable('cards').set({ status: 'returned' }).where('id', '=', fam.card.id).execute();
    const ecardId = await openEcard(fam);
    expect(await status(unactivated.id)).toBe('superseded');
    expect((await f.request('POST', `/cards/${ecardId}/return`, fam.parentToken)).statusCode).toBe(200);
    expect(await status(unactivated.id)).toBe('inactive');
  });

  it('a physical card lost meanwhile stays lost; found again after the return it is active', async () => {
    const fam = await f.family();
    const ecardId = await openEcard(fam);
    await f.reportLoss(fam.parentToken, fam.card.id);
    expect((await f.request('POST', `/cards/${ecardId}/return`, fam.parentToken)).statusCode).toBe(200);
    expect(await status(fam.card.id)).toBe('lost');
    const unloss = await f.request('POST', `/cards/${fam.card.id}/unloss`, fam.parentToken);
    expect(unloss.statusCode, unloss.body).toBe(200);
    expect(unloss.json()).toMatchObject({ status: 'active' });
  });

  it('a second return of the e-card is refused and restores nothing twice', async () => {
    const fam = await f.family();
    const ecardId = await openEcard(fam);
    // The e-card's state machine refuses a second return: the physical card is restored only once.
    expect((await f.request('POST', `/cards/${ecardId}/return`, fam.parentToken)).statusCode).toBe(200);
    const again = await f.request('POST', `/cards/${ecardId}/return`, fam.parentToken);
    expect(again.statusCode).toBe(409);
    const restores = await f.t.ctx.db.selectFrom('card_status_events').select('to_status').where('card_id', '=', fam.card.id).where('reason', '=', 'ecard:k12_return').execute();
    expect(restores).toHaveLength(1);
  });
});

describe('the physical card found again while the e-card holds transit', () => {
  it('unloss brings it back superseded, not active (no 409): the e-card keeps transit', async () => {
    const fam = await f.family();
    await f.reportLoss(fam.parentToken, fam.card.id);
    const ecardId = await openEcard(fam);
    const unloss = await f.request('POST', `/cards/${fam.card.id}/unloss`, fam.parentToken);
    expect(unloss.statusCode, unloss.body).toBe(200);
    expect(unloss.json()).toMatchObject({ status: 'superseded' });
    expect(await status(ecardId)).toBe('active');
    const active = await f.t.ctx.db.selectFrom('cards').select('id').where('student_id', '=', fam.student.id).where('status', '=', 'active').execute();
    expect(active.map((c) => c.id)).toEqual([ecardId]);
  });
});

describe('withdrawing a sticker application (撤回卡贴申请)', () => {
  it('the holder withdraws it before production and may apply again; once batched it can no longer be withdrawn', async () => {
    const fam = await f.family({ stage: 'high', product: 'k12_sticker' });
    await f.reportLoss(fam.parentToken, fam.card.id);
    const first = await f.apply(fam.parentToken, fam.student, fam.card.id, { kind: 'sticker' });
    expect(first.status).toBe('ready_for_production');
    // Someone else's parent may not withdraw it.
    const stranger = await f.family();
    expect((await f.request('POST', `/fulfilment/applications/${first.id}/cancel`, stranger.parentToken)).statusCode).toBe(403);
    const withdrawn = await f.request('POST', `/fulfilment/applications/${first.id}/cancel`, fam.parentToken);
    expect(withdrawn.statusCode, withdrawn.body).toBe(200);
    expect(withdrawn.json()).toMatchObject({ status: 'cancelled' });
    expect((withdrawn.json() as ApplicationDto).steps.map((s) => s.step)).toEqual(['applied', 'cancelled']);
    // Nothing to produce now.
    expect((await f.request('POST', '/admin/fulfilment/batches', f.operator, { kind: 'sticker' })).json()).toMatchObject({ error: { code: 'FULFILMENT_BATCH_EMPTY' } });

    const second = await f.apply(fam.parentToken, fam.student, fam.card.id, { kind: 'sticker' });
    await f.confirmInfo(fam.parentToken, fam.student.id);
    expect((await f.request('POST', '/admin/fulfilment/batches', f.operator, { kind: 'sticker' })).statusCode).toBe(201);
    const late = await f.request('POST', `/fulfilment/applications/${second.id}/cancel`, fam.parentToken);
    expect(late.statusCode).toBe(409);
    expect(late.json()).toMatchObject({ error: { code: 'FULFILMENT_STATUS_INVALID' } });
  });
});
