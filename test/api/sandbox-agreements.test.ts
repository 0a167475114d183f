import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isDomainError } from '../../src/domain/errors.js';
import { signedAlipayResponse } from '../../src/modules/payments/gateways/alipay.js';
import { AlipayClient, type AlipayMerchant } from '../../src/modules/payments/gateways/alipay-client.js';
import { agreementClient, sandboxEndpoint, sandboxKeys } from '../../src/modules/payments/gateways/registry.js';
import { setWithholdingFails } from '../../src/modules/payments/sandbox/sandbox-agreements.js';
import { actAtAgreementPage, openCashier } from '../../src/modules/payments/sandbox/sandbox-payer.js';
import { PaymentsDriver } from './payments-driver.js';

let d: PaymentsDriver;
let client: AlipayClient;
beforeAll(async () => {
  d = await PaymentsDriver.start();
  client = (await agreementClient(d.t.ctx, 'alipay', sandboxEndpoint(d.origin, 'alipay'))) as AlipayClient;
});
afterAll(async () => d.close());
const now = new Date('2026-11-23T02:00:00Z');
beforeEach(() => d.t.clock.set(now.toISOString()));

const newNo = () => randomBytes(16).toString('hex').slice(0, 31);
const returnUrl = () => `${d.origin}/app/auto-top-up/return?x=1&y=<2>`;
const notifyUrl = () => `${d.origin}/api/v1/payments/notify/alipay`;
const signUrl = (externalAgreementNo: string) => client.agreementSignUrl({ externalAgreementNo, externalLogonId: '13812345678', returnUrl: returnUrl(), notifyUrl: notifyUrl() });

/** A new agreement, agreed on the page (with the page's test switch when asked); its agreement_no. */
async function signed(switches: { withholdingFails?: boolean } = {}): Promise<{ externalNo: string; agreementNo: string }> {
  const externalNo = newNo();
  const result = await actAtAgreementPage(await signUrl(externalNo), 'agree', switches);
  expect(result.html).toContain('签约成功');
  const state = await client.queryAgreement(externalNo);
  if (!state.agreementNo) throw new Error('no agreement number after signing');
  return { externalNo, agreementNo: state.agreementNo };
}

async function rejection(promise: Promise<unknown>): Promise<{ code: string; details: Record<string, unknown> | undefined }> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  if (!isDomainError(error)) throw new Error(`expected a DomainError, got ${String(error)}`);
  return { code: error.code, details: error.details };
}

