import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chargeQueryAfterMs, runAutoTopUps } from '../../src/modules/payments/auto-top-up.js';
import { agreementClient, sandboxKeys, sandboxWechatPlanId } from '../../src/modules/payments/gateways/registry.js';
import { WechatPayClient } from '../../src/modules/payments/gateways/wechat-client.js';
import { isDomainError } from '../../src/domain/errors.js';
import { encryptWechatResource, signWechatMessage } from '../../src/modules/payments/gateways/wechat.js';
import { reconcileDay } from '../../src/modules/payments/reconcile.js';
import { shanghaiDate } from '../../src/domain/calendar.js';
import { actAtAgreementPage, closeInAlipayApp } from '../../src/modules/payments/sandbox/sandbox-payer.js';
import { deliverNotificationJob } from '../../src/modules/payments/sandbox/sandbox-notifications.js';
import { papayChargeDelaySetting } from '../../src/modules/payments/sandbox/sandbox-papay.js';
import { expireDueOrders } from '../../src/modules/payments/expire-orders.js';
import { retryStaleRefunds } from '../../src/modules/payments/gateway-refunds.js';
import { refundFailureSetting } from '../../src/modules/payments/sandbox/sandbox-wechat.js';
import { checkEndedSignings, lateSigningCheckDays, lateSigningFirstCheckMs } from '../../src/modules/payments/payment-agreements.js';
import { autoTopUpHelpers, PaymentsDriver } from './payments-driver.js';

/**
 * 自动充值 through WeChat Pay's 委托代扣 (APIv3 papay), against the sandbox over real HTTP with
 * real keys both ways: the parent signs on the sandbox's WeChat signing page (pre-sign link), and
 * Onecard believes the contract query, not the return; a charge is accepted (扣款中) and settled
 * by WeChat's notification or, when that never comes, by asking; a charge WeChat could not make
 * is cancelled and texted; forged notifications change nothing; ending it terminates the
 * contract at WeChat and ends the auto top-ups; one live agreement per parent, whichever gateway.
 */

let d: PaymentsDriver;
beforeAll(async () => {
  d = await PaymentsDriver.start();
  d.t.clock.set('2026-11-23T02:00:00Z'); // 10:00 in Beijing
});
afterAll(async () => d.close());

type Family = Awaited<ReturnType<PaymentsDriver['family']>>;

const { agreementOf, setting, textsTo, runsOf } = autoTopUpHelpers(() => d);
const agreementRow = (parentId: string) => d.t.ctx.db.selectFrom('payment_agreements').selectAll().where('parent_id', '=', parentId).orderBy('created_at', 'desc').executeTakeFirstOrThrow();
const contractAtWechat = (externalNo: string) => d.t.ctx.db.selectFrom('sandbox_agreements').selectAll().where('gateway', '=', 'wechat').where('external_agreement_no', '=', externalNo).executeTakeFirstOrThrow();
const notificationsAbout = (externalNo: string) => d.t.ctx.db.selectFrom('gateway_notifications').selectAll().where('order_no', '=', externalNo).orderBy('received_at').orderBy('id').execute();
const startSigning = (f: Family, gateway: 'alipay' | 'wechat' = 'wechat') => d.request('POST', '/me/payment-agreement', f.parentToken, { gateway, returnPath: `/children/${f.student.id}` });

/** A family whose parent signed WeChat Pay's contract on the sandbox's page (its switch: later charges fail for want of balance). */
async function signedFamily(switches: { withholdingFails?: boolean } = {}) {
  const f = await d.family();
  const started = await startSigning(f);
  expect(started.statusCode, started.body).toBe(200);
  const page = await actAtAgreementPage(started.json().signUrl, 'agree', switches);
  expect(page.returnUrl).toBe(`${d.origin}/children/${f.student.id}`);
  expect(await agreementOf(f.parentToken)).toMatchObject({ gateway: 'wechat', status: 'active' });
  return f;
}

async function withAutoTopUp(switches: { withholdingFails?: boolean } = {}) {
  const f = await signedFamily(switches);
  const cardId = await d.cardOf(f.student.id);
  expect((await setting(f, { thresholdFen: 1_000, amountFen: 5_000 })).statusCode).toBe(200);
  return { f, cardId };
}

