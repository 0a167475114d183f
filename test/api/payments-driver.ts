import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { expect } from 'vitest';
import { accountCodes, balanceOf, checkLedger, ensureAccount, findAccountByCode, postTransaction } from '../../src/modules/ledger/ledger.js';
import { alipayForm, signAlipayNotification } from '../../src/modules/payments/gateways/alipay.js';
import { alipayTime } from '../../src/modules/payments/gateways/formats.js';
import { sandboxKeys } from '../../src/modules/payments/gateways/registry.js';
import { encryptWechatResource, signWechatMessage } from '../../src/modules/payments/gateways/wechat.js';
import type { OrderView } from '../../src/modules/payments/order-view.js';
import type { GatewayName } from '../../src/modules/payments/payments.tables.js';
import { retryCompressionSetting, type TestSwitches } from '../../src/modules/payments/sandbox/sandbox-notifications.js';
import { actAtCashier } from '../../src/modules/payments/sandbox/sandbox-payer.js';
import { systemActor } from '../../src/platform/audit.js';
import { createTestApp, type TestApp } from '../support/app.js';

/**
 * Drives the payments API the way the app and the gateways do: the server listens on a real
 * port (the sandbox gateway calls back into it over HTTP), requests are injected with that
 * host, and the sandbox's deliveries run when the test runs the job queue.
 */
export class PaymentsDriver {
  private constructor(
    readonly t: TestApp,
    readonly origin: string,
  ) {}

  static async start(): Promise<PaymentsDriver> {
    const t = await createTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const driver = new PaymentsDriver(t, `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`);
    // Real retry delays (no compression): tests move the manual clock instead of waiting.
    await t.ctx.db.insertInto('settings').values({ key: retryCompressionSetting, value: '1', updated_at: t.clock.now(), updated_by: null }).execute();
    return driver;
  }

  close(): Promise<void> {
    return this.t.close();
  }

  headers(token?: string, extra: Record<string, string> = {}): Record<string, string> {
    return { host: new URL(this.origin).host, ...(token ? { authorization: `Bearer ${token}` } : {}), ...extra };
  }

