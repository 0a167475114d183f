import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeCardStatus } from '../../src/modules/cards/card-status.js';
import { newId } from '../../src/platform/ids.js';
import { createTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
let operator: string;
beforeAll(async () => {
  t = await createTestApp();
  t.clock.set(new Date('2026-10-15T02:00:00Z'));
  operator = await t.factory.operatorToken();
  const set = await call('PUT', '/admin/card-extension-windows/2026', operator, { startsOn: '2026-10-01', endsOn: '2026-10-31' });
  expect(set.statusCode, set.body).toBe(200);
});
afterAll(async () => t.close());

const call = (method: 'GET' | 'POST' | 'PUT', url: string, token?: string, payload?: Record<string, unknown>) =>
  t.app.inject({ method, url: `/api/v1${url}`, headers: token ? { authorization: `Bearer ${token}` } : {}, ...(payload ? { payload } : {}) });

/** A student in a class of `grade` (1–12) of a school of `stage`, signed in, with an active K-12 card. */
async function holder(options: { grade?: number; stage?: 'primary' | 'middle' | 'high'; validUntil?: string | null; product?: 'k12_card' | 'k12_ecard' | 'university_ecard' | 'campus_card' } = {}) {
  const school = await t.factory.newSchool({ stage: options.stage ?? 'middle' });
  const student = await t.factory.newStudent({ schoolId: school.id });
  if (options.grade !== undefined) {
    const classId = newId();
    await t.ctx.db.insertInto('classes').values({ id: classId, school_id: school.id, grade: options.grade, class_no: '1' }).execute();
    await t.ctx.db.updateTable('students').set({ class_id: classId }).where('id', '=', student.id).execute();
  }
  const card = await t.factory.newCard(student.id, { product: options.product ?? 'k12_card', validUntil: options.validUntil === undefined ? '2026-10-31' : options.validUntil });
  const token = await t.factory.loginAs('student', student.education_id, student.password);
  return { student, card, token };
}

const validUntilOf = async (cardId: string) => (await t.ctx.db.selectFrom('cards').select('valid_until').where('id', '=', cardId).executeTakeFirstOrThrow()).valid_until;

describe('the extension window setting', () => {
  it('is set by operators only, and refuses an end before its start or a start outside the year', async () => {
    const school = await t.factory.newSchool();
    const manager = await t.factory.newStaff('school_admin', { schoolId: school.id });
    const managerToken = await t.factory.loginAs('staff', manager.username, manager.password);
    expect((await call('PUT', '/admin/card-extension-windows/2027', managerToken, { startsOn: '2027-10-01', endsOn: '2027-10-31' })).statusCode).toBe(403);
    const backwards = await call('PUT', '/admin/card-extension-windows/2027', operator, { startsOn: '2027-10-31', endsOn: '2027-10-01' });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json()).toMatchObject({ error: { code: 'CARD_EXTENSION_WINDOW_INVALID' } });
    expect((await call('PUT', '/admin/card-extension-windows/2027', operator, { startsOn: '2026-10-01', endsOn: '2027-10-31' })).json()).toMatchObject({ error: { code: 'CARD_EXTENSION_WINDOW_INVALID' } });
    expect((await call('PUT', '/admin/card-extension-windows/2027', operator, { startsOn: '2027-13-01', endsOn: '2027-10-31' })).statusCode).toBe(400);
    const list = (await call('GET', '/card-extension-windows', managerToken)).json();
    expect(list.items.map((w: { year: number }) => w.year)).toEqual([2026]);
    expect(list).toMatchObject({ today: '2026-10-15', items: [{ year: 2026, startsOn: '2026-10-01', endsOn: '2026-10-31', open: true }] });
    const audit = await t.ctx.db.selectFrom('audit_log').select('action').where('entity_type', '=', 'card_extension_window').execute();
    expect(audit).toHaveLength(1);
  });
});