describe('signing WeChat Pay’s 委托代扣 contract', () => {
  it('goes through the pre-sign link to WeChat’s page; Onecard asks WeChat (contract query), not the return', async () => {
    const f = await d.family();
    const started = await startSigning(f);
    expect(started.statusCode, started.body).toBe(200);
    const { agreement, signUrl } = started.json();
    expect(agreement).toMatchObject({ gateway: 'wechat', status: 'signing', agreementNoMasked: null });
    expect(signUrl).toMatch(new RegExp(`^${d.origin}/api/v1/sandbox/wechat/agreement/[0-9a-f-]{36}$`));
    const row = await agreementRow(f.parent.id);
    expect(row).toMatchObject({ gateway: 'wechat', notify_url: `${d.origin}/api/v1/payments/notify/wechat`, gateway_base_url: `${d.origin}/api/v1/sandbox/wechat` });
    // The sandbox holds the pre-signed draft under our out_contract_code and template: no contract at WeChat yet.
    expect(await contractAtWechat(row.external_agreement_no)).toMatchObject({ status: 'TEMP', personal_product_code: String(sandboxWechatPlanId), agreement_no: null });
    const client = await agreementClient(d.t.ctx, 'wechat', row.gateway_base_url);
    expect(await client.queryAgreement(row.external_agreement_no)).toEqual({ state: 'not_found', agreementNo: null, signedAt: null });

    // Cancelled on WeChat's page, then back at our page: still signing, because WeChat has no contract.
    const cancelled = await actAtAgreementPage(signUrl, 'cancel');
    expect(cancelled.html).toContain('已取消签约');
    expect(await agreementOf(f.parentToken)).toMatchObject({ id: agreement.id, status: 'signing' });
    // Signing again reuses the agreement and its out_contract_code; agreed this time.
    const again = (await startSigning(f)).json();
    expect(again.agreement.id).toBe(agreement.id);
    expect((await actAtAgreementPage(again.signUrl, 'agree')).html).toContain('签约成功');
    const view = await agreementOf(f.parentToken);
    const contract = await contractAtWechat(row.external_agreement_no);
    expect(view).toMatchObject({ id: agreement.id, gateway: 'wechat', status: 'active', agreementNoMasked: `${contract.agreement_no!.slice(0, 4)}****${contract.agreement_no!.slice(-4)}` });
    expect(await agreementRow(f.parent.id)).toMatchObject({ status: 'active', agreement_no: contract.agreement_no, signed_at: contract.signed_at });
    const audit = await d.t.ctx.db.selectFrom('audit_log').select(['action', 'after']).where('entity_id', '=', agreement.id).orderBy('at').execute();
    expect(audit).toEqual([{ action: 'payments.agreement.signing', after: { gateway: 'wechat' } }, { action: 'payments.agreement.signed', after: { agreementNo: expect.any(String), via: 'query' } }]);

    // WeChat's ENTRUST.SIGN arrives afterwards: verified and decrypted, it changes nothing.
    await d.runJobs();
    expect((await notificationsAbout(row.external_agreement_no)).map((n) => [n.gateway, n.outcome, n.verified, n.trade_no])).toEqual([['wechat', 'processed', true, contract.agreement_no]]);
    expect((await startSigning(f)).json()).toMatchObject({ error: { code: 'PAYMENT_AGREEMENT_EXISTS' } });
  });

  it('answers a replayed request (same Idempotency-Key and body) with the stored agreement and link, even once signed', async () => {
    const f = await d.family();
    const body = { gateway: 'wechat', returnPath: `/children/${f.student.id}` };
    const post = (key: string, payload: object = body) => d.t.app.inject({ method: 'POST', url: '/api/v1/me/payment-agreement', headers: d.headers(f.parentToken, { 'idempotency-key': key }), payload });
    const first = await post('sign-1');
    expect(first.statusCode, first.body).toBe(200);
    // Replayed while signing: the same agreement and the same link, not a fresh pre-sign.
    const replay = await post('sign-1');
    expect([replay.statusCode, replay.headers['idempotent-replayed'], replay.json()]).toEqual([200, 'true', first.json()]);
    await actAtAgreementPage(first.json().signUrl, 'agree');
    expect(await agreementOf(f.parentToken)).toMatchObject({ id: first.json().agreement.id, status: 'active' });
    // Replayed once signed: still the stored answer (a new request is refused, as it should be).
    const late = await post('sign-1');
    expect([late.statusCode, late.headers['idempotent-replayed'], late.json()]).toEqual([200, 'true', first.json()]);
    expect((await post('sign-2')).json()).toMatchObject({ error: { code: 'PAYMENT_AGREEMENT_EXISTS' } });
    // The same key with another body is refused; nothing was written by any of them.
    expect((await post('sign-1', { ...body, gateway: 'alipay' })).json()).toMatchObject({ error: { code: 'IDEMPOTENCY_KEY_REUSED' } });
    expect(await d.t.ctx.db.selectFrom('payment_agreements').select(['id', 'status']).where('parent_id', '=', f.parent.id).execute()).toEqual([{ id: first.json().agreement.id, status: 'active' }]);
    const audit = await d.t.ctx.db.selectFrom('audit_log').select('action').where('entity_id', '=', first.json().agreement.id).orderBy('at').execute();
    expect(audit.map((a) => a.action)).toEqual(['payments.agreement.signing', 'payments.agreement.signed']);
  });

  it('is made active by ENTRUST.SIGN for a parent who agreed on WeChat’s page and never came back', async () => {
    const f = await d.family();
    const { signUrl } = (await startSigning(f)).json();
    await actAtAgreementPage(signUrl, 'agree');
    const row = await agreementRow(f.parent.id);
    expect(row.status).toBe('signing');
    d.t.clock.advance(1_000);
    await d.runJobs(); // the sandbox delivers ENTRUST.SIGN over HTTP, signed with its platform key, the contract encrypted with the APIv3 key
    expect(await agreementRow(f.parent.id)).toMatchObject({ status: 'active', agreement_no: (await contractAtWechat(row.external_agreement_no)).agreement_no });
    const signed = await d.t.ctx.db.selectFrom('audit_log').select(['actor_role', 'after']).where('entity_id', '=', row.id).where('action', '=', 'payments.agreement.signed').executeTakeFirstOrThrow();
    expect(signed).toEqual({ actor_role: 'gateway', after: { agreementNo: expect.any(String), via: 'notification' } });
  });

  it('that WeChat reports signed and ended since (its notices lost) is ended here, and the next signing starts under a new number', async () => {
    const f = await d.family();
    const { signUrl } = (await startSigning(f)).json();
    await actAtAgreementPage(signUrl, 'agree');
    const first = await agreementRow(f.parent.id);
    // The parent ended it in WeChat's own page; neither ENTRUST notice reached us (no jobs run).
    await d.t.ctx.db.updateTable('sandbox_agreements').set({ status: 'UNSIGN', unsigned_at: d.t.clock.now() }).where('gateway', '=', 'wechat').where('external_agreement_no', '=', first.external_agreement_no).execute();
    expect(await agreementOf(f.parentToken)).toBeNull();
    expect(await agreementRow(f.parent.id)).toMatchObject({ id: first.id, status: 'ended' });
    const ended = await d.t.ctx.db.selectFrom('audit_log').select('after').where('entity_id', '=', first.id).where('action', '=', 'payments.agreement.ended').executeTakeFirstOrThrow();
    expect(ended.after).toMatchObject({ reason: 'ended_at_gateway' });
    d.t.clock.advance(1_000);
    const again = await startSigning(f);
    expect(again.statusCode, again.body).toBe(200);
    expect((await agreementRow(f.parent.id)).external_agreement_no).not.toBe(first.external_agreement_no);
  });

  it('refuses a notification whose signature is bad, about a contract nobody started, or under another template, and reconciliation reports them by contract number', async () => {
    const f = await d.family();
    const { signUrl } = (await startSigning(f)).json();
    await actAtAgreementPage(signUrl, 'agree');
    const row = await agreementRow(f.parent.id);
    const contractId = (await contractAtWechat(row.external_agreement_no)).agreement_no!;
    const keys = (await sandboxKeys(d.t.ctx)).wechat;
    const contract = { mchid: keys.mchid, appid: keys.appId, contract_id: contractId, plan_id: sandboxWechatPlanId, out_contract_code: row.external_agreement_no, contract_state: 'SIGNED', contract_signed_time: '2026-11-23T10:00:00+08:00' };
    const body = (resource: Record<string, unknown>) => JSON.stringify({
      id: `EV-${Math.random().toString(16).slice(2)}`, create_time: '2026-11-23T10:00:01+08:00', resource_type: 'encrypt-resource', event_type: 'ENTRUST.SIGN', summary: '委托代扣签约通知',
      resource: encryptWechatResource(JSON.stringify(resource), keys.apiV3Key, 'entrust', 'entrust'),
    });
    const genuine = await d.signedWechat(body(contract));
    const signature = genuine.headers['wechatpay-signature']!;
    const forged = { body: genuine.body, headers: { ...genuine.headers, 'wechatpay-signature': `${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}` } };
    // Signed by a key that is not WeChat's platform key, under WeChat's serial.
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    const strangerSigned = { body: genuine.body, headers: { 'content-type': 'application/json', ...signWechatMessage(genuine.body, { serialNo: keys.platformSerialNo, privateKeyPem: stranger.privateKey }, d.t.clock.now()) } };
    const unknownContract = await d.signedWechat(body({ ...contract, out_contract_code: 'OCnobodystartedthis' }));
    const otherTemplate = await d.signedWechat(body({ ...contract, plan_id: 1 }));
    const cases: [string, { headers: Record<string, string>; body: string }][] = [
      ['NOTIFY_SIGNATURE_INVALID', forged], ['NOTIFY_SIGNATURE_INVALID', strangerSigned], ['NOTIFY_AGREEMENT_UNKNOWN', unknownContract], ['NOTIFY_MALFORMED', otherTemplate],
    ];
    for (const [code, notification] of cases) {
      const res = await d.postWechatNotify(notification);
      expect([code, res.statusCode, res.json().code]).toEqual([code, 400, 'FAIL']);
      const stored = await d.t.ctx.db.selectFrom('gateway_notifications').select(['outcome', 'error_code', 'verified']).where('raw_body', '=', notification.body).where('error_code', '=', code).executeTakeFirstOrThrow();
      expect(stored).toMatchObject({ outcome: 'rejected', error_code: code });
    }
    expect(await agreementRow(f.parent.id)).toMatchObject({ id: row.id, status: 'signing' }); // none of them signed it
    const report = await reconcileDay(d.t.ctx, shanghaiDate(d.t.clock.now()));
    expect(report.findings).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'notification_rejected', gateway: 'wechat', orderNo: null, detail: expect.stringMatching(/^签约号 OCnobodystartedthis: NOTIFY_AGREEMENT_UNKNOWN/) })]));
    // The genuine one signs it.
    expect((await d.postWechatNotify(await d.signedWechat(body(contract)))).statusCode).toBe(204);
    expect(await agreementRow(f.parent.id)).toMatchObject({ id: row.id, status: 'active', agreement_no: contractId });
  });
});

