import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isDomainError } from '../../../domain/errors.js';
import {
  alipayForm, alipaySignContent, jsonMemberText, parseAlipayForm, signAlipayNotification, signAlipayRequest, signedAlipayResponse, verifiedAlipayResponse,
  verifyAlipayNotification, verifyAlipayRequest,
} from './alipay.js';
import { AlipayNotificationVerifier } from './alipay-client.js';

const rsaPair = () => generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
const app = rsaPair();
const platform = rsaPair();

describe('the string Alipay signs', () => {
  it('sorts by name, joins k=v with &, and leaves out empty values and the excluded names', () => {
    // The shape of Alipay's documented notification example (values shortened).
    const params = { total_amount: '2.00', buyer_id: '2088102116773037', body: '大乐透2.1', sign: 'xyz', sign_type: 'RSA2', charset: 'utf-8', notify_id: 'abc', refund_fee: '', gmt_create: '2016-07-19 14:10:44' };
    expect(alipaySignContent(params, ['sign', 'sign_type'])).toBe('body=大乐透2.1&buyer_id=2088102116773037&charset=utf-8&gmt_create=2016-07-19 14:10:44&notify_id=abc&total_amount=2.00');
    expect(alipaySignContent(params, ['sign'])).toContain('&sign_type=RSA2&');
  });
});

describe('Alipay RSA2 request signing', () => {
  const request = { app_id: '2021000000000001', method: 'alipay.trade.query', charset: 'utf-8', sign_type: 'RSA2', timestamp: '2026-11-23 10:00:00', version: '1.0', biz_content: '{"out_trade_no":"c89fd3a27674070828521d070e80083"}' };

  it('verifies what it signed, and sign_type is covered', () => {
    const signed = signAlipayRequest(request, app.privateKey);
    expect(verifyAlipayRequest(signed, app.publicKey)).toBe(true);
    expect(verifyAlipayRequest({ ...signed, sign_type: 'RSA' }, app.publicKey)).toBe(false);
  });

  it('fails on a tampered field, another key, or a missing signature', () => {
    const signed = signAlipayRequest(request, app.privateKey);
    expect(verifyAlipayRequest({ ...signed, biz_content: '{"out_trade_no":"other"}' }, app.publicKey)).toBe(false);
    expect(verifyAlipayRequest(signed, platform.publicKey)).toBe(false);
    const { sign: _sign, ...unsigned } = signed;
    expect(verifyAlipayRequest(unsigned, app.publicKey)).toBe(false);
    expect(verifyAlipayRequest({ ...signed, sign: 'not base64 at all!' }, app.publicKey)).toBe(false);
  });
});

describe('Alipay asynchronous notifications', () => {
  const notice = {
    notify_time: '2026-11-23 10:00:05', notify_type: 'trade_status_sync', notify_id: 'ac05099524730693a8b330c5ecf72da9786', app_id: '2021000000000001', seller_id: '2088000000000001',
    trade_no: '2026112322001400001234567890', out_trade_no: 'c89fd3a27674070828521d070e80083', trade_status: 'TRADE_SUCCESS', total_amount: '15.00', gmt_payment: '2026-11-23 10:00:04', charset: 'utf-8', version: '1.0',
  };

  it('round-trips through the form encoding, Chinese and all', () => {
    const signed = signAlipayNotification({ ...notice, subject: '北京市中小学生学习卡补卡工本费' }, platform.privateKey);
    const received = parseAlipayForm(alipayForm(signed));
    expect(received).toEqual(signed);
    expect(verifyAlipayNotification(received!, platform.publicKey)).toBe(true);
  });

  it('fails when the amount, status or order number is changed', () => {
    const signed = signAlipayNotification(notice, platform.privateKey);
    for (const change of [{ total_amount: '1500.00' }, { trade_status: 'TRADE_FINISHED' }, { out_trade_no: 'another' }] as Record<string, string>[]) {
      expect(verifyAlipayNotification({ ...signed, ...change }, platform.publicKey)).toBe(false);
    }
  });

  it('is refused by the merchant verifier when forged, for another app, or malformed', () => {
    const verifier = new AlipayNotificationVerifier({ appId: notice.app_id, sellerId: notice.seller_id, appPrivateKey: app.privateKey, alipayPublicKey: platform.publicKey });
    const code = (body: string) => {
      try {
        verifier.verify({}, body);
        return 'accepted';
      } catch (error) {
        return isDomainError(error) ? error.code : 'thrown';
      }
    };
    expect(verifier.verify({}, alipayForm(signAlipayNotification(notice, platform.privateKey)))).toMatchObject({ paid: true, amountFen: 1500, tradeNo: notice.trade_no });
    expect(code(alipayForm(signAlipayNotification(notice, app.privateKey)))).toBe('NOTIFY_SIGNATURE_INVALID');
    expect(code(alipayForm(signAlipayNotification({ ...notice, app_id: '2021999999999999' }, platform.privateKey)))).toBe('NOTIFY_MERCHANT_MISMATCH');
    expect(code(alipayForm(signAlipayNotification({ ...notice, total_amount: '15.001' }, platform.privateKey)))).toBe('NOTIFY_MALFORMED');
    expect(code('a=1&a=2')).toBe('NOTIFY_MALFORMED');
  });
});

describe('Alipay signed responses', () => {
  it('verifies the exact text of the response member', () => {
    const raw = signedAlipayResponse('alipay.trade.query', { code: '10000', msg: 'Success', trade_status: 'TRADE_SUCCESS', total_amount: '15.00', note: 'a "quoted" {brace}' }, platform.privateKey);
    expect(verifiedAlipayResponse(raw, 'alipay.trade.query', platform.publicKey)).toMatchObject({ code: '10000', total_amount: '15.00' });
    expect(verifiedAlipayResponse(raw.replace('15.00', '99.00'), 'alipay.trade.query', platform.publicKey)).toBeUndefined();
    expect(verifiedAlipayResponse(raw, 'alipay.trade.refund', platform.publicKey)).toBeUndefined();
    expect(verifiedAlipayResponse(raw, 'alipay.trade.query', app.publicKey)).toBeUndefined();
  });

  it('finds a member across whitespace and nested braces in strings', () => {
    expect(jsonMemberText('{ "x_response" : {"a":"}{\\"","b":{"c":1}} , "sign":"s"}', 'x_response')).toBe('{"a":"}{\\"","b":{"c":1}}');
    expect(jsonMemberText('{"sign":"s"}', 'x_response')).toBeUndefined();
  });

  it('keeps a field named __proto__ a plain field', () => {
    expect(Object.keys(parseAlipayForm('__proto__=x&a=1') ?? {})).toEqual(['__proto__', 'a']);
  });
});
