import { expect, it } from 'vitest';
import { inTransaction } from '../../src/platform/db/database.js';
import { enqueueCardAction } from '../../src/modules/transit/action-list.js';
import { describeE2E, signInToApp, useE2E } from './support.js';

/**
 * Fixes from walking the app as real users (the UX review): a page opened for one card acts on
 * that card only, a campus card's page says nothing of transit, siblings are told apart, the
 * English app has no Chinese left in it, single choices stay chosen. Needs `npm run build:web` first.
 */
describeE2E('app: the UX review’s fixes in Chromium', () => {
  const e2e = useE2E();
  const url = (path: string) => `${e2e.baseUrl}${path}`;

  /** A parent (password changed) of two children at two schools, each with an active card. */
  async function siblings() {
    const east = await e2e.t.factory.newSchool({ stage: 'primary', name: '北京市朝阳区实验小学' });
    const west = await e2e.t.factory.newSchool({ stage: 'middle', name: '北京市海淀区第一中学' });
    const older = await e2e.t.factory.newStudent({ name: '张小明', birthDate: '2012-05-01', schoolId: west.id });
    const younger = await e2e.t.factory.newStudent({ name: '张小红', birthDate: '2016-06-01', schoolId: east.id });
    const olderCard = await e2e.t.factory.newCard(older.id, { validUntil: '2029-08-31' });
    const youngerCard = await e2e.t.factory.newCard(younger.id, { validUntil: '2029-08-31' });
    const parent = await e2e.t.factory.newParent({ children: [older.id, younger.id], password: 'Parent2026' });
    await e2e.t.ctx.db.updateTable('parents').set({ must_change_password: false }).where('id', '=', parent.id).execute();
    return { east, west, older, younger, olderCard, youngerCard, parent };
  }
  const signInParent = (parent: { phone: string }) => signInToApp(e2e, { as: 'parent', login: parent.phone, password: 'Parent2026' });

  it('a lost card’s top-up page says it cannot be topped up and what to do, never the sibling’s card; the lost card offers no extension', async () => {
    const { olderCard, youngerCard, parent } = await siblings();
    await e2e.t.ctx.db.updateTable('cards').set({ status: 'lost' }).where('id', '=', olderCard.id).execute();
    const page = await signInParent(parent);

    await page.goto(url(`/cards/${olderCard.id}/top-up`));
    const blocked = page.locator('[data-testid="topup-card-blocked"][data-reason="lost"]');
    await blocked.getByText('挂失中不能充值').first().waitFor();
    await expect(page.getByTestId('topup-card-blocked-todo').textContent()).resolves.toContain('解挂');
    // Only the lost card is on the page, and nothing can be paid.
    await expect(page.getByTestId('topup-card').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-card-id')))).resolves.toEqual([olderCard.id]);
    expect(await page.getByTestId('topup-submit').count()).toBe(0);
    await e2e.screenshot(page, 'app-ux-topup-lost');
    await page.getByTestId('topup-back-to-card').click();
    await page.waitForURL(url(`/cards/${olderCard.id}`));

    // The card page: 公交有效性 as the replacement wizard says it; no 卡片延期 for a lost card.
    await expect.poll(() => page.getByTestId('detail-status').textContent()).toBe('已挂失');
    await expect(page.getByTestId('detail-transit').textContent()).resolves.toBe('有效卡');
    await page.getByTestId('action-unloss').waitFor();
    expect(await page.getByTestId('action-extend').count()).toBe(0);

    // The sibling's own page tops up that card, and only it.
    await page.goto(url(`/cards/${youngerCard.id}/top-up`));
    await page.getByTestId('topup-submit').waitFor();
    await expect(page.getByTestId('topup-card').evaluateAll((cards) => cards.map((c) => [c.getAttribute('data-card-id'), c.getAttribute('aria-pressed')]))).resolves.toEqual([[youngerCard.id, 'true']]);
    await page.goto(url(`/cards/${youngerCard.id}`));
    await page.getByTestId('action-extend').waitFor();
  });
  it('a campus card’s page says nothing of transit: no 公交有效性, no amount waiting for a terminal, no trips', async () => {
    const school = await e2e.t.factory.newSchool({ stage: 'university', name: '端到端交通大学' });
    const student = await e2e.t.factory.newStudent({ name: '周晓东', schoolId: school.id, password: 'Student2026' });
    await e2e.t.ctx.db.updateTable('students').set({ must_change_password: false }).where('id', '=', student.id).execute();
    const card = await e2e.t.factory.newCard(student.id, { product: 'campus_card' });
    // Even an action-list entry left from before (campus top-ups no longer make them) is not talked about.
    await inTransaction(e2e.t.ctx.db, (tx) => enqueueCardAction(tx, e2e.t.clock, { cardId: card.id, kind: 'top_up', amountFen: 20_000, source: 'test:left-over' }));
    const page = await signInToApp(e2e, { as: 'student', login: student.education_id, password: 'Student2026' });
    await page.goto(url(`/cards/${card.id}`));
    await expect.poll(() => page.getByTestId('detail-status').textContent()).toBe('正常');
    await page.getByTestId('action-transactions').waitFor();
    await expect(page.getByTestId('face-valid-until').textContent()).resolves.toBe('长期有效');
    expect(await page.getByTestId('detail-transit').count()).toBe(0);
    expect(await page.getByTestId('detail-pending-top-up').count()).toBe(0);
    expect(await page.getByTestId('action-trips').count()).toBe(0);
    const text = (await page.locator('body').textContent()) ?? '';
    for (const word of ['公交', '地铁', '乘车', '无效卡']) expect(text).not.toContain(word);
    await e2e.screenshot(page, 'app-ux-campus-card');
  });
});
