import { isDomainError } from '../../../domain/errors.js';
import type { Clock } from '../../../platform/clock.js';
import { fail } from '../../../platform/errors.js';
import { parseAlipayBillZip } from './alipay-bill.js';
import { alipayForm, alipaySignType, signAlipayRequest, verifiedAlipayResponse } from './alipay.js';
import type { AlipayMerchant } from './alipay-client.js';
import { BillFormatError, type BillAnswer, type BillClient, type TradeBill } from './bill.js';
import { alipayTime } from './formats.js';
import { callGateway } from './http.js';
import { checkWechatSignature, wechatAuthorization } from './wechat.js';
import type { WechatMerchant } from './wechat-client.js';
import { parseWechatBill, wechatBillHashMatches } from './wechat-bill.js';
import '../payments.errors.js';

/** A bill file is larger than an API answer, and Alipay's link lives 30 seconds: a minute is plenty. */
const downloadTimeoutMs = 60_000;
/** A school's day is at most some thousands of lines (a few MB); anything this large is not its bill. */
export const maxBillBytes = 64 * 1024 * 1024;

/** A download address from the gateway's answer; one that is not an http(s) URL is an invalid answer. */
function billUrl(gateway: string, text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw fail('GATEWAY_RESPONSE_INVALID', { gateway, operation: 'bill', reason: 'download address not a URL' });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw fail('GATEWAY_RESPONSE_INVALID', { gateway, operation: 'bill', reason: 'download address not http(s)' });
  return url;
}

/**
 * GET of a bill file's bytes, at most maxBillBytes; a network failure, a timeout or a connection
 * lost mid-file is GATEWAY_UNAVAILABLE, any status but 200 GATEWAY_REJECTED, a file too large
 * GATEWAY_RESPONSE_INVALID. Only domain errors leave it.
 */