describe('one live agreement per parent, whichever the gateway', () => {
  it('refuses WeChat Pay while an Alipay agreement is signed (the parent ends it first), and gives up an Alipay signing not finished', async () => {
    const f = await d.family();
    const alipay = (await startSigning(f, 'alipay')).json();
    await actAtAgreementPage(alipay.signUrl, 'agree');
    expect(await agreementOf(f.parentToken)).toMatchObject({ gateway: 'alipay', status: 'active' });
    const refused = await startSigning(f);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatchObject({ code: 'PAYMENT_AGREEMENT_OTHER_GATEWAY', message: expect.stringContaining('请先关闭'), messageEn: expect.stringContaining('end it before'), details: { gateway: 'alipay' } });
    expect(await d.t.ctx.db.selectFrom('payment_agreements').select('gateway').where('parent_id', '=', f.parent.id).execute()).toEqual([{ gateway: 'alipay' }]);
    // Ended, then WeChat Pay is signed.
    expect((await d.t.app.inject({ method: 'DELETE', url: `/api/v1/me/payment-agreement/${alipay.agreement.id}`, headers: d.headers(f.parentToken) })).statusCode).toBe(200);
    const wechat = (await startSigning(f)).json();
    await actAtAgreementPage(wechat.signUrl, 'agree');
    expect(await agreementOf(f.parentToken)).toMatchObject({ id: wechat.agreement.id, gateway: 'wechat', status: 'active' });

    // A signing not finished with one gateway is given up when the parent chooses the other.
    const g = await d.family();
    const first = (await startSigning(g, 'alipay')).json();
    const second = (await startSigning(g)).json();
    expect(second.agreement).toMatchObject({ gateway: 'wechat', status: 'signing' });
    const rows = await d.t.ctx.db.selectFrom('payment_agreements').select(['id', 'gateway', 'status']).where('parent_id', '=', g.parent.id).orderBy('created_at').execute();
    expect(rows).toEqual([{ id: first.agreement.id, gateway: 'alipay', status: 'ended' }, { id: second.agreement.id, gateway: 'wechat', status: 'signing' }]);
    const ended = await d.t.ctx.db.selectFrom('audit_log').select('after').where('entity_id', '=', first.agreement.id).where('action', '=', 'payments.agreement.ended').executeTakeFirstOrThrow();
    expect(ended.after).toMatchObject({ reason: 'switched_gateway' });
    // Were the parent to agree on the Alipay page left open after all, Alipay's signing notice has it unsigned there.
    await actAtAgreementPage(first.signUrl, 'agree');
    await d.runJobs();
    const atAlipay = await d.t.ctx.db.selectFrom('sandbox_agreements').select('status').where('gateway', '=', 'alipay').where('external_agreement_no', '=', (await d.t.ctx.db.selectFrom('payment_agreements').select('external_agreement_no').where('id', '=', first.agreement.id).executeTakeFirstOrThrow()).external_agreement_no).executeTakeFirstOrThrow();
    expect(atAlipay.status).toBe('UNSIGN');
    expect(await agreementOf(g.parentToken)).toMatchObject({ id: second.agreement.id, gateway: 'wechat' });
  });

  /** The sandbox's signing notices of a contract are lost: never delivered. */
  const loseNoticesOf = async (externalNo: string) => {
    const contract = await contractAtWechat(externalNo);
    const notices = await d.t.ctx.db.selectFrom('sandbox_notifications').select('id').where('sandbox_agreement_id', '=', contract.id).execute();
    expect(notices.length).toBeGreaterThan(0);
    await d.t.ctx.db.deleteFrom('jobs').where('unique_key', 'in', notices.map((n) => `${deliverNotificationJob}:${n.id}:0`)).execute();
  };
  const unsignsQueued = (agreementId: string) => d.t.ctx.db.selectFrom('audit_log').select(['actor_role', 'after']).where('entity_id', '=', agreementId).where('action', '=', 'payments.agreement.unsign_queued').execute();

  it('ended here while signing, then signed on WeChat’s page whose ENTRUST.SIGN never comes: the job asks WeChat and terminates it there, audited', async () => {
    const f = await d.family();
    const wechat = (await startSigning(f)).json();
    const alipay = (await startSigning(f, 'alipay')).json(); // switched: the WeChat signing is ended here
    const row = await d.t.ctx.db.selectFrom('payment_agreements').selectAll().where('id', '=', wechat.agreement.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'ended', agreement_no: null });
    // The parent agrees on WeChat's page left open; its ENTRUST.SIGN is lost.
    await actAtAgreementPage(wechat.signUrl, 'agree');
    await loseNoticesOf(row.external_agreement_no);
    await d.runJobs();
    expect(await contractAtWechat(row.external_agreement_no)).toMatchObject({ status: 'NORMAL' });
    // Not asked straight away (the notice usually comes first).
    expect(await checkEndedSignings(d.t.ctx)).toMatchObject({ unsigned: 0 });
    expect(await unsignsQueued(row.id)).toEqual([]);
    // The auto top-up job, a while later, asks WeChat (the contract query): signed, so terminated there.
    d.t.clock.advance(lateSigningFirstCheckMs);
    await runAutoTopUps(d.t.ctx);
    const contract = await contractAtWechat(row.external_agreement_no);
    expect(await unsignsQueued(row.id)).toEqual([{ actor_role: 'system', after: { agreementNo: contract.agreement_no, via: 'query' } }]);
    await d.runJobs();
    expect(await contractAtWechat(row.external_agreement_no)).toMatchObject({ status: 'UNSIGN' });
    // Known now: never asked again; the Alipay signing the parent chose is untouched.
    d.t.clock.advance(24 * 3600_000);
    await checkEndedSignings(d.t.ctx);
    expect(await unsignsQueued(row.id)).toHaveLength(1);
    expect(await d.t.ctx.db.selectFrom('payment_agreements').select(['id', 'status', 'gateway_settled_at']).where('parent_id', '=', f.parent.id).orderBy('status').execute())
      .toEqual([{ id: row.id, status: 'ended', gateway_settled_at: expect.any(Date) }, { id: alipay.agreement.id, status: 'signing', gateway_settled_at: null }]);
  });

  it('ended here before the parent agreed is asked again, each time after a longer wait, for a week, then no more', async () => {
    const f = await d.family();
    const { agreement, signUrl } = (await startSigning(f)).json();
    expect((await d.t.app.inject({ method: 'DELETE', url: `/api/v1/me/payment-agreement/${agreement.id}`, headers: d.headers(f.parentToken) })).statusCode).toBe(200);
    const row = await agreementRow(f.parent.id);
    expect(row).toMatchObject({ id: agreement.id, status: 'ended', agreement_no: null });
    const checkedAt = async () => (await d.t.ctx.db.selectFrom('payment_agreements').select('gateway_checked_at').where('id', '=', row.id).executeTakeFirstOrThrow()).gateway_checked_at;
    // Ten minutes on: asked, nothing at WeChat yet.
    d.t.clock.advance(lateSigningFirstCheckMs);
    await checkEndedSignings(d.t.ctx);
    expect(await checkedAt()).toEqual(d.t.clock.now());
    // Then the parent agrees on the page still open, and the notice is lost.
    await actAtAgreementPage(signUrl, 'agree');
    await loseNoticesOf(row.external_agreement_no);
    // Five minutes later it is not asked yet (the wait is as long as it had been ended: ten minutes); ten minutes later it is.
    d.t.clock.advance(5 * 60_000);
    await checkEndedSignings(d.t.ctx);
    expect(await unsignsQueued(row.id)).toEqual([]);
    d.t.clock.advance(5 * 60_000);
    await checkEndedSignings(d.t.ctx);
    expect(await unsignsQueued(row.id)).toHaveLength(1);
    await d.runJobs();
    expect(await contractAtWechat(row.external_agreement_no)).toMatchObject({ status: 'UNSIGN' });

    // One ended more than a week ago is not asked about.
    const g = await d.family();
    const old = (await startSigning(g)).json();
    expect((await d.t.app.inject({ method: 'DELETE', url: `/api/v1/me/payment-agreement/${old.agreement.id}`, headers: d.headers(g.parentToken) })).statusCode).toBe(200);
    d.t.clock.advance((lateSigningCheckDays * 24 + 1) * 3600_000);
    await actAtAgreementPage(old.signUrl, 'agree');
    await loseNoticesOf((await agreementRow(g.parent.id)).external_agreement_no);
    await checkEndedSignings(d.t.ctx);
    expect(await unsignsQueued(old.agreement.id)).toEqual([]);
  });

  it('ended here while signing are asked about a bounded number a run, oldest ending first', async () => {
    // Earlier tests' agreements are not this test's business.
    await d.t.ctx.db.updateTable('payment_agreements').set({ gateway_settled_at: d.t.clock.now() }).where('status', '=', 'ended').where('gateway_settled_at', 'is', null).execute();
    const endedSigning = async () => {
      const f = await d.family();
      const { agreement } = (await startSigning(f)).json();
      expect((await d.t.app.inject({ method: 'DELETE', url: `/api/v1/me/payment-agreement/${agreement.id}`, headers: d.headers(f.parentToken) })).statusCode).toBe(200);
      return agreement.id as string;
    };
    const newer = await endedSigning();
    await d.t.ctx.db.updateTable('payment_agreements').set({ ended_at: new Date(d.t.clock.now().getTime() + 60_000) }).where('id', '=', newer).execute();
    const older = await endedSigning();
    d.t.clock.advance(lateSigningFirstCheckMs + 60_000);
    const checked = async () => (await d.t.ctx.db.selectFrom('payment_agreements').select('id').where('id', 'in', [older, newer]).where('gateway_checked_at', 'is not', null).execute()).map((r) => r.id);
    expect(await checkEndedSignings(d.t.ctx, 1)).toEqual({ asked: 1, unsigned: 0 });
    expect(await checked()).toEqual([older]);
    expect(await checkEndedSignings(d.t.ctx, 1)).toEqual({ asked: 1, unsigned: 0 });
    expect((await checked()).sort()).toEqual([older, newer].sort());
    // Both asked: neither is due again until its wait is over.
    expect(await checkEndedSignings(d.t.ctx)).toEqual({ asked: 0, unsigned: 0 });
  });

  it('is held by the database too: a second live agreement for a parent cannot be written', async () => {
    const f = await signedFamily();
    const live = await agreementRow(f.parent.id);
    const insert = d.t.ctx.db.insertInto('payment_agreements').values({
      ...live, id: '01900000-0000-7000-8000-000000000001', gateway: 'alipay', external_agreement_no: 'OCsecondlive', agreement_no: null, status: 'signing', signed_at: null,
    }).execute();
    await expect(insert).rejects.toThrow(/payment_agreements_one_live/);
  });
});

