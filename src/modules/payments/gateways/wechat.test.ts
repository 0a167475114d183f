import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isDomainError } from '../../../domain/errors.js';
import {
  checkWechatSignature, decryptWechatResource, encryptWechatResource, parseWechatAuthorization, signWechatMessage, verifyWechatRequest, wechatAuthorization, wechatRequestMessage,
} from './wechat.js';
import { WechatNotificationVerifier } from './wechat-client.js';

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
  const verifier = new WechatNotificationVerifier({ appId: 'wx0000000000000001', mchid: '1900000001', serialNo: signer.serialNo, privateKey: merchant.privateKey, platformKeys, apiV3Key });
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
