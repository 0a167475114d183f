import { afterAll, beforeAll, expect, it } from 'vitest';
import { PaymentsDriver } from './payments-driver.js';

let d: PaymentsDriver;
beforeAll(async () => {
  d = await PaymentsDriver.start();
  d.t.clock.set('2026-11-23T02:00:00Z');
});
afterAll(async () => d.close());

it('compares a day’s gateway trades, orders and ledger, settles what was missed and reports the rest', async () => {
  const { student, studentToken } = await d.family();
  const normal = await d.topUp(studentToken, student.id, 5000);
  await d.payAtCashier(studentToken, normal.id, 'alipay');
  const silent = await d.topUp(studentToken, student.id, 6000);
  await d.payAtCashier(studentToken, silent.id, 'wechat', { lateMs: 48 * 3600_000 });
  const forged = await d.topUp(studentToken, student.id, 7000);
  await d.payAtCashier(studentToken, forged.id, 'alipay', { badSignature: true });
  await d.runJobs();
  // An order credited although its gateway never took the money (what a bug or a forgery would leave).
  // A genuine Alipay notification about an agreement nobody started: rejected, and reported by its signing number.
  const strayAgreement = await d.alipayNotification({
    notify_type: 'dut_user_sign', status: 'NORMAL', agreement_no: '20265523000000000001', external_agreement_no: 'OCstraysigning',
    personal_product_code: 'GENERAL_WITHHOLDING_P', sign_scene: 'INDUSTRY|EDU', sign_time: '2026-11-23 10:00:00',
  });
  expect((await d.postAlipayNotify(strayAgreement)).body).toBe('fail');
  const phantom = await d.topUp(studentToken, student.id, 8000);
  await d.payAtCashier(studentToken, phantom.id, 'wechat');
  await d.runJobs();
  await d.t.ctx.db.updateTable('sandbox_payments').set({ status: 'pending', paid_at: null }).where('out_trade_no', '=', phantom.orderNo).execute();

  const operator = await d.t.factory.operatorToken();
  const res = await d.request('POST', '/admin/payments/reconciliations/2026-11-23', operator);
  expect(res.statusCode).toBe(200);
  const report = res.json();
  expect(report).toMatchObject({ date: '2026-11-23', orders: 4, balanced: false, totals: { alipay: { gatewayPaidFen: 12_000, ledgerBookedFen: 12_000 }, wechat: { gatewayPaidFen: 6000, ledgerBookedFen: 6000 } } });
  const kinds = report.findings.map((f: { kind: string; orderNo: string | null }) => [f.kind, f.orderNo]);
  expect(kinds).toEqual(expect.arrayContaining([
    ['settled_by_reconciliation', silent.orderNo],
    ['settled_by_reconciliation', forged.orderNo],
    ['credited_without_gateway_payment', phantom.orderNo],
    ['notification_rejected', null], // an unverified notification's claims are not trusted, not even its order number
  ]));
  const stray = report.findings.filter((f: { detail: string }) => f.detail.includes('OCstraysigning'));
  expect(stray).toEqual([{ kind: 'notification_rejected', orderNo: null, gateway: 'alipay', detail: expect.stringMatching(/^签约号 OCstraysigning: NOTIFY_AGREEMENT_UNKNOWN/), needsAttention: false }]);
  // Each finding says whether someone must look (the server's one rule; the console only reads it).
  const attention = (found: { findings: { kind: string; orderNo: string | null; needsAttention: boolean }[] }) => found.findings.filter((f) => f.orderNo !== null).map((f) => [f.kind, f.orderNo, f.needsAttention]);
  expect(attention(report)).toEqual(expect.arrayContaining([
    ['credited_without_gateway_payment', phantom.orderNo, true],
    ['settled_by_reconciliation', silent.orderNo, false],
  ]));
  expect((await d.order(studentToken, silent.id)).status).toBe('fulfilled');
  expect(await d.purseFen(student.id)).toBe(5000 + 6000 + 7000 + 8000);
  const stored = (await d.request('GET', '/admin/payments/reconciliations/2026-11-23', operator)).json();
  expect(stored).toMatchObject({ date: '2026-11-23', orders: 4 });
  expect(stored.findings).toEqual(report.findings);
  // A report stored before findings carried the flag gets it by the same rule when read.
  const withoutFlags = { ...report, findings: report.findings.map(({ needsAttention: _, ...f }: { needsAttention: boolean }) => f) };
  await d.t.ctx.db.updateTable('payment_reconciliations').set({ report: JSON.stringify(withoutFlags) }).where('date', '=', '2026-11-23').execute();
  expect((await d.request('GET', '/admin/payments/reconciliations/2026-11-23', operator)).json().findings).toEqual(report.findings);
  expect((await d.request('GET', '/admin/payments/reconciliations/2026-11-23', studentToken)).statusCode).toBe(403);
  expect((await d.request('GET', '/admin/payments/reconciliations/2026-11-20', operator)).json()).toMatchObject({ error: { code: 'RECONCILIATION_NOT_FOUND' } });
  await d.expectLedgerClean();
});

it('runs by itself for yesterday once the day has turned', async () => {
  d.t.clock.set('2026-11-23T17:00:00Z'); // 01:00 on the 24th in Beijing
  await d.runJobs();
  const operator = await d.t.factory.operatorToken();
  expect((await d.request('GET', '/admin/payments/reconciliations/2026-11-23', operator)).json()).toMatchObject({ date: '2026-11-23', balanced: false });
});
