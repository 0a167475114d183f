import type { TestSwitches } from './sandbox-notifications.js';

/**
 * A scripted payer for the sandbox gateway, over real HTTP like a phone's browser: follows the
 * cashier link (through Alipay's gateway.do redirect) and presses 确认支付 or 取消, optionally
 * with the cashier's test switches; or follows an agreement link (Alipay's 商户代扣 link, or the
 * link WeChat Pay's 委托代扣 pre-sign answered with) to the signing page and presses 同意并签约 or
 * 取消. Used by the API tests and the round-trip benchmark.
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

export interface AgreementPageVisit {
  /** 200 for the result page; 400 or 404 when the gateway refuses (a bad link, a number signed already). */
  status: number;
  html: string;
  /** Where the result page sends the browser back to (the merchant's return_url), if anywhere. */
  returnUrl: string | null;
}

/** Opens the agreement link (the gateway redirects to the agreement page as to the cashier) and presses a button. */
export async function actAtAgreementPage(signUrl: string, action: 'agree' | 'cancel', switches: { withholdingFails?: boolean } = {}): Promise<AgreementPageVisit> {
  const visit = await openCashier(signUrl);
  if (visit.status !== 200) return { status: visit.status, html: visit.html, returnUrl: null };
  const fields: Record<string, string> = { action, ...(switches.withholdingFails ? { withholdingFails: '1' } : {}) };
  const response = await fetch(visit.cashierPageUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
  const html = await response.text();
  return { status: response.status, html, returnUrl: refreshTarget(html) };
}

/** Where a page's <meta http-equiv="refresh"> sends the browser, its HTML character references undone. */
function refreshTarget(html: string): string | null {
  const match = /<meta http-equiv="refresh" content="\d+;url=([^"]*)">/.exec(html);
  return match?.[1] ? match[1].replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code))) : null;
}

/** 关闭服务 on the sandbox's page of the gateway's app for an agreement (`…/sandbox/{alipay|wechat}/agreement/{id}/app`). */
export async function closeInAlipayApp(appPageUrl: string): Promise<{ status: number; html: string }> {
  const response = await fetch(appPageUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'action=unsign' });
  return { status: response.status, html: await response.text() };
}