describe('the K-12 yearly extension', () => {
  it('after a status check showing 卡正常状态, extends a year past the window’s end, once per year', async () => {
    const { card, token } = await holder({ grade: 7 });
    const check = (await call('GET', `/cards/${card.id}/extension`, token)).json();
    expect(check).toMatchObject({ statusNormal: true, statusMessage: { zh: '卡正常状态' }, eligible: true, blockedBy: null, validUntil: '2026-10-31', newValidUntil: '2027-10-31', graduationDate: '2029-08-31', window: { year: 2026, open: true } });
    const res = await call('POST', `/cards/${card.id}/extend`, token);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ card: { id: card.id, validUntil: '2027-10-31', transitValid: true }, extension: { windowYear: 2026, fromValidUntil: '2026-10-31', toValidUntil: '2027-10-31' } });
    expect(await validUntilOf(card.id)).toBe('2027-10-31');
    // The card learns its new date at its next tap: an 'extend' action waits on the transit action list.
    const actions = await t.ctx.db.selectFrom('transit_card_actions').selectAll().where('card_id', '=', card.id).execute();
    expect(actions).toMatchObject([{ kind: 'extend', valid_until: '2027-10-31', source: `extension:${res.json().extension.id}` }]);
    const again = await call('POST', `/cards/${card.id}/extend`, token);
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ error: { code: 'CARD_EXTENSION_DONE' } });
    expect((await call('GET', `/cards/${card.id}/extension`, token)).json()).toMatchObject({ eligible: false, blockedBy: 'CARD_EXTENSION_DONE', newValidUntil: null });
    const audit = await t.ctx.db.selectFrom('audit_log').select(['action', 'before', 'after']).where('entity_id', '=', card.id).where('action', '=', 'card_services.extend').execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]?.before).toEqual({ validUntil: '2026-10-31' });
  });

  it('an expired but normal card can be extended (the status query says to extend it)', async () => {
    const { card, token } = await holder({ validUntil: '2025-10-31' });
    expect((await call('GET', `/cards/${card.card_no}/status`)).json()).toMatchObject({ transitValid: false, message: expect.stringContaining('延期') });
    expect((await call('POST', `/cards/${card.id}/extend`, token)).json()).toMatchObject({ card: { validUntil: '2027-10-31', transitValid: true } });
  });

  it('opens on the first day of the window and closes after its last, in Beijing time', async () => {
    const cases: [string, boolean][] = [
      ['2026-09-30T15:59:59Z', false], // 23:59:59 on 30 September in Beijing
      ['2026-09-30T16:00:00Z', true], // 00:00 on 1 October
      ['2026-10-31T15:59:59Z', true], // 23:59:59 on 31 October
      ['2026-10-31T16:00:00Z', false], // 00:00 on 1 November
    ];
    try {
      for (const [at, open] of cases) {
        t.clock.set(at);
        // Valid past the window, so not in a grace period (which extends late: the next test).
        const { card, token } = await holder({ validUntil: '2026-12-31' });
        const res = await call('POST', `/cards/${card.id}/extend`, token);
        if (open) expect([at, res.statusCode]).toEqual([at, 200]);
        else expect([at, res.statusCode, res.json().error?.code]).toEqual([at, 422, 'CARD_EXTENSION_WINDOW_CLOSED']);
        expect(await validUntilOf(card.id)).toBe(open ? '2027-10-31' : '2026-12-31');
      }
    } finally {
      t.clock.set(new Date('2026-10-15T02:00:00Z'));
    }
  });

  it('in the 30-day grace period after its expiry a card still rides and tops up, and is extended late as in the window that closed', async () => {
    try {
      t.clock.set('2026-11-30T15:59:59Z'); // 23:59:59 on 30 November: the grace period's last second
      const { card, token } = await holder({ grade: 7 });
      const view = (await call('GET', `/cards/${card.id}`, token)).json();
      expect(view).toMatchObject({ validUntil: '2026-10-31', validity: 'grace', graceUntil: '2026-11-30', transitValid: true, canTopUp: true, topUpBlockedReason: null });
      expect((await call('POST', '/orders/top-up', token, { cardId: card.id, amountFen: 5_000 })).statusCode).toBe(201);
      const status = (await call('GET', `/cards/${card.card_no}/status`)).json();
      expect(status).toMatchObject({ validity: 'grace', graceUntil: '2026-11-30', transitValid: true, message: '卡已于 2026-10-31 到期，宽限期至 2026-11-30，请尽快办理延期' });
      const check = (await call('GET', `/cards/${card.id}/extension`, token)).json();
      expect(check).toMatchObject({ eligible: true, late: true, graceUntil: '2026-11-30', newValidUntil: '2027-10-31', window: { year: 2026, open: false } });
      const res = await call('POST', `/cards/${card.id}/extend`, token);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ card: { validUntil: '2027-10-31', validity: 'valid', graceUntil: null }, extension: { windowYear: 2026, fromValidUntil: '2026-10-31', toValidUntil: '2027-10-31' } });
      const audit = await t.ctx.db.selectFrom('audit_log').select('after').where('entity_id', '=', card.id).where('action', '=', 'card_services.extend').executeTakeFirstOrThrow();
      expect(audit.after).toMatchObject({ late: true, windowYear: 2026 });
      // Valid again, so no longer in grace: the window is closed to it.
      expect((await call('POST', `/cards/${card.id}/extend`, token)).json()).toMatchObject({ error: { code: 'CARD_EXTENSION_WINDOW_CLOSED' } });
    } finally {
      t.clock.set(new Date('2026-10-15T02:00:00Z'));
    }
  });

  it('after the grace period the card is expired: no ride discount, no top-up, no extension until the next window', async () => {
    try {
      t.clock.set('2026-11-30T16:00:00Z'); // 00:00 on 1 December
      const { card, token } = await holder({ grade: 7 });
      expect((await call('GET', `/cards/${card.id}`, token)).json()).toMatchObject({ validity: 'expired', graceUntil: null, transitValid: false, canTopUp: false, topUpBlockedReason: 'expired' });
      expect((await call('GET', `/cards/${card.card_no}/status`)).json()).toMatchObject({ validity: 'expired', transitValid: false, message: '卡已过有效期（2026-10-31），请办理延期' });
      expect((await call('GET', `/cards/${card.id}/extension`, token)).json()).toMatchObject({ eligible: false, late: false, graceUntil: null, blockedBy: 'CARD_EXTENSION_WINDOW_CLOSED' });
      const res = await call('POST', `/cards/${card.id}/extend`, token);
      expect([res.statusCode, res.json().error?.code]).toEqual([422, 'CARD_EXTENSION_WINDOW_CLOSED']);
      expect(await validUntilOf(card.id)).toBe('2026-10-31');
      const order = await call('POST', '/orders/top-up', token, { cardId: card.id, amountFen: 5_000 });
      expect(order.json()).toMatchObject({ error: { code: 'CARD_NOT_TOP_UP_ABLE', details: { reason: 'expired' } } });
      expect(await t.ctx.db.selectFrom('payment_orders').select('id').where('card_id', '=', card.id).execute()).toEqual([]);
    } finally {
      t.clock.set(new Date('2026-10-15T02:00:00Z'));
    }
  });

  it('refuses a lost card, with nothing written', async () => {
    const { card, token } = await holder();
    expect((await call('POST', `/cards/${card.id}/loss`, token)).json()).toMatchObject({ status: 'lost' });
    expect((await call('GET', `/cards/${card.id}/extension`, token)).json()).toMatchObject({ statusNormal: false, statusMessage: { zh: '已挂失' }, eligible: false, blockedBy: 'CARD_EXTENSION_LOST' });
    const res = await call('POST', `/cards/${card.id}/extend`, token);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ error: { code: 'CARD_EXTENSION_LOST', message: '卡片已挂失，不能延期' } });
    expect(await validUntilOf(card.id)).toBe('2026-10-31');
    expect(await t.ctx.db.selectFrom('card_extensions').select('id').where('card_id', '=', card.id).execute()).toEqual([]);
    expect(await t.ctx.db.selectFrom('transit_card_actions').select('id').where('card_id', '=', card.id).execute()).toEqual([]);
  });

  it('refuses a card superseded by an e-card, and a card not yet activated', async () => {
    const { card, token } = await holder();
    await changeCardStatus(t.ctx.db, t.clock, { cardId: card.id, event: 'supersede', reason: 'test', actor: { role: 'system', id: null }, requestId: null });
    expect((await call('POST', `/cards/${card.id}/extend`, token)).json()).toMatchObject({ error: { code: 'CARD_EXTENSION_SUPERSEDED' } });
    const other = await holder();
    await t.ctx.db.updateTable('cards').set({ status: 'inactive', activated_at: null }).where('id', '=', other.card.id).execute();
    expect((await call('POST', `/cards/${other.card.id}/extend`, other.token)).json()).toMatchObject({ error: { code: 'CARD_EXTENSION_STATUS' } });
    expect(await validUntilOf(card.id)).toBe('2026-10-31');
  });

  it('extends a K-12 e-card too, but not a university e-card or a campus card', async () => {
    const ecard = await holder({ product: 'k12_ecard' });
    expect((await call('POST', `/cards/${ecard.card.id}/extend`, ecard.token)).statusCode).toBe(200);
    for (const product of ['university_ecard', 'campus_card'] as const) {
      const { card, token } = await holder({ product });
      expect((await call('POST', `/cards/${card.id}/extend`, token)).json()).toMatchObject({ error: { code: 'CARD_EXTENSION_PRODUCT' } });
    }
  });

  it('never goes past graduation: a last-year student is extended to 31 August, then no more', async () => {
    const { card, token } = await holder({ grade: 9 });
    expect((await call('POST', `/cards/${card.id}/extend`, token)).json()).toMatchObject({ card: { validUntil: '2027-08-31' } });
    expect(await validUntilOf(card.id)).toBe('2027-08-31');
    // A card already valid until graduation has nothing left to extend.
    const atGraduation = await holder({ grade: 9, validUntil: '2027-08-31' });
    expect((await call('GET', `/cards/${atGraduation.card.id}/extension`, atGraduation.token)).json()).toMatchObject({ eligible: false, blockedBy: 'CARD_EXTENSION_GRADUATION', graduationDate: '2027-08-31' });
    expect((await call('POST', `/cards/${atGraduation.card.id}/extend`, atGraduation.token)).json()).toMatchObject({ error: { code: 'CARD_EXTENSION_GRADUATION' } });
    // The next year's window, still in grade 9 (held back): the bound is the coming 31 August.
    await call('PUT', '/admin/card-extension-windows/2027', operator, { startsOn: '2027-10-01', endsOn: '2027-10-31' });
    t.clock.set(new Date('2027-10-10T02:00:00Z'));
    try {
      const student = await t.ctx.db.selectFrom('students').select(['education_id', 'birth_date']).where('id', '=', card.student_id).executeTakeFirstOrThrow();
      const fresh = await t.factory.loginAs('student', student.education_id, student.birth_date.replaceAll('-', ''));
      expect(token).not.toBe(fresh);
      expect((await call('POST', `/cards/${card.id}/extend`, fresh)).json()).toMatchObject({ card: { validUntil: '2028-08-31' } });
      await t.ctx.db.updateTable('students').set({ status: 'graduated' }).where('id', '=', card.student_id).execute();
      const second = await holder({ grade: 9 });
      await t.ctx.db.updateTable('students').set({ status: 'graduated' }).where('id', '=', second.card.student_id).execute();
      expect((await call('POST', `/cards/${second.card.id}/extend`, second.token)).json()).toMatchObject({ error: { code: 'CARD_EXTENSION_GRADUATION' } });
    } finally {
      t.clock.set(new Date('2026-10-15T02:00:00Z'));
    }
  });

  it('only for the holder’s side: another family’s parent is refused', async () => {
    const { card } = await holder();
    const stranger = await t.factory.newStudent();
    const parent = await t.factory.newParent({ children: [stranger.id] });
    const parentToken = await t.factory.loginAs('parent', parent.phone, parent.password);
    expect((await call('POST', `/cards/${card.id}/extend`, parentToken)).json()).toMatchObject({ error: { code: 'ACCESS_DENIED' } });
    expect((await call('GET', `/cards/${card.id}/extension`, parentToken)).statusCode).toBe(403);
    expect(await validUntilOf(card.id)).toBe('2026-10-31');
  });
});
