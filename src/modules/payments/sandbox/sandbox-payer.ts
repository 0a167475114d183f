import type { TestSwitches } from './sandbox-notifications.js';

/**
 * A scripted payer for the sandbox gateway, over real HTTP like a phone's browser: follows the
 * cashier link (through Alipay's gateway.do redirect) and presses 确认支付 or 取消, optionally
 * with the cashier's test switches. Used by the API tests and the round-trip benchmark.
 */

export interface CashierVisit {
  cashierPageUrl: string;
  /** 200 for the cashier; 400 or 404 when the gateway refuses (a bad link, a trade already paid). */
  status: number;
  html: string;
}

export async function openCashier(cashierUrl: string): Promise<CashierVisit> {
  let url = cashierUrl;
  for (let hops = 0; hops < 3; hops++) {
    const response = await fetch(url, { redirect: 'manual' });
    const location = response.headers.get('location');
    if (response.status === 302 && location) {
      await response.body?.cancel();
      url = new URL(location, url).toString();
      continue;
    }
    return { cashierPageUrl: url, status: response.status, html: await response.text() };
  }
  throw new Error('too many redirects to the cashier');
}

function form(action: 'pay' | 'cancel', switches: Partial<TestSwitches>): string {
  const fields: Record<string, string> = { action };
  if (switches.copies !== undefined) fields.duplicate = String(switches.copies);
  if (switches.outOfOrder) fields.outOfOrder = '1';
  if (switches.lateMs !== undefined) fields.lateMs = String(switches.lateMs);
  if (switches.badSignature) fields.badSignature = '1';
  return new URLSearchParams(fields).toString();
}

/** Opens the cashier and presses a button; returns the result page (or the gateway's refusal). */
export async function actAtCashier(cashierUrl: string, action: 'pay' | 'cancel', switches: Partial<TestSwitches> = {}): Promise<CashierVisit> {
  const visit = await openCashier(cashierUrl);
  if (visit.status !== 200) return visit;
  const response = await fetch(visit.cashierPageUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form(action, switches) });
  return { cashierPageUrl: visit.cashierPageUrl, status: response.status, html: await response.text() };
}