describe('auto top-ups charged through the contract', () => {
  it('are accepted (扣款中), then settled once by WeChat’s TRANSACTION.SUCCESS, and texted', async () => {
    const { f, cardId } = await withAutoTopUp();
    expect(await runAutoTopUps(d.t.ctx)).toMatchObject({ charged: 0, pending: 1, failed: 0 });
    const [run] = await runsOf(cardId);
    expect(run).toMatchObject({ status: 'charging', texted_at: null });
    const order = await d.order(f.parentToken, run!.order_id);
    expect(order).toMatchObject({ status: 'paying', charging: true, amountFen: 5_000 });
    expect(await d.t.ctx.db.selectFrom('payment_attempts').select(['gateway', 'cashier_url']).where('order_id', '=', order.id).execute()).toEqual([{ gateway: 'wechat', cashier_url: expect.stringMatching(/^agreement:/) }]);
    expect(await d.purseFen(f.student.id)).toBe(0);
    // The card is not charged again while its charge is being made.
    expect(await runAutoTopUps(d.t.ctx)).toMatchObject({ pending: 0 });

    await d.runJobs(); // WeChat makes the charge, then notifies it over HTTP
    expect(await d.purseFen(f.student.id)).toBe(5_000);
    expect((await runsOf(cardId))[0]).toMatchObject({ status: 'paid' });
    expect(await d.order(f.parentToken, order.id)).toMatchObject({ status: 'fulfilled', autoTopUp: true, gateway: 'wechat' });
    expect((await d.notifications(order.orderNo)).map((n) => [n.gateway, n.outcome])).toEqual([['wechat', 'processed']]);
    expect(await d.ledgerTransactionsOf(order.id)).toHaveLength(1);
    await runAutoTopUps(d.t.ctx);
    expect(await textsTo(f.parent.phone)).toEqual([expect.stringContaining('余额低于 ¥10.00，已为其自动充值 ¥50.00（微信支付委托代扣）')]);
    // Spent again today: not charged again today.
    await d.spend(f.student.id, 4_500);
    expect(await runAutoTopUps(d.t.ctx)).toMatchObject({ charged: 0, pending: 0 });
    // The day's reconciliation finds WeChat's payment booked once.
    const report = await reconcileDay(d.t.ctx, shanghaiDate(d.t.clock.now()));
    expect(report.findings.filter((x) => x.orderNo === order.orderNo)).toEqual([]);
    expect(report.totals.wechat.gatewayPaidFen).toBeGreaterThanOrEqual(5_000);
    await d.expectLedgerClean();
  });

  it('whose notification never comes are asked about after a while, and settled from WeChat’s answer', async () => {
    const { f, cardId } = await withAutoTopUp();
    // WeChat cannot reach Onecard's notify URL.
    await d.t.ctx.db.updateTable('payment_agreements').set({ notify_url: 'http://127.0.0.1:9/api/v1/payments/notify/wechat' }).where('parent_id', '=', f.parent.id).execute();
    expect(await runAutoTopUps(d.t.ctx)).toMatchObject({ pending: 1 });
    await d.runJobs(); // charged at WeChat; the notification fails to arrive
    const [run] = await runsOf(cardId);
    expect(run).toMatchObject({ status: 'charging' });
    expect(await d.purseFen(f.student.id)).toBe(0);
    // Too soon to ask: left alone.
    await runAutoTopUps(d.t.ctx);
    expect((await runsOf(cardId))[0]).toMatchObject({ status: 'charging' });
    d.t.clock.advance(chargeQueryAfterMs);
    await runAutoTopUps(d.t.ctx); // asks WeChat (query by out_trade_no): SUCCESS, settled as the notification would have
    expect((await runsOf(cardId))[0]).toMatchObject({ status: 'paid' });
    expect(await d.purseFen(f.student.id)).toBe(5_000);
    await runAutoTopUps(d.t.ctx);
    expect(await textsTo(f.parent.phone)).toEqual([expect.stringContaining('（微信支付委托代扣）')]);
    expect(await d.ledgerTransactionsOf(run!.order_id)).toHaveLength(1);
    await d.expectLedgerClean();
  });

  it('unconfirmed when their order expired become refunding once WeChat reports the late payment, then refunded once WeChat confirms the refund', async () => {
    const { f, cardId } = await withAutoTopUp();
    // WeChat accepts the charge but makes it only 40 minutes later, after the order's 30-minute limit.
    await d.t.ctx.db.insertInto('settings').values({ key: papayChargeDelaySetting, value: JSON.stringify(40 * 60_000), updated_at: d.t.clock.now(), updated_by: null }).execute();
    try {
      expect(await runAutoTopUps(d.t.ctx)).toMatchObject({ pending: 1 });
      const [run] = await runsOf(cardId);
      const recent = async () => (await setting(f)).json().recent;
      d.t.clock.advance(31 * 60_000);
      await runAutoTopUps(d.t.ctx); // WeChat says ACCEPT: left alone
      await expireDueOrders(d.t.ctx); // asked once more, not paid: the order expires
      expect((await d.order(f.parentToken, run!.order_id)).status).toBe('expired');
      // WeChat is out of reach for a while, so the trade's close (关单) does not happen.
      const endpoint = (await d.t.ctx.db.selectFrom('payment_attempts').select('gateway_base_url').where('order_id', '=', run!.order_id).executeTakeFirstOrThrow()).gateway_base_url;
      await d.t.ctx.db.updateTable('payment_attempts').set({ gateway_base_url: 'http://127.0.0.1:9/v3' }).where('order_id', '=', run!.order_id).execute();
      await d.runJobs();
      await runAutoTopUps(d.t.ctx);
      expect((await runsOf(cardId))[0]).toMatchObject({ status: 'failed', failure: 'unconfirmed' });
      expect(await recent()).toEqual([expect.objectContaining({ status: 'failed', failure: 'unconfirmed' })]);
      expect(await textsTo(f.parent.phone)).toEqual([expect.stringContaining('未成功：未能确认扣款结果；如已扣款，将原路退回')]);

      // WeChat makes the charge after all and notifies it: kept for a refund, which WeChat cannot be asked for yet.
      d.t.clock.advance(10 * 60_000);
      await d.runJobs();
      const refunds = () => d.t.ctx.db.selectFrom('payment_refunds').select(['reason', 'status', 'amount_fen']).where('order_id', '=', run!.order_id).execute();
      expect(await refunds()).toEqual([{ reason: 'late_payment', status: 'requested', amount_fen: 5_000 }]);
      await runAutoTopUps(d.t.ctx);
      expect((await runsOf(cardId))[0]).toMatchObject({ status: 'failed', failure: 'refunding' });
      expect(await recent()).toEqual([expect.objectContaining({ status: 'failed', failure: 'refunding' })]);

      // WeChat is back: the refund is sent again and confirmed; the run is refunded.
      await d.t.ctx.db.updateTable('payment_attempts').set({ gateway_base_url: endpoint }).where('order_id', '=', run!.order_id).execute();
      d.t.clock.advance(2 * 60_000);
      await retryStaleRefunds(d.t.ctx);
      expect(await refunds()).toEqual([{ reason: 'late_payment', status: 'succeeded', amount_fen: 5_000 }]);
      await runAutoTopUps(d.t.ctx);
      expect((await runsOf(cardId))[0]).toMatchObject({ status: 'failed', failure: 'refunded' });
      expect(await recent()).toEqual([expect.objectContaining({ status: 'failed', failure: 'refunded' })]);
      // Texted once, when the run first finished; the purse was never credited.
      expect(await textsTo(f.parent.phone)).toHaveLength(1);
      expect(await d.purseFen(f.student.id)).toBe(0);
      await d.expectLedgerClean();
    } finally {
      await d.t.ctx.db.deleteFrom('settings').where('key', '=', papayChargeDelaySetting).execute();
    }
  });

  it('refunding a late payment that WeChat gives up on (ABNORMAL) say the refund failed and wait for an operator, not refunding forever', async () => {
    const { f, cardId } = await withAutoTopUp();
    await d.t.ctx.db.insertInto('settings').values({ key: papayChargeDelaySetting, value: JSON.stringify(40 * 60_000), updated_at: d.t.clock.now(), updated_by: null }).execute();
    try {
      expect(await runAutoTopUps(d.t.ctx)).toMatchObject({ pending: 1 });
      const [run] = await runsOf(cardId);
      const recent = async () => (await setting(f)).json().recent;
      d.t.clock.advance(31 * 60_000);
      await runAutoTopUps(d.t.ctx);
      await expireDueOrders(d.t.ctx);
      const endpoint = (await d.t.ctx.db.selectFrom('payment_attempts').select('gateway_base_url').where('order_id', '=', run!.order_id).executeTakeFirstOrThrow()).gateway_base_url;
      await d.t.ctx.db.updateTable('payment_attempts').set({ gateway_base_url: 'http://127.0.0.1:9/v3' }).where('order_id', '=', run!.order_id).execute();
      await d.runJobs();
      await runAutoTopUps(d.t.ctx);
      expect((await runsOf(cardId))[0]).toMatchObject({ status: 'failed', failure: 'unconfirmed' });
      // WeChat makes the charge after all; once it can be reached, its refund is answered ABNORMAL (the payer's account cannot take it).
      d.t.clock.advance(10 * 60_000);
      await d.runJobs();
      const refunds = () => d.t.ctx.db.selectFrom('payment_refunds').select(['id', 'reason', 'status', 'amount_fen']).where('order_id', '=', run!.order_id).execute();
      expect(await refunds()).toEqual([expect.objectContaining({ reason: 'late_payment', status: 'requested' })]);
      await d.t.ctx.db.updateTable('payment_attempts').set({ gateway_base_url: endpoint }).where('order_id', '=', run!.order_id).execute();
      await d.t.ctx.db.insertInto('settings').values({ key: refundFailureSetting, value: JSON.stringify('ABNORMAL'), updated_at: d.t.clock.now(), updated_by: null }).execute();
      d.t.clock.advance(2 * 60_000);
      await retryStaleRefunds(d.t.ctx);
      expect(await refunds()).toEqual([expect.objectContaining({ reason: 'late_payment', status: 'failed', amount_fen: 5_000 })]);
      await runAutoTopUps(d.t.ctx);
      expect((await runsOf(cardId))[0]).toMatchObject({ status: 'failed', failure: 'refund_failed' });
      expect(await recent()).toEqual([expect.objectContaining({ status: 'failed', failure: 'refund_failed' })]);
      // An operator sends it to the payer's bank card (异常退款): refunding again, then refunded once WeChat's REFUND.SUCCESS books it.
      const [failed] = await refunds();
      const operator = await d.t.factory.operatorToken();
      const applied = await d.request('POST', `/admin/refunds/${failed!.id}/abnormal-refund`, operator, { route: 'user_bank_card', bankType: 'CCB_DEBIT', bankAccount: '6217000010001234567', realName: '王芳' });
      expect(applied.statusCode, applied.body).toBe(200);
      await runAutoTopUps(d.t.ctx);
      expect((await runsOf(cardId))[0]).toMatchObject({ status: 'failed', failure: 'refunding' });
      await d.runJobs();
      expect(await refunds()).toEqual([expect.objectContaining({ id: failed!.id, status: 'succeeded' })]);
      await runAutoTopUps(d.t.ctx);
      expect((await runsOf(cardId))[0]).toMatchObject({ status: 'failed', failure: 'refunded' });
      expect(await d.purseFen(f.student.id)).toBe(0);
      await d.expectLedgerClean();
    } finally {
      await d.t.ctx.db.deleteFrom('settings').where('key', 'in', [papayChargeDelaySetting, refundFailureSetting]).execute();
    }
  });

  it('that WeChat could not make (PAYERROR) are cancelled, move no money, and are texted', async () => {
    const { f, cardId } = await withAutoTopUp({ withholdingFails: true });
    expect(await runAutoTopUps(d.t.ctx)).toMatchObject({ pending: 1 });
    await d.runJobs(); // WeChat tries, the payer's account cannot pay, nothing is notified
    d.t.clock.advance(chargeQueryAfterMs);
    await runAutoTopUps(d.t.ctx);
    const [run] = await runsOf(cardId);
    expect(run).toMatchObject({ status: 'failed', failure: 'payment_failed' });
    expect((await d.order(f.parentToken, run!.order_id)).status).toBe('cancelled');
    expect(await d.purseFen(f.student.id)).toBe(0);
    await runAutoTopUps(d.t.ctx);
    expect(await textsTo(f.parent.phone)).toEqual([expect.stringContaining('自动充值 ¥50.00 未成功：微信支付扣款失败')]);
    await d.expectLedgerClean();
  });

  it('are not credited by a forged TRANSACTION.SUCCESS', async () => {
    const { f, cardId } = await withAutoTopUp();
    await d.t.ctx.db.updateTable('payment_agreements').set({ notify_url: 'http://127.0.0.1:9/api/v1/payments/notify/wechat' }).where('parent_id', '=', f.parent.id).execute();
    await runAutoTopUps(d.t.ctx);
    const [run] = await runsOf(cardId);
    const order = await d.order(f.parentToken, run!.order_id);
    const keys = (await sandboxKeys(d.t.ctx)).wechat;
    const genuine = await d.wechatNotification({ out_trade_no: order.orderNo, transaction_id: '4200000001202611230000000099', amount: { total: 5_000, currency: 'CNY' }, success_time: '2026-11-23T10:00:04+08:00', mchid: keys.mchid });
    const signature = genuine.headers['wechatpay-signature']!;
    const forged = { body: genuine.body, headers: { ...genuine.headers, 'wechatpay-signature': `${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}` } };
    const res = await d.postWechatNotify(forged);
    expect(res.statusCode).toBe(400);
    expect(await d.purseFen(f.student.id)).toBe(0);
    expect((await runsOf(cardId))[0]).toMatchObject({ status: 'charging' });
    const stored = await d.t.ctx.db.selectFrom('gateway_notifications').select(['outcome', 'verified', 'error_code']).where('raw_body', '=', forged.body).execute();
    expect(stored).toEqual([{ outcome: 'rejected', verified: false, error_code: 'NOTIFY_SIGNATURE_INVALID' }]);
    // The genuine one (the same body, WeChat's own signature) settles it.
    expect((await d.postWechatNotify(genuine)).statusCode).toBe(204);
    expect(await d.purseFen(f.student.id)).toBe(5_000);
    expect((await runsOf(cardId))[0]).toMatchObject({ status: 'paid' });
  });

  it('end when the contract is gone at WeChat: the agreement ends here with the auto top-ups, and the parent is texted', async () => {
    const { f, cardId } = await withAutoTopUp();
    const row = await agreementRow(f.parent.id);
    // Terminated at WeChat without Onecard hearing of it (its notification lost).
    await d.t.ctx.db.updateTable('sandbox_agreements').set({ status: 'UNSIGN', unsigned_at: d.t.clock.now() }).where('external_agreement_no', '=', row.external_agreement_no).execute();
    expect(await runAutoTopUps(d.t.ctx)).toMatchObject({ failed: 1 });
    expect((await runsOf(cardId))[0]).toMatchObject({ status: 'failed', failure: 'agreement_invalid' });
    expect(await agreementOf(f.parentToken)).toBeNull();
    expect((await setting(f)).json()).toMatchObject({ thresholdFen: null, agreementActive: false });
    expect(await textsTo(f.parent.phone)).toEqual([expect.stringContaining('免密代扣协议已失效')]);
  });
});

