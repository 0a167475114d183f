import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { api, cardRow, expectError, goodPhone, k12Student, oldWalletPhone, openBody } from './ecards-support.js';

/** K-12 NFC e-card opening (seed 003 phones; real-name, consent, agreement; one active transit card). */

let t: TestApp;
let call: ReturnType<typeof api>;
beforeAll(async () => {
  t = await createTestApp();
  call = api(t);
});
afterAll(() => t?.close());

const cardsOf = (studentId: string) => t.ctx.db.selectFrom('cards').selectAll().where('student_id', '=', studentId).orderBy('created_at').execute();

describe('phone check and the model list', () => {
  it('lists the seed 003 models and minimum versions without login', async () => {
    const res = await call('GET', '/ecards/phone-support');
    expect(res.statusCode).toBe(200);
    const support = res.json();
    expect(support.requirements).toEqual({ app: '6.0.0.1', huaweiWallet: '9.0.13.304', xiaomiSmartCardStable: '21.08.09.1', xiaomiSystemDev: '21.7.27', ios: '13.4' });
    expect(support.models.map((m: { name: string }) => m.name)).toEqual(expect.arrayContaining(['Mate 40', '小米12系列', 'iPhone XR', '荣耀Magic3']));
  });

  it('says every reason a phone fails, and passes a good one', async () => {
    const bad = await call('POST', '/ecards/phone-check', undefined, { ...goodPhone, nfcEnabled: false, walletVersion: '9.0.12.1', model: 'Mate 60' });
    expect(bad.statusCode).toBe(200);
    expect(bad.json().eligible).toBe(false);
    expect(bad.json().problems.map((p: { reason: string }) => p.reason)).toEqual(['NFC_OFF', 'WALLET_TOO_OLD', 'MODEL_NOT_SUPPORTED']);
    expect((await call('POST', '/ecards/phone-check', undefined, goodPhone)).json()).toMatchObject({ eligible: true, problems: [], matchedModel: { name: 'Mate40 Pro' } });
    expect((await call('POST', '/ecards/phone-check', undefined, { ...goodPhone, brand: 'nokia' })).statusCode).toBe(400);
  });

  it('operators keep the list: a new model becomes eligible, a raised version refuses; others may not', async () => {
    const op = await t.factory.operatorToken();
    const mate60 = { ...goodPhone, model: 'HUAWEI Mate 60 Pro' };
    expect((await call('POST', '/ecards/phone-check', undefined, mate60)).json().eligible).toBe(false);
    const { token } = await k12Student(t);
    expectError(await call('PUT', '/ecards/phone-support', token, { addModels: [{ brand: 'huawei', name: 'Mate 60系列', series: true }] }), 403, 'FORBIDDEN');
    const updated = await call('PUT', '/ecards/phone-support', op, { addModels: [{ brand: 'huawei', name: 'Mate 60系列', series: true }] });
    expect(updated.statusCode, updated.body).toBe(200);
    expect((await call('POST', '/ecards/phone-check', undefined, mate60)).json().eligible).toBe(true);
    const id = updated.json().models.find((m: { name: string }) => m.name === 'Mate 60系列').id;
    expect((await call('PUT', '/ecards/phone-support', op, { requirements: { huaweiWallet: '12.0' } })).statusCode).toBe(200);
    expect((await call('POST', '/ecards/phone-check', undefined, mate60)).json().problems[0].reason).toBe('WALLET_TOO_OLD');
    expect((await call('PUT', '/ecards/phone-support', op, { requirements: { huaweiWallet: 'new' } })).statusCode).toBe(400);
    // Back as the seed has it, for the rest of the suite.
    expect((await call('PUT', '/ecards/phone-support', op, { requirements: { huaweiWallet: '9.0.13.304' }, removeModelIds: [id] })).statusCode).toBe(200);
    expect((await call('POST', '/ecards/phone-check', undefined, mate60)).json().eligible).toBe(false);
  });
});