describe('signing a withholding agreement on the sandbox agreement page', () => {
  it('shows the page, and agreeing puts the agreement in force with its number', async () => {
    const externalNo = newNo();
    const page = await openCashier(await signUrl(externalNo));
    expect(page.status).toBe(200);
    expect(page.cashierPageUrl).toMatch(new RegExp(`^${d.origin}/api/v1/sandbox/alipay/agreement/[0-9a-f-]{36}$`));
    for (const text of ['支付宝 · 商户代扣服务', '北京市政交通一卡通有限公司', '北京学生卡 自动充值', '单笔不超过 ¥500', '138****5678', '同意并签约', '取消', '（测试）之后的扣款均以余额不足失败']) {
      expect(page.html).toContain(text);
    }
    expect(page.html).not.toContain('13812345678');
    expect(await client.queryAgreement(externalNo)).toEqual({ state: 'pending', agreementNo: null, signedAt: null });

    const result = await actAtAgreementPage(await signUrl(externalNo), 'agree');
    expect(result).toMatchObject({ status: 200, returnUrl: returnUrl() });
    expect(result.html).toContain('签约成功');
    expect(result.html).not.toContain('y=<2>'); // the return address is escaped on the page
    const state = await client.queryAgreement(externalNo);
    expect(state).toEqual({ state: 'active', agreementNo: expect.stringMatching(/^20\d{18}$/), signedAt: now });
    expect(result.html).toContain(state.agreementNo);
  });

  it('leaves the agreement pending when the user cancels, and lets them sign with the same number later', async () => {
    const externalNo = newNo();
    const cancelled = await actAtAgreementPage(await signUrl(externalNo), 'cancel');
    expect(cancelled).toMatchObject({ status: 200, returnUrl: returnUrl() });
    expect(cancelled.html).toContain('已取消签约');
    expect(await client.queryAgreement(externalNo)).toEqual({ state: 'pending', agreementNo: null, signedAt: null });

    expect((await actAtAgreementPage(await signUrl(externalNo), 'agree')).html).toContain('签约成功');
    expect((await client.queryAgreement(externalNo)).state).toBe('active');
    const again = await actAtAgreementPage(await signUrl(externalNo), 'agree');
    expect(again).toMatchObject({ status: 400, returnUrl: null });
    expect(again.html).toContain('该商户签约号已签约');
  });

  it('does not know a number nobody signed', async () => {
    expect(await client.queryAgreement(newNo())).toEqual({ state: 'not_found', agreementNo: null, signedAt: null });
  });

  it('refuses a link whose signature does not match, and opens no agreement', async () => {
    const externalNo = newNo();
    const url = new URL(await signUrl(externalNo));
    const biz = JSON.parse(url.searchParams.get('biz_content') ?? '{}') as Record<string, unknown>;
    url.searchParams.set('biz_content', JSON.stringify({ ...biz, external_logon_id: '13900000000' }));
    const refused = await actAtAgreementPage(url.toString(), 'agree');
    expect(refused).toMatchObject({ status: 400, returnUrl: null });
    expect(refused.html).toContain('isv.invalid-signature');
    expect(refused.html).toContain('无法签约');
    expect(await client.queryAgreement(externalNo)).toMatchObject({ state: 'not_found' });
  });

  it('refuses a return or notify address that is not a web address', async () => {
    const cases = [
      { field: 'return_url', urls: { returnUrl: 'javascript:alert(1)', notifyUrl: notifyUrl() } },
      { field: 'notify_url', urls: { returnUrl: returnUrl(), notifyUrl: 'file:///etc/passwd' } },
    ];
    for (const { field, urls } of cases) {
      const externalAgreementNo = newNo();
      const refused = await actAtAgreementPage(await client.agreementSignUrl({ externalAgreementNo, externalLogonId: '13812345678', ...urls }), 'agree');
      expect([field, refused.status]).toEqual([field, 400]);
      expect(refused.html).toContain(field);
      expect(await client.queryAgreement(externalAgreementNo)).toMatchObject({ state: 'not_found' });
    }
  });
});