describe('ending the contract', () => {
  it('terminates it at WeChat (by template and out_contract_code) and ends the parent’s auto top-ups; WeChat’s ENTRUST.TERMINATE of it texts nobody', async () => {
    const { f, cardId } = await withAutoTopUp();
    const row = await agreementRow(f.parent.id);
    const ended = await d.t.app.inject({ method: 'DELETE', url: `/api/v1/me/payment-agreement/${row.id}`, headers: d.headers(f.parentToken, { 'idempotency-key': `end-${row.id}` }) });
    expect(ended.statusCode, ended.body).toBe(200);
    expect(await contractAtWechat(row.external_agreement_no)).toMatchObject({ status: 'UNSIGN' });
    const client = await agreementClient(d.t.ctx, 'wechat', row.gateway_base_url);
    expect(await client.queryAgreement(row.external_agreement_no)).toMatchObject({ state: 'ended', agreementNo: row.agreement_no });
    expect(await agreementRow(f.parent.id)).toMatchObject({ id: row.id, status: 'ended' });
    expect((await setting(f)).json()).toMatchObject({ thresholdFen: null, agreementActive: false });
    await d.runJobs(); // ENTRUST.TERMINATE for the termination Onecard asked for
    expect((await notificationsAbout(row.external_agreement_no)).map((n) => [n.outcome, n.verified])).toEqual([['processed', true], ['processed', true]]);
    expect(await runAutoTopUps(d.t.ctx)).toMatchObject({ charged: 0, pending: 0 });
    expect(await runsOf(cardId)).toEqual([]);
    expect(await textsTo(f.parent.phone)).toEqual([]);
  });

  it('in WeChat (自动续费/免密支付 → 关闭服务) ends it here by ENTRUST.TERMINATE: auto top-ups stop and the parent is texted', async () => {
    const { f } = await withAutoTopUp();
    const row = await agreementRow(f.parent.id);
    const contract = await contractAtWechat(row.external_agreement_no);
    const closed = await closeInAlipayApp(`${d.origin}/api/v1/sandbox/wechat/agreement/${contract.id}/app`);
    expect([closed.status, closed.html.includes('服务已关闭')]).toEqual([200, true]);
    await d.runJobs();
    expect(await agreementRow(f.parent.id)).toMatchObject({ id: row.id, status: 'ended' });
    expect((await setting(f)).json()).toMatchObject({ thresholdFen: null, agreementActive: false });
    expect(await textsTo(f.parent.phone)).toEqual([expect.stringContaining('您的微信支付委托代扣协议已解约，孩子学生卡的自动充值已停止')]);
  });
});