async function download(gateway: string, url: URL, headers: Record<string, string>): Promise<Uint8Array> {
  const unavailable = (error: unknown) => fail('GATEWAY_UNAVAILABLE', { url: url.origin, reason: error instanceof Error ? error.message : String(error) });
  let response: Response;
  try {
    response = await fetch(url, { headers, signal: AbortSignal.timeout(downloadTimeoutMs) });
  } catch (error) {
    throw unavailable(error);
  }
  if (response.status !== 200) {
    await response.body?.cancel().catch(() => undefined);
    throw fail('GATEWAY_REJECTED', { gateway, operation: 'bill download', httpStatus: response.status });
  }
  const tooLarge = () => fail('GATEWAY_RESPONSE_INVALID', { gateway, operation: 'bill download', reason: `larger than ${maxBillBytes} bytes` });
  if (Number(response.headers.get('content-length') ?? 0) > maxBillBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body?.getReader();
  try {
    for (let part = await reader?.read(); part && !part.done; part = await reader?.read()) {
      size += part.value.byteLength;
      if (size > maxBillBytes) {
        await reader?.cancel().catch(() => undefined);
        throw tooLarge();
      }
      chunks.push(part.value);
    }
  } catch (error) {
    if (isDomainError(error)) throw error;
    throw unavailable(error);
  }
  return Buffer.concat(chunks);
}

/** A file that does not read as the gateway's bill is an invalid answer, like a bad signature. */
function read(gateway: string, parse: () => TradeBill): TradeBill {
  try {
    return parse();
  } catch (error) {
    if (error instanceof BillFormatError) throw fail('GATEWAY_RESPONSE_INVALID', { gateway, operation: 'bill', reason: error.message });
    throw error;
  }
}

const alipayBillMethod = 'alipay.data.dataservice.bill.downloadurl.query';
/** Alipay's answer for a day whose bill is not made yet (or never will be). */
const alipayBillNotExist = 'isp.bill_not_exist';

/** Alipay: alipay.data.dataservice.bill.downloadurl.query (bill_type trade), then the zip at bill_download_url. */
export class AlipayBillClient implements BillClient {
  readonly name = 'alipay' as const;

  constructor(private readonly merchant: AlipayMerchant, private readonly gatewayUrl: string, private readonly clock: Clock) {}

  async tradeBill(date: string): Promise<BillAnswer> {
    const params = signAlipayRequest({
      app_id: this.merchant.appId, method: alipayBillMethod, format: 'JSON', charset: 'utf-8', sign_type: alipaySignType,
      timestamp: alipayTime(this.clock.now()), version: '1.0', biz_content: JSON.stringify({ bill_type: 'trade', bill_date: date }),
    }, this.merchant.appPrivateKey);
    const response = await callGateway(this.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' }, body: alipayForm(params) });
    if (response.status !== 200) throw fail('GATEWAY_REJECTED', { gateway: 'alipay', httpStatus: response.status });
    const answer = verifiedAlipayResponse(response.body, alipayBillMethod, this.merchant.alipayPublicKey);
    if (!answer) throw fail('GATEWAY_RESPONSE_INVALID', { gateway: 'alipay', method: alipayBillMethod });
    if (answer.sub_code === alipayBillNotExist) return { state: 'not_ready', code: alipayBillNotExist };
    if (answer.code !== '10000' || typeof answer.bill_download_url !== 'string') {
      throw fail('GATEWAY_REJECTED', { gateway: 'alipay', method: alipayBillMethod, code: answer.code, subCode: answer.sub_code, message: answer.sub_msg ?? answer.msg });
    }
    const zip = await download('alipay', billUrl('alipay', answer.bill_download_url), {});
    return { state: 'ready', bill: read('alipay', () => parseAlipayBillZip(zip, date)) };
  }
}

/** WeChat Pay's answers for a day with no bill: none will come (no trades), or it is being made. */
const wechatNoStatement = 'NO_STATEMENT_EXIST';
const wechatStatementCreating = 'STATEMENT_CREATING';

/**
 * WeChat Pay APIv3: `GET /v3/bill/tradebill` (signed both ways) answers the file's SHA1 and its
 * download_url; the download is signed by us like any call but comes back unsigned, so its hash is
 * what proves it.
 */
export class WechatBillClient implements BillClient {
  readonly name = 'wechat' as const;

  constructor(private readonly merchant: WechatMerchant, private readonly baseUrl: string, private readonly clock: Clock) {}

  async tradeBill(date: string): Promise<BillAnswer> {
    const url = new URL(`${this.baseUrl}/v3/bill/tradebill?bill_date=${encodeURIComponent(date)}&bill_type=ALL`);
    const response = await callGateway(url.toString(), { method: 'GET', headers: { authorization: this.authorization(url), accept: 'application/json' } });
    const check = checkWechatSignature(Object.fromEntries(response.headers), response.body, this.merchant.platformKeys, this.clock.now());
    if (check !== 'ok') throw fail('GATEWAY_RESPONSE_INVALID', { gateway: 'wechat', check, httpStatus: response.status });
    const json = parseObject(response.body);
    if (response.status === 400 && json.code === wechatStatementCreating) return { state: 'not_ready', code: wechatStatementCreating };
    if (response.status === 400 && json.code === wechatNoStatement) return { state: 'ready', bill: emptyBill(date) };
    if (response.status !== 200 || typeof json.download_url !== 'string') throw fail('GATEWAY_REJECTED', { gateway: 'wechat', operation: 'tradebill', httpStatus: response.status, code: json.code, message: json.message });
    const fileUrl = billUrl('wechat', json.download_url);
    // The download carries our signature: it goes to the API's own host, nowhere else.
    if (fileUrl.origin !== url.origin) throw fail('GATEWAY_RESPONSE_INVALID', { gateway: 'wechat', operation: 'tradebill', reason: 'download_url elsewhere' });
    const bytes = await download('wechat', fileUrl, { authorization: this.authorization(fileUrl), accept: 'application/json' });
    if (!wechatBillHashMatches(bytes, json.hash_type, json.hash_value)) throw fail('GATEWAY_RESPONSE_INVALID', { gateway: 'wechat', operation: 'bill download', reason: 'hash mismatch' });
    return { state: 'ready', bill: read('wechat', () => parseWechatBill(utf8(bytes), date, this.merchant.mchid)) };
  }

  private authorization(url: URL): string {
    return wechatAuthorization({ method: 'GET', pathWithQuery: url.pathname + url.search, body: '' }, { mchid: this.merchant.mchid, serialNo: this.merchant.serialNo, privateKeyPem: this.merchant.privateKey }, this.clock.now());
  }
}

function utf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new BillFormatError('not UTF-8');
  }
}

function emptyBill(date: string): TradeBill {
  return { gateway: 'wechat', date, lines: [], summary: { payments: 0, refunds: 0, paidFen: 0, refundedFen: 0, feeMillifen: 0 } };
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
