import { parseYuanToFen } from '../../../domain/money.js';

/** Amount and time formats the gateways put on the wire. */

/** 1500 → '15.00': Alipay's amounts are yuan strings with two decimals. */
export function fenToYuan(fen: number): string {
  if (!Number.isSafeInteger(fen) || fen < 0) throw new RangeError(`not an amount in fen: ${fen}`);
  return `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
}

/** '15.00' → 1500, strictly (no third decimal, no sign); undefined for anything else. */
export function yuanToFen(yuan: string | undefined): number | undefined {
  if (yuan === undefined || !/^\d+(\.\d{1,2})?$/.test(yuan)) return undefined;
  try {
    return parseYuanToFen(yuan);
  } catch {
    return undefined;
  }
}

const beijingOffsetMs = 8 * 3600_000;

/** 'YYYY-MM-DD HH:mm:ss' in Beijing time: Alipay's timestamp, notify_time and gmt_payment. */
export function alipayTime(at: Date): string {
  return new Date(at.getTime() + beijingOffsetMs).toISOString().slice(0, 19).replace('T', ' ');
}

/** Alipay's Beijing-time text back to an instant; undefined when malformed. */
export function parseAlipayTime(text: string | undefined): Date | undefined {
  if (!text || !/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(text)) return undefined;
  const at = new Date(`${text.replace(' ', 'T')}+08:00`);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

/** RFC 3339 with the +08:00 offset, as WeChat Pay writes success_time and time_expire. */
export function wechatTime(at: Date): string {
  return `${new Date(at.getTime() + beijingOffsetMs).toISOString().slice(0, 19)}+08:00`;
}

export function parseWechatTime(text: string | undefined): Date | undefined {
  if (!text || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)$/.test(text)) return undefined;
  const at = new Date(text);
  return Number.isNaN(at.getTime()) ? undefined : at;
}
