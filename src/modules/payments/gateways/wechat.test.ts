import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDomainError } from '../../../domain/errors.js';
import {
  checkWechatSignature, decryptWechatResource, encryptWechatResource, parseWechatAuthorization, signWechatMessage, verifyWechatRequest, wechatAuthorization, wechatRequestMessage,
} from './wechat.js';
import { WechatNotificationVerifier, WechatPayClient, type WechatMerchant } from './wechat-client.js';

const rsaPair = () => generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
const merchant = rsaPair();
const platform = rsaPair();
const signer = { mchid: '1900000001', serialNo: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1', privateKeyPem: merchant.privateKey };
const platformSerial = '7132D72A03E93CDDF8C03BBD1F37EEDF2BE2B4A2';
const platformKeys = new Map([[platformSerial, platform.publicKey]]);
const now = new Date('2026-11-23T02:00:00Z');
const apiV3Key = 'a'.repeat(16) + 'B'.repeat(16);

describe('WeChat Pay request signatures (WECHATPAY2-SHA256-RSA2048)', () => {
  const request = { method: 'POST', pathWithQuery: '/v3/pay/transactions/h5', body: '{"out_trade_no":"c89fd3a27674070828521d070e80083","amount":{"total":1500}}' };

  it('signs METHOD\\nURL\\ntimestamp\\nnonce\\nbody\\n and puts the five fields in the header', () => {
    expect(wechatRequestMessage(request, '1554208460', 'NONCE')).toBe(`POST\n/v3/pay/transactions/h5\n1554208460\nNONCE\n${request.body}\n`);
    const header = wechatAuthorization(request, signer, now);
    expect(header).toMatch(/^WECHATPAY2-SHA256-RSA2048 mchid="1900000001",nonce_str="[A-Za-z0-9]{32}",signature="[A-Za-z0-9+/=]+",timestamp="\d+",serial_no="5157F09E[0-9A-F]+"$/);
    const auth = parseWechatAuthorization(header);
    expect(auth).toMatchObject({ mchid: signer.mchid, serialNo: signer.serialNo, timestamp: String(now.getTime() / 1000) });
    expect(verifyWechatRequest(request, auth!, merchant.publicKey, now)).toBe(true);
  });

  it('fails on a tampered body, path or method, another key, or a stale timestamp', () => {
    const auth = parseWechatAuthorization(wechatAuthorization(request, signer, now))!;
    expect(verifyWechatRequest({ ...request, body: request.body.replace('1500', '1') }, auth, merchant.publicKey, now)).toBe(false);
    expect(verifyWechatRequest({ ...request, pathWithQuery: '/v3/refund/domestic/refunds' }, auth, merchant.publicKey, now)).toBe(false);
    expect(verifyWechatRequest({ ...request, method: 'GET' }, auth, merchant.publicKey, now)).toBe(false);
    expect(verifyWechatRequest(request, auth, platform.publicKey, now)).toBe(false);
    expect(verifyWechatRequest(request, auth, merchant.publicKey, new Date(now.getTime() + 301_000))).toBe(false);
    expect(parseWechatAuthorization('Bearer abc')).toBeUndefined();
  });
});

describe('WeChat Pay response and notification signatures', () => {
  const body = '{"id":"EV-2018022511223320873","event_type":"TRANSACTION.SUCCESS"}';

  it('verifies timestamp\\nnonce\\nbody\\n with the platform key named by Wechatpay-Serial', () => {
    const headers = signWechatMessage(body, { serialNo: platformSerial, privateKeyPem: platform.privateKey }, now);
    expect(checkWechatSignature({ ...headers }, body, platformKeys, now)).toBe('ok');
  });

  it('refuses a changed body, an unknown serial, a replay after five minutes and missing headers', () => {
    const headers = signWechatMessage(body, { serialNo: platformSerial, privateKeyPem: platform.privateKey }, now);
    expect(checkWechatSignature({ ...headers }, body.replace('SUCCESS', 'REFUND'), platformKeys, now)).toBe('bad_signature');
    expect(checkWechatSignature({ ...headers, 'wechatpay-serial': 'OTHER' }, body, platformKeys, now)).toBe('unknown_serial');
    expect(checkWechatSignature({ ...headers }, body, platformKeys, new Date(now.getTime() + 6 * 60_000))).toBe('stale_timestamp');
    expect(checkWechatSignature({ ...headers, 'wechatpay-nonce': 'x' }, body, platformKeys, now)).toBe('bad_signature');
    expect(checkWechatSignature({}, body, platformKeys, now)).toBe('missing_headers');
  });
});

describe('AEAD_AES_256_GCM resources', () => {
  it('decrypts with the APIv3 key, nonce and associated data', () => {
    const resource = encryptWechatResource('{"trade_state":"SUCCESS"}', apiV3Key, 'transaction', 'transaction');
    expect(resource.nonce).toMatch(/^[A-Za-z0-9]{12}$/);
    expect(decryptWechatResource(resource, apiV3Key)).toBe('{"trade_state":"SUCCESS"}');
  });

  it('fails when the ciphertext, associated data or nonce changed, or the key is another', () => {
    const resource = encryptWechatResource('{"trade_state":"SUCCESS"}', apiV3Key, 'transaction', 'transaction');
    const bytes = Buffer.from(resource.ciphertext, 'base64');
    bytes[0] = (bytes[0] ?? 0) ^ 1;
    expect(() => decryptWechatResource({ ...resource, ciphertext: bytes.toString('base64') }, apiV3Key)).toThrow();
    expect(() => decryptWechatResource({ ...resource, associated_data: 'refund' }, apiV3Key)).toThrow();
    expect(() => decryptWechatResource({ ...resource, nonce: 'AAAAAAAAAAAA' }, apiV3Key)).toThrow();
    expect(() => decryptWechatResource(resource, 'c'.repeat(32))).toThrow();
    expect(() => decryptWechatResource(resource, 'short')).toThrow(RangeError);
  });
});

describe('the merchant verifier for WeChat Pay notifications', () => {
  const verifier = new WechatNotificationVerifier({ appId: 'wx0000000000000001', mchid: '1900000001', serialNo: signer.serialNo, privateKey: merchant.privateKey, platformKeys, apiV3Key, planId: 12535 });
  const notification = (transaction: Record<string, unknown>, eventType = 'TRANSACTION.SUCCESS', originalType = 'transaction') => {
    const body = JSON.stringify({ id: 'EV-1', create_time: '2026-11-23T10:00:00+08:00', resource_type: 'encrypt-resource', event_type: eventType, summary: '支付成功', resource: encryptWechatResource(JSON.stringify(transaction), apiV3Key, originalType, originalType) });
    return { body, headers: { ...signWechatMessage(body, { serialNo: platformSerial, privateKeyPem: platform.privateKey }, now) } };
  };
  const paid = { appid: 'wx0000000000000001', mchid: '1900000001', out_trade_no: 'c89fd3a27674070828521d070e80083', transaction_id: '4200000001202611230000000001', trade_state: 'SUCCESS', success_time: '2026-11-23T10:00:04+08:00', amount: { total: 1500, currency: 'CNY' } };
  const code = (headers: Record<string, string>, body: string) => {
    try {
      verifier.verify(headers, body, now);
      return 'accepted';
    } catch (error) {
      return isDomainError(error) ? error.code : 'thrown';
    }
  };

  it('accepts a genuine notification and reads the decrypted transaction', () => {
    const { headers, body } = notification(paid);
    expect(verifier.verify(headers, body, now)).toMatchObject({ notifyId: 'EV-1', paid: true, amountFen: 1500, outTradeNo: paid.out_trade_no, tradeNo: paid.transaction_id, paidAt: new Date('2026-11-23T02:00:04Z') });
  });

  it('refuses a tampered body, another merchant, and a non-payment event is not paid', () => {
    const { headers, body } = notification(paid);
    expect(code(headers, body.replace('TRANSACTION.SUCCESS', 'TRANSACTION.SUCCES5'))).toBe('NOTIFY_SIGNATURE_INVALID');
    const other = notification({ ...paid, mchid: '1900000002' });
    expect(code(other.headers, other.body)).toBe('NOTIFY_MERCHANT_MISMATCH');
    const refund = notification({ ...paid, trade_state: 'REFUND' }, 'TRANSACTION.REFUND');
    expect(verifier.verify(refund.headers, refund.body, now)).toMatchObject({ kind: 'payment', paid: false });
  });

  const refunded = {
    mchid: '1900000001', out_trade_no: paid.out_trade_no, transaction_id: paid.transaction_id, out_refund_no: '0193a1b2c3d47e5f8a9b0c1d2e3f4a5b', refund_id: '50000000012026112300000000001',
    refund_status: 'SUCCESS', success_time: '2026-11-23T10:05:00+08:00', user_received_account: '支付用户零钱', amount: { total: 1500, refund: 500, payer_total: 1500, payer_refund: 500 },
  };

  it('reads a refund outcome (REFUND.SUCCESS / ABNORMAL / CLOSED) from its refund resource', () => {
    const { headers, body } = notification(refunded, 'REFUND.SUCCESS', 'refund');
    expect(verifier.verify(headers, body, now)).toEqual({
      kind: 'refund', gateway: 'wechat', notifyId: 'EV-1', outTradeNo: paid.out_trade_no, outRequestNo: refunded.out_refund_no, gatewayRefundNo: refunded.refund_id, refundFen: 500, status: 'SUCCESS',
      receivedAccount: '支付用户零钱', // where the money went: the booking of a 异常退款 is decided by it
    });
    const abnormal = notification({ ...refunded, refund_status: 'ABNORMAL' }, 'REFUND.ABNORMAL', 'refund');
    expect(verifier.verify(abnormal.headers, abnormal.body, now)).toMatchObject({ kind: 'refund', status: 'ABNORMAL' });
  });

  it('refuses a refund outcome for another merchant, with an unknown status, or without its numbers', () => {
    const other = notification({ ...refunded, mchid: '1900000002' }, 'REFUND.SUCCESS', 'refund');
    expect(code(other.headers, other.body)).toBe('NOTIFY_MERCHANT_MISMATCH');
    const unknown = notification({ ...refunded, refund_status: 'PROCESSING' }, 'REFUND.SUCCESS', 'refund');
    expect(code(unknown.headers, unknown.body)).toBe('NOTIFY_MALFORMED');
    const { out_refund_no: _dropped, ...withoutNumber } = refunded;
    const bare = notification(withoutNumber, 'REFUND.SUCCESS', 'refund');
    expect(code(bare.headers, bare.body)).toBe('NOTIFY_MALFORMED');
  });
});

const merchantAccount: WechatMerchant = { appId: 'wx0000000000000001', mchid: '1900000001', serialNo: signer.serialNo, privateKey: merchant.privateKey, platformKeys, apiV3Key, planId: 12535 };

describe('WeChat Pay 委托代扣 contract notifications (ENTRUST.SIGN / ENTRUST.TERMINATE)', () => {
  const verifier = new WechatNotificationVerifier(merchantAccount);
  const contract = {
    mchid: '1900000001', appid: 'wx0000000000000001', contract_id: 'Wx15463511252015071056489715', plan_id: 12535, out_contract_code: 'OC0193a1b2c3d47e5f8a9b0c1d2e3f4a', openid: 'o-1',
    contract_state: 'SIGNED', contract_signed_time: '2026-11-23T10:00:00+08:00',
  };
  const terminated = { ...contract, contract_state: 'TERMINATED', contract_terminate_info: { contract_termination_mode: 'USER_TERMINATE', contract_terminated_time: '2026-11-24T09:00:00+08:00' } };
  const notice = (resource: Record<string, unknown>, eventType: string, originalType = 'entrust') => {
    const body = JSON.stringify({ id: 'EV-9', create_time: '2026-11-23T10:00:01+08:00', resource_type: 'encrypt-resource', event_type: eventType, summary: '委托代扣', resource: encryptWechatResource(JSON.stringify(resource), apiV3Key, originalType, originalType) });
    return { body, headers: { ...signWechatMessage(body, { serialNo: platformSerial, privateKeyPem: platform.privateKey }, now) } };
  };
  const code = (n: { headers: Record<string, string>; body: string }) => {
    try {
      verifier.verify(n.headers, n.body, now);
      return 'accepted';
    } catch (error) {
      return isDomainError(error) ? error.code : 'thrown';
    }
  };

  it('reads a signing and a termination from the decrypted contract', () => {
    const signed = notice(contract, 'ENTRUST.SIGN');
    expect(verifier.verify(signed.headers, signed.body, now)).toEqual({
      kind: 'agreement', gateway: 'wechat', notifyId: 'EV-9', externalAgreementNo: contract.out_contract_code, agreementNo: contract.contract_id, event: 'signed', at: new Date('2026-11-23T02:00:00Z'),
    });
    const ended = notice(terminated, 'ENTRUST.TERMINATE');
    expect(verifier.verify(ended.headers, ended.body, now)).toMatchObject({ kind: 'agreement', event: 'unsigned', at: new Date('2026-11-24T01:00:00Z') });
  });

  it('refuses a forged or altered one, another merchant’s, another template’s, or a state that does not fit the event', () => {
    const signed = notice(contract, 'ENTRUST.SIGN');
    expect(code({ headers: signed.headers, body: signed.body.replace('EV-9', 'EV-8') })).toBe('NOTIFY_SIGNATURE_INVALID');
    expect(code({ headers: { ...signed.headers, 'wechatpay-serial': 'OTHER' }, body: signed.body })).toBe('NOTIFY_SIGNATURE_INVALID');
    // Re-signed after the ciphertext was altered: the signature holds, the GCM tag does not.
    const parsed = JSON.parse(signed.body) as { resource: { ciphertext: string } };
    parsed.resource.ciphertext = `${parsed.resource.ciphertext.slice(0, -4)}AAAA`;
    const altered = JSON.stringify(parsed);
    expect(code({ body: altered, headers: { ...signWechatMessage(altered, { serialNo: platformSerial, privateKeyPem: platform.privateKey }, now) } })).toBe('NOTIFY_MALFORMED');
    expect(code(notice({ ...contract, mchid: '1900000002' }, 'ENTRUST.SIGN'))).toBe('NOTIFY_MERCHANT_MISMATCH');
    expect(code(notice({ ...contract, appid: 'wx0000000000000002' }, 'ENTRUST.SIGN'))).toBe('NOTIFY_MERCHANT_MISMATCH');
    expect(code(notice({ ...contract, plan_id: 99 }, 'ENTRUST.SIGN'))).toBe('NOTIFY_MALFORMED');
    expect(code(notice(terminated, 'ENTRUST.SIGN'))).toBe('NOTIFY_MALFORMED');
    expect(code(notice(contract, 'ENTRUST.TERMINATE'))).toBe('NOTIFY_MALFORMED');
    const { contract_id: _dropped, ...withoutId } = contract;
    expect(code(notice(withoutId, 'ENTRUST.SIGN'))).toBe('NOTIFY_MALFORMED');
  });
});

/**
 * The merchant client against a stand-in WeChat Pay that checks the merchant's signature with
 * the merchant public key, as the gateway does, and signs its answers with the platform key.
 */
describe('the WeChat Pay 委托代扣 client (APIv3 papay)', () => {
  let baseUrl = '';
  const seen: { method: string; path: string; body: string; authorised: boolean }[] = [];
  let answers: Record<string, { status: number; body?: unknown; forged?: boolean }> = {};
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const path = request.url ?? '';
      const auth = parseWechatAuthorization(request.headers.authorization);
      const authorised = auth !== undefined && auth.mchid === signer.mchid && verifyWechatRequest({ method: request.method ?? '', pathWithQuery: path, body }, auth, merchant.publicKey, new Date());
      seen.push({ method: request.method ?? '', path, body, authorised });
      const planned = authorised ? answers[`${request.method} ${path.split('?')[0]}`] ?? { status: 404, body: { code: 'NOT_FOUND', message: '?' } } : { status: 401, body: { code: 'SIGN_ERROR', message: '签名错误' } };
      const text = planned.body === undefined ? '' : JSON.stringify(planned.body);
      const headers = signWechatMessage(planned.forged ? `${text} ` : text, { serialNo: platformSerial, privateKeyPem: platform.privateKey }, new Date());
      response.writeHead(planned.status, { 'content-type': 'application/json', ...headers }).end(text);
    });
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const client = () => new WechatPayClient(merchantAccount, baseUrl, { now: () => new Date() } as never);
  const contractPath = '/v3/papay/sign/contracts/plan-id/12535/out-contract-code/OC1';
  const contract = { mchid: '1900000001', appid: 'wx0000000000000001', contract_id: 'Wx1', plan_id: 12535, out_contract_code: 'OC1', contract_state: 'SIGNED', contract_signed_time: '2026-11-23T10:00:00+08:00' };
  const failure = async (promise: Promise<unknown>) => {
    const error = await promise.then(() => undefined, (e: unknown) => e);
    return isDomainError(error) ? { code: error.code, details: error.details } : error;
  };

  it('pre-signs with a signed request naming our template, and follows the answer’s link', async () => {
    answers = { 'POST /v3/papay/entrust-sign/contracts/pre-entrust-sign': { status: 200, body: { redirect_url: 'https://sign.example/contract/1' } } };
    const link = await client().agreementSignUrl({ externalAgreementNo: 'OC1', externalLogonId: 'parent-1', returnUrl: 'https://onecard.example/me', notifyUrl: 'https://onecard.example/api/v1/payments/notify/wechat' });
    expect(link).toBe('https://sign.example/contract/1');
    const request = seen.at(-1)!;
    expect(request.authorised).toBe(true);
    expect(JSON.parse(request.body)).toMatchObject({ appid: 'wx0000000000000001', plan_id: 12535, out_contract_code: 'OC1', contract_notify_url: 'https://onecard.example/api/v1/payments/notify/wechat', return_url: 'https://onecard.example/me' });
  });

  it('reads the contract query: not found before signing, SIGNED active, TERMINATED ended; another template’s contract is not trusted', async () => {
    answers = { [`GET ${contractPath}`]: { status: 404, body: { code: 'RESOURCE_NOT_EXISTS', message: '签约协议不存在' } } };
    expect(await client().queryAgreement('OC1')).toEqual({ state: 'not_found', agreementNo: null, signedAt: null });
    answers = { [`GET ${contractPath}`]: { status: 200, body: contract } };
    expect(await client().queryAgreement('OC1')).toEqual({ state: 'active', agreementNo: 'Wx1', signedAt: new Date('2026-11-23T02:00:00Z') });
    answers = { [`GET ${contractPath}`]: { status: 200, body: { ...contract, contract_state: 'TERMINATED' } } };
    expect(await client().queryAgreement('OC1')).toMatchObject({ state: 'ended', agreementNo: 'Wx1' });
    answers = { [`GET ${contractPath}`]: { status: 200, body: { ...contract, plan_id: 1 } } };
    expect(await failure(client().queryAgreement('OC1'))).toMatchObject({ code: 'GATEWAY_RESPONSE_INVALID' });
    // An answer whose platform signature does not match its body is never read.
    answers = { [`GET ${contractPath}`]: { status: 200, body: contract, forged: true } };
    expect(await failure(client().queryAgreement('OC1'))).toMatchObject({ code: 'GATEWAY_RESPONSE_INVALID', details: { check: 'bad_signature' } });
  });

  it('charges by 受理扣款: accepted is pending (扣款中), refusals say why, an unknown outcome throws', async () => {
    const request = { outTradeNo: 'c89fd3a27674070828521d070e80083', amountFen: 5000, subject: '北京学生卡自动充值', agreementNo: 'Wx1', notifyUrl: 'https://onecard.example/api/v1/payments/notify/wechat' };
    const apply = 'POST /v3/papay/pay/transactions/apply';
    answers = { [apply]: { status: 200, body: { out_trade_no: request.outTradeNo, amount: { total: 5000, currency: 'CNY' } } } };
    expect(await client().withhold(request)).toEqual({ ok: 'pending' });
    expect(JSON.parse(seen.at(-1)!.body)).toEqual({ appid: 'wx0000000000000001', out_trade_no: request.outTradeNo, description: request.subject, transaction_notify_url: request.notifyUrl, contract_id: 'Wx1', amount: { total: 5000, currency: 'CNY' } });
    answers = { [apply]: { status: 200, body: { out_trade_no: request.outTradeNo, amount: { total: 1, currency: 'CNY' } } } };
    expect(await failure(client().withhold(request))).toMatchObject({ code: 'GATEWAY_RESPONSE_INVALID' });
    answers = { [apply]: { status: 403, body: { code: 'CONTRACT_ERROR', message: '委托代扣协议不存在或已解约' } } };
    expect(await client().withhold(request)).toMatchObject({ ok: false, reason: 'agreement_invalid', subCode: 'CONTRACT_ERROR' });
    answers = { [apply]: { status: 403, body: { code: 'NOT_ENOUGH', message: '余额不足' } } };
    expect(await client().withhold(request)).toMatchObject({ ok: false, reason: 'balance_not_enough' });
    for (const unknown of [{ status: 400, body: { code: 'ORDERPAID', message: '该订单已支付' } }, { status: 500, body: { code: 'SYSTEM_ERROR', message: '系统错误' } }, { status: 401, body: { code: 'SIGN_ERROR', message: '签名错误' } }]) {
      answers = { [apply]: unknown };
      expect(await failure(client().withhold(request))).toMatchObject({ code: 'GATEWAY_REJECTED' });
    }
  });

  it('terminates by template and out_contract_code; a contract WeChat never had counts as ended', async () => {
    answers = { [`POST ${contractPath}/terminate`]: { status: 200, body: { ...contract, contract_state: 'TERMINATED' } } };
    await expect(client().unsignAgreement({ externalAgreementNo: 'OC1', agreementNo: 'Wx1' })).resolves.toBeUndefined();
    expect(seen.at(-1)).toMatchObject({ method: 'POST', path: `${contractPath}/terminate`, authorised: true });
    answers = { [`POST ${contractPath}/terminate`]: { status: 404, body: { code: 'RESOURCE_NOT_EXISTS', message: '签约协议不存在' } } };
    await expect(client().unsignAgreement({ externalAgreementNo: 'OC1', agreementNo: 'Wx1' })).resolves.toBeUndefined();
    answers = { [`POST ${contractPath}/terminate`]: { status: 200, body: contract } };
    expect(await failure(client().unsignAgreement({ externalAgreementNo: 'OC1', agreementNo: 'Wx1' }))).toMatchObject({ code: 'GATEWAY_RESPONSE_INVALID' });
  });

  it('is refused by a gateway that checks signatures when it signs with another key', async () => {
    const forger = new WechatPayClient({ ...merchantAccount, privateKey: rsaPair().privateKey }, baseUrl, { now: () => new Date() } as never);
    answers = { [`GET ${contractPath}`]: { status: 200, body: contract } };
    expect(await failure(forger.queryAgreement('OC1'))).toMatchObject({ code: 'GATEWAY_REJECTED', details: { httpStatus: 401, code: 'SIGN_ERROR' } });
    expect(seen.at(-1)!.authorised).toBe(false);
  });
});
