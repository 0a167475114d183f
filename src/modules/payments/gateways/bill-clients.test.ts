import { createHash, generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDomainError } from '../../../domain/errors.js';
import { WechatBillClient } from './bill-clients.js';
import { parseWechatAuthorization, signWechatMessage, verifyWechatRequest } from './wechat.js';
import type { WechatMerchant } from './wechat-client.js';

const rsaPair = () => generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
const merchant = rsaPair();
const platform = rsaPair();
const platformSerial = '7132D72A03E93CDDF8C03BBD1F37EEDF2BE2B4A2';
const account: WechatMerchant = {
  appId: 'wx8888888888888888', mchid: '1900000109', serialNo: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1', privateKey: merchant.privateKey,
  platformKeys: new Map([[platformSerial, platform.publicKey]]), apiV3Key: 'a'.repeat(32), planId: 1,
};
const bill = [
  '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注',
  '`2026-11-23 10:00:00,`wx8888888888888888,`1900000109,`0,`,`4200000925202611234997714292,`0198a1b2c3d4e5f60718293a4b5c6d7,`o1,`MWEB,`SUCCESS,`OTHERS,`CNY,`15.00,`0.00,`0,`0,`0.00,`0.00,`,`,`补卡工本费,`,`0.09000,`0.60%,`15.00,`0.00,`',
  '总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额',
  '`1,`15.00,`0.00,`0.00,`0.09000,`15.00,`0.00',
].join('\r\n');

/** A stand-in for WeChat Pay: checks the merchant's signature on both calls; `served` is what the download gives. */
let served = bill;
let downloadUrl = '';
const unsignedDownloads: string[] = [];
const server = createServer((request: IncomingMessage, response: ServerResponse) => {
  const auth = parseWechatAuthorization(request.headers.authorization);
  const signed = auth !== undefined && verifyWechatRequest({ method: 'GET', pathWithQuery: request.url ?? '', body: '' }, auth, merchant.publicKey, new Date());
  if (request.url?.startsWith('/v3/billdownload/file')) {
    if (!signed) unsignedDownloads.push(request.url);
    if (request.url.includes('reset') && signed) {
      // Half the file, then the connection is lost.
      response.writeHead(200, { 'content-length': String(Buffer.byteLength(served) * 2) });
      response.write(served, () => response.destroy());
      return;
    }
    response.writeHead(signed ? 200 : 401).end(signed ? served : '');
    return;
  }
  const body = JSON.stringify({ hash_type: 'SHA1', hash_value: createHash('sha1').update(bill).digest('hex'), download_url: downloadUrl });
  response.writeHead(signed ? 200 : 401, { 'content-type': 'application/json', ...signWechatMessage(body, { serialNo: platformSerial, privateKeyPem: platform.privateKey }, new Date()) }).end(body);
});
let baseUrl = '';
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const client = () => new WechatBillClient(account, baseUrl, { now: () => new Date() } as never);
const failure = (promise: Promise<unknown>) => promise.then(() => 'resolved', (error: unknown) => (isDomainError(error) ? `${error.code}: ${String((error.details as { reason?: string }).reason)}` : String(error)));

describe('WeChat Pay bill client', () => {
  it('signs the download like any call and reads the file whose SHA1 the application gave', async () => {
    downloadUrl = `${baseUrl}/v3/billdownload/file?token=abc`;
    served = bill;
    const answer = await client().tradeBill('2026-11-23');
    expect(answer).toMatchObject({ state: 'ready', bill: { summary: { payments: 1, paidFen: 1500, feeMillifen: 9000 } } });
    expect(unsignedDownloads).toEqual([]);
  });

  it('refuses a file that does not hash to what was announced', async () => {
    served = bill.replace('15.00', '16.00');
    expect(await failure(client().tradeBill('2026-11-23'))).toBe('GATEWAY_RESPONSE_INVALID: hash mismatch');
  });

  it('sends its signature nowhere but the API’s own origin', async () => {
    downloadUrl = 'http://127.0.0.2:9/v3/billdownload/file?token=abc';
    expect(await failure(client().tradeBill('2026-11-23'))).toBe('GATEWAY_RESPONSE_INVALID: download_url elsewhere');
  });

  it('maps a connection lost mid-file and a download address that is no URL to the gateway’s errors', async () => {
    served = bill;
    downloadUrl = `${baseUrl}/v3/billdownload/file?token=reset`;
    expect(await failure(client().tradeBill('2026-11-23'))).toMatch(/^GATEWAY_UNAVAILABLE: /);
    downloadUrl = 'not a url';
    expect(await failure(client().tradeBill('2026-11-23'))).toBe('GATEWAY_RESPONSE_INVALID: download address not a URL');
  });
});