describe('withholding under an agreement (alipay.trade.pay, GENERAL_WITHHOLDING)', () => {
  it('takes the money at once: the trade is paid, refundable, and notified to notify_url', async () => {
    const { agreementNo } = await signed();
    const outTradeNo = newNo();
    const result = await client.withhold({ outTradeNo, amountFen: 5_000, subject: '学生卡自动充值', agreementNo, notifyUrl: notifyUrl() });
    expect(result).toEqual({ ok: true, tradeNo: expect.stringMatching(/^\d{28}$/), amountFen: 5_000, paidAt: now });
    if (result.ok !== true) return;
    expect(await client.queryTrade(outTradeNo)).toEqual({ state: 'paid', tradeNo: result.tradeNo, amountFen: 5_000, paidAt: now });

    await d.runJobs();
    const notes = await d.notifications(outTradeNo);
    // Onecard has no order with this number, so it refuses the payment; what matters here is
    // that the sandbox notified the trade, signed so that Onecard's verifier accepts it.
    expect(notes.length).toBeGreaterThan(0);
    expect(notes[0]).toMatchObject({ gateway: 'alipay', verified: true, trade_no: result.tradeNo, amount_fen: 5_000 });

    expect(await client.refund({ outTradeNo, tradeNo: result.tradeNo, refundFen: 5_000, totalFen: 5_000, outRequestNo: newNo(), reason: '测试', notifyUrl: null })).toMatchObject({ done: true });
  });

  it('throws for an out_trade_no paid already, leaving the caller to query it', async () => {
    const { agreementNo } = await signed();
    const request = { outTradeNo: newNo(), amountFen: 2_000, subject: '学生卡自动充值', agreementNo, notifyUrl: notifyUrl() };
    expect((await client.withhold(request)).ok).toBe(true);
    expect(await rejection(client.withhold(request))).toMatchObject({ code: 'GATEWAY_REJECTED', details: { subCode: 'ACQ.TRADE_HAS_SUCCESS' } });
  });

  it('fails for want of balance with the page’s test switch, opening no trade', async () => {
    const { agreementNo } = await signed({ withholdingFails: true });
    const request = { outTradeNo: newNo(), amountFen: 3_000, subject: '学生卡自动充值', agreementNo, notifyUrl: notifyUrl() };
    expect(await client.withhold(request)).toEqual({ ok: false, reason: 'balance_not_enough', subCode: 'ACQ.BUYER_BALANCE_NOT_ENOUGH', message: '买家余额不足' });
    expect((await client.queryTrade(request.outTradeNo)).state).toBe('not_found');

    await setWithholdingFails(d.t.ctx.db, agreementNo, false);
    expect((await client.withhold(request)).ok).toBe(true);
  });

  it('stops once the agreement is unsigned, and unsigning twice is harmless', async () => {
    const { externalNo, agreementNo } = await signed();
    await client.unsignAgreement({ externalAgreementNo: '', agreementNo });
    expect(await client.queryAgreement(externalNo)).toEqual({ state: 'not_found', agreementNo: null, signedAt: null });
    const result = await client.withhold({ outTradeNo: newNo(), amountFen: 1_000, subject: '学生卡自动充值', agreementNo, notifyUrl: notifyUrl() });
    expect(result).toMatchObject({ ok: false, reason: 'agreement_invalid', subCode: 'ACQ.AGREEMENT_NOT_EXIST' });
    await expect(client.unsignAgreement({ externalAgreementNo: '', agreementNo })).resolves.toBeUndefined();
  });

  it('refuses an agreement number it never issued, and amounts over the single limit', async () => {
    const unknown = await client.withhold({ outTradeNo: newNo(), amountFen: 1_000, subject: '学生卡自动充值', agreementNo: '20000000000000000000', notifyUrl: notifyUrl() });
    expect(unknown).toMatchObject({ ok: false, reason: 'agreement_invalid' });
    const { agreementNo } = await signed();
    const tooMuch = client.withhold({ outTradeNo: newNo(), amountFen: 50_001, subject: '学生卡自动充值', agreementNo, notifyUrl: notifyUrl() });
    expect(await rejection(tooMuch)).toMatchObject({ code: 'GATEWAY_REJECTED', details: { code: '40002', subCode: 'isv.invalid-parameter' } });
    expect((await client.withhold({ outTradeNo: newNo(), amountFen: 50_000, subject: '学生卡自动充值', agreementNo, notifyUrl: notifyUrl() })).ok).toBe(true);
  });
});

describe('signatures on the agreement API', () => {
  async function merchant(): Promise<AlipayMerchant> {
    const keys = (await sandboxKeys(d.t.ctx)).alipay;
    return { appId: keys.appId, sellerId: keys.sellerId, appPrivateKey: keys.appPrivateKey, alipayPublicKey: keys.platformPublicKey };
  }
  it('are refused by the sandbox when the merchant signs with another key', async () => {
    const { agreementNo } = await signed();
    const forger = new AlipayClient({ ...(await merchant()), appPrivateKey: rsaKeys().privateKey }, sandboxEndpoint(d.origin, 'alipay'), d.t.clock);
    expect(await rejection(forger.queryAgreement(newNo()))).toMatchObject({ code: 'GATEWAY_REJECTED', details: { subCode: 'isv.invalid-signature' } });
    expect(await rejection(forger.unsignAgreement({ externalAgreementNo: '', agreementNo }))).toMatchObject({ code: 'GATEWAY_REJECTED', details: { subCode: 'isv.invalid-signature' } });
    const outTradeNo = newNo();
    expect(await rejection(forger.withhold({ outTradeNo, amountFen: 1_000, subject: '学生卡自动充值', agreementNo, notifyUrl: notifyUrl() }))).toMatchObject({ code: 'GATEWAY_REJECTED' });
    expect((await client.queryTrade(outTradeNo)).state).toBe('not_found');
    expect((await client.withhold({ outTradeNo, amountFen: 1_000, subject: '学生卡自动充值', agreementNo, notifyUrl: notifyUrl() })).ok).toBe(true); // still in force
  });

  it('make the client throw when the answer is not signed by Alipay’s key', async () => {
    const { agreementNo } = await signed();
    const fooled = new AlipayClient({ ...(await merchant()), alipayPublicKey: rsaKeys().publicKey }, sandboxEndpoint(d.origin, 'alipay'), d.t.clock);
    expect(await rejection(fooled.withhold({ outTradeNo: newNo(), amountFen: 1_000, subject: '学生卡自动充值', agreementNo, notifyUrl: notifyUrl() }))).toMatchObject({ code: 'GATEWAY_RESPONSE_INVALID' });
    expect(await rejection(fooled.queryAgreement(newNo()))).toMatchObject({ code: 'GATEWAY_RESPONSE_INVALID' });
  });
});