describe('the sandbox’s 委托代扣 API', () => {
  it('verifies the merchant’s signature as WeChat does: a request signed with another key is refused (SIGN_ERROR) and changes nothing', async () => {
    const f = await signedFamily();
    const row = await agreementRow(f.parent.id);
    const keys = (await sandboxKeys(d.t.ctx)).wechat;
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    const forger = new WechatPayClient({
      appId: keys.appId, mchid: keys.mchid, serialNo: keys.merchantSerialNo, privateKey: stranger.privateKey, platformKeys: new Map([[keys.platformSerialNo, keys.platformPublicKey]]), apiV3Key: keys.apiV3Key, planId: sandboxWechatPlanId,
    }, row.gateway_base_url, d.t.clock);
    const refusal = async (promise: Promise<unknown>) => {
      const error = await promise.then(() => undefined, (e: unknown) => e);
      return isDomainError(error) ? { error: error.code, ...error.details } : error;
    };
    expect(await refusal(forger.queryAgreement(row.external_agreement_no))).toMatchObject({ error: 'GATEWAY_REJECTED', httpStatus: 401, code: 'SIGN_ERROR' });
    const outTradeNo = 'forged0000000000000000000000001';
    expect(await refusal(forger.withhold({ outTradeNo, amountFen: 1_000, subject: '北京学生卡自动充值', agreementNo: row.agreement_no!, notifyUrl: row.notify_url }))).toMatchObject({ error: 'GATEWAY_REJECTED', httpStatus: 401, code: 'SIGN_ERROR' });
    expect(await refusal(forger.unsignAgreement({ externalAgreementNo: row.external_agreement_no, agreementNo: row.agreement_no! }))).toMatchObject({ error: 'GATEWAY_REJECTED', httpStatus: 401, code: 'SIGN_ERROR' });
    expect(await d.t.ctx.db.selectFrom('sandbox_payments').select('id').where('out_trade_no', '=', outTradeNo).execute()).toEqual([]);
    expect(await contractAtWechat(row.external_agreement_no)).toMatchObject({ status: 'NORMAL' });
    // And Onecard's own client, with the merchant's key, is answered.
    expect(await (await agreementClient(d.t.ctx, 'wechat', row.gateway_base_url)).queryAgreement(row.external_agreement_no)).toMatchObject({ state: 'active', agreementNo: row.agreement_no });
  });
});