  request(method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, token?: string, payload?: unknown, extraHeaders: Record<string, string> = {}) {
    return this.t.app.inject({ method, url: `/api/v1${url}`, headers: this.headers(token, extraHeaders), ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
  }

  /** A student with a bound parent, both signed in. */
  async family() {
    const student = await this.t.factory.newStudent({ name: '张小明' });
    const parent = await this.t.factory.newParent({ children: [student.id] });
    return {
      student,
      parent,
      studentToken: await this.t.factory.loginAs('student', student.education_id, student.password),
      parentToken: await this.t.factory.loginAs('parent', parent.phone, parent.password),
    };
  }

  /** The student's card in daily use (an active K-12 card), issued on first use. */
  async cardOf(studentId: string): Promise<string> {
    const card = await this.t.ctx.db.selectFrom('cards').select('id').where('student_id', '=', studentId).where('status', '=', 'active').executeTakeFirst();
    return card?.id ?? (await this.t.factory.newCard(studentId)).id;
  }

  async topUp(token: string, studentId: string, amountFen: number): Promise<OrderView> {
    const res = await this.request('POST', '/orders/top-up', token, { cardId: await this.cardOf(studentId), amountFen });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as OrderView;
  }

  async feeOrder(token: string, studentId: string): Promise<OrderView> {
    const res = await this.request('POST', '/orders/fee', token, { studentId, feeCode: '174011' });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as OrderView;
  }

  async cashierUrl(token: string, orderId: string, gateway: GatewayName): Promise<string> {
    const res = await this.request('POST', `/orders/${orderId}/pay`, token, { gateway });
    expect(res.statusCode, res.body).toBe(200);
    return (res.json() as { cashierUrl: string }).cashierUrl;
  }

  /** 继续支付, then 确认支付 at the sandbox cashier (the notifications are queued, not yet delivered). */
  async payAtCashier(token: string, orderId: string, gateway: GatewayName, switches: Partial<TestSwitches> = {}): Promise<void> {
    const result = await actAtCashier(await this.cashierUrl(token, orderId, gateway), 'pay', switches);
    expect(result.html).toContain('支付成功');
  }

  /** Runs every job that is due now (the sandbox's deliveries among them), until none is left. */
  async runJobs(): Promise<void> {
    for (let round = 0; round < 20 && (await this.t.ctx.jobs.runDue(100)) > 0; round++);
  }

  async order(token: string, orderId: string): Promise<OrderView> {
    const res = await this.request('GET', `/orders/${orderId}`, token);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as OrderView;
  }

  async balanceFen(code: string): Promise<number> {
    try {
      return (await balanceOf(this.t.ctx.db, (await findAccountByCode(this.t.ctx.db, code)).id)).postedFen;
    } catch {
      return 0;
    }
  }

  /** Spends from the student's purse the way a canteen purchase would. */
  async spend(studentId: string, amountFen: number): Promise<void> {
    const purse = await findAccountByCode(this.t.ctx.db, accountCodes.purse(await this.cardOf(studentId)));
    const shop = await ensureAccount(this.t.ctx.db, this.t.clock, { code: accountCodes.merchant('canteen-1'), type: 'merchant', actor: systemActor });
    await postTransaction(this.t.ctx.db, this.t.clock, {
      idempotencyKey: `spend-${studentId}-${amountFen}`, type: 'purchase', postings: [{ accountId: purse.id, debitFen: amountFen }, { accountId: shop.id, creditFen: amountFen }], actor: systemActor,
    });
  }

  async purseFen(studentId: string): Promise<number> {
    return this.balanceFen(accountCodes.purse(await this.cardOf(studentId)));
  }

  async expectLedgerClean(): Promise<void> {
    expect((await checkLedger(this.t.ctx.db)).violations).toEqual([]);
  }

  notifications(orderNo: string) {
    return this.t.ctx.db.selectFrom('gateway_notifications').selectAll().where('order_no', '=', orderNo).orderBy('received_at').orderBy('id').execute();
  }

  ledgerTransactionsOf(orderId: string) {
    return this.t.ctx.db.selectFrom('ledger_transactions').selectAll().where(sql<boolean>`metadata @> ${JSON.stringify({ orderId })}::jsonb`).orderBy('created_at').execute();
  }

  /** A genuinely signed Alipay notification (the sandbox's platform key), with chosen fields. */
  async alipayNotification(fields: Record<string, string>): Promise<string> {
    const keys = (await sandboxKeys(this.t.ctx)).alipay;
    return alipayForm(signAlipayNotification({
      notify_time: alipayTime(this.t.clock.now()), notify_type: 'trade_status_sync', notify_id: `test-${Math.random().toString(16).slice(2)}`, app_id: keys.appId, seller_id: keys.sellerId,
      charset: 'utf-8', version: '1.0', trade_status: 'TRADE_SUCCESS', gmt_payment: alipayTime(this.t.clock.now()), ...fields,
    }, keys.platformPrivateKey));
  }

  /** A genuinely signed and encrypted WeChat Pay notification, with chosen transaction fields. */
  async wechatNotification(transaction: Record<string, unknown>): Promise<{ headers: Record<string, string>; body: string }> {
    const keys = (await sandboxKeys(this.t.ctx)).wechat;
    return this.signedWechatNotification('TRANSACTION.SUCCESS', 'transaction', { appid: keys.appId, mchid: keys.mchid, trade_state: 'SUCCESS', ...transaction });
  }

  /** A genuinely signed and encrypted WeChat Pay refund outcome (REFUND.SUCCESS unless said), with chosen refund fields. */
  async wechatRefundNotification(refund: Record<string, unknown>, eventType = 'REFUND.SUCCESS'): Promise<{ headers: Record<string, string>; body: string }> {
    const keys = (await sandboxKeys(this.t.ctx)).wechat;
    return this.signedWechatNotification(eventType, 'refund', { mchid: keys.mchid, refund_status: eventType.slice('REFUND.'.length), ...refund });
  }

  /** A WeChat Pay notification signed by the sandbox's platform key, its resource encrypted with the APIv3 key. */
  private async signedWechatNotification(eventType: string, originalType: string, resource: Record<string, unknown>): Promise<{ headers: Record<string, string>; body: string }> {
    const keys = (await sandboxKeys(this.t.ctx)).wechat;
    return this.signedWechat(JSON.stringify({
      id: `test-${Math.random().toString(16).slice(2)}`, create_time: '2026-11-23T10:00:00+08:00', resource_type: 'encrypt-resource', event_type: eventType, summary: eventType,
      resource: encryptWechatResource(JSON.stringify(resource), keys.apiV3Key, originalType, originalType),
    }));
  }

  /** A WeChat Pay notification body signed now by the sandbox's platform key, as each delivery is. */
  async signedWechat(body: string): Promise<{ headers: Record<string, string>; body: string }> {
    const keys = (await sandboxKeys(this.t.ctx)).wechat;
    return { headers: { 'content-type': 'application/json', ...signWechatMessage(body, { serialNo: keys.platformSerialNo, privateKeyPem: keys.platformPrivateKey }, this.t.clock.now()) }, body };
  }

  postAlipayNotify(body: string) {
    return this.t.app.inject({ method: 'POST', url: '/api/v1/payments/notify/alipay', headers: this.headers(undefined, { 'content-type': 'application/x-www-form-urlencoded' }), payload: body });
  }

  postWechatNotify(notification: { headers: Record<string, string>; body: string }) {
    return this.t.app.inject({ method: 'POST', url: '/api/v1/payments/notify/wechat', headers: this.headers(undefined, notification.headers), payload: notification.body });
  }
}

/**
 * What the auto top-up suites (Alipay's and WeChat's) read and set, on the driver `driver()`
 * gives once the suite has started it.
 */
export function autoTopUpHelpers(driver: () => PaymentsDriver) {
  type Family = Awaited<ReturnType<PaymentsDriver['family']>>;
  return {
    agreementOf: async (token: string) => (await driver().request('GET', '/me/payment-agreement', token)).json(),
    setting: (f: Family, body?: unknown) => driver().t.app.inject({
      method: body === undefined ? 'GET' : 'PUT', url: `/api/v1/me/children/${f.student.id}/auto-top-up`, headers: driver().headers(f.parentToken), ...(body === undefined ? {} : { payload: body as object }),
    }),
    textsTo: async (phone: string) => (await driver().t.ctx.db.selectFrom('sms_outbox').select('body').where('phone', '=', phone).orderBy('created_at').execute()).map((m) => m.body),
    runsOf: (cardId: string) => driver().t.ctx.db.selectFrom('auto_top_up_runs').selectAll().where('card_id', '=', cardId).orderBy('created_at').execute(),
  };
}