/**
 * Answers the sandbox never gives (Alipay still processing, a system error), from a stand-in
 * gateway that signs them with the sandbox's platform key: the client must tell a definite
 * refusal (money did not move) from an outcome it does not know (it throws).
 */
describe('the client’s reading of alipay.trade.pay answers', () => {
  let server: Server;
  let answer: Record<string, unknown> = {};
  let fake: AlipayClient;
  beforeAll(async () => {
    const keys = (await sandboxKeys(d.t.ctx)).alipay;
    server = createServer((_request, response) => {
      response.setHeader('content-type', 'application/json; charset=utf-8');
      response.end(signedAlipayResponse('alipay.trade.pay', answer, keys.platformPrivateKey));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fake = new AlipayClient({ appId: keys.appId, sellerId: keys.sellerId, appPrivateKey: keys.appPrivateKey, alipayPublicKey: keys.platformPublicKey }, `http://127.0.0.1:${(server.address() as AddressInfo).port}/gateway.do`, d.t.clock);
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const request = { outTradeNo: 'o1', amountFen: 1_000, subject: '学生卡自动充值', agreementNo: '20000000000000000001', notifyUrl: 'http://127.0.0.1/notify' };

  it.each([
    ['10003 (still paying)', { code: '10003', msg: 'Order success pay inprocess', sub_code: 'ACQ.ORDER_SUCCESS_PAY_INPROCESS' }, 'GATEWAY_REJECTED'],
    ['20000', { code: '20000', msg: 'Service Currently Unavailable', sub_code: 'aop.unknow-error' }, 'GATEWAY_REJECTED'],
    ['ACQ.SYSTEM_ERROR', { code: '40004', msg: 'Business Failed', sub_code: 'ACQ.SYSTEM_ERROR', sub_msg: '系统错误' }, 'GATEWAY_REJECTED'],
    ['a success for another trade', { code: '10000', msg: 'Success', out_trade_no: 'another', trade_no: '2026112322001400000000000001', total_amount: '10.00' }, 'GATEWAY_RESPONSE_INVALID'],
  ])('throws when the outcome is unknown: %s', async (_name, response, code) => {
    answer = response;
    expect(await rejection(fake.withhold(request))).toMatchObject({ code });
  });

  it('reads 10000 as paid, at gmt_payment', async () => {
    answer = { code: '10000', msg: 'Success', out_trade_no: 'o1', trade_no: '2026112322001400000000000001', total_amount: '10.00', gmt_payment: '2026-11-23 10:00:05' };
    expect(await fake.withhold(request)).toEqual({ ok: true, tradeNo: '2026112322001400000000000001', amountFen: 1_000, paidAt: new Date('2026-11-23T02:00:05Z') });
  });

  it.each([
    ['ACQ.AGREEMENT_STATUS_NOT_NORMAL', 'agreement_invalid'],
    ['ACQ.AGREEMENT_INVALID', 'agreement_invalid'],
    ['ACQ.TRADE_HAS_CLOSE', 'refused'],
    ['ACQ.PAYMENT_AUTH_CODE_INVALID', 'refused'],
  ])('reads 40004 %s as a definite refusal (%s)', async (subCode, reason) => {
    answer = { code: '40004', msg: 'Business Failed', sub_code: subCode, sub_msg: '失败' };
    expect(await fake.withhold(request)).toEqual({ ok: false, reason, subCode, message: '失败' });
  });

  it('throws when the gateway cannot be reached', async () => {
    const keys = (await sandboxKeys(d.t.ctx)).alipay;
    const unreachable = new AlipayClient({ appId: keys.appId, sellerId: keys.sellerId, appPrivateKey: keys.appPrivateKey, alipayPublicKey: keys.platformPublicKey }, 'http://127.0.0.1:1/gateway.do', d.t.clock);
    expect(await rejection(unreachable.withhold(request))).toMatchObject({ code: 'GATEWAY_UNAVAILABLE' });
  });
});

/** A key pair that is neither the merchant's nor Alipay's. */
function rsaKeys(): { privateKey: string; publicKey: string } {
  return generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
}
