import { describe, expect, it } from 'vitest';
import type { CardDto } from '../../src/modules/cards/cards.schemas.js';
import { useFulfilmentDriver } from './fulfilment-driver.js';

/**
 * What the card view tells the app it may offer (the UX review of the card pages): the yearly
 * extension only for a card it applies to, 公交有效性 as the replacement wizard says it, and
 * nothing about transit on a card that never rides it.
 */
const f = useFulfilmentDriver({ operator: false });

const cardOf = async (token: string, cardId: string): Promise<CardDto> => {
  const res = await f.request('GET', `/cards/${cardId}`, token);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};

describe('the card view’s flags', () => {
  it('offers the extension only on a card in use, and says 公交有效性 as the replacement wizard does, lost or not', async () => {
    const { student, card, parentToken } = await f.family({ name: '张小明' });
    expect(await cardOf(parentToken, card.id)).toMatchObject({ status: 'active', canExtend: true, transitValidity: 'valid' });

    await f.reportLoss(parentToken, card.id);
    const lost = await cardOf(parentToken, card.id);
    // A lost card cannot be extended (CARD_EXTENSION_LOST) nor topped up.
    expect(lost).toMatchObject({ status: 'lost', canExtend: false, canTopUp: false, topUpBlockedReason: 'lost' });
    const check = await f.request('GET', `/cards/${card.id}/extension`, parentToken);
    expect(check.json()).toMatchObject({ eligible: false, blockedBy: 'CARD_EXTENSION_LOST' });
    // The card page and the wizard's step 2 say the same 公交有效性.
    const wizard = (await f.verify(parentToken, student)).cards.find((c) => c.cardId === card.id)!;
    expect(wizard.transitValidity.zh).toBe('有效卡');
    expect(lost.transitValidity).toBe('valid');

    // Expired beyond its grace period: 无效卡 on both.
    await f.t.ctx.db.updateTable('cards').set({ valid_until: '2026-08-31' }).where('id', '=', card.id).execute();
    expect((await cardOf(parentToken, card.id)).transitValidity).toBe('invalid');
    expect((await f.verify(parentToken, student)).cards[0]!.transitValidity.zh).toBe('无效卡');
  });

  it('does not offer the extension on a card not yet activated', async () => {
    const school = await f.t.factory.newSchool({ stage: 'primary' });
    const student = await f.t.factory.newStudent({ schoolId: school.id });
    const parent = await f.t.factory.newParent({ children: [student.id] });
    const token = await f.t.factory.loginAs('parent', parent.phone, parent.password);
    const card = await f.t.factory.newCard(student.id, { active: false });
    // Not activated yet: no discounts until it is (its activation says so), so 无效卡.
    expect(await cardOf(token, card.id)).toMatchObject({ status: 'inactive', canExtend: false, transitValidity: 'invalid' });
    expect((await f.request('GET', `/cards/${card.id}/extension`, token)).json()).toMatchObject({ eligible: false, blockedBy: 'CARD_EXTENSION_STATUS' });
  });

  it('says 无效卡 of a card terminals refuse or that gave way, whatever its dates, and 有效卡 of a sticker in use', async () => {
    const school = await f.t.factory.newSchool({ stage: 'primary' });
    const student = await f.t.factory.newStudent({ schoolId: school.id });
    const parent = await f.t.factory.newParent({ children: [student.id] });
    const token = await f.t.factory.loginAs('parent', parent.phone, parent.password);
    const card = await f.t.factory.newCard(student.id);
    for (const status of ['suspended', 'superseded', 'replaced', 'returned', 'closed'] as const) {
      await f.t.ctx.db.updateTable('cards').set({ status }).where('id', '=', card.id).execute();
      expect((await cardOf(token, card.id)).transitValidity, status).toBe('invalid');
    }
    const sticker = await f.t.factory.newCard(student.id, { product: 'k12_sticker', active: true });
    expect(await cardOf(token, sticker.id)).toMatchObject({ product: 'k12_sticker', status: 'active', transitValidity: 'valid' });
  });

  it('says nothing of transit for a campus card, which is spent at the university’s tills', async () => {
    const school = await f.t.factory.newSchool({ stage: 'university' });
    const student = await f.t.factory.newStudent({ schoolId: school.id });
    const token = await f.t.factory.loginAs('student', student.education_id, student.password);
    const card = await f.t.factory.newCard(student.id, { product: 'campus_card' });
    expect(await cardOf(token, card.id)).toMatchObject({ product: 'campus_card', transitValidity: null, canExtend: false });
  });
});