describe('opening a K-12 e-card', () => {
  it('opens it active on the phone and supersedes the physical card in one step', async () => {
    const s = await k12Student(t);
    const schools = await call('GET', `/ecards/k12/schools?q=${encodeURIComponent(s.school.name)}`, s.token);
    expect(schools.json().items).toEqual([expect.objectContaining({ id: s.school.id, stage: 'primary' })]);

    const res = await call('POST', '/ecards/k12', s.token, openBody(s));
    expect(res.statusCode, res.body).toBe(201);
    const { card, previousCard } = res.json();
    expect(card).toMatchObject({ product: 'k12_ecard', medium: 'phone', status: 'active', stage: 'primary', transitValid: true, device: { model: 'HUAWEI Mate 40 Pro', os: 'harmonyos', walletVersion: '9.0.13.304' } });
    expect(card.holderNameMasked).toBe('李**');
    // On the yearly extension's cycle as every new K-12 card: opened after 2026's October window, valid until 2027's ends.
    expect(card).toMatchObject({ validUntil: '2027-10-31', canExtend: true });
    expect(previousCard).toMatchObject({ id: s.card!.id, status: 'superseded', canTopUp: false, topUpBlockedReason: 'superseded' });
    // The physical card can no longer be topped up (the seed: 不能对卡片进行充值和延期).
    expectError(await call('POST', '/orders/top-up', s.token, { cardId: s.card!.id, amountFen: 1000 }), 422, 'CARD_NOT_TOP_UP_ABLE');
    expect((await call('POST', '/orders/top-up', s.token, { cardId: card.id, amountFen: 1000 })).statusCode).toBe(201);

    const application = await t.ctx.db.selectFrom('ecard_applications').selectAll().where('card_id', '=', card.id).executeTakeFirstOrThrow();
    expect(application).toMatchObject({ kind: 'k12_open', agreement_version: '2026-09', previous_card_id: s.card!.id, actor_role: 'student' });
    expect(application.accepted_at).not.toBeNull();
    const events = await t.ctx.db.selectFrom('card_status_events').select(['card_id', 'to_status']).where('card_id', 'in', [card.id, s.card!.id]).orderBy('version').execute();
    expect(events.map((e) => [e.card_id, e.to_status])).toEqual([[s.card!.id, 'active'], [s.card!.id, 'superseded'], [card.id, 'active']]);

    // One active student transit card: a second opening is refused.
    expectError(await call('POST', '/ecards/k12', s.token, openBody(s)), 409, 'ECARD_ALREADY_OPEN');
    expect((await cardsOf(s.student.id)).filter((c) => c.status === 'active')).toHaveLength(1);
  });

  it('a student without a physical card opens one too', async () => {
    const s = await k12Student(t, { withCard: false, stage: 'high' });
    const res = await call('POST', '/ecards/k12', s.token, openBody(s));
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ card: { stage: 'high' }, previousCard: null });
  });

  it('refuses an ineligible phone with the reasons, writing nothing', async () => {
    const s = await k12Student(t);
    const res = await call('POST', '/ecards/k12', s.token, openBody(s, { phone: oldWalletPhone }));
    expectError(res, 422, 'ECARD_PHONE_INELIGIBLE');
    expect(res.json().error.details.problems[0]).toMatchObject({ reason: 'WALLET_TOO_OLD', required: '9.0.13.304', actual: '9.0.12.1' });
    expect((await cardRow(t, s.card!.id)).status).toBe('active');
    expect(await cardsOf(s.student.id)).toHaveLength(1);
  });

  it('verifies the real name against the roster: school, name, ID number and education ID', async () => {
    const s = await k12Student(t);
    const other = await t.factory.newSchool({ stage: 'primary' });
    for (const wrong of [{ name: '李晓雨' }, { idNumber: '110108201205200011' }, { educationId: '99999999' }, { schoolId: other.id }]) {
      expectError(await call('POST', '/ecards/k12', s.token, openBody(s, wrong)), 400, 'ECARD_REAL_NAME_FAILED');
    }
    expect(await cardsOf(s.student.id)).toHaveLength(1);
    // Lower-case x and stray spaces are not typos.
    const res = await call('POST', '/ecards/k12', s.token, openBody(s, { name: ` ${s.student.name} `, idNumber: s.student.id_number.toLowerCase() }));
    expect(res.statusCode, res.body).toBe(201);
  });

  it('throttles repeated real-name failures like sign-in', async () => {
    const s = await k12Student(t);
    for (let i = 0; i < 5; i++) expectError(await call('POST', '/ecards/k12', s.token, openBody(s, { name: `错${i}` })), 400, 'ECARD_REAL_NAME_FAILED');
    expectError(await call('POST', '/ecards/k12', s.token, openBody(s)), 429, 'AUTH_THROTTLED');
    t.clock.advance(60_000);
    expect((await call('POST', '/ecards/k12', s.token, openBody(s))).statusCode).toBe(201);
  });

  it('chooses a K-12 school only', async () => {
    const s = await k12Student(t);
    const university = await t.factory.newSchool({ stage: 'university' });
    expectError(await call('POST', '/ecards/k12', s.token, openBody(s, { schoolId: university.id })), 422, 'ECARD_SCHOOL_NOT_K12');
  });

  it('needs the agreement accepted, in its current version', async () => {
    const s = await k12Student(t);
    expectError(await call('POST', '/ecards/k12', s.token, openBody(s, { agreementAccepted: false })), 422, 'ECARD_AGREEMENT_REQUIRED');
    expectError(await call('POST', '/ecards/k12', s.token, openBody(s, { agreementVersion: '2020-01' })), 422, 'ECARD_AGREEMENT_REQUIRED');
    expect((await call('GET', '/ecards/agreement')).json()).toMatchObject({ version: '2026-09', title: { zh: '北京市电子学生卡用户协议' } });
  });

  it('an under-14 student needs a bound guardian’s consent; the parent may then open it', async () => {
    const s = await k12Student(t, { birthDate: '2015-03-01' });
    const parent = await t.factory.newParent({ children: [s.student.id] });
    const parentToken = await t.factory.loginAs('parent', parent.phone, parent.password);
    expectError(await call('POST', '/ecards/k12', s.token, openBody(s)), 422, 'ECARD_CONSENT_REQUIRED');
    expectError(await call('POST', '/ecards/k12', parentToken, openBody(s)), 422, 'ECARD_CONSENT_REQUIRED');
    expect((await call('POST', `/students/${s.student.id}/consents`, parentToken, { purpose: 'nfc_ecard' })).statusCode).toBe(201);
    const res = await call('POST', '/ecards/k12', parentToken, openBody(s));
    expect(res.statusCode, res.body).toBe(201);
    expect((await t.ctx.db.selectFrom('ecard_applications').select('actor_role').where('card_id', '=', res.json().card.id).executeTakeFirstOrThrow()).actor_role).toBe('parent');
  });

  it('only the student or a bound parent may open it; staff may not', async () => {
    const s = await k12Student(t);
    const stranger = await t.factory.newParent();
    const strangerToken = await t.factory.loginAs('parent', stranger.phone, stranger.password);
    expectError(await call('POST', '/ecards/k12', strangerToken, openBody(s)), 403, 'ACCESS_DENIED');
    const admin = await t.factory.newStaff('school_admin', { schoolId: s.school.id });
    expectError(await call('POST', '/ecards/k12', await t.factory.loginAs('staff', admin.username, admin.password), openBody(s)), 403, 'FORBIDDEN');
    expectError(await call('POST', '/ecards/k12', undefined, openBody(s)), 401, 'AUTH_REQUIRED');
  });

  it('refuses a student who is no longer enrolled', async () => {
    const s = await k12Student(t);
    await t.ctx.db.updateTable('students').set({ status: 'left' }).where('id', '=', s.student.id).execute();
    expectError(await call('POST', '/ecards/k12', s.token, openBody(s)), 422, 'ECARD_NOT_ENROLLED');
  });

  it('a retry with the same Idempotency-Key returns the first answer and opens nothing more', async () => {
    const s = await k12Student(t);
    const first = await call('POST', '/ecards/k12', s.token, openBody(s), { 'idempotency-key': 'open-once-1' });
    const again = await call('POST', '/ecards/k12', s.token, openBody(s), { 'idempotency-key': 'open-once-1' });
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().card.id).toBe(first.json().card.id);
    expect((await cardsOf(s.student.id)).filter((c) => c.product === 'k12_ecard')).toHaveLength(1);
  });
});
